/* tests/fuzz/replay.c -- the non-fuzzer main of a harness (fuzz.h): feeds every file named on
 * the command line (a directory: every file in it) to LLVMFuzzerTestOneInput once, as `make
 * test`'s regression run of the seed corpora and the past crashes. A crash or a sanitizer report
 * ends the process, so reaching the end means every input passed; it prints
 * "N passed, 0 failed" (one per input), or a failure if an argument cannot be read.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int pass, fail;

static void run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    printf("FAIL cannot open %s\n", path);
    fail++;
    return;
  }
  size_t cap = 1 << 16, n = 0;
  uint8_t *b = malloc(cap);
  size_t r;
  while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
    n += r;
    if (n == cap) {
      uint8_t *nb = realloc(b, cap *= 2);
      if (!nb) free(b);
      b = nb;
    }
  }
  fclose(f);
  if (!b) {
    printf("FAIL out of memory reading %s\n", path);
    fail++;
    return;
  }
  printf("%s (%zu bytes)\n", path, n);
  fflush(stdout);
  LLVMFuzzerTestOneInput(b, n);
  free(b);
  pass++;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) { /* an empty crash folder is not kept by git: nothing to do */
      printf("(no %s)\n", argv[i]);
      continue;
    }
    if (!S_ISDIR(st.st_mode)) {
      run_file(argv[i]);
      continue;
    }
    DIR *d = opendir(argv[i]);
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
      if (e->d_name[0] == '.') continue;
      char **nn = realloc(names, (n + 1) * sizeof *names);
      if (!nn) break;
      names = nn;
      size_t len = strlen(argv[i]) + strlen(e->d_name) + 2;
      names[n] = malloc(len);
      if (names[n]) snprintf(names[n++], len, "%s/%s", argv[i], e->d_name);
    }
    if (d) closedir(d);
    qsort(names, n, sizeof *names, by_name);
    for (size_t k = 0; k < n; k++) {
      run_file(names[k]);
      free(names[k]);
    }
    free(names);
  }
  printf("%d passed, %d failed\n", pass, fail);
  return fail ? 1 : 0;
}
