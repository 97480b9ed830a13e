#!/usr/bin/env bash
# tests/test_layers.sh -- the include graph holds to layers.txt (ARCHITECTURE.md): every
# #include "..." of the tree is of the includer's own component or of one below it
# (tools/layers.sh check), and the check and the build catch a violation: a temporary copy of
# the sources with a bad include (the driver including the model layer's package.h, fsim
# including the driver's dlvta_drv.h, the IR including the compiler's cc.h, an unknown header,
# a table row naming an unknown component) must fail the check, naming the file and line, and
# the bad driver source must fail to compile with the driver's own -I (make layers-inc).
set -u
. tests/expect.sh
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# the tree as it is
if out=$(tools/layers.sh check 2>&1); then ok; else bad "the tree breaks layers.txt:"; echo "$out"; fi

# a copy of everything the table names, then one bad include at a time
copy() {
  rm -rf "$T/src" && mkdir -p "$T/src" &&
  cp layers.txt "$T/src/" &&
  for d in $(awk '!/^[[:space:]]*(#|@|$)/ { n = split($2, f, ","); for (i = 1; i <= n; i++) if (f[i] !~ /^build\//) print f[i] }' layers.txt); do
    mkdir -p "$T/src/$(dirname "$d")" && cp -r "$d" "$T/src/$(dirname "$d")/"
  done
}
# expect_violation FILE LINE-TEXT WHAT: inserting LINE-TEXT as the first line of FILE (in the
# copy) must make the check fail with a line naming FILE:1
expect_violation() {
  copy
  { echo "$2"; cat "$T/src/$1"; } >"$T/src/$1.new" && mv "$T/src/$1.new" "$T/src/$1"
  out=$(tools/layers.sh check "$T/src" 2>&1); rc=$?
  if [ $rc -ne 0 ] && echo "$out" | grep -q "^$1:1: "; then ok; else bad "$3 not caught (rc=$rc): $out"; fi
}
expect_violation driver/drv.c '#include "package.h"' "driver including model/package.h"
expect_violation sim/fsim/fsim.h '#include "dlvta_drv.h"' "fsim including driver/dlvta_drv.h"
expect_violation ir/ir.c '#include "cc.h"' "the IR including compiler/cc.h"
expect_violation runtime/runtime.c '#include "cg.h"' "the runtime including the back end's cg.h"
expect_violation model/package.c '#include "no_such_header.h"' "an unknown header"
# the same tree unchanged passes (the copy itself is complete)
copy
if tools/layers.sh check "$T/src" >/dev/null 2>&1; then ok; else bad "an unchanged copy fails the check"; fi
# a table that names an unknown component
copy
sed -i 's/^\(ref  *ref  *\)ir$/\1ir,nosuchlayer/' "$T/src/layers.txt"
out=$(tools/layers.sh check "$T/src" 2>&1); rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "unknown component nosuchlayer"; then ok; else bad "unknown component in the table (rc=$rc): $out"; fi

# the build: the driver's objects get only the driver's layers, so the bad include does not compile
inc=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory layers-inc LAYER=driver)
copy
{ echo '#include "package.h"'; cat driver/drv.c; } >"$T/src/drv_bad.c"
if [ -n "$inc" ] && cc -std=c11 -fsyntax-only $inc driver/drv.c 2>/dev/null; then ok; else bad "driver/drv.c does not compile with the driver's -I ($inc)"; fi
if ! cc -std=c11 -fsyntax-only $inc "$T/src/drv_bad.c" 2>/dev/null; then ok; else bad "a driver source including package.h compiles with the driver's -I"; fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
