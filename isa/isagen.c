/* isa/isagen.c -- writes build/<config>/dlvta_isa.h (C constants) and dlvta_isa.vh (Verilog
 * `defines) for one named config, from the same table and derivation that libisa uses.
 *
 *   isagen CONFIG OUTDIR       CONFIG: a name of configs.def, or a config file (NAME.cfg, the
 *                              key = value form of isa.h); for a file, also OUTDIR/config.def,
 *                              its DLVTA_CONFIG line, which the tsim build compiles in
 *                              (-DDLVTA_EXTRA_CONFIGS, isa.c)
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa.h"

static void upper(char *dst, const char *src) {
  while (*src) *dst++ = (char)toupper((unsigned char)*src++);
  *dst = 0;
}

typedef void (*emit_fn)(FILE *f, const char *name, uint64_t value, const char *comment);

static void emit_c(FILE *f, const char *name, uint64_t v, const char *comment) {
  if (v > 0xffffffffull)
    fprintf(f, "#define DLVTA_%s 0x%016" PRIx64 "ull", name, v);
  else
    fprintf(f, "#define DLVTA_%s %" PRIu64 "u", name, v);
  fprintf(f, comment ? " /* %s */\n" : "\n", comment);
}

static void emit_v(FILE *f, const char *name, uint64_t v, const char *comment) {
  if (v > 0xffffffffull)
    fprintf(f, "`define DLVTA_%s 64'h%016" PRIx64, name, v);
  else
    fprintf(f, "`define DLVTA_%s %" PRIu64, name, v);
  fprintf(f, comment ? " // %s\n" : "\n", comment);
}

static void emit_all(FILE *f, const isa_config *c, emit_fn e) {
  const isa_derived *d = &c->d;
  char n[96], u[64];
  e(f, "FINGERPRINT", c->fingerprint, "config + layout fingerprint");
  e(f, "INSN_BITS", ISA_INSN_BITS, NULL);
  e(f, "UOP_BITS", ISA_UOP_BITS, NULL);
  e(f, "BATCH", d->batch, NULL);
  e(f, "BLOCK_IN", d->block_in, NULL);
  e(f, "BLOCK_OUT", d->block_out, NULL);
  e(f, "INP_BITS", d->inp_bits, NULL);
  e(f, "WGT_BITS", d->wgt_bits, NULL);
  e(f, "ACC_BITS", d->acc_bits, NULL);
  e(f, "OUT_BITS", d->out_bits, NULL);
  e(f, "UOP_BYTES", d->uop_bytes, NULL);
  e(f, "INP_BYTES", d->inp_bytes, NULL);
  e(f, "WGT_BYTES", d->wgt_bytes, NULL);
  e(f, "ACC_BYTES", d->acc_bytes, NULL);
  e(f, "OUT_BYTES", d->out_bytes, NULL);
  e(f, "UOP_DEPTH", d->uop_depth, NULL);
  e(f, "INP_DEPTH", d->inp_depth, NULL);
  e(f, "WGT_DEPTH", d->wgt_depth, NULL);
  e(f, "ACC_DEPTH", d->acc_depth, NULL);
  e(f, "OUT_DEPTH", d->out_depth, NULL);
  e(f, "LOG_UOP_DEPTH", d->log_uop, NULL);
  e(f, "LOG_INP_DEPTH", d->log_inp, NULL);
  e(f, "LOG_WGT_DEPTH", d->log_wgt, NULL);
  e(f, "LOG_ACC_DEPTH", d->log_acc, NULL);
  e(f, "LUT_DEPTH", ISA_LUT_DEPTH, "entries of the ALU's lookup table (memory LUT)");
  e(f, "LOG_LUT_DEPTH", ISA_LOG_LUT_DEPTH, NULL);
  e(f, "AXI_BITS", d->axi_bits, NULL);
  e(f, "CLOCK_MHZ", d->clock_mhz, NULL);
  e(f, "INSN_QUEUE", d->insn_queue, "instruction queue depth per unit");
  e(f, "TOKEN_QUEUE", d->token_queue, "token queue capacity");
  e(f, "DRAM_RD_LATENCY", d->dram_rd_latency, NULL);
  e(f, "DRAM_WR_LATENCY", d->dram_wr_latency, NULL);
  e(f, "ACC_COPIES", d->acc_copies, "accumulator copies (RTL parameter AccCopies)");
  e(f, "RD_PORTS", d->rd_ports, "AXI read ports (m_axi_, and m1_axi_ when 2)");
  e(f, "DDR_BYTES", d->ddr_bytes, "DDR bytes per core cycle over every port (0: no figure)");
  e(f, "GEMM_PUMP", d->gemm_pump, "GEMM DSP slices at the core clock (1) or twice it (2: clk2x)");
  e(f, "WGT_SPLIT", d->wgt_split, "weight LOADs split their bursts over both read ports");
  e(f, "GEMM_WSTAGE", d->gemm_wstage, "compute stage of a GEMM's accumulator write");
  e(f, "ALU_WSTAGE", d->alu_wstage, "compute stage of an ALU's accumulator write");
  for (int w = 0; w < ISA_W_COUNT; w++) {
    snprintf(n, sizeof n, "W_%s", isa_width_name(w));
    e(f, n, c->width[w], NULL);
  }
  for (int i = 0; i < ISA_F_COUNT; i++) {
    upper(u, isa_field_name(i));
    snprintf(n, sizeof n, "F_%s_POS", u);
    e(f, n, c->fpos[i], isa_field_meaning(i));
    snprintf(n, sizeof n, "F_%s_WIDTH", u);
    e(f, n, c->fwidth[i], NULL);
  }
  for (int i = 0; i < isa_overlay_count(); i++) { /* another name of a field's bits in one opcode */
    int op, fi;
    const char *name, *meaning;
    isa_overlay(i, &op, &fi, &name, &meaning);
    upper(u, name);
    snprintf(n, sizeof n, "F_%s_POS", u);
    e(f, n, c->fpos[fi], meaning);
    snprintf(n, sizeof n, "F_%s_WIDTH", u);
    e(f, n, c->fwidth[fi], NULL);
  }
  /* REQ's parameter word c = acc[src] (DLVTA_REQ_FIELD): REQ_<NAME>_POS and _WIDTH */
#define DLVTA_REQ_FIELD(NAME, WIDTH, KIND, MEANING)          \
  e(f, "REQ_" #NAME "_POS", ISA_REQ_##NAME##_POS, MEANING); \
  e(f, "REQ_" #NAME "_WIDTH", ISA_REQ_##NAME##_WIDTH, NULL);
#include "isa.def"
  e(f, "DW_TAPS", d->dw_taps, "DWGEMM's most taps (BLOCK_IN / 2)");
  for (int op = 0; op < 8; op++) {
    if (!isa_op_name(op)) continue;
    snprintf(n, sizeof n, "OP_%s", isa_op_name(op));
    e(f, n, (uint64_t)op, NULL);
    snprintf(n, sizeof n, "OP_%s_USED_BITS", isa_op_name(op));
    e(f, n, c->insn_used_bits[op], "bits above are reserved and must be zero");
  }
  for (int m = 0; m < 8; m++) {
    if (!isa_mem_name(m)) continue;
    snprintf(n, sizeof n, "MEM_%s", isa_mem_name(m));
    e(f, n, (uint64_t)m, NULL);
    snprintf(n, sizeof n, "MEM_%s_ELEM_BYTES", isa_mem_name(m));
    e(f, n, c->elem_bytes[m], NULL);
  }
  e(f, "ALU_COUNT", ISA_ALU_COUNT, "ALU operations: codes 0 .. ALU_COUNT-1");
  for (int a = 0; a < 16; a++) {
    if (!isa_alu_name(a)) continue;
    snprintf(n, sizeof n, "ALU_%s", isa_alu_name(a));
    e(f, n, (uint64_t)a, isa_alu_meaning(a));
  }
}

static FILE *open_out(const char *dir, const char *name, char *path, size_t n) {
  snprintf(path, n, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  if (!f) fprintf(stderr, "isagen: %s: %s\n", path, strerror(errno));
  return f;
}

/* Markdown tables of every field's position and width in every config, and of REQ's parameter
 * word (for ISA.md; every line is distinct: tests/cli_isa.sh finds each line in ISA.md). */
static void markdown(FILE *f) {
  int nc = isa_config_count();
  fprintf(f, "| group | field | kind |");
  for (int i = 0; i < nc; i++) fprintf(f, " %s bits |", isa_config_at(i)->d.name);
  fprintf(f, " meaning |\n|---|---|---|");
  for (int i = 0; i < nc; i++) fprintf(f, "---|");
  fprintf(f, "---|\n");
  static const char *const kinds[] = {"u", "s", "flag", "mem", "aluop"};
  for (int fl = 0; fl < ISA_F_COUNT; fl++) {
    fprintf(f, "| %s | `%s` | %s |", isa_group_name(isa_field_group(fl)), isa_field_name(fl),
            kinds[isa_field_kind(fl)]);
    for (int i = 0; i < nc; i++) {
      const isa_config *c = isa_config_at(i);
      unsigned lo = c->fpos[fl], hi = lo + c->fwidth[fl] - 1;
      if (hi == lo)
        fprintf(f, " %u |", lo);
      else
        fprintf(f, " %u:%u |", hi, lo);
    }
    fprintf(f, " %s |\n", isa_field_meaning(fl));
  }
  static const struct { const char *name; int last, pos, kind; const char *meaning; } req[] = {
#define DLVTA_REQ_FIELD(NAME, WIDTH, KIND, MEANING) \
  {#NAME, ISA_REQ_##NAME##_LAST, ISA_REQ_##NAME##_POS, ISA_KIND_##KIND, MEANING},
#include "isa.def"
  };
  fprintf(f, "| REQ's c | bits | kind | meaning |\n|:---|---|---|---|\n");
  for (size_t r = 0; r < sizeof req / sizeof req[0]; r++) {
    char name[32];
    size_t k = 0;
    for (const char *p = req[r].name; *p && k + 1 < sizeof name; p++) name[k++] = (char)tolower((unsigned char)*p);
    name[k] = 0;
    fprintf(f, "| `c.%s` | %d:%d | %s | %s |\n", name, req[r].last, req[r].pos, kinds[req[r].kind], req[r].meaning);
  }
}

int main(int argc, char **argv) {
  if (argc == 2 && !strcmp(argv[1], "--markdown")) {
    markdown(stdout);
    return 0;
  }
  if (argc != 3) {
    fprintf(stderr, "usage: isagen CONFIG|FILE.cfg OUTDIR | isagen --markdown\n");
    return 2;
  }
  char err[512];
  const isa_config *c = isa_config_resolve(argv[1], err, sizeof err);
  if (!c) {
    fprintf(stderr, "isagen: %s\n", err);
    return 2;
  }
  const char *src = isa_config_is_file(argv[1]) ? argv[1] : "isa/configs.def";
  char path[4096];
  FILE *f;
  if (isa_config_is_file(argv[1])) {
    f = open_out(argv[2], "config.def", path, sizeof path);
    if (!f) return 1;
    fprintf(f, "/* Generated by isa/isagen from %s: config '%s' as a line of configs.def. */\n", src, c->d.name);
    isa_config_write_def(&c->d, f);
    fprintf(f, "#undef DLVTA_CONFIG\n");
    if (fclose(f)) return 1;
  }
  f = open_out(argv[2], "dlvta_isa.h", path, sizeof path);
  if (!f) return 1;
  fprintf(f, "/* Generated by isa/isagen from isa/isa.def and %s for config '%s'. */\n", src, c->d.name);
  fprintf(f, "#ifndef DLVTA_ISA_GEN_H\n#define DLVTA_ISA_GEN_H\n#define DLVTA_CONFIG_NAME \"%s\"\n",
          c->d.name);
  emit_all(f, c, emit_c);
  for (int op = 0; op < 8; op++)
    if (isa_op_name(op))
      fprintf(f, "_Static_assert(DLVTA_OP_%s_USED_BITS <= DLVTA_INSN_BITS, \"%s fits\");\n",
              isa_op_name(op), isa_op_name(op));
  fprintf(f, "_Static_assert(DLVTA_F_U_WGT_POS + DLVTA_F_U_WGT_WIDTH <= DLVTA_UOP_BITS, \"uop fits\");\n");
  fprintf(f, "#endif\n");
  if (fclose(f)) return 1;

  f = open_out(argv[2], "dlvta_isa.vh", path, sizeof path);
  if (!f) return 1;
  fprintf(f, "// Generated by isa/isagen from isa/isa.def and %s for config '%s'.\n", src, c->d.name);
  fprintf(f, "`ifndef DLVTA_ISA_VH\n`define DLVTA_ISA_VH\n");
  emit_all(f, c, emit_v);
  /* a name to test with `ifdef: the top has the second clock port clk2x (rtl/dlvta_top.v) */
  if (c->d.gemm_pump == 2) fprintf(f, "`define DLVTA_GEMM_2X // the GEMM's slices run on clk2x\n");
  fprintf(f, "`endif\n");
  return fclose(f) ? 1 : 0;
}
