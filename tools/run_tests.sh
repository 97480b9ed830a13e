#!/usr/bin/env bash
# tools/run_tests.sh [-j N] CMD... -- runs test programs and scripts, each of which prints one line
# per failure and ends with "N passed, N failed"; sums them and ends with the same line. A test
# that exits non-zero without failures, or prints no summary, counts as one failure. Each
# argument is a command (quoted if it has arguments). Up to N commands run at once (default: the
# number of CPUs, or $TEST_JOBS); their results are printed in the order given, so the output
# reads the same whatever N is. They start longest first, by the wall times of the previous run
# (build/tests/logs/durations), so that a long test does not start last. Logs:
# build/tests/logs/<index>-<name>.log.
set -u
jobs=${TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
if [ "${1:-}" = "-j" ]; then jobs=$2; shift 2; fi
case "$jobs" in ''|*[!0-9]*|0) echo "run_tests: bad job count '$jobs'" >&2; exit 2 ;; esac
logdir=${TEST_LOG_DIR:-build/tests/logs}  # a second suite at the same time (make test-san) logs elsewhere
mkdir -p "$logdir"
cmds=("$@")
n=${#cmds[@]}
st=$(mktemp -d)
trap 'rm -rf "$st"' EXIT

logname() {  # index, command -> log path
  local name
  name=$(echo "$2" | sed 's|^.*/||; s|[^A-Za-z0-9_.-]|_|g' | cut -c1-80)
  printf '%s/%03d-%s.log' "$logdir" "$1" "$name"
}

run_one() {  # index: runs the command, leaves its exit status and wall time in $st
  local i=$1 start log
  log=$(logname "$i" "${cmds[$i]}")
  start=$(date +%s.%N)
  bash -c "${cmds[$i]}" >"$log" 2>&1
  echo $? >"$st/$i.rc.tmp"
  echo "$(date +%s.%N) - $start" | bc >"$st/$i.secs" 2>/dev/null || echo "?" >"$st/$i.secs"
  mv "$st/$i.rc.tmp" "$st/$i.rc"
}

total_pass=0
total_fail=0
cmds_failed=0
total_progs=0
total_models=0
report() {  # index: folds the finished command's result into the totals and prints its line
  local i=$1 cmd=${cmds[$1]} log rc secs line p f
  log=$(logname "$i" "$cmd")
  rc=$(cat "$st/$i.rc"); secs=$(cat "$st/$i.secs")
  line=$(grep -E '^([A-Za-z_-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  if [ -n "$line" ]; then
    p=$(echo "$line" | sed -E 's/^([A-Za-z_-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2/')
    f=$(echo "$line" | sed -E 's/^([A-Za-z_-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\3/')
  else
    p=0
    f=0
  fi
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  if [ -z "$line" ]; then f=1; echo "    (no \"N passed, N failed\" summary: counted as a failure)" >>"$log"; fi
  total_pass=$((total_pass + p))
  total_fail=$((total_fail + f))
  [ "$f" -ne 0 ] && cmds_failed=$((cmds_failed + 1))
  tested=$(grep -E '^tested: [0-9]+ programs, [0-9]+ models$' "$log" | tail -n 1)
  if [ -n "$tested" ]; then
    total_progs=$((total_progs + $(echo "$tested" | sed -E 's/^tested: ([0-9]+) programs.*/\1/')))
    total_models=$((total_models + $(echo "$tested" | sed -E 's/.*, ([0-9]+) models$/\1/')))
  fi
  printf '%-60s %5s passed %3s failed  %6.1fs\n' "$cmd" "$p" "$f" "$secs" | cut -c1-110
  if [ "$f" -ne 0 ]; then
    grep -iE 'FAIL|error|mismatch|expected' "$log" | head -n 20 | sed 's/^/    /'
    [ "$rc" -ne 0 ] && echo "    (exit $rc; full log: $log)"
  fi
}

# start order: by the previous run's wall time, longest first (unknown commands first of all)
durations=$logdir/durations
order=()
while read -r i; do order+=("$i"); done < <(
  for ((i = 0; i < n; i++)); do
    d=$(awk -F '\t' -v c="${cmds[$i]}" '$1 == c { d = $2 } END { print (d == "" ? 1e9 : d) }' \
        "$durations" 2>/dev/null || echo 1e9)
    printf '%s\t%d\n' "${d:-1e9}" "$i"
  done | sort -t "$(printf '\t')" -k1,1gr -k2,2n | cut -f2)

started=0
next_print=0
running=0
while [ $next_print -lt $n ]; do
  while [ $running -lt "$jobs" ] && [ $started -lt $n ]; do
    run_one "${order[$started]}" &
    started=$((started + 1))
    running=$((running + 1))
  done
  wait -n 2>/dev/null
  running=0
  for ((k = 0; k < started; k++)); do [ -f "$st/${order[$k]}.rc" ] || running=$((running + 1)); done
  while [ $next_print -lt $n ] && [ -f "$st/$next_print.rc" ]; do
    report $next_print
    next_print=$((next_print + 1))
  done
done
# remember this run's wall times for the next one's start order
{
  for ((i = 0; i < n; i++)); do printf '%s\t%s\n' "${cmds[$i]}" "$(cat "$st/$i.secs")"; done
  [ -f "$durations" ] && cat "$durations"
} | awk -F '\t' '!seen[$1]++' > "$durations.tmp" && mv "$durations.tmp" "$durations"
echo "commands: $n run, $((n - cmds_failed)) passed, $cmds_failed failed"
echo "tested: $total_progs programs, $total_models models (as the tests report them)"
echo "checks: $total_pass passed, $total_fail failed"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
