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

#endif
