/* tests/fuzz/fuzz_compile.c -- the whole compiler (compiler/compile.h) on arbitrary bytes as an
 * ONNX model, for the tiny config with synthetic calibration: an error with a message or a
 * model, never a crash. The seeds are the onnx harness's models, so mutations reach the passes
 * (lift-1d, convt-to-conv, float-outputs, ...), the partition and the back end. */
#include <stdio.h>

#include "compile.h"
#include "fuzz.h"
#include "onnx_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ir_graph *g = NULL;
  char err[2048];
  if (onnx_import_buffer(data, size, "fuzz.onnx", NULL, NULL, &g, err, sizeof err) != IR_OK) return 0;
  cc_options o = {.config = "tiny"};
  cc_model *m = NULL;
  if (cc_compile_graph(g, "fuzz.onnx", &o, &m, err, sizeof err) == IR_OK) cc_model_free(m);
  return 0;
}
