/* tests/testutil.c -- the tests' shared helpers (testutil.h). */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

int tu_pass, tu_fail;
int tu_programs, tu_models;

uint64_t tu_xorshift64(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

uint64_t tu_splitmix64(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint32_t tu_lcg32(uint32_t *s) { return *s = *s * 1664525u + 1013904223u; }

uint8_t *tu_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  long n = -1;
  if (fseek(f, 0, SEEK_END) == 0) n = ftell(f);
  if (n < 0 || fseek(f, 0, SEEK_SET) != 0) {
    fclose(f);
    return NULL;
  }
  uint8_t *b = malloc((size_t)n + 1);
  if (b && fread(b, 1, (size_t)n, f) != (size_t)n) free(b), b = NULL;
  fclose(f);
  if (b) b[n] = 0;
  *len = (size_t)n;
  return b;
}

int tu_write_file(const char *path, const void *b, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  int ok = fwrite(b, 1, n, f) == n;
  return fclose(f) == 0 && ok ? 0 : -1;
}

char *tu_read_stream(FILE *f) {
  fflush(f);
  long len = ftell(f);
  if (len < 0) return NULL;
  char *text = calloc((size_t)len + 1, 1);
  rewind(f);
  if (text && fread(text, 1, (size_t)len, f) != (size_t)len) free(text), text = NULL;
  return text;
}

isa_word tu_word(const isa_config *c, int op, int tokens, const int *fv) {
  isa_insn in;
  memset(&in, 0, sizeof in);
  in.f[ISA_F_opcode] = (uint32_t)op;
  in.f[ISA_F_pop_prev] = !!(tokens & TU_POPP);
  in.f[ISA_F_pop_next] = !!(tokens & TU_POPN);
  in.f[ISA_F_push_prev] = !!(tokens & TU_PUSHP);
  in.f[ISA_F_push_next] = !!(tokens & TU_PUSHN);
  for (; *fv >= 0; fv += 2) in.f[fv[0]] = (uint32_t)fv[1];
  isa_word w;
  int bad = -1;
  if (isa_encode(c, &in, &w, &bad) != ISA_OK) {
    printf("FAIL test encodes a bad instruction (field %s)\n", bad >= 0 ? isa_field_name(bad) : "?");
    exit(1);
  }
  return w;
}
