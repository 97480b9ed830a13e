/* tests/fuzz/fuzz_util.c -- the harnesses' scratch file (fuzz.h). */
#include <stdio.h>
#include <unistd.h>

#include "fuzz.h"

const char *fuzz_file(const uint8_t *data, size_t size, const char *ext) {
  static char path[256];
  const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  snprintf(path, sizeof path, "%s/dlvta_fuzz_%ld%s", dir, (long)getpid(), ext);
  FILE *f = fopen(path, "wb");
  if (!f) return NULL;
  size_t w = size ? fwrite(data, 1, size, f) : 0;
  if (fclose(f) != 0 || w != size) return NULL;
  return path;
}
