/* tests/test_drv_window.c -- the DRAM windows on the C side (dlvta_dev.h, driver/drv.c, fsim):
 * drv_windows_cover on random sets of ranges (every range inside one window, at most
 * DLVTA_REGS_WIN_COUNT windows, sorted, disjoint, page-aligned; touching ranges merged, the
 * smallest gaps merged first); drv_window_ok at page edges and past 4 GiB; and on the fsim
 * backend, a program whose LOAD reads the page of a freed buffer stops with DRAM_RANGE naming
 * the instruction and the windows, while the same program with the buffer live runs. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dlvta_drv.h"
#include "testutil.h"

static void cover_random(void) {
  uint64_t rng = 0x1234567;
  int bad = 0;
  for (int t = 0; t < 2000 && !bad; t++) {
    drv_region r[12];
    int n = 1 + (int)(tu_xorshift64(&rng) % 12);
    for (int i = 0; i < n; i++) {
      r[i].addr = 0x10000000ull + (tu_xorshift64(&rng) % 64) * 0x1000 + tu_xorshift64(&rng) % 0x1000;
      r[i].size = tu_xorshift64(&rng) % 3 ? 1 + tu_xorshift64(&rng) % 0x3000 : 0;
      r[i].host = NULL;
    }
    drv_window w[DLVTA_REGS_WIN_COUNT];
    int k = drv_windows_cover(r, n, w, (int)DLVTA_REGS_WIN_COUNT);
    int ok = k >= 0 && k <= (int)DLVTA_REGS_WIN_COUNT;
    for (int j = 0; ok && j < k; j++) {
      ok &= w[j].base % DRV_WIN_PAGE == 0 && w[j].limit % DRV_WIN_PAGE == 0 && w[j].base < w[j].limit;
      if (j) ok &= w[j - 1].limit < w[j].base; /* disjoint and not touching (touching ones merge) */
    }
    for (int i = 0; ok && i < n; i++) {
      if (!r[i].size) continue;
      int in = 0;
      for (int j = 0; j < k; j++) in |= r[i].addr >= w[j].base && r[i].addr + r[i].size <= w[j].limit;
      ok &= in;
    }
    CHECK(ok, "cover %d: %d ranges gave %d windows, not a cover", t, n, k);
    bad = !ok;
  }
  /* the smallest gap merges first: pages 0, 2, 4, 6 and 9 (gaps 1, 1, 1, 2 pages) -> the first two merge */
  drv_region r[5];
  uint64_t pg[5] = {0, 2, 4, 6, 9};
  for (int i = 0; i < 5; i++) r[i] = (drv_region){0x20000000ull + pg[i] * 0x1000, 100, NULL};
  drv_window w[DLVTA_REGS_WIN_COUNT];
  int k = drv_windows_cover(r, 5, w, 4);
  CHECK(k == 4 && w[0].base == 0x20000000ull && w[0].limit == 0x20003000ull && w[3].base == 0x20009000ull &&
            w[3].limit == 0x2000A000ull,
        "five ranges into four windows: %d, [0x%" PRIx64 ", 0x%" PRIx64 ") ... [0x%" PRIx64 ", 0x%" PRIx64 ")", k,
        w[0].base, w[0].limit, w[3].base, w[3].limit);
}

static void page_edges(void) {
  drv_window w[1] = {{0x10001000ull, 0x10003000ull}};
  CHECK(drv_window_ok(w, 1, 0x10001000ull, 0x2000), "the whole window");
  CHECK(!drv_window_ok(w, 1, 0x10000FFFull, 2), "a byte before the window");
  CHECK(!drv_window_ok(w, 1, 0x10002FFFull, 2), "a byte past the window");
  CHECK(drv_window_ok(w, 1, 0x10002FFFull, 1), "the window's last byte");
  drv_window top[1] = {{0xFFFFF000ull, 0x100000000ull}};
  CHECK(!drv_window_ok(top, 1, 0xFFFFF000ull, 16), "LIMIT saturates at 0xFFFFF000: the top page is never in a window");
  CHECK(!drv_window_ok(w, 1, 0x110001000ull, 16), "an address past 4 GiB");
  CHECK(drv_window_reg(0x10001234ull) == 0x10001000u && drv_window_reg(0x123456789ull) == DRV_WIN_MAX_REG,
        "register values");
}

/* LOAD INP of one element from image-relative byte `off`, then FINISH. */
static void prog_load_at(const isa_config *c, uint64_t off, isa_prog *p, uint64_t image_bytes) {
  memset(p, 0, sizeof *p);
  p->cfg = c;
  p->n_insns = 2;
  p->insns = calloc(2, sizeof *p->insns);
  p->image_bytes = image_bytes;
  p->image = calloc(image_bytes, 1);
  int f[] = {ISA_F_mem, ISA_MEM_INP, ISA_F_dram, (int)(off / c->elem_bytes[ISA_MEM_INP]), ISA_F_y_size, 1,
             ISA_F_x_size, 1, ISA_F_x_stride, 1, -1};
  p->insns[0] = tu_word(c, ISA_OP_LOAD, 0, f);
  int g[] = {-1};
  p->insns[1] = tu_word(c, ISA_OP_FINISH, 0, g);
}

static void fsim_backend(void) {
  drv_dev *dev;
  if (drv_open("fsim", "pynq", NULL, &dev) != DRV_OK) {
    CHECK(0, "drv_open fsim: %s", drv_open_error());
    return;
  }
  const isa_config *c = drv_config(dev);
  /* a program of a 4 KiB image whose LOAD reads 3 pages past it: with another live buffer there
   * (the guard page lies between), in its window; freed, outside every window */
  drv_buf *a, *b, *other; /* a and b hold the places drv_run_prog's image and code will take */
  CHECK(drv_alloc(dev, 4096, &a) == DRV_OK && drv_alloc(dev, 32, &b) == DRV_OK &&
            drv_alloc(dev, 64 * 1024, &other) == DRV_OK,
        "alloc");
  uint64_t target = drv_buf_addr(other) - drv_buf_addr(a) + 4096 * 3;
  drv_free(dev, a);
  drv_free(dev, b);
  isa_prog p;
  prog_load_at(c, target, &p, 4096);
  int rc = drv_run_prog(dev, &p, NULL, 0);
  CHECK(rc == DRV_OK || (drv_last_error(dev)->kind != DRV_ERR_DRAM_RANGE),
        "a LOAD from a live buffer: %s: %s", drv_strerror(rc), drv_last_error(dev)->message);
  drv_free(dev, other);
  rc = drv_run_prog(dev, &p, NULL, 0);
  const drv_error *e = drv_last_error(dev);
  CHECK(rc == DRV_E_EXEC && e->kind == DRV_ERR_DRAM_RANGE && e->insn_index == 0 &&
            strstr(e->message, "outside the DRAM windows") && strstr(e->message, "load inp"),
        "a LOAD from a freed buffer: %s: kind %d insn %" PRId64 ": %s", drv_strerror(rc), e->kind, e->insn_index,
        e->message);
  isa_prog_free(&p);
  drv_close(dev);
}

int main(void) {
  cover_random();
  page_edges();
  fsim_backend();
  return TEST_END();
}
