// boards/ultra96/dlvta_ultra96.v -- top of the Ultra96 (xczu3eg) build: the Zynq UltraScale+ PS
// block design (boards/ultra96/bd.tcl) and dlvta_top. M_AXI_HPM0_FPD reaches the register slave
// at 0xA0000000; the memory master reaches the DDR through S_AXI_HP0_FPD, the second (read-only)
// one through S_AXI_HP1_FPD (S_AXI_MEM1, its write channels tied off; idle with rd_ports 1);
// pl_clk0 is the core clock (with gemm_pump 2, DLVTA_GEMM_2X: the block design's clocking wizard
// makes the core clock clk at pl_clk0's frequency and clk2x at twice it, both from one MMCM, from
// pl_clk0; the hook-up passes clk2x to dlvta_top); irq -> pl_ps_irq0[0].
// Widths come from the config's generated header (build/<config>/dlvta_isa.vh); clocking and
// reset come from the PS (clk, rst_n synchronous to it, from proc_sys_reset in the block design).
// The nets, dlvta_top's instance and the block design's shared ports (`DLVTA_BD_PORTS) are
// boards/dlvta_board_hookup.vh, shared with the other board; this file keeps the board's own.
`default_nettype none
`include "dlvta_isa.vh"
`include "dlvta_regs.vh"

module dlvta_ultra96 ();
`define DLVTA_BOARD_MEM1  // the block design has S_AXI_MEM1 (boards/ultra96/bd.tcl)
`include "dlvta_board_hookup.vh"  // nets, dlvta_top u_dlvta, `DLVTA_BD_PORTS, `DLVTA_BD_PORTS_MEM1

  dlvta_ultra96_bd u_ps (
    `DLVTA_BD_PORTS,
    `DLVTA_BD_PORTS_MEM1
  );
`undef DLVTA_BD_PORTS
`undef DLVTA_BD_CLK2X
`undef DLVTA_BD_PORTS_MEM1
`undef DLVTA_BOARD_MEM1
endmodule

`default_nettype wire
