// sim/tsim/cells/LUT2.v -- the 7-series LUT2 for the netlist simulation (sim/tsim/tsim.mk): O is bit
// {I1,I0} of INIT, as yosys's cells_sim.v computes it with a tree of multiplexers (which
// gives the same two-state value, and propagates X more finely than Verilator needs) at several
// times the cost per evaluation.
`default_nettype none

module LUT2 (
  output wire O,
  input  wire I0, I1
);
  parameter [3:0] INIT = 0;
  assign O = INIT[{I1, I0}];
endmodule
