// boards/dlvta_board_hookup.vh -- the hook-up of dlvta_top that the board tops share, `include`d
// in the body of each boards/<board>/dlvta_<board>.v (after dlvta_isa.vh and dlvta_regs.vh):
//   the nets between the block design and dlvta_top: clk, clk2x (configs with DLVTA_GEMM_2X,
//     gemm_pump 2: twice clk, phase-aligned with it, for the GEMM's DSP slices; the block design
//     makes it, boards/ultra96/bd.tcl), rst_n, irq, axil_* (the register
//     slave, AXI4-Lite, DLVTA_REGS_ADDR_BITS addresses), mem_* (the memory master, AXI4 at
//     DLVTA_AXI_BITS);
//   dlvta_top u_dlvta on those nets;
//   `DLVTA_BD_PORTS: the block design's ports on those nets (clk, clk2x with DLVTA_GEMM_2X,
//     rst_n, irq, M_AXIL_*, S_AXI_MEM_*, as bd.tcl / boards/bd_common.tcl make them), for the
//     board's instance of its block design, after the board's own PS pins (the top undefines it
//     and `DLVTA_BD_CLK2X, a part of it, after that instance);
//   mem1_*: dlvta_top's second memory master (reads only). A board whose block design has the
//     second memory port (S_AXI_MEM1) defines DLVTA_BOARD_MEM1 before the include and adds
//     `DLVTA_BD_PORTS_MEM1 to its instance (the port's write channels stay idle); on any other
//     board the master is left unanswered (it never issues: configs of one read port).
// The include path holds boards/ (hw/vivado_build.tcl, hw/test_boards.sh, hw/check_board.sh).
  localparam integer AxiBits = `DLVTA_AXI_BITS;

  wire clk, rst_n, irq;
`ifdef DLVTA_GEMM_2X
  wire clk2x;  // twice clk, from the same MMCM in the block design
`endif
  wire [`DLVTA_REGS_ADDR_BITS-1:0] axil_awaddr, axil_araddr;
  wire axil_awvalid, axil_awready, axil_wvalid, axil_wready, axil_bvalid, axil_bready;
  wire axil_arvalid, axil_arready, axil_rvalid, axil_rready;
  wire [31:0] axil_wdata, axil_rdata;
  wire [3:0] axil_wstrb;
  wire [1:0] axil_bresp, axil_rresp;
  wire [31:0] mem_araddr, mem_awaddr;
  wire [7:0] mem_arlen, mem_awlen;
  wire [2:0] mem_arsize, mem_awsize;
  wire [1:0] mem_arburst, mem_awburst, mem_rresp, mem_bresp;
  wire mem_arvalid, mem_arready, mem_rlast, mem_rvalid, mem_rready;
  wire mem_awvalid, mem_awready, mem_wlast, mem_wvalid, mem_wready, mem_bvalid, mem_bready;
  wire [AxiBits-1:0] mem_rdata, mem_wdata;
  wire [AxiBits/8-1:0] mem_wstrb;
  wire [31:0] mem1_araddr;
  wire [7:0] mem1_arlen;
  wire [2:0] mem1_arsize;
  wire [1:0] mem1_arburst, mem1_rresp;
  wire mem1_arvalid, mem1_arready, mem1_rlast, mem1_rvalid, mem1_rready;
  wire [AxiBits-1:0] mem1_rdata;
`ifndef DLVTA_BOARD_MEM1
  assign mem1_arready = 1'b0;
  assign mem1_rdata = {AxiBits{1'b0}};
  assign mem1_rresp = 2'b00;
  assign mem1_rlast = 1'b0;
  assign mem1_rvalid = 1'b0;
  wire unused_mem1 = ^{mem1_araddr, mem1_arlen, mem1_arsize, mem1_arburst, mem1_arvalid, mem1_rready};
`else
  wire mem1_awready, mem1_wready, mem1_bvalid;  // the second port's idle write channels
  wire [1:0] mem1_bresp;
  wire unused_mem1 = ^{mem1_awready, mem1_wready, mem1_bvalid, mem1_bresp};
`endif

  dlvta_top u_dlvta (
    .clk(clk),
`ifdef DLVTA_GEMM_2X
    .clk2x(clk2x),
`endif
    .rst_n(rst_n),
    .s_axil_awaddr(axil_awaddr), .s_axil_awvalid(axil_awvalid), .s_axil_awready(axil_awready),
    .s_axil_wdata(axil_wdata), .s_axil_wstrb(axil_wstrb), .s_axil_wvalid(axil_wvalid),
    .s_axil_wready(axil_wready), .s_axil_bresp(axil_bresp), .s_axil_bvalid(axil_bvalid),
    .s_axil_bready(axil_bready), .s_axil_araddr(axil_araddr), .s_axil_arvalid(axil_arvalid),
    .s_axil_arready(axil_arready), .s_axil_rdata(axil_rdata), .s_axil_rresp(axil_rresp),
    .s_axil_rvalid(axil_rvalid), .s_axil_rready(axil_rready),
    .m_axi_araddr(mem_araddr), .m_axi_arlen(mem_arlen), .m_axi_arsize(mem_arsize),
    .m_axi_arburst(mem_arburst), .m_axi_arvalid(mem_arvalid), .m_axi_arready(mem_arready),
    .m_axi_rdata(mem_rdata), .m_axi_rresp(mem_rresp), .m_axi_rlast(mem_rlast),
    .m_axi_rvalid(mem_rvalid), .m_axi_rready(mem_rready),
    .m_axi_awaddr(mem_awaddr), .m_axi_awlen(mem_awlen), .m_axi_awsize(mem_awsize),
    .m_axi_awburst(mem_awburst), .m_axi_awvalid(mem_awvalid), .m_axi_awready(mem_awready),
    .m_axi_wdata(mem_wdata), .m_axi_wstrb(mem_wstrb), .m_axi_wlast(mem_wlast),
    .m_axi_wvalid(mem_wvalid), .m_axi_wready(mem_wready),
    .m_axi_bresp(mem_bresp), .m_axi_bvalid(mem_bvalid), .m_axi_bready(mem_bready),
    .m1_axi_araddr(mem1_araddr), .m1_axi_arlen(mem1_arlen), .m1_axi_arsize(mem1_arsize),
    .m1_axi_arburst(mem1_arburst), .m1_axi_arvalid(mem1_arvalid), .m1_axi_arready(mem1_arready),
    .m1_axi_rdata(mem1_rdata), .m1_axi_rresp(mem1_rresp), .m1_axi_rlast(mem1_rlast),
    .m1_axi_rvalid(mem1_rvalid), .m1_axi_rready(mem1_rready),
    .irq(irq)
  );

`ifdef DLVTA_GEMM_2X
`define DLVTA_BD_CLK2X .clk2x(clk2x),
`else
`define DLVTA_BD_CLK2X
`endif
`define DLVTA_BD_PORTS \
    .clk(clk), \
    `DLVTA_BD_CLK2X \
    .rst_n(rst_n), \
    .irq(irq), \
    .M_AXIL_awaddr(axil_awaddr), .M_AXIL_awvalid(axil_awvalid), .M_AXIL_awready(axil_awready), \
    .M_AXIL_wdata(axil_wdata), .M_AXIL_wstrb(axil_wstrb), .M_AXIL_wvalid(axil_wvalid), \
    .M_AXIL_wready(axil_wready), .M_AXIL_bresp(axil_bresp), .M_AXIL_bvalid(axil_bvalid), \
    .M_AXIL_bready(axil_bready), .M_AXIL_araddr(axil_araddr), .M_AXIL_arvalid(axil_arvalid), \
    .M_AXIL_arready(axil_arready), .M_AXIL_rdata(axil_rdata), .M_AXIL_rresp(axil_rresp), \
    .M_AXIL_rvalid(axil_rvalid), .M_AXIL_rready(axil_rready), \
    .S_AXI_MEM_araddr(mem_araddr), .S_AXI_MEM_arlen(mem_arlen), .S_AXI_MEM_arsize(mem_arsize), \
    .S_AXI_MEM_arburst(mem_arburst), .S_AXI_MEM_arvalid(mem_arvalid), \
    .S_AXI_MEM_arready(mem_arready), .S_AXI_MEM_rdata(mem_rdata), .S_AXI_MEM_rresp(mem_rresp), \
    .S_AXI_MEM_rlast(mem_rlast), .S_AXI_MEM_rvalid(mem_rvalid), .S_AXI_MEM_rready(mem_rready), \
    .S_AXI_MEM_awaddr(mem_awaddr), .S_AXI_MEM_awlen(mem_awlen), .S_AXI_MEM_awsize(mem_awsize), \
    .S_AXI_MEM_awburst(mem_awburst), .S_AXI_MEM_awvalid(mem_awvalid), \
    .S_AXI_MEM_awready(mem_awready), .S_AXI_MEM_wdata(mem_wdata), .S_AXI_MEM_wstrb(mem_wstrb), \
    .S_AXI_MEM_wlast(mem_wlast), .S_AXI_MEM_wvalid(mem_wvalid), .S_AXI_MEM_wready(mem_wready), \
    .S_AXI_MEM_bresp(mem_bresp), .S_AXI_MEM_bvalid(mem_bvalid), .S_AXI_MEM_bready(mem_bready)

// the second memory port (DLVTA_BOARD_MEM1 boards): reads from mem1_*, the write channels idle
`define DLVTA_BD_PORTS_MEM1 \
    .S_AXI_MEM1_araddr(mem1_araddr), .S_AXI_MEM1_arlen(mem1_arlen), .S_AXI_MEM1_arsize(mem1_arsize), \
    .S_AXI_MEM1_arburst(mem1_arburst), .S_AXI_MEM1_arvalid(mem1_arvalid), \
    .S_AXI_MEM1_arready(mem1_arready), .S_AXI_MEM1_rdata(mem1_rdata), .S_AXI_MEM1_rresp(mem1_rresp), \
    .S_AXI_MEM1_rlast(mem1_rlast), .S_AXI_MEM1_rvalid(mem1_rvalid), .S_AXI_MEM1_rready(mem1_rready), \
    .S_AXI_MEM1_awaddr(32'd0), .S_AXI_MEM1_awlen(8'd0), .S_AXI_MEM1_awsize(3'd0), \
    .S_AXI_MEM1_awburst(2'd1), .S_AXI_MEM1_awvalid(1'b0), .S_AXI_MEM1_awready(mem1_awready), \
    .S_AXI_MEM1_wdata({AxiBits{1'b0}}), .S_AXI_MEM1_wstrb({(AxiBits/8){1'b0}}), \
    .S_AXI_MEM1_wlast(1'b0), .S_AXI_MEM1_wvalid(1'b0), .S_AXI_MEM1_wready(mem1_wready), \
    .S_AXI_MEM1_bresp(mem1_bresp), .S_AXI_MEM1_bvalid(mem1_bvalid), .S_AXI_MEM1_bready(1'b1)
