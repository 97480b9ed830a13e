#!/usr/bin/env bash
# hw/test_boards.sh -- checks the board flows that can be checked without Vivado, for every
# boards/<board>/: the thin top's wiring of dlvta_top and of the block design's ports (verilator
# lint against hw/lint/dlvta_<board>_bd.v), the .xdc clock against the config's clock, the Tcl
# (complete commands; bd.tcl defines dlvta_board_bd), the device-tree overlay (dtc) and its
# register address against board.env, the register block's size against the register map
# (isa/regs.def), and that `make bitstream` stops cleanly without vivado.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for envf in boards/*/board.env; do
  b=$(basename "$(dirname "$envf")")
  ( . "$envf"; echo "$CONFIG $REGS_ADDR" ) >"$tmp/env" || { bad "$b: board.env"; continue; }
  read -r cfg regs <"$tmp/env"
  vh=build/$cfg/dlvta_isa.vh
  [ -f "$vh" ] || { bad "$b: $vh missing (make gen)"; continue; }

  # 1. thin top: wiring and widths
  verilator --lint-only -Wall -Wno-fatal -Ibuild/"$cfg" --top-module "dlvta_$b" rtl/*.v \
    "boards/$b/dlvta_$b.v" "hw/lint/dlvta_${b}_bd.v" >"$tmp/lint" 2>&1
  if grep -q "boards/$b/" "$tmp/lint"; then
    bad "$b: verilator on boards/$b/dlvta_$b.v:"; grep "boards/$b/" "$tmp/lint" | head -n 10
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
foreach f {boards/$b/bd.tcl hw/vivado_build.tcl} {
  set fh [open \$f]; set t [read \$fh]; close \$fh
  if {![info complete \$t]} { puts "incomplete Tcl in \$f" }
}
source boards/$b/bd.tcl
puts [info args dlvta_board_bd]
TCL
)
  [ "$out" = "name axi_bits clock_mhz regs_addr" ] && ok || bad "$b: Tcl: $out"

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
    bd=$(sed -n 's/.*assign_bd_address -offset \$regs_addr -range \(0x[0-9a-fA-F]*\).*/\1/p' "boards/$b/bd.tcl")
    dts=$(sed -n 's/.*reg = <\(.*\)>;.*/\1/p' "boards/$b/dlvta.dtso" | head -n 1 | awk '{print $NF}')
    [ -n "$bd" ] && [ $((bd)) -eq $want ] && ok || bad "$b: bd.tcl register range '$bd', the register map has $want bytes"
    [ -n "$dts" ] && [ $((dts)) -eq $want ] && ok || bad "$b: dlvta.dtso register size '$dts', the register map has $want bytes"
  fi

  # 6. without vivado the flow stops with a clear message and status 2
  PATH=/usr/bin:/bin hw/bitstream.sh "$b" >"$tmp/bs" 2>&1
  rc=$?
  if [ $rc -eq 2 ] && grep -q "vivado is not on PATH" "$tmp/bs"; then ok
  elif command -v vivado >/dev/null; then echo "note: vivado installed; flow not run by tests"
  else bad "$b: bitstream.sh without vivado: status $rc: $(cat "$tmp/bs")"; fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
