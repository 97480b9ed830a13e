// rtl/dlvta_dsp2x.v -- one DSP slice at twice the core clock (a config's gemm_pump 2): the sum of
// two signed products a core cycle,
//   p = (d0 + a0) * b0 + (d1 + a1) * b1 + Rnd
// of the operands before a core clock edge (e0), in the core-clock register p_o from the third
// core edge after it (e3) on; a new operand set every core cycle. a0, d0, a1, d1 are registered
// here at e0; b0 and b1 are the values after e0 of the caller's core-clock registers (or one LUT
// of them: it merges with the clk2x select below into one LUT). a, d: AW bits, b: BW bits, two's
// complement; each pre-add must fit AW bits and the sum PW bits. No reset, no enables: the
// caller (rtl/dlvta_gemm.v) reads only results whose operands were valid.
//
// Synthesis for UltraScale+ (DLVTA_DSP48E2, as rtl/dlvta_dsp.v): the operands in core-clock
// flip-flops at e0; the slice on clk2x_i, which must be twice clk_i and phase-aligned with it
// (every rising edge of clk_i one of clk2x_i: one MMCM's outputs). sel, a clk2x register, is 0 in
// the first half of a core cycle and 1 in the second; the fabric's 2:1 selects give the slice's
// A2 / D / B1 registers set 0 at the middle edge (e0.5) and set 1 at the next core edge (e1):
//   e0.5  A2, D, B1 <- set 0           e1    AD <- D + A2 (0), B2 <- B1; A2, D, B1 <- set 1
//   e1.5  M <- AD * B2 (0); AD, B2 (1) e2    M (1); P <- M (0)       (OPMODE Z = 0)
//   (e2: P <- M (0) + Rnd, OPMODE W = RND when Rnd is not 0)
//   e2.5  P <- P + M (1)               (OPMODE Z = P; OPMODEREG takes sel a clk2x period ahead)
//   e3    p_o <- P                     (a core flip-flop: one clk2x period from P, no logic)
// Every crossing between the clocks is one clk2x period: core flip-flop -> select -> A2 / D /
// B1, P -> p_o, and the core toggle tg -> XOR -> sel. Each instance has its own sel (the keep
// on its always block stops yosys merging them into one register of fanout 6,000); tg and ts,
// alike in every instance, merge into one each (fanout 256, one LUT before sel).
// Without the define, the behavioural form below, the same registers at core edges (dlvta_gemm
// instantiates this module for DSP48E2 synthesis only: the simulators run its vectorized form of
// the same pipeline, which sim/tsim/cells/test_dsp48e2.sh holds to this one cycle by cycle).
`default_nettype none

module dlvta_dsp2x #(
  parameter integer AW = 27,  // a, d: at most 27 bits
  parameter integer BW = 8,   // b: at most 18 bits
  parameter integer PW = 34,  // p: at most 48 bits
  // a constant added to every sum (the slice's RND, through its W multiplexer in the first
  // phase: no fabric logic); the sum plus Rnd must fit PW bits
  parameter [47:0] Rnd = 48'd0
) (
  input  wire          clk_i,
  input  wire          clk2x_i,
  input  wire [AW-1:0] a0_i,
  input  wire [AW-1:0] d0_i,
  input  wire [BW-1:0] b0_i,
  input  wire [AW-1:0] a1_i,
  input  wire [AW-1:0] d1_i,
  input  wire [BW-1:0] b1_i,
  output reg  [PW-1:0] p_o
);
  reg [AW-1:0] a0_q, d0_q, a1_q, d1_q;
  wire [BW-1:0] b0_q = b0_i, b1_q = b1_i;
  always @(posedge clk_i) begin
    a0_q <= a0_i;
    d0_q <= d0_i;
    a1_q <= a1_i;
    d1_q <= d1_i;
  end
`ifdef DLVTA_DSP48E2
  reg tg = 1'b0, ts = 1'b0, sel = 1'b0;
  always @(posedge clk_i) tg <= ~tg;
  always @(posedge clk2x_i) ts <= tg;
  (* keep *) always @(posedge clk2x_i) sel <= tg ^ ts;
  wire [AW-1:0] a = sel ? a1_q : a0_q;
  wire [AW-1:0] d = sel ? d1_q : d0_q;
  wire [BW-1:0] b = sel ? b1_q : b0_q;
  wire [47:0] p48;
  DSP48E2 #(
    .AMULTSEL("AD"), .BMULTSEL("B"), .PREADDINSEL("A"),
    .A_INPUT("DIRECT"), .B_INPUT("DIRECT"), .USE_MULT("MULTIPLY"), .USE_SIMD("ONE48"),
    .USE_PATTERN_DETECT("NO_PATDET"), .RND(Rnd),
    // OPMODE[8] (W = RND) is !sel: the slice's own inverter on the pin, no fabric LUT
    .IS_OPMODE_INVERTED({Rnd != 48'd0, 8'd0}),
    .AREG(1), .ACASCREG(1), .BREG(2), .BCASCREG(2), .DREG(1), .ADREG(1), .MREG(1), .PREG(1),
    .CREG(0), .INMODEREG(0), .OPMODEREG(1), .ALUMODEREG(0), .CARRYINREG(0), .CARRYINSELREG(0)
  ) u_dsp (
    .CLK(clk2x_i),
    .A({{(30-AW){a[AW-1]}}, a}), .B({{(18-BW){b[BW-1]}}, b}), .C(48'd0),
    .D({{(27-AW){d[AW-1]}}, d}),
    .ACIN(30'd0), .BCIN(18'd0), .PCIN(48'd0), .CARRYCASCIN(1'b0), .MULTSIGNIN(1'b0),
    .INMODE(5'b00100), .OPMODE({Rnd != 48'd0 && sel, 2'b00, sel, 5'b00101}), .ALUMODE(4'b0000),
    .CARRYIN(1'b0), .CARRYINSEL(3'b000),
    .CEA1(1'b0), .CEA2(1'b1), .CEB1(1'b1), .CEB2(1'b1), .CED(1'b1), .CEAD(1'b1),
    .CEM(1'b1), .CEP(1'b1), .CEC(1'b0), .CECTRL(1'b1), .CEINMODE(1'b0), .CEALUMODE(1'b0),
    .CECARRYIN(1'b0),
    .RSTA(1'b0), .RSTB(1'b0), .RSTC(1'b0), .RSTD(1'b0), .RSTM(1'b0), .RSTP(1'b0),
    .RSTCTRL(1'b0), .RSTINMODE(1'b0), .RSTALUMODE(1'b0), .RSTALLCARRYIN(1'b0),
    .P(p48), .PCOUT(), .ACOUT(), .BCOUT(), .CARRYCASCOUT(), .CARRYOUT(), .MULTSIGNOUT(),
    .OVERFLOW(), .UNDERFLOW(), .PATTERNDETECT(), .PATTERNBDETECT(), .XOROUT()
  );
  always @(posedge clk_i) p_o <= p48[PW-1:0];
  wire unused_ok = ^{p48};  // the bits above PW
`else
  // the sum as the slice's M / P registers would hold it, two core registers later: s1 at e1,
  // s2 at e2, p_o at e3
  reg [PW-1:0] s1_q, s2_q;
  wire [AW-1:0] ad0 = d0_q + a0_q, ad1 = d1_q + a1_q;
  wire [AW+BW-1:0] m0 = $signed(ad0) * $signed(b0_q);
  wire [AW+BW-1:0] m1 = $signed(ad1) * $signed(b1_q);
  always @(posedge clk_i) begin
    s1_q <= m0[PW-1:0] + m1[PW-1:0] + Rnd[PW-1:0];
    s2_q <= s1_q;
    p_o <= s2_q;
  end
  wire unused_ok = ^{clk2x_i, m0, m1};
`endif
endmodule

`default_nettype wire
