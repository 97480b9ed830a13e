#!/usr/bin/env bash
# hw/test_sta.sh -- tests hw/sta (the timing analysis of `make timing`) on small hand-written
# netlists in hw/testdata/sta_*.json whose longest paths are worked out below from the arcs of
# hw/TIMING.md, and on canned yosys `sta` output (hw/testdata/ysta_*.txt): CARRY4 and MUXF7/8
# arcs, dedicated (unrouted) connections, routing by fanout, block-RAM and DSP clock-to-out and
# setup, several endpoints in order, the xcup model (CARRY8), verdicts and exit codes, bad input,
# two clocks (clk and clk2x, a pumped DSP48E2).
set -u
sta=build/hw/sta
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
# expect_path NAME FILE N PATTERN: the N-th entry of "paths" (1-based) matches PATTERN.
expect_path() {
  local got
  got=$(sed -n '/^  "paths": \[/,/^  \]/p' "$2" | sed -n "$(($3 + 1))p")
  if echo "$got" | grep -q -- "$4"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL $1: path $3 expected to match '$4', got '${got}'"; fi
}
expect_grep() {
  if grep -q -- "$3" "$2"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL $1: expected a line matching '$3' in $2"; fi
}
expect_rc() {
  if [ "$2" -eq "$3" ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL $1: exit status expected $3, got $2"; fi
}
run() { # run NAME FAMILY MHZ TOP NETLIST [more args]: report in $tmp/NAME.{txt,json}
  local name=$1 family=$2 mhz=$3 top=$4 net=$5
  shift 5
  $sta --config "$name" --family "$family" --mhz "$mhz" --top "$top" --txt "$tmp/$name.txt" \
    --json "$tmp/$name.json" "$@" "hw/testdata/$net" 2>"$tmp/$name.err"
}

# 1. CARRY4 arcs: FDRE C->Q 303 + LUT6 I0 642 + CARRY4 S0->CO3 508 + CARRY4 CI->O3 313 + D setup 0
#    = 1766 ps of cells; routing 400 into the LUT and 400 into the FF (fanout 1), none on
#    LUT->S and CO3->CI (dedicated), uncertainty 150: 2716 ps, 368.2 MHz.
run carry xc7 100 t_carry sta_carry.json
expect_rc carry $? 0
expect carry "$tmp/carry.json" worst_cell_ns 1.766
expect carry "$tmp/carry.json" worst_levels 3
expect carry "$tmp/carry.json" worst_ns 2.716
expect carry "$tmp/carry.json" est_fmax_mhz 368.2
expect carry "$tmp/carry.json" meets true
expect_path carry "$tmp/carry.json" 1 '"start": "a_q", "end": "sum_q", "levels": 3, "delay_ns": 2.716, .*"cells": "FDRE LUT6 CARRY4 CARRY4 FDRE.D"'
# the net each of the three cells drives, in order (named by netnames where the netlist has one)
expect_path carry "$tmp/carry.json" 1 '"cells": "FDRE LUT6 CARRY4 CARRY4 FDRE.D", "nets": "[^ "][^ "]* [^ "][^ "]* [^ "][^ "]*"}'
# the same netlist at 500 MHz misses: 2.716 ns > 2 ns (and logic 1.766 > 1 ns); exit 1
run carry500 xc7 500 t_carry sta_carry.json
expect_rc carry500 $? 1
expect carry500 "$tmp/carry500.json" meets false
expect_grep carry500 "$tmp/carry500.txt" '^verdict: MISSES 500 MHz: estimate 2.72 ns > 2.00 ns, logic 1.77 ns > 1.00 ns$'

# 2. MUXF7/8 arcs: the select net has fanout 3 (route 400 + 100 * log2 3 = 558). Cells: 303 +
#    LUT6 I5 127 + MUXF7 I1 223 + MUXF8 I0 104 + the slice output mux BMUX 192 as the F8 leaves the
#    slice (none on LUT -> F7 -> F8) = 949; with routing 303+558+127+223+104+192+400 (into the
#    FF)+150 = 2057 (beats S -> O: 303+558+296+...).
run muxf xc7 100 t_muxf sta_muxf.json
expect_rc muxf $? 0
expect muxf "$tmp/muxf.json" worst_cell_ns 0.949
expect muxf "$tmp/muxf.json" worst_ns 2.057
expect_path muxf "$tmp/muxf.json" 1 '"levels": 3, "delay_ns": 2.057, "cell_ns": 0.949, "route_ns": 1.108, "cells": "FDRE LUT6 MUXF7 MUXF8 FDRE.D"'

# 3. block RAM and DSP: four endpoints, worst first.
#    RAMB36E1 DOADO (2454, no DOA_REG) -> DSP48E1 A with PREG only (setup 2739): 5193 + 400 + 150
#    RAMB36E1 DOBDO 2454 -> LUT2 I0 238 -> RAMB36E1 DIADI (setup 737): 3429 + 800 + 150
#    DSP48E1 PCOUT (PREG: 435) -> DSP48E1 PCIN->P 1107 (cascade, unrouted) -> FF: 1542 + 400 + 150
#    DSP48E1 P (PREG: 329) -> FF: 329 + 400 + 150
run bram_dsp xc7 100 t_bram_dsp sta_bram_dsp.json
expect_rc bram_dsp $? 1   # the 5.19 ns of logic is over half of 10 ns
expect bram_dsp "$tmp/bram_dsp.json" worst_cell_ns 5.193
expect bram_dsp "$tmp/bram_dsp.json" endpoints 4
expect bram_dsp "$tmp/bram_dsp.json" endpoints_logic_over_half 1
expect_path bram_dsp "$tmp/bram_dsp.json" 1 '"start": "ram (RAMB36E1.DOADO\[0\])", "end": "mac1 (DSP48E1.A\[0\])", "levels": 0, "delay_ns": 5.743,'
expect_path bram_dsp "$tmp/bram_dsp.json" 2 '"end": "ram (RAMB36E1.DIADI\[0\])", "levels": 1, "delay_ns": 4.379, .*"RAMB36E1 LUT2 RAMB36E1.DIADI"'
expect_path bram_dsp "$tmp/bram_dsp.json" 3 '"start": "mac1 (DSP48E1.PCOUT\[0\])", "end": "p2_q", "levels": 1, "delay_ns": 2.092,'
expect_path bram_dsp "$tmp/bram_dsp.json" 4 '"start": "mac1 (DSP48E1.P\[0\])", "end": "p1_q", "levels": 0, "delay_ns": 0.879,'
# --paths limits the list
run bram_dsp2 xc7 100 t_bram_dsp sta_bram_dsp.json --paths 2
expect_path bram_dsp2 "$tmp/bram_dsp2.json" 3 '^  \]'
# a register inside a DSP slice: mac1 with its A register (AREG=1; PREG=1, no MREG) has a stage
# A2 -> P inside the slice, checked against the period (no routing): A's setup to P without a
# register on the way (2739) + the register's clock-to-out (700) = 3.439 ns; none without AREG
run bram_dsp0 xc7 100 t_bram_dsp sta_bram_dsp.json
expect bram_dsp0 "$tmp/bram_dsp0.json" dsp_internal_ns 0.000
sed 's/"AREG": "00000000000000000000000000000000"/"AREG": "00000000000000000000000000000001"/' \
  hw/testdata/sta_bram_dsp.json >"$tmp/sta_areg.json"
$sta --config areg --family xc7 --mhz 300 --top t_bram_dsp --txt "$tmp/areg.txt" --json "$tmp/areg.json" \
  "$tmp/sta_areg.json" 2>"$tmp/areg.err"
expect_rc areg $? 1
expect areg "$tmp/areg.json" dsp_internal_ns 3.439
expect_grep areg "$tmp/areg.txt" 'inside a DSP slice 3.44 ns > 3.33 ns'

# 4. xcup: scaled flip-flop (303 * 0.35 -> 107) and LUT (642 * 0.3 -> 193), CARRY8 S0->CO7 250,
#    D setup 50: 600 ps; routing 300 + 300, uncertainty 100: 1300 ps. Ports count as registered:
#    in_i launches at 107, LUT1 39, out_o setup 50: 196 ps + 300 + 300 + 100.
run carry8 xcup 250 t_carry8 sta_carry8.json
expect_rc carry8 $? 0
expect carry8 "$tmp/carry8.json" worst_cell_ns 0.600
expect carry8 "$tmp/carry8.json" worst_ns 1.300
expect_path carry8 "$tmp/carry8.json" 2 '"start": "in_i (input)", "end": "out_o\[0\] (output)", "levels": 1, "delay_ns": 0.896,'

# 5. yosys sta output carried into the report (canned: the ALU lane of pynq, both variants)
run ysta xc7 100 t_carry sta_carry.json --sta-plain hw/testdata/ysta_plain.txt \
  --sta-nocarry hw/testdata/ysta_nocarry.txt
expect_rc ysta $? 1
expect_grep ysta "$tmp/ysta.json" '"yosys_sta_plain": {"worst_ns": 7.725, "levels": 10, "recognised_endpoint": false,'
expect_grep ysta "$tmp/ysta.json" '"yosys_sta_nocarry": {"worst_ns": 15.473, "levels": 28, "recognised_endpoint": true,'
expect_grep ysta "$tmp/ysta.json" '"cells": "LUT3.I0->O LUT3.I0->O DSP48E1.B->PCOUT DSP48E1.PCIN->P LUT6.I0->O'
expect_grep ysta "$tmp/ysta.txt" '^  nocarry   15.47 ns  28 levels  (limit 10.00 ns)'
# on xc7 yosys's figures are part of the verdict: plain 7.72 > 5 ns, nocarry 15.47 > 10 ns
expect ysta "$tmp/ysta.json" meets false
expect_grep ysta "$tmp/ysta.txt" '^verdict: MISSES 100 MHz: yosys sta plain 7.72 ns > 5.00 ns, yosys sta nocarry 15.47 ns > 10.00 ns$'
# on xcup they are reported only (yosys has no UltraScale+ DSP, block-RAM and CARRY8 arcs)
run ysta_xcup xcup 100 t_carry sta_carry.json --sta-plain hw/testdata/ysta_plain.txt
expect_rc ysta_xcup $? 0

# 6. bad input: a combinational loop, a cell without a model, a missing top, not a netlist
run loop xc7 100 t_loop sta_loop.json
expect_rc loop $? 2
expect_grep loop "$tmp/loop.err" 'combinational loop through net'
run unknown xc7 100 t_unknown sta_unknown.json
expect_rc unknown $? 2
expect_grep unknown "$tmp/unknown.err" 'no timing model for cell type XORCY'
run notop xc7 100 nosuch sta_carry.json
expect_rc notop $? 2
run notjson xc7 100 t_carry ../testdata/stat_pynq.txt
expect_rc notjson $? 2
$sta --config x --family xc9 --mhz 100 hw/testdata/sta_carry.json 2>/dev/null
expect_rc bad_family $? 2

# 7. two clocks (xcup): the top has clk and clk2x (twice clk, aligned); a path with an end on clk2x
#    has half the period, its logic a quarter. FDRE 107 (C->Q), D setup 50, LUT6 I0 193, LUT3 I0 /
#    I1 / I2 123 / 72 / 39, LUT2 I0 / I1 72 / 39; DSP48E2 x 0.8: A / B / D register setup 204 /
#    260 / 199, OPMODE into OPMODEREG 135 (C's register setup 168), CE 400, P clock-to-out 264;
#    routing 300 per net (fanout 1), 427 at fanout 3; uncertainty 100. Endpoints, worst first
#    relative to their limit (the normalized delay = raw x 2 with an end on clk2x):
#    p1_q -> 3 x LUT6 -> p2_q            clk2x->clk2x  107+579+50 + 4x300 + 100 = 2036 (norm 4072)
#    a_q -> LUT3 I0 -> mac.A             clk->clk2x    107+123+204 + 600 + 100  = 1134 (2268)
#      (ph_q -> LUT3 I2 -> mac.A, clk2x->clk2x: 1050 (2100), not the worst into A)
#    ce_q -> mac.CEA2 / CEB2 / CED       clk2x->clk2x  107+400 + 427 + 100      = 1034 (2068) x 3
#    x_q -> LUT2 (xor) I0 -> y_q         clk->clk2x    107+72+50 + 600 + 100    =  929 (1858)
#      (y_q -> LUT2 I1 -> y_q, clk2x->clk2x: 896)
#    c1_q -> 2 x LUT6 -> c2_q            clk->clk      107+386+50 + 900 + 100   = 1543 (1543)
#    w_q -> mac.B                        clk2x->clk2x  107+260 + 400            =  767 (1534)
#    mac.P -> acc_q                      clk2x->clk    264+50 + 400             =  714 (1428)
#    d_q -> mac.D                        clk->clk2x    107+199 + 400            =  706 (1412)
#    op_q -> mac.OPMODE[5]               clk->clk2x    107+135 + 400            =  642 (1284)
#    Logic: clk->clk 543, clk2x 736 (p2_q; normalized 1472). Inside the slice (AREG BREG DREG
#    ADREG MREG PREG, OPMODEREG with a dynamic OPMODE; setup + 700, x 0.8): A2 -> AD 1283 -> 1587,
#    D -> AD 1195 -> 1516, B2 -> M 1285 -> 1588, AD -> M 1416 -> 1693, M -> P and OPMODE -> P 1244
#    -> 1556, P -> P (Z feedback, as PCIN) 1025 -> 1380: worst 1693 (normalized 3386; yosys's
#    A.required ranking, MREG before ADREG, would make A2 -> AD 2400 -> 2480). Estimate bound
#    max(4072, 3386): 245.6 MHz. At 260 MHz (3.846 ns; clk2x limit 1.923, logic 0.962) only
#    p1_q -> p2_q misses; at 240 MHz (4.167 / 2.083 / 1.042) everything meets.
run twox xcup 260 t_2x sta_2x.json
expect_rc twox $? 1
expect twox "$tmp/twox.json" worst_ns 4.072
expect twox "$tmp/twox.json" worst_cell_ns 1.472
expect twox "$tmp/twox.json" est_fmax_mhz 245.6
expect twox "$tmp/twox.json" dsp_internal_ns 3.386
expect twox "$tmp/twox.json" clk2x_dsp_internal_ns 1.693
expect twox "$tmp/twox.json" endpoints 11
expect twox "$tmp/twox.json" endpoints_over_period 1
expect twox "$tmp/twox.json" endpoints_logic_over_half 0
expect twox "$tmp/twox.json" clk_endpoints 1
expect twox "$tmp/twox.json" clk_worst_ns 1.543
expect twox "$tmp/twox.json" clk_worst_logic_ns 0.543
expect twox "$tmp/twox.json" clk2x_endpoints 10
expect twox "$tmp/twox.json" clk2x_worst_ns 2.036
expect twox "$tmp/twox.json" clk2x_worst_logic_ns 0.736
expect twox "$tmp/twox.json" clock_other_cells 0
expect_path twox "$tmp/twox.json" 1 '"clocks": "clk2x->clk2x", "required_ns": 1.923, "start": "p1_q", "end": "p2_q", "levels": 3, "delay_ns": 2.036,'
expect_path twox "$tmp/twox.json" 2 '"clocks": "clk->clk2x", "required_ns": 1.923, "start": "a_q", "end": "mac (DSP48E2.A\[0\])", "levels": 1, "delay_ns": 1.134,'
expect_path twox "$tmp/twox.json" 6 '"clocks": "clk->clk2x", .*"start": "x_q", "end": "y_q", "levels": 1, "delay_ns": 0.929,'
expect_path twox "$tmp/twox.json" 7 '"clocks": "clk->clk", "required_ns": 3.846, "start": "c1_q", "end": "c2_q", "levels": 2, "delay_ns": 1.543,'
expect_path twox "$tmp/twox.json" 8 '"start": "w_q", "end": "mac (DSP48E2.B\[0\])", "levels": 0, "delay_ns": 0.767,'
expect_path twox "$tmp/twox.json" 9 '"clocks": "clk2x->clk", .*"start": "mac (DSP48E2.P\[0\])", "end": "acc_q", "levels": 0, "delay_ns": 0.714,'
expect_path twox "$tmp/twox.json" 10 '"start": "d_q", "end": "mac (DSP48E2.D\[0\])", "levels": 0, "delay_ns": 0.706,'
expect_path twox "$tmp/twox.json" 11 '"start": "op_q", "end": "mac (DSP48E2.OPMODE\[5\])", "levels": 0, "delay_ns": 0.642,'
expect_grep twox "$tmp/twox.txt" '^verdict: MISSES 260 MHz: clk2x estimate 2.04 ns > 1.92 ns (clk2x->clk2x)$'
expect_grep twox "$tmp/twox.txt" '^  clk2x paths      estimate   2.04 ns (limit 1.92 ns, clk2x->clk2x), logic 0.74 ns (limit 0.96 ns)'
expect_grep twox "$tmp/twox.txt" ' a_q -> mac (DSP48E2.A\[0\])  \[clk->clk2x, limit 1.92 ns\]$'
run twox240 xcup 240 t_2x sta_2x.json
expect_rc twox240 $? 0
expect_grep twox240 "$tmp/twox240.txt" '^verdict: meets 240 MHz: estimate 1.54 ns <= 4.17 ns, logic 0.54 ns <= 2.08 ns; clk2x 480 MHz: estimate 2.04 ns <= 2.08 ns, logic 0.74 ns <= 1.04 ns$'
# at 300 MHz the slice's AD -> M stage (1.69 ns) is over clk2x's 1.67 ns as well
run twox300 xcup 300 t_2x sta_2x.json
expect_rc twox300 $? 1
expect_grep twox300 "$tmp/twox300.txt" 'clk2x inside a DSP slice 1.69 ns > 1.67 ns$'
# without the clk2x port every cell is on the one clock: raw figures against the whole period
sed 's/"clk2x":/"clk_b":/' hw/testdata/sta_2x.json >"$tmp/sta_one.json"
$sta --config one --family xcup --mhz 260 --top t_2x --txt "$tmp/one.txt" --json "$tmp/one.json" \
  "$tmp/sta_one.json" 2>"$tmp/one.err"
expect_rc one $? 0
expect one "$tmp/one.json" worst_ns 2.036
expect one "$tmp/one.json" dsp_internal_ns 1.693
expect one "$tmp/one.json" clk2x false
# a clk2x port that clocks nothing (a config without gemm_pump 2 ties it off): one clock, as test 4
sed 's/"in_i":/"clk2x":/' hw/testdata/sta_carry8.json >"$tmp/sta_unused2x.json"
$sta --config unused2x --family xcup --mhz 250 --top t_carry8 --txt "$tmp/unused2x.txt" \
  --json "$tmp/unused2x.json" "$tmp/sta_unused2x.json" 2>"$tmp/unused2x.err"
expect_rc unused2x $? 0
expect unused2x "$tmp/unused2x.json" worst_ns 1.300
expect unused2x "$tmp/unused2x.json" clk2x false
expect_path unused2x "$tmp/unused2x.json" 2 '"clocks": "clk->clk", "required_ns": 4.000, "start": "clk2x (input)", .*"delay_ns": 0.896,'
# a clock pin on neither port (here: the core clock renamed) is timed as the core clock, with a warning
sed 's/"clk":/"clk_core":/' hw/testdata/sta_2x.json >"$tmp/sta_other.json"
$sta --config other --family xcup --mhz 260 --top t_2x --txt "$tmp/other.txt" --json "$tmp/other.json" \
  "$tmp/sta_other.json" 2>"$tmp/other.err"
expect_rc other $? 1
expect other "$tmp/other.json" worst_ns 4.072
expect other "$tmp/other.json" clock_other_cells 8
expect_grep other "$tmp/other.err" 'warning: .*8 clocked cells on neither clk nor clk2x'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
