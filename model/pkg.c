/* model/pkg.c -- the package container; see pkg.h. All integers little endian.
 *   header (64 bytes): magic[8] "DLVTAPKG", version u32, header_size u32, fingerprint u64,
 *     config name[16] (NUL padded), n_sections u32, reserved u32, file_size u64, checksum u64
 *   section table: n_sections x {type u32, index u32, offset u64, size u64} (24 bytes each)
 *   section data, each at a 16-byte aligned offset
 * checksum: FNV-1a 64 over bytes [header_size, file_size).
 */
#include "pkg.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define HDR 64u
#define ENT 24u

struct pkg_writer {
  const isa_config *cfg;
  pkg_section *secs; /* data owned */
  uint32_t n, cap;
  int failed;
};

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

/* FNV-1a 64 of p[0..n) (zeros when p is NULL) continued from h. */
static uint64_t fnv_more(uint64_t h, const uint8_t *p, uint64_t n) {
  for (uint64_t i = 0; i < n; i++) h = (h ^ (p ? p[i] : 0)) * FNV_PRIME;
  return h;
}

static uint64_t checksum(const uint8_t *p, uint64_t n) { return fnv_more(FNV_OFFSET, p, n); }

void pkg_seal(uint8_t *b, uint64_t n) {
  if (n < HDR) return;
  util_put64(b + 48, n);
  util_put64(b + 56, checksum(b + HDR, n - HDR));
}

pkg_writer *pkg_writer_new(const isa_config *cfg) {
  pkg_writer *w = calloc(1, sizeof *w);
  if (w) w->cfg = cfg;
  return w;
}

int pkg_writer_take(pkg_writer *w, uint32_t type, uint32_t index, void *data, uint64_t size) {
  if (w->n == w->cap && w->n < PKG_MAX_SECTIONS) {
    uint32_t cap = w->cap ? w->cap * 2 : 16;
    pkg_section *ns = realloc(w->secs, cap * sizeof *ns);
    if (ns) w->secs = ns, w->cap = cap;
  }
  if (w->n == PKG_MAX_SECTIONS || w->n == w->cap || (size && !data)) {
    free(data);
    return w->failed = -1;
  }
  w->secs[w->n++] = (pkg_section){type, index, data, size};
  return 0;
}

int pkg_writer_add(pkg_writer *w, uint32_t type, uint32_t index, const void *data, uint64_t size) {
  uint8_t *copy = malloc(size ? size : 1);
  if (!copy) return w->failed = -1;
  if (size) memcpy(copy, data, size);
  return pkg_writer_take(w, type, index, copy, size);
}

/* The checksum of a package being written: the header's tail from HDR (section table and its
 * padding, head[HDR..head_n)), then each section and its padding to 16 bytes, as they follow in
 * the file. Run on a thread of its own while the sections are written. */
typedef struct sum_job {
  const pkg_writer *w;
  const uint8_t *head;
  uint64_t head_n, h;
} sum_job;

static void *sum_sections(void *arg) {
  sum_job *j = arg;
  uint64_t h = fnv_more(FNV_OFFSET, j->head + HDR, j->head_n - HDR);
  for (uint32_t i = 0; i < j->w->n; i++) {
    uint64_t sz = j->w->secs[i].size;
    h = fnv_more(h, j->w->secs[i].data, sz);
    h = fnv_more(h, NULL, ((sz + 15) & ~15ull) - sz);
  }
  j->h = h;
  return NULL;
}

/* The header and section table (checksum 0; pkg_writer_save patches it), padded to 16 bytes:
 * *head_n bytes, malloc'ed; NULL without memory. */
static uint8_t *pkg_head(const pkg_writer *w, uint64_t *head_n) {
  uint64_t off = (HDR + (uint64_t)w->n * ENT + 15) & ~15ull, total = off;
  for (uint32_t i = 0; i < w->n; i++) total = ((total + w->secs[i].size) + 15) & ~15ull;
  uint8_t *b = calloc(1, off);
  if (!b) return NULL;
  memcpy(b, "DLVTAPKG", 8);
  util_put32(b + 8, PKG_VERSION);
  util_put32(b + 12, HDR);
  util_put64(b + 16, w->cfg->fingerprint);
  size_t nl = strlen(w->cfg->d.name);
  memcpy(b + 24, w->cfg->d.name, nl < 16 ? nl : 16);
  util_put32(b + 40, w->n);
  util_put64(b + 48, total);
  *head_n = off;
  for (uint32_t i = 0; i < w->n; i++) {
    uint8_t *e = b + HDR + i * ENT;
    util_put32(e, w->secs[i].type);
    util_put32(e + 4, w->secs[i].index);
    util_put64(e + 8, off);
    util_put64(e + 16, w->secs[i].size);
    off = (off + w->secs[i].size + 15) & ~15ull;
  }
  return b;
}

/* The sections are written as they are (no copy of the whole file in memory) while a second
 * thread computes the checksum over the same bytes; the header's checksum is written last. */
int pkg_writer_save(pkg_writer *w, const char *path, char *err, size_t errlen) {
  if (w->failed) return util_err(err, errlen, "%s: out of memory while building the package", path);
  sum_job j = {.w = w};
  j.head = pkg_head(w, &j.head_n);
  if (!j.head) return util_err(err, errlen, "%s: out of memory", path);
  pthread_t th;
  int threaded = pthread_create(&th, NULL, sum_sections, &j) == 0;
  FILE *f = fopen(path, "wb");
  int e = f ? 0 : errno, seekable = f && fseek(f, 0, SEEK_SET) == 0;
  if (f && !seekable) { /* a pipe: the checksum first, in the header as it is written */
    if (threaded) pthread_join(th, NULL);
    else sum_sections(&j);
    threaded = 0;
    util_put64((uint8_t *)j.head + 56, j.h);
  }
  int ok = f && fwrite(j.head, 1, j.head_n, f) == j.head_n;
  static const uint8_t zero[16];
  for (uint32_t i = 0; ok && i < w->n; i++) {
    uint64_t sz = w->secs[i].size, pad = ((sz + 15) & ~15ull) - sz;
    ok = fwrite(w->secs[i].data, 1, sz, f) == sz && fwrite(zero, 1, pad, f) == pad;
  }
  if (threaded) pthread_join(th, NULL);
  else if (seekable || !f) sum_sections(&j);
  uint8_t sum[8];
  util_put64(sum, j.h);
  ok = ok && (!seekable || (fseek(f, 56, SEEK_SET) == 0 && fwrite(sum, 1, 8, f) == 8));
  free((void *)j.head);
  if (!f) return util_err(err, errlen, "%s: cannot create: %s", path, strerror(e));
  if (fclose(f) || !ok) return util_err(err, errlen, "%s: write failed", path);
  return 0;
}

void pkg_writer_free(pkg_writer *w) {
  if (!w) return;
  for (uint32_t i = 0; i < w->n; i++) free((void *)w->secs[i].data);
  free(w->secs);
  free(w);
}

int pkg_read(const char *path, pkg *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  size_t len;
  uint8_t *b = (uint8_t *)util_read_file(path, &len);
  if (!b) return util_err(err, errlen, "%s: cannot read: %s", path, strerror(errno));
  const char *why = NULL;
  char whybuf[256];
  if (len < HDR || memcmp(b, "DLVTAPKG", 8)) {
    why = "not a dlvta package (bad magic)";
  } else if (util_get32(b + 8) != PKG_VERSION || util_get32(b + 12) != HDR) {
    snprintf(whybuf, sizeof whybuf, "unsupported package version %u (this build reads %u)",
             util_get32(b + 8), PKG_VERSION);
    why = whybuf;
  } else if (util_get32(b + 44) != 0) {
    why = "corrupt header (reserved field set)";
  } else if (util_get64(b + 48) != len) {
    snprintf(whybuf, sizeof whybuf, "truncated or padded: header says %llu bytes, file has %zu",
             (unsigned long long)util_get64(b + 48), len);
    why = whybuf;
  } else if (util_get32(b + 40) > PKG_MAX_SECTIONS || HDR + (uint64_t)util_get32(b + 40) * ENT > len) {
    why = "corrupt section table";
  } else if (checksum(b + HDR, len - HDR) != util_get64(b + 56)) {
    why = "checksum mismatch: the file is corrupt";
  }
  if (!why) {
    uint64_t fp = util_get64(b + 16);
    for (int i = 0; i < isa_config_count(); i++)
      if (isa_config_at(i)->fingerprint == fp) out->cfg = isa_config_at(i);
    if (!out->cfg) {
      char name[17] = {0};
      memcpy(name, b + 24, 16);
      snprintf(whybuf, sizeof whybuf,
               "built for hardware config '%s' (fingerprint %016llx), which this build does not have (a config from a file: dlvta --config-file FILE.cfg ...)",
               name, (unsigned long long)fp);
      why = whybuf;
    }
  }
  if (!why) {
    out->n_sections = util_get32(b + 40);
    out->sections = calloc(out->n_sections ? out->n_sections : 1, sizeof *out->sections);
    if (!out->sections) why = "out of memory";
    for (uint32_t i = 0; !why && i < out->n_sections; i++) {
      const uint8_t *e = b + HDR + i * ENT;
      uint64_t off = util_get64(e + 8), size = util_get64(e + 16);
      if (off % 16 || off > len || size > len - off) {
        snprintf(whybuf, sizeof whybuf, "section %u lies outside the file", i);
        why = whybuf;
        break;
      }
      out->sections[i] = (pkg_section){util_get32(e), util_get32(e + 4), b + off, size};
    }
  }
  if (why) {
    free(out->sections);
    free(b);
    memset(out, 0, sizeof *out);
    return util_err(err, errlen, "%s: %s", path, why);
  }
  out->file = b;
  out->file_size = len;
  return 0;
}

const pkg_section *pkg_find(const pkg *p, uint32_t type, uint32_t index) {
  for (uint32_t i = 0; i < p->n_sections; i++)
    if (p->sections[i].type == type && p->sections[i].index == index) return &p->sections[i];
  return NULL;
}

void pkg_free(pkg *p) {
  free(p->sections);
  free(p->file);
  memset(p, 0, sizeof *p);
}
