#!/usr/bin/env bash
# tests/test_runtime_build.sh -- the runtime-only build (make runtime, runtime/runtime.mk) as a
# board needs it: build/runtime/dlvta has `run` and no `compile`, links no protobuf-c and no
# compiler or ONNX code, and its build from scratch (make -n into an empty build directory)
# compiles nothing of the compiler and generates no ONNX code; and it runs packages compiled by
# the full build bit for bit as the full build's dlvta does (outputs, cycles, per-layer counters):
# tiny_cnn (accelerator layers) and gen/fallback (CPU fallback nodes through the reference
# executor) on fsim, config tiny.
set -u
D=build/dlvta
R=build/runtime/dlvta
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/expect.sh

[ -x $R ] && [ -x $D ] || { echo "FAIL: $R or $D missing (make runtime all)"; echo "0 passed, 1 failed"; exit 1; }

# the commands: run, sim and the ISA tools; compile is not there
out=$($R --help 2>&1)
if echo "$out" | grep -q '^  run ' && echo "$out" | grep -q '^  sim ' && ! echo "$out" | grep -q 'compile'; then ok; else bad "runtime dlvta --help: $out"; fi
out=$($R compile x.onnx -o x.dlvta 2>&1); rc=$?
if [ $rc -eq 2 ] && echo "$out" | grep -q "unknown command 'compile'"; then ok; else bad "runtime dlvta compile: rc=$rc $out"; fi

# no compiler, protobuf-c or ONNX inside
if ! ldd $R 2>/dev/null | grep -q protobuf; then ok; else bad "$R links protobuf-c"; fi
syms=$(nm $R | grep -E ' [TtDdBbRr] (onnx__|protobuf_c_|cc_compile|cc_net_|cc_pass|lower_)' | head -5)
if [ -z "$syms" ]; then ok; else bad "$R holds compiler symbols: $syms"; fi
# from scratch: nothing of the compiler is compiled and no ONNX code generated
plan=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -n --no-print-directory BUILD="$T/b" runtime 2>&1); rc=$?
if [ $rc -eq 0 ] && echo "$plan" | grep -q 'runtime/runtime.c' && echo "$plan" | grep -q 'ref/ref_nn.c' &&
   ! echo "$plan" | grep -qE 'protoc-c|compiler/|onnx\.pb-c|-lprotobuf-c'; then ok
else bad "make -n runtime into an empty build directory (rc=$rc): $(echo "$plan" | grep -E 'protoc-c|compiler/|onnx|Error' | head -3)"; fi

# the same package, the same bits: outputs and stats (wall times aside) of both binaries
same_run() { # name package input
  $D run "$2" --input "$3" --output "$T/full.npy" --stats "$T/full.json" >"$T/full.txt" 2>&1; rc1=$?
  $R run "$2" --input "$3" --output "$T/rt.npy" --stats "$T/rt.json" >"$T/rt.txt" 2>&1; rc2=$?
  strip() { sed -E 's/"(cpu_ms|wall_ms|host_ms|device_ms|quantize|unpack|transfer|cpu_steps|host_total|device_wait)": [0-9.e+-]+//g; s/wall [0-9.]+ ms//' "$1"; }
  if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && [ -s "$T/full.npy" ] && cmp -s "$T/full.npy" "$T/rt.npy" &&
     [ "$(strip "$T/full.json")" = "$(strip "$T/rt.json")" ] && grep -q '"cycles": [1-9]' "$T/rt.json"; then ok
  else bad "$1: the runtime build's run differs (rc $rc1/$rc2):"; diff <(strip "$T/full.json") <(strip "$T/rt.json") | head -5; cat "$T/rt.txt" | head -3; fi
}
M=build/models
if $D compile $M/tiny_cnn/model.onnx -o "$T/tiny_cnn.dlvta" --config tiny --calib $M/tiny_cnn/calib.npy >"$T/c1.txt" 2>&1; then
  ok; same_run tiny_cnn "$T/tiny_cnn.dlvta" $M/tiny_cnn/input.npy
else bad "compile tiny_cnn: $(tail -2 "$T/c1.txt")"; fi
if $D compile $M/gen/fallback.onnx -o "$T/fallback.dlvta" --config tiny --calib $M/gen/fallback_calib.npy >"$T/c2.txt" 2>&1 &&
   grep -q 'CPU nodes' "$T/c2.txt"; then
  ok; same_run fallback "$T/fallback.dlvta" $M/gen/fallback_input.npy
else bad "compile gen/fallback: $(tail -2 "$T/c2.txt")"; fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
