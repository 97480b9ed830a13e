# tests/expect.sh -- sourced by the shell tests that check a command's exit status and output
# (`. tests/expect.sh` from the top of the tree): pass / fail counters, ok, bad, expect.
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# expect RC WORDS CMD...: exit status RC (nz: any non-zero) and WORDS in the output
expect() {
  local want=$1 words=$2
  shift 2
  out=$("$@" 2>&1)
  rc=$?
  if { [ "$want" = nz ] && [ $rc -ne 0 ] || [ "$want" = "$rc" ]; } && echo "$out" | grep -qF -- "$words"; then ok
  else bad "$* (exit $rc, want $want and '$words'): $out"; fi
}
