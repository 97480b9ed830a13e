#!/usr/bin/env bash
# hw/test_boards.sh -- checks the board flows that can be checked without Vivado, for every
# boards/<board>/: the thin top's wiring of dlvta_top and of the block design's ports (verilator
# lint against hw/lint/dlvta_<board>_bd.v, with the shared hook-up boards/dlvta_board_hookup.vh),
# the .xdc clock against the config's clock, the Tcl (complete commands; bd.tcl, with the shared
# boards/bd_common.tcl it sources, defines dlvta_board_bd), the device-tree overlay (dtc) and its
# register address against board.env, the register block's size against the register map
# (isa/regs.def), and that `make bitstream` stops cleanly without vivado; hw/check_board.sh (the
# checks `make bitstream` makes before Vivado: RTL file list, generated headers, the top's ports,
# the block design's interface names) passes, and finds each of a set of planted defects; the
# Vivado flow's Tcl (hw/vivado_build.tcl with bd.tcl) runs through tclsh on a mock of Vivado's
# commands (hw/vivado_mock.tcl) and writes .bit, .bit.bin, .hwh and the timing summary next to
# each other, and stops at once on another Vivado version, as bitstream.sh does; its call log
# has, for a config with gemm_pump 2, the clocking wizard (clk_out1 at the PS clock's frequency,
# clk_out2 at twice it, clk2x and every core clock pin on its outputs, its locked into the reset
# block, its reset from the PS's), and for any other config no wizard and no clk2x; and, for
# every config, the second memory port S_AXI_MEM1 through its own interconnect to the board's
# second HP port (another DDR controller port than S_AXI_MEM's), that port's clock on the core
# clock, the PS port enabled at the config's width, its DDR segment mapped (and the check finds
# defects planted in ultra96's log); the FREQ_HZ of the ports on the core clock is what the PS
# makes of the clock asked (and the check finds a port left at the asked one); a board without
# DSP48E2 slices refuses gemm_pump 2.
# Not checked here (needs Vivado): that Vivado accepts the IP, pin and property names, timing.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ps_hz LOG: the frequency in Hz that the mock's PS makes of the fabric clock asked in the call
# log (its PLL / n, as hw/vivado_mock.tcl's mock_freq_hz: Zynq UltraScale+ pl_clk0 from 1500 MHz,
# Zynq-7000 FCLK_CLK0 from 1000 MHz); nothing when no clock was asked.
ps_hz() {
  awk '
    /^set_property / {
      for (i = 1; i < NF; i++) {
        if ($i == "CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ") { pll = 1500; asked = $(i + 1) }
        if ($i == "CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ") { pll = 1000; asked = $(i + 1) }
      }
    }
    END {
      if (!(asked > 0)) exit
      n = int(pll / asked + 0.5); if (n < 1) n = 1
      printf "%.0f\n", pll * 1e6 / n
    }' "$1"
}

# clk_checks BOARD LOG: a gemm_pump 2 block design in the mock's call log (each call one line;
# pins as CELL/PIN, ports by name): one clocking wizard clk_wiz (an MMCM) fed by the PS's fabric
# clock alone, its input and clk_out1 at that clock's frequency (the mock's PS: its PLL / n),
# clk_out2 at twice clk_out1; clk_out1 drives the port clk, the PS's AXI clocks, both
# interconnects and the reset block's slowest_sync_clk; clk_out2 the port clk2x; locked ->
# dcm_locked; the wizard's active-low resetn on the PS's (active-low) reset net.
clk_checks() {
  local b=$1 log=$2 ps_clk ps_rst e=""
  ps_clk=ps/pl_clk0 ps_rst=ps/pl_resetn0  # Zynq UltraScale+ (gemm_pump 2 is DSP48E2 only)
  [ "$(grep -c '^create_bd_cell -type ip -vlnv xilinx.com:ip:clk_wiz:[0-9.]* clk_wiz$' "$log")" = 1 ] || e="$e; no one clk_wiz cell"
  e="$e$(awk -v ps_hz="$(ps_hz "$log")" '
    /^set_property -dict / && / clk_wiz$/ {
      for (i = 1; i < NF; i++) v[$i] = $(i + 1) }
    END {
      ps_mhz = ps_hz / 1e6
      in1 = v["CONFIG.PRIM_IN_FREQ"]; o1 = v["CONFIG.CLKOUT1_REQUESTED_OUT_FREQ"]; o2 = v["CONFIG.CLKOUT2_REQUESTED_OUT_FREQ"]
      if (v["CONFIG.PRIMITIVE"] != "MMCM") printf "; PRIMITIVE %s", v["CONFIG.PRIMITIVE"]
      if (v["CONFIG.CLKOUT2_USED"] != "true") printf "; clk_out2 not used"
      if (!(o1 > 0) || o2 != 2 * o1) printf "; clk_out2 %s MHz is not twice clk_out1 %s MHz", o2, o1
      if (!(ps_mhz > 0) || in1 - ps_mhz > 0.001 || ps_mhz - in1 > 0.001 || o1 != in1)
        printf "; input %s MHz / clk_out1 %s MHz are not the PS clock (%.3f MHz)", in1, o1, ps_mhz
      if (v["CONFIG.USE_LOCKED"] != "true" || v["CONFIG.RESET_TYPE"] != "ACTIVE_LOW" || v["CONFIG.RESET_PORT"] != "resetn")
        printf "; locked/reset: USE_LOCKED %s RESET_TYPE %s RESET_PORT %s", v["CONFIG.USE_LOCKED"], v["CONFIG.RESET_TYPE"], v["CONFIG.RESET_PORT"]
    }' "$log")"
  grep -qx "connect_bd_net $ps_clk clk_wiz/clk_in1" "$log" || e="$e; $ps_clk -> clk_wiz/clk_in1 missing"
  [ "$(awk -v p="$ps_clk" '$1 == "connect_bd_net" { for (i = 2; i <= NF; i++) if ($i == p) n++ } END { print n + 0 }' "$log")" = 1 ] ||
    e="$e; $ps_clk drives more than the wizard"
  local core
  core=$(grep '^connect_bd_net clk_wiz/clk_out1 ' "$log")
  for p in clk ic_ctl/ACLK ic_ctl/S00_ACLK ic_ctl/M00_ACLK ic_mem/ACLK ic_mem/S00_ACLK ic_mem/M00_ACLK rst/slowest_sync_clk; do
    case " $core " in *" $p "*) ;; *) e="$e; clk_out1 does not drive $p" ;; esac
  done
  [ "$(echo "$core" | wc -w)" -ge 12 ] || e="$e; clk_out1 drives too few pins (the PS's AXI clocks?): $core"
  grep -qx "connect_bd_net clk_wiz/clk_out2 clk2x" "$log" || e="$e; clk_out2 -> port clk2x missing"
  grep -q "^create_bd_port -dir O -type clk clk2x$" "$log" || e="$e; no output clock port clk2x"
  grep -qx "connect_bd_net clk_wiz/locked rst/dcm_locked" "$log" || e="$e; locked -> rst/dcm_locked missing"
  grep -qx "connect_bd_net -net net:$ps_rst clk_wiz/resetn" "$log" || e="$e; the PS's reset -> clk_wiz/resetn missing"
  grep -qx "connect_bd_net $ps_rst rst/ext_reset_in" "$log" || e="$e; the PS's reset -> rst/ext_reset_in missing"
  if [ -z "$e" ]; then ok; else bad "$b: gemm_pump 2 clocking in the mock's log:${e#;}"; fi
}

# mem1_errs BOARD LOG AXI_BITS PUMP: what is wrong with the second memory port in the mock's
# call log ("" if nothing): port S_AXI_MEM1 (AXI4 slave at the config's width) -> its own AXI
# interconnect ic_mem1 -> the board's second HP port (below), on another DDR controller port than
# S_AXI_MEM's HP port; that port's clock on the core clock's net (the one with the port clk and
# the first HP port's clock; clk_wiz/clk_out1 with gemm_pump 2), ic_mem1's clocks and resets with
# the other interconnects'; the PS port enabled at the config's width; S_AXI_MEM1 mapped to the
# port's DDR segment over S_AXI_MEM's range from 0.
# freq_errs LOG: the FREQ_HZ of the block design's ports on the core clock (clk, M_AXIL,
# S_AXI_MEM, S_AXI_MEM1) in the mock's call log is what the PS makes of the clock asked (the
# mock's PS: its PLL / n, in Hz: the Ultra96's 214,285,714 for 215 MHz), not the asked clock
# (validate_bd_design's BD 41-238 on a mismatch); prints "; ..." per error, nothing when right.
freq_errs() {
  awk -v want="$(ps_hz "$1")" '
    /^set_property -dict / && / CONFIG\.FREQ_HZ / {
      obj = $NF
      if (obj != "clk" && obj != "M_AXIL" && obj != "S_AXI_MEM" && obj != "S_AXI_MEM1") next
      for (i = 1; i < NF; i++) if ($i == "CONFIG.FREQ_HZ") hz[obj] = $(i + 1)
    }
    END {
      if (want == "") { printf "; no PS clock asked"; exit }
      if (!("clk" in hz) || !("S_AXI_MEM" in hz)) printf "; FREQ_HZ of clk / S_AXI_MEM not set"
      for (o in hz) if (hz[o] != want) printf "; %s FREQ_HZ %s, the PS makes %s", o, hz[o], want
    }' "$1"
}

mem1_errs() {
  local b=$1 log=$2 axi=$3 pump=$4 e="" hp aclk aclk0 fclk use width seg hp0 hp1 core rng0
  case "$b" in
    # Zynq-7000: HP0 and HP1 share one DDR port of the memory interconnect, HP2 and HP3 the other
    pynq) hp=S_AXI_HP2 aclk=S_AXI_HP2_ACLK aclk0=S_AXI_HP0_ACLK fclk=FCLK_CLK0
          use=CONFIG.PCW_USE_S_AXI_HP2 width=CONFIG.PCW_S_AXI_HP2_DATA_WIDTH
          seg=S_AXI_HP2/HP2_DDR_LOWOCM ;;
    # Zynq UltraScale+: XPI 3 HP0 (and DisplayPort), XPI 4 HP1 and HP2, XPI 5 HP3 (and FPD DMA)
    ultra96) hp=S_AXI_HP1_FPD aclk=saxihp1_fpd_aclk aclk0=saxihp0_fpd_aclk fclk=pl_clk0
          use=CONFIG.PSU__USE__S_AXI_GP3 width=CONFIG.PSU__SAXIGP3__DATA_WIDTH
          seg=SAXIGP3/HP1_DDR_LOW ;;
    *) echo "; no second-memory-port facts for board $b in hw/test_boards.sh"; return ;;
  esac
  ddr_port() {
    case "$1" in
      S_AXI_HP0|S_AXI_HP1) echo zynq7-a ;; S_AXI_HP2|S_AXI_HP3) echo zynq7-b ;;
      S_AXI_HP0_FPD) echo xpi3 ;; S_AXI_HP1_FPD|S_AXI_HP2_FPD) echo xpi4 ;; S_AXI_HP3_FPD) echo xpi5 ;;
      *) echo "?$1" ;;
    esac
  }
  grep -qx "create_bd_intf_port -mode Slave -vlnv xilinx.com:interface:aximm_rtl:1.0 S_AXI_MEM1" "$log" ||
    e="$e; no slave interface port S_AXI_MEM1"
  grep -q "^set_property -dict .*CONFIG.PROTOCOL AXI4 .*CONFIG.DATA_WIDTH $axi .* S_AXI_MEM1$" "$log" ||
    e="$e; S_AXI_MEM1 is not AXI4 at $axi bits"
  [ "$(grep -c '^create_bd_cell -type ip -vlnv xilinx.com:ip:axi_interconnect:[0-9.]* ic_mem1$' "$log")" = 1 ] ||
    e="$e; no one interconnect ic_mem1"
  grep -qx "connect_bd_intf_net S_AXI_MEM1 ic_mem1/S00_AXI" "$log" || e="$e; S_AXI_MEM1 -> ic_mem1/S00_AXI missing"
  hp0=$(sed -n 's|^connect_bd_intf_net ic_mem/M00_AXI ps/\([A-Za-z0-9_]*\)$|\1|p' "$log")
  hp1=$(sed -n 's|^connect_bd_intf_net ic_mem1/M00_AXI ps/\([A-Za-z0-9_]*\)$|\1|p' "$log")
  [ "$hp1" = "$hp" ] || e="$e; ic_mem1/M00_AXI -> '${hp1:+ps/}$hp1', not ps/$hp"
  [ "$(grep -c "^connect_bd_intf_net .* ps/$hp\$" "$log")" -le 1 ] || e="$e; ps/$hp is on more than ic_mem1's net"
  [ -n "$hp0" ] && [ "$(ddr_port "$hp0")" != "$(ddr_port "$hp1")" ] ||
    e="$e; S_AXI_MEM's ps/$hp0 and S_AXI_MEM1's ps/$hp1 share a DDR controller port"
  core=$(grep '^connect_bd_net [^ ]* clk ' "$log")
  [ "$(echo "$core" | grep -c .)" = 1 ] || e="$e; not one net on the port clk: $core"
  if [ "$pump" = 2 ]; then
    case "$core" in "connect_bd_net clk_wiz/clk_out1 "*) ;; *) e="$e; the core clock is not clk_wiz/clk_out1: $core" ;; esac
  else
    case "$core" in "connect_bd_net ps/$fclk "*) ;; *) e="$e; the core clock is not ps/$fclk: $core" ;; esac
  fi
  for p in ps/$aclk ps/$aclk0 ic_mem1/ACLK ic_mem1/S00_ACLK ic_mem1/M00_ACLK; do
    case " $core " in *" $p "*) ;; *) e="$e; $p is not on the core clock" ;; esac
  done
  grep -q "^connect_bd_net rst/interconnect_aresetn .* ic_mem1/ARESETN\( \|$\)" "$log" ||
    e="$e; ic_mem1/ARESETN not on rst/interconnect_aresetn"
  grep "^connect_bd_net rst/peripheral_aresetn " "$log" | grep -q " ic_mem1/S00_ARESETN ic_mem1/M00_ARESETN\( \|$\)" ||
    e="$e; ic_mem1's S00/M00_ARESETN not on rst/peripheral_aresetn"
  grep "^set_property -dict .* ps$" "$log" | grep -q " $use 1 " || e="$e; $use is not 1"
  grep "^set_property -dict .* ps$" "$log" | grep -q " $width $axi " || e="$e; $width is not $axi"
  rng0=$(sed -n 's/^assign_bd_address -offset 0x00000000 -range \(0x[0-9A-Fa-f]*\) -target_address_space S_AXI_MEM .*/\1/p' "$log")
  grep -qx "assign_bd_address -offset 0x00000000 -range $rng0 -target_address_space S_AXI_MEM1 ps/$seg -force" "$log" ||
    e="$e; S_AXI_MEM1 not mapped to ps/$seg over [0, ${rng0:-?})"
  echo "$e"
}

# every board with its config and the other configs its board.env names (OTHER_CONFIGS, picked
# by BOARD_CONFIG: ultra96x2 on the Ultra96)
for bce in $(for e in boards/*/board.env; do
               bb=$(basename "$(dirname "$e")")
               ( unset BOARD_CONFIG; . "$e"; echo "$bb:$CONFIG"; for x in ${OTHER_CONFIGS:-}; do echo "$bb:$x"; done )
             done); do
  b=${bce%%:*}
  export BOARD_CONFIG=${bce#*:}
  envf=boards/$b/board.env
  ( . "$envf"; echo "$CONFIG $REGS_ADDR" ) >"$tmp/env" || { bad "$b: board.env"; continue; }
  read -r cfg regs <"$tmp/env"
  vh=build/$cfg/dlvta_isa.vh
  [ -f "$vh" ] || { bad "$b: $vh missing (make gen)"; continue; }

  # 1. thin top: wiring and widths
  #    (with the shared hook-up boards/dlvta_board_hookup.vh it includes)
  verilator --lint-only -Wall -Wno-fatal -Ibuild/"$cfg" -Iboards --top-module "dlvta_$b" rtl/*.v \
    "boards/$b/dlvta_$b.v" "hw/lint/dlvta_${b}_bd.v" >"$tmp/lint" 2>&1
  if grep -q "boards/" "$tmp/lint"; then
    bad "$b: verilator on boards/$b/dlvta_$b.v:"; grep "boards/" "$tmp/lint" | head -n 10
  elif grep -q '^%Error' "$tmp/lint"; then
    echo "note: $b: rtl/ does not elaborate yet, top not checked: $(grep -m1 '^%Error' "$tmp/lint")"
  else ok; fi

  # 2. the .xdc clock is the config's clock
  mhz=$(sed -n 's/^`define DLVTA_CLOCK_MHZ \([0-9]*\).*/\1/p' "$vh")
  period=$(sed -n 's/^create_clock -period \([0-9.]*\).*/\1/p' "boards/$b/dlvta_$b.xdc")
  want=$(awk -v m="$mhz" 'BEGIN { printf "%.3f", 1000 / m }')
  [ "$period" = "$want" ] && ok || bad "$b: xdc period $period ns, config $cfg wants $want ns"

  # 3. Tcl: complete commands; bd.tcl defines the proc the flow calls, with its arguments
  out=$(tclsh <<TCL 2>&1
foreach f {boards/$b/bd.tcl boards/bd_common.tcl hw/vivado_build.tcl} {
  set fh [open \$f]; set t [read \$fh]; close \$fh
  if {![info complete \$t]} { puts "incomplete Tcl in \$f" }
}
source boards/$b/bd.tcl
puts [info args dlvta_board_bd]
TCL
)
  [ "$out" = "name axi_bits clock_mhz regs_addr gemm_pump" ] && ok || bad "$b: Tcl: $out"

  # 4. device-tree overlay compiles and names the register block at board.env's address
  if command -v dtc >/dev/null; then
    dtc -@ -q -I dts -O dtb -o "$tmp/$b.dtbo" "boards/$b/dlvta.dtso" 2>"$tmp/dtc" && ok ||
      bad "$b: dtc: $(cat "$tmp/dtc")"
  else
    echo "note: dtc not installed (device-tree-compiler): overlay not compiled"
  fi
  addr=$(printf '%x' "$regs")
  grep -q "dlvta@$addr {" "boards/$b/dlvta.dtso" && grep -q 'compatible = "generic-uio"' \
    "boards/$b/dlvta.dtso" && ok || bad "$b: dlvta.dtso has no generic-uio node dlvta@$addr"

  # 5. the register block's size in the block design and the overlay is the register map's
  #    (isa/regs.def: 2^DLVTA_REGS_ADDR_BITS bytes)
  rvh=build/$cfg/dlvta_regs.vh
  abits=$(sed -n 's/^`define DLVTA_REGS_ADDR_BITS \([0-9]*\).*/\1/p' "$rvh" 2>/dev/null)
  if [ -z "$abits" ]; then bad "$b: $rvh missing (make gen)"; else
    want=$((1 << abits))
    bd=$(cat "boards/$b/bd.tcl" boards/bd_common.tcl |
      sed -n 's/.*assign_bd_address -offset \$regs_addr -range \(0x[0-9a-fA-F]*\).*/\1/p')
    dts=$(sed -n 's/.*reg = <\(.*\)>;.*/\1/p' "boards/$b/dlvta.dtso" | head -n 1 | awk '{print $NF}')
    [ -n "$bd" ] && [ $((bd)) -eq $want ] && ok || bad "$b: bd.tcl register range '$bd', the register map has $want bytes"
    [ -n "$dts" ] && [ $((dts)) -eq $want ] && ok || bad "$b: dlvta.dtso register size '$dts', the register map has $want bytes"
  fi

  # 6. hw/check_board.sh: the pieces agree
  if hw/check_board.sh "$b" build >"$tmp/cb" 2>&1; then ok; else bad "$b: check_board:"; cat "$tmp/cb"; fi

  # 7. the Tcl flow on the mock of Vivado: outputs next to each other; another version stops it
  #    (the config's AXI width, clock and GEMM pump, as hw/bitstream.sh passes them)
  axi=$(sed -n 's/^`define DLVTA_AXI_BITS \([0-9]*\).*/\1/p' "$vh")
  pump=$(sed -n 's/^`define DLVTA_GEMM_PUMP \([0-9]*\).*/\1/p' "$vh")
  for v in 2022.2 2019.1; do
    o="$tmp/flow_${b}_${cfg}_$v"
    mkdir -p "$o"
    ( . "boards/$b/board.env"
      printf 'set mock_version %s\nsource hw/vivado_mock.tcl\nset argv [list %s %s %s %s {} %s %s %s %s %s 2]\n' \
        "$v" "$root" "$b" "$CONFIG" "$PART" "$o" "$axi" "$mhz" "$pump" "$REGS_ADDR" >"$o/run.tcl"
      # the calls the flow made, written at its exit (mock.log)
      printf 'rename exit mock_exit\nproc exit {args} { set f [open %s/mock.log w]; puts $f [join $::mock_log \\n]; close $f; mock_exit {*}$args }\nsource hw/vivado_build.tcl\n' \
        "$o" >>"$o/run.tcl" )
    tclsh "$o/run.tcl" >"$o/log" 2>&1
    rc=$?
    if [ "$v" = 2022.2 ]; then
      miss=""
      for f in "dlvta_$b.bit" "dlvta_$b.bit.bin" "dlvta_$b.hwh" timing.txt utilization.txt; do
        [ -s "$o/$f" ] || miss="$miss $f"
      done
      [ $rc -eq 0 ] && [ -z "$miss" ] && ok || { bad "$b: mock Vivado flow: status $rc, missing:$miss"; tail -n 5 "$o/log"; }
      # UltraScale+ parts synthesize the multiplies as DSP48E2 slices (rtl/dlvta_dsp.v), as make
      # timing's netlist does; 7-series parts do not
      ( . "boards/$b/board.env"
        want_def=0; case "$PART" in xczu*) want_def=1 ;; esac
        got_def=0; grep -q "set_property verilog_define DLVTA_DSP48E2" "$o/mock.log" 2>/dev/null && got_def=1
        [ $want_def = $got_def ] ) && ok || bad "$b: DLVTA_DSP48E2 defined for Vivado: not as its part asks ($(grep -c verilog_define "$o/mock.log" 2>/dev/null) defines)"
      # the clocks: with gemm_pump 2 a clocking wizard on the PS clock, clk_out1 at its
      # frequency and clk_out2 at twice it; without, none
      if [ "$pump" = 2 ]; then
        clk_checks "$b" "$o/mock.log"
      elif grep -q "clk_wiz\|clk2x" "$o/mock.log"; then
        bad "$b: gemm_pump $pump but the block design has a clocking wizard or clk2x: $(grep -m2 'clk_wiz\|clk2x' "$o/mock.log")"
      else ok; fi
      # the second memory port (dlvta_top's read-only m1_axi_), whatever the config's rd_ports
      e=$(mem1_errs "$b" "$o/mock.log" "$axi" "$pump")
      if [ -z "$e" ]; then ok; else bad "$b: second memory port in the mock's log:${e#;}"; fi
      # the ports' FREQ_HZ: the PS clock's actual frequency, and the check finds a port left at
      # the asked one (Ultra96: 215 MHz asked, 214.286 made)
      e=$(freq_errs "$o/mock.log")
      if [ -z "$e" ]; then ok; else bad "$b: port FREQ_HZ in the mock's log:${e#;}"; fi
      if [ "$b" = ultra96 ]; then
        sed "/ S_AXI_MEM1\$/s/CONFIG.FREQ_HZ [0-9]*/CONFIG.FREQ_HZ $((mhz * 1000000))/" "$o/mock.log" >"$o/mock_badf.log"
        [ -n "$(freq_errs "$o/mock_badf.log")" ] && ok || bad "$b: the FREQ_HZ check missed S_AXI_MEM1 at the asked clock"
      fi
      # ... and the check finds planted defects in that log (one each)
      if [ "$b" = ultra96 ]; then
        n=0
        for d in 's| ps/saxihp1_fpd_aclk||' 's|ps/S_AXI_HP1_FPD$|ps/S_AXI_HP0_FPD|' \
                 's|CONFIG.PSU__SAXIGP3__DATA_WIDTH [0-9]*|CONFIG.PSU__SAXIGP3__DATA_WIDTH 64|' \
                 '/-target_address_space S_AXI_MEM1 /d' 's| ic_mem1/ACLK||'; do
          n=$((n + 1))
          sed "$d" "$o/mock.log" >"$o/mock_bad$n.log"
          [ -n "$(mem1_errs "$b" "$o/mock_bad$n.log" "$axi" "$pump")" ] && ok ||
            bad "$b: second memory port check missed the planted defect '$d'"
        done
      fi
      # a part without DSP48E2 slices (7-series) refuses gemm_pump 2 before it builds anything
      ( . "boards/$b/board.env"; case "$PART" in xczu*) exit 0 ;; esac
        sed 's/^\(set argv .*\) [12] \(0x[0-9A-Fa-f]* 2\]\)$/\1 2 \2/' "$o/run.tcl" >"$o/run2.tcl"
        grep -q ' 2 0x[0-9A-Fa-f]* 2\]$' "$o/run2.tcl" || exit 1
        tclsh "$o/run2.tcl" >"$o/log2" 2>&1 && exit 1
        grep -q "is for DSP48E2 slices" "$o/log2" && ! grep -q "^dlvta: wrote" "$o/log2"
      ) && ok || bad "$b: gemm_pump 2 on a part without DSP48E2 not refused: $(tail -n 3 "$o/log2" 2>/dev/null)"
    else
      [ $rc -eq 2 ] && grep -q "written for Vivado 2022.2; this is Vivado 2019.1" "$o/log" &&
        ! grep -q "create_project" "$o/log" && ok || { bad "$b: Tcl on Vivado 2019.1: status $rc"; cat "$o/log"; }
    fi
  done

  # 8. without vivado the flow stops with a clear message and status 2
  PATH=/usr/bin:/bin hw/bitstream.sh "$b" >"$tmp/bs" 2>&1
  rc=$?
  if [ $rc -eq 2 ] && grep -q "vivado is not on PATH" "$tmp/bs"; then ok
  elif command -v vivado >/dev/null; then echo "note: vivado installed; flow not run by tests"
  else bad "$b: bitstream.sh without vivado: status $rc: $(cat "$tmp/bs")"; fi
done
unset BOARD_CONFIG
# check_board.sh finds planted defects (each one line), in a copy of boards/, hw/lint/, rtl/
P=$tmp/planted_tree
mkdir -p "$P"
cp -r boards "$P/boards" && cp -r hw/lint "$P/lint" && cp -r rtl "$P/rtl"
sed -i 's/input wire M_AXIL_rvalid,/input wire M_AXIL_rvalid_x,/' "$P/lint/dlvta_pynq_bd.v"
sed -i 's/CONFIG.ADDR_WIDTH {12}/CONFIG.ADDR_WIDTH {13}/' "$P/boards/bd_common.tcl"
sed -i '/^source .*bd_common/d' "$P/boards/pynq/bd.tcl"
awk '/^[ \t]*dlvta_top[ \t]/ { on = 1 } on && /\.irq\(/ { sub(/\.irq\([a-z_]*\),?/, "") } { print }' \
  boards/dlvta_board_hookup.vh >"$P/boards/dlvta_board_hookup.vh"
sed -i 's/\.M_AXIL_rready(axil_rready), //' "$P/boards/dlvta_board_hookup.vh"
echo 'module dlvta_spare; endmodule' >"$P/rtl/dlvta_spare.v"
DLVTA_BOARDS_DIR="$P/boards" DLVTA_LINT_DIR="$P/lint" DLVTA_RTL_DIR="$P/rtl" \
  hw/check_board.sh pynq build >"$tmp/planted" 2>&1
rc=$?
for want in "lacks it" "does not make" "ADDR_WIDTH '13'" "does not source bd_common.tcl" "port 'irq' unconnected" "block design's port 'M_AXIL_rready' unconnected" "dlvta_spare.v is not used"; do
  grep -q "$want" "$tmp/planted" && ok || bad "check_board missed a planted defect ('$want'): $(cat "$tmp/planted")"
done
[ $rc -eq 1 ] && ok || bad "check_board with planted defects: status $rc"

# boards/flash.sh (runs on a board) at least parses, and runs the self-test after loading
bash -n boards/flash.sh && grep -q 'selftest --backend zynq --config "$board"' boards/flash.sh && ok ||
  bad "boards/flash.sh: syntax, or no dlvta selftest after loading"

# bitstream.sh: a vivado of another version on PATH stops it before anything is built
mkdir -p "$tmp/bin"
printf '#!/bin/sh\necho "Vivado v2019.1 (64-bit)"\n' >"$tmp/bin/vivado"
chmod +x "$tmp/bin/vivado"
PATH="$tmp/bin:/usr/bin:/bin" hw/bitstream.sh pynq >"$tmp/bs" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "written for Vivado 2022.2" "$tmp/bs" && ok ||
  bad "bitstream.sh with vivado 2019.1: status $rc: $(cat "$tmp/bs")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
