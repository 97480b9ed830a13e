# boards/bd_common.tcl -- the part of the block design (Vivado) that the boards share, sourced by
# each boards/<board>/bd.tcl, whose dlvta_board_bd creates the design and the board's PS (IP and
# its config) and then calls dlvta_bd_common with the PS's pin names:
#   the ports towards the board top / dlvta_top: clk (the config's clock), rst_n (active low,
#     synchronous to clk), irq (level-high interrupt in), M_AXIL (AXI4-Lite master, 12-bit
#     addresses: dlvta_top's register slave), S_AXI_MEM (AXI4 slave at the config's data width:
#     dlvta_top's memory master, bursts of at most 16 beats), S_AXI_MEM1 when the board names a
#     second memory slave (the same, for dlvta_top's second, read-only master m1_axi_: its write
#     channels are tied off in the top; it idles with a config of one read port, rd_ports 1)
#   the PS's register master -> AXI interconnect ic_ctl -> M_AXIL
#   S_AXI_MEM -> AXI interconnect ic_mem -> the PS's memory slave
#   S_AXI_MEM1 -> AXI interconnect ic_mem1 -> the PS's second memory slave
#   the PS's fabric clock (or the board's core_clk, below) -> clk, the PS's AXI clocks, the
#     interconnects, proc_sys_reset `rst`
#   the PS's fabric reset -> rst -> rst_n and the interconnects' resets; irq -> the PS's interrupt
#   addresses: the registers at regs_addr (4 KiB) for the CPU, DDR [0, mem_range) for S_AXI_MEM
#     and S_AXI_MEM1 alike
#   then validates and saves the design.

# Latest installed version of a Xilinx IP.
proc dlvta_ip {name} {
  set defs [lsort -dictionary [get_ipdefs -all xilinx.com:ip:${name}:*]]
  if {[llength $defs] == 0} { error "dlvta: IP $name is not installed in this Vivado" }
  return [lindex $defs end]
}

# The core clock's frequency in Hz, for the FREQ_HZ of the ports on it: what its source makes, as
# Vivado has computed it into the pin's FREQ_HZ (the Ultra96's PS makes 214.286 MHz of the 215
# asked: IOPLL / 7), so that validate_bd_design finds the ports' FREQ_HZ equal to their nets'
# (BD 41-238 otherwise); the source is core_clk when the board gives one (a clocking wizard's
# clk_out1, at the PS clock's own frequency), then the PS's clk, then the config's clock.
proc dlvta_core_hz {ps pins clock_mhz} {
  set srcs {}
  if {[dict exists $pins core_clk]} { lappend srcs [dict get $pins core_clk] }
  lappend srcs $ps/[dict get $pins clk]
  foreach s $srcs {
    set hz [get_property CONFIG.FREQ_HZ [get_bd_pins $s]]
    if {[string is double -strict $hz] && $hz > 0} { return [expr {round($hz)}] }
  }
  return [expr {$clock_mhz * 1000000}]
}

# ps: the PS cell. pins: a dict of the PS's pin names, keys
#   ctl_master  AXI master towards the registers        mem_slave  AXI slave for the memory master
#   clk         fabric clock out                        clk_axi    the AXI ports' clock inputs (list)
#   resetn      fabric reset out (active low)           irq        interrupt input
#   mem_seg     the DDR address segment of mem_slave    mem_range  bytes of DDR the accelerator sees
#   mem1_slave  (optional) the second memory slave, for S_AXI_MEM1 (its clock input goes in
#               clk_axi); on another DDR controller port than mem_slave's, so that the two
#               masters' reads do not queue for one port
#   mem1_seg    (with mem1_slave) its DDR address segment, mapped as mem_seg is
#   more        (optional) a command the board adds to the design with, called with the PS cell,
#               the clk port and the reset cell `rst` appended, before validation
#   core_clk    (optional) the pin that drives the core clock instead of the PS's `clk` (a
#               clocking wizard's output the board made from it: boards/ultra96/bd.tcl)
proc dlvta_bd_common {ps pins axi_bits clock_mhz regs_addr} {
  set hz [dlvta_core_hz $ps $pins $clock_mhz]
  set mem1 [dict exists $pins mem1_slave]
  set busif M_AXIL:S_AXI_MEM
  if {$mem1} { append busif :S_AXI_MEM1 }

  # ports towards board top / dlvta_top
  set clk [create_bd_port -dir O -type clk clk]
  set_property -dict [list CONFIG.FREQ_HZ $hz CONFIG.ASSOCIATED_BUSIF $busif \
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
  # the second memory port: S_AXI_MEM's settings (the write channels exist, tied off in the top)
  if {$mem1} {
    set s_second [create_bd_intf_port -mode Slave -vlnv xilinx.com:interface:aximm_rtl:1.0 S_AXI_MEM1]
    set_property -dict [list CONFIG.PROTOCOL {AXI4} CONFIG.ADDR_WIDTH {32} \
      CONFIG.DATA_WIDTH $axi_bits CONFIG.ID_WIDTH {0} CONFIG.HAS_BURST {1} CONFIG.HAS_CACHE {0} \
      CONFIG.HAS_LOCK {0} CONFIG.HAS_PROT {0} CONFIG.HAS_QOS {0} CONFIG.HAS_REGION {0} \
      CONFIG.HAS_WSTRB {1} CONFIG.HAS_BRESP {1} CONFIG.HAS_RRESP {1} \
      CONFIG.MAX_BURST_LENGTH {16} CONFIG.SUPPORTS_NARROW_BURST {0} \
      CONFIG.NUM_READ_OUTSTANDING {8} CONFIG.NUM_WRITE_OUTSTANDING {8} CONFIG.FREQ_HZ $hz] $s_second
  }

  set ic_ctl [create_bd_cell -type ip -vlnv [dlvta_ip axi_interconnect] ic_ctl]
  set_property -dict [list CONFIG.NUM_SI {1} CONFIG.NUM_MI {1}] $ic_ctl
  set ic_mem [create_bd_cell -type ip -vlnv [dlvta_ip axi_interconnect] ic_mem]
  set_property -dict [list CONFIG.NUM_SI {1} CONFIG.NUM_MI {1}] $ic_mem
  set ics [list $ic_ctl $ic_mem]
  if {$mem1} {
    set ic_mem1 [create_bd_cell -type ip -vlnv [dlvta_ip axi_interconnect] ic_mem1]
    set_property -dict [list CONFIG.NUM_SI {1} CONFIG.NUM_MI {1}] $ic_mem1
    lappend ics $ic_mem1
  }
  set rst [create_bd_cell -type ip -vlnv [dlvta_ip proc_sys_reset] rst]

  connect_bd_intf_net [get_bd_intf_pins $ps/[dict get $pins ctl_master]] [get_bd_intf_pins $ic_ctl/S00_AXI]
  connect_bd_intf_net [get_bd_intf_pins $ic_ctl/M00_AXI] $m_axil
  connect_bd_intf_net $s_mem [get_bd_intf_pins $ic_mem/S00_AXI]
  connect_bd_intf_net [get_bd_intf_pins $ic_mem/M00_AXI] [get_bd_intf_pins $ps/[dict get $pins mem_slave]]
  if {$mem1} {
    connect_bd_intf_net $s_second [get_bd_intf_pins $ic_mem1/S00_AXI]
    connect_bd_intf_net [get_bd_intf_pins $ic_mem1/M00_AXI] \
      [get_bd_intf_pins $ps/[dict get $pins mem1_slave]]
  }

  if {[dict exists $pins core_clk]} {
    set core [get_bd_pins [dict get $pins core_clk]]
  } else {
    set core [get_bd_pins $ps/[dict get $pins clk]]
  }
  # every AXI clock on the one core clock (the PS's ports: clk_axi) and every interconnect's
  # resets from the one reset block
  set ic_clk {}; set ic_aresetn {}; set ic_port_aresetn {}
  foreach ic $ics {
    lappend ic_clk [get_bd_pins $ic/ACLK] [get_bd_pins $ic/S00_ACLK] [get_bd_pins $ic/M00_ACLK]
    lappend ic_aresetn [get_bd_pins $ic/ARESETN]
    lappend ic_port_aresetn [get_bd_pins $ic/S00_ARESETN] [get_bd_pins $ic/M00_ARESETN]
  }
  connect_bd_net $core $clk \
    {*}[lmap p [dict get $pins clk_axi] { get_bd_pins $ps/$p }] \
    {*}$ic_clk [get_bd_pins $rst/slowest_sync_clk]
  connect_bd_net [get_bd_pins $ps/[dict get $pins resetn]] [get_bd_pins $rst/ext_reset_in]
  connect_bd_net [get_bd_pins $rst/interconnect_aresetn] {*}$ic_aresetn
  connect_bd_net [get_bd_pins $rst/peripheral_aresetn] $rstn {*}$ic_port_aresetn
  connect_bd_net $irq [get_bd_pins $ps/[dict get $pins irq]]

  # registers at regs_addr (4 KiB) for the CPU; DDR from 0 for the accelerator (both ports)
  assign_bd_address -offset $regs_addr -range 0x00001000 \
    -target_address_space [get_bd_addr_spaces $ps/Data] [get_bd_addr_segs M_AXIL/Reg] -force
  assign_bd_address -offset 0x00000000 -range [dict get $pins mem_range] \
    -target_address_space [get_bd_addr_spaces S_AXI_MEM] \
    [get_bd_addr_segs $ps/[dict get $pins mem_seg]] -force
  if {$mem1} {
    assign_bd_address -offset 0x00000000 -range [dict get $pins mem_range] \
      -target_address_space [get_bd_addr_spaces S_AXI_MEM1] \
      [get_bd_addr_segs $ps/[dict get $pins mem1_seg]] -force
  }

  if {[dict exists $pins more]} { {*}[dict get $pins more] $ps $clk $rst }
  validate_bd_design
  save_bd_design
}
