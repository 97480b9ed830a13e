// rtl/dlvta_alu_lane.v -- one int32 lane of the tensor ALU, exactly as isa/ISA.md, pipelined over
// AluLatency = 6 clock edges: the operands a_i (acc[dst] lane) and c_i (acc[src] lane) enter in
// the compute unit's stage S3, y_o is the registered result in S9 (dlvta_compute.v). op_i,
// use_imm_i and imm_i are the instruction's and hold for the whole instruction. b = use_imm ?
// sext(imm) : c.
//   S3  operand selection: b, the multiplier operand m (25 bits signed; MUL: sext(b[15:0]), REQ:
//       sext(c.m) (24 bits, DLVTA_REQ_M), CLIP and LUT: 1, SHR: 2^15; none depends on s, so c
//       reaches the DSP through one LUT), the shift (REQ: c.shift (DLVTA_REQ_SHIFT), SHR:
//       s = sext(b[5:0]), CLIP and LUT: 0)
//   S4  a + b (ADD), 0 + b (MOV) or a - b (MIN/MAX: its sign is a < b) on one carry chain; the
//       32x25 multiply as two products, one DSP slice each, m on the DSP's 25-bit port (A) and a
//       part of a on the 18-bit one (B): a = a_hi * 2^17 + a_lo, a_lo 17 bits unsigned, a_hi 15
//       bits signed; registered (the DSP's own A/B and P registers); SHR's shift of
//       x = a * 2^15: s + 15, or s + 31 for -s in 16..31
//   S5  the simple result selected; the product x summed (56 bits), MUL takes its low 32 bits.
//       REQ, CLIP and LUT (x = a * 1, s = 0) and SHR (x = a * 2^15) go on:
//   S6  the rounding right shift (x + 2^(s-1)) >>> s = (x >>> s) + x[s-1] as one shift of 2x:
//       t (32 bits) and the round bit rb; whether t fits int32, from x and s
//   S7  r = t + rb saturated to int32 and to int8; no wide comparator follows the increment:
//       t + rb overflows only when t is the largest value of the range, which saturates anyway.
//       SHR keeps r's low 32 bits (s <= 0: r = a << -s exactly), moved up 16 bits for -s in
//       16..31 (0 for -s = 32)
//   S8  the int8 bounds (REQ with use_imm: imm; CLIP: b); LUT reads the lane's table at
//       r + 128 (r = clamp(a, -128, 127), S7's saturation); the op select -> y_o (register)
// The table is a 256 x 8 LUT RAM, written by a LOAD of memory LUT through lut_we_i/lut_waddr_i/
// lut_wdata_i, never while an ALU op runs.
// en_i: the pipeline registers load only while an ALU op is in S3..S8 (dlvta_compute.v's
// alu_en_q, registered); otherwise they hold: only registers of valid iterations are ever read.
// Each stage's logic is a function of the stage's registers called in the stage's gated
// register block (no free-standing wires but the multiplier operand mb4_d, an input of the two
// DSP slices of rtl/dlvta_dsp.v), so that an idle lane (the GEMM's and LOAD's cycles) costs the
// Verilated model nothing: Verilator evaluates every continuous assignment each cycle, but a
// function's body only where it is called. The hardware is the same.
`default_nettype none
`include "dlvta_isa.vh"

module dlvta_alu_lane (
  input  wire        clk_i,
  input  wire        en_i,     // the pipeline registers advance (an ALU op is in S3..S8)
  input  wire [3:0]  op_i,
  input  wire        use_imm_i,
  input  wire [15:0] imm_i,
  input  wire [31:0] a_i,
  input  wire [31:0] c_i,
  output reg  [31:0] y_o,
  // the lane's lookup table: entry lut_waddr_i := lut_wdata_i (LOAD of memory LUT)
  input  wire        lut_we_i,
  input  wire [`DLVTA_LOG_LUT_DEPTH-1:0] lut_waddr_i,
  input  wire [7:0]  lut_wdata_i
);
  // REQ's parameter word c (isa.def DLVTA_REQ_FIELD): m = sext(c[MPos +: MW]), shift c[SPos +: 6]
  // MW = 24: the operand (MW + 1 bits) fills the DSP's 25-bit port (DSP48E1 A; DSP48E2 has 27)
  localparam integer MW   = `DLVTA_REQ_M_WIDTH;
  localparam integer MPos = `DLVTA_REQ_M_POS;
  localparam integer SPos = `DLVTA_REQ_SHIFT_POS;
  localparam [MW:0]  M_SHR = 1 << 15;                 // SHR's operand 2^15
  localparam [MW:0]  M_ONE = 1;                       // CLIP's and LUT's

  // The instruction's op decoded into registers, a cycle behind op_i / use_imm_i / imm_i: those
  // change only at an instruction's start, at least four cycles before its first iteration
  // reaches S3 (S0, S1, S1R, S2), and hold until its last has left S8, so the registers are the
  // instruction's wherever they are read. S3's operand selects are among them (is_req, m_c_b,
  // s_c_b: which field of c, if any, the multiplier operand and the shift take; m_k, s_k: the value
  // otherwise), so that c reaches mb4 / s4_q through one select of registered choices (the 32
  // lanes share these registers: ultra96's worst path was the op's decode fanned out into every
  // lane's operand mux).
  wire op_req  = (op_i == `DLVTA_ALU_REQ);
  wire op_shr  = (op_i == `DLVTA_ALU_SHR);
  wire op_one  = (op_i == `DLVTA_ALU_CLIP) || (op_i == `DLVTA_ALU_LUT);  // multiplier operand 1
  reg is_req, is_shr, is_mul, is_clip, is_lut, is_mm, is_mov, use_imm;
  reg m_c_b, s_c_b;                    // mb4 = sext(c[15:0]), s4 = c[5:0] (is_req: c.m, c.shift)
  reg signed [MW:0] m_k;               // mb4 otherwise: 2^15, 1 or sext(imm)
  reg [5:0]  s_k;                      // s4 otherwise: 0 or imm[5:0]
  always @(posedge clk_i) begin
    is_req  <= op_req;
    is_shr  <= op_shr;
    is_mul  <= (op_i == `DLVTA_ALU_MUL);
    is_clip <= (op_i == `DLVTA_ALU_CLIP);
    is_lut  <= (op_i == `DLVTA_ALU_LUT);
    is_mm   <= (op_i == `DLVTA_ALU_MIN) || (op_i == `DLVTA_ALU_MAX);
    is_mov  <= (op_i == `DLVTA_ALU_MOV);
    use_imm <= use_imm_i;
    m_c_b   <= !op_req && !op_shr && !op_one && !use_imm_i;
    s_c_b   <= !op_req && !op_one && !use_imm_i;
    m_k     <= op_shr ? M_SHR : op_one ? M_ONE : (!op_req && use_imm_i) ? {{(MW-15){imm_i[15]}}, imm_i} :
               {(MW+1){1'b0}};
    s_k     <= (!op_req && !op_one && use_imm_i) ? imm_i[5:0] : 6'd0;
  end

  // ---- S3: operand selection (b = use_imm ? sext(imm) : c); the multiplier operand ----
  // SHR takes x = a * 2^15 and shifts it right by k = s + 15 (s = sext(b[5:0]) in -15..31: the
  // rounding shift of a by s > 0, the exact a << -s for s <= 0) or, for -s in 16..31, by s + 31
  // (a << (-s - 16)), moved up 16 bits in S7; -s = 32 gives 0 (S7). The multiplier operand does
  // not depend on c for SHR: the c -> DSP path stays one LUT deep (a decode of s there made pynq's
  // worst path, 10.88 ns).
  // mb4 = REQ: c.m, SHR: 2^15, CLIP / LUT: 1, else sext(b[15:0]); s4 = REQ: c.shift, CLIP / LUT:
  // 0, else b[5:0] (the selects above)
  reg  [31:0]        a4_q, b4_q;
  // mb4: the multiplier operand, registered in the two DSP slices (A2), as a's parts are (B2)
  wire [MW:0]        mb4_d = is_req ? {c_i[MPos+MW-1], c_i[MPos +: MW]} :
                             m_c_b ? {{(MW-15){c_i[15]}}, c_i[15:0]} : m_k;
  reg  [5:0]         s4_q;
  reg                mm4_q;   // MIN/MAX: S4 subtracts (op_i decoded here, not in S4's carry-chain path)
  reg                mov4_q;  // MOV: S4 adds b to 0
  always @(posedge clk_i) begin : s3_regs
    if (en_i) begin
      a4_q <= a_i;
      b4_q <= use_imm ? {{16{imm_i[15]}}, imm_i} : c_i;
      s4_q <= is_req ? c_i[SPos +: `DLVTA_REQ_SHIFT_WIDTH] : s_c_b ? c_i[5:0] : s_k;
      mm4_q <= is_mm;
      mov4_q <= is_mov;
    end
  end

  // ---- S4: the sum or difference; the two partial products ----
  // ADD takes a + b, MIN and MAX the sign of the 33-bit a - b (one carry chain for both)
  function automatic [32:0] addsub(input [31:0] a, input [31:0] b, input sub);
    addsub = {a[31], a} + ({b[31], b} ^ {33{sub}}) + {32'd0, sub};
  endfunction
  // the 32x25 multiply: a = a_hi * 2^17 + a_lo (a_lo 17 bits unsigned, a_hi 15 bits signed),
  // each part times m one DSP multiply (18 x 25 bits): |a_lo * m| <= 2^40, |a_hi * m| <= 2^37
  // (rtl/dlvta_dsp.v: the slices' A2/B2 registers are S4's, P is S5's, all enabled by en_i)
  wire [MW+17:0] plo5;
  wire [MW+14:0] phi5;
  dlvta_dsp #(.AW(MW + 1), .BW(18), .PW(MW + 18), .Pre(0), .InReg(1), .MReg(0), .PReg(1)) u_mlo (
    .clk_i(clk_i), .ce_in_i(en_i), .ce_m_i(1'b0), .ce_p_i(en_i),
    .a_i(mb4_d), .d_i({(MW+1){1'b0}}), .b_i({1'b0, a_i[16:0]}), .p_o(plo5)
  );
  dlvta_dsp #(.AW(MW + 1), .BW(15), .PW(MW + 15), .Pre(0), .InReg(1), .MReg(0), .PReg(1)) u_mhi (
    .clk_i(clk_i), .ce_in_i(en_i), .ce_m_i(1'b0), .ce_p_i(en_i),
    .a_i(mb4_d), .d_i({(MW+1){1'b0}}), .b_i(a_i[31:17]), .p_o(phi5)
  );
  reg  [32:0] as5_q;
  reg  [31:0] a5_q, b5_q;
  reg  [5:0]  s5_q;
  reg         rs5_q;  // the result comes from the rounding shift (REQ, CLIP, LUT, SHR)
  reg         h5_q;   // SHR by -s = 16..31: S7 moves t up 16 bits
  reg         z5_q;   // SHR by -s = 32: the result is 0
  always @(posedge clk_i) begin : s4_regs
    reg [5:0] s;
    if (en_i) begin
      s = s4_q;
      a5_q <= a4_q;
      b5_q <= b4_q;
      as5_q <= addsub(mov4_q ? 32'd0 : a4_q, b4_q, mm4_q);
      // SHR's shift of x = a * 2^15: s + 15, or s + 31 for s in -31..-16 (mod 64)
      s5_q <= !is_shr ? s : (s[5] && !s[4] && (s[3:0] != 4'd0)) || (s == 6'h30) ? s + 6'd31 :
              s + 6'd15;
      rs5_q <= is_req || is_clip || is_lut || is_shr;
      h5_q <= is_shr && s[5] && (s[4] ^ (s[3:0] != 4'd0));  // -s in 16..31
      z5_q <= is_shr && (s == 6'h20);
    end
  end

  // ---- S5: the simple ops' results selected; the product ----
  function automatic [31:0] simple(input [3:0] op, input [31:0] a, input [31:0] b,
                                   input [32:0] as);
    begin
      case (op)
        `DLVTA_ALU_MIN:  simple = as[32] ? a : b;
        `DLVTA_ALU_MAX:  simple = as[32] ? b : a;
        `DLVTA_ALU_ADD:  simple = as[31:0];
        `DLVTA_ALU_MOV:  simple = as[31:0];
        default:         simple = a;
      endcase
    end
  endfunction
  // the product, XW = 56 bits (|a * m| <= 2^54)
  localparam integer XW = MW + 32;
  function automatic [XW-1:0] prod(input [MW+14:0] phi, input [MW+17:0] plo);
    prod = $signed({phi, 17'd0}) + $signed({{(XW-MW-18){plo[MW+17]}}, plo});
  endfunction
  reg  [XW-1:0] x6_q;
  reg  [31:0] y6_q;
  reg  [15:0] bd6_q;  // CLIP's and REQ's bounds, b[15:0] (REQ with use_imm: imm)
  reg  [5:0]  s6_q;
  reg         rs6_q, h6_q, z6_q;
  always @(posedge clk_i) begin : s5_regs
    reg [XW-1:0] p;
    if (en_i) begin
      p = prod(phi5, plo5);
      x6_q <= p;
      y6_q <= is_mul ? p[31:0] : simple(op_i, a5_q, b5_q, as5_q);
      bd6_q <= b5_q[15:0];
      s6_q <= s5_q;
      rs6_q <= rs5_q;
      h6_q <= h5_q;
      z6_q <= z5_q;
    end
  end

  // ---- S6: the rounding shift (x + 2^(s-1)) >> s = (x >> s) + x[s-1] as one shift of 2x ----
  // u = (x << 1) >>> s: t = x >>> s is u[32:1] (t's low 32 bits) and the round bit x[s-1] is
  // u[0] (0 for s = 0). s >= 56 leaves t = -1, rb = 1 for x < 0 and t = 0, rb = 0 else: r = 0
  // as the ISA's 64-bit sum gives (|x| <= 2^54). t's higher bits are not formed: t fits int32
  // iff x[55:31+s] are all the sign x[55] (always for s >= 24: x has 56 bits).
  // The shift's steps go largest first (32, 16, .., 1), so that each step forms only the bits the
  // smaller steps after it can still bring down (57, 48, 41, 37, 35, 33 bits); whether t fits is
  // a separate thermometer of s beside it: no bit x[31+i] with i >= s differs from the sign (the
  // smallest-first order that checked the high bits midway needed all 57 bits in five steps:
  // ~170 LUT a lane more on ultra96 than the 48-bit product's shift, against ~45 this way).
  function automatic [33:0] rshift2(input [XW-1:0] x, input [5:0] s);
    reg [XW:0]    v;
    reg [XW-33:0] d;   // x[31+i] differs from the sign, for i >= s
    integer i;
    begin
      v = {x, 1'b0};
      for (i = 5; i >= 0; i = i - 1)
        if (s[i]) v = $signed(v) >>> (1 << i);
      for (i = 0; i < XW - 32; i = i + 1) d[i] = (x[31+i] != x[XW-1]) && (s <= i[5:0]);
      rshift2 = {d == {(XW-32){1'b0}}, v[32:0]};
    end
  endfunction
  reg  [31:0] t7_q;
  reg         rb7_q, fit7_q, sg7_q;
  reg  [31:0] y7_q;
  reg  [15:0] bd7_q;
  reg         rs7_q, h7_q, z7_q;
  always @(posedge clk_i) begin
    if (en_i) begin
      {fit7_q, t7_q, rb7_q} <= rshift2(x6_q, s6_q);
      sg7_q <= x6_q[XW-1];
      y7_q <= y6_q;
      bd7_q <= bd6_q;
      rs7_q <= rs6_q;
      h7_q <= h6_q;
      z7_q <= z6_q;
    end
  end

  // ---- S7: r = t + rb, saturated to int32 and to int8 ----
  // No wide comparator follows the increment: r leaves int32 where t does or where the sum's
  // sign flips up (t = 2^31 - 1, rb = 1), and int8 where t does or t[7:0] = 127 flips up.
  // (The int8 bounds of CLIP and REQ make saturation to int8 exact: clamp(sat8(r)) = clamp(r).)
  reg  [31:0] sat8_q, y8_q;
  reg  [7:0]  r8_q;
  reg  [15:0] bd8_q;
  reg         bx8_q;  // the bounds' lo > hi
  reg         rs8_q;
  always @(posedge clk_i) begin : s7_regs
    reg [31:0] sum;
    reg        big, big8;
    if (en_i) begin
      sum = t7_q + {31'd0, rb7_q};
      big = !fit7_q || (!t7_q[31] && sum[31]);
      big8 = big || !((t7_q[31:7] == 25'd0) || (t7_q[31:7] == {25{1'b1}})) || (!t7_q[7] && sum[7]);
      sat8_q <= z7_q ? 32'd0 : h7_q ? {sum[15:0], 16'd0} : (big && !is_shr) ? {sg7_q, {31{!sg7_q}}} : sum;
      r8_q <= big8 ? {sg7_q, {7{!sg7_q}}} : sum[7:0];
      bd8_q <= bd7_q;
      bx8_q <= $signed(bd7_q[7:0]) > $signed(bd7_q[15:8]);
      y8_q <= y7_q;
      rs8_q <= rs7_q;
    end
  end

  // ---- S8: the int8 bounds [bd[7:0], bd[15:8]] (CLIP, REQ with use_imm); the op select ----
  // clamp(r, lo, hi) = min(max(r, lo), hi) with the three comparisons side by side (lo > hi
  // registered in S7): 4.0 ns of logic on pynq's lane, 5.0 ns in turn (and the bounds in an SRL)
  function automatic [31:0] clamp8(input [7:0] r, input [15:0] bd, input lo_gt_hi);
    reg signed [7:0] lo, hi, rc;
    begin
      lo = bd[7:0];
      hi = bd[15:8];
      rc = ($signed(r) < lo) ? (lo_gt_hi ? hi : lo) : (($signed(r) > hi) ? hi : $signed(r));
      clamp8 = {{24{rc[7]}}, rc};
    end
  endfunction
  // the lookup table (LUT)
  reg  [7:0] lut_mem [0:(1 << `DLVTA_LOG_LUT_DEPTH)-1];
  always @(posedge clk_i) begin
    if (lut_we_i) lut_mem[lut_waddr_i] <= lut_wdata_i;
  end
  always @(posedge clk_i) begin : s8_regs
    reg [7:0] lut_y;
    if (en_i) begin
      lut_y = lut_mem[{~r8_q[7], r8_q[6:0]}];  // the index clamp(a, -128, 127) + 128
      y_o <= !rs8_q ? y8_q : is_lut ? {{24{lut_y[7]}}, lut_y} :
             (is_clip || (is_req && use_imm)) ? clamp8(r8_q, bd8_q, bx8_q) : sat8_q;
    end
  end
endmodule

`default_nettype wire
