// sim/tsim/cells/LUT1.v -- the 7-series LUT1 for the netlist simulation (sim/tsim/tsim.mk): O is bit
// {I0} of INIT, as yosys's cells_sim.v computes it with a tree of multiplexers (which
// gives the same two-state value, and propagates X more finely than Verilator needs) at several
// times the cost per evaluation.
`default_nettype none

module LUT1 (
  output wire O,
  input  wire I0
);
  parameter [1:0] INIT = 0;
  assign O = INIT[{I0}];
endmodule
