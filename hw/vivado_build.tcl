# hw/vivado_build.tcl -- the Vivado batch flow shared by the boards (run by hw/bitstream.sh):
# a project with the RTL (rtl/*.v, include path build/<config>), the board's thin top (which
# includes boards/dlvta_board_hookup.vh), its constraints and its block design
# (boards/<board>/bd.tcl, which sources boards/bd_common.tcl), then synthesis, implementation, a
# timing check at the config's clock, the bitstream (.bit), the .bin that Linux's fpga manager
# loads, the .hwh that PYNQ wants beside the .bit, and utilization/timing reports.
#
#   vivado -mode batch -source hw/vivado_build.tcl -tclargs \
#     ROOT BOARD CONFIG PART BOARD_PART OUTDIR AXI_BITS CLOCK_MHZ GEMM_PUMP REGS_ADDR JOBS
# AXI_BITS, CLOCK_MHZ and GEMM_PUMP are the config's (build/<config>/dlvta_isa.vh); GEMM_PUMP 2:
# the block design also makes clk2x, twice the core clock, for the GEMM (boards/<board>/bd.tcl).
# The Vivado release this flow was written for; another one stops here (its IP versions, block
# design properties and Tcl commands differ). DLVTA_VIVADO_ANY=1 goes on anyway, with a warning.
set dlvta_vivado_version 2022.2
set have [lindex [split [version -short] " "] 0]
if {$have ne $dlvta_vivado_version} {
  if {[info exists ::env(DLVTA_VIVADO_ANY)] && $::env(DLVTA_VIVADO_ANY) eq "1"} {
    puts "WARNING: dlvta: this flow was written for Vivado $dlvta_vivado_version, this is $have\
          (DLVTA_VIVADO_ANY=1): check the IP versions in the log"
  } else {
    puts "ERROR: dlvta: hw/vivado_build.tcl was written for Vivado $dlvta_vivado_version; this is\
          Vivado $have. Use $dlvta_vivado_version, or set DLVTA_VIVADO_ANY=1 to try this one."
    exit 2
  }
}
if {[llength $argv] != 11} {
  puts "usage: vivado -mode batch -source hw/vivado_build.tcl -tclargs ROOT BOARD CONFIG PART\
        BOARD_PART OUTDIR AXI_BITS CLOCK_MHZ GEMM_PUMP REGS_ADDR JOBS"
  exit 2
}
lassign $argv root board config part board_part outdir axi_bits clock_mhz gemm_pump regs_addr jobs
set name dlvta_$board
set bd ${name}_bd
file mkdir $outdir
set proj $outdir/vivado

create_project -force $name $proj -part $part
if {$board_part ne "" && [llength [get_board_parts -quiet $board_part]] > 0} {
  set_property board_part $board_part [current_project]
  puts "dlvta: board part $board_part (PS preset from the board files)"
} else {
  puts "dlvta: board files for '$board_part' not installed: PS DDR/MIO left at Vivado defaults\
        (fine for a bitstream loaded by Linux; not for a boot image)"
}
set_property target_language Verilog [current_project]
# build/<config>: the generated headers; boards/: the board tops' shared dlvta_top hook-up
set_property include_dirs [list $root/build/$config $root/boards] [current_fileset]
# UltraScale+: the multiplies as DSP48E2 slices with their registers (rtl/dlvta_dsp.v), the
# netlist that `make timing` analysed
if {[string match xczu* $part]} {
  set_property verilog_define DLVTA_DSP48E2 [current_fileset]
}
add_files -norecurse [lsort [glob $root/rtl/*.v]]
add_files -norecurse $root/boards/$board/$name.v
add_files -fileset constrs_1 -norecurse $root/boards/$board/$name.xdc

source $root/boards/$board/bd.tcl
dlvta_board_bd $bd $axi_bits $clock_mhz $regs_addr $gemm_pump
set bd_file [get_files $bd.bd]
generate_target all $bd_file
set_property top $name [current_fileset]
update_compile_order -fileset sources_1

launch_runs impl_1 -to_step write_bitstream -jobs $jobs
wait_on_run impl_1
if {[get_property PROGRESS [get_runs impl_1]] ne "100%"} {
  puts "ERROR: dlvta: implementation failed: see $proj/$name.runs/impl_1/runme.log"
  exit 1
}

open_run impl_1
report_utilization -file $outdir/utilization.txt
report_timing_summary -file $outdir/timing.txt
set wns [get_property SLACK [get_timing_paths -max_paths 1 -nworst 1 -setup]]
set whs [get_property SLACK [get_timing_paths -max_paths 1 -nworst 1 -hold]]
puts "dlvta: $board at $clock_mhz MHz: WNS $wns ns, WHS $whs ns"
set bit [lindex [glob $proj/$name.runs/impl_1/*.bit] 0]
file copy -force $bit $outdir/$name.bit
# .hwh: PYNQ's Overlay reads it from beside the .bit, with the same base name
set hwh [lindex [glob -nocomplain [file dirname $bd_file]/hw_handoff/$bd.hwh \
                 $proj/$name.gen/sources_1/bd/$bd/hw_handoff/$bd.hwh] 0]
if {$hwh eq ""} {
  puts "ERROR: dlvta: no .hwh of $bd found under $proj (PYNQ needs it beside the .bit)"
  exit 1
}
file copy -force $hwh $outdir/$name.hwh
# .bin for /sys/class/fpga_manager: bootgen if installed, else write_cfgmem (SMAPx32, no swap)
set arch [expr {[string match xczu* $part] ? "zynqmp" : "zynq"}]
if {[auto_execok bootgen] ne ""} {
  set bif [open $outdir/$name.bif w]
  puts $bif "all: { $outdir/$name.bit }"
  close $bif
  exec bootgen -image $outdir/$name.bif -arch $arch -process_bitstream bin -w on
} else {
  write_cfgmem -force -format BIN -interface SMAPx32 -disablebitswap \
    -loadbit "up 0x0 $outdir/$name.bit" $outdir/$name.bit.bin
}
if {$wns < 0 || $whs < 0} {
  puts "ERROR: dlvta: timing not met at $clock_mhz MHz (WNS $wns ns, WHS $whs ns): see\
        $outdir/timing.txt; the bitstream is written but must not be used"
  exit 1
}
puts "dlvta: wrote $outdir/$name.bit, $name.bit.bin, $name.hwh"
exit 0
