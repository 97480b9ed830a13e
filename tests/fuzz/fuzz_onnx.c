/* tests/fuzz/fuzz_onnx.c -- ONNX import (compiler/onnx_import.h) of arbitrary bytes: an error
 * with a message or a graph, never a crash, and memory bounded by what the bytes hold. */
#include <stdio.h>

#include "fuzz.h"
#include "onnx_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ir_graph *g = NULL;
  char err[1024];
  if (onnx_import_buffer(data, size, "fuzz.onnx", NULL, NULL, &g, err, sizeof err) == IR_OK) ir_graph_free(g);
  return 0;
}
