/* cli/cmd_sim.c -- `dlvta sim PROGRAM --config NAME`: run a program on a simulator backend and
 * print the counters. The program verifier (cc_verify_prog) refuses a program that could touch
 * memory outside its image or run too long before it reaches a device. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "package.h"
#include "dlvta_drv.h"

static void print_counters(const drv_counters *c, const isa_config *cfg, int json) {
  double peak = (double)cfg->d.batch * cfg->d.block_in * cfg->d.block_out;
  double util = c->cycles ? (double)c->macs / ((double)c->cycles * peak) : 0.0;
  if (json) {
    printf("{\"cycles\": %" PRIu64 ", \"gemm_cycles\": %" PRIu64 ", \"alu_cycles\": %" PRIu64
           ", \"macs\": %" PRIu64 ", \"alu_ops\": %" PRIu64 ", \"utilization\": %.4f"
           ", \"bytes_read\": %" PRIu64 ", \"bytes_written\": %" PRIu64,
           c->cycles, c->gemm_cycles, c->alu_cycles, c->macs, c->alu_ops, util, c->bytes_read,
           c->bytes_written);
    for (int u = 0; u < ISA_UNIT_COUNT; u++)
      printf(", \"%s_busy\": %" PRIu64 ", \"%s_stall\": %" PRIu64, isa_unit_name(u),
             c->unit_busy[u], isa_unit_name(u), c->unit_stall[u]);
    for (int op = 0; op < ISA_OP_COUNT; op++)
      printf(", \"insns_%s\": %" PRIu64, isa_op_name(op), c->insns[op]);
    printf("}\n");
    return;
  }
  printf("cycles        %12" PRIu64 "  (%.3f ms at %u MHz)\n", c->cycles,
         (double)c->cycles / (cfg->d.clock_mhz * 1e3), cfg->d.clock_mhz);
  printf("gemm cycles   %12" PRIu64 "\nalu cycles    %12" PRIu64 "\n", c->gemm_cycles, c->alu_cycles);
  printf("macs          %12" PRIu64 "  (utilization %.1f %% of %g MACs/cycle)\n", c->macs,
         100 * util, peak);
  printf("alu ops       %12" PRIu64 "\n", c->alu_ops);
  printf("dram read     %12" PRIu64 " B\ndram written  %12" PRIu64 " B\n", c->bytes_read,
         c->bytes_written);
  for (int u = 0; u < ISA_UNIT_COUNT; u++)
    printf("%-8s busy %12" PRIu64 "  stalled %12" PRIu64 "\n", isa_unit_name(u), c->unit_busy[u],
           c->unit_stall[u]);
  printf("instructions ");
  for (int op = 0; op < ISA_OP_COUNT; op++)
    printf(" %s %" PRIu64, isa_op_name(op), c->insns[op]);
  printf("\n");
}

int cmd_sim(int argc, char **argv) {
  const char *in = NULL, *cfg = NULL, *backend = "fsim", *dump = NULL, *opts = NULL;
  int json = 0;
  unsigned long timeout_ms = 600000;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--config") && i + 1 < argc)
      cfg = argv[++i];
    else if (!strcmp(argv[i], "--backend") && i + 1 < argc)
      backend = argv[++i];
    else if (!strcmp(argv[i], "--options") && i + 1 < argc)
      opts = argv[++i];
    else if (!strcmp(argv[i], "--dump") && i + 1 < argc)
      dump = argv[++i];
    else if (!strcmp(argv[i], "--timeout-ms") && i + 1 < argc) {
      uint64_t v;
      if (cli_parse_u64("sim", "--timeout-ms", argv[++i], 0, UINT32_MAX, &v)) return 2;
      timeout_ms = (unsigned long)v;
    } else if (!strcmp(argv[i], "--json"))
      json = 1;
    else if (argv[i][0] == '-' || in) {
      cli_error("sim", "unexpected argument '%s' (see dlvta sim --help)", argv[i]);
      return 2;
    } else
      in = argv[i];
  }
  if (!in || !cfg) {
    cli_error("sim", "usage: dlvta sim PROGRAM --config NAME [--backend fsim|verilator|zynq|xrt] [--dump FILE] [--json]");
    return 2;
  }
  if (!isa_config_find(cfg)) {
    cli_error("sim", "unknown config '%s' (known: %s)", cfg, isa_config_names());
    return 2;
  }
  isa_prog p;
  if (cli_load_prog("sim", in, cfg, &p)) return 1;
  char verr[1024];
  if (cc_verify_prog(&p, verr, sizeof verr)) { /* refused before it reaches a device */
    cli_error("sim", "%s: refused by the program verifier: %s", in, verr);
    isa_prog_free(&p);
    return 1;
  }
  drv_dev *dev;
  int rc = drv_open(backend, cfg, opts, &dev);
  if (rc != DRV_OK) {
    cli_error("sim", "cannot open device: %s", drv_open_error());
    isa_prog_free(&p);
    return 1;
  }
  uint8_t *image = malloc(p.image_bytes ? p.image_bytes : 1);
  rc = image ? drv_run_prog(dev, &p, image, (uint32_t)timeout_ms) : DRV_E_NOMEM;
  int exit_code = 0;
  drv_counters c;
  drv_counters_read(dev, &c);
  if (rc != DRV_OK) {
    const drv_error *e = drv_last_error(dev);
    cli_error("sim", "%s: %s%s%s", in, drv_strerror(rc), e->message[0] ? "\n" : "", e->message);
    exit_code = 1;
  } else {
    print_counters(&c, p.cfg, json);
  }
  if (dump && image && (rc == DRV_OK || rc == DRV_E_EXEC)) {
    FILE *f = fopen(dump, "wb");
    if (!f || fwrite(image, 1, p.image_bytes, f) != p.image_bytes || fclose(f)) {
      cli_error("sim", "%s: cannot write: %s", dump, strerror(errno));
      exit_code = 1;
    }
  }
  free(image);
  drv_close(dev);
  isa_prog_free(&p);
  return exit_code;
}
