# boards/pynq/bd.tcl -- the PYNQ-Z1/Z2 block design (Vivado): processing_system7 with
#   M_AXI_GP0 -> AXI interconnect (AXI3 -> AXI4-Lite) -> port M_AXIL   (dlvta_top's register slave)
#   port S_AXI_MEM (dlvta_top's AXI4 master) -> AXI interconnect (AXI4 -> AXI3) -> S_AXI_HP0
#     at the config's data width (64: bursts <= 16 beats pass through the AXI3 port unsplit)
#   FCLK_CLK0 at the config's clock -> port clk; proc_sys_reset -> port rst_n (synchronous)
#   port irq -> IRQ_F2P[0] (GIC SPI 29, IRQ 61)
# Sourced by hw/vivado_build.tcl, which calls dlvta_board_bd. The PS's DDR and MIO settings come
# from the board preset when the board files are installed; a bitstream loaded by Linux (fpga
# manager) does not reprogram them, so Vivado's defaults are fine for that use.

# Latest installed version of a Xilinx IP.
proc dlvta_ip {name} {
  set defs [lsort -dictionary [get_ipdefs -all xilinx.com:ip:${name}:*]]
  if {[llength $defs] == 0} { error "dlvta: IP $name is not installed in this Vivado" }
  return [lindex $defs end]
}

proc dlvta_board_bd {name axi_bits clock_mhz regs_addr} {
  if {$axi_bits != 32 && $axi_bits != 64} {
    error "dlvta: S_AXI_HP0 of the Zynq-7000 is 32 or 64 bits wide, the config asks $axi_bits"
  }
  set hz [expr {$clock_mhz * 1000000}]
  create_bd_design $name

  set ps [create_bd_cell -type ip -vlnv [dlvta_ip processing_system7] ps]
  if {[get_property board_part [current_project]] ne ""} {
    apply_bd_automation -rule xilinx.com:bd_rule:processing_system7 \
      -config {make_external "FIXED_IO, DDR" apply_board_preset "1" Master "Disable" Slave "Disable"} $ps
  } else {
    create_bd_intf_port -mode Master -vlnv xilinx.com:interface:ddrx_rtl:1.0 DDR
    create_bd_intf_port -mode Master -vlnv xilinx.com:display_processing_system7:fixedio_rtl:1.0 FIXED_IO
    connect_bd_intf_net [get_bd_intf_pins $ps/DDR] [get_bd_intf_ports DDR]
    connect_bd_intf_net [get_bd_intf_pins $ps/FIXED_IO] [get_bd_intf_ports FIXED_IO]
  }
  set_property -dict [list \
    CONFIG.PCW_USE_M_AXI_GP0 {1} \
    CONFIG.PCW_USE_S_AXI_HP0 {1} \
    CONFIG.PCW_S_AXI_HP0_DATA_WIDTH $axi_bits \
    CONFIG.PCW_EN_CLK0_PORT {1} \
    CONFIG.PCW_EN_RST0_PORT {1} \
    CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ $clock_mhz \
    CONFIG.PCW_USE_FABRIC_INTERRUPT {1} \
    CONFIG.PCW_IRQ_F2P_INTR {1} \
  ] $ps

  # ports towards board top / dlvta_top
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

  connect_bd_intf_net [get_bd_intf_pins $ps/M_AXI_GP0] [get_bd_intf_pins $ic_ctl/S00_AXI]
  connect_bd_intf_net [get_bd_intf_pins $ic_ctl/M00_AXI] $m_axil
  connect_bd_intf_net $s_mem [get_bd_intf_pins $ic_mem/S00_AXI]
  connect_bd_intf_net [get_bd_intf_pins $ic_mem/M00_AXI] [get_bd_intf_pins $ps/S_AXI_HP0]

  connect_bd_net [get_bd_pins $ps/FCLK_CLK0] $clk \
    [get_bd_pins $ps/M_AXI_GP0_ACLK] [get_bd_pins $ps/S_AXI_HP0_ACLK] \
    [get_bd_pins $ic_ctl/ACLK] [get_bd_pins $ic_ctl/S00_ACLK] [get_bd_pins $ic_ctl/M00_ACLK] \
    [get_bd_pins $ic_mem/ACLK] [get_bd_pins $ic_mem/S00_ACLK] [get_bd_pins $ic_mem/M00_ACLK] \
    [get_bd_pins $rst/slowest_sync_clk]
  connect_bd_net [get_bd_pins $ps/FCLK_RESET0_N] [get_bd_pins $rst/ext_reset_in]
  connect_bd_net [get_bd_pins $rst/interconnect_aresetn] \
    [get_bd_pins $ic_ctl/ARESETN] [get_bd_pins $ic_mem/ARESETN]
  connect_bd_net [get_bd_pins $rst/peripheral_aresetn] $rstn \
    [get_bd_pins $ic_ctl/S00_ARESETN] [get_bd_pins $ic_ctl/M00_ARESETN] \
    [get_bd_pins $ic_mem/S00_ARESETN] [get_bd_pins $ic_mem/M00_ARESETN]
  connect_bd_net $irq [get_bd_pins $ps/IRQ_F2P]

  # registers at regs_addr (4 KiB) for the CPU; the whole 512 MiB DDR for the accelerator
  assign_bd_address -offset $regs_addr -range 0x00001000 \
    -target_address_space [get_bd_addr_spaces $ps/Data] [get_bd_addr_segs M_AXIL/Reg] -force
  assign_bd_address -offset 0x00000000 -range 0x20000000 \
    -target_address_space [get_bd_addr_spaces S_AXI_MEM] \
    [get_bd_addr_segs $ps/S_AXI_HP0/HP0_DDR_LOWOCM] -force

  validate_bd_design
  save_bd_design
}
