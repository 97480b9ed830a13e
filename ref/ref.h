/* ref/ref.h -- the float reference executor: runs an IR graph, or one node, in plain C
 * (float32 for float ops; exact integer arithmetic for the quantized ops). Used for constant
 * folding, calibration, CPU fallback and layer-by-layer comparisons. Returns status codes with
 * messages naming the node; never exits. */
#ifndef DLVTA_REF_H
#define DLVTA_REF_H

#include <stddef.h>

#include "ir.h"

/* Called after each node ran: outs[0..n->n_out) are its outputs (NULL entries for omitted ones);
 * valid only during the call. Return non-zero to stop the run (ref_run then returns IR_ERR). */
typedef int (*ref_node_fn)(void *ctx, const ir_graph *g, int node_index, const ir_value *const *outs);

/* A caller's float GEMM (ref_opts.sgemm): C[M][ldc] = A[M][lda] * op(B), op(B) = B[K][ldb], or
 * with tb the transpose of B[N][ldb]; row-major, C overwritten. */
typedef void (*ref_sgemm_fn)(int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C,
                             int ldc);

typedef struct ref_opts {
  ref_node_fn on_node; /* optional per-node callback (calibration, layer comparisons) */
  void *ctx;
  int threads;         /* threads of one large GEMM: 0 = the online CPUs (at most 4), 1 = the caller's
                        * alone (a caller running several graphs at once) */
  ref_sgemm_fn sgemm;  /* optional: the float products of Conv, Gemm and MatMul by the caller's GEMM (the
                        * compiler's calibration: a tuned BLAS); their bits are then that GEMM's (they may
                        * differ from ref's own kernels in the last bits, and with the batch's shape), and
                        * threads is not used for them. NULL: ref's own kernels */
} ref_opts;

/* Run g on inputs[0..n_inputs) (in the order of g->inputs, types must match the declared
 * dtype and known extents). On IR_OK outputs[0..g->n_outputs) hold new values the caller frees
 * with ir_value_free. o may be NULL. Intermediate values are freed after their last use. */
int ref_run(const ir_graph *g, const ir_value *inputs, int n_inputs, ir_value *outputs, const ref_opts *o,
            char *err, size_t errlen);

/* Run node n of g on in[0..n->n_in) (NULL for omitted optional inputs); allocates out[0..n_out)
 * (entries for omitted outputs, index -1, are still allocated). IR_OK, IR_ERR or IR_UNSUPPORTED;
 * on failure no output is left allocated. */
int ref_run_node(const ir_graph *g, const ir_node *n, const ir_value *const *in, ir_value *out, char *err,
                 size_t errlen);

/* Called after node node_index ran over a batch of nb samples (ref_run_batch): outs[s * n->n_out + k]
 * is output k of sample s (NULL for omitted outputs); valid only during the call. Return non-zero
 * to stop the run. */
typedef int (*ref_batch_fn)(void *ctx, const ir_graph *g, int node_index, int nb, const ir_value *const *outs);

/* ref_run over nb samples at once, node by node: inputs[s * n_inputs + i] is input i of sample s;
 * on IR_OK outputs[s * g->n_outputs + k] (when outputs is not NULL) holds output k of sample s.
 * Every sample's values are the bits ref_run gives it alone (with ref's own kernels: not with a
 * caller's o->sgemm, whose bits may depend on the batch's shape); a Gemm or a 1x1 Conv whose weights
 * the samples share runs as one product over the batch (its weights read once, not nb times).
 * on_batch (may be NULL) is called after each node with ctx; o->on_node is not used. */
int ref_run_batch(const ir_graph *g, const ir_value *inputs, int n_inputs, int nb, ir_value *outputs,
                  const ref_opts *o, ref_batch_fn on_batch, void *ctx, char *err, size_t errlen);

/* C[M][ldc] (=|+=) A[M][lda] * B[K][ldb], row-major float; accumulate selects +=. */
void ref_sgemm(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc,
               int accumulate);

#endif
