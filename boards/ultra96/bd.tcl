# boards/ultra96/bd.tcl -- the Ultra96 block design (Vivado): zynq_ultra_ps_e with
#   M_AXI_HPM0_FPD -> AXI interconnect (AXI4 -> AXI4-Lite) -> port M_AXIL (dlvta_top's registers)
#   port S_AXI_MEM (dlvta_top's AXI4 master) -> AXI interconnect -> S_AXI_HP0_FPD at the config's
#     data width (128)
#   port S_AXI_MEM1 (dlvta_top's second master m1_axi_: reads only, its write channels tied off
#     in the top) -> AXI interconnect -> S_AXI_HP1_FPD at the same width, the same DDR range (the
#     low 2 GiB): the DDR controller serves the two HP ports at once (isa/configs.def rd_ports,
#     ddr_bytes); idle with a config of one read port. HP1, not HP2 or HP3: each HP port reaches
#     the DDR controller through one of its AXI ports (XPIs; UG1085, "PL-PS Interface
#     Specifics"): HP0 shares XPI 3 with the DisplayPort DMA, HP1 and HP2 share XPI 4 with
#     nothing else, HP3 shares XPI 5 with the FPD DMA. With HP2 unused, HP1 has an XPI of its
#     own, apart from HP0's; HP3 would be apart from HP0's too, but behind the FPD DMA's bursts
#   pl_clk0 at the config's clock -> port clk; proc_sys_reset -> port rst_n (synchronous)
#   with gemm_pump 2 (the GEMM's DSP slices on a second clock, twice the core's: rtl/dlvta_top.v's
#     clk2x): pl_clk0 -> clocking wizard clk_wiz (one MMCM): clk_out1 at pl_clk0's own frequency
#     -> port clk (and every AXI clock: the PS's HPM0, HP0 and HP1 ports, the three
#     interconnects, proc_sys_reset), clk_out2 at twice it -> port clk2x; pl_resetn0 -> the
#     wizard's resetn (both active low); its locked -> proc_sys_reset's dcm_locked (rst_n held
#     until the MMCM locks)
#   port irq -> pl_ps_irq0[0] (GIC SPI 89, IRQ 121)
# Sourced by hw/vivado_build.tcl, which calls dlvta_board_bd: it makes the design and the PS
# (IP, config); boards/bd_common.tcl's dlvta_bd_common, given the PS's pin names, makes the rest
# (ports, interconnects, reset, nets, addresses). The PS's DDR and MIO settings come from the
# board preset when the board files are installed; a bitstream loaded by Linux (fpga manager)
# does not reprogram them.

# the shared part, found next to this file's directory wherever the flow is run from
source [file join [file dirname [file dirname [file normalize [info script]]]] bd_common.tcl]

proc dlvta_board_bd {name axi_bits clock_mhz regs_addr gemm_pump} {
  if {$axi_bits != 32 && $axi_bits != 64 && $axi_bits != 128} {
    error "dlvta: S_AXI_HP0_FPD and HP1_FPD are 32, 64 or 128 bits wide, the config asks $axi_bits"
  }
  if {$gemm_pump != 1 && $gemm_pump != 2} {
    error "dlvta: gemm_pump is 1 (one clock) or 2 (clk2x for the GEMM), the config asks $gemm_pump"
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
    CONFIG.PSU__USE__S_AXI_GP3 {1} \
    CONFIG.PSU__SAXIGP3__DATA_WIDTH $axi_bits \
    CONFIG.PSU__FPGA_PL0_ENABLE {1} \
    CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ $clock_mhz \
    CONFIG.PSU__USE__IRQ0 {1} \
  ] $ps

  # registers at regs_addr for the CPU; the low 2 GiB of DDR for the accelerator, through
  # S_AXI_HP0_FPD (SAXIGP2) and (S_AXI_MEM1, the second read port) S_AXI_HP1_FPD (SAXIGP3), both
  # ports' clocks on the core clock
  set pins {
    ctl_master M_AXI_HPM0_FPD  mem_slave S_AXI_HP0_FPD  mem1_slave S_AXI_HP1_FPD
    clk pl_clk0  clk_axi {maxihpm0_fpd_aclk saxihp0_fpd_aclk saxihp1_fpd_aclk}
    resetn pl_resetn0  irq pl_ps_irq0
    mem_seg SAXIGP2/HP0_DDR_LOW  mem1_seg SAXIGP3/HP1_DDR_LOW  mem_range 0x80000000
  }
  if {$gemm_pump == 2} {
    set wiz [dlvta_ultra96_clk2x $ps]
    dict set pins core_clk $wiz/clk_out1
    dict set pins more [list dlvta_ultra96_clk2x_nets $wiz]
  }
  dlvta_bd_common $ps $pins $axi_bits $clock_mhz $regs_addr
}

# The clocks of a pumped GEMM (gemm_pump 2): a clocking wizard `clk_wiz` on pl_clk0, one MMCM
# with two outputs: clk_out1 at pl_clk0's own frequency (the core clock as the PS makes it: asked
# for 215 MHz it gives 214.3, IOPLL 1500 MHz / 7) and clk_out2 at twice that. Both outputs divide
# the one VCO of the one MMCM, so they are phase-aligned by construction: every rising edge of
# clk_out1 is a rising edge of clk_out2, as rtl/dlvta_top.v's clk2x requires (its DSP slices
# exchange data with core-clock registers within one clk2x period). The wizard asks for exactly
# its input's frequency and twice it, which an MMCM makes with whole dividers of one VCO
# frequency (e.g. x6 to 1.29 GHz, then /6 and /3). Returns the wizard cell; its resetn, locked
# and clk_out2 are wired by dlvta_ultra96_clk2x_nets once the reset block exists.
proc dlvta_ultra96_clk2x {ps} {
  # what the PS makes of the asked frequency (Vivado computes it into the pin's FREQ_HZ)
  set hz [get_property CONFIG.FREQ_HZ [get_bd_pins $ps/pl_clk0]]
  if {![string is double -strict $hz] || $hz <= 0} {
    error "dlvta: $ps/pl_clk0 has no frequency (FREQ_HZ '$hz'): the clocking wizard needs it"
  }
  set mhz [format %.3f [expr {$hz / 1e6}]]
  set mhz2 [format %.3f [expr {2 * $mhz}]]
  puts "dlvta: pl_clk0 at $mhz MHz: clk_wiz clk_out1 $mhz MHz (core), clk_out2 $mhz2 MHz (GEMM)"
  set wiz [create_bd_cell -type ip -vlnv [dlvta_ip clk_wiz] clk_wiz]
  set_property -dict [list \
    CONFIG.PRIMITIVE {MMCM} \
    CONFIG.PRIM_SOURCE {Global_buffer} \
    CONFIG.PRIM_IN_FREQ $mhz \
    CONFIG.NUM_OUT_CLKS {2} \
    CONFIG.CLKOUT1_USED {true} \
    CONFIG.CLKOUT1_REQUESTED_OUT_FREQ $mhz \
    CONFIG.CLKOUT2_USED {true} \
    CONFIG.CLKOUT2_REQUESTED_OUT_FREQ $mhz2 \
    CONFIG.USE_LOCKED {true} \
    CONFIG.USE_RESET {true} \
    CONFIG.RESET_TYPE {ACTIVE_LOW} \
    CONFIG.RESET_PORT {resetn} \
  ] $wiz
  connect_bd_net [get_bd_pins $ps/pl_clk0] [get_bd_pins $wiz/clk_in1]
  return $wiz
}

# dlvta_bd_common's `more` for gemm_pump 2: the wizard's reset from the PS's (pl_resetn0 and
# resetn both active low), proc_sys_reset's dcm_locked from the wizard's locked, and the port
# clk2x from clk_out2 (its FREQ_HZ propagated from the wizard's output).
proc dlvta_ultra96_clk2x_nets {wiz ps clk rst} {
  connect_bd_net -net [get_bd_nets -of_objects [get_bd_pins $ps/pl_resetn0]] [get_bd_pins $wiz/resetn]
  connect_bd_net [get_bd_pins $wiz/locked] [get_bd_pins $rst/dcm_locked]
  set clk2x [create_bd_port -dir O -type clk clk2x]
  connect_bd_net [get_bd_pins $wiz/clk_out2] $clk2x
}
