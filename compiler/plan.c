/* compiler/plan.c -- the lower pass: every node of the graph in order through the lowering
 * (lower.c), a node the back end refuses retried on the CPU, then the model's inputs and
 * outputs, the image (arena, then each layer's constants) and the execution plan, which
 * --dump-after lower prints. See compile.h, lower.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"
#include "progress.h"

/* Assemble the image: arena, then each layer's constants at 4 KiB boundaries; move every
 * DRAM address past the arena-at-build-time of each layer's program to its new place. */
static int assemble(lw *L) {
  cc_model *m = L->m;
  const isa_config *cfg = m->cfg;
  uint64_t arena = 0;
  for (int t = 0; t < m->nt; t++) arena = m->t[t].offset + m->t[t].bytes;
  arena = (arena + ISA_IMAGE_ALIGN - 1) / ISA_IMAGE_ALIGN * ISA_IMAGE_ALIGN;
  uint64_t at = arena;
  uint64_t *place = malloc(((size_t)m->nl + 1) * sizeof *place);
  if (!place) return cc_lower_fail(L, NULL, "out of memory");
  for (int i = 0; i < m->nl; i++) {
    place[i] = at;
    at = (at + L->bl[i].n + ISA_IMAGE_ALIGN - 1) / ISA_IMAGE_ALIGN * ISA_IMAGE_ALIGN;
  }
  m->arena_bytes = arena;
  m->image_bytes = at;
  m->image = calloc(at + 1, 1);
  if (!m->image) return free(place), cc_lower_fail(L, NULL, "out of memory");
  for (int i = 0; i < m->nl; i++) {
    const blob *b = &L->bl[i];
    memcpy(m->image + place[i], b->p, b->n);
    uint64_t delta = place[i] - b->c;
    for (uint32_t k = 0; k < m->l[i].n_insns; k++) {
      isa_insn in;
      if (isa_decode(cfg, &m->l[i].insns[k], &in) != ISA_OK) continue;
      unsigned op = in.f[ISA_F_opcode];
      if (op != ISA_OP_LOAD && op != ISA_OP_STORE) continue;
      unsigned eb = cfg->elem_bytes[in.f[ISA_F_mem]];
      uint64_t a = (uint64_t)in.f[ISA_F_dram] * eb;
      if (a < b->b) continue;
      if (delta % eb || (a + delta) / eb > 0xffffffffull) {
        free(place);
        return cc_lower_fail(L, NULL, "layer %d: instruction %u: constant address cannot be moved", i, k);
      }
      isa_set(cfg, &m->l[i].insns[k], ISA_F_dram, (uint32_t)((a + delta) / eb));
    }
  }
  free(place);
  return IR_OK;
}

/* Frees the lowering's scratch (not the model). */
static void lw_free(lw *L) {
  if (L->bl)
    for (int i = 0; i < (L->m ? L->m->nl : 0); i++) free(L->bl[i].p);
  free(L->bl);
  free(L->acc);
  free(L->rgi);
  for (int t = 0; L->map && t < L->g->n_tensors; t++) free(L->map[t]);
  free(L->map);
  L->map = NULL;
  free(L->dsfuse);
  L->dsfuse = NULL;
  L->bl = NULL, L->acc = L->rgi = NULL;
}

/* One attempt at lowering all of g. IR_OK, or IR_ERR with L->refused >= 0 when the back end
 * refused node L->refused (the caller retries with it on the CPU). */
static int lower_once(lw *L) {
  ir_graph *g = L->g;
  cc_model *m = calloc(1, sizeof *m);
  if (!m) return cc_lower_fail(L, NULL, "out of memory");
  L->m = m;
  L->refused = -1;
  m->cfg = L->cx->cfg;
  snprintf(m->name, sizeof m->name, "%s", g->name ? g->name : "model");
  m->net = cg_net_new(m->cfg);
  m->net_free = cg_net_free;
  if (!m->net) return cc_lower_fail(L, NULL, "config '%s': %s", m->cfg->d.name, cg_net_new_error());
  m->g = ir_graph_new(m->name);
  if (m->g) m->g->opset = g->opset; /* the CPU nodes mean what they meant in the model */
  L->acc = malloc(((size_t)g->n_tensors + 1) * sizeof(int));
  L->dsfuse = malloc((size_t)g->n_nodes + 1);
  if (L->dsfuse) memset(L->dsfuse, -1, (size_t)g->n_nodes + 1);
  L->rgi = malloc(((size_t)g->n_tensors + 1) * sizeof(int));
  L->map = calloc((size_t)g->n_tensors + 1, sizeof *L->map);
  if (!L->map) return cc_lower_fail(L, NULL, "out of memory");
  if (!L->acc || !L->rgi || !L->dsfuse) return cc_lower_fail(L, NULL, "out of memory");
  for (int t = 0; t < g->n_tensors; t++) L->acc[t] = L->rgi[t] = -1;
  m->g->inputs = malloc(((size_t)g->n_inputs + 1) * sizeof(int));
  m->g->outputs = malloc(((size_t)g->n_outputs + 1) * sizeof(int));
  if (!m->g->inputs || !m->g->outputs) return cc_lower_fail(L, NULL, "out of memory");
  for (int i = 0; i < g->n_inputs; i++) {
    int t = g->inputs[i];
    L->rgi[t] = ir_add_tensor(m->g, g->tensors[t]->name, &g->tensors[t]->type);
    m->g->inputs[m->g->n_inputs++] = L->rgi[t];
  }
  cc_share_concat_quant(L);
  util_progress_begin("lower (tile search)");
  for (int i = 0; i < g->n_nodes; i++) {
    if (g->nodes[i]->dead) continue;
    char what[160];
    snprintf(what, sizeof what, "node %d of %d: %.120s", i + 1, g->n_nodes, g->nodes[i]->name);
    util_progress((double)i / g->n_nodes, what);
    int rc = cc_lower_node(L, i);
    if (rc) return util_progress_end(), rc;
  }
  util_progress_end();
  for (int i = 0; i < g->n_outputs; i++) {
    int f = cc_float_of(L, g->outputs[i]);
    if (f < 0) return IR_ERR;
    m->g->outputs[m->g->n_outputs++] = f;
  }
  m->n_in = g->n_inputs, m->n_out = m->g->n_outputs;
  m->in = calloc((size_t)m->n_in + 1, sizeof *m->in);
  m->out = calloc((size_t)m->n_out + 1, sizeof *m->out);
  if (!m->in || !m->out) return cc_lower_fail(L, NULL, "out of memory");
  for (int i = 0; i < m->n_in; i++) {
    m->in[i] = (cc_mio){m->g->inputs[i], -1, i < CC_MAX_SRC_INPUTS ? L->cx->input_dtype[i] : 0};
    for (int s = 0; s < m->ns; s++)
      if (m->s[s].kind == CC_STEP_QUANT && m->s[s].a == m->g->inputs[i]) m->in[i].acc = m->s[s].b;
  }
  for (int i = 0; i < m->n_out; i++) {
    m->out[i] = (cc_mio){m->g->outputs[i], -1, 0};
    for (int s = 0; s < m->ns; s++)
      if (m->s[s].kind == CC_STEP_DEQUANT && m->s[s].b == m->g->outputs[i]) m->out[i].acc = m->s[s].a;
  }
  return assemble(L);
}

/* Print the plan of m: one line per step. */
static void plan_dump(const cc_model *m, FILE *df) {
  fprintf(df, "## plan (%d steps, %d accelerator layers, %d accelerator tensors, image %llu bytes)\n", m->ns, m->nl,
          m->nt, (unsigned long long)m->image_bytes);
  for (int i = 0; i < m->ns; i++) {
    const cc_mstep *s = &m->s[i];
    switch (s->kind) {
    case CC_STEP_QUANT:
      fprintf(df, "  %4d QUANT   %s -> t%d%s (scale %g zp %d)\n", i, m->g->tensors[s->a]->name, s->b,
              m->t[s->b].im2col ? " im2col" : "", m->t[s->b].scale, m->t[s->b].zp);
      break;
    case CC_STEP_DEQUANT: fprintf(df, "  %4d DEQUANT t%d -> %s\n", i, s->a, m->g->tensors[s->b]->name); break;
    case CC_STEP_ACCEL: {
      const cc_mlayer *l = &m->l[s->a];
      fprintf(df, "  %4d ACCEL   L%d %s '%s' t%d -> t%d: %s, %u insns, predicted %llu cycles\n", i, s->a, l->op,
              l->node, l->in, l->out, l->desc, l->n_insns, (unsigned long long)l->predicted_cycles);
      break;
    }
    default: {
      const ir_node *n = m->g->nodes[s->a];
      fprintf(df, "  %4d CPU     %s '%s'\n", i, n->op_name, n->name);
    }
    }
  }
}

/* Lowers the partitioned, calibrated graph into the compile's cc_model (see compile.h). A
 * layer the back end refuses (no tiling fits, unsupported geometry, unrepresentable scale)
 * moves that node to the CPU and lowering starts again. With --dump-after lower, the plan is
 * printed after the IR. */
int cc_lower(ir_graph *g, cc_ctx *cx, char *err, size_t errlen) {
  if (!cx->cfg) return IR_OK;
  const cc_options *o = cx->o;
  for (int attempt = 0;; attempt++) {
    lw L = {.g = g, .cx = cx, .err = err, .errlen = errlen};
    int rc = lower_once(&L);
    lw_free(&L);
    if (rc == IR_OK) {
      cx->model = L.m;
      break;
    }
    cc_model_free(L.m);
    if (L.refused < 0 || attempt > g->n_nodes) return rc;
    ir_node *n = g->nodes[L.refused];
    if (cx->o->log) fprintf(cx->o->log, "note: %s -> CPU fallback\n", err);
    ir_set_attr_string(n, "dlvta.target", "cpu");
    const char *why = strstr(err, "): "); /* the back end's reason, after "file: node 'x' (Op)" */
    ir_set_attr_string(n, "dlvta.why", why ? why + 3 : "the back end refused it");
    /* what was fused after it goes with it (a conv's table op, and that table's clamp) */
    for (ir_node *c = cc_fused_after(g, n->out[0]); c; c = cc_fused_after(g, c->out[0]))
      ir_set_attr_string(c, "dlvta.target", "cpu");
    /* a refused channel shuffle (n is its last Reshape): its Transpose and first Reshape go to
     * the CPU with it */
    for (int k = 0, pi; k < 2 && n->op == (k ? IR_OP_Transpose : IR_OP_Reshape); k++) {
      ir_node *pn = (ir_node *)ir_producer(g, n->in[0], &pi);
      if (!pn || strcmp(ir_attr_string(pn, "dlvta.target", ""), "fused") ||
          (pn->op != IR_OP_Transpose && pn->op != IR_OP_Reshape))
        break;
      ir_set_attr_string(pn, "dlvta.target", "cpu");
      n = pn;
    }
    for (int i = 0; i < g->n_nodes; i++) i += cc_cpu_grid(g, i, cx); /* (QDQ) what it now reads and writes */
  }
  if (o->dump_after && (!strcmp(o->dump_after, "lower") || !strcmp(o->dump_after, "all")))
    plan_dump(cx->model, o->dump_to ? o->dump_to : stderr);
  return IR_OK;
}
