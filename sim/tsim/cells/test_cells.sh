#!/usr/bin/env bash
# sim/tsim/cells/test_cells.sh -- checks the block-RAM models of the netlist simulation
# (sim/tsim/cells/RAMB18E1.v, RAMB36E1.v, xbram_sim.v): each memory of test/mems.v is mapped by
# yosys synth_xilinx (as hw/synth.sh maps the design) to block RAM in another mode, and its
# netlist must give the same read data as the RTL, edge by edge, on random inputs with frequent
# same-address reads and writes, under Icarus (test/tb_mems.v). The other cells are yosys's own
# models here: their X propagation is finer than that of the fast LUT models of sim/tsim/cells/
# (which are for two-state Verilator), and yosys's transparency logic around a block RAM relies on
# it when the RAM reads X on a collision. Prints one line per failure and "N passed, N failed".
#
#   sim/tsim/cells/test_cells.sh
set -u
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cells=$tmp/cells_sim.v
awk '/^module RAMB(18|36)E1 /{skip=1} !skip{print} /^endmodule/{skip=0}' \
  "${YOSYS_SHARE:-/usr/share/yosys}/xilinx/cells_sim.v" >"$cells"
models="sim/tsim/cells/RAMB18E1.v sim/tsim/cells/RAMB36E1.v sim/tsim/cells/xbram_sim.v"
for m in mem_rd_old mem_rd_new mem_bytes mem_tdp mem_wide; do
  net=$tmp/$m.v
  if ! yosys -q -p "read_verilog sim/tsim/cells/test/mems.v; synth_xilinx -family xc7 -top $m -flatten \
        -noiopad -noclkbuf; rename $m ${m}_net; write_verilog -noattr $net" >"$tmp/$m.ys.log" 2>&1; then
    echo "FAIL $m: yosys: $(grep -m1 ERROR "$tmp/$m.ys.log")"
    fail=$((fail + 1))
    continue
  fi
  # what the memory became: its block RAMs' modes and port widths
  modes=$(grep -E '^\s+(RAMB18E1|RAMB36E1|\.RAM_MODE|\.(READ|WRITE)_WIDTH_[AB]|\.WRITE_MODE_A)\b' "$net" |
          sed -E 's/^ *//; s/ #\(//; s/\.//; s/32.s?d//; s/[(),"]+/ /g' | tr -s ' \n' ' ')
  if ! grep -qE '^\s+RAMB(18|36)E1 ' "$net"; then
    echo "FAIL $m: synth_xilinx mapped it to no block RAM: the test checks nothing"
    fail=$((fail + 1))
    continue
  fi
  if ! iverilog -g2005 -o "$tmp/$m.vvp" -DMEM="$m" -DMEM_NET="${m}_net" sim/tsim/cells/test/tb_mems.v \
        sim/tsim/cells/test/mems.v "$net" $models "$cells" >"$tmp/$m.iv.log" 2>&1; then
    echo "FAIL $m: iverilog:"; head -n 5 "$tmp/$m.iv.log" | sed 's/^/  /'
    fail=$((fail + 1))
    continue
  fi
  vvp -n "$tmp/$m.vvp" >"$tmp/$m.out" 2>&1
  if grep -q '^PASS' "$tmp/$m.out"; then
    pass=$((pass + 1))
    echo "$m: $(grep '^PASS' "$tmp/$m.out" | cut -c6-) ($modes)"
  else
    echo "FAIL $m ($modes):"; grep -v '^VCD\|^\$finish' "$tmp/$m.out" | head -n 8 | sed 's/^/  /'
    fail=$((fail + 1))
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
