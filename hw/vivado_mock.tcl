# hw/vivado_mock.tcl -- a stand-in for Vivado's Tcl commands, so that hw/test_boards.sh can run
# hw/vivado_build.tcl and boards/<board>/bd.tcl through tclsh without Vivado: every Vivado
# command the flow calls is recorded in $::mock_log (one line each) and answers "", except those
# whose answers steer the flow (version, get_ipdefs, get_property PROGRESS/SLACK, get_files), and
# those that write files, which write placeholders where Vivado writes its outputs, so that the
# flow's own file handling (.bit, .bin, .hwh, reports next to each other) runs for real.
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
  switch -- $prop { PROGRESS { return "100%" } SLACK { return 0.123 } default { return "" } }
}
proc report_utilization {args} { mock report_utilization {*}$args; mock_write [lindex $args end] }
proc report_timing_summary {args} { mock report_timing_summary {*}$args; mock_write [lindex $args end] }
proc write_cfgmem {args} { mock write_cfgmem {*}$args; mock_write [lindex $args end] }
proc mock_write {path} { set f [open $path w]; puts $f "mock"; close $f }
proc unknown {args} { mock {*}$args; return "" }
