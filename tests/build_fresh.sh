#!/usr/bin/env bash
# tests/build_fresh.sh -- the README's first commands on a machine that has none of the packages.
# A fresh machine is simulated without touching this one: ONNX's onnx.proto (the file whose late
# arrival broke the first `make demo`) is looked for in an empty temporary directory, and a fake
# deps script "installs" it there, as tools/deps.sh installs libonnx-dev. `make -n` must then
# resolve every prerequisite of demo and test in one run; a control with the old order (rules
# read before the install) must fail, so the check can fail.
set -u
# run as a user would, not as a child of the make that runs the tests (its MAKEFLAGS carry
# DLVTA_DEPS_OK=1 and its job server; make also exports a command-line variable to recipes)
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES DLVTA_DEPS_OK
cd "$(dirname "$0")/.."
pass=0; fail=0
ok()  { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
real_proto=/usr/include/onnx/onnx.proto
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
if [ ! -f "$real_proto" ]; then
  echo "FAIL $real_proto missing (make test installs libonnx-dev before the tests)"; echo "0 passed, 1 failed"; exit 1
fi
cat > "$t/fake_deps.sh" <<EOS
#!/bin/sh
# stands in for tools/deps.sh: installs the package that carries onnx.proto
mkdir -p "$t/inc/onnx" && cp "$real_proto" "$t/inc/onnx/onnx.proto" && echo installed >> "$t/installs"
EOS
chmod +x "$t/fake_deps.sh"

for goal in demo test; do
  rm -rf "$t/inc" "$t/installs" "$t/build"
  make -n $goal BUILD="$t/build" ONNX_PROTO="$t/inc/onnx/onnx.proto" DEPS_SH="$t/fake_deps.sh" \
    >"$t/out" 2>&1
  rc=$?
  if [ $rc -eq 0 ]; then ok "make -n $goal on a fresh machine resolves every prerequisite"
  else bad "make -n $goal on a fresh machine: exit $rc: $(grep -m1 -E 'No rule|Error' "$t/out")"; fi
  [ "$(wc -l < "$t/installs" 2>/dev/null)" = 1 ] && ok "$goal: packages installed once, before the build" \
    || bad "$goal: the deps step ran $(wc -l < "$t/installs" 2>/dev/null || echo 0) times"
  grep -q "protoc-c .*$t/inc/onnx/onnx.proto" "$t/out" && grep -q "cmd_compile.o" "$t/out" \
    && ok "$goal: plans the ONNX code generation and the compiler's CLI" \
    || bad "$goal: the plan lacks protoc-c or cmd_compile.o"
  grep -qE -- "-j[0-9]+ $goal|-j[0-9]+ .*$goal" "$t/out" \
    && ok "$goal: the build proper runs on every core (-j)" || bad "$goal: the inner make has no -j"
done

# control: the rules read before the install (the defect) must not resolve
rm -rf "$t/inc" "$t/installs" "$t/build"
make -n demo DLVTA_DEPS_OK=1 BUILD="$t/build" ONNX_PROTO="$t/inc/onnx/onnx.proto" \
  DEPS_SH="$t/fake_deps.sh" >"$t/out" 2>&1
if [ $? -ne 0 ] && grep -q "No rule to make target" "$t/out"; then
  ok "control: installing after the rules are read fails as the old Makefile did"
else bad "control: the old order did not fail, so this test cannot see the defect"; fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
