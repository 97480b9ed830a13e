// rtl/dlvta_dsp.v -- one DSP slice's signed multiply with its pipeline registers:
//   p = (d + a) * b   (Pre = 1: the slice's pre-adder; the sum must fit AW bits)
//   p = a * b         (Pre = 0; d unused)
// a and d are AW-bit, b BW-bit two's complement; p is the product's low PW bits (PW <= AW + BW).
// Registers, each a parameter with its own enable:
//   InReg  a, d and b (ce_in_i)   MReg  the product (ce_m_i)   PReg  p (ce_p_i)
// Latency = InReg + MReg + PReg clock edges; with none, p is combinational. No reset: the
// callers read only registers that a valid operand has passed.
//
// Synthesis for UltraScale+ (the DLVTA_DSP48E2 define: hw/synth.sh and hw/timing.sh for the xcup
// family, hw/vivado_build.tcl for xczu parts) instantiates a DSP48E2 with these registers inside
// the slice (A2/D/B2, M, P), since yosys 0.23's DSP packing (xilinx_dsp) moves no register into a
// DSP48E2: the behavioural form leaves every multiply combinational between fabric flip-flops,
// 2.4 ns of cells that no clock above ~200 MHz allows (hw/TIMING.md). Everywhere else (the
// simulators, the xc7 family, whose packing works) it is the behavioural form below, register for
// register the same. The slice's configuration: INMODE 00100 (Pre: A2 + D; else A2), OPMODE
// 000000101 (P = M), ALUMODE 0000; the product is 45 bits, P its sign extension to 48.
`default_nettype none

module dlvta_dsp #(
  parameter integer AW = 25,  // a, d: at most 27 bits
  parameter integer BW = 18,  // b: at most 18 bits
  parameter integer PW = 43,  // p: at most 48 bits
  parameter integer Pre = 0,
  parameter integer InReg = 1,
  parameter integer MReg = 0,
  parameter integer PReg = 1
) (
  input  wire          clk_i,
  input  wire          ce_in_i,
  input  wire          ce_m_i,
  input  wire          ce_p_i,
  input  wire [AW-1:0] a_i,
  input  wire [AW-1:0] d_i,
  input  wire [BW-1:0] b_i,
  output wire [PW-1:0] p_o
);
`ifdef DLVTA_DSP48E2
  wire [47:0] p48;
  DSP48E2 #(
    .AMULTSEL(Pre != 0 ? "AD" : "A"), .BMULTSEL("B"), .PREADDINSEL("A"),
    .A_INPUT("DIRECT"), .B_INPUT("DIRECT"), .USE_MULT("MULTIPLY"), .USE_SIMD("ONE48"),
    .USE_PATTERN_DETECT("NO_PATDET"),
    .AREG(InReg), .ACASCREG(InReg), .BREG(InReg), .BCASCREG(InReg),
    .DREG(Pre != 0 ? InReg : 0), .ADREG(0), .MREG(MReg), .PREG(PReg), .CREG(0),
    .INMODEREG(0), .OPMODEREG(0), .ALUMODEREG(0), .CARRYINREG(0), .CARRYINSELREG(0)
  ) u_dsp (
    .CLK(clk_i),
    .A({{(30-AW){a_i[AW-1]}}, a_i}), .B({{(18-BW){b_i[BW-1]}}, b_i}), .C(48'd0),
    .D(Pre != 0 ? {{(27-AW){d_i[AW-1]}}, d_i} : 27'd0),
    .ACIN(30'd0), .BCIN(18'd0), .PCIN(48'd0), .CARRYCASCIN(1'b0), .MULTSIGNIN(1'b0),
    .INMODE(Pre != 0 ? 5'b00100 : 5'b00000), .OPMODE(9'b000000101), .ALUMODE(4'b0000),
    .CARRYIN(1'b0), .CARRYINSEL(3'b000),
    .CEA1(1'b0), .CEA2(ce_in_i), .CEB1(1'b0), .CEB2(ce_in_i), .CED(Pre != 0 ? ce_in_i : 1'b0),
    .CEAD(1'b0), .CEM(ce_m_i), .CEP(ce_p_i), .CEC(1'b0), .CECTRL(1'b0), .CEINMODE(1'b0),
    .CEALUMODE(1'b0), .CECARRYIN(1'b0),
    .RSTA(1'b0), .RSTB(1'b0), .RSTC(1'b0), .RSTD(1'b0), .RSTM(1'b0), .RSTP(1'b0),
    .RSTCTRL(1'b0), .RSTINMODE(1'b0), .RSTALUMODE(1'b0), .RSTALLCARRYIN(1'b0),
    .P(p48), .PCOUT(), .ACOUT(), .BCOUT(), .CARRYCASCOUT(), .CARRYOUT(), .MULTSIGNOUT(),
    .OVERFLOW(), .UNDERFLOW(), .PATTERNDETECT(), .PATTERNBDETECT(), .XOROUT()
  );
  assign p_o = p48[PW-1:0];
  wire unused_ok = ^{p48};  // the bits above PW
`else
  // the product of the operands as the first register after the inputs sees them, computed in
  // that register's clocked block (an idle slice costs the Verilated model nothing)
  function automatic [AW+BW-1:0] mul_of(input [AW-1:0] fa, input [AW-1:0] fd, input [BW-1:0] fb);
    reg [AW-1:0] s;
    begin
      s = (Pre != 0) ? fd + fa : fa;
      mul_of = $signed(s) * $signed(fb);
    end
  endfunction
  wire [AW-1:0] a, d;
  wire [BW-1:0] b;
  wire [AW+BW-1:0] mq, pq;
  generate
    if (InReg != 0) begin : gen_in
      reg [AW-1:0] a_q, d_q;
      reg [BW-1:0] b_q;
      always @(posedge clk_i) if (ce_in_i) begin
        a_q <= a_i;
        d_q <= (Pre != 0) ? d_i : {AW{1'b0}};
        b_q <= b_i;
      end
      assign a = a_q;
      assign d = d_q;
      assign b = b_q;
    end else begin : gen_in_comb
      assign a = a_i;
      assign d = d_i;
      assign b = b_i;
    end
    if (MReg != 0) begin : gen_m
      reg [AW+BW-1:0] m_q;
      always @(posedge clk_i) if (ce_m_i) m_q <= mul_of(a, d, b);
      assign mq = m_q;
    end else begin : gen_m_none
      assign mq = {(AW+BW){1'b0}};
    end
    if (PReg != 0) begin : gen_p
      reg [AW+BW-1:0] p_q;
      always @(posedge clk_i) if (ce_p_i) p_q <= (MReg != 0) ? mq : mul_of(a, d, b);
      assign pq = p_q;
    end else if (MReg != 0) begin : gen_p_m
      assign pq = mq;
    end else begin : gen_p_comb
      assign pq = mul_of(a, d, b);
    end
  endgenerate
  assign p_o = pq[PW-1:0];
  wire unused_ok = ^{ce_in_i, ce_m_i, ce_p_i, d, mq, pq};
`endif
endmodule

`default_nettype wire
