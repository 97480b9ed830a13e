// sim/tsim/cells/test/yosys_adreg.v -- a reduction of the mismatch that the netlist simulation
// found (2026-12-02, every random program on tiny and pynq, and examples/matvec_pynq.s, deadlock):
// yosys 0.23 synth_xilinx moves rows_q into the DSP48E1's pre-adder register (ADREG = 1, for
// total = rows_q * cols_q) and ties rows_q's other reader to 0 (`assign rows_q = 17'h00000;` in the
// netlist), dropping its reset as well; so `hit` is wrong. rtl/dlvta_ldwalk.v has this shape (rows_q,
// cols_q, total, `r_q + 1 == rows_q`), so the LOAD walker never reaches S_DRAIN. Reproduce:
//   yosys -p "read_verilog yosys_adreg.v; synth_xilinx -family xc7 -top w -flatten; write_verilog -noattr n.v"
//   grep 'assign rows_q' n.v
`default_nettype none

module w (
  input wire clk, input wire rst_n, input wire start, input wire [3:0] p0, input wire [15:0] sz, input wire [3:0] p1,
          input wire [15:0] xs, input wire [16:0] r, output wire hit, output wire [33:0] total, output wire ok);
  reg [16:0] rows_q, cols_q;
  always @(posedge clk)
    if (!rst_n) begin rows_q <= 17'd0; cols_q <= 17'd0; end
    else if (start) begin rows_q <= {13'd0, p0} + {1'b0, sz} + {13'd0, p1}; cols_q <= {1'b0, xs} + 17'd1; end
  assign total = rows_q * cols_q;
  assign ok = ({1'b0, total} <= 35'd1 << p0);
  assign hit = (r + 17'd1 == rows_q);
endmodule

`default_nettype wire
