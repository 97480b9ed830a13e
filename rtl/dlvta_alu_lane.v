// rtl/dlvta_alu_lane.v -- one int32 lane of the tensor ALU, combinational, exactly as isa/ISA.md:
// a = acc[dst] lane, c = acc[src] lane, b = use_imm ? sext(imm) : c. MUL and REQ share one
// 32x16 signed multiplier (MUL: b[15:0]; REQ: c[15:0]).
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

  // the shared multiplier
  wire signed [15:0] mul_b = (op_i == `DLVTA_ALU_REQ) ? c_i[15:0] : b[15:0];
  wire signed [47:0] prod = sa * mul_b;
  wire signed [63:0] p64 = {{16{prod[47]}}, prod};

  // REQ: rounding shift by c[21:16], then bound
  wire        [5:0]  req_sh = c_i[21:16];
  wire signed [63:0] req_rnd = (req_sh == 6'd0) ? p64 :
                               ((p64 + (64'sd1 <<< (req_sh - 6'd1))) >>> req_sh);
  wire signed [63:0] lo = {{56{imm_i[7]}}, imm_i[7:0]};
  wire signed [63:0] hi = {{56{imm_i[15]}}, imm_i[15:8]};
  wire signed [63:0] req_lo = (req_rnd < lo) ? lo : req_rnd;
  wire signed [63:0] req_cl = (req_lo > hi) ? hi : req_lo;
  wire signed [63:0] int_min = -64'sd2147483648;
  wire signed [63:0] int_max = 64'sd2147483647;
  wire signed [63:0] req_sat = (req_rnd < int_min) ? int_min :
                               (req_rnd > int_max) ? int_max : req_rnd;
  wire        [31:0] req_y = use_imm_i ? req_cl[31:0] : req_sat[31:0];

  // SHR: s = sext(b[5:0])
  wire signed [5:0]  shs = b[5:0];
  wire        [5:0]  shn = 6'd0 - b[5:0];          // -s when s < 0 (1..32)
  wire signed [63:0] a64 = {{32{a_i[31]}}, a_i};
  wire signed [63:0] shr_r = (a64 + (64'sd1 <<< (b[5:0] - 6'd1))) >>> b[5:0];
  wire        [31:0] shl_r = (shn >= 6'd32) ? 32'd0 : (a_i << shn);
  wire        [31:0] shr_y = (shs == 6'sd0) ? a_i : (shs > 6'sd0) ? shr_r[31:0] : shl_r;

  // CLIP: min(max(a, sext(b[7:0])), sext(b[15:8]))
  wire signed [31:0] clo = {{24{b[7]}}, b[7:0]};
  wire signed [31:0] chi = {{24{b[15]}}, b[15:8]};
  wire signed [31:0] c_lo = (sa < clo) ? clo : sa;
  wire signed [31:0] c_y = (c_lo > chi) ? chi : c_lo;

  wire unused_ok = ^{req_cl[63:32], req_sat[63:32], shr_r[63:32]};  // results are 32 bits

  always @* begin
    y_o = a_i;
    case (op_i)
      `DLVTA_ALU_MIN:  y_o = (sa < sb) ? a_i : b;
      `DLVTA_ALU_MAX:  y_o = (sa > sb) ? a_i : b;
      `DLVTA_ALU_ADD:  y_o = a_i + b;
      `DLVTA_ALU_MUL:  y_o = prod[31:0];
      `DLVTA_ALU_SHR:  y_o = shr_y;
      `DLVTA_ALU_CLIP: y_o = c_y;
      `DLVTA_ALU_MOV:  y_o = b;
      `DLVTA_ALU_REQ:  y_o = req_y;
      default:         y_o = a_i;
    endcase
  end
endmodule

`default_nettype wire
