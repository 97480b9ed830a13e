/* ref/ref_internal.h -- kernels shared between the reference executor's files (ref.c:
 * graph walk, elementwise and data movement; ref_nn.c: conv, gemm, matmul, pooling, quantized
 * ops). Not part of the public contract (ref.h). Each kernel gets the node, its inputs (NULL if
 * omitted) and outputs already allocated with inferred types, and returns IR_OK, IR_ERR or
 * IR_UNSUPPORTED with a message naming the node. */
#ifndef DLVTA_REF_INTERNAL_H
#define DLVTA_REF_INTERNAL_H

#include "ref.h"

typedef struct ref_call {
  const ir_graph *g;
  const ir_node *n;
  const ir_value *const *in; /* [n->n_in], NULL for omitted */
  ir_value *out;             /* [n->n_out], allocated */
  char *err;
  size_t errlen;
} ref_call;

int ref_conv(ref_call *c);          /* Conv and dlvta.FusedConv */
int ref_qlinear_conv(ref_call *c);
int ref_gemm(ref_call *c);
int ref_matmul(ref_call *c);
int ref_qlinear_matmul(ref_call *c);
int ref_pool(ref_call *c);          /* MaxPool, AveragePool */
int ref_global_pool(ref_call *c);   /* GlobalAveragePool, GlobalMaxPool */

#endif
