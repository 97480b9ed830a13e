/* model/package.c -- the dlvta package: serializes a compiled model (cc_model) into the
 * sections of model/pkg.h and reads it back with every field validated (format in package.h).
 */
#include "package.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg.h"

/* ---- byte buffers ------------------------------------------------------------------------ */
typedef struct bbuf {
  uint8_t *p;
  size_t n, cap;
  int oom;
} bbuf;

static void bb_put(bbuf *b, const void *src, size_t n) {
  if (b->oom) return;
  if (b->n + n > b->cap) {
    size_t nc = b->cap ? b->cap : 256;
    while (nc < b->n + n) nc *= 2;
    uint8_t *np = realloc(b->p, nc);
    if (!np) {
      b->oom = 1;
      return;
    }
    b->p = np;
    b->cap = nc;
  }
  if (n) memcpy(b->p + b->n, src, n);
  b->n += n;
}
static void bb_u32(bbuf *b, uint32_t v) {
  uint8_t x[4];
  for (int i = 0; i < 4; i++) x[i] = (uint8_t)(v >> (8 * i));
  bb_put(b, x, 4);
}
static void bb_u64(bbuf *b, uint64_t v) {
  uint8_t x[8];
  for (int i = 0; i < 8; i++) x[i] = (uint8_t)(v >> (8 * i));
  bb_put(b, x, 8);
}
static void bb_i32(bbuf *b, int32_t v) { bb_u32(b, (uint32_t)v); }
static void bb_f32(bbuf *b, float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  bb_u32(b, u);
}
static void bb_str(bbuf *b, const char *s) {
  size_t n = s ? strlen(s) : 0;
  bb_u32(b, (uint32_t)n);
  bb_put(b, s, n);
}

/* A bounds-checked reader: any overrun sets bad and yields zeros. */
typedef struct rd {
  const uint8_t *p;
  uint64_t n, at;
  int bad;
} rd;

static const uint8_t *rd_take(rd *r, uint64_t n) {
  if (r->bad || n > r->n - r->at) {
    r->bad = 1;
    return NULL;
  }
  const uint8_t *q = r->p + r->at;
  r->at += n;
  return q;
}
static uint32_t rd_u32(rd *r) {
  const uint8_t *q = rd_take(r, 4);
  uint32_t v = 0;
  if (q)
    for (int i = 0; i < 4; i++) v |= (uint32_t)q[i] << (8 * i);
  return v;
}
static uint64_t rd_u64(rd *r) {
  const uint8_t *q = rd_take(r, 8);
  uint64_t v = 0;
  if (q)
    for (int i = 0; i < 8; i++) v |= (uint64_t)q[i] << (8 * i);
  return v;
}
static int32_t rd_i32(rd *r) { return (int32_t)rd_u32(r); }
static float rd_f32(rd *r) {
  uint32_t u = rd_u32(r);
  float f;
  memcpy(&f, &u, 4);
  return f;
}
/* A string into buf[cap] (NUL-terminated); too long or with a NUL inside: bad. */
static void rd_str(rd *r, char *buf, size_t cap) {
  uint32_t n = rd_u32(r);
  buf[0] = 0;
  if (r->bad) return;
  if (n >= cap) {
    r->bad = 1;
    return;
  }
  const uint8_t *q = rd_take(r, n);
  if (!q) return;
  memcpy(buf, q, n);
  buf[n] = 0;
  if (strlen(buf) != n) r->bad = 1;
}
/* A count of items that need at least min_bytes each in what is left. */
static uint32_t rd_count(rd *r, uint64_t min_bytes) {
  uint32_t n = rd_u32(r);
  if (!r->bad && min_bytes && (uint64_t)n > (r->n - r->at) / min_bytes) r->bad = 1;
  return r->bad ? 0 : n;
}

static int ferr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int ferr(char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  return -1;
}

/* ---- writing ----------------------------------------------------------------------------- */
/* A type: dtype, rank, extents. */
static void put_type(bbuf *b, const ir_type *t) {
  bb_u32(b, (uint32_t)t->dtype);
  bb_i32(b, t->rank);
  for (int i = 0; i < t->rank; i++) bb_u64(b, (uint64_t)t->dims[i]);
}

/* The runtime graph in the CC_SEC_GRAPH layout of package.h. */
static void put_graph(bbuf *b, const ir_graph *g) {
  bb_u32(b, (uint32_t)g->n_tensors);
  for (int i = 0; i < g->n_tensors; i++) {
    const ir_tensor *t = g->tensors[i];
    bb_str(b, t->name);
    put_type(b, &t->type);
    uint64_t bytes = t->data ? (uint64_t)ir_type_numel(&t->type) * ir_dtype_size(t->type.dtype) : 0;
    bb_u64(b, t->data && !bytes ? CC_GRAPH_EMPTY_CONST : bytes); /* (Resize's empty roi, a Reshape to a scalar) */
    bb_put(b, t->data, bytes);
  }
  bb_u32(b, (uint32_t)g->n_nodes);
  for (int i = 0; i < g->n_nodes; i++) {
    const ir_node *n = g->nodes[i];
    bb_str(b, ir_op_name(n->op));
    bb_str(b, n->name);
    bb_u32(b, (uint32_t)n->n_in);
    for (int k = 0; k < n->n_in; k++) bb_i32(b, n->in[k]);
    bb_u32(b, (uint32_t)n->n_out);
    for (int k = 0; k < n->n_out; k++) bb_i32(b, n->out[k]);
    bb_u32(b, (uint32_t)n->n_attr);
    for (int k = 0; k < n->n_attr; k++) {
      const ir_attr *a = &n->attr[k];
      bb_str(b, a->name);
      bb_u32(b, (uint32_t)a->kind);
      switch (a->kind) {
      case IR_ATTR_INT: bb_u64(b, (uint64_t)a->i); break;
      case IR_ATTR_FLOAT: bb_f32(b, a->f); break;
      case IR_ATTR_STRING: bb_str(b, a->s); break;
      case IR_ATTR_INTS:
        bb_u32(b, (uint32_t)a->n);
        for (int j = 0; j < a->n; j++) bb_u64(b, (uint64_t)a->ints[j]);
        break;
      case IR_ATTR_FLOATS:
        bb_u32(b, (uint32_t)a->n);
        for (int j = 0; j < a->n; j++) bb_f32(b, a->floats[j]);
        break;
      case IR_ATTR_STRINGS:
        bb_u32(b, (uint32_t)a->n);
        for (int j = 0; j < a->n; j++) bb_str(b, a->strs[j]);
        break;
      case IR_ATTR_TENSOR: {
        put_type(b, &a->t->type);
        uint64_t bytes = (uint64_t)ir_type_numel(&a->t->type) * ir_dtype_size(a->t->type.dtype);
        bb_u64(b, bytes);
        bb_put(b, a->t->data, bytes);
        break;
      }
      default: break; /* the lowering refuses nodes with other attributes */
      }
    }
  }
  bb_u32(b, (uint32_t)g->n_inputs);
  for (int i = 0; i < g->n_inputs; i++) bb_i32(b, g->inputs[i]);
  bb_u32(b, (uint32_t)g->n_outputs);
  for (int i = 0; i < g->n_outputs; i++) bb_i32(b, g->outputs[i]);
  bb_u32(b, (uint32_t)g->opset);
}

/* One model input/output record of CC_SEC_META. */
static void put_io(bbuf *b, const cc_model *m, const cc_mio *io) {
  bb_str(b, m->g->tensors[io->tensor]->name);
  bb_i32(b, io->tensor);
  bb_i32(b, io->acc);
  bb_f32(b, io->acc >= 0 ? m->t[io->acc].scale : 0.0f);
  bb_i32(b, io->acc >= 0 ? m->t[io->acc].zp : 0);
}

int cc_package_write(const cc_model *m, const char *path, char *err, size_t errlen) {
  pkg_writer *w = pkg_writer_new(m->cfg);
  if (!w) return ferr(err, errlen, "%s: out of memory", path);
  bbuf b[7];
  memset(b, 0, sizeof b);
  /* meta */
  bb_u32(&b[0], CC_PKG_FORMAT);
  bb_str(&b[0], m->name);
  bb_str(&b[0], m->cfg->d.name);
  bb_str(&b[0], m->calib);
  bb_u32(&b[0], (uint32_t)m->n_in);
  bb_u32(&b[0], (uint32_t)m->n_out);
  for (int i = 0; i < m->n_in; i++) put_io(&b[0], m, &m->in[i]);
  for (int i = 0; i < m->n_out; i++) put_io(&b[0], m, &m->out[i]);
  for (int i = 0; i < m->n_in; i++) bb_u32(&b[0], (uint32_t)m->in[i].src_dtype);
  /* tensors */
  bb_u32(&b[1], (uint32_t)m->nt);
  for (int i = 0; i < m->nt; i++) {
    const cc_mtensor *t = &m->t[i];
    bb_str(&b[1], t->name);
    bb_u32(&b[1], (uint32_t)t->c);
    bb_u32(&b[1], (uint32_t)t->h);
    bb_u32(&b[1], (uint32_t)t->w);
    bb_u32(&b[1], (uint32_t)t->im2col);
    for (int k = 0; k < 11; k++) bb_i32(&b[1], t->geo[k]);
    bb_u64(&b[1], t->offset);
    bb_u64(&b[1], t->bytes);
    bb_f32(&b[1], t->scale);
    bb_i32(&b[1], t->zp);
  }
  /* layers */
  bb_u32(&b[2], (uint32_t)m->nl);
  for (int i = 0; i < m->nl; i++) {
    const cc_mlayer *l = &m->l[i];
    bb_str(&b[2], l->op);
    bb_str(&b[2], l->node);
    bb_str(&b[2], l->desc);
    bb_i32(&b[2], l->in);
    bb_i32(&b[2], l->out);
    bb_u64(&b[2], l->macs);
    bb_u64(&b[2], l->ideal_cycles);
    bb_u64(&b[2], l->predicted_cycles);
    bb_u32(&b[2], l->n_insns);
  }
  /* image */
  bb_u64(&b[3], m->image_bytes);
  bb_u64(&b[3], m->arena_bytes);
  bb_put(&b[3], m->image + m->arena_bytes, m->image_bytes - m->arena_bytes);
  put_graph(&b[4], m->g);
  bb_u32(&b[5], (uint32_t)m->ns);
  for (int i = 0; i < m->ns; i++) {
    bb_u32(&b[5], (uint32_t)m->s[i].kind);
    bb_i32(&b[5], m->s[i].a);
    bb_i32(&b[5], m->s[i].b);
  }
  int rc = 0;
  for (int i = 0; i < 6; i++) rc |= b[i].oom;
  static const uint32_t types[6] = {CC_SEC_META, CC_SEC_TENSORS, CC_SEC_LAYERS, CC_SEC_IMAGE,
                                    CC_SEC_GRAPH, CC_SEC_PLAN};
  for (int i = 0; i < 6 && !rc; i++) rc = pkg_writer_take(w, types[i], 0, b[i].p, b[i].n), b[i].p = NULL;
  for (int i = 0; i < m->nl && !rc; i++) {
    bbuf p = {0};
    for (uint32_t k = 0; k < m->l[i].n_insns; k++) {
      bb_u64(&p, m->l[i].insns[k].w[0]);
      bb_u64(&p, m->l[i].insns[k].w[1]);
    }
    if (p.oom) free(p.p);
    rc = p.oom ? -1 : pkg_writer_take(w, CC_SEC_PROG, (uint32_t)i, p.p, p.n);
  }
  for (int i = 0; i < 7; i++) free(b[i].p);
  if (rc) {
    pkg_writer_free(w);
    return ferr(err, errlen, "%s: out of memory", path);
  }
  rc = pkg_writer_save(w, path, err, errlen);
  pkg_writer_free(w);
  return rc ? -1 : 0;
}

/* ---- reading ----------------------------------------------------------------------------- */
/* Element types a runtime graph may hold. */
static int dtype_ok(uint32_t d) {
  return d == IR_F32 || d == IR_U8 || d == IR_I8 || d == IR_I32 || d == IR_I64 || d == IR_BOOL;
}

/* Reads a fully known type; bad on nonsense. */
static void rd_type(rd *r, ir_type *t) {
  memset(t, 0, sizeof *t);
  uint32_t d = rd_u32(r);
  int32_t rank = rd_i32(r);
  if (r->bad) return;
  if (!dtype_ok(d) || rank < 0 || rank > IR_MAX_DIMS) {
    r->bad = 1;
    return;
  }
  t->dtype = (ir_dtype)d;
  t->rank = rank;
  for (int i = 0; i < rank; i++) {
    t->dims[i] = (int64_t)rd_u64(r);
    if (t->dims[i] < 0 || t->dims[i] > ((int64_t)1 << 32)) r->bad = 1;
  }
}

/* The operator named s (ir_op_name), IR_OP_UNKNOWN if none. */
static ir_op op_by_name(const char *s) {
  for (int i = 1; i < IR_OP_COUNT; i++)
    if (!strcmp(ir_op_name((ir_op)i), s)) return (ir_op)i;
  return IR_OP_UNKNOWN;
}

/* Reads the runtime graph's tensors (constants with their data) into g; their count. */
static uint32_t rd_graph_tensors(rd *r, ir_graph *g, char *why, size_t whylen) {
  char name[1024];
  uint32_t nt = rd_count(r, 20);
  for (uint32_t i = 0; i < nt && !r->bad; i++) {
    rd_str(r, name, sizeof name);
    ir_type t;
    rd_type(r, &t);
    uint64_t bytes = rd_u64(r);
    if (r->bad) break;
    int64_t numel = ir_type_numel(&t);
    uint64_t want = (uint64_t)numel * ir_dtype_size(t.dtype);
    int empty = bytes == CC_GRAPH_EMPTY_CONST;
    if (empty && (numel != 0 || t.rank < 0)) {
      snprintf(why, whylen, "graph tensor %u: marked an empty constant, but of %lld elements", i, (long long)numel);
      r->bad = 2;
      break;
    }
    if (empty) bytes = 0;
    if (bytes && bytes != want) {
      snprintf(why, whylen, "graph tensor %u: %llu data bytes for %llu", i, (unsigned long long)bytes,
               (unsigned long long)want);
      r->bad = 2;
      break;
    }
    const uint8_t *d = bytes ? rd_take(r, bytes) : NULL;
    if (r->bad) break;
    int idx;
    if (d || empty) {
      void *copy = malloc(bytes ? bytes : 1);
      if (!copy) {
        r->bad = 1;
        break;
      }
      if (bytes) memcpy(copy, d, bytes);
      idx = ir_add_const(g, name, &t, copy);
    } else {
      idx = ir_add_tensor(g, name, &t);
    }
    if (idx != (int)i) r->bad = 1;
  }
  return nt;
}

/* Reads one attribute of node n (node i of the graph) onto it. */
static void rd_attr(rd *r, ir_node *n, uint32_t i, char *why, size_t whylen) {
  char an[128];
  rd_str(r, an, sizeof an);
  uint32_t kind = rd_u32(r);
  if (r->bad) return;
  switch (kind) {
  case IR_ATTR_INT: ir_set_attr_int(n, an, (int64_t)rd_u64(r)); break;
  case IR_ATTR_FLOAT: ir_set_attr_float(n, an, rd_f32(r)); break;
  case IR_ATTR_STRING: {
    char s[1024];
    rd_str(r, s, sizeof s);
    if (!r->bad) ir_set_attr_string(n, an, s);
    break;
  }
  case IR_ATTR_INTS: {
    uint32_t c = rd_count(r, 8);
    int64_t *v = malloc(((size_t)c + 1) * sizeof *v);
    if (!v) r->bad = 1;
    for (uint32_t j = 0; j < c && !r->bad; j++) v[j] = (int64_t)rd_u64(r);
    if (!r->bad) ir_set_attr_ints(n, an, v, (int)c);
    free(v);
    break;
  }
  case IR_ATTR_FLOATS: {
    uint32_t c = rd_count(r, 4);
    float *v = malloc(((size_t)c + 1) * sizeof *v);
    if (!v) r->bad = 1;
    for (uint32_t j = 0; j < c && !r->bad; j++) v[j] = rd_f32(r);
    if (!r->bad) ir_set_attr_floats(n, an, v, (int)c);
    free(v);
    break;
  }
  case IR_ATTR_STRINGS: {
    uint32_t c = rd_count(r, 4); /* a few names (RNN activations): at most 4096 */
    if (c > 4096) r->bad = 1, c = 0;
    char(*v)[256] = malloc(((size_t)c + 1) * sizeof *v);
    const char **p = malloc(((size_t)c + 1) * sizeof *p);
    if (!v || !p) r->bad = 1;
    for (uint32_t j = 0; j < c && !r->bad; j++) rd_str(r, v[j], sizeof v[j]), p[j] = v[j];
    if (!r->bad) ir_set_attr_strings(n, an, p, (int)c);
    free(v), free(p);
    break;
  }
  case IR_ATTR_TENSOR: {
    ir_type t;
    rd_type(r, &t);
    uint64_t bytes = rd_u64(r);
    if (r->bad) break;
    if (bytes != (uint64_t)ir_type_numel(&t) * ir_dtype_size(t.dtype)) {
      r->bad = 1;
      break;
    }
    const uint8_t *d = rd_take(r, bytes);
    if (!d) break;
    ir_value *v = calloc(1, sizeof *v);
    if (!v || ir_value_alloc(v, &t) != IR_OK) {
      free(v);
      r->bad = 1;
      break;
    }
    memcpy(v->data, d, bytes);
    ir_attr *a = ir_new_attr(n, an, IR_ATTR_TENSOR);
    a->t = v;
    break;
  }
  default:
    snprintf(why, whylen, "graph node %u: bad attribute kind %u", i, kind);
    r->bad = 2;
    break;
  }
}

/* Reads the runtime graph; NULL with a message on failure. */
static ir_graph *rd_graph(rd *r, uint32_t fmt, char *why, size_t whylen) {
  ir_graph *g = ir_graph_new("runtime");
  char name[1024];
  uint32_t nt = rd_graph_tensors(r, g, why, whylen);
  uint32_t nn = rd_count(r, 24);
  for (uint32_t i = 0; i < nn && !r->bad; i++) {
    char op[64];
    rd_str(r, op, sizeof op);
    rd_str(r, name, sizeof name);
    ir_op o = op_by_name(op);
    if (!r->bad && o == IR_OP_UNKNOWN) {
      snprintf(why, whylen, "graph node %u: unknown op '%s'", i, op);
      r->bad = 2;
      break;
    }
    uint32_t n_in = rd_count(r, 4);
    int io[64];
    if (n_in > 32) r->bad = 1;
    for (uint32_t k = 0; k < n_in && !r->bad; k++) io[k] = rd_i32(r);
    uint32_t n_out = rd_count(r, 4);
    if (n_out > 32) r->bad = 1;
    for (uint32_t k = 0; k < n_out && !r->bad; k++) io[32 + k] = rd_i32(r);
    if (r->bad) break;
    for (uint32_t k = 0; k < n_in + n_out; k++) {
      int v = io[k < n_in ? k : 32 + k - n_in];
      if (v < -1 || v >= (int)nt) r->bad = 1;
    }
    if (r->bad) break;
    ir_node *n = ir_add_node(g, o, name, io, (int)n_in, io + 32, (int)n_out);
    uint32_t na = rd_count(r, 8);
    for (uint32_t k = 0; k < na && !r->bad; k++) rd_attr(r, n, i, why, whylen);
  }
  for (int io = 0; io < 2 && !r->bad; io++) {
    uint32_t c = rd_count(r, 4);
    int *v = malloc(((size_t)c + 1) * sizeof *v);
    if (!v) {
      r->bad = 1;
      break;
    }
    for (uint32_t k = 0; k < c && !r->bad; k++) {
      v[k] = rd_i32(r);
      if (v[k] < 0 || v[k] >= (int)nt) r->bad = 1;
    }
    if (io == 0) {
      free(g->inputs);
      g->inputs = v;
      g->n_inputs = (int)c;
    } else {
      free(g->outputs);
      g->outputs = v;
      g->n_outputs = (int)c;
    }
  }
  /* the opset its nodes mean (format 1 had none: read as ir_graph_new's) */
  uint32_t opset = fmt >= 2 && !r->bad ? rd_u32(r) : (uint32_t)g->opset;
  if (!r->bad && (opset < 1 || opset > IR_MAX_OPSET)) {
    snprintf(why, whylen, "runtime graph: opset %u (this build reads 1 to %d)", opset, IR_MAX_OPSET);
    r->bad = 2;
  }
  g->opset = (int)opset;
  if (r->bad) {
    if (r->bad == 1) snprintf(why, whylen, "runtime graph section is malformed");
    ir_graph_free(g);
    return NULL;
  }
  return g;
}

/* Reads what put_io wrote (scale and zero point are the accelerator tensor's, checked there). */
static void rd_io(rd *r, cc_mio *io, char *name, size_t cap) {
  rd_str(r, name, cap);
  io->tensor = rd_i32(r);
  io->acc = rd_i32(r);
  (void)rd_f32(r);
  (void)rd_i32(r);
}

void cc_model_free(cc_model *m) {
  if (!m) return;
  if (m->g) ir_graph_free(m->g);
  free(m->in);
  free(m->out);
  free(m->t);
  for (int i = 0; i < m->nl; i++) free(m->l[i].insns);
  free(m->l);
  free(m->s);
  free(m->image);
  if (m->net && m->net_free) m->net_free(m->net);
  free(m);
}

/* Is the value of runtime-graph tensor t of m defined with a numeric element type? */
static int f32_tensor(const cc_model *m, int t) {
  return t >= 0 && t < m->g->n_tensors && m->g->tensors[t]->type.dtype == IR_F32 &&
         ir_type_known(&m->g->tensors[t]->type);
}

/* Same extents (element order of a plain CHW tensor: any shape of equal numel). */
static int numel_matches(const cc_model *m, int gt, int acc) {
  const cc_mtensor *t = &m->t[acc];
  return ir_type_numel(&m->g->tensors[gt]->type) == (int64_t)t->c * t->h * t->w;
}

/* ---- cc_model_check's parts: each 0, or ferr's status with the message ---- */

/* Tensors: placed again by the layout (model/layout.c), at the same places; the arena they make. */
static int check_tensors(cc_model *m, char *err, size_t errlen) {
  const isa_derived *dc = &m->cfg->d;
  if (!cc_layout_ok(dc) || dc->inp_bits != 8 || dc->out_bits != 8)
    return ferr(err, errlen, "config '%s': the tensor layout needs batch 1, block_out a multiple of block_in, 8-bit data",
                dc->name);
  uint64_t arena = 0, place = 0;
  for (int i = 0; i < m->nt; i++) {
    const cc_mtensor *t = &m->t[i];
    if (!(t->scale > 0) || !isfinite(t->scale) || t->zp < -128 || t->zp > 127)
      return ferr(err, errlen, "tensor %d '%s': bad quantization (scale %g, zp %d)", i, t->name, t->scale, t->zp);
    if (t->c < 1 || t->h < 1 || t->w < 1 || t->c > (1 << 20) || t->h > 65535 || t->w > 65535)
      return ferr(err, errlen, "tensor %d '%s': bad shape %dx%dx%d", i, t->name, t->c, t->h, t->w);
    if (t->im2col) {
      for (int k = 0; k < 10; k++)
        if (t->geo[k] < 0 || t->geo[k] > 64) return ferr(err, errlen, "tensor %d: bad im2col geometry", i);
      if (t->geo[10] < -128 || t->geo[10] > 127) return ferr(err, errlen, "tensor %d: bad im2col zero point", i);
      if ((int64_t)t->c * t->geo[0] * t->geo[1] > (1 << 20)) return ferr(err, errlen, "tensor %d: bad im2col size", i);
    }
    cc_mtensor lt = *t;
    if (cc_layout_place(&lt, cc_layout_block(dc), &place) != 0)
      return ferr(err, errlen, "tensor %d '%s': %s", i, t->name,
                  t->im2col ? "im2col tensor: bad geometry or empty output" : "extents must be in 1..65535");
    if (lt.offset != t->offset || lt.bytes != t->bytes)
      return ferr(err, errlen, "tensor %d '%s': stored place %llu+%llu, the layout puts it at %llu+%llu", i,
                  t->name, (unsigned long long)t->offset, (unsigned long long)t->bytes,
                  (unsigned long long)lt.offset, (unsigned long long)lt.bytes);
    arena = t->offset + t->bytes;
  }
  arena = (arena + ISA_IMAGE_ALIGN - 1) / ISA_IMAGE_ALIGN * ISA_IMAGE_ALIGN;
  if (arena != m->arena_bytes || m->arena_bytes > m->image_bytes || m->image_bytes > CC_PKG_MAX_IMAGE)
    return ferr(err, errlen, "image: %llu bytes with an arena of %llu, the tensors need %llu (at most %llu bytes in all)",
                (unsigned long long)m->image_bytes, (unsigned long long)m->arena_bytes, (unsigned long long)arena,
                (unsigned long long)CC_PKG_MAX_IMAGE);
  return 0;
}

/* Programs: each proved safe by the verifier (model/verify.c). */
static int check_programs(const cc_model *m, char *err, size_t errlen) {
  for (int i = 0; i < m->nl; i++) {
    const cc_mlayer *l = &m->l[i];
    if (l->in < 0 || l->in >= m->nt || l->out < 0 || l->out >= m->nt)
      return ferr(err, errlen, "layer %d: bad tensor ids %d, %d", i, l->in, l->out);
    if (cc_verify_program(m, i, err, errlen) != 0) return -1;
  }
  return 0;
}

/* Runtime graph: structure, and every node's output types from its inputs'. */
static int check_graph(const cc_model *m, char *err, size_t errlen) {
  char why[512];
  if (ir_verify(m->g, 1, why, sizeof why) != IR_OK) return ferr(err, errlen, "runtime graph: %s", why);
  for (int i = 0; i < m->g->n_tensors; i++)
    if (!ir_type_known(&m->g->tensors[i]->type)) return ferr(err, errlen, "runtime graph: tensor %d has no type", i);
  for (int i = 0; i < m->g->n_nodes; i++) {
    const ir_node *n = m->g->nodes[i];
    const ir_type *ti[64];
    const void *di[64];
    ir_type to[64];
    if (n->n_in > 64 || n->n_out > 64) return ferr(err, errlen, "runtime graph: node %d: too many operands", i);
    for (int k = 0; k < n->n_in; k++) {
      ti[k] = n->in[k] >= 0 ? &m->g->tensors[n->in[k]]->type : NULL;
      di[k] = n->in[k] >= 0 ? m->g->tensors[n->in[k]]->data : NULL;
    }
    if (ir_infer_node(m->g, n, ti, di, to, why, sizeof why) != IR_OK)
      return ferr(err, errlen, "runtime graph: %s", why);
    for (int k = 0; k < n->n_out; k++) {
      if (n->out[k] < 0) continue;
      const ir_type *st = &m->g->tensors[n->out[k]]->type;
      int same = st->dtype == to[k].dtype && st->rank == to[k].rank;
      for (int d = 0; same && d < st->rank; d++) same = st->dims[d] == to[k].dims[d];
      if (!same)
        return ferr(err, errlen, "runtime graph: node '%s' (%s): output %d type disagrees with its inputs", n->name,
                    n->op_name, k);
    }
  }
  return 0;
}

/* Inputs and outputs: consistent with the runtime graph. */
static int check_io(const cc_model *m, char *err, size_t errlen) {
  if (m->n_in > m->g->n_inputs || m->n_out != m->g->n_outputs || m->n_in < 1 || m->n_out < 1)
    return ferr(err, errlen, "metadata: %d inputs and %d outputs, the graph has %d and %d", m->n_in, m->n_out,
                m->g->n_inputs, m->g->n_outputs);
  for (int i = 0; i < m->n_in + m->n_out; i++) {
    const cc_mio *io = i < m->n_in ? &m->in[i] : &m->out[i - m->n_in];
    int gt = i < m->n_in ? m->g->inputs[i] : m->g->outputs[i - m->n_in];
    if (io->tensor != gt || !f32_tensor(m, gt) || io->acc < -1 || io->acc >= m->nt)
      return ferr(err, errlen, "metadata: input/output %d is inconsistent with the graph", i);
  }
  return 0;
}

/* The plan: every step well formed, values defined before use, every output computed. */
static int check_plan(const cc_model *m, char *err, size_t errlen) {
  char *gdef = calloc((size_t)m->g->n_tensors + 1, 1), *adef = calloc((size_t)m->nt + 1, 1);
  if (!gdef || !adef) {
    free(gdef);
    free(adef);
    return ferr(err, errlen, "out of memory");
  }
  int rc = 0;
  for (int i = 0; i < m->g->n_tensors; i++) gdef[i] = m->g->tensors[i]->data != NULL;
  for (int i = 0; i < m->n_in; i++) gdef[m->g->inputs[i]] = 1;
  for (int i = 0; i < m->ns && !rc; i++) {
    const cc_mstep *s = &m->s[i];
    switch (s->kind) {
    case CC_STEP_QUANT:
      if (!f32_tensor(m, s->a) || s->b < 0 || s->b >= m->nt || !gdef[s->a] || !numel_matches(m, s->a, s->b))
        rc = ferr(err, errlen, "plan step %d: bad QUANT %d -> %d", i, s->a, s->b);
      else adef[s->b] = 1;
      break;
    case CC_STEP_DEQUANT:
      if (s->a < 0 || s->a >= m->nt || !adef[s->a] || m->t[s->a].im2col || !f32_tensor(m, s->b) ||
          !numel_matches(m, s->b, s->a))
        rc = ferr(err, errlen, "plan step %d: bad DEQUANT %d -> %d", i, s->a, s->b);
      else gdef[s->b] = 1;
      break;
    case CC_STEP_ACCEL:
      if (s->a < 0 || s->a >= m->nl || !adef[m->l[s->a].in])
        rc = ferr(err, errlen, "plan step %d: bad ACCEL %d", i, s->a);
      else adef[m->l[s->a].out] = 1;
      break;
    case CC_STEP_CPU: {
      if (s->a < 0 || s->a >= m->g->n_nodes) {
        rc = ferr(err, errlen, "plan step %d: bad CPU node %d", i, s->a);
        break;
      }
      const ir_node *n = m->g->nodes[s->a];
      for (int k = 0; k < n->n_in && !rc; k++)
        if (n->in[k] >= 0 && !gdef[n->in[k]])
          rc = ferr(err, errlen, "plan step %d: node '%s' reads a value not yet computed", i, n->name);
      for (int k = 0; k < n->n_out; k++)
        if (n->out[k] >= 0) gdef[n->out[k]] = 1;
      break;
    }
    default: rc = ferr(err, errlen, "plan step %d: unknown kind %d", i, s->kind);
    }
  }
  for (int i = 0; i < m->g->n_outputs && !rc; i++)
    if (!gdef[m->g->outputs[i]]) rc = ferr(err, errlen, "plan: output %d is never computed", i);
  free(gdef);
  free(adef);
  return rc;
}

int cc_model_check(cc_model *m, char *err, size_t errlen) {
  int rc = check_tensors(m, err, errlen);
  if (!rc) rc = check_programs(m, err, errlen);
  if (!rc) rc = check_graph(m, err, errlen);
  if (!rc) rc = check_io(m, err, errlen);
  if (!rc) rc = check_plan(m, err, errlen);
  return rc;
}

/* The message of a section that is truncated or inconsistent; -1. */
static int malformed(char *why, size_t whylen) {
  snprintf(why, whylen, "malformed (truncated or inconsistent)");
  return -1;
}

/* The meta section: format, name, config, calibration note, inputs and outputs. 0, or -1 with
 * why set. */
static int rd_meta(rd *r, cc_model *m, uint32_t *fmtp, char *why, size_t whylen) {
  char cfgname[64], name[512];
  uint32_t fmt = *fmtp = rd_u32(r);
  if (!r->bad && (fmt < 1 || fmt > CC_PKG_FORMAT)) {
    snprintf(why, whylen, "package format %u, this build reads 1 to %u", fmt, CC_PKG_FORMAT);
    return -1;
  }
  rd_str(r, m->name, sizeof m->name);
  rd_str(r, cfgname, sizeof cfgname);
  rd_str(r, m->calib, sizeof m->calib);
  if (!r->bad && strcmp(cfgname, m->cfg->d.name)) {
    snprintf(why, whylen, "config '%s' disagrees with the container's '%s'", cfgname, m->cfg->d.name);
    return -1;
  }
  m->n_in = (int)rd_count(r, 16);
  m->n_out = (int)rd_count(r, 16);
  if (r->bad || m->n_in > 1024 || m->n_out > 1024) return malformed(why, whylen);
  m->in = calloc((size_t)m->n_in + 1, sizeof *m->in);
  m->out = calloc((size_t)m->n_out + 1, sizeof *m->out);
  if (!m->in || !m->out) return snprintf(why, whylen, "out of memory"), -1;
  for (int i = 0; i < m->n_in; i++) rd_io(r, &m->in[i], name, sizeof name);
  for (int i = 0; i < m->n_out; i++) rd_io(r, &m->out[i], name, sizeof name);
  for (int i = 0; i < m->n_in && fmt >= 3; i++) { /* 0, or an integer dtype float-inputs reads */
    uint32_t d = rd_u32(r);
    if (d != 0 && !cc_integer_input_dtype((int)d)) {
      snprintf(why, whylen, "input %d: source dtype %u (want 0 or an integer dtype)", i, d);
      return -1;
    }
    m->in[i].src_dtype = (int)d;
  }
  if (r->bad || r->at != r->n) return malformed(why, whylen);
  return 0;
}

/* The tensors section. 0, or -1 with why set. */
static int rd_tensors(rd *r, cc_model *m, char *why, size_t whylen) {
  m->nt = (int)rd_count(r, 88);
  m->t = calloc((size_t)m->nt + 1, sizeof *m->t);
  if (!m->t) return snprintf(why, whylen, "out of memory"), -1;
  for (int i = 0; i < m->nt && !r->bad; i++) {
    cc_mtensor *t = &m->t[i];
    rd_str(r, t->name, sizeof t->name);
    t->c = (int)rd_u32(r), t->h = (int)rd_u32(r), t->w = (int)rd_u32(r);
    t->im2col = (int)rd_u32(r);
    for (int k = 0; k < 11; k++) t->geo[k] = rd_i32(r);
    t->offset = rd_u64(r), t->bytes = rd_u64(r);
    t->scale = rd_f32(r), t->zp = rd_i32(r);
    if (t->im2col != 0 && t->im2col != 1) r->bad = 1;
  }
  if (r->bad || r->at != r->n) return malformed(why, whylen);
  return 0;
}

/* The layers section (their programs are sections of their own). 0, or -1 with why set. */
static int rd_layers(rd *r, cc_model *m, char *why, size_t whylen) {
  m->nl = (int)rd_count(r, 48);
  m->l = calloc((size_t)m->nl + 1, sizeof *m->l);
  if (!m->l) return snprintf(why, whylen, "out of memory"), -1;
  for (int i = 0; i < m->nl && !r->bad; i++) {
    cc_mlayer *l = &m->l[i];
    rd_str(r, l->op, sizeof l->op);
    rd_str(r, l->node, sizeof l->node);
    rd_str(r, l->desc, sizeof l->desc);
    l->in = rd_i32(r), l->out = rd_i32(r);
    l->macs = rd_u64(r), l->ideal_cycles = rd_u64(r), l->predicted_cycles = rd_u64(r);
    l->n_insns = rd_u32(r);
  }
  if (r->bad || r->at != r->n) return malformed(why, whylen);
  return 0;
}

int cc_package_read(const char *path, cc_model **out, char *err, size_t errlen) {
  *out = NULL;
  pkg p;
  if (pkg_read(path, &p, err, errlen) != 0) return -1;
  cc_model *m = calloc(1, sizeof *m);
  if (!m) {
    pkg_free(&p);
    return ferr(err, errlen, "%s: out of memory", path);
  }
  m->cfg = p.cfg;
  char why[512] = "";
  const char *sec = "";
  int rc = 0;
  const pkg_section *s;
  uint32_t fmt = 0;
#define SEC(T, NAME)                                                                    \
  do {                                                                                  \
    sec = NAME;                                                                         \
    s = pkg_find(&p, T, 0);                                                             \
    if (!s) {                                                                           \
      snprintf(why, sizeof why, "missing section");                                     \
      goto fail;                                                                        \
    }                                                                                   \
    r = (rd){.p = s->data, .n = s->size};                                               \
  } while (0)
  rd r;
  /* meta */
  SEC(CC_SEC_META, "meta");
  if (rd_meta(&r, m, &fmt, why, sizeof why)) goto fail;
  /* tensors */
  SEC(CC_SEC_TENSORS, "tensors");
  if (rd_tensors(&r, m, why, sizeof why)) goto fail;
  /* layers */
  SEC(CC_SEC_LAYERS, "layers");
  if (rd_layers(&r, m, why, sizeof why)) goto fail;
  for (int i = 0; i < m->nl; i++) {
    sec = "program";
    s = pkg_find(&p, CC_SEC_PROG, (uint32_t)i);
    if (!s || s->size != (uint64_t)m->l[i].n_insns * 16) {
      snprintf(why, sizeof why, "layer %d: program section missing or of the wrong size", i);
      goto fail;
    }
    m->l[i].insns = malloc(((size_t)m->l[i].n_insns + 1) * sizeof(isa_word));
    if (!m->l[i].insns) goto nomem;
    r = (rd){.p = s->data, .n = s->size};
    for (uint32_t k = 0; k < m->l[i].n_insns; k++) {
      m->l[i].insns[k].w[0] = rd_u64(&r);
      m->l[i].insns[k].w[1] = rd_u64(&r);
    }
  }
  /* image */
  SEC(CC_SEC_IMAGE, "image");
  m->image_bytes = rd_u64(&r);
  m->arena_bytes = rd_u64(&r);
  if (r.bad || m->arena_bytes > m->image_bytes || m->image_bytes - m->arena_bytes != r.n - r.at ||
      m->image_bytes > CC_PKG_MAX_IMAGE)
    goto malformed;
  m->image = calloc(m->image_bytes + 1, 1);
  if (!m->image) goto nomem;
  memcpy(m->image + m->arena_bytes, r.p + r.at, m->image_bytes - m->arena_bytes);
  /* graph */
  SEC(CC_SEC_GRAPH, "graph");
  m->g = rd_graph(&r, fmt, why, sizeof why);
  if (!m->g) goto fail;
  if (r.at != r.n) goto malformed;
  /* plan */
  SEC(CC_SEC_PLAN, "plan");
  m->ns = (int)rd_count(&r, 12);
  m->s = calloc((size_t)m->ns + 1, sizeof *m->s);
  if (!m->s) goto nomem;
  for (int i = 0; i < m->ns; i++) {
    m->s[i].kind = (int)rd_u32(&r);
    m->s[i].a = rd_i32(&r);
    m->s[i].b = rd_i32(&r);
  }
  if (r.bad || r.at != r.n) goto malformed;
  sec = "";
  if (cc_model_check(m, why, sizeof why) != 0) goto fail;
  pkg_free(&p);
  *out = m;
  return 0;
nomem:
  snprintf(why, sizeof why, "out of memory");
  goto fail;
malformed:
  snprintf(why, sizeof why, "malformed (truncated or inconsistent)");
fail:
  rc = ferr(err, errlen, "%s: corrupt package: %s%s%s", path, sec, *sec ? " section: " : "", why);
  pkg_free(&p);
  cc_model_free(m);
  return rc;
#undef SEC
}
