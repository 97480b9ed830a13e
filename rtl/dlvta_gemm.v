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
// one LUT after the input buffer's read. The operands are one vector (x_q) written whole in GEMM
// mode: Verilator copies words there and runs the per-operand select only in DW mode.
`default_nettype none
`include "dlvta_isa.vh"

module dlvta_gemm (
  input  wire                                          clk_i,
  input  wire                                          reset_i,   // the instruction's reset
  input  wire                                          dw_i,      // the instruction is a DWGEMM
  input  wire [`DLVTA_DW_TAPS-1:0]                     tap_en_i,  // DWGEMM: tap t is used (t < T)
  input  wire                                          shift_i,   // a DWGEMM iteration in S2
  input  wire [`DLVTA_BATCH*`DLVTA_BLOCK_IN*8-1:0]     inp_i,
  input  wire [`DLVTA_BLOCK_OUT*`DLVTA_BLOCK_IN*8-1:0] wgt_i,
  input  wire [`DLVTA_BATCH*`DLVTA_BLOCK_OUT*32-1:0]   acc_i,
  output wire [`DLVTA_BATCH*`DLVTA_BLOCK_OUT*32-1:0]   acc_o
);
  localparam integer Batch = `DLVTA_BATCH;
  localparam integer BlockIn = `DLVTA_BLOCK_IN;
  localparam integer BlockOut = `DLVTA_BLOCK_OUT;
  localparam integer Pairs = BlockOut / 2;
  localparam integer Levels = $clog2(BlockIn);
  localparam integer DotBits = 17 + Levels;
  localparam integer Leaves = 1 << Levels;

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

  // ---- the DWGEMM window: tap t (t >= 1) = the input read t DWGEMM iterations ago ----
  localparam integer H = `DLVTA_DW_TAPS;
  localparam integer InBits = Batch * BlockIn * 8;
  localparam integer Xs = (BlockOut + 1) / 2;  // operand columns: the pairs (and an odd output)
  // taps_all: tap t at bits t*InBits (tap 0: inp_i)
  wire [H*InBits-1:0] taps_all;
  assign taps_all[InBits-1:0] = inp_i;
  genvar gt;
  generate
    for (gt = 1; gt < H; gt = gt + 1) begin : gen_win
      reg [InBits-1:0] win_q;
      always @(posedge clk_i) if (shift_i) win_q <= taps_all[(gt-1)*InBits +: InBits];
      assign taps_all[gt*InBits +: InBits] = win_q;
    end
  endgenerate

  // ---- S2: operand registers; S3: products ----
  // x_q: operand x(k, j) of batch row b at bits ((j*Batch + b)*BlockIn + k)*8, j < Xs (j = Pairs:
  // the odd output's). GEMM: inp_i repeated (one copy per pair); DWGEMM: window tap k mod H at
  // input lane (2j + (k >= H)) mod BlockIn, or 0 past the taps. One vector, so that the
  // simulation copies words in GEMM mode (the loop runs only in DW mode).
  reg [Xs*InBits-1:0] x_q;
  integer xj, xb, xk;
  always @(posedge clk_i) begin
    if (!dw_i) begin
      x_q <= {Xs{inp_i}};
    end else begin
      for (xj = 0; xj < Xs; xj = xj + 1)
        for (xb = 0; xb < Batch; xb = xb + 1)
          for (xk = 0; xk < BlockIn; xk = xk + 1)
            x_q[((xj*Batch + xb)*BlockIn + xk)*8 +: 8] <= {8{tap_en_i[xk % H]}} &
              taps_all[((xk % H)*Batch*BlockIn + xb*BlockIn + (2*xj + xk / H) % BlockIn)*8 +: 8];
    end
  end
  // pp[(b*BlockIn + k)*Pairs + j]: the packed product of pair j (outputs 2j, 2j+1) and x(k, j)
  wire [31:0] pp_q [0:Batch*BlockIn*Pairs-1];
  // odd BLOCK_OUT: the last output's products, one multiply each
  wire [16:0] po_q [0:Batch*BlockIn-1];

  genvar gb, gj, gk;
  generate
    for (gb = 0; gb < Batch; gb = gb + 1) begin : gen_batch
      for (gk = 0; gk < BlockIn; gk = gk + 1) begin : gen_k
        for (gj = 0; gj < Pairs; gj = gj + 1) begin : gen_pair
          wire signed [7:0]  x = x_q[((gj*Batch + gb)*BlockIn + gk)*8 +: 8];
          wire signed [7:0]  w0 = wgt_i[((2*gj)*BlockIn+gk)*8 +: 8];
          wire signed [7:0]  w1 = wgt_i[((2*gj+1)*BlockIn+gk)*8 +: 8];
          reg  signed [24:0] pw_q;
          reg  signed [31:0] pp;
          always @(posedge clk_i) begin
            pw_q <= $signed({w1[7], w1, 16'd0}) + $signed({{17{w0[7]}}, w0});
            pp <= pw_q * x;
          end
          assign pp_q[(gb*BlockIn + gk)*Pairs + gj] = pp;
        end
        if (BlockOut % 2 == 1) begin : gen_odd
          wire signed [7:0] x = x_q[((Pairs*Batch + gb)*BlockIn + gk)*8 +: 8];
          reg signed [7:0]  w_q;
          reg signed [16:0] p;
          always @(posedge clk_i) begin
            w_q <= wgt_i[((BlockOut-1)*BlockIn+gk)*8 +: 8];
            p <= w_q * x;
          end
          assign po_q[gb*BlockIn + gk] = p;
        end else begin : gen_even
          assign po_q[gb*BlockIn + gk] = 17'd0;  // unused: every output is half of a pair
        end
      end
    end
  endgenerate

  // ---- S4..: unpacked products, the adder trees, the accumulation ----
  genvar go, gn;
  generate
    for (gb = 0; gb < Batch; gb = gb + 1) begin : gen_acc_b
      for (go = 0; go < BlockOut; go = go + 1) begin : gen_out
        // val[n]: node n's value as its parent sees it (the register where the level has one)
        wire [DotBits-1:0] val [0:2*Leaves-2] /*verilator split_var*/;  // no false loop
        for (gn = 0; gn < Leaves; gn = gn + 1) begin : gen_leaf
          if (gn < BlockIn) begin : gen_term
            wire [16:0] p;
            if (go % 2 == 1) begin : gen_hi
              wire [16:0] w = pp_q[(gb*BlockIn + gn)*Pairs + go/2][31:15];
              assign p = {w[16], w[16:1]} + {16'd0, w[0]};
            end else if (go == BlockOut - 1) begin : gen_last
              assign p = po_q[gb*BlockIn + gn];
            end else begin : gen_lo
              wire [15:0] w = pp_q[(gb*BlockIn + gn)*Pairs + go/2][15:0];
              assign p = {w[15], w};
            end
            assign val[Leaves-1+gn] = {{(DotBits-17){p[16]}}, p};
          end else begin : gen_zero
            assign val[Leaves-1+gn] = {DotBits{1'b0}};
          end
        end
        for (gn = 0; gn < Leaves - 1; gn = gn + 1) begin : gen_node
          if (gn == 0) begin : gen_top
            // the top level is added together with the accumulator (below)
            assign val[0] = {DotBits{1'b0}};
          end else if ((height(gn) % 2 == 1) && (height(gn) < Levels)) begin : gen_reg
            reg [DotBits-1:0] q;
            always @(posedge clk_i) q <= val[2*gn+1] + val[2*gn+2];
            assign val[gn] = q;
          end else begin : gen_comb
            assign val[gn] = val[2*gn+1] + val[2*gn+2];
          end
        end
        wire [31:0] acc = acc_i[(gb*BlockOut+go)*32 +: 32];
        wire [31:0] sum;
        if (Leaves > 1) begin : gen_csa
          // acc + left + right of the top node through one carry-save level: one carry chain
          wire [31:0] l = {{(32-DotBits){val[1][DotBits-1]}}, val[1]};
          wire [31:0] r = {{(32-DotBits){val[2][DotBits-1]}}, val[2]};
          wire [31:0] cs_s = acc ^ l ^ r;
          wire [31:0] cs_c = (acc & l) | (acc & r) | (l & r);
          assign sum = cs_s + {cs_c[30:0], 1'b0};
          wire unused_top = ^{val[0], cs_c[31]};
        end else begin : gen_one
          assign sum = acc + {{(32-DotBits){val[0][DotBits-1]}}, val[0]};
        end
        assign acc_o[(gb*BlockOut+go)*32 +: 32] = reset_i ? 32'd0 : sum;
      end
    end
  endgenerate
  wire unused_ok = ^{po_q[0]};  // BLOCK_OUT even: no odd output
endmodule

`default_nettype wire
