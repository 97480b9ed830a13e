/* compiler/cc_convt.c -- the convt-to-conv pass: a ConvTranspose that the accelerator can run
 * becomes an ordinary stride-1 Conv that computes all its output phases at once, followed by a
 * dlvta.Interleave that puts each phase's pixels in place (the back end's depth-to-space layer).
 *
 * Phase decomposition, per spatial axis (stride s, kernel K, pad before pb, dilation 1): output
 * o = q*s + r (phase r < s) collects the taps k = k_r + j*s, k_r = (r + pb) mod s, of input
 * pixels i = q + c_r - j, c_r = floor((r + pb) / s), j < J_r = ceil((K - k_r) / s). That is a
 * stride-1 correlation of the input with the flipped sub-kernel v_r[t] = w[k_r + (c_r + P - t)*s]
 * over a window of T taps starting P pixels before q (P = max_r(J_r - 1 - c_r, 0), T = max_r(c_r
 * + P) + 1, sub-kernels zero-padded to that common size). Every phase (ry, rx) is one group of G
 * output channels of one Conv, G = Cout rounded up to whole channel blocks of the target so that
 * each phase group is whole blocks; the Interleave reads block (ry*sw + rx)*G/BLOCK + b for output
 * block b, and crops the end (the phases cover ceil(L / s) * s >= L pixels).
 *
 * Why this and not zero insertion (upsample with zeros, then a stride-1 conv with the flipped
 * kernel): zero insertion multiplies the K x K kernel over all (s*I)^2 pixels, s^2 times the
 * MACs of the phases' ceil(K/s)^2 taps when s divides K (k = s = 2: 4x; k = 4, s = 2, p = 1:
 * phases of 3 x 3 taps, 36 against 64 per input pixel), and it needs a zero-inserting layer
 * the back end does not have; the phases cost one conv and one depth-to-space pass of ALU MOVs.
 * The cost left: the zero taps where T*s > K, channel padding when Cout is not whole blocks, and
 * grouped ConvTransposes run as one dense conv (zero weights across groups). A stride-1
 * ConvTranspose whose conv needs no crop is that conv alone (its output channels unpadded).
 *
 * Runs only for a target (it needs the block); a ConvTranspose it leaves gets dlvta.why, which
 * the partition reports with the CPU step. A Relu / Clip that is the ConvTranspose's only reader
 * moves before the Interleave (a permutation commutes with it), so fuse joins it to the Conv.
 *
 * The same pass gives a DepthToSpace whose phase groups are not whole blocks (CRD mode, as
 * torch exports pixel_shuffle, or DCR of channels that are not a multiple of the block) the
 * layout the back end runs, when a Conv of group 1 (through a Relu / Clip) produces its input
 * for it alone: the conv's output channels are reordered into padded phase groups (d2s_rewrite);
 * when none does, an identity 1x1 Conv put before it is that conv (d2s_identity). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc_internal.h"
#include "lower.h"

#define CONVT_MAX_S 16 /* the back end's depth-to-space factors, 1..16 */

/* The phases of one spatial axis. */
typedef struct phase_axis {
  int64_t s, K, I, L;            /* stride, kernel, input and output extents */
  int64_t P, Pe, T, Qc;          /* the conv's pads before / after, taps, outputs */
  int64_t k[CONVT_MAX_S], c[CONVT_MAX_S], J[CONVT_MAX_S]; /* per phase: first tap, input offset, taps */
} phase_axis;

/* Axis a of window w as phases, or why not. */
static const char *axis_phases(const ir_window *w, int a, phase_axis *x) {
  int64_t s = w->stride[a], K = w->kernel[a], pb = w->pad_b[a];
  if (w->dil[a] != 1) return "dilated ConvTranspose (the phase decomposition assumes dilation 1)";
  if (s > CONVT_MAX_S) return "ConvTranspose stride beyond 16";
  x->s = s, x->K = K, x->I = w->in[a], x->L = w->out[a], x->P = 0;
  for (int64_t r = 0; r < s; r++) {
    x->k[r] = (r + pb) % s, x->c[r] = (r + pb) / s;
    x->J[r] = x->k[r] < K ? (K - x->k[r] + s - 1) / s : 0;
    if (x->J[r] > 0 && x->J[r] - 1 - x->c[r] > x->P) x->P = x->J[r] - 1 - x->c[r];
  }
  int64_t tmax = 0;
  for (int64_t r = 0; r < s; r++)
    if (x->J[r] > 0 && x->c[r] + x->P > tmax) tmax = x->c[r] + x->P;
  x->T = tmax + 1;
  int64_t Q = (x->L + s - 1) / s;
  x->Pe = Q - x->I - x->P + x->T - 1;
  if (x->Pe < 0) x->Pe = 0;
  x->Qc = x->I + x->P + x->Pe - x->T + 1;
  if (x->P > 15 || x->Pe > 15) return "ConvTranspose whose phase convolution would pad beyond 15";
  if (x->T > 64) return "ConvTranspose whose phase sub-kernels exceed 64 taps";
  return NULL;
}

/* The phase conv's weights [sh*sw*G][C][Th][Tw] from w [C][Mg][Kh][Kw] (groups dense). */
static float *phase_weights(const float *w, int64_t C, int64_t Mg, int64_t group, int64_t G, const phase_axis *ay,
                            const phase_axis *ax) {
  int64_t Cg = C / group, M = Mg * group, S = ay->s * ax->s, ksz = ay->T * ax->T;
  float *v = calloc((size_t)(S * G * C * ksz), sizeof *v);
  if (!v) return NULL;
  for (int64_t ry = 0; ry < ay->s; ry++)
    for (int64_t rx = 0; rx < ax->s; rx++)
      for (int64_t m = 0; m < M; m++)
        for (int64_t ci = m / Mg * Cg; ci < (m / Mg + 1) * Cg; ci++)
          for (int64_t ty = 0; ty < ay->T; ty++) {
            int64_t jy = ay->c[ry] + ay->P - ty;
            if (jy < 0 || jy >= ay->J[ry]) continue;
            for (int64_t tx = 0; tx < ax->T; tx++) {
              int64_t jx = ax->c[rx] + ax->P - tx;
              if (jx < 0 || jx >= ax->J[rx]) continue;
              int64_t ky = ay->k[ry] + jy * ay->s, kx = ax->k[rx] + jx * ax->s;
              v[(((ry * ax->s + rx) * G + m) * C + ci) * ksz + ty * ax->T + tx] =
                  w[((ci * Mg + m % Mg) * ay->K + ky) * ax->K + kx];
            }
          }
  return v;
}

/* Why ConvTranspose n cannot become phases on this target (NULL: it can; fills ay, ax). */
static const char *convt_why_not(const ir_graph *g, const ir_node *n, phase_axis *ay, phase_axis *ax) {
  int x = n->in[0], W = n->in[1], B = n->n_in > 2 ? n->in[2] : -1;
  const ir_type *xt = &g->tensors[x]->type, *wt = &g->tensors[W]->type;
  if (xt->rank != 4 || !ir_type_known(xt) || xt->dims[0] != 1 || xt->dtype != IR_F32)
    return "ConvTranspose input is not a batch-1 NCHW activation";
  if (!cc_is_const(g, W) || wt->dtype != IR_F32 || wt->rank != 4) return "ConvTranspose weights are not constant";
  if (B >= 0 && (!cc_is_const(g, B) || g->tensors[B]->type.dtype != IR_F32)) return "ConvTranspose bias is not constant";
  ir_window w;
  char err[256];
  if (ir_convt_geometry(g, n, xt->dims + 2, 2, wt->dims + 2, &w, err, sizeof err)) return "ConvTranspose geometry";
  const char *why = axis_phases(&w, 0, ay);
  return why ? why : axis_phases(&w, 1, ax);
}

/* ConvTranspose n (index i) -> Conv (phases) + [its Relu/Clip] + dlvta.Interleave. */
static void convt_rewrite(ir_graph *g, int i, ir_node *n, const phase_axis *ay, const phase_axis *ax, int64_t block) {
  int x = n->in[0], W = n->in[1], B = n->n_in > 2 ? n->in[2] : -1, y = n->out[0];
  const ir_type *wt = &g->tensors[W]->type;
  int64_t C = g->tensors[x]->type.dims[1], group = ir_attr_int(n, "group", 1), Mg = wt->dims[1], M = Mg * group;
  /* stride 1 without a crop: the conv writes y itself (no phase groups, no interleave) */
  int direct = ay->s == 1 && ax->s == 1 && ay->Qc == ay->L && ax->Qc == ax->L;
  int64_t G = direct ? M : (M + block - 1) / block * block, S = ay->s * ax->s;
  float *v = phase_weights(g->tensors[W]->data, C, Mg, group, G, ay, ax), *b = calloc((size_t)(S * G), sizeof *b);
  if (!v || !b) {
    free(v), free(b);
    ir_set_attr_string(n, "dlvta.why", "out of memory for the phase weights");
    return;
  }
  for (int64_t p = 0; p < S; p++)
    for (int64_t m = 0; B >= 0 && m < M; m++) b[p * G + m] = ((const float *)g->tensors[B]->data)[m];
  char name[300];
  const char *label = n->name && *n->name ? n->name : g->tensors[y]->name;
  snprintf(name, sizeof name, "%s_phase_weight", label);
  int wi = cc_new_const_f32(g, name, (int64_t[]){S * G, C, ay->T, ax->T}, 4, v);
  snprintf(name, sizeof name, "%s_phase_bias", label);
  int bi = cc_new_const_f32(g, name, (int64_t[]){S * G}, 1, b);
  ir_type ct = {.dtype = IR_F32, .rank = 4, .dims = {1, S * G, ay->Qc, ax->Qc}};
  snprintf(name, sizeof name, "%s_phases", label);
  int cy = ir_add_tensor(g, name, &ct);
  ir_set_op(n, IR_OP_Conv);
  ir_set_inputs(n, (int[]){x, wi, bi}, 3);
  n->out[0] = direct ? y : cy;
  ir_clear_attrs(n);
  ir_set_attr_ints(n, "kernel_shape", (int64_t[]){ay->T, ax->T}, 2);
  ir_set_attr_ints(n, "pads", (int64_t[]){ay->P, ax->P, ay->Pe, ax->Pe}, 4);
  if (direct) return;
  /* a Relu / Clip or a unary table op (Tanh, Sigmoid, LeakyRelu, ...) reading only y: before the
   * interleave, on the phases, where the conv takes it (fuse, or the partition's table fusion) */
  int ri, in = cy, pos = i + 1;
  ir_node *r = cc_sole_consumer(g, y, &ri);
  float lo, hi;
  if (r && (((r->op == IR_OP_Relu || r->op == IR_OP_Clip) && cc_clip_bounds(g, r, &lo, &hi)) || cc_is_lut_op(g, r))) {
    snprintf(name, sizeof name, "%s_act", label);
    in = ir_add_tensor(g, name, &ct);
    r->in[0] = cy;
    y = r->out[0];
    r->out[0] = in;
    pos = ri + 1;
  }
  snprintf(name, sizeof name, "%s_interleave", label);
  ir_node *il = ir_add_node(g, IR_OP_Interleave, name, &in, 1, &y, 1);
  ir_set_op(il, IR_OP_Interleave);
  ir_set_attr_ints(il, "strides", (int64_t[]){ay->s, ax->s}, 2);
  ir_set_attr_int(il, "group", G);
  ir_set_attr_ints(il, "shape", (int64_t[]){M, ay->L, ax->L}, 3);
  ir_move_last_node(g, pos);
}

/* The Conv (group 1, constant weights) that DepthToSpace n reads, directly or through a Relu /
 * Clip (*act), each the only reader of the one before; NULL if none. */
static ir_node *d2s_conv(ir_graph *g, const ir_node *n, ir_node **act) {
  int pi;
  *act = NULL;
  ir_node *c = (ir_node *)ir_producer(g, n->in[0], &pi);
  float lo, hi;
  if (c && (c->op == IR_OP_Relu || c->op == IR_OP_Clip) && cc_clip_bounds(g, c, &lo, &hi) &&
      cc_sole_consumer(g, c->out[0], &pi) == n) {
    *act = c;
    c = (ir_node *)ir_producer(g, c->in[0], &pi);
    if (c && cc_sole_consumer(g, c->out[0], &pi) != *act) return NULL;
  } else if (c && cc_sole_consumer(g, c->out[0], &pi) != n) {
    return NULL;
  }
  if (!c || c->op != IR_OP_Conv || ir_attr_int(c, "group", 1) != 1 || !cc_is_const(g, c->in[1]) ||
      g->tensors[c->in[1]]->type.dtype != IR_F32 || g->tensors[c->in[1]]->type.rank != 4 ||
      (c->n_in > 2 && c->in[2] >= 0 && !cc_is_const(g, c->in[2])))
    return NULL;
  return c;
}

/* DepthToSpace n of a Conv's output (d2s_conv) whose phase groups are not whole blocks of the
 * target (CRD mode: channel-interleaved phases, as torch exports pixel_shuffle; or DCR with C
 * not a multiple of the block): the conv's output channels are reordered and padded into phase
 * groups of G = C rounded up to whole blocks (zero weights on the padding) and n becomes a
 * dlvta.Interleave of them. 1 if done. */
static int d2s_rewrite(ir_graph *g, ir_node *n, int64_t block) {
  const ir_type *yt = &g->tensors[n->out[0]]->type;
  int64_t b = ir_attr_int(n, "blocksize", 0), C = yt->dims[1];
  int crd = !strcmp(ir_attr_string(n, "mode", "DCR"), "CRD");
  ir_node *act, *c;
  if (yt->rank != 4 || !ir_type_known(yt) || yt->dims[0] != 1 || b < 1 || b > CONVT_MAX_S || (!crd && C % block == 0) ||
      !(c = d2s_conv(g, n, &act)))
    return 0;
  const ir_tensor *wt = g->tensors[c->in[1]];
  const float *ow = wt->data, *ob = c->n_in > 2 && c->in[2] >= 0 ? g->tensors[c->in[2]]->data : NULL;
  int64_t G = (C + block - 1) / block * block, S = b * b, K = wt->type.dims[1] * wt->type.dims[2] * wt->type.dims[3];
  float *v = calloc((size_t)(S * G * K), sizeof *v), *nb = calloc((size_t)(S * G), sizeof *nb);
  if (!v || !nb) return free(v), free(nb), 0;
  for (int64_t p = 0; p < S; p++)
    for (int64_t ch = 0; ch < C; ch++) {
      int64_t from = crd ? ch * S + p : p * C + ch;
      memcpy(v + (p * G + ch) * K, ow + from * K, (size_t)K * sizeof *v);
      nb[p * G + ch] = ob ? ob[from] : 0.0f;
    }
  char name[300];
  snprintf(name, sizeof name, "%s_phase_weight", g->tensors[c->out[0]]->name);
  int wi = cc_new_const_f32(g, name, (int64_t[]){S * G, wt->type.dims[1], wt->type.dims[2], wt->type.dims[3]}, 4, v);
  snprintf(name, sizeof name, "%s_phase_bias", g->tensors[c->out[0]]->name);
  int bi = cc_new_const_f32(g, name, (int64_t[]){S * G}, 1, nb);
  ir_set_inputs(c, (int[]){c->in[0], wi, bi}, 3);
  g->tensors[c->out[0]]->type.dims[1] = S * G;
  if (act) g->tensors[act->out[0]]->type.dims[1] = S * G;
  int64_t oh = yt->dims[2], ow2 = yt->dims[3];
  ir_set_op(n, IR_OP_Interleave);
  ir_clear_attrs(n);
  ir_set_attr_ints(n, "strides", (int64_t[]){b, b}, 2);
  ir_set_attr_int(n, "group", G);
  ir_set_attr_ints(n, "shape", (int64_t[]){C, oh, ow2}, 3);
  return 1;
}

/* DepthToSpace n (at i) that d2s_rewrite cannot take because no conv of its own makes its input
 * (a pixel shuffle after a table op, a Concat, a pool): an identity 1x1 Conv (C x C, exact) is put
 * before it, whose output channels d2s_rewrite then reorders: one pass of C MACs a pixel instead
 * of a CPU step with its conversions. The nodes inserted (0 or 1). */
static int d2s_identity(ir_graph *g, int i, ir_node *n, int64_t block) {
  const ir_type *xt = n->in[0] >= 0 ? &g->tensors[n->in[0]]->type : NULL;
  ir_node *act;
  int64_t b = ir_attr_int(n, "blocksize", 0);
  if (!xt || xt->rank != 4 || !ir_type_known(xt) || xt->dims[0] != 1 || xt->dtype != IR_F32 || cc_is_const(g, n->in[0]) ||
      b < 1 || b > CONVT_MAX_S || !ir_type_known(&g->tensors[n->out[0]]->type) ||
      (strcmp(ir_attr_string(n, "mode", "DCR"), "CRD") && g->tensors[n->out[0]]->type.dims[1] % block == 0) ||
      d2s_conv(g, n, &act))
    return 0;
  int64_t C = xt->dims[1];
  float *w = calloc((size_t)(C * C), sizeof *w);
  if (!w) return 0;
  for (int64_t c = 0; c < C; c++) w[c * C + c] = 1.0f;
  char name[300];
  snprintf(name, sizeof name, "%s_identity_weight", cc_node_label(g, n));
  int wi = cc_new_const_f32(g, name, (int64_t[]){C, C, 1, 1}, 4, w);
  snprintf(name, sizeof name, "%s_identity", cc_node_label(g, n));
  int y = ir_add_tensor(g, name, xt);
  ir_node *c = ir_add_node(g, IR_OP_Conv, name, (int[]){n->in[0], wi}, 2, &y, 1);
  ir_set_attr_ints(c, "kernel_shape", (int64_t[]){1, 1}, 2);
  ir_move_last_node(g, i);
  n->in[0] = y;
  return 1;
}

int cc_convt_to_conv(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
  (void)err, (void)errlen;
  if (!cx || !cx->cfg) return IR_OK;
  int64_t block = cc_layout_block(&cx->cfg->d);
  for (int i = 0; i < g->n_nodes; i++) {
    ir_node *n = g->nodes[i];
    if (!n->dead && n->op == IR_OP_DepthToSpace) {
      i += d2s_identity(g, i, n, block);
      d2s_rewrite(g, n, block);
    }
    if (n->dead || n->op != IR_OP_ConvTranspose) continue;
    phase_axis ay, ax;
    const char *why = convt_why_not(g, n, &ay, &ax);
    if (why) {
      ir_set_attr_string(n, "dlvta.why", why);
      continue;
    }
    convt_rewrite(g, i, n, &ay, &ax, block);
  }
  return IR_OK;
}
