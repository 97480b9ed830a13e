#!/usr/bin/env bash
# hw/check_board.sh -- the checks `make bitstream BOARD=<board>` makes before it calls Vivado, and
# that `make test` makes without Vivado (hw/test_boards.sh): that the pieces the Vivado flow puts
# together agree.
#   1. RTL file list: hw/vivado_build.tcl adds rtl/*.v; every one is rtl/dlvta_<x>.v holding one
#      module dlvta_<x>; every dlvta_* module instantiated (rtl/, the board top) has its file
#      (the block design's dlvta_<board>_bd excepted); every rtl/ module is reached from dlvta_top.
#   2. Generated headers: build/<config>/dlvta_isa.vh and dlvta_regs.vh are what isagen and regsgen
#      write from isa/*.def now (a stale header would build a bitstream of another ISA or map).
#   3. The top's ports: the board top's instance of dlvta_top connects every port of
#      rtl/dlvta_top.v by name, and no other.
#   The board top is read as the tools read it: preprocessed (verilator -E, include path
#   build/<config> and boards/), so the shared hook-up boards/dlvta_board_hookup.vh (dlvta_top's
#   instance, the nets, `DLVTA_BD_PORTS) is checked in each board top that includes it.
#   4. The block design's interface names: the ports boards/<board>/bd.tcl and the shared
#      boards/bd_common.tcl (which bd.tcl must source) create (plain and interface ports) are exactly the ports of its lint stub hw/lint/dlvta_<board>_bd.v
#      (interface NAME as NAME_<signal>, the signals its PROTOCOL and HAS_* settings give;
#      S_AXI_MEM1, the second memory port, when bd.tcl names a mem1_slave); the
#      register interface's ADDR_WIDTH is the register map's DLVTA_REGS_ADDR_BITS; the interrupt
#      port exists and the board top drives it from dlvta_top's irq.
#   5. The .xdc clock is the config's clock.
#   6. hw/vivado_build.tcl names the Vivado version it was written for.
#
#   hw/check_board.sh BOARD [BUILD_DIR]    exit 0 if all agree; else one line per disagreement, 1
# Environment (for tests): DLVTA_BOARDS_DIR (default boards), DLVTA_LINT_DIR (default hw/lint),
# DLVTA_RTL_DIR (default rtl).
set -u
board=${1:-}
build=${2:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bdir=${DLVTA_BOARDS_DIR:-boards}/$board
ldir=${DLVTA_LINT_DIR:-hw/lint}
rdir=${DLVTA_RTL_DIR:-rtl}
nbad=0
bad() { nbad=$((nbad + 1)); echo "check_board: $board: $*"; }
if [ -z "$board" ] || [ ! -f "$bdir/board.env" ]; then
  echo "check_board: unknown board '$board' (no $bdir/board.env)" >&2
  exit 2
fi
cfg=$( . "$bdir/board.env"; echo "$CONFIG")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
top="$bdir/dlvta_$board.v"
bdtcl="$bdir/bd.tcl"
common="$(dirname "$bdir")/bd_common.tcl"
stub="$ldir/dlvta_${board}_bd.v"
for f in "$top" "$bdtcl" "$common" "$stub" "$bdir/dlvta_$board.xdc"; do
  [ -f "$f" ] || { echo "check_board: $board: $f missing"; exit 1; }
done
# the block design is bd.tcl with the shared part it sources: the checks read both
grep -q '^source .*bd_common\.tcl' "$bdtcl" || bad "$bdtcl does not source bd_common.tcl (the ports, nets and addresses)"
tcl="$tmp/bd_all.tcl"
cat "$bdtcl" "$common" >"$tcl"

# the board top as Vivado reads it: includes (the shared hook-up) and macros expanded
ptop="$tmp/top_pp.v"
if ! command -v verilator >/dev/null 2>&1; then
  echo "check_board: $board: verilator not found (tools/deps.sh): it preprocesses $top"; exit 1
fi
verilator -E -P -I"$build/$cfg" -I"$(dirname "$bdir")" "$top" >"$ptop" 2>"$tmp/pp_err" ||
  bad "$top does not preprocess (include path $build/$cfg, $(dirname "$bdir")): $(head -n 3 "$tmp/pp_err")"

# ---- 1. RTL file list ----
: >"$tmp/defined"
for f in "$rdir"/*.v; do
  base=$(basename "$f" .v)
  mods=$(sed -n 's/^[[:space:]]*module[[:space:]]\{1,\}\([A-Za-z0-9_]*\).*/\1/p' "$f")
  case "$base" in dlvta_*) ;; *) bad "$f: rtl/ files must be dlvta_<unit>.v (Vivado adds every rtl/*.v)";; esac
  [ "$mods" = "$base" ] || bad "$f: holds module(s) '$(echo $mods)', expected exactly '$base'"
  echo "$base" >>"$tmp/defined"
done
# instantiations: "dlvta_x u_y (" or "dlvta_x #(" at the start of a line
inst() { sed -n 's/^[[:space:]]*\(dlvta_[A-Za-z0-9_]*\)[[:space:]]\{1,\}\(#\|[A-Za-z_][A-Za-z0-9_]*[[:space:]]*(\).*/\1/p' "$@" | sort -u; }
for m in $(inst "$rdir"/*.v "$ptop"); do
  [ "$m" = "dlvta_${board}_bd" ] && continue
  grep -qx "$m" "$tmp/defined" || bad "module $m is instantiated but no $rdir/$m.v defines it"
done
echo dlvta_top >"$tmp/reached"
for _ in 1 2 3 4 5 6; do
  for m in $(cat "$tmp/reached"); do [ -f "$rdir/$m.v" ] && inst "$rdir/$m.v"; done >>"$tmp/reached"
  sort -u -o "$tmp/reached" "$tmp/reached"
done
for m in $(cat "$tmp/defined"); do
  grep -qx "$m" "$tmp/reached" || bad "$rdir/$m.v is not used under dlvta_top (Vivado would still add it)"
done

# ---- 2. generated headers ----
if [ ! -x "$build/isagen" ] || [ ! -x "$build/regsgen" ]; then
  bad "$build/isagen or $build/regsgen missing (make gen)"
else
  "$build/isagen" "$cfg" "$tmp" >/dev/null 2>&1 || bad "isagen $cfg failed"
  "$build/regsgen" vh "$tmp/dlvta_regs.vh" >/dev/null 2>&1 || bad "regsgen vh failed"
  for h in dlvta_isa.vh dlvta_regs.vh; do
    if [ ! -f "$build/$cfg/$h" ]; then bad "$build/$cfg/$h missing (make gen)"
    elif ! cmp -s "$tmp/$h" "$build/$cfg/$h"; then
      bad "$build/$cfg/$h is stale: isa/*.def changed since it was written (make gen)"
    fi
  done
fi
vh=$build/$cfg/dlvta_isa.vh
rvh=$build/$cfg/dlvta_regs.vh

# ---- 3. the top's ports ----
ports() { # the ANSI port names of module $2 in file $1
  awk -v m="$2" '
    $0 ~ "^[ \t]*module[ \t]+" m "([ \t(#]|$)" { on = 1 }
    on && /\);/ && !/parameter/ && seen { exit }
    on && /^[ \t]*(input|output|inout)[ \t]/ {
      seen = 1; line = $0; sub(/\/\/.*/, "", line); gsub(/,/, " ", line)
      n = split(line, w, /[ \t]+/); for (i = n; i > 0; i--) if (w[i] != "") { print w[i]; break }
    }' "$1" | sort -u
}
conns() { # the .name( connections of the instance of module $2 in file $1
  awk -v m="$2" '
    $0 ~ "^[ \t]*" m "[ \t]" { on = 1 }
    on { line = $0; while (match(line, /\.[A-Za-z_][A-Za-z0-9_]*[ \t]*\(/)) {
           s = substr(line, RSTART + 1, RLENGTH - 1); sub(/[ \t]*\($/, "", s); print s
           line = substr(line, RSTART + RLENGTH) } }
    on && /\);/ { exit }' "$1" | sort -u
}
# dlvta_top's ports as the config's headers make them (`ifdef DLVTA_GEMM_2X: clk2x)
verilator -E -P -I"$build/$cfg" "$rdir/dlvta_top.v" >"$tmp/top_rtl_pp.v" 2>/dev/null ||
  bad "$rdir/dlvta_top.v does not preprocess (include path $build/$cfg)"
ports "$tmp/top_rtl_pp.v" dlvta_top >"$tmp/top_ports"
conns "$ptop" dlvta_top >"$tmp/top_conns"
[ -s "$tmp/top_ports" ] || bad "no ports found for dlvta_top in $rdir/dlvta_top.v"
for p in $(comm -23 "$tmp/top_ports" "$tmp/top_conns"); do bad "$top leaves dlvta_top's port '$p' unconnected"; done
for p in $(comm -13 "$tmp/top_ports" "$tmp/top_conns"); do bad "$top connects '$p', which dlvta_top does not have"; done

# ---- 4. the block design's interface names ----
sed -n 's/.*create_bd_port .* \([A-Za-z_][A-Za-z0-9_]*\)\].*/\1/p' "$tcl" | sort -u >"$tmp/bd_plain"
sed -n 's/.*create_bd_intf_port .* \([A-Za-z_][A-Za-z0-9_]*\)\]\{0,1\}[[:space:]]*$/\1/p' "$tcl" | sort -u >"$tmp/bd_intf"
# the shared Tcl makes S_AXI_MEM1 only for a board whose bd.tcl names a second memory slave
grep -q '^[^#]*mem1_slave[[:space:]]\{1,\}[A-Za-z]' "$bdtcl" || sed -i '/^S_AXI_MEM1$/d' "$tmp/bd_intf"
# the stub's ports and the Tcl's as the config makes them: clk2x with DLVTA_GEMM_2X only
verilator -E -P -I"$build/$cfg" "$stub" >"$tmp/stub_pp.v" 2>/dev/null ||
  bad "$stub does not preprocess (include path $build/$cfg)"
ports "$tmp/stub_pp.v" "dlvta_${board}_bd" >"$tmp/stub"
grep -q '^`define DLVTA_GEMM_2X' "$build/$cfg/dlvta_isa.vh" 2>/dev/null || sed -i '/^clk2x$/d' "$tmp/bd_plain"
# the signals each AXI interface port has, from its PROTOCOL and HAS_* settings in bd.tcl
axi_sigs() { # NAME: prints NAME_<signal> for the interface port NAME's settings
  local var set proto
  var=$(sed -n "s/.*set \([a-z_]*\) \[create_bd_intf_port .* $1\].*/\1/p" "$tcl")
  set=$(awk -v v="\$$var" 'index($0, "set_property") { on = 1; buf = "" } on { buf = buf $0 }
        on && index($0, v) && /\]/ { print buf; on = 0 } on && !/\\$/ { on = 0 }' "$tcl" | tr -s ' ')
  proto=$(echo "$set" | sed -n 's/.*CONFIG.PROTOCOL {\([A-Z0-9]*\)}.*/\1/p')
  local s="awaddr awvalid awready wdata wstrb wvalid wready bresp bvalid bready araddr arvalid arready rdata rresp rvalid rready"
  if [ "$proto" = AXI4 ]; then
    s="$s awlen awsize awburst wlast arlen arsize arburst rlast"
    for x in cache lock prot qos region; do
      X=$(echo "$x" | tr a-z A-Z)
      echo "$set" | grep -q "CONFIG.HAS_$X {1}" && s="$s aw$x ar$x"
    done
  elif [ "$proto" = AXI4LITE ]; then
    echo "$set" | grep -q "CONFIG.HAS_PROT {1}" && s="$s awprot arprot"
  else
    echo "?"; return
  fi
  for x in $s; do echo "$1_$x"; done
}
: >"$tmp/bd_sigs"
cat "$tmp/bd_plain" >>"$tmp/bd_sigs"
for i in $(cat "$tmp/bd_intf"); do
  case "$i" in
    DDR|FIXED_IO) grep "^${i}_" "$tmp/stub" >>"$tmp/bd_sigs" || bad "stub $stub has no ${i}_* ports for bd port $i";;
    *) sigs=$(axi_sigs "$i")
       if [ "$sigs" = "?" ]; then bad "bd.tcl: interface port $i has no PROTOCOL AXI4 or AXI4LITE"
       else echo "$sigs" >>"$tmp/bd_sigs"; fi;;
  esac
done
sort -u -o "$tmp/bd_sigs" "$tmp/bd_sigs"
for p in $(comm -23 "$tmp/bd_sigs" "$tmp/stub"); do bad "bd.tcl makes port '$p' but $stub (the wrapper Vivado writes) lacks it"; done
for p in $(comm -13 "$tmp/bd_sigs" "$tmp/stub"); do bad "$stub has port '$p' that bd.tcl does not make"; done
conns "$ptop" "dlvta_${board}_bd" >"$tmp/bd_conns"
for p in $(comm -23 "$tmp/stub" "$tmp/bd_conns"); do bad "$top leaves the block design's port '$p' unconnected"; done
if [ -f "$rvh" ]; then
  abits=$(sed -n 's/^`define DLVTA_REGS_ADDR_BITS \([0-9]*\).*/\1/p' "$rvh")
  bda=$(grep -A2 "create_bd_intf_port .* M_AXIL\]" "$tcl" | sed -n 's/.*CONFIG.ADDR_WIDTH {\([0-9]*\)}.*/\1/p' | head -n 1)
  [ "$bda" = "$abits" ] || bad "bd.tcl: M_AXIL ADDR_WIDTH '$bda', the register map has DLVTA_REGS_ADDR_BITS $abits"
else
  bad "$rvh missing (make gen)"
fi
grep -qx irq "$tmp/bd_plain" || bad "bd.tcl makes no 'irq' port: the accelerator's interrupt would not reach the PS"
grep -q "create_bd_port -dir I -type intr irq" "$tcl" || bad "bd.tcl: irq is not an input interrupt port"
grep -q "connect_bd_net \$irq" "$tcl" || bad "bd.tcl: the irq port is not connected to the PS"
irq_net=$(awk '/^[ \t]*dlvta_top[ \t]/ { on = 1 } on { print } on && /\);/ { exit }' "$ptop" |
  sed -n 's/.*\.irq[[:space:]]*(\([A-Za-z0-9_]*\)).*/\1/p')
bd_irq=$(awk -v m="dlvta_${board}_bd" '$0 ~ "^[ \t]*" m "[ \t]" { on = 1 } on { print } on && /\);/ { exit }' "$ptop" |
  sed -n 's/.*\.irq[[:space:]]*(\([A-Za-z0-9_]*\)).*/\1/p')
[ -n "$irq_net" ] && [ "$irq_net" = "$bd_irq" ] ||
  bad "$top: dlvta_top's irq ('$irq_net') does not drive the block design's irq ('$bd_irq')"

# ---- 5. the clock ----
if [ -f "$vh" ]; then
  mhz=$(sed -n 's/^`define DLVTA_CLOCK_MHZ \([0-9]*\).*/\1/p' "$vh")
  period=$(sed -n 's/^create_clock -period \([0-9.]*\).*/\1/p' "$bdir/dlvta_$board.xdc")
  want=$(awk -v m="$mhz" 'BEGIN { printf "%.3f", 1000 / m }')
  [ "$period" = "$want" ] || bad "$bdir/dlvta_$board.xdc asks $period ns but config $cfg runs at $mhz MHz ($want ns)"
fi

# ---- 6. the Vivado version ----
ver=$(sed -n 's/^set dlvta_vivado_version \([0-9.]*\).*/\1/p' hw/vivado_build.tcl)
[ -n "$ver" ] || bad "hw/vivado_build.tcl does not name the Vivado version it was written for (set dlvta_vivado_version)"

[ $nbad -eq 0 ] || exit 1
exit 0
