/* cli/cmd_selftest.c -- `dlvta selftest`: opens the device (the zynq and xrt backends check the
 * bitstream's config fingerprint and register map there; without --config, the first config the
 * device accepts) and runs the self-test of driver/selftest.h. Exit 0 if every check passed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dlvta_drv.h"
#include "selftest.h"

static int usage(void) {
  fprintf(stderr, "usage: dlvta selftest --backend zynq|xrt|verilator|fsim [--config NAME] "
          "[--options OPTS] [--timeout-ms N] [--seed N] [-v]\n");
  return 2;
}

int cmd_selftest(int argc, char **argv) {
  const char *backend = NULL, *config = NULL, *options = NULL;
  selftest_opts o = {10000, 0, 0};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    uint64_t n;
    if (!strcmp(a, "--backend") && v) backend = v, i++;
    else if (!strcmp(a, "--config") && v) config = v, i++;
    else if (!strcmp(a, "--options") && v) options = v, i++;
    else if (!strcmp(a, "--timeout-ms") && v) {
      if (cli_parse_u64("selftest", a, v, 1, UINT32_MAX, &n)) return 2;
      o.timeout_ms = (uint32_t)n, i++;
    } else if (!strcmp(a, "--seed") && v) {
      if (cli_parse_u64("selftest", a, v, 0, UINT64_MAX, &n)) return 2;
      o.seed = n, i++;
    }
    else if (!strcmp(a, "-v")) o.verbose = 1;
    else {
      cli_error("selftest", "unknown, incomplete or bad argument '%s'", a);
      return usage();
    }
  }
  if (!backend) return usage();
  /* the config: the one given, else the first the device accepts (a board: its bitstream's) */
  drv_dev *dev = NULL;
  int rc = DRV_E_CONFIG;
  char why[2300] = "";
  for (int i = 0; i < (config ? 1 : isa_config_count()) && rc == DRV_E_CONFIG; i++) {
    rc = drv_open(backend, config ? config : isa_config_at(i)->d.name, options, &dev);
    snprintf(why, sizeof why, "%s", drv_open_error());
  }
  if (rc != DRV_OK) {
    printf("FAIL  %-22s %s\n", "open_fingerprint", why);
    selftest_report(stdout, 0, 1);
    return 1;
  }
  int r = selftest_run(dev, &o, stdout);
  drv_close(dev);
  return r > 0 ? 0 : 1;
}
