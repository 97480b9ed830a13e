/* compiler/onnx_import.h -- ONNX model and tensor import (protobuf-c on ONNX's own onnx.proto)
 * into the graph IR. Errors name the file and, where there is one, the node (name and op type);
 * nothing here exits or aborts on bad input. */
#ifndef DLVTA_ONNX_IMPORT_H
#define DLVTA_ONNX_IMPORT_H

#include <stddef.h>

#include "ir.h"

#define ONNX_MIN_OPSET 1 /* default-domain opsets dlvta supports */
#define ONNX_MAX_OPSET IR_MAX_OPSET

typedef struct onnx_import_opts {
  /* Accept any default-domain opset, not just ONNX_MIN_OPSET..ONNX_MAX_OPSET. For test data
   * whose operators kept their semantics across versions (e.g. the ONNX node tests written at
   * opset 10 for QLinearConv); ops still read g->opset for version-dependent behaviour. */
  int any_opset;
} onnx_import_opts;

/* Import the ONNX model at path. On success *out is a new graph (caller frees it with
 * ir_graph_free) in topological order, with initializers as constants and graph inputs/outputs
 * typed from the model (symbolic extents -1 with their dim_param). Returns IR_OK, IR_ERR
 * (unreadable, truncated or corrupt file, undefined tensor, bad attribute type, ...) or
 * IR_UNSUPPORTED (opset out of range, unsupported dtype, external/sparse forms we do not read);
 * err then holds "path: [node 'name' (Op): ]message". */
int onnx_import(const char *path, ir_graph **out, char *err, size_t errlen);
int onnx_import_ex(const char *path, const onnx_import_opts *o, ir_graph **out, char *err, size_t errlen);

/* Import from memory; name is used in messages, base_dir (may be NULL) resolves external data. */
int onnx_import_buffer(const void *buf, size_t len, const char *name, const char *base_dir,
                       const onnx_import_opts *o, ir_graph **out, char *err, size_t errlen);

/* Read a serialized TensorProto (e.g. the node tests' input_0.pb) into v (data malloc'ed; free
 * with ir_value_free). The tensor's name goes to name[namelen] if name is not NULL. */
int onnx_read_tensor(const char *path, ir_value *v, char *name, size_t namelen, char *err, size_t errlen);

#endif
