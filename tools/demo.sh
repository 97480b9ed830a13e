#!/usr/bin/env bash
# tools/demo.sh -- `make demo`: runs the example program on the functional simulator and checks
# its output against the expected bytes.
set -eu
D=build/dlvta
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
echo "== dlvta configs"
$D configs
echo
echo "== examples/matvec_pynq.s on fsim (pynq)"
$D sim examples/matvec_pynq.s --config pynq --dump "$T/image.bin"
got=$(od -An -v -t d1 -j $((0x1c00)) -N 32 "$T/image.bin" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
want=$(cat examples/matvec_pynq.expected)
echo "y = $got"
if [ "$got" = "$want" ]; then echo "matches examples/matvec_pynq.expected"; else echo "MISMATCH: expected $want"; exit 1; fi
