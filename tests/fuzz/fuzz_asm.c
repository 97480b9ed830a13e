/* tests/fuzz/fuzz_asm.c -- the assembler (isa_assemble) on arbitrary text, and the assembly it
 * writes back for a program it accepted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "isa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1), err[1024];
  if (!text) return 0;
  if (size) memcpy(text, data, size);
  text[size] = 0;
  isa_prog p;
  if (isa_assemble(text, "fuzz.s", "tiny", &p, err, sizeof err) == 0) {
    FILE *f = fopen("/dev/null", "w");
    if (f) {
      isa_prog_write_asm(&p, f);
      fclose(f);
    }
    isa_prog_free(&p);
  }
  free(text);
  return 0;
}
