#!/usr/bin/env bash
# tests/cli_selftest.sh -- `dlvta selftest` on fsim and on the Verilated RTL (the verilator
# backend) of every config: every check passes (the deadlock check included: reported, then the
# same open device computes correctly); a device that cannot be opened, an unknown config and bad
# arguments give one FAIL line or a usage error and a non-zero exit. (The zynq backend's run of the
# same checks, on the emulated board, is in tests/test_zynq_rtl.c.)
set -u
D=build/dlvta
. tests/expect.sh

run() { # backend config: every check passes, one line per check
  out=$($D selftest --backend "$1" --config "$2" 2>&1)
  rc=$?
  n=$(echo "$out" | grep -c '^PASS  ')
  if [ $rc -eq 0 ] && [ "$n" -ge 24 ] && ! echo "$out" | grep -q '^FAIL' &&
     echo "$out" | grep -q "^selftest: $n checks, $n passed, 0 failed: PASS$" &&
     echo "$out" | grep -q '^PASS  deadlock_reported' && echo "$out" | grep -q '^PASS  alu_req_imm'; then
    ok
  else
    bad "selftest --backend $1 --config $2 (exit $rc, $n PASS lines):"
    echo "$out" | grep -v '^PASS' | head -n 20
  fi
}

for c in tiny pynq ultra96; do run fsim "$c"; done
if [ -e build/tiny/libtsim.so ]; then
  for c in tiny pynq ultra96; do run verilator "$c"; done
else
  bad "build/tiny/libtsim.so missing (make tsim): the verilator backend's selftest did not run"
fi

# without --config: the first config the device accepts
if $D selftest --backend fsim | grep -q "^selftest: .* 0 failed: PASS$"; then ok; else bad "selftest without --config"; fi

# failures: one FAIL line naming why, exit 1
out=$($D selftest --backend zynq --options sysfs=/nonexistent,devdir=/nonexistent 2>&1)
rc=$?
if [ $rc -eq 1 ] && echo "$out" | grep -q "^FAIL  open_fingerprint .*no UIO device named 'dlvta'" &&
   echo "$out" | grep -q "0 passed, 1 failed: FAIL"; then ok; else bad "zynq without a device: exit $rc: $out"; fi
out=$($D selftest --backend fsim --config nope 2>&1)
if [ $? -eq 1 ] && echo "$out" | grep -q "unknown config 'nope'"; then ok; else bad "unknown config: $out"; fi
$D selftest --config tiny >/dev/null 2>&1
if [ $? -eq 2 ]; then ok; else bad "selftest without --backend should be a usage error"; fi
$D selftest --backend fsim --timeout-ms x >/dev/null 2>&1
if [ $? -eq 2 ]; then ok; else bad "a bad --timeout-ms should be a usage error"; fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
