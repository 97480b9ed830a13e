/* tests/test_prog_verify.c -- the verifier of plain programs (cc_verify_prog, model/verify.c):
 * every random valid program of progen (tiny and pynq) and the example program pass it; directed
 * mutations are refused naming the instruction index, its disassembly and the reason (a LOAD or
 * STORE past the image, a block past its buffer, a GEMM with micro-ops never loaded, micro-ops
 * loaded from bytes a STORE writes, an accumulator index past the buffer over the loop nest, a
 * huge loop count, an undecodable word); and random bit flips of random programs: whenever the
 * verifier accepts one, fsim runs it without a DRAM or SRAM range error (what it proves). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fsim.h"
#include "package.h"
#include "progen.h"
#include "testutil.h"

/* k-th (from 0) instruction of p with opcode op (and memory mem if >= 0); -1 if none. */
static int find(const isa_prog *p, unsigned op, int mem, int n) {
  for (uint32_t k = 0; k < p->n_insns; k++) {
    isa_insn in;
    if (isa_decode(p->cfg, &p->insns[k], &in) != ISA_OK || in.f[ISA_F_opcode] != op) continue;
    if (mem >= 0 && in.f[ISA_F_mem] != (unsigned)mem) continue;
    if (n-- == 0) return (int)k;
  }
  return -1;
}

/* Expects cc_verify_prog to refuse p with "instruction K (" (k < 0: any K) and reason (or
 * reason2, if not NULL) in its message. */
static void expect_refused(const char *what, const isa_prog *p, int k, const char *reason, const char *reason2) {
  char err[1024] = "", head[32] = "instruction ";
  int rc = cc_verify_prog(p, err, sizeof err);
  if (k >= 0) snprintf(head, sizeof head, "instruction %d (", k);
  CHECK(rc == -1 && strstr(err, head) && (strstr(err, reason) || (reason2 && strstr(err, reason2))),
        "%s: expected a refusal of %s'%s', got rc %d: %s", what, head, reason, rc, err);
}

/* Directed mutations of progen programs of cfg (a copy each). */
static void directed(const isa_config *cfg) {
  progen_opts o;
  progen_opts_default(&o);
  isa_prog p;
  int done = 0;
  for (uint64_t seed = 1; seed < 200 && done < 7; seed++) {
    if (progen_make(cfg, seed, &o, &p) != 0) continue;
    int ld = find(&p, ISA_OP_LOAD, ISA_MEM_INP, 0), st = find(&p, ISA_OP_STORE, -1, 0);
    int gm = find(&p, ISA_OP_GEMM, -1, 0), lu = find(&p, ISA_OP_LOAD, ISA_MEM_UOP, 0);
    if (ld < 0 || st < 0 || gm < 0 || lu < 0 || lu > gm) {
      isa_prog_free(&p);
      continue;
    }
    isa_word keep;
#define MUT(k, field, val, what, reason)               \
  keep = p.insns[k];                                   \
  isa_set(cfg, &p.insns[k], field, (uint32_t)(val));   \
  expect_refused(what, &p, k, reason, NULL), done++;   \
  p.insns[k] = keep
    uint32_t dmax = (uint32_t)((1ull << cfg->fwidth[ISA_F_dram]) - 1);
    MUT(ld, ISA_F_dram, dmax, "LOAD past the image", "outside the image's");
    MUT(st, ISA_F_dram, dmax, "STORE past the image", "outside the image's");
    MUT(ld, ISA_F_sram, cfg->d.inp_depth - 1, "LOAD block past INP", "past the buffer's");
    keep = p.insns[gm];
    isa_set(cfg, &p.insns[gm], ISA_F_loop_out, (1u << cfg->fwidth[ISA_F_loop_out]) - 1);
    isa_set(cfg, &p.insns[gm], ISA_F_loop_in, (1u << cfg->fwidth[ISA_F_loop_in]) - 1);
    expect_refused("GEMM loop past the buffers or the work limit", &p, gm, "past the buffer's", "over the limit");
    done++;
    p.insns[gm] = keep;
    isa_prog q = p; /* no micro-op load at all (a copy of the instructions) */
    q.insns = malloc(p.n_insns * sizeof *q.insns);
    memcpy(q.insns, p.insns, p.n_insns * sizeof *q.insns);
    for (uint32_t k = 0; k < q.n_insns; k++) {
      isa_insn in;
      if (isa_decode(cfg, &q.insns[k], &in) == ISA_OK && in.f[ISA_F_opcode] == ISA_OP_LOAD &&
          in.f[ISA_F_mem] == ISA_MEM_UOP) {
        isa_set(cfg, &q.insns[k], ISA_F_y_size, 0);
        isa_set(cfg, &q.insns[k], ISA_F_y_pad0, 0);
        isa_set(cfg, &q.insns[k], ISA_F_y_pad1, 0);
      }
    }
    expect_refused("GEMM with micro-ops never loaded", &q, -1, "is not loaded from image bytes that no STORE", NULL);
    done++;
    free(q.insns);
    keep = p.insns[st];
    /* micro-ops from bytes a STORE writes: the STORE's rows moved onto the micro-op data */
    isa_insn lin, sin;
    isa_decode(cfg, &p.insns[lu], &lin);
    isa_decode(cfg, &p.insns[st], &sin);
    uint64_t ub = lin.f[ISA_F_dram] * cfg->elem_bytes[ISA_MEM_UOP], eb = cfg->elem_bytes[sin.f[ISA_F_mem]];
    uint64_t send = ub + ((sin.f[ISA_F_y_size] - 1) * (uint64_t)sin.f[ISA_F_x_stride] + sin.f[ISA_F_x_size]) * eb;
    if (lin.f[ISA_F_y_size] && lin.f[ISA_F_x_size] && sin.f[ISA_F_y_size] && ub % eb == 0 && send <= p.image_bytes) {
      isa_set(cfg, &p.insns[st], ISA_F_dram, (uint32_t)(ub / eb));
      char err[1024] = "";
      CHECK(cc_verify_prog(&p, err, sizeof err) == -1 && strstr(err, "no STORE of the program writes"),
            "micro-ops from stored bytes: %s", err);
      done++;
    }
    p.insns[st] = keep;
    isa_word bad = {{~0ull, ~0ull}};
    p.insns[0] = bad;
    expect_refused("undecodable word", &p, 0, "does not decode", NULL);
    done++;
    isa_prog_free(&p);
  }
  CHECK(done >= 7, "%s: only %d directed mutations made", cfg->d.name, done);
}

int main(void) {
  const char *cfgs[] = {"tiny", "pynq"};
  for (int c = 0; c < 2; c++) {
    const isa_config *cfg = isa_config_find(cfgs[c]);
    progen_opts o;
    progen_opts_default(&o);
    int pass = 0, n = 300;
    for (uint64_t seed = 1; seed <= (uint64_t)n; seed++) {
      isa_prog p;
      if (progen_make(cfg, seed, &o, &p) != 0) continue;
      char err[1024] = "";
      int rc = cc_verify_prog(&p, err, sizeof err);
      CHECK(rc == 0, "%s seed %" PRIu64 ": a valid random program refused: %s", cfgs[c], seed, err);
      pass += rc == 0;
      tu_programs++;
      isa_prog_free(&p);
    }
    printf("%s: %d of %d random valid programs pass the verifier\n", cfgs[c], pass, n);
    directed(cfg);
    /* bit flips: accepted => no range error on fsim */
    fsim *s = fsim_create(cfg);
    int accepted = 0, flips = 400;
    uint64_t rng = 0x9E3779B97F4A7C15ull + (uint64_t)c;
    for (int i = 0; i < flips; i++) {
      isa_prog p;
      if (progen_make(cfg, 1000 + (uint64_t)i, &o, &p) != 0) continue;
      uint32_t k = (uint32_t)(tu_xorshift64(&rng) % p.n_insns);
      unsigned bit = (unsigned)(tu_xorshift64(&rng) % 128);
      p.insns[k].w[bit / 64] ^= 1ull << (bit % 64);
      char err[1024];
      if (cc_verify_prog(&p, err, sizeof err) == 0) {
        accepted++;
        tu_programs++;
        uint8_t *img = malloc(p.image_bytes ? p.image_bytes : 1);
        memcpy(img, p.image, p.image_bytes);
        drv_counters ctr;
        drv_error e = {0};
        int rc = fsim_run_prog(s, &p, img, &ctr, &e);
        CHECK(rc == DRV_OK || (e.kind != DRV_ERR_DRAM_RANGE && e.kind != DRV_ERR_SRAM_RANGE),
              "%s flip %d (insn %" PRIu32 " bit %u) accepted, but fsim: %s", cfgs[c], i, k, bit, e.message);
        free(img);
      }
      isa_prog_free(&p);
    }
    printf("%s: %d of %d bit-flipped programs accepted, none with a range error on fsim\n", cfgs[c],
           accepted, flips);
    fsim_destroy(s);
  }
  return TEST_END();
}
