/* compiler/onnx_import.c -- reads ONNX ModelProto/TensorProto files with protobuf-c (code
 * generated from /usr/include/onnx/onnx.proto into build/gen/) and builds the graph IR: opset
 * check, initializers (float, int64, int32, int8, uint8, bool; raw_data, typed fields or external
 * data), Constant nodes' attributes, graph inputs/outputs/value_info types, quantization
 * annotations, and a topological sort. See onnx_import.h. */
#include "onnx_import.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx.pb-c.h"
#include "util.h"

_Static_assert(sizeof(float) == 4, "ONNX floats are IEEE single precision");

typedef struct imp {
  const char *src;      /* file name for messages */
  const char *base_dir; /* directory for external data, or NULL */
  ir_graph *g;
  char *err;
  size_t errlen;
  /* name -> tensor index hash (open addressing), sized at start */
  int *slot;
  size_t nslot;
  /* model-local functions (ModelProto.functions): every call inlined (fn_expand) */
  const Onnx__ModelProto *mp;
  struct fn_frame **frames;
  size_t nframes;
  struct fn_node *nodes; /* the graph's nodes with the calls expanded, in file order */
  size_t nnodes, capnodes;
} imp;

/* One inlined call of a model-local function: its body's names are the call's inputs and
 * outputs where they are the function's, else prefix + name (unique: the call's first output
 * name, under the caller's prefix); its attribute references read the call's attributes. */
typedef struct fn_frame {
  const Onnx__FunctionProto *fn;
  const Onnx__NodeProto *call;
  const struct fn_frame *up; /* the caller's frame, NULL for the graph */
  char *prefix;
} fn_frame;

/* A node of the expanded graph: its proto and the frame its names live in (NULL: the graph). */
typedef struct fn_node {
  const Onnx__NodeProto *np;
  const fn_frame *frame;
} fn_node;

static uint64_t hash_str(const char *s) {
  uint64_t h = 1469598103934665603ull;
  while (*s) h = (h ^ (unsigned char)*s++) * 1099511628211ull;
  return h;
}

static int lookup(const imp *m, const char *name) {
  for (size_t i = hash_str(name) & (m->nslot - 1);; i = (i + 1) & (m->nslot - 1)) {
    int t = m->slot[i];
    if (t < 0) return -1;
    if (!strcmp(m->g->tensors[t]->name, name)) return t;
  }
}

/* Add a tensor under exactly this name; -1 if the name is taken. */
static int define(imp *m, const char *name, const ir_type *type) {
  if (lookup(m, name) >= 0) return -1;
  int t = ir_add_tensor(m->g, name, type);
  ALWAYS_ASSERT(!strcmp(m->g->tensors[t]->name, name));
  size_t i = hash_str(name) & (m->nslot - 1);
  while (m->slot[i] >= 0) i = (i + 1) & (m->nslot - 1);
  m->slot[i] = t;
  return t;
}

/* The other floating-point types, which the importer reads as float32 (IR_F32): a model saved in
 * half precision (model.half(), a GPU deployment's export) or in double. Their bytes per element,
 * 0 for any other type. */
static size_t wide_float_size(int32_t onnx_type) {
  return onnx_type == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16 || onnx_type == ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16 ? 2
         : onnx_type == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE                                                           ? 8
                                                                                                                       : 0;
}

static int map_dtype(int32_t onnx_type, ir_dtype *dt) {
  switch (onnx_type) {
  case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT:
  case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16:
  case ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16:
  case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: *dt = IR_F32; return IR_OK;
  case ONNX__TENSOR_PROTO__DATA_TYPE__UINT8: *dt = IR_U8; return IR_OK;
  case ONNX__TENSOR_PROTO__DATA_TYPE__INT8: *dt = IR_I8; return IR_OK;
  case ONNX__TENSOR_PROTO__DATA_TYPE__INT32: *dt = IR_I32; return IR_OK;
  case ONNX__TENSOR_PROTO__DATA_TYPE__INT64: *dt = IR_I64; return IR_OK;
  case ONNX__TENSOR_PROTO__DATA_TYPE__BOOL: *dt = IR_BOOL; return IR_OK;
  default: return IR_UNSUPPORTED;
  }
}

/* IEEE half-precision bits h as float (exact: every half is a float). */
static float half_to_float(uint16_t h) {
  uint32_t sign = (uint32_t)(h >> 15) << 31, e = h >> 10 & 0x1f, m = h & 0x3ff, bits;
  if (e == 0x1f) bits = sign | 0x7f800000u | m << 13; /* inf, NaN */
  else if (e) bits = sign | (e + 112) << 23 | m << 13;
  else if (!m) bits = sign;
  else { /* subnormal: normalize */
    e = 113;
    while (!(m & 0x400)) m <<= 1, e--;
    bits = sign | e << 23 | (m & 0x3ff) << 13;
  }
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

/* A float16 or bfloat16 (onnx_type) value's bits h as float. */
static float bits16_to_float(int32_t onnx_type, uint16_t h) {
  if (onnx_type == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16) return half_to_float(h);
  uint32_t bits = (uint32_t)h << 16; /* bfloat16: float's upper half */
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

/* Element i of src, a tensor of wide_float_size type onnx_type (little-endian bytes), as float
 * (a double rounded to nearest). */
static float wide_float(int32_t onnx_type, const uint8_t *src, size_t i) {
  if (onnx_type != ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE)
    return bits16_to_float(onnx_type, (uint16_t)(src[2 * i] | src[2 * i + 1] << 8));
  double d;
  memcpy(&d, src + 8 * i, sizeof d);
  return (float)d;
}

static const char *onnx_dtype_name(int32_t t) {
  static const char *names[] = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64",
                                "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64",
                                "COMPLEX128", "BFLOAT16"};
  return t >= 0 && t < (int32_t)(sizeof names / sizeof names[0]) ? names[t] : "unknown";
}

/* Cast-1's type name ("FLOAT", "INT64", ...: the names of onnx_dtype_name up to COMPLEX128, the
 * types of opset 1) as its TensorProto.DataType code; -1 if none. */
static int cast1_type_code(const char *name) {
  for (int t = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT; t <= ONNX__TENSOR_PROTO__DATA_TYPE__COMPLEX128; t++)
    if (!strcmp(onnx_dtype_name(t), name)) return t;
  return -1;
}

/* Read external data for tp (location/offset/length relative to base_dir) into dst[nbytes]. */
/* The location, offset and length entries of a tensor's external_data (NULL, 0, -1 if absent). */
static void external_params(const Onnx__TensorProto *tp, const char **loc, long long *off, long long *len) {
  *loc = NULL;
  *off = 0;
  *len = -1;
  for (size_t i = 0; i < tp->n_external_data; i++) {
    const Onnx__StringStringEntryProto *e = tp->external_data[i];
    if (!e->key || !e->value) continue;
    if (!strcmp(e->key, "location")) *loc = e->value;
    if (!strcmp(e->key, "offset")) *off = atoll(e->value);
    if (!strcmp(e->key, "length")) *len = atoll(e->value);
  }
}

static int read_external(const Onnx__TensorProto *tp, const char *base_dir, void *dst, size_t nbytes, char *why,
                         size_t whylen) {
  const char *loc;
  long long off, len;
  external_params(tp, &loc, &off, &len);
  if (!loc || strstr(loc, "..") || loc[0] == '/') return util_err(why, whylen, "external data without a safe location");
  if (len >= 0 && (size_t)len != nbytes) return util_err(why, whylen, "external data length %lld, expected %zu", len, nbytes);
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", base_dir ? base_dir : ".", loc);
  FILE *f = fopen(path, "rb");
  if (!f) return util_err(why, whylen, "cannot open external data '%s': %s", path, strerror(errno));
  int ok = off >= 0 && fseek(f, (long)off, SEEK_SET) == 0 && fread(dst, 1, nbytes, f) == nbytes;
  fclose(f);
  return ok ? IR_OK : util_err(why, whylen, "external data '%s' too short", path);
}

/* How many elements the tensor's inline data holds (raw_data counted in elements of es bytes;
 * a raw_data length that is not a whole number of elements counts as SIZE_MAX). */
static size_t data_count(const Onnx__TensorProto *tp, ir_dtype dt, size_t es) {
  if (tp->has_raw_data) return tp->raw_data.len % es ? SIZE_MAX : tp->raw_data.len / es;
  switch (dt) {
  case IR_F32: return tp->n_float_data;
  case IR_I64: return tp->n_int64_data;
  default: return tp->n_int32_data;
  }
}

/* External data: the file must exist and hold offset + nbytes bytes (checked before allocating). */
static int external_size_check(const Onnx__TensorProto *tp, const char *base_dir, size_t nbytes, char *why,
                               size_t whylen) {
  const char *loc;
  long long off, len;
  external_params(tp, &loc, &off, &len);
  if (!loc || strstr(loc, "..") || loc[0] == '/') return util_err(why, whylen, "external data without a safe location");
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", base_dir ? base_dir : ".", loc);
  struct stat st;
  if (stat(path, &st)) return util_err(why, whylen, "cannot open external data '%s': %s", path, strerror(errno));
  if (!S_ISREG(st.st_mode)) return util_err(why, whylen, "external data '%s' is not a regular file", path);
  if (off < 0 || (uint64_t)off > (uint64_t)st.st_size || (uint64_t)st.st_size - (uint64_t)off < nbytes)
    return util_err(why, whylen, "external data '%s' too short: %lld bytes from offset %lld, shape needs %zu", path,
                    (long long)st.st_size - off, off, nbytes);
  return IR_OK;
}

/* tensor_from_proto of a float16, bfloat16 or float64 tensor of type t (float32): its elements
 * from raw_data, external data, int32_data (16-bit types) or double_data, converted. */
static int wide_tensor_from_proto(const Onnx__TensorProto *tp, const char *base_dir, const ir_type *t, ir_value *v,
                                  char *why, size_t whylen) {
  size_t se = wide_float_size(tp->data_type), numel = (size_t)ir_type_numel(t), nbytes = numel * se;
  int ext = tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
  int dbl = tp->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE;
  size_t have = ext ? numel : tp->has_raw_data ? tp->raw_data.len / se : dbl ? tp->n_double_data : tp->n_int32_data;
  if (!ext && tp->has_raw_data && tp->raw_data.len != nbytes)
    return util_err(why, whylen, "raw_data has %zu bytes, shape needs %zu", tp->raw_data.len, nbytes);
  if (have != numel) return util_err(why, whylen, "%zu data elements, shape needs %zu", have, numel);
  if (ext && external_size_check(tp, base_dir, nbytes, why, whylen)) return IR_ERR;
  uint8_t *src = ext ? malloc(nbytes + 1) : NULL;
  if ((ext && !src) || ir_value_alloc(v, t)) return free(src), util_err(why, whylen, "out of memory for %zu bytes", nbytes);
  if (ext && read_external(tp, base_dir, src, nbytes, why, whylen)) return free(src), ir_value_free(v), IR_ERR;
  float *f = v->data;
  for (size_t i = 0; i < numel; i++)
    if (ext || tp->has_raw_data) f[i] = wide_float(tp->data_type, ext ? src : tp->raw_data.data, i);
    else if (dbl) f[i] = (float)tp->double_data[i];
    else f[i] = bits16_to_float(tp->data_type, (uint16_t)tp->int32_data[i]); /* 16 bits in each int32 */
  free(src);
  return IR_OK;
}

/* Convert a TensorProto into v. IR_OK, IR_ERR or IR_UNSUPPORTED with the reason in why. The
 * proto's raw_data bytes are taken over (tp loses them): every tp is one of an unpacked message
 * the importer owns, converted once. */
static int tensor_from_proto(const Onnx__TensorProto *tp, const char *base_dir, ir_value *v, char *why, size_t whylen) {
  memset(v, 0, sizeof *v);
  ir_dtype dt;
  if (!tp->has_data_type) return util_err(why, whylen, "tensor without data_type");
  if (map_dtype(tp->data_type, &dt))
    return util_err(why, whylen, "tensor data type %s not supported", onnx_dtype_name(tp->data_type)), IR_UNSUPPORTED;
  if (tp->segment) return util_err(why, whylen, "segmented tensors not supported"), IR_UNSUPPORTED;
  if (tp->n_dims > IR_MAX_DIMS) return util_err(why, whylen, "rank %zu above %d", tp->n_dims, IR_MAX_DIMS), IR_UNSUPPORTED;
  ir_type t = {.dtype = dt, .rank = (int)tp->n_dims};
  for (size_t i = 0; i < tp->n_dims; i++) {
    if (tp->dims[i] < 0) return util_err(why, whylen, "negative extent %lld", (long long)tp->dims[i]);
    t.dims[i] = tp->dims[i];
  }
  int64_t numel = ir_type_numel(&t);
  size_t es = ir_dtype_size(dt);
  if (numel < 0 || (uint64_t)numel > ((uint64_t)1 << 36) / es) return util_err(why, whylen, "tensor too large");
  if (wide_float_size(tp->data_type)) return wide_tensor_from_proto(tp, base_dir, &t, v, why, whylen);
  size_t nbytes = (size_t)numel * es;
  int ext = tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
  /* memory is bounded by what the file holds: check the data is there before allocating */
  if (!ext && data_count(tp, dt, es) != (size_t)numel) {
    if (tp->has_raw_data) return util_err(why, whylen, "raw_data has %zu bytes, shape needs %zu", tp->raw_data.len, nbytes);
    return util_err(why, whylen, "%zu data elements, shape needs %lld", data_count(tp, dt, es), (long long)numel);
  }
  if (ext && external_size_check(tp, base_dir, nbytes, why, whylen)) return IR_ERR;
  if (!ext && tp->has_raw_data && nbytes && tp->raw_data.data) {
    /* the bytes protobuf-c unpacked (malloc'ed, as ir_value's data is) become the value's: no
     * copy of a large model's weights; the message is freed right after the import */
    Onnx__TensorProto *own = (Onnx__TensorProto *)tp;
    v->type = t;
    v->data = own->raw_data.data;
    own->raw_data.data = NULL, own->raw_data.len = 0, own->has_raw_data = 0;
    if (dt == IR_BOOL)
      for (size_t i = 0; i < nbytes; i++) ((uint8_t *)v->data)[i] = ((uint8_t *)v->data)[i] != 0;
    return IR_OK;
  }
  if (ir_value_alloc(v, &t)) return util_err(why, whylen, "out of memory for %zu bytes", nbytes);
  size_t have = 0;
  if (ext) {
    if (read_external(tp, base_dir, v->data, nbytes, why, whylen)) goto fail;
    return IR_OK;
  }
  if (tp->has_raw_data) {
    if (tp->raw_data.len != nbytes) {
      util_err(why, whylen, "raw_data has %zu bytes, shape needs %zu", tp->raw_data.len, nbytes);
      goto fail;
    }
    if (nbytes) memcpy(v->data, tp->raw_data.data, nbytes);
    if (dt == IR_BOOL)
      for (size_t i = 0; i < nbytes; i++) ((uint8_t *)v->data)[i] = ((uint8_t *)v->data)[i] != 0;
    return IR_OK;
  }
  switch (dt) {
  case IR_F32:
    have = tp->n_float_data;
    if (have == (size_t)numel && numel) memcpy(v->data, tp->float_data, nbytes);
    break;
  case IR_I64:
    have = tp->n_int64_data;
    if (have == (size_t)numel && numel) memcpy(v->data, tp->int64_data, nbytes);
    break;
  default: /* int32, int8, uint8, bool are all carried in int32_data */
    have = tp->n_int32_data;
    if (have == (size_t)numel)
      for (int64_t i = 0; i < numel; i++) {
        int32_t x = tp->int32_data[i];
        if ((dt == IR_I8 && (x < -128 || x > 127)) || (dt == IR_U8 && (x < 0 || x > 255))) {
          util_err(why, whylen, "value %d out of range for %s", (int)x, ir_dtype_name(dt));
          goto fail;
        }
        ir_set_elem(dt, v->data, i, x);
      }
    break;
  }
  if (have != (size_t)numel) {
    util_err(why, whylen, "%zu data elements, shape needs %lld", have, (long long)numel);
    goto fail;
  }
  return IR_OK;
fail:
  ir_value_free(v);
  return IR_ERR;
}

/* Type of a ValueInfoProto into t/dim_param; unsupported for non-tensor types. */
static int type_from_value_info(const Onnx__ValueInfoProto *vi, ir_type *t, const char **params, char *why,
                                size_t whylen) {
  memset(t, 0, sizeof *t);
  t->rank = -1;
  for (int i = 0; i < IR_MAX_DIMS; i++) params[i] = NULL;
  if (!vi->type) return IR_OK; /* no type given: inferred later */
  if (vi->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !vi->type->tensor_type)
    return util_err(why, whylen, "'%s' is not a tensor (sequence/map/optional types not supported)", vi->name), IR_UNSUPPORTED;
  const Onnx__TypeProto__Tensor *tt = vi->type->tensor_type;
  if (tt->has_elem_type && tt->elem_type && map_dtype(tt->elem_type, &t->dtype))
    return util_err(why, whylen, "'%s' has data type %s, not supported", vi->name, onnx_dtype_name(tt->elem_type)),
           IR_UNSUPPORTED;
  if (!tt->shape) return IR_OK;
  if (tt->shape->n_dim > IR_MAX_DIMS)
    return util_err(why, whylen, "'%s' has rank %zu above %d", vi->name, tt->shape->n_dim, IR_MAX_DIMS), IR_UNSUPPORTED;
  t->rank = (int)tt->shape->n_dim;
  for (size_t i = 0; i < tt->shape->n_dim; i++) {
    const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
    t->dims[i] = -1;
    if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
      if (d->dim_value < 0) return util_err(why, whylen, "'%s' has negative extent", vi->name);
      t->dims[i] = d->dim_value;
    } else if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM) {
      params[i] = d->dim_param;
    }
  }
  return IR_OK;
}

static void set_dim_params(ir_tensor *t, const char **params) {
  for (int i = 0; i < IR_MAX_DIMS; i++) {
    free(t->dim_param[i]);
    t->dim_param[i] = NULL;
    if (params[i] && i < t->type.rank && t->type.dims[i] < 0) {
      size_t n = strlen(params[i]) + 1;
      t->dim_param[i] = malloc(n);
      if (t->dim_param[i]) memcpy(t->dim_param[i], params[i], n);
    }
  }
}

static const char *attr_kind_name(int k) {
  static const char *names[] = {"INT", "FLOAT", "STRING", "INTS", "FLOATS", "TENSOR", "other", "STRINGS"};
  return k >= 0 && k <= IR_ATTR_STRINGS ? names[k] : "?";
}

/* An attribute that refers to a function's (ref_attr_name): the calling node's attribute of that
 * name, through nested calls, under the node's own name, in *val (*ap then points to it); *ap
 * NULL when the call leaves it out (the attribute is left out, as ONNX's function inlining does).
 * IR_OK, or an error naming node n. */
static int resolve_ref(imp *m, ir_node *n, const Onnx__AttributeProto **ap, Onnx__AttributeProto *val,
                       const fn_frame *fr) {
  ir_graph *g = m->g;
  while ((*ap)->ref_attr_name && *(*ap)->ref_attr_name) {
    if (!fr)
      return ir_node_err(g, n, m->err, m->errlen, "attribute '%s' refers to '%s' outside any function call", (*ap)->name,
                         (*ap)->ref_attr_name);
    const Onnx__AttributeProto *found = NULL;
    for (size_t k = 0; k < fr->call->n_attribute && !found; k++)
      if (fr->call->attribute[k]->name && !strcmp(fr->call->attribute[k]->name, (*ap)->ref_attr_name))
        found = fr->call->attribute[k];
    if (!found) {
      /* the function may give it a default (FunctionProto.attribute_proto, field 11, ONNX 1.13
       * on), which the onnx.proto this importer is built from does not read: refused rather than
       * taking the operator's own default */
      for (unsigned u = 0; u < fr->fn->base.n_unknown_fields; u++)
        if (fr->fn->base.unknown_fields[u].tag == 11)
          return ir_node_err(g, n, m->err, m->errlen,
                             "attribute '%s' refers to '%s', which the call of function '%s' leaves out and the "
                             "function may default (attribute_proto, not read by this build's onnx.proto)",
                             (*ap)->name, (*ap)->ref_attr_name, fr->fn->name ? fr->fn->name : ""),
                 IR_UNSUPPORTED;
      *ap = NULL;
      return IR_OK;
    }
    char *name = (*ap)->name; /* the node's own name for it (*ap may be val itself) */
    *val = *found;
    val->name = name;
    *ap = val;
    fr = fr->up;
  }
  return IR_OK;
}

/* Convert one attribute of node n (an inlined function's node: in frame fr). */
static int convert_attr(imp *m, ir_node *n, const Onnx__AttributeProto *ap, const fn_frame *fr) {
  ir_graph *g = m->g;
  if (!ap->name || !*ap->name) return ir_node_err(g, n, m->err, m->errlen, "attribute without a name");
  Onnx__AttributeProto val;
  int rrc = resolve_ref(m, n, &ap, &val, fr);
  if (rrc || !ap) return rrc;
  if (!ap->has_type) return ir_node_err(g, n, m->err, m->errlen, "attribute '%s' has no type", ap->name);
  ir_attr_kind k;
  switch (ap->type) {
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT: k = IR_ATTR_INT; break;
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT: k = IR_ATTR_FLOAT; break;
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING: k = IR_ATTR_STRING; break;
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS: k = IR_ATTR_INTS; break;
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS: k = IR_ATTR_FLOATS; break;
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR: k = IR_ATTR_TENSOR; break;
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS: k = IR_ATTR_STRINGS; break;
  default: k = IR_ATTR_OTHER; break;
  }
  int legacy = ir_legacy_attr(g->opset, n->op, ap->name);
  if (legacy == 2) return IR_OK; /* consumed_inputs, Dropout's is_test (opsets < 7) */
  if (n->op == IR_OP_Cast && g->opset < 6 && k == IR_ATTR_STRING && !strcmp(ap->name, "to")) {
    char tn[32];
    snprintf(tn, sizeof tn, "%.*s", (int)(ap->s.len < 31 ? ap->s.len : 31), ap->s.data ? (const char *)ap->s.data : "");
    int code = cast1_type_code(tn);
    if (code < 0) return ir_node_err(g, n, m->err, m->errlen, "Cast-1 attribute 'to' is '%s', not a type name", tn);
    ir_new_attr(n, "to", IR_ATTR_INT)->i = wide_float_size(code) ? ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT : code;
    return IR_OK;
  }
  if (!legacy && !ir_attr_honoured(n->op, ap->name))
    return ir_node_err(g, n, m->err, m->errlen, "attribute '%s' is not supported for %s (it would be ignored)", ap->name,
                       ir_op_name(n->op)),
           IR_UNSUPPORTED;
  int want = ir_attr_expected_kind(n->op, ap->name);
  if (want >= 0 && want != (int)k)
    return ir_node_err(g, n, m->err, m->errlen, "attribute '%s' has type %s, expected %s", ap->name,
                       attr_kind_name(k), attr_kind_name(want));
  if (n->op == IR_OP_Constant && k == IR_ATTR_OTHER)
    return ir_node_err(g, n, m->err, m->errlen, "attribute '%s' (sparse or other) not supported", ap->name), IR_UNSUPPORTED;
  ir_attr *a = ir_new_attr(n, ap->name, k);
  switch (k) {
  case IR_ATTR_INT:
    a->i = ap->i;
    /* a cast to (EyeLike of) another floating-point type: float32, as the importer reads them */
    if (((n->op == IR_OP_Cast && !strcmp(ap->name, "to")) || (n->op == IR_OP_EyeLike && !strcmp(ap->name, "dtype"))) &&
        a->i > 0 && a->i < INT32_MAX && wide_float_size((int32_t)a->i))
      a->i = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    break;
  case IR_ATTR_FLOAT: a->f = ap->f; break;
  case IR_ATTR_STRING:
    a->s = malloc(ap->s.len + 1);
    if (!a->s) return ir_node_err(g, n, m->err, m->errlen, "out of memory");
    if (ap->s.len) memcpy(a->s, ap->s.data, ap->s.len);
    a->s[ap->s.len] = 0;
    break;
  case IR_ATTR_INTS:
    if (ap->n_ints > 1u << 20) return ir_node_err(g, n, m->err, m->errlen, "attribute '%s' too long", ap->name);
    a->n = (int)ap->n_ints;
    a->ints = malloc(ap->n_ints * sizeof(int64_t) + 1);
    if (!a->ints) return ir_node_err(g, n, m->err, m->errlen, "out of memory");
    if (ap->n_ints) memcpy(a->ints, ap->ints, ap->n_ints * sizeof(int64_t));
    break;
  case IR_ATTR_STRINGS:
    if (ap->n_strings > 1u << 16) return ir_node_err(g, n, m->err, m->errlen, "attribute '%s' too long", ap->name);
    a->strs = calloc(ap->n_strings + 1, sizeof *a->strs);
    if (!a->strs) return ir_node_err(g, n, m->err, m->errlen, "out of memory");
    for (a->n = 0; (size_t)a->n < ap->n_strings; a->n++) {
      a->strs[a->n] = malloc(ap->strings[a->n].len + 1);
      if (!a->strs[a->n]) return ir_node_err(g, n, m->err, m->errlen, "out of memory");
      if (ap->strings[a->n].len) memcpy(a->strs[a->n], ap->strings[a->n].data, ap->strings[a->n].len);
      a->strs[a->n][ap->strings[a->n].len] = 0;
    }
    break;
  case IR_ATTR_FLOATS:
    if (ap->n_floats > 1u << 24) return ir_node_err(g, n, m->err, m->errlen, "attribute '%s' too long", ap->name);
    a->n = (int)ap->n_floats;
    a->floats = malloc(ap->n_floats * sizeof(float) + 1);
    if (!a->floats) return ir_node_err(g, n, m->err, m->errlen, "out of memory");
    if (ap->n_floats) memcpy(a->floats, ap->floats, ap->n_floats * sizeof(float));
    break;
  case IR_ATTR_TENSOR: {
    if (!ap->t) return ir_node_err(g, n, m->err, m->errlen, "attribute '%s' has no tensor", ap->name);
    char why[256];
    a->t = calloc(1, sizeof *a->t);
    if (!a->t) return ir_node_err(g, n, m->err, m->errlen, "out of memory");
    int rc = tensor_from_proto(ap->t, m->base_dir, a->t, why, sizeof why);
    if (rc) {
      ir_node_err(g, n, m->err, m->errlen, "attribute '%s': %s", ap->name, why);
      return rc;
    }
    break;
  }
  default: break;
  }
  return IR_OK;
}

/* Order nodes topologically (stable for already sorted graphs). */
static int topo_sort(imp *m) {
  ir_graph *g = m->g;
  int nn = g->n_nodes, nt = g->n_tensors;
  int *prod = malloc((size_t)nt * sizeof(int) + 1);
  char *done = calloc((size_t)nn + 1, 1);
  ir_node **order = malloc((size_t)nn * sizeof *order + 1);
  int rc = IR_OK;
  if (!prod || !done || !order) {
    rc = util_err(m->err, m->errlen, "%s: out of memory", m->src);
    goto out;
  }
  for (int i = 0; i < nt; i++) prod[i] = -1;
  for (int i = 0; i < nn; i++)
    for (int j = 0; j < g->nodes[i]->n_out; j++)
      if (g->nodes[i]->out[j] >= 0) prod[g->nodes[i]->out[j]] = i;
  int k = 0, progress = 1;
  while (k < nn && progress) {
    progress = 0;
    for (int i = 0; i < nn; i++) {
      if (done[i]) continue;
      const ir_node *n = g->nodes[i];
      int ready = 1;
      for (int j = 0; j < n->n_in && ready; j++)
        if (n->in[j] >= 0 && prod[n->in[j]] >= 0 && !done[prod[n->in[j]]]) ready = 0;
      if (!ready) continue;
      done[i] = 1;
      order[k++] = g->nodes[i];
      progress = 1;
    }
  }
  if (k < nn) {
    for (int i = 0; i < nn; i++)
      if (!done[i]) {
        rc = ir_node_err(g, g->nodes[i], m->err, m->errlen, "graph has a cycle through this node");
        break;
      }
    goto out;
  }
  if (nn) memcpy(g->nodes, order, (size_t)nn * sizeof *order);
out:
  free(prod);
  free(done);
  free(order);
  return rc;
}

/* Attach quantization annotations (SCALE_TENSOR / ZERO_POINT_TENSOR) to tensors. */
static void apply_quant_annotations(imp *m, const Onnx__GraphProto *gp) {
  ir_graph *g = m->g;
  for (size_t i = 0; i < gp->n_quantization_annotation; i++) {
    const Onnx__TensorAnnotation *a = gp->quantization_annotation[i];
    if (!a->tensor_name) continue;
    int t = lookup(m, a->tensor_name), s = -1, z = -1;
    for (size_t j = 0; j < a->n_quant_parameter_tensor_names; j++) {
      const Onnx__StringStringEntryProto *e = a->quant_parameter_tensor_names[j];
      if (!e->key || !e->value) continue;
      if (!strcmp(e->key, "SCALE_TENSOR")) s = lookup(m, e->value);
      if (!strcmp(e->key, "ZERO_POINT_TENSOR")) z = lookup(m, e->value);
    }
    if (t < 0 || s < 0 || !g->tensors[s]->data || g->tensors[s]->type.dtype != IR_F32) continue;
    int64_t ns = ir_type_numel(&g->tensors[s]->type);
    if (ns < 1 || (z >= 0 && (!g->tensors[z]->data || ir_type_numel(&g->tensors[z]->type) != ns))) continue;
    ir_quant *q = calloc(1, sizeof *q);
    if (!q) continue;
    q->n = (int)ns;
    q->axis = ns > 1 ? 1 : -1;
    q->scale = malloc((size_t)ns * sizeof(float));
    q->zero_point = calloc((size_t)ns, sizeof(int32_t));
    q->qtype = z >= 0 ? g->tensors[z]->type.dtype : IR_U8;
    if (!q->scale || !q->zero_point) {
      free(q->scale);
      free(q->zero_point);
      free(q);
      continue;
    }
    for (int64_t k = 0; k < ns; k++) {
      q->scale[k] = ((const float *)g->tensors[s]->data)[k];
      if (z >= 0) q->zero_point[k] = (int32_t)ir_get_elem(g->tensors[z]->type.dtype, g->tensors[z]->data, k);
    }
    g->tensors[t]->quant = q;
  }
}

/* ModelProto -> m->g: opset check, initializers, runtime inputs, nodes (outputs defined first,
 * then inputs resolved, so unsorted files work), outputs, value_info hints, quantization
 * annotations, topological sort, verification. Errors name the file and node. */
/* The graph's initializers (constant tensors) and inputs. */
static int import_values(imp *m, const Onnx__GraphProto *gp) {
  ir_graph *g = m->g;
  char why[512];
  for (size_t i = 0; i < gp->n_initializer; i++) {
    const Onnx__TensorProto *tp = gp->initializer[i];
    if (!tp->name || !*tp->name) return util_err(m->err, m->errlen, "%s: initializer %zu has no name", m->src, i);
    ir_value v;
    int rc = tensor_from_proto(tp, m->base_dir, &v, why, sizeof why);
    if (rc) return util_err(m->err, m->errlen, "%s: initializer '%s': %s", m->src, tp->name, why), rc;
    int t = define(m, tp->name, &v.type);
    if (t < 0) {
      ir_value_free(&v);
      return util_err(m->err, m->errlen, "%s: initializer '%s' defined twice", m->src, tp->name);
    }
    g->tensors[t]->data = v.data;
  }
  g->inputs = malloc((gp->n_input + 1) * sizeof(int));
  g->outputs = malloc((gp->n_output + 1) * sizeof(int));
  if (!g->inputs || !g->outputs) return util_err(m->err, m->errlen, "%s: out of memory", m->src);
  for (size_t i = 0; i < gp->n_input; i++) {
    const Onnx__ValueInfoProto *vi = gp->input[i];
    if (!vi->name || !*vi->name) return util_err(m->err, m->errlen, "%s: graph input %zu has no name", m->src, i);
    int t = lookup(m, vi->name);
    if (t >= 0 && g->tensors[t]->data) continue; /* initializer listed as input (IR < 4) */
    if (t >= 0) return util_err(m->err, m->errlen, "%s: graph input '%s' listed twice", m->src, vi->name);
    ir_type ty;
    const char *params[IR_MAX_DIMS];
    int rc = type_from_value_info(vi, &ty, params, why, sizeof why);
    if (rc) return util_err(m->err, m->errlen, "%s: graph input %s", m->src, why), rc;
    t = define(m, vi->name, &ty);
    set_dim_params(g->tensors[t], params);
    g->inputs[g->n_inputs++] = t;
  }

  return IR_OK;
}

/* The model-local function a node calls (same domain and name), or NULL. */
static const Onnx__FunctionProto *local_function(const imp *m, const Onnx__NodeProto *np) {
  const char *d = np->domain ? np->domain : "";
  for (size_t i = 0; m->mp && i < m->mp->n_functions; i++) {
    const Onnx__FunctionProto *f = m->mp->functions[i];
    const char *fd = f->domain ? f->domain : "";
    if (f->name && np->op_type && !strcmp(f->name, np->op_type) && !strcmp(fd, d)) return f;
  }
  return NULL;
}

/* name as the graph knows it, from frame fr's scope (into buf; "" for an absent one). */
static const char *scope_name(const fn_frame *fr, const char *name, char *buf, size_t len) {
  for (; fr && name && *name; fr = fr->up) {
    const char *actual = NULL;
    for (size_t k = 0; k < fr->fn->n_input && !actual; k++)
      if (!strcmp(fr->fn->input[k], name)) actual = k < fr->call->n_input ? fr->call->input[k] : "";
    for (size_t k = 0; k < fr->fn->n_output && !actual; k++)
      if (!strcmp(fr->fn->output[k], name) && k < fr->call->n_output && fr->call->output[k] && *fr->call->output[k])
        actual = fr->call->output[k];
    if (!actual) {
      snprintf(buf, len, "%s%s", fr->prefix, name);
      return buf;
    }
    name = actual;
  }
  return name ? name : "";
}

/* Nodes of the expanded graph at most (calls that each call a function twice, 32 deep, would
 * otherwise make 2^32). */
#define MAX_EXPANDED_NODES (1u << 20)

static int push_node(imp *m, const Onnx__NodeProto *np, const fn_frame *fr) {
  if (m->nnodes >= MAX_EXPANDED_NODES)
    return util_err(m->err, m->errlen, "%s: more than %u nodes with the model-local functions' calls inlined", m->src,
                    MAX_EXPANDED_NODES);
  if (m->nnodes == m->capnodes) {
    size_t cap = m->capnodes ? 2 * m->capnodes : 256;
    fn_node *v = realloc(m->nodes, cap * sizeof *v);
    if (!v) return util_err(m->err, m->errlen, "%s: out of memory", m->src);
    m->nodes = v, m->capnodes = cap;
  }
  m->nodes[m->nnodes++] = (fn_node){np, fr};
  return IR_OK;
}

/* nodes[0..n) of frame fr into m->nodes, every call of a model-local function replaced by the
 * function's body (in a frame of its own), to a depth of 32 calls. */
static int fn_expand(imp *m, Onnx__NodeProto *const *nodes, size_t n, const fn_frame *fr, int depth) {
  for (size_t i = 0; i < n; i++) {
    const Onnx__FunctionProto *f = local_function(m, nodes[i]);
    if (!f) {
      if (push_node(m, nodes[i], fr)) return IR_ERR;
      continue;
    }
    if (depth >= 32)
      return util_err(m->err, m->errlen, "%s: node '%s' (%s): model-local functions call each other more than 32 deep",
                      m->src, nodes[i]->name ? nodes[i]->name : "", f->name);
    fn_frame *nf = calloc(1, sizeof *nf);
    fn_frame **v = realloc(m->frames, (m->nframes + 1) * sizeof *v);
    char buf[1024];
    const char *first = nodes[i]->n_output && nodes[i]->output[0] ? nodes[i]->output[0] : "";
    const char *scope = scope_name(fr, first, buf, sizeof buf);
    size_t len = strlen(scope) + 32;
    char *prefix = malloc(len);
    if (!nf || !v || !prefix) {
      free(nf), free(prefix);
      if (v) m->frames = v;
      return util_err(m->err, m->errlen, "%s: out of memory", m->src);
    }
    if (*scope) /* the call's first output is unique in the graph */
      snprintf(prefix, len, "%s::", scope);
    else
      snprintf(prefix, len, "%scall%zu::", fr ? fr->prefix : "", i);
    *nf = (fn_frame){f, nodes[i], fr, prefix};
    m->frames = v, m->frames[m->nframes++] = nf;
    if (fn_expand(m, f->node, f->n_node, nf, depth + 1)) return IR_ERR;
  }
  return IR_OK;
}

/* An IR node for expanded node k (op, name, outputs defined). */
static int node_outputs(imp *m, size_t k) {
  ir_graph *g = m->g;
  const Onnx__NodeProto *np = m->nodes[k].np;
  const fn_frame *fr = m->nodes[k].frame;
  if (!np->op_type || !*np->op_type)
    return util_err(m->err, m->errlen, "%s: node %zu ('%s') has no op_type", m->src, k, np->name ? np->name : "");
  ir_op op = ir_op_from_name(np->domain, np->op_type);
  char nbuf[1024];
  ir_node *n = ir_add_node(g, op, scope_name(fr, np->name, nbuf, sizeof nbuf), NULL, 0, NULL, 0);
  free(n->op_name);
  size_t dl = np->domain ? strlen(np->domain) : 0;
  n->op_name = malloc(dl + strlen(np->op_type) + 2);
  if (!n->op_name) return util_err(m->err, m->errlen, "%s: out of memory", m->src);
  if (dl && strcmp(np->domain, "ai.onnx"))
    sprintf(n->op_name, "%s.%s", np->domain, np->op_type);
  else
    strcpy(n->op_name, np->op_type);
  if (np->n_input > 4096 || np->n_output > 4096) return ir_node_err(g, n, m->err, m->errlen, "too many inputs or outputs");
  n->out = realloc(n->out, (np->n_output + 1) * sizeof(int));
  n->in = realloc(n->in, (np->n_input + 1) * sizeof(int));
  if (!n->out || !n->in) return util_err(m->err, m->errlen, "%s: out of memory", m->src);
  for (size_t j = 0; j < np->n_output; j++) {
    char buf[1024];
    const char *nm = scope_name(fr, np->output[j], buf, sizeof buf);
    n->out[n->n_out++] = -1;
    if (!*nm) continue;
    int t = define(m, nm, NULL);
    if (t < 0) return ir_node_err(g, n, m->err, m->errlen, "output '%s' is already defined", nm);
    n->out[n->n_out - 1] = t;
  }
  return IR_OK;
}

/* Expanded node k's inputs resolved, operand counts checked, attributes converted. */
static int node_inputs(imp *m, size_t k) {
  ir_graph *g = m->g;
  const Onnx__NodeProto *np = m->nodes[k].np;
  const fn_frame *fr = m->nodes[k].frame;
  ir_node *n = g->nodes[k];
  for (size_t j = 0; j < np->n_input; j++) {
    char buf[1024];
    const char *nm = scope_name(fr, np->input[j], buf, sizeof buf);
    int t = -1;
    if (*nm) {
      t = lookup(m, nm);
      if (t < 0) return ir_node_err(g, n, m->err, m->errlen, "input '%s' is not defined in the graph", nm);
    }
    n->in[n->n_in++] = t;
  }
  if (n->op != IR_OP_UNKNOWN) {
    int lo = n->op == IR_OP_Reshape && g->opset < 5 ? 1 : ir_op_min_inputs(n->op); /* Reshape-1: shape attribute */
    if (n->n_in < lo || n->n_in > ir_op_max_inputs(n->op))
      return ir_node_err(g, n, m->err, m->errlen, "has %d inputs, expected %d to %d", n->n_in, lo,
                         ir_op_max_inputs(n->op));
    if (n->n_out < ir_op_min_outputs(n->op) || n->n_out > ir_op_max_outputs(n->op))
      return ir_node_err(g, n, m->err, m->errlen, "has %d outputs, expected %d to %d", n->n_out,
                         ir_op_min_outputs(n->op), ir_op_max_outputs(n->op));
    for (int j = 0; j < lo; j++)
      if (n->in[j] < 0 && !(n->op == IR_OP_Concat))
        return ir_node_err(g, n, m->err, m->errlen, "required input %d is empty", j);
  }
  for (size_t j = 0; j < np->n_attribute; j++) {
    int rc = convert_attr(m, n, np->attribute[j], fr);
    if (rc) return rc;
  }
  return IR_OK;
}

/* The nodes, calls of model-local functions inlined: every output defined first, then the
 * inputs resolved (the file may not be sorted), operand counts checked against ir_ops.def,
 * attributes converted. */
static int import_nodes(imp *m) {
  for (size_t k = 0; k < m->nnodes; k++)
    if (node_outputs(m, k)) return IR_ERR;
  for (size_t k = 0; k < m->nnodes; k++) {
    int rc = node_inputs(m, k);
    if (rc) return rc;
  }
  return IR_OK;
}

/* The graph's outputs (with their declared types) and the value_info type hints. */
static int import_outputs(imp *m, const Onnx__GraphProto *gp) {
  ir_graph *g = m->g;
  char why[512];
  for (size_t i = 0; i < gp->n_output; i++) {
    const Onnx__ValueInfoProto *vi = gp->output[i];
    if (!vi->name || !*vi->name) return util_err(m->err, m->errlen, "%s: graph output %zu has no name", m->src, i);
    int t = lookup(m, vi->name);
    if (t < 0) return util_err(m->err, m->errlen, "%s: graph output '%s' is not produced by any node", m->src, vi->name);
    ir_type ty;
    const char *params[IR_MAX_DIMS];
    int rc = type_from_value_info(vi, &ty, params, why, sizeof why);
    if (rc) return util_err(m->err, m->errlen, "%s: graph output %s", m->src, why), rc;
    if (!g->tensors[t]->data && !ir_is_graph_input(g, t)) {
      g->tensors[t]->type = ty;
      set_dim_params(g->tensors[t], params);
    }
    g->outputs[g->n_outputs++] = t;
  }
  for (size_t i = 0; i < gp->n_value_info; i++) {
    const Onnx__ValueInfoProto *vi = gp->value_info[i];
    if (!vi->name) continue;
    int t = lookup(m, vi->name);
    if (t < 0 || g->tensors[t]->data || ir_is_graph_input(g, t)) continue;
    ir_type ty;
    const char *params[IR_MAX_DIMS];
    if (type_from_value_info(vi, &ty, params, why, sizeof why)) continue; /* only a hint */
    g->tensors[t]->type = ty;
    set_dim_params(g->tensors[t], params);
  }
  return IR_OK;
}

/* How many of gp's initializers, typed values and Cast targets are float16, bfloat16 or float64
 * (read as float32), for the compile's note. */
static int count_wide_floats(const Onnx__GraphProto *gp) {
  int n = 0;
  for (size_t i = 0; i < gp->n_initializer; i++) n += gp->initializer[i]->has_data_type && wide_float_size(gp->initializer[i]->data_type);
  const Onnx__ValueInfoProto *const *vis[3] = {(const Onnx__ValueInfoProto *const *)gp->input,
                                               (const Onnx__ValueInfoProto *const *)gp->output,
                                               (const Onnx__ValueInfoProto *const *)gp->value_info};
  size_t nv[3] = {gp->n_input, gp->n_output, gp->n_value_info};
  for (int k = 0; k < 3; k++)
    for (size_t i = 0; i < nv[k]; i++) {
      const Onnx__TypeProto *t = vis[k][i]->type;
      n += t && t->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE && t->tensor_type &&
           wide_float_size(t->tensor_type->elem_type);
    }
  for (size_t i = 0; i < gp->n_node; i++) {
    const Onnx__NodeProto *np = gp->node[i];
    for (size_t a = 0; np->op_type && !strcmp(np->op_type, "Cast") && a < np->n_attribute; a++) {
      const Onnx__AttributeProto *ap = np->attribute[a];
      n += ap->name && !strcmp(ap->name, "to") && ap->i > 0 && ap->i < INT32_MAX && wide_float_size((int32_t)ap->i);
    }
  }
  return n;
}

static int build_graph(imp *m, const Onnx__ModelProto *mp, const onnx_import_opts *o) {
  const Onnx__GraphProto *gp = mp->graph;
  if (!gp) return util_err(m->err, m->errlen, "%s: model has no graph", m->src);
  int opset = -1;
  for (size_t i = 0; i < mp->n_opset_import; i++) {
    const Onnx__OperatorSetIdProto *os = mp->opset_import[i];
    if (!os->domain || !*os->domain || !strcmp(os->domain, "ai.onnx")) {
      if (!os->has_version) return util_err(m->err, m->errlen, "%s: the default-domain (ai.onnx) opset import has no version", m->src);
      opset = os->version < 0 ? 0 : os->version > 1000000 ? 1000000 : (int)os->version;
    }
  }
  if (opset < 0)
    return util_err(m->err, m->errlen, "%s: model imports no default-domain (ai.onnx) opset", m->src), IR_UNSUPPORTED;
  if (!(o && o->any_opset) && (opset < ONNX_MIN_OPSET || opset > ONNX_MAX_OPSET))
    return util_err(m->err, m->errlen, "%s: opset %d not supported (dlvta reads ONNX opsets %d to %d)", m->src, opset,
                    ONNX_MIN_OPSET, ONNX_MAX_OPSET),
           IR_UNSUPPORTED;
  ir_graph *g = m->g = ir_graph_new(gp->name);
  g->opset = opset;
  g->wide_floats = count_wide_floats(gp);
  g->source = malloc(strlen(m->src) + 1);
  if (g->source) strcpy(g->source, m->src);
  if (gp->n_sparse_initializer)
    return util_err(m->err, m->errlen, "%s: sparse initializers not supported", m->src), IR_UNSUPPORTED;

  /* name table */
  m->mp = mp;
  if (fn_expand(m, gp->node, gp->n_node, NULL, 0)) return IR_ERR;
  size_t names = gp->n_initializer + gp->n_input + gp->n_output + 16;
  for (size_t i = 0; i < m->nnodes; i++) names += m->nodes[i].np->n_output;
  m->nslot = 64;
  while (m->nslot < 2 * names) m->nslot *= 2;
  m->slot = malloc(m->nslot * sizeof(int));
  if (!m->slot) return util_err(m->err, m->errlen, "%s: out of memory", m->src);
  for (size_t i = 0; i < m->nslot; i++) m->slot[i] = -1;

  int rc = import_values(m, gp);
  if (rc == IR_OK) rc = import_nodes(m);
  if (rc == IR_OK) rc = import_outputs(m, gp);
  if (rc == IR_OK) rc = topo_sort(m);
  if (rc == IR_OK) rc = ir_upgrade_opset(g, m->err, m->errlen);
  if (rc == IR_OK) rc = ir_expand_contrib(g, m->err, m->errlen);
  if (rc) return rc;
  apply_quant_annotations(m, gp);
  return ir_verify(g, 0, m->err, m->errlen);
}

/* protobuf-c's allocations through malloc (the raw_data blocks become values' data, which
 * ir_value_free frees), large ones marked for transparent huge pages where the kernel has them:
 * a model's weight blocks are faulted in 2 MB at a time rather than 4 KB (import of a 500 MB
 * model: a third less CPU). The large raw_data blocks of the initializers come ready from a pool
 * (imp_pool): allocated and faulted in by every CPU before the unpack, which then only copies into
 * them (vit_b_16's 346 MB: its fault-in, new pages the kernel zeroes, was 80 % of the import). */
#define IMP_HUGE_BYTES ((size_t)4 << 20)
#define IMP_POOL_BYTES ((size_t)1 << 20) /* raw_data from this size comes from the pool */
#define IMP_POOL_MAX 4096
#define IMP_FAULT_THREADS 4

typedef struct imp_pool {
  void *blk[IMP_POOL_MAX]; /* [n] malloc'ed blocks, NULL once handed out */
  size_t len[IMP_POOL_MAX];
  int n, next; /* next: the first block not handed out (they go in file order) */
} imp_pool;

static void imp_advise(void *p, size_t size) {
#ifdef MADV_HUGEPAGE
  if (p && size >= IMP_HUGE_BYTES) {
    uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095, e = ((uintptr_t)p + size) & ~(uintptr_t)4095;
    if (e > a) (void)madvise((void *)a, e - a, MADV_HUGEPAGE); /* advice only: failure changes nothing */
  }
#else
  (void)p, (void)size;
#endif
}

/* A block of the pool of exactly size bytes (the next one, else the first such not handed
 * out), or malloc's. */
static void *imp_alloc(void *data, size_t size) {
  imp_pool *pl = data;
  if (pl && size >= IMP_POOL_BYTES)
    for (int k = 0; k < pl->n; k++) {
      int i = (pl->next + k) % pl->n;
      if (pl->blk[i] && pl->len[i] == size) {
        void *p = pl->blk[i];
        pl->blk[i] = NULL;
        if (i == pl->next) pl->next = (i + 1) % pl->n;
        return p;
      }
    }
  void *p = malloc(size ? size : 1);
  imp_advise(p, size);
  return p;
}

static void imp_free(void *data, void *p) {
  (void)data;
  free(p);
}

/* ---- the pool: the initializers' large raw_data sizes from the wire format ---- */

/* A varint at *p (< e); 0, or -1 past the end. */
static int pb_varint(const uint8_t **p, const uint8_t *e, uint64_t *v) {
  *v = 0;
  for (int sh = 0; sh < 64 && *p < e; sh += 7) {
    uint8_t b = *(*p)++;
    *v |= (uint64_t)(b & 0x7f) << sh;
    if (!(b & 0x80)) return 0;
  }
  return -1;
}

/* The fields of the message in [p, e): for each length-delimited field of number `want`, calls
 * fn(ctx, field bytes, length); the other fields skipped. -1 on a malformed or group field (the
 * unpack reports it). */
static int pb_fields(const uint8_t *p, const uint8_t *e, unsigned want, int (*fn)(void *, const uint8_t *, size_t),
                     void *ctx) {
  while (p < e) {
    uint64_t key, v;
    if (pb_varint(&p, e, &key)) return -1;
    switch (key & 7) {
    case 0:
      if (pb_varint(&p, e, &v)) return -1;
      break;
    case 1:
    case 5:
      if (e - p < ((key & 7) == 1 ? 8 : 4)) return -1;
      p += (key & 7) == 1 ? 8 : 4;
      break;
    case 2:
      if (pb_varint(&p, e, &v) || v > (uint64_t)(e - p)) return -1;
      if ((key >> 3) == want && fn(ctx, p, (size_t)v)) return -1;
      p += v;
      break;
    default: return -1;
    }
  }
  return 0;
}

static int pool_raw(void *ctx, const uint8_t *p, size_t n) { /* TensorProto.raw_data */
  imp_pool *pl = ctx;
  (void)p;
  if (n < IMP_POOL_BYTES || pl->n == IMP_POOL_MAX) return 0;
  pl->len[pl->n++] = n;
  return 0;
}
static int pool_init(void *ctx, const uint8_t *p, size_t n) { /* GraphProto.initializer */
  return pb_fields(p, p + n, 9, pool_raw, ctx);
}
static int pool_graph(void *ctx, const uint8_t *p, size_t n) { /* ModelProto.graph */
  return pb_fields(p, p + n, 5, pool_init, ctx);
}

typedef struct pool_fault {
  imp_pool *pl;
  int k, nt; /* this thread faults the pages k, k + nt, ... of every block */
} pool_fault;

static void *pool_fault_run(void *arg) {
  pool_fault *f = arg;
  for (int i = 0; i < f->pl->n; i++) {
    volatile char *b = f->pl->blk[i];
    size_t step = (size_t)2 << 20; /* a huge page, or 512 small pages, per turn */
    for (size_t o = (size_t)f->k * step; o < f->pl->len[i]; o += (size_t)f->nt * step)
      for (size_t q = o; q < o + step && q < f->pl->len[i]; q += 4096) b[q] = 0;
  }
  return NULL;
}

/* The pool for the model in buf: a block per large initializer raw_data, faulted in on up to
 * IMP_FAULT_THREADS threads (the online CPUs). An empty pool when the scan fails. */
static void pool_fill(imp_pool *pl, const void *buf, size_t len) {
  pl->n = pl->next = 0;
  if (pb_fields(buf, (const uint8_t *)buf + len, 7, pool_graph, pl)) pl->n = 0;
  for (int i = 0; i < pl->n; i++) {
    pl->blk[i] = malloc(pl->len[i]);
    imp_advise(pl->blk[i], pl->len[i]);
    if (!pl->blk[i]) pl->n = i;
  }
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  int nt = cpus < 1 ? 1 : cpus > IMP_FAULT_THREADS ? IMP_FAULT_THREADS : (int)cpus, k = 1;
  pool_fault f[IMP_FAULT_THREADS];
  pthread_t th[IMP_FAULT_THREADS];
  for (int t = 0; t < nt; t++) f[t] = (pool_fault){pl, t, nt};
  for (; k < nt && pl->n; k++)
    if (pthread_create(&th[k], NULL, pool_fault_run, &f[k])) break;
  for (int t = k; t < nt; t++) pool_fault_run(&f[t]); /* the threads not started: here */
  pool_fault_run(&f[0]);
  for (int t = 1; t < k; t++) pthread_join(th[t], NULL);
}

int onnx_import_buffer(const void *buf, size_t len, const char *name, const char *base_dir,
                       const onnx_import_opts *o, ir_graph **out, char *err, size_t errlen) {
  *out = NULL;
  imp m = {.src = name ? name : "<memory>", .base_dir = base_dir, .err = err, .errlen = errlen};
  imp_pool *pl = calloc(1, sizeof *pl);
  if (pl) pool_fill(pl, buf, len);
  ProtobufCAllocator al = {imp_alloc, imp_free, pl};
  Onnx__ModelProto *mp = onnx__model_proto__unpack(&al, len, buf);
  for (int i = 0; pl && i < pl->n; i++) free(pl->blk[i]); /* blocks the unpack did not take */
  free(pl);
  if (!mp)
    return util_err(err, errlen, "%s: not a valid ONNX model (protobuf decoding failed: truncated or corrupt file)",
                    m.src);
  int rc = build_graph(&m, mp, o);
  onnx__model_proto__free_unpacked(mp, &al);
  free(m.slot);
  for (size_t i = 0; i < m.nframes; i++) free(m.frames[i]->prefix), free(m.frames[i]);
  free(m.frames);
  free(m.nodes);
  if (rc) {
    ir_graph_free(m.g);
    return rc;
  }
  *out = m.g;
  return IR_OK;
}

/* The bytes of the regular file at path mapped read-only (*len bytes; munmap when done), or NULL
 * (not a non-empty regular file, or no mapping: the caller reads it). A mapping parses a large
 * model from the page cache without a copy of the file in a buffer. */
static void *map_file(const char *path, size_t *len) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return NULL;
  struct stat st;
  void *p = NULL;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && (uint64_t)st.st_size <= SIZE_MAX / 2) {
    p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) p = NULL;
    else *len = (size_t)st.st_size;
  }
  close(fd);
  return p;
}

int onnx_import_ex(const char *path, const onnx_import_opts *o, ir_graph **out, char *err, size_t errlen) {
  size_t len = 0;
  *out = NULL;
  char *map = map_file(path, &len), *buf = map ? map : util_read_file(path, &len);
  if (!buf) return util_err(err, errlen, "%s: cannot read: %s", path, strerror(errno));
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (slash)
    *slash = 0;
  else
    strcpy(dir, ".");
  int rc = onnx_import_buffer(buf, len, path, dir, o, out, err, errlen);
  if (map) munmap(map, len);
  else free(buf);
  return rc;
}

int onnx_import(const char *path, ir_graph **out, char *err, size_t errlen) {
  return onnx_import_ex(path, NULL, out, err, errlen);
}

int onnx_read_tensor(const char *path, ir_value *v, char *name, size_t namelen, char *err, size_t errlen) {
  size_t len;
  memset(v, 0, sizeof *v);
  char *buf = util_read_file(path, &len);
  if (!buf) return util_err(err, errlen, "%s: cannot read: %s", path, strerror(errno));
  Onnx__TensorProto *tp = onnx__tensor_proto__unpack(NULL, len, (const uint8_t *)buf);
  free(buf);
  if (!tp) return util_err(err, errlen, "%s: not a valid TensorProto (truncated or corrupt file)", path);
  char why[256];
  int rc = tensor_from_proto(tp, NULL, v, why, sizeof why);
  if (rc) util_err(err, errlen, "%s: %s", path, why);
  if (!rc && name && namelen) snprintf(name, namelen, "%s", tp->name ? tp->name : "");
  onnx__tensor_proto__free_unpacked(tp, NULL);
  return rc;
}
