/* cli/cmd_run.c -- `dlvta run MODEL.dlvta --input [NAME=]X.npy... [--output Y.npy]
 * [--backend fsim|verilator|zynq|xrt] [--stats S.json]`: runs a package (runtime/runtime.h) on one input
 * or on a stack of N inputs, writes or summarizes the outputs and the accelerator counters. */
#include <inttypes.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "npy.h"
#include "runtime.h"

#define USAGE                                                                                       \
  "usage: dlvta run MODEL.dlvta --input [NAME=]X.npy... [--output Y.npy] [--backend fsim|verilator|zynq|xrt]\n" \
  "                 [--stats S.json] [--strict] [--options KEY=VALUE,...]   (backend options, as dlvta sim's)\n" \
  "  --strict: NaN or infinite input values are an error (else a warning)\n" \
  "  --input: the model's input shape, or a stack (N, ...) of N inputs; a model with several inputs\n" \
  "  takes one --input per input, each NAME=FILE for the input called NAME, or plain FILEs in the\n" \
  "  model's input order (the same N for all)\n"

static double wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double cli_fmax_mhz(const char *cfg, const char **source) {
#define DLVTA_FMAX(CONFIG, MHZ, SOURCE)                                                             \
  if (!strcmp(cfg, #CONFIG)) {                                                                      \
    if (source) *source = SOURCE;                                                                   \
    return MHZ;                                                                                     \
  }
#include "fmax.def"
  if (source) *source = NULL;
  return 0;
}

/* What ran where and how long the accelerator took per inference: at the config's clock and,
 * where cli/fmax.def has an estimate, at the estimated Fmax. */
static void print_latency(rt_model *r, const char *backend, double cycles_per_inf) {
  const isa_config *cfg = isa_config_find(rt_config_name(r));
  unsigned clk = cfg ? cfg->d.clock_mhz : 0;
  const char *src = NULL;
  double fmax = cli_fmax_mhz(rt_config_name(r), &src);
  const char *dev = rt_device(r);
  printf("ran on: backend %s%s%s%s, config %s (clock %u MHz)\n", backend, dev && strcmp(dev, backend) ? " (" : "",
         dev && strcmp(dev, backend) ? dev : "", dev && strcmp(dev, backend) ? ")" : "", rt_config_name(r), clk);
  if (!clk) return;
  printf("latency: %.0f accelerator cycles per inference = %.3f ms at %u MHz", cycles_per_inf,
         cycles_per_inf / (clk * 1e3), clk);
  if (fmax > 0) printf(", %.3f ms at the estimated Fmax %.1f MHz (%s)", cycles_per_inf / (fmax * 1e3), fmax, src);
  printf("\n");
}

static void shape_str(int rank, const int64_t *d, char *buf, size_t n) { npy_shape_str(rank, d, buf, n); }

/* Top-5 of one output vector with softmax probabilities. */
static void print_top5(const float *y, int64_t n) {
  double mx = -INFINITY, sum = 0;
  for (int64_t i = 0; i < n; i++) mx = fmax(mx, y[i]);
  for (int64_t i = 0; i < n; i++) sum += exp(y[i] - mx);
  int used[5] = {-1, -1, -1, -1, -1};
  printf("  top-5:");
  for (int k = 0; k < 5 && k < n; k++) {
    int best = -1;
    for (int64_t i = 0; i < n; i++) {
      int taken = 0;
      for (int j = 0; j < k; j++) taken |= used[j] == i;
      if (!taken && (best < 0 || y[i] > y[best])) best = (int)i;
    }
    used[k] = best;
    printf("  %d (%.3f, p=%.3f)", best, y[best], exp(y[best] - mx) / sum);
  }
  printf("\n");
}

/* A JSON string literal of s (quotes, backslashes and control characters escaped). */
static void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
    else if (c < 0x20) fprintf(f, "\\u%04x", c);
    else fputc(c, f);
  }
  fputc('"', f);
}

/* A JSON object of DRAM traffic over cyc cycles: bytes read on each read port, written, and bytes
 * per cycle of each against its limit (a port: one beat a cycle each way; the DDR: every port
 * and direction together, ddr_lim 0 when the config has no figure). */
static void json_dram(FILE *f, uint64_t rd0, uint64_t rd1, uint64_t wr, uint64_t cyc, unsigned ports,
                      double port_lim, double ddr_lim) {
  double c = cyc ? (double)cyc : 1.0;
  fprintf(f, "{\"read_ports\": %u, \"port_limit_bytes_per_cycle\": %.1f, \"ddr_limit_bytes_per_cycle\": %.1f, "
          "\"port0_read_bytes\": %" PRIu64 ", \"port1_read_bytes\": %" PRIu64 ", \"written_bytes\": %" PRIu64 ", "
          "\"port0_read_bytes_per_cycle\": %.3f, \"port1_read_bytes_per_cycle\": %.3f, \"written_bytes_per_cycle\": %.3f, "
          "\"total_bytes_per_cycle\": %.3f, \"ddr_fraction\": %.4f}",
          ports, port_lim, ddr_lim, rd0, rd1, wr, rd0 / c, rd1 / c, wr / c, (rd0 + rd1 + wr) / c,
          ddr_lim > 0 ? (rd0 + rd1 + wr) / c / ddr_lim : 0.0);
}

static int write_stats(const char *path, rt_model *r, const char *backend, double wall, int n_inf) {
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  uint64_t peak = rt_peak_macs_per_cycle(r), macs = 0, pred = 0;
  for (int i = 0; i < rt_n_layers(r); i++) {
    rt_layer_stats s;
    rt_layer(r, i, &s);
    macs += s.macs * rt_runs(r);
    pred += s.predicted_cycles;
  }
  uint64_t cyc = rt_total_cycles(r);
  fprintf(f, "{\n  \"config\": ");
  json_str(f, rt_config_name(r));
  fprintf(f, ", \"backend\": ");
  json_str(f, backend);
  fprintf(f, ", \"inferences\": %d,\n", n_inf);
  fprintf(f, "  \"cycles\": %" PRIu64 ", \"cycles_per_inference\": %.1f, \"predicted_cycles_per_inference\": %" PRIu64 ",\n",
          cyc, n_inf ? (double)cyc / n_inf : 0.0, pred);
  fprintf(f, "  \"macs\": %" PRIu64 ", \"peak_macs_per_cycle\": %" PRIu64 ", \"utilization\": %.4f,\n", macs, peak,
          cyc ? (double)macs / ((double)cyc * peak) : 0.0);
  fprintf(f, "  \"cpu_steps\": %d, \"cpu_ms\": %.3f, \"wall_ms\": %.3f,\n", rt_n_cpu_steps(r), rt_cpu_ms(r), wall);
  /* DRAM traffic: bytes per cycle of each read port and of everything against the limits */
  unsigned ports;
  double port_lim, ddr_lim;
  rt_mem_limits(r, &ports, &port_lim, &ddr_lim);
  uint64_t rd0 = 0, rd1 = 0, wr = 0;
  for (int i = 0; i < rt_n_layers(r); i++) {
    uint64_t a, b, w;
    rt_layer_port_bytes(r, i, &a, &b);
    rt_layer_bytes(r, i, NULL, &w);
    rd0 += a, rd1 += b, wr += w;
  }
  fprintf(f, "  \"dram\": ");
  json_dram(f, rd0, rd1, wr, cyc, ports, port_lim, ddr_lim);
  fprintf(f, ",\n");
  /* the host's work per inference, apart from waiting for the device (runtime.h: rt_host_times) */
  rt_host_times ht;
  rt_host_times_get(r, &ht);
  double k = n_inf ? 1.0 / n_inf : 0.0;
  fprintf(f,
          "  \"host_per_inference_ms\": {\"quantize\": %.3f, \"unpack\": %.3f, \"transfer\": %.3f, \"cpu_steps\": %.3f,"
          " \"host_total\": %.3f, \"device_wait\": %.3f},\n  \"layers\": [\n",
          ht.quantize_ms * k, ht.unpack_ms * k, ht.transfer_ms * k, ht.cpu_steps_ms * k,
          (ht.quantize_ms + ht.unpack_ms + ht.transfer_ms + ht.cpu_steps_ms) * k, ht.device_ms * k);
  for (int i = 0; i < rt_n_layers(r); i++) {
    rt_layer_stats s;
    rt_layer(r, i, &s);
    uint64_t lm = s.macs * rt_runs(r);
    fprintf(f, "    {\"index\": %d, \"op\": ", i);
    json_str(f, s.op);
    fprintf(f, ", \"node\": ");
    json_str(f, s.node);
    fprintf(f, ", \"shape\": ");
    json_str(f, s.desc);
    fprintf(f,
            ", \"cycles\": %" PRIu64 ", \"predicted_cycles\": %" PRIu64 ", \"macs\": %" PRIu64
            ", \"device_macs\": %" PRIu64 ", \"utilization\": %.4f, \"device_ms\": %.3f, \"host_ms\": %.3f, \"dram\": ",
            s.cycles, s.predicted_cycles * rt_runs(r), lm, s.device_macs,
            s.cycles ? (double)lm / ((double)s.cycles * peak) : 0.0, s.device_ms, s.host_ms);
    uint64_t a, b, w;
    rt_layer_port_bytes(r, i, &a, &b);
    rt_layer_bytes(r, i, NULL, &w);
    json_dram(f, a, b, w, s.cycles, ports, port_lim, ddr_lim);
    fprintf(f, "}%s\n", i + 1 < rt_n_layers(r) ? "," : "");
  }
  fprintf(f, "  ]\n}\n");
  return fclose(f) == 0 ? 0 : -1;
}

/* Output o of the n_inf inferences (values ys): written to outp (output o > 0 to outp with
 * "_o" before its extension) with a leading N when the input was stacked (in place of the
 * output's leading 1 when the stack replaced the inputs' leading 1, stacked 2), else printed (top 5
 * of a classifier's vector, else min/max/mean). 0, or -1 with the error reported. */
static int put_output(const rt_model *r, int o, const float *ys, int64_t n_inf, int stacked, const char *outp) {
  char err[4096];
  int orank;
  const int64_t *od;
  const char *oname = rt_output(r, o, &orank, &od);
  int64_t shp[NPY_MAX_DIMS + 1];
  int nd = 0;
  /* a stack that replaced the inputs' leading 1 (their batch axis) replaces the output's too */
  int replace = stacked == 2 && orank > 0 && od[0] == 1;
  if (stacked) shp[nd++] = n_inf;
  for (int d = replace; d < orank && nd < NPY_MAX_DIMS; d++) shp[nd++] = od[d];
  if (outp) {
    char path[1024];
    if (o == 0) snprintf(path, sizeof path, "%s", outp);
    else {
      const char *dot = strrchr(outp, '.');
      int base = dot ? (int)(dot - outp) : (int)strlen(outp);
      snprintf(path, sizeof path, "%.*s_%d%s", base, outp, o, dot ? dot : "");
    }
    if (npy_write_f32(path, ys, nd, shp, err, sizeof err) != 0) {
      cli_error("run", "%s", err);
      return -1;
    }
  } else {
    char s[128];
    npy_shape_str(nd, shp, s, sizeof s);
    int64_t on = rt_output_numel(r, o);
    /* a classifier's output: one axis holds every value ([K], [1, K], [1, 1, K], ...) */
    int vec = 0;
    for (int d = 0; d < orank; d++) vec += od[d] > 1;
    printf("output '%s' %s\n", oname, s);
    for (int64_t k = 0; k < n_inf && k < 8; k++) {
      const float *v = ys + k * on;
      if (n_inf > 1) printf(" [%lld]", (long long)k);
      if (on > 1 && vec == 1) {
        print_top5(v, on);
      } else {
        double mn = INFINITY, mx = -INFINITY, sum = 0;
        for (int64_t i = 0; i < on; i++) mn = fmin(mn, v[i]), mx = fmax(mx, v[i]), sum += v[i];
        printf("  min %g, max %g, mean %g\n", mn, mx, sum / (double)on);
      }
    }
    if (n_inf > 8) printf("  ... (%lld more)\n", (long long)(n_inf - 8));
  }
  return 0;
}

#define MAX_INPUTS 16

/* How many inferences input i's array a holds: 1 for the model's shape, N for a leading N over
 * it (*stacked 1) or replacing its leading 1 (*stacked 2: the model's batch axis, which the
 * outputs' leading 1 then gives up too); 0 after printing a mismatch. */
static int64_t count_inferences(const rt_model *r, int i, const npy_array *a, const char *path, int *stacked) {
  int rank;
  const int64_t *dims;
  const char *iname = rt_input(r, i, &rank, &dims);
  int64_t n_inf = 0;
  int skip1 = rank > 0 && dims[0] == 1;
  if (a->ndim == rank && !memcmp(a->shape, dims, (size_t)rank * sizeof *dims)) n_inf = 1;
  else if (a->ndim == rank + 1 && !memcmp(a->shape + 1, dims, (size_t)rank * sizeof *dims)) n_inf = a->shape[0], *stacked = 1;
  else if (skip1 && a->ndim == rank && !memcmp(a->shape + 1, dims + 1, (size_t)(rank - 1) * sizeof *dims))
    n_inf = a->shape[0], *stacked = 2;
  if (*stacked && n_inf == 0) {
    cli_error("run", "%s: zero samples (a stack of 0 inputs '%s')", path, iname);
    return 0;
  }
  if (n_inf < 1) {
    char got[128], want[128];
    npy_shape_str(a->ndim, a->shape, got, sizeof got);
    shape_str(rank, dims, want, sizeof want);
    cli_error("run", "%s: input shape mismatch: expected %s (input '%s') or (N, ...) over it, got %s", path, want, iname,
              got);
  }
  return n_inf;
}

/* The run's summary line (cycles, utilization, CPU steps, wall time) and its latency lines. */
static void print_summary(rt_model *r, const char *backend, int64_t n_inf, double wall) {
  uint64_t cyc = rt_total_cycles(r), peak = rt_peak_macs_per_cycle(r), macs = 0;
  for (int i = 0; i < rt_n_layers(r); i++) {
    rt_layer_stats s;
    rt_layer(r, i, &s);
    macs += s.macs * rt_runs(r);
  }
  printf("%s on %s: %lld inference(s), %.0f accelerator cycles each (%d layers), utilization %.1f %%, "
         "%d CPU steps, wall %.1f ms\n",
         rt_config_name(r), backend, (long long)n_inf, (double)cyc / (double)n_inf, rt_n_layers(r),
         cyc ? 100.0 * (double)macs / ((double)cyc * peak) : 0.0, rt_n_cpu_steps(r), wall);
  print_latency(r, backend, n_inf ? (double)cyc / (double)n_inf : 0.0);
}

/* `dlvta run MODEL.dlvta` without --input: the package's inputs (shape, the values they take)
 * and outputs, after the usage. */
static void print_io(const char *pkgp) {
  char err[2048], shp[128];
  rt_model *r = NULL;
  if (rt_load(pkgp, &r, err, sizeof err) != RT_OK) {
    cli_error("run", "%s", err);
    return;
  }
  for (int k = 0; k < 2; k++) {
    int n = k ? rt_n_outputs(r) : rt_n_inputs(r);
    fprintf(stderr, "%s %s:", pkgp, k ? "outputs" : "inputs");
    for (int i = 0; i < n; i++) {
      int rank;
      const int64_t *dims;
      const char *name = k ? rt_output(r, i, &rank, &dims) : rt_input(r, i, &rank, &dims);
      npy_shape_str(rank, dims, shp, sizeof shp);
      fprintf(stderr, "%s '%s' %s %s", i ? "," : "", name, shp, k ? "float32" : rt_input_dtype(r, i));
    }
    fprintf(stderr, "\n");
  }
  rt_free(r);
}

int cmd_run(int argc, char **argv) {
  const char *pkgp = NULL, *outp = NULL, *backend = "fsim", *stats = NULL, *opts = NULL;
  const char *inargs[MAX_INPUTS];
  int ninargs = 0;
  int strict = 0; /* --strict: NaN / infinite input values are an error, not a warning */
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--input") && i + 1 < argc) {
      if (ninargs == MAX_INPUTS) {
        cli_error("run", "--input given more than %d times", MAX_INPUTS);
        return 2;
      }
      inargs[ninargs++] = argv[++i];
    } else if (!strcmp(argv[i], "--output") && i + 1 < argc) outp = argv[++i];
    else if (!strcmp(argv[i], "--backend") && i + 1 < argc) backend = argv[++i];
    else if (!strcmp(argv[i], "--options") && i + 1 < argc) opts = argv[++i];
    else if (!strcmp(argv[i], "--stats") && i + 1 < argc) stats = argv[++i];
    else if (!strcmp(argv[i], "--strict")) strict = 1;
    else if (argv[i][0] == '-' || pkgp) {
      cli_error("run", "unexpected argument '%s'\n%s", argv[i], USAGE);
      return 2;
    } else pkgp = argv[i];
  }
  if (!pkgp || !ninargs) {
    fprintf(stderr, USAGE);
    if (pkgp) print_io(pkgp);
    return 2;
  }
  char err[4096];
  rt_model *r = NULL;
  if (rt_load(pkgp, &r, err, sizeof err) != RT_OK) {
    cli_error("run", "%s", err);
    return 1;
  }
  rt_set_strict(r, strict);
  int ret = 1, nin = rt_n_inputs(r);
  npy_array a[MAX_INPUTS];
  float *x[MAX_INPUTS] = {0}, **ys = NULL;
  const char *names[MAX_INPUTS], *paths[MAX_INPUTS];
  memset(a, 0, sizeof a);
  int64_t numel[MAX_INPUTS], n_inf = 0;
  int stacked = 0;
  if (nin > MAX_INPUTS) {
    cli_error("run", "%s: the model has %d inputs; dlvta run feeds at most %d", pkgp, nin, MAX_INPUTS);
    goto done;
  }
  for (int i = 0; i < nin; i++) names[i] = rt_input(r, i, NULL, NULL);
  if (cli_bind_inputs("run", "--input", inargs, ninargs, names, nin, paths)) goto done;
  for (int i = 0; i < nin; i++) {
    if (npy_read(paths[i], &a[i], err, sizeof err) != 0) {
      cli_error("run", "%s", err);
      goto done;
    }
    int st = 0;
    int64_t k = count_inferences(r, i, &a[i], paths[i], &st);
    if (k < 1) goto done;
    if (i > 0 && k != n_inf) {
      cli_error("run", "%s: %lld inference(s) for input '%s', but %lld for input '%s'", paths[i], (long long)k, names[i],
                (long long)n_inf, names[0]);
      goto done;
    }
    n_inf = k, stacked |= st;
    numel[i] = rt_input_numel(r, i);
    if (!(x[i] = npy_to_f32(&a[i]))) {
      cli_error("run", "out of memory");
      goto done;
    }
  }

  int nout = rt_n_outputs(r);
  ys = calloc((size_t)nout, sizeof *ys);
  if (!ys) {
    cli_error("run", "out of memory");
    goto done;
  }
  for (int o = 0; o < nout; o++)
    if (!(ys[o] = malloc((size_t)(rt_output_numel(r, o) * n_inf) * sizeof(float)))) {
      cli_error("run", "out of memory");
      goto done;
    }
  if (rt_open(r, backend, opts, err, sizeof err) != RT_OK) {
    cli_error("run", "%s", err);
    goto done;
  }
  double t0 = wall_ms();
  for (int64_t k = 0; k < n_inf; k++) {
    const float *ins[MAX_INPUTS];
    for (int i = 0; i < nin; i++) ins[i] = x[i] + k * numel[i];
    float *outs[64];
    for (int o = 0; o < nout && o < 64; o++) outs[o] = ys[o] + k * rt_output_numel(r, o);
    if (rt_run(r, ins, outs, err, sizeof err) != RT_OK) {
      cli_error("run", "%s: inference %lld: %s", pkgp, (long long)k, err);
      goto done;
    }
  }
  double wall = wall_ms() - t0;
  for (int i = 0; i < nin; i++)
    if (rt_input_nonfinite(r, i))
      fprintf(stderr, "dlvta run: warning: input '%s': %llu NaN or infinite values (quantized to the int8 bounds; "
              "--strict refuses them)\n", names[i], (unsigned long long)rt_input_nonfinite(r, i));
  for (int o = 0; o < nout; o++)
    if (put_output(r, o, ys[o], n_inf, stacked, outp)) goto done;
  print_summary(r, backend, n_inf, wall);
  if (stats && write_stats(stats, r, backend, wall, (int)n_inf) != 0) {
    cli_error("run", "--stats %s: cannot write the statistics: %s", stats, strerror(errno));
    goto done;
  }
  ret = 0;
done:
  if (ys)
    for (int o = 0; o < rt_n_outputs(r); o++) free(ys[o]);
  free(ys);
  for (int i = 0; i < MAX_INPUTS; i++) free(x[i]), npy_free(&a[i]);
  rt_free(r);
  return ret;
}
