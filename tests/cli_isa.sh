#!/usr/bin/env bash
# tests/cli_isa.sh -- the dlvta CLI's ISA commands: asm/disasm round trip (same bits), clear
# errors with locations and non-zero exits on bad input, and the generated documentation being
# current: isa/ISA.md's field table (isagen) and rtl/REGS.md's register tables (regsgen).
set -u
D=build/dlvta
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/expect.sh

# ISA.md's field table is what isagen prints now
build/isagen --markdown >"$T/fields.md"
if grep -qF -f "$T/fields.md" isa/ISA.md && [ "$(grep -cF -x -f "$T/fields.md" isa/ISA.md)" -eq "$(wc -l <"$T/fields.md")" ]; then ok; else bad "isa/ISA.md field table is out of date: run build/isagen --markdown"; fi

# REGS.md's register tables are what regsgen writes from isa/regs.def now
build/regsgen md >"$T/regs.md"
sed -n '/^<!-- BEGIN isa\/regs.def/,/^<!-- END isa\/regs.def/p' rtl/REGS.md >"$T/regs_doc.md"
if [ -s "$T/regs.md" ] && cmp -s "$T/regs.md" "$T/regs_doc.md"; then ok; else
  bad "rtl/REGS.md register tables are out of date: run build/regsgen md rtl/REGS.md"
  diff "$T/regs_doc.md" "$T/regs.md" | head -n 20
fi

# regsgen refuses a broken register table with the defect named, and writes nothing
sed 's/^DLVTA_REG(FP_HI, 0x01C,/DLVTA_REG(FP_HI, 0x018,/; s/^DLVTA_BIT(WAIT, FETCH_FULL, 8,/DLVTA_BIT(WAIT, FETCH_FULL, 9,/' \
  isa/regs.def >"$T/bad_regs.def"
if ${CC:-cc} -std=c11 -Iisa -DREGS_DEF="\"$T/bad_regs.def\"" isa/regsgen.c -o "$T/regsgen_bad"; then
  out=$("$T/regsgen_bad" h "$T/bad.h" 2>&1); rc=$?
  if [ $rc -ne 0 ] && [ ! -e "$T/bad.h" ] && echo "$out" | grep -q "registers FP_LO and FP_HI share offset 0x018" &&
     echo "$out" | grep -q "WAIT bit FETCH_FULL is at 9, not 8"; then ok; else bad "broken regs.def: rc=$rc out=$out"; fi
else bad "regsgen does not build against a copy of regs.def"; fi

cat >"$T/p.s" <<'S'
.config tiny
.uop acc=0 src=0 wgt=0
.org 16
.byte 1, 2, 3, 4, -1, -2, -3, -4
load uop sram=0 dram=0 y_size=1 x_size=1 x_stride=1
load inp sram=0 dram=4 y_size=1 x_size=2 x_stride=2 y_pad0=1 pad_value=-3 push_next
alu min use_imm imm=-7 uop_begin=0 uop_end=1 loop_out=2 loop_in=3 dst_out=1
.insn 0x0 0x7
finish
S
if $D asm "$T/p.s" -o "$T/p.bin"; then ok; else bad "asm failed"; fi
if $D disasm "$T/p.bin" -o "$T/p2.s"; then ok; else bad "disasm failed"; fi
if $D asm "$T/p2.s" -o "$T/p2.bin" && cmp -s "$T/p.bin" "$T/p2.bin"; then ok; else bad "disasm then asm changed the bits"; fi
if grep -q "illegal opcode" "$T/p2.s"; then ok; else bad "illegal word not annotated"; fi

# bad input: clear message with file:line and non-zero exit
printf '.config tiny\nload inp sram=0\ngemm frob=1\n' >"$T/bad.s"
out=$($D asm "$T/bad.s" -o "$T/bad.bin" 2>&1); rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "bad.s:3: gemm has no field 'frob'"; then ok; else bad "malformed asm: rc=$rc out=$out"; fi
head -c 40 "$T/p.bin" >"$T/trunc.bin"
out=$($D disasm "$T/trunc.bin" 2>&1); rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "corrupt\|bad magic\|unsupported"; then ok; else bad "truncated program: rc=$rc out=$out"; fi
out=$($D sim "$T/p.bin" --config pynq 2>&1); rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "for config 'tiny', not 'pynq'"; then ok; else bad "config mismatch: rc=$rc out=$out"; fi
out=$($D sim "$T/p.bin" --config nosuch 2>&1); rc=$?
if [ $rc -eq 2 ] && echo "$out" | grep -q "unknown config 'nosuch'"; then ok; else bad "unknown config: rc=$rc out=$out"; fi
out=$($D frob 2>&1); rc=$?
if [ $rc -eq 2 ] && echo "$out" | grep -q "unknown command 'frob'"; then ok; else bad "unknown command: rc=$rc"; fi
if $D --help | grep -q "sim PROGRAM"; then ok; else bad "--help lists sim"; fi
if $D configs | grep -q "^pynq .*1x16x16"; then ok; else bad "configs lists pynq"; fi

# numeric arguments are parsed and bounded before use (no 8 GB detour for a negative count)
for a in "--insns -5" "--insns 99999999999" "--insns 12x" "--insns 7" "--seed -1"; do
  out=$(ulimit -v 1000000; $D progen --config tiny $a 2>&1); rc=$?
  if [ $rc -eq 2 ] && echo "$out" | grep -q "expected a number from"; then ok; else bad "progen $a: rc=$rc out=$out"; fi
done
out=$($D sim "$T/p.bin" --timeout-ms 1e9 2>&1); rc=$?
if [ $rc -eq 2 ] && echo "$out" | grep -q "timeout-ms '1e9': not a number"; then ok; else bad "sim --timeout-ms 1e9: rc=$rc out=$out"; fi
# the assembler's image has a stated limit, refused before any memory is taken
printf '.config tiny\n.image 3333333371\n' >"$T/huge.s"
out=$(ulimit -v 1000000; $D asm "$T/huge.s" -o "$T/huge.bin" 2>&1); rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "huge.s:2: .image 3333333371: beyond the assembler's 256 MiB image limit"; then ok; else bad "asm .image limit: rc=$rc out=$out"; fi
printf '.config tiny\n.org 268435400\n.space 100\n' >"$T/huge2.s"
out=$(ulimit -v 1000000; $D asm "$T/huge2.s" -o "$T/huge2.bin" 2>&1); rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "huge2.s:3: data image larger than the assembler's limit"; then ok; else bad "asm .space past limit: rc=$rc out=$out"; fi
# a program that would touch memory outside its image is refused at load (cc_verify_prog), with
# the instruction index and its disassembly, before it reaches a device
printf '.config tiny\n.image 64\nload inp sram=0 dram=100000 y_size=1 x_size=2 x_stride=2\nfinish\n' >"$T/oob.s"
out=$($D sim "$T/oob.s" --config tiny 2>&1); rc=$?
if [ $rc -eq 1 ] && echo "$out" | grep -q "refused by the program verifier: instruction 0 (load inp sram=0 dram=100000 .*outside the image's 64 bytes"; then ok; else bad "out-of-image program: rc=$rc out=$out"; fi
printf '.config tiny\n.image 64\ngemm uop_begin=0 uop_end=1 loop_out=1 loop_in=1\nfinish\n' >"$T/nouop.s"
out=$($D sim "$T/nouop.s" --config tiny 2>&1); rc=$?
if [ $rc -eq 1 ] && echo "$out" | grep -q "instruction 0 (gemm .*micro-op 0 is not loaded"; then ok; else bad "unloaded micro-op: rc=$rc out=$out"; fi
# a directory where a file is expected names the real cause
out=$($D sim "$T" --config tiny 2>&1); rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "Is a directory"; then ok; else bad "directory as program: rc=$rc out=$out"; fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
