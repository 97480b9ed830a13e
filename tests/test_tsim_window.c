/* tests/test_tsim_window.c -- the DRAM window (isa/regs.def WINn_BASE / WINn_LIMIT) on the RTL and
 * on fsim: hostile programs, made from progen's valid random programs by pointing one LOAD or
 * STORE (the micro-op loads included) outside the windows, run on tsim and fsim, each under its
 * own random DRAM profile; both must stop with DRAM_RANGE at the same instruction, and a victim
 * buffer, modelled DDR right after the image that the windows leave out, must be unchanged on
 * both. The memory layout (4 KiB pages):
 *
 *   image (window 0) | victim, VICTIM_PAGES pages (DDR, no window) | guard page | code (window 1)
 *
 * Targets, by seed: a row inside the victim; a row that starts in the image's last page and runs
 * into the victim; an address far from every buffer (beyond the modelled DDR and the windows).
 * Every tenth seed also runs the program unchanged (xc_run: both agree on everything). And
 * instruction fetch: a window that covers only the first page of the code (256
 * instructions) stops the fetch of instruction 256 on both.
 *
 *   test_tsim_window [-n programs per config] [-s first seed] [config...]   (default 150; tiny pynq)
 */
#include "progen.h"
#include "testutil.h"
#include "tsim_xcheck.h"

#define VICTIM_PAGES 2u

static uint64_t pages(uint64_t bytes) { return (bytes + ISA_IMAGE_ALIGN - 1) / ISA_IMAGE_ALIGN; }

/* The k-th LOAD or STORE of p (k taken modulo their count); -1 if none. */
static int pick_mem(const isa_prog *p, uint64_t k) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < p->n_insns; i++) {
    isa_insn in;
    if (isa_decode(p->cfg, &p->insns[i], &in) == ISA_OK && in.f[ISA_F_y_size] && in.f[ISA_F_x_size] &&
        (in.f[ISA_F_opcode] == ISA_OP_LOAD || in.f[ISA_F_opcode] == ISA_OP_STORE))
      n++;
  }
  if (!n) return -1;
  k %= n;
  for (uint32_t i = 0; i < p->n_insns; i++) {
    isa_insn in;
    if (isa_decode(p->cfg, &p->insns[i], &in) == ISA_OK && in.f[ISA_F_y_size] && in.f[ISA_F_x_size] &&
        (in.f[ISA_F_opcode] == ISA_OP_LOAD || in.f[ISA_F_opcode] == ISA_OP_STORE) && k-- == 0)
      return (int)i;
  }
  return -1;
}

/* One run of p on both simulators with the layout above and windows w[0..nw); returns 1 if both
 * stop with DRAM_RANGE at instruction `want` (-1: any, the same on both) and the victim is
 * unchanged on both. */
static int run_both(xc *x, const char *tag, uint64_t seed, const isa_prog *p, const drv_window *w, int nw,
                    int64_t want) {
  uint64_t img_pages = pages(p->image_bytes ? p->image_bytes : 1);
  uint64_t victim = XC_IMAGE_ADDR + img_pages * ISA_IMAGE_ALIGN, vbytes = VICTIM_PAGES * ISA_IMAGE_ALIGN;
  uint64_t code_addr = victim + vbytes + ISA_IMAGE_ALIGN, ibytes = (uint64_t)p->n_insns * 16;
  isa_word *iw = malloc(ibytes);
  uint8_t *code = malloc(ibytes), *img[2], *vic[2], *pattern = malloc(vbytes);
  memcpy(iw, p->insns, ibytes);
  uint32_t bad = 0;
  CHECK(isa_relocate(x->cfg, iw, p->n_insns, XC_IMAGE_ADDR, &bad) == ISA_OK, "%s seed %" PRIu64 ": relocate", tag, seed);
  for (uint32_t i = 0; i < p->n_insns; i++) memcpy(code + 16 * (uint64_t)i, iw[i].w, 16);
  for (uint64_t i = 0; i < vbytes; i++) pattern[i] = (uint8_t)(0xA5 ^ (i * 7));
  drv_error e[2];
  int rc[2];
  for (int k = 0; k < 2; k++) {
    img[k] = malloc(p->image_bytes + 1);
    vic[k] = malloc(vbytes);
    memcpy(img[k], p->image, p->image_bytes);
    memcpy(vic[k], pattern, vbytes);
    drv_region r[3] = {{XC_IMAGE_ADDR, p->image_bytes, img[k]}, {victim, vbytes, vic[k]}, {code_addr, ibytes, code}};
    drv_counters c;
    memset(&e[k], 0, sizeof e[k]);
    if (k == 0) {
      fsim_set_windows(x->fs, w, nw);
      rc[k] = fsim_run(x->fs, r, 3, code_addr, p->n_insns, &c, &e[k]);
      fsim_set_windows(x->fs, NULL, -1);
    } else {
      x->api.set_windows(x->ts, w, nw);
      rc[k] = x->api.run(x->ts, r, 3, code_addr, p->n_insns, 0, &c, &e[k]);
      x->api.set_windows(x->ts, NULL, -1);
    }
  }
  tu_programs++;
  int ok = rc[0] == DRV_E_EXEC && rc[1] == DRV_E_EXEC && e[0].kind == DRV_ERR_DRAM_RANGE &&
           e[1].kind == DRV_ERR_DRAM_RANGE && e[0].insn_index == e[1].insn_index &&
           (want < 0 || e[0].insn_index == want);
  CHECK(ok, "%s seed %" PRIu64 ": expected DRAM_RANGE at instruction %" PRId64 " on both; fsim %s (kind %d insn %" PRId64
        "): %s; tsim %s (kind %d insn %" PRId64 "): %s", tag, seed, want, drv_strerror(rc[0]), e[0].kind,
        e[0].insn_index, e[0].message, drv_strerror(rc[1]), e[1].kind, e[1].insn_index, e[1].message);
  for (int k = 0; k < 2; k++) {
    int same = !memcmp(vic[k], pattern, vbytes);
    CHECK(same, "%s seed %" PRIu64 ": the victim buffer changed on %s", tag, seed, k ? "tsim (the RTL)" : "fsim");
    ok &= same;
    free(img[k]);
    free(vic[k]);
  }
  free(iw);
  free(code);
  free(pattern);
  return ok;
}

/* The windows of the layout: the image's pages and the code's (fetch_pages of it if > 0). */
static int layout_windows(const isa_prog *p, uint64_t fetch_pages, drv_window *w) {
  uint64_t img_pages = pages(p->image_bytes ? p->image_bytes : 1);
  uint64_t code_addr = XC_IMAGE_ADDR + (img_pages + VICTIM_PAGES + 1) * ISA_IMAGE_ALIGN;
  uint64_t code_pages = fetch_pages ? fetch_pages : pages((uint64_t)p->n_insns * 16);
  w[0] = (drv_window){XC_IMAGE_ADDR, XC_IMAGE_ADDR + img_pages * ISA_IMAGE_ALIGN};
  w[1] = (drv_window){code_addr, code_addr + code_pages * ISA_IMAGE_ALIGN};
  return 2;
}

/* A hostile variant of progen program `seed`: one LOAD/STORE pointed outside the windows. */
static void hostile(xc *x, const char *cfg, uint64_t seed) {
  progen_opts o;
  progen_opts_default(&o);
  isa_prog p;
  if (progen_make(x->cfg, seed, &o, &p) != 0) {
    CHECK(0, "%s seed %" PRIu64 ": progen_make failed", cfg, seed);
    return;
  }
  uint64_t rng = seed * 0x9E3779B97F4A7C15ull + 1;
  tsim_opts d;
  xc_dram_draw(x->cfg, seed, &d);
  xc_set_dram(x, &d);
  if (seed % 10 == 0) { /* control: the program as progen made it runs alike on both (xc_run) */
    char ctag[64];
    snprintf(ctag, sizeof ctag, "%s control", cfg);
    xc_run(x, ctag, seed, p.insns, p.n_insns, p.image, p.image_bytes);
  }
  int k = pick_mem(&p, tu_xorshift64(&rng));
  if (k < 0) {
    isa_prog_free(&p);
    return;
  }
  isa_insn in;
  isa_decode(x->cfg, &p.insns[k], &in);
  uint64_t eb = x->cfg->elem_bytes[in.f[ISA_F_mem]];
  uint64_t img_pages = pages(p.image_bytes ? p.image_bytes : 1), vic_off = img_pages * ISA_IMAGE_ALIGN;
  uint64_t target; /* image-relative byte address of the instruction's first row */
  switch (seed % 3) {
  case 0: target = vic_off + tu_xorshift64(&rng) % (VICTIM_PAGES * ISA_IMAGE_ALIGN - 64); break;
  case 1: target = vic_off - 1 - tu_xorshift64(&rng) % 64; break; /* runs across the window's end */
  default: target = 0x40000000ull + (tu_xorshift64(&rng) % 0x40000000ull); break;
  }
  uint32_t dram = (uint32_t)(target / eb);
  if (seed % 3 == 1 && (uint64_t)(dram + in.f[ISA_F_x_size]) * eb <= vic_off) dram = (uint32_t)(vic_off / eb);
  isa_set(x->cfg, &p.insns[k], ISA_F_dram, dram);
  drv_window w[2];
  int nw = layout_windows(&p, 0, w);
  char tag[64];
  snprintf(tag, sizeof tag, "%s hostile insn %d", cfg, k);
  run_both(x, tag, seed, &p, w, nw, -1);
  isa_prog_free(&p);
}

/* Fetch: a program of 300 or more instructions whose window covers the code's first page only. */
static void fetch_case(xc *x, const char *cfg, uint64_t seed) {
  progen_opts o;
  progen_opts_default(&o);
  o.max_insns = 400;
  isa_prog p;
  for (uint64_t s = seed;; s += 1000) {
    if (progen_make(x->cfg, s, &o, &p) != 0) return;
    if (p.n_insns > 300) break;
    isa_prog_free(&p);
  }
  drv_window w[2];
  int nw = layout_windows(&p, 1, w);
  char tag[64];
  snprintf(tag, sizeof tag, "%s fetch past the window", cfg);
  run_both(x, tag, seed, &p, w, nw, ISA_IMAGE_ALIGN / 16);
  isa_prog_free(&p);
}

int main(int argc, char **argv) {
  uint64_t n = 150, seed0 = 1;
  const char *cfgs[8];
  int ncfg = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-n") && i + 1 < argc) n = strtoull(argv[++i], NULL, 0);
    else if (!strcmp(argv[i], "-s") && i + 1 < argc) seed0 = strtoull(argv[++i], NULL, 0);
    else if (argv[i][0] == '-') {
      printf("FAIL usage: test_tsim_window [-n N] [-s SEED] [config...]\n");
      return 2;
    } else if (ncfg < 8) cfgs[ncfg++] = argv[i];
  }
  if (!ncfg) cfgs[ncfg++] = "tiny", cfgs[ncfg++] = "pynq";
  for (int c = 0; c < ncfg; c++) {
    xc x;
    if (xc_open(&x, cfgs[c], NULL) != 0) {
      tu_fail++;
      continue;
    }
    int before = tu_fail;
    for (uint64_t s = seed0; s < seed0 + n; s++) hostile(&x, cfgs[c], s);
    for (uint64_t s = seed0; s < seed0 + 4; s++) fetch_case(&x, cfgs[c], s);
    printf("%s: %" PRIu64 " hostile programs and 4 fetch cases, %d failed\n", cfgs[c], n, tu_fail - before);
    xc_close(&x);
  }
  return TEST_END();
}
