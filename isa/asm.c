/* isa/asm.c -- the assembler, program text writer and binary program files.
 *
 * Text format (one statement a line; `;` or `#` starts a comment):
 *   .config NAME              hardware config (must come before instructions and .uop)
 *   .image BYTES              minimum size of the data image
 *   .org OFFSET               move the data cursor to a byte offset in the image
 *   .align N                  align the data cursor to N bytes
 *   .byte V, V, ...           8-bit values (-128..255); .half: 16-bit; .word: 32-bit
 *   .space N                  N zero bytes
 *   .uop acc=A src=S wgt=W    one micro-op word
 *   .insn 0xHI 0xLO           a raw 128-bit instruction (bits 127..64, 63..0)
 *   MNEMONIC [enum] [flag...] [field=value...]
 *       load/store: memory name (uop wgt inp acc out acc8); gemm: fields; alu: op name
 *       (min max add mul shr clip mov req); flags: reset use_imm pop_prev pop_next push_prev
 *       push_next; omitted fields are 0.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "isa.h"
#include "util.h"

typedef struct asm_state {
  const char *file;
  int line;
  char *err;
  size_t errlen;
  const isa_config *cfg;
  const char *want_cfg;
  isa_word *insns;
  uint32_t n_insns, cap_insns;
  uint8_t *image;
  uint64_t image_cap, image_bytes, cursor;
} asm_state;

static int aerr(asm_state *s, const char *fmt, const char *a, const char *b) {
  char msg[256];
  /* cppcheck-suppress wrongPrintfScanfArgNum ; fmt takes up to two %s, extra arguments are allowed */
  snprintf(msg, sizeof msg, fmt, a ? a : "", b ? b : "");
  return util_err(s->err, s->errlen, "%s:%d: %s", s->file, s->line, msg);
}

static int parse_int(const char *t, int64_t *v) {
  char *end;
  errno = 0;
  long long x;
  if (t[0] == '-')
    x = strtoll(t, &end, 0);
  else
    x = (long long)strtoull(t, &end, 0);
  if (errno || end == t || *end) return -1;
  *v = x;
  return 0;
}

static int need_cfg(asm_state *s) {
  if (s->cfg) return 0;
  if (s->want_cfg) {
    s->cfg = isa_config_find(s->want_cfg);
    if (s->cfg) return 0;
    return aerr(s, "unknown config '%s'", s->want_cfg, NULL);
  }
  return aerr(s, "no .config line before the first instruction or micro-op", NULL, NULL);
}

static int emit_bytes(asm_state *s, const void *p, uint64_t n) {
  uint64_t end = s->cursor + n;
  if (end > ISA_ASM_IMAGE_MAX) return aerr(s, "data image larger than the assembler's limit of 256 MiB", NULL, NULL);
  if (end > s->image_cap) {
    uint64_t cap = s->image_cap ? s->image_cap : 4096;
    while (cap < end) cap *= 2;
    uint8_t *ni = realloc(s->image, cap);
    if (!ni) return aerr(s, "out of memory", NULL, NULL);
    memset(ni + s->image_cap, 0, cap - s->image_cap);
    s->image = ni;
    s->image_cap = cap;
  }
  if (p) memcpy(s->image + s->cursor, p, n);
  s->cursor = end;
  if (end > s->image_bytes) s->image_bytes = end;
  return 0;
}

static int emit_insn(asm_state *s, const isa_word *w) {
  if (s->n_insns == s->cap_insns) {
    uint32_t cap = s->cap_insns ? s->cap_insns * 2 : 256;
    isa_word *ni = realloc(s->insns, cap * sizeof *ni);
    if (!ni) return aerr(s, "out of memory", NULL, NULL);
    s->insns = ni;
    s->cap_insns = cap;
  }
  s->insns[s->n_insns++] = *w;
  return 0;
}

/* Split a line into tokens at blanks and commas; returns the count (max 64). */
static int tokenize(char *line, char **tok) {
  int n = 0;
  for (char *p = line; *p;) {
    while (*p && (isspace((unsigned char)*p) || *p == ',')) *p++ = 0;
    if (!*p) break;
    if (n == 64) return -1;
    tok[n++] = p;
    while (*p && !isspace((unsigned char)*p) && *p != ',') p++;
  }
  return n;
}

static int find_named(const char *name, const char *(*namer)(int), int count) {
  for (int i = 0; i < count; i++) {
    const char *n = namer(i);
    if (n && !strcasecmp(n, name)) return i;
  }
  return -1;
}

static int do_uop(asm_state *s, char **tok, int n) {
  if (need_cfg(s)) return -1;
  int64_t v[3] = {0, 0, 0};
  static const char *const keys[3] = {"acc", "src", "wgt"};
  static const int fields[3] = {ISA_F_u_acc, ISA_F_u_src, ISA_F_u_wgt};
  for (int i = 1; i < n; i++) {
    char *eq = strchr(tok[i], '=');
    int k = -1;
    if (eq) {
      *eq = 0;
      for (int j = 0; j < 3; j++)
        if (!strcmp(tok[i], keys[j])) k = j;
    }
    if (k < 0) return aerr(s, "bad micro-op operand '%s' (want acc=, src=, wgt=)", tok[i], NULL);
    if (parse_int(eq + 1, &v[k]) || v[k] < 0 || v[k] >= (1ll << s->cfg->fwidth[fields[k]]))
      return aerr(s, "micro-op field %s=%s out of range", keys[k], eq + 1);
  }
  uint32_t u = isa_uop(s->cfg, (uint32_t)v[0], (uint32_t)v[1], (uint32_t)v[2]);
  uint8_t b[4] = {(uint8_t)u, (uint8_t)(u >> 8), (uint8_t)(u >> 16), (uint8_t)(u >> 24)};
  return emit_bytes(s, b, 4);
}

static int do_data(asm_state *s, char **tok, int n, int size) {
  for (int i = 1; i < n; i++) {
    int64_t v;
    int64_t lo = -(1ll << (size * 8 - 1)), hi = (1ll << (size * 8)) - 1;
    if (parse_int(tok[i], &v) || v < lo || v > hi) return aerr(s, "bad %s value '%s'", tok[0], tok[i]);
    uint8_t b[4];
    for (int k = 0; k < size; k++) b[k] = (uint8_t)((uint64_t)v >> (8 * k));
    if (emit_bytes(s, b, (uint64_t)size)) return -1;
  }
  return 0;
}

static int do_insn(asm_state *s, char **tok, int n) {
  if (need_cfg(s)) return -1;
  isa_word w = {{0, 0}};
  if (!strcmp(tok[0], ".insn")) {
    int64_t hi, lo;
    if (n != 3 || parse_int(tok[1], &hi) || parse_int(tok[2], &lo))
      return aerr(s, ".insn takes two 64-bit values: bits 127..64 and 63..0", NULL, NULL);
    w.w[1] = (uint64_t)hi;
    w.w[0] = (uint64_t)lo;
    return emit_insn(s, &w);
  }
  int op = -1;
  for (int i = 0; i < 8; i++)
    if (isa_op_name(i) && !strcasecmp(isa_op_name(i), tok[0])) op = i;
  if (op < 0) return aerr(s, "unknown mnemonic '%s'", tok[0], NULL);
  isa_insn in;
  memset(&in, 0, sizeof in);
  in.f[ISA_F_opcode] = (uint32_t)op;
  unsigned groups = isa_op_groups(op);
  for (int i = 1; i < n; i++) {
    char *t = tok[i], *eq = strchr(t, '=');
    if (eq) *eq = 0;
    int f = -1;
    for (int k = 0; k < ISA_F_COUNT; k++)
      if ((groups & (1u << isa_field_group(k))) && !strcmp(isa_field_name_op(op, k), t)) f = k;
    if (!eq) {
      int m;
      if (f >= 0 && isa_field_kind(f) == ISA_KIND_FLAG) {
        in.f[f] = 1;
      } else if ((groups & (1u << ISA_GROUP_MEM)) &&
                 (m = find_named(t, isa_mem_name, 8)) >= 0) {
        in.f[ISA_F_mem] = (uint32_t)m;
      } else if ((groups & (1u << ISA_GROUP_ALU)) &&
                 (m = find_named(t, isa_alu_name, 16)) >= 0) {
        in.f[ISA_F_alu_op] = (uint32_t)m;
      } else {
        return aerr(s, "unknown operand '%s' for %s", t, tok[0]);
      }
      continue;
    }
    if (f < 0) return aerr(s, "%s has no field '%s'", tok[0], t);
    int64_t v;
    if (parse_int(eq + 1, &v)) return aerr(s, "bad value '%s' for field %s", eq + 1, t);
    unsigned wd = s->cfg->fwidth[f];
    int64_t lo = isa_field_kind(f) == ISA_KIND_S ? -(1ll << (wd - 1)) : 0;
    int64_t hi = isa_field_kind(f) == ISA_KIND_S ? (1ll << (wd - 1)) - 1 : (1ll << wd) - 1;
    if (v < lo || v > hi) {
      char range[96];
      snprintf(range, sizeof range, "%s=%s", t, eq + 1);
      char why[64];
      snprintf(why, sizeof why, "%lld..%lld", (long long)lo, (long long)hi);
      return aerr(s, "field %s out of range (allowed %s)", range, why);
    }
    in.f[f] = (uint32_t)v;
  }
  int bad = -1;
  int rc = isa_encode(s->cfg, &in, &w, &bad);
  if (rc != ISA_OK) return aerr(s, "cannot encode: %s", isa_strerror(rc), NULL);
  isa_insn chk;
  rc = isa_decode(s->cfg, &w, &chk);
  if (rc != ISA_OK) return aerr(s, "invalid instruction: %s", isa_strerror(rc), NULL);
  return emit_insn(s, &w);
}

static int do_line(asm_state *s, char *line) {
  char *c = strpbrk(line, ";#");
  if (c) *c = 0;
  char *tok[64];
  int n = tokenize(line, tok);
  if (n < 0) return aerr(s, "too many operands", NULL, NULL);
  if (n == 0) return 0;
  const char *d = tok[0];
  int64_t v;
  if (!strcmp(d, ".config")) {
    if (n != 2) return aerr(s, ".config takes one name", NULL, NULL);
    const isa_config *cfg = isa_config_find(tok[1]);
    if (!cfg) return aerr(s, "unknown config '%s' (known: %s)", tok[1], isa_config_names());
    if (s->want_cfg && strcmp(s->want_cfg, tok[1]))
      return aerr(s, "program is for config '%s', not '%s'", tok[1], s->want_cfg);
    if (s->cfg && s->cfg != cfg) return aerr(s, "second .config '%s'", tok[1], NULL);
    s->cfg = cfg;
    return 0;
  }
  if (!strcmp(d, ".image") || !strcmp(d, ".org") || !strcmp(d, ".align") || !strcmp(d, ".space")) {
    if (n != 2 || parse_int(tok[1], &v) || v < 0) return aerr(s, "%s takes one non-negative number", d, NULL);
    if ((uint64_t)v > ISA_ASM_IMAGE_MAX) return aerr(s, "%s %s: beyond the assembler's 256 MiB image limit", d, tok[1]);
    if (!strcmp(d, ".image")) {
      uint64_t save = s->cursor;
      if ((uint64_t)v > s->image_bytes) {
        s->cursor = s->image_bytes;
        if (emit_bytes(s, NULL, (uint64_t)v - s->image_bytes)) return -1;
      }
      s->cursor = save;
      return 0;
    }
    if (!strcmp(d, ".org")) {
      s->cursor = (uint64_t)v;
      return 0;
    }
    if (!strcmp(d, ".align")) {
      if (v == 0 || (v & (v - 1))) return aerr(s, ".align takes a power of two", NULL, NULL);
      uint64_t pad = (uint64_t)(-(int64_t)s->cursor) & (uint64_t)(v - 1);
      return emit_bytes(s, NULL, pad);
    }
    return emit_bytes(s, NULL, (uint64_t)v);
  }
  if (!strcmp(d, ".byte")) return do_data(s, tok, n, 1);
  if (!strcmp(d, ".half")) return do_data(s, tok, n, 2);
  if (!strcmp(d, ".word")) return do_data(s, tok, n, 4);
  if (!strcmp(d, ".uop")) return do_uop(s, tok, n);
  if (d[0] == '.' && strcmp(d, ".insn")) return aerr(s, "unknown directive '%s'", d, NULL);
  return do_insn(s, tok, n);
}

int isa_assemble(const char *text, const char *file, const char *cfg_name, isa_prog *out,
                 char *err, size_t errlen) {
  asm_state s;
  memset(&s, 0, sizeof s);
  memset(out, 0, sizeof *out);
  s.file = file ? file : "<input>";
  s.err = err;
  s.errlen = errlen;
  s.want_cfg = cfg_name;
  if (cfg_name && !isa_config_find(cfg_name)) {
    util_err(err, errlen, "%s: unknown config '%s' (known: %s)", s.file, cfg_name, isa_config_names());
    return -1;
  }
  const char *p = text;
  int rc = 0;
  char line[4096];
  while (*p && !rc) {
    s.line++;
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    if (len >= sizeof line) {
      rc = aerr(&s, "line too long", NULL, NULL);
      break;
    }
    memcpy(line, p, len);
    line[len] = 0;
    rc = do_line(&s, line);
    p += len + (nl ? 1 : 0);
  }
  if (!rc && !s.cfg && need_cfg(&s)) rc = -1;
  if (rc) {
    free(s.insns);
    free(s.image);
    return -1;
  }
  out->cfg = s.cfg;
  out->insns = s.insns;
  out->n_insns = s.n_insns;
  out->image = s.image;
  out->image_bytes = s.image_bytes;
  return 0;
}

void isa_prog_free(isa_prog *p) {
  free(p->insns);
  free(p->image);
  memset(p, 0, sizeof *p);
}

int isa_prog_write_asm(const isa_prog *p, FILE *f) {
  fprintf(f, "; dlvta program: %u instructions, %" PRIu64 " bytes of data\n", p->n_insns,
          p->image_bytes);
  fprintf(f, ".config %s\n", p->cfg->d.name);
  if (p->image_bytes) fprintf(f, ".image %" PRIu64 "\n", p->image_bytes);
  /* data: runs of non-zero 16-byte lines */
  uint64_t cursor = 0;
  for (uint64_t off = 0; off < p->image_bytes; off += 16) {
    uint64_t n = p->image_bytes - off < 16 ? p->image_bytes - off : 16;
    int nz = 0;
    for (uint64_t i = 0; i < n; i++) nz |= p->image[off + i];
    if (!nz) continue;
    if (cursor != off) fprintf(f, ".org 0x%" PRIx64 "\n", off);
    fprintf(f, ".byte");
    for (uint64_t i = 0; i < n; i++) fprintf(f, "%s%u", i ? "," : " ", p->image[off + i]);
    fprintf(f, "\n");
    cursor = off + n;
  }
  char buf[512];
  for (uint32_t i = 0; i < p->n_insns; i++) {
    isa_disasm(p->cfg, &p->insns[i], buf, sizeof buf);
    fprintf(f, "%s ; %u\n", buf, i);
  }
  return ferror(f) ? -1 : 0;
}

/* ---- binary program files ---------------------------------------------------------------- */
#define PRG_MAGIC "DLVTAPRG"
#define PRG_VERSION 1u
#define PRG_HEADER 64u


/* header: magic[8] version u32, header_size u32, fingerprint u64, n_insns u32, reserved u32,
 * image_bytes u64, insn_offset u64, image_offset u64, config name[8] (NUL padded) */
int isa_prog_save(const isa_prog *p, const char *path, char *err, size_t errlen) {
  uint8_t h[PRG_HEADER];
  memset(h, 0, sizeof h);
  memcpy(h, PRG_MAGIC, 8);
  util_put32(h + 8, PRG_VERSION);
  util_put32(h + 12, PRG_HEADER);
  util_put64(h + 16, p->cfg->fingerprint);
  util_put32(h + 24, p->n_insns);
  util_put64(h + 32, p->image_bytes);
  util_put64(h + 40, PRG_HEADER);
  util_put64(h + 48, PRG_HEADER + (uint64_t)p->n_insns * 16);
  size_t nl = strlen(p->cfg->d.name);
  memcpy(h + 56, p->cfg->d.name, nl < 8 ? nl : 8);
  FILE *f = fopen(path, "wb");
  if (!f) return util_err(err, errlen, "%s: cannot create: %s", path, strerror(errno));
  fwrite(h, 1, sizeof h, f);
  for (uint32_t i = 0; i < p->n_insns; i++) {
    uint8_t b[16];
    util_put64(b, p->insns[i].w[0]);
    util_put64(b + 8, p->insns[i].w[1]);
    fwrite(b, 1, 16, f);
  }
  if (p->image_bytes) fwrite(p->image, 1, p->image_bytes, f);
  int bad = ferror(f);
  if (fclose(f) || bad) return util_err(err, errlen, "%s: write failed", path);
  return 0;
}

int isa_prog_load(const char *path, isa_prog *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  size_t len;
  uint8_t *b = (uint8_t *)util_read_file(path, &len);
  if (!b) return util_err(err, errlen, "%s: cannot read: %s", path, strerror(errno));
  int rc = -1;
  if (len < PRG_HEADER || memcmp(b, PRG_MAGIC, 8)) {
    util_err(err, errlen, "%s: not a dlvta program (bad magic)", path);
    goto done;
  }
  if (util_get32(b + 8) != PRG_VERSION || util_get32(b + 12) != PRG_HEADER) {
    util_err(err, errlen, "%s: unsupported program version %u (header %u bytes)", path, util_get32(b + 8),
             util_get32(b + 12));
    goto done;
  }
  uint64_t fp = util_get64(b + 16);
  const isa_config *cfg = NULL;
  for (int i = 0; i < isa_config_count(); i++)
    if (isa_config_at(i)->fingerprint == fp) cfg = isa_config_at(i);
  if (!cfg) {
    char name[9] = {0};
    memcpy(name, b + 56, 8);
    util_err(err, errlen, "%s: built for a hardware config this build does not know ('%s', fingerprint %016" PRIx64 ")",
             path, name, fp);
    goto done;
  }
  uint64_t n = util_get32(b + 24), image = util_get64(b + 32), io = util_get64(b + 40), mo = util_get64(b + 48);
  if (io != PRG_HEADER || mo != io + n * 16 || image > (1ull << 32) || mo + image != len) {
    util_err(err, errlen, "%s: corrupt program: sizes do not match the file (%zu bytes)", path, len);
    goto done;
  }
  out->cfg = cfg;
  out->n_insns = (uint32_t)n;
  out->insns = malloc((n ? n : 1) * sizeof *out->insns);
  out->image = malloc(image ? image : 1);
  if (!out->insns || !out->image) {
    util_err(err, errlen, "%s: out of memory", path);
    isa_prog_free(out);
    goto done;
  }
  for (uint64_t i = 0; i < n; i++) {
    out->insns[i].w[0] = util_get64(b + io + 16 * i);
    out->insns[i].w[1] = util_get64(b + io + 16 * i + 8);
  }
  memcpy(out->image, b + mo, image);
  out->image_bytes = image;
  rc = 0;
done:
  free(b);
  return rc;
}
