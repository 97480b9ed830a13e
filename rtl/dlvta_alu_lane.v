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
// en_i: the pipeline registers load only while an ALU op is in S3..S8 (dlvta_compute.v's
// alu_en_q, registered); otherwise they hold: only registers of valid iterations are ever read.
// Each stage's logic is a function of the stage's registers called in the stage's gated
// register block (no free-standing wires), so that an idle lane (the GEMM's and LOAD's cycles)
// costs the Verilated model nothing: Verilator evaluates every continuous assignment each cycle,
// but a function's body only where it is called. The hardware is the same.
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
  wire is_req = (op_i == `DLVTA_ALU_REQ);
  wire is_shr = (op_i == `DLVTA_ALU_SHR);
  wire is_mul = (op_i == `DLVTA_ALU_MUL);

  // ---- S3: operand selection (b = use_imm ? sext(imm) : c) ----
  reg  [31:0]        a4_q, b4_q;
  reg  signed [15:0] mb4_q;
  reg  [5:0]         s4_q;
  always @(posedge clk_i) begin
    if (en_i) begin
      a4_q <= a_i;
      b4_q <= use_imm_i ? {{16{imm_i[15]}}, imm_i} : c_i;
      mb4_q <= is_req ? c_i[15:0] : use_imm_i ? imm_i : c_i[15:0];
      s4_q <= is_req ? c_i[21:16] : use_imm_i ? imm_i[5:0] : c_i[5:0];
    end
  end

  // ---- S4: simple ops; the two partial products ----
  // SHR with s <= 0: s = 0 gives a, s < 0 shifts left by -s (1..32); s > 0 takes the S5.. path
  function automatic [31:0] shl_neg(input [31:0] a, input [5:0] s);
    reg [5:0] n;
    begin
      n = 6'd0 - s;
      shl_neg = n[5] ? 32'd0 : (a << n[4:0]);
    end
  endfunction
  // CLIP: min(max(a, sext(b[7:0])), sext(b[15:8])), on a saturated to 10 bits (exact); the max
  // here, the min in S5
  function automatic [9:0] clip_lo(input [31:0] a, input [7:0] lo);
    reg signed [9:0] a10, clo;
    begin
      a10 = ((a[31:9] == 23'd0) || (a[31:9] == {23{1'b1}})) ? a[9:0] :
            (a[31] ? 10'sh200 : 10'sh1ff);
      clo = {{2{lo[7]}}, lo};
      clip_lo = (a10 < clo) ? clo : a10;
    end
  endfunction
  // LUT: the table index clamp(a, -128, 127) + 128 (the sign bit of the int8 code flipped)
  function automatic [7:0] lut_index(input [31:0] a);
    lut_index = ((a[31:7] == 25'd0) || (a[31:7] == {25{1'b1}})) ? {~a[7], a[6:0]} :
                (a[31] ? 8'h00 : 8'hff);
  endfunction
  // the 32x16 multiply: a = a_hi * 2^16 + a_lo (a_lo unsigned), each part one DSP multiply
  reg  signed [32:0] plo5_q;
  reg  signed [31:0] phi5_q;
  reg  [31:0] a5_q, b5_q, add5_q, shl5_q;
  reg         lt5_q;
  reg  signed [9:0] clo5_q;
  reg  [5:0]  s5_q;
  reg         rs5_q;  // the result comes from the rounding shift (REQ, or SHR with s > 0)
  reg  [7:0]  lix5_q;
  always @(posedge clk_i) begin
    if (en_i) begin
      plo5_q <= $signed({1'b0, a4_q[15:0]}) * mb4_q;
      phi5_q <= $signed(a4_q[31:16]) * mb4_q;
      a5_q <= a4_q;
      b5_q <= b4_q;
      add5_q <= a4_q + b4_q;
      shl5_q <= shl_neg(a4_q, b4_q[5:0]);
      lt5_q <= $signed(a4_q) < $signed(b4_q);
      clo5_q <= clip_lo(a4_q, b4_q[7:0]);
      s5_q <= s4_q;
      rs5_q <= is_req || (is_shr && (b4_q[5:0] != 6'd0) && !b4_q[5]);
      lix5_q <= lut_index(a4_q);
    end
  end

  // ---- S5: the simple ops' results selected (LUT: the table read); the product ----
  reg  [7:0] lut_mem [0:(1 << `DLVTA_LOG_LUT_DEPTH)-1];
  always @(posedge clk_i) begin
    if (lut_we_i) lut_mem[lut_waddr_i] <= lut_wdata_i;
  end
  function automatic [31:0] simple(input [3:0] op, input [31:0] a, input [31:0] b,
                                   input [31:0] add, input [31:0] shl, input lt,
                                   input [9:0] clo, input [7:0] lut_y);
    reg signed [9:0] chi, cy;
    begin
      chi = {{2{b[15]}}, b[15:8]};
      cy = ($signed(clo) > chi) ? chi : $signed(clo);
      case (op)
        `DLVTA_ALU_MIN:  simple = lt ? a : b;
        `DLVTA_ALU_MAX:  simple = lt ? b : a;
        `DLVTA_ALU_ADD:  simple = add;
        `DLVTA_ALU_SHR:  simple = (b[5:0] == 6'd0) ? a : shl;
        `DLVTA_ALU_CLIP: simple = {{22{cy[9]}}, cy};
        `DLVTA_ALU_MOV:  simple = b;
        `DLVTA_ALU_LUT:  simple = {{24{lut_y[7]}}, lut_y};
        default:         simple = a;
      endcase
    end
  endfunction
  // the product (48 bits), sign-extended to x's 49 bits
  function automatic [48:0] prod49(input [31:0] phi, input [32:0] plo);
    reg [47:0] p;
    begin
      p = $signed({phi, 16'd0}) + $signed({{15{plo[32]}}, plo});
      prod49 = {p[47], p};
    end
  endfunction
  // MUL keeps the low 32 bits of the product
  function automatic [31:0] prod_lo(input [15:0] phi_lo, input [31:0] plo_lo);
    prod_lo = plo_lo + {phi_lo, 16'd0};
  endfunction
  reg  signed [48:0] x6_q;
  reg  [31:0] y6_q;
  reg  [5:0]  s6_q;
  reg         rs6_q;
  always @(posedge clk_i) begin
    if (en_i) begin
      x6_q <= is_req ? prod49(phi5_q, plo5_q) : {{17{a5_q[31]}}, a5_q};
      y6_q <= is_mul ? prod_lo(phi5_q[15:0], plo5_q[31:0]) :
              simple(op_i, a5_q, b5_q, add5_q, shl5_q, lt5_q, clo5_q, lut_mem[lix5_q]);
      s6_q <= s5_q;
      rs6_q <= rs5_q;
    end
  end

  // ---- S6: t = x >>> s and the round bit x[s-1]; s >= 48 rounds everything to 0 ----
  function automatic rbit(input [48:0] x, input [5:0] s);
    reg [5:0] sm1;
    begin
      sm1 = s - 6'd1;
      rbit = (s != 6'd0) && (s < 6'd48) && x[sm1];
    end
  endfunction
  reg  signed [48:0] t7_q;
  reg         rb7_q;
  reg  [31:0] y7_q;
  reg         rs7_q;
  always @(posedge clk_i) begin
    if (en_i) begin
      t7_q <= (s6_q >= 6'd48) ? 49'sd0 : (x6_q >>> s6_q);
      rb7_q <= rbit(x6_q, s6_q);
      y7_q <= y6_q;
      rs7_q <= rs6_q;
    end
  end

  // ---- S7: r = t + rb, saturated to int32 and to 10 bits ----
  function automatic [31:0] sat32(input [48:0] t, input rb);
    reg fits, max;
    begin
      fits = (t[48:31] == 18'd0) || (t[48:31] == {18{1'b1}});
      max = (t[48:31] == 18'd0) && (t[30:0] == {31{1'b1}});
      sat32 = !fits ? (t[48] ? 32'h8000_0000 : 32'h7fff_ffff) :
              (max && rb) ? 32'h7fff_ffff : t[31:0] + {31'd0, rb};
    end
  endfunction
  function automatic [9:0] sat10(input [48:0] t, input rb);
    reg fits, max;
    begin
      fits = (t[48:9] == 40'd0) || (t[48:9] == {40{1'b1}});
      max = (t[48:9] == 40'd0) && (t[8:0] == 9'h1ff);
      sat10 = !fits ? (t[48] ? 10'h200 : 10'h1ff) :
              (max && rb) ? 10'h1ff : t[9:0] + {9'd0, rb};
    end
  endfunction
  reg  [31:0] sat8_q, rnd8_q, y8_q;
  reg  [9:0]  r8_q;
  reg         rs8_q;
  always @(posedge clk_i) begin
    if (en_i) begin
      sat8_q <= sat32(t7_q, rb7_q);
      rnd8_q <= t7_q[31:0] + {31'd0, rb7_q};   // SHR keeps the low 32 bits of the rounded value
      r8_q <= sat10(t7_q, rb7_q);
      y8_q <= y7_q;
      rs8_q <= rs7_q;
    end
  end

  // ---- S8: REQ's int8 bounds [imm[7:0], imm[15:8]]; the op select ----
  function automatic [31:0] req_clamp(input [9:0] r, input [15:0] imm);
    reg signed [9:0] lo, hi, rl, rc;
    begin
      lo = {{2{imm[7]}}, imm[7:0]};
      hi = {{2{imm[15]}}, imm[15:8]};
      rl = ($signed(r) < lo) ? lo : $signed(r);
      rc = (rl > hi) ? hi : rl;
      req_clamp = {{22{rc[9]}}, rc};
    end
  endfunction
  always @(posedge clk_i) begin
    if (en_i) y_o <= !rs8_q ? y8_q : !is_req ? rnd8_q : use_imm_i ? req_clamp(r8_q, imm_i) : sat8_q;
  end
endmodule

`default_nettype wire
