/* cli/cmd_compare.c -- `dlvta compare MODEL.onnx PACKAGE --input X.npy [--backend B] [--json]`:
 * every accelerator layer and CPU step of a package, in plan order, side by side: the float
 * reference (ref/, the ONNX model run in float), the int8 reference of the lowering (the back
 * end's plain-C layers, compiler/backend/cg_ref.c, on the inputs the device saw), fsim and the
 * chosen backend. Per row: cosine and largest error against float, and whether each device
 * is bit-exact against the int8 reference; on a device's first mismatch the element, both
 * values and the layer's program around the instruction that wrote it (a replay of the layer
 * on fsim watching that accumulator element, and the STORE that moved it to DRAM).
 *
 * The lowering's parameters come from compiling MODEL.onnx again for the package's config
 * (with --calib as the package was compiled); the package must hold the same layers, tensors and
 * quantization, else the model is the wrong one (or the calibration differs) and compare says
 * so. Programs or constants that differ from the fresh compile are reported, and compared as
 * the package has them. Exit 0 when every device agrees with the int8 reference, 1 when one
 * disagrees or on an error, 2 on bad usage. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compile.h"
#include "fsim.h"
#include "npy.h"
#include "onnx_import.h"
#include "ref.h"
#include "runtime.h"

#define USAGE                                                                                       \
  "usage: dlvta compare MODEL.onnx PACKAGE --input X.npy [--backend fsim|verilator|zynq] [--json]\n" \
  "                     [--calib SAMPLES.npy] [--options KEY=VALUE,...]\n"                          \
  "       (--calib: the samples the package was compiled with, by default the file its calibration\n" \
  "        note names; --options: the backend's)\n"

#define MAX_DEVS 2
#define WINDOW 4 /* instructions shown either side of the writer */

/* One device's run of the package on the input. */
typedef struct devrun {
  const char *backend;
  int8_t **acc;    /* [nt] int8 CHW of each accelerator tensor after the run (im2col: the
                      quantized plain input, from its QUANT step) */
  float **val;     /* [runtime graph tensors] float values the CPU steps produced */
  uint8_t *image;  /* [image_bytes] the device's image after the run */
  const cc_model *pm;
  char err[1024];
} devrun;

/* A device's verdict on one layer. */
typedef struct verdict {
  double cos, maxerr;        /* dequantized output against float (NAN: no float value) */
  int64_t mismatches;        /* elements that differ from the int8 reference; -1: not compared */
  int64_t first;             /* first differing element (CHW index) */
  int dev_val, ref_val;
} verdict;

typedef struct row {
  int step, kind, index;     /* plan step, RT_STEP_*, layer or node */
  const char *op, *node, *desc;
  int has_float, has_ref;   /* has_ref: an int8 reference exists (the device has the layer's inputs) */
  double ref_cos, ref_maxerr; /* the int8 reference (on fsim's inputs) against float */
  verdict v[MAX_DEVS];
} row;

/* Float values of the ONNX model by tensor name, for the names compare needs. */
typedef struct floatref {
  int n;
  const char **name;
  float **val;
  int64_t *numel;
} floatref;

static double cosine(const float *a, const float *b, int64_t n, double *maxerr) {
  double ab = 0, aa = 0, bb = 0, me = 0;
  for (int64_t i = 0; i < n; i++) {
    ab += (double)a[i] * b[i], aa += (double)a[i] * a[i], bb += (double)b[i] * b[i];
    me = fmax(me, fabs((double)a[i] - b[i]));
  }
  *maxerr = me;
  if (aa == 0 && bb == 0) return 1.0;
  return aa == 0 || bb == 0 ? 0.0 : ab / sqrt(aa * bb);
}

static const float *fr_find(const floatref *f, const char *name, int64_t numel) {
  for (int i = 0; i < f->n; i++)
    if (!strcmp(f->name[i], name) && f->numel[i] == numel) return f->val[i];
  return NULL;
}

/* ref_run's per-node callback: keeps a copy of every output whose name is wanted. */
static int fr_node(void *ctx, const ir_graph *g, int ni, const ir_value *const *outs) {
  floatref *f = ctx;
  const ir_node *n = g->nodes[ni];
  for (int k = 0; k < n->n_out; k++) {
    if (n->out[k] < 0 || !outs[k] || outs[k]->type.dtype != IR_F32) continue;
    const char *nm = g->tensors[n->out[k]]->name;
    for (int i = 0; i < f->n; i++) {
      if (f->val[i] || strcmp(f->name[i], nm)) continue;
      int64_t c = ir_type_numel(&outs[k]->type);
      f->val[i] = malloc((size_t)(c > 0 ? c : 1) * sizeof(float));
      if (!f->val[i]) return 1;
      memcpy(f->val[i], outs[k]->data, (size_t)c * sizeof(float));
      f->numel[i] = c;
    }
  }
  return 0;
}

/* Graph g through ref/ on input in, keeping the wanted values in f (fr_node). 0, or -1. */
static int fr_run(const ir_graph *g, const ir_value *in, floatref *f, char *err, size_t n) {
  ir_value *outs = calloc((size_t)g->n_outputs + 1, sizeof *outs);
  ref_opts o = {.on_node = fr_node, .ctx = f};
  int rc = outs ? ref_run(g, in, 1, outs, &o, err, n) : IR_ERR;
  for (int i = 0; rc == IR_OK && i < g->n_outputs; i++) ir_value_free(&outs[i]);
  free(outs);
  return rc == IR_OK ? 0 : -1;
}

/* The float reference: MODEL.onnx through ref/ on x, keeping the values of the package's
 * accelerator tensors and of its runtime graph's tensors by name. 0, or -1 with err set. */
/* A package compiled with --outputs ends where the model's own outputs do not: the model is cut
 * at the package's outputs (when it has tensors of those names), as the compile cut it, so that
 * what lies past them (post-processing the reference cannot run) is not run. 0, or -1. */
static int cut_like_package(ir_graph *g, const cc_model *pm, const char *onnx, char *err, size_t n) {
  const ir_graph *pg = pm->g;
  int same = pg->n_outputs == g->n_outputs, found = 1;
  const char *names[64];
  for (int i = 0; i < pg->n_outputs && same; i++) same = !strcmp(pg->tensors[pg->outputs[i]]->name, g->tensors[g->outputs[i]]->name);
  if (same || pg->n_outputs > 64) return 0;
  for (int i = 0; i < pg->n_outputs; i++) {
    names[i] = pg->tensors[pg->outputs[i]]->name;
    found &= ir_find_tensor(g, names[i]) >= 0;
  }
  if (!found) return 0; /* outputs the compile renamed: the model as it is */
  if (ir_cut_outputs(g, names, pg->n_outputs, err, n) == IR_OK) return 0;
  char why[512];
  snprintf(why, sizeof why, "%s", err);
  snprintf(err, n, "%s: %s", onnx, why);
  return -1;
}

static int float_reference(const char *onnx, const cc_model *pm, const float *x, floatref *f, char *err, size_t n) {
  ir_graph *g = NULL;
  if (onnx_import(onnx, &g, err, n) != IR_OK) return -1;
  if (cut_like_package(g, pm, onnx, err, n)) return ir_graph_free(g), -1;
  int want = pm->nt + pm->g->n_tensors;
  f->name = calloc((size_t)want + 1, sizeof *f->name);
  f->val = calloc((size_t)want + 1, sizeof *f->val);
  f->numel = calloc((size_t)want + 1, sizeof *f->numel);
  if (!f->name || !f->val || !f->numel) return ir_graph_free(g), snprintf(err, n, "out of memory"), -1;
  for (int i = 0; i < pm->nt; i++) f->name[f->n++] = pm->t[i].name;
  for (int i = 0; i < pm->g->n_tensors; i++) f->name[f->n++] = pm->g->tensors[i]->name;
  if (g->n_inputs != 1) {
    snprintf(err, n, "%s: the model has %d inputs; compare feeds one", onnx, g->n_inputs);
    return ir_graph_free(g), -1;
  }
  /* a model exported with a fixed batch that the compile unbatched, or a 3-D conv net that it
   * lifted: the graph as the compile's front end makes it up to lift-3d, whose float values the
   * package's one-sample and per-frame tensors have (the activations keep their names) */
  const ir_type *mt = &g->tensors[g->inputs[0]]->type, *pt = &pm->g->tensors[pm->g->inputs[0]]->type;
  int front = mt->rank > 0 && pt->rank == mt->rank && mt->dims[0] > 1 && pt->dims[0] == 1;
  for (int i = 0; i < g->n_nodes && !front; i++)
    front = g->nodes[i]->op == IR_OP_Conv && g->nodes[i]->n_in > 1 && g->tensors[g->nodes[i]->in[1]]->type.rank == 5;
  if (front) {
    cc_options co = {.stop_after = "lift-3d"};
    cc_ctx cx = {.o = &co, .cfg = pm->cfg};
    if (cc_run_pipeline(g, &cx, err, n) != IR_OK) return ir_graph_free(g), -1;
  }
  ir_value in = {.type = pm->g->tensors[pm->g->inputs[0]]->type, .data = (void *)x};
  int rc = fr_run(g, &in, f, err, n);
  ir_graph_free(g);
  /* an accelerator tensor that the front end's layout rewrites made (a Transpose sunk past it:
   * "relu1_cf", the NCHW twin of the model's NHWC "relu1"): from the graph as the front end
   * leaves it, whose rewrites keep the float values */
  int missing = 0;
  for (int i = 0; i < pm->nt; i++) missing |= f->val[i] == NULL;
  if (rc || !missing || front) return rc;
  if (onnx_import(onnx, &g, err, n) != IR_OK) return -1;
  if (cut_like_package(g, pm, onnx, err, n)) return ir_graph_free(g), -1;
  for (int i = 0; i < g->n_inputs; i++) { /* one inference at a time, as the compile takes it */
    ir_type *t = &g->tensors[g->inputs[i]]->type;
    if (t->rank > 0 && t->dims[0] < 0) t->dims[0] = 1;
  }
  cc_options co = {.config = pm->cfg->d.name, .stop_after = "dce"};
  cc_ctx cx = {.o = &co, .cfg = pm->cfg};
  if (cc_run_pipeline(g, &cx, err, n) == IR_OK) rc = fr_run(g, &in, f, err, n);
  else rc = 0, *err = 0; /* (what the front end cannot take, the model's own values stand) */
  ir_graph_free(g);
  return rc;
}

static void fr_free(floatref *f) {
  for (int i = 0; i < f->n; i++) free(f->val[i]);
  free(f->name), free(f->val), free(f->numel);
}

/* ---- device runs ------------------------------------------------------------------------- */

static int8_t quant1(float x, float scale, int32_t zp) {
  double v = nearbyint(x / scale) + zp;
  return (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
}

/* rt_run's step hook: keeps the quantized input of each QUANT and the values of CPU steps. */
static int dev_step(void *ctx, rt_model *r, int step, int kind, int a, int b, int after) {
  devrun *d = ctx;
  (void)step;
  if (!after) return 0;
  const cc_model *pm = d->pm;
  if (kind == RT_STEP_QUANT) {
    int64_t n;
    const float *x = rt_value(r, a, &n);
    const cc_mtensor *t = &pm->t[b];
    if (!x || n != (int64_t)t->c * t->h * t->w) return 1;
    free(d->acc[b]);
    if (!(d->acc[b] = malloc((size_t)n))) return 1;
    for (int64_t i = 0; i < n; i++) d->acc[b][i] = quant1(x[i], t->scale, t->zp);
  } else if (kind == RT_STEP_CPU) {
    const ir_node *nd = pm->g->nodes[a];
    for (int k = 0; k < nd->n_out; k++) {
      int64_t n;
      const float *v = nd->out[k] >= 0 ? rt_value(r, nd->out[k], &n) : NULL;
      if (!v) continue;
      free(d->val[nd->out[k]]);
      if (!(d->val[nd->out[k]] = malloc((size_t)n * sizeof(float) + 1))) return 1;
      memcpy(d->val[nd->out[k]], v, (size_t)n * sizeof(float));
    }
  }
  return 0;
}

/* Runs the package on backend d->backend on x and reads every tensor back. 0, or -1 with d->err. */
static int dev_run(devrun *d, const char *pkg, const char *opts, const float *x) {
  const cc_model *pm = d->pm;
  d->acc = calloc((size_t)pm->nt + 1, sizeof *d->acc);
  d->val = calloc((size_t)pm->g->n_tensors + 1, sizeof *d->val);
  d->image = malloc(pm->image_bytes + 1);
  if (!d->acc || !d->val || !d->image) return snprintf(d->err, sizeof d->err, "out of memory"), -1;
  rt_model *r = NULL;
  if (rt_load(pkg, &r, d->err, sizeof d->err) != RT_OK) return -1;
  int rc = rt_open(r, d->backend, opts, d->err, sizeof d->err);
  float **outs = calloc((size_t)rt_n_outputs(r) + 1, sizeof *outs);
  for (int o = 0; rc == RT_OK && o < rt_n_outputs(r); o++)
    if (!(outs[o] = malloc((size_t)rt_output_numel(r, o) * sizeof(float)))) rc = RT_E_NOMEM;
  rt_set_step_hook(r, dev_step, d);
  const float *ins[1] = {x};
  if (rc == RT_OK && outs) rc = rt_run(r, ins, outs, d->err, sizeof d->err);
  for (int t = 0; rc == RT_OK && t < pm->nt; t++) {
    if (pm->t[t].im2col) continue;
    free(d->acc[t]);
    d->acc[t] = malloc((size_t)pm->t[t].c * pm->t[t].h * pm->t[t].w);
    rc = d->acc[t] ? rt_acc_read(r, t, d->acc[t], d->err, sizeof d->err) : RT_E_NOMEM;
  }
  if (rc == RT_OK) rc = rt_image_read(r, d->image, pm->image_bytes, d->err, sizeof d->err);
  for (int o = 0; outs && o < rt_n_outputs(r); o++) free(outs[o]);
  free(outs);
  rt_free(r);
  if (rc == RT_E_NOMEM && !d->err[0]) snprintf(d->err, sizeof d->err, "out of memory");
  return rc == RT_OK ? 0 : -1;
}

static void dev_free(devrun *d, const cc_model *pm) {
  for (int t = 0; d->acc && t < pm->nt; t++) free(d->acc[t]);
  for (int t = 0; d->val && t < pm->g->n_tensors; t++) free(d->val[t]);
  free(d->acc), free(d->val), free(d->image);
}

/* ---- the int8 reference of a layer ----------------------------------------------------------- */

/* The device's int8 values of tensor id of the fresh compile's net (c*h*w, channel-major) and its
 * shape: a model tensor's own, or a view's (a Concat of whole channel blocks, a channel slice on
 * block boundaries: no tensor of its own) gathered from the tensors whose blocks it reads into
 * *scratch (the caller frees it). NULL when the device has no values for it. */
static const int8_t *tensor_vals(const cc_model *cm, const devrun *d, int id, int *c, int *h, int *w, int8_t **scratch) {
  if (id >= 0 && id < cm->nt) {
    *c = cm->t[id].c, *h = cm->t[id].h, *w = cm->t[id].w;
    return d->acc[id];
  }
  if (!cm->net || !cg_tensor_is_view(cm->net, id) || cg_tensor_shape(cm->net, id, c, h, w) != CG_OK) return NULL;
  size_t hw = (size_t)*h * (size_t)*w;
  int8_t *v = malloc((size_t)*c * hw + 1);
  for (int ch = 0; v && ch < *c; ch++) {
    int src, sch;
    if (cg_tensor_channel_src(cm->net, id, ch, &src, &sch) || src < 0 || src >= cm->nt || !d->acc[src] ||
        (size_t)cm->t[src].h * cm->t[src].w != hw) {
      free(v);
      return NULL;
    }
    /* a padding channel of its block (a view of whole blocks of a 58-channel tensor, read by a
     * conv whose weights for it are zero: ShuffleNet's shuffle folded into the next conv) */
    if (sch >= cm->t[src].c) memset(v + (size_t)ch * hw, 0, hw);
    else memcpy(v + (size_t)ch * hw, d->acc[src] + (size_t)sch * hw, hw);
  }
  return *scratch = v;
}

/* Layer l of the fresh compile's net on device run d's inputs into out (c*h*w of its output).
 * 0, or -1 when an input is missing. */
static int int8_ref(const cc_model *cm, const devrun *d, int l, int8_t *out) {
  cg_layer_params lp;
  if (cg_net_layer(cm->net, l, &lp) != CG_OK) return -1;
  int8_t *s1 = NULL, *s2 = NULL;
  int c = 0, h = 0, w = 0, c2 = 0, h2 = 0, w2 = 0, rc = 0;
  const int8_t *x = NULL, *y = NULL;
  if (lp.kind == CG_LAYER_CONV) {
    const cg_conv *cv = &lp.conv;
    x = tensor_vals(cm, d, cv->in, &c, &h, &w, &s1);
    y = cv->res >= 0 ? tensor_vals(cm, d, cv->res, &c2, &h2, &w2, &s2) : NULL;
    if (!x || (cv->res >= 0 && !y) || cv->out < 0 || cv->out >= cm->nt) rc = -1;
    else if (cv->res >= 0 && (cv->res_w || cv->res_d)) cg_ref_conv_res(cv, c, h, w, cm->t[cv->out].c, x, y, c2, h2, w2, out);
    else cg_ref_conv(cv, c, h, w, cm->t[cv->out].c, x, y, out);
  } else if (lp.kind == CG_LAYER_POOL) {
    if (!(x = tensor_vals(cm, d, lp.pool.in, &c, &h, &w, &s1))) rc = -1;
    else cg_ref_pool(&lp.pool, c, h, w, x, out);
  } else if (lp.kind == CG_LAYER_ADD) {
    x = tensor_vals(cm, d, lp.add.a, &c, &h, &w, &s1), y = tensor_vals(cm, d, lp.add.b, &c2, &h2, &w2, &s2);
    if (!x || !y || lp.add.out < 0 || lp.add.out >= cm->nt) rc = -1;
    else cg_ref_add(&lp.add, cm->t[lp.add.out].c * cm->t[lp.add.out].h * cm->t[lp.add.out].w, x, y, out);
  } else if (lp.kind == CG_LAYER_LUT) {
    if (!(x = tensor_vals(cm, d, lp.lut.in, &c, &h, &w, &s1))) rc = -1;
    else cg_ref_lut(&lp.lut, c * h * w, x, out);
  } else if (lp.kind == CG_LAYER_MUL) {
    x = tensor_vals(cm, d, lp.mul.a, &c, &h, &w, &s1), y = tensor_vals(cm, d, lp.mul.b, &c2, &h2, &w2, &s2);
    if (!x || !y) rc = -1;
    else cg_ref_mul(&lp.mul, c, h, w, h2 == 1 && w2 == 1 && (h != 1 || w != 1), x, y, out);
  } else {
    rc = -1;
  }
  free(s1), free(s2);
  return rc;
}

/* ---- package against the fresh compile ----------------------------------------------------- */

/* Same layers, tensors and quantization? 0, or -1 with the first difference in err. Programs and
 * constants that differ are noted on note (may be NULL). */
static int check_same(const cc_model *pm, const cc_model *cm, const char *onnx, const char *pkg, FILE *note,
                      char *err, size_t n) {
  if (pm->nl != cm->nl || pm->nt != cm->nt)
    return snprintf(err, n, "wrong model for the package: %s has %d accelerator layers and %d tensors, %s compiles to %d and %d",
                    pkg, pm->nl, pm->nt, onnx, cm->nl, cm->nt), -1;
  for (int l = 0; l < pm->nl; l++) {
    const cc_mlayer *a = &pm->l[l], *b = &cm->l[l];
    if (strcmp(a->op, b->op) || strcmp(a->node, b->node) || strcmp(a->desc, b->desc))
      return snprintf(err, n, "wrong model for the package: layer %d is %s '%s' (%s) in %s, %s '%s' (%s) in %s", l, a->op,
                      a->node, a->desc, pkg, b->op, b->node, b->desc, onnx), -1;
  }
  for (int t = 0; t < pm->nt; t++) {
    const cc_mtensor *a = &pm->t[t], *b = &cm->t[t];
    if (strcmp(a->name, b->name) || a->c != b->c || a->h != b->h || a->w != b->w)
      return snprintf(err, n, "wrong model for the package: tensor %d is '%s' %dx%dx%d in %s, '%s' %dx%dx%d in %s", t,
                      a->name, a->c, a->h, a->w, pkg, b->name, b->c, b->h, b->w, onnx), -1;
    if (a->scale != b->scale || a->zp != b->zp)
      return snprintf(err, n,
                      "tensor '%s' is quantized with scale %g zp %d in %s but %g zp %d when compiling %s: the package was "
                      "calibrated differently (its note: \"%s\"); pass the same samples with --calib",
                      a->name, a->scale, a->zp, pkg, b->scale, b->zp, onnx, pm->calib), -1;
  }
  for (int l = 0; l < pm->nl && note; l++) {
    const cc_mlayer *a = &pm->l[l], *b = &cm->l[l];
    for (uint32_t k = 0; k < a->n_insns && k < b->n_insns; k++)
      if (memcmp(&a->insns[k], &b->insns[k], sizeof a->insns[k])) {
        fprintf(note, "note: layer %d (%s '%s'): the package's program differs from a fresh compile from instruction %u on\n",
                l, a->op, a->node, k);
        break;
      }
  }
  if (note && (pm->image_bytes != cm->image_bytes ||
               memcmp(pm->image + pm->arena_bytes, cm->image + cm->arena_bytes, pm->image_bytes - pm->arena_bytes)))
    fprintf(note, "note: the package's constants (weights, bias, requantization) differ from a fresh compile\n");
  return 0;
}

/* ---- the instruction that wrote an element ------------------------------------------------ */

typedef struct watch {
  fsim *s;
  uint32_t acc_idx, lane, before; /* the element watched; instructions before index `before` */
  int32_t last;
  int64_t writer;                 /* last compute instruction that changed it, -1 */
} watch;

static void watch_ev(void *ctx, const drv_insn_event *e) {
  watch *w = ctx;
  if (e->unit != ISA_UNIT_COMPUTE || e->index >= w->before) return;
  const uint8_t *p = fsim_sram(w->s, ISA_MEM_ACC, w->acc_idx);
  if (!p) return;
  int32_t v;
  memcpy(&v, p + 4 * w->lane, 4);
  if (v != w->last) w->last = v, w->writer = e->index;
}

/* The STORE of layer l (last in program order) that wrote CHW element i of its output tensor,
 * and by a replay on fsim over image (the device's final image; layers never overwrite their
 * inputs) the compute instruction that last changed that accumulator lane before it. */
static void find_writer(const cc_model *pm, int l, int64_t i, const uint8_t *image, int64_t *store, int64_t *writer) {
  const isa_config *cfg = pm->cfg;
  const cc_mlayer *L = &pm->l[l];
  const cc_mtensor *T = &pm->t[L->out];
  unsigned B = cfg->d.block_out;
  int64_t hw = (int64_t)T->h * T->w, c = i / hw, px = i % hw;
  uint64_t byte = T->offset + ((uint64_t)(c / B) * hw + px) * B + (uint64_t)(c % B);
  uint64_t eb = cfg->elem_bytes[ISA_MEM_OUT], e = byte / eb;
  *store = *writer = -1;
  uint32_t sram = 0;
  for (uint32_t k = 0; k < L->n_insns; k++) {
    isa_insn in;
    if (isa_decode(cfg, &L->insns[k], &in) != ISA_OK || in.f[ISA_F_opcode] != ISA_OP_STORE) continue;
    uint64_t d0 = in.f[ISA_F_dram], xs = in.f[ISA_F_x_stride] ? in.f[ISA_F_x_stride] : 1;
    if (e < d0) continue;
    uint64_t r = (e - d0) / xs, col = (e - d0) % xs;
    if (r < in.f[ISA_F_y_size] && col < in.f[ISA_F_x_size])
      *store = k, sram = (uint32_t)(in.f[ISA_F_sram] + r * in.f[ISA_F_x_size] + col);
  }
  if (*store < 0) return;
  fsim *s = fsim_create(cfg);
  uint8_t *img = malloc(pm->image_bytes + 1);
  if (s && img) {
    memcpy(img, image, pm->image_bytes);
    watch w = {.s = s, .acc_idx = sram, .lane = (uint32_t)(byte % eb), .before = (uint32_t)*store, .writer = -1};
    fsim_set_trace(s, watch_ev, &w);
    isa_prog p = {.cfg = cfg, .insns = L->insns, .n_insns = L->n_insns, .image = img, .image_bytes = pm->image_bytes};
    fsim_run_prog(s, &p, img, NULL, NULL);
    *writer = w.writer;
  }
  fsim_destroy(s);
  free(img);
}

/* Disassembly of instruction k of layer l, marked when it is the writer or the store. */
static void insn_line(const cc_model *pm, int l, int64_t k, int64_t writer, int64_t store, char *buf, size_t n) {
  char dis[256];
  isa_disasm(pm->cfg, &pm->l[l].insns[k], dis, sizeof dis);
  snprintf(buf, n, "%s %5lld  %s", k == writer ? "wrote->" : k == store ? "stored->" : "       ", (long long)k, dis);
}

/* ---- report ------------------------------------------------------------------------------- */

static void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; s && *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
    else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
    else fputc(ch, f);
  }
  fputc('"', f);
}

static void json_num(FILE *f, double v) {
  if (isnan(v)) fprintf(f, "null");
  else fprintf(f, "%.6g", v);
}

/* The mismatch details of device v on layer row w: element, values, the program around it. */
static void print_mismatch(FILE *f, int json, const cc_model *pm, const row *w, const verdict *v, const devrun *d) {
  const cc_mtensor *T = &pm->t[pm->l[w->index].out];
  int64_t hw = (int64_t)T->h * T->w;
  int c = (int)(v->first / hw), y = (int)(v->first % hw / T->w), x = (int)(v->first % T->w);
  int64_t store, writer;
  find_writer(pm, w->index, v->first, d->image, &store, &writer);
  int64_t mid = writer >= 0 ? writer : store >= 0 ? store : 0, n = pm->l[w->index].n_insns;
  int64_t lo = mid - WINDOW < 0 ? 0 : mid - WINDOW, hi = mid + WINDOW + 1 > n ? n : mid + WINDOW + 1;
  char line[320];
  if (json) {
    fprintf(f, ", \"first_mismatch\": {\"element\": [%d, %d, %d], \"device\": %d, \"int8_ref\": %d, \"writer\": %lld, \"store\": %lld, \"program\": [",
            c, y, x, v->dev_val, v->ref_val, (long long)writer, (long long)store);
    for (int64_t k = lo; k < hi; k++) {
      insn_line(pm, w->index, k, writer, store, line, sizeof line);
      if (k > lo) fprintf(f, ", ");
      json_str(f, line);
    }
    if (store >= 0 && (store < lo || store >= hi)) {
      insn_line(pm, w->index, store, writer, store, line, sizeof line);
      fprintf(f, ", ");
      json_str(f, line);
    }
    fprintf(f, "]}");
    return;
  }
  fprintf(f, "\n%s disagrees with the int8 reference on layer %d (%s '%s', %s): %lld of %lld elements differ\n", d->backend,
          w->index, w->op, w->node, w->desc, (long long)v->mismatches, (long long)T->c * hw);
  fprintf(f, "  first: tensor '%s' channel %d row %d column %d: %s %d, int8 reference %d\n", T->name, c, y, x, d->backend,
          v->dev_val, v->ref_val);
  fprintf(f, "  the layer's program (%lld instructions; %s):\n", (long long)n,
          writer >= 0 ? "wrote-> the last compute instruction that changed the element, by a replay on fsim"
                      : "no compute instruction changed the element in a replay on fsim");
  for (int64_t k = lo; k < hi; k++) insn_line(pm, w->index, k, writer, store, line, sizeof line), fprintf(f, "  %s\n", line);
  if (store >= 0 && (store < lo || store >= hi))
    insn_line(pm, w->index, store, writer, store, line, sizeof line), fprintf(f, "  ...\n  %s\n", line);
}

static void print_table(const row *rows, int nr, const devrun *d, int nd, const cc_model *pm, const char *onnx,
                        const char *pkg) {
  printf("compare %s with %s (config %s) on %s%s%s\n", onnx, pkg, pm->cfg->d.name, d[0].backend, nd > 1 ? " and " : "",
         nd > 1 ? d[1].backend : "");
  printf("cosine / largest error against the float reference; '=' bit-exact with the int8 reference\n");
  printf("%4s %-5s %-10s %-28s %-16s", "step", "where", "op", "node", "int8 ref");
  for (int k = 0; k < nd; k++) printf(" %-24s", d[k].backend);
  printf("\n");
  for (int i = 0; i < nr; i++) {
    const row *w = &rows[i];
    char where[16], a[32];
    snprintf(where, sizeof where, w->kind == RT_STEP_ACCEL ? "L%d" : "cpu", w->index);
    printf("%4d %-5s %-10.10s %-28.28s ", w->step, where, w->op, w->node);
    if (w->kind == RT_STEP_ACCEL && w->has_float && w->has_ref) snprintf(a, sizeof a, "%.5f %.3g", w->ref_cos, w->ref_maxerr);
    else snprintf(a, sizeof a, "-");
    printf("%-16s", a);
    for (int k = 0; k < nd; k++) {
      const verdict *v = &w->v[k];
      char b[64], e[32];
      if (v->mismatches < 0) snprintf(e, sizeof e, "%s", w->kind == RT_STEP_ACCEL ? "?" : "");
      else if (v->mismatches == 0) snprintf(e, sizeof e, "=");
      else snprintf(e, sizeof e, "DIFF %lld", (long long)v->mismatches);
      if (isnan(v->cos)) snprintf(b, sizeof b, "- %s", e);
      else snprintf(b, sizeof b, "%.5f %.3g %s", v->cos, v->maxerr, e);
      printf(" %-24s", b);
    }
    printf("\n");
  }
}

static void print_json(const row *rows, int nr, const devrun *d, int nd, const cc_model *pm, const char *onnx,
                       const char *pkg, int agree) {
  printf("{\"model\": ");
  json_str(stdout, onnx);
  printf(", \"package\": ");
  json_str(stdout, pkg);
  printf(", \"config\": ");
  json_str(stdout, pm->cfg->d.name);
  printf(", \"backends\": [");
  for (int k = 0; k < nd; k++) printf("%s", k ? ", " : ""), json_str(stdout, d[k].backend);
  printf("], \"agree\": %s,\n \"steps\": [\n", agree ? "true" : "false");
  for (int i = 0; i < nr; i++) {
    const row *w = &rows[i];
    printf("  {\"step\": %d, \"kind\": \"%s\", \"index\": %d, \"op\": ", w->step, w->kind == RT_STEP_ACCEL ? "accel" : "cpu",
           w->index);
    json_str(stdout, w->op);
    printf(", \"node\": ");
    json_str(stdout, w->node);
    printf(", \"desc\": ");
    json_str(stdout, w->desc);
    printf(", \"float_reference\": %s", w->has_float ? "true" : "false");
    if (w->kind == RT_STEP_ACCEL) {
      printf(", \"int8_ref\": {\"cosine\": ");
      json_num(stdout, w->has_float && w->has_ref ? w->ref_cos : NAN);
      printf(", \"max_err\": ");
      json_num(stdout, w->has_float ? w->ref_maxerr : NAN);
      printf("}");
    }
    printf(", \"devices\": {");
    for (int k = 0; k < nd; k++) {
      const verdict *v = &w->v[k];
      printf("%s\"%s\": {\"cosine\": ", k ? ", " : "", d[k].backend);
      json_num(stdout, v->cos);
      printf(", \"max_err\": ");
      json_num(stdout, v->maxerr);
      if (w->kind == RT_STEP_ACCEL) {
        printf(", \"bit_exact\": %s, \"mismatches\": %lld", v->mismatches == 0 ? "true" : "false", (long long)v->mismatches);
        if (v->mismatches > 0) print_mismatch(stdout, 1, pm, w, v, &d[k]);
      }
      printf("}");
    }
    printf("}}%s\n", i + 1 < nr ? "," : "");
  }
  printf(" ]}\n");
}

/* ---- rows ---------------------------------------------------------------------------------- */

/* Verdict of device d on accelerator layer l against ref (int8, or NULL) and the float value fl. */
static verdict layer_verdict(const cc_model *pm, const devrun *d, int l, const int8_t *ref, const float *fl, float *tmp) {
  const cc_mtensor *T = &pm->t[pm->l[l].out];
  int64_t n = (int64_t)T->c * T->h * T->w;
  verdict v = {.cos = NAN, .maxerr = NAN, .mismatches = -1, .first = -1};
  const int8_t *q = d->acc[pm->l[l].out];
  if (!q) return v;
  if (ref) {
    v.mismatches = 0;
    for (int64_t i = 0; i < n; i++)
      if (q[i] != ref[i]) {
        if (!v.mismatches++) v.first = i, v.dev_val = q[i], v.ref_val = ref[i];
      }
  }
  if (fl) {
    for (int64_t i = 0; i < n; i++) tmp[i] = (float)((q[i] - T->zp) * (double)T->scale);
    v.cos = cosine(tmp, fl, n, &v.maxerr);
  }
  return v;
}

/* One row per ACCEL and CPU step of the plan. Returns the row count (rows has pm->ns entries). */
static int make_rows(const cc_model *pm, const cc_model *cm, const devrun *d, int nd, const floatref *fr, row *rows) {
  size_t maxn = 1;
  for (int t = 0; t < pm->nt; t++) maxn = fmax(maxn, (double)pm->t[t].c * pm->t[t].h * pm->t[t].w);
  int8_t *ref = malloc(maxn);
  float *tmp = malloc(maxn * sizeof(float));
  int nr = 0;
  for (int s = 0; s < pm->ns && ref && tmp; s++) {
    const cc_mstep *st = &pm->s[s];
    if (st->kind != CC_STEP_ACCEL && st->kind != CC_STEP_CPU) continue;
    row *w = &rows[nr++];
    memset(w, 0, sizeof *w);
    w->step = s, w->kind = st->kind, w->index = st->a;
    if (st->kind == CC_STEP_ACCEL) {
      const cc_mlayer *L = &pm->l[st->a];
      const cc_mtensor *T = &pm->t[L->out];
      int64_t n = (int64_t)T->c * T->h * T->w;
      w->op = L->op, w->node = L->node, w->desc = L->desc;
      const float *fl = fr_find(fr, T->name, n);
      w->has_float = fl != NULL;
      for (int k = 0; k < nd; k++) {
        int ok = int8_ref(cm, &d[k], st->a, ref) == 0;
        if (k == 0) w->has_ref = ok;
        w->v[k] = layer_verdict(pm, &d[k], st->a, ok ? ref : NULL, fl, tmp);
        if (k == 0 && ok && fl) { /* the int8 reference against float, on fsim's inputs */
          for (int64_t i = 0; i < n; i++) tmp[i] = (float)((ref[i] - T->zp) * (double)T->scale);
          w->ref_cos = cosine(tmp, fl, n, &w->ref_maxerr);
        }
      }
    } else {
      const ir_node *nd0 = pm->g->nodes[st->a];
      w->op = nd0->op_name, w->node = nd0->name, w->desc = "CPU (reference executor)";
      int t = nd0->n_out > 0 ? nd0->out[0] : -1;
      int64_t n = t >= 0 ? ir_type_numel(&pm->g->tensors[t]->type) : 0;
      const float *fl = t >= 0 ? fr_find(fr, pm->g->tensors[t]->name, n) : NULL;
      w->has_float = fl != NULL;
      for (int k = 0; k < nd; k++) {
        w->v[k] = (verdict){.cos = NAN, .maxerr = NAN, .mismatches = -1};
        if (fl && t >= 0 && d[k].val[t]) w->v[k].cos = cosine(d[k].val[t], fl, n, &w->v[k].maxerr);
      }
    }
  }
  free(ref);
  free(tmp);
  return nr;
}

/* ---- inputs ---- */

int64_t cli_input_count(int rank, const int64_t *dims, const npy_array *a, int *stacked) {
  int skip1 = rank > 0 && dims[0] == 1;
  *stacked = 0;
  if (a->ndim == rank && !memcmp(a->shape, dims, (size_t)rank * sizeof *dims)) return 1;
  *stacked = 1;
  if (a->ndim == rank + 1 && !memcmp(a->shape + 1, dims, (size_t)rank * sizeof *dims)) return a->shape[0];
  if (skip1 && a->ndim == rank && !memcmp(a->shape + 1, dims + 1, (size_t)(rank - 1) * sizeof *dims)) return a->shape[0];
  *stacked = 0;
  return 0;
}

/* ---- the command ---------------------------------------------------------------------------- */

typedef struct args {
  const char *onnx, *pkg, *input, *backend, *calib, *opts;
  int json;
} args;

static int parse(int argc, char **argv, args *a) {
  memset(a, 0, sizeof *a);
  a->backend = "fsim";
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--input") && i + 1 < argc) a->input = argv[++i];
    else if (!strcmp(argv[i], "--backend") && i + 1 < argc) a->backend = argv[++i];
    else if (!strcmp(argv[i], "--calib") && i + 1 < argc) a->calib = argv[++i];
    else if (!strcmp(argv[i], "--options") && i + 1 < argc) a->opts = argv[++i];
    else if (!strcmp(argv[i], "--json")) a->json = 1;
    else if (argv[i][0] == '-' || (a->onnx && a->pkg)) {
      cli_error("compare", "unexpected argument '%s'\n%s", argv[i], USAGE);
      return -1;
    } else if (!a->onnx) a->onnx = argv[i];
    else a->pkg = argv[i];
  }
  if (!a->onnx || !a->pkg || !a->input) return fprintf(stderr, USAGE), -1;
  return 0;
}

/* Reads X.npy: the package input's shape, or a stack of them (the first one is compared).
 * Returns the float data (caller frees) or NULL after printing the problem. */
static float *read_input(const char *path, const cc_model *pm) {
  char err[1024];
  npy_array a = {0};
  if (npy_read(path, &a, err, sizeof err) != 0) return cli_error("compare", "%s", err), NULL;
  const ir_type *t = &pm->g->tensors[pm->g->inputs[0]]->type;
  int stacked;
  if (cli_input_count(t->rank, t->dims, &a, &stacked) < 1) {
    char got[128], want[128];
    npy_shape_str(a.ndim, a.shape, got, sizeof got);
    npy_shape_str(t->rank, t->dims, want, sizeof want);
    cli_error("compare", "%s: input shape mismatch: expected %s (input '%s') or (N, ...) over it, got %s", path, want,
              pm->g->tensors[pm->g->inputs[0]]->name, got);
    npy_free(&a);
    return NULL;
  }
  float *x = npy_to_f32(&a);
  npy_free(&a);
  if (!x) cli_error("compare", "out of memory");
  return x;
}

static int fopen_ok(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f) fclose(f);
  return f != NULL;
}

/* Compiles a->onnx for pm's config (with --calib samples). NULL after printing the problem. */
static cc_model *recompile(const args *a, const cc_model *pm) {
  char err[2048];
  cc_options o = {.config = pm->cfg->d.name};
  npy_array ca = {0};
  float *cf = NULL;
  /* no --calib: the samples the package's note names, when that file is still there */
  char noted[1024];
  int nn;
  const char *calib = a->calib;
  if (!calib && sscanf(pm->calib, "%d samples from %1023[^,]", &nn, noted) == 2 && fopen_ok(noted)) {
    calib = noted;
    fprintf(stderr, "dlvta compare: calibrating on %s, as the package's note says (--calib to choose)\n", noted);
  }
  ir_graph *g = NULL; /* imported once: its input's shape sizes the samples, then it is compiled */
  if (onnx_import(a->onnx, &g, err, sizeof err) != IR_OK) return cli_error("compare", "%s", err), NULL;
  if (cut_like_package(g, pm, a->onnx, err, sizeof err)) return ir_graph_free(g), cli_error("compare", "%s", err), NULL;
  if (calib) {
    if (npy_read(calib, &ca, err, sizeof err) != 0) return ir_graph_free(g), cli_error("compare", "%s", err), NULL;
    int64_t numel = ir_type_numel(&pm->g->tensors[pm->g->inputs[0]]->type);
    /* samples are of the model's input shape: a fixed batch N unbatched is N of the package's */
    const ir_type *mt = g->n_inputs == 1 ? &g->tensors[g->inputs[0]]->type : NULL;
    if (mt && mt->rank > 0 && mt->dims[0] > 1 && ir_type_numel(mt) > 0) numel = ir_type_numel(mt);
    if (ca.ndim < 2 || (int64_t)ca.count % numel || !(cf = npy_to_f32(&ca))) {
      cli_error("compare", "%s: calibration samples must be (N, ...) of the model's input (%lld values each)", calib,
                (long long)numel);
      npy_free(&ca);
      ir_graph_free(g);
      return NULL;
    }
    o.calib = cf, o.n_calib = (int)((int64_t)ca.count / numel);
  }
  cc_model *cm = NULL;
  int rc = cc_compile_graph(g, a->onnx, &o, &cm, err, sizeof err);
  npy_free(&ca);
  free(cf);
  if (rc != IR_OK) return cli_error("compare", "compiling %s for config %s: %s", a->onnx, pm->cfg->d.name, err), NULL;
  if (!cm->net) return cli_error("compare", "%s: the compile kept no back-end network", a->onnx), cc_model_free(cm), NULL;
  return cm;
}

int cmd_compare(int argc, char **argv) {
  args a;
  if (parse(argc, argv, &a)) return 2;
  char err[2048];
  cc_model *pm = NULL, *cm = NULL;
  if (cc_package_read(a.pkg, &pm, err, sizeof err) != 0) return cli_error("compare", "%s", err), 1;
  int ret = 1, nd = 0;
  devrun d[MAX_DEVS];
  memset(d, 0, sizeof d);
  floatref fr = {0};
  row *rows = NULL;
  float *x = NULL;
  if (pm->n_in != 1) {
    cli_error("compare", "%s: the model has %d inputs; compare feeds one", a.pkg, pm->n_in);
    goto done;
  }
  if (!(x = read_input(a.input, pm)) || !(cm = recompile(&a, pm))) goto done;
  if (check_same(pm, cm, a.onnx, a.pkg, a.json ? stderr : stdout, err, sizeof err)) {
    cli_error("compare", "%s", err);
    goto done;
  }
  if (float_reference(a.onnx, pm, x, &fr, err, sizeof err)) {
    cli_error("compare", "float reference of %s: %s", a.onnx, err);
    goto done;
  }
  const char *bes[MAX_DEVS] = {"fsim", a.backend};
  for (int k = 0; k < (strcmp(a.backend, "fsim") ? 2 : 1); k++, nd++) {
    d[k].backend = bes[k], d[k].pm = pm;
    if (dev_run(&d[k], a.pkg, k ? a.opts : NULL, x)) {
      cli_error("compare", "%s on %s: %s", a.pkg, bes[k], d[k].err);
      nd++;
      goto done;
    }
  }
  rows = calloc((size_t)pm->ns + 1, sizeof *rows);
  if (!rows) {
    cli_error("compare", "out of memory");
    goto done;
  }
  int nr = make_rows(pm, cm, d, nd, &fr, rows), agree = 1;
  for (int i = 0; i < nr; i++)
    for (int k = 0; k < nd; k++) agree &= rows[i].kind != RT_STEP_ACCEL || rows[i].v[k].mismatches <= 0; /* -1: no reference */
  if (a.json) print_json(rows, nr, d, nd, pm, a.onnx, a.pkg, agree);
  else {
    print_table(rows, nr, d, nd, pm, a.onnx, a.pkg);
    for (int k = 0; k < nd; k++)
      for (int i = 0; i < nr; i++)
        if (rows[i].kind == RT_STEP_ACCEL && rows[i].v[k].mismatches > 0) {
          print_mismatch(stdout, 0, pm, &rows[i], &rows[i].v[k], &d[k]);
          break;
        }
    int noref = 0;
    for (int i = 0; i < nr; i++) noref += rows[i].kind == RT_STEP_ACCEL && !rows[i].has_ref;
    if (noref)
      printf("'?': %d layer(s) without an int8 reference (the device kept none of an input's values)\n",
             noref);
    printf("%s\n", agree ? noref ? "every device is bit-exact with the int8 reference where there is one"
                                  : "every device is bit-exact with the int8 reference"
                         : "a device disagrees with the int8 reference");
  }
  ret = agree ? 0 : 1;
done:
  for (int k = 0; k < nd; k++) dev_free(&d[k], pm);
  fr_free(&fr);
  free(rows);
  free(x);
  cc_model_free(cm);
  cc_model_free(pm);
  return ret;
}

/* ---- dlvta reference: the float reference executor on its own ---------------------------- */

#define REF_USAGE                                                                              \
  "usage: dlvta reference MODEL.onnx --input X.npy [--output Y.npy] [--outputs NAME[,NAME]...]\n" \
  "  --outputs: end the model at these tensors (as dlvta compile --outputs); the first is written\n"

/* `dlvta reference MODEL.onnx --input X.npy [--output Y.npy] [--outputs NAME,...]`: the model (cut
 * at --outputs) in float through the
 * reference executor (ref/), on one input or a stack of N (as dlvta run takes them); the first
 * output written with a leading N, or its top entries printed. For float baselines (make demo's
 * float accuracy) where no onnxruntime is at hand. */
int cmd_reference(int argc, char **argv) {
  const char *onnx = NULL, *inp = NULL, *outp = NULL, *cut[16];
  int ncut = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--input") && i + 1 < argc) inp = argv[++i];
    else if (!strcmp(argv[i], "--outputs") && i + 1 < argc) {
      if (cli_add_outputs("reference", argv[++i], cut, &ncut, 16)) return 2;
    }
    else if (!strcmp(argv[i], "--output") && i + 1 < argc) outp = argv[++i];
    else if (argv[i][0] == '-' || onnx) return cli_error("reference", "unexpected argument '%s'\n%s", argv[i], REF_USAGE), 2;
    else onnx = argv[i];
  }
  if (!onnx || !inp) return fprintf(stderr, REF_USAGE), 2;
  char err[2048];
  ir_graph *g = NULL;
  if (onnx_import(onnx, &g, err, sizeof err) != IR_OK) return cli_error("reference", "%s", err), 1;
  if (ncut && ir_cut_outputs(g, cut, ncut, err, sizeof err) != IR_OK)
    return cli_error("reference", "%s: %s", onnx, err), ir_graph_free(g), 1;
  int ret = 1;
  npy_array a = {0};
  float *x = NULL, *y = NULL;
  ir_type t = g->n_inputs == 1 ? g->tensors[g->inputs[0]]->type : (ir_type){0};
  if (g->n_inputs != 1 || g->n_outputs < 1) {
    cli_error("reference", "%s: the model has %d inputs and %d outputs; reference feeds one", onnx, g->n_inputs, g->n_outputs);
    goto done;
  }
  for (int d = 0; d < t.rank; d++)
    if (t.dims[d] < 0) t.dims[d] = 1;
  if (npy_read(inp, &a, err, sizeof err) != 0) {
    cli_error("reference", "%s", err);
    goto done;
  }
  int64_t numel = ir_type_numel(&t), n_inf = numel > 0 && (int64_t)a.count % numel == 0 ? (int64_t)a.count / numel : 0;
  if (n_inf < 1 || (n_inf > 1 && (a.ndim < 1 || a.shape[0] != n_inf))) {
    char got[128], want[128];
    npy_shape_str(a.ndim, a.shape, got, sizeof got);
    npy_shape_str(t.rank, t.dims, want, sizeof want);
    cli_error("reference", "%s: input shape mismatch: expected %s or (N, ...) over it, got %s", inp, want, got);
    goto done;
  }
  if (!(x = npy_to_f32(&a))) goto done;
  int64_t on = 0;
  for (int64_t k = 0; k < n_inf; k++) {
    ir_value in = {.type = t, .data = x + k * numel}, out[16];
    if (g->n_outputs > 16 || ref_run(g, &in, 1, out, NULL, err, sizeof err) != IR_OK) {
      cli_error("reference", "%s: input %lld: %s", onnx, (long long)k, g->n_outputs > 16 ? "too many outputs" : err);
      goto done;
    }
    if (!y) on = ir_type_numel(&out[0].type), y = malloc((size_t)(on * n_inf) * sizeof(float));
    if (y && out[0].type.dtype == IR_F32) memcpy(y + k * on, out[0].data, (size_t)on * sizeof(float));
    for (int o = 0; o < g->n_outputs; o++) ir_value_free(&out[o]);
    if (!y) goto done;
  }
  if (outp) {
    int64_t shp[2] = {n_inf, on};
    if (npy_write_f32(outp, y, 2, shp, err, sizeof err) != 0) {
      cli_error("reference", "%s", err);
      goto done;
    }
    printf("wrote %s: %lld x %lld (the float reference's output '%s')\n", outp, (long long)n_inf, (long long)on,
           g->tensors[g->outputs[0]]->name);
  } else
    for (int64_t k = 0; k < n_inf && k < 8; k++) {
      int64_t best = 0;
      for (int64_t i = 1; i < on; i++) best = y[k * on + i] > y[k * on + best] ? i : best;
      printf("[%lld] argmax %lld (%.4f)\n", (long long)k, (long long)best, y[k * on + best]);
    }
  ret = 0;
done:
  free(x);
  free(y);
  npy_free(&a);
  ir_graph_free(g);
  return ret;
}
