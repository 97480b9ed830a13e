/* cli/dse.h -- the models behind `dlvta dse` (dse_model.c): the boards, the resources of a
 * config (DSPs and block RAM from the RTL's structure, LUTs and FFs fitted to `make synth`
 * results) and its clock (from `make timing`). The method and its errors: hw/DSE.md. */
#ifndef DLVTA_DSE_H
#define DLVTA_DSE_H

#include "isa.h"

typedef struct dse_board {
  const char *name;        /* "pynq", "ultra96" */
  const char *family;      /* yosys synth_xilinx -family: xc7, xcup */
  const char *part;
  const char *base_config; /* built-in config whose keys the candidates start from */
  double lut, ff, dsp, bram; /* device capacity (LUT, FF, DSP slices, BRAM36) */
  unsigned axi_max;        /* widest AXI port the board's DDR path offers */
} dse_board;

const dse_board *dse_board_find(const char *name);
const char *dse_board_names(void);

typedef struct dse_res {
  double lut, ff, dsp, bram; /* LUTs (logic + memory + SRL), flip-flops, DSP slices, BRAM36 */
} dse_res;

/* Predicted resources of config d (for the family's cells: xc7 and xcup map alike in yosys 0.23). */
void dse_resources(const isa_derived *d, dse_res *out);
/* The BRAM36 of one buffer of depth x width bits as yosys maps it (0 for LUT RAM). */
double dse_buffer_bram(unsigned depth, unsigned width_bits);
/* Estimated fmax of config d on board b, MHz. */
double dse_fmax(const isa_derived *d, const dse_board *b);

/* The calibration points (`make synth` results) and the fit's error. */
typedef struct dse_point {
  const char *name, *source;   /* config name; where the numbers come from */
  isa_derived keys;
  dse_res meas;
} dse_point;
int dse_points(const dse_point **out);
/* Leave-one-out error of the LUT and FF fits and the error of the DSP and BRAM models on every
 * point, printed as a table. */
void dse_print_model_error(FILE *f);

#endif
