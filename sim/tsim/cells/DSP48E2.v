// sim/tsim/cells/DSP48E2.v -- the UltraScale+ DSP slice as rtl/dlvta_dsp.v configures it, for
// simulating that instantiation (hw/test_dsp48e2.sh; yosys 0.23 has no DSP48E2 model, only a
// black box): P = M = (D + A2) * B2 or A2 * B2, signed (27 x 18 bits, the product sign-extended
// to 48), with the A2 / B2 / D, M and P registers as AREG / BREG / DREG, MREG and PREG say (0 or
// 1) and their clock enables. Anything else (cascades, the C port, the ALU, dynamic INMODE /
// OPMODE / ALUMODE, A1 / B1, ADREG, pattern detect, SIMD) is outside this model: a configuration
// that needs it stops the simulation. Checked against Xilinx's unisim DSP48E2 model (Vivado
// 2014.3) on dlvta_dsp's five parameter sets, cycle for cycle (hw/TIMING.md).
`default_nettype none

module DSP48E2 #(
  parameter integer ACASCREG = 1, ADREG = 1, ALUMODEREG = 1, AREG = 1, BCASCREG = 1, BREG = 1,
  parameter integer CARRYINREG = 1, CARRYINSELREG = 1, CREG = 1, DREG = 1, INMODEREG = 1,
  parameter integer MREG = 1, OPMODEREG = 1, PREG = 1,
  parameter AMULTSEL = "A", BMULTSEL = "B", PREADDINSEL = "A", A_INPUT = "DIRECT",
  parameter B_INPUT = "DIRECT", USE_MULT = "MULTIPLY", USE_SIMD = "ONE48",
  parameter USE_PATTERN_DETECT = "NO_PATDET"
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
    if (AREG > 1 || BREG > 1 || DREG > 1 || MREG > 1 || PREG > 1 || ADREG != 0 ||
        ACASCREG != AREG || BCASCREG != BREG || (AMULTSEL != "A" && AMULTSEL != "AD") ||
        BMULTSEL != "B" || PREADDINSEL != "A" || A_INPUT != "DIRECT" || B_INPUT != "DIRECT" ||
        USE_MULT != "MULTIPLY" || USE_SIMD != "ONE48" || USE_PATTERN_DETECT != "NO_PATDET" ||
        INMODEREG != 0 || OPMODEREG != 0 || ALUMODEREG != 0) begin
      $display("DSP48E2 (sim/tsim/cells): configuration outside the model in %m");
      $finish(1);
    end
  end
  // the control inputs must be the constants dlvta_dsp ties them to (checked every cycle)
  always @(posedge CLK)
    if (INMODE != (Pre ? 5'b00100 : 5'b00000) || OPMODE != 9'b000000101 || ALUMODE != 4'b0000 ||
        CARRYIN || CARRYINSEL != 3'b000 || CEA1 || CEB1 || CEAD || RSTA || RSTB || RSTD || RSTM ||
        RSTP) begin
      $display("DSP48E2 (sim/tsim/cells): a control input outside the model in %m");
      $finish(1);
    end

  reg  [29:0] a2_q;
  reg  [17:0] b2_q;
  reg  [26:0] d_q;
  reg  [47:0] m_q, p_q;
  always @(posedge CLK) begin
    if (CEA2) a2_q <= A;
    if (CEB2) b2_q <= B;
    if (CED) d_q <= D;
  end
  wire [26:0] a = AREG != 0 ? a2_q[26:0] : A[26:0];
  wire [17:0] b = BREG != 0 ? b2_q : B;
  wire [26:0] d = DREG != 0 ? d_q : D;
  wire [26:0] ad = Pre ? d + a : a;  // the pre-adder, 27 bits
  wire [44:0] m = $signed(ad) * $signed(b);
  wire [47:0] m48 = {{3{m[44]}}, m};
  always @(posedge CLK) begin
    if (CEM) m_q <= m48;
    if (CEP) p_q <= MREG != 0 ? m_q : m48;
  end
  assign P = PREG != 0 ? p_q : MREG != 0 ? m_q : m48;
  assign PCOUT = P;
  assign ACOUT = 30'd0;
  assign BCOUT = 18'd0;
  assign {CARRYCASCOUT, MULTSIGNOUT, OVERFLOW, UNDERFLOW, PATTERNDETECT, PATTERNBDETECT} = 6'd0;
  assign CARRYOUT = 4'd0;
  assign XOROUT = 8'd0;
  wire unused_ok = ^{ACIN, BCIN, C, PCIN, CARRYCASCIN, MULTSIGNIN, CEC, CECTRL, CEINMODE, CEALUMODE,
                     CECARRYIN, RSTC, RSTCTRL, RSTINMODE, RSTALUMODE, RSTALLCARRYIN, a2_q[29:27]};
endmodule

`default_nettype wire
