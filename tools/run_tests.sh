#!/usr/bin/env bash
# tools/run_tests.sh -- runs test programs and scripts, each of which prints one line per failure
# and ends with "N passed, N failed"; sums them and ends with the same line. A test that exits
# non-zero without failures, or prints no summary, counts as one failure. Logs: build/tests/logs/.
# Each argument is a command (quoted if it has arguments).
set -u
logdir=build/tests/logs
mkdir -p "$logdir"
total_pass=0
total_fail=0
for cmd in "$@"; do
  name=$(echo "$cmd" | sed 's|^.*/||; s|[^A-Za-z0-9_.-]|_|g' | cut -c1-80)
  log="$logdir/$name.log"
  start=$(date +%s.%N)
  bash -c "$cmd" >"$log" 2>&1
  rc=$?
  secs=$(echo "$(date +%s.%N) - $start" | bc 2>/dev/null || echo "?")
  line=$(grep -E '^([A-Za-z_-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  if [ -n "$line" ]; then
    p=$(echo "$line" | sed -E 's/^([A-Za-z_-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2/')
    f=$(echo "$line" | sed -E 's/^([A-Za-z_-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\3/')
  else
    p=0
    f=0
  fi
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  if [ -z "$line" ] && [ "$rc" -eq 0 ]; then p=1; fi
  total_pass=$((total_pass + p))
  total_fail=$((total_fail + f))
  printf '%-60s %5s passed %3s failed  %6.1fs\n' "$cmd" "$p" "$f" "$secs" | cut -c1-110
  if [ "$f" -ne 0 ]; then
    grep -iE 'FAIL|error|mismatch|expected' "$log" | head -n 20 | sed 's/^/    /'
    [ "$rc" -ne 0 ] && echo "    (exit $rc; full log: $log)"
  fi
done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
