/* model/verify.c -- the static program verifier (package.h, cc_verify_program for a package's
 * layers, cc_verify_prog for a plain program file): proves before any run that a program touches
 * only the memory the runtime gives it. It walks the
 * program once, as the units would execute it, keeping the micro-op buffer's contents (every
 * micro-op comes from the package's constant image or from a LOAD's pad word, so it is known
 * here), and checks every DRAM extent, every on-chip index and the total work.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "package.h"

/* What the walk checks against: the program, its data image, where STOREs may write, and which
 * image bytes hold data written at run time (micro-ops loaded from there are unknown). */
typedef struct vprog {
  const isa_word *insns;
  uint32_t n_insns;
  const uint8_t *image;
  uint64_t image_bytes;
  uint64_t store_limit;     /* STOREs write below this byte (a package: its activation arena) */
  const char *store_what;   /* the name of that range in messages */
  const char *const_what;   /* the name of the image bytes micro-ops may come from, in messages */
  const uint64_t *written;  /* [n_written][2]: byte ranges [b, e) written at run time */
  size_t n_written;
  char where[160];          /* message prefix ("layer L (op 'node'): " or "") */
} vprog;

/* What the walk keeps: the micro-op buffer, element by element. */
typedef struct vstate {
  const isa_config *cfg;
  const vprog *p;
  uint32_t *uop;     /* [uop_depth] micro-op words */
  uint8_t *known;    /* [uop_depth] 1: uop[i] holds a word from the constant image or a pad */
  uint64_t iters;    /* loop iterations x micro-ops so far */
  uint64_t gen;      /* bumped by every LOAD UOP */
  uint64_t c_gen, c_ub, c_ue; /* the range whose largest fields c_max holds (c_gen 0: none) */
  uint32_t c_max[3];          /* largest u_acc, u_src, u_wgt over micro-ops [c_ub, c_ue) */
  char *err;
  size_t errlen;
} vstate;

/* "<where>instruction K (disassembly): what"; returns -1. */
static int verr(const vstate *v, uint32_t k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int verr(const vstate *v, uint32_t k, const char *fmt, ...) {
  char what[256], dis[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  isa_disasm(v->cfg, &v->p->insns[k], dis, sizeof dis);
  if (v->err && v->errlen)
    snprintf(v->err, v->errlen, "%sinstruction %" PRIu32 " (%s): %s", v->p->where, k, dis, what);
  return -1;
}


/* Micro-op element e of a LOAD UOP whose DRAM data sits at image byte a (4 bytes). */
static void uop_from_image(vstate *v, uint64_t e, uint64_t a) {
  for (size_t i = 0; i < v->p->n_written; i++)
    if (a + 4 > v->p->written[2 * i] && a < v->p->written[2 * i + 1]) { /* written at run time */
      v->known[e] = 0;
      return;
    }
  const uint8_t *p = v->p->image + a;
  v->uop[e] = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
  v->known[e] = 1;
}

/* LOAD / STORE: the on-chip block inside its buffer, every DRAM row inside the image (a STORE:
 * inside the arena, so that constants and micro-ops never change); a LOAD UOP updates uop[]. */
static int check_mem(vstate *v, uint32_t k, const isa_insn *in) {
  const uint32_t *f = in->f;
  int store = f[ISA_F_opcode] == ISA_OP_STORE;
  unsigned mem = f[ISA_F_mem];
  uint64_t eb = v->cfg->elem_bytes[mem];
  uint64_t yp0 = f[ISA_F_y_pad0], yp1 = f[ISA_F_y_pad1], xp0 = f[ISA_F_x_pad0], xp1 = f[ISA_F_x_pad1];
  uint64_t ys = f[ISA_F_y_size], xs = f[ISA_F_x_size], stride = f[ISA_F_x_stride];
  uint64_t rows = yp0 + ys + yp1, cols = xp0 + xs + xp1, sram = f[ISA_F_sram], total = rows * cols;
  unsigned depth = isa_mem_depth(v->cfg, (int)mem);
  if (total && sram + total > depth)
    return verr(v, k, "%s elements %" PRIu64 "..%" PRIu64 " past the buffer's %u", isa_mem_name((int)mem), sram,
                sram + total - 1, depth);
  if ((!ys || !xs) && mem == ISA_MEM_UOP && total) { /* pads only */
    uint32_t pad = (uint32_t)isa_sext(f[ISA_F_pad_value], v->cfg->fwidth[ISA_F_pad_value]);
    for (uint64_t e = sram; e < sram + total; e++) v->uop[e] = pad, v->known[e] = 1;
    v->gen++;
  }
  if (!ys || !xs) return 0;
  uint64_t first = f[ISA_F_dram] * eb, end = (f[ISA_F_dram] + (ys - 1) * stride) * eb + xs * eb;
  uint64_t limit = store ? v->p->store_limit : v->p->image_bytes;
  if (end > limit)
    return verr(v, k, "DRAM bytes [%" PRIu64 ", %" PRIu64 ") (%" PRIu64 " rows of %" PRIu64
                " bytes, stride %" PRIu64 ") outside the %s's %" PRIu64 " bytes",
                first, end, ys, xs * eb, stride * eb, store ? v->p->store_what : "image", limit);
  if (mem != ISA_MEM_UOP) return 0;
  v->gen++;
  uint32_t pad = (uint32_t)isa_sext(f[ISA_F_pad_value], v->cfg->fwidth[ISA_F_pad_value]);
  for (uint64_t r = 0; r < rows; r++)
    for (uint64_t c = 0; c < cols; c++) {
      uint64_t e = sram + r * cols + c;
      if (r < yp0 || r >= yp0 + ys || c < xp0 || c >= xp0 + xs) {
        v->uop[e] = pad;
        v->known[e] = 1;
      } else {
        uop_from_image(v, e, (f[ISA_F_dram] + (r - yp0) * stride + (c - xp0)) * eb);
      }
    }
  return 0;
}

/* GEMM / ALU: the micro-op range inside the buffer and known, every index each micro-op makes
 * over the loop nest inside its buffer (indices are affine in the loop counters with unsigned
 * factors: the largest is at the last iteration), and the work within CC_VERIFY_MAX_ITERS. */
static int check_nest(vstate *v, uint32_t k, const isa_insn *in) {
  const uint32_t *f = in->f;
  const isa_derived *d = &v->cfg->d;
  uint64_t lo = f[ISA_F_loop_out], li = f[ISA_F_loop_in], ub = f[ISA_F_uop_begin], ue = f[ISA_F_uop_end];
  if (ue <= ub || !lo || !li) return 0; /* no iteration (ISA.md) */
  if (ue > d->uop_depth)
    return verr(v, k, "micro-ops %" PRIu64 "..%" PRIu64 " past the buffer's %u", ub, ue - 1, d->uop_depth);
  v->iters += lo * li * (ue - ub);
  if (v->iters > CC_VERIFY_MAX_ITERS)
    return verr(v, k, "the program's loop iterations x micro-ops reach %" PRIu64 ", over the limit of %llu", v->iters,
                (unsigned long long)CC_VERIFY_MAX_ITERS);
  int dw = f[ISA_F_opcode] == ISA_OP_DWGEMM, gemm = dw || f[ISA_F_opcode] == ISA_OP_GEMM;
  int n_kind;
  struct { const char *name; uint64_t fo, fi, li; unsigned depth; } kind[3];
  for (int j = 0; j < 3; j++) kind[j].li = li;
  if (gemm) {
    n_kind = f[ISA_F_reset] ? 1 : 3; /* reset reads no input or weight */
    kind[0].name = "ACC", kind[0].fo = f[ISA_F_acc_out], kind[0].fi = f[ISA_F_acc_in], kind[0].depth = d->acc_depth;
    kind[1].name = "INP", kind[1].fo = f[ISA_F_inp_out], kind[1].fi = f[ISA_F_inp_in], kind[1].depth = d->inp_depth;
    kind[2].name = "WGT", kind[2].fo = f[ISA_F_wgt_out], kind[2].fi = f[ISA_F_wgt_in], kind[2].depth = d->wgt_depth;
    if (dw) { /* taps T (decoded: 1..dw_taps): ACC and WGT over i' = i - (T - 1) >= 0, no WGT outer factor */
      kind[0].li = kind[2].li = li > f[ISA_F_taps] - 1 ? li - (f[ISA_F_taps] - 1) : 1;
      kind[2].fo = 0;
    }
    if (!f[ISA_F_reset] && f[ISA_F_bias]) { /* wgt_in is the first bias element, no factor */
      kind[2].fi = 0;
      if (f[ISA_F_wgt_in] + (ue - 1 - ub) >= d->acc_depth)
        return verr(v, k, "ACC bias index %" PRIu64 " (bias of micro-op %" PRIu64 ") past the buffer's %u",
                    f[ISA_F_wgt_in] + (ue - 1 - ub), ue - 1, d->acc_depth);
    }
  } else {
    int use_src = !f[ISA_F_use_imm] || f[ISA_F_alu_op] == ISA_ALU_REQ; /* REQ reads acc[src] even with imm */
    n_kind = use_src ? 2 : 1;
    kind[0].name = "ACC dst", kind[0].fo = f[ISA_F_dst_out], kind[0].fi = f[ISA_F_dst_in], kind[0].depth = d->acc_depth;
    kind[1].name = "ACC src", kind[1].fo = f[ISA_F_src_out], kind[1].fi = f[ISA_F_src_in], kind[1].depth = d->acc_depth;
    if (f[ISA_F_src_inp]) kind[1].name = "INP src", kind[1].depth = d->inp_depth; /* the source is inp[s] */
  }
  if (v->c_gen != v->gen || v->c_ub != ub || v->c_ue != ue) { /* the range's largest fields */
    v->c_max[0] = v->c_max[1] = v->c_max[2] = 0;
    for (uint64_t u = ub; u < ue; u++) {
      if (!v->known[u])
        return verr(v, k, "micro-op %" PRIu64 " is not loaded from %s before its use", u, v->p->const_what);
      uint32_t b[3];
      isa_uop_fields(v->cfg, v->uop[u], &b[0], &b[1], &b[2]);
      for (int j = 0; j < 3; j++)
        if (b[j] > v->c_max[j]) v->c_max[j] = b[j];
    }
    v->c_gen = v->gen, v->c_ub = ub, v->c_ue = ue;
  }
  for (int j = 0; j < n_kind; j++) {
    uint64_t top = v->c_max[j] + (lo - 1) * kind[j].fo + (kind[j].li - 1) * kind[j].fi;
    if (top >= kind[j].depth)
      return verr(v, k, "%s index %" PRIu64 " (largest micro-op field %" PRIu32 " of micro-ops %" PRIu64 "..%" PRIu64
                  ", o=%" PRIu64 " i=%" PRIu64 ") past the buffer's %u",
                  kind[j].name, top, v->c_max[j], ub, ue - 1, lo - 1, kind[j].li - 1, kind[j].depth);
  }
  return 0;
}

/* The walk over p's instructions in program order. 0, or -1 with the message in err. */
static int verify_walk(const isa_config *cfg, const vprog *p, char *err, size_t errlen) {
  vstate v = {cfg, p, calloc(cfg->d.uop_depth + 1u, 4), calloc(cfg->d.uop_depth + 1u, 1), 0, 1, 0, 0, 0, {0}, err, errlen};
  int rc = 0;
  if (!v.uop || !v.known) rc = -1, snprintf(err, errlen, "%sout of memory", p->where);
  if (!rc && p->n_insns == 0) rc = -1, snprintf(err, errlen, "%sempty program", p->where);
  for (uint32_t k = 0; k < p->n_insns && !rc; k++) {
    isa_insn in;
    int dc = isa_decode(cfg, &p->insns[k], &in);
    if (dc != ISA_OK) {
      rc = verr(&v, k, "does not decode: %s", isa_strerror(dc));
      break;
    }
    switch (in.f[ISA_F_opcode]) {
    case ISA_OP_LOAD:
    case ISA_OP_STORE: rc = check_mem(&v, k, &in); break;
    case ISA_OP_GEMM:
    case ISA_OP_DWGEMM:
    case ISA_OP_ALU: rc = check_nest(&v, k, &in); break;
    default: break;
    }
  }
  free(v.uop);
  free(v.known);
  return rc;
}

int cc_verify_program(const cc_model *m, int layer, char *err, size_t errlen) {
  const cc_mlayer *l = &m->l[layer];
  uint64_t arena[2] = {0, m->arena_bytes}; /* the arena holds activations, written at run time */
  vprog p = {l->insns, l->n_insns, m->image, m->image_bytes, m->arena_bytes, "activation arena",
             "the package's constants", arena, 1, ""};
  snprintf(p.where, sizeof p.where, "layer %d (%.40s '%.80s'): ", layer, l->op, l->node);
  return verify_walk(m->cfg, &p, err, errlen);
}

int cc_verify_prog(const isa_prog *prog, char *err, size_t errlen) {
  const isa_config *cfg = prog->cfg;
  /* every STORE's byte hull is data written at run time (whatever the order the units run in) */
  uint64_t *w = malloc(2 * sizeof *w * (prog->n_insns ? prog->n_insns : 1));
  if (!w) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  size_t n = 0;
  for (uint32_t k = 0; k < prog->n_insns; k++) {
    isa_insn in;
    if (isa_decode(cfg, &prog->insns[k], &in) != ISA_OK || in.f[ISA_F_opcode] != ISA_OP_STORE) continue;
    const uint32_t *f = in.f;
    uint64_t eb = cfg->elem_bytes[f[ISA_F_mem]], ys = f[ISA_F_y_size], xs = f[ISA_F_x_size];
    if (!ys || !xs) continue;
    w[2 * n] = f[ISA_F_dram] * eb;
    w[2 * n + 1] = (f[ISA_F_dram] + (ys - 1) * f[ISA_F_x_stride]) * eb + xs * eb;
    n++;
  }
  vprog p = {prog->insns, prog->n_insns, prog->image, prog->image_bytes, prog->image_bytes, "image",
             "image bytes that no STORE of the program writes", w, n, ""};
  int rc = verify_walk(cfg, &p, err, errlen);
  free(w);
  return rc;
}
