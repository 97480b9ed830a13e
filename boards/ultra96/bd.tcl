# boards/ultra96/bd.tcl -- the Ultra96 block design (Vivado): zynq_ultra_ps_e with
#   M_AXI_HPM0_FPD -> AXI interconnect (AXI4 -> AXI4-Lite) -> port M_AXIL (dlvta_top's registers)
#   port S_AXI_MEM (dlvta_top's AXI4 master) -> AXI interconnect -> S_AXI_HP0_FPD at the config's
#     data width (128)
#   pl_clk0 at the config's clock -> port clk; proc_sys_reset -> port rst_n (synchronous)
#   port irq -> pl_ps_irq0[0] (GIC SPI 89, IRQ 121)
# Sourced by hw/vivado_build.tcl, which calls dlvta_board_bd: it makes the design and the PS
# (IP, config); boards/bd_common.tcl's dlvta_bd_common, given the PS's pin names, makes the rest
# (ports, interconnects, reset, nets, addresses). The PS's DDR and MIO settings come from the
# board preset when the board files are installed; a bitstream loaded by Linux (fpga manager)
# does not reprogram them.

# the shared part, found next to this file's directory wherever the flow is run from
source [file join [file dirname [file dirname [file normalize [info script]]]] bd_common.tcl]

proc dlvta_board_bd {name axi_bits clock_mhz regs_addr} {
  if {$axi_bits != 32 && $axi_bits != 64 && $axi_bits != 128} {
    error "dlvta: S_AXI_HP0_FPD is 32, 64 or 128 bits wide, the config asks $axi_bits"
  }
  create_bd_design $name

  set ps [create_bd_cell -type ip -vlnv [dlvta_ip zynq_ultra_ps_e] ps]
  if {[get_property board_part [current_project]] ne ""} {
    apply_bd_automation -rule xilinx.com:bd_rule:zynq_ultra_ps_e \
      -config {apply_board_preset "1"} $ps
  }
  set_property -dict [list \
    CONFIG.PSU__USE__M_AXI_GP0 {1} \
    CONFIG.PSU__MAXIGP0__DATA_WIDTH {32} \
    CONFIG.PSU__USE__M_AXI_GP1 {0} \
    CONFIG.PSU__USE__M_AXI_GP2 {0} \
    CONFIG.PSU__USE__S_AXI_GP2 {1} \
    CONFIG.PSU__SAXIGP2__DATA_WIDTH $axi_bits \
    CONFIG.PSU__FPGA_PL0_ENABLE {1} \
    CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ $clock_mhz \
    CONFIG.PSU__USE__IRQ0 {1} \
  ] $ps

  # registers at regs_addr for the CPU; the low 2 GiB of DDR for the accelerator
  dlvta_bd_common $ps {
    ctl_master M_AXI_HPM0_FPD  mem_slave S_AXI_HP0_FPD
    clk pl_clk0  clk_axi {maxihpm0_fpd_aclk saxihp0_fpd_aclk}  resetn pl_resetn0  irq pl_ps_irq0
    mem_seg SAXIGP2/HP0_DDR_LOW  mem_range 0x80000000
  } $axi_bits $clock_mhz $regs_addr
}
