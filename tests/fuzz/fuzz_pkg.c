/* tests/fuzz/fuzz_pkg.c -- package load (rt_load: every section, the program verifier; the
 * container's size and checksum fixed to fit the mutation); with FUZZ_PKG_RUN (fuzz_pkg_run.c) also placing it on fsim and one inference on
 * zero inputs. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pkg.h"
#include "runtime.h"

#ifndef FUZZ_PKG_RUN
#define FUZZ_PKG_RUN 0
#endif

/* One inference on zero inputs, if the inputs and outputs are of a size to allocate. */
static void run_once(rt_model *r) {
  char err[1024];
  if (rt_open(r, "fsim", NULL, err, sizeof err) != RT_OK) return;
  int ni = rt_n_inputs(r), no = rt_n_outputs(r);
  if (ni < 1 || no < 1 || ni > 16 || no > 16) return;
  float *in[16] = {0}, *out[16] = {0};
  int ok = 1;
  for (int i = 0; i < ni; i++) {
    int64_t n = rt_input_numel(r, i);
    ok = ok && n >= 0 && n <= (1 << 22) && (in[i] = calloc((size_t)n + 1, sizeof(float)));
  }
  for (int i = 0; i < no; i++) {
    int64_t n = rt_output_numel(r, i);
    ok = ok && n >= 0 && n <= (1 << 22) && (out[i] = calloc((size_t)n + 1, sizeof(float)));
  }
  if (ok) rt_run(r, (const float *const *)in, out, err, sizeof err);
  for (int i = 0; i < 16; i++) free(in[i]), free(out[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t *b = malloc(size + 1);
  if (!b) return 0;
  memcpy(b, data, size);
  pkg_seal(b, size); /* reach the sections' readers, not the checksum (test_pkg checks its refusals) */
  const char *path = fuzz_file(b, size, ".dlvta");
  free(b);
  rt_model *r = NULL;
  char err[1024];
  if (!path || rt_load(path, &r, err, sizeof err) != RT_OK) return 0;
  if (FUZZ_PKG_RUN) run_once(r);
  rt_free(r);
  return 0;
}
