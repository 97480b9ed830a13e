/* ir/ir_upgrade.c -- a graph of ONNX opsets 1 to 10 read as opset 11 (ir_upgrade_opset, ir.h).
 * The operators whose form changed by opset 11 are rewritten into that form, so that shape
 * inference, the reference executor and the compiler know one form of each:
 *
 *   Clip (< 11)          min / max attributes        -> min / max inputs
 *   Pad (< 11)           pads / value attributes     -> pads / constant_value inputs
 *                        (Pad-1: paddings)
 *   Slice (< 10)         starts / ends / axes attrs  -> inputs
 *   Upsample (7 to 10)   scales attribute (7, 8) or input (9, 10)
 *                                                    -> Resize(X, roi, scales), asymmetric
 *   Upsample (< 7, exp.) height_scale / width_scale  -> the same
 *   Resize (10)          Resize(X, scales)           -> Resize(X, roi, scales), asymmetric
 *   ImageScaler (exp.)   scale * X + bias[c]         -> Mul then Add (tiny YOLOv2's first node)
 *   Reshape (< 5)        shape attribute             -> shape input
 *   Concat (< 4)         axis optional (default 1)   -> axis 1 written out
 *   Add, Mul, ... (< 7)  B broadcast to A from axis (broadcast 1, axis k)
 *                                                    -> B with trailing 1-extents (numpy's rule):
 *                        a constant reshaped, else an Unsqueeze; needs A's rank, so these are
 *                        done in a walk that infers types in order (legacy_broadcast)
 *
 * The importer drops what means nothing for inference (consumed_inputs of opsets 1 to 5,
 * Dropout's is_test: ir_legacy_attr) and reads Cast-1's type name. Upsample and Resize-10
 * place output index o at input coordinate o / scale (ONNX's reference and onnxruntime:
 * "asymmetric"); their nearest mode takes the floor of it where an axis is upscaled and its
 * ceiling where one is downscaled (onnxruntime's rule for these two ops), so a Resize whose
 * axes need both is refused. Everything else of opsets 1 to 10 that dlvta reads means what it
 * means in opset 11 (Softmax, Flatten, Reduce*, Squeeze and Split kept their attributes until
 * 13; before 7, broadcasting was by attribute and is rewritten as above). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "util.h"

/* A new constant tensor named after node n: numel elements of dt from vals (as doubles), shaped
 * [numel] (or a scalar with rank 0). */
static int add_const(ir_graph *g, const ir_node *n, const char *what, ir_dtype dt, int rank, const double *vals,
                     int numel) {
  char name[300];
  snprintf(name, sizeof name, "%s_%s", n->name && *n->name ? n->name : n->op_name, what);
  ir_type t = {.dtype = dt, .rank = rank, .dims = {numel}};
  void *data = calloc((size_t)numel + 1, ir_dtype_size(dt));
  ALWAYS_ASSERT(data != NULL);
  for (int i = 0; i < numel; i++) ir_set_elem(dt, data, i, vals[i]);
  return ir_add_const(g, name, &t, data);
}

/* An INTS attribute as doubles (at most max); its count, or -1 if absent. */
static int ints_attr(const ir_node *n, const char *name, double *v, int max) {
  int cnt;
  const int64_t *a = ir_attr_ints(n, name, &cnt);
  if (!a) return -1;
  for (int i = 0; i < cnt && i < max; i++) v[i] = (double)a[i];
  return cnt;
}

/* Clip: the min / max attributes (float, as their inputs must be of X's type: Clip-6 was for
 * float tensors) become inputs 1 and 2. */
static void up_clip(ir_graph *g, ir_node *n) {
  const ir_attr *lo = ir_get_attr(n, "min"), *hi = ir_get_attr(n, "max");
  int in[3] = {n->in[0], -1, -1};
  if (lo) in[1] = add_const(g, n, "min", IR_F32, 0, (double[]){lo->f}, 1);
  if (hi) in[2] = add_const(g, n, "max", IR_F32, 0, (double[]){hi->f}, 1);
  ir_set_inputs(n, in, hi ? 3 : lo ? 2 : 1);
  ir_del_attr(n, "min"), ir_del_attr(n, "max");
}

/* Pad: pads (required; Pad-1 calls it paddings) and value become the pads and constant_value
 * inputs. */
static int up_pad(ir_graph *g, ir_node *n, char *err, size_t errlen) {
  double p[2 * IR_MAX_DIMS];
  int cnt = ints_attr(n, "pads", p, 2 * IR_MAX_DIMS);
  if (cnt < 0 && g->opset < 2) cnt = ints_attr(n, "paddings", p, 2 * IR_MAX_DIMS);
  if (cnt < 0) return ir_node_err(g, n, err, errlen, "the pads attribute is missing (opset %d)", g->opset);
  if (cnt > 2 * IR_MAX_DIMS || cnt % 2) return ir_node_err(g, n, err, errlen, "pads attribute of %d entries", cnt);
  const ir_attr *v = ir_get_attr(n, "value");
  int in[3] = {n->in[0], add_const(g, n, "pads", IR_I64, 1, p, cnt), -1};
  if (v && v->f != 0) in[2] = add_const(g, n, "value", IR_F32, 0, (double[]){v->f}, 1);
  ir_set_inputs(n, in, in[2] >= 0 ? 3 : 2);
  ir_del_attr(n, "pads"), ir_del_attr(n, "paddings"), ir_del_attr(n, "value");
  return IR_OK;
}

/* Slice-1: starts, ends (required) and axes become inputs 1 to 3. */
static int up_slice(ir_graph *g, ir_node *n, char *err, size_t errlen) {
  double s[IR_MAX_DIMS], e[IR_MAX_DIMS], a[IR_MAX_DIMS];
  int ns = ints_attr(n, "starts", s, IR_MAX_DIMS), ne = ints_attr(n, "ends", e, IR_MAX_DIMS);
  int na = ints_attr(n, "axes", a, IR_MAX_DIMS);
  if (ns < 0 || ne < 0 || ns > IR_MAX_DIMS || ne != ns || na > IR_MAX_DIMS || (na >= 0 && na != ns))
    return ir_node_err(g, n, err, errlen, "starts / ends / axes attributes missing or of different lengths");
  int in[4] = {n->in[0], add_const(g, n, "starts", IR_I64, 1, s, ns), add_const(g, n, "ends", IR_I64, 1, e, ne), -1};
  if (na >= 0) in[3] = add_const(g, n, "axes", IR_I64, 1, a, na);
  ir_set_inputs(n, in, na >= 0 ? 4 : 3);
  ir_del_attr(n, "starts"), ir_del_attr(n, "ends"), ir_del_attr(n, "axes");
  return IR_OK;
}

/* The float32 data of tensor t (an initializer, or a Constant node's value), count in *cnt;
 * NULL if t is neither. */
static const float *const_floats(const ir_graph *g, int t, int64_t *cnt) {
  const ir_tensor *ts = g->tensors[t];
  const ir_value *v = ts->data ? &(ir_value){.type = ts->type, .data = ts->data} : NULL;
  int pi;
  const ir_node *c = v ? NULL : ir_producer(g, t, &pi);
  const ir_attr *a = c && c->op == IR_OP_Constant ? ir_get_attr(c, "value") : NULL;
  if (a && a->kind == IR_ATTR_TENSOR) v = a->t;
  if (!v || v->type.dtype != IR_F32 || !v->data) return NULL;
  *cnt = ir_type_numel(&v->type);
  return v->data;
}

/* The nearest_mode of an Upsample / Resize-10 with these scales (NULL: not known yet):
 * floor where upscaled, ceiling where downscaled; where the two would differ on some axis and
 * agree on none, NULL (refused). An axis whose coordinates o / scale are whole numbers (scale 1,
 * or 1 / k) takes either. */
static const char *nearest_mode(const float *sc, int64_t cnt) {
  int up = 0, down = 0;
  for (int64_t i = 0; sc && i < cnt; i++) {
    double inv = 1.0 / sc[i];
    if (sc[i] > 1) up = 1;
    else if (sc[i] < 1 && inv != floor(inv)) down = 1;
  }
  return up && down ? NULL : down ? "ceil" : "floor";
}

/* Upsample (7 to 10) and Resize-10 -> Resize-11: X, no roi, the scales input (Upsample-7 and 8:
 * the scales attribute as a constant); asymmetric coordinates; nearest_mode by nearest_mode(). */
static int up_resize(ir_graph *g, ir_node *n, int from, char *err, size_t errlen) {
  const char *mode = ir_attr_string(n, "mode", "nearest");
  if (from < 7 && !strcmp(mode, "bilinear")) mode = "linear"; /* the experimental Upsample's name */
  int want = n->op == IR_OP_UNKNOWN && from < 9 ? 1 : 2; /* Upsample-7: X; Upsample-9 and Resize-10: X, scales */
  if (n->n_in != want || n->n_out != 1)
    return ir_node_err(g, n, err, errlen, "has %d inputs and %d outputs, expected %d and 1 (opset %d)", n->n_in, n->n_out,
                       want, from);
  if (strcmp(mode, "nearest") && strcmp(mode, "linear"))
    return ir_node_err(g, n, err, errlen, "mode '%s' not supported (nearest, linear)", mode), IR_UNSUPPORTED;
  int sc = n->n_in > 1 ? n->in[1] : -1;
  int64_t cnt = 0;
  if (sc < 0 && from < 7) { /* the experimental Upsample: NCHW, height_scale and width_scale */
    const ir_attr *hs = ir_get_attr(n, "height_scale"), *ws = ir_get_attr(n, "width_scale");
    if (!hs || !ws || hs->kind != IR_ATTR_FLOAT || ws->kind != IR_ATTR_FLOAT)
      return ir_node_err(g, n, err, errlen, "needs the height_scale and width_scale attributes (float, opset %d)", from);
    sc = add_const(g, n, "scales", IR_F32, 1, (double[]){1, 1, hs->f, ws->f}, 4);
    ir_del_attr(n, "height_scale"), ir_del_attr(n, "width_scale");
  }
  if (sc < 0) {
    const ir_attr *a = ir_get_attr(n, "scales");
    if (!a || a->kind != IR_ATTR_FLOATS || a->n < 1 || a->n > IR_MAX_DIMS)
      return ir_node_err(g, n, err, errlen, "needs a scales input or attribute (at most %d floats)", IR_MAX_DIMS);
    double v[IR_MAX_DIMS];
    for (int i = 0; i < a->n; i++) v[i] = a->floats[i];
    sc = add_const(g, n, "scales", IR_F32, 1, v, a->n);
  }
  ir_dtype sdt = g->tensors[sc]->type.dtype;
  if (sdt != IR_UNDEF && sdt != IR_F32) return ir_node_err(g, n, err, errlen, "scales must be float32, not %s", ir_dtype_name(sdt));
  const float *sv = const_floats(g, sc, &cnt);
  const char *nm = nearest_mode(sv, cnt);
  if (!nm && !strcmp(mode, "nearest"))
    return ir_node_err(g, n, err, errlen, "nearest mode that upscales some axes and downscales others by a fraction"),
           IR_UNSUPPORTED;
  ir_set_inputs(n, (int[]){n->in[0], -1, sc}, 3);
  ir_del_attr(n, "scales");
  for (int k = 0; k < n->n_attr; k++)
    if (strcmp(n->attr[k].name, "mode"))
      return ir_node_err(g, n, err, errlen, "attribute '%s' not supported", n->attr[k].name), IR_UNSUPPORTED;
  ir_set_op(n, IR_OP_Resize);
  ir_set_attr_string(n, "coordinate_transformation_mode", "asymmetric");
  if (!strcmp(mode, "nearest")) ir_set_attr_string(n, "nearest_mode", nm);
  else if (ir_get_attr(n, "mode")) ir_set_attr_string(n, "mode", "linear");
  return IR_OK;
}

/* ImageScaler (experimental, gone in opset 10): Y = scale * X + bias[c] -> Mul(X, scale) at
 * node i, then n as Add(., bias as [C, 1, 1]). */
static int up_image_scaler(ir_graph *g, ir_node *n, int i, char *err, size_t errlen) {
  const ir_attr *b = ir_get_attr(n, "bias");
  if (b && (b->kind != IR_ATTR_FLOATS || b->n < 1 || b->n > (1 << 16)))
    return ir_node_err(g, n, err, errlen, "bias must be a list of floats, one per channel");
  int nb = b ? b->n : 1;
  double *bv = calloc((size_t)nb, sizeof *bv);
  ALWAYS_ASSERT(bv != NULL);
  for (int k = 0; b && k < nb; k++) bv[k] = b->floats[k];
  int bias = add_const(g, n, "bias", IR_F32, 3, bv, nb);
  free(bv);
  g->tensors[bias]->type.dims[1] = g->tensors[bias]->type.dims[2] = 1;
  int scale = add_const(g, n, "scale", IR_F32, 0, (double[]){ir_attr_float(n, "scale", 1.0f)}, 1);
  char name[300];
  snprintf(name, sizeof name, "%s_scaled", n->name && *n->name ? n->name : "ImageScaler");
  int mid = ir_add_tensor(g, name, NULL);
  ir_add_node(g, IR_OP_Mul, name, (int[]){n->in[0], scale}, 2, &mid, 1);
  ir_move_last_node(g, i);
  ir_set_inputs(n, (int[]){mid, bias}, 2);
  ir_set_op(n, IR_OP_Add);
  ir_del_attr(n, "bias"), ir_del_attr(n, "scale");
  return IR_OK;
}

/* Reshape-1 to 4: the shape attribute becomes the shape input. */
static int up_reshape(ir_graph *g, ir_node *n, char *err, size_t errlen) {
  double v[IR_MAX_DIMS];
  int cnt = ints_attr(n, "shape", v, IR_MAX_DIMS);
  if (cnt < 0 || cnt > IR_MAX_DIMS)
    return ir_node_err(g, n, err, errlen, "needs a shape attribute of at most %d entries (opset %d)", IR_MAX_DIMS,
                       g->opset);
  ir_set_inputs(n, (int[]){n->in[0], add_const(g, n, "shape", IR_I64, 1, v, cnt)}, 2);
  ir_del_attr(n, "shape");
  return IR_OK;
}

/* The binary operators that broadcast by attribute before opset 7 (broadcast, axis). */
static int axis_broadcast_op(ir_op op) {
  static const ir_op ops[] = {IR_OP_Add, IR_OP_Sub, IR_OP_Mul,   IR_OP_Div,     IR_OP_Pow, IR_OP_And,
                              IR_OP_Or,  IR_OP_Xor, IR_OP_Equal, IR_OP_Greater, IR_OP_Less};
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
    if (ops[i] == op) return 1;
  return 0;
}

int ir_legacy_attr(int opset, ir_op op, const char *name) {
  if (opset >= 7) return 0;
  if (!strcmp(name, "consumed_inputs") || (op == IR_OP_Dropout && !strcmp(name, "is_test"))) return 2;
  if (axis_broadcast_op(op) && (!strcmp(name, "broadcast") || !strcmp(name, "axis"))) return 1;
  if ((op == IR_OP_Reshape && opset < 5 && !strcmp(name, "shape")) || (op == IR_OP_Pad && opset < 2 && !strcmp(name, "paddings")))
    return 1;
  return 0;
}

/* Node n's output types by ir_infer_node on what the walk knows so far (unknown where it fails:
 * the compiler's shape inference reports that later, with the model's declared types). */
static void walk_infer(ir_graph *g, const ir_node *n) {
  const ir_type *ti[IR_VARIADIC + 1] = {0};
  const void *di[IR_VARIADIC + 1] = {0};
  ir_type to[IR_VARIADIC + 1];
  char why[256];
  ir_node_operands(g, n, IR_VARIADIC + 1, ti, di);
  int rc = ir_infer_node(g, n, ti, di, to, why, sizeof why);
  for (int j = 0; j < n->n_out; j++)
    if (n->out[j] >= 0) g->tensors[n->out[j]]->type = rc ? (ir_type){.dtype = IR_UNDEF, .rank = -1} : to[j];
}

/* Op(A, B, broadcast 1, axis k) of opsets 1 to 6, node i: B's axes are A's axes k to k + rank(B)
 * - 1, so B takes rank(A) - k - rank(B) trailing 1-extents (numpy's rule then aligns them): a
 * constant B is reshaped, any other gets an Unsqueeze, inserted at i (*i then moves to n). */
static int up_axis_broadcast(ir_graph *g, int *i, char *err, size_t errlen) {
  ir_node *n = g->nodes[*i];
  const ir_attr *ax = ir_get_attr(n, "axis");
  if (ax && ir_attr_int(n, "broadcast", 0) == 1 && n->n_in == 2 && n->in[0] >= 0 && n->in[1] >= 0) {
    ir_type a = g->tensors[n->in[0]]->type, b = g->tensors[n->in[1]]->type;
    if (a.rank < 0 || b.rank < 0)
      return ir_node_err(g, n, err, errlen, "broadcast from axis %lld: the rank of input %s is not known", (long long)ax->i,
                         a.rank < 0 ? "A" : "B"),
             IR_UNSUPPORTED;
    int64_t k = ax->i < 0 ? ax->i + a.rank : ax->i;
    if (k < 0 || k + b.rank > a.rank)
      return ir_node_err(g, n, err, errlen, "broadcast from axis %lld: B of rank %d does not fit A of rank %d",
                         (long long)ax->i, b.rank, a.rank);
    int trail = a.rank - (int)k - b.rank, nb = n->in[1];
    char name[300];
    snprintf(name, sizeof name, "%s_B_from_axis", n->name && *n->name ? n->name : n->op_name);
    if (trail > 0 && g->tensors[nb]->data && ir_type_known(&b)) {
      size_t bytes = (size_t)ir_type_numel(&b) * ir_dtype_size(b.dtype);
      void *d = malloc(bytes + 1);
      ALWAYS_ASSERT(d != NULL);
      memcpy(d, g->tensors[nb]->data, bytes);
      while (trail-- > 0) b.dims[b.rank++] = 1;
      n->in[1] = ir_add_const(g, name, &b, d);
    } else if (trail > 0) {
      int64_t axes[IR_MAX_DIMS];
      for (int j = 0; j < trail; j++) axes[j] = b.rank + j;
      int u = ir_add_tensor(g, name, NULL);
      ir_node *un = ir_add_node(g, IR_OP_Unsqueeze, name, &nb, 1, &u, 1);
      ir_set_attr_ints(un, "axes", axes, trail);
      ir_move_last_node(g, *i);
      walk_infer(g, un);
      n->in[1] = u;
      ++*i;
    }
  }
  ir_del_attr(n, "axis"), ir_del_attr(n, "broadcast");
  return IR_OK;
}

/* Opsets 1 to 6: the broadcasts by attribute, in a walk that infers every node's types in order
 * (A's rank); the types the model declared are put back afterwards, and the walk's new tensors'
 * left unknown, for the compiler's shape inference to check and fill. */
static int legacy_broadcast(ir_graph *g, char *err, size_t errlen) {
  int nt = g->n_tensors, rc = IR_OK;
  ir_type *saved = malloc((size_t)nt * sizeof *saved + 1);
  ALWAYS_ASSERT(saved != NULL);
  for (int t = 0; t < nt; t++) saved[t] = g->tensors[t]->type;
  for (int i = 0; i < g->n_nodes && rc == IR_OK; i++) {
    if (axis_broadcast_op(g->nodes[i]->op)) rc = up_axis_broadcast(g, &i, err, errlen);
    walk_infer(g, g->nodes[i]);
  }
  for (int t = 0; t < g->n_tensors; t++)
    if (t < nt)
      g->tensors[t]->type = saved[t];
    else if (!g->tensors[t]->data)
      g->tensors[t]->type = (ir_type){.dtype = IR_UNDEF, .rank = -1};
  free(saved);
  return rc;
}

int ir_upgrade_opset(ir_graph *g, char *err, size_t errlen) {
  if (g->opset >= 11) return IR_OK;
  int from = g->opset;
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    int rc = IR_OK;
    if (n->op == IR_OP_Reshape && n->n_in == 1)
      rc = up_reshape(g, n, err, errlen);
    else if (n->op == IR_OP_Concat && from < 4 && !ir_get_attr(n, "axis"))
      ir_set_attr_int(n, "axis", 1);
    else if (n->op == IR_OP_Clip && (ir_get_attr(n, "min") || ir_get_attr(n, "max")))
      up_clip(g, n);
    else if (n->op == IR_OP_Pad && n->n_in == 1)
      rc = up_pad(g, n, err, errlen);
    else if (n->op == IR_OP_Slice && n->n_in == 1)
      rc = up_slice(g, n, err, errlen);
    else if ((n->op == IR_OP_UNKNOWN && !strcmp(n->op_name, "Upsample")) || (n->op == IR_OP_Resize && from == 10))
      rc = up_resize(g, n, from, err, errlen);
    else if (n->op == IR_OP_UNKNOWN && !strcmp(n->op_name, "ImageScaler") && n->n_in == 1 && n->n_out == 1)
      rc = up_image_scaler(g, n, i++, err, errlen); /* the Mul went in at i, n is now at i + 1 */
    if (rc) return rc;
  }
  if (from < 7) {
    int rc = legacy_broadcast(g, err, errlen);
    if (rc) return rc;
  }
  g->opset = 11;
  return IR_OK;
}
