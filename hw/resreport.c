/* hw/resreport.c -- the resource report of a synthesis run: reads yosys `stat` output after
 * synth_xilinx (and, optionally, the synthesis log for the memory mapping lines), counts LUTs,
 * flip-flops, DSPs and block RAMs, compares them with the device's capacity and writes a text and
 * a JSON report with a fits / does-not-fit verdict. It also checks that the config's buffers went
 * to block RAM and its MAC array to DSPs, and says so when they did not.
 *
 *   resreport --config pynq --part xc7z020 [--limit 90] [--log synth.log]
 *             [--txt resources.txt] [--json resources.json] [--source TEXT] [--check] STAT.txt
 * (--source: a line naming the RTL the numbers are for, printed as "rtl: TEXT")
 *
 * Exit status: 0 report written (and, with --check, the design fits); 1 with --check when it
 * does not fit; 2 on bad arguments or input it cannot read (unmapped cells included).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa.h"
#include "util.h"

/* A device: capacity of each resource we report. */
typedef struct part {
  const char *name, *family; /* "xc7z020", yosys -family */
  long lut, ff, dsp, bram36, uram;
} part;

static const part parts[] = {
    {"xc7z020", "xc7", 53200, 106400, 220, 140, 0},
    {"xczu3eg", "xcup", 70560, 141120, 360, 216, 0},
};

/* What a cell of the Xilinx library costs, in the units of the report. */
enum res { R_LUT, R_LUTMEM, R_SRL, R_FF, R_LATCH, R_DSP, R_BRAM18U, R_URAM, R_CARRY, R_MUXF, R_IO,
           R_COUNT };
static const char *const res_names[R_COUNT] = {"lut_logic", "lut_mem", "srl", "ff", "latch",
                                               "dsp", "bram18_units", "uram", "carry", "muxf",
                                               "io"};

typedef struct cellcost {
  const char *cell;
  int res;
  int units; /* of res per cell: LUTs of a LUTRAM, halves of a BRAM36 */
} cellcost;

static const cellcost cells[] = {
    {"LUT1", R_LUT, 1}, {"LUT2", R_LUT, 1}, {"LUT3", R_LUT, 1}, {"LUT4", R_LUT, 1},
    {"LUT5", R_LUT, 1}, {"LUT6", R_LUT, 1}, {"LUT6_2", R_LUT, 1},
    /* yosys leaves inverters as INV; Vivado folds most into LUTs, we count one LUT each. */
    {"INV", R_LUT, 1},
    {"RAM16X1S", R_LUTMEM, 1}, {"RAM32X1S", R_LUTMEM, 1}, {"RAM64X1S", R_LUTMEM, 1},
    {"RAM128X1S", R_LUTMEM, 2}, {"RAM256X1S", R_LUTMEM, 4}, {"RAM512X1S", R_LUTMEM, 8},
    {"RAM16X1D", R_LUTMEM, 2}, {"RAM32X1D", R_LUTMEM, 2}, {"RAM64X1D", R_LUTMEM, 2},
    {"RAM128X1D", R_LUTMEM, 4}, {"RAM256X1D", R_LUTMEM, 8}, {"RAM32M", R_LUTMEM, 4},
    {"RAM64M", R_LUTMEM, 4}, {"RAM32M16", R_LUTMEM, 8}, {"RAM64M8", R_LUTMEM, 8},
    {"RAM32X16DR8", R_LUTMEM, 8}, {"RAM64X8SW", R_LUTMEM, 8},
    {"SRL16", R_SRL, 1}, {"SRL16E", R_SRL, 1}, {"SRLC16E", R_SRL, 1}, {"SRLC32E", R_SRL, 1},
    {"FDRE", R_FF, 1}, {"FDSE", R_FF, 1}, {"FDCE", R_FF, 1}, {"FDPE", R_FF, 1},
    {"FDRE_1", R_FF, 1}, {"FDSE_1", R_FF, 1}, {"FDCE_1", R_FF, 1}, {"FDPE_1", R_FF, 1},
    {"LDCE", R_LATCH, 1}, {"LDPE", R_LATCH, 1},
    {"DSP48E1", R_DSP, 1}, {"DSP48E2", R_DSP, 1},
    {"RAMB36E1", R_BRAM18U, 2}, {"RAMB36E2", R_BRAM18U, 2}, {"FIFO36E1", R_BRAM18U, 2},
    {"FIFO36E2", R_BRAM18U, 2}, {"RAMB18E1", R_BRAM18U, 1}, {"RAMB18E2", R_BRAM18U, 1},
    {"FIFO18E1", R_BRAM18U, 1}, {"FIFO18E2", R_BRAM18U, 1},
    {"URAM288", R_URAM, 1}, {"URAM288_BASE", R_URAM, 1},
    {"CARRY4", R_CARRY, 1}, {"CARRY8", R_CARRY, 1}, {"MUXCY", R_CARRY, 1}, {"XORCY", R_CARRY, 1},
    {"MUXF7", R_MUXF, 1}, {"MUXF8", R_MUXF, 1}, {"MUXF9", R_MUXF, 1},
    {"IBUF", R_IO, 1}, {"OBUF", R_IO, 1}, {"IOBUF", R_IO, 1}, {"OBUFT", R_IO, 1},
    {"BUFG", R_IO, 1}, {"BUFGCTRL", R_IO, 1}, {"BUFG_GT", R_IO, 1},
    {"GND", -1, 0}, {"VCC", -1, 0},
};

#define MAX_MEMS 64
#define MAX_NOTES 32
#define MAX_MODS 64

typedef struct report {
  long r[R_COUNT];
  long ramb36, ramb18;              /* block RAM cells of each size */
  char unknown[1024];               /* cells we do not know, "NAME xN, ..." */
  char unmapped[1024];              /* yosys internal cells ($...) left after mapping */
  int n_mems;
  char mem_name[MAX_MEMS][160];     /* memories named in the log's MEMORY_LIBMAP lines */
  char mem_map[MAX_MEMS][160];       /* what each became: "block RAM", "LUT RAM", "flip-flops" */
  int n_notes;
  char notes[MAX_NOTES][320];       /* findings for the RTL engineer */
  int n_mods;                       /* hierarchical stat only: per module definition */
  struct {
    char name[96];
    long inst;                      /* instances in the design */
    long r[R_COUNT];                /* its own cells (not its submodules'), per instance */
  } mods[MAX_MODS];
} report;

static void note(report *rp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append a finding to the report's notes (silently drops past MAX_NOTES). */
static void note(report *rp, const char *fmt, ...) {
  if (rp->n_notes >= MAX_NOTES)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(rp->notes[rp->n_notes++], sizeof rp->notes[0], fmt, ap);
  va_end(ap);
}

static void append(char *dst, size_t cap, const char *name, long n) {
  size_t len = strlen(dst);
  snprintf(dst + len, cap - len, "%s%s x%ld", len ? ", " : "", name, n);
}

/* Add n cells of library cell `name` to the resource counts r; 0 if the cell is not known. */
static int cell_cost(const char *name, long n, long *r) {
  for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++)
    if (!strcmp(cells[i].cell, name)) {
      if (cells[i].res >= 0)
        r[cells[i].res] += n * cells[i].units;
      return 1;
    }
  return 0;
}

/* Count one "CELL N" line of the stat cell list into rp. */
static void count_cell(report *rp, const char *name, long n) {
  if (cell_cost(name, n, rp->r)) {
    if (!strncmp(name, "RAMB36", 6) || !strncmp(name, "FIFO36", 6))
      rp->ramb36 += n;
    if (!strncmp(name, "RAMB18", 6) || !strncmp(name, "FIFO18", 6))
      rp->ramb18 += n;
  } else if (name[0] == '$') {
    append(rp->unmapped, sizeof rp->unmapped, name, n);
  } else {
    append(rp->unknown, sizeof rp->unknown, name, n);
  }
}

/* Split a stat cell line into name and count: "     DSP48E1     2" (yosys 0.23) or
 * "     2   DSP48E1" (later versions). Returns 0 if the line is not of that shape. */
static int cell_line(const char *line, char *name, size_t cap, long *n) {
  char a[200], b[200], extra[8];
  if (sscanf(line, "%199s %199s %7s", a, b, extra) != 2)
    return 0;
  const char *num = NULL, *id = NULL;
  char *end;
  if (isdigit((unsigned char)b[0]) && (strtol(b, &end, 10), *end == '\0')) {
    num = b;
    id = a;
  } else if (isdigit((unsigned char)a[0]) && (strtol(a, &end, 10), *end == '\0')) {
    num = a;
    id = b;
  }
  if (!num)
    return 0;
  snprintf(name, cap, "%s", id);
  *n = strtol(num, NULL, 10);
  return 1;
}

/* Parse yosys stat text: uses the "design hierarchy" totals when present, else the section of
 * module `top`, else the last module section. Returns 0, or -1 with a message in err. */
static int parse_stat(char *text, const char *top, report *rp, char *err, size_t errlen) {
  static char *lines[1 << 16];
  int nl = 0;
  for (char *p = text, *q; p && *p && nl < (int)(sizeof lines / sizeof lines[0]); p = q) {
    q = strchr(p, '\n');
    if (q)
      *q++ = '\0';
    lines[nl++] = p;
  }
  int sect = -1, hier = -1, last = -1;
  char want[200];
  snprintf(want, sizeof want, "=== %s ===", top);
  for (int i = 0; i < nl; i++) {
    const char *s = lines[i];
    while (*s == ' ')
      s++;
    if (strncmp(s, "=== ", 4) != 0)
      continue;
    last = i;
    if (!strncmp(s, "=== design hierarchy ===", 24))
      hier = i;
    else if (!strncmp(s, want, strlen(want)))
      sect = i;
  }
  int start = hier >= 0 ? hier : sect >= 0 ? sect : last;
  if (start < 0)
    return util_err(err, errlen, "no '=== module ===' section: not yosys stat output");
  int in_cells = 0, any = 0;
  for (int i = start + 1; i < nl; i++) {
    const char *s = lines[i];
    while (*s == ' ')
      s++;
    if (!strncmp(s, "=== ", 4))
      break;
    if (strstr(s, "Number of cells")) {
      in_cells = 1;
      any = 1;
      continue;
    }
    if (!in_cells)
      continue;
    if (*s == '\0')
      break;
    char name[200];
    long n;
    if (cell_line(s, name, sizeof name, &n))
      count_cell(rp, name, n);
  }
  if (!any)
    return util_err(err, errlen, "section at line %d has no 'Number of cells'", start + 1);
  if (hier < 0)
    return 0;
  /* Hierarchical stat: each module's own cells, and its instance count from the hierarchy. */
  for (int i = 0; i < nl && rp->n_mods < MAX_MODS; i++) {
    const char *s = lines[i];
    while (*s == ' ')
      s++;
    if (strncmp(s, "=== ", 4) != 0 || i == hier)
      continue;
    int m = rp->n_mods++;
    const char *e = strstr(s + 4, " ===");
    snprintf(rp->mods[m].name, sizeof rp->mods[m].name, "%.*s", e ? (int)(e - s - 4) : 80, s + 4);
    for (int j = i + 1, cells_on = 0; j < nl; j++) {
      const char *t = lines[j];
      while (*t == ' ')
        t++;
      if (!strncmp(t, "=== ", 4) || (cells_on && *t == '\0'))
        break;
      char name[200];
      long n;
      if (strstr(t, "Number of cells"))
        cells_on = 1;
      else if (cells_on && cell_line(t, name, sizeof name, &n))
        cell_cost(name, n, rp->mods[m].r);
    }
    for (int j = hier + 1; j < nl; j++) {
      const char *t = lines[j];
      while (*t == ' ')
        t++;
      char name[200];
      long n;
      if (strstr(t, "Number of"))
        break;
      if (cell_line(t, name, sizeof name, &n) && !strcmp(name, rp->mods[m].name))
        rp->mods[m].inst = n;
    }
  }
  return 0;
}

/* Read the MEMORY_LIBMAP lines of a synthesis log: "mapping memory M via $__XILINX_X_" and
 * "using FF mapping for memory M". */
static void parse_log(const char *text, report *rp) {
  for (const char *p = text; p && *p;) {
    const char *eol = strchr(p, '\n');
    size_t len = eol ? (size_t)(eol - p) : strlen(p);
    char line[512];
    snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), p);
    char mem[160], via[160];
    const char *kind = NULL;
    int problems;
    if (sscanf(line, "Found and reported %d problems", &problems) == 1 && problems > 0)
      note(rp, "yosys `check` reported %d problems (multiple drivers, undriven or combinational "
               "loops): see the CHECK pass in the synthesis log", problems);
    if (sscanf(line, "mapping memory %159s via %159s", mem, via) == 2) {
      kind = strstr(via, "BLOCKRAM") ? "block RAM"
             : strstr(via, "LUTRAM") ? "LUT RAM"
             : strstr(via, "URAM")   ? "UltraRAM"
                                     : via;
    } else if (sscanf(line, "using FF mapping for memory %159s", mem) == 1) {
      kind = "flip-flops";
    }
    if (kind && rp->n_mems < MAX_MEMS) {
      snprintf(rp->mem_name[rp->n_mems], sizeof rp->mem_name[0], "%s", mem);
      snprintf(rp->mem_map[rp->n_mems], sizeof rp->mem_map[0], "%s", kind);
      rp->n_mems++;
    }
    p = eol ? eol + 1 : NULL;
  }
}

/* A readable name for a yosys module: "$paramod$<hash>\\mod" -> "mod#<hash 6>",
 * "$paramod\\mod\\P=s32'00..0110" -> "mod(P=6)"; others unchanged. */
static void pretty_module(const char *in, char *out, size_t cap) {
  if (!strncmp(in, "$paramod$", 9)) {
    const char *bs = strchr(in, '\\');
    snprintf(out, cap, "%s#%.6s", bs ? bs + 1 : in, in + 9);
    return;
  }
  if (strncmp(in, "$paramod\\", 9) != 0) {
    snprintf(out, cap, "%s", in);
    return;
  }
  strbuf sb;
  sb_init(&sb, out, cap);
  const char *p = in + 9, *bs = strchr(p, '\\');
  sb_printf(&sb, "%.*s", bs ? (int)(bs - p) : (int)strlen(p), p);
  for (int first = 1; bs; first = 0) {
    p = bs + 1;
    bs = strchr(p, '\\');
    int len = bs ? (int)(bs - p) : (int)strlen(p);
    const char *eq = memchr(p, '=', (size_t)len);
    const char *q = eq ? memchr(eq, '\'', (size_t)(p + len - eq)) : NULL;
    sb_printf(&sb, "%s", first ? "(" : ",");
    if (eq && q) { /* NAME=s32'0101...: a binary constant */
      long v = 0;
      for (const char *d = q + 1; d < p + len && (*d == '0' || *d == '1'); d++)
        v = v * 2 + (*d - '0');
      sb_printf(&sb, "%.*s=%ld", (int)(eq - p), p, v);
    } else {
      sb_printf(&sb, "%.*s", len, p);
    }
  }
  if (strchr(in + 9, '\\'))
    sb_printf(&sb, ")");
}

static double pct(double used, long cap) { return cap > 0 ? 100.0 * used / (double)cap : 0.0; }

/* Print the JSON string s (escaping quotes, backslashes and control characters). */
static void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\')
      fprintf(f, "\\%c", *s);
    else if ((unsigned char)*s < 0x20)
      fprintf(f, "\\u%04x", *s);
    else
      fputc(*s, f);
  }
  fputc('"', f);
}

static void usage(void) {
  fprintf(stderr, "usage: resreport --config NAME --part PART [--limit PCT] [--log LOG]\n"
                  "                 [--txt OUT] [--json OUT] [--top MODULE] [--source TEXT] [--check] STAT\n");
}

int main(int argc, char **argv) {
  const char *config = NULL, *partname = NULL, *logpath = NULL, *txt = NULL, *json = NULL;
  const char *statpath = NULL, *top = "dlvta_top", *source = NULL;
  double limit = 90.0;
  int check = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--check")) {
      check = 1;
      continue;
    }
    if (a[0] == '-' && !v) {
      usage();
      return 2;
    }
    if (!strcmp(a, "--config")) config = v, i++;
    else if (!strcmp(a, "--part")) partname = v, i++;
    else if (!strcmp(a, "--log")) logpath = v, i++;
    else if (!strcmp(a, "--txt")) txt = v, i++;
    else if (!strcmp(a, "--json")) json = v, i++;
    else if (!strcmp(a, "--top")) top = v, i++;
    else if (!strcmp(a, "--source")) source = v, i++;
    else if (!strcmp(a, "--limit")) limit = atof(v), i++;
    else if (a[0] == '-') {
      usage();
      return 2;
    } else
      statpath = a;
  }
  if (!config || !partname || !statpath) {
    usage();
    return 2;
  }
  char cerr[512];
  const isa_config *cfg = isa_config_resolve(config, cerr, sizeof cerr); /* a name or a config file */
  if (!cfg) {
    fprintf(stderr, "resreport: %s\n", cerr);
    return 2;
  }
  config = cfg->d.name;
  const part *pt = NULL;
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
    if (!strcmp(parts[i].name, partname))
      pt = &parts[i];
  if (!pt) {
    fprintf(stderr, "resreport: unknown part '%s' (known: xc7z020, xczu3eg)\n", partname);
    return 2;
  }

  static report rep;
  report *rp = &rep;
  size_t len;
  char *text = util_read_file(statpath, &len);
  if (!text) {
    fprintf(stderr, "resreport: %s: %s\n", statpath, strerror(errno));
    return 2;
  }
  char err[256];
  if (parse_stat(text, top, rp, err, sizeof err) < 0) {
    fprintf(stderr, "resreport: %s: %s\n", statpath, err);
    free(text);
    return 2;
  }
  free(text);
  if (rp->unmapped[0]) {
    fprintf(stderr, "resreport: %s: yosys left unmapped cells: %s\n", statpath, rp->unmapped);
    return 2;
  }
  if (logpath) {
    char *log = util_read_file(logpath, &len);
    if (!log) {
      fprintf(stderr, "resreport: %s: %s\n", logpath, strerror(errno));
      return 2;
    }
    parse_log(log, rp);
    free(log);
  }

  /* The totals of the report. */
  long lut = rp->r[R_LUT] + rp->r[R_LUTMEM] + rp->r[R_SRL];
  long ff = rp->r[R_FF] + rp->r[R_LATCH];
  long dsp = rp->r[R_DSP];
  double bram36 = rp->r[R_BRAM18U] / 2.0;
  double p_lut = pct((double)lut, pt->lut), p_ff = pct((double)ff, pt->ff);
  double p_dsp = pct((double)dsp, pt->dsp), p_bram = pct(bram36, pt->bram36);
  char verdict[512] = "";
  struct { const char *name; double p; } chk[] = {
      {"LUT", p_lut}, {"FF", p_ff}, {"DSP", p_dsp}, {"BRAM36", p_bram}};
  for (size_t i = 0; i < sizeof chk / sizeof chk[0]; i++)
    if (chk[i].p > limit) {
      size_t l = strlen(verdict);
      snprintf(verdict + l, sizeof verdict - l, "%s%s %.1f %% > %.0f %%", l ? ", " : "",
               chk[i].name, chk[i].p, limit);
    }
  if (rp->r[R_URAM] > pt->uram) {
    size_t l = strlen(verdict);
    snprintf(verdict + l, sizeof verdict - l, "%sURAM %ld > %ld", l ? ", " : "", rp->r[R_URAM],
             pt->uram);
  }
  int fits = verdict[0] == '\0';

  /* Mapping checks against the config: buffers in block RAM, MACs in DSPs. */
  const isa_derived *d = &cfg->d;
  double buf_bits = 8.0 * ((double)d->uop_bytes + d->inp_bytes + d->wgt_bytes + d->acc_bytes +
                           d->out_bytes);
  long bram_min = (long)((buf_bits + 36863.0) / 36864.0); /* 36 Kib per BRAM36, parity used */
  long macs = (long)d->batch * d->block_in * d->block_out;
  if (bram36 + 0.5 * rp->r[R_URAM] * 8 < (double)bram_min * 0.95)
    note(rp, "buffers are not all in block RAM: the config's buffers hold %.0f bits, at least "
             "%ld BRAM36, but only %.1f BRAM36 were inferred (LUT as memory %ld, FF %ld)",
         buf_bits, bram_min, bram36, rp->r[R_LUTMEM], ff);
  for (int i = 0; i < rp->n_mems; i++)
    if (!strcmp(rp->mem_map[i], "flip-flops"))
      note(rp, "memory %s became flip-flops (no RAM primitive matched its ports)",
           rp->mem_name[i]);
  /* two int8 products per DSP a pass, two passes a core cycle with gemm_pump 2 (clk2x) */
  if (dsp * 2 * (long)d->gemm_pump < macs)
    note(rp, "MAC array not in DSPs: %ld MACs per cycle (%ux%ux%u, gemm_pump %u) but only %ld DSPs; "
             "the rest of the 8x8 multipliers are in LUTs",
         macs, d->batch, d->block_in, d->block_out, d->gemm_pump, dsp);
  if (dsp > pt->dsp)
    note(rp, "%ld DSPs > %ld on %s: pack two int8 products per DSP (shared operand, as in "
             "Xilinx WP486) or map part of the array to LUTs",
         dsp, pt->dsp, pt->name);
  if (rp->r[R_LATCH])
    note(rp, "%ld latches inferred (LDCE/LDPE): an incomplete combinational assignment",
         rp->r[R_LATCH]);
  if (rp->r[R_IO])
    note(rp, "%ld I/O or clock buffers: run synth_xilinx with -noiopad -noclkbuf", rp->r[R_IO]);
  if (rp->unknown[0])
    note(rp, "cells not counted above: %s", rp->unknown);

  /* Text report. */
  FILE *ft = txt ? fopen(txt, "w") : stdout;
  if (!ft) {
    fprintf(stderr, "resreport: %s: %s\n", txt, strerror(errno));
    return 2;
  }
  fprintf(ft, "dlvta resource report: config %s, part %s (yosys synth_xilinx -family %s)\n",
          config, pt->name, pt->family);
  if (source && *source)
    fprintf(ft, "rtl: %s\n", source);
  fprintf(ft, "%-8s %10s %10s %8s\n", "resource", "used", "available", "percent");
  fprintf(ft, "%-8s %10ld %10ld %7.1f%%   logic %ld, LUT as memory %ld, SRL %ld\n", "LUT", lut,
          pt->lut, p_lut, rp->r[R_LUT], rp->r[R_LUTMEM], rp->r[R_SRL]);
  fprintf(ft, "%-8s %10ld %10ld %7.1f%%%s\n", "FF", ff, pt->ff, p_ff,
          rp->r[R_LATCH] ? "   (latches included)" : "");
  fprintf(ft, "%-8s %10ld %10ld %7.1f%%\n", "DSP", dsp, pt->dsp, p_dsp);
  fprintf(ft, "%-8s %10.1f %10ld %7.1f%%   RAMB36 %ld, RAMB18 %ld\n", "BRAM36", bram36, pt->bram36,
          p_bram, rp->ramb36, rp->ramb18);
  if (rp->r[R_URAM])
    fprintf(ft, "%-8s %10ld %10ld\n", "URAM", rp->r[R_URAM], pt->uram);
  fprintf(ft, "other: CARRY %ld, MUXF %ld, IO/clock buffers %ld\n", rp->r[R_CARRY],
          rp->r[R_MUXF], rp->r[R_IO]);
  fprintf(ft, "expected: buffers %.0f bits (>= %ld BRAM36), %ld MACs per cycle\n", buf_bits,
          bram_min, macs);
  for (int i = 0; i < rp->n_mems; i++) {
    char pretty[192];
    pretty_module(rp->mem_name[i], pretty, sizeof pretty);
    fprintf(ft, "memory %s -> %s\n", pretty, rp->mem_map[i]);
  }
  if (rp->n_mods)
    fprintf(ft, "per module (own cells x instances; hierarchical synthesis):\n");
  for (int i = 0; i < rp->n_mods; i++) {
    const long *r = rp->mods[i].r, k = rp->mods[i].inst;
    char pretty[128];
    pretty_module(rp->mods[i].name, pretty, sizeof pretty);
    fprintf(ft, "  %-28s x%-3ld LUT %7ld  FF %6ld  DSP %4ld  BRAM36 %6.1f  MUXF %5ld\n", pretty, k, k * (r[R_LUT] + r[R_LUTMEM] + r[R_SRL]),
            k * (r[R_FF] + r[R_LATCH]), k * r[R_DSP], k * r[R_BRAM18U] / 2.0, k * r[R_MUXF]);
  }
  for (int i = 0; i < rp->n_notes; i++)
    fprintf(ft, "note: %s\n", rp->notes[i]);
  if (fits)
    fprintf(ft, "verdict: fits (every resource <= %.0f %% of %s)\n", limit, pt->name);
  else
    fprintf(ft, "verdict: DOES NOT FIT: %s\n", verdict);
  if (txt)
    fclose(ft);

  /* JSON report. */
  if (json) {
    FILE *fj = fopen(json, "w");
    if (!fj) {
      fprintf(stderr, "resreport: %s: %s\n", json, strerror(errno));
      return 2;
    }
    fprintf(fj, "{\n  \"config\": \"%s\",\n  \"part\": \"%s\",\n  \"family\": \"%s\",\n", config,
            pt->name, pt->family);
    if (source && *source) {
      fprintf(fj, "  \"rtl\": ");
      json_str(fj, source);
      fprintf(fj, ",\n");
    }
    fprintf(fj, "  \"lut\": %ld,\n  \"ff\": %ld,\n  \"dsp\": %ld,\n  \"bram36\": %.1f,\n", lut, ff,
            dsp, bram36);
    fprintf(fj, "  \"ramb36\": %ld,\n  \"ramb18\": %ld,\n", rp->ramb36, rp->ramb18);
    for (int r = 0; r < R_COUNT; r++)
      if (r != R_FF && r != R_DSP) /* already above as totals */
        fprintf(fj, "  \"%s\": %ld,\n", res_names[r], rp->r[r]);
    fprintf(fj, "  \"capacity\": {\"lut\": %ld, \"ff\": %ld, \"dsp\": %ld, \"bram36\": %ld, "
                "\"uram\": %ld},\n",
            pt->lut, pt->ff, pt->dsp, pt->bram36, pt->uram);
    fprintf(fj, "  \"percent\": {\"lut\": %.1f, \"ff\": %.1f, \"dsp\": %.1f, \"bram36\": %.1f},\n",
            p_lut, p_ff, p_dsp, p_bram);
    fprintf(fj, "  \"limit_percent\": %.0f,\n  \"fits\": %s,\n  \"verdict\": ", limit,
            fits ? "true" : "false");
    json_str(fj, fits ? "fits" : verdict);
    fprintf(fj, ",\n  \"memories\": [");
    for (int i = 0; i < rp->n_mems; i++) {
      fprintf(fj, "%s{\"name\": ", i ? ", " : "");
      json_str(fj, rp->mem_name[i]);
      fprintf(fj, ", \"mapped\": ");
      json_str(fj, rp->mem_map[i]);
      fprintf(fj, "}");
    }
    fprintf(fj, "],\n  \"notes\": [");
    for (int i = 0; i < rp->n_notes; i++) {
      fprintf(fj, "%s", i ? ",\n    " : "\n    ");
      json_str(fj, rp->notes[i]);
    }
    fprintf(fj, "]\n}\n");
    fclose(fj);
  }
  return check && !fits ? 1 : 0;
}
