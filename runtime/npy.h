/* runtime/npy.h -- NumPy .npy files (format 1.0/2.0/3.0) of float32, int8, uint8, int32 or int64,
 * little endian, C order: what `dlvta run` reads inputs from and writes outputs to (float64,
 * float16 and big-endian float32 files are read as float32). */
#ifndef DLVTA_NPY_H
#define DLVTA_NPY_H

#include <stddef.h>
#include <stdint.h>

#define NPY_MAX_DIMS 8

typedef enum npy_dtype { NPY_F32, NPY_I8, NPY_U8, NPY_I32, NPY_I64 } npy_dtype;

typedef struct npy_array {
  npy_dtype dtype;
  int ndim;
  int64_t shape[NPY_MAX_DIMS];
  size_t count;  /* product of shape */
  void *data;    /* count elements of dtype, malloc'ed */
} npy_array;

/* Read a .npy file (float64 / float16 / big-endian float32 converted: dtype NPY_F32). Returns 0,
 * or -1 with "path: reason" in err. */
int npy_read(const char *path, npy_array *out, char *err, size_t errlen);
/* Write a float32 array of the given shape. Returns 0 or -1 with a message. */
int npy_write_f32(const char *path, const float *data, int ndim, const int64_t *shape, char *err,
                  size_t errlen);
/* Convert any dtype to a newly allocated float32 copy (NULL if out of memory). */
float *npy_to_f32(const npy_array *a);
void npy_free(npy_array *a);
size_t npy_dtype_size(npy_dtype t);
/* "(1, 3, 224, 224)" into buf. */
const char *npy_shape_str(int ndim, const int64_t *shape, char *buf, size_t n);

#endif
