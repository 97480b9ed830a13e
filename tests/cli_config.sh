#!/usr/bin/env bash
# tests/cli_config.sh -- hardware configs from a file (isa/config_file.c): a good file derives
# the same config as configs.def (fingerprint of a copy of pynq), `base =` overrides, isagen
# writes headers and the configs.def line; bad files (unknown key, bad number, missing key,
# duplicate, no name, a buffer too deep for the fields, acc_copies 3, unreadable) give an error
# naming the file, the line or key, and a non-zero exit.
set -u
D=build/dlvta
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/expect.sh

# every key of pynq under another name: the same layout, so the same fields; its own fingerprint
{
  echo "# pynq's keys"
  echo "name = mypynq"
  echo "batch = 1"; echo "block_in = 16"; echo "block_out = 16"
  echo "inp_bits = 8"; echo "wgt_bits = 8"; echo "acc_bits = 32"; echo "out_bits = 8"
  echo "uop_bytes = 32768"; echo "inp_bytes = 32768"; echo "wgt_bytes = 262144"; echo "acc_bytes = 131072"
  echo "axi_bits = 64"; echo "clock_mhz = 100"; echo "insn_queue = 32"; echo "token_queue = 255"
  echo "dram_rd_latency = 32"; echo "dram_wr_latency = 16"; echo "acc_copies = 1   # one copy"; echo "rd_ports = 2"; echo "ddr_bytes = 21"
} >"$T/mypynq.cfg"
out=$($D --config-file "$T/mypynq.cfg" configs 2>&1)
if echo "$out" | grep -q "^mypynq .*1x16x16 .*32768  32768  262144 131072  32768   64   100      1"; then ok; else bad "full file: $out"; fi
mkdir -p "$T/g1" "$T/g2"
if build/isagen "$T/mypynq.cfg" "$T/g1" >/dev/null && build/isagen pynq "$T/g2" >/dev/null &&
   diff <(grep -v "FINGERPRINT\|Generated\|CONFIG_NAME" "$T/g1/dlvta_isa.vh") \
        <(grep -v "FINGERPRINT\|Generated\|CONFIG_NAME" "$T/g2/dlvta_isa.vh") >/dev/null; then ok
else bad "isagen of a copy of pynq differs from pynq's header"; fi
if grep -q "^DLVTA_CONFIG(mypynq, 1, 16, 16, 8, 8, 32, 8, 32768, 32768, 262144, 131072, 64, 100, 32, 255, 32, 16, 1, 2, 21, 1)" \
   "$T/g1/config.def"; then ok; else bad "config.def: $(cat "$T/g1/config.def")"; fi
# base = and overrides; --config FILE on a command
printf 'name = small8\nbase = pynq\nblock_in = 8\nblock_out = 8\ninp_bytes = 16384\nwgt_bytes = 65536\nacc_bytes = 65536\n' >"$T/small8.cfg"
out=$($D --config-file "$T/small8.cfg" configs 2>&1)
if echo "$out" | grep -q "^small8 .*1x8x8 .*16384   65536  65536"; then ok; else bad "base + overrides: $out"; fi
if $D progen --config "$T/small8.cfg" --insns 20 -o "$T/p.s" >/dev/null 2>&1 && grep -q "small8" "$T/p.s"; then ok
else bad "progen --config FILE.cfg"; fi

# the build: make CONFIG_FILE= writes the headers and the configs.def line; libisa compiled with
# that line (as the config's tsim library is) knows the config by name, with the same layout
if env -u MAKEFLAGS -u MAKELEVEL make -s DLVTA_DEPS_OK=1 BUILD="$T/b" CONFIG_FILE="$T/small8.cfg" \
     "$T/b/small8/config.def" "$T/b/small8/dlvta_regs.vh" >"$T/make.log" 2>&1 &&
   grep -q "DLVTA_BLOCK_IN 8" "$T/b/small8/dlvta_isa.vh"; then ok; else bad "make CONFIG_FILE: $(tail -3 "$T/make.log")"; fi
if cc -std=c11 -D_DEFAULT_SOURCE -Iisa -DDLVTA_EXTRA_CONFIGS="\"$T/b/small8/config.def\"" isa/isa.c isa/config_file.c \
     isa/asm.c isa/util.c isa/isagen.c -o "$T/isagen2" 2>"$T/cc.log" && mkdir -p "$T/g3" &&
   "$T/isagen2" small8 "$T/g3" >/dev/null &&
   diff <(grep -v Generated "$T/g3/dlvta_isa.vh") <(grep -v Generated "$T/b/small8/dlvta_isa.vh") >/dev/null; then ok
else bad "libisa with DLVTA_EXTRA_CONFIGS: $(head -3 "$T/cc.log")"; fi

# bad files: rc 2 and a message with file and line or key
check_bad() { # name, file contents, expected message
  printf "$2" >"$T/$1.cfg"
  out=$($D --config-file "$T/$1.cfg" configs 2>&1); rc=$?
  if [ $rc -eq 2 ] && echo "$out" | grep -qF -- "$3"; then ok; else bad "$1: rc=$rc out=$out (want: $3)"; fi
}
check_bad unknown 'name = x\nbase = pynq\nblok_in = 8\n' "unknown.cfg:3: unknown key 'blok_in'"
check_bad number 'name = x\nbase = pynq\nblock_in = 8k\n' "number.cfg:3: '8k' is not a number for block_in"
check_bad negative 'name = x\nbase = pynq\nblock_in = -8\n' "negative.cfg:3: '-8' is not a number"
check_bad missing 'name = x\nblock_in = 8\n' "missing.cfg: key 'batch' missing"
check_bad twice 'name = x\nbase = pynq\nblock_in = 8\nblock_in = 8\n' "twice.cfg:4: 'block_in' given twice"
check_bad noname 'base = pynq\n' "noname.cfg: no 'name = ...' line"
check_bad noeq 'name = x\nbase pynq\n' "noeq.cfg:2: expected 'key = value'"
check_bad badbase 'name = x\nbase = nosuch\n' "badbase.cfg:2: unknown base config 'nosuch'"
check_bad latebase 'name = x\nblock_in = 8\nbase = pynq\n' "latebase.cfg:3: 'base' must come once, before any other key"
check_bad deep 'name = x\nbase = pynq\nblock_in = 8\nblock_out = 8\n' "more than an instruction's 128"
check_bad copies 'name = x\nbase = pynq\nacc_copies = 3\n' "acc_copies is 3: must be 1 or 2"
check_bad pow2 'name = x\nbase = pynq\nblock_in = 12\n' "block_in is 12: must be a power of two"
check_bad bufsize 'name = x\nbase = pynq\ninp_bytes = 1000\n' "inp_bytes is 1000"
check_bad badname 'name = My-Cfg\nbase = pynq\n' "config name 'My-Cfg' is not valid"
check_bad longname 'name = abcdefghijklmnop\nbase = pynq\n' "longname.cfg:1: name 'abcdefghijklmnop' is too long"
check_bad builtin 'name = pynq\nbase = pynq\nblock_in = 8\nblock_out = 8\ninp_bytes = 16384\nwgt_bytes = 65536\nacc_bytes = 65536\n' \
  "config 'pynq' already exists with other keys"
out=$($D --config-file "$T/nosuch.cfg" configs 2>&1); rc=$?
if [ $rc -eq 2 ] && echo "$out" | grep -q "nosuch.cfg: cannot read"; then ok; else bad "missing file: rc=$rc out=$out"; fi
out=$(build/isagen "$T/unknown.cfg" "$T/g1" 2>&1); rc=$?
if [ $rc -eq 2 ] && echo "$out" | grep -q "unknown key 'blok_in'"; then ok; else bad "isagen bad file: rc=$rc out=$out"; fi
# loading a file leaves the built-in configs as they are (rows, fingerprints)
if diff <($D configs) <($D --config-file "$T/small8.cfg" configs | grep -v "^small8 ") >/dev/null; then ok
else bad "a config file changed the built-in configs"; fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
