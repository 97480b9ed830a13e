/* cli/cmd_isa.c -- `dlvta asm`, `dlvta disasm`, `dlvta configs`, and program loading. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

int cli_load_prog(const char *cmd, const char *path, const char *cfg_name, isa_prog *out) {
  char err[1024];
  size_t len;
  char *text = util_read_file(path, &len);
  if (!text) {
    cli_error(cmd, "%s: cannot read: %s", path, strerror(errno));
    return -1;
  }
  int rc;
  if (len >= 8 && !memcmp(text, "DLVTAPRG", 8)) {
    free(text);
    rc = isa_prog_load(path, out, err, sizeof err);
    if (!rc && cfg_name && strcmp(out->cfg->d.name, cfg_name)) {
      snprintf(err, sizeof err, "%s: program is for config '%s', not '%s'", path,
               out->cfg->d.name, cfg_name);
      isa_prog_free(out);
      rc = -1;
    }
  } else {
    if (memchr(text, 0, len)) {
      free(text);
      cli_error(cmd, "%s: neither a dlvta program nor assembly text", path);
      return -1;
    }
    rc = isa_assemble(text, path, cfg_name, out, err, sizeof err);
    free(text);
  }
  if (rc) cli_error(cmd, "%s", err);
  return rc;
}

int cmd_asm(int argc, char **argv) {
  const char *in = NULL, *out = NULL, *cfg = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-o") && i + 1 < argc)
      out = argv[++i];
    else if (!strcmp(argv[i], "--config") && i + 1 < argc)
      cfg = argv[++i];
    else if (argv[i][0] == '-' || in) {
      cli_error("asm", "unexpected argument '%s' (usage: dlvta asm FILE.s -o FILE.bin [--config NAME])", argv[i]);
      return 2;
    } else
      in = argv[i];
  }
  if (!in || !out) {
    cli_error("asm", "usage: dlvta asm FILE.s -o FILE.bin [--config NAME]");
    return 2;
  }
  isa_prog p;
  if (cli_load_prog("asm", in, cfg, &p)) return 1;
  char err[1024];
  int rc = isa_prog_save(&p, out, err, sizeof err);
  if (rc) cli_error("asm", "%s", err);
  isa_prog_free(&p);
  return rc ? 1 : 0;
}

int cmd_disasm(int argc, char **argv) {
  const char *in = NULL, *out = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-o") && i + 1 < argc)
      out = argv[++i];
    else if (argv[i][0] == '-' || in) {
      cli_error("disasm", "unexpected argument '%s' (usage: dlvta disasm FILE.bin [-o FILE.s])", argv[i]);
      return 2;
    } else
      in = argv[i];
  }
  if (!in) {
    cli_error("disasm", "usage: dlvta disasm FILE.bin [-o FILE.s]");
    return 2;
  }
  isa_prog p;
  char err[1024];
  if (isa_prog_load(in, &p, err, sizeof err)) {
    cli_error("disasm", "%s", err);
    return 1;
  }
  FILE *f = out ? fopen(out, "w") : stdout;
  if (!f) {
    cli_error("disasm", "%s: cannot create: %s", out, strerror(errno));
    isa_prog_free(&p);
    return 1;
  }
  int rc = isa_prog_write_asm(&p, f);
  if (out && fclose(f)) rc = -1;
  if (rc) cli_error("disasm", "%s: write failed", out ? out : "stdout");
  isa_prog_free(&p);
  return rc ? 1 : 0;
}

int cmd_configs(int argc, char **argv) {
  (void)argv;
  if (argc > 1) {
    cli_error("configs", "takes no arguments");
    return 2;
  }
  printf("%-15s %-9s %6s %6s %7s %6s %6s %4s %5s %6s %s\n", "config", "gemm", "uop", "inp", "wgt",
         "acc", "out", "axi", "MHz", "accx", "fingerprint");
  for (int i = 0; i < isa_config_count(); i++) {
    const isa_derived *d = &isa_config_at(i)->d;
    char gemm[32];
    snprintf(gemm, sizeof gemm, "%ux%ux%u", d->batch, d->block_in, d->block_out);
    printf("%-15s %-9s %6u %6u %7u %6u %6u %4u %5u %6u %016llx\n", d->name, gemm, d->uop_bytes,
           d->inp_bytes, d->wgt_bytes, d->acc_bytes, d->out_bytes, d->axi_bits, d->clock_mhz,
           d->acc_copies, (unsigned long long)isa_config_at(i)->fingerprint);
  }
  return 0;
}
