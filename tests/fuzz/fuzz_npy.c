/* tests/fuzz/fuzz_npy.c -- .npy reading (runtime/npy.h) and conversion to float32. */
#include <stdlib.h>

#include "fuzz.h"
#include "npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *p = fuzz_file(data, size, ".npy");
  npy_array a;
  char err[1024];
  if (!p || npy_read(p, &a, err, sizeof err) != 0) return 0;
  free(npy_to_f32(&a));
  npy_free(&a);
  return 0;
}
