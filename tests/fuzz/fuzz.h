/* tests/fuzz/fuzz.h -- shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.c): each defines
 * LLVMFuzzerTestOneInput for one entry point. Built two ways (tests/fuzz/fuzz.mk): with clang
 * -fsanitize=fuzzer,address,undefined for `make fuzz`, and with the normal compiler plus
 * tests/fuzz/replay.c (a main that feeds files to the harness) for `make test`'s replay of the
 * seed corpora and of every past crash (tests/fuzz/crashes/<harness>/).
 */
#ifndef DLVTA_FUZZ_H
#define DLVTA_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes data to a per-process scratch file (in /dev/shm when there is one) with suffix ext and
 * returns its path (static storage), or NULL. For entry points that read a path. */
const char *fuzz_file(const uint8_t *data, size_t size, const char *ext);

#endif
