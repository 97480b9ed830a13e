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

/* ir_value_alloc without zeroing, for an output its kernel writes in full (ref.c). */
int ref_alloc_uninit(ir_value *v, const ir_type *t);
/* Row-major strides of t in elements (ref.c). */
void ref_strides(const ir_type *t, int64_t *st);
/* Strides of an input of type in broadcast to out's rank, 0 on broadcast axes (ref.c). */
void ref_bcast_strides(const ir_type *in, const ir_type *out, int64_t *st);
/* Element i of an integer (or bool) array of dtype dt as int64; 0 for other dtypes. */
int64_t ref_load_int(ir_dtype dt, const void *d, int64_t i);
/* Store x at element i of an integer (or bool) array, wrapping as numpy casts. */
void ref_store_int(ir_dtype dt, void *d, int64_t i, int64_t x);

/* The cubic convolution weights (coefficient a, ONNX's -0.75 by default) of the four taps
 * floor(x) - 1 .. floor(x) + 2 of a coordinate x, t = x - floor(x) (ref_ops.c: Resize, GridSample). */
void ref_cubic_weights(double t, double a, double *w);
/* t[cols][rows] := a[rows][cols] transposed, in cache-sized tiles (ref_nn.c). */
void ref_transpose(float *t, const float *a, int64_t rows, int64_t cols);
/* Threads of one large GEMM on this thread's ref_run (ref_opts.threads; 0: the online CPUs). */
extern _Thread_local int ref_gemm_threads;
/* The caller's GEMM of this thread's run (ref_opts.sgemm), or NULL. */
extern _Thread_local ref_sgemm_fn ref_gemm_fn;

/* Node n over nb samples as one product when its weights are shared (ref_nn.c: a float Gemm, or
 * a 1x1 stride-1 Conv, whose weights, bias and shapes are the same for every sample): in[s *
 * n->n_in + j] is input j of sample s, out[s * n->n_out + k] receives output k, the same bits as
 * ref_run_node per sample. -1 when n is not such a node (nothing done), else IR_OK or an error
 * (no output left allocated). */
int ref_batch_node(const ir_graph *g, const ir_node *n, int nb, const ir_value *const *in, ir_value *out, char *err,
                   size_t errlen);

int ref_conv(ref_call *c);          /* Conv and dlvta.FusedConv */
int ref_conv_transpose(ref_call *c); /* ConvTranspose */
int ref_qlinear_conv(ref_call *c);     /* and ConvInteger */
int ref_gemm(ref_call *c);
int ref_matmul(ref_call *c);
int ref_qlinear_matmul(ref_call *c);   /* and MatMulInteger */
int ref_dynamic_quantize(ref_call *c); /* DynamicQuantizeLinear */
int ref_pool(ref_call *c);          /* MaxPool, AveragePool */
int ref_global_pool(ref_call *c);   /* GlobalAveragePool, GlobalMaxPool */
/* ref_ops.c */
int ref_unary_math(ref_call *c);    /* Tanh, Erf, Exp, ..., HardSwish, Gelu, dlvta.Silu */
int ref_pow_minmax(ref_call *c);    /* Pow, Min, Max */
int ref_compare(ref_call *c);       /* Equal, Less, Greater, Not */
int ref_where_expand(ref_call *c);  /* Where, Expand */
int ref_shape_size(ref_call *c);    /* Shape, Size */
int ref_gather(ref_call *c);
int ref_scatter_nd(ref_call *c);
int ref_slice(ref_call *c);
int ref_split(ref_call *c);
int ref_tile(ref_call *c);
int ref_resize(ref_call *c);        /* Resize, mode "nearest" */
int ref_range(ref_call *c);
int ref_reduce(ref_call *c);        /* ReduceMean, ReduceSum, ReduceMax, ReduceMin, ReduceL1/L2/SumSquare/LogSumExp/Prod */
int ref_layernorm(ref_call *c);     /* LayerNormalization */
/* ref_norm.c */
int ref_argminmax(ref_call *c);     /* ArgMax, ArgMin */
int ref_instance_norm(ref_call *c); /* InstanceNormalization */
int ref_lp_norm(ref_call *c);       /* LpNormalization */
int ref_group_norm(ref_call *c);    /* GroupNormalization */
int ref_rms_norm(ref_call *c);      /* RMSNormalization */
int ref_lrn(ref_call *c);           /* LRN */
int ref_depth_space(ref_call *c);   /* DepthToSpace, SpaceToDepth */
int ref_interleave(ref_call *c);    /* dlvta.Interleave */

/* ref_index.c */
int ref_isnan_inf(ref_call *c);     /* IsNaN, IsInf */
int ref_mvn(ref_call *c);           /* MeanVarianceNormalization */
int ref_hardmax(ref_call *c);       /* Hardmax */
int ref_trilu(ref_call *c);         /* Trilu */
int ref_cumsum(ref_call *c);        /* CumSum */
int ref_elements(ref_call *c);      /* GatherElements, ScatterElements, Scatter */
int ref_gather_nd(ref_call *c);     /* GatherND */
int ref_topk(ref_call *c);          /* TopK */
int ref_eyelike(ref_call *c);       /* EyeLike */
int ref_onehot(ref_call *c);        /* OneHot */
int ref_einsum(ref_call *c);        /* Einsum */
/* ref_sample.c */
int ref_grid_sample(ref_call *c);   /* GridSample */
int ref_max_unpool(ref_call *c);    /* MaxUnpool */
/* ref_rnn.c */
int ref_rnn(ref_call *c);           /* RNN, GRU, LSTM */

/* The sums in double of nr (<= REF_ROWS) contiguous rows of len floats, each in element order:
 * of the values or, with center, of their squared deviations from center[r] (Softmax's
 * denominators, LayerNorm's mean and variance). REF_ROWS rows go side by side (that many
 * independent chains of additions in flight rather than one); each row's sum is the one it alone
 * would give. Inline, so that a call's center (NULL or an array) leaves no test in its loops. */
#define REF_ROWS 4
static inline void ref_row_sums(const float *p, int nr, int64_t len, const double *center, double *sum) {
  for (int r = 0; r < nr; r++) sum[r] = 0;
  if (nr == REF_ROWS)
    for (int64_t k = 0; k < len; k++)
      for (int r = 0; r < REF_ROWS; r++) {
        double v = center ? p[r * len + k] - center[r] : p[r * len + k];
        sum[r] += center ? v * v : v;
      }
  else
    for (int r = 0; r < nr; r++)
      for (int64_t k = 0; k < len; k++) {
        double v = center ? p[r * len + k] - center[r] : p[r * len + k];
        sum[r] += center ? v * v : v;
      }
}

#endif
