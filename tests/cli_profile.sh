#!/usr/bin/env bash
# tests/cli_profile.sh -- `dlvta profile`: the trace is valid trace-event JSON (tests/trace_check.py:
# required fields, well-nested spans per track, numeric counters; and the checker rejects a
# badly nested trace), with one span per executed instruction on the load / compute / store
# tracks inside its layer's span, token waits as spans of their own, one layer span and one
# DRAM counter per layer whose cycles add up to `dlvta run`'s; on verilator the layers only;
# the SVG report parses and renders (rsvg-convert, librsvg2-bin); bad input: clear errors.
set -u
D=build/dlvta
M=build/models
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/expect.sh
PY=/usr/bin/python3
CHK=tests/trace_check.py

$D compile $M/gen/mixed.onnx -o "$T/m.dlvta" --config tiny --calib $M/gen/calib.npy >/dev/null ||
  { echo "FAIL: compile mixed"; echo "0 passed, 1 failed"; exit 1; }

out=$($D profile "$T/m.dlvta" --input $M/gen/input.npy -o "$T/t.json" -o "$T/r.svg" 2>&1); rc=$?
if [ $rc -eq 0 ] && [ -s "$T/t.json" ] && [ -s "$T/r.svg" ]; then ok; else bad "profile on fsim: rc=$rc $out"; fi
if $PY $CHK "$T/t.json" >/dev/null; then ok; else bad "trace format: $($PY $CHK "$T/t.json")"; fi
# the checker itself fails on overlapping spans of one track and on a missing field
printf '{"traceEvents": [{"ph": "X", "ts": 0, "dur": 5, "pid": 1, "tid": 1, "name": "a"},
 {"ph": "X", "ts": 3, "dur": 5, "pid": 1, "tid": 1, "name": "b"}]}' >"$T/bad1.json"
printf '{"traceEvents": [{"ph": "X", "ts": 0, "dur": 5, "pid": 1, "name": "a"}]}' >"$T/bad2.json"
if ! $PY $CHK "$T/bad1.json" >/dev/null && ! $PY $CHK "$T/bad2.json" >/dev/null; then ok; else bad "trace_check accepts bad traces"; fi
# contents: as many instruction spans as the summary says, each inside its layer's span; waits;
# layers and counters; the layers' cycles are dlvta run's
cyc=$($D run "$T/m.dlvta" --input $M/gen/input.npy 2>/dev/null | sed -n 's/.*inference(s), \([0-9]*\) accelerator cycles.*/\1/p')
n=$(echo "$out" | sed -n 's/.*, \([0-9]*\) instruction spans/\1/p')
if $PY - "$T/t.json" "$n" "$cyc" <<'PYEOF'; then ok; else bad "trace contents (spans $n, cycles $cyc)"; fi
import json, sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
n, cyc = int(sys.argv[2]), int(sys.argv[3])
names = {e["tid"]: e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"}
assert names == {0: "layers", 1: "load", 2: "compute", 3: "store"}, names
ins = [e for e in ev if e.get("cat") == "insn"]
lay = sorted((e for e in ev if e.get("cat") == "layer"), key=lambda e: e["ts"])
assert len(ins) == n > 0, (len(ins), n)
assert len(lay) == 7 and sum(e["args"]["cycles"] for e in lay) == cyc, [e["args"]["cycles"] for e in lay]
for e in ins:
    L = lay[e["args"]["layer"]]
    assert L["ts"] - 1e-6 <= e["ts"] and e["ts"] + e["dur"] <= L["ts"] + L["dur"] + 1e-6, (e, L)
    assert e["args"]["insn"].split()[0] == e["name"], e
assert {e["tid"] for e in ins} == {1, 2, 3}
assert any(e.get("cat") == "wait" and e["args"]["cycles"] > 0 for e in ev)
cnt = [e for e in ev if e["ph"] == "C"]
assert len(cnt) == 8 and cnt[-1]["args"] == {"read": 0, "written": 0}, cnt
assert [e["args"]["read"] for e in cnt[:7]] == [e["args"]["dram_read_bytes"] for e in lay], cnt
assert any(e["ph"] == "i" and e["name"].startswith("CPU Softmax") for e in ev)
PYEOF
# the report: well-formed SVG with a point and a bar per layer, rendered to PNG
if $PY -c "
import sys, xml.etree.ElementTree as ET
r = ET.parse('$T/r.svg').getroot()
ns = '{http://www.w3.org/2000/svg}'
assert r.tag == ns + 'svg'
assert len(r.findall(ns + 'circle')) == 6, len(r.findall(ns + 'circle'))  # the max pooling has no MACs
" && rsvg-convert "$T/r.svg" -o "$T/r.png" && [ -s "$T/r.png" ]; then ok; else bad "SVG report does not parse or render"; fi
# on the Verilated RTL: layers and counters, no instruction tracks, and it says why
out=$($D profile "$T/m.dlvta" --input $M/gen/input.npy --backend verilator -o "$T/v.json" 2>&1); rc=$?
if [ $rc -eq 0 ] && echo "$out" | grep -q "layers and counters only" && $PY $CHK "$T/v.json" >/dev/null &&
   $PY -c "
import json
ev = json.load(open('$T/v.json'))['traceEvents']
assert not [e for e in ev if e.get('cat') == 'insn'] and len([e for e in ev if e.get('cat') == 'layer']) == 7
"; then ok; else bad "profile on verilator: rc=$rc $out"; fi

chk() { # chk WANT_RC PATTERN DESCRIPTION -- ARGS...
  local want=$1 pat=$2 what=$3; shift 4
  local o r
  o=$($D profile "$@" 2>&1); r=$?
  if [ $r -eq "$want" ] && echo "$o" | grep -q -- "$pat"; then ok; else bad "$what: rc=$r (want $want) $o"; fi
}
chk 2 "usage: dlvta profile" "no -o" -- "$T/m.dlvta" --input $M/gen/input.npy
chk 2 "a trace (.json) or a report (.svg)" "bad output" -- "$T/m.dlvta" --input $M/gen/input.npy -o "$T/x.txt"
chk 2 "profile runs on fsim or verilator" "board backend" -- "$T/m.dlvta" --input $M/gen/input.npy --backend zynq -o "$T/x.json"
chk 1 "input shape mismatch" "input shape" -- "$T/m.dlvta" --input $M/digits/input.npy -o "$T/x.json"
chk 1 "none.dlvta" "missing package" -- "$T/none.dlvta" --input $M/gen/input.npy -o "$T/x.json"
chk 1 "cannot write it" "unwritable output" -- "$T/m.dlvta" --input $M/gen/input.npy -o "$T/no/such/dir/x.json"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
