/* tests/fuzz/fuzz_pkg_run.c -- package load, placement on fsim and one inference (fuzz_pkg.c). */
#define FUZZ_PKG_RUN 1
#include "fuzz_pkg.c"
