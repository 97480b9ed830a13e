#!/usr/bin/env bash
# sim/tsim/cells/test_dsp48e2.sh -- checks rtl/dlvta_dsp.v's DSP48E2 instantiation (the multiplies
# of UltraScale+ synthesis, define DLVTA_DSP48E2) against its behavioural form, through the
# slice's model sim/tsim/cells/DSP48E2.v, under Icarus: dlvta_gemm of configs ultra96 and
# ultra96x2 (its slices at twice the clock, rtl/dlvta_dsp2x.v) and dlvta_alu_lane of ultra96
# (test/tb_gemm_dsp.v, test/tb_lane_dsp.v) and the walks' / store's block-size slice
# (test/tb_dsp.v) must print the same every cycle either way. The model itself was checked
# against Xilinx's unisim DSP48E2 once (hw/TIMING.md). Prints one line per failure and
# "N passed, N failed".
#
#   sim/tsim/cells/test_dsp48e2.sh [BUILD]     (BUILD: the build directory, default build)
set -u
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
build=${1:-build}
inc=$build/ultra96
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -f "$inc/dlvta_isa.vh" ] || { echo "FAIL: $inc/dlvta_isa.vh missing (make gen)"; echo "0 passed, 1 failed"; exit 1; }
t=sim/tsim/cells/test
# check NAME TB "RTL FILES" [IVERILOG FLAGS]: the test bench's output, behavioural vs DSP48E2
check() {
  local name=$1 tb=$2 rtl=$3
  shift 3
  local ok=1 v
  for v in beh prim; do
    local def="" model=""
    [ $v = prim ] && def=-DDLVTA_DSP48E2 model=sim/tsim/cells/DSP48E2.v
    # shellcheck disable=SC2086
    if ! iverilog -g2012 $def "$@" -I"$inc" -Irtl -s tb -o "$tmp/$name.$v.vvp" "$tb" $rtl $model \
         >"$tmp/$name.$v.log" 2>&1; then
      echo "FAIL $name: iverilog ($v): $(head -n 3 "$tmp/$name.$v.log")"; ok=0; break
    fi
    if ! vvp -n "$tmp/$name.$v.vvp" >"$tmp/$name.$v.out" 2>&1 || grep -q "outside the model" "$tmp/$name.$v.out"; then
      echo "FAIL $name: simulation ($v): $(grep -v '^[0-9]' "$tmp/$name.$v.out" | head -n 3)"; ok=0; break
    fi
  done
  if [ $ok = 1 ]; then
    local n
    n=$(grep -c '^[0-9]' "$tmp/$name.beh.out")
    if [ "$n" -lt 100 ]; then
      echo "FAIL $name: only $n cycles printed"; ok=0
    elif ! cmp -s "$tmp/$name.beh.out" "$tmp/$name.prim.out"; then
      echo "FAIL $name: the DSP48E2 form differs from the behavioural one, first at: $(diff "$tmp/$name.beh.out" "$tmp/$name.prim.out" | sed -n 2p | cut -c1-120)"
      ok=0
    fi
  fi
  if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
}
check gemm $t/tb_gemm_dsp.v "rtl/dlvta_gemm.v rtl/dlvta_dsp.v rtl/dlvta_dsp2x.v"
# ultra96x2's GEMM: gemm_pump 2, each slice at twice the clock (rtl/dlvta_dsp2x.v)
inc=$build/ultra96x2
if [ -f "$inc/dlvta_isa.vh" ]; then
  check gemm_pump2 $t/tb_gemm_dsp.v "rtl/dlvta_gemm.v rtl/dlvta_dsp.v rtl/dlvta_dsp2x.v"
else
  echo "FAIL gemm_pump2: $inc/dlvta_isa.vh missing (make gen)"; fail=$((fail + 1))
fi
inc=$build/ultra96
check alu_lane $t/tb_lane_dsp.v "rtl/dlvta_alu_lane.v rtl/dlvta_dsp.v"
check walk_size $t/tb_dsp.v rtl/dlvta_dsp.v -Ptb.AW=18 -Ptb.BW=18 -Ptb.PW=34
check store_size $t/tb_dsp.v rtl/dlvta_dsp.v -Ptb.AW=17 -Ptb.BW=17 -Ptb.PW=32
# the model refuses what it does not model: a slice with MREG and PREG both off is fine, ADREG
# without the pre-adder not
cat >"$tmp/tb_bad.v" <<'TB'
module tb;
  wire [47:0] p;
  DSP48E2 #(.ADREG(1)) u (.CLK(1'b0), .A(30'd0), .B(18'd0), .D(27'd0), .INMODE(5'd0), .OPMODE(9'd5), .P(p));
endmodule
TB
if iverilog -g2012 -s tb -o "$tmp/bad.vvp" "$tmp/tb_bad.v" sim/tsim/cells/DSP48E2.v >/dev/null 2>&1 &&
   vvp -n "$tmp/bad.vvp" 2>&1 | grep -q "configuration outside the model"; then pass=$((pass + 1)); else
  echo "FAIL model: an ADREG slice was not refused"; fail=$((fail + 1)); fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
