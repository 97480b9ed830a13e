# boards/pynq/bd.tcl -- the PYNQ-Z1/Z2 block design (Vivado): processing_system7 with
#   M_AXI_GP0 -> AXI interconnect (AXI3 -> AXI4-Lite) -> port M_AXIL   (dlvta_top's register slave)
#   port S_AXI_MEM (dlvta_top's AXI4 master) -> AXI interconnect (AXI4 -> AXI3) -> S_AXI_HP0
#     at the config's data width (64: bursts <= 16 beats pass through the AXI3 port unsplit)
#   port S_AXI_MEM1 (dlvta_top's second master m1_axi_: reads only, its write channels tied off
#     in the top) -> AXI interconnect -> S_AXI_HP2, the same DDR range: the DDR controller serves
#     the two HP ports at once (isa/configs.def rd_ports, ddr_bytes); idle with a one-port config.
#     HP2, not HP1: the memory interconnect joins HP0 and HP1 on one of its two DDR ports and HP2
#     and HP3 on the other (UG585, PS interconnect), so HP0 + HP2 do not share a DDR port
#   FCLK_CLK0 at the config's clock -> port clk; proc_sys_reset -> port rst_n (synchronous)
#   port irq -> IRQ_F2P[0] (GIC SPI 29, IRQ 61)
# Sourced by hw/vivado_build.tcl, which calls dlvta_board_bd: it makes the design and the PS
# (IP, config); boards/bd_common.tcl's dlvta_bd_common, given the PS's pin names, makes the rest
# (ports, interconnects, reset, nets, addresses). The PS's DDR and MIO settings come from the
# board preset when the board files are installed; a bitstream loaded by Linux (fpga manager)
# does not reprogram them, so Vivado's defaults are fine for that use.

# the shared part, found next to this file's directory wherever the flow is run from
source [file join [file dirname [file dirname [file normalize [info script]]]] bd_common.tcl]

proc dlvta_board_bd {name axi_bits clock_mhz regs_addr gemm_pump} {
  if {$axi_bits != 32 && $axi_bits != 64} {
    error "dlvta: S_AXI_HP0 of the Zynq-7000 is 32 or 64 bits wide, the config asks $axi_bits"
  }
  if {$gemm_pump != 1} {
    error "dlvta: gemm_pump $gemm_pump (a GEMM on twice the core clock) is for DSP48E2 slices\
           (UltraScale+); the xc7z020's are DSP48E1: the config must have gemm_pump 1"
  }
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
    CONFIG.PCW_USE_S_AXI_HP2 {1} \
    CONFIG.PCW_S_AXI_HP2_DATA_WIDTH $axi_bits \
    CONFIG.PCW_EN_CLK0_PORT {1} \
    CONFIG.PCW_EN_RST0_PORT {1} \
    CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ $clock_mhz \
    CONFIG.PCW_USE_FABRIC_INTERRUPT {1} \
    CONFIG.PCW_IRQ_F2P_INTR {1} \
  ] $ps

  # registers at regs_addr for the CPU; the whole 512 MiB DDR for the accelerator, through
  # S_AXI_HP0 and (S_AXI_MEM1, the second read port) S_AXI_HP2
  dlvta_bd_common $ps {
    ctl_master M_AXI_GP0  mem_slave S_AXI_HP0  mem1_slave S_AXI_HP2
    clk FCLK_CLK0  clk_axi {M_AXI_GP0_ACLK S_AXI_HP0_ACLK S_AXI_HP2_ACLK}  resetn FCLK_RESET0_N
    irq IRQ_F2P
    mem_seg S_AXI_HP0/HP0_DDR_LOWOCM  mem1_seg S_AXI_HP2/HP2_DDR_LOWOCM  mem_range 0x20000000
  } $axi_bits $clock_mhz $regs_addr
}
