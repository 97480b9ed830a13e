// sim/tsim/cells/CARRY4.v -- the 7-series carry chain of four bits, as yosys's cells_sim.v models
// it but without its self-reference (its CO[i] reads CO[i-1] of the same vector, which Verilator
// sees as a combinational loop and re-evaluates as "hybrid" logic, some ten times slower for a
// netlist with thousands of them); used by the tsim variant `netlist` (sim/tsim/tsim.mk).
`default_nettype none

module CARRY4 (
  output wire [3:0] CO,
  output wire [3:0] O,
  input  wire       CI,
  input  wire       CYINIT,
  input  wire [3:0] DI,
  input  wire [3:0] S
);
  wire c_in = CI | CYINIT;
  wire c0 = S[0] ? c_in : DI[0];
  wire c1 = S[1] ? c0 : DI[1];
  wire c2 = S[2] ? c1 : DI[2];
  wire c3 = S[3] ? c2 : DI[3];
  assign CO = {c3, c2, c1, c0};
  assign O = S ^ {c2, c1, c0, c_in};
endmodule
