// rtl/dlvta_alu_lane.v -- one int32 lane of the tensor ALU, exactly as isa/ISA.md, pipelined over
// AluLatency = 6 clock edges: the operands a_i (acc[dst] lane) and c_i (acc[src] lane) enter in
// the compute unit's stage S3, y_o is the registered result in S9 (dlvta_compute.v). op_i,
// use_imm_i and imm_i are the instruction's and hold for the whole instruction. b = use_imm ?
// sext(imm) : c.
//   S3  operand selection: b, the multiplier operand (MUL: b[15:0], REQ: c[15:0]), the shift
//   S4  the sum, the comparison, left shifts and CLIP's lower bound (the "simple" ops' parts); the
//       32x16 multiply as two 16-bit-wide products, one DSP slice each, registered (the DSP's
//       own A/B and P registers)
//   S5  the simple result selected; the product summed (48 bits: MUL keeps the low 32);
//       x = REQ ? product : sext(a)
//   S6  the rounding right shift split as (x + 2^(s-1)) >>> s = (x >>> s) + x[s-1] (s >= 1):
//       t = x >>> s and the round bit rb; s >= 48 rounds everything to 0, s = 0 is x
//   S7  r = t + rb saturated to int32 and to 10 bits; no wide comparator follows the increment:
//       t + rb overflows only when t is the largest value of the range, which saturates anyway
//   S8  REQ's int8 bounds and the op select -> y_o (register)
// LUT: S4 clamps a to int8 and registers the table index clamp(a) + 128; S5 reads the lane's
// table (a 256 x 8 LUT RAM, written by a LOAD of memory LUT through lut_we_i/lut_waddr_i/
// lut_wdata_i, never while an ALU op runs) into the simple result, registered in S6.
`default_nettype none
`include "dlvta_isa.vh"

module dlvta_alu_lane (
  input  wire        clk_i,
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
  wire is_req = (op_i == `DLVTA_ALU_REQ);
  wire is_shr = (op_i == `DLVTA_ALU_SHR);
  wire is_mul = (op_i == `DLVTA_ALU_MUL);

  // ---- S3: operand selection ----
  wire [31:0] imm32 = {{16{imm_i[15]}}, imm_i};
  wire [31:0] b = use_imm_i ? imm32 : c_i;
  reg  [31:0]        a4_q, b4_q;
  reg  signed [15:0] mb4_q;
  reg  [5:0]         s4_q;
  always @(posedge clk_i) begin
    a4_q <= a_i;
    b4_q <= b;
    mb4_q <= is_req ? c_i[15:0] : b[15:0];
    s4_q <= is_req ? c_i[21:16] : b[5:0];
  end

  // ---- S4: simple ops; the two partial products ----
  wire signed [31:0] sa4 = a4_q;
  wire signed [31:0] sb4 = b4_q;
  wire               lt = (sa4 < sb4);
  // SHR with s <= 0: s = 0 gives a, s < 0 shifts left by -s (1..32); s > 0 takes the S5.. path
  wire [5:0]  shn = 6'd0 - b4_q[5:0];
  wire [31:0] shl_r = shn[5] ? 32'd0 : (a4_q << shn[4:0]);
  // CLIP: min(max(a, sext(b[7:0])), sext(b[15:8])), on a saturated to 10 bits (exact); the max
  // here, the min in S5
  wire [22:0]        a_top10 = a4_q[31:9];
  wire signed [9:0]  a10 = ((a_top10 == 23'd0) || (a_top10 == {23{1'b1}})) ? a4_q[9:0] :
                           (a4_q[31] ? 10'sh200 : 10'sh1ff);
  wire signed [9:0]  clo = {{2{b4_q[7]}}, b4_q[7:0]};
  // the 32x16 multiply: a = a_hi * 2^16 + a_lo (a_lo unsigned), each part one DSP multiply
  wire signed [16:0] a_lo = {1'b0, a4_q[15:0]};
  wire signed [15:0] a_hi = a4_q[31:16];
  reg  signed [32:0] plo5_q;
  reg  signed [31:0] phi5_q;
  reg  [31:0] a5_q, b5_q, add5_q, shl5_q;
  reg         lt5_q;
  reg  signed [9:0] clo5_q;
  reg  [5:0]  s5_q;
  reg         rs5_q;  // the result comes from the rounding shift (REQ, or SHR with s > 0)
  // LUT: the table index clamp(a, -128, 127) + 128 (the sign bit of the int8 code flipped)
  wire        a_fits8 = (a4_q[31:7] == 25'd0) || (a4_q[31:7] == {25{1'b1}});
  wire [7:0]  code4 = a_fits8 ? {~a4_q[7], a4_q[6:0]} : (a4_q[31] ? 8'h00 : 8'hff);
  reg  [7:0]  lix5_q;
  always @(posedge clk_i) begin
    lix5_q <= code4;
  end
  always @(posedge clk_i) begin
    plo5_q <= a_lo * mb4_q;
    phi5_q <= a_hi * mb4_q;
    a5_q <= a4_q;
    b5_q <= b4_q;
    add5_q <= a4_q + b4_q;
    shl5_q <= shl_r;
    lt5_q <= lt;
    clo5_q <= (a10 < clo) ? clo : a10;
    s5_q <= s4_q;
    rs5_q <= is_req || (is_shr && (b4_q[5:0] != 6'd0) && !b4_q[5]);
  end

  // ---- S5: the simple ops' results selected (LUT: the table read); the product ----
  reg  [7:0] lut_mem [0:(1 << `DLVTA_LOG_LUT_DEPTH)-1];
  always @(posedge clk_i) begin
    if (lut_we_i) lut_mem[lut_waddr_i] <= lut_wdata_i;
  end
  wire [7:0] lut_y = lut_mem[lix5_q];
  wire signed [9:0] chi = {{2{b5_q[15]}}, b5_q[15:8]};
  wire signed [9:0] c_y = (clo5_q > chi) ? chi : clo5_q;
  reg [31:0] y5;
  always @* begin
    y5 = a5_q;
    case (op_i)
      `DLVTA_ALU_MIN:  y5 = lt5_q ? a5_q : b5_q;
      `DLVTA_ALU_MAX:  y5 = lt5_q ? b5_q : a5_q;
      `DLVTA_ALU_ADD:  y5 = add5_q;
      `DLVTA_ALU_SHR:  y5 = (b5_q[5:0] == 6'd0) ? a5_q : shl5_q;
      `DLVTA_ALU_CLIP: y5 = {{22{c_y[9]}}, c_y};
      `DLVTA_ALU_MOV:  y5 = b5_q;
      `DLVTA_ALU_LUT:  y5 = {{24{lut_y[7]}}, lut_y};
      default:         y5 = a5_q;
    endcase
  end

  wire signed [47:0] prod = $signed({phi5_q, 16'd0}) + $signed({{15{plo5_q[32]}}, plo5_q});
  reg  signed [48:0] x6_q;
  reg  [31:0] y6_q;
  reg  [5:0]  s6_q;
  reg         rs6_q;
  always @(posedge clk_i) begin
    x6_q <= is_req ? {prod[47], prod} : {{17{a5_q[31]}}, a5_q};
    y6_q <= is_mul ? prod[31:0] : y5;
    s6_q <= s5_q;
    rs6_q <= rs5_q;
  end

  // ---- S6: t = x >>> s and the round bit x[s-1] ----
  wire               big6 = (s6_q >= 6'd48);
  wire signed [48:0] t6 = x6_q >>> s6_q;
  wire [5:0]         s6m1 = s6_q - 6'd1;
  wire               rb6 = (s6_q != 6'd0) && !big6 && x6_q[s6m1];
  reg  signed [48:0] t7_q;
  reg         rb7_q;
  reg  [31:0] y7_q;
  reg         rs7_q;
  always @(posedge clk_i) begin
    t7_q <= big6 ? 49'sd0 : t6;
    rb7_q <= rb6;
    y7_q <= y6_q;
    rs7_q <= rs6_q;
  end

  // ---- S7: r = t + rb, saturated to int32 and to 10 bits ----
  wire [17:0] t_top32 = t7_q[48:31];
  wire        fits32 = (t_top32 == 18'd0) || (t_top32 == {18{1'b1}});
  wire        max32 = (t_top32 == 18'd0) && (t7_q[30:0] == {31{1'b1}});
  wire [31:0] inc32 = t7_q[31:0] + {31'd0, rb7_q};
  wire [31:0] sat32 = !fits32 ? (t7_q[48] ? 32'h8000_0000 : 32'h7fff_ffff) :
                      (max32 && rb7_q) ? 32'h7fff_ffff : inc32;
  wire [39:0] t_top10 = t7_q[48:9];
  wire        fits10 = (t_top10 == 40'd0) || (t_top10 == {40{1'b1}});
  wire        max10 = (t_top10 == 40'd0) && (t7_q[8:0] == 9'h1ff);
  wire [9:0]  inc10 = t7_q[9:0] + {9'd0, rb7_q};
  wire [9:0]  sat10 = !fits10 ? (t7_q[48] ? 10'h200 : 10'h1ff) :
                      (max10 && rb7_q) ? 10'h1ff : inc10;
  reg  [31:0] sat8_q, rnd8_q, y8_q;
  reg  [9:0]  r8_q;
  reg         rs8_q;
  always @(posedge clk_i) begin
    sat8_q <= sat32;
    rnd8_q <= inc32;   // SHR keeps the low 32 bits of the rounded value
    r8_q <= sat10;
    y8_q <= y7_q;
    rs8_q <= rs7_q;
  end

  // ---- S8: REQ's int8 bounds [imm[7:0], imm[15:8]]; the op select ----
  wire signed [9:0] r10 = r8_q;
  wire signed [9:0] lo = {{2{imm_i[7]}}, imm_i[7:0]};
  wire signed [9:0] hi = {{2{imm_i[15]}}, imm_i[15:8]};
  wire signed [9:0] req_lo = (r10 < lo) ? lo : r10;
  wire signed [9:0] req_cl = (req_lo > hi) ? hi : req_lo;
  wire [31:0] req_y = use_imm_i ? {{22{req_cl[9]}}, req_cl} : sat8_q;
  always @(posedge clk_i) begin
    y_o <= !rs8_q ? y8_q : is_req ? req_y : rnd8_q;
  end
endmodule

`default_nettype wire
