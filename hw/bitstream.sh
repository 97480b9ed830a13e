#!/usr/bin/env bash
# hw/bitstream.sh -- `make bitstream BOARD=<board>`: builds the board's bitstream with Vivado in
# batch mode (hw/vivado_build.tcl + boards/<board>/ + the shared boards/bd_common.tcl and
# boards/dlvta_board_hookup.vh; the config's AXI width, clock and GEMM pump from
# build/<config>/dlvta_isa.vh as its arguments), writing build/<config>/bitstream/
# dlvta_<board>.{bit,bit.bin,hwh}, utilization.txt, timing.txt and vivado.log. First runs
# hw/check_board.sh (RTL file list, generated headers, the top's ports, the block design's
# interface names, clock, Vivado version named: the checks `make test` makes without Vivado);
# then stops with a clear message if vivado is not on PATH or is not the version
# hw/vivado_build.tcl was written for (DLVTA_VIVADO_ANY=1: go on with a warning).
#
#   hw/bitstream.sh BOARD [BUILD_DIR]      (JOBS=N for Vivado's parallel jobs, default 2;
#                                           BOARD_CONFIG=NAME another config of the board,
#                                           its board.env's OTHER_CONFIGS: ultra96x2 on ultra96)
set -eu
board=${1:-}
build=${2:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "$board" ] || [ ! -f "$root/boards/$board/board.env" ]; then
  echo "bitstream: unknown board '$board' (boards: $(cd "$root/boards" && ls -d */ | tr -d / | tr '\n' ' '))" >&2
  exit 2
fi
# shellcheck disable=SC1090
. "$root/boards/$board/board.env"
if ! "$root/hw/check_board.sh" "$board" "$build" >&2; then
  echo "bitstream: the board's pieces disagree (above): fix them before running Vivado." >&2
  exit 1
fi
echo "bitstream: hw/check_board.sh $board: RTL file list, headers, top ports, block design ports agree"
want_ver=$(sed -n 's/^set dlvta_vivado_version \([0-9.]*\).*/\1/p' "$root/hw/vivado_build.tcl")
if ! command -v vivado >/dev/null 2>&1; then
  echo "bitstream: vivado is not on PATH: install Vivado $want_ver and source its" >&2
  echo "settings64.sh, then run 'make bitstream BOARD=$board' again. Nothing was built." >&2
  echo "(The yosys resource check runs without Vivado: make synth-$CONFIG.)" >&2
  exit 2
fi
have_ver=$(vivado -version 2>/dev/null | sed -n 's/^Vivado v\([0-9.]*\).*/\1/p' | head -n 1)
if [ "$have_ver" != "$want_ver" ] && [ "${DLVTA_VIVADO_ANY:-0}" != 1 ]; then
  echo "bitstream: hw/vivado_build.tcl was written for Vivado $want_ver; the vivado on PATH is" >&2
  echo "'${have_ver:-unknown}'. Source Vivado $want_ver's settings64.sh, or set DLVTA_VIVADO_ANY=1" >&2
  echo "to try this one (IP versions and block-design properties may differ). Nothing was built." >&2
  exit 2
fi
vh="$root/$build/$CONFIG/dlvta_isa.vh"
for f in "$vh" "$root/$build/$CONFIG/dlvta_regs.vh"; do
  [ -f "$f" ] || { echo "bitstream: $f missing (make gen)" >&2; exit 2; }
done
axi=$(sed -n 's/^`define DLVTA_AXI_BITS \([0-9]*\).*/\1/p' "$vh")
mhz=$(sed -n 's/^`define DLVTA_CLOCK_MHZ \([0-9]*\).*/\1/p' "$vh")
# 2: the GEMM's DSP slices on clk2x, twice the core clock (the block design adds a clocking wizard)
pump=$(sed -n 's/^`define DLVTA_GEMM_PUMP \([0-9]*\).*/\1/p' "$vh")
[ -n "$pump" ] || { echo "bitstream: $vh has no DLVTA_GEMM_PUMP: stale header (make gen)" >&2; exit 2; }
# the board's .xdc must ask for the config's clock
xdc="$root/boards/$board/dlvta_$board.xdc"
period=$(sed -n 's/^create_clock -period \([0-9.]*\).*/\1/p' "$xdc")
want=$(awk -v m="$mhz" 'BEGIN { printf "%.3f", 1000 / m }')
if [ "$period" != "$want" ]; then
  echo "bitstream: $xdc asks $period ns but config $CONFIG runs at $mhz MHz ($want ns)" >&2
  exit 2
fi
out="$root/$build/$CONFIG/bitstream"
mkdir -p "$out"
gemm=""
[ "$pump" = 2 ] && gemm=" (GEMM on clk2x, twice it)"
echo "bitstream: $board ($PART), config $CONFIG: ${axi}-bit AXI, $mhz MHz$gemm; log $out/vivado.log"
cd "$out"
vivado -mode batch -nojournal -log "$out/vivado.log" -source "$root/hw/vivado_build.tcl" \
  -tclargs "$root" "$board" "$CONFIG" "$PART" "$BOARD_PART" "$out" "$axi" "$mhz" "$pump" \
  "$REGS_ADDR" "${JOBS:-2}"
for f in "dlvta_$board.bit" "dlvta_$board.bit.bin" "dlvta_$board.hwh" timing.txt; do
  if [ ! -f "$out/$f" ]; then
    echo "bitstream: Vivado wrote no $out/$f: see $out/vivado.log" >&2
    exit 1
  fi
done
echo "bitstream: done: $(ls "$out"/dlvta_"$board".* | tr '\n' ' ')"
echo "bitstream: copy them with boards/$board/dlvta.dtso to the board and run boards/flash.sh"
