/* isa/isa.c -- hardware configs, field layout, encode/decode and disassembly, all derived from
 * isa/isa.def and isa/configs.def at run time (once, on first use).
 */
#include "isa.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- table metadata -------------------------------------------------------------------- */
typedef struct field_info {
  const char *name, *meaning;
  int group, kind;
  int fixed_width; /* > 0: fixed; otherwise -(1 + ISA_W_x) */
} field_info;

enum { W_FIXED_BASE = 0 };
#define W_UOP_IDX (-(1 + ISA_W_UOP_IDX))
#define W_UOP_END (-(1 + ISA_W_UOP_END))
#define W_INP_IDX (-(1 + ISA_W_INP_IDX))
#define W_WGT_IDX (-(1 + ISA_W_WGT_IDX))
#define W_ACC_IDX (-(1 + ISA_W_ACC_IDX))
#define W_SRC_IDX (-(1 + ISA_W_SRC_IDX))
#define W_SRAM_IDX (-(1 + ISA_W_SRAM_IDX))

static const field_info fields[ISA_F_COUNT] = {
#define DLVTA_FIELD(GROUP, NAME, WIDTH, KIND, MEANING) \
  {#NAME, MEANING, ISA_GROUP_##GROUP, ISA_KIND_##KIND, WIDTH},
#include "isa.def"
};

static const char *const group_names[ISA_GROUP_COUNT] = {
#define DLVTA_GROUP(NAME, MEANING) #NAME,
#include "isa.def"
};

static const char *const width_names[ISA_W_COUNT] = {
#define DLVTA_WIDTH(NAME, EXPR, MEANING) #NAME,
#include "isa.def"
};

#define G_COMMON (1u << ISA_GROUP_COMMON)
#define G_MEM (1u << ISA_GROUP_MEM)
#define G_LOOP (1u << ISA_GROUP_LOOP)
#define G_GEMM (1u << ISA_GROUP_GEMM)
#define G_ALU (1u << ISA_GROUP_ALU)

enum { UNIT_MEMT = -1 };
#define UNIT_LOAD ISA_UNIT_LOAD
#define UNIT_COMPUTE ISA_UNIT_COMPUTE
#define UNIT_STORE ISA_UNIT_STORE

typedef struct op_info {
  int valid;
  const char *name, *meaning;
  int unit;
  unsigned groups;
} op_info;

static const op_info ops[8] = {
#define DLVTA_OP(CODE, NAME, UNIT, GROUPS, MEANING) [CODE] = {1, #NAME, MEANING, UNIT_##UNIT, GROUPS},
#include "isa.def"
};

typedef struct mem_info {
  int valid;
  const char *name;
  int unit;
} mem_info;

static const mem_info mems[8] = {
#define DLVTA_MEM(CODE, NAME, UNIT, ELEM_BYTES, MEANING) [CODE] = {1, #NAME, UNIT_##UNIT},
#include "isa.def"
};

typedef struct alu_info {
  int valid;
  const char *name, *meaning;
} alu_info;

static const alu_info alus[16] = {
#define DLVTA_ALU(CODE, NAME, MEANING) [CODE] = {1, #NAME, MEANING},
#include "isa.def"
};

_Static_assert(ISA_OP_COUNT <= 8, "opcode field is 3 bits");
_Static_assert(ISA_MEM_COUNT <= 8, "mem field is 3 bits");
_Static_assert(ISA_ALU_COUNT <= 16, "alu_op field is 4 bits");
typedef struct overlay_info {
  int op, field;
  const char *name, *meaning;
} overlay_info;

static const overlay_info overlays[] = {
#define DLVTA_OVERLAY(OP, FIELD, NAME, MEANING) {ISA_OP_##OP, ISA_F_##FIELD, #NAME, MEANING},
#include "isa.def"
};
#define N_OVERLAYS (int)(sizeof overlays / sizeof overlays[0])

_Static_assert(ISA_OP_COUNT == 6, "opcode count changed: update ISA.md and the RTL decoder");
_Static_assert(ISA_ALU_COUNT == 9, "ALU op count changed: update ISA.md and the RTL ALU");
_Static_assert(ISA_MEM_COUNT == 7, "memory count changed: update ISA.md, fsim and the RTL decoders");

const char *isa_field_name(int f) { return f >= 0 && f < ISA_F_COUNT ? fields[f].name : NULL; }
const char *isa_field_meaning(int f) { return f >= 0 && f < ISA_F_COUNT ? fields[f].meaning : NULL; }
int isa_field_fixed_width(int f) { return f >= 0 && f < ISA_F_COUNT && fields[f].fixed_width > 0 ? fields[f].fixed_width : 0; }
int isa_overlay_count(void) { return N_OVERLAYS; }
int isa_overlay(int i, int *op, int *f, const char **name, const char **meaning) {
  if (i < 0 || i >= N_OVERLAYS) return -1;
  *op = overlays[i].op, *f = overlays[i].field, *name = overlays[i].name, *meaning = overlays[i].meaning;
  return 0;
}
const char *isa_field_name_op(int op, int f) {
  for (int i = 0; i < N_OVERLAYS; i++)
    if (overlays[i].op == op && overlays[i].field == f) return overlays[i].name;
  return isa_field_name(f);
}
const char *isa_field_meaning_op(int op, int f) {
  for (int i = 0; i < N_OVERLAYS; i++)
    if (overlays[i].op == op && overlays[i].field == f) return overlays[i].meaning;
  return isa_field_meaning(f);
}
int isa_field_group(int f) { return fields[f].group; }
int isa_field_kind(int f) { return fields[f].kind; }
const char *isa_group_name(int g) { return g >= 0 && g < ISA_GROUP_COUNT ? group_names[g] : NULL; }
const char *isa_width_name(int w) { return w >= 0 && w < ISA_W_COUNT ? width_names[w] : NULL; }
const char *isa_op_name(int op) { return op >= 0 && op < 8 && ops[op].valid ? ops[op].name : NULL; }
unsigned isa_op_groups(int op) { return op >= 0 && op < 8 && ops[op].valid ? ops[op].groups : 0; }
const char *isa_mem_name(int m) { return m >= 0 && m < 8 && mems[m].valid ? mems[m].name : NULL; }
const char *isa_alu_name(int a) { return a >= 0 && a < 16 && alus[a].valid ? alus[a].name : NULL; }
const char *isa_alu_meaning(int a) { return a >= 0 && a < 16 && alus[a].valid ? alus[a].meaning : NULL; }

const char *isa_unit_name(int unit) {
  static const char *const names[] = {"load", "compute", "store"};
  return unit >= 0 && unit < ISA_UNIT_COUNT ? names[unit] : "?";
}

/* ---- configs ------------------------------------------------------------------------------ */
#define CONFIG_ROW(NAME, B, BI, BO, IB, WB, AB, OB, UB, INB, WGB, ACB, AXI, MHZ, IQ, TQ, RL, WL, AC, RP, DB, GP) \
  {.name = #NAME, .batch = B, .block_in = BI, .block_out = BO, .inp_bits = IB, .wgt_bits = WB,     \
   .acc_bits = AB, .out_bits = OB, .uop_bytes = UB, .inp_bytes = INB, .wgt_bytes = WGB,              \
   .acc_bytes = ACB, .axi_bits = AXI, .clock_mhz = MHZ, .insn_queue = IQ, .token_queue = TQ,         \
   .dram_rd_latency = RL, .dram_wr_latency = WL, .acc_copies = AC, .rd_ports = RP, .ddr_bytes = DB,  \
   .gemm_pump = GP},
static const isa_derived config_keys[] = {
#define DLVTA_CONFIG CONFIG_ROW
#include "configs.def"
/* a build of one config from a file (make CONFIG_FILE=..., the tsim library of that config)
 * compiles its line in: -DDLVTA_EXTRA_CONFIGS='"build/<name>/config.def"' (isagen writes it) */
#ifdef DLVTA_EXTRA_CONFIGS
#define DLVTA_CONFIG CONFIG_ROW
#include DLVTA_EXTRA_CONFIGS
#endif
};
#undef CONFIG_ROW
#define N_CONFIGS ((int)(sizeof config_keys / sizeof config_keys[0]))

static isa_config configs[N_CONFIGS];
static int configs_ready;
static char config_names[256];

static unsigned log2_exact(unsigned v) {
  unsigned l = 0;
  while ((1u << l) < v) l++;
  return l;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
  const uint8_t *b = p;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
  return h;
}

static int pow2(unsigned v) { return v && !(v & (v - 1)); }

/* The keys' own limits (what fsim and the RTL support); buffer sizes are checked in derive. */
static int check_keys(const isa_derived *d, char *err, size_t errlen) {
  if (d->inp_bits != 8 || d->wgt_bits != 8 || d->out_bits != 8 || d->acc_bits != 32)
    return util_err(err, errlen, "inp_bits, wgt_bits, out_bits must be 8 and acc_bits 32 (fsim and the RTL support no other widths)");
  if (d->acc_copies != 1 && d->acc_copies != 2)
    return util_err(err, errlen, "acc_copies is %u: must be 1 or 2", d->acc_copies);
  if (!pow2(d->batch) || d->batch > 16) return util_err(err, errlen, "batch is %u: must be a power of two, at most 16", d->batch);
  if (!pow2(d->block_in) || d->block_in < 2 || d->block_in > 64)
    return util_err(err, errlen, "block_in is %u: must be a power of two in 2..64", d->block_in);
  if (!pow2(d->block_out) || d->block_out < 2 || d->block_out > 64)
    return util_err(err, errlen, "block_out is %u: must be a power of two in 2..64", d->block_out);
  if (d->axi_bits != 64 && d->axi_bits != 128) return util_err(err, errlen, "axi_bits is %u: must be 64 or 128", d->axi_bits);
  if (d->clock_mhz < 1 || d->clock_mhz > 1000) return util_err(err, errlen, "clock_mhz is %u: must be in 1..1000", d->clock_mhz);
  if (!pow2(d->insn_queue) || d->insn_queue < 2 || d->insn_queue > 1024)
    return util_err(err, errlen, "insn_queue is %u: must be a power of two in 2..1024", d->insn_queue);
  if (d->token_queue < 1 || d->token_queue > 255) return util_err(err, errlen, "token_queue is %u: must be in 1..255", d->token_queue);
  if (d->dram_rd_latency < 1 || d->dram_rd_latency > 4096 || d->dram_wr_latency < 1 || d->dram_wr_latency > 4096)
    return util_err(err, errlen, "dram_rd_latency and dram_wr_latency must be in 1..4096 (cycles)");
  if (d->rd_ports != 1 && d->rd_ports != 2) return util_err(err, errlen, "rd_ports is %u: must be 1 or 2", d->rd_ports);
  if (d->ddr_bytes > 4096) return util_err(err, errlen, "ddr_bytes is %u: must be in 0..4096 (0: no figure)", d->ddr_bytes);
  if (d->gemm_pump != 1 && d->gemm_pump != 2) return util_err(err, errlen, "gemm_pump is %u: must be 1 or 2", d->gemm_pump);
  if (d->gemm_pump == 2 && d->block_in < 4)
    return util_err(err, errlen, "gemm_pump 2 needs block_in at least 4 (it is %u): each DSP slice adds two input lanes", d->block_in);
  return 0;
}

/* Each buffer holds a power-of-two number of elements (c->elem_bytes set). */
static int check_buffers(const isa_config *c, char *err, size_t errlen) {
  const isa_derived *d = &c->d;
  static const char *const bnames[] = {"uop_bytes", "inp_bytes", "wgt_bytes", "acc_bytes"};
  const unsigned bv[] = {d->uop_bytes, d->inp_bytes, d->wgt_bytes, d->acc_bytes};
  const unsigned be[] = {c->elem_bytes[ISA_MEM_UOP], c->elem_bytes[ISA_MEM_INP], c->elem_bytes[ISA_MEM_WGT],
                         c->elem_bytes[ISA_MEM_ACC]};
  for (int i = 0; i < 4; i++)
    if (!be[i] || bv[i] % be[i] || !pow2(bv[i] / be[i]) || bv[i] / be[i] < 2 || bv[i] > (1u << 26))
      return util_err(err, errlen,
                      "%s is %u: must be a power-of-two number (>= 2) of %u-byte elements, at most 64 MiB",
                      bnames[i], bv[i], be[i]);
  return 0;
}

/* The RTL's fixed cycle costs for d's keys (fsim's timing model and the compiler's cost model
 * both read them). */
static void derive_costs(isa_derived *d) {
  /* The RTL's fixed costs, calibrated against it (tests/test_tsim_random's programs, instruction
   * sequences of each kind, random DRAM profiles; fsim vs RTL cycles per suite). insn_overhead:
   * start, queue pop and the next head's decode. rd_overhead: a LOAD alone takes 5 in the RTL
   * (the walk's registered DMA start, request, arbiter, the walk's first write), one more when
   * the read port's registered grant (rtl/dlvta_axi_rd.v) has to move to it; 8 fits the random
   * programs of tiny, pynq and ultra96 best together (tiny -0.85 %, 300 programs): the bursts of a
   * long LOAD are booked at its start, and the later requests that the RTL interleaves with them
   * delay the requests only, not the LOAD. wr_overhead: STOREs back to back take 25 cycles
   * each on the pynq RTL for one element (tests/test_tsim's directed programs: every one within
   * 4.7 % of the RTL on tiny, pynq and ultra96 with 4, up to 11 % with 2). ld_check: the block
   * size's register (rtl/dlvta_ldwalk.v S_PROD); st_check: the same for a STORE
   * (rtl/dlvta_store.v S_PROD: the product in a DSP slice's P register). */
  d->insn_overhead = 3;
  d->rd_overhead = 8;
  d->wr_overhead = 4;
  d->ld_check = 1;
  d->st_check = 1;
  d->fetch_burst = 16 * (d->axi_bits / 8) / 16; /* 16 beats of axi_bits / 8 bytes, 16 a word */
  /* one accumulator copy: the stage that reads acc[dst] after acc[src], and the cycle a
   * source-cache miss waits for the one read port (rtl/dlvta_compute.v) */
  d->alu_src_fill = d->acc_copies == 1 ? 1 : 0;
  d->src_miss_cycles = d->acc_copies == 1 ? 1 : 0;
}

/* The config's fingerprint: every key and every field's name, position and width (REQ's
 * parameter word's too: a program packs it), and the opcode and ALU names. */
static uint64_t fingerprint(const isa_config *c) {
  const isa_derived *d = &c->d;
  uint64_t h = 0xcbf29ce484222325ull;
  h = fnv(h, "dlvta-isa-1", 11);
  unsigned keyv[] = {d->batch, d->block_in, d->block_out, d->inp_bits, d->wgt_bits, d->acc_bits,
                     d->out_bits, d->uop_bytes, d->inp_bytes, d->wgt_bytes, d->acc_bytes,
                     d->axi_bits, d->clock_mhz, d->insn_queue, d->token_queue, d->acc_copies, d->rd_ports,
                     d->gemm_pump};
  h = fnv(h, d->name, strlen(d->name));
  for (size_t i = 0; i < sizeof keyv / sizeof keyv[0]; i++) {
    uint32_t v = keyv[i];
    h = fnv(h, &v, 4);
  }
  for (int f = 0; f < ISA_F_COUNT; f++) {
    uint32_t v[2] = {c->fpos[f], c->fwidth[f]};
    h = fnv(h, fields[f].name, strlen(fields[f].name));
    h = fnv(h, v, sizeof v);
  }
  static const struct { const char *name; uint32_t pw[2]; } req[] = { /* REQ's word c */
#define DLVTA_REQ_FIELD(NAME, WIDTH, KIND, MEANING) {#NAME, {ISA_REQ_##NAME##_POS, ISA_REQ_##NAME##_WIDTH}},
#include "isa.def"
  };
  for (size_t i = 0; i < sizeof req / sizeof req[0]; i++) {
    h = fnv(h, req[i].name, strlen(req[i].name));
    h = fnv(h, req[i].pw, sizeof req[i].pw);
  }
  for (int op = 0; op < 8; op++) {
    if (!ops[op].valid) continue;
    h = fnv(h, ops[op].name, strlen(ops[op].name));
  }
  for (int a = 0; a < 16; a++) {
    if (!alus[a].valid) continue;
    h = fnv(h, alus[a].name, strlen(alus[a].name));
  }
  return h;
}

/* Derive everything from the keys into *c. Keys the hardware cannot take (the RTL's and fsim's
 * limits, buffers that are not a power-of-two number of elements, fields that do not fit their
 * words) give -1 and a message naming the key; the built-in configs must pass. */
static int derive(isa_config *c, const isa_derived *keys, char *err, size_t errlen) {
  isa_derived *d = &c->d;
  *d = *keys;
  if (check_keys(d, err, errlen)) return -1;
  /* element sizes from the table */
  static const int mem_codes[] = {
#define DLVTA_MEM(CODE, NAME, UNIT, ELEM_BYTES, MEANING) CODE,
#include "isa.def"
  };
  {
    unsigned eb[] = {
#define DLVTA_MEM(CODE, NAME, UNIT, ELEM_BYTES, MEANING) ELEM_BYTES,
#include "isa.def"
    };
    for (size_t i = 0; i < sizeof eb / sizeof eb[0]; i++) c->elem_bytes[mem_codes[i]] = eb[i];
  }
  if (check_buffers(c, err, errlen)) return -1;
  d->uop_depth = d->uop_bytes / c->elem_bytes[ISA_MEM_UOP];
  d->inp_depth = d->inp_bytes / c->elem_bytes[ISA_MEM_INP];
  d->wgt_depth = d->wgt_bytes / c->elem_bytes[ISA_MEM_WGT];
  d->acc_depth = d->acc_bytes / c->elem_bytes[ISA_MEM_ACC];
  d->out_depth = d->acc_depth;
  d->out_bytes = d->out_depth * c->elem_bytes[ISA_MEM_OUT];
  d->log_uop = log2_exact(d->uop_depth);
  d->log_inp = log2_exact(d->inp_depth);
  d->log_wgt = log2_exact(d->wgt_depth);
  d->log_acc = log2_exact(d->acc_depth);
  ALWAYS_ASSERT((1u << d->log_uop) == d->uop_depth && (1u << d->log_inp) == d->inp_depth);
  ALWAYS_ASSERT((1u << d->log_wgt) == d->wgt_depth && (1u << d->log_acc) == d->acc_depth);
  d->log_src = d->log_inp > d->log_acc ? d->log_inp : d->log_acc;
  {
    unsigned lb = 0;
    while ((1u << lb) < d->block_in) lb++;
    /* the adder trees have log2(block_in / gemm_pump) levels; a pumped slice's two products
     * take two stages more (rtl/dlvta_gemm.v) */
    lb -= d->gemm_pump == 2;
    d->gemm_wstage = 4 + lb / 2 + (d->gemm_pump == 2 ? 2 : 0);
    d->alu_wstage = 9;
    d->loop_prime = 1;
  }
  derive_costs(d);
  /* two read ports split the weight LOADs whose element has at least 32 beats (two 16-beat
   * bursts an element, rtl/dlvta_rdma.v) */
  d->wgt_split = d->rd_ports == 2 && c->elem_bytes[ISA_MEM_WGT] >= 32 * (d->axi_bits / 8);
  d->dw_taps = d->block_in / 2; /* DWGEMM: one DSP per tap and lane pair (rtl/dlvta_gemm.v) */
  d->log_sram = d->log_src;
  if (d->log_uop > d->log_sram) d->log_sram = d->log_uop;
  if (d->log_wgt > d->log_sram) d->log_sram = d->log_wgt;
  if (ISA_LOG_LUT_DEPTH > d->log_sram) d->log_sram = ISA_LOG_LUT_DEPTH; /* LOAD LUT's sram */

  {
    unsigned w[] = {
#define DLVTA_WIDTH(NAME, EXPR, MEANING) EXPR,
#include "isa.def"
    };
    for (int i = 0; i < ISA_W_COUNT; i++) c->width[i] = w[i];
  }
  for (int f = 0; f < ISA_F_COUNT; f++) {
    int fw = fields[f].fixed_width; /* > 0: fixed; < 0: -(index of its width) - 1; never 0 */
    ALWAYS_ASSERT(fw != 0);
    /* cppcheck-suppress negativeIndex ; fw < 0 here, so the index -fw - 1 is >= 0 */
    c->fwidth[f] = fw > 0 ? (unsigned)fw : c->width[-fw - 1];
    if (c->fwidth[f] < 1 || c->fwidth[f] > ISA_MAX_FIELD_BITS)
      return util_err(err, errlen, "field %s would be %u bits wide (1..%d): a buffer is too large", fields[f].name,
                      c->fwidth[f], ISA_MAX_FIELD_BITS);
    if (fields[f].kind == ISA_KIND_FLAG) ALWAYS_ASSERT(c->fwidth[f] == 1);
  }

  /* positions: groups chain in each opcode's order; a group must sit at the same place in every
   * opcode that uses it */
  int group_pos[ISA_GROUP_COUNT];
  for (int g = 0; g < ISA_GROUP_COUNT; g++) group_pos[g] = -1;
  for (int op = 0; op < 8; op++) {
    if (!ops[op].valid) continue;
    unsigned pos = 0;
    for (int g = 0; g < ISA_GROUP_COUNT; g++) {
      if (!(ops[op].groups & (1u << g))) continue;
      if (group_pos[g] < 0) group_pos[g] = (int)pos;
      ALWAYS_ASSERT(group_pos[g] == (int)pos);
      for (int f = 0; f < ISA_F_COUNT; f++)
        if (fields[f].group == g) pos += c->fwidth[f];
    }
    if (pos > ISA_INSN_BITS) /* the opcode's fields fit 128 bits for this config */
      return util_err(err, errlen, "%s's fields need %u bits, more than an instruction's %d: buffers too large",
                      ops[op].name, pos, ISA_INSN_BITS);
    c->insn_used_bits[op] = pos;
  }
  group_pos[ISA_GROUP_UOP] = 0;
  for (int g = 0; g < ISA_GROUP_COUNT; g++) {
    unsigned pos = (unsigned)(group_pos[g] < 0 ? 0 : group_pos[g]);
    for (int f = 0; f < ISA_F_COUNT; f++) {
      if (fields[f].group != g) continue;
      c->fpos[f] = pos;
      pos += c->fwidth[f];
    }
    if (g == ISA_GROUP_UOP && pos > ISA_UOP_BITS)
      return util_err(err, errlen, "a micro-op needs %u bits, more than %d: accumulator, input and weight buffers too deep",
                      pos, ISA_UOP_BITS);
  }

  c->fingerprint = fingerprint(c);
  return 0;
}

static void init_configs(void) {
  if (configs_ready) return;
  config_names[0] = 0;
  for (int i = 0; i < N_CONFIGS; i++) {
    char err[256];
    if (derive(&configs[i], &config_keys[i], err, sizeof err)) {
      fprintf(stderr, "isa/configs.def: config %s: %s\n", config_keys[i].name, err);
      ALWAYS_ASSERT(!"a built-in config is valid");
    }
    if (i) strcat(config_names, ", ");
    strcat(config_names, config_keys[i].name);
  }
  configs_ready = 1;
}

/* Configs registered at run time (isa_config_register): allocated one by one, never freed, so
 * that their pointers stay valid as the built-in ones do. */
#define MAX_EXTRA 512
static isa_config *extra[MAX_EXTRA];
static int n_extra;

const isa_config *isa_config_find(const char *name) {
  init_configs();
  if (!name) return NULL;
  for (int i = 0; i < N_CONFIGS; i++)
    if (!strcmp(configs[i].d.name, name)) return &configs[i];
  for (int i = 0; i < n_extra; i++)
    if (!strcmp(extra[i]->d.name, name)) return extra[i];
  return NULL;
}

int isa_config_count(void) { return N_CONFIGS + n_extra; }

const isa_config *isa_config_at(int i) {
  init_configs();
  if (i >= 0 && i < N_CONFIGS) return &configs[i];
  return i >= N_CONFIGS && i < N_CONFIGS + n_extra ? extra[i - N_CONFIGS] : NULL;
}

const char *isa_config_names(void) {
  init_configs();
  return config_names;
}

/* The name becomes a directory (build/<name>/) and a Verilator prefix: [a-z0-9_], a letter
 * first, at most 31 characters. */
static int valid_name(const char *n) {
  size_t len = n ? strlen(n) : 0;
  if (len < 1 || len > ISA_CONFIG_NAME_MAX || !(n[0] >= 'a' && n[0] <= 'z')) return 0;
  for (size_t i = 0; i < len; i++)
    if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' && n[i] <= '9') || n[i] == '_')) return 0;
  return 1;
}

int isa_config_derive(const isa_derived *keys, isa_config *out, char *err, size_t errlen) {
  init_configs();
  if (!valid_name(keys->name))
    return util_err(err, errlen, "config name '%s' is not valid: 1..%d characters of a-z, 0-9, _, a letter first",
                    keys->name ? keys->name : "", ISA_CONFIG_NAME_MAX);
  return derive(out, keys, err, errlen);
}

int isa_config_register(const isa_derived *keys, const isa_config **out, char *err, size_t errlen) {
  isa_config c;
  *out = NULL;
  if (isa_config_derive(keys, &c, err, errlen)) return -1;
  const isa_config *old = isa_config_find(keys->name);
  if (old) {
    if (old->fingerprint != c.fingerprint)
      return util_err(err, errlen, "config '%s' already exists with other keys (%s)", keys->name,
                      old < configs || old >= configs + N_CONFIGS ? "registered before" : "a built-in config");
    *out = old;
    return 0;
  }
  if (n_extra == MAX_EXTRA) return util_err(err, errlen, "more than %d configs registered", MAX_EXTRA);
  isa_config *p = malloc(sizeof *p);
  char *name = malloc(strlen(keys->name) + 1);
  if (!p || !name) {
    free(p), free(name);
    return util_err(err, errlen, "out of memory");
  }
  *p = c;
  strcpy(name, keys->name);
  p->d.name = name;
  extra[n_extra++] = p;
  *out = p;
  return 0;
}

/* ---- bit access -------------------------------------------------------------------------- */
static uint64_t bits_get(const uint64_t *w, unsigned pos, unsigned width) {
  uint64_t v = w[pos / 64] >> (pos % 64);
  if (pos % 64 + width > 64) v |= w[pos / 64 + 1] << (64 - pos % 64);
  return width == 64 ? v : v & ((1ull << width) - 1);
}

static void bits_set(uint64_t *w, unsigned pos, unsigned width, uint64_t v) {
  uint64_t mask = width == 64 ? ~0ull : (1ull << width) - 1;
  v &= mask;
  w[pos / 64] = (w[pos / 64] & ~(mask << (pos % 64))) | (v << (pos % 64));
  if (pos % 64 + width > 64) {
    unsigned lo = 64 - pos % 64;
    w[pos / 64 + 1] = (w[pos / 64 + 1] & ~(mask >> lo)) | (v >> lo);
  }
}

uint32_t isa_get(const isa_config *c, const isa_word *w, int f) {
  return (uint32_t)bits_get(w->w, c->fpos[f], c->fwidth[f]);
}

void isa_set(const isa_config *c, isa_word *w, int f, uint32_t v) {
  bits_set(w->w, c->fpos[f], c->fwidth[f], v);
}

int32_t isa_sext(uint32_t v, unsigned bits) {
  if (bits >= 32) return (int32_t)v;
  uint32_t m = 1u << (bits - 1);
  v &= (1u << bits) - 1;
  return (int32_t)((v ^ m) - m);
}

/* ---- decode / encode --------------------------------------------------------------------- */
const char *isa_strerror(int code) {
  switch (code) {
  case ISA_OK: return "ok";
  case ISA_E_OPCODE: return "illegal opcode";
  case ISA_E_MEM: return "illegal memory for this opcode";
  case ISA_E_ALUOP: return "illegal ALU operation";
  case ISA_E_RESERVED: return "reserved bits set";
  case ISA_E_TOKEN: return "token flag the executing unit cannot have";
  case ISA_E_RANGE: return "field value out of range";
  case ISA_E_PAD: return "STORE with padding, or WGT LOAD with a pad value";
  }
  return "unknown error";
}

int isa_insn_unit(const isa_insn *in) {
  unsigned op = in->f[ISA_F_opcode];
  if (op >= 8 || !ops[op].valid) return -1;
  if (ops[op].unit != UNIT_MEMT) return ops[op].unit;
  unsigned m = in->f[ISA_F_mem];
  return m < 8 && mems[m].valid ? mems[m].unit : -1;
}

static int check_semantics(const isa_config *c, const isa_insn *in) {
  unsigned op = in->f[ISA_F_opcode];
  if (op == ISA_OP_DWGEMM && (in->f[ISA_F_taps] < 1 || in->f[ISA_F_taps] > c->d.dw_taps)) return ISA_E_RANGE;
  if (op == ISA_OP_LOAD) {
    unsigned m = in->f[ISA_F_mem];
    if (m >= 8 || !mems[m].valid || m == ISA_MEM_OUT) return ISA_E_MEM;
    if (m == ISA_MEM_WGT && in->f[ISA_F_pad_value]) return ISA_E_PAD;
  } else if (op == ISA_OP_STORE) {
    if (in->f[ISA_F_mem] != ISA_MEM_OUT) return ISA_E_MEM;
    if (in->f[ISA_F_y_pad0] || in->f[ISA_F_y_pad1] || in->f[ISA_F_x_pad0] || in->f[ISA_F_x_pad1] ||
        in->f[ISA_F_pad_value])
      return ISA_E_PAD;
  } else if (op == ISA_OP_ALU) {
    unsigned a = in->f[ISA_F_alu_op];
    if (a >= 16 || !alus[a].valid) return ISA_E_ALUOP;
  }
  int unit = isa_insn_unit(in);
  if (unit == ISA_UNIT_LOAD && (in->f[ISA_F_pop_prev] || in->f[ISA_F_push_prev])) return ISA_E_TOKEN;
  if (unit == ISA_UNIT_STORE && (in->f[ISA_F_pop_next] || in->f[ISA_F_push_next])) return ISA_E_TOKEN;
  return ISA_OK;
}

int isa_decode(const isa_config *c, const isa_word *w, isa_insn *out) {
  memset(out, 0, sizeof *out);
  unsigned op = (unsigned)bits_get(w->w, c->fpos[ISA_F_opcode], c->fwidth[ISA_F_opcode]);
  out->f[ISA_F_opcode] = op;
  if (op >= 8 || !ops[op].valid) return ISA_E_OPCODE;
  for (int f = 0; f < ISA_F_COUNT; f++)
    if (ops[op].groups & (1u << fields[f].group)) out->f[f] = isa_get(c, w, f);
  unsigned used = c->insn_used_bits[op];
  uint64_t mask0 = used >= 64 ? ~0ull : (1ull << used) - 1;
  uint64_t mask1 = used <= 64 ? 0 : used >= 128 ? ~0ull : (1ull << (used - 64)) - 1;
  if ((w->w[0] & ~mask0) | (w->w[1] & ~mask1)) return ISA_E_RESERVED;
  return check_semantics(c, out);
}

/* isa_encode's checks, and with w (not NULL) its encoding: the one walk over the fields. */
static int encode_or_check(const isa_config *c, const isa_insn *in, isa_word *w, int *bad_field) {
  if (w) w->w[0] = w->w[1] = 0;
  unsigned op = in->f[ISA_F_opcode];
  if (op >= 8 || !ops[op].valid) {
    if (bad_field) *bad_field = ISA_F_opcode;
    return ISA_E_OPCODE;
  }
  for (int f = 0; f < ISA_F_COUNT; f++) {
    if (!(ops[op].groups & (1u << fields[f].group))) continue;
    unsigned wd = c->fwidth[f];
    uint32_t v = in->f[f];
    bool fits;
    if (fields[f].kind == ISA_KIND_S) {
      int64_t s = (int32_t)v;
      /* a signed field takes its sign-extended value or its raw bits */
      fits = (s >= -(1ll << (wd - 1)) && s < (1ll << (wd - 1))) || (wd < 32 && v < (1u << wd));
    } else {
      fits = wd >= 32 || v < (1u << wd);
    }
    if (!fits) {
      if (bad_field) *bad_field = f;
      return ISA_E_RANGE;
    }
    if (w) isa_set(c, w, f, v);
  }
  return ISA_OK;
}

int isa_encode(const isa_config *c, const isa_insn *in, isa_word *w, int *bad_field) {
  return encode_or_check(c, in, w, bad_field);
}

int isa_encodable(const isa_config *c, const isa_insn *in, int *bad_field) {
  return encode_or_check(c, in, NULL, bad_field);
}

/* v masked to field f's width at its place in the first word (a micro-op's fields lie in its
 * low 32 bits and do not overlap: or-ing them is isa_set's result on a zero word). */
static uint64_t uop_field(const isa_config *c, int f, uint32_t v) {
  unsigned wd = c->fwidth[f], pos = c->fpos[f];
  uint64_t mask = wd >= 64 ? ~0ull : (1ull << wd) - 1;
  return pos < 64 ? ((uint64_t)v & mask) << pos : 0;
}

uint32_t isa_uop(const isa_config *c, uint32_t acc, uint32_t src, uint32_t wgt) {
  return (uint32_t)(uop_field(c, ISA_F_u_acc, acc) | uop_field(c, ISA_F_u_src, src) | uop_field(c, ISA_F_u_wgt, wgt));
}

void isa_uop_fields(const isa_config *c, uint32_t uop, uint32_t *acc, uint32_t *src, uint32_t *wgt) {
  isa_word w = {{uop, 0}};
  *acc = isa_get(c, &w, ISA_F_u_acc);
  *src = isa_get(c, &w, ISA_F_u_src);
  *wgt = isa_get(c, &w, ISA_F_u_wgt);
}

/* ---- disassembly ------------------------------------------------------------------------- */
static void lower(char *dst, const char *src) {
  while (*src) *dst++ = (char)(*src >= 'A' && *src <= 'Z' ? *src + 32 : *src), src++;
  *dst = 0;
}

int isa_disasm(const isa_config *c, const isa_word *w, char *buf, size_t n) {
  strbuf sb;
  sb_init(&sb, buf, n);
  isa_insn in;
  int rc = isa_decode(c, w, &in);
  isa_word back;
  if (rc == ISA_OK && isa_encode(c, &in, &back, NULL) == ISA_OK && back.w[0] == w->w[0] &&
      back.w[1] == w->w[1]) {
    char name[16];
    unsigned op = in.f[ISA_F_opcode];
    lower(name, ops[op].name);
    sb_printf(&sb, "%s", name);
    for (int f = 0; f < ISA_F_COUNT; f++) {
      int g = fields[f].group;
      if (g == ISA_GROUP_COMMON || !(ops[op].groups & (1u << g))) continue;
      uint32_t v = in.f[f];
      switch (fields[f].kind) {
      case ISA_KIND_MEM: lower(name, mems[v].name); sb_printf(&sb, " %s", name); break;
      case ISA_KIND_ALUOP: lower(name, alus[v].name); sb_printf(&sb, " %s", name); break;
      case ISA_KIND_FLAG:
        if (v) sb_printf(&sb, " %s", fields[f].name);
        break;
      case ISA_KIND_S: sb_printf(&sb, " %s=%d", fields[f].name, isa_sext(v, c->fwidth[f])); break;
      default: sb_printf(&sb, " %s=%u", isa_field_name_op((int)op, f), v); break;
      }
    }
    static const int tok[] = {ISA_F_pop_prev, ISA_F_pop_next, ISA_F_push_prev, ISA_F_push_next};
    for (int i = 0; i < 4; i++)
      if (in.f[tok[i]]) sb_printf(&sb, " %s", fields[tok[i]].name);
  } else {
    sb_printf(&sb, ".insn 0x%016" PRIx64 " 0x%016" PRIx64 " ; %s", w->w[1], w->w[0],
              isa_strerror(rc == ISA_OK ? ISA_E_RANGE : rc));
  }
  return sb.len;
}

int isa_relocate(const isa_config *c, isa_word *insns, uint32_t n, uint64_t base, uint32_t *bad) {
  for (uint32_t i = 0; i < n; i++) {
    isa_insn in;
    if (isa_decode(c, &insns[i], &in) != ISA_OK) continue; /* reported when executed */
    unsigned op = in.f[ISA_F_opcode];
    if (op != ISA_OP_LOAD && op != ISA_OP_STORE) continue;
    unsigned eb = c->elem_bytes[in.f[ISA_F_mem]];
    uint64_t a = (uint64_t)in.f[ISA_F_dram] + base / eb;
    if (base % eb || a > 0xffffffffull) {
      if (bad) *bad = i;
      return ISA_E_RANGE;
    }
    isa_set(c, &insns[i], ISA_F_dram, (uint32_t)a);
  }
  return ISA_OK;
}

unsigned isa_mem_depth(const isa_config *c, int mem) {
  const isa_derived *d = &c->d;
  switch (mem) {
  case ISA_MEM_UOP: return d->uop_depth;
  case ISA_MEM_WGT: return d->wgt_depth;
  case ISA_MEM_INP: return d->inp_depth;
  case ISA_MEM_ACC:
  case ISA_MEM_ACC8: return d->acc_depth;
  case ISA_MEM_OUT: return d->out_depth;
  case ISA_MEM_LUT: return ISA_LUT_DEPTH;
  }
  return 0;
}
