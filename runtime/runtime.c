/* runtime/runtime.c -- the dlvta runtime (see runtime.h): a package's plan on a device. */
#include "runtime.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dlvta_drv.h"
#include "package.h"
#include "progress.h"
#include "ref.h"

#define RT_TIMEOUT_MS 600000u /* per accelerator layer */

struct rt_model {
  cc_model *m;
  drv_dev *dev;
  drv_buf *img, *code;  /* the image (placed once) and every layer's relocated instructions */
  size_t *code_off;     /* [nl] byte offset of each layer's instructions in code */
  uint8_t *host;        /* [image_bytes] host copy of the image for pack / unpack */
  int8_t *q;            /* int8 scratch of the largest accelerator tensor */
  ir_value *vals;       /* [g->n_tensors] float values of the current inference */
  char *owned;          /* [g->n_tensors] vals[t].data is ours to free */
  rt_layer_stats *ls;   /* [nl] */
  uint64_t *bytes;      /* [3 * nl] DRAM bytes read, written, and read on the second read port
                           per layer, summed over runs */
  uint64_t runs, cycles;
  double cpu_ms;        /* quantize + unpack + transfer + CPU steps */
  rt_host_times ht;
  rt_step_fn hook;      /* rt_set_step_hook */
  void *hook_ctx;
  int strict;           /* rt_set_strict: refuse NaN / infinite inputs */
  uint64_t *nonfinite;  /* [n_in] NaN / infinite input values seen, summed over runs */
};

_Static_assert((int)RT_STEP_QUANT == (int)CC_STEP_QUANT && (int)RT_STEP_DEQUANT == (int)CC_STEP_DEQUANT &&
                   (int)RT_STEP_ACCEL == (int)CC_STEP_ACCEL && (int)RT_STEP_CPU == (int)CC_STEP_CPU,
               "runtime.h's step kinds are model/package.h's");

static int rt_err(char *err, size_t errlen, int rc, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int rt_err(char *err, size_t errlen, int rc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (err && errlen) vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  return rc;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int rt_load(const char *path, rt_model **out, char *err, size_t errlen) {
  *out = NULL;
  cc_model *m;
  if (cc_package_read(path, &m, err, errlen) != 0) return RT_E_PACKAGE;
  rt_model *r = calloc(1, sizeof *r);
  size_t maxq = 1;
  for (int i = 0; i < m->nt; i++) {
    size_t n = (size_t)m->t[i].c * m->t[i].h * m->t[i].w;
    if (n > maxq) maxq = n;
  }
  if (r) {
    r->m = m;
    r->q = malloc(maxq);
    r->host = malloc(m->image_bytes + 1);
    r->vals = calloc((size_t)m->g->n_tensors + 1, sizeof *r->vals);
    r->owned = calloc((size_t)m->g->n_tensors + 1, 1);
    r->ls = calloc((size_t)m->nl + 1, sizeof *r->ls);
    r->code_off = calloc((size_t)m->nl + 1, sizeof *r->code_off);
    r->bytes = calloc(3 * (size_t)m->nl + 1, sizeof *r->bytes);
    r->nonfinite = calloc((size_t)m->n_in + 1, sizeof *r->nonfinite);
  }
  if (!r || !r->q || !r->host || !r->vals || !r->owned || !r->ls || !r->code_off || !r->bytes || !r->nonfinite) {
    if (r) r->m = NULL, rt_free(r);
    cc_model_free(m);
    return rt_err(err, errlen, RT_E_NOMEM, "%s: out of memory", path);
  }
  memcpy(r->host, m->image, m->image_bytes);
  for (int i = 0; i < m->nl; i++) {
    r->ls[i].op = m->l[i].op;
    r->ls[i].node = m->l[i].node;
    r->ls[i].desc = m->l[i].desc;
    r->ls[i].macs = m->l[i].macs;
    r->ls[i].predicted_cycles = m->l[i].predicted_cycles;
  }
  *out = r;
  return RT_OK;
}

/* Frees the values of the last inference that the runtime allocated. */
static void clear_vals(rt_model *r) {
  for (int t = 0; t < r->m->g->n_tensors; t++) {
    if (r->owned[t]) free(r->vals[t].data);
    r->owned[t] = 0;
    r->vals[t].data = NULL;
  }
}

void rt_free(rt_model *r) {
  if (!r) return;
  if (r->m) clear_vals(r);
  if (r->dev) drv_close(r->dev); /* frees its buffers */
  cc_model_free(r->m);
  free(r->code_off);
  free(r->bytes);
  free(r->nonfinite);
  free(r->host);
  free(r->q);
  free(r->vals);
  free(r->owned);
  free(r->ls);
  free(r);
}

int rt_open(rt_model *r, const char *backend, const char *options, char *err, size_t errlen) {
  const cc_model *m = r->m;
  if (r->dev) return rt_err(err, errlen, RT_E_ARG, "device already open");
  int rc = drv_open(backend, m->cfg->d.name, options, &r->dev);
  if (rc != DRV_OK) {
    r->dev = NULL;
    return rt_err(err, errlen, RT_E_DEVICE, "cannot open backend '%s' for config '%s': %s", backend,
                  m->cfg->d.name, drv_open_error());
  }
  size_t n_insns = 0;
  for (int i = 0; i < m->nl; i++) r->code_off[i] = n_insns * 16, n_insns += m->l[i].n_insns;
  /* the image and the instructions must fit the device's DMA memory: say so before placing */
  uint64_t need = ((uint64_t)(m->image_bytes ? m->image_bytes : 1) + ISA_IMAGE_ALIGN - 1) /
                      ISA_IMAGE_ALIGN * ISA_IMAGE_ALIGN +
                  ((uint64_t)(n_insns ? n_insns * 16 : 16) + ISA_IMAGE_ALIGN - 1) / ISA_IMAGE_ALIGN *
                      ISA_IMAGE_ALIGN;
  char what[64];
  snprintf(what, sizeof what, "the package's image and %zu instructions", n_insns);
  rc = drv_mem_check(r->dev, need, what);
  if (rc != DRV_OK) {
    rt_err(err, errlen, RT_E_DEVICE, "%s", drv_last_error(r->dev)->message);
    drv_close(r->dev);
    r->dev = NULL;
    return RT_E_DEVICE;
  }
  rc = drv_alloc(r->dev, m->image_bytes ? m->image_bytes : 1, &r->img);
  if (rc == DRV_OK) rc = drv_alloc(r->dev, n_insns ? n_insns * 16 : 16, &r->code);
  if (rc == DRV_OK) rc = drv_write(r->dev, r->img, 0, m->image, m->image_bytes);
  uint8_t *bytes = rc == DRV_OK ? malloc(n_insns * 16 + 16) : NULL;
  if (rc == DRV_OK && !bytes) rc = DRV_E_NOMEM;
  for (int i = 0; i < m->nl && rc == DRV_OK; i++) {
    isa_word *w = malloc(((size_t)m->l[i].n_insns + 1) * sizeof *w);
    if (!w) {
      rc = DRV_E_NOMEM;
      break;
    }
    memcpy(w, m->l[i].insns, (size_t)m->l[i].n_insns * sizeof *w);
    uint32_t bad = 0;
    if (isa_relocate(m->cfg, w, m->l[i].n_insns, drv_buf_addr(r->img), &bad) != ISA_OK) {
      free(w);
      free(bytes);
      return rt_err(err, errlen, RT_E_DEVICE, "layer %d: instruction %u cannot be relocated to the device address", i, bad);
    }
    uint8_t *b = bytes + r->code_off[i];
    for (uint32_t k = 0; k < m->l[i].n_insns; k++)
      for (int j = 0; j < 16; j++) b[16 * k + j] = (uint8_t)(w[k].w[j / 8] >> (8 * (j % 8)));
    free(w);
  }
  if (rc == DRV_OK) rc = drv_write(r->dev, r->code, 0, bytes, n_insns * 16);
  free(bytes);
  if (rc != DRV_OK)
    return rt_err(err, errlen, RT_E_DEVICE, "placing the image on the device: %s%s%s", drv_strerror(rc),
                  drv_last_error(r->dev)->message[0] ? ": " : "", drv_last_error(r->dev)->message);
  return RT_OK;
}

void rt_set_strict(rt_model *r, int strict) { r->strict = strict; }
uint64_t rt_input_nonfinite(const rt_model *r, int i) { return i < 0 || i >= r->m->n_in ? 0 : r->nonfinite[i]; }

const char *rt_config_name(const rt_model *r) { return r->m->cfg->d.name; }
const char *rt_calibration(const rt_model *r) { return r->m->calib; }
int rt_n_inputs(const rt_model *r) { return r->m->n_in; }
int rt_n_outputs(const rt_model *r) { return r->m->n_out; }

/* Name and shape of runtime-graph tensor t. */
static const char *io(const rt_model *r, int t, int *rank, const int64_t **dims) {
  const ir_tensor *T = r->m->g->tensors[t];
  if (rank) *rank = T->type.rank;
  if (dims) *dims = T->type.dims;
  return T->name;
}
const char *rt_input(const rt_model *r, int i, int *rank, const int64_t **dims) {
  return i < 0 || i >= r->m->n_in ? NULL : io(r, r->m->g->inputs[i], rank, dims);
}
const char *rt_output(const rt_model *r, int i, int *rank, const int64_t **dims) {
  return i < 0 || i >= r->m->n_out ? NULL : io(r, r->m->g->outputs[i], rank, dims);
}
/* The integer types of cc_mio.src_dtype (cc_integer_input_dtype): numpy's name and the range. */
static const struct int_input {
  int dtype;
  const char *name;
  double lo, hi;
} int_inputs[] = {{IR_U8, "uint8", 0, 255},
                  {IR_I8, "int8", -128, 127},
                  {IR_I32, "int32", -2147483648.0, 2147483647.0},
                  {IR_I64, "int64", -9.3e18, 9.3e18}};

/* Input i's integer type, or NULL (a float32 input, or a bad index). */
static const struct int_input *int_input(const rt_model *r, int i) {
  for (size_t k = 0; i >= 0 && i < r->m->n_in && k < sizeof int_inputs / sizeof *int_inputs; k++)
    if (int_inputs[k].dtype == r->m->in[i].src_dtype) return &int_inputs[k];
  return NULL;
}

const char *rt_input_dtype(const rt_model *r, int i) {
  if (i < 0 || i >= r->m->n_in) return NULL;
  const struct int_input *t = int_input(r, i);
  return t ? t->name : "float32";
}
int64_t rt_input_numel(const rt_model *r, int i) {
  return i < 0 || i >= r->m->n_in ? -1 : ir_type_numel(&r->m->g->tensors[r->m->g->inputs[i]]->type);
}
int64_t rt_output_numel(const rt_model *r, int i) {
  return i < 0 || i >= r->m->n_out ? -1 : ir_type_numel(&r->m->g->tensors[r->m->g->outputs[i]]->type);
}

/* QUANT: float value of graph tensor a -> int8 -> packed into accelerator tensor b. */
static int step_quant(rt_model *r, int a, int b, char *err, size_t errlen) {
  double t_start = now_ms();
  const cc_mtensor *t = &r->m->t[b];
  const float *x = r->vals[a].data;
  size_t n = (size_t)t->c * t->h * t->w;
  for (size_t i = 0; i < n; i++) {
    double v = nearbyint(x[i] / t->scale) + t->zp;
    r->q[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v); /* NaN -> 127 */
  }
  if (cc_layout_pack(t, cc_layout_block(&r->m->cfg->d), r->q, r->host) != 0) return rt_err(err, errlen, RT_E_ARG, "packing tensor %d failed", b);
  double t0 = now_ms();
  r->ht.quantize_ms += t0 - t_start;
  int rc = drv_write(r->dev, r->img, t->offset, r->host + t->offset, t->bytes);
  r->ht.transfer_ms += now_ms() - t0;
  return rc == DRV_OK ? RT_OK : rt_err(err, errlen, RT_E_DEVICE, "writing tensor '%s': %s", t->name, drv_strerror(rc));
}

/* DEQUANT: accelerator tensor a -> float value of graph tensor b. */
static int step_dequant(rt_model *r, int a, int b, char *err, size_t errlen) {
  const cc_mtensor *t = &r->m->t[a];
  double t0 = now_ms();
  int rc = drv_read(r->dev, r->img, t->offset, r->host + t->offset, t->bytes);
  double t1 = now_ms();
  r->ht.transfer_ms += t1 - t0;
  if (rc != DRV_OK) return rt_err(err, errlen, RT_E_DEVICE, "reading tensor '%s': %s", t->name, drv_strerror(rc));
  if (cc_layout_unpack(t, cc_layout_block(&r->m->cfg->d), r->host, r->q) != 0) return rt_err(err, errlen, RT_E_ARG, "unpacking tensor %d failed", a);
  ir_value *v = &r->vals[b];
  if (r->owned[b]) free(v->data);
  if (ir_value_alloc(v, &r->m->g->tensors[b]->type) != IR_OK) return rt_err(err, errlen, RT_E_NOMEM, "out of memory");
  r->owned[b] = 1;
  float *x = v->data;
  size_t n = (size_t)t->c * t->h * t->w;
  for (size_t i = 0; i < n; i++) x[i] = (float)((r->q[i] - t->zp) * (double)t->scale);
  r->ht.unpack_ms += now_ms() - t1;
  return RT_OK;
}

/* ACCEL: layer l's program on the device; its counters into the layer's statistics. */
static int step_accel(rt_model *r, int l, char *err, size_t errlen) {
  const cc_mlayer *L = &r->m->l[l];
  double t0 = now_ms();
  int rc = drv_run(r->dev, r->code, r->code_off[l], L->n_insns, RT_TIMEOUT_MS);
  double t1 = now_ms();
  r->ls[l].device_ms += t1 - t0;
  r->ht.device_ms += t1 - t0;
  if (rc != DRV_OK) {
    const drv_error *e = drv_last_error(r->dev);
    return rt_err(err, errlen, RT_E_DEVICE, "layer %d (%s '%s'): %s: instruction %lld: %s", l, L->op, L->node,
                  drv_strerror(rc), (long long)e->insn_index, e->message);
  }
  drv_counters c;
  if (drv_counters_read(r->dev, &c) == DRV_OK) {
    r->ls[l].cycles += c.cycles;
    r->ls[l].device_macs += c.macs;
    r->bytes[2 * l] += c.bytes_read;
    r->bytes[2 * l + 1] += c.bytes_written;
    r->bytes[2 * (size_t)r->m->nl + l] += c.bytes_read1;
    r->cycles += c.cycles;
  }
  r->ls[l].host_ms += now_ms() - t1;
  return RT_OK;
}

/* CPU: runtime-graph node ni through the reference executor; outputs become values. */
static int step_cpu(rt_model *r, int ni, char *err, size_t errlen) {
  const ir_graph *g = r->m->g;
  const ir_node *n = g->nodes[ni];
  const ir_value *in[64];
  ir_value out[64];
  for (int k = 0; k < n->n_in; k++) in[k] = n->in[k] >= 0 ? &r->vals[n->in[k]] : NULL;
  memset(out, 0, sizeof out);
  char why[1024];
  double t0 = now_ms();
  if (ref_run_node(g, n, in, out, why, sizeof why) != IR_OK)
    return rt_err(err, errlen, RT_E_CPU, "CPU step '%s' (%s): %s", n->name, n->op_name, why);
  r->cpu_ms += now_ms() - t0;
  r->ht.cpu_steps_ms += now_ms() - t0;
  for (int k = 0; k < n->n_out; k++) {
    int t = n->out[k];
    if (t < 0) {
      ir_value_free(&out[k]);
      continue;
    }
    if (r->owned[t]) free(r->vals[t].data);
    r->vals[t] = out[k];
    r->owned[t] = 1;
  }
  return RT_OK;
}

/* An input that the model declares of an integer type and only casts to float (a uint8 image;
 * the package takes float32, cc_mio.src_dtype): its values must be integers in that type's range,
 * else the model would see what onnxruntime cannot be given (a [0, 1] image for a 0..255 one).
 * 0, or -1 with the message in err. */
static int integer_input(const rt_model *r, int i, const float *x, char *err, size_t errlen) {
  const struct int_input *t = int_input(r, i);
  if (!t) return 0;
  const char *dn = t->name;
  double lo = t->lo, hi = t->hi;
  int64_t n = rt_input_numel(r, i), bad = 0, first = 0;
  for (int64_t k = 0; k < n; k++)
    if (!(x[k] >= lo && x[k] <= hi && x[k] == floorf(x[k])) && !bad++) first = k;
  if (!bad) return 0;
  rt_err(err, errlen, RT_E_ARG,
         "input '%s' is %s in the model: %lld of %lld values are not integers from %.0f to %.0f (first at %lld: %g); "
         "give the values it takes (e.g. an image's 0..255, not 0..1), from a %s or float32 file",
         rt_input(r, i, NULL, NULL), dn, (long long)bad, (long long)n, lo, hi, (long long)first, (double)x[first], dn);
  return -1;
}

int rt_run(rt_model *r, const float *const *inputs, float *const *outputs, char *err, size_t errlen) {
  cc_model *m = r->m;
  const ir_graph *g = m->g;
  if (!r->dev) return rt_err(err, errlen, RT_E_ARG, "rt_run before rt_open");
  for (int t = 0; t < g->n_tensors; t++) {
    r->vals[t].type = g->tensors[t]->type;
    r->vals[t].data = g->tensors[t]->data;
  }
  for (int i = 0; i < m->n_in; i++) {
    if (!inputs || !inputs[i]) return rt_err(err, errlen, RT_E_ARG, "input %d missing", i);
    r->vals[g->inputs[i]].data = (void *)inputs[i];
  }
  for (int i = 0; i < m->n_in; i++) { /* NaN / infinite inputs: counted, or refused if strict */
    int64_t n = rt_input_numel(r, i), bad = 0, first = 0;
    for (int64_t k = 0; k < n; k++)
      if (!isfinite(inputs[i][k]) && !bad++) first = k;
    r->nonfinite[i] += (uint64_t)bad;
    if (bad && r->strict)
      return rt_err(err, errlen, RT_E_ARG, "input '%s': %lld of %lld values are NaN or infinite (first at %lld)",
                    rt_input(r, i, NULL, NULL), (long long)bad, (long long)n, (long long)first);
  }
  for (int i = 0; i < m->n_in; i++)
    if (integer_input(r, i, inputs[i], err, errlen)) return RT_E_ARG;
  int rc = RT_OK;
  char stage[64];
  snprintf(stage, sizeof stage, "inference on %s", drv_backend_name(r->dev));
  util_progress_begin(stage);
  for (int i = 0; i < m->ns && rc == RT_OK; i++) {
    const cc_mstep *s = &m->s[i];
    if (s->kind == CC_STEP_ACCEL && util_progress_enabled()) {
      char what[200];
      snprintf(what, sizeof what, "layer %d of %d: %s '%.100s'", s->a + 1, m->nl, m->l[s->a].op, m->l[s->a].node);
      util_progress((double)i / m->ns, what);
    }
    if (r->hook && r->hook(r->hook_ctx, r, i, s->kind, s->a, s->b, 0)) {
      rc = rt_err(err, errlen, RT_E_ARG, "stopped by the step hook before step %d", i);
      break;
    }
    double t0 = now_ms();
    switch (s->kind) {
    case CC_STEP_QUANT: rc = step_quant(r, s->a, s->b, err, errlen); break;
    case CC_STEP_DEQUANT: rc = step_dequant(r, s->a, s->b, err, errlen); break;
    case CC_STEP_ACCEL: rc = step_accel(r, s->a, err, errlen); break;
    default: rc = step_cpu(r, s->a, err, errlen); t0 = now_ms(); break;
    }
    if (s->kind == CC_STEP_QUANT || s->kind == CC_STEP_DEQUANT) r->cpu_ms += now_ms() - t0;
    if (rc == RT_OK && r->hook && r->hook(r->hook_ctx, r, i, s->kind, s->a, s->b, 1))
      rc = rt_err(err, errlen, RT_E_ARG, "stopped by the step hook after step %d", i);
  }
  util_progress_end();
  for (int i = 0; i < m->n_out && rc == RT_OK; i++) {
    int t = g->outputs[i];
    memcpy(outputs[i], r->vals[t].data, (size_t)ir_type_numel(&g->tensors[t]->type) * sizeof(float));
  }
  clear_vals(r);
  if (rc == RT_OK) r->runs++;
  return rc;
}

int rt_n_layers(const rt_model *r) { return r->m->nl; }
int rt_layer(const rt_model *r, int l, rt_layer_stats *out) {
  if (l < 0 || l >= r->m->nl) return RT_E_ARG;
  *out = r->ls[l];
  return RT_OK;
}
uint64_t rt_runs(const rt_model *r) { return r->runs; }
uint64_t rt_total_cycles(const rt_model *r) { return r->cycles; }
double rt_cpu_ms(const rt_model *r) { return r->cpu_ms; }
void rt_host_times_get(const rt_model *r, rt_host_times *out) { *out = r->ht; }
int rt_n_cpu_steps(const rt_model *r) {
  int n = 0;
  for (int i = 0; i < r->m->ns; i++) n += r->m->s[i].kind == CC_STEP_CPU;
  return n;
}
uint64_t rt_peak_macs_per_cycle(const rt_model *r) {
  const isa_derived *d = &r->m->cfg->d;
  return (uint64_t)d->batch * d->block_in * d->block_out;
}

void rt_set_step_hook(rt_model *r, rt_step_fn fn, void *ctx) {
  r->hook = fn;
  r->hook_ctx = ctx;
}
int rt_n_steps(const rt_model *r) { return r->m->ns; }

int rt_set_trace(rt_model *r, rt_trace_fn fn, void *ctx, char *err, size_t errlen) {
  if (!r->dev) return rt_err(err, errlen, RT_E_ARG, "rt_set_trace before rt_open");
  int rc = drv_set_trace(r->dev, (drv_trace_fn)fn, ctx);
  if (rc != DRV_OK)
    return rt_err(err, errlen, RT_E_DEVICE, "backend '%s' reports no single instructions (%s); only fsim does",
                  drv_backend_name(r->dev), drv_strerror(rc));
  return RT_OK;
}

const float *rt_value(const rt_model *r, int t, int64_t *numel) {
  if (t < 0 || t >= r->m->g->n_tensors || !r->vals[t].data || r->vals[t].type.dtype != IR_F32) return NULL;
  if (numel) *numel = ir_type_numel(&r->m->g->tensors[t]->type);
  return r->vals[t].data;
}

int rt_acc_read(rt_model *r, int t, int8_t *chw, char *err, size_t errlen) {
  if (!r->dev) return rt_err(err, errlen, RT_E_ARG, "rt_acc_read before rt_open");
  if (t < 0 || t >= r->m->nt || r->m->t[t].im2col)
    return rt_err(err, errlen, RT_E_ARG, "accelerator tensor %d cannot be read back", t);
  const cc_mtensor *T = &r->m->t[t];
  int rc = drv_read(r->dev, r->img, T->offset, r->host + T->offset, T->bytes);
  if (rc != DRV_OK) return rt_err(err, errlen, RT_E_DEVICE, "reading tensor '%s': %s", T->name, drv_strerror(rc));
  if (cc_layout_unpack(T, cc_layout_block(&r->m->cfg->d), r->host, chw) != 0)
    return rt_err(err, errlen, RT_E_ARG, "unpacking tensor %d failed", t);
  return RT_OK;
}

int rt_image_read(rt_model *r, uint8_t *dst, uint64_t bytes, char *err, size_t errlen) {
  if (!r->dev) return rt_err(err, errlen, RT_E_ARG, "rt_image_read before rt_open");
  if (bytes != r->m->image_bytes)
    return rt_err(err, errlen, RT_E_ARG, "image is %llu bytes, not %llu", (unsigned long long)r->m->image_bytes,
                  (unsigned long long)bytes);
  int rc = drv_read(r->dev, r->img, 0, dst, bytes);
  return rc == DRV_OK ? RT_OK : rt_err(err, errlen, RT_E_DEVICE, "reading the image: %s", drv_strerror(rc));
}

const char *rt_device(const rt_model *r) { return r->dev ? drv_describe(r->dev) : NULL; }

int rt_layer_bytes(const rt_model *r, int l, uint64_t *read, uint64_t *written) {
  if (l < 0 || l >= r->m->nl) return RT_E_ARG;
  if (read) *read = r->bytes[2 * l];
  if (written) *written = r->bytes[2 * l + 1];
  return RT_OK;
}

int rt_layer_port_bytes(const rt_model *r, int l, uint64_t *port0, uint64_t *port1) {
  if (l < 0 || l >= r->m->nl) return RT_E_ARG;
  uint64_t p1 = r->bytes[2 * (size_t)r->m->nl + l];
  if (port0) *port0 = r->bytes[2 * l] - p1;
  if (port1) *port1 = p1;
  return RT_OK;
}

void rt_mem_limits(const rt_model *r, unsigned *ports, double *port_bytes, double *ddr_bytes) {
  const isa_derived *d = &r->m->cfg->d;
  if (ports) *ports = d->rd_ports;
  if (port_bytes) *port_bytes = d->axi_bits / 8.0;
  if (ddr_bytes) *ddr_bytes = d->ddr_bytes;
}
