/* isa/isa.h -- libisa: hardware configs, instruction layout, encode/decode, assembler and
 * disassembler, program images. Everything here is computed at run time from isa/isa.def and
 * isa/configs.def, so one binary serves every named config; the generator (isagen) writes the
 * same numbers as constants into build/<config>/dlvta_isa.h and dlvta_isa.vh.
 */
#ifndef DLVTA_ISA_H
#define DLVTA_ISA_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ISA_INSN_BITS 128
#define ISA_UOP_BITS 32
#define ISA_MAX_FIELD_BITS 32
/* The ALU's lookup table (memory LUT, ALU op LUT): one entry per int8 code, in every config. */
#define ISA_LOG_LUT_DEPTH 8
#define ISA_LUT_DEPTH (1u << ISA_LOG_LUT_DEPTH)

/* ---- enumerations from the table -------------------------------------------------------- */
enum isa_width {
#define DLVTA_WIDTH(NAME, EXPR, MEANING) ISA_W_##NAME,
#include "isa.def"
  ISA_W_COUNT
};

enum isa_group {
#define DLVTA_GROUP(NAME, MEANING) ISA_GROUP_##NAME,
#include "isa.def"
  ISA_GROUP_COUNT
};

enum isa_field {
#define DLVTA_FIELD(GROUP, NAME, WIDTH, KIND, MEANING) ISA_F_##NAME,
#include "isa.def"
  ISA_F_COUNT
};

/* overlays (DLVTA_OVERLAY): another name of a field's bits in one opcode */
enum {
#define DLVTA_OVERLAY(OP, FIELD, NAME, MEANING) ISA_F_##NAME = ISA_F_##FIELD,
#include "isa.def"
};

enum isa_opcode {
#define DLVTA_OP(CODE, NAME, UNIT, GROUPS, MEANING) ISA_OP_##NAME = CODE,
#include "isa.def"
};

enum isa_mem {
#define DLVTA_MEM(CODE, NAME, UNIT, ELEM_BYTES, MEANING) ISA_MEM_##NAME = CODE,
#include "isa.def"
};

enum isa_alu_op {
#define DLVTA_ALU(CODE, NAME, MEANING) ISA_ALU_##NAME = CODE,
#include "isa.def"
};

enum {
#define DLVTA_OP(CODE, NAME, UNIT, GROUPS, MEANING) ISA_OP_COUNT_##NAME,
#include "isa.def"
  ISA_OP_COUNT
};
enum {
#define DLVTA_MEM(CODE, NAME, UNIT, ELEM_BYTES, MEANING) ISA_MEM_COUNT_##NAME,
#include "isa.def"
  ISA_MEM_COUNT
};
enum {
#define DLVTA_ALU(CODE, NAME, MEANING) ISA_ALU_COUNT_##NAME,
#include "isa.def"
  ISA_ALU_COUNT
};

/* REQ's parameter word c (DLVTA_REQ_FIELD): ISA_REQ_<NAME>_POS and _WIDTH, positions chained
 * from bit 0 (each _LAST is the field's top bit, so the next _POS follows it). */
enum {
#define DLVTA_REQ_FIELD(NAME, WIDTH, KIND, MEANING) \
  ISA_REQ_##NAME##_POS, ISA_REQ_##NAME##_LAST = ISA_REQ_##NAME##_POS + (WIDTH) - 1,
#include "isa.def"
  ISA_REQ_USED_BITS
};
enum {
#define DLVTA_REQ_FIELD(NAME, WIDTH, KIND, MEANING) ISA_REQ_##NAME##_WIDTH = (WIDTH),
#include "isa.def"
};
#ifndef __cplusplus /* tsim's C++ includes this header too */
_Static_assert(ISA_REQ_USED_BITS <= 32, "REQ's parameters fit one int32 lane");
_Static_assert(ISA_REQ_M_WIDTH <= 31 && ISA_REQ_SHIFT_WIDTH <= 6, "REQ's multiplier and shift fit the ALU lane");
#endif

/* REQ's word c of multiplier m and shift sh, each cut to its field (bits above are 0). */
static inline uint32_t isa_req_word(int32_t m, unsigned sh) {
  return ((uint32_t)m & ((1u << ISA_REQ_M_WIDTH) - 1u)) << ISA_REQ_M_POS |
         (sh & ((1u << ISA_REQ_SHIFT_WIDTH) - 1u)) << ISA_REQ_SHIFT_POS;
}
/* REQ's multiplier of word c, sign-extended. */
static inline int32_t isa_req_mult(uint32_t c) {
  uint32_t m = c >> ISA_REQ_M_POS & ((1u << ISA_REQ_M_WIDTH) - 1u), sb = 1u << (ISA_REQ_M_WIDTH - 1);
  return (int32_t)(m ^ sb) - (int32_t)sb;
}
/* REQ's shift of word c, 0 .. 2^ISA_REQ_SHIFT_WIDTH - 1. */
static inline unsigned isa_req_shift(uint32_t c) {
  return c >> ISA_REQ_SHIFT_POS & ((1u << ISA_REQ_SHIFT_WIDTH) - 1u);
}
/* The compiler's multipliers: normalised to [ISA_REQ_M_NORM, 2 * ISA_REQ_M_NORM), the largest
 * positive power of two of the field (2^22 for a 24-bit m). */
#define ISA_REQ_M_NORM (1l << (ISA_REQ_M_WIDTH - 2))

/* The three execution units, in token-chain order (load -> compute -> store). */
enum isa_unit { ISA_UNIT_LOAD, ISA_UNIT_COMPUTE, ISA_UNIT_STORE, ISA_UNIT_COUNT };

enum isa_kind { ISA_KIND_U, ISA_KIND_S, ISA_KIND_FLAG, ISA_KIND_MEM, ISA_KIND_ALUOP };

/* ---- hardware configs ------------------------------------------------------------------- */
/* The keys of configs.def plus everything derived from them. */
typedef struct isa_derived {
  const char *name;
  unsigned batch, block_in, block_out;          /* GEMM shape */
  unsigned inp_bits, wgt_bits, acc_bits, out_bits;
  unsigned uop_bytes, inp_bytes, wgt_bytes, acc_bytes, out_bytes; /* buffer sizes, bytes */
  unsigned axi_bits, clock_mhz;
  unsigned insn_queue, token_queue;             /* queue depths */
  unsigned dram_rd_latency, dram_wr_latency;    /* core cycles */
  unsigned acc_copies;                          /* accumulator copies in the RTL: 1 or 2 */
  unsigned rd_ports;                            /* AXI read ports: 1 or 2 (configs.def) */
  unsigned ddr_bytes;                           /* DDR bytes per core cycle, all ports and both
                                                   directions together (0: no figure) */
  unsigned gemm_pump;                           /* GEMM DSP slices' clock: 1 the core clock, 2
                                                   twice it (configs.def) */
  /* derived */
  unsigned uop_depth, inp_depth, wgt_depth, acc_depth, out_depth; /* elements */
  unsigned log_uop, log_inp, log_wgt, log_acc, log_src, log_sram;  /* index widths, bits */
  /* the compute unit's pipeline (rtl/dlvta_compute.v: S0 uop read, S1 indices, S1R operand
   * reads, S2 read data, S3 operands): the stage in which a GEMM / an ALU iteration writes the
   * accumulator (GEMM: dlvta_gemm.v's operand registers, products and an adder tree of two
   * levels a stage; ALU: dlvta_alu_lane.v, six registers after S3) */
  unsigned gemm_wstage, alu_wstage;
  /* cycles a GEMM / ALU loop spends before its first issue besides those stages: the uop read's
   * priming (rtl/dlvta_compute.v reads the uop RAM two ahead into a register; the loop's first
   * cycle fills it) */
  unsigned loop_prime;
  /* fixed cycle costs of the RTL's instruction and DMA paths, calibrated against it (isa.c says
   * how): fsim's cycle model (fsim_timing_default) and the compiler's cost model both read them */
  unsigned insn_overhead;   /* start, queue pop and the next head's decode of every instruction */
  unsigned rd_overhead;     /* a LOAD with DRAM data: its DMA's cycles besides the DRAM latency */
  unsigned wr_overhead;     /* a STORE with DRAM data: likewise */
  unsigned ld_check;        /* a LOAD: its block's range check before any data */
  unsigned st_check;        /* a STORE: its block size's register before the range check */
  unsigned fetch_burst;     /* instructions per fetch burst (rtl/dlvta_fetch.v: 16 beats) */
  /* one accumulator copy (acc_copies 1): the fill of an ALU op that reads acc[src], and the
   * cycle a source-cache miss after an instruction's first iteration waits (0 with two copies) */
  unsigned alu_src_fill, src_miss_cycles;
  /* weight LOADs use both read ports (rd_ports 2 and a weight element of at least 32 beats):
   * each 16-beat burst of an element's odd half goes to the second port (rtl/dlvta_rdma.v) */
  unsigned wgt_split;
  /* DWGEMM's most taps: BLOCK_IN / 2 (a DSP makes two products of one input lane: tap t of lane
   * 2m in its low half, of lane 2m + 1 in its high half, ISA.md "DWGEMM") */
  unsigned dw_taps;
} isa_derived;

typedef struct isa_config {
  isa_derived d;
  unsigned width[ISA_W_COUNT];      /* value of each config-dependent width */
  unsigned fwidth[ISA_F_COUNT];     /* bits of each field */
  unsigned fpos[ISA_F_COUNT];       /* lowest bit of each field in its word */
  unsigned elem_bytes[ISA_MEM_COUNT];
  unsigned insn_used_bits[ISA_OP_COUNT]; /* bits used by each opcode's groups */
  uint64_t fingerprint;             /* FNV-1a 64 over the layout and every key */
} isa_config;

/* The named configs, in configs.def order. NULL if the name is unknown. */
const isa_config *isa_config_find(const char *name);
int isa_config_count(void);
const isa_config *isa_config_at(int i);
/* Comma-separated list of the built-in config names, for messages. */
const char *isa_config_names(void);

/* ---- configs from text (config_file.c) --------------------------------------------------- */
/* A config described at run time: `name = ...`, optionally `base = <built-in>` first, then any
 * key of configs.def as `key = value` lines (# comments). Registered configs are found by
 * isa_config_find / isa_config_at (after the built-in ones) and live until exit; the derived
 * fields and the fingerprint come from the same code as the built-in configs'. */
#define ISA_CONFIG_NAME_MAX 15 /* packages store the name in 16 bytes */
/* Derive a config from keys (keys->name included) into *out: 0, or -1 with the reason (the key
 * that the hardware cannot take) in err. */
int isa_config_derive(const isa_derived *keys, isa_config *out, char *err, size_t errlen);
/* Derive and register: 0 and *out, or -1 with a message. A name already known with the same
 * keys gives that config; with other keys, an error. */
int isa_config_register(const isa_derived *keys, const isa_config **out, char *err, size_t errlen);
/* Parse the text form (file names the source in messages, "file:line: ...") into keys whose
 * name points to name[namelen]; checks it derives. 0 or -1 with a message in err. */
int isa_config_parse(const char *text, const char *file, isa_derived *keys, char *name, size_t namelen,
                     char *err, size_t errlen);
/* Read, parse and register a config file; NULL with "path: ..." in err. */
const isa_config *isa_config_load(const char *path, char *err, size_t errlen);
/* 1 if a --config argument names a file (contains '/' or ends in .cfg), not a built-in name. */
int isa_config_is_file(const char *arg);
/* A --config argument: a built-in (or registered) name, or a config file to load. NULL with a
 * message naming the known configs. */
const isa_config *isa_config_resolve(const char *arg, char *err, size_t errlen);
/* Write a config's keys in the text form (which isa_config_parse reads back), or as one
 * DLVTA_CONFIG(...) line of configs.def. */
void isa_config_write(const isa_derived *d, FILE *f);
void isa_config_write_def(const isa_derived *d, FILE *f);

/* ---- table metadata --------------------------------------------------------------------- */
const char *isa_field_name(int field);
const char *isa_field_meaning(int field);
/* the field's name (and meaning) in opcode op: its overlay's (DLVTA_OVERLAY) or its own */
const char *isa_field_name_op(int opcode, int field);
const char *isa_field_meaning_op(int opcode, int field);
int isa_overlay_count(void);
/* overlay i: its opcode, field, name and meaning; 0, or -1 past the last */
int isa_overlay(int i, int *opcode, int *field, const char **name, const char **meaning);
int isa_field_group(int field);
int isa_field_kind(int field);
/* the field's width in bits when isa.def fixes it for every config, else 0 */
int isa_field_fixed_width(int field);
const char *isa_group_name(int group);
const char *isa_op_name(int opcode);          /* "LOAD"...; NULL if not an opcode */
unsigned isa_op_groups(int opcode);           /* bit set of (1 << ISA_GROUP_x) */
const char *isa_mem_name(int mem);            /* "UOP"...; NULL if not a memory */
const char *isa_alu_name(int op);             /* "MIN"...; NULL if not an ALU op */
const char *isa_alu_meaning(int op);
const char *isa_width_name(int w);

/* ---- instructions ------------------------------------------------------------------------ */
/* A 128-bit instruction as stored in DRAM: w[0] holds bits 63..0, little endian in memory. */
typedef struct isa_word { uint64_t w[2]; } isa_word;

/* A decoded instruction: the value of every field of its opcode's groups (others are 0).
 * Signed fields hold their two's complement bits; use isa_sext() to read them. */
typedef struct isa_insn { uint32_t f[ISA_F_COUNT]; } isa_insn;

/* Error codes of decode and encode. */
enum {
  ISA_OK = 0,
  ISA_E_OPCODE = -1,   /* opcode not in the table */
  ISA_E_MEM = -2,      /* memory id not valid for the opcode */
  ISA_E_ALUOP = -3,    /* ALU op not in the table */
  ISA_E_RESERVED = -4, /* bits outside the opcode's fields are not zero */
  ISA_E_TOKEN = -5,    /* a token flag that the executing unit cannot have */
  ISA_E_RANGE = -6,    /* a field value does not fit its width */
  ISA_E_PAD = -7,      /* STORE with padding fields set, or a WGT LOAD's pad_value not 0 */
};
const char *isa_strerror(int code);

/* Elements memory mem (ISA_MEM_*) holds in config c: its SRAM depth (0 for an unknown mem). */
unsigned isa_mem_depth(const isa_config *c, int mem);
uint32_t isa_get(const isa_config *c, const isa_word *w, int field);
void isa_set(const isa_config *c, isa_word *w, int field, uint32_t v);
int32_t isa_sext(uint32_t v, unsigned bits);

/* Decode a word: fills *out and returns ISA_OK, or an ISA_E_ code (out is still filled with
 * whatever could be read, for messages). Checks everything the hardware checks at decode. */
int isa_decode(const isa_config *c, const isa_word *w, isa_insn *out);
/* Encode: returns ISA_E_RANGE if a field's value does not fit (field index in *bad_field). */
int isa_encode(const isa_config *c, const isa_insn *in, isa_word *w, int *bad_field);
/* isa_encode's result without the word (the checks alone: a cost model's dry run). */
int isa_encodable(const isa_config *c, const isa_insn *in, int *bad_field);
/* Unit that executes a decoded (valid) instruction. */
int isa_insn_unit(const isa_insn *in);
const char *isa_unit_name(int unit);

/* Micro-ops: 32-bit words with fields u_acc, u_src, u_wgt. */
uint32_t isa_uop(const isa_config *c, uint32_t acc, uint32_t src, uint32_t wgt);
void isa_uop_fields(const isa_config *c, uint32_t uop, uint32_t *acc, uint32_t *src, uint32_t *wgt);

/* Disassemble into buf (always NUL-terminated); returns the length it needed. A word that does
 * not decode, or whose fields do not encode back to the same bits, comes out as a `.insn` raw
 * line, so that disassembly followed by assembly always gives the same bits. */
int isa_disasm(const isa_config *c, const isa_word *w, char *buf, size_t n);

/* ---- program images ---------------------------------------------------------------------- */
/* A program: instructions plus a data image that the instructions address. DRAM addresses in
 * the instructions are relative to the image's base (in elements of each memory); a loader
 * places the image at a device address aligned to ISA_IMAGE_ALIGN and relocates them. */
#define ISA_IMAGE_ALIGN 4096u

typedef struct isa_prog {
  const isa_config *cfg;
  isa_word *insns;
  uint32_t n_insns;
  uint8_t *image;              /* initial data image */
  uint64_t image_bytes;
} isa_prog;

void isa_prog_free(isa_prog *p);
/* Relocate every LOAD/STORE of insns[0..n) for an image placed at device byte address base
 * (a multiple of ISA_IMAGE_ALIGN). Returns ISA_OK or ISA_E_RANGE (index in *bad_insn). */
int isa_relocate(const isa_config *c, isa_word *insns, uint32_t n, uint64_t base, uint32_t *bad_insn);

/* The largest data image the assembler builds (.image, .org, .space, data): 256 MiB, half the
 * PYNQ-Z1's DRAM. A larger request is refused with a message before any memory is taken. */
#define ISA_ASM_IMAGE_MAX (256ull << 20)

/* Assemble text (file name for messages). On error returns -1 and writes
 * "file:line: message" into err. cfg_name: config to use if the text has no `.config`;
 * a `.config` line that disagrees with a non-NULL cfg_name is an error. */
int isa_assemble(const char *text, const char *file, const char *cfg_name, isa_prog *out,
                 char *err, size_t errlen);
/* Write a program as assembly text that isa_assemble reads back to the same bits. */
int isa_prog_write_asm(const isa_prog *p, FILE *f);

/* Binary program file: header (magic "DLVTAPRG", version, header size, config fingerprint,
 * counts), instructions, image. Load validates everything and returns -1 with a message. */
int isa_prog_save(const isa_prog *p, const char *path, char *err, size_t errlen);
int isa_prog_load(const char *path, isa_prog *out, char *err, size_t errlen);

#endif
