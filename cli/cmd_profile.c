/* cli/cmd_profile.c -- `dlvta profile PACKAGE --input X.npy [--backend fsim|verilator]
 * -o TRACE.json [-o REPORT.svg]`: one inference of a package (the first of a stack) as
 *
 *   TRACE.json  a timeline in the Chrome / Perfetto trace-event format (chrome://tracing,
 *               ui.perfetto.dev): one track per unit (load, compute, store) with each
 *               instruction's span ("X" event, its disassembly in args) and, before it, the
 *               cycles it waited for dependency tokens as a "wait" span; the accelerator layers as
 *               spans on a track above; DRAM bytes read and written per layer as counters ("C");
 *               CPU steps as instant events. Time is the accelerator's clock at the config's
 *               frequency (ts in microseconds), layers back to back as the device runs them.
 *   REPORT.svg  per layer: a roofline (achieved MACs per cycle against MACs per DRAM byte under
 *               the config's peak and its memory port) and a bar per layer of its cycles,
 *               coloured by utilization.
 *
 * Per-instruction spans need a backend that reports single instructions: fsim (its timing
 * model, checked against the RTL within hw/TIMING.md's bounds). The Verilated RTL (tsim) exposes
 * the hardware counters only, so on verilator the timeline has the layers and their counters
 * (measured cycles) without instruction tracks. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dlvta_dev.h"
#include "npy.h"
#include "package.h"
#include "runtime.h"

#define USAGE                                                                                      \
  "usage: dlvta profile PACKAGE --input X.npy [--backend fsim|verilator] -o TRACE.json [-o REPORT.svg]\n"

/* One instruction span as fsim reported it, its layer's start added. */
typedef struct span {
  uint64_t ready, start, end; /* cycles from the inference's first layer */
  uint64_t rd, wr;
  uint32_t index;
  int unit, layer;
  isa_word w;
} span;

typedef struct layer_t {
  uint64_t start, cycles, rd, wr, macs, predicted;
} layer_t;

typedef struct prof {
  const cc_model *pm;
  rt_model *r;
  span *sp;
  size_t n, cap;
  int nomem;
  layer_t *ly;     /* [nl] */
  uint64_t base;   /* start cycle of the running layer */
  int layer;       /* running layer, -1 */
  uint64_t prev_cycles, prev_rd, prev_wr;
  uint64_t *cpu_at; /* [ns] for CPU steps: the cycle they ran at (between layers) */
} prof;

static void on_insn(void *ctx, const drv_insn_event *e) {
  prof *p = ctx;
  if (p->n == p->cap) {
    size_t nc = p->cap ? 2 * p->cap : 4096;
    span *ns = realloc(p->sp, nc * sizeof *ns);
    if (!ns) {
      p->nomem = 1;
      return;
    }
    p->sp = ns, p->cap = nc;
  }
  p->sp[p->n++] = (span){.ready = p->base + e->ready, .start = p->base + e->start, .end = p->base + e->end,
                         .rd = e->rd_bytes, .wr = e->wr_bytes, .index = e->index, .unit = e->unit,
                         .layer = p->layer, .w = e->w};
}

static int on_step(void *ctx, rt_model *r, int step, int kind, int a, int b, int after) {
  prof *p = ctx;
  (void)b;
  if (kind == RT_STEP_CPU && !after) p->cpu_at[step] = p->base;
  if (kind != RT_STEP_ACCEL) return 0;
  if (!after) {
    p->layer = a;
    p->ly[a].start = p->base;
    return 0;
  }
  rt_layer_stats s;
  uint64_t rd, wr;
  rt_layer(r, a, &s);
  rt_layer_bytes(r, a, &rd, &wr);
  layer_t *L = &p->ly[a];
  L->cycles = s.cycles - p->prev_cycles, L->rd = rd - p->prev_rd, L->wr = wr - p->prev_wr;
  L->macs = s.macs, L->predicted = s.predicted_cycles;
  p->prev_cycles = p->prev_rd = p->prev_wr = 0; /* one inference: each layer runs once */
  p->base += L->cycles;
  p->layer = -1;
  return 0;
}

/* ---- trace-event JSON -------------------------------------------------------------------- */

static void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; s && *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
    else if (c < 0x20) fprintf(f, "\\u%04x", c);
    else fputc(c, f);
  }
  fputc('"', f);
}

/* Cycles -> trace microseconds at mhz. */
static double us(uint64_t cycles, double mhz) { return (double)cycles / mhz; }

static const char *const track_name[] = {"layers", "load", "compute", "store"};

static void trace_meta(FILE *f, const prof *p, const char *backend) {
  char name[160];
  snprintf(name, sizeof name, "dlvta %s on %s (%s)", p->pm->cfg->d.name, backend, p->pm->name);
  fprintf(f, "{\"ph\": \"M\", \"ts\": 0, \"pid\": 1, \"tid\": 0, \"name\": \"process_name\", \"args\": {\"name\": ");
  json_str(f, name);
  fprintf(f, "}}");
  for (int t = 0; t < 4; t++) {
    fprintf(f, ",\n{\"ph\": \"M\", \"ts\": 0, \"pid\": 1, \"tid\": %d, \"name\": \"thread_name\", \"args\": {\"name\": \"%s\"}}", t,
            track_name[t]);
    fprintf(f, ",\n{\"ph\": \"M\", \"ts\": 0, \"pid\": 1, \"tid\": %d, \"name\": \"thread_sort_index\", \"args\": {\"sort_index\": %d}}",
            t, t);
  }
}

static void trace_layers(FILE *f, const prof *p, double mhz, uint64_t peak) {
  const cc_model *pm = p->pm;
  for (int l = 0; l < pm->nl; l++) {
    const layer_t *L = &p->ly[l];
    char name[200];
    snprintf(name, sizeof name, "L%d %s '%s'", l, pm->l[l].op, pm->l[l].node);
    fprintf(f, ",\n{\"ph\": \"X\", \"ts\": %.3f, \"dur\": %.3f, \"pid\": 1, \"tid\": 0, \"name\": ", us(L->start, mhz),
            us(L->cycles, mhz));
    json_str(f, name);
    fprintf(f, ", \"cat\": \"layer\", \"args\": {\"desc\": ");
    json_str(f, pm->l[l].desc);
    fprintf(f,
            ", \"cycles\": %" PRIu64 ", \"predicted_cycles\": %" PRIu64 ", \"macs\": %" PRIu64
            ", \"utilization\": %.4f, \"dram_read_bytes\": %" PRIu64 ", \"dram_written_bytes\": %" PRIu64 "}}",
            L->cycles, L->predicted, L->macs, L->cycles ? (double)L->macs / ((double)L->cycles * peak) : 0.0, L->rd, L->wr);
    fprintf(f, ",\n{\"ph\": \"C\", \"ts\": %.3f, \"pid\": 1, \"tid\": 0, \"name\": \"DRAM bytes per layer\", \"args\": "
               "{\"read\": %" PRIu64 ", \"written\": %" PRIu64 "}}",
            us(L->start, mhz), L->rd, L->wr);
  }
  uint64_t end = pm->nl ? p->ly[pm->nl - 1].start + p->ly[pm->nl - 1].cycles : 0;
  fprintf(f, ",\n{\"ph\": \"C\", \"ts\": %.3f, \"pid\": 1, \"tid\": 0, \"name\": \"DRAM bytes per layer\", \"args\": "
             "{\"read\": 0, \"written\": 0}}", us(end, mhz));
  for (int s = 0; s < pm->ns; s++) {
    if (pm->s[s].kind != CC_STEP_CPU) continue;
    const ir_node *n = pm->g->nodes[pm->s[s].a];
    char name[200];
    snprintf(name, sizeof name, "CPU %s '%s'", n->op_name, n->name);
    fprintf(f, ",\n{\"ph\": \"i\", \"s\": \"t\", \"ts\": %.3f, \"pid\": 1, \"tid\": 0, \"name\": ", us(p->cpu_at[s], mhz));
    json_str(f, name);
    fprintf(f, ", \"cat\": \"cpu\"}");
  }
}

static void trace_insns(FILE *f, const prof *p, double mhz) {
  for (size_t i = 0; i < p->n; i++) {
    const span *s = &p->sp[i];
    int tid = s->unit + 1;
    if (s->start > s->ready)
      fprintf(f, ",\n{\"ph\": \"X\", \"ts\": %.3f, \"dur\": %.3f, \"pid\": 1, \"tid\": %d, \"name\": \"wait (tokens)\", "
                 "\"cat\": \"wait\", \"args\": {\"cycles\": %" PRIu64 ", \"for\": \"L%d #%" PRIu32 "\"}}",
              us(s->ready, mhz), us(s->start - s->ready, mhz), tid, s->start - s->ready, s->layer, s->index);
    char dis[256];
    /* the package's own word (image-relative DRAM addresses, as compare and the dumps show) */
    const isa_word *w = s->layer >= 0 && s->index < p->pm->l[s->layer].n_insns ? &p->pm->l[s->layer].insns[s->index] : &s->w;
    isa_disasm(p->pm->cfg, w, dis, sizeof dis);
    /* the event's name: the mnemonic the disassembly starts with (the table's, lower case) */
    char name[16] = "?";
    size_t k = strcspn(dis, " ");
    if (dis[0] != '.' && k > 0 && k < sizeof name) memcpy(name, dis, k), name[k] = 0; /* not ".insn" */
    fprintf(f, ",\n{\"ph\": \"X\", \"ts\": %.3f, \"dur\": %.3f, \"pid\": 1, \"tid\": %d, \"name\": \"%s\", \"cat\": \"insn\", "
               "\"args\": {\"layer\": %d, \"index\": %" PRIu32 ", \"cycles\": %" PRIu64 ", \"insn\": ",
            us(s->start, mhz), us(s->end - s->start, mhz), tid, name, s->layer, s->index,
            s->end - s->start);
    json_str(f, dis);
    if (s->rd || s->wr) fprintf(f, ", \"dram_read\": %" PRIu64 ", \"dram_written\": %" PRIu64, s->rd, s->wr);
    fprintf(f, "}}");
  }
}

static int write_trace(const char *path, const prof *p, const char *backend, double mhz, uint64_t peak) {
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  fprintf(f, "{\"displayTimeUnit\": \"ns\", \"otherData\": {\"clock_mhz\": %g, \"backend\": ", mhz);
  json_str(f, backend);
  fprintf(f, ", \"instructions\": %s},\n\"traceEvents\": [\n", p->n ? "true" : "false");
  trace_meta(f, p, backend);
  trace_layers(f, p, mhz, peak);
  trace_insns(f, p, mhz);
  fprintf(f, "\n]}\n");
  return fclose(f) == 0 ? 0 : -1;
}

/* ---- SVG report ---------------------------------------------------------------------------- */

static void svg_text(FILE *f, double x, double y, const char *anchor, int size, const char *fill, const char *s) {
  fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\" fill=\"%s\">", x, y, anchor, size, fill);
  for (; *s; s++) {
    if (*s == '<') fputs("&lt;", f);
    else if (*s == '>') fputs("&gt;", f);
    else if (*s == '&') fputs("&amp;", f);
    else fputc(*s, f);
  }
  fputs("</text>\n", f);
}

/* Colour of a utilization u in 0..1: red (low) through amber to green (high). */
static void util_colour(double u, char *buf, size_t n) {
  u = u < 0 ? 0 : u > 1 ? 1 : u;
  int r = u < 0.5 ? 220 : (int)(220 - (u - 0.5) * 2 * 180), g = u < 0.5 ? (int)(60 + u * 2 * 120) : 180;
  snprintf(buf, n, "rgb(%d,%d,60)", r, g);
}

#define RW 720.0 /* roofline plot width and height, pixels */
#define RH 300.0
#define RX 80.0
#define RY 60.0

static void svg_roofline(FILE *f, const prof *p, uint64_t peak, double bpc) {
  const cc_model *pm = p->pm;
  /* axes, log: whole decades around the layers' points and the roof's knee */
  double knee0 = (double)peak / bpc, amin = knee0 / 10, amax = knee0 * 10, pmin = (double)peak / 100;
  for (int l = 0; l < pm->nl; l++) {
    const layer_t *L = &p->ly[l];
    if (!L->cycles || !L->macs || !(L->rd + L->wr)) continue;
    double ai = (double)L->macs / (double)(L->rd + L->wr), perf = (double)L->macs / (double)L->cycles;
    amin = fmin(amin, ai), amax = fmax(amax, ai), pmin = fmin(pmin, perf);
  }
  double x0 = floor(log10(amin)), x1 = ceil(log10(amax)), y0 = floor(log10(pmin)), y1 = ceil(log10((double)peak * 2));
#define PX(v) (RX + (log10(v) - x0) / (x1 - x0) * RW)
#define PY(v) (RY + RH - (log10(v) - y0) / (y1 - y0) * RH)
  fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#fafafa\" stroke=\"#888\"/>\n", RX, RY, RW, RH);
  char buf[96];
  for (int e = (int)x0; e <= (int)x1; e++) {
    double x = PX(pow(10, e));
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#ddd\"/>\n", x, RY, x, RY + RH);
    snprintf(buf, sizeof buf, "%g", pow(10, e));
    svg_text(f, x, RY + RH + 16, "middle", 11, "#333", buf);
  }
  for (int e = (int)y0; e <= (int)y1; e++) {
    double y = PY(pow(10, e));
    fprintf(f, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", RX, y, RX + RW, y);
    snprintf(buf, sizeof buf, "%g", pow(10, e));
    svg_text(f, RX - 6, y + 4, "end", 11, "#333", buf);
  }
  svg_text(f, RX + RW / 2, RY + RH + 36, "middle", 12, "#000", "arithmetic intensity: MACs per DRAM byte (log)");
  fprintf(f, "<text x=\"20\" y=\"%.0f\" font-size=\"12\" transform=\"rotate(-90 20 %.0f)\" text-anchor=\"middle\">"
             "MACs per cycle (log)</text>\n", RY + RH / 2, RY + RH / 2);
  /* the roof: min(peak, intensity * bytes per cycle) */
  double knee = (double)peak / bpc;
  fprintf(f, "<polyline fill=\"none\" stroke=\"#1f5fbf\" stroke-width=\"2\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"/>\n",
          PX(pow(10, x0)), PY(fmax(pow(10, x0) * bpc, pow(10, y0))), PX(knee), PY((double)peak), PX(pow(10, x1)), PY((double)peak));
  snprintf(buf, sizeof buf, "peak %" PRIu64 " MACs/cycle", peak);
  svg_text(f, RX + RW - 6, PY((double)peak) - 6, "end", 11, "#1f5fbf", buf);
  snprintf(buf, sizeof buf, "memory port %.0f B/cycle", bpc);
  svg_text(f, PX(knee / 30), PY(knee / 30 * bpc) - 8, "middle", 11, "#1f5fbf", buf);
  double labx[256], laby[256];
  int labl[256], nlab = 0;
  for (int l = 0; l < pm->nl; l++) {
    const layer_t *L = &p->ly[l];
    if (!L->cycles || !L->macs || !(L->rd + L->wr)) continue;
    double ai = (double)L->macs / (double)(L->rd + L->wr), perf = (double)L->macs / (double)L->cycles;
    ai = fmin(fmax(ai, pow(10, x0)), pow(10, x1)), perf = fmin(fmax(perf, pow(10, y0)), pow(10, y1));
    char col[32];
    util_colour(perf / (double)peak, col, sizeof col);
    fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\" stroke=\"#000\" stroke-width=\"0.5\"><title>L%d %s %s</title></circle>\n",
            PX(ai), PY(perf), col, l, pm->l[l].op, pm->l[l].desc);
    /* label a point unless an earlier label sits there (the bars below name every layer) */
    double lx = PX(ai) + 7, ly = PY(perf) - 5;
    int clash = 0;
    for (int k = 0; k < nlab; k++) clash |= fabs(labx[k] - lx) < 24 && fabs(laby[k] - ly) < 11;
    if (clash || nlab >= 256) continue;
    labl[nlab] = l, labx[nlab] = lx, laby[nlab++] = ly;
  }
  for (int k = 0; k < nlab; k++) { /* over the points */
    snprintf(buf, sizeof buf, "L%d", labl[k]);
    svg_text(f, labx[k], laby[k], "start", 10, "#000", buf);
  }
#undef PX
#undef PY
}

#define BAR_Y0 (RY + RH + 90.0)
#define BAR_H 18.0

static void svg_bars(FILE *f, const prof *p, uint64_t peak) {
  const cc_model *pm = p->pm;
  uint64_t mx = 1, tot = 0;
  for (int l = 0; l < pm->nl; l++) mx = p->ly[l].cycles > mx ? p->ly[l].cycles : mx, tot += p->ly[l].cycles;
  char buf[320];
  snprintf(buf, sizeof buf, "cycles per layer (%" PRIu64 " in all); colour: utilization of the %" PRIu64 " MACs/cycle", tot, peak);
  svg_text(f, 20, BAR_Y0 - 16, "start", 14, "#000", buf);
  for (int l = 0; l < pm->nl; l++) {
    const layer_t *L = &p->ly[l];
    double y = BAR_Y0 + l * (BAR_H + 4), w = (double)L->cycles / (double)mx * 360;
    double u = L->cycles ? (double)L->macs / ((double)L->cycles * peak) : 0;
    char col[32];
    if (L->macs) util_colour(u, col, sizeof col);
    else snprintf(col, sizeof col, "#999");
    snprintf(buf, sizeof buf, "L%d %.12s %.40s", l, pm->l[l].op, pm->l[l].desc);
    svg_text(f, 330, y + 13, "end", 11, "#000", buf);
    fprintf(f, "<rect x=\"340\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" fill=\"%s\"/>\n", y, w < 1 ? 1 : w, BAR_H, col);
    if (L->macs)
      snprintf(buf, sizeof buf, "%" PRIu64 " cycles, %.1f %% util, %.0f KiB DRAM", L->cycles, 100 * u,
               (double)(L->rd + L->wr) / 1024);
    else
      snprintf(buf, sizeof buf, "%" PRIu64 " cycles, no MACs (ALU), %.0f KiB DRAM", L->cycles, (double)(L->rd + L->wr) / 1024);
    svg_text(f, 346 + w, y + 13, "start", 11, "#333", buf);
  }
}

static int write_svg(const char *path, const prof *p, const char *backend, uint64_t peak, double bpc) {
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  double h = BAR_Y0 + p->pm->nl * (BAR_H + 4) + 20;
  fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"960\" height=\"%.0f\" viewBox=\"0 0 960 %.0f\" "
             "font-family=\"sans-serif\">\n<rect width=\"960\" height=\"%.0f\" fill=\"#fff\"/>\n", h, h, h);
  char title[300];
  snprintf(title, sizeof title, "%s on %s (config %s): roofline per layer", p->pm->name, backend, p->pm->cfg->d.name);
  svg_text(f, 20, 30, "start", 16, "#000", title);
  svg_roofline(f, p, peak, bpc);
  svg_bars(f, p, peak);
  fputs("</svg>\n", f);
  return fclose(f) == 0 ? 0 : -1;
}

/* ---- the command ---------------------------------------------------------------------------- */

static int ends_with(const char *s, const char *suf) {
  size_t a = strlen(s), b = strlen(suf);
  return a >= b && !strcmp(s + a - b, suf);
}

/* Reads X.npy (the model's input, or a stack: the first one). NULL after printing why. */
static float *read_input(const char *path, rt_model *r) {
  char err[1024];
  npy_array a = {0};
  if (npy_read(path, &a, err, sizeof err) != 0) return cli_error("profile", "%s", err), NULL;
  int rank;
  const int64_t *dims;
  const char *iname = rt_input(r, 0, &rank, &dims);
  int stacked;
  if (cli_input_count(rank, dims, &a, &stacked) < 1) {
    char got[128], want[128];
    npy_shape_str(a.ndim, a.shape, got, sizeof got);
    npy_shape_str(rank, dims, want, sizeof want);
    cli_error("profile", "%s: input shape mismatch: expected %s (input '%s') or (N, ...) over it, got %s", path, want, iname, got);
    npy_free(&a);
    return NULL;
  }
  float *x = npy_to_f32(&a);
  npy_free(&a);
  return x;
}

int cmd_profile(int argc, char **argv) {
  const char *pkg = NULL, *inp = NULL, *backend = "fsim", *outs[4];
  int no = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--input") && i + 1 < argc) inp = argv[++i];
    else if (!strcmp(argv[i], "--backend") && i + 1 < argc) backend = argv[++i];
    else if (!strcmp(argv[i], "-o") && i + 1 < argc && no < 4) outs[no++] = argv[++i];
    else if (argv[i][0] == '-' || pkg) return cli_error("profile", "unexpected argument '%s'\n%s", argv[i], USAGE), 2;
    else pkg = argv[i];
  }
  if (!pkg || !inp || !no) return fprintf(stderr, USAGE), 2;
  for (int k = 0; k < no; k++)
    if (!ends_with(outs[k], ".json") && !ends_with(outs[k], ".svg"))
      return cli_error("profile", "-o %s: the output is a trace (.json) or a report (.svg)", outs[k]), 2;
  if (strcmp(backend, "fsim") && strcmp(backend, "verilator"))
    return cli_error("profile", "backend '%s': profile runs on fsim or verilator (simulated cycles)", backend), 2;
  char err[2048];
  cc_model *pm = NULL;
  rt_model *r = NULL;
  if (cc_package_read(pkg, &pm, err, sizeof err) || rt_load(pkg, &r, err, sizeof err) != RT_OK) {
    cli_error("profile", "%s", err);
    cc_model_free(pm);
    return 1;
  }
  prof p = {.pm = pm, .r = r, .layer = -1};
  p.ly = calloc((size_t)pm->nl + 1, sizeof *p.ly);
  p.cpu_at = calloc((size_t)pm->ns + 1, sizeof *p.cpu_at);
  int ret = 1, nout = rt_n_outputs(r);
  float *x = NULL, **ys = calloc((size_t)nout + 1, sizeof *ys);
  for (int o = 0; ys && o < nout; o++) ys[o] = malloc((size_t)rt_output_numel(r, o) * sizeof(float));
  if (rt_n_inputs(r) != 1) {
    cli_error("profile", "%s: the model has %d inputs; profile feeds one", pkg, rt_n_inputs(r));
    goto done;
  }
  if (!p.ly || !p.cpu_at || !ys || !(x = read_input(inp, r))) goto done;
  if (rt_open(r, backend, NULL, err, sizeof err) != RT_OK) {
    cli_error("profile", "%s", err);
    goto done;
  }
  int traced = rt_set_trace(r, on_insn, &p, err, sizeof err) == RT_OK;
  if (!traced) fprintf(stderr, "dlvta profile: %s: layers and counters only (%s)\n", backend, err);
  rt_set_step_hook(r, on_step, &p);
  const float *ins[1] = {x};
  if (rt_run(r, ins, ys, err, sizeof err) != RT_OK || p.nomem) {
    cli_error("profile", "%s: %s", pkg, p.nomem ? "out of memory for the trace" : err);
    goto done;
  }
  const isa_derived *d = &pm->cfg->d;
  uint64_t peak = (uint64_t)d->batch * d->block_in * d->block_out;
  double mhz = d->clock_mhz ? d->clock_mhz : 100;
  for (int k = 0; k < no; k++) {
    int rc = ends_with(outs[k], ".json") ? write_trace(outs[k], &p, backend, mhz, peak)
                                         : write_svg(outs[k], &p, backend, peak, d->axi_bits / 8.0);
    if (rc) {
      cli_error("profile", "%s: cannot write it", outs[k]);
      goto done;
    }
    printf("wrote %s\n", outs[k]);
  }
  uint64_t tot = 0;
  for (int l = 0; l < pm->nl; l++) tot += p.ly[l].cycles;
  printf("%s on %s: %d layers, %" PRIu64 " cycles (%.3f ms at %.0f MHz), %zu instruction spans\n", pm->cfg->d.name, backend,
         pm->nl, tot, tot / (mhz * 1e3), mhz, p.n);
  ret = 0;
done:
  for (int o = 0; ys && o < nout; o++) free(ys[o]);
  free(ys);
  free(x);
  free(p.sp);
  free(p.ly);
  free(p.cpu_at);
  rt_free(r);
  cc_model_free(pm);
  return ret;
}
