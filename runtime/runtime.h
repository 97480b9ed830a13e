/* runtime/runtime.h -- the dlvta runtime: loads a package (model/package.h), opens a device
 * backend, places the image on it once and runs the execution plan per inference: inputs
 * quantized and packed, accelerator layers run one program each on the device, CPU steps
 * through the reference executor, outputs unpacked and dequantized. Per-layer counters
 * accumulate over runs. Every call returns RT_OK or a negative RT_E_* with a message in err;
 * nothing here exits or aborts on bad input.
 */
#ifndef DLVTA_RUNTIME_H
#define DLVTA_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

enum rt_status {
  RT_OK = 0,
  RT_E_ARG = -1,     /* bad argument (shape, index) */
  RT_E_PACKAGE = -2, /* unreadable, corrupt or mismatched package */
  RT_E_DEVICE = -3,  /* the backend failed to open, allocate or run */
  RT_E_CPU = -4,     /* a CPU fallback step failed */
  RT_E_NOMEM = -5,
};

typedef struct rt_model rt_model;

typedef struct rt_layer_stats {
  const char *op;            /* ONNX op (Conv, Gemm, MaxPool, Add, ...) */
  const char *node;          /* ONNX node name */
  const char *desc;          /* shape, e.g. "conv 64x56x56 -> 64x56x56 k3x3 s1" */
  uint64_t macs;             /* useful MACs per inference */
  uint64_t predicted_cycles; /* the compiler's prediction per inference */
  uint64_t cycles;           /* accelerator cycles counted by the backend, summed over runs */
  uint64_t device_macs;      /* MACs the device counted (incl. padded lanes), summed */
  double device_ms;          /* wall time waiting in the device call (drv_run), summed: the
                                simulator's own time on fsim / verilator, the accelerator's on a board */
  double host_ms;            /* host time of the layer's step besides that (counters), summed */
} rt_layer_stats;

/* Where the host's time goes, summed over runs (rt_host_times): the work a board's CPU does
 * around the accelerator, apart from the time spent waiting for it (device_ms). There is no
 * host-side im2col: the accelerator's loads pad and walk the feature maps themselves. */
typedef struct rt_host_times {
  double quantize_ms;  /* float -> int8 of the accelerator's inputs and packing into its layout */
  double unpack_ms;    /* unpacking the accelerator's outputs and dequantizing them to float */
  double transfer_ms;  /* drv_write / drv_read of those tensors (copies, cache maintenance) */
  double cpu_steps_ms; /* graph nodes run on the CPU by the reference executor */
  double device_ms;    /* in drv_run: the simulator's time on fsim / verilator, the device's on a board */
} rt_host_times;

/* Load and validate a package. */
int rt_load(const char *path, rt_model **out, char *err, size_t errlen);
void rt_free(rt_model *m);

/* Open backend ("fsim", "verilator", ...; options as drv_open) for the package's config,
 * place the image and the programs. Must precede rt_run. */
int rt_open(rt_model *m, const char *backend, const char *options, char *err, size_t errlen);

const char *rt_config_name(const rt_model *m);
const char *rt_calibration(const rt_model *m);
int rt_n_inputs(const rt_model *m);
int rt_n_outputs(const rt_model *m);
/* Name, rank and extents (dims[0..rank)) of input / output i; NULL name for a bad index. */
const char *rt_input(const rt_model *m, int i, int *rank, const int64_t **dims);
const char *rt_output(const rt_model *m, int i, int *rank, const int64_t **dims);
int64_t rt_input_numel(const rt_model *m, int i);
/* The values input i takes: "float32", or the integer type ("uint8": an image of 0..255) of an
 * input the model declares so and only casts to float, given as float32 or that type (rt_run
 * refuses values that are no integers of it); NULL for a bad index. */
const char *rt_input_dtype(const rt_model *m, int i);
int64_t rt_output_numel(const rt_model *m, int i);

/* One inference: inputs[i] holds rt_input_numel(i) floats, outputs[i] receives
 * rt_output_numel(i) floats. */
int rt_run(rt_model *m, const float *const *inputs, float *const *outputs, char *err, size_t errlen);

/* NaN and infinite input values: rt_run counts them per input (rt_input_nonfinite: the sum over
 * runs; they quantize to the int8 bounds, NaN to 127, so the outputs mean little); with
 * rt_set_strict(m, 1) rt_run refuses such an input with RT_E_ARG naming it and the count. */
void rt_set_strict(rt_model *m, int strict);
uint64_t rt_input_nonfinite(const rt_model *m, int i);

/* Counters since rt_open: inferences run, per-layer statistics (layer < rt_n_layers), total
 * accelerator cycles and wall time spent in CPU steps and in quantize/pack/unpack. */
int rt_n_layers(const rt_model *m);
int rt_layer(const rt_model *m, int layer, rt_layer_stats *out);
uint64_t rt_runs(const rt_model *m);
uint64_t rt_total_cycles(const rt_model *m);
double rt_cpu_ms(const rt_model *m);
void rt_host_times_get(const rt_model *m, rt_host_times *out);
int rt_n_cpu_steps(const rt_model *m);
/* Peak MACs per accelerator cycle of the config (BATCH x BLOCK_IN x BLOCK_OUT). */
uint64_t rt_peak_macs_per_cycle(const rt_model *m);

/* ---- inspection: layer-by-layer comparison (dlvta compare) and timelines (dlvta profile) ---- */
/* The plan's step kinds (model/package.h's CC_STEP_*). */
enum rt_step_kind { RT_STEP_QUANT = 1, RT_STEP_DEQUANT = 2, RT_STEP_ACCEL = 3, RT_STEP_CPU = 4 };
/* Called by rt_run before (after = 0) and after (after = 1) each plan step: step index, kind
 * and operands (a, b as model/package.h's plan table). Return non-zero to stop the inference
 * (rt_run then fails with RT_E_ARG "stopped"). */
typedef int (*rt_step_fn)(void *ctx, rt_model *m, int step, int kind, int a, int b, int after);
/* Install (or with NULL remove) the step hook. */
void rt_set_step_hook(rt_model *m, rt_step_fn fn, void *ctx);
int rt_n_steps(const rt_model *m);
/* Per-instruction events of the device (dlvta_dev.h's drv_insn_event), instruction indices
 * relative to the running layer's program, cycles from the start of its drv_run. After rt_open.
 * RT_OK, or RT_E_DEVICE when the backend has no per-instruction view (only fsim has). */
struct drv_insn_event;
typedef void (*rt_trace_fn)(void *ctx, const struct drv_insn_event *e);
int rt_set_trace(rt_model *m, rt_trace_fn fn, void *ctx, char *err, size_t errlen);
/* Inside a step hook: the float value of runtime-graph tensor t (its element count in *numel),
 * or NULL when it has none at this point. */
const float *rt_value(const rt_model *m, int t, int64_t *numel);
/* Accelerator tensor t as the device holds it now, unpacked to int8 [c][h][w] (chw has c*h*w
 * bytes). Not for host-packed im2col tensors (RT_E_ARG). After rt_open. */
int rt_acc_read(rt_model *m, int t, int8_t *chw, char *err, size_t errlen);
/* The device's whole image as it is now (image bytes of the package) into dst. */
int rt_image_read(rt_model *m, uint8_t *dst, uint64_t bytes, char *err, size_t errlen);
/* DRAM bytes layer l's runs read (instruction fetch included) and wrote, summed over runs. */
int rt_layer_bytes(const rt_model *m, int layer, uint64_t *read, uint64_t *written);
/* Of what layer l's runs read, the bytes of the first read port (m_axi_, with instruction
 * fetch) and of the second (m1_axi_: the split weight bursts; 0 with one read port). */
int rt_layer_port_bytes(const rt_model *m, int layer, uint64_t *port0, uint64_t *port1);
/* The memory side's limits of the package's config: read ports, bytes a cycle each port (one AXI
 * beat), and the DDR's bytes a cycle over every port and direction (0: no figure). */
void rt_mem_limits(const rt_model *m, unsigned *ports, double *port_bytes, double *ddr_bytes);
/* What the device is: the backend's one-line description (drv_describe), or NULL before rt_open. */
const char *rt_device(const rt_model *m);

#endif
