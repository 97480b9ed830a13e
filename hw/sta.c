/* hw/sta.c -- static timing estimate of a flattened yosys netlist (write_json after synth_xilinx
 * -flatten, families xc7 and xcup): a longest-path analysis over every register-to-register path,
 * with timing arcs for every cell synth_xilinx emits (LUTs, MUXF7/8, CARRY4/8, flip-flops, LUT
 * RAM and shift registers, block RAM, DSP), a routing allowance per net and a clock uncertainty.
 * The numbers, their sources and the method are in hw/TIMING.md; the arc tables below carry the
 * same numbers. It also reads yosys's own `sta` output (plain and -nocarry -nowidelut runs) and
 * puts its worst path into the report, so that one file holds both views.
 *
 *   sta --config NAME --family xc7|xcup --mhz MHZ [--top MODULE] [--part PART] [--paths N]
 *       [--source TEXT] [--sta-plain STA.txt] [--sta-nocarry STA.txt] [--nocarry-netlist JSON]
 *       [--txt OUT.txt] [--json OUT.json] NETLIST.json
 *
 * Paths start at a clocked output (flip-flop Q, block-RAM / DSP / LUT-RAM clock-to-out) or at an
 * input of the top (taken as registered: it arrives a flip-flop clock-to-out after the edge) and
 * end at a clocked input's setup or at an output of the top (taken as registered: a flip-flop
 * setup). A path's delay is clock-to-out + cell arcs + routing + setup + clock uncertainty.
 *
 * Exit status: 0 the config meets its clock by this method; 1 it does not (the report is still
 * written); 2 bad arguments, unreadable input, a cell without a timing model, a combinational loop.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *prog = "sta";

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "%s: ", prog);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(2);
}

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) die("out of memory (%zu bytes)", n);
  return p;
}

static void *xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p) die("out of memory (%zu bytes)", n);
  return p;
}

/* ---------------------------------------------------------------------------------------------
 * A small JSON reader. Strings are unescaped in place in the file's buffer; arrays whose elements
 * are all numbers or yosys's constant bits ("0", "1", "x", "z") become packed int arrays (BITS,
 * constants as negative values), which keeps a large netlist's tree small. */

enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ, J_BITS };
enum { BIT_0 = -1, BIT_1 = -2, BIT_X = -3, BIT_Z = -4 };

typedef struct jv jv;
struct jv {
  int type;
  int n;            /* elements of ARR / OBJ / BITS */
  const char *s;    /* STR */
  double num;       /* NUM, BOOL */
  jv *kids;         /* ARR, OBJ values */
  const char **keys; /* OBJ keys */
  int *bits;        /* BITS */
};

typedef struct jparser {
  char *p, *end;
  const char *file;
  char *base;
  const char *skip_key;   /* in the object at depth 2 under "modules", skip every key but this */
  jv *stack;              /* scratch of pending container elements */
  const char **kstack;
  size_t sp, scap;
} jparser;

static void jerr(jparser *j, const char *what) {
  long line = 1;
  for (char *q = j->base; q < j->p && q < j->end; q++) line += *q == '\n';
  die("%s:%ld: JSON: %s", j->file, line, what);
}

static void jws(jparser *j) {
  while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t')) j->p++;
}

/* Parses a string at j->p (the opening quote) and returns it unescaped, NUL-terminated. */
static const char *jstr(jparser *j) {
  if (*j->p != '"') jerr(j, "string expected");
  char *out = ++j->p, *o = out;
  for (;;) {
    if (j->p >= j->end) jerr(j, "unterminated string");
    char c = *j->p++;
    if (c == '"') break;
    if (c == '\\') {
      if (j->p >= j->end) jerr(j, "bad escape");
      c = *j->p++;
      switch (c) {
      case 'n': c = '\n'; break;
      case 't': c = '\t'; break;
      case 'r': c = '\r'; break;
      case 'b': c = '\b'; break;
      case 'f': c = '\f'; break;
      case 'u': {
        if (j->end - j->p < 4) jerr(j, "bad \\u escape");
        unsigned v = (unsigned)strtoul((char[5]){j->p[0], j->p[1], j->p[2], j->p[3], 0}, NULL, 16);
        j->p += 4;
        c = v < 128 ? (char)v : '?';
        break;
      }
      default: break; /* \" \\ \/ */
      }
    }
    *o++ = c;
  }
  *o = '\0'; /* o < j->p: the closing quote's place at the latest */
  return out;
}

/* Skips one value without building it (modules other than the top). */
static void jskip_str(jparser *j) {
  j->p++;
  while (j->p < j->end && *j->p != '"') j->p += *j->p == '\\' ? 2 : 1;
  j->p++;
}

static void jskip(jparser *j) {
  jws(j);
  if (j->p >= j->end) jerr(j, "unexpected end");
  if (*j->p == '"') {
    jskip_str(j);
    return;
  }
  if (*j->p == '{' || *j->p == '[') {
    int depth = 0;
    do {
      char c = *j->p;
      if (c == '"') {
        jskip_str(j);
        continue;
      }
      if (c == '{' || c == '[') depth++;
      else if (c == '}' || c == ']') depth--;
      j->p++;
    } while (depth > 0 && j->p < j->end);
    if (depth > 0) jerr(j, "unexpected end");
    return;
  }
  while (j->p < j->end && *j->p != ',' && *j->p != '}' && *j->p != ']' && *j->p != ' ' && *j->p != '\n') j->p++;
}

static void jpush(jparser *j, jv v, const char *key) {
  if (j->sp == j->scap) {
    j->scap = j->scap ? 2 * j->scap : 4096;
    j->stack = xrealloc(j->stack, j->scap * sizeof *j->stack);
    j->kstack = xrealloc(j->kstack, j->scap * sizeof *j->kstack);
  }
  j->kstack[j->sp] = key;
  j->stack[j->sp++] = v;
}

static int const_bit(const jv *v) {
  if (v->type != J_STR || !v->s[0] || v->s[1]) return 0;
  return v->s[0] == '0' ? BIT_0 : v->s[0] == '1' ? BIT_1 : v->s[0] == 'x' ? BIT_X : v->s[0] == 'z' ? BIT_Z : 0;
}

static jv jparse(jparser *j, int depth, int in_modules);

static jv jcontainer(jparser *j, int depth, int in_modules) {
  int obj = *j->p == '{';
  char close = obj ? '}' : ']';
  size_t mark = j->sp;
  j->p++;
  jws(j);
  if (*j->p != close) {
    for (;;) {
      const char *key = NULL;
      jws(j);
      if (obj) {
        key = jstr(j);
        jws(j);
        if (*j->p != ':') jerr(j, "':' expected");
        j->p++;
        jws(j);
        /* modules other than the top are not needed: skip them without building a tree */
        if (in_modules && j->skip_key && strcmp(key, j->skip_key) != 0) {
          jskip(j);
          goto next;
        }
      }
      jpush(j, jparse(j, depth + 1, obj && depth == 0 && strcmp(key, "modules") == 0), key);
    next:
      jws(j);
      if (*j->p == ',') {
        j->p++;
        continue;
      }
      if (*j->p == close) break;
      jerr(j, obj ? "',' or '}' expected" : "',' or ']' expected");
    }
  }
  j->p++;
  jv v = {0};
  size_t n = j->sp - mark;
  v.n = (int)n;
  int packed = !obj && n > 0;
  for (size_t i = mark; packed && i < j->sp; i++)
    packed = j->stack[i].type == J_NUM || const_bit(&j->stack[i]);
  if (packed) {
    v.type = J_BITS;
    v.bits = xmalloc(n * sizeof *v.bits);
    for (size_t i = 0; i < n; i++) {
      jv *e = &j->stack[mark + i];
      v.bits[i] = e->type == J_NUM ? (int)e->num : const_bit(e);
    }
  } else {
    v.type = obj ? J_OBJ : J_ARR;
    v.kids = xmalloc(n * sizeof *v.kids);
    memcpy(v.kids, j->stack + mark, n * sizeof *v.kids);
    if (obj) {
      v.keys = xmalloc(n * sizeof *v.keys);
      memcpy(v.keys, j->kstack + mark, n * sizeof *v.keys);
    }
  }
  j->sp = mark;
  return v;
}

static jv jparse(jparser *j, int depth, int in_modules) {
  jws(j);
  if (j->p >= j->end) jerr(j, "unexpected end");
  jv v = {0};
  char c = *j->p;
  if (c == '{' || c == '[') return jcontainer(j, depth, in_modules);
  if (c == '"') {
    v.type = J_STR;
    v.s = jstr(j);
    return v;
  }
  if (!strncmp(j->p, "true", 4) || !strncmp(j->p, "false", 5)) {
    v.type = J_BOOL;
    v.num = *j->p == 't';
    j->p += *j->p == 't' ? 4 : 5;
    return v;
  }
  if (!strncmp(j->p, "null", 4)) {
    j->p += 4;
    return v;
  }
  char *e;
  v.type = J_NUM;
  v.num = strtod(j->p, &e);
  if (e == j->p) jerr(j, "value expected");
  j->p = e;
  return v;
}

static const jv *jget(const jv *o, const char *key) {
  if (!o || o->type != J_OBJ) return NULL;
  for (int i = 0; i < o->n; i++)
    if (!strcmp(o->keys[i], key)) return &o->kids[i];
  return NULL;
}

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) die("cannot open %s: %s", path, strerror(errno));
  size_t cap = 1 << 20, n = 0;
  char *buf = xmalloc(cap);
  for (;;) {
    if (n + 1 >= cap) buf = xrealloc(buf, cap *= 2);
    size_t r = fread(buf + n, 1, cap - n - 1, f);
    if (r == 0) break;
    n += r;
  }
  if (ferror(f)) die("cannot read %s", path);
  fclose(f);
  buf[n] = '\0';
  *len = n;
  return buf;
}

/* ---------------------------------------------------------------------------------------------
 * The netlist: the top module's cells and ports, bits as yosys numbers them (one id per net). */

typedef struct port {
  const char *name;
  int out; /* 1 output, 0 input (inout counts as input) */
  int n;
  const int *bits;
} port;

typedef struct cell {
  const char *name, *type;
  int hidden;
  const jv *params;
  int nports;
  port *ports;
} cell;

typedef struct netlist {
  const char *top;
  int ncells;
  cell *cells;
  int nports;
  port *ports; /* of the top */
  int nbits;   /* bit ids are < nbits */
  const char **bitname; /* a readable name per bit (netnames), or NULL */
  int *bitname_idx;     /* index of the bit in that net, -1 for a 1-bit net */
  int *bitname_hidden;
} netlist;

static int name_is_better(const char *cand, int cand_hidden, const char *cur, int cur_hidden) {
  if (!cur) return 1;
  if (cand_hidden != cur_hidden) return !cand_hidden;
  size_t a = strlen(cand), b = strlen(cur);
  return a != b ? a < b : strcmp(cand, cur) < 0;
}

static void load_netlist(netlist *nl, const char *path, const char *top) {
  size_t len;
  char *buf = read_file(path, &len);
  jparser j = {.p = buf, .end = buf + len, .file = path, .base = buf, .skip_key = top};
  jv root = jparse(&j, 0, 0);
  const jv *mods = jget(&root, "modules");
  if (!mods || mods->type != J_OBJ) die("%s: no \"modules\" (not a yosys write_json netlist?)", path);
  const jv *m = jget(mods, top);
  if (!m) die("%s: no module '%s' in the netlist", path, top);
  nl->top = top;
  int maxbit = 1;
  const jv *cells = jget(m, "cells"), *ports = jget(m, "ports"), *nets = jget(m, "netnames");
  /* ports of the top */
  nl->nports = ports ? ports->n : 0;
  nl->ports = xmalloc((size_t)nl->nports * sizeof *nl->ports);
  for (int i = 0; i < nl->nports; i++) {
    const jv *p = &ports->kids[i], *d = jget(p, "direction"), *b = jget(p, "bits");
    port *q = &nl->ports[i];
    q->name = ports->keys[i];
    q->out = d && d->type == J_STR && !strcmp(d->s, "output");
    q->n = b && b->type == J_BITS ? b->n : 0;
    q->bits = q->n ? b->bits : NULL;
    for (int k = 0; k < q->n; k++)
      if (q->bits[k] >= maxbit) maxbit = q->bits[k] + 1;
  }
  nl->ncells = cells ? cells->n : 0;
  nl->cells = xmalloc((size_t)nl->ncells * sizeof *nl->cells);
  for (int i = 0; i < nl->ncells; i++) {
    const jv *c = &cells->kids[i];
    cell *q = &nl->cells[i];
    const jv *t = jget(c, "type"), *h = jget(c, "hide_name"), *pd = jget(c, "port_directions"),
             *cn = jget(c, "connections");
    if (!t || t->type != J_STR) die("%s: cell %s has no type", path, cells->keys[i]);
    q->name = cells->keys[i];
    q->type = t->s;
    q->hidden = h && h->num != 0;
    q->params = jget(c, "parameters");
    q->nports = cn ? cn->n : 0;
    q->ports = xmalloc((size_t)q->nports * sizeof *q->ports);
    for (int k = 0; k < q->nports; k++) {
      port *p = &q->ports[k];
      const jv *b = &cn->kids[k], *d = jget(pd, cn->keys[k]);
      p->name = cn->keys[k];
      if (!d || d->type != J_STR)
        die("%s: cell %s (%s): no direction for port %s (write_json of a flattened, mapped "
            "netlist expected)", path, q->name, q->type, p->name);
      p->out = !strcmp(d->s, "output");
      p->n = b->type == J_BITS ? b->n : 0;
      p->bits = p->n ? b->bits : NULL;
      for (int k2 = 0; k2 < p->n; k2++)
        if (p->bits[k2] >= maxbit) maxbit = p->bits[k2] + 1;
    }
  }
  nl->nbits = maxbit;
  nl->bitname = calloc((size_t)maxbit, sizeof *nl->bitname);
  nl->bitname_idx = calloc((size_t)maxbit, sizeof *nl->bitname_idx);
  nl->bitname_hidden = calloc((size_t)maxbit, sizeof *nl->bitname_hidden);
  if (!nl->bitname || !nl->bitname_idx || !nl->bitname_hidden) die("out of memory");
  for (int i = 0; nets && i < nets->n; i++) {
    const jv *nn = &nets->kids[i], *b = jget(nn, "bits"), *h = jget(nn, "hide_name");
    int hidden = h && h->num != 0;
    if (!b || b->type != J_BITS) continue;
    for (int k = 0; k < b->n; k++) {
      int id = b->bits[k];
      if (id < 0 || id >= maxbit) continue;
      if (name_is_better(nets->keys[i], hidden, nl->bitname[id], nl->bitname_hidden[id])) {
        nl->bitname[id] = nets->keys[i];
        nl->bitname_idx[id] = b->n > 1 ? k : -1;
        nl->bitname_hidden[id] = hidden;
      }
    }
  }
}

static const port *cell_port(const cell *c, const char *name) {
  for (int i = 0; i < c->nports; i++)
    if (!strcmp(c->ports[i].name, name)) return &c->ports[i];
  return NULL;
}

/* A parameter as an integer (yosys writes them as binary strings) or a string. */
static long param_int(const cell *c, const char *name, long def) {
  const jv *v = jget(c->params, name);
  if (!v) return def;
  if (v->type == J_NUM) return (long)v->num;
  if (v->type != J_STR) return def;
  long x = 0;
  for (const char *s = v->s; *s; s++) {
    if (*s != '0' && *s != '1' && *s != 'x' && *s != 'z') return def;
    x = x * 2 + (*s == '1');
  }
  return x;
}

static const char *param_str(const cell *c, const char *name, const char *def) {
  const jv *v = jget(c->params, name);
  if (!v || v->type != J_STR) return def;
  /* yosys appends a space to a string parameter that would read as a binary number */
  static char buf[64];
  size_t n = strlen(v->s);
  if (n && n < sizeof buf && v->s[n - 1] == ' ') {
    memcpy(buf, v->s, n - 1);
    buf[n - 1] = '\0';
    return buf;
  }
  return v->s;
}

/* ---------------------------------------------------------------------------------------------
 * The timing model of a family (hw/TIMING.md). All delays in ps. */

typedef struct model {
  const char *family;
  /* scale of the xc7 (yosys cells_sim.v) numbers by cell class, in 1/1000 */
  int lut, mux, carry4, ff, lutram, bram, dsp;
  int ff_d_setup;          /* flip-flop D setup */
  int route_base, route_fo; /* routing allowance per net: base + per doubling of fanout */
  int route_max;
  int uncertainty;          /* clock uncertainty, added once per path */
} model;

static const model models[] = {
    /* xc7: yosys's own Xilinx 7-series numbers unscaled */
    {"xc7", 1000, 1000, 1000, 1000, 1000, 1000, 1000, 0, 400, 100, 1500, 150},
    /* xcup: no UltraScale+ numbers in yosys: 7-series numbers scaled by class, calibrated on
     * Vivado xczu3eg-1 reports (hw/TIMING.md); CARRY8 has its own arcs below */
    {"xcup", 300, 350, 500, 350, 700, 800, 800, 50, 300, 80, 1200, 100},
};

static const model *M;

static int sc(int ps, int scale) { return (int)(((long)ps * scale + 999) / 1000); }

/* LUT input pin delays (cells_sim.v LUT6: I0 slowest .. I5 fastest) for an n-input LUT. */
static int lut_pin(int n, int pin) {
  static const int lut6[6] = {642, 631, 472, 407, 238, 127};
  /* LUTk input i has the delay of LUT6 input i + (6 - k): cells_sim.v's LUT1..5 tables */
  int i = pin + (6 - n);
  return i >= 0 && i < 6 ? lut6[i] : 642;
}

/* CARRY4 arcs, cells_sim.v (prjxray CLBLL_L.sdf): [from][to], from 0..3 S, 4..7 DI, 8 CI, 9 CYINIT;
 * to 0..3 O, 4..7 CO; 0 = no arc. */
static const short carry4_arc[10][8] = {
    /* O0   O1   O2   O3   CO0  CO1  CO2  CO3 */
    {223, 400, 523, 582, 340, 433, 512, 508}, /* S0 */
    {0, 205, 558, 618, 0, 469, 548, 528},     /* S1 */
    {0, 0, 226, 330, 0, 0, 292, 378},         /* S2 */
    {0, 0, 0, 227, 0, 0, 0, 380},             /* S3 */
    {0, 407, 556, 615, 379, 465, 540, 526},   /* DI0 */
    {0, 0, 537, 596, 0, 445, 520, 507},       /* DI1 */
    {0, 0, 0, 438, 0, 0, 356, 398},           /* DI2 */
    {0, 0, 0, 0, 0, 0, 0, 385},               /* DI3 */
    {222, 334, 239, 313, 271, 157, 228, 114}, /* CI */
    {482, 598, 584, 642, 536, 494, 592, 580}, /* CYINIT */
};

/* ---------------------------------------------------------------------------------------------
 * The timing graph: nodes are nets (bit ids) and per-cell virtual nodes; edges carry a cell
 * delay and a routing delay. */

typedef struct edge {
  int from, to;
  int cell_ps, route_ps;
  int cell;                 /* index in the netlist, -1 for none */
  const char *inport, *outport;
  int inbit, outbit;
} edge;

typedef struct endpoint {
  int node;
  int setup_ps, route_ps;
  int cell;     /* -1: an output of the top */
  const char *port;
  int bit;
  long total;   /* filled by the analysis */
  long cell_total;
} endpoint;

typedef struct graph {
  int nnodes, cap_nodes;
  int *launch_ps;           /* per node: clock-to-out if a path starts here, else -1 */
  int *launch_cell;         /* the launching cell, -1 for an input of the top */
  const char **launch_port;
  edge *e;
  size_t ne, cap_e;
  endpoint *ep;
  size_t nep, cap_ep;
  /* per net: fanout (input pins), driver cell and port */
  int *fanout, *drv_cell;
  const char **drv_port;
  int unmodelled;           /* count of cell types without a model (errors already printed) */
  int dsp_int_ps;           /* worst register-to-register stage inside a DSP slice (0: none) */
  int dsp_int_cell;         /* its cell */
} graph;

static graph G;
static const netlist *NL;

static int new_vnode(void) {
  if (G.nnodes == G.cap_nodes) {
    G.cap_nodes *= 2;
    G.launch_ps = xrealloc(G.launch_ps, (size_t)G.cap_nodes * sizeof *G.launch_ps);
    G.launch_cell = xrealloc(G.launch_cell, (size_t)G.cap_nodes * sizeof *G.launch_cell);
    G.launch_port = xrealloc(G.launch_port, (size_t)G.cap_nodes * sizeof *G.launch_port);
  }
  G.launch_ps[G.nnodes] = -1;
  G.launch_cell[G.nnodes] = -1;
  G.launch_port[G.nnodes] = NULL;
  return G.nnodes++;
}

static void add_edge(edge e) {
  if (G.ne == G.cap_e) {
    G.cap_e = G.cap_e ? 2 * G.cap_e : 1 << 16;
    G.e = xrealloc(G.e, G.cap_e * sizeof *G.e);
  }
  G.e[G.ne++] = e;
}

static int is_type(const char *t, const char *prefix) { return !strncmp(t, prefix, strlen(prefix)); }

/* Is the connection from net `net` into (cell c, port p) a dedicated one (carry chain, F7/F8
 * mux, LUT into its own carry or mux, DSP and block-RAM cascades): no routing allowance. */
static int dedicated(int net, const cell *c, const char *p) {
  int d = G.drv_cell[net];
  if (d < 0) return 0;
  const cell *dc = &NL->cells[d];
  const char *dp = G.drv_port[net];
  if (is_type(dc->type, "CARRY") && !strcmp(dp, "CO") && is_type(c->type, "CARRY") &&
      (!strcmp(p, "CI") || !strcmp(p, "CI_TOP")))
    return 1;
  if (is_type(dc->type, "LUT") && !strcmp(c->type, "MUXF7") && strcmp(p, "S") != 0) return 1;
  if (!strcmp(dc->type, "MUXF7") && !strcmp(c->type, "MUXF8") && strcmp(p, "S") != 0) return 1;
  if (!strcmp(dc->type, "MUXF8") && !strcmp(c->type, "MUXF9") && strcmp(p, "S") != 0) return 1;
  if (is_type(dc->type, "LUT") && is_type(c->type, "CARRY") && !strcmp(p, "S")) return 1;
  if (is_type(dc->type, "DSP48") && is_type(c->type, "DSP48") && strstr(dp, "OUT") &&
      (strstr(dp, "COUT") || !strcmp(dp, "MULTSIGNOUT")) && strstr(p, "IN"))
    return 1;
  if (is_type(dc->type, "RAMB") && is_type(c->type, "RAMB") && !strncmp(dp, "CAS", 3)) return 1;
  return 0;
}

static int route_ps(int net, const cell *c, const char *p) {
  if (c && dedicated(net, c, p)) return 0;
  int fo = G.fanout[net] > 0 ? G.fanout[net] : 1;
  int r = M->route_base + (int)lround(M->route_fo * log2((double)fo));
  return r > M->route_max ? M->route_max : r;
}

/* The slice output mux a MUXF7 / MUXF8 output crosses when it leaves the slice (CMUX 174, BMUX
 * 192: cells_sim.v's $__ABC9_LUT7/8 models), i.e. on every connection but the dedicated F7 -> F8
 * one; a cell delay, charged on the connection. */
static int outmux_ps(int net, const cell *c, const char *p) {
  int d = G.drv_cell[net];
  if (d < 0 || (c && dedicated(net, c, p))) return 0;
  const char *t = NL->cells[d].type;
  return !strcmp(t, "MUXF7") ? sc(174, M->mux) : !strcmp(t, "MUXF8") || !strcmp(t, "MUXF9") ? sc(192, M->mux) : 0;
}

/* One arc from input (port, bit) of cell ci to output (port, bit). */
static void arc1(int ci, const port *in, int ib, const port *out, int ob, int ps) {
  if (!in || !out || ib >= in->n || ob >= out->n) return;
  int a = in->bits[ib], b = out->bits[ob];
  if (a < 0 || b < 0) return;
  const cell *c = &NL->cells[ci];
  add_edge((edge){a, b, ps + outmux_ps(a, c, in->name), route_ps(a, c, in->name), ci, in->name, out->name, ib, ob});
}

/* Arcs from every bit of `in` to every bit of `out` (a full `*>` connection): through one
 * virtual node, so that a 48x48 DSP arc is 96 edges, not 2304. */
static void arc_full(int ci, const port *in, const port *out, int ps) {
  if (!in || !out) return;
  int any = 0;
  for (int k = 0; k < in->n; k++) any |= in->bits[k] >= 0;
  if (!any) return;
  const cell *c = &NL->cells[ci];
  int v = new_vnode();
  for (int k = 0; k < in->n; k++)
    if (in->bits[k] >= 0)
      add_edge((edge){in->bits[k], v, outmux_ps(in->bits[k], c, in->name), route_ps(in->bits[k], c, in->name), ci,
                      in->name, NULL, k, -1});
  for (int k = 0; k < out->n; k++)
    if (out->bits[k] >= 0) add_edge((edge){v, out->bits[k], ps, 0, ci, in->name, out->name, -1, k});
}

static void launch(int ci, const port *out, int ob, int ps) {
  if (!out) return;
  for (int k = 0; k < out->n; k++) {
    if (ob >= 0 && k != ob) continue;
    int b = out->bits[k];
    if (b < 0) continue;
    if (ps > G.launch_ps[b]) {
      G.launch_ps[b] = ps;
      G.launch_cell[b] = ci;
      G.launch_port[b] = out->name;
    }
  }
}

static void capture(int ci, const port *in, int ib, int ps) {
  if (!in) return;
  const cell *c = ci >= 0 ? &NL->cells[ci] : NULL;
  for (int k = 0; k < in->n; k++) {
    if (ib >= 0 && k != ib) continue;
    int b = in->bits[k];
    if (b < 0) continue;
    if (G.nep == G.cap_ep) {
      G.cap_ep = G.cap_ep ? 2 * G.cap_ep : 4096;
      G.ep = xrealloc(G.ep, G.cap_ep * sizeof *G.ep);
    }
    G.ep[G.nep++] = (endpoint){b, ps + outmux_ps(b, c, in->name), route_ps(b, c, in->name), ci, in->name, k, 0, 0};
  }
}

/* --- models per cell class ------------------------------------------------------------------ */

static void model_lut(int ci, const cell *c) {
  int n = c->type[3] - '0';
  const port *o = cell_port(c, "O");
  for (int i = 0; i < n; i++) {
    char pin[4] = {'I', (char)('0' + i), 0, 0};
    arc1(ci, cell_port(c, pin), 0, o, 0, sc(lut_pin(n, i), M->lut));
  }
}

/* MUXF7/8: cells_sim.v arcs; the slice output mux is added where the output leaves the slice
 * (outmux_ps). MUXF9 (UltraScale+ only, no yosys numbers) as MUXF8. */
static void model_muxf(int ci, const cell *c) {
  int f8 = strcmp(c->type, "MUXF7") != 0;
  const port *o = cell_port(c, "O");
  arc1(ci, cell_port(c, "I0"), 0, o, 0, sc(f8 ? 104 : 217, M->mux));
  arc1(ci, cell_port(c, "I1"), 0, o, 0, sc(f8 ? 94 : 223, M->mux));
  arc1(ci, cell_port(c, "S"), 0, o, 0, sc(f8 ? 273 : 296, M->mux));
}

static void model_carry4(int ci, const cell *c) {
  const port *S = cell_port(c, "S"), *DI = cell_port(c, "DI"), *CI = cell_port(c, "CI"),
             *CY = cell_port(c, "CYINIT"), *O = cell_port(c, "O"), *CO = cell_port(c, "CO");
  for (int f = 0; f < 10; f++)
    for (int t = 0; t < 8; t++) {
      int ps = carry4_arc[f][t];
      if (!ps) continue;
      const port *in = f < 4 ? S : f < 8 ? DI : f == 8 ? CI : CY;
      arc1(ci, in, f < 8 ? f % 4 : 0, t < 4 ? O : CO, t % 4, sc(ps, M->carry4));
    }
}

/* CARRY8 (UltraScale+): no yosys numbers. Vivado xczu3eg-1 reports (hw/TIMING.md): S/DI to CO7
 * 0.148-0.245 ns, CI to CO7 0.030 ns; we take 250 ps from any S/DI, 50 ps from CI to a CO and
 * 100 ps from CI to an O, for every output at or above the input's position. */
static void model_carry8(int ci, const cell *c) {
  const port *S = cell_port(c, "S"), *DI = cell_port(c, "DI"), *CI = cell_port(c, "CI"),
             *CIT = cell_port(c, "CI_TOP"), *O = cell_port(c, "O"), *CO = cell_port(c, "CO");
  int dual = !strcmp(param_str(c, "CARRY_TYPE", "SINGLE_CY8"), "DUAL_CY4");
  for (int t = 0; t < 8; t++) {
    for (int f = 0; f <= t; f++) {
      if (dual && f < 4 && t >= 4) continue;
      arc1(ci, S, f, O, t, 250);
      arc1(ci, S, f, CO, t, 250);
      arc1(ci, DI, f, O, t, 250);
      arc1(ci, DI, f, CO, t, 250);
    }
    if (!dual || t < 4) {
      arc1(ci, CI, 0, O, t, 100);
      arc1(ci, CI, 0, CO, t, 50);
    } else {
      arc1(ci, CIT, 0, O, t, 100);
      arc1(ci, CIT, 0, CO, t, 50);
    }
  }
}

/* Flip-flops and latches: clock-to-Q 303, setup D 0 (xcup: 50), CE 109, synchronous and
 * asynchronous set/reset 404 (cells_sim.v; CLR/PRE as a recovery check, not an arc). */
static void model_ff(int ci, const cell *c) {
  launch(ci, cell_port(c, "Q"), -1, sc(303, M->ff));
  capture(ci, cell_port(c, "D"), -1, M->ff_d_setup);
  capture(ci, cell_port(c, "CE"), -1, sc(109, M->ff));
  capture(ci, cell_port(c, "G"), -1, sc(109, M->ff));
  capture(ci, cell_port(c, "GE"), -1, sc(109, M->ff));
  static const char *const rst[] = {"R", "S", "CLR", "PRE"};
  for (int i = 0; i < 4; i++) capture(ci, cell_port(c, rst[i]), -1, sc(404, M->ff));
}

/* The address bit index of a LUT-RAM / SRL address pin: A0..A5 / DPRA0.. are one-bit ports. */
static int addr_index(const char *pname, int bit) {
  size_t n = strlen(pname);
  if (n >= 2 && pname[n - 1] >= '0' && pname[n - 1] <= '9' &&
      (!strncmp(pname, "A", n - 1) || !strncmp(pname, "DPRA", n - 1)))
    return pname[n - 1] - '0';
  return bit;
}

/* LUT RAM and shift registers (cells_sim.v): read address to output as the LUT's pin delays
 * (+397 for a 128-deep RAM's F7 mux, +397+296 for 256-deep), write clock to output 1153 (SRL
 * 1472), setups data 453 (SRL 173), WE 654, write address 362. */
static void model_lutram(int ci, const cell *c) {
  int srl = is_type(c->type, "SRL");
  int deep = strstr(c->type, "128") ? 1 : strstr(c->type, "256") || strstr(c->type, "512") ? 2 : 0;
  for (int i = 0; i < c->nports; i++) {
    const port *p = &c->ports[i];
    if (!p->out) continue;
    launch(ci, p, -1, sc(srl ? (strcmp(p->name, "Q31") ? 1472 : 1114) : 1153, M->lutram));
    if (!strcmp(p->name, "Q31") || !strcmp(p->name, "MC31")) continue;
    /* the read address ports that drive this output */
    for (int k = 0; k < c->nports; k++) {
      const port *a = &c->ports[k];
      if (a->out) continue;
      int match;
      if (!strncmp(p->name, "DO", 2) && strlen(p->name) == 3)
        match = !strncmp(a->name, "ADDR", 4) && a->name[4] == p->name[2] && !a->name[5];
      else if (!strcmp(p->name, "DPO"))
        match = !strncmp(a->name, "DPRA", 4);
      else /* SPO, O, Q */
        match = !strcmp(a->name, "A") || (a->name[0] == 'A' && a->name[1] >= '0' && a->name[1] <= '9' && !a->name[2]) ||
                (!strcmp(a->name, "ADR") || (!strncmp(a->name, "ADR", 3) && a->name[3] >= '0' && !a->name[4]));
      if (!match) continue;
      for (int b = 0; b < a->n; b++) {
        int idx = addr_index(a->name, b);
        int ps = idx < 6 ? lut_pin(6, idx) + 397 * (deep > 0) + 296 * (deep > 1)
                         : 296 + 174 + 296 * (deep > 1);
        if (srl) ps = strstr(c->type, "32") ? lut_pin(6, idx < 5 ? idx : 4) : lut_pin(5, idx < 4 ? idx : 3);
        for (int ob = 0; ob < p->n; ob++) arc1(ci, a, b, p, ob, sc(ps, M->lutram));
      }
    }
  }
  for (int i = 0; i < c->nports; i++) {
    const port *p = &c->ports[i];
    if (p->out || !strcmp(p->name, "WCLK") || !strcmp(p->name, "CLK")) continue;
    const char *n = p->name;
    int ps;
    if (!strcmp(n, "WE") || !strcmp(n, "CE")) ps = srl ? 109 : 654;
    else if (n[0] == 'D' && strncmp(n, "DPRA", 4) != 0) ps = srl ? 173 : 453; /* D, DIA.. */
    else if (!strcmp(n, "ADDRD") || (!srl && n[0] == 'A' && strncmp(n, "ADDR", 4) != 0)) ps = 362;
    else if (!strncmp(n, "WADR", 4) || !strcmp(n, "ADDRH") || !strcmp(n, "WSEL")) ps = 362;
    else continue; /* read-only address */
    capture(ci, p, -1, sc(ps, M->lutram));
  }
}

/* Block RAM (cells_sim.v RAMB18E1/RAMB36E1): clock to data out 2454 without the output register,
 * 882 with it; setups address 566, write enable 532, data in 737; every other input 737 (enable,
 * reset, register enable: the block's largest setup). xcup: the same scaled (hw/TIMING.md). */
static void model_bram(int ci, const cell *c) {
  long rega = param_int(c, "DOA_REG", 0), regb = param_int(c, "DOB_REG", 0);
  for (int i = 0; i < c->nports; i++) {
    const port *p = &c->ports[i];
    const char *n = p->name;
    if (p->out) {
      int aside = !strcmp(n, "DOADO") || !strcmp(n, "DOPADOP") || !strcmp(n, "DOUTADOUT") ||
                  !strcmp(n, "DOUTPADOUTP");
      int reg = aside ? rega != 0 : regb != 0;
      launch(ci, p, -1, sc(reg ? 882 : 2454, M->bram));
      continue;
    }
    if (!strncmp(n, "CLK", 3)) continue;
    int ps = !strncmp(n, "ADDR", 4) ? 566 : !strncmp(n, "WE", 2) ? 532 : 737;
    capture(ci, p, -1, sc(ps, M->bram));
  }
}

/* A register-to-register stage inside a DSP slice (no routing: checked against the period, not
 * the logic rule): the capturing register's setup from the stage's input port, as model_dsp
 * takes it, plus the launching register's clock-to-out, 700 ps (xc7 scale: on xcup A2 -> P
 * without MREG gives 2.75 ns, the calibration point of hw/TIMING.md). */
static void dsp_stage(int ci, int setup_ps) {
  if (setup_ps < 0) return;
  int t = sc(setup_ps + 700, M->dsp);
  if (t > G.dsp_int_ps) G.dsp_int_ps = t, G.dsp_int_cell = ci;
}

/* DSP48E1 (cells_sim.v's specify functions, by USE_MULT / USE_DPORT and the pipeline registers);
 * DSP48E2 the same scaled. Inputs with a register on their way to P have a setup, the others
 * arcs to P and PCOUT; P and PCOUT have a clock-to-out when any register is used. ACIN/BCIN are
 * A/B (yosys has no arcs for them); CARRYIN, OPMODE, ALUMODE, INMODE, CARRYINSEL as C; ACOUT and
 * BCOUT 350 ps after A/B or their register (no yosys numbers; hw/TIMING.md). */
static void model_dsp(int ci, const cell *c) {
  int e2 = !strcmp(c->type, "DSP48E2");
  long areg = param_int(c, "AREG", 1), breg = param_int(c, "BREG", 1), creg = param_int(c, "CREG", 1),
       dreg = param_int(c, "DREG", 1), adreg = param_int(c, "ADREG", 1), mreg = param_int(c, "MREG", 1),
       preg = param_int(c, "PREG", 1);
  const char *use_mult = param_str(c, "USE_MULT", "MULTIPLY");
  int mult = strcmp(use_mult, "NONE") != 0;
  int dport = e2 ? !strcmp(param_str(c, "AMULTSEL", "A"), "AD")
                 : !strcmp(param_str(c, "USE_DPORT", "FALSE"), "TRUE");
  int patdet = strcmp(param_str(c, "USE_PATTERN_DETECT", "NO_PATDET"), "NO_PATDET") != 0;
  if (!dport) dreg = adreg = 0;
  if (!mult) mreg = 0;
  /* A's, B's, D's setup to the next register on their way to P, their own register left out (-1:
   * none): an unregistered port's setup, and with the register, its stage inside the slice */
  int a_next = mult ? (dport ? (mreg ? 2400 : adreg ? 1283 : preg ? (patdet ? 4014 : 3723) : -1)
                             : (mreg ? 1416 : preg ? (patdet ? 3030 : 2739) : -1))
                    : (preg ? (patdet ? 1730 : 1441) : -1);
  int b_next = mreg ? 1285 : !preg ? -1 : mult ? (patdet ? 2898 : 2608) : (patdet ? 1718 : 1428);
  int d_next = adreg ? 1195 : mreg ? 2310 : preg ? (patdet ? 3925 : 3635) : -1;
  /* required (setup), P / PCOUT arrival, comb arcs: -1 = none */
  int a_req = areg ? 254 : a_next, b_req = breg ? 324 : b_next, c_req = -1, d_req = -1;
  if (creg) c_req = 168;
  else c_req = preg ? (patdet ? 1534 : 1244) : -1;
  if (dport) d_req = dreg ? 248 : d_next;
  int p_arr = -1, pc_arr = -1;
  if (preg) p_arr = 329, pc_arr = 435;
  else if (creg) p_arr = 1687, pc_arr = 1835;
  else if (mreg) p_arr = 1671, pc_arr = 1819;
  else if (mult && !dport && areg) p_arr = 2952, pc_arr = 3098;
  else if (mult && !dport && breg) p_arr = 2813, pc_arr = 2960;
  else if (mult && dport && (areg || dreg || adreg || breg))
    p_arr = areg ? 3935 : dreg ? 3908 : adreg ? 2958 : 2813,
    pc_arr = areg ? 4083 : dreg ? 4056 : breg ? 2960 : 2859;
  else if (!mult && (areg || breg)) p_arr = areg ? 1632 : 1616, pc_arr = areg ? 1780 : 1765;
  int ap = mult ? (dport ? 3806 : 2823) : 1523, apc = mult ? (dport ? 3954 : 2970) : 1671;
  int bp = mult ? 2690 : 1509, bpc = mult ? 2838 : 1658;
  int cp = 1325, cpc = 1474, dp = 3717, dpc = 3700, pcp = 1107, pcpc = 1255;
  int pcin_req = patdet ? 1315 : 1025;
  int s = M->dsp;
  /* the stages inside the slice: A/B/D registers -> AD, M or P; AD -> M or P (as A without the
   * pre-adder); M -> P (as C) */
  if (mult) {
    if (areg) dsp_stage(ci, a_next);
    if (breg) dsp_stage(ci, b_next);
    if (dport && dreg) dsp_stage(ci, d_next);
    if (dport && adreg) dsp_stage(ci, mreg ? 1416 : preg ? (patdet ? 3030 : 2739) : -1);
    if (mreg && preg) dsp_stage(ci, patdet ? 1534 : 1244);
  }
  const port *PC = cell_port(c, "PCOUT");
  for (int i = 0; i < c->nports; i++) {
    const port *p = &c->ports[i];
    const char *n = p->name;
    if (p->out) {
      if (!strcmp(n, "ACOUT") || !strcmp(n, "BCOUT")) {
        int r = n[0] == 'A' ? areg : breg;
        if (r) launch(ci, p, -1, sc(350, s));
        else {
          arc_full(ci, cell_port(c, n[0] == 'A' ? "A" : "B"), p, sc(350, s));
          arc_full(ci, cell_port(c, n[0] == 'A' ? "ACIN" : "BCIN"), p, sc(350, s));
        }
        continue;
      }
      int pc = !strcmp(n, "PCOUT") || !strcmp(n, "CARRYCASCOUT") || !strcmp(n, "MULTSIGNOUT");
      int arr = pc ? pc_arr : p_arr;
      if (arr >= 0) launch(ci, p, -1, sc(arr, s));
      continue;
    }
    if (!strcmp(n, "CLK")) continue;
    int req, top, topc;
    if (!strcmp(n, "A") || !strcmp(n, "ACIN")) req = a_req, top = ap, topc = apc;
    else if (!strcmp(n, "B") || !strcmp(n, "BCIN")) req = b_req, top = bp, topc = bpc;
    else if (!strcmp(n, "D")) req = d_req, top = dp, topc = dpc;
    else if (!strcmp(n, "PCIN") || !strcmp(n, "CARRYCASCIN") || !strcmp(n, "MULTSIGNIN"))
      req = preg ? pcin_req : -1, top = pcp, topc = pcpc;
    else if (!strncmp(n, "CE", 2) || !strncmp(n, "RST", 3)) {
      capture(ci, p, -1, sc(500, s)); /* enables and resets: 500 ps (hw/TIMING.md) */
      continue;
    } else req = c_req, top = cp, topc = cpc; /* C, CARRYIN, OPMODE, ALUMODE, INMODE, CARRYINSEL */
    if (req >= 0) capture(ci, p, -1, sc(req, s));
    else {
      for (int k = 0; k < c->nports; k++) {
        const port *o = &c->ports[k];
        if (!o->out || !strcmp(o->name, "ACOUT") || !strcmp(o->name, "BCOUT")) continue;
        int pc = o == PC || !strcmp(o->name, "CARRYCASCOUT") || !strcmp(o->name, "MULTSIGNOUT");
        arc_full(ci, p, o, sc(pc ? topc : top, s));
      }
    }
  }
}

static void model_cell(int ci) {
  const cell *c = &NL->cells[ci];
  const char *t = c->type;
  if (is_type(t, "LUT") && t[3] >= '1' && t[3] <= '6' && !t[4]) model_lut(ci, c);
  else if (!strcmp(t, "INV")) arc1(ci, cell_port(c, "I"), 0, cell_port(c, "O"), 0, sc(127, M->lut));
  else if (!strcmp(t, "MUXF7") || !strcmp(t, "MUXF8") || !strcmp(t, "MUXF9")) model_muxf(ci, c);
  else if (!strcmp(t, "CARRY4")) model_carry4(ci, c);
  else if (!strcmp(t, "CARRY8")) model_carry8(ci, c);
  else if (is_type(t, "FD") || is_type(t, "LD")) model_ff(ci, c);
  else if ((is_type(t, "RAM") && !is_type(t, "RAMB")) || is_type(t, "SRL")) model_lutram(ci, c);
  else if (is_type(t, "RAMB18E") || is_type(t, "RAMB36E")) model_bram(ci, c);
  else if (!strcmp(t, "DSP48E1") || !strcmp(t, "DSP48E2")) model_dsp(ci, c);
  else if (!strcmp(t, "GND") || !strcmp(t, "VCC")) return;
  else {
    /* one message per type */
    for (int k = 0; k < ci; k++)
      if (!strcmp(NL->cells[k].type, t)) return;
    fprintf(stderr, "%s: no timing model for cell type %s (cell %s)\n", prog, t, c->name);
    G.unmodelled++;
  }
}

static void build_graph(void) {
  memset(&G, 0, sizeof G);
  int nb = NL->nbits;
  if (nb <= 0 || nb > (1 << 28)) die("bad net count %d", nb);
  G.cap_nodes = nb + 1024;
  G.nnodes = nb;
  G.launch_ps = xmalloc((size_t)G.cap_nodes * sizeof *G.launch_ps);
  G.launch_cell = xmalloc((size_t)G.cap_nodes * sizeof *G.launch_cell);
  G.launch_port = xmalloc((size_t)G.cap_nodes * sizeof *G.launch_port);
  for (int i = 0; i < nb; i++) G.launch_ps[i] = -1, G.launch_cell[i] = -1, G.launch_port[i] = NULL;
  G.fanout = calloc((size_t)(unsigned)nb, sizeof *G.fanout);
  G.drv_cell = xmalloc((size_t)nb * sizeof *G.drv_cell);
  G.drv_port = calloc((size_t)(unsigned)nb, sizeof *G.drv_port);
  if (!G.fanout || !G.drv_port) die("out of memory");
  for (int i = 0; i < nb; i++) G.drv_cell[i] = -1;
  for (int ci = 0; ci < NL->ncells; ci++) {
    const cell *c = &NL->cells[ci];
    for (int k = 0; k < c->nports; k++) {
      const port *p = &c->ports[k];
      for (int b = 0; b < p->n; b++) {
        int id = p->bits[b];
        if (id < 0) continue;
        if (p->out) G.drv_cell[id] = ci, G.drv_port[id] = p->name;
        else if (strcmp(p->name, "C") && strncmp(p->name, "CLK", 3) && strcmp(p->name, "WCLK"))
          G.fanout[id]++;
      }
    }
  }
  for (int i = 0; i < NL->nports; i++)
    if (NL->ports[i].out)
      for (int b = 0; b < NL->ports[i].n; b++)
        if (NL->ports[i].bits[b] >= 0) G.fanout[NL->ports[i].bits[b]]++;
  for (int ci = 0; ci < NL->ncells; ci++) model_cell(ci);
  /* the top's ports: inputs and outputs count as registered */
  for (int i = 0; i < NL->nports; i++) {
    const port *p = &NL->ports[i];
    if (p->out) capture(-1, p, -1, M->ff_d_setup);
    else
      for (int b = 0; b < p->n; b++) {
        int id = p->bits[b];
        if (id >= 0 && G.drv_cell[id] < 0 && G.launch_ps[id] < 0) {
          G.launch_ps[id] = sc(303, M->ff);
          G.launch_port[id] = p->name;
        }
      }
  }
}

/* ---------------------------------------------------------------------------------------------
 * Longest paths: arrival per node in topological order (Kahn), with the edge it came by. */

typedef struct analysis {
  long *arr;  /* per node, -1 unreachable */
  int *pred;  /* edge index, -1 at a launch */
} analysis;

static int *adj_start, *adj; /* edges by source node (CSR) */
static int *topo;            /* nodes in topological order */

static void sort_graph(void) {
  int n = G.nnodes;
  adj_start = calloc((size_t)n + 1, sizeof *adj_start);
  adj = xmalloc(G.ne * sizeof *adj);
  int *indeg = calloc((size_t)n, sizeof *indeg);
  topo = xmalloc((size_t)n * sizeof *topo);
  if (!adj_start || !indeg) die("out of memory");
  for (size_t i = 0; i < G.ne; i++) adj_start[G.e[i].from + 1]++, indeg[G.e[i].to]++;
  for (int i = 0; i < n; i++) adj_start[i + 1] += adj_start[i];
  int *fill = xmalloc((size_t)n * sizeof *fill);
  memcpy(fill, adj_start, (size_t)n * sizeof *fill);
  for (size_t i = 0; i < G.ne; i++) adj[fill[G.e[i].from]++] = (int)i;
  free(fill);
  int head = 0, tail = 0;
  for (int i = 0; i < n; i++)
    if (!indeg[i]) topo[tail++] = i;
  while (head < tail) {
    int v = topo[head++];
    for (int k = adj_start[v]; k < adj_start[v + 1]; k++)
      if (--indeg[G.e[adj[k]].to] == 0) topo[tail++] = G.e[adj[k]].to;
  }
  if (tail < n) {
    for (int i = 0; i < n; i++)
      if (indeg[i] && i < NL->nbits && NL->bitname[i])
        die("combinational loop through net %s (%d nets in loops)", NL->bitname[i], n - tail);
    die("combinational loop (%d nets in loops)", n - tail);
  }
  free(indeg);
}

/* with_route: routing and uncertainty counted (the estimate) or not (cell delays only) */
static void analyse(analysis *an, int with_route) {
  int n = G.nnodes;
  an->arr = xmalloc((size_t)n * sizeof *an->arr);
  an->pred = xmalloc((size_t)n * sizeof *an->pred);
  for (int i = 0; i < n; i++) an->arr[i] = G.launch_ps[i], an->pred[i] = -1;
  for (int t = 0; t < n; t++) {
    int v = topo[t];
    if (an->arr[v] < 0) continue;
    for (int k = adj_start[v]; k < adj_start[v + 1]; k++) {
      const edge *e = &G.e[adj[k]];
      long a = an->arr[v] + e->cell_ps + (with_route ? e->route_ps : 0);
      if (a > an->arr[e->to]) an->arr[e->to] = a, an->pred[e->to] = adj[k];
    }
  }
  for (size_t i = 0; i < G.nep; i++) {
    endpoint *ep = &G.ep[i];
    long a = an->arr[ep->node];
    long t = a < 0 ? -1 : a + ep->setup_ps + (with_route ? ep->route_ps + M->uncertainty : 0);
    if (with_route) ep->total = t;
    else ep->cell_total = t;
  }
}

/* ---------------------------------------------------------------------------------------------
 * Report. */

typedef struct path {
  char start[256], end[256], group[256];
  char cells[1024];
  char nets[4096];  /* the net each cell on the path drives, in order (where to pipeline) */
  int levels;
  long total, cell_ps, route_ps;
} path;

static void bit_label(char *buf, size_t n, int id) {
  const char *nm = id >= 0 && id < NL->nbits ? NL->bitname[id] : NULL;
  if (!nm) snprintf(buf, n, "net%d", id);
  else if (NL->bitname_idx[id] >= 0) snprintf(buf, n, "%s[%d]", nm[0] == '\\' ? nm + 1 : nm, NL->bitname_idx[id]);
  else snprintf(buf, n, "%s", nm[0] == '\\' ? nm + 1 : nm);
}

static const char *cell_label(int ci) {
  const char *nm = NL->cells[ci].name;
  return nm[0] == '\\' ? nm + 1 : nm;
}

/* The name of a flip-flop's register is the name of its Q net; other cells go by cell name. */
static void seq_label(char *buf, size_t n, int ci, const char *pname, int bit) {
  const cell *c = &NL->cells[ci];
  if (is_type(c->type, "FD") || is_type(c->type, "LD")) {
    const port *q = cell_port(c, "Q");
    if (q && q->n && q->bits[0] >= 0) {
      bit_label(buf, n, q->bits[0]);
      return;
    }
  }
  if (bit >= 0) snprintf(buf, n, "%s (%s.%s[%d])", cell_label(ci), c->type, pname, bit);
  else snprintf(buf, n, "%s (%s.%s)", cell_label(ci), c->type, pname);
}

static void strip_bit(char *dst, size_t n, const char *src) {
  snprintf(dst, n, "%s", src);
  /* "name[3]" -> "name", "cell (TYPE.PORT[3])" -> "cell (TYPE.PORT)" */
  char *b = strrchr(dst, '[');
  if (b) {
    char *e = strchr(b, ']');
    if (e) memmove(b, e + 1, strlen(e + 1) + 1);
  }
}

static void trace(const analysis *an, const endpoint *ep, path *pa) {
  memset(pa, 0, sizeof *pa);
  /* end */
  if (ep->cell >= 0) seq_label(pa->end, sizeof pa->end, ep->cell, ep->port, ep->bit);
  else snprintf(pa->end, sizeof pa->end, "%s[%d] (output)", ep->port, ep->bit);
  if (ep->cell >= 0 && (is_type(NL->cells[ep->cell].type, "FD") || is_type(NL->cells[ep->cell].type, "LD")) &&
      strcmp(ep->port, "D") != 0) {
    size_t l = strlen(pa->end);
    snprintf(pa->end + l, sizeof pa->end - l, " (%s)", ep->port);
  }
  strip_bit(pa->group, sizeof pa->group, pa->end);
  /* a memory's block RAMs / LUT RAMs (yosys names them MEM.ROW.COL) count as one group per port
   * kind (parity data in with data in) */
  if (ep->cell >= 0 && !is_type(NL->cells[ep->cell].type, "FD") && !is_type(NL->cells[ep->cell].type, "LD")) {
    char nm[256];
    snprintf(nm, sizeof nm, "%s", cell_label(ep->cell));
    for (int k = 0; k < 2; k++) { /* strip up to two trailing ".N" */
      char *d = strrchr(nm, '.');
      if (!d || !d[1] || strspn(d + 1, "0123456789") != strlen(d + 1)) break;
      *d = '\0';
    }
    const char *pp = ep->port;
    if (!strcmp(pp, "DIPADIP")) pp = "DIADI";
    else if (!strcmp(pp, "DIPBDIP")) pp = "DIBDI";
    else if (!strcmp(pp, "DINPADINP")) pp = "DINADIN";
    else if (!strcmp(pp, "DINPBDINP")) pp = "DINBDIN";
    snprintf(pa->group, sizeof pa->group, "%.200s %.40s", nm, pp);
  }
  /* walk back */
  int chain[4096], nc = 0;
  int v = ep->node;
  long cellps = ep->setup_ps, routeps = ep->route_ps + M->uncertainty;
  while (an->pred[v] >= 0 && nc < 4096) {
    const edge *e = &G.e[an->pred[v]];
    chain[nc++] = an->pred[v];
    cellps += e->cell_ps;
    routeps += e->route_ps;
    v = e->from;
  }
  cellps += G.launch_ps[v] > 0 ? G.launch_ps[v] : 0;
  int lc = G.launch_cell[v];
  if (lc >= 0) {
    int bit = -1;
    const port *lp = cell_port(&NL->cells[lc], G.launch_port[v]);
    for (int k = 0; lp && k < lp->n; k++)
      if (lp->bits[k] == v) bit = k;
    seq_label(pa->start, sizeof pa->start, lc, G.launch_port[v], bit);
  } else {
    char b[200];
    bit_label(b, sizeof b, v);
    snprintf(pa->start, sizeof pa->start, "%s (input)", b);
  }
  /* cells: launch type, each comb cell, end type */
  size_t off = 0;
  const char *lt = lc >= 0 ? NL->cells[lc].type : "input";
  off += (size_t)snprintf(pa->cells + off, sizeof pa->cells - off, "%s", lt);
  for (int i = nc - 1; i >= 0; i--) {
    const edge *e = &G.e[chain[i]];
    if (e->to >= NL->nbits) continue; /* into a virtual node: the cell is listed on the way out */
    pa->levels++;
    if (off < sizeof pa->cells - 40)
      off += (size_t)snprintf(pa->cells + off, sizeof pa->cells - off, " %s", NL->cells[e->cell].type);
    size_t on = strlen(pa->nets);
    if (on < sizeof pa->nets - 300) {
      char b[256];
      bit_label(b, sizeof b, e->to);
      snprintf(pa->nets + on, sizeof pa->nets - on, "%s%s", on ? " " : "", b);
    }
  }
  if (off < sizeof pa->cells - 40) {
    if (ep->cell >= 0) snprintf(pa->cells + off, sizeof pa->cells - off, " %s.%s", NL->cells[ep->cell].type, ep->port);
    else snprintf(pa->cells + off, sizeof pa->cells - off, " output");
  }
  pa->total = ep->total;
  pa->cell_ps = cellps;
  pa->route_ps = routeps;
}

/* yosys `sta` output: the worst path (as printed), its levels and cells. */
typedef struct ysta {
  int found, recognised;
  long ps;
  int levels;
  char end[1600], start[1600];
  char cells[2048];
} ysta;

static void read_ysta(const char *fname, ysta *y) {
  memset(y, 0, sizeof *y);
  if (!fname) return;
  FILE *f = fopen(fname, "r");
  if (!f) die("cannot open %s: %s", fname, strerror(errno));
  char line[4096];
  char types[256][64];
  int nt = 0, in_path = 0;
  y->recognised = 1;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = '\0';
    if (strstr(line, "No timing paths found")) y->found = 1, y->ps = 0;
    if (strstr(line, "does not terminate in a recognised endpoint")) y->recognised = 0;
    long v;
    if (sscanf(line, "Latest arrival time in '%*[^']' is %ld", &v) == 1) {
      y->found = 1;
      y->ps = v;
      in_path = 1;
      nt = 0;
      continue;
    }
    if (!in_path) continue;
    if (!strncmp(line, "Arrival histogram", 17) || line[0] == '\0') {
      in_path = 0;
      continue;
    }
    char name[1024], arc[512];
    if (sscanf(line, " %ld %1023s (%511[^)])", &v, name, arc) == 3) {
      char *arrow = strstr(arc, "->");
      if (arrow) { /* a cell on the path: TYPE.IN->OUT */
        if (nt < 256) snprintf(types[nt++], sizeof types[0], "%.63s", arc);
      } else if (!y->end[0]) {
        snprintf(y->end, sizeof y->end, "%s (%s)", name, arc);
      } else if (strstr(arc, "primary input")) {
        snprintf(y->start, sizeof y->start, "%s (input)", name);
      }
    } else if (sscanf(line, " %ld (%511[^)])", &v, arc) == 2 && !y->end[0]) {
      snprintf(y->end, sizeof y->end, "(%s)", arc);
    } else if (sscanf(line, " %ld %1023[^(](%511[^)])", &v, name, arc) == 3 && strstr(arc, "primary input")) {
      snprintf(y->start, sizeof y->start, "%s(input)", name + strspn(name, " "));
    }
  }
  fclose(f);
  if (!y->found) die("%s: no 'Latest arrival time' line (not yosys sta output?)", fname);
  /* a path from a register: yosys prints the clock input as its start; name the register arc */
  if (nt > 0) {
    const char *dot = strchr(types[nt - 1], '.');
    if (dot && (!strncmp(dot + 1, "C->", 3) || !strncmp(dot + 1, "CLK", 3) || !strncmp(dot + 1, "WCLK", 4)))
      snprintf(y->start, sizeof y->start, "register (%s)", types[nt - 1]);
  }
  /* printed end to start: reverse; levels are the cells that are not clock-to-out arcs */
  size_t off = 0;
  for (int i = nt - 1; i >= 0; i--) {
    const char *dot = strchr(types[i], '.');
    int clk = dot && (!strncmp(dot + 1, "C->", 3) || !strncmp(dot + 1, "CLK", 3) || !strncmp(dot + 1, "WCLK", 4));
    if (!clk) y->levels++;
    if (clk && !y->start[0]) snprintf(y->start, sizeof y->start, "%s", types[i]);
    if (off < sizeof y->cells - 80)
      off += (size_t)snprintf(y->cells + off, sizeof y->cells - off, "%s%s", off ? " " : "", types[i]);
  }
}

static void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') fprintf(f, "\\%c", *s);
    else if ((unsigned char)*s < 0x20) fprintf(f, "\\u%04x", *s);
    else fputc(*s, f);
  }
  fputc('"', f);
}

static void json_ysta(FILE *f, const char *key, const ysta *y, int last) {
  fprintf(f, "  \"%s\": ", key);
  if (!y->found) fprintf(f, "null");
  else {
    fprintf(f, "{\"worst_ns\": %.3f, \"levels\": %d, \"recognised_endpoint\": %s, \"start\": ", y->ps / 1000.0,
            y->levels, y->recognised ? "true" : "false");
    json_str(f, y->start);
    fprintf(f, ", \"end\": ");
    json_str(f, y->end);
    fprintf(f, ", \"cells\": ");
    json_str(f, y->cells);
    fprintf(f, "}");
  }
  fprintf(f, "%s\n", last ? "" : ",");
}

static int cmp_ep(const void *a, const void *b) {
  const endpoint *x = a, *y = b;
  return x->total < y->total ? 1 : x->total > y->total ? -1 : 0;
}

static int cmp_ep_cell(const void *a, const void *b) {
  const endpoint *x = a, *y = b;
  return x->cell_total < y->cell_total ? 1 : x->cell_total > y->cell_total ? -1 : 0;
}

/* worst cell-only path of a netlist, for the cross-check on the -nocarry -nowidelut netlist */
static long worst_cell_only(path *pa) {
  analysis ac;
  analyse(&ac, 0);
  long best = -1;
  size_t bi = 0;
  for (size_t i = 0; i < G.nep; i++)
    if (G.ep[i].cell_total > best) best = G.ep[i].cell_total, bi = i;
  if (best >= 0 && pa) trace(&ac, &G.ep[bi], pa);
  free(ac.arr);
  free(ac.pred);
  return best;
}

static void usage(void) {
  fprintf(stderr,
          "usage: sta --config NAME --family xc7|xcup --mhz MHZ [--top MODULE] [--part PART]\n"
          "           [--paths N] [--source TEXT] [--sta-plain STA.txt] [--sta-nocarry STA.txt]\n"
          "           [--nocarry-netlist JSON] [--txt OUT.txt] [--json OUT.json] NETLIST.json\n");
  exit(2);
}

int main(int argc, char **argv) {
  const char *config = NULL, *family = NULL, *top = "dlvta_top", *part = NULL, *source = NULL;
  const char *sta_plain = NULL, *sta_nocarry = NULL, *nocarry_json = NULL, *txt = NULL, *json = NULL;
  const char *input = NULL;
  double mhz = 0;
  int npaths = 20;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char **dst = NULL;
    if (!strcmp(a, "--config")) dst = &config;
    else if (!strcmp(a, "--family")) dst = &family;
    else if (!strcmp(a, "--top")) dst = &top;
    else if (!strcmp(a, "--part")) dst = &part;
    else if (!strcmp(a, "--source")) dst = &source;
    else if (!strcmp(a, "--sta-plain")) dst = &sta_plain;
    else if (!strcmp(a, "--sta-nocarry")) dst = &sta_nocarry;
    else if (!strcmp(a, "--nocarry-netlist")) dst = &nocarry_json;
    else if (!strcmp(a, "--txt")) dst = &txt;
    else if (!strcmp(a, "--json")) dst = &json;
    else if (!strcmp(a, "--mhz") || !strcmp(a, "--paths")) {
      if (i + 1 >= argc) usage();
      char *e;
      double v = strtod(argv[++i], &e);
      if (*e || v <= 0) die("%s: bad value '%s'", a, argv[i]);
      if (a[2] == 'm') mhz = v;
      else npaths = (int)v;
      continue;
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "%s: unknown option %s\n", prog, a);
      usage();
    } else {
      if (input) usage();
      input = a;
      continue;
    }
    if (i + 1 >= argc) usage();
    *dst = argv[++i];
  }
  if (!config || !family || mhz <= 0 || !input) usage();
  for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
    if (!strcmp(models[i].family, family)) M = &models[i];
  if (!M) die("unknown family '%s' (xc7, xcup)", family);
  if (!part) part = !strcmp(family, "xc7") ? "xc7z020-1" : "xczu3eg-1";
  ysta yp, yn;
  read_ysta(sta_plain, &yp);
  read_ysta(sta_nocarry, &yn);

  /* the -nocarry -nowidelut netlist first (cell delays only, a cross-check), then the plain one */
  long nocarry_cell = -1;
  path nocarry_path;
  static netlist nl2;
  if (nocarry_json) {
    load_netlist(&nl2, nocarry_json, top);
    NL = &nl2;
    build_graph();
    if (G.unmodelled) die("%d cell types without a timing model in %s", G.unmodelled, nocarry_json);
    sort_graph();
    nocarry_cell = worst_cell_only(&nocarry_path);
  }
  static netlist nl;
  load_netlist(&nl, input, top);
  NL = &nl;
  build_graph();
  if (G.unmodelled) die("%d cell types without a timing model in %s", G.unmodelled, input);
  sort_graph();
  analysis an, ac;
  analyse(&an, 1);
  analyse(&ac, 0);
  double period = 1000.0 / mhz;
  long period_ps = lround(period * 1000);
  /* worst paths with routing, one per endpoint group (a register vector or a memory port) */
  endpoint *eps = xmalloc(G.nep * sizeof *eps);
  memcpy(eps, G.ep, G.nep * sizeof *eps);
  qsort(eps, G.nep, sizeof *eps, cmp_ep);
  path *paths = xmalloc((size_t)npaths * sizeof *paths);
  int np = 0;
  long nfail = 0, nreach = 0;
  for (size_t i = 0; i < G.nep; i++) {
    if (eps[i].total < 0) continue;
    nreach++;
    if (eps[i].total > period_ps) nfail++;
    if (np >= npaths) continue;
    path pa;
    trace(&an, &eps[i], &pa);
    int dup = 0;
    for (int k = 0; k < np && !dup; k++) dup = !strcmp(paths[k].group, pa.group);
    if (!dup) paths[np++] = pa;
  }
  /* worst cell-only path (routing and uncertainty left out) */
  qsort(eps, G.nep, sizeof *eps, cmp_ep_cell);
  path cellpath;
  memset(&cellpath, 0, sizeof cellpath);
  long worst_cell = -1;
  if (G.nep && eps[0].cell_total >= 0) {
    trace(&ac, &eps[0], &cellpath);
    worst_cell = eps[0].cell_total;
  }
  long worst = np ? paths[0].total : 0;
  long dsp_int = G.dsp_int_ps;
  long bound = worst > dsp_int ? worst : dsp_int; /* the estimate's period */
  double fmax = bound > 0 ? 1e6 / (double)bound : 0;
  long logic_limit = period_ps / 2;
  /* the UltraFast check: logic (cell) delay of any path over half the period */
  long nrisk = 0;
  for (size_t i = 0; i < G.nep; i++)
    if (eps[i].cell_total > logic_limit) nrisk++;
  /* the verdict: hw/sta's estimate within the period and its logic within half of it; on xc7
   * also yosys's own figures (plain within half the period, -nocarry -nowidelut within the
   * period), when they were given; on xcup yosys has no arcs for DSP, block RAM and CARRY8 and
   * its figures are reported only */
  int ygate = !strcmp(family, "xc7");
  char why[400] = "";
  size_t wl = 0;
#define WHY(...) (wl += (size_t)snprintf(why + wl, wl < sizeof why ? sizeof why - wl : 0, __VA_ARGS__))
  if (worst > period_ps) WHY("%sestimate %.2f ns > %.2f ns", wl ? ", " : "", worst / 1000.0, period);
  if (worst_cell > logic_limit)
    WHY("%slogic %.2f ns > %.2f ns", wl ? ", " : "", worst_cell / 1000.0, logic_limit / 1000.0);
  if (dsp_int > period_ps)
    WHY("%sinside a DSP slice %.2f ns > %.2f ns", wl ? ", " : "", dsp_int / 1000.0, period);
  if (ygate && yp.found && yp.ps > logic_limit)
    WHY("%syosys sta plain %.2f ns > %.2f ns", wl ? ", " : "", yp.ps / 1000.0, logic_limit / 1000.0);
  if (ygate && yn.found && yn.ps > period_ps)
    WHY("%syosys sta nocarry %.2f ns > %.2f ns", wl ? ", " : "", yn.ps / 1000.0, period);
#undef WHY
  int meets = wl == 0;
  char verdict[512];
  if (meets)
    snprintf(verdict, sizeof verdict, "meets %.0f MHz: estimate %.2f ns <= %.2f ns, logic %.2f ns <= %.2f ns",
             mhz, worst / 1000.0, period, worst_cell / 1000.0, logic_limit / 1000.0);
  else
    snprintf(verdict, sizeof verdict, "MISSES %.0f MHz: %s", mhz, why);

  FILE *out[2] = {NULL, NULL};
  if (txt && !(out[0] = fopen(txt, "w"))) die("cannot write %s: %s", txt, strerror(errno));
  if (json && !(out[1] = fopen(json, "w"))) die("cannot write %s: %s", json, strerror(errno));
  if (out[0]) {
    FILE *f = out[0];
    fprintf(f, "timing: %s (%s, %s, top %s) at %.0f MHz (period %.2f ns)\n", config, part, family, top, mhz, period);
    if (source) fprintf(f, "rtl: %s\n", source);
    fprintf(f, "\nyosys sta (its own arcs; plain stops at CARRY4/MUXF7/8, see hw/TIMING.md):\n");
    const ysta *ys[2] = {&yp, &yn};
    const char *yn_names[2] = {"plain  ", "nocarry"};
    for (int k = 0; k < 2; k++) {
      if (!ys[k]->found) {
        fprintf(f, "  %s  (not run)\n", yn_names[k]);
        continue;
      }
      fprintf(f, "  %s  %6.2f ns  %2d levels%s  (limit %.2f ns)\n    start %s\n    end   %s\n    cells %s\n",
              yn_names[k], ys[k]->ps / 1000.0, ys[k]->levels,
              ys[k]->recognised ? "" : "  (ends at a cell without arcs)", (k ? period : period / 2),
              ys[k]->start[0] ? ys[k]->start : "?", ys[k]->end, ys[k]->cells);
    }
    if (nocarry_cell >= 0)
      fprintf(f, "  hw/sta cell delays on the nocarry netlist: %.2f ns, %d levels (%s -> %s)\n",
              nocarry_cell / 1000.0, nocarry_path.levels, nocarry_path.start, nocarry_path.end);
    fprintf(f, "\nhw/sta (every path; CARRY/MUXF, block-RAM and DSP clock-to-out and setup included):\n");
    fprintf(f, "  worst logic (cells only)  %6.2f ns  %d levels  (UltraFast limit: half the period, %.2f ns)\n",
            worst_cell / 1000.0, cellpath.levels, logic_limit / 1000.0);
    fprintf(f, "    %s -> %s\n    cells %s\n", cellpath.start, cellpath.end, cellpath.cells);
    fprintf(f, "  worst estimate            %6.2f ns  (logic + routing %d ps + %d ps/fanout doubling per net,"
               " uncertainty %d ps)\n", worst / 1000.0, M->route_base, M->route_fo, M->uncertainty);
    if (dsp_int > 0)
      fprintf(f, "  inside a DSP slice        %6.2f ns  (register to register, no routing; limit: the period)  %s\n",
              dsp_int / 1000.0, NL->cells[G.dsp_int_cell].name);
    fprintf(f, "  est. fmax                 %6.1f MHz\n", fmax);
    fprintf(f, "  endpoints %ld, over the period %ld, logic over half the period %ld\n", nreach, nfail, nrisk);
    fprintf(f, "\n%d worst endpoints (one per register vector / memory port), ns = logic + route:\n", np);
    for (int i = 0; i < np; i++)
      fprintf(f, "%3d %6.2f ns (%5.2f + %5.2f) %2d lv  %s -> %s\n      %s\n", i + 1, paths[i].total / 1000.0,
              paths[i].cell_ps / 1000.0, paths[i].route_ps / 1000.0, paths[i].levels, paths[i].start,
              paths[i].end, paths[i].cells);
    fprintf(f, "\nverdict: %s\n", verdict);
    fclose(f);
  }
  if (out[1]) {
    FILE *f = out[1];
    fprintf(f, "{\n  \"config\": ");
    json_str(f, config);
    fprintf(f, ",\n  \"family\": ");
    json_str(f, family);
    fprintf(f, ",\n  \"part\": ");
    json_str(f, part);
    fprintf(f, ",\n  \"top\": ");
    json_str(f, top);
    fprintf(f, ",\n  \"source\": ");
    json_str(f, source ? source : "");
    fprintf(f, ",\n  \"target_mhz\": %.1f,\n  \"period_ns\": %.3f,\n", mhz, period);
    fprintf(f, "  \"worst_cell_ns\": %.3f,\n  \"worst_levels\": %d,\n", worst_cell / 1000.0, cellpath.levels);
    fprintf(f, "  \"worst_ns\": %.3f,\n  \"est_fmax_mhz\": %.1f,\n", worst / 1000.0, fmax);
    fprintf(f, "  \"dsp_internal_ns\": %.3f,\n  \"dsp_internal_cell\": ", dsp_int / 1000.0);
    json_str(f, dsp_int > 0 ? NL->cells[G.dsp_int_cell].name : "");
    fprintf(f, ",\n");
    fprintf(f, "  \"logic_limit_ns\": %.3f,\n  \"meets\": %s,\n  \"verdict\": ", logic_limit / 1000.0,
            meets ? "true" : "false");
    json_str(f, verdict);
    fprintf(f, ",\n  \"endpoints\": %ld,\n  \"endpoints_over_period\": %ld,\n  \"endpoints_logic_over_half\": %ld,\n",
            nreach, nfail, nrisk);
    fprintf(f, "  \"model\": {\"route_base_ns\": %.3f, \"route_per_fanout_doubling_ns\": %.3f, "
               "\"route_max_ns\": %.3f, \"uncertainty_ns\": %.3f, \"top_ports\": \"registered\"},\n",
            M->route_base / 1000.0, M->route_fo / 1000.0, M->route_max / 1000.0, M->uncertainty / 1000.0);
    fprintf(f, "  \"worst_cell_path\": {\"start\": ");
    json_str(f, cellpath.start);
    fprintf(f, ", \"end\": ");
    json_str(f, cellpath.end);
    fprintf(f, ", \"cells\": ");
    json_str(f, cellpath.cells);
    fprintf(f, "},\n");
    json_ysta(f, "yosys_sta_plain", &yp, 0);
    json_ysta(f, "yosys_sta_nocarry", &yn, 0);
    if (nocarry_cell >= 0) fprintf(f, "  \"nocarry_cell_ns\": %.3f,\n", nocarry_cell / 1000.0);
    else fprintf(f, "  \"nocarry_cell_ns\": null,\n");
    fprintf(f, "  \"paths\": [\n");
    for (int i = 0; i < np; i++) {
      fprintf(f, "    {\"start\": ");
      json_str(f, paths[i].start);
      fprintf(f, ", \"end\": ");
      json_str(f, paths[i].end);
      fprintf(f, ", \"levels\": %d, \"delay_ns\": %.3f, \"cell_ns\": %.3f, \"route_ns\": %.3f, \"cells\": ",
              paths[i].levels, paths[i].total / 1000.0, paths[i].cell_ps / 1000.0, paths[i].route_ps / 1000.0);
      json_str(f, paths[i].cells);
      fprintf(f, ", \"nets\": ");
      json_str(f, paths[i].nets);
      fprintf(f, "}%s\n", i + 1 < np ? "," : "");
    }
    fprintf(f, "  ]\n}\n");
    fclose(f);
  }
  if (!txt) printf("%s: worst %.2f ns (est. fmax %.1f MHz), logic %.2f ns; %s\n", config, worst / 1000.0, fmax,
                   worst_cell / 1000.0, verdict);
  return meets ? 0 : 1;
}
