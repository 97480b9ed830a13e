# boards/ultra96/bd.tcl -- the Ultra96 block design (Vivado): zynq_ultra_ps_e with
#   M_AXI_HPM0_FPD -> AXI interconnect (AXI4 -> AXI4-Lite) -> port M_AXIL (dlvta_top's registers)
#   port S_AXI_MEM (dlvta_top's AXI4 master) -> AXI interconnect -> S_AXI_HP0_FPD at the config's
#     data width (128)
#   pl_clk0 at the config's clock -> port clk; proc_sys_reset -> port rst_n (synchronous)
#   port irq -> pl_ps_irq0[0] (GIC SPI 89, IRQ 121)
# Sourced by hw/vivado_build.tcl, which calls dlvta_board_bd. The PS's DDR and MIO settings come
# from the board preset when the board files are installed; a bitstream loaded by Linux (fpga
# manager) does not reprogram them.

proc dlvta_ip {name} {
  set defs [lsort -dictionary [get_ipdefs -all xilinx.com:ip:${name}:*]]
  if {[llength $defs] == 0} { error "dlvta: IP $name is not installed in this Vivado" }
  return [lindex $defs end]
}

proc dlvta_board_bd {name axi_bits clock_mhz regs_addr} {
  if {$axi_bits != 32 && $axi_bits != 64 && $axi_bits != 128} {
    error "dlvta: S_AXI_HP0_FPD is 32, 64 or 128 bits wide, the config asks $axi_bits"
  }
  set hz [expr {$clock_mhz * 1000000}]
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

  set clk [create_bd_port -dir O -type clk clk]
  set_property -dict [list CONFIG.FREQ_HZ $hz CONFIG.ASSOCIATED_BUSIF {M_AXIL:S_AXI_MEM} \
    CONFIG.ASSOCIATED_RESET {rst_n}] $clk
  set rstn [create_bd_port -dir O -type rst rst_n]
  set_property CONFIG.POLARITY {ACTIVE_LOW} $rstn
  set irq [create_bd_port -dir I -type intr irq]
  set_property CONFIG.SENSITIVITY {LEVEL_HIGH} $irq
  set m_axil [create_bd_intf_port -mode Master -vlnv xilinx.com:interface:aximm_rtl:1.0 M_AXIL]
  set_property -dict [list CONFIG.PROTOCOL {AXI4LITE} CONFIG.ADDR_WIDTH {12} \
    CONFIG.DATA_WIDTH {32} CONFIG.HAS_PROT {0} CONFIG.FREQ_HZ $hz] $m_axil
  set s_mem [create_bd_intf_port -mode Slave -vlnv xilinx.com:interface:aximm_rtl:1.0 S_AXI_MEM]
  set_property -dict [list CONFIG.PROTOCOL {AXI4} CONFIG.ADDR_WIDTH {32} \
    CONFIG.DATA_WIDTH $axi_bits CONFIG.ID_WIDTH {0} CONFIG.HAS_BURST {1} CONFIG.HAS_CACHE {0} \
    CONFIG.HAS_LOCK {0} CONFIG.HAS_PROT {0} CONFIG.HAS_QOS {0} CONFIG.HAS_REGION {0} \
    CONFIG.HAS_WSTRB {1} CONFIG.HAS_BRESP {1} CONFIG.HAS_RRESP {1} \
    CONFIG.MAX_BURST_LENGTH {16} CONFIG.SUPPORTS_NARROW_BURST {0} \
    CONFIG.NUM_READ_OUTSTANDING {8} CONFIG.NUM_WRITE_OUTSTANDING {8} CONFIG.FREQ_HZ $hz] $s_mem

  set ic_ctl [create_bd_cell -type ip -vlnv [dlvta_ip axi_interconnect] ic_ctl]
  set_property -dict [list CONFIG.NUM_SI {1} CONFIG.NUM_MI {1}] $ic_ctl
  set ic_mem [create_bd_cell -type ip -vlnv [dlvta_ip axi_interconnect] ic_mem]
  set_property -dict [list CONFIG.NUM_SI {1} CONFIG.NUM_MI {1}] $ic_mem
  set rst [create_bd_cell -type ip -vlnv [dlvta_ip proc_sys_reset] rst]

  connect_bd_intf_net [get_bd_intf_pins $ps/M_AXI_HPM0_FPD] [get_bd_intf_pins $ic_ctl/S00_AXI]
  connect_bd_intf_net [get_bd_intf_pins $ic_ctl/M00_AXI] $m_axil
  connect_bd_intf_net $s_mem [get_bd_intf_pins $ic_mem/S00_AXI]
  connect_bd_intf_net [get_bd_intf_pins $ic_mem/M00_AXI] [get_bd_intf_pins $ps/S_AXI_HP0_FPD]

  connect_bd_net [get_bd_pins $ps/pl_clk0] $clk \
    [get_bd_pins $ps/maxihpm0_fpd_aclk] [get_bd_pins $ps/saxihp0_fpd_aclk] \
    [get_bd_pins $ic_ctl/ACLK] [get_bd_pins $ic_ctl/S00_ACLK] [get_bd_pins $ic_ctl/M00_ACLK] \
    [get_bd_pins $ic_mem/ACLK] [get_bd_pins $ic_mem/S00_ACLK] [get_bd_pins $ic_mem/M00_ACLK] \
    [get_bd_pins $rst/slowest_sync_clk]
  connect_bd_net [get_bd_pins $ps/pl_resetn0] [get_bd_pins $rst/ext_reset_in]
  connect_bd_net [get_bd_pins $rst/interconnect_aresetn] \
    [get_bd_pins $ic_ctl/ARESETN] [get_bd_pins $ic_mem/ARESETN]
  connect_bd_net [get_bd_pins $rst/peripheral_aresetn] $rstn \
    [get_bd_pins $ic_ctl/S00_ARESETN] [get_bd_pins $ic_ctl/M00_ARESETN] \
    [get_bd_pins $ic_mem/S00_ARESETN] [get_bd_pins $ic_mem/M00_ARESETN]
  connect_bd_net $irq [get_bd_pins $ps/pl_ps_irq0]

  # registers at regs_addr (4 KiB) for the CPU; the low 2 GiB of DDR for the accelerator
  assign_bd_address -offset $regs_addr -range 0x00001000 \
    -target_address_space [get_bd_addr_spaces $ps/Data] [get_bd_addr_segs M_AXIL/Reg] -force
  assign_bd_address -offset 0x00000000 -range 0x80000000 \
    -target_address_space [get_bd_addr_spaces S_AXI_MEM] \
    [get_bd_addr_segs $ps/SAXIGP2/HP0_DDR_LOW] -force

  validate_bd_design
  save_bd_design
}
