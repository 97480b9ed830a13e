#!/bin/sh
# tools/lint_c.sh -- the C lint of `make lint`: cppcheck (warnings and portability) over the
# product's C (isa, util, dev, driver, sim, ir, ref, model, runtime, compiler, cli), with the build's include paths. Each waiver is an
# inline "cppcheck-suppress ID ; reason" comment on the line before the finding. One line per
# finding, then "N passed, N failed" (one check: a clean run passes). Needs build/gen/ (make all).
command -v cppcheck >/dev/null || { echo "FAIL cppcheck is not installed (tools/deps.sh)"; echo "0 passed, 1 failed"; exit 1; }
out=$(cppcheck -q -j2 --std=c11 --enable=warning,portability --inline-suppr \
  --template='{file}:{line}: {severity}: {id}: {message}' \
  -Iisa -Iutil -Idev -Idriver -Isim/fsim -Isim/tsim -Iir -Iref -Imodel -Iruntime -Icompiler -Icompiler/backend \
  -Icli -Ibuild/gen -Ibuild/gen/onnx \
  -D__GNUC__ -DPROTOBUF_C_VERSION_NUMBER=1004001 -DPROTOBUF_C_MIN_COMPILER_VERSION=1000000 \
  -DPROTOBUF_C__BEGIN_DECLS= -DPROTOBUF_C__END_DECLS= \
  --suppress=missingIncludeSystem --suppress='*:build/gen/*' \
  isa util dev driver sim/fsim sim/tsim ir ref model runtime compiler cli 2>&1 | grep -E '^[^ ]+:[0-9]+: (error|warning|portability):')
if [ -n "$out" ]; then
  echo "$out" | sed 's/^/FAIL /'
  echo "0 passed, $(echo "$out" | wc -l) failed"
  exit 1
fi
echo "1 passed, 0 failed"
