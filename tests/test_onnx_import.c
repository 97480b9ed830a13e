/* tests/test_onnx_import.c -- the ONNX importer on models built here with protobuf-c: every
 * initializer encoding (raw_data and typed fields for f32, i64, i32, i8, u8), symbolic batch
 * extents, and the error paths (undefined tensor, bad attribute type, short raw_data, opset out
 * of range, unproduced output, two producers, cycle, out-of-range int8, ...), each of which must
 * name the file and, where there is one, the node name and op type. Then every truncation of a
 * valid model, and a sweep of single-bit flips, must end in a clean error or a graph that
 * verifies and runs -- never a crash. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cc.h"
#include "onnx.pb-c.h"
#include "onnx_import.h"
#include "ref.h"
#include "testutil.h"
#include "util.h"

#include <dirent.h>

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Sorted names of the test_* entries of dir; returns the count. */
static int list_dirs_prefix(const char *dir, char ***names) {
  DIR *d = opendir(dir);
  int n = 0, cap = 0;
  *names = NULL;
  if (!d) return 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (strncmp(e->d_name, "test_", 5)) continue;
    if (n == cap) *names = realloc(*names, (size_t)(cap = cap ? 2 * cap : 64) * sizeof(char *));
    (*names)[n++] = strdup(e->d_name);
  }
  closedir(d);
  if (n) qsort(*names, (size_t)n, sizeof(char *), cmp_str);
  return n;
}

/* ---- a tiny model builder over protobuf-c structs ---- */

/* Every allocation of the builder, freed together by mb_free_all (end of main). */
static void **mb_allocs;
static size_t mb_n_allocs, mb_cap_allocs;
static void *mb_calloc(size_t n, size_t size) {
  void *p = calloc(n, size);
  if (!p) return NULL;
  if (mb_n_allocs == mb_cap_allocs) {
    size_t nc = mb_cap_allocs ? 2 * mb_cap_allocs : 256;
    void **na = realloc(mb_allocs, nc * sizeof *na);
    if (!na) return p; /* not tracked: a leak, not a crash */
    mb_allocs = na, mb_cap_allocs = nc;
  }
  mb_allocs[mb_n_allocs++] = p;
  return p;
}
static void mb_free_all(void) {
  for (size_t i = 0; i < mb_n_allocs; i++) free(mb_allocs[i]);
  free(mb_allocs);
  mb_allocs = NULL, mb_n_allocs = mb_cap_allocs = 0;
}

typedef struct mb {
  Onnx__ModelProto m;
  Onnx__GraphProto g;
  Onnx__OperatorSetIdProto os;
  Onnx__OperatorSetIdProto *osp[1];
  Onnx__NodeProto *nodes[64];
  Onnx__TensorProto *inits[64];
  Onnx__ValueInfoProto *ins[16], *outs[16];
} mb;

static void mb_init(mb *b, int opset) {
  memset(b, 0, sizeof *b);
  b->m = (Onnx__ModelProto)ONNX__MODEL_PROTO__INIT;
  b->g = (Onnx__GraphProto)ONNX__GRAPH_PROTO__INIT;
  b->os = (Onnx__OperatorSetIdProto)ONNX__OPERATOR_SET_ID_PROTO__INIT;
  b->os.domain = "";
  b->os.has_version = 1;
  b->os.version = opset;
  b->osp[0] = &b->os;
  b->m.has_ir_version = 1;
  b->m.ir_version = 8;
  b->m.n_opset_import = 1;
  b->m.opset_import = b->osp;
  b->m.graph = &b->g;
  b->g.name = "built";
  b->g.node = b->nodes;
  b->g.initializer = b->inits;
  b->g.input = b->ins;
  b->g.output = b->outs;
}

static Onnx__ValueInfoProto *mk_vi(const char *name, int dtype, const int64_t *dims, int nd, const char *param0) {
  Onnx__ValueInfoProto *v = mb_calloc(1, sizeof *v);
  *v = (Onnx__ValueInfoProto)ONNX__VALUE_INFO_PROTO__INIT;
  v->name = (char *)name;
  Onnx__TypeProto *tp = mb_calloc(1, sizeof *tp);
  *tp = (Onnx__TypeProto)ONNX__TYPE_PROTO__INIT;
  Onnx__TypeProto__Tensor *tt = mb_calloc(1, sizeof *tt);
  *tt = (Onnx__TypeProto__Tensor)ONNX__TYPE_PROTO__TENSOR__INIT;
  tt->has_elem_type = 1;
  tt->elem_type = dtype;
  Onnx__TensorShapeProto *sh = mb_calloc(1, sizeof *sh);
  *sh = (Onnx__TensorShapeProto)ONNX__TENSOR_SHAPE_PROTO__INIT;
  sh->n_dim = (size_t)nd;
  sh->dim = mb_calloc((size_t)nd + 1, sizeof *sh->dim);
  for (int i = 0; i < nd; i++) {
    Onnx__TensorShapeProto__Dimension *d = mb_calloc(1, sizeof *d);
    *d = (Onnx__TensorShapeProto__Dimension)ONNX__TENSOR_SHAPE_PROTO__DIMENSION__INIT;
    if (i == 0 && param0) {
      d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
      d->dim_param = (char *)param0;
    } else {
      d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
      d->dim_value = dims[i];
    }
    sh->dim[i] = d;
  }
  tt->shape = sh;
  tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
  tp->tensor_type = tt;
  v->type = tp;
  return v;
}

static void mb_input(mb *b, const char *name, int dtype, const int64_t *dims, int nd, const char *param0) {
  b->ins[b->g.n_input++] = mk_vi(name, dtype, dims, nd, param0);
}

static void mb_output(mb *b, const char *name, int dtype, const int64_t *dims, int nd, const char *param0) {
  b->outs[b->g.n_output++] = mk_vi(name, dtype, dims, nd, param0);
}

/* Initializer of dtype with n elements from vals (as doubles); raw selects raw_data. */
static Onnx__TensorProto *mk_tensor(const char *name, int dtype, const int64_t *dims, int nd, const double *vals,
                                    int raw) {
  Onnx__TensorProto *t = mb_calloc(1, sizeof *t);
  *t = (Onnx__TensorProto)ONNX__TENSOR_PROTO__INIT;
  t->name = (char *)name;
  t->has_data_type = 1;
  t->data_type = dtype;
  t->n_dims = (size_t)nd;
  t->dims = mb_calloc((size_t)nd + 1, sizeof(int64_t));
  int64_t n = 1;
  for (int i = 0; i < nd; i++) n *= (t->dims[i] = dims[i]);
  size_t es = dtype == 1 || dtype == 6 ? 4 : dtype == 7 ? 8 : 1;
  if (raw) {
    uint8_t *d = mb_calloc((size_t)n + 1, es);
    for (int64_t i = 0; i < n; i++) {
      if (dtype == 1) ((float *)d)[i] = (float)vals[i];
      if (dtype == 6) ((int32_t *)d)[i] = (int32_t)vals[i];
      if (dtype == 7) ((int64_t *)d)[i] = (int64_t)vals[i];
      if (dtype == 2 || dtype == 3) d[i] = (uint8_t)(int)vals[i];
    }
    t->has_raw_data = 1;
    t->raw_data.len = (size_t)n * es;
    t->raw_data.data = d;
  } else if (dtype == 1) {
    t->n_float_data = (size_t)n;
    t->float_data = mb_calloc((size_t)n + 1, sizeof(float));
    for (int64_t i = 0; i < n; i++) t->float_data[i] = (float)vals[i];
  } else if (dtype == 7) {
    t->n_int64_data = (size_t)n;
    t->int64_data = mb_calloc((size_t)n + 1, sizeof(int64_t));
    for (int64_t i = 0; i < n; i++) t->int64_data[i] = (int64_t)vals[i];
  } else {
    t->n_int32_data = (size_t)n;
    t->int32_data = mb_calloc((size_t)n + 1, sizeof(int32_t));
    for (int64_t i = 0; i < n; i++) t->int32_data[i] = (int32_t)vals[i];
  }
  return t;
}

static Onnx__TensorProto *mb_init_t(mb *b, const char *name, int dtype, const int64_t *dims, int nd,
                                    const double *vals, int raw) {
  return b->inits[b->g.n_initializer++] = mk_tensor(name, dtype, dims, nd, vals, raw);
}

/* Node with NULL-terminated input and output name lists. */
static Onnx__NodeProto *mb_node(mb *b, const char *op, const char *name, const char **ins, const char **outs) {
  Onnx__NodeProto *n = mb_calloc(1, sizeof *n);
  *n = (Onnx__NodeProto)ONNX__NODE_PROTO__INIT;
  n->op_type = (char *)op;
  n->name = (char *)name;
  while (ins[n->n_input]) n->n_input++;
  while (outs[n->n_output]) n->n_output++;
  n->input = (char **)ins;
  n->output = (char **)outs;
  n->attribute = mb_calloc(16, sizeof *n->attribute);
  b->nodes[b->g.n_node++] = n;
  return n;
}

static Onnx__AttributeProto *add_attr(Onnx__NodeProto *n, const char *name, int type) {
  Onnx__AttributeProto *a = mb_calloc(1, sizeof *a);
  *a = (Onnx__AttributeProto)ONNX__ATTRIBUTE_PROTO__INIT;
  a->name = (char *)name;
  a->has_type = 1;
  a->type = type;
  n->attribute[n->n_attribute++] = a;
  return a;
}

static void attr_ints(Onnx__NodeProto *n, const char *name, const int64_t *v, int cnt) {
  Onnx__AttributeProto *a = add_attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
  a->n_ints = (size_t)cnt;
  a->ints = (int64_t *)v;
}

static void attr_int(Onnx__NodeProto *n, const char *name, int64_t v) {
  Onnx__AttributeProto *a = add_attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
  a->has_i = 1;
  a->i = v;
}

static void attr_float(Onnx__NodeProto *n, const char *name, float v) {
  Onnx__AttributeProto *a = add_attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
  a->has_f = 1;
  a->f = v;
}

static uint8_t *mb_pack(mb *b, size_t *len) {
  *len = onnx__model_proto__get_packed_size(&b->m);
  uint8_t *buf = malloc(*len + 1);
  onnx__model_proto__pack(&b->m, buf);
  return buf;
}

/* ---- the models ---- */

static double vals[4096];
static void fill(int n, double scale, int seed) {
  for (int i = 0; i < n; i++) vals[i] = scale * sin(1.7 * i + seed);
}

/* A small CNN with every initializer encoding:
 * x[N,3,8,8] -> Conv(W raw f32, B float_data) -> BatchNormalization -> Relu -> GlobalAveragePool
 * -> Reshape(shape int64_data) -> Gemm(W2 raw, C float_data) -> QuantizeLinear(u8 zp in
 * int32_data) -> DequantizeLinear -> y[N,5]; plus unused int8 (raw) and int32 (typed)
 * initializers whose values are checked. */
static void build_good(mb *b) {
  mb_init(b, 13);
  static const int64_t xd[] = {1, 3, 8, 8}, wd[] = {4, 3, 3, 3}, cd[] = {4}, sd[] = {2}, w2d[] = {4, 5}, c2d[] = {5},
                       yd[] = {1, 5}, scal[] = {0}, i8d[] = {6}, pads[] = {1, 1, 1, 1};
  mb_input(b, "x", 1, xd, 4, "N");
  fill(108, 0.3, 1);
  mb_init_t(b, "W", 1, wd, 4, vals, 1);
  fill(4, 0.1, 2);
  mb_init_t(b, "B", 1, cd, 1, vals, 0);
  fill(4, 0.5, 3);
  for (int i = 0; i < 4; i++) vals[i] += 1.0;
  mb_init_t(b, "bn_s", 1, cd, 1, vals, 0);
  fill(4, 0.2, 4);
  mb_init_t(b, "bn_b", 1, cd, 1, vals, 1);
  fill(4, 0.1, 5);
  mb_init_t(b, "bn_m", 1, cd, 1, vals, 0);
  for (int i = 0; i < 4; i++) vals[i] = 0.5 + 0.25 * i;
  mb_init_t(b, "bn_v", 1, cd, 1, vals, 1);
  vals[0] = -1;
  vals[1] = 4;
  mb_init_t(b, "shape", 7, sd, 1, vals, 0);
  fill(20, 0.4, 6);
  mb_init_t(b, "W2", 1, w2d, 2, vals, 1);
  fill(5, 0.05, 7);
  mb_init_t(b, "C2", 1, c2d, 1, vals, 0);
  vals[0] = 0.01;
  mb_init_t(b, "qs", 1, scal, 0, vals, 0);
  vals[0] = 128;
  mb_init_t(b, "qz", 2, scal, 0, vals, 0);
  for (int i = 0; i < 6; i++) vals[i] = i * 50 - 128;
  mb_init_t(b, "i8", 3, i8d, 1, vals, 1);
  for (int i = 0; i < 6; i++) vals[i] = -70000 + 30000 * i;
  mb_init_t(b, "i32", 6, i8d, 1, vals, 0);
  static const char *c_in[] = {"x", "W", "B", NULL}, *c_out[] = {"c", NULL};
  Onnx__NodeProto *conv = mb_node(b, "Conv", "conv1", c_in, c_out);
  attr_ints(conv, "pads", pads, 4);
  static const char *bn_in[] = {"c", "bn_s", "bn_b", "bn_m", "bn_v", NULL}, *bn_out[] = {"bn", NULL};
  attr_float(mb_node(b, "BatchNormalization", "bn1", bn_in, bn_out), "epsilon", 1e-3f);
  static const char *r_in[] = {"bn", NULL}, *r_out[] = {"r", NULL};
  mb_node(b, "Relu", "relu1", r_in, r_out);
  static const char *p_in[] = {"r", NULL}, *p_out[] = {"p", NULL};
  mb_node(b, "GlobalAveragePool", "gap", p_in, p_out);
  static const char *s_in[] = {"p", "shape", NULL}, *s_out[] = {"f", NULL};
  mb_node(b, "Reshape", "flat", s_in, s_out);
  static const char *g_in[] = {"f", "W2", "C2", NULL}, *g_out[] = {"gm", NULL};
  Onnx__NodeProto *fc = mb_node(b, "Gemm", "fc", g_in, g_out);
  attr_float(fc, "alpha", 0.5f);
  attr_int(fc, "transB", 0);
  static const char *q_in[] = {"gm", "qs", "qz", NULL}, *q_out[] = {"q", NULL};
  mb_node(b, "QuantizeLinear", "quant", q_in, q_out);
  static const char *d_in[] = {"q", "qs", "qz", NULL}, *d_out[] = {"y", NULL};
  mb_node(b, "DequantizeLinear", "dequant", d_in, d_out);
  mb_output(b, "y", 1, yd, 2, "N");
}

static int import_mb(mb *b, ir_graph **g, char *err, size_t len) {
  size_t n;
  uint8_t *buf = mb_pack(b, &n);
  int rc = onnx_import_buffer(buf, n, "built.onnx", NULL, NULL, g, err, len);
  free(buf);
  return rc;
}

static const ir_tensor *find(const ir_graph *g, const char *name) {
  int t = ir_find_tensor(g, name);
  return t >= 0 ? g->tensors[t] : NULL;
}

static void test_good(void) {
  mb b;
  build_good(&b);
  ir_graph *g;
  char err[1024];
  int rc = import_mb(&b, &g, err, sizeof err);
  CHECK(rc == IR_OK, "import of the good model: rc %d (%s)", rc, err);
  if (rc) return;
  CHECK(g->opset == 13, "opset 13, got %d", g->opset);
  CHECK(g->n_inputs == 1 && g->n_outputs == 1 && g->n_nodes == 8, "1 input, 1 output, 8 nodes; got %d %d %d",
        g->n_inputs, g->n_outputs, g->n_nodes);
  const ir_tensor *x = g->tensors[g->inputs[0]];
  CHECK(x->type.dims[0] == -1 && x->dim_param[0] && !strcmp(x->dim_param[0], "N"), "x batch symbolic N, got %lld %s",
        (long long)x->type.dims[0], x->dim_param[0] ? x->dim_param[0] : "(null)");
  fill(108, 0.3, 1);
  const ir_tensor *w = find(g, "W");
  CHECK(w && w->data && ((float *)w->data)[7] == (float)vals[7], "W raw_data[7] %g, expected %g",
        w && w->data ? ((float *)w->data)[7] : -999.0, vals[7]);
  fill(4, 0.1, 2);
  const ir_tensor *bt = find(g, "B");
  CHECK(bt && ((float *)bt->data)[3] == (float)vals[3], "B float_data[3] %g, expected %g", bt ? ((float *)bt->data)[3] : -999.0,
        vals[3]);
  const ir_tensor *sh = find(g, "shape");
  CHECK(sh && sh->type.dtype == IR_I64 && ((int64_t *)sh->data)[0] == -1 && ((int64_t *)sh->data)[1] == 4,
        "int64_data shape {-1,4}");
  const ir_tensor *qz = find(g, "qz");
  CHECK(qz && qz->type.dtype == IR_U8 && qz->type.rank == 0 && ((uint8_t *)qz->data)[0] == 128, "u8 zero point 128");
  const ir_tensor *i8 = find(g, "i8");
  CHECK(i8 && i8->type.dtype == IR_I8 && ((int8_t *)i8->data)[5] == 122 && ((int8_t *)i8->data)[0] == -128,
        "int8 raw_data {-128..122}, got %d %d", i8 ? ((int8_t *)i8->data)[0] : 0, i8 ? ((int8_t *)i8->data)[5] : 0);
  const ir_tensor *i32 = find(g, "i32");
  CHECK(i32 && i32->type.dtype == IR_I32 && ((int32_t *)i32->data)[5] == 80000, "int32_data[5] 80000");
  const ir_node *cv = g->nodes[0];
  int cnt;
  const int64_t *pads = ir_attr_ints(cv, "pads", &cnt);
  CHECK(cv->op == IR_OP_Conv && !strcmp(cv->name, "conv1") && pads && cnt == 4 && pads[2] == 1, "conv1 with pads");

  /* it runs, before and after the pipeline, with the same result */
  ir_value in = {.type = {.dtype = IR_F32, .rank = 4, .dims = {2, 3, 8, 8}}};
  ir_value_alloc(&in, &in.type);
  for (int i = 0; i < 384; i++) ((float *)in.data)[i] = (float)cos(0.37 * i);
  ir_value out0, out1;
  rc = ref_run(g, &in, 1, &out0, NULL, err, sizeof err);
  CHECK(rc == IR_OK, "ref_run: %s", err);
  ir_graph *c = ir_graph_clone(g);
  rc = cc_run_pipeline(c, NULL, err, sizeof err);
  CHECK(rc == IR_OK, "pipeline: %s", err);
  int rc1 = ref_run(c, &in, 1, &out1, NULL, err, sizeof err);
  CHECK(rc1 == IR_OK, "ref_run after pipeline: %s", err);
  if (!rc && !rc1) {
    CHECK(out0.type.rank == 2 && out0.type.dims[0] == 2 && out0.type.dims[1] == 5, "output [2,5]");
    int same = 1;
    for (int i = 0; i < 10; i++) same &= fabsf(((float *)out0.data)[i] - ((float *)out1.data)[i]) <= 0.0101f;
    CHECK(same, "pipeline output within one quantization step of the imported graph's");
    ir_value_free(&out0);
    ir_value_free(&out1);
  }
  const ir_tensor *yt = c->tensors[c->outputs[0]];
  CHECK(!strcmp(yt->name, "y") && yt->type.dims[0] == -1 && yt->dim_param[0] && !strcmp(yt->dim_param[0], "N"),
        "output keeps its name and symbolic batch: %s", yt->name);
  ir_value_free(&in);
  ir_graph_free(c);
  ir_graph_free(g);
}

/* Expect import (or, with pipeline, import then pipeline) to fail with every word of want[] in
 * the message. */
static void expect_err(mb *b, int pipeline, int want_rc, const char *const *want, const char *what) {
  ir_graph *g = NULL;
  char err[1024] = "";
  int rc = import_mb(b, &g, err, sizeof err);
  if (pipeline && rc == IR_OK) {
    rc = cc_run_pipeline(g, NULL, err, sizeof err);
    CHECK(rc != IR_OK, "%s: pipeline accepted it", what);
  } else {
    CHECK(!pipeline, "%s: import failed (%s), expected a pipeline error", what, err);
  }
  ir_graph_free(g);
  CHECK(rc != IR_OK, "%s: accepted", what);
  if (want_rc) CHECK(rc == want_rc, "%s: rc %d, expected %d (%s)", what, rc, want_rc, err);
  for (int i = 0; want[i]; i++) CHECK(strstr(err, want[i]) != NULL, "%s: message \"%s\" lacks \"%s\"", what, err, want[i]);
}

/* Find a node of the good model by name. */
static Onnx__NodeProto *node_named(mb *b, const char *name) {
  for (size_t i = 0; i < b->g.n_node; i++)
    if (!strcmp(b->nodes[i]->name, name)) return b->nodes[i];
  return NULL;
}

static void test_errors(void) {
  mb b;
  {
    build_good(&b);
    static const char *in[] = {"x", "nope", "B", NULL};
    node_named(&b, "conv1")->input = (char **)in;
    expect_err(&b, 0, IR_ERR, (const char *[]){"built.onnx", "conv1", "(Conv)", "nope", NULL}, "undefined input");
  }
  {
    build_good(&b);
    attr_float(node_named(&b, "conv1"), "strides", 2.0f);
    expect_err(&b, 0, IR_ERR, (const char *[]){"built.onnx", "conv1", "(Conv)", "strides", "FLOAT", "INTS", NULL},
               "bad attribute type");
  }
  {
    build_good(&b);
    b.inits[0]->raw_data.len -= 4;
    expect_err(&b, 0, IR_ERR, (const char *[]){"built.onnx", "'W'", "raw_data", NULL}, "short raw_data");
  }
  {
    /* a declared shape of 16 GB with 4 bytes of data: refused before allocating (memory bounded by
     * the file); the import runs in a child limited to 1 GB of address space */
    build_good(&b);
    static int64_t huge[1] = {(int64_t)1 << 32};
    b.inits[1]->dims = huge;
    b.inits[1]->n_dims = 1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
#ifndef __SANITIZE_ADDRESS__ /* (ASan's allocator maps its own memory as it goes: no limit under make test-san) */
      struct rlimit rl = {1ull << 30, 1ull << 30};
      setrlimit(RLIMIT_AS, &rl);
#endif
      ir_graph *g = NULL;
      char err[1024] = "";
      int rc = import_mb(&b, &g, err, sizeof err);
      _exit(rc == IR_ERR && strstr(err, "'B'") && strstr(err, "shape needs 4294967296") ? 0 : 1);
    }
    int st = 0;
    CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "16 GB declared shape with 4 bytes of data: not refused cleanly under a 1 GB limit (status %d)", st);
  }
  {
    build_good(&b);
    b.inits[1]->n_float_data = 3;
    expect_err(&b, 0, IR_ERR, (const char *[]){"built.onnx", "'B'", "3 data elements", NULL}, "short float_data");
  }
  {
    build_good(&b);
    b.os.version = 0; /* opsets 1 to 10 are read (as 11: ir_upgrade_opset) */
    expect_err(&b, 0, IR_UNSUPPORTED, (const char *[]){"built.onnx", "opset 0", "1 to 25", NULL}, "opset 0");
    b.os.version = 26;
    expect_err(&b, 0, IR_UNSUPPORTED, (const char *[]){"built.onnx", "opset 26", "1 to 25", NULL}, "opset 26");
    b.os.has_version = 0;
    expect_err(&b, 0, IR_ERR, (const char *[]){"built.onnx", "opset import has no version", NULL}, "opset without version");
    b.m.n_opset_import = 0;
    expect_err(&b, 0, IR_UNSUPPORTED, (const char *[]){"no default-domain", NULL}, "no opset import");
  }
  {
    build_good(&b);
    b.outs[0]->name = "ghost";
    expect_err(&b, 0, IR_ERR, (const char *[]){"built.onnx", "'ghost'", "not produced", NULL}, "unproduced output");
  }
  {
    build_good(&b);
    static const char *out[] = {"c", NULL};
    node_named(&b, "relu1")->output = (char **)out;
    expect_err(&b, 0, IR_ERR, (const char *[]){"relu1", "(Relu)", "already defined", NULL}, "two producers");
  }
  {
    build_good(&b);
    static const char *in[] = {"r", NULL};
    node_named(&b, "relu1")->input = (char **)in;
    expect_err(&b, 0, IR_ERR, (const char *[]){"built.onnx", "cycle", NULL}, "cycle");
  }
  {
    build_good(&b);
    for (int i = 0; i < 6; i++) vals[i] = 300;
    static const int64_t d6[] = {6};
    b.inits[b.g.n_initializer - 2] = mk_tensor("i8", 3, d6, 1, vals, 0);
    expect_err(&b, 0, IR_ERR, (const char *[]){"'i8'", "out of range", NULL}, "int8 out of range");
  }
  {
    build_good(&b);
    static const char *in[] = {"bn", "r", NULL};
    node_named(&b, "relu1")->input = (char **)in;
    node_named(&b, "relu1")->n_input = 2;
    expect_err(&b, 0, IR_ERR, (const char *[]){"relu1", "(Relu)", "2 inputs", NULL}, "too many inputs");
  }
  {
    /* an attribute the IR would ignore (a Relu's alpha) is refused, naming node, op and attribute */
    build_good(&b);
    attr_int(node_named(&b, "relu1"), "alpha", 1);
    expect_err(&b, 0, IR_UNSUPPORTED, (const char *[]){"relu1", "(Relu)", "attribute 'alpha'", "ignored", NULL},
               "attribute the IR does not honour");
  }
  {
    build_good(&b);
    static const char *in[] = {"x", "", "B", NULL};
    node_named(&b, "conv1")->input = (char **)in;
    expect_err(&b, 0, IR_ERR, (const char *[]){"conv1", "(Conv)", "required input 1", NULL}, "empty required input");
  }
  {
    build_good(&b);
    b.inits[0]->data_type = 11; /* DOUBLE (read as float32), its raw_data float32's: half the bytes */
    expect_err(&b, 0, IR_ERR, (const char *[]){"'W'", "raw_data has", "shape needs", NULL}, "double initializer too short");
  }
  {
    build_good(&b);
    b.inits[0]->data_type = 4; /* UINT16 */
    expect_err(&b, 0, IR_UNSUPPORTED, (const char *[]){"'W'", "UINT16", NULL}, "uint16 initializer");
  }
  {
    build_good(&b);
    static const int64_t bad[] = {4, 2, 3, 3};
    b.inits[0]->dims = (int64_t *)bad;
    b.inits[0]->raw_data.len = 72 * 4;
    expect_err(&b, 1, IR_ERR, (const char *[]){"shape-infer", "conv1", "(Conv)", "channels", NULL},
               "weight channels mismatch");
  }
  {
    build_good(&b);
    static const int64_t p3[] = {1, 1, 1};
    node_named(&b, "conv1")->attribute[0]->n_ints = 3;
    node_named(&b, "conv1")->attribute[0]->ints = (int64_t *)p3;
    expect_err(&b, 1, IR_ERR, (const char *[]){"conv1", "(Conv)", "pads has 3 entries", NULL}, "pads count");
  }
  {
    /* an extent the model declares that its operator contradicts: the operator's, counted for
     * the compile log's note (onnxruntime runs such models the same way); a wrong rank is an error */
    build_good(&b);
    static const int64_t yd[] = {1, 7};
    b.outs[0] = mk_vi("y", 1, yd, 2, "N");
    ir_graph *g = NULL;
    char err[1024] = "";
    int rc = import_mb(&b, &g, err, sizeof err);
    cc_ctx cx = {.o = &(cc_options){0}};
    if (rc == IR_OK) rc = cc_shape_infer(g, &cx, err, sizeof err);
    CHECK(rc == IR_OK && g->tensors[g->outputs[0]]->type.dims[1] == 5 && cx.declared_wrong == 1 &&
              strstr(cx.declared_note, "'y' of node 'dequant' (DequantizeLinear): extent 5 on axis 1, the model declares 7"),
          "declared output extent 7 against the operator's 5: rc %d (%s), extent %lld, note \"%s\"", rc, err,
          g ? (long long)g->tensors[g->outputs[0]]->type.dims[1] : -1LL, cx.declared_note);
    ir_graph_free(g);
    build_good(&b);
    static const int64_t yr[] = {1, 5, 1};
    b.outs[0] = mk_vi("y", 1, yr, 3, "N");
    expect_err(&b, 1, IR_ERR, (const char *[]){"dequant", "(DequantizeLinear)", "rank 2", "declares 3", NULL},
               "declared output rank contradicts inference");
  }
  {
    build_good(&b);
    static const char *ci[] = {NULL}, *co[] = {"k", NULL}, *ai[] = {"gm", "k", NULL}, *ao[] = {"gm2", NULL};
    mb_node(&b, "Constant", "const_novalue", ci, co);
    mb_node(&b, "Add", "use_k", ai, ao);
    static const int64_t yd[] = {1, 5};
    b.outs[b.g.n_output++] = mk_vi("gm2", 1, yd, 2, "N");
    expect_err(&b, 1, IR_ERR, (const char *[]){"const_novalue", "(Constant)", "no value", NULL}, "Constant without value");
  }
  {
    ir_graph *g = NULL;
    char err[512];
    int rc = onnx_import("/nonexistent/dir/m.onnx", &g, err, sizeof err);
    CHECK(rc == IR_ERR && !g && strstr(err, "/nonexistent/dir/m.onnx") && strstr(err, "cannot read"),
          "missing file: rc %d (%s)", rc, err);
  }
}

/* Every truncation must fail with the file named; single-bit flips must never crash. */
static void test_truncation_and_flips(void) {
  mb b;
  build_good(&b);
  size_t len;
  uint8_t *buf = mb_pack(&b, &len);
  int bad_msg = 0, accepted = 0;
  for (size_t l = 0; l < len; l++) {
    ir_graph *g = NULL;
    char err[1024] = "";
    int rc = onnx_import_buffer(buf, l, "cut.onnx", NULL, NULL, &g, err, sizeof err);
    if (rc == IR_OK) {
      accepted++;
      ir_graph_free(g);
    } else if (!strstr(err, "cut.onnx")) {
      bad_msg++;
    }
  }
  CHECK(accepted == 0, "%d of %zu truncations accepted", accepted, len);
  CHECK(bad_msg == 0, "%d truncation errors do not name the file", bad_msg);

  /* a truncated file on disk, from ONNX's own test data */
  const char *src = "/usr/share/libonnx-testdata/data/node/test_conv_with_strides_padding/model.onnx";
  FILE *f = fopen(src, "rb");
  CHECK(f != NULL, "cannot open %s", src);
  if (f) {
    char data[4096];
    size_t n = fread(data, 1, sizeof data, f);
    fclose(f);
    mkdir("build/tests/tmp", 0777);
    const char *cut = "build/tests/tmp/truncated.onnx";
    FILE *o = fopen(cut, "wb");
    if (o) {
      fwrite(data, 1, n / 2, o);
      fclose(o);
    }
    ir_graph *g = NULL;
    char err[1024] = "";
    int rc = onnx_import(cut, &g, err, sizeof err);
    CHECK(rc == IR_ERR && strstr(err, cut) && strstr(err, "truncated"), "truncated file: rc %d (%s)", rc, err);
    ir_graph_free(g);
  }

  /* bit flips: every byte, a bit chosen by position */
  int ok = 0, rejected = 0, pipe_rej = 0, ran = 0, nomsg = 0;
  uint8_t *m = malloc(len);
  for (size_t i = 0; i < len; i++) {
    for (int rep = 0; rep < 2; rep++) {
      memcpy(m, buf, len);
      m[i] ^= (uint8_t)(1u << ((i * 5 + (size_t)rep * 3) & 7));
      ir_graph *g = NULL;
      char err[1024] = "";
      int rc = onnx_import_buffer(m, len, "flip.onnx", NULL, NULL, &g, err, sizeof err);
      if (rc) {
        rejected++;
        nomsg += !strstr(err, "flip.onnx");
        continue;
      }
      ok++;
      if (cc_run_pipeline(g, NULL, err, sizeof err)) {
        pipe_rej++;
        nomsg += !strstr(err, "flip.onnx");
        ir_graph_free(g);
        continue;
      }
      /* run it if the input is a plausible f32 tensor */
      if (g->n_inputs == 1) {
        ir_tensor *x = g->tensors[g->inputs[0]];
        ir_value in = {.type = x->type};
        for (int d = 0; d < in.type.rank; d++)
          if (in.type.dims[d] < 0) in.type.dims[d] = 1;
        int64_t ne = ir_type_numel(&in.type);
        if (ne > 0 && ne < 100000 && ir_dtype_size(in.type.dtype) && ir_value_alloc(&in, &in.type) == IR_OK) {
          ir_value outs[16];
          if (g->n_outputs <= 16 && ref_run(g, &in, 1, outs, NULL, err, sizeof err) == IR_OK) {
            ran++;
            for (int k = 0; k < g->n_outputs; k++) ir_value_free(&outs[k]);
          }
          ir_value_free(&in);
        }
      }
      ir_graph_free(g);
    }
  }
  free(m);
  free(buf);
  printf("bit flips: %d rejected on import, %d rejected by the pipeline, %d accepted (%d ran)\n", rejected, pipe_rej,
         ok - pipe_rej, ran);
  CHECK(rejected > 0 && ok > 0, "flip sweep exercised both paths: %d rejected, %d accepted", rejected, ok);
  CHECK(nomsg == 0, "%d flip errors without the file name", nomsg);
}

/* Initializer W stored as external data next to the model file. */
static void test_external(void) {
  mkdir("build/tests", 0777);
  mkdir("build/tests/tmp", 0777);
  mkdir("build/tests/tmp/ext", 0777);
  mb b;
  build_good(&b);
  Onnx__TensorProto *w = b.inits[0];
  FILE *f = fopen("build/tests/tmp/ext/w.bin", "wb");
  CHECK(f != NULL, "write external data");
  if (!f) return;
  fwrite("pad!", 1, 4, f); /* data at offset 4 */
  fwrite(w->raw_data.data, 1, w->raw_data.len, f);
  fclose(f);
  char len[32];
  snprintf(len, sizeof len, "%zu", w->raw_data.len);
  static Onnx__StringStringEntryProto e[3];
  static Onnx__StringStringEntryProto *ep[3] = {&e[0], &e[1], &e[2]};
  for (int i = 0; i < 3; i++) e[i] = (Onnx__StringStringEntryProto)ONNX__STRING_STRING_ENTRY_PROTO__INIT;
  e[0].key = "location", e[0].value = "w.bin";
  e[1].key = "offset", e[1].value = "4";
  e[2].key = "length", e[2].value = len;
  float w7 = ((float *)w->raw_data.data)[7];
  w->has_raw_data = 0;
  w->has_data_location = 1;
  w->data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
  w->n_external_data = 3;
  w->external_data = ep;
  size_t n;
  uint8_t *buf = mb_pack(&b, &n);
  f = fopen("build/tests/tmp/ext/model.onnx", "wb");
  if (f) {
    fwrite(buf, 1, n, f);
    fclose(f);
  }
  free(buf);
  ir_graph *g = NULL;
  char err[1024] = "";
  int rc = onnx_import("build/tests/tmp/ext/model.onnx", &g, err, sizeof err);
  CHECK(rc == IR_OK, "external data import: %s", err);
  const ir_tensor *t = g ? find(g, "W") : NULL;
  CHECK(t && t->data && ((float *)t->data)[7] == w7, "external W[7] %g, expected %g", t && t->data ? ((float *)t->data)[7] : -1.0, w7);
  ir_graph_free(g);
  e[0].value = "../ext/w.bin";
  rc = import_mb(&b, &g, err, sizeof err);
  CHECK(rc == IR_ERR && strstr(err, "'W'") && strstr(err, "location"), "external path with '..' refused: %s", err);
  e[0].value = "w.bin";
  e[2].value = "12";
  rc = onnx_import("build/tests/tmp/ext/model.onnx", &g, err, sizeof err);
  CHECK(rc == IR_OK, "model file unchanged: %s", err); /* the file on disk still says the right length */
  ir_graph_free(g);
  buf = mb_pack(&b, &n);
  rc = onnx_import_buffer(buf, n, "mem.onnx", "build/tests/tmp/ext", NULL, &g, err, sizeof err);
  free(buf);
  CHECK(rc == IR_ERR && strstr(err, "length 12"), "external length mismatch: %s", err);
}

/* Random multi-bit flips and truncations of ONNX's own node-test models (every 7th), each
 * imported, piped and run on small random inputs: errors must name the file; nothing may crash. */
static uint32_t fz = 12345;
static uint32_t fz_next(void) {
  fz = fz * 1103515245u + 12345u;
  return fz >> 8;
}

static void fuzz_one(const char *buf, size_t len, int *imported, int *ran, int *nomsg) {
  ir_graph *g = NULL;
  char err[1024] = "";
  onnx_import_opts o = {.any_opset = 1};
  if (onnx_import_buffer(buf, len, "fuzz.onnx", NULL, &o, &g, err, sizeof err)) {
    *nomsg += !strstr(err, "fuzz.onnx");
    return;
  }
  (*imported)++;
  if (cc_run_pipeline(g, NULL, err, sizeof err)) {
    *nomsg += !strstr(err, "fuzz.onnx");
    ir_graph_free(g);
    return;
  }
  ir_value in[16];
  int ni = 0, ok = g->n_inputs <= 16 && g->n_outputs <= 16;
  for (; ok && ni < g->n_inputs; ni++) {
    ir_type t = g->tensors[g->inputs[ni]]->type;
    for (int d = 0; d < t.rank; d++)
      if (t.dims[d] < 0) t.dims[d] = 2;
    int64_t n = ir_type_numel(&t);
    if (t.rank < 0 || n < 0 || n > 100000 || !ir_dtype_size(t.dtype) || ir_value_alloc(&in[ni], &t)) {
      ok = 0;
      break;
    }
    for (int64_t k = 0; k < n * (int64_t)ir_dtype_size(t.dtype); k++) ((uint8_t *)in[ni].data)[k] = (uint8_t)(fz_next() & 3);
  }
  ir_value out[16];
  if (ok && ref_run(g, in, g->n_inputs, out, NULL, err, sizeof err) == IR_OK) {
    (*ran)++;
    for (int k = 0; k < g->n_outputs; k++) ir_value_free(&out[k]);
  }
  for (int k = 0; k < ni; k++) ir_value_free(&in[k]);
  ir_graph_free(g);
}

static void test_fuzz_node_models(void) {
  const char *root = "/usr/share/libonnx-testdata/data/node";
  char **tests;
  int nt = list_dirs_prefix(root, &tests), files = 0, tries = 0, imported = 0, ran = 0, nomsg = 0;
  for (int t = 0; t < nt; t += 7) {
    char p[4096];
    snprintf(p, sizeof p, "%s/%s/model.onnx", root, tests[t]);
    size_t len;
    char *buf = util_read_file(p, &len);
    if (!buf) continue;
    files++;
    char *m = malloc(len + 1);
    for (int k = 0; k < 24; k++, tries++) {
      memcpy(m, buf, len);
      for (int f = 1 + (int)(fz_next() % 3); f > 0; f--) m[fz_next() % len] ^= (char)(1u << (fz_next() % 8));
      fuzz_one(m, len, &imported, &ran, &nomsg);
    }
    for (size_t l = 0; l < len; l += 1 + len / 16, tries++) fuzz_one(buf, l, &imported, &ran, &nomsg);
    free(m);
    free(buf);
  }
  for (int t = 0; t < nt; t++) free(tests[t]);
  free(tests);
  printf("fuzz: %d node-test models, %d corrupted variants, %d imported, %d ran\n", files, tries, imported, ran);
  CHECK(files > 50 && imported > 0, "fuzz exercised %d files, %d imported", files, imported);
  CHECK(nomsg == 0, "%d fuzz errors without the file name", nomsg);
}

int main(void) {
  test_good();
  test_external();
  test_errors();
  test_truncation_and_flips();
  test_fuzz_node_models();
  mb_free_all();
  return TEST_END();
}
