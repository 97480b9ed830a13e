# hw/vivado_mock.tcl -- a stand-in for Vivado's Tcl commands, so that hw/test_boards.sh can run
# hw/vivado_build.tcl and boards/<board>/bd.tcl through tclsh without Vivado: every Vivado
# command the flow calls is recorded in $::mock_log (one line each) and answers "", except those
# whose answers steer the flow (version, get_ipdefs, get_property PROGRESS/SLACK, get_files, and
# a PS clock pin's CONFIG.FREQ_HZ: the frequency the PS makes of the one asked, below), the block
# design's create_bd_* and get_bd_* (cells, ports, pins, address spaces and segments), which
# answer the object's name so that the log shows what each net connects and what each address
# assignment maps (get_bd_nets -of_objects X: "net:X"), and those that
# write files, which write placeholders where Vivado writes its outputs, so that the flow's own
# file handling (.bit, .bin, .hwh, reports next to each other) runs for real. set_property's
# values are kept per object (mock_prop) for the answers that depend on them.
# What this does not check: that Vivado accepts the commands' options and properties (names of
# IP, pins, CONFIG.* keys), timing, or anything about the generated hardware.
#   tclsh: set mock_version 2022.2; source hw/vivado_mock.tcl; set argv {...}; source hw/vivado_build.tcl
set ::mock_log {}
proc mock {args} { lappend ::mock_log [join $args " "] }
proc version {args} { mock version {*}$args; return "$::mock_version" }
proc get_ipdefs {args} { mock get_ipdefs {*}$args; return "xilinx.com:ip:[lindex [split [lindex $args end] :] 2]:9.9" }
proc create_project {args} {
  mock create_project {*}$args
  set pos {}
  for {set i 0} {$i < [llength $args]} {incr i} {
    set a [lindex $args $i]
    if {$a eq "-part"} { incr i } elseif {[string index $a 0] ne "-"} { lappend pos $a }
  }
  lassign $pos ::mock_name ::mock_proj
  file mkdir $::mock_proj
}
proc get_files {args} { mock get_files {*}$args; return "$::mock_proj/$::mock_name.srcs/sources_1/bd/[file rootname [lindex $args end]]/[lindex $args end]" }
proc launch_runs {args} {
  mock launch_runs {*}$args
  set impl $::mock_proj/$::mock_name.runs/impl_1
  file mkdir $impl
  set f [open $impl/$::mock_name.bit w]; puts $f "mock bitstream"; close $f
  set bd [file rootname [file tail [get_files x_bd.bd]]]
  set hh $::mock_proj/$::mock_name.gen/sources_1/bd/${::mock_name}_bd/hw_handoff
  file mkdir $hh
  set f [open $hh/${::mock_name}_bd.hwh w]; puts $f "mock hwh"; close $f
}
proc get_property {prop args} {
  mock get_property $prop {*}$args
  switch -- $prop {
    PROGRESS { return "100%" }
    SLACK { return 0.123 }
    CONFIG.FREQ_HZ { return [mock_freq_hz [lindex $args end]] }
    default { return "" }
  }
}
# set_property KEY VALUE OBJ / set_property -dict {KEY VALUE ...} OBJ: logged, values kept
proc set_property {args} {
  mock set_property {*}$args
  if {[lindex $args 0] eq "-dict"} {
    foreach {k v} [lindex $args 1] { set ::mock_props([lindex $args 2],$k) $v }
  } else {
    set ::mock_props([lindex $args 2],[lindex $args 0]) [lindex $args 1]
  }
}
proc mock_prop {obj key} { expr {[info exists ::mock_props($obj,$key)] ? $::mock_props($obj,$key) : ""} }
# A PS fabric clock's frequency as the PS makes it: its PLL divided by the nearest whole number
# (Zynq UltraScale+ pl_clk0: IOPLL 1500 MHz, so 215 asked -> 1500 / 7 = 214.29 MHz; Zynq-7000
# FCLK_CLK0: IO PLL 1000 MHz); any other object: its FREQ_HZ as set, or "".
proc mock_freq_hz {pin} {
  set cell [file dirname $pin]
  switch -- [file tail $pin] {
    pl_clk0 { set pll 1500; set asked [mock_prop $cell CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ] }
    FCLK_CLK0 { set pll 1000; set asked [mock_prop $cell CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ] }
    default { return [mock_prop $pin CONFIG.FREQ_HZ] }
  }
  if {$asked eq ""} { return "" }
  set n [expr {max(1, round($pll / double($asked)))}]
  return [expr {round($pll * 1e6 / $n)}]
}
# block design objects: named by their last argument (a cell, port, pin, address space or
# segment path)
foreach cmd {create_bd_cell create_bd_port create_bd_intf_port get_bd_cells get_bd_ports
             get_bd_intf_ports get_bd_pins get_bd_intf_pins get_bd_addr_spaces get_bd_addr_segs} {
  proc $cmd {args} "mock $cmd {*}\$args; return \[lindex \$args end\]"
}
proc get_bd_nets {args} { mock get_bd_nets {*}$args; return "net:[lindex $args end]" }
proc report_utilization {args} { mock report_utilization {*}$args; mock_write [lindex $args end] }
proc report_timing_summary {args} { mock report_timing_summary {*}$args; mock_write [lindex $args end] }
proc write_cfgmem {args} { mock write_cfgmem {*}$args; mock_write [lindex $args end] }
proc mock_write {path} { set f [open $path w]; puts $f "mock"; close $f }
proc unknown {args} { mock {*}$args; return "" }
