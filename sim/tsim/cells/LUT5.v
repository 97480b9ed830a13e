// sim/tsim/cells/LUT5.v -- the 7-series LUT5 for the netlist simulation (sim/tsim/tsim.mk): O is bit
// {I4,I3,I2,I1,I0} of INIT, as yosys's cells_sim.v computes it with a tree of multiplexers (which
// gives the same two-state value, and propagates X more finely than Verilator needs) at several
// times the cost per evaluation.
`default_nettype none

module LUT5 (
  output wire O,
  input  wire I0, I1, I2, I3, I4
);
  parameter [31:0] INIT = 0;
  assign O = INIT[{I4, I3, I2, I1, I0}];
endmodule
