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
 * Clocks (hw/TIMING.md, "Two clocks"): a netlist whose top has an input port clk2x (or clk2x_i)
 * has two when a clocked cell is on it: clk (or clk_i), the core clock at --mhz, and clk2x at twice
 * it, from the same MMCM and aligned. A clocked cell belongs to the port that drives its clock
 * pin(s); a cell on neither (or on both) is timed as the core clock (as a clk2x cell when one of
 * its pins is on clk2x) and counted in a warning. Otherwise every clocked cell is on the core
 * clock, whatever the port's name. A path between core-clock cells (or the top's ports) has the
 * period T; a path with either end on clk2x has T/2 (the tightest pair of edges). Each endpoint
 * keeps its worst delay from each launching clock; figures in core-clock terms are normalized:
 * delay * T / the path's limit. The logic rule is half a path's own limit; a DSP slice's inner
 * stages have its clock's period.
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
 * Clock domains: the core clock and its double (header comment). */

enum { DOM_CLK, DOM_CLK2X, NDOM };
static const char *const dom_name[NDOM] = {"clk", "clk2x"};

/* period / a path's limit, from the launching and the capturing domain: the clocks are aligned,
 * so a path with an end on clk2x has half a core period between its nearest edges */
static int dom_ratio(int ld, int cd) { return ld == DOM_CLK && cd == DOM_CLK ? 1 : 2; }

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
  int dom;      /* the capturing clock (DOM_CLK for an output of the top) */
  /* filled by the analysis, ps, -1 unreachable: the worst delay from launches of each domain
   * (with routing and uncertainty; cell delays only), then the worse of the two normalized to
   * the core period (raw * dom_ratio) and the launching domain it came from */
  long raw[NDOM], cell_raw[NDOM];
  long total, cell_total;
  int ldom, cldom;
} endpoint;

typedef struct graph {
  int nnodes, cap_nodes;
  int *launch_ps;           /* per node: clock-to-out if a path starts here, else -1 */
  int *launch_cell;         /* the launching cell, -1 for an input of the top */
  const char **launch_port;
  signed char *launch_dom;  /* the launching cell's clock domain */
  signed char *cell_dom;    /* per cell: its clock domain (DOM_CLK for a cell without a clock) */
  int has2x;                /* a clocked cell is on the top's clk2x port: two clocks */
  int clk_other;            /* clocked cells on neither clock port, or on both (two clocks only) */
  int clk_other_cell;       /* the first of them */
  edge *e;
  size_t ne, cap_e;
  endpoint *ep;
  size_t nep, cap_ep;
  /* per net: fanout (input pins), driver cell and port */
  int *fanout, *drv_cell;
  const char **drv_port;
  int unmodelled;           /* count of cell types without a model (errors already printed) */
  int dsp_int_ps[NDOM];     /* worst register-to-register stage inside a DSP slice on each clock
                               (raw, 0: none) */
  int dsp_int_cell[NDOM];   /* its cell */
} graph;

static graph G;
static const netlist *NL;

static int new_vnode(void) {
  if (G.nnodes == G.cap_nodes) {
    G.cap_nodes *= 2;
    G.launch_ps = xrealloc(G.launch_ps, (size_t)G.cap_nodes * sizeof *G.launch_ps);
    G.launch_cell = xrealloc(G.launch_cell, (size_t)G.cap_nodes * sizeof *G.launch_cell);
    G.launch_port = xrealloc(G.launch_port, (size_t)G.cap_nodes * sizeof *G.launch_port);
    G.launch_dom = xrealloc(G.launch_dom, (size_t)G.cap_nodes * sizeof *G.launch_dom);
  }
  G.launch_ps[G.nnodes] = -1;
  G.launch_cell[G.nnodes] = -1;
  G.launch_port[G.nnodes] = NULL;
  G.launch_dom[G.nnodes] = DOM_CLK;
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
      G.launch_dom[b] = G.cell_dom[ci];
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
    G.ep[G.nep++] = (endpoint){.node = b, .setup_ps = ps + outmux_ps(b, c, in->name),
                               .route_ps = route_ps(b, c, in->name), .cell = ci, .port = in->name,
                               .bit = k, .dom = ci >= 0 ? G.cell_dom[ci] : DOM_CLK, .raw = {-1, -1},
                               .cell_raw = {-1, -1}};
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

/* A register-to-register stage inside a DSP slice (no routing: checked against the period of the
 * slice's clock, not the logic rule): the capturing register's setup from the stage's input port,
 * as model_dsp takes it, plus the launching register's clock-to-out, 700 ps (xc7 scale: on xcup
 * A2 -> P without MREG gives 2.75 ns, the calibration point of hw/TIMING.md). */
static void dsp_stage(int ci, int setup_ps) {
  if (setup_ps < 0) return;
  int t = sc(setup_ps + 700, M->dsp), d = G.cell_dom[ci];
  if (t > G.dsp_int_ps[d]) G.dsp_int_ps[d] = t, G.dsp_int_cell[d] = ci;
}

/* A DSP48E1 / DSP48E2's configuration and the setups model_dsp derives from it (ps, xc7 scale). */
typedef struct dspcfg {
  long areg, breg, creg, dreg, adreg, mreg, preg;
  int mult, dport, patdet;
  /* A's, B's, D's setup to the next register on their way to P, their own register left out (-1:
   * none): an unregistered port's setup, and with the register, its stage inside the slice */
  int a_next, b_next, d_next;
  int alu_next;   /* from the ALU's inputs (C, M, the control registers) to P: -1 without PREG */
  int ctrl_dyn;   /* OPMODE, ALUMODE, CARRYIN or CARRYINSEL is registered and not constant */
  int inmode_dyn; /* INMODE is registered and not constant */
} dspcfg;

/* The control inputs, with the parameter of the register each has (1 by default, as on the
 * slice; yosys's mapping and rtl/dlvta_dsp.v write them all). */
static const char *dsp_ctrl_reg(const char *pname) {
  static const char *const t[][2] = {{"OPMODE", "OPMODEREG"}, {"ALUMODE", "ALUMODEREG"},
                                     {"INMODE", "INMODEREG"}, {"CARRYIN", "CARRYINREG"},
                                     {"CARRYINSEL", "CARRYINSELREG"}};
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    if (!strcmp(pname, t[i][0])) return t[i][1];
  return NULL;
}

static int port_dynamic(const port *p) {
  for (int k = 0; p && k < p->n; k++)
    if (p->bits[k] >= 0) return 1;
  return 0;
}

static void dsp_config(const cell *c, dspcfg *k) {
  int e2 = !strcmp(c->type, "DSP48E2");
  k->areg = param_int(c, "AREG", 1), k->breg = param_int(c, "BREG", 1), k->creg = param_int(c, "CREG", 1);
  k->dreg = param_int(c, "DREG", 1), k->adreg = param_int(c, "ADREG", 1), k->mreg = param_int(c, "MREG", 1);
  k->preg = param_int(c, "PREG", 1);
  k->mult = strcmp(param_str(c, "USE_MULT", "MULTIPLY"), "NONE") != 0;
  k->dport = e2 ? !strcmp(param_str(c, "AMULTSEL", "A"), "AD") : !strcmp(param_str(c, "USE_DPORT", "FALSE"), "TRUE");
  k->patdet = strcmp(param_str(c, "USE_PATTERN_DETECT", "NO_PATDET"), "NO_PATDET") != 0;
  if (!k->dport) k->dreg = k->adreg = 0;
  if (!k->mult) k->mreg = 0;
  int pd = k->patdet, preg = (int)k->preg, mreg = (int)k->mreg;
  /* with the pre-adder, yosys's A.required ranks MREG first (2400: A through the pre-adder to M,
   * "worst case from ADREG and MREG"); with ADREG, A's next register is AD, and we take yosys's
   * own ADREG figure (1283), ranked as yosys ranks D's (1195 before 2310) */
  if (k->mult && k->dport) k->a_next = k->adreg ? 1283 : mreg ? 2400 : preg ? (pd ? 4014 : 3723) : -1;
  else if (k->mult) k->a_next = mreg ? 1416 : preg ? (pd ? 3030 : 2739) : -1;
  else k->a_next = preg ? (pd ? 1730 : 1441) : -1;
  k->b_next = mreg ? 1285 : !preg ? -1 : k->mult ? (pd ? 2898 : 2608) : (pd ? 1718 : 1428);
  k->d_next = k->adreg ? 1195 : mreg ? 2310 : preg ? (pd ? 3925 : 3635) : -1;
  k->alu_next = preg ? (pd ? 1534 : 1244) : -1;
  k->ctrl_dyn = k->inmode_dyn = 0;
  for (int i = 0; i < c->nports; i++) {
    const char *reg = c->ports[i].out ? NULL : dsp_ctrl_reg(c->ports[i].name);
    if (!reg || !param_int(c, reg, 1) || !port_dynamic(&c->ports[i])) continue;
    if (!strcmp(c->ports[i].name, "INMODE")) k->inmode_dyn = 1;
    else k->ctrl_dyn = 1;
  }
}

/* Can the ALU take P back (an accumulator: X = P, Z = P or P >> 17, DSP48E2's W = P)? So when
 * OPMODE is not constant, or its constant value selects P. */
static int dsp_feedback(const cell *c) {
  const port *op = cell_port(c, "OPMODE");
  if (!op) return 0;
  long v = 0;
  for (int k = op->n - 1; k >= 0; k--) {
    if (op->bits[k] >= 0) return 1;
    v = v * 2 + (op->bits[k] == BIT_1);
  }
  long x = v & 3, z = (v >> 4) & 7, w = (v >> 7) & 3;
  return x == 2 || z == 2 || z == 4 || z == 6 || (op->n > 7 && w == 1);
}

/* The stages inside the slice: A/B/D registers -> AD, M or P; AD -> M or P (as A without the
 * pre-adder); M -> P (as C); a dynamic control register -> P (as C: OPMODE, ALUMODE and CARRYIN
 * steer the ALU's multiplexers and carry; INMODE's as A, whose operand and pre-adder it
 * selects); P -> P when the ALU takes P back: yosys has no figure for it, we take PCIN's setup to
 * P (1025), which enters the ALU through the same Z multiplexer. */
static void dsp_stages(int ci, const dspcfg *k) {
  if (k->mult) {
    if (k->areg) dsp_stage(ci, k->a_next);
    if (k->breg) dsp_stage(ci, k->b_next);
    if (k->dport && k->dreg) dsp_stage(ci, k->d_next);
    if (k->dport && k->adreg) dsp_stage(ci, k->mreg ? 1416 : k->preg ? (k->patdet ? 3030 : 2739) : -1);
    if (k->mreg) dsp_stage(ci, k->alu_next);
  }
  if (k->ctrl_dyn) dsp_stage(ci, k->alu_next);
  if (k->inmode_dyn) dsp_stage(ci, k->a_next);
  if (k->preg && dsp_feedback(&NL->cells[ci])) dsp_stage(ci, k->patdet ? 1315 : 1025);
}

/* DSP48E1 (cells_sim.v's specify functions, by USE_MULT / USE_DPORT and the pipeline registers);
 * DSP48E2 the same scaled. Inputs with a register on their way to P have a setup, the others
 * arcs to P and PCOUT; P and PCOUT have a clock-to-out when any register is used. ACIN/BCIN are
 * A/B (yosys has no arcs for them); CARRYIN, OPMODE, ALUMODE, CARRYINSEL as C without CREG, or
 * into their own register with C's register setup (168); INMODE likewise as A; ACOUT and BCOUT
 * 350 ps after A/B or their register (no yosys numbers; hw/TIMING.md). */
static void model_dsp(int ci, const cell *c) {
  dspcfg k;
  dsp_config(c, &k);
  int mult = k.mult, dport = k.dport, ar = k.areg || k.inmode_dyn; /* INMODE's register as A's */
  /* required (setup), P / PCOUT arrival, comb arcs: -1 = none */
  int a_req = k.areg ? 254 : k.a_next, b_req = k.breg ? 324 : k.b_next, c_req = k.creg ? 168 : k.alu_next;
  int d_req = !dport ? -1 : k.dreg ? 248 : k.d_next;
  int p_arr = -1, pc_arr = -1;
  if (k.preg) p_arr = 329, pc_arr = 435;
  else if (k.creg || k.ctrl_dyn) p_arr = 1687, pc_arr = 1835;
  else if (k.mreg) p_arr = 1671, pc_arr = 1819;
  else if (mult && !dport && ar) p_arr = 2952, pc_arr = 3098;
  else if (mult && !dport && k.breg) p_arr = 2813, pc_arr = 2960;
  else if (mult && dport && (ar || k.dreg || k.adreg || k.breg))
    p_arr = ar ? 3935 : k.dreg ? 3908 : k.adreg ? 2958 : 2813,
    pc_arr = ar ? 4083 : k.dreg ? 4056 : k.breg ? 2960 : 2859;
  else if (!mult && (ar || k.breg)) p_arr = ar ? 1632 : 1616, pc_arr = ar ? 1780 : 1765;
  int ap = mult ? (dport ? 3806 : 2823) : 1523, apc = mult ? (dport ? 3954 : 2970) : 1671;
  int bp = mult ? 2690 : 1509, bpc = mult ? 2838 : 1658;
  int cp = 1325, cpc = 1474, dp = 3717, dpc = 3700, pcp = 1107, pcpc = 1255;
  int pcin_req = k.patdet ? 1315 : 1025;
  int s = M->dsp;
  dsp_stages(ci, &k);
  const port *PC = cell_port(c, "PCOUT");
  for (int i = 0; i < c->nports; i++) {
    const port *p = &c->ports[i];
    const char *n = p->name, *reg;
    if (p->out) {
      if (!strcmp(n, "ACOUT") || !strcmp(n, "BCOUT")) {
        int r = (int)(n[0] == 'A' ? k.areg : k.breg);
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
      req = k.preg ? pcin_req : -1, top = pcp, topc = pcpc;
    else if (!strncmp(n, "CE", 2) || !strncmp(n, "RST", 3)) {
      capture(ci, p, -1, sc(500, s)); /* enables and resets: 500 ps (hw/TIMING.md) */
      continue;
    } else if ((reg = dsp_ctrl_reg(n)) != NULL) {
      int inm = !strcmp(n, "INMODE");
      req = param_int(c, reg, 1) ? 168 : inm ? k.a_next : k.alu_next;
      top = inm ? ap : cp, topc = inm ? apc : cpc;
    } else req = c_req, top = cp, topc = cpc; /* C */
    if (req >= 0) capture(ci, p, -1, sc(req, s));
    else {
      for (int q = 0; q < c->nports; q++) {
        const port *o = &c->ports[q];
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

/* A port of the top by name, or by the name with lowRISC's _i (a module timed alone). */
static const port *top_port(const char *name) {
  char alt[64];
  snprintf(alt, sizeof alt, "%s_i", name);
  for (int k = 0; k < 2; k++)
    for (int i = 0; i < NL->nports; i++)
      if (!NL->ports[i].out && !strcmp(NL->ports[i].name, k ? alt : name)) return &NL->ports[i];
  return NULL;
}

/* Is p a clock pin of c: a flip-flop's C, a latch's G, the CLK / WCLK / CLKARDCLK ... of a LUT
 * RAM, shift register, block RAM or DSP slice. */
static int clock_pin(const cell *c, const port *p) {
  if (p->out) return 0;
  if (is_type(c->type, "FD")) return !strcmp(p->name, "C");
  if (is_type(c->type, "LD")) return !strcmp(p->name, "G");
  return strstr(p->name, "CLK") != NULL;
}

/* G.cell_dom: each clocked cell's clock, by the top's port on its clock pins (header comment).
 * Two clocks when a clocked cell is on clk2x: the top of a config without gemm_pump 2 keeps the
 * port, tied off inside, and is timed as before. */
static void assign_domains(void) {
  G.cell_dom = xmalloc((size_t)NL->ncells + 1);
  memset(G.cell_dom, DOM_CLK, (size_t)NL->ncells + 1);
  const port *p2 = top_port("clk2x"), *p1 = top_port("clk");
  if (!p2) return; /* one clock: every clocked cell is on it, whatever its port's name */
  signed char *bitdom = xmalloc((size_t)NL->nbits);
  memset(bitdom, -1, (size_t)NL->nbits);
  for (int k = 0; p1 && k < p1->n; k++)
    if (p1->bits[k] >= 0) bitdom[p1->bits[k]] = DOM_CLK;
  for (int k = 0; k < p2->n; k++)
    if (p2->bits[k] >= 0) bitdom[p2->bits[k]] = DOM_CLK2X;
  for (int ci = 0; ci < NL->ncells; ci++) {
    const cell *c = &NL->cells[ci];
    int seen[NDOM] = {0, 0}, other = 0, pins = 0;
    for (int i = 0; i < c->nports; i++) {
      const port *p = &c->ports[i];
      if (!clock_pin(c, p)) continue;
      for (int k = 0; k < p->n; k++, pins++) {
        int d = p->bits[k] >= 0 ? bitdom[p->bits[k]] : -1;
        if (d < 0) other = 1;
        else seen[d] = 1;
      }
    }
    if (!pins) continue;
    /* on both clocks (a block RAM's two ports): the tighter; either way a warning */
    G.cell_dom[ci] = seen[DOM_CLK2X] ? DOM_CLK2X : DOM_CLK;
    G.has2x |= seen[DOM_CLK2X];
    if (other || (seen[DOM_CLK] && seen[DOM_CLK2X])) {
      if (!G.clk_other++) G.clk_other_cell = ci;
    }
  }
  if (!G.has2x) G.clk_other = 0; /* one clock after all */
  free(bitdom);
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
  G.launch_dom = xmalloc((size_t)G.cap_nodes * sizeof *G.launch_dom);
  for (int i = 0; i < nb; i++) G.launch_ps[i] = -1, G.launch_cell[i] = -1, G.launch_port[i] = NULL;
  memset(G.launch_dom, DOM_CLK, (size_t)G.cap_nodes);
  assign_domains();
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

/* Arrival times from the launches of clock domain dom; with_route: routing and uncertainty counted
 * (the estimate) or not (cell delays only). Fills each endpoint's raw[dom] or cell_raw[dom]. A
 * netlist with one clock has no clk2x launches: that analysis is skipped (an->arr NULL). */
static void analyse(analysis *an, int with_route, int dom) {
  int n = G.nnodes;
  an->arr = NULL, an->pred = NULL;
  if (dom != DOM_CLK && !G.has2x) {
    for (size_t i = 0; i < G.nep; i++) *(with_route ? &G.ep[i].raw[dom] : &G.ep[i].cell_raw[dom]) = -1;
    return;
  }
  an->arr = xmalloc((size_t)n * sizeof *an->arr);
  an->pred = xmalloc((size_t)n * sizeof *an->pred);
  for (int i = 0; i < n; i++) an->arr[i] = G.launch_dom[i] == dom ? G.launch_ps[i] : -1, an->pred[i] = -1;
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
    if (with_route) ep->raw[dom] = t;
    else ep->cell_raw[dom] = t;
  }
}

/* Each endpoint's worst path relative to its limit: total and cell_total normalized to the core
 * period, ldom and cldom the launching domains they come from (the core clock on a tie). */
static void settle(void) {
  for (size_t i = 0; i < G.nep; i++) {
    endpoint *ep = &G.ep[i];
    ep->total = ep->cell_total = -1;
    ep->ldom = ep->cldom = DOM_CLK;
    for (int d = 0; d < NDOM; d++) {
      long t = ep->raw[d] < 0 ? -1 : ep->raw[d] * dom_ratio(d, ep->dom);
      long c = ep->cell_raw[d] < 0 ? -1 : ep->cell_raw[d] * dom_ratio(d, ep->dom);
      if (t > ep->total) ep->total = t, ep->ldom = d;
      if (c > ep->cell_total) ep->cell_total = c, ep->cldom = d;
    }
  }
}

/* Both analyses (estimate an, cell delays ac) for every launching domain, then settle(). */
static void analyse_all(analysis an[NDOM], analysis ac[NDOM]) {
  for (int d = 0; d < NDOM; d++) {
    if (an) analyse(&an[d], 1, d);
    analyse(&ac[d], 0, d);
  }
  settle();
}

/* ---------------------------------------------------------------------------------------------
 * Report. */

typedef struct path {
  char start[256], end[256], group[256];
  char cells[1024];
  char nets[4096];  /* the net each cell on the path drives, in order (where to pipeline) */
  int levels;
  long total, cell_ps, route_ps; /* raw (not normalized): total = cell_ps + route_ps */
  int ldom, cdom;                /* launching and capturing clock */
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

/* The path into ep from a launch of domain ld, by the analysis an of that domain. */
static void trace(const analysis *an, const endpoint *ep, int ld, path *pa) {
  memset(pa, 0, sizeof *pa);
  pa->ldom = ld, pa->cdom = ep->dom;
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
  pa->total = ep->raw[ld];
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

/* by delay normalized to the core period: the worst relative to its own limit first */
static int cmp_ep(const void *a, const void *b) {
  const endpoint *x = a, *y = b;
  return x->total < y->total ? 1 : x->total > y->total ? -1 : 0;
}

static int cmp_ep_cell(const void *a, const void *b) {
  const endpoint *x = a, *y = b;
  return x->cell_total < y->cell_total ? 1 : x->cell_total > y->cell_total ? -1 : 0;
}

/* worst cell-only path of a netlist (normalized to the core period), for the cross-check on the
 * -nocarry -nowidelut netlist */
static long worst_cell_only(path *pa) {
  analysis ac[NDOM];
  analyse_all(NULL, ac);
  long best = -1;
  size_t bi = 0;
  for (size_t i = 0; i < G.nep; i++)
    if (G.ep[i].cell_total > best) best = G.ep[i].cell_total, bi = i;
  if (best >= 0 && pa) trace(&ac[G.ep[bi].cldom], &G.ep[bi], G.ep[bi].cldom, pa);
  for (int d = 0; d < NDOM; d++) free(ac[d].arr), free(ac[d].pred);
  return best;
}

typedef struct opts {
  const char *config, *family, *top, *part, *source;
  const char *sta_plain, *sta_nocarry, *nocarry_json, *txt, *json, *input;
  double mhz;
  int npaths;
} opts;

static void usage(void) {
  fprintf(stderr,
          "usage: sta --config NAME --family xc7|xcup --mhz MHZ [--top MODULE] [--part PART]\n"
          "           [--paths N] [--source TEXT] [--sta-plain STA.txt] [--sta-nocarry STA.txt]\n"
          "           [--nocarry-netlist JSON] [--txt OUT.txt] [--json OUT.json] NETLIST.json\n");
  exit(2);
}

static void parse_args(int argc, char **argv, opts *o) {
  memset(o, 0, sizeof *o);
  o->top = "dlvta_top";
  o->npaths = 20;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char **dst = NULL;
    if (!strcmp(a, "--config")) dst = &o->config;
    else if (!strcmp(a, "--family")) dst = &o->family;
    else if (!strcmp(a, "--top")) dst = &o->top;
    else if (!strcmp(a, "--part")) dst = &o->part;
    else if (!strcmp(a, "--source")) dst = &o->source;
    else if (!strcmp(a, "--sta-plain")) dst = &o->sta_plain;
    else if (!strcmp(a, "--sta-nocarry")) dst = &o->sta_nocarry;
    else if (!strcmp(a, "--nocarry-netlist")) dst = &o->nocarry_json;
    else if (!strcmp(a, "--txt")) dst = &o->txt;
    else if (!strcmp(a, "--json")) dst = &o->json;
    else if (!strcmp(a, "--mhz") || !strcmp(a, "--paths")) {
      if (i + 1 >= argc) usage();
      char *e;
      double v = strtod(argv[++i], &e);
      if (*e || v <= 0) die("%s: bad value '%s'", a, argv[i]);
      if (a[2] == 'm') o->mhz = v;
      else o->npaths = (int)v;
      continue;
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "%s: unknown option %s\n", prog, a);
      usage();
    } else {
      if (o->input) usage();
      o->input = a;
      continue;
    }
    if (i + 1 >= argc) usage();
    *dst = argv[++i];
  }
  if (!o->config || !o->family || o->mhz <= 0 || !o->input) usage();
}

/* Loads a netlist into NL and builds and sorts its graph; exits on cells without a model. */
static void load_graph(netlist *nl, const char *file, const char *top) {
  load_netlist(nl, file, top);
  NL = nl;
  build_graph();
  if (G.unmodelled) die("%d cell types without a timing model in %s", G.unmodelled, file);
  if (G.clk_other)
    fprintf(stderr, "%s: warning: %s: %d clocked cells on neither clk nor clk2x (or on both), timed as "
            "the core clock (as clk2x when on both); the first: %s\n", prog, file, G.clk_other,
            cell_label(G.clk_other_cell));
  sort_graph();
}

/* The figures of a run, ps unless said otherwise. "Normalized": in core-clock terms, a path's
 * delay * period / its limit (dom_ratio). Classes: [DOM_CLK] paths between core-clock ends (and
 * the top's ports), [DOM_CLK2X] paths with an end on clk2x. */
typedef struct report {
  const opts *o;
  double period;               /* ns, the core clock's */
  long period_ps, logic_limit; /* the core clock's limits: the period and half of it */
  ysta yp, yn;
  long nocarry_cell;           /* normalized, -1: not run */
  path nocarry_path, cellpath; /* cellpath: the worst by normalized cell delays */
  path *paths;                 /* the worst endpoint groups, worst normalized first */
  int np;
  long worst, worst_cell;      /* normalized */
  long dsp_int;                /* normalized; its cell dsp_cell (-1: no stage) */
  int dsp_cell;
  long cls_worst[NDOM], cls_cell[NDOM], cls_n[NDOM]; /* raw worst, raw worst logic, endpoints */
  int cls_ld[NDOM], cls_cd[NDOM]; /* the clocks of the class's worst path */
  double fmax;                 /* MHz of the core clock */
  long nreach, nfail, nrisk;   /* endpoints reached, over their limit, logic over half of it */
  int meets;
  char verdict[512];
} report;

static void path_clocks(char *buf, size_t n, int ld, int cd) {
  snprintf(buf, n, "%s->%s", dom_name[ld], dom_name[cd]);
}

/* Class figures of one endpoint, from each launching domain that reaches it. */
static void count_classes(report *r, const endpoint *ep) {
  int in[NDOM] = {0, 0};
  for (int d = 0; d < NDOM; d++) {
    if (ep->raw[d] < 0) continue;
    int k = dom_ratio(d, ep->dom) == 1 ? DOM_CLK : DOM_CLK2X;
    in[k] = 1;
    if (ep->raw[d] > r->cls_worst[k]) r->cls_worst[k] = ep->raw[d], r->cls_ld[k] = d, r->cls_cd[k] = ep->dom;
    if (ep->cell_raw[d] > r->cls_cell[k]) r->cls_cell[k] = ep->cell_raw[d];
  }
  for (int k = 0; k < NDOM; k++) r->cls_n[k] += in[k];
}

/* Fills r's figures and paths from the endpoints' analyses. */
static void summarize(report *r, const analysis *an, const analysis *ac) {
  endpoint *eps = xmalloc(G.nep * sizeof *eps);
  memcpy(eps, G.ep, G.nep * sizeof *eps);
  qsort(eps, G.nep, sizeof *eps, cmp_ep);
  r->paths = xmalloc((size_t)r->o->npaths * sizeof *r->paths);
  for (size_t i = 0; i < G.nep; i++) {
    if (eps[i].total < 0) continue;
    r->nreach++;
    if (eps[i].total > r->period_ps) r->nfail++;
    count_classes(r, &eps[i]);
    if (r->np >= r->o->npaths) continue;
    path pa;
    trace(&an[eps[i].ldom], &eps[i], eps[i].ldom, &pa);
    int dup = 0;
    for (int k = 0; k < r->np && !dup; k++) dup = !strcmp(r->paths[k].group, pa.group);
    if (!dup) r->paths[r->np++] = pa;
  }
  r->worst = G.nep && eps[0].total > 0 ? eps[0].total : 0;
  /* worst cell-only path (routing and uncertainty left out) */
  qsort(eps, G.nep, sizeof *eps, cmp_ep_cell);
  r->worst_cell = -1;
  if (G.nep && eps[0].cell_total >= 0) {
    trace(&ac[eps[0].cldom], &eps[0], eps[0].cldom, &r->cellpath);
    r->worst_cell = eps[0].cell_total;
  }
  /* the UltraFast check: logic (cell) delay of any path over half its limit */
  for (size_t i = 0; i < G.nep; i++)
    if (eps[i].cell_total > r->logic_limit) r->nrisk++;
  free(eps);
  r->dsp_int = 0, r->dsp_cell = -1;
  for (int d = 0; d < NDOM; d++) {
    long t = (long)G.dsp_int_ps[d] * dom_ratio(d, d);
    if (G.dsp_int_ps[d] > 0 && t > r->dsp_int) r->dsp_int = t, r->dsp_cell = G.dsp_int_cell[d];
  }
  long bound = r->worst > r->dsp_int ? r->worst : r->dsp_int; /* the estimate's period */
  r->fmax = bound > 0 ? 1e6 / (double)bound : 0;
}

/* The verdict: on each clock, hw/sta's estimate within the path's limit (the period; half of it
 * with an end on clk2x), its logic within half of that, the stages inside a DSP slice within its
 * clock's period; on xc7 also yosys's own figures (plain within half the period, -nocarry
 * -nowidelut within the period), when they were given; on xcup yosys has no arcs for DSP, block
 * RAM and CARRY8 and its figures are reported only. Comparisons in normalized terms, messages in
 * raw delays against each clock's own limits. */
static void make_verdict(report *r) {
  double T = r->period, T2 = T / 2, mhz = r->o->mhz;
  long P = r->period_ps, L = r->logic_limit;
  int ygate = !strcmp(r->o->family, "xc7");
  char why[400] = "", tag[40];
  size_t wl = 0;
  path_clocks(tag, sizeof tag, r->cls_ld[DOM_CLK2X], r->cls_cd[DOM_CLK2X]);
#define WHY(...) (wl += (size_t)snprintf(why + wl, wl < sizeof why ? sizeof why - wl : 0, __VA_ARGS__))
  if (r->cls_worst[DOM_CLK] > P)
    WHY("%sestimate %.2f ns > %.2f ns", wl ? ", " : "", r->cls_worst[DOM_CLK] / 1000.0, T);
  if (r->cls_cell[DOM_CLK] > L)
    WHY("%slogic %.2f ns > %.2f ns", wl ? ", " : "", r->cls_cell[DOM_CLK] / 1000.0, L / 1000.0);
  if (G.dsp_int_ps[DOM_CLK] > P)
    WHY("%sinside a DSP slice %.2f ns > %.2f ns", wl ? ", " : "", G.dsp_int_ps[DOM_CLK] / 1000.0, T);
  if (2 * r->cls_worst[DOM_CLK2X] > P)
    WHY("%sclk2x estimate %.2f ns > %.2f ns (%s)", wl ? ", " : "", r->cls_worst[DOM_CLK2X] / 1000.0, T2, tag);
  if (2 * r->cls_cell[DOM_CLK2X] > L)
    WHY("%sclk2x logic %.2f ns > %.2f ns", wl ? ", " : "", r->cls_cell[DOM_CLK2X] / 1000.0, T2 / 2);
  if (2L * G.dsp_int_ps[DOM_CLK2X] > P)
    WHY("%sclk2x inside a DSP slice %.2f ns > %.2f ns", wl ? ", " : "", G.dsp_int_ps[DOM_CLK2X] / 1000.0, T2);
  if (ygate && r->yp.found && r->yp.ps > L)
    WHY("%syosys sta plain %.2f ns > %.2f ns", wl ? ", " : "", r->yp.ps / 1000.0, L / 1000.0);
  if (ygate && r->yn.found && r->yn.ps > P)
    WHY("%syosys sta nocarry %.2f ns > %.2f ns", wl ? ", " : "", r->yn.ps / 1000.0, T);
#undef WHY
  r->meets = wl == 0;
  if (!r->meets) {
    snprintf(r->verdict, sizeof r->verdict, "MISSES %.0f MHz: %s", mhz, why);
    return;
  }
  int n = snprintf(r->verdict, sizeof r->verdict,
                   "meets %.0f MHz: estimate %.2f ns <= %.2f ns, logic %.2f ns <= %.2f ns", mhz,
                   r->cls_worst[DOM_CLK] / 1000.0, T, r->cls_cell[DOM_CLK] / 1000.0, L / 1000.0);
  if (G.has2x && n > 0 && (size_t)n < sizeof r->verdict)
    snprintf(r->verdict + n, sizeof r->verdict - (size_t)n,
             "; clk2x %.0f MHz: estimate %.2f ns <= %.2f ns, logic %.2f ns <= %.2f ns", 2 * mhz,
             r->cls_worst[DOM_CLK2X] / 1000.0, T2, r->cls_cell[DOM_CLK2X] / 1000.0, T2 / 2);
}

/* The two clocks' own figures (txt report; a netlist with a clk2x port only). */
static void write_txt_clocks(FILE *f, const report *r) {
  double T = r->period;
  char tag[40];
  fprintf(f, "  two clocks: clk %.1f MHz, clk2x %.1f MHz (aligned); the figures above are in core-clock terms:\n"
             "  a path with an end on clk2x counts at twice its delay (its limit is half the period)\n",
          r->o->mhz, 2 * r->o->mhz);
  for (int k = 0; k < NDOM; k++) {
    double lim = k ? T / 2 : T;
    path_clocks(tag, sizeof tag, r->cls_ld[k], r->cls_cd[k]);
    fprintf(f, "  %-16s estimate %6.2f ns (limit %.2f ns%s%s), logic %.2f ns (limit %.2f ns), inside a DSP "
               "slice %.2f ns (limit %.2f ns), %ld endpoints\n", k ? "clk2x paths" : "clk   -> clk",
            r->cls_worst[k] / 1000.0, lim, k ? ", " : "", k ? tag : "", r->cls_cell[k] / 1000.0, lim / 2,
            G.dsp_int_ps[k] / 1000.0, lim, r->cls_n[k]);
  }
}

static void write_txt(FILE *f, const report *r) {
  const opts *o = r->o;
  double period = r->period;
  fprintf(f, "timing: %s (%s, %s, top %s) at %.0f MHz (period %.2f ns)\n", o->config, o->part, o->family, o->top,
          o->mhz, period);
  if (o->source) fprintf(f, "rtl: %s\n", o->source);
  fprintf(f, "\nyosys sta (its own arcs; plain stops at CARRY4/MUXF7/8, see hw/TIMING.md):\n");
  const ysta *ys[2] = {&r->yp, &r->yn};
  const char *yn_names[2] = {"plain  ", "nocarry"};
  for (int k = 0; k < 2; k++) {
    if (!ys[k]->found) {
      fprintf(f, "  %s  (not run)\n", yn_names[k]);
      continue;
    }
    fprintf(f, "  %s  %6.2f ns  %2d levels%s  (limit %.2f ns)\n    start %s\n    end   %s\n    cells %s\n",
            yn_names[k], ys[k]->ps / 1000.0, ys[k]->levels,
            ys[k]->recognised ? "" : "  (ends at a cell without arcs)",
            (k ? period : period / 2), ys[k]->start[0] ? ys[k]->start : "?", ys[k]->end, ys[k]->cells);
  }
  if (r->nocarry_cell >= 0)
    fprintf(f, "  hw/sta cell delays on the nocarry netlist: %.2f ns, %d levels (%s -> %s)\n",
            r->nocarry_cell / 1000.0, r->nocarry_path.levels, r->nocarry_path.start, r->nocarry_path.end);
  fprintf(f, "\nhw/sta (every path; CARRY/MUXF, block-RAM and DSP clock-to-out and setup included):\n");
  fprintf(f, "  worst logic (cells only)  %6.2f ns  %d levels  (UltraFast limit: half the period, %.2f ns)\n",
          r->worst_cell / 1000.0, r->cellpath.levels, r->logic_limit / 1000.0);
  fprintf(f, "    %s -> %s\n    cells %s\n", r->cellpath.start, r->cellpath.end, r->cellpath.cells);
  fprintf(f, "  worst estimate            %6.2f ns  (logic + routing %d ps + %d ps/fanout doubling per net,"
             " uncertainty %d ps)\n", r->worst / 1000.0, M->route_base, M->route_fo, M->uncertainty);
  if (r->dsp_cell >= 0)
    fprintf(f, "  inside a DSP slice        %6.2f ns  (register to register, no routing; limit: the period)  %s\n",
            r->dsp_int / 1000.0, NL->cells[r->dsp_cell].name);
  fprintf(f, "  est. fmax                 %6.1f MHz\n", r->fmax);
  fprintf(f, "  endpoints %ld, over the period %ld, logic over half the period %ld\n", r->nreach, r->nfail, r->nrisk);
  if (G.has2x) write_txt_clocks(f, r);
  fprintf(f, "\n%d worst endpoints (one per register vector / memory port), ns = logic + route:\n", r->np);
  for (int i = 0; i < r->np; i++) {
    const path *pa = &r->paths[i];
    char tag[80] = "";
    if (G.has2x) {
      char c[40];
      path_clocks(c, sizeof c, pa->ldom, pa->cdom);
      snprintf(tag, sizeof tag, "  [%s, limit %.2f ns]", c, period / dom_ratio(pa->ldom, pa->cdom));
    }
    fprintf(f, "%3d %6.2f ns (%5.2f + %5.2f) %2d lv  %s -> %s%s\n      %s\n", i + 1, pa->total / 1000.0,
            pa->cell_ps / 1000.0, pa->route_ps / 1000.0, pa->levels, pa->start, pa->end, tag, pa->cells);
  }
  fprintf(f, "\nverdict: %s\n", r->verdict);
}

static void json_path(FILE *f, const report *r, const path *pa, int last) {
  char c[40];
  path_clocks(c, sizeof c, pa->ldom, pa->cdom);
  fprintf(f, "    {\"clocks\": \"%s\", \"required_ns\": %.3f, \"start\": ", c,
          r->period / dom_ratio(pa->ldom, pa->cdom));
  json_str(f, pa->start);
  fprintf(f, ", \"end\": ");
  json_str(f, pa->end);
  fprintf(f, ", \"levels\": %d, \"delay_ns\": %.3f, \"cell_ns\": %.3f, \"route_ns\": %.3f, \"cells\": ", pa->levels,
          pa->total / 1000.0, pa->cell_ps / 1000.0, pa->route_ps / 1000.0);
  json_str(f, pa->cells);
  fprintf(f, ", \"nets\": ");
  json_str(f, pa->nets);
  fprintf(f, "}%s\n", last ? "" : ",");
}

/* timing.json: the keys of hw/TIMING.md, core-clock figures normalized, the clocks' own raw. */
static void write_json(FILE *f, const report *r) {
  const opts *o = r->o;
  double T = r->period;
  char tag[40];
  fprintf(f, "{\n  \"config\": ");
  json_str(f, o->config);
  fprintf(f, ",\n  \"family\": ");
  json_str(f, o->family);
  fprintf(f, ",\n  \"part\": ");
  json_str(f, o->part);
  fprintf(f, ",\n  \"top\": ");
  json_str(f, o->top);
  fprintf(f, ",\n  \"source\": ");
  json_str(f, o->source ? o->source : "");
  fprintf(f, ",\n  \"target_mhz\": %.1f,\n  \"period_ns\": %.3f,\n", o->mhz, T);
  fprintf(f, "  \"worst_cell_ns\": %.3f,\n  \"worst_levels\": %d,\n", r->worst_cell / 1000.0, r->cellpath.levels);
  fprintf(f, "  \"worst_ns\": %.3f,\n  \"est_fmax_mhz\": %.1f,\n", r->worst / 1000.0, r->fmax);
  fprintf(f, "  \"dsp_internal_ns\": %.3f,\n  \"dsp_internal_cell\": ", r->dsp_int / 1000.0);
  json_str(f, r->dsp_cell >= 0 ? NL->cells[r->dsp_cell].name : "");
  fprintf(f, ",\n");
  fprintf(f, "  \"logic_limit_ns\": %.3f,\n  \"meets\": %s,\n  \"verdict\": ", r->logic_limit / 1000.0,
          r->meets ? "true" : "false");
  json_str(f, r->verdict);
  fprintf(f, ",\n  \"endpoints\": %ld,\n  \"endpoints_over_period\": %ld,\n  \"endpoints_logic_over_half\": %ld,\n",
          r->nreach, r->nfail, r->nrisk);
  path_clocks(tag, sizeof tag, r->cls_ld[DOM_CLK2X], r->cls_cd[DOM_CLK2X]);
  fprintf(f, "  \"clk2x\": %s,\n  \"clk2x_mhz\": %.1f,\n  \"clk2x_limit_ns\": %.3f,\n"
             "  \"clk2x_logic_limit_ns\": %.3f,\n", G.has2x ? "true" : "false", 2 * o->mhz, T / 2, T / 4);
  fprintf(f, "  \"clk_endpoints\": %ld,\n  \"clk_worst_ns\": %.3f,\n  \"clk_worst_logic_ns\": %.3f,\n",
          r->cls_n[DOM_CLK], r->cls_worst[DOM_CLK] / 1000.0, r->cls_cell[DOM_CLK] / 1000.0);
  fprintf(f, "  \"clk2x_endpoints\": %ld,\n  \"clk2x_worst_ns\": %.3f,\n  \"clk2x_worst_logic_ns\": %.3f,\n",
          r->cls_n[DOM_CLK2X], r->cls_worst[DOM_CLK2X] / 1000.0, r->cls_cell[DOM_CLK2X] / 1000.0);
  fprintf(f, "  \"clk2x_worst_clocks\": \"%s\",\n  \"clk2x_dsp_internal_ns\": %.3f,\n  \"clock_other_cells\": %d,\n",
          r->cls_n[DOM_CLK2X] ? tag : "", G.dsp_int_ps[DOM_CLK2X] / 1000.0, G.clk_other);
  fprintf(f, "  \"model\": {\"route_base_ns\": %.3f, \"route_per_fanout_doubling_ns\": %.3f, "
             "\"route_max_ns\": %.3f, \"uncertainty_ns\": %.3f, \"top_ports\": \"registered\"},\n",
          M->route_base / 1000.0, M->route_fo / 1000.0, M->route_max / 1000.0, M->uncertainty / 1000.0);
  fprintf(f, "  \"worst_cell_path\": {\"start\": ");
  json_str(f, r->cellpath.start);
  fprintf(f, ", \"end\": ");
  json_str(f, r->cellpath.end);
  fprintf(f, ", \"cells\": ");
  json_str(f, r->cellpath.cells);
  fprintf(f, "},\n");
  json_ysta(f, "yosys_sta_plain", &r->yp, 0);
  json_ysta(f, "yosys_sta_nocarry", &r->yn, 0);
  if (r->nocarry_cell >= 0) fprintf(f, "  \"nocarry_cell_ns\": %.3f,\n", r->nocarry_cell / 1000.0);
  else fprintf(f, "  \"nocarry_cell_ns\": null,\n");
  fprintf(f, "  \"paths\": [\n");
  for (int i = 0; i < r->np; i++) json_path(f, r, &r->paths[i], i + 1 == r->np);
  fprintf(f, "  ]\n}\n");
}

int main(int argc, char **argv) {
  opts o;
  parse_args(argc, argv, &o);
  for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
    if (!strcmp(models[i].family, o.family)) M = &models[i];
  if (!M) die("unknown family '%s' (xc7, xcup)", o.family);
  if (!o.part) o.part = !strcmp(o.family, "xc7") ? "xc7z020-1" : "xczu3eg-1";
  static report r; /* large: its paths' texts */
  r.o = &o;
  r.period = 1000.0 / o.mhz;
  r.period_ps = lround(r.period * 1000);
  r.logic_limit = r.period_ps / 2;
  read_ysta(o.sta_plain, &r.yp);
  read_ysta(o.sta_nocarry, &r.yn);
  /* the -nocarry -nowidelut netlist first (cell delays only, a cross-check), then the plain one */
  r.nocarry_cell = -1;
  static netlist nl2, nl;
  if (o.nocarry_json) {
    load_graph(&nl2, o.nocarry_json, o.top);
    r.nocarry_cell = worst_cell_only(&r.nocarry_path);
  }
  load_graph(&nl, o.input, o.top);
  analysis an[NDOM], ac[NDOM];
  analyse_all(an, ac);
  summarize(&r, an, ac);
  make_verdict(&r);
  FILE *ft = NULL, *fj = NULL;
  if (o.txt && !(ft = fopen(o.txt, "w"))) die("cannot write %s: %s", o.txt, strerror(errno));
  if (o.json && !(fj = fopen(o.json, "w"))) die("cannot write %s: %s", o.json, strerror(errno));
  if (ft) write_txt(ft, &r), fclose(ft);
  if (fj) write_json(fj, &r), fclose(fj);
  if (!o.txt)
    printf("%s: worst %.2f ns (est. fmax %.1f MHz), logic %.2f ns; %s\n", o.config, r.worst / 1000.0, r.fmax,
           r.worst_cell / 1000.0, r.verdict);
  return r.meets ? 0 : 1;
}
