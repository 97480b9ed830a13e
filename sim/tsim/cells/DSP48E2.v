// sim/tsim/cells/DSP48E2.v -- the UltraScale+ DSP slice as rtl/dlvta_dsp.v and rtl/dlvta_dsp2x.v
// set it up, for simulating those instantiations (hw/test_dsp48e2.sh; yosys 0.23 has no DSP48E2
// model, only a black box): M = (D + A2) * B2 or A2 * B2, signed (27 x 18 bits, the product
// sign-extended to 48), P = M, M + RND (OPMODE 100000101, after IS_OPMODE_INVERTED) or (a P
// register and OPMODE 000100101) P + M, with the A2 / B1, B2 / D, AD, M, P and OPMODE registers
// as AREG / BREG (1: B2 only; 2: B1 then B2) / DREG, ADREG, MREG, PREG and OPMODEREG say and
// their clock enables. Anything else (cascades, the C port, other OPMODEs, dynamic INMODE /
// ALUMODE, A1, pattern detect, SIMD) is outside this model: a configuration that needs it stops
// the simulation. Checked against Xilinx's unisim DSP48E2 model (Vivado 2014.3) on dlvta_dsp's
// five parameter sets and on ultra96x2's pumped GEMM (dlvta_dsp2x), cycle for cycle (hw/TIMING.md).
`default_nettype none

module DSP48E2 #(
  parameter integer ACASCREG = 1, ADREG = 1, ALUMODEREG = 1, AREG = 1, BCASCREG = 1, BREG = 1,
  parameter integer CARRYINREG = 1, CARRYINSELREG = 1, CREG = 1, DREG = 1, INMODEREG = 1,
  parameter integer MREG = 1, OPMODEREG = 1, PREG = 1,
  parameter AMULTSEL = "A", BMULTSEL = "B", PREADDINSEL = "A", A_INPUT = "DIRECT",
  parameter B_INPUT = "DIRECT", USE_MULT = "MULTIPLY", USE_SIMD = "ONE48",
  parameter USE_PATTERN_DETECT = "NO_PATDET",
  parameter [47:0] RND = 48'd0,
  parameter [8:0] IS_OPMODE_INVERTED = 9'd0
) (
  input  wire        CLK,
  input  wire [29:0] A, ACIN,
  input  wire [17:0] B, BCIN,
  input  wire [47:0] C, PCIN,
  input  wire [26:0] D,
  input  wire [4:0]  INMODE,
  input  wire [8:0]  OPMODE,
  input  wire [3:0]  ALUMODE,
  input  wire [2:0]  CARRYINSEL,
  input  wire        CARRYIN, CARRYCASCIN, MULTSIGNIN,
  input  wire        CEA1, CEA2, CEB1, CEB2, CEC, CED, CEAD, CEM, CEP, CECTRL, CEINMODE,
  input  wire        CEALUMODE, CECARRYIN,
  input  wire        RSTA, RSTB, RSTC, RSTD, RSTM, RSTP, RSTCTRL, RSTINMODE, RSTALUMODE,
  input  wire        RSTALLCARRYIN,
  output wire [47:0] P,
  output wire [47:0] PCOUT,
  output wire [29:0] ACOUT,
  output wire [17:0] BCOUT,
  output wire        CARRYCASCOUT, MULTSIGNOUT, OVERFLOW, UNDERFLOW, PATTERNDETECT, PATTERNBDETECT,
  output wire [3:0]  CARRYOUT,
  output wire [7:0]  XOROUT
);
  localparam Pre = (AMULTSEL == "AD");
  initial begin
    if (AREG > 1 || BREG > 2 || DREG > 1 || MREG > 1 || PREG > 1 || ADREG > 1 ||
        (ADREG != 0 && !Pre) || ACASCREG != AREG || BCASCREG != BREG ||
        (AMULTSEL != "A" && AMULTSEL != "AD") ||
        BMULTSEL != "B" || PREADDINSEL != "A" || A_INPUT != "DIRECT" || B_INPUT != "DIRECT" ||
        USE_MULT != "MULTIPLY" || USE_SIMD != "ONE48" || USE_PATTERN_DETECT != "NO_PATDET" ||
        INMODEREG != 0 || OPMODEREG > 1 || ALUMODEREG != 0) begin
      $display("DSP48E2 (sim/tsim/cells): configuration outside the model in %m");
      $finish(1);
    end
  end
  // OPMODE: P = M (9'b000000101), P = M + RND (9'b100000101, W = RND), or with a P register
  // P = P + M (9'b000100101, Z = P)
  reg  [8:0] opm_q;
  wire [8:0] opmode = OPMODE ^ IS_OPMODE_INVERTED;  // the pins' programmable inversion
  wire [8:0] opm = OPMODEREG != 0 ? opm_q : opmode;
  wire acc = opm == 9'b000100101;
  wire rnd = opm == 9'b100000101;
  // the control inputs must be the constants (and OPMODE one of the three) the dlvta wrappers give
  // them (checked every cycle)
  always @(posedge CLK)
    if (INMODE != (Pre ? 5'b00100 : 5'b00000) ||
        (opmode != 9'b000000101 && opmode != 9'b100000101 && (opmode != 9'b000100101 || PREG == 0)) ||
        ALUMODE != 4'b0000 ||
        CARRYIN || CARRYINSEL != 3'b000 || CEA1 || (CEB1 && BREG != 2) || (CEAD && ADREG == 0) ||
        RSTA || RSTB || RSTD || RSTM || RSTP || RSTCTRL) begin
      $display("DSP48E2 (sim/tsim/cells): a control input outside the model in %m");
      $finish(1);
    end

  reg  [29:0] a2_q;
  reg  [17:0] b1_q, b2_q;
  reg  [26:0] d_q, ad_q;
  reg  [47:0] m_q, p_q;
  always @(posedge CLK) begin
    if (CEA2) a2_q <= A;
    if (CEB1) b1_q <= B;
    if (CEB2) b2_q <= BREG == 2 ? b1_q : B;  // BREG 2: B1 then B2 (INMODE[4] 0: B2 multiplies)
    if (CED) d_q <= D;
    if (CECTRL) opm_q <= opmode;
  end
  wire [26:0] a = AREG != 0 ? a2_q[26:0] : A[26:0];
  wire [17:0] b = BREG != 0 ? b2_q : B;
  wire [26:0] d = DREG != 0 ? d_q : D;
  wire [26:0] ad_d = Pre ? d + a : a;  // the pre-adder, 27 bits
  always @(posedge CLK) if (CEAD) ad_q <= ad_d;
  wire [26:0] ad = ADREG != 0 ? ad_q : ad_d;
  wire [44:0] m = $signed(ad) * $signed(b);
  wire [47:0] m48 = {{3{m[44]}}, m};
  wire [47:0] mx = MREG != 0 ? m_q : m48;
  always @(posedge CLK) begin
    if (CEM) m_q <= m48;
    if (CEP) p_q <= mx + (acc ? p_q : 48'd0) + (rnd ? RND : 48'd0);
  end
  assign P = PREG != 0 ? p_q : mx + (rnd ? RND : 48'd0);
  assign PCOUT = P;
  assign ACOUT = 30'd0;
  assign BCOUT = 18'd0;
  assign {CARRYCASCOUT, MULTSIGNOUT, OVERFLOW, UNDERFLOW, PATTERNDETECT, PATTERNBDETECT} = 6'd0;
  assign CARRYOUT = 4'd0;
  assign XOROUT = 8'd0;
  wire unused_ok = ^{ACIN, BCIN, C, PCIN, CARRYCASCIN, MULTSIGNIN, CEC, CEINMODE, CEALUMODE,
                     CECARRYIN, RSTC, RSTCTRL, RSTINMODE, RSTALUMODE, RSTALLCARRYIN, a2_q[29:27]};
endmodule

`default_nettype wire
