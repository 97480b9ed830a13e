/* isa/regsgen.c -- writes the register map of isa/regs.def as a C header, a Verilog include and
 * the Markdown tables of rtl/REGS.md, after checking the table (offsets aligned, distinct and in
 * the block; bits distinct and in the word; error codes dense and in ERR_KIND's width).
 *
 *   regsgen h FILE        the C header (build/gen/dlvta_regs.h)
 *   regsgen vh FILE       the Verilog include (build/<config>/dlvta_regs.vh; the same for every config)
 *   regsgen md            the Markdown block of rtl/REGS.md, to stdout
 *   regsgen md FILE       replace that block (between its BEGIN and END lines) in FILE
 *
 * The register map does not depend on the hardware config; per-memory counters follow the
 * memories of isa/isa.def.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The table; tests compile the generator against a broken copy with -DREGS_DEF='"file"'. */
#ifndef REGS_DEF
#define REGS_DEF "regs.def"
#endif

/* ---- the table ---------------------------------------------------------------------------- */
typedef struct rconst { const char *name; uint64_t value; const char *meaning; } rconst;
typedef struct rreg { const char *name; unsigned off; const char *access, *meaning; } rreg;
typedef struct rbit { const char *reg, *name; unsigned bit; const char *meaning; } rbit;
typedef struct rcnt { const char *name; int per_mem; const char *meaning; } rcnt;
typedef struct rerr { int code; const char *name; int hw; const char *text, *meaning; } rerr;
typedef struct rmem { int code; const char *name; } rmem;

static const rconst consts[] = {
#define DLVTA_REGS_CONST(NAME, VALUE, MEANING) {#NAME, VALUE, MEANING},
#include REGS_DEF
};
static const rreg regs[] = {
#define DLVTA_REG(NAME, OFFSET, ACCESS, MEANING) {#NAME, OFFSET, ACCESS, MEANING},
#include REGS_DEF
};
static const rbit bits[] = {
#define DLVTA_BIT(REG, NAME, BIT, MEANING) {#REG, #NAME, BIT, MEANING},
#include REGS_DEF
};
static const rcnt cnts[] = {
#define DLVTA_CNT(NAME, PER_MEM, MEANING) {#NAME, PER_MEM, MEANING},
#include REGS_DEF
};
static const rerr errs[] = {
#define DLVTA_ERR(CODE, NAME, HW, TEXT, MEANING) {CODE, #NAME, HW, TEXT, MEANING},
#include REGS_DEF
};
static const rmem mems[] = {
#define DLVTA_MEM(CODE, NAME, UNIT, ELEM_BYTES, MEANING) {CODE, #NAME},
#include "isa.def"
};

#define COUNT(a) (int)(sizeof(a) / sizeof((a)[0]))
#define N_CONSTS COUNT(consts)
#define N_REGS COUNT(regs)
#define N_BITS COUNT(bits)
#define N_CNTS COUNT(cnts)
#define N_ERRS COUNT(errs)
#define N_MEMS COUNT(mems)

/* The expanded counters: every per-memory counter becomes one per memory. */
#define MAX_CNT 256
typedef struct counter {
  char name[64];
  const rcnt *src;
  int mem; /* memory code of a per-memory counter, else -1 */
} counter;
static counter ctr[MAX_CNT];
static int n_ctr;

static int bad;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Report a defect of the table (isa/regs.def); the generator then writes nothing. */
static void fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "regsgen: %s: ", REGS_DEF);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  bad = 1;
}

/* Value of constant NAME (the table must define it). */
static uint64_t cval(const char *name) {
  for (int i = 0; i < N_CONSTS; i++)
    if (!strcmp(consts[i].name, name)) return consts[i].value;
  fail("DLVTA_REGS_CONST(%s, ...) missing", name);
  return 0;
}

static const rreg *find_reg(const char *name) {
  for (int i = 0; i < N_REGS; i++)
    if (!strcmp(regs[i].name, name)) return &regs[i];
  return NULL;
}

/* Bits in use of register r (highest bit + 1), 0 if it has no DLVTA_BIT rows. */
static unsigned reg_width(const rreg *r) {
  unsigned w = 0;
  for (int i = 0; i < N_BITS; i++)
    if (!strcmp(bits[i].reg, r->name) && bits[i].bit + 1 > w) w = bits[i].bit + 1;
  return w;
}

static unsigned cnt_off(int n) { return (unsigned)cval("CNT_BASE") + 8u * (unsigned)n; }

/* FNV-1a over a string (with its terminating zero) or a number, continuing h. */
static uint32_t fnv_s(uint32_t h, const char *s) {
  do h = (h ^ (uint8_t)*s) * 16777619u; while (*s++);
  return h;
}
static uint32_t fnv_u(uint32_t h, uint64_t v) {
  for (int i = 0; i < 8; i++) h = (h ^ (uint8_t)(v >> 8 * i)) * 16777619u;
  return h;
}

/* DLVTA_REGS_ID: a hash of the register map as hardware and driver see it -- constants, register
 * names and offsets, bits, the expanded counters, error codes and which the hardware reports --
 * and not of the texts, so that a documentation edit keeps bitstreams valid. Call after check(). */
static uint32_t regs_id(void) {
  uint32_t h = 2166136261u;
  for (int i = 0; i < N_CONSTS; i++) h = fnv_u(fnv_s(h, consts[i].name), consts[i].value);
  for (int i = 0; i < N_REGS; i++) h = fnv_s(fnv_u(fnv_s(h, regs[i].name), regs[i].off), regs[i].access);
  for (int i = 0; i < N_BITS; i++) h = fnv_u(fnv_s(fnv_s(h, bits[i].reg), bits[i].name), bits[i].bit);
  for (int n = 0; n < n_ctr; n++) h = fnv_s(h, ctr[n].name);
  for (int i = 0; i < N_ERRS; i++) h = fnv_u(fnv_u(fnv_s(h, errs[i].name), (uint64_t)errs[i].code), (uint64_t)errs[i].hw);
  return h;
}

/* Expand the counters and check the whole table; 0 if it is consistent. */
static int check(void) {
  uint64_t abits = cval("ADDR_BITS"), base = cval("CNT_BASE"), kbits = cval("ERR_KIND_BITS");
  cval("PC_IDLE");
  if (abits < 8 || abits > 16) fail("ADDR_BITS %" PRIu64 " not in 8..16", abits);
  if (kbits < 1 || kbits > 8) fail("ERR_KIND_BITS %" PRIu64 " not in 1..8", kbits);
  if (base % 8) fail("CNT_BASE 0x%" PRIx64 " is not a multiple of 8", base);
  for (int i = 0; i < N_MEMS; i++)
    if (mems[i].code != i) fail("isa.def: memory %s has code %d, not %d", mems[i].name, mems[i].code, i);
  n_ctr = 0;
  for (int i = 0; i < N_CNTS; i++) {
    for (int m = 0; m < (cnts[i].per_mem ? N_MEMS : 1); m++) {
      if (n_ctr == MAX_CNT) {
        fail("more than %d counters", MAX_CNT);
        return -1;
      }
      counter *c = &ctr[n_ctr++];
      c->src = &cnts[i];
      c->mem = cnts[i].per_mem ? m : -1;
      snprintf(c->name, sizeof c->name, cnts[i].per_mem ? "%s_%s" : "%s", cnts[i].name,
               cnts[i].per_mem ? mems[m].name : "");
    }
  }
  if (base + 8u * (uint64_t)n_ctr > ((uint64_t)1 << abits))
    fail("%d counters from 0x%" PRIx64 " do not fit %" PRIu64 " address bits", n_ctr, base, abits);
  for (int i = 0; i < N_REGS; i++) {
    const rreg *r = &regs[i];
    if (r->off % 4) fail("register %s at 0x%03x is not 4-byte aligned", r->name, r->off);
    if (r->off >= base) fail("register %s at 0x%03x is at or past CNT_BASE", r->name, r->off);
    if (strcmp(r->access, "R") && strcmp(r->access, "R/W") && strcmp(r->access, "W/R"))
      fail("register %s: access '%s' is not R, R/W or W/R", r->name, r->access);
    for (int j = 0; j < i; j++) {
      if (regs[j].off == r->off) fail("registers %s and %s share offset 0x%03x", regs[j].name, r->name, r->off);
      if (!strcmp(regs[j].name, r->name)) fail("register %s defined twice", r->name);
    }
  }
  for (int i = 0; i < N_BITS; i++) {
    const rbit *b = &bits[i];
    if (!find_reg(b->reg)) fail("bit %s of unknown register %s", b->name, b->reg);
    if (b->bit > 31) fail("bit %s.%s at %u is past bit 31", b->reg, b->name, b->bit);
    for (int j = 0; j < i; j++)
      if (!strcmp(bits[j].reg, b->reg) && (bits[j].bit == b->bit || !strcmp(bits[j].name, b->name)))
        fail("bits %s.%s and %s.%s collide", b->reg, bits[j].name, b->reg, b->name);
  }
  /* WAIT's texts are indexed by bit: its bits must be 0..n-1 in order */
  for (int i = 0, n = 0; i < N_BITS; i++)
    if (!strcmp(bits[i].reg, "WAIT") && bits[i].bit != (unsigned)n++)
      fail("WAIT bit %s is at %u, not %d (WAIT bits run from 0 in table order)", bits[i].name,
           bits[i].bit, n - 1);
  for (int i = 0; i < N_ERRS; i++) {
    if (errs[i].code != i) fail("error kind %s has code %d, not %d (codes run from 0 in order)",
                                errs[i].name, errs[i].code, i);
    if (errs[i].hw && (uint64_t)errs[i].code >> kbits)
      fail("error kind %s (%d) does not fit ERR_KIND_BITS", errs[i].name, errs[i].code);
  }
  return bad ? -1 : 0;
}

/* ---- C header ----------------------------------------------------------------------------- */
static void c_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') fputc('\\', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

static void write_h(FILE *f) {
  fprintf(f, "/* Generated by isa/regsgen from isa/regs.def (do not edit): the control registers of\n"
             " * dlvta_top, see rtl/REGS.md. Offsets are byte offsets in the register block. */\n");
  fprintf(f, "#ifndef DLVTA_REGS_GEN_H\n#define DLVTA_REGS_GEN_H\n");
  fprintf(f, "/* Offsets, masks and the DLVTA_REGS_* numbers are unsigned; bit numbers, widths, counter\n"
             " * indices and error kinds are int. */\n\n");
  for (int i = 0; i < N_CONSTS; i++)
    fprintf(f, consts[i].value < 64 ? "#define DLVTA_REGS_%s %" PRIu64 "u /* %s */\n"
                                    : "#define DLVTA_REGS_%s 0x%" PRIx64 "u /* %s */\n",
            consts[i].name, consts[i].value, consts[i].meaning);
  fprintf(f, "#define DLVTA_REGS_BYTES 0x%" PRIx64 "u /* bytes of the register block */\n",
          (uint64_t)1 << cval("ADDR_BITS"));
  fprintf(f, "#define DLVTA_REGS_SPAN 0x%03xu /* bytes a mapping must cover: through the last counter */\n\n",
          cnt_off(n_ctr));
  fprintf(f, "#define DLVTA_REGS_ID 0x%08" PRIx32 "u /* what REGS_ID reads: a hash of the register map */\n\n",
          regs_id());
  for (int i = 0; i < N_REGS; i++) {
    fprintf(f, "#define DLVTA_REG_%s 0x%03xu /* %s: %s */\n", regs[i].name, regs[i].off,
            regs[i].access, regs[i].meaning);
    unsigned w = reg_width(&regs[i]);
    if (w) fprintf(f, "#define DLVTA_%s_WIDTH %u /* bits in use */\n", regs[i].name, w);
    for (int j = 0; j < N_BITS; j++) {
      if (strcmp(bits[j].reg, regs[i].name)) continue;
      fprintf(f, "#define DLVTA_%s_%s_BIT %u\n", bits[j].reg, bits[j].name, bits[j].bit);
      fprintf(f, "#define DLVTA_%s_%s 0x%xu /* %s */\n", bits[j].reg, bits[j].name, 1u << bits[j].bit,
              bits[j].meaning);
    }
  }
  fprintf(f, "/* WAIT bit i's meaning, for messages: const char *const names[DLVTA_WAIT_WIDTH] = ... */\n");
  fprintf(f, "#define DLVTA_WAIT_TEXTS {");
  for (int i = 0, first = 1; i < N_BITS; i++) {
    if (strcmp(bits[i].reg, "WAIT")) continue;
    fprintf(f, first ? " \\\n  " : ", \\\n  ");
    c_str(f, bits[i].meaning);
    first = 0;
  }
  fprintf(f, " \\\n}\n\n");

  fprintf(f, "/* 64-bit counters: DLVTA_CNT_x is the index n, DLVTA_REG_x the offset of the low word\n"
             " * (DLVTA_REGS_CNT_BASE + 8 n; the high word at + 4). */\n");
  for (int n = 0; n < n_ctr; n++) {
    const counter *c = &ctr[n];
    if (c->mem == 0) {
      fprintf(f, "#define DLVTA_CNT_%s %d /* first of DLVTA_CNT_%s_LEN, by memory code: %s */\n",
              c->src->name, n, c->src->name, c->src->meaning);
      fprintf(f, "#define DLVTA_CNT_%s_LEN %d\n", c->src->name, N_MEMS);
      fprintf(f, "#define DLVTA_REG_%s 0x%03xu\n", c->src->name, cnt_off(n));
    }
    if (c->mem < 0)
      fprintf(f, "#define DLVTA_CNT_%s %d /* %s */\n", c->name, n, c->src->meaning);
    else
      fprintf(f, "#define DLVTA_CNT_%s %d\n", c->name, n);
    fprintf(f, "#define DLVTA_REG_%s 0x%03xu\n", c->name, cnt_off(n));
  }
  fprintf(f, "#define DLVTA_CNT_COUNT %d\n\n", n_ctr);

  fprintf(f, "/* Error kinds (enum drv_err_kind). DLVTA_ERR_HW_MASK: bit k set if kind k is a value of\n"
             " * ERR_KIND. */\n");
  unsigned hw = 0;
  for (int i = 0; i < N_ERRS; i++) {
    fprintf(f, "#define DLVTA_ERR_%s %d /* %s */\n", errs[i].name, errs[i].code, errs[i].meaning);
    if (errs[i].hw) hw |= 1u << errs[i].code;
  }
  fprintf(f, "#define DLVTA_ERR_COUNT %d\n", N_ERRS);
  fprintf(f, "#define DLVTA_ERR_HW_MASK 0x%xu\n", hw);
  fprintf(f, "/* the names of the kinds in messages, indexed by kind */\n#define DLVTA_ERR_TEXTS {");
  for (int i = 0; i < N_ERRS; i++) {
    fprintf(f, i ? ", \\\n  " : " \\\n  ");
    c_str(f, errs[i].text);
  }
  fprintf(f, " \\\n}\n");
  fprintf(f, "/* X(CODE, NAME) for every kind, in code order */\n#define DLVTA_ERR_LIST(X)");
  for (int i = 0; i < N_ERRS; i++) fprintf(f, " \\\n  X(%d, %s)", errs[i].code, errs[i].name);
  fprintf(f, "\n\n#endif\n");
}

/* ---- Verilog include ------------------------------------------------------------------------ */
static void write_vh(FILE *f) {
  unsigned ab = (unsigned)cval("ADDR_BITS"), kb = (unsigned)cval("ERR_KIND_BITS");
  fprintf(f, "// Generated by isa/regsgen from isa/regs.def (do not edit): the control registers of\n"
             "// dlvta_top, see rtl/REGS.md. Offsets are sized to DLVTA_REGS_ADDR_BITS, error kinds to\n"
             "// DLVTA_REGS_ERR_KIND_BITS; bit numbers, widths and counter indices are plain integers.\n");
  fprintf(f, "`ifndef DLVTA_REGS_VH\n`define DLVTA_REGS_VH\n");
  fprintf(f, "`define DLVTA_REGS_ADDR_BITS %u\n", ab);
  fprintf(f, "`define DLVTA_REGS_CNT_BASE %u'h%03x\n", ab, (unsigned)cval("CNT_BASE"));
  fprintf(f, "`define DLVTA_REGS_ERR_KIND_BITS %u\n", kb);
  fprintf(f, "`define DLVTA_REGS_PC_IDLE 32'h%08" PRIx64 "\n", cval("PC_IDLE"));
  fprintf(f, "`define DLVTA_REGS_WIN_COUNT %" PRIu64 "\n", cval("WIN_COUNT"));
  fprintf(f, "`define DLVTA_REGS_WIN_PAGE_BITS %" PRIu64 "\n", cval("WIN_PAGE_BITS"));
  fprintf(f, "`define DLVTA_REGS_ID 32'h%08" PRIx32 " // what REGS_ID reads: a hash of the register map\n",
          regs_id());
  for (int i = 0; i < N_REGS; i++) {
    fprintf(f, "`define DLVTA_REG_%s %u'h%03x // %s\n", regs[i].name, ab, regs[i].off, regs[i].meaning);
    unsigned w = reg_width(&regs[i]);
    if (w) fprintf(f, "`define DLVTA_%s_WIDTH %u\n", regs[i].name, w);
    for (int j = 0; j < N_BITS; j++)
      if (!strcmp(bits[j].reg, regs[i].name))
        fprintf(f, "`define DLVTA_%s_%s_BIT %u // %s\n", bits[j].reg, bits[j].name, bits[j].bit,
                bits[j].meaning);
  }
  for (int n = 0; n < n_ctr; n++) {
    const counter *c = &ctr[n];
    if (c->mem == 0) {
      fprintf(f, "`define DLVTA_CNT_%s %d // first of DLVTA_CNT_%s_LEN, by memory code: %s\n",
              c->src->name, n, c->src->name, c->src->meaning);
      fprintf(f, "`define DLVTA_CNT_%s_LEN %d\n", c->src->name, N_MEMS);
    }
    if (c->mem < 0)
      fprintf(f, "`define DLVTA_CNT_%s %d // %s\n", c->name, n, c->src->meaning);
    else
      fprintf(f, "`define DLVTA_CNT_%s %d\n", c->name, n);
  }
  fprintf(f, "`define DLVTA_CNT_COUNT %d\n", n_ctr);
  for (int i = 0; i < N_ERRS; i++)
    if (errs[i].hw)
      fprintf(f, "`define DLVTA_ERR_%s %u'd%d // %s\n", errs[i].name, kb, errs[i].code, errs[i].meaning);
  fprintf(f, "`endif\n");
}

/* ---- Markdown ----------------------------------------------------------------------------- */
#define MD_BEGIN "<!-- BEGIN isa/regs.def: generated by build/regsgen md rtl/REGS.md; do not edit -->"
#define MD_END "<!-- END isa/regs.def -->"

/* s with '|' escaped for a table cell */
static void md_cell(FILE *f, const char *s) {
  for (; *s; s++) {
    if (*s == '|') fputc('\\', f);
    fputc(*s, f);
  }
}

static void write_md(FILE *f) {
  fprintf(f, "%s\n\n", MD_BEGIN);
  fprintf(f, "Registers (32-bit, byte offsets; %" PRIu64 " address bits):\n\n", cval("ADDR_BITS"));
  fprintf(f, "| offset | name | access | meaning |\n|---|---|---|---|\n");
  for (int i = 0; i < N_REGS; i++) {
    fprintf(f, "| 0x%03X | %s | %s | ", regs[i].off, regs[i].name, regs[i].access);
    md_cell(f, regs[i].meaning);
    fprintf(f, " |\n");
  }
  fprintf(f, "\nRegister bits:\n\n| register | bit | name | meaning |\n|---|---|---|---|\n");
  for (int i = 0; i < N_REGS; i++)
    for (int j = 0; j < N_BITS; j++) {
      if (strcmp(bits[j].reg, regs[i].name)) continue;
      fprintf(f, "| %s | %u | %s | ", bits[j].reg, bits[j].bit, bits[j].name);
      md_cell(f, bits[j].meaning);
      fprintf(f, " |\n");
    }
  fprintf(f, "\nCounters (64-bit, read only; counter n: low word at 0x%03X + 8 n, high word at + 4;\n"
             "they count while STATUS.busy is set and reset on start):\n\n",
          (unsigned)cval("CNT_BASE"));
  fprintf(f, "| offset | n | name | meaning |\n|---|---|---|---|\n");
  for (int n = 0; n < n_ctr; n++) {
    fprintf(f, "| 0x%03X | %d | %s | ", cnt_off(n), n, ctr[n].name);
    if (ctr[n].mem > 0) {
      fprintf(f, "the same for memory %s", mems[ctr[n].mem].name);
    } else {
      if (ctr[n].mem == 0) fprintf(f, "memory %s: ", mems[0].name);
      md_cell(f, ctr[n].src->meaning);
    }
    fprintf(f, " |\n");
  }
  fprintf(f, "\nError kinds (drv_error.kind, enum drv_err_kind = DRV_ERR_<name>; those with ERR_KIND\n"
             "\"yes\" are values of the ERR_KIND register):\n\n");
  fprintf(f, "| code | name | ERR_KIND | message text | meaning |\n|---|---|---|---|---|\n");
  for (int i = 0; i < N_ERRS; i++) {
    fprintf(f, "| %d | %s | %s | ", errs[i].code, errs[i].name, errs[i].hw ? "yes" : "no");
    md_cell(f, errs[i].text);
    fprintf(f, " | ");
    md_cell(f, errs[i].meaning);
    fprintf(f, " |\n");
  }
  fprintf(f, "\nConstants (and DLVTA_REGS_ID, generated: the value of REGS_ID for this table):\n\n"
             "| name | value | meaning |\n|---|---|---|\n");
  for (int i = 0; i < N_CONSTS; i++) {
    fprintf(f, consts[i].value < 64 ? "| %s | %" PRIu64 " | " : "| %s | 0x%" PRIX64 " | ",
            consts[i].name, consts[i].value);
    md_cell(f, consts[i].meaning);
    fprintf(f, " |\n");
  }
  fprintf(f, "| ID (generated) | 0x%08" PRIX32 " | DLVTA_REGS_ID, the value of REGS_ID: a hash of this map |\n",
          regs_id());
  fprintf(f, "\n%s\n", MD_END);
}

/* Replace the block between MD_BEGIN and MD_END (whole lines) of path with write_md's output. */
static int update_md(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "regsgen: %s: %s\n", path, strerror(errno));
    return 1;
  }
  char *old = NULL;
  size_t cap = 0, len = 0, n;
  char buf[65536];
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
    if (len + n + 1 > cap) {
      cap = (len + n + 1) * 2;
      char *p = realloc(old, cap);
      if (!p) {
        free(old);
        fclose(f);
        fprintf(stderr, "regsgen: out of memory\n");
        return 1;
      }
      old = p;
    }
    memcpy(old + len, buf, n);
    len += n;
  }
  fclose(f);
  if (!old) old = calloc(1, 1);
  else old[len] = 0;
  char *b = strstr(old, MD_BEGIN), *e = b ? strstr(b, MD_END) : NULL;
  if (!b || !e) {
    fprintf(stderr, "regsgen: %s: no block between '%s' and '%s'\n", path, MD_BEGIN, MD_END);
    free(old);
    return 1;
  }
  e += strlen(MD_END);
  if (*e == '\n') e++;
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  f = fopen(tmp, "wb");
  if (!f) {
    fprintf(stderr, "regsgen: %s: %s\n", tmp, strerror(errno));
    free(old);
    return 1;
  }
  fwrite(old, 1, (size_t)(b - old), f);
  write_md(f);
  fputs(e, f);
  free(old);
  if (fclose(f) || rename(tmp, path)) {
    fprintf(stderr, "regsgen: cannot write %s: %s\n", path, strerror(errno));
    remove(tmp);
    return 1;
  }
  return 0;
}

/* Write one generated file through a temporary name, so that a failed run leaves none behind. */
static int write_file(const char *path, void (*fn)(FILE *)) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  if (!f) {
    fprintf(stderr, "regsgen: %s: %s\n", tmp, strerror(errno));
    return 1;
  }
  fn(f);
  if (fclose(f) || rename(tmp, path)) {
    fprintf(stderr, "regsgen: cannot write %s: %s\n", path, strerror(errno));
    remove(tmp);
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (check()) return 1;
  if (argc == 3 && !strcmp(argv[1], "h")) return write_file(argv[2], write_h);
  if (argc == 3 && !strcmp(argv[1], "vh")) return write_file(argv[2], write_vh);
  if (argc == 2 && !strcmp(argv[1], "md")) {
    write_md(stdout);
    return fflush(stdout) ? 1 : 0;
  }
  if (argc == 3 && !strcmp(argv[1], "md")) return update_md(argv[2]);
  fprintf(stderr, "usage: regsgen h FILE | regsgen vh FILE | regsgen md [FILE]\n");
  return 2;
}
