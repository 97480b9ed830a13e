/* tests/test_pkg_verify.c -- the program verifier (model/verify.c, package.h): packages whose
 * programs would touch memory outside what the runtime gives them, or run too long, are refused
 * at load (rt_load) with a message naming the layer, the instruction index and its disassembly;
 * the packages the compiler makes for the test models (tiny_cnn and digits on pynq and tiny)
 * load. Mutations are made on the loaded model and written back as a well-formed package:
 * a LOAD outside the image, a STORE into the constants, SRAM indices past a buffer (LOAD block,
 * GEMM accumulator over the loop nest, ALU destination), micro-ops out of the buffer or loaded
 * from the activation arena, a huge loop count, the 50 M-iteration ALU, an undecodable word. */
#include "e2e_util.h"

static const char *PKG = E2E_OUT "/verify_tiny_cnn.dlvta", *TMP = E2E_OUT "/verify_mut.dlvta";

/* Index of the n-th (from 0) instruction of layer l with opcode op (and mem, if >= 0); -1. */
static int find(const cc_model *m, int l, unsigned op, int mem, int n) {
  for (uint32_t k = 0; k < m->l[l].n_insns; k++) {
    isa_insn in;
    if (isa_decode(m->cfg, &m->l[l].insns[k], &in) != ISA_OK || in.f[ISA_F_opcode] != op) continue;
    if (mem >= 0 && in.f[ISA_F_mem] != (unsigned)mem) continue;
    if (n-- == 0) return (int)k;
  }
  return -1;
}

/* Set field f of instruction k of layer l to v (re-encoded). */
static void set(cc_model *m, int l, int k, int f, uint32_t v) {
  isa_set(m->cfg, &m->l[l].insns[k], f, v);
}

typedef void (*mutator)(cc_model *m, int *layer, int *insn);

/* Reads PKG, applies mut, writes TMP, expects rt_load to refuse it naming the layer and the
 * instruction (with its disassembly) and the expected words of the reason. */
static void expect_refused(const char *what, mutator mut, const char *reason) {
  char err[2048] = "";
  cc_model *m = NULL;
  if (cc_package_read(PKG, &m, err, sizeof err) != 0) {
    CHECK(0, "%s: %s", what, err);
    return;
  }
  int layer = -1, insn = -1;
  mut(m, &layer, &insn);
  if (layer < 0 || insn < 0) {
    CHECK(0, "%s: no instruction to mutate", what);
    cc_model_free(m);
    return;
  }
  char dis[256], head[512];
  isa_disasm(m->cfg, &m->l[layer].insns[insn], dis, sizeof dis);
  snprintf(head, sizeof head, "layer %d (%s '%s'): instruction %d (%s)", layer, m->l[layer].op, m->l[layer].node, insn,
           dis);
  int wrc = cc_package_write(m, TMP, err, sizeof err);
  cc_model_free(m);
  CHECK(wrc == 0, "%s: write: %s", what, err);
  rt_model *r = NULL;
  err[0] = 0;
  int rc = rt_load(TMP, &r, err, sizeof err);
  CHECK(rc == RT_E_PACKAGE, "%s: loaded (rc %d)", what, rc);
  CHECK(strstr(err, head) != NULL, "%s: message '%s' does not name '%s'", what, err, head);
  CHECK(strstr(err, reason) != NULL, "%s: message '%s' does not say '%s'", what, err, reason);
  if (!rc) rt_free(r);
  printf("  %s: %s\n", what, err);
}

/* ---- the mutations ---- */
static void load_outside_image(cc_model *m, int *l, int *k) {
  *l = 0, *k = find(m, 0, ISA_OP_LOAD, ISA_MEM_INP, 0);
  if (*k >= 0) set(m, *l, *k, ISA_F_dram, (uint32_t)(m->image_bytes / m->cfg->elem_bytes[ISA_MEM_INP]));
}
static void store_into_constants(cc_model *m, int *l, int *k) {
  *l = 0, *k = find(m, 0, ISA_OP_STORE, -1, 0);
  if (*k >= 0) set(m, *l, *k, ISA_F_dram, (uint32_t)(m->arena_bytes / m->cfg->elem_bytes[ISA_MEM_OUT]));
}
static void load_sram_past_buffer(cc_model *m, int *l, int *k) {
  *l = 0, *k = find(m, 0, ISA_OP_LOAD, ISA_MEM_INP, 0);
  if (*k >= 0) set(m, *l, *k, ISA_F_sram, m->cfg->d.inp_depth - 1);
}
static void gemm_acc_past_buffer(cc_model *m, int *l, int *k) {
  *l = 0, *k = -1;
  for (int n = 0; *k < 0; n++) { /* a GEMM that accumulates, with an outer loop */
    int j = find(m, 0, ISA_OP_GEMM, -1, n);
    if (j < 0) break;
    isa_insn in;
    isa_decode(m->cfg, &m->l[0].insns[j], &in);
    if (!in.f[ISA_F_reset]) *k = j;
  }
  if (*k < 0) return;
  set(m, *l, *k, ISA_F_loop_out, 2);
  set(m, *l, *k, ISA_F_acc_out, m->cfg->d.acc_depth - 1);
}
static void alu_50m_iterations(cc_model *m, int *l, int *k) {
  /* the fuzzer's case: an ALU over 7071 x 7071 iterations whose destination leaves the buffer */
  *l = 0, *k = find(m, 0, ISA_OP_ALU, -1, 0);
  if (*k < 0) return;
  set(m, *l, *k, ISA_F_uop_end, isa_get(m->cfg, &m->l[0].insns[*k], ISA_F_uop_begin) + 1);
  set(m, *l, *k, ISA_F_loop_out, 7071);
  set(m, *l, *k, ISA_F_loop_in, 7071);
  set(m, *l, *k, ISA_F_dst_out, 0);
  set(m, *l, *k, ISA_F_dst_in, 1);
  set(m, *l, *k, ISA_F_src_out, 0);
  set(m, *l, *k, ISA_F_src_in, 0);
}
static void huge_loop_count(cc_model *m, int *l, int *k) {
  /* every index in range (factors 0), but 16383 x 16383 iterations per micro-op */
  *l = 0, *k = find(m, 0, ISA_OP_ALU, -1, 0);
  if (*k < 0) return;
  set(m, *l, *k, ISA_F_loop_out, 16383);
  set(m, *l, *k, ISA_F_loop_in, 16383);
  set(m, *l, *k, ISA_F_dst_out, 0);
  set(m, *l, *k, ISA_F_dst_in, 0);
  set(m, *l, *k, ISA_F_src_out, 0);
  set(m, *l, *k, ISA_F_src_in, 0);
}
static void uops_past_buffer(cc_model *m, int *l, int *k) {
  *l = 0, *k = find(m, 0, ISA_OP_GEMM, -1, 0);
  if (*k < 0) return;
  set(m, *l, *k, ISA_F_uop_begin, m->cfg->d.uop_depth - 1);
  set(m, *l, *k, ISA_F_uop_end, m->cfg->d.uop_depth + 1);
}
static void uops_from_arena(cc_model *m, int *l, int *k) {
  /* the micro-ops come from the activation arena (inputs!): the first GEMM or ALU after the
   * LOAD is refused */
  int u = find(m, 0, ISA_OP_LOAD, ISA_MEM_UOP, 0);
  *l = 0, *k = -1;
  if (u < 0) return;
  set(m, 0, u, ISA_F_dram, 0);
  for (uint32_t j = (uint32_t)u + 1; j < m->l[0].n_insns && *k < 0; j++) {
    uint32_t op = isa_get(m->cfg, &m->l[0].insns[j], ISA_F_opcode);
    if (op == ISA_OP_GEMM || op == ISA_OP_ALU) *k = (int)j;
  }
}
static void undecodable(cc_model *m, int *l, int *k) {
  *l = 0, *k = 1;
  m->l[0].insns[1].w[1] |= 1ull << 63; /* a reserved bit */
}

int main(void) {
  char err[2048];
  if (e2e_compile("tiny_cnn", "tiny", PKG, NULL)) return TEST_END();
  /* the compiler's packages load (cc_model_check ran the verifier on them at compile, too) */
  static const char *ok[][2] = {{"tiny_cnn", "pynq"}, {"digits", "tiny"}, {"digits", "pynq"}};
  for (int i = 0; i < 3; i++) {
    char p[256];
    snprintf(p, sizeof p, E2E_OUT "/verify_%s_%s.dlvta", ok[i][0], ok[i][1]);
    if (e2e_compile(ok[i][0], ok[i][1], p, NULL)) continue;
    rt_model *r = NULL;
    int rc = rt_load(p, &r, err, sizeof err);
    CHECK(rc == RT_OK, "%s on %s: %s", ok[i][0], ok[i][1], err);
    rt_free(r);
  }
  rt_model *r = NULL;
  CHECK(rt_load(PKG, &r, err, sizeof err) == RT_OK, "tiny_cnn on tiny: %s", err);
  rt_free(r);

  expect_refused("LOAD outside the image", load_outside_image, "outside the image's");
  expect_refused("STORE into the constants", store_into_constants, "outside the activation arena's");
  expect_refused("LOAD block past the input buffer", load_sram_past_buffer, "past the buffer's");
  expect_refused("GEMM accumulator index past the buffer", gemm_acc_past_buffer, "ACC index");
  expect_refused("ALU of 50 M iterations leaving the accumulator", alu_50m_iterations, "ACC dst index");
  expect_refused("ALU of 268 M iterations in range", huge_loop_count, "over the limit of 67108864");
  expect_refused("micro-ops past the buffer", uops_past_buffer, "micro-ops");
  expect_refused("micro-ops loaded from the activation arena", uops_from_arena, "is not loaded from the package's constants");
  expect_refused("an undecodable instruction", undecodable, "does not decode");
  return TEST_END();
}
