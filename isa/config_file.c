/* isa/config_file.c -- hardware configs from text: the key = value form that `dlvta dse` writes
 * and the build, the compiler and the runtime read (make CONFIG_FILE=my.cfg, --config my.cfg),
 * parsed into the keys of configs.def and registered beside the built-in configs; derived fields
 * come from the same code as the built-in ones (isa.c).
 *
 *   # comment
 *   name = my16            the config's name (required; a-z, 0-9, _)
 *   base = pynq            optional, first: start from a built-in config's keys
 *   block_in = 16          any key of configs.def, in any order, each at most once
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "isa.h"
#include "util.h"

typedef struct key_info {
  const char *name;
  size_t off; /* of an unsigned in isa_derived */
} key_info;

#define K(f) {#f, offsetof(isa_derived, f)}
static const key_info keys_tab[] = {
    K(batch),     K(block_in),   K(block_out),       K(inp_bits),        K(wgt_bits),
    K(acc_bits),  K(out_bits),   K(uop_bytes),       K(inp_bytes),       K(wgt_bytes),
    K(acc_bytes), K(axi_bits),   K(clock_mhz),       K(insn_queue),      K(token_queue),
    K(dram_rd_latency), K(dram_wr_latency), K(acc_copies), K(rd_ports), K(ddr_bytes),
    K(gemm_pump),
};
#undef K
#define N_KEYS ((int)(sizeof keys_tab / sizeof keys_tab[0]))

static unsigned *key_ptr(isa_derived *d, int k) { return (unsigned *)((char *)d + keys_tab[k].off); }
static unsigned key_val(const isa_derived *d, int k) {
  return *(const unsigned *)((const char *)d + keys_tab[k].off);
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t' || *s == '\r') s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) s[--n] = 0;
  return s;
}

int isa_config_parse(const char *text, const char *file, isa_derived *out, char *name, size_t namelen,
                     char *err, size_t errlen) {
  if (!file) file = "<config>";
  memset(out, 0, sizeof *out);
  name[0] = 0;
  size_t tlen = strlen(text);
  char *buf = malloc(tlen + 1);
  if (!buf) return util_err(err, errlen, "%s: out of memory", file);
  memcpy(buf, text, tlen + 1);
  int seen[N_KEYS] = {0}, have_base = 0, line = 0, rc = 0, n_set = 0;
  char *save = NULL;
  for (char *p = buf; p && !rc; p = save) {
    char *nl = strchr(p, '\n');
    save = nl ? nl + 1 : NULL;
    if (nl) *nl = 0;
    line++;
    char *hash = strchr(p, '#');
    if (hash) *hash = 0;
    char *s = trim(p);
    if (!*s) continue;
    char *eq = strchr(s, '=');
    if (!eq) {
      rc = util_err(err, errlen, "%s:%d: expected 'key = value', got '%s'", file, line, s);
      break;
    }
    *eq = 0;
    char *key = trim(s), *val = trim(eq + 1);
    if (!*val) {
      rc = util_err(err, errlen, "%s:%d: '%s' has no value", file, line, key);
      break;
    }
    if (!strcmp(key, "name")) {
      if (name[0]) {
        rc = util_err(err, errlen, "%s:%d: 'name' given twice", file, line);
      } else if (strlen(val) >= namelen) {
        rc = util_err(err, errlen, "%s:%d: name '%s' is too long", file, line, val);
      } else {
        strcpy(name, val);
      }
      continue;
    }
    if (!strcmp(key, "base")) {
      const isa_config *b = isa_config_find(val);
      if (have_base || n_set) {
        rc = util_err(err, errlen, "%s:%d: 'base' must come once, before any other key", file, line);
      } else if (!b) {
        rc = util_err(err, errlen, "%s:%d: unknown base config '%s' (known: %s)", file, line, val, isa_config_names());
      } else {
        for (int k = 0; k < N_KEYS; k++) *key_ptr(out, k) = key_val(&b->d, k);
        have_base = 1;
      }
      continue;
    }
    int k = 0;
    while (k < N_KEYS && strcmp(keys_tab[k].name, key)) k++;
    if (k == N_KEYS) {
      rc = util_err(err, errlen, "%s:%d: unknown key '%s' (keys: name, base, batch, block_in, block_out, "
                    "inp_bits, wgt_bits, acc_bits, out_bits, uop_bytes, inp_bytes, wgt_bytes, acc_bytes, "
                    "axi_bits, clock_mhz, insn_queue, token_queue, dram_rd_latency, dram_wr_latency, acc_copies, "
                    "rd_ports, ddr_bytes, gemm_pump)",
                    file, line, key);
      break;
    }
    if (seen[k]) {
      rc = util_err(err, errlen, "%s:%d: '%s' given twice", file, line, key);
      break;
    }
    char *end;
    errno = 0;
    unsigned long v = strtoul(val, &end, 0);
    if (errno || *end || val[0] == '-' || v > 0xffffffffu) {
      rc = util_err(err, errlen, "%s:%d: '%s' is not a number for %s", file, line, val, key);
      break;
    }
    *key_ptr(out, k) = (unsigned)v;
    seen[k] = 1;
    n_set++;
  }
  free(buf);
  if (rc) return -1;
  if (!name[0]) return util_err(err, errlen, "%s: no 'name = ...' line", file);
  if (!have_base) {
    /* keys added later, with the values every file written before them meant */
    for (int k = 0; k < N_KEYS; k++) {
      if (seen[k]) continue;
      if (!strcmp(keys_tab[k].name, "rd_ports")) *key_ptr(out, k) = 1, seen[k] = 1;
      else if (!strcmp(keys_tab[k].name, "ddr_bytes")) *key_ptr(out, k) = 0, seen[k] = 1;
      else if (!strcmp(keys_tab[k].name, "gemm_pump")) *key_ptr(out, k) = 1, seen[k] = 1;
    }
    for (int k = 0; k < N_KEYS; k++)
      if (!seen[k])
        return util_err(err, errlen, "%s: key '%s' missing (give every key, or 'base = pynq' first)", file,
                        keys_tab[k].name);
  }
  out->name = name;
  isa_config c;
  char why[256];
  if (isa_config_derive(out, &c, why, sizeof why)) return util_err(err, errlen, "%s: %s", file, why);
  return 0;
}

const isa_config *isa_config_load(const char *path, char *err, size_t errlen) {
  size_t len;
  char *text = util_read_file(path, &len);
  if (!text) {
    util_err(err, errlen, "%s: cannot read: %s", path, strerror(errno));
    return NULL;
  }
  if (strlen(text) != len) {
    free(text);
    util_err(err, errlen, "%s: not a text file (NUL byte)", path);
    return NULL;
  }
  isa_derived keys;
  char name[ISA_CONFIG_NAME_MAX + 1];
  int rc = isa_config_parse(text, path, &keys, name, sizeof name, err, errlen);
  free(text);
  if (rc) return NULL;
  const isa_config *c;
  char why[256];
  if (isa_config_register(&keys, &c, why, sizeof why)) {
    util_err(err, errlen, "%s: %s", path, why);
    return NULL;
  }
  return c;
}

int isa_config_is_file(const char *arg) {
  if (!arg) return 0;
  size_t n = strlen(arg);
  return strchr(arg, '/') || (n > 4 && !strcmp(arg + n - 4, ".cfg"));
}

const isa_config *isa_config_resolve(const char *arg, char *err, size_t errlen) {
  if (isa_config_is_file(arg)) return isa_config_load(arg, err, errlen);
  const isa_config *c = isa_config_find(arg);
  if (!c) util_err(err, errlen, "unknown config '%s' (known: %s; or a config file, NAME.cfg)", arg ? arg : "",
                   isa_config_names());
  return c;
}

void isa_config_write(const isa_derived *d, FILE *f) {
  fprintf(f, "name = %s\n", d->name);
  for (int k = 0; k < N_KEYS; k++) fprintf(f, "%s = %u\n", keys_tab[k].name, key_val(d, k));
}

void isa_config_write_def(const isa_derived *d, FILE *f) {
  fprintf(f, "DLVTA_CONFIG(%s", d->name);
  for (int k = 0; k < N_KEYS; k++) fprintf(f, ", %u", key_val(d, k));
  fprintf(f, ")\n");
}
