/* tests/testutil.h -- what the tests share, compiled once (testutil.c) and linked into every test
 * program: the harness (CHECK prints one line per failure with what was expected and what came
 * out; TEST_END prints "N passed, N failed" and gives the exit code), the random number
 * generators, whole-file reading and writing, and instruction encoding. */
#ifndef DLVTA_TESTUTIL_H
#define DLVTA_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "isa.h"

/* ---- the harness ---- */
extern int tu_pass, tu_fail; /* checks passed and failed so far */
/* Whole accelerator programs and models a test ran and checked (it adds to them itself);
 * TEST_END reports them as "tested: N programs, M models" for tools/run_tests.sh's summary. */
extern int tu_programs, tu_models;

#define CHECK(cond, ...)                                               \
  do {                                                                 \
    if (cond) {                                                        \
      tu_pass++;                                                       \
    } else {                                                           \
      tu_fail++;                                                       \
      printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);          \
      printf(__VA_ARGS__);                                             \
      printf("\n");                                                    \
    }                                                                  \
  } while (0)

#define TEST_END()                                                                         \
  ((tu_programs || tu_models ? printf("tested: %d programs, %d models\n", tu_programs, tu_models) \
                             : 0),                                                         \
   printf("%d passed, %d failed\n", tu_pass, tu_fail), tu_fail ? 1 : 0)

/* ---- random numbers: each test keeps its own state (and seed), so its sequence is its own ---- */
/* xorshift64 (13, 7, 17): the next state (s must not be 0). */
uint64_t tu_xorshift64(uint64_t *s);
/* splitmix64: s advances by the golden-ratio increment; the mixed value. */
uint64_t tu_splitmix64(uint64_t *s);
/* 32-bit LCG (Numerical Recipes' 1664525, 1013904223): the next state. */
uint32_t tu_lcg32(uint32_t *s);

/* ---- files ---- */
/* The whole file at path (malloc'd, one NUL byte past the end), its size in *len; NULL if it
 * cannot be read. */
uint8_t *tu_read_file(const char *path, size_t *len);
/* Writes n bytes of b to path (created or truncated); 0, or -1. */
int tu_write_file(const char *path, const void *b, size_t n);
/* Everything written to f so far (f is flushed and rewound), NUL-terminated, malloc'd; NULL on
 * failure. For tmpfile() dumps. */
char *tu_read_stream(FILE *f);

/* ---- instructions ---- */
enum { TU_POPP = 1, TU_POPN = 2, TU_PUSHP = 4, TU_PUSHN = 8 }; /* token bits of tu_word */
/* Encodes an instruction of opcode op for config c: fields given as pairs (ISA_F_x, value)
 * terminated by -1, tokens as TU_* bits. A field that does not encode is a bug of the test:
 * prints a FAIL line naming it and exits. */
isa_word tu_word(const isa_config *c, int op, int tokens, const int *fv);

#endif
