#!/usr/bin/env bash
# hw/test_resreport.sh -- tests hw/resreport (the yosys stat parser of `make synth`) on canned
# yosys stat excerpts and a log excerpt in hw/testdata/: totals, device percentages, verdicts,
# memory mapping lines, exit codes. It tests the parser, not the design.
set -u
rr=build/hw/resreport
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
# expect NAME FILE KEY VALUE: the JSON line of KEY in FILE is exactly `"KEY": VALUE`.
expect() {
  local got
  got=$(grep -m1 "^  \"$3\": " "$2" | sed -E "s/^  \"$3\": //; s/,$//")
  if [ "$got" = "$4" ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL $1: $3 expected $4, got '${got}'"; fi
}
# expect_grep NAME FILE PATTERN: FILE has a line matching PATTERN.
expect_grep() {
  if grep -q -- "$3" "$2"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL $1: expected a line matching '$3' in $2:"; cat "$2"; fi
}
expect_rc() {
  if [ "$2" -eq "$3" ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL $1: exit status expected $3, got $2"; fi
}

# 1. flattened xc7 stat that fits: LUT = logic + 4 per RAM32M + 2 per RAM64X1D + SRLs.
$rr --config pynq --part xc7z020 --txt "$tmp/a.txt" --json "$tmp/a.json" --check \
  hw/testdata/stat_pynq.txt
expect_rc pynq_fits $? 0
expect pynq_fits "$tmp/a.json" lut 20164
expect pynq_fits "$tmp/a.json" lut_logic 20000
expect pynq_fits "$tmp/a.json" lut_mem 152
expect pynq_fits "$tmp/a.json" ff 20200
expect pynq_fits "$tmp/a.json" dsp 144
expect pynq_fits "$tmp/a.json" bram36 109.5
expect pynq_fits "$tmp/a.json" fits true
expect pynq_fits "$tmp/a.json" percent '{"lut": 37.9, "ff": 19.0, "dsp": 65.5, "bram36": 78.2}'
expect_grep pynq_fits "$tmp/a.txt" '^verdict: fits'
expect_grep pynq_fits "$tmp/a.txt" '^BRAM36 *109.5 *140 *78.2%'

# 2. hierarchical xcup stat: the "design hierarchy" totals count, not the first module.
$rr --config ultra96 --part xczu3eg --json "$tmp/b.json" --txt "$tmp/b.txt" \
  --log hw/testdata/synth_log.txt hw/testdata/stat_ultra96_hier.txt
expect_rc ultra96_hier $? 0
expect ultra96_hier "$tmp/b.json" lut 432
expect ultra96_hier "$tmp/b.json" ff 1410
expect ultra96_hier "$tmp/b.json" dsp 256
expect ultra96_hier "$tmp/b.json" bram36 121.5
expect ultra96_hier "$tmp/b.json" capacity '{"lut": 70560, "ff": 141120, "dsp": 360, "bram36": 216, "uram": 0}'
expect_grep ultra96_hier "$tmp/b.txt" '^memory dlvta_top.u_load.inp_mem -> block RAM'
expect_grep ultra96_hier "$tmp/b.txt" '^memory dlvta_top.u_fetch.q_load -> LUT RAM'
expect_grep ultra96_hier "$tmp/b.txt" '^note: memory dlvta_top.u_compute.acc_fwd became flip-flops'
expect_grep ultra96_hier "$tmp/b.txt" '^note: yosys `check` reported 3 problems'
expect_grep ultra96_hier "$tmp/b.txt" '^  dlvta_gemm  *x1  *LUT *100  FF *400  DSP  *256 '
expect_grep ultra96_hier "$tmp/b.txt" '^  dlvta_top  *x1  *LUT *0  FF *10 '
expect_grep ultra96_hier "$tmp/b.txt" '^  dlvta_rdma(MaxLogE=8)  *x3  *LUT *12  FF *0  DSP *0  BRAM36 *1.5 '
expect_grep ultra96_hier "$tmp/b.txt" '^  dlvta_fifo#1d67ca  *x4  *LUT *32 '

# 3. over the limit: LUT 94 % and DSP 124 %; --check fails, the report is still written.
$rr --config pynq --part xc7z020 --json "$tmp/c.json" --txt "$tmp/c.txt" --check \
  hw/testdata/stat_pynq_over.txt
expect_rc pynq_over $? 1
expect pynq_over "$tmp/c.json" fits false
expect pynq_over "$tmp/c.json" verdict '"LUT 94.0 % > 90 %, DSP 123.6 % > 90 %"'
expect pynq_over "$tmp/c.json" latch 2
expect_grep pynq_over "$tmp/c.txt" '^note: 272 DSPs > 220 on xc7z020'
expect_grep pynq_over "$tmp/c.txt" '^verdict: DOES NOT FIT'
# the same stat fits under a 130 % limit (the limit is honoured, not hard-coded)
$rr --config pynq --part xc7z020 --limit 130 --txt "$tmp/d.txt" --check \
  hw/testdata/stat_pynq_over.txt
expect_rc pynq_limit $? 0

# 4. bad input: unmapped yosys cells, unknown part, not a stat file.
$rr --config pynq --part xc7z020 --txt "$tmp/e.txt" hw/testdata/stat_unmapped.txt 2>"$tmp/e.err"
expect_rc unmapped $? 2
expect_grep unmapped "$tmp/e.err" 'unmapped cells: \$mul x1'
$rr --config pynq --part xc7a35t --txt "$tmp/f.txt" hw/testdata/stat_pynq.txt 2>/dev/null
expect_rc unknown_part $? 2
$rr --config pynq --part xc7z020 --txt "$tmp/g.txt" hw/testdata/synth_log.txt 2>/dev/null
expect_rc not_stat $? 2

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
