/* compiler/cc_lift3d.c -- the lift-3d pass: 3-D convolutional networks (video: torchvision's
 * r3d_18, mc3_18, r2plus1d_18, C3D-like nets over [N, C, T, H, W]) run as 2-D networks over the
 * frames stacked in the channels, so that everything after this pass (fusion, the partition, the
 * back end) sees convolutions it maps onto the accelerator.
 *
 * A 5-D activation X [1, C, T, H, W] has a frame-major 4-D twin Xf [1, T * C, H, W] (channel
 * t * C + c holds frame t of channel c): Transpose [0, 2, 1, 3, 4] then Reshape. Over the twins:
 *
 *   Conv3d (group 1, temporal dilation 1)  one 2-D Conv per output frame t', over the channel
 *       slice of the input frames its window reads (a view: no data moves), with the weight's
 *       temporal taps stacked in its input channels: W2[m, j * C + c] = W[m, c, i0 + j]; frames
 *       of the temporal padding are left out (the taps that read only zeros), so the MACs are the
 *       3-D conv's; the output frames are concatenated along the channels (written in place);
 *   MaxPool3d / AvgPool3d with a temporal kernel and stride of 1 and no temporal padding: the same
 *       2-D pool over every channel of the twin; across frames (lift_pool3d): that pool, then per
 *       output frame the max of the frames its window reads (Max layers of channel views) or
 *       their mean (a 1x1 Conv);
 *   a Concat along the channels of maps that are each a conv's (pool's) frames read only by it
 *       (an Inception-style block: S3D, I3D): one Concat of every input's frame tensors, frame by
 *       frame (lift_concat5), written in place by the producers;
 *   global average pooling over T, H, W: the 2-D global pool of the twin, then a 1x1 Conv that
 *       averages the T frames of each channel (none when T is 1);
 *   per-element and per-channel ops (activations, BatchNorm, residual Adds, constants broadcast
 *       over T): the same op over the twins, per-channel constants repeated for every frame; and
 *       per frame when the input is a Conv3d's frames that nothing else reads (distribute: a ReLU,
 *       a residual Add reading the other operand's frame through a channel view), so that fuse
 *       joins each to its frame's Conv and the frames' Concat is written in place (r3d_18: 91 %
 *       -> 97 % of pynq's GEMM peak).
 *
 * A region starts at a seed (a Conv3d, a pool) and grows forward in topological order through the
 * nodes that read a twin; a node outside it reads the 5-D tensor rebuilt from the twin (Reshape,
 * Transpose; dead code otherwise). The pass runs after lift-1d and before fold-affine (so that
 * the per-channel affines and fusion see 4-D tensors); the ONNX semantics of every node are kept. */
#include <stdlib.h>
#include <string.h>

#include "cc_internal.h"
#include "util.h"

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  ALWAYS_ASSERT(p != NULL);
  return p;
}

/* t is a batch-1 rank-5 f32 activation with known extents. */
static int is_act5(const ir_graph *g, int t) {
  if (t < 0 || g->tensors[t]->data) return 0;
  const ir_type *ty = &g->tensors[t]->type;
  return ty->dtype == IR_F32 && ty->rank == 5 && ty->dims[0] == 1 && ir_type_known(ty);
}

/* The twin's type of 5-D type t: [1, T * C, H, W]. */
static ir_type twin_type(const ir_type *t) {
  return (ir_type){.dtype = t->dtype, .rank = 4, .dims = {1, t->dims[2] * t->dims[1], t->dims[3], t->dims[4]}};
}

static int new_i64(ir_graph *g, const char *name, const int64_t *v, int n) {
  int64_t *d = xmalloc((size_t)n * sizeof *d);
  memcpy(d, v, (size_t)n * sizeof *d);
  ir_type st = {.dtype = IR_I64, .rank = 1, .dims = {n}};
  return ir_add_const(g, name, &st, d);
}

/* A new node op(in) -> y (a new tensor of type ty named name when y < 0), put at position *pos
 * of the node list (then *pos + 1); its output. */
static int emit(ir_graph *g, ir_op op, const char *name, const int *in, int n_in, const ir_type *ty, int y, int *pos) {
  if (y < 0) y = ir_add_tensor(g, name, ty);
  ir_add_node(g, op, name, in, n_in, &y, 1);
  ir_move_last_node(g, (*pos)++);
  return y;
}

static ir_node *at(ir_graph *g, int pos) { return g->nodes[pos]; }

static const ir_node *frames_of(const ir_graph *g, int x, int t, const ir_node *n);

/* The twin of 5-D activation x (made once, at *pos). */
static int twin_of(ir_graph *g, int x, int *tw, int *pos) {
  if (tw[x] >= 0) return tw[x];
  const ir_type *t = &g->tensors[x]->type;
  char name[600];
  ir_type tt = {.dtype = t->dtype, .rank = 5, .dims = {1, t->dims[2], t->dims[1], t->dims[3], t->dims[4]}};
  snprintf(name, sizeof name, "%s_frames", g->tensors[x]->name);
  int p = emit(g, IR_OP_Transpose, name, &x, 1, &tt, -1, pos);
  ir_set_attr_ints(at(g, *pos - 1), "perm", (int64_t[]){0, 2, 1, 3, 4}, 5);
  ir_type u = twin_type(t);
  snprintf(name, sizeof name, "%s_lift3d_shape", g->tensors[x]->name);
  int s = new_i64(g, name, u.dims, 4);
  snprintf(name, sizeof name, "%s_lift3d", g->tensors[x]->name);
  return tw[x] = emit(g, IR_OP_Reshape, name, (int[]){p, s}, 2, &u, -1, pos);
}

/* 5-D tensor y rebuilt at *pos from its twin yf (Reshape [1, T, C, H, W], Transpose back), for
 * the readers outside the region (dead code otherwise). */
static void untwin(ir_graph *g, int y, int yf, int *tw, int *pos) {
  const ir_type *t = &g->tensors[y]->type;
  char name[600];
  tw[y] = yf;
  ir_type tt = {.dtype = t->dtype, .rank = 5, .dims = {1, t->dims[2], t->dims[1], t->dims[3], t->dims[4]}};
  snprintf(name, sizeof name, "%s_unlift3d_shape", g->tensors[y]->name);
  int s = new_i64(g, name, tt.dims, 5);
  snprintf(name, sizeof name, "%s_unlift3d", g->tensors[y]->name);
  int r = emit(g, IR_OP_Reshape, name, (int[]){yf, s}, 2, &tt, -1, pos);
  snprintf(name, sizeof name, "%s_unlift3d_t", g->tensors[y]->name);
  emit(g, IR_OP_Transpose, name, &r, 1, NULL, y, pos);
  ir_set_attr_ints(at(g, *pos - 1), "perm", (int64_t[]){0, 2, 1, 3, 4}, 5);
}

/* A 4-D twin of constant c that broadcasts against a 5-D [1, C, T, H, W] activation (rank <= 5,
 * extent 1 on T): its channel slices repeated for every frame, [1, T * C', H', W'] (C', H', W' 1
 * where c broadcasts; not repeated when C' is 1). -1 if c cannot be (an extent over T). */
static int twin_const(ir_graph *g, int c, int64_t T, const char *label) {
  const ir_tensor *K = g->tensors[c];
  int r = K->type.rank;
  if (r > 5 || K->type.dtype != IR_F32) return -1;
  int64_t d5[5];
  for (int j = 0; j < 5; j++) d5[j] = j < 5 - r ? 1 : K->type.dims[j - (5 - r)];
  if (d5[0] != 1 || d5[2] != 1) return -1;
  if (d5[1] == 1 && r < 4) return c; /* a scalar, [W] or [H, W]: the same against the twin */
  int64_t reps = d5[1] == 1 ? 1 : T;
  size_t per = (size_t)(d5[1] * d5[3] * d5[4]);
  float *d = xmalloc((size_t)reps * per * sizeof *d);
  for (int64_t t = 0; t < reps; t++) memcpy(d + (size_t)t * per, K->data, per * sizeof *d);
  ir_type u = {.dtype = IR_F32, .rank = 4, .dims = {1, reps * d5[1], d5[3], d5[4]}};
  char name[600];
  snprintf(name, sizeof name, "%s_%s_lift3d", K->name, label);
  return ir_add_const(g, name, &u, d);
}

/* 1-D constant v of C values repeated T times: [T * C] (BatchNormalization's parameters). */
static int tile_vec(ir_graph *g, int v, int64_t T, const char *label) {
  const ir_tensor *K = g->tensors[v];
  int64_t C = ir_type_numel(&K->type);
  float *d = xmalloc((size_t)(T * C) * sizeof *d);
  for (int64_t t = 0; t < T; t++) memcpy(d + t * C, K->data, (size_t)C * sizeof *d);
  ir_type u = {.dtype = IR_F32, .rank = 1, .dims = {T * C}};
  char name[600];
  snprintf(name, sizeof name, "%s_%s_lift3d", K->name, label);
  return ir_add_const(g, name, &u, d);
}

/* The end of a node that became per-frame tensors frames[0..count): one Concat of them along
 * the channels named name (none for one; dlvta.frames marks one tensor per frame, which
 * distribute() may take apart), node n dead, its 5-D output y rebuilt from that twin. */
static void finish_frames(ir_graph *g, ir_node *n, const int *frames, int count, int per_frame, const char *name,
                          int *tw, int *pos, int *i) {
  int y = n->out[0], yf = frames[0];
  if (count > 1) {
    ir_type u = twin_type(&g->tensors[y]->type);
    yf = emit(g, IR_OP_Concat, name, frames, count, &u, -1, pos);
    ir_set_attr_int(at(g, *pos - 1), "axis", 1);
    if (per_frame) ir_set_attr_int(at(g, *pos - 1), "dlvta.frames", 1);
  }
  /* the frames hold y's values: a QDQ model's quantization of y (qdq-import reruns this pass) */
  for (int k = 0; g->tensors[y]->quant && k < count; k++)
    if (!g->tensors[frames[k]]->quant) cc_copy_quant(g, y, frames[k], -1);
  if (!g->tensors[yf]->quant) cc_copy_quant(g, y, yf, -1);
  n->dead = 1;
  n->out[0] = -1;
  untwin(g, y, yf, tw, pos);
  *i = *pos - 1;
}

/* Channels [c0, c1) of 4-D tensor x (a Slice: a view on the accelerator), of type ty, at *pos. */
static int channel_view(ir_graph *g, int x, int64_t c0, int64_t c1, const ir_type *ty, const char *label, int f, int k,
                        int *pos) {
  char name[600];
  static const char *const part[3] = {"starts", "ends", "axes"};
  int in[4] = {x};
  int64_t v[3] = {c0, c1, 1};
  for (int j = 0; j < 3; j++) {
    snprintf(name, sizeof name, "%s_view%d_%d_%s", label, k, f, part[j]);
    in[j + 1] = new_i64(g, name, &v[j], 1);
  }
  snprintf(name, sizeof name, "%s_view%d_%d", label, k, f);
  return emit(g, IR_OP_Slice, name, in, 4, ty, -1, pos);
}

/* Conv n over a 5-D input (or a FusedConv without a residual, which fuse made of a QDQ model's
 * Conv3d + ReLU before qdq-import's rerun of this pass): its geometry when it lifts (constant f32
 * weights, group 1, temporal dilation 1, every output frame reading at least one input frame),
 * else 0. */
static int conv3d_geometry(const ir_graph *g, const ir_node *n, ir_window *w) {
  int fused = n->op == IR_OP_FusedConv && (n->n_in < 4 || n->in[3] < 0);
  if ((n->op != IR_OP_Conv && !fused) || n->n_in < 2 || !is_act5(g, n->in[0]) || !is_act5(g, n->out[0])) return 0;
  const ir_tensor *W = g->tensors[n->in[1]];
  if (!W->data || W->type.dtype != IR_F32 || W->type.rank != 5 || ir_attr_int(n, "group", 1) != 1) return 0;
  if (n->n_in > 2 && n->in[2] >= 0 && !g->tensors[n->in[2]]->data) return 0;
  const int64_t *x = g->tensors[n->in[0]]->type.dims;
  char err[256];
  if (ir_window_geometry(g, n, x + 2, 3, W->type.dims + 2, w, err, sizeof err) != IR_OK || w->dil[0] != 1) return 0;
  for (int64_t t = 0; t < w->out[0]; t++) {
    int64_t f0 = t * w->stride[0] - w->pad_b[0];
    if (f0 + w->kernel[0] <= 0 || f0 >= x[2]) return 0; /* a frame of padding only */
  }
  return 1;
}

/* The 2-D weight of temporal taps [i0, i1) of 5-D weight W [M, C, kt, kh, kw]: [M, (i1 - i0) * C,
 * kh, kw], input channel j * C + c holding tap i0 + j of channel c. */
static int stacked_taps(ir_graph *g, int wt, int64_t i0, int64_t i1, const char *label) {
  const ir_tensor *W = g->tensors[wt];
  const int64_t *d = W->type.dims;
  int64_t M = d[0], C = d[1], kt = d[2], hw = d[3] * d[4], n = i1 - i0;
  float *o = xmalloc((size_t)(M * n * C * hw) * sizeof *o);
  const float *s = W->data;
  for (int64_t m = 0; m < M; m++)
    for (int64_t j = 0; j < n; j++)
      for (int64_t c = 0; c < C; c++)
        memcpy(o + ((m * n + j) * C + c) * hw, s + ((m * C + c) * kt + i0 + j) * hw, (size_t)hw * sizeof *o);
  ir_type u = {.dtype = IR_F32, .rank = 4, .dims = {M, n * C, d[3], d[4]}};
  char name[600];
  snprintf(name, sizeof name, "%s_taps%lld_%lld", label, (long long)i0, (long long)i1);
  int c = ir_add_const(g, name, &u, o);
  const ir_quant *q = g->tensors[wt]->quant; /* a QDQ model's scales, per output channel */
  if (q && (q->n == 1 || q->axis == 0)) cc_copy_quant(g, wt, c, 0);
  return c;
}

/* Conv3d n (index *i): a 2-D Conv per output frame over the frames its window reads, the frames
 * concatenated; n goes dead, its output rebuilt from the twin. */
static void lift_conv3d(ir_graph *g, int *i, int *tw, const ir_window *w) {
  ir_node *n = g->nodes[*i];
  int pos = *i, x = n->in[0], y = n->out[0], wt = n->in[1], b = n->n_in > 2 ? n->in[2] : -1;
  char label[400], name[600];
  snprintf(label, sizeof label, "%s", cc_node_label(g, n));
  const int64_t *xd = g->tensors[x]->type.dims, *yd = g->tensors[y]->type.dims;
  int64_t C = xd[1], T = xd[2], kt = w->kernel[0], To = yd[2];
  int xf = twin_of(g, x, tw, &pos);
  int *frames = xmalloc((size_t)To * sizeof *frames), wcache[64][2], wn = 0;
  for (int64_t t = 0; t < To; t++) {
    int64_t f0 = t * w->stride[0] - w->pad_b[0], i0 = f0 < 0 ? -f0 : 0, i1 = f0 + kt > T ? T - f0 : kt;
    int in = xf;
    if (i0 + f0 > 0 || f0 + i1 < T) { /* the channels of frames f0 + i0 .. f0 + i1 - 1: a view */
      ir_type st = {.dtype = IR_F32, .rank = 4, .dims = {1, (i1 - i0) * C, xd[3], xd[4]}};
      in = channel_view(g, xf, (f0 + i0) * C, (f0 + i1) * C, &st, label, (int)t, 0, &pos);
    }
    int key = (int)(i0 * (kt + 1) + i1), k2 = -1;
    for (int k = 0; k < wn; k++)
      if (wcache[k][0] == key) k2 = wcache[k][1];
    if (k2 < 0) k2 = stacked_taps(g, wt, i0, i1, label);
    if (wn < 64) wcache[wn][0] = key, wcache[wn++][1] = k2;
    ir_type ct = {.dtype = IR_F32, .rank = 4, .dims = {1, yd[1], yd[3], yd[4]}};
    snprintf(name, sizeof name, "%s_t%lld", label, (long long)t);
    frames[t] = emit(g, n->op, name, (int[]){in, k2, b}, b >= 0 ? 3 : 2, &ct, -1, &pos);
    ir_node *c = at(g, pos - 1);
    for (int k = 0; k < n->n_attr; k++) /* a FusedConv's activation */
      if (!strcmp(n->attr[k].name, "activation")) ir_set_attr_string(c, "activation", n->attr[k].s);
      else if (!strcmp(n->attr[k].name, "act_min") || !strcmp(n->attr[k].name, "act_max"))
        ir_set_attr_float(c, n->attr[k].name, n->attr[k].f);
    ir_set_attr_ints(c, "kernel_shape", w->kernel + 1, 2);
    ir_set_attr_ints(c, "strides", w->stride + 1, 2);
    ir_set_attr_ints(c, "dilations", w->dil + 1, 2);
    ir_set_attr_ints(c, "pads", (int64_t[]){w->pad_b[1], w->pad_b[2], w->pad_e[1], w->pad_e[2]}, 4);
  }
  snprintf(name, sizeof name, "%s_lift3d", label);
  finish_frames(g, n, frames, (int)To, 1, name, tw, &pos, i);
  free(frames);
}

/* A 3-D window attribute without its temporal entry (pads: begins and ends). */
static void drop_t(ir_node *n, const char *name) {
  int cnt = 0;
  const int64_t *v = ir_attr_ints(n, name, &cnt);
  if (!v || (cnt != 3 && cnt != 6)) return;
  int64_t w[4] = {v[1], v[2], cnt == 6 ? v[4] : 0, cnt == 6 ? v[5] : 0};
  ir_set_attr_ints(n, name, w, cnt == 6 ? 4 : 2);
}

/* A MaxPool / AveragePool of a 5-D activation that pools each frame alone (temporal kernel and
 * stride 1, no temporal padding or dilation, one output). */
static int frame_pool(const ir_graph *g, const ir_node *n) {
  if ((n->op != IR_OP_MaxPool && n->op != IR_OP_AveragePool) || !is_act5(g, n->in[0]) || !is_act5(g, n->out[0]))
    return 0;
  if (n->n_out > 1 && n->out[1] >= 0) return 0;
  int c[4] = {0};
  const int64_t *k = ir_attr_ints(n, "kernel_shape", &c[0]), *s = ir_attr_ints(n, "strides", &c[1]),
                *p = ir_attr_ints(n, "pads", &c[2]), *d = ir_attr_ints(n, "dilations", &c[3]);
  return k && c[0] == 3 && k[0] == 1 && (!s || (c[1] == 3 && s[0] == 1)) && (!p || (c[2] == 6 && !p[0] && !p[3])) &&
         (!d || (c[3] == 3 && d[0] == 1));
}

/* A MaxPool / AveragePool of a 5-D activation across frames: its geometry when it lifts (one
 * output, no dilation, every output frame's window holding a frame), else 0. */
static int pool3d_geometry(const ir_graph *g, const ir_node *n, ir_window *w) {
  if ((n->op != IR_OP_MaxPool && n->op != IR_OP_AveragePool) || !is_act5(g, n->in[0]) || !is_act5(g, n->out[0]) ||
      (n->n_out > 1 && n->out[1] >= 0))
    return 0;
  const int64_t *x = g->tensors[n->in[0]]->type.dims;
  char err[256];
  if (ir_window_geometry(g, n, x + 2, 3, NULL, w, err, sizeof err) != IR_OK) return 0;
  for (int a = 0; a < 3; a++)
    if (w->dil[a] != 1) return 0;
  if (w->out[0] != g->tensors[n->out[0]]->type.dims[2]) return 0;
  for (int64_t t = 0; t < w->out[0]; t++) {
    int64_t f0 = t * w->stride[0] - w->pad_b[0];
    if (f0 + w->kernel[0] <= 0 || f0 >= x[2]) return 0; /* a window of padding only */
  }
  return 1;
}

/* A pool across frames (node n at *i, geometry w): the 2-D pool of every frame (one pool of the
 * twin, the spatial window and pads), then per output frame the max of the frames its window
 * reads (Max layers of channel views; padding frames are -inf, left out) or their mean (a 1x1
 * Conv of the views by 1 / kt, or 1 / the frames read without count_include_pad: the divisor of
 * a 3-D window factorizes over its axes); the frames concatenated. */
static void lift_pool3d(ir_graph *g, int *i, int *tw, const ir_window *w) {
  ir_node *n = g->nodes[*i];
  int pos = *i, x = n->in[0], y = n->out[0], mx = n->op == IR_OP_MaxPool;
  char label[400], name[600];
  snprintf(label, sizeof label, "%s", cc_node_label(g, n));
  const int64_t *xd = g->tensors[x]->type.dims, *yd = g->tensors[y]->type.dims;
  int64_t C = xd[1], T = xd[2], To = yd[2], kt = w->kernel[0];
  int xf = twin_of(g, x, tw, &pos);
  ir_type pt = {.dtype = IR_F32, .rank = 4, .dims = {1, T * C, yd[3], yd[4]}};
  ir_type ft = {.dtype = IR_F32, .rank = 4, .dims = {1, C, yd[3], yd[4]}};
  snprintf(name, sizeof name, "%s_frames", label);
  int P = emit(g, n->op, name, &xf, 1, &pt, -1, &pos);
  ir_node *p = at(g, pos - 1);
  ir_set_attr_ints(p, "kernel_shape", w->kernel + 1, 2);
  ir_set_attr_ints(p, "strides", w->stride + 1, 2);
  ir_set_attr_ints(p, "pads", (int64_t[]){w->pad_b[1], w->pad_b[2], w->pad_e[1], w->pad_e[2]}, 4);
  if (!mx) ir_set_attr_int(p, "count_include_pad", ir_attr_int(n, "count_include_pad", 0));
  int *frames = xmalloc((size_t)To * sizeof *frames);
  for (int64_t t = 0; t < To; t++) {
    int64_t f0 = t * w->stride[0] - w->pad_b[0], lo = f0 < 0 ? 0 : f0, hi = f0 + kt > T ? T : f0 + kt;
    if (mx) {
      int q = channel_view(g, P, lo * C, (lo + 1) * C, &ft, label, (int)t, 0, &pos);
      for (int64_t f = lo + 1; f < hi || f == lo + 1; f++) { /* a window of one frame: its max with itself */
        int v = f < hi ? channel_view(g, P, f * C, (f + 1) * C, &ft, label, (int)t, (int)(f - lo), &pos) : q;
        snprintf(name, sizeof name, "%s_t%lld_max%lld", label, (long long)t, (long long)(f - lo));
        q = emit(g, IR_OP_Max, name, (int[]){q, v}, 2, &ft, -1, &pos);
      }
      frames[t] = q;
    } else {
      int64_t n_f = hi - lo, div = ir_attr_int(n, "count_include_pad", 0) ? kt : n_f;
      float *wm = calloc((size_t)(C * n_f * C), sizeof *wm);
      ALWAYS_ASSERT(wm != NULL);
      for (int64_t c = 0; c < C; c++)
        for (int64_t j = 0; j < n_f; j++) wm[c * n_f * C + j * C + c] = 1.0f / (float)div;
      ir_type wt = {.dtype = IR_F32, .rank = 4, .dims = {C, n_f * C, 1, 1}};
      snprintf(name, sizeof name, "%s_t%lld_mean_w", label, (long long)t);
      int wi = ir_add_const(g, name, &wt, wm);
      ir_type vt = {.dtype = IR_F32, .rank = 4, .dims = {1, n_f * C, yd[3], yd[4]}};
      int v = n_f == T ? P : channel_view(g, P, lo * C, hi * C, &vt, label, (int)t, 0, &pos);
      snprintf(name, sizeof name, "%s_t%lld_mean", label, (long long)t);
      frames[t] = emit(g, IR_OP_Conv, name, (int[]){v, wi}, 2, &ft, -1, &pos);
      ir_set_attr_ints(at(g, pos - 1), "kernel_shape", (int64_t[]){1, 1}, 2);
    }
  }
  snprintf(name, sizeof name, "%s_lift3d", label);
  finish_frames(g, n, frames, (int)To, 1, name, tw, &pos, i);
  free(frames);
}

/* A Concat of 5-D activations along the channels whose inputs are each a Conv3d's (a pool's, a
 * distributed op's) frames that only it reads: 1 (lift_concat5 joins the frames), else 0. */
static int concat_frames(const ir_graph *g, const ir_node *n, const int *tw) {
  if (!is_act5(g, n->out[0]) || n->n_in < 1 || n->n_in > 64) return 0;
  int64_t ax = ir_attr_int(n, "axis", 1), T = g->tensors[n->out[0]]->type.dims[2];
  if (ax != 1 && ax != -4) return 0;
  for (int k = 0; k < n->n_in; k++) {
    int x = n->in[k];
    if (x < 0 || !is_act5(g, x) || tw[x] < 0) return 0;
    for (int j = 0; j < k; j++)
      if (n->in[j] == x) return 0;
    const ir_node *f = frames_of(g, x, tw[x], n);
    if (!f || f->n_in != T) return 0;
  }
  return 1;
}

/* Concat n (index *i) of frames (concat_frames): output frame t is the inputs' frames t, in
 * order, so one Concat of every input's frame tensors, frame-major, is its twin. */
static void lift_concat5(ir_graph *g, int *i, int *tw) {
  ir_node *n = g->nodes[*i];
  int pos = *i, y = n->out[0], k = 0;
  int64_t T = g->tensors[y]->type.dims[2];
  int *parts = xmalloc((size_t)(T * n->n_in) * sizeof *parts);
  for (int64_t t = 0; t < T; t++)
    for (int j = 0; j < n->n_in; j++) parts[k++] = ir_producer(g, tw[n->in[j]], NULL)->in[t];
  char name[600];
  snprintf(name, sizeof name, "%s_lift3d", cc_node_label(g, n));
  finish_frames(g, n, parts, k, 0, name, tw, &pos, i);
  free(parts);
}

/* How node n lifts: 1 a Conv3d, 2 a frame pool, 3 a global pool, 4 per element / per channel,
 * 5 a pool across frames, 6 a Concat of frames along the channels, 0 not (a pointwise node needs
 * a twin among its inputs). */
static int lift_kind(const ir_graph *g, const ir_node *n, const int *tw, ir_window *w) {
  if (n->n_in < 1 || n->n_out < 1 || n->out[0] < 0) return 0;
  if (conv3d_geometry(g, n, w)) return 1;
  if (frame_pool(g, n)) return 2;
  if (pool3d_geometry(g, n, w)) return 5;
  if (n->op == IR_OP_Concat && concat_frames(g, n, tw)) return 6;
  if ((n->op == IR_OP_GlobalAveragePool || n->op == IR_OP_GlobalMaxPool) && is_act5(g, n->in[0]))
    return n->op == IR_OP_GlobalAveragePool || g->tensors[n->in[0]]->type.dims[2] == 1 ? 3 : 0;
  switch (n->op) {
  case IR_OP_Relu: case IR_OP_Clip: case IR_OP_LeakyRelu: case IR_OP_Sigmoid: case IR_OP_HardSigmoid:
  case IR_OP_HardSwish: case IR_OP_Tanh: case IR_OP_Elu: case IR_OP_Gelu: case IR_OP_Softplus: case IR_OP_Neg:
  case IR_OP_Identity: case IR_OP_Dropout: case IR_OP_Selu: case IR_OP_Mish: case IR_OP_Swish:
  case IR_OP_BatchNormalization: case IR_OP_PRelu: case IR_OP_Add: case IR_OP_Sub: case IR_OP_Mul: case IR_OP_Div:
  case IR_OP_Max: case IR_OP_Min:
    break;
  default:
    return 0;
  }
  if (!is_act5(g, n->out[0])) return 0;
  for (int k = 1; k < n->n_out; k++)
    if (n->out[k] >= 0 && ir_use_count(g, n->out[k]) > 0) return 0;
  int any = 0, T = (int)g->tensors[n->out[0]]->type.dims[2];
  for (int k = 0; k < n->n_in; k++) {
    int t = n->in[k];
    if (t < 0 || (k > 0 && (n->op == IR_OP_Clip || n->op == IR_OP_BatchNormalization))) continue;
    if (tw[t] >= 0) any = 1;
    else if (g->tensors[t]->data) { /* a constant operand: broadcast over T (extent 1 there) */
      const ir_type *c = &g->tensors[t]->type;
      if (c->dtype != IR_F32 || (c->rank >= 3 && c->dims[c->rank - 3] != 1)) return 0;
    } else if (!is_act5(g, t) || g->tensors[t]->type.dims[2] != T) return 0;
  }
  if (n->op == IR_OP_PRelu && g->tensors[n->in[1]]->type.rank == 1) return 0; /* maybe the legacy per-channel form */
  if (n->op == IR_OP_BatchNormalization)
    for (int k = 1; k < 5; k++)
      if (n->in[k] < 0 || !g->tensors[n->in[k]]->data || g->tensors[n->in[k]]->type.rank != 1) return 0;
  return any ? 4 : 0;
}

/* The Concat of per-frame outputs (lift_conv3d's) that made twin t, when only the rebuilding of
 * 5-D tensor x reads it and only node n reads x; else NULL. */
static const ir_node *frames_of(const ir_graph *g, int x, int t, const ir_node *n) {
  const ir_node *p = t >= 0 ? ir_producer(g, t, NULL) : NULL;
  if (!p || p->op != IR_OP_Concat || !ir_attr_int(p, "dlvta.frames", 0) || ir_use_count(g, t) != 1 ||
      ir_use_count(g, x) != 1 || ir_is_graph_output(g, x))
    return NULL;
  for (int k = 0; k < n->n_in; k++)
    if (n->in[k] != x && n->in[k] >= 0 && ir_producer(g, n->in[k], NULL) == p) return NULL;
  return p;
}

static void copy_attrs(ir_node *d, const ir_node *s) {
  for (int k = 0; k < s->n_attr; k++) {
    const ir_attr *a = &s->attr[k];
    if (a->kind == IR_ATTR_INT) ir_set_attr_int(d, a->name, a->i);
    else if (a->kind == IR_ATTR_FLOAT) ir_set_attr_float(d, a->name, a->f);
    else if (a->kind == IR_ATTR_STRING) ir_set_attr_string(d, a->name, a->s);
    else if (a->kind == IR_ATTR_INTS) ir_set_attr_ints(d, a->name, a->ints, a->n);
    else if (a->kind == IR_ATTR_FLOATS) ir_set_attr_floats(d, a->name, a->floats, a->n);
  }
}

/* Pointwise node n (index *i) whose first operand's twin is a Concat of frames that nothing else
 * reads: n runs per frame (each frame's op after its Conv, which fuse then joins: a ReLU, a
 * residual Add), the other operands cut per frame (a channel view of a twin, the frames of
 * another such Concat, a constant for one frame), and the outputs concatenated. 1 if done. */
static int distribute(ir_graph *g, int *i, int *tw) {
  ir_node *n = g->nodes[*i];
  int x = n->in[0], y = n->out[0];
  const ir_node *fc = n->n_in <= 4 ? frames_of(g, x, tw[x], n) : NULL;
  if (!fc || n->op == IR_OP_BatchNormalization || n->op == IR_OP_PRelu) return 0;
  int64_t T = g->tensors[x]->type.dims[2], Cf = g->tensors[fc->in[0]]->type.dims[1];
  if (fc->n_in != T || Cf != g->tensors[y]->type.dims[1]) return 0;
  const ir_node *other[4] = {0};
  for (int k = 1; k < n->n_in; k++) { /* another operand: a constant, a twin, or frames too */
    int t = n->in[k];
    if (t < 0 || g->tensors[t]->data || n->op == IR_OP_Clip) continue;
    other[k] = frames_of(g, t, tw[t], n);
    if (other[k] && (other[k]->n_in != T || g->tensors[other[k]->in[0]]->type.dims[1] != Cf)) return 0;
  }
  int pos = *i, *outs = xmalloc((size_t)T * sizeof *outs);
  char label[400], name[600];
  snprintf(label, sizeof label, "%s", cc_node_label(g, n));
  int ins[4];
  for (int k = 1; k < n->n_in; k++) { /* the twins of activations read by views; constants for one frame */
    int t = n->in[k];
    ins[k] = t < 0 || (n->op == IR_OP_Clip) ? t : g->tensors[t]->data ? twin_const(g, t, 1, label)
             : other[k] ? -1 : twin_of(g, t, tw, &pos);
  }
  const ir_type *ft = &g->tensors[fc->in[0]]->type;
  for (int64_t f = 0; f < T; f++) {
    int in[4] = {fc->in[f], -1, -1, -1};
    for (int k = 1; k < n->n_in; k++) {
      in[k] = other[k] ? other[k]->in[f] : ins[k];
      if (!other[k] && ins[k] >= 0 && !g->tensors[ins[k]]->data) { /* frame f of a twin: a channel view */
        in[k] = channel_view(g, ins[k], f * Cf, (f + 1) * Cf, ft, label, (int)f, k, &pos);
      }
    }
    snprintf(name, sizeof name, "%s_f%lld", label, (long long)f);
    outs[f] = emit(g, n->op, name, in, n->n_in, ft, -1, &pos);
    copy_attrs(at(g, pos - 1), n);
  }
  snprintf(name, sizeof name, "%s_lift3d", g->tensors[y]->name);
  finish_frames(g, n, outs, (int)T, 1, name, tw, &pos, i);
  free(outs);
  return 1;
}

/* Node n (index *i) of kind 2, 3 or 4 over the twins: inputs twinned, its output a twin, the
 * 5-D output rebuilt after it. */
static void lift_node(ir_graph *g, int *i, int *tw, int kind) {
  if (kind == 4 && distribute(g, i, tw)) return;
  ir_node *n = g->nodes[*i];
  int pos = *i, y = n->out[0];
  char label[400], name[600];
  snprintf(label, sizeof label, "%s", cc_node_label(g, n));
  int64_t T = g->tensors[n->in[0]]->type.dims[2], C = g->tensors[n->in[0]]->type.dims[1];
  for (int k = 0; k < n->n_in; k++) {
    int t = n->in[k];
    if (t < 0) continue;
    if (n->op == IR_OP_BatchNormalization && k > 0) n->in[k] = tile_vec(g, t, T, label);
    else if (k > 0 && n->op == IR_OP_Clip) continue;
    else if (g->tensors[t]->data) n->in[k] = twin_const(g, t, T, label);
    else n->in[k] = twin_of(g, t, tw, &pos);
  }
  n = g->nodes[pos]; /* the twins went in before it */
  if (kind == 2) drop_t(n, "kernel_shape"), drop_t(n, "strides"), drop_t(n, "pads"), drop_t(n, "dilations");
  ir_type u = twin_type(&g->tensors[y]->type);
  if (kind == 3) u.dims[1] = T * C; /* the twin's global pool, then the mean over the frames */
  snprintf(name, sizeof name, "%s_lift3d", g->tensors[y]->name);
  int yf = ir_add_tensor(g, name, &u);
  n->out[0] = yf;
  pos++;
  if (kind == 3 && T > 1) {
    float *wm = calloc((size_t)(C * T * C), sizeof *wm);
    ALWAYS_ASSERT(wm != NULL);
    for (int64_t c = 0; c < C; c++)
      for (int64_t t = 0; t < T; t++) wm[c * T * C + t * C + c] = 1.0f / (float)T;
    ir_type wt = {.dtype = IR_F32, .rank = 4, .dims = {C, T * C, 1, 1}};
    snprintf(name, sizeof name, "%s_frame_mean_w", label);
    int wi = ir_add_const(g, name, &wt, wm);
    ir_type mt = {.dtype = IR_F32, .rank = 4, .dims = {1, C, 1, 1}};
    snprintf(name, sizeof name, "%s_frame_mean", label);
    yf = emit(g, IR_OP_Conv, name, (int[]){yf, wi}, 2, &mt, -1, &pos);
    ir_set_attr_ints(at(g, pos - 1), "kernel_shape", (int64_t[]){1, 1}, 2);
  }
  untwin(g, y, yf, tw, &pos);
  *i = pos - 1;
}

int cc_lift_3d(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
  int *tw = NULL, ntw = 0, lifted = 0;
  for (int i = 0; i < g->n_nodes; i++) {
    cc_fit_ints(&tw, &ntw, g->n_tensors + 64); /* room for this node's new tensors */
    ir_node *n = g->nodes[i];
    ir_window w;
    int kind = n->dead ? 0 : lift_kind(g, n, tw, &w);
    if (!kind) continue;
    if (kind == 1) {
      cc_fit_ints(&tw, &ntw, g->n_tensors + 8 * (int)g->tensors[n->out[0]]->type.dims[2] + 64); /* the frames' slices, convs */
      lift_conv3d(g, &i, tw, &w);
    } else if (kind == 6) {
      lift_concat5(g, &i, tw);
    } else if (kind == 5) {
      cc_fit_ints(&tw, &ntw, g->n_tensors + 16 * (int)g->tensors[n->out[0]]->type.dims[2] * (int)w.kernel[0] + 64);
      lift_pool3d(g, &i, tw, &w);
    } else {
      lift_node(g, &i, tw, kind);
    }
    lifted = 1;
  }
  free(tw);
  if (!lifted) return IR_OK;
  /* the rebuilt 5-D tensors nothing reads go, and Reshape / Transpose pairs at the regions' edges
   * fold */
  int rc = cc_dce(g, cx, err, errlen);
  return rc ? rc : cc_normalize_reshape(g, cx, err, errlen);
}
