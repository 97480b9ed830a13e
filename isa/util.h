/* isa/util.h -- small helpers shared by every component: always-on asserts, a bounded string
 * builder, whole-file reading. Nothing here exits except ALWAYS_ASSERT on a broken invariant. */
#ifndef DLVTA_UTIL_H
#define DLVTA_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* An invariant of the program itself (never of its input): prints file:line and aborts. */
#define ALWAYS_ASSERT(x) ((x) ? (void)0 : util_assert_fail(#x, __FILE__, __LINE__))
void util_assert_fail(const char *expr, const char *file, int line);

/* A string builder over a caller's buffer: never overflows, always NUL-terminated, and counts
 * the length it would have needed. */
typedef struct strbuf {
  char *buf;
  size_t cap;
  int len;
} strbuf;
void sb_init(strbuf *sb, char *buf, size_t cap);
void sb_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Read a whole file. Returns a malloc'ed buffer with a NUL after the data (size in *len), or
 * NULL with errno set. */
char *util_read_file(const char *path, size_t *len);

/* snprintf into err if err is not NULL; returns -1 so that callers can `return util_err(...)`. */
int util_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Little-endian integers in byte buffers (files and device memory are little endian). */
static inline void util_put32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline void util_put64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint32_t util_get32(const uint8_t *p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) v |= (uint32_t)p[i] << (8 * i);
  return v;
}
static inline uint64_t util_get64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
  return v;
}

#endif
