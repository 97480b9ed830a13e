/* compiler/backend/cg_int.h -- the back end's internals shared by its files: the network's
 * storage, the instruction builder (cg_gen: program, image constants, micro-op cache), the
 * per-step instruction lists that layer schedulers fill, and the cycle model. Not public. */
#ifndef DLVTA_CG_INT_H
#define DLVTA_CG_INT_H

#include <stdint.h>

#include "cg.h"
#include "isa.h"

/* Always-on invariant check of the back end: records file:line and returns CG_E_INTERNAL. */
#define CG_CHECK(g, cond)                                                            \
  do {                                                                               \
    if (!(cond)) return cg_fail((g), CG_E_INTERNAL, "%s:%d: invariant failed: %s", \
                                __FILE__, __LINE__, #cond);                          \
  } while (0)

typedef struct cg_tensor {
  int c, h, w;          /* stored channels, rows, columns (im2col: c*kh*kw, oh, ow) */
  int im2col;           /* 1: host-packed im2col input of a conv (cg_net_tensor_im2col) */
  int lc, lh, lw;       /* logical shape (the CHW tensor the runtime packs) */
  cg_conv geo;          /* im2col: the conv geometry it was packed for (kh..pads) */
  int cb;               /* ceil(c / BLOCK) channel blocks */
  uint64_t off, bytes;  /* byte offset in the image, size in bytes (a view: its first block's
                         * offset, 0 bytes) */
  uint64_t *blk;        /* a view (cg_net_tensor_view): byte offset of each of its cb blocks;
                         * NULL: the blocks follow each other from off */
  int base;             /* a view: the arena tensor holding its first block */
  int *vsrc;            /* a view: [2 * cb] block q is block vsrc[cb + q] of arena tensor
                         * vsrc[q] (views of views resolved); NULL for an arena tensor */
} cg_tensor;

/* Views have ids CG_VIEW0 + k (arena tensors 0..nt-1, in the model's tensor order). */
#define CG_VIEW0 (1 << 24)

typedef struct cg_layer {
  int kind;             /* enum cg_layer_kind */
  cg_conv conv;         /* CG_LAYER_CONV; its arrays point into the owned copies below */
  cg_pool pool;         /* CG_LAYER_POOL */
  cg_add add;           /* CG_LAYER_ADD */
  cg_lut lut;           /* CG_LAYER_LUT; its table points into the owned copy lut_tab */
  cg_mul mul;           /* CG_LAYER_MUL */
  int8_t *lut_tab;      /* owned [ISA_LUT_DEPTH]: the LUT layer's table, or the conv's fused one */
  int8_t *w;            /* owned copy of conv weights [cout][cin/g][kh][kw] */
  int32_t *bias;        /* owned [cout] (zeros if none given) */
  int32_t *mult;        /* owned [cout] */
  uint8_t *shift;       /* owned [cout] */
  int8_t *rw;           /* GEMM residual: owned [cout][cres] weights (diagonal res_d expanded) */
  uint8_t *rf;          /* GEMM residual or fraction epilogue: owned [cout] fraction bits */
  int32_t *bf;          /* fraction epilogue: owned [cout] bias at 2^-f of the output scale */
  int cres;             /* GEMM residual: channels of the residual tensor */
  cg_layer_info info;   /* filled by cg_net_build */
} cg_layer;

struct cg_net {
  const isa_config *cfg;
  unsigned B;           /* BLOCK: the layout block, block_out (cc_layout_block) */
  cg_tensor *t;         /* [nt] */
  int nt, capt;
  cg_tensor *v;         /* [nv] views */
  int nv, capv;
  cg_layer *l;          /* [nl] */
  int nl, capl;
  uint64_t arena;       /* bytes of the arena (all tensors) */
  char err[512];
};

/* Tensor id (arena or view) -> its record; the id must be valid. */
static inline const cg_tensor *cg_tens(const cg_net *net, int id) {
  return id >= CG_VIEW0 ? &net->v[id - CG_VIEW0] : &net->t[id];
}
/* Byte offset of channel block b of t. */
static inline uint64_t cg_tblk(const cg_tensor *t, unsigned B, int b) {
  return t->blk ? t->blk[b] : t->off + (uint64_t)b * (uint64_t)t->h * (uint64_t)t->w * B;
}

/* A growable list of decoded instructions. */
typedef struct cg_list {
  isa_insn *v;
  int n, cap;
} cg_list;

/* A distinct micro-op set placed in the image (deduplicated by content). */
typedef struct cg_uset {
  uint32_t *w;          /* [n] micro-op words */
  uint32_t n;
  uint64_t hash;
  uint64_t dram;        /* UOP element index in the image */
  int next;             /* hash chain */
  int resi;             /* its entry in cg_gen res (resident in the uop buffer), or -1 */
} cg_uset;

#define CG_HASH_BITS 12
#define CG_HASH (1 << CG_HASH_BITS)
#define CG_MAX_RES 256
#define CG_MAX_RB 4096 /* residual channel blocks of a GEMM residual */

/* The builder of one program. */
typedef struct cg_gen {
  const isa_config *cfg;
  const isa_derived *d;
  unsigned B;           /* the layout block, block_out: the schedulers' channel block */
  unsigned R;           /* INP / WGT elements per block: block_out / block_in. The schedulers
                         * address INP and WGT in blocks (a block of B channels; a weight
                         * element B x B); cg_i_load, cg_pad_fill, cg_gemm_uop and cg_i_gemm
                         * turn that into the buffers' own elements (x R) */
  int dry;              /* 1: plan only (candidate evaluation): no image, constants at 0 */
  uint8_t *img;         /* image being built (NULL when dry) */
  uint64_t img_n, img_cap; /* bytes used / allocated */
  uint64_t img_zero;    /* bytes of img zero-filled so far (img_grow: up to the need, so that
                         * the spare capacity is never touched and its pages never faulted in) */
  cg_list prog;         /* the program so far */
  cg_uset *sets;        /* [nsets] */
  int nsets, capsets;
  int head[CG_HASH];    /* hash chains of sets, -1 terminated */
  struct { int set; uint32_t at; } res[CG_MAX_RES]; /* sets resident in the uop buffer */
  int nres;
  uint32_t uop_top;     /* first free uop buffer element */
  int barrier_c2l;      /* the current layer's first LOAD on the load unit must pop C2L */
  int status;           /* CG_OK or the first error */
  char msg[512];
} cg_gen;

int cg_fail(cg_gen *g, int code, const char *fmt, ...);
int cg_gen_init(cg_gen *g, const isa_config *cfg, int dry);
void cg_gen_free(cg_gen *g);

/* Append an instruction to a list (CG_E_NOMEM on failure, recorded in g). */
int cg_push(cg_gen *g, cg_list *l, const isa_insn *in);
void cg_list_free(cg_list *l);
/* A tile's end, shared by pooling, upsampling and the bilinear layer: the compute list C waits
 * for the store that freed its output slot (wait_prev) and signals its store; the STOREs of nblk
 * blocks of output tensor to (OH x OW) from block blk0 (rows x cols pixels from pixel offset pix,
 * row pitch OW; block a at O + a * OP; whole planes that follow each other in DRAM and in the
 * buffer in one STORE) wait for C and free the slot for a later tile (signal_next); then both
 * lists are emitted (cg_pool.c). 0, or -1 with g's status set. */
int cg_tile_store(cg_gen *g, const cg_tensor *to, int OH, int OW, cg_list *C, cg_list *S, uint32_t O, uint32_t OP,
                  int blk0, int nblk, uint64_t pix, uint32_t rows, uint32_t cols, int wait_prev, int signal_next);

/* Instruction constructors (fields as in ISA.md; signed values are masked to their width). */
isa_insn cg_i_load(const cg_gen *g, int mem, uint32_t sram, uint64_t dram, uint32_t y,
                   uint32_t x, uint32_t stride, uint32_t yp0, uint32_t yp1, uint32_t xp0,
                   uint32_t xp1, int padv);
isa_insn cg_i_store(const cg_gen *g, uint32_t sram, uint64_t dram, uint32_t y, uint32_t x,
                    uint32_t stride);
isa_insn cg_i_gemm(const cg_gen *g, uint32_t ub, uint32_t ue, uint32_t lo, uint32_t li, uint32_t ao,
                   uint32_t ai, uint32_t io, uint32_t ii, uint32_t wo, uint32_t wi);
/* A DWGEMM of the one micro-op u (its window runs over the instruction's iterations: one
 * micro-op per instruction, ISA.md): lo rows (acc_out ao, inp_out io), li iterations a row
 * (acc_in 1, inp_in ii), taps; io and ii in INP blocks (x R, as cg_i_gemm); no weight factor
 * (the micro-op's element throughout). */
isa_insn cg_i_dwgemm(const cg_gen *g, uint32_t u, uint32_t lo, uint32_t li, uint32_t ao, uint32_t io, uint32_t ii,
                     uint32_t taps);
isa_insn cg_i_alu(const cg_gen *g, int op, int use_imm, int imm, uint32_t ub, uint32_t ue,
                  uint32_t lo, uint32_t li, uint32_t dso, uint32_t dsi, uint32_t sro, uint32_t sri);
isa_insn cg_i_finish(void);
/* Append LOADs that write n pad elements (value padv) to sram..sram+n-1 of mem, moving no
 * DRAM data (a pad-only LOAD writes a contiguous run of (yp0+yp1)*(xp0+xp1) elements). */
int cg_pad_fill(cg_gen *g, cg_list *l, int mem, uint32_t sram, uint32_t n, int padv);
/* Token flags on an instruction. */
void cg_tok(isa_insn *in, int pop_prev, int pop_next, int push_prev, int push_next);

/* Append constant bytes to the image at an offset aligned to CG_ALIGN; returns the byte offset
 * (0 and nothing written when dry). */
#define CG_ALIGN 256u
uint64_t cg_const(cg_gen *g, const void *p, uint64_t bytes);
/* The same at an offset aligned to align bytes (a multiple of CG_ALIGN): weight blocks. */
uint64_t cg_const_at(cg_gen *g, const void *p, uint64_t bytes, uint64_t align);
/* Reserve zeroed bytes in the image (the arena); returns the byte offset. */
uint64_t cg_reserve(cg_gen *g, uint64_t bytes);
/* Reserve zeroed bytes where cg_const_at would put them (its alignment), for constants the
 * caller writes in place later (g->img + offset; the image does not move until the next
 * reservation); 0 when dry. */
uint64_t cg_reserve_at(cg_gen *g, uint64_t bytes, uint64_t align);

/* Make micro-op set w[0..n) resident in the uop buffer: if it is not, append a LOAD UOP to the
 * compute list l (the buffer is flushed whole when the set does not fit after the others).
 * *begin = its first uop index. n must be at most uop_depth. */
int cg_uops(cg_gen *g, cg_list *l, const uint32_t *w, uint32_t n, uint32_t *begin);
uint32_t cg_uop(const cg_gen *g, uint32_t acc, uint32_t src, uint32_t wgt);
/* The words of the resident micro-ops at uop buffer positions [begin, begin + n) (one set's):
 * 0, or -1 if they are not one resident set's. */
int cg_uop_words(const cg_gen *g, uint32_t begin, uint32_t n, uint32_t *out);
/* The LOAD UOPs of g->prog[start..) as one LOAD (their sets copied side by side into the image)
 * right before the first compute instruction that waits for a token, when they fill one run of
 * the uop buffer without overlaps and nothing reads their elements before they load: a layer's
 * micro-ops then come in once while it waits for its first data, not one set at a time on the
 * compute unit's path. Nothing changes otherwise. */
int cg_merge_uops(cg_gen *g, int start);
/* Append to w[*n..] the R GEMM micro-ops of block-addressed acc, inp (INP block) and wgt (weight
 * block): one per block_in slice h of the block, inp * R + h, wgt * R + h. */
void cg_gemm_uop(const cg_gen *g, uint32_t *w, uint32_t *n, uint32_t acc, uint32_t inp, uint32_t wgt);
/* The same for slices h0..h1-1 only (a GEMM with bias takes the bias with its first slice). */
void cg_gemm_uops(const cg_gen *g, uint32_t *w, uint32_t *n, uint32_t acc, uint32_t inp, uint32_t wgt,
                  unsigned h0, unsigned h1);

/* 1 if every instruction of l encodes (fields fit their widths); used to reject candidates. */
int cg_encodable(const cg_gen *g, const cg_list *l);
/* Encode the program into prog (allocates insns; image handed over from g). */
int cg_finish(cg_gen *g, isa_prog *prog);

/* ---- cycle model -------------------------------------------------------------------------- */
/* Cost constants (core cycles), from the config; calibrated to fsim's model of ISA.md
 * "Timing". */
typedef struct cg_cost {
  double rd_lat, wr_lat;      /* DRAM latency per LOAD / STORE instruction */
  double beat_bytes;          /* bytes per memory port beat */
  double wgt_beat_bytes;      /* bytes per cycle of a weight LOAD's data: a beat, or two when its
                                 bursts alternate between two read ports (isa_derived wgt_split) */
  double insn_ovh;            /* dispatch/decode of every instruction */
  double gemm_fill, alu_fill; /* pipeline fill per GEMM / ALU instruction with iterations */
  double fetch_beats;         /* beats to fetch one instruction */
  unsigned fetch_burst;       /* instructions per fetch burst (one rd_lat each) */
} cg_cost;
void cg_cost_init(const isa_config *cfg, cg_cost *c);
/* Cycles of one instruction on its unit, not counting waits. */
double cg_insn_cycles(const isa_config *cfg, const cg_cost *c, const isa_insn *in);
/* Simulate units, queues and tokens over insns[0..n): returns the cycle count (done), and if
 * ends != NULL, ends[i] = max completion time of insns[0..i]. Returns a negative value if a pop
 * has no earlier push (the program would deadlock). */
double cg_time_prog(const isa_config *cfg, const isa_insn *v, uint32_t n, double *ends);

/* Verify the token protocol of a whole program: every pop has an earlier push on its queue (no
 * fetch deadlock) and every queue ends empty. CG_OK or CG_E_INTERNAL with the first offending
 * instruction in g's message. */
int cg_verify_tokens(cg_gen *g, const isa_insn *v, uint32_t n);

/* ---- layer schedulers (cg_conv.c, cg_pool.c) ---------------------------------------------- */
/* Each appends the layer's instructions to g->prog (with constants in the image unless dry),
 * choosing the tiling by the cost model; info gets desc, tiling, macs, candidates.
 * no_lh: serialized schedule. exhaustive: evaluate more candidates. */
int cg_conv_layer(cg_gen *g, const cg_net *net, const cg_layer *L, int no_lh, int exhaustive,
                  cg_layer_info *info);
int cg_pool_layer(cg_gen *g, const cg_net *net, const cg_layer *L, int no_lh, cg_layer_info *info);
/* The bilinear layer (CG_POOL_BIL, cg_bil.c), which cg_pool_layer hands on. */
int cg_bil_layer(cg_gen *g, const cg_net *net, const cg_layer *L, int no_lh, cg_layer_info *info);
int cg_add_layer(cg_gen *g, const cg_net *net, const cg_layer *L, int no_lh, cg_layer_info *info);
int cg_lut_layer(cg_gen *g, const cg_net *net, const cg_layer *L, int no_lh, cg_layer_info *info);
int cg_mul_layer(cg_gen *g, const cg_net *net, const cg_layer *L, int no_lh, cg_layer_info *info);
/* Append to l a LOAD of the lookup table tab[256] (replicated into every lane: element k holds
 * tab[k] in each lane), its bytes placed in the image. */
int cg_lut_load(cg_gen *g, cg_list *l, const int8_t *tab);

/* Helpers shared by the schedulers. */
/* Position of weight (j, i) (output lane j, input channel i of the block) in a B x B weight
 * block: the R WGT elements of the block follow each other, element h holds the inputs
 * h*BLOCK_IN .. +BLOCK_IN-1 as [j][i % BLOCK_IN]. */
static inline size_t cg_wpos(const cg_gen *g, unsigned j, unsigned i) {
  unsigned bi = g->B / g->R;
  return (size_t)(i / bi) * g->B * bi + (size_t)j * bi + i % bi;
}
/* Bytes of a B x B weight block. */
static inline uint64_t cg_wblock_bytes(const cg_gen *g) { return (uint64_t)g->B * g->B; }
static inline int cg_cdiv(int a, int b) { return (a + b - 1) / b; }
static inline int cg_min(int a, int b) { return a < b ? a : b; }
static inline int cg_max(int a, int b) { return a > b ? a : b; }
/* Element index of a tensor's byte offset in memory mem (INP, WGT: in blocks, as cg_i_load takes). */
uint64_t cg_elem(const cg_gen *g, uint64_t byte_off, int mem);
/* The ACC element of a requant: every lane isa_req_word(mult, shift) (isa.def DLVTA_REQ_FIELD). */
uint32_t cg_req_lane(int32_t mult, int shift);
/* A REQ with a shift of at least this never saturates int32 nor comes within 2^30 of it:
 * |a * m| < 2^31 * 2^(ISA_REQ_M_WIDTH - 1) for any multiplier of the field, so the result is at
 * most 2^30 (+1) in magnitude, and y_zp folds into REQ's bounds exactly (cg_conv.c, cg_pool.c). */
#define CG_REQ_NOSAT_SHIFT ISA_REQ_M_WIDTH
/* The imm of CLIP / REQ-with-bounds: lo in bits 7..0, hi in bits 15..8 (signed 16-bit). */
int cg_clip_imm(int lo, int hi);

#endif
