// boards/pynq/dlvta_pynq.v -- top of the PYNQ-Z1/Z2 (xc7z020) build: the Zynq-7000 PS block design
// (boards/pynq/bd.tcl) and dlvta_top. M_AXI_GP0 reaches the register slave at 0x43C00000; the
// memory master reaches the DDR through S_AXI_HP0, the second (read-only) one through S_AXI_HP2; FCLK_CLK0 is the core clock; irq -> IRQ_F2P[0].
// Widths come from the config's generated header (build/<config>/dlvta_isa.vh); clocking and
// reset come from the PS (clk, rst_n synchronous to it, from proc_sys_reset in the block design).
// The nets, dlvta_top's instance and the block design's shared ports (`DLVTA_BD_PORTS) are
// boards/dlvta_board_hookup.vh, shared with the other board; this file keeps the board's own.
`default_nettype none
`include "dlvta_isa.vh"
`include "dlvta_regs.vh"

module dlvta_pynq (
  // Zynq-7000 PS DDR and MIO: dedicated pins, passed through to the PS (no PL pins used)
  inout  wire [14:0] DDR_addr,
  inout  wire [2:0]  DDR_ba,
  inout  wire        DDR_cas_n,
  inout  wire        DDR_ck_n,
  inout  wire        DDR_ck_p,
  inout  wire        DDR_cke,
  inout  wire        DDR_cs_n,
  inout  wire [3:0]  DDR_dm,
  inout  wire [31:0] DDR_dq,
  inout  wire [3:0]  DDR_dqs_n,
  inout  wire [3:0]  DDR_dqs_p,
  inout  wire        DDR_odt,
  inout  wire        DDR_ras_n,
  inout  wire        DDR_reset_n,
  inout  wire        DDR_we_n,
  inout  wire        FIXED_IO_ddr_vrn,
  inout  wire        FIXED_IO_ddr_vrp,
  inout  wire [53:0] FIXED_IO_mio,
  inout  wire        FIXED_IO_ps_clk,
  inout  wire        FIXED_IO_ps_porb,
  inout  wire        FIXED_IO_ps_srstb
);
`define DLVTA_BOARD_MEM1  // the block design has S_AXI_MEM1 (boards/pynq/bd.tcl)
`include "dlvta_board_hookup.vh"  // nets, dlvta_top u_dlvta, `DLVTA_BD_PORTS, `DLVTA_BD_PORTS_MEM1

  dlvta_pynq_bd u_ps (
    .DDR_addr(DDR_addr),
    .DDR_ba(DDR_ba),
    .DDR_cas_n(DDR_cas_n),
    .DDR_ck_n(DDR_ck_n),
    .DDR_ck_p(DDR_ck_p),
    .DDR_cke(DDR_cke),
    .DDR_cs_n(DDR_cs_n),
    .DDR_dm(DDR_dm),
    .DDR_dq(DDR_dq),
    .DDR_dqs_n(DDR_dqs_n),
    .DDR_dqs_p(DDR_dqs_p),
    .DDR_odt(DDR_odt),
    .DDR_ras_n(DDR_ras_n),
    .DDR_reset_n(DDR_reset_n),
    .DDR_we_n(DDR_we_n),
    .FIXED_IO_ddr_vrn(FIXED_IO_ddr_vrn),
    .FIXED_IO_ddr_vrp(FIXED_IO_ddr_vrp),
    .FIXED_IO_mio(FIXED_IO_mio),
    .FIXED_IO_ps_clk(FIXED_IO_ps_clk),
    .FIXED_IO_ps_porb(FIXED_IO_ps_porb),
    .FIXED_IO_ps_srstb(FIXED_IO_ps_srstb),
    `DLVTA_BD_PORTS,
    `DLVTA_BD_PORTS_MEM1
  );
`undef DLVTA_BD_PORTS
`undef DLVTA_BD_CLK2X
`undef DLVTA_BD_PORTS_MEM1
`undef DLVTA_BOARD_MEM1
endmodule

`default_nettype wire
