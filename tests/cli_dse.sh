#!/usr/bin/env bash
# tests/cli_dse.sh -- `dlvta dse`: on a small model (build/models/tiny_cnn) it prints a Pareto
# front and writes a config file that the compiler then accepts and fsim runs; the front is
# ordered (latency up, utilization down); gemm_pump 2 is swept on ultra96 only and halves the
# GEMM's DSPs; a budget that nothing fits, an unknown board, a malformed budget and a missing
# model give clear errors and non-zero exits.
set -u
D=build/dlvta
M=build/models/tiny_cnn
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/expect.sh

out=$($D dse $M/model.onnx --board pynq -o "$T/best.cfg" --name best_tiny --quiet 2>&1); rc=$?
if [ $rc -eq 0 ] && echo "$out" | grep -q "^Pareto front" && echo "$out" | grep -q "written to $T/best.cfg as config 'best_tiny'"; then ok
else bad "dse tiny_cnn: rc=$rc out=$out"; fi
# the front: latency (ms column) non-decreasing, utilization strictly decreasing
if echo "$out" | awk '/^  dse/ { ms = $(NF-6); u = $NF; sub(/%/, "", u); if (n++ && (ms + 0 < pms || u + 0 >= pu)) bad = 1; pms = ms + 0; pu = u + 0 }
                       END { exit !(n >= 1 && !bad) }'; then ok; else bad "front not ordered: $out"; fi
# pynq's DSP48E1 slices run at the core clock: no candidate with gemm_pump 2 (column 3), none in the file
if echo "$out" | awk '/^  dse/ { n++; if ($3 != 1) bad = 1 } END { exit !(n >= 1 && !bad) }' &&
   grep -q "^gemm_pump = 1$" "$T/best.cfg"; then ok; else bad "pynq: a gemm_pump other than 1: $out $(grep gemm_pump "$T/best.cfg")"; fi
if grep -q "^name = best_tiny" "$T/best.cfg" && grep -q "^block_in = " "$T/best.cfg"; then ok; else bad "best.cfg: $(cat "$T/best.cfg")"; fi
# the compiler takes it, and fsim runs the package with it
if $D compile $M/model.onnx -o "$T/m.dlvta" --config "$T/best.cfg" >/dev/null 2>&1; then ok; else bad "compile --config best.cfg"; fi
out=$($D --config-file "$T/best.cfg" run "$T/m.dlvta" --input $M/input.npy --backend fsim 2>&1); rc=$?
if [ $rc -eq 0 ] && echo "$out" | grep -q "best_tiny on fsim"; then ok; else bad "run with best.cfg: rc=$rc out=$out"; fi
# the predicted cycles in the file's header are the compile's
pred=$(sed -n 's/.*predicted \([0-9]*\) cycles.*/\1/p' "$T/best.cfg")
cpred=$($D compile $M/model.onnx -o "$T/m2.dlvta" --config "$T/best.cfg" 2>&1 | sed -n 's/.*predicted \([0-9]*\) cycles, image.*/\1/p')
if [ -n "$pred" ] && [ "$pred" = "$cpred" ]; then ok; else bad "predicted cycles: dse $pred, compile $cpred"; fi
# block_out twice block_in and, on ultra96's DSP48E2 slices, gemm_pump 2 (the GEMM on clk2x, half
# the slices) are swept too: on ultra96 a model of larger layers (build/models/patterns) puts
# 1x32x32 with gemm_pump 2 (ultra96x2's shape) and a 1x8x16 on the front
out=$($D dse build/models/patterns/model.onnx --board ultra96 -o "$T/u96.cfg" --quiet 2>&1); rc=$?
if [ $rc -eq 0 ] && echo "$out" | grep -q "^  dse[0-9]* *1x32x32 *2 " && echo "$out" | grep -q "^  dse[0-9]* *1x8x16 "; then ok
else bad "dse patterns on ultra96: no 1x32x32 pumped / 1x8x16 on the front: rc=$rc out=$out"; fi
# gemm_pump 2 halves the GEMM's slices: 1x16x16 predicted at 128 + 32 + 3 = 163 DSPs with pump 1,
# 64 + 32 + 3 = 99 with pump 2
printf 'name = p1\nbase = ultra96\nblock_in = 16\nblock_out = 16\nwgt_bytes = 131072\ngemm_pump = 1\n' >"$T/p1.cfg"
sed 's/^name = p1/name = p2/; s/^gemm_pump = 1/gemm_pump = 2/' "$T/p1.cfg" >"$T/p2.cfg"
if $D dse --predict "$T/p1.cfg" --board ultra96 | grep -q "GEMM pump 1, .* DSP 163," &&
   $D dse --predict "$T/p2.cfg" --board ultra96 | grep -q "GEMM pump 2, .* DSP 99,"; then ok
else bad "--predict pump 1 / 2: $($D dse --predict "$T/p1.cfg" --board ultra96 2>&1) / $($D dse --predict "$T/p2.cfg" --board ultra96 2>&1)"; fi
if $D compile build/models/patterns/model.onnx -o "$T/u.dlvta" --config "$T/u96.cfg" >/dev/null 2>&1; then ok
else bad "compile --config u96.cfg: $(cat "$T/u96.cfg")"; fi
# model error table
out=$($D dse --model-error 2>&1); rc=$?
if [ $rc -eq 0 ] && echo "$out" | grep -q "^worst error: LUT"; then ok; else bad "--model-error: rc=$rc out=$out"; fi

# the structural models on the built-in configs: pynq 163 DSP, 108.5 BRAM36; tiny 19 DSP; ultra96
# (1x16x32, two accumulator copies) 323 DSP, 137 BRAM36; ultra96x2 (1x32x32, gemm_pump 2) 323 DSP
# (1024 / 4 + 64 + 3), 194 BRAM36 (make synth's / the timing runs' counts, cli/dse_points.def)
if $D dse --predict pynq | grep -q "DSP 163, BRAM36 108.5" && $D dse --predict ultra96 --board ultra96 | grep -q "DSP 323, BRAM36 137.0" &&
   $D dse --predict ultra96x2 --board ultra96 | grep -q "DSP 323, BRAM36 194.0" &&
   $D dse --predict tiny | grep -q "DSP 19, BRAM36 0.5"; then ok
else bad "--predict: $($D dse --predict pynq) / $($D dse --predict ultra96 --board ultra96) / $($D dse --predict ultra96x2 --board ultra96) / $($D dse --predict tiny)"; fi
check_p() { out=$($D dse --predict "$@" 2>&1); rc=$?; }
check_p nosuch; if [ $rc -eq 2 ] && echo "$out" | grep -q "unknown config 'nosuch'"; then ok; else bad "--predict nosuch: $out"; fi

# bad input
check() { # expected rc, expected message, args...
  want=$1 msg=$2; shift 2
  out=$($D dse "$@" 2>&1); rc=$?
  if [ $rc -eq "$want" ] && echo "$out" | grep -qF -- "$msg"; then ok; else bad "dse $*: rc=$rc out=$out (want $want: $msg)"; fi
}
check 2 "unknown board 'zedboard' (boards: pynq, ultra96)" $M/model.onnx --board zedboard
check 2 "--budget: lut=abc is not a positive number" $M/model.onnx --board pynq --budget lut=abc
check 2 "--budget: unknown resource 'luts'" $M/model.onnx --board pynq --budget luts=100
check 2 "--budget: 'dsp' is not KEY=N" $M/model.onnx --board pynq --budget dsp
check 2 "--budget: dsp=-5 is not a positive number" $M/model.onnx --board pynq --budget dsp=-5
check 1 "no config fits the budget" $M/model.onnx --board pynq --budget dsp=20 -o "$T/none.cfg"
check 2 "nosuch.onnx: cannot read the model" "$T/nosuch.onnx" --board pynq
check 2 "usage: dlvta dse" $M/model.onnx
check 2 "--name: config name 'Bad-Name' is not valid" $M/model.onnx --board pynq --name Bad-Name
check 2 "--name: 'pynq' is a built-in config" $M/model.onnx --board pynq --name pynq
echo "not an onnx model" >"$T/bad.onnx"
check 1 "the model compiled for none of the" "$T/bad.onnx" --board pynq -o "$T/none.cfg"
if [ ! -e "$T/none.cfg" ]; then ok; else bad "a failed dse wrote its output"; fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
