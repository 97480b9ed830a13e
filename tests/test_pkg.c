/* tests/test_pkg.c -- the package container: round trip, and every kind of corruption
 * (truncation, bit flips anywhere, bad magic/version, unknown config) rejected cleanly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pkg.h"
#include "testutil.h"
#include "util.h"

int main(void) {
  char path[] = "/tmp/dlvta_test_pkg_XXXXXX", err[512];
  int fd = mkstemp(path);
  close(fd);
  const isa_config *cfg = isa_config_find("tiny");
  pkg_writer *w = pkg_writer_new(cfg);
  uint8_t big[1000];
  for (int i = 0; i < 1000; i++) big[i] = (uint8_t)(i * 13);
  pkg_writer_add(w, 1, 0, "hello", 5);
  pkg_writer_add(w, 2, 0, big, sizeof big);
  pkg_writer_add(w, 2, 1, NULL, 0);
  CHECK(pkg_writer_save(w, path, err, sizeof err) == 0, "save: %s", err);
  pkg_writer_free(w);
  pkg p;
  int rc = pkg_read(path, &p, err, sizeof err);
  CHECK(rc == 0, "read: %s", err);
  if (!rc) {
    CHECK(p.cfg == cfg && p.n_sections == 3, "header");
    const pkg_section *s = pkg_find(&p, 2, 0);
    CHECK(s && s->size == 1000 && !memcmp(s->data, big, 1000), "section 2/0");
    s = pkg_find(&p, 1, 0);
    CHECK(s && s->size == 5 && !memcmp(s->data, "hello", 5), "section 1/0");
    CHECK(pkg_find(&p, 2, 1) && pkg_find(&p, 2, 1)->size == 0, "empty section");
    CHECK(pkg_find(&p, 3, 0) == NULL, "missing section");
    pkg_free(&p);
  }
  size_t len;
  uint8_t *orig = (uint8_t *)util_read_file(path, &len);
  /* every single-byte corruption is caught: header fields, table or checksummed data */
  int missed = 0;
  for (size_t i = 0; i < len; i += (i < 200 ? 1 : 37)) {
    FILE *f = fopen(path, "wb");
    orig[i] ^= 0x41;
    fwrite(orig, 1, len, f);
    orig[i] ^= 0x41;
    fclose(f);
    if (pkg_read(path, &p, err, sizeof err) == 0) {
      /* a flip inside the config-name bytes alone is harmless (fingerprint decides) */
      if (!(i >= 24 && i < 40)) missed++;
      pkg_free(&p);
    }
  }
  CHECK(missed == 0, "%d corruptions were not detected", missed);
  FILE *f = fopen(path, "wb");
  fwrite(orig, 1, len - 7, f);
  fclose(f);
  CHECK(pkg_read(path, &p, err, sizeof err) == -1 && strstr(err, "truncated"), "truncated: %s", err);
  f = fopen(path, "wb");
  fwrite(orig, 1, 30, f);
  fclose(f);
  CHECK(pkg_read(path, &p, err, sizeof err) == -1, "very short file: %s", err);
  orig[16] ^= 1;
  /* recompute nothing: the fingerprint is in the header, outside the checksum */
  f = fopen(path, "wb");
  fwrite(orig, 1, len, f);
  fclose(f);
  CHECK(pkg_read(path, &p, err, sizeof err) == -1 && strstr(err, "hardware config 'tiny'"),
        "unknown config: %s", err);
  unlink(path);
  CHECK(pkg_read(path, &p, err, sizeof err) == -1 && strstr(err, "cannot read"), "missing: %s", err);
  free(orig);
  return TEST_END();
}
