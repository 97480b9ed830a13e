/* tests/test_e2e_pkg.c -- the package: a load -> save round trip keeps every byte; truncations
 * and bit flips of the file are clear errors (the container's checks); corrupted section
 * contents behind a valid checksum (bytes changed, sections cut, dropped or duplicated) are
 * either rejected with a message by the package's own validation or, when still a consistent
 * package (e.g. a changed weight), run without crashing. Uses tiny_cnn compiled for tiny. */
#include "e2e_util.h"
#include "pkg.h"

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint32_t rnd(void) {
  return (uint32_t)(tu_xorshift64(&rng) >> 16);
}

/* Load pkg; if it loads, run it once on fsim with input x. Returns 1 if it loaded. An error
 * must come with a message. */
static int try_pkg(const char *path, const float *x, int *ran) {
  char err[4096] = "";
  rt_model *r = NULL;
  int rc = rt_load(path, &r, err, sizeof err);
  if (rc != RT_OK) {
    CHECK(err[0] != 0, "a rejected package without a message (%s)", path);
    return 0;
  }
  if (rt_open(r, "fsim", NULL, err, sizeof err) == RT_OK) {
    int64_t on = rt_output_numel(r, 0);
    float *y = malloc((size_t)(on > 0 ? on : 1) * sizeof(float));
    const float *ins[1] = {x};
    float *outs[1] = {y};
    if (rt_input_numel(r, 0) == 1 * 3 * 16 * 16) *ran += rt_run(r, ins, outs, err, sizeof err) == RT_OK;
    free(y);
  }
  rt_free(r);
  return 1;
}

int main(void) {
  const char *pkgf = E2E_OUT "/pkg_tiny_cnn.dlvta", *tmp = E2E_OUT "/pkg_fuzz.dlvta";
  char p[512], err[1024];
  if (e2e_compile("tiny_cnn", "tiny", pkgf, NULL)) return TEST_END();
  npy_array xa;
  float *x;
  if (e2e_load_f32(e2e_path(p, sizeof p, "tiny_cnn", "input.npy"), &xa, &x)) return TEST_END();

  /* round trip: read the model back, write it again: same bytes */
  cc_model *m = NULL;
  CHECK(cc_package_read(pkgf, &m, err, sizeof err) == 0, "read: %s", err);
  if (m) {
    CHECK(cc_package_write(m, tmp, err, sizeof err) == 0, "write: %s", err);
    CHECK(e2e_same_file(pkgf, tmp), "package -> model -> package changed bytes");
    cc_model_free(m);
  }
  size_t len;
  uint8_t *orig = tu_read_file(pkgf, &len);
  CHECK(orig && len > 200, "cannot read %s", pkgf);
  if (!orig) return TEST_END();
  int ran = 0, loaded = 0;

  /* truncations: every length of the header region, then a sweep */
  for (size_t n = 0; n < len; n += n < 256 ? 1 : 1 + len / 300) {
    tu_write_file(tmp, orig, n);
    CHECK(!try_pkg(tmp, x, &ran), "a package truncated to %zu of %zu bytes loaded", n, len);
  }
  /* bit flips anywhere: the checksum or the header checks catch them */
  uint8_t *b = malloc(len);
  for (int i = 0; i < 400; i++) {
    memcpy(b, orig, len);
    size_t at = rnd() % len;
    b[at] ^= (uint8_t)(1u << (rnd() % 8));
    tu_write_file(tmp, b, len);
    CHECK(!try_pkg(tmp, x, &ran), "a package with bit %zu flipped loaded", at);
  }
  /* corrupt section contents with a valid checksum: re-written through the container */
  pkg pk;
  CHECK(pkg_read(pkgf, &pk, err, sizeof err) == 0, "%s", err);
  int rejected = 0, trials = 0;
  for (int i = 0; i < 1500; i++) {
    pkg_writer *w = pkg_writer_new(pk.cfg);
    uint32_t victim = rnd() % pk.n_sections;
    int mode = (int)(rnd() % 5);
    for (uint32_t s = 0; s < pk.n_sections; s++) {
      const pkg_section *S = &pk.sections[s];
      if (s != victim) {
        pkg_writer_add(w, S->type, S->index, S->data, S->size);
        continue;
      }
      uint8_t *d = malloc(S->size + 16);
      memcpy(d, S->data, S->size);
      uint64_t n = S->size;
      if (mode == 0 && n) { /* flip a few bits */
        for (int k = 0; k < 1 + (int)(rnd() % 4); k++) d[rnd() % n] ^= (uint8_t)(1u << (rnd() % 8));
      } else if (mode == 1 && n) { /* overwrite a 32-bit word with a nasty value */
        static const uint32_t nasty[] = {0, 1, 0x7fffffffu, 0x80000000u, 0xffffffffu, 0xffffu, 255};
        uint64_t at = n >= 4 ? rnd() % (n - 3) : 0;
        uint32_t v = nasty[rnd() % 7];
        for (int k = 0; k < 4 && at + (uint64_t)k < n; k++) d[at + (uint64_t)k] = (uint8_t)(v >> (8 * k));
      } else if (mode == 2) { /* cut the section short */
        n = n ? rnd() % n : 0;
      } else if (mode == 3) { /* drop it */
        free(d);
        continue;
      } else { /* append junk */
        for (int k = 0; k < 8; k++) d[n + (uint64_t)k] = (uint8_t)rnd();
        n += 8;
      }
      pkg_writer_add(w, S->type, S->index, d, n);
      free(d);
    }
    CHECK(pkg_writer_save(w, tmp, err, sizeof err) == 0, "%s", err);
    pkg_writer_free(w);
    trials++;
    if (try_pkg(tmp, x, &ran)) loaded++;
    else rejected++;
  }
  printf("section corruption: %d trials, %d rejected with a message, %d still consistent (%d of them ran)\n", trials,
         rejected, loaded, ran);
  CHECK(rejected > trials / 2, "only %d of %d corrupted packages were rejected", rejected, trials);
  pkg_free(&pk);
  /* and the original still loads and runs */
  ran = 0;
  CHECK(try_pkg(pkgf, x, &ran) && ran == 1, "the intact package does not run");
  free(b);
  free(orig);
  npy_free(&xa);
  free(x);
  return TEST_END();
}
