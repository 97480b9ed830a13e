// hw/lint/dlvta_ultra96_bd.v -- lint-only black box of the block design that
// boards/ultra96/bd.tcl creates in Vivado: the ports Vivado generates for it (interface ports
// M_AXIL (AXI4-Lite), S_AXI_MEM and S_AXI_MEM1 (AXI4, no ID/cache/lock/prot/qos/region) split
// into signals), so that hw/test_boards.sh can check the board top's wiring here without Vivado.
// No logic.
`default_nettype none
`include "dlvta_isa.vh"

(* blackbox *)
module dlvta_ultra96_bd (
  output wire clk,
`ifdef DLVTA_GEMM_2X
  output wire clk2x,  // clk_wiz's clk_out2, twice clk (gemm_pump 2: boards/ultra96/bd.tcl)
`endif
  output wire rst_n,
  input wire irq,
  output wire [11:0] M_AXIL_awaddr,
  output wire M_AXIL_awvalid,
  input wire M_AXIL_awready,
  output wire [31:0] M_AXIL_wdata,
  output wire [3:0] M_AXIL_wstrb,
  output wire M_AXIL_wvalid,
  input wire M_AXIL_wready,
  input wire [1:0] M_AXIL_bresp,
  input wire M_AXIL_bvalid,
  output wire M_AXIL_bready,
  output wire [11:0] M_AXIL_araddr,
  output wire M_AXIL_arvalid,
  input wire M_AXIL_arready,
  input wire [31:0] M_AXIL_rdata,
  input wire [1:0] M_AXIL_rresp,
  input wire M_AXIL_rvalid,
  output wire M_AXIL_rready,
  input wire [31:0] S_AXI_MEM_araddr,
  input wire [7:0] S_AXI_MEM_arlen,
  input wire [2:0] S_AXI_MEM_arsize,
  input wire [1:0] S_AXI_MEM_arburst,
  input wire S_AXI_MEM_arvalid,
  output wire S_AXI_MEM_arready,
  output wire [`DLVTA_AXI_BITS-1:0] S_AXI_MEM_rdata,
  output wire [1:0] S_AXI_MEM_rresp,
  output wire S_AXI_MEM_rlast,
  output wire S_AXI_MEM_rvalid,
  input wire S_AXI_MEM_rready,
  input wire [31:0] S_AXI_MEM_awaddr,
  input wire [7:0] S_AXI_MEM_awlen,
  input wire [2:0] S_AXI_MEM_awsize,
  input wire [1:0] S_AXI_MEM_awburst,
  input wire S_AXI_MEM_awvalid,
  output wire S_AXI_MEM_awready,
  input wire [`DLVTA_AXI_BITS-1:0] S_AXI_MEM_wdata,
  input wire [`DLVTA_AXI_BITS/8-1:0] S_AXI_MEM_wstrb,
  input wire S_AXI_MEM_wlast,
  input wire S_AXI_MEM_wvalid,
  output wire S_AXI_MEM_wready,
  output wire [1:0] S_AXI_MEM_bresp,
  output wire S_AXI_MEM_bvalid,
  input wire S_AXI_MEM_bready,
  input wire [31:0] S_AXI_MEM1_araddr,
  input wire [7:0] S_AXI_MEM1_arlen,
  input wire [2:0] S_AXI_MEM1_arsize,
  input wire [1:0] S_AXI_MEM1_arburst,
  input wire S_AXI_MEM1_arvalid,
  output wire S_AXI_MEM1_arready,
  output wire [`DLVTA_AXI_BITS-1:0] S_AXI_MEM1_rdata,
  output wire [1:0] S_AXI_MEM1_rresp,
  output wire S_AXI_MEM1_rlast,
  output wire S_AXI_MEM1_rvalid,
  input wire S_AXI_MEM1_rready,
  input wire [31:0] S_AXI_MEM1_awaddr,
  input wire [7:0] S_AXI_MEM1_awlen,
  input wire [2:0] S_AXI_MEM1_awsize,
  input wire [1:0] S_AXI_MEM1_awburst,
  input wire S_AXI_MEM1_awvalid,
  output wire S_AXI_MEM1_awready,
  input wire [`DLVTA_AXI_BITS-1:0] S_AXI_MEM1_wdata,
  input wire [`DLVTA_AXI_BITS/8-1:0] S_AXI_MEM1_wstrb,
  input wire S_AXI_MEM1_wlast,
  input wire S_AXI_MEM1_wvalid,
  output wire S_AXI_MEM1_wready,
  output wire [1:0] S_AXI_MEM1_bresp,
  output wire S_AXI_MEM1_bvalid,
  input wire S_AXI_MEM1_bready
);
endmodule

`default_nettype wire
