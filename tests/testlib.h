/* tests/testlib.h -- the tiny test harness: CHECK prints one line per failure with what was
 * expected and what came out; TEST_END prints "N passed, N failed" and gives the exit code. */
#ifndef DLVTA_TESTLIB_H
#define DLVTA_TESTLIB_H

#include <stdio.h>

static int t_pass, t_fail;

#define CHECK(cond, ...)                                               \
  do {                                                                 \
    if (cond) {                                                        \
      t_pass++;                                                        \
    } else {                                                           \
      t_fail++;                                                        \
      printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);          \
      printf(__VA_ARGS__);                                             \
      printf("\n");                                                    \
    }                                                                  \
  } while (0)

#define TEST_END() (printf("%d passed, %d failed\n", t_pass, t_fail), t_fail ? 1 : 0)

#endif
