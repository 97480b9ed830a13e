#!/usr/bin/env bash
# tests/test_run_tests.sh -- the test runner's counting (tools/run_tests.sh): summaries are summed,
# a command without a "N passed, N failed" summary is a failure whatever its exit status, a
# non-zero exit without failures counts as one failure, and the runner's own exit status follows;
# commands, programs and models ("tested:" lines) and checks are counted separately.
set -u
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/expect.sh
R="$PWD/tools/run_tests.sh"

run() {  # commands... -> the runner's last line; its exit status in $rc
  out=$(cd "$T" && "$R" -j 2 "$@" 2>&1); rc=$?
  last=$(echo "$out" | tail -n 1)
}
run "echo '3 passed, 0 failed'" "echo 'x: 2 passed, 0 failed'"
if [ $rc -eq 0 ] && [ "$last" = "5 passed, 0 failed" ]; then ok; else bad "sum: rc=$rc last=$last"; fi
run "echo '3 passed, 0 failed'" "echo no summary here"
if [ $rc -ne 0 ] && [ "$last" = "3 passed, 1 failed" ]; then ok; else bad "no summary, exit 0: rc=$rc last=$last"; fi
run "echo '4 passed, 0 failed'; exit 3"
if [ $rc -ne 0 ] && [ "$last" = "4 passed, 1 failed" ]; then ok; else bad "exit 3 without failures: rc=$rc last=$last"; fi
run "echo '1 passed, 2 failed'; exit 1"
if [ $rc -ne 0 ] && [ "$last" = "1 passed, 2 failed" ]; then ok; else bad "failures counted once: rc=$rc last=$last"; fi
run "true"
if [ $rc -ne 0 ] && [ "$last" = "0 passed, 1 failed" ] && echo "$out" | grep -q "true"; then ok; else bad "silent command: rc=$rc last=$last"; fi
run "echo 'tested: 7 programs, 2 models'; echo '3 passed, 0 failed'" "echo 'tested: 5 programs, 0 models'; echo '1 passed, 1 failed'" "echo '2 passed, 0 failed'"
if [ $rc -ne 0 ] && [ "$last" = "6 passed, 1 failed" ] &&
   echo "$out" | grep -qx "commands: 3 run, 2 passed, 1 failed" &&
   echo "$out" | grep -q "^tested: 12 programs, 2 models (" &&
   echo "$out" | grep -qx "checks: 6 passed, 1 failed"; then ok; else bad "separate counts: rc=$rc out=$out"; fi
out=$(cd "$T" && "$R" -j 0 true 2>&1); rc=$?
if [ $rc -eq 2 ] && echo "$out" | grep -q "bad job count"; then ok; else bad "-j 0: rc=$rc out=$out"; fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
