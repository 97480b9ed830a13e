#!/usr/bin/env bash
# tests/install.sh -- `make install` into a staging tree (DESTDIR) as a packager or a board image
# would: the files land where they should; a tiny C application builds against the installed
# tree with `pkg-config --cflags --libs dlvta` (shared, and static with --static) and compiles,
# loads and runs tiny_cnn through the public API with the same bits as `dlvta run`; the installed
# Python module imports from the installed tree (not the source tree) and runs the package;
# `make uninstall` removes every file; and
# `pip install --no-build-isolation .` into a venv of Debian's python3 gives a working module.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
PY=/usr/bin/python3
M=build/models/tiny_cnn
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/expect.sh
unmake() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "$@"; }  # a make of its own, not make test's child

if [ ! -f $M/model.onnx ]; then
  unmake make -s -f Makefile -f compiler/e2e.mk $M/model.onnx ||
    { echo "FAIL: cannot export tiny_cnn"; echo "0 passed, 1 failed"; exit 1; }
fi
S=$T/stage
P=/usr/local
if unmake make -s install DESTDIR="$S" PREFIX=$P >"$T/install.log" 2>&1; then ok; else bad "make install: $(tail -5 "$T/install.log")"; fi
pydir=$P/lib/$($PY -c 'import sys; print("python%d.%d" % sys.version_info[:2])')/dist-packages
for f in bin/dlvta lib/libdlvta.a lib/libdlvta.so lib/pkgconfig/dlvta.pc include/dlvta/runtime.h \
         include/dlvta/compile.h include/dlvta/dlvta_drv.h include/dlvta/npy.h; do
  [ -f "$S$P/$f" ] && ok || bad "not installed: $P/$f"
done
[ -f "$S$pydir/dlvta/__init__.py" ] && ok || bad "the Python module is not in $pydir (where Debian's python3 looks)"
$PY -c "import sys; sys.exit(0 if '$pydir' in sys.path else 1)" && ok || bad "$pydir is not on Debian's python3 sys.path"

# a tiny application: compile the ONNX model, load the package, run one input on fsim, write y
cat >"$T/app.c" <<'CEOF'
#include <stdio.h>
#include "compile.h"
#include "npy.h"
#include "runtime.h"
int main(int argc, char **argv) {
  char err[4096];
  if (argc != 5) return 2;
  if (cc_compile_package(argv[1], argv[2], "tiny", NULL, 0, 0, NULL, 0, NULL, err, sizeof err) != IR_OK) {
    fprintf(stderr, "compile: %s\n", err);
    return 1;
  }
  rt_model *m = NULL;
  npy_array x = {0};
  if (rt_load(argv[2], &m, err, sizeof err) != RT_OK || rt_open(m, "fsim", NULL, err, sizeof err) != RT_OK ||
      npy_read(argv[3], &x, err, sizeof err) != 0) {
    fprintf(stderr, "%s\n", err);
    return 1;
  }
  float *in = npy_to_f32(&x), y[4096];
  const float *ins[1] = {in};
  float *outs[1] = {y};
  int rank;
  const int64_t *dims;
  rt_output(m, 0, &rank, &dims);
  if (!in || rt_output_numel(m, 0) > 4096 || rt_run(m, ins, outs, err, sizeof err) != RT_OK ||
      npy_write_f32(argv[4], y, rank, dims, err, sizeof err) != 0) {
    fprintf(stderr, "run: %s\n", err);
    return 1;
  }
  printf("%s: %llu cycles\n", rt_config_name(m), (unsigned long long)rt_total_cycles(m));
  rt_free(m);
  return 0;
}
CEOF
export PKG_CONFIG_PATH="$S$P/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$S"
cflags=$(pkg-config --cflags dlvta 2>&1) && libs=$(pkg-config --libs dlvta 2>&1) && ok || bad "pkg-config dlvta: $cflags $libs"
case "$cflags" in *"$S$P/include/dlvta"*) ok ;; *) bad "pkg-config --cflags does not point into the installed tree: $cflags" ;; esac
$PY -c "import numpy as np; np.save('$T/x.npy', np.load('$M/input.npy')[0])"
build/dlvta compile $M/model.onnx -o "$T/cli.dlvta" --config tiny >/dev/null 2>&1 &&
  build/dlvta run "$T/cli.dlvta" --input "$T/x.npy" --output "$T/y_cli.npy" >/dev/null 2>&1 || bad "dlvta compile/run"
same() { $PY -c "import numpy as np, sys; a, b = np.load('$1'), np.load('$2'); sys.exit(0 if a.shape == b.shape and a.tobytes() == b.tobytes() else 1)" 2>/dev/null; }
# shared: the application finds the installed libdlvta.so (LD_LIBRARY_PATH, as ldconfig would)
if cc -std=c11 -Wall -Wextra -Werror $cflags "$T/app.c" $libs -o "$T/app" 2>"$T/cc.log"; then ok; else bad "the application does not build against the installed tree: $(head -5 "$T/cc.log")"; fi
if [ -x "$T/app" ]; then
  lib=$(LD_LIBRARY_PATH="$S$P/lib" ldd "$T/app" | awk '/libdlvta/ {print $3}')
  [ "$lib" = "$S$P/lib/libdlvta.so" ] && ok || bad "the application loads '$lib', not the installed libdlvta.so"
  out=$(LD_LIBRARY_PATH="$S$P/lib" "$T/app" $M/model.onnx "$T/app.dlvta" "$T/x.npy" "$T/y_app.npy" 2>&1)
  if [ $? -eq 0 ] && echo "$out" | grep -q "tiny: [1-9][0-9]* cycles"; then ok; else bad "the application: $out"; fi
  same "$T/y_app.npy" "$T/y_cli.npy" && ok || bad "the application's outputs differ from dlvta run's"
  cmp -s "$T/app.dlvta" "$T/cli.dlvta" && ok || bad "the application's package differs from dlvta compile's"
fi
# static: --static adds the library's own dependencies
slibs=$(pkg-config --libs --static dlvta)
if cc -std=c11 $cflags "$T/app.c" -Wl,-Bstatic -ldlvta -Wl,-Bdynamic $slibs -o "$T/app_static" 2>"$T/cc.log"; then
  ldd "$T/app_static" | grep -q libdlvta && bad "the static application still needs libdlvta.so" || ok
  "$T/app_static" $M/model.onnx "$T/app_s.dlvta" "$T/x.npy" "$T/y_static.npy" >/dev/null 2>&1 &&
    same "$T/y_static.npy" "$T/y_cli.npy" && ok || bad "the static application's outputs differ from dlvta run's"
else
  bad "static link with pkg-config --static: $(head -5 "$T/cc.log")"
fi
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR

# the installed module, from a directory outside the source tree, loads the installed library
out=$(cd / && env -u DLVTA_LIB PYTHONPATH="$S$pydir" $PY -c "
import numpy as np, dlvta
print(dlvta.__file__); print(dlvta.library)
y, = dlvta.Model('$T/cli.dlvta').run(np.load('$T/x.npy')); np.save('$T/y_py.npy', y)" 2>&1)
if echo "$out" | grep -q "^$S$pydir/dlvta/__init__.py" && echo "$out" | grep -q "^$S$P/lib/libdlvta.so$"; then ok
else bad "the installed module does not import from the installed tree: $out"; fi
same "$T/y_py.npy" "$T/y_cli.npy" && ok || bad "the installed module's outputs differ from dlvta run's"
# the installed dlvta command
"$S$P/bin/dlvta" compile $M/model.onnx -o "$T/inst.dlvta" --config tiny >/dev/null 2>&1 && cmp -s "$T/inst.dlvta" "$T/cli.dlvta" &&
  ok || bad "the installed dlvta compiles differently"

# uninstall leaves no file behind
unmake make -s uninstall DESTDIR="$S" PREFIX=$P >"$T/uninstall.log" 2>&1 || bad "make uninstall: $(tail -3 "$T/uninstall.log")"
left=$(find "$S" -type f | head -5)
[ -z "$left" ] && ok || bad "make uninstall left: $left"

# pip (PEP 668: Debian's pip installs into a venv; --system-site-packages for Debian's numpy)
if $PY -m venv --system-site-packages "$T/venv" >"$T/venv.log" 2>&1; then
  if unmake "$T/venv/bin/pip" install --no-build-isolation --no-index --quiet . >"$T/pip.log" 2>&1; then ok
  else bad "pip install --no-build-isolation .: $(tail -5 "$T/pip.log")"; fi
  out=$(cd / && env -u DLVTA_LIB "$T/venv/bin/python" -c "
import numpy as np, dlvta
print(dlvta.library)
y, = dlvta.Model('$T/cli.dlvta').run(np.load('$T/x.npy')); np.save('$T/y_pip.npy', y)" 2>&1)
  echo "$out" | grep -q "^$T/venv/lib/python3.*/site-packages/dlvta/libdlvta.so$" && ok || bad "the pip-installed module does not load its own library: $out"
  same "$T/y_pip.npy" "$T/y_cli.npy" && ok || bad "the pip-installed module's outputs differ from dlvta run's"
else
  bad "python3 -m venv (Debian's python3-venv): $(tail -3 "$T/venv.log")"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
