// rtl/dlvta_alu_lane.v -- one int32 lane of the tensor ALU, combinational, exactly as isa/ISA.md:
// a = acc[dst] lane, c = acc[src] lane, b = use_imm ? sext(imm) : c. MUL and REQ share one
// 32x16 signed multiplier (MUL: b[15:0]; REQ: c[15:0]); REQ and SHR (s > 0) share one rounding
// right shift, computed as ((x >>> (s-1)) + 1) >>> 1, which equals (x + 2^(s-1)) >>> s.
// Widths are the least that are exact: the REQ product has 48 bits, and any shift of 48 or more
// rounds it to 0.
`default_nettype none
`include "dlvta_isa.vh"

module dlvta_alu_lane (
  input  wire [3:0]  op_i,
  input  wire        use_imm_i,
  input  wire [15:0] imm_i,
  input  wire [31:0] a_i,
  input  wire [31:0] c_i,
  output reg  [31:0] y_o
);
  wire        [31:0] imm32 = {{16{imm_i[15]}}, imm_i};
  wire        [31:0] b = use_imm_i ? imm32 : c_i;
  wire signed [31:0] sa = a_i;
  wire signed [31:0] sb = b;
  wire               is_req = (op_i == `DLVTA_ALU_REQ);

  // the shared multiplier
  wire signed [15:0] mul_b = is_req ? c_i[15:0] : b[15:0];
  wire signed [47:0] prod = sa * mul_b;

  // the shared rounding right shift: REQ (x = a*m, s = c[21:16]) or SHR (x = a, s = b[5:0] > 0)
  wire signed [48:0] rs_x = is_req ? {prod[47], prod} : {{17{a_i[31]}}, a_i};
  wire        [5:0]  rs_s = is_req ? c_i[21:16] : b[5:0];
  wire               rs_big = (rs_s >= 6'd48);
  wire        [5:0]  rs_s1 = rs_s - 6'd1;                        // 0..46 when 1 <= s < 48
  wire signed [48:0] rs_q = rs_x >>> rs_s1;
  wire signed [49:0] rs_x50 = $signed({rs_x[48], rs_x});
  wire signed [49:0] rs_q50 = $signed({rs_q[48], rs_q});
  wire signed [49:0] rs_q1 = rs_q50 + 50'sd1;
  wire signed [49:0] rs_half = rs_q1 >>> 1;
  // (every operand signed, so that nothing here turns the shifts unsigned)
  wire signed [49:0] rs_r = (rs_s == 6'd0) ? rs_x50 : rs_big ? 50'sd0 : rs_half;

  // REQ bounds. int32 saturation and the int8 bounds of imm need no wide comparators: a value
  // whose upper bits are all copies of its sign fits; otherwise its sign says which side it is.
  wire        [18:0] r_top = rs_r[49:31];
  wire               r_fits32 = (r_top == 19'd0) || (r_top == {19{1'b1}});
  wire        [31:0] req_sat = r_fits32 ? rs_r[31:0] : (rs_r[49] ? 32'h8000_0000 : 32'h7fff_ffff);
  wire        [40:0] r_top10 = rs_r[49:9];
  wire signed [9:0]  r10 = ((r_top10 == 41'd0) || (r_top10 == {41{1'b1}})) ? rs_r[9:0] :
                           (rs_r[49] ? 10'sh200 : 10'sh1ff);
  wire signed [9:0]  lo = {{2{imm_i[7]}}, imm_i[7:0]};
  wire signed [9:0]  hi = {{2{imm_i[15]}}, imm_i[15:8]};
  wire signed [9:0]  req_lo = (r10 < lo) ? lo : r10;
  wire signed [9:0]  req_cl = (req_lo > hi) ? hi : req_lo;
  wire        [31:0] req_y = use_imm_i ? {{22{req_cl[9]}}, req_cl} : req_sat;

  // SHR: s = sext(b[5:0]); s > 0 rounds right (shared shift), s < 0 shifts left by -s (1..32)
  wire        [5:0]  shn = 6'd0 - b[5:0];
  wire        [31:0] shl_r = shn[5] ? 32'd0 : (a_i << shn[4:0]);
  wire        [31:0] shr_y = (b[5:0] == 6'd0) ? a_i : b[5] ? shl_r : rs_r[31:0];

  // CLIP: min(max(a, sext(b[7:0])), sext(b[15:8])), on a saturated to 10 bits (exact, as above)
  wire        [22:0] a_top10 = a_i[31:9];
  wire signed [9:0]  a10 = ((a_top10 == 23'd0) || (a_top10 == {23{1'b1}})) ? a_i[9:0] :
                           (a_i[31] ? 10'sh200 : 10'sh1ff);
  wire signed [9:0]  clo = {{2{b[7]}}, b[7:0]};
  wire signed [9:0]  chi = {{2{b[15]}}, b[15:8]};
  wire signed [9:0]  c_lo = (a10 < clo) ? clo : a10;
  wire signed [9:0]  c_y = (c_lo > chi) ? chi : c_lo;

  // MIN and MAX share one comparator
  wire               lt = (sa < sb);

  wire unused_ok = ^{prod[47:32]};  // MUL keeps the low 32 bits

  always @* begin
    y_o = a_i;
    case (op_i)
      `DLVTA_ALU_MIN:  y_o = lt ? a_i : b;
      `DLVTA_ALU_MAX:  y_o = lt ? b : a_i;
      `DLVTA_ALU_ADD:  y_o = a_i + b;
      `DLVTA_ALU_MUL:  y_o = prod[31:0];
      `DLVTA_ALU_SHR:  y_o = shr_y;
      `DLVTA_ALU_CLIP: y_o = {{22{c_y[9]}}, c_y};
      `DLVTA_ALU_MOV:  y_o = b;
      `DLVTA_ALU_REQ:  y_o = req_y;
      default:         y_o = a_i;
    endcase
  end
endmodule

`default_nettype wire
