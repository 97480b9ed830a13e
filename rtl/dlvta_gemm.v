// rtl/dlvta_gemm.v -- the GEMM core's arithmetic, pipelined: BATCH x BLOCK_OUT dot products of
// BLOCK_IN int8 x int8 terms added to the int32 accumulators (wrapping), or zeros on reset.
// Stages of the compute unit (dlvta_compute.v): inp_i and wgt_i are the buffers' read data in S2;
// the result acc_o is combinational in stage S(Latency + 2), from acc_i of the same stage:
//   S2  operands registered (the multipliers' input registers)
//   S3  products (one DSP multiply per pair of outputs, registered in the DSP)
//   S4  products unpacked, adder-tree level 1, registered
//   S5.. two tree levels per stage, registered after every odd level below the top
//   last  the remaining levels and the accumulation of acc_i: acc_o (the top level's two halves
//         and acc_i through one carry-save level, so one carry chain)
// Latency = 2 + floor(Levels / 2), Levels = log2(BLOCK_IN) rounded up (pynq: 4, tiny: 3).
//
// gemm_pump 2 (ultra96x2; isa/configs.def): a slice per pair j and input lane k < Kp = BLOCK_IN/2
// adds the products of lanes k and k + Kp, its DSP at twice the core clock (rtl/dlvta_dsp2x.v, the
// clk2x_i input): the packed weight is w1 * 2^17 + w0 (the low field holds a sum of two products,
// |.| <= 2^15; w1 * 2^17 + w0 lies in [-2^24 - 128, 2^24), 26 bits); the slice adds 2^16, so the
// low field never borrows from the high one (below). The slice's operands are registered at
// S2's end as before, its sum comes three core registers later (S3..S5), the leaves in S6: the
// stages after the leaves are pump 1's with Levels = log2(Kp), so Latency = 4 + floor(Levels / 2)
// (ultra96x2: 6; isa.c's gemm_wstage = Latency + 2). The simulators' form computes the two sums of
// each slice directly (no packing), register for register the same.
// Lane layout as in DRAM: inp[b][k] at bits (b*BLOCK_IN+k)*8, wgt[j][k] at (j*BLOCK_IN+k)*8,
// acc[b][j] at (b*BLOCK_OUT+j)*32.
//
// Two products that share the input x are made by one multiplier (one DSP48 of 25x18 bits, as
// in Xilinx WP486): (w1 * 2^16 + w0) * x = x*w1 * 2^16 + x*w0. The packed operand lies in
// [-2^23 - 128, 2^23) (25 bits); |x*w0| <= 2^14 fits the low 16 bits as a signed field; x*w1 is
// the high part plus the borrow of a negative low part. Exact for every int8 x, w0, w1.
//
// DWGEMM (dw_i; isa/ISA.md): each multiplier (input k, pair j: outputs 2j, 2j+1) has its own
// operand register x(k, j). In GEMM mode it is inp[b][k] (the same for every pair). In DW mode it
// is window tap t = k mod H (H = BLOCK_IN/2) at input lane (2j + (k >= H)) mod BLOCK_IN when
// t < T (tap_en_i[t]), else 0: tap 0 is this iteration's inp_i, tap t >= 1 the input vector
// read t DWGEMM iterations earlier (win_q, H-1 registers shifted by every DWGEMM iteration in
// S2, shift_i). The packed weights and the trees are GEMM's: the weight columns k of the other
// lane of a pair are zero (the compiler's layout), so output 2j sums x(k, j) * wgt[2j][k] and
// output 2j+1 sums x(k, j) * wgt[2j+1][k], the ISA's products (for any weights, the ISA's sum).
// dw_i and tap_en_i are registers constant while an instruction runs, so the operand's select is
// one LUT after the input buffer's read.
//
// Layout for the simulation (the logic is the same whatever the layout; Verilator's cost is not):
// every operand, packed weight, product and tree node sits in a 32-bit slot of a wide vector,
// zero above its width (constant bits: no flip-flop, no logic), and each stage is one loop over
// consecutive slots doing the same operation on each, which the C++ compiler vectorizes (8 lanes
// of AVX2 a instruction); the per-element registers of one generate instance each were scalar
// code, about 30 % of the model's time. Operand, packed weight and product n = (k*Batch + b)*Xs
// + j (multiplier of input lane k, batch row b, operand column j); a tree node is a vector over
// the outputs in lane order: first the low outputs of the pairs (b, 2j) at lane b*Pairs + j, then
// the high ones (b, 2j+1) at NP + b*Pairs + j, then an odd BLOCK_OUT's last output (2*NP + b), so
// each half is one operation over consecutive lanes.
`default_nettype none
`include "dlvta_isa.vh"

module dlvta_gemm (
  input  wire                                          clk_i,
  input  wire                                          clk2x_i,   // 2 x clk_i: pumped DSPs only
  input  wire                                          reset_i,   // the instruction's reset
  input  wire                                          dw_i,      // the instruction is a DWGEMM
  input  wire [`DLVTA_DW_TAPS-1:0]                     tap_en_i,  // DWGEMM: tap t is used (t < T)
  input  wire                                          shift_i,   // a DWGEMM iteration in S2
  input  wire [`DLVTA_BATCH*`DLVTA_BLOCK_IN*8-1:0]     inp_i,
  input  wire [`DLVTA_BLOCK_OUT*`DLVTA_BLOCK_IN*8-1:0] wgt_i,
  input  wire [`DLVTA_BATCH*`DLVTA_BLOCK_OUT*32-1:0]   acc_i,
  output reg  [`DLVTA_BATCH*`DLVTA_BLOCK_OUT*32-1:0]   acc_o
);
  localparam integer Batch = `DLVTA_BATCH;
  localparam integer BlockIn = `DLVTA_BLOCK_IN;
  localparam integer BlockOut = `DLVTA_BLOCK_OUT;
  localparam integer Pairs = BlockOut / 2;
  localparam integer Pump = `DLVTA_GEMM_PUMP;
  localparam integer Kp = BlockIn / Pump;  // multiplier rows (pump 2: lanes k and k + Kp each)
  localparam integer Levels = $clog2(Kp);
  localparam integer DotBits = 17 + Levels;
  localparam integer Leaves = 1 << Levels;
  localparam integer Xs = (BlockOut + 1) / 2;  // operand columns: the pairs (and an odd output)
  localparam integer NX = BlockIn * Batch * Xs;  // operands (multipliers)
  localparam integer NP = Batch * Pairs;         // pairs of one input lane
  localparam integer NM = Kp * Batch * Xs;       // pump 2: slices, slot m = (k*Batch + b)*Xs + j
  localparam integer NO = Batch * BlockOut;      // outputs: the lanes of a tree node
  localparam integer Pad = 32 - DotBits;         // zero bits above a tree node's value

  // node n of a heap-ordered tree (children 2n+1, 2n+2) is at depth floor(log2(n+1)) and
  // height Levels - depth above the leaves; levels 1, 3, 5, ... below the top are registered
  function automatic integer height(input integer n);
    integer d, m;
    begin
      d = 0;
      m = n + 1;
      while (m > 1) begin
        m = m / 2;
        d = d + 1;
      end
      height = Levels - d;
    end
  endfunction

  // the output (b*BlockOut + o) at tree lane l
  function automatic integer out_of(input integer l);
    begin
      if (l < NP) out_of = (l / Pairs) * BlockOut + 2 * (l % Pairs);
      else if (l < 2 * NP) out_of = ((l - NP) / Pairs) * BlockOut + 2 * ((l - NP) % Pairs) + 1;
      else out_of = (l - 2 * NP) * BlockOut + BlockOut - 1;
    end
  endfunction

  // ---- the DWGEMM window: tap t (t >= 1) = the input read t DWGEMM iterations ago ----
  localparam integer H = `DLVTA_DW_TAPS;
  localparam integer InBits = Batch * BlockIn * 8;
  // taps_all: tap t at bits t*InBits (tap 0: inp_i); pump 2 keeps one more register (below)
  localparam integer NW = (Pump == 2) ? H + 1 : H;
  wire [NW*InBits-1:0] taps_all;
  assign taps_all[InBits-1:0] = inp_i;
  genvar gt;
  generate
    for (gt = 1; gt < NW; gt = gt + 1) begin : gen_win
      reg [InBits-1:0] win_q;
      always @(posedge clk_i) if (shift_i) win_q <= taps_all[(gt-1)*InBits +: InBits];
      assign taps_all[gt*InBits +: InBits] = win_q;
    end
  endgenerate

  // the bit offset in taps_all of window tap k mod H + t0 at multiplier (k, b, j)'s DWGEMM input
  // lane (2j + (k >= H)) mod BlockIn (t0 = 1: the window's register after S2's shift)
  function automatic integer tap_at(input integer t0, input integer k, input integer b, input integer j);
    tap_at = ((k % H + t0)*Batch*BlockIn + b*BlockIn + (2*j + k / H) % BlockIn)*8;
  endfunction

  // ---- S2: operand registers; S3: packed weights registered, then the products ----
  // x(k, j) of batch row b in slot n = (k*Batch + b)*Xs + j. GEMM: inp[b][k] for every j;
  // DWGEMM: window tap k mod H at input lane (2j + (k >= H)) mod BlockIn, or 0 past the taps.
  reg [NX*32-1:0] x_d, x_q;
  integer xj, xb, xk;
  always @* begin
    if (!dw_i) begin
      for (xk = 0; xk < BlockIn; xk = xk + 1)
        for (xb = 0; xb < Batch; xb = xb + 1)
          for (xj = 0; xj < Xs; xj = xj + 1)
            x_d[((xk*Batch + xb)*Xs + xj)*32 +: 32] = {24'd0, inp_i[(xb*BlockIn + xk)*8 +: 8]};
    end else begin
      for (xk = 0; xk < BlockIn; xk = xk + 1)
        for (xb = 0; xb < Batch; xb = xb + 1)
          for (xj = 0; xj < Xs; xj = xj + 1)
            x_d[((xk*Batch + xb)*Xs + xj)*32 +: 32] = {24'd0, {8{tap_en_i[xk % H]}} &
              taps_all[tap_at(0, xk, xb, xj) +: 8]};
    end
  end
  // pw: the packed weights of pair j (outputs 2j, 2j+1) at input lane k (the same for every b);
  // pp: its product with x(k, j), 32 bits (the DSP's registered multiply). An odd output's
  // column holds zeros here (its products are po below).
  always @(posedge clk_i) x_q <= x_d;
`ifdef DLVTA_DSP48E2
  // UltraScale+ synthesis (rtl/dlvta_dsp.v): one DSP48E2 per multiplier, its A2/D/B2 registers
  // S2's (A = w0, D = w1 * 2^16: the pre-adder forms pw), P the product pp (S3)
  wire [NX*32-1:0] pp_q;
  genvar gx;
  generate
    for (gx = 0; gx < NX; gx = gx + 1) begin : gen_mul
      localparam integer K = gx / (Batch * Xs);
      localparam integer J = gx % Xs;
      if (J < Pairs && Pump == 1) begin : gen_pair
        wire [7:0] w0 = wgt_i[((2*J)*BlockIn+K)*8 +: 8];
        wire [7:0] w1 = wgt_i[((2*J+1)*BlockIn+K)*8 +: 8];
        dlvta_dsp #(.AW(25), .BW(8), .PW(32), .Pre(1), .InReg(1), .MReg(0), .PReg(1)) u_mul (
          .clk_i(clk_i), .ce_in_i(1'b1), .ce_m_i(1'b0), .ce_p_i(1'b1),
          .a_i({{17{w0[7]}}, w0}), .d_i({w1[7], w1, 16'd0}), .b_i(x_d[gx*32 +: 8]),
          .p_o(pp_q[gx*32 +: 32])
        );
      end else begin : gen_none
        assign pp_q[gx*32 +: 32] = 32'd0;
      end
    end
  endgenerate
`else
  wire [NX*32-1:0] pp_q;
  generate if (Pump == 1) begin : gen_beh
  reg [NX*32-1:0] pw_d, pw_q, pp_d, pp_r;
  integer pj, pb, pk;
  always @* begin
    for (pk = 0; pk < BlockIn; pk = pk + 1)
      for (pb = 0; pb < Batch; pb = pb + 1)
        for (pj = 0; pj < Xs; pj = pj + 1)
          if (pj < Pairs)  // w1 * 2^16 + w0, w0 = wgt[2j][k], w1 = wgt[2j+1][k]
            pw_d[((pk*Batch + pb)*Xs + pj)*32 +: 32] = {7'd0,
              $signed({wgt_i[((2*pj+1)*BlockIn+pk)*8+7], wgt_i[((2*pj+1)*BlockIn+pk)*8 +: 8], 16'd0}) +
              $signed({{17{wgt_i[((2*pj)*BlockIn+pk)*8+7]}}, wgt_i[((2*pj)*BlockIn+pk)*8 +: 8]})};
          else
            pw_d[((pk*Batch + pb)*Xs + pj)*32 +: 32] = 32'd0;
  end
  integer mk, mj;  // nested loops of at most 64 iterations: Verilator unrolls them
  always @* begin
    for (mk = 0; mk < BlockIn * Batch; mk = mk + 1)
      for (mj = 0; mj < Xs; mj = mj + 1)
        pp_d[(mk*Xs + mj)*32 +: 32] = $signed(pw_q[(mk*Xs + mj)*32 +: 25]) * $signed(x_q[(mk*Xs + mj)*32 +: 8]);
  end
  always @(posedge clk_i) begin
    pw_q <= pw_d;
    pp_r <= pp_d;
  end
  assign pp_q = pp_r;
  end else begin : gen_beh_none  // pump 2: the products below
    assign pp_q = {NX{32'd0}};
    wire unused_ok = ^pp_q;
  end endgenerate
`endif

  // ---- pump 2 (gemm_pump 2): slice m (input lane k < Kp, batch row b, pair j) adds the products
  // of lanes k and k + Kp; ql_q / qh_q: its low (output 2j) and high (2j+1) sums, 17 bits signed,
  // sign-extended in a 32-bit slot, in S(6) (the slice's three core registers after S2's) ----
  wire [NM*32-1:0] ql_q, qh_q;
  generate if (Pump == 2) begin : gen_pump
    // xp: every multiplier operand x(k, j) as S3 sees it (S2's x_d after the edge), from registers
    // alone, so that a slice's clk2x operand select is one LUT of registers (six inputs: the
    // phase, the tap's enable, the tap's bit and the GEMM input's of either lane): gi_q, the
    // GEMM operands (zero in a DWGEMM); en_q[t], tap t in a DWGEMM; tap t of S2 is the window's
    // register t + 1 after the edge (every DWGEMM iteration in S2 shifts the window; a cycle
    // without one computes nothing that is written)
    reg [InBits-1:0] gi_q;
    reg [H-1:0] en_q;
    always @(posedge clk_i) begin
      gi_q <= dw_i ? {InBits{1'b0}} : inp_i;
      en_q <= dw_i ? tap_en_i : {H{1'b0}};
    end
    reg [NX*32-1:0] xp;
    integer pk2, pb2, pj2;
    always @* begin
      for (pk2 = 0; pk2 < BlockIn; pk2 = pk2 + 1)
        for (pb2 = 0; pb2 < Batch; pb2 = pb2 + 1)
          for (pj2 = 0; pj2 < Xs; pj2 = pj2 + 1)
            xp[((pk2*Batch + pb2)*Xs + pj2)*32 +: 32] = {24'd0, gi_q[(pb2*BlockIn + pk2)*8 +: 8] |
              ({8{en_q[pk2 % H]}} & taps_all[tap_at(1, pk2, pb2, pj2) +: 8])};
    end
`ifdef DLVTA_DSP48E2
    // rtl/dlvta_dsp2x.v: (w1 * 2^17 + w0) * x of both lanes added in P, plus 2^16 (the slice's
    // RND): the low sum L (|L| <= 2^15) lies as L + 2^16 in [0, 2^17), so no borrow reaches the
    // high field: the high sum is bits 33:17 as they are, the low one bits 16:0 less 2^16 (bit 16
    // inverted), and neither needs an adder
    genvar gm;
    for (gm = 0; gm < NM; gm = gm + 1) begin : gen_mul2
      localparam integer K = gm / (Batch * Xs);
      localparam integer B = (gm / Xs) % Batch;
      localparam integer J = gm % Xs;
      wire [7:0] w0l = wgt_i[((2*J)*BlockIn+K)*8 +: 8];
      wire [7:0] w1l = wgt_i[((2*J+1)*BlockIn+K)*8 +: 8];
      wire [7:0] w0h = wgt_i[((2*J)*BlockIn+K+Kp)*8 +: 8];
      wire [7:0] w1h = wgt_i[((2*J+1)*BlockIn+K+Kp)*8 +: 8];
      wire [33:0] p;
      dlvta_dsp2x #(.AW(27), .BW(8), .PW(34), .Rnd(48'h10000)) u_mul (
        .clk_i(clk_i), .clk2x_i(clk2x_i),
        .a0_i({{19{w0l[7]}}, w0l}), .d0_i({{2{w1l[7]}}, w1l, 17'd0}),
        .b0_i(xp[gm*32 +: 8]),
        .a1_i({{19{w0h[7]}}, w0h}), .d1_i({{2{w1h[7]}}, w1h, 17'd0}),
        .b1_i(xp[(gm+NM)*32 +: 8]),
        .p_o(p)
      );
      assign ql_q[gm*32 +: 32] = {{16{~p[16]}}, p[15:0]};
      assign qh_q[gm*32 +: 32] = {{15{p[33]}}, p[33:17]};
    end
`else
    // the two sums of every slice, one vector operation per stage over the slots (as above)
    reg [NM*32-1:0] w0l_q, w1l_q, w0h_q, w1h_q, l1_q, h1_q, l2_q, h2_q, l3_q, h3_q;
    // wgt[o][k] sign-extended to 32 bits
    function automatic [31:0] wgt_s(input integer o, input integer k);
      wgt_s = {{24{wgt_i[(o*BlockIn + k)*8 + 7]}}, wgt_i[(o*BlockIn + k)*8 +: 8]};
    endfunction
    integer qw, qm;  // one loop variable per always block (yosys: one driver each)
    always @(posedge clk_i) begin
      for (qw = 0; qw < NM; qw = qw + 1) begin
        w0l_q[qw*32 +: 32] <= wgt_s(2*(qw % Xs), qw / (Batch*Xs));
        w1l_q[qw*32 +: 32] <= wgt_s(2*(qw % Xs) + 1, qw / (Batch*Xs));
        w0h_q[qw*32 +: 32] <= wgt_s(2*(qw % Xs), qw / (Batch*Xs) + Kp);
        w1h_q[qw*32 +: 32] <= wgt_s(2*(qw % Xs) + 1, qw / (Batch*Xs) + Kp);
      end
    end
    // x of slot m's low lane is xp slot m, of its high lane slot m + Kp*Batch*Xs = m + NM
    always @(posedge clk_i) begin
      for (qm = 0; qm < NM; qm = qm + 1) begin
        l1_q[qm*32 +: 32] <= $signed(w0l_q[qm*32 +: 32]) * $signed({{24{xp[qm*32+7]}}, xp[qm*32 +: 8]}) +
                             $signed(w0h_q[qm*32 +: 32]) * $signed({{24{xp[(qm+NM)*32+7]}}, xp[(qm+NM)*32 +: 8]});
        h1_q[qm*32 +: 32] <= $signed(w1l_q[qm*32 +: 32]) * $signed({{24{xp[qm*32+7]}}, xp[qm*32 +: 8]}) +
                             $signed(w1h_q[qm*32 +: 32]) * $signed({{24{xp[(qm+NM)*32+7]}}, xp[(qm+NM)*32 +: 8]});
      end
      l2_q <= l1_q;
      h2_q <= h1_q;
      l3_q <= l2_q;
      h3_q <= h2_q;
    end
    assign ql_q = l3_q;
    assign qh_q = h3_q;
    wire unused_ok = ^{clk2x_i};
`endif
  end else begin : gen_pump_none
    assign ql_q = {(NM*32){1'b0}};
    assign qh_q = {(NM*32){1'b0}};
    wire unused_ok = ^{clk2x_i, ql_q, qh_q};
  end endgenerate
  generate if (Pump == 2) begin : gen_x_unused  // pump 2 takes xp (above), not x_d / x_q
    wire unused_ok = ^{x_d, x_q};
  end endgenerate
  // odd BLOCK_OUT: the last output's products, one multiply each, po[(k*Batch + b)*32 +: 17]
  wire [BlockIn*Batch*32-1:0] po;
  genvar gb, gk;
  generate
    for (gk = 0; gk < BlockIn; gk = gk + 1) begin : gen_k
      for (gb = 0; gb < Batch; gb = gb + 1) begin : gen_batch
        if (BlockOut % 2 == 1) begin : gen_odd
          wire signed [7:0] x = x_q[((gk*Batch + gb)*Xs + Pairs)*32 +: 8];
          reg signed [7:0]  w_q;
          reg signed [16:0] p;
          always @(posedge clk_i) begin
            w_q <= wgt_i[((BlockOut-1)*BlockIn+gk)*8 +: 8];
            p <= w_q * x;
          end
          assign po[(gk*Batch + gb)*32 +: 32] = {15'd0, p};
        end else begin : gen_even
          assign po[(gk*Batch + gb)*32 +: 32] = 32'd0;  // unused: every output is half of a pair
        end
      end
    end
    if (Pump == 2) begin : gen_po_unused  // block_out is even (isa.c): no odd output
      wire unused_ok = ^po;
    end
  endgenerate

  // ---- S4..: the leaves, the adder trees (one vector over the output lanes per node), the
  // accumulation ----
  // val[n]: node n's value in every lane as its parent sees it (the register where the level
  // has one), DotBits in each 32-bit slot
  wire [NO*32-1:0] val [0:2*Leaves-2] /*verilator split_var*/;  // no false loop
  genvar gn;
  generate
    for (gn = 0; gn < Leaves; gn = gn + 1) begin : gen_leaf
      if (gn < Kp && Pump == 2) begin : gen_term2
        // leaf k = gn: slice (k, b, j)'s two sums (already unpacked: ql_q, qh_q)
        reg [NO*32-1:0] lf;
        integer lc;
        always @* begin
          for (lc = 0; lc < NP; lc = lc + 1) begin
            lf[lc*32 +: 32] = {{Pad{1'b0}}, ql_q[((gn*Batch + lc / Pairs)*Xs + lc % Pairs)*32 +: DotBits]};
            lf[(NP + lc)*32 +: 32] = {{Pad{1'b0}}, qh_q[((gn*Batch + lc / Pairs)*Xs + lc % Pairs)*32 +: DotBits]};
          end
        end
        assign val[Leaves-1+gn] = lf;
      end else if (gn < Kp) begin : gen_term
        // leaf k = gn of every output: the low half of a pair's product (x*w0, 16 bits signed),
        // the high half ({w[16], w[16:1]} + w[0] of its bits 31:15), an odd output's own product
        reg [NO*32-1:0] lf;
        reg [16:0] hw, hp;  // the high output's bits 31:15 of the product, its leaf
        integer lc, lo;
        always @* begin
          for (lc = 0; lc < NP; lc = lc + 1)
            lf[lc*32 +: 32] = {{Pad{1'b0}}, {(DotBits-16){pp_q[((gn*Batch + lc / Pairs)*Xs + lc % Pairs)*32 + 15]}},
                               pp_q[((gn*Batch + lc / Pairs)*Xs + lc % Pairs)*32 +: 16]};
          for (lc = 0; lc < NP; lc = lc + 1) begin
            hw = pp_q[((gn*Batch + lc / Pairs)*Xs + lc % Pairs)*32 + 15 +: 17];
            hp = {hw[16], hw[16:1]} + {16'd0, hw[0]};
            lf[(NP + lc)*32 +: 32] = {{Pad{1'b0}}, {(DotBits-17){hp[16]}}, hp};
          end
          for (lo = 2 * NP; lo < NO; lo = lo + 1)
            lf[lo*32 +: 32] = {{Pad{1'b0}}, {(DotBits-17){po[(gn*Batch + lo - 2*NP)*32 + 16]}},
                               po[(gn*Batch + lo - 2*NP)*32 +: 17]};
        end
        assign val[Leaves-1+gn] = lf;
      end else begin : gen_zero
        assign val[Leaves-1+gn] = {(NO*32){1'b0}};
      end
    end
    for (gn = 0; gn < Leaves - 1; gn = gn + 1) begin : gen_node
      if (gn == 0) begin : gen_top
        // the top level is added together with the accumulator (below)
        assign val[0] = {(NO*32){1'b0}};
      end else begin : gen_sum
        wire [NO*32-1:0] lv = val[2*gn+1];
        wire [NO*32-1:0] rv = val[2*gn+2];
        reg [NO*32-1:0] s;
        integer sl;
        always @* begin
          for (sl = 0; sl < NO; sl = sl + 1)
            s[sl*32 +: 32] = {{Pad{1'b0}}, lv[sl*32 +: DotBits] + rv[sl*32 +: DotBits]};
        end
        if ((height(gn) % 2 == 1) && (height(gn) < Levels)) begin : gen_reg
          reg [NO*32-1:0] q;
          always @(posedge clk_i) q <= s;
          assign val[gn] = q;
        end else begin : gen_comb
          assign val[gn] = s;
        end
      end
    end
  endgenerate

  // acc + left + right of the top node through one carry-save level (one carry chain), lane by
  // lane; with one leaf, acc + the leaf
  reg [NO*32-1:0] acc_l, sum_l;  // acc_i and the sums in lane order
  reg [31:0] tl_l, tl_r, cs_s;
  reg [30:0] cs_c;  // the carries into bits 1..31
  wire [NO*32-1:0] top_l = val[Leaves > 1 ? 1 : 0];  // the top node's children (one leaf: it)
  wire [NO*32-1:0] top_r = val[Leaves > 1 ? 2 : 0];
  integer tl;
  always @* begin
    for (tl = 0; tl < NO; tl = tl + 1)
      acc_l[tl*32 +: 32] = acc_i[out_of(tl)*32 +: 32];
    for (tl = 0; tl < NO; tl = tl + 1)
      if (Leaves > 1) begin
        tl_l = {{(32-DotBits){top_l[tl*32+DotBits-1]}}, top_l[tl*32 +: DotBits]};
        tl_r = {{(32-DotBits){top_r[tl*32+DotBits-1]}}, top_r[tl*32 +: DotBits]};
        cs_s = acc_l[tl*32 +: 32] ^ tl_l ^ tl_r;
        cs_c = (acc_l[tl*32 +: 31] & tl_l[30:0]) | (acc_l[tl*32 +: 31] & tl_r[30:0]) | (tl_l[30:0] & tl_r[30:0]);
        sum_l[tl*32 +: 32] = cs_s + {cs_c, 1'b0};
      end else begin
        sum_l[tl*32 +: 32] = acc_l[tl*32 +: 32] + {{(32-DotBits){top_l[tl*32+DotBits-1]}}, top_l[tl*32 +: DotBits]};
      end
    for (tl = 0; tl < NO; tl = tl + 1)
      acc_o[out_of(tl)*32 +: 32] = reset_i ? 32'd0 : sum_l[tl*32 +: 32];
  end
endmodule

`default_nettype wire
