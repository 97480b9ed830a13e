/* cli/cmd_progen.c -- `dlvta progen --config C --seed N [-o FILE]`: write a random valid,
 * race-free program (sim/fsim/progen) as assembly text or, for a .bin name, a program file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "progen.h"

int cmd_progen(int argc, char **argv) {
  const char *cfg_name = NULL, *out = NULL;
  unsigned long long seed = 1;
  progen_opts o;
  progen_opts_default(&o);
  for (int i = 1; i < argc; i++) {
    uint64_t v;
    if (!strcmp(argv[i], "--config") && i + 1 < argc) {
      cfg_name = argv[++i];
    } else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
      out = argv[++i];
    } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
      if (cli_parse_u64("progen", "--seed", argv[++i], 0, UINT64_MAX, &v)) return 2;
      seed = v;
    } else if (!strcmp(argv[i], "--insns") && i + 1 < argc) {
      if (cli_parse_u64("progen", "--insns", argv[++i], 8, PROGEN_MAX_INSNS, &v)) return 2;
      o.max_insns = (uint32_t)v;
    } else {
      cli_error("progen", "unexpected argument '%s' (see dlvta progen --help)", argv[i]);
      return 2;
    }
  }
  const isa_config *cfg = isa_config_find(cfg_name);
  if (!cfg) {
    cli_error("progen", "--config must name a config (known: %s)", isa_config_names());
    return 2;
  }
  isa_prog p;
  if (progen_make(cfg, seed, &o, &p)) {
    cli_error("progen", "cannot generate a program with these options ");
    return 1;
  }
  int rc = 0;
  size_t n = out ? strlen(out) : 0;
  if (out && n > 4 && !strcmp(out + n - 4, ".bin")) {
    char err[512];
    rc = isa_prog_save(&p, out, err, sizeof err);
    if (rc) cli_error("progen", "%s", err);
  } else {
    FILE *f = out ? fopen(out, "w") : stdout;
    if (!f) {
      cli_error("progen", "%s: cannot create: %s", out, strerror(errno));
      rc = -1;
    } else {
      rc = isa_prog_write_asm(&p, f);
      if (out && fclose(f)) rc = -1;
      if (rc) cli_error("progen", "write failed");
    }
  }
  isa_prog_free(&p);
  return rc ? 1 : 0;
}
