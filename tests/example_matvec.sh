#!/usr/bin/env bash
# tests/example_matvec.sh -- runs examples/matvec_pynq.s (README) with `dlvta sim` on a backend and
# checks the 32 int8 outputs at image offset 0x1c00 against examples/matvec_pynq.expected.
# `make netlist-sim` runs it as DLVTA_TSIM_VARIANT=netlist tests/example_matvec.sh verilator, on
# the post-synthesis netlist of pynq.
#
#   tests/example_matvec.sh [fsim|verilator]   (default verilator)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
backend=${1:-verilator}
what="matvec_pynq on $backend${DLVTA_TSIM_VARIANT:+ (tsim variant $DLVTA_TSIM_VARIANT)}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! build/dlvta sim examples/matvec_pynq.s --config pynq --backend "$backend" \
     --dump "$tmp/image.bin" >"$tmp/out" 2>&1; then
  echo "FAIL $what: dlvta sim failed:"
  sed 's/^/  /' "$tmp/out" | head -n 20
  echo "0 passed, 1 failed"
  exit 1
fi
got=$(od -An -t d1 -j $((0x1c00)) -N 32 -v "$tmp/image.bin" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
want=$(cat examples/matvec_pynq.expected)
if [ "$got" != "$want" ]; then
  echo "FAIL $what: bytes at 0x1c00"
  echo "  got  $got"
  echo "  want $want"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "$what: $(grep -m1 -i cycles "$tmp/out" | tr -s ' ')"
echo "1 passed, 0 failed"
