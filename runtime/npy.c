/* runtime/npy.c -- reading and writing NumPy .npy files; see npy.h. The header is parsed as the
 * Python dict literal it is, strictly: descr, fortran_order and shape, nothing else. */
#include "npy.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

size_t npy_dtype_size(npy_dtype t) {
  static const size_t sz[] = {4, 1, 1, 4, 8};
  return sz[t];
}

void npy_free(npy_array *a) {
  free(a->data);
  memset(a, 0, sizeof *a);
}

const char *npy_shape_str(int ndim, const int64_t *shape, char *buf, size_t n) {
  strbuf sb;
  sb_init(&sb, buf, n);
  sb_printf(&sb, "(");
  for (int i = 0; i < ndim; i++) sb_printf(&sb, "%s%lld", i ? ", " : "", (long long)shape[i]);
  sb_printf(&sb, ndim == 1 ? ",)" : ")");
  return buf;
}

/* Find 'key': in the header dict and return a pointer just past the colon and blanks. */
static const char *dict_value(const char *h, const char *key) {
  char pat[32];
  snprintf(pat, sizeof pat, "'%s'", key);
  const char *p = strstr(h, pat);
  if (!p) return NULL;
  p += strlen(pat);
  while (*p == ' ') p++;
  if (*p != ':') return NULL;
  p++;
  while (*p == ' ') p++;
  return p;
}

/* IEEE half h as a float (subnormals, infinities and NaNs included). */
static float half_to_float(uint16_t h) {
  uint32_t sign = (uint32_t)(h >> 15) << 31, e = (h >> 10) & 31, m = h & 1023u, bits;
  if (e == 31) {
    bits = sign | 0x7f800000u | m << 13;
  } else if (e) {
    bits = sign | (e + 112) << 23 | m << 13;
  } else {
    float f = (float)m / 16777216.0f; /* m x 2^-24 */
    return sign ? -f : f;
  }
  float f;
  memcpy(&f, &bits, 4);
  return f;
}

/* n elements at src (little-endian float64 'd', float16 'h', big-endian float32 's') as floats. */
static void to_f32(char conv, const uint8_t *src, float *dst, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (conv == 'd') {
      double v;
      memcpy(&v, src + 8 * i, 8);
      dst[i] = (float)v;
    } else if (conv == 'h') {
      dst[i] = half_to_float((uint16_t)(src[2 * i] | src[2 * i + 1] << 8));
    } else {
      uint32_t bits = (uint32_t)src[4 * i] << 24 | (uint32_t)src[4 * i + 1] << 16 | (uint32_t)src[4 * i + 2] << 8 |
                      src[4 * i + 3];
      memcpy(dst + i, &bits, 4);
    }
  }
}

int npy_read(const char *path, npy_array *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  size_t len;
  uint8_t *b = (uint8_t *)util_read_file(path, &len);
  if (!b) return util_err(err, errlen, "%s: cannot read: %s", path, strerror(errno));
  int rc = -1;
  size_t hlen, hoff;
  if (len < 10 || memcmp(b, "\x93NUMPY", 6)) {
    util_err(err, errlen, "%s: not a .npy file (bad magic)", path);
    goto done;
  }
  if (b[6] == 1) {
    hlen = (size_t)b[8] | (size_t)b[9] << 8;
    hoff = 10;
  } else if ((b[6] == 2 || b[6] == 3) && len >= 12) {
    hlen = (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
    hoff = 12;
  } else {
    util_err(err, errlen, "%s: unsupported .npy version %u", path, b[6]);
    goto done;
  }
  if (hlen > len - hoff || hlen > 65536) {
    util_err(err, errlen, "%s: truncated .npy header", path);
    goto done;
  }
  char h[65537];
  memcpy(h, b + hoff, hlen);
  h[hlen] = 0;
  const char *d = dict_value(h, "descr"), *fo = dict_value(h, "fortran_order"),
             *sh = dict_value(h, "shape");
  if (!d || !fo || !sh) {
    util_err(err, errlen, "%s: malformed .npy header '%s'", path, h);
    goto done;
  }
  /* (float64, float16 and big-endian float32 files are read as float32: src the file's bytes per
   * element, conv how) */
  static const struct { const char *descr; npy_dtype t; size_t src; char conv; } types[] = {
      {"'<f4'", NPY_F32, 4, 0}, {"'|i1'", NPY_I8, 1, 0},   {"'|u1'", NPY_U8, 1, 0},  {"'<i4'", NPY_I32, 4, 0},
      {"'<i8'", NPY_I64, 8, 0}, {"'<f8'", NPY_F32, 8, 'd'}, {"'<f2'", NPY_F32, 2, 'h'}, {"'>f4'", NPY_F32, 4, 's'}};
  int found = -1;
  const char *descr = "";
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
    if (!strncmp(d, types[i].descr, strlen(types[i].descr))) {
      out->dtype = types[i].t;
      descr = types[i].descr;
      found = (int)i;
    }
  }
  if (found < 0) {
    const char *q = strchr(d + 1, '\'');
    util_err(err, errlen,
             "%s: unsupported dtype %.*s (want float32, float64, float16, int8, uint8, int32 or int64, little endian)",
             path, q ? (int)(q - d + 1) : 8, d);
    goto done;
  }
  if (strncmp(fo, "False", 5)) {
    util_err(err, errlen, "%s: Fortran-ordered arrays are not supported", path);
    goto done;
  }
  if (*sh != '(') {
    util_err(err, errlen, "%s: malformed shape in .npy header", path);
    goto done;
  }
  const char *p = sh + 1;
  /* at most 2^40 elements, and their bytes must fit this host's size_t (32-bit on the PYNQ) */
  const uint64_t max_count = (uint64_t)SIZE_MAX / 8 < (1ull << 40) ? (uint64_t)SIZE_MAX / 8 : (1ull << 40);
  uint64_t count = 1;
  for (;;) {
    while (*p == ' ' || *p == ',') p++;
    if (*p == ')') break;
    if (!isdigit((unsigned char)*p) || out->ndim == NPY_MAX_DIMS) {
      util_err(err, errlen, "%s: malformed or too many dimensions in shape", path);
      goto done;
    }
    char *end;
    long long v = strtoll(p, &end, 10);
    if (v < 0 || v > (1ll << 40)) {
      util_err(err, errlen, "%s: dimension %d is %.*s, more than an array may have (2^40)", path, out->ndim,
               (int)(end - p < 40 ? end - p : 40), p);
      goto done;
    }
    out->shape[out->ndim++] = v;
    if (v && count > max_count / (uint64_t)v) {
      char s[128];
      util_err(err, errlen, "%s: shape %s...: more than %llu elements, too large an array for this host", path,
               npy_shape_str(out->ndim, out->shape, s, sizeof s), (unsigned long long)max_count);
      goto done;
    }
    count *= (uint64_t)v;
    p = end;
  }
  size_t bytes = (size_t)count * types[found].src;
  if (len - hoff - hlen != bytes) {
    char s[128];
    util_err(err, errlen, "%s: data is %zu bytes, shape %s of %s needs %zu", path, len - hoff - hlen,
             npy_shape_str(out->ndim, out->shape, s, sizeof s), descr, bytes);
    goto done;
  }
  out->count = (size_t)count;
  out->data = malloc(count ? (size_t)count * npy_dtype_size(out->dtype) : 1);
  if (!out->data) {
    util_err(err, errlen, "%s: out of memory", path);
    goto done;
  }
  if (types[found].conv) to_f32(types[found].conv, b + hoff + hlen, out->data, out->count);
  else memcpy(out->data, b + hoff + hlen, bytes);
  rc = 0;
done:
  free(b);
  return rc;
}

int npy_write_f32(const char *path, const float *data, int ndim, const int64_t *shape, char *err,
                  size_t errlen) {
  char s[256], h[384];
  npy_shape_str(ndim, shape, s, sizeof s);
  int n = snprintf(h, sizeof h, "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }", s);
  int total = 10 + n + 1;
  int pad = (64 - total % 64) % 64;
  size_t count = 1;
  for (int i = 0; i < ndim; i++) count *= (size_t)shape[i];
  FILE *f = fopen(path, "wb");
  if (!f) return util_err(err, errlen, "%s: cannot create: %s", path, strerror(errno));
  uint16_t hl = (uint16_t)(n + pad + 1);
  fwrite("\x93NUMPY\x01\x00", 1, 8, f);
  fputc(hl & 0xff, f);
  fputc(hl >> 8, f);
  fwrite(h, 1, (size_t)n, f);
  for (int i = 0; i < pad; i++) fputc(' ', f);
  fputc('\n', f);
  fwrite(data, sizeof(float), count, f);
  int bad = ferror(f);
  if (fclose(f) || bad) return util_err(err, errlen, "%s: write failed", path);
  return 0;
}

float *npy_to_f32(const npy_array *a) {
  float *f = malloc((a->count ? a->count : 1) * sizeof *f);
  if (!f) return NULL;
  for (size_t i = 0; i < a->count; i++) {
    switch (a->dtype) {
    case NPY_F32: f[i] = ((const float *)a->data)[i]; break;
    case NPY_I8: f[i] = ((const int8_t *)a->data)[i]; break;
    case NPY_U8: f[i] = ((const uint8_t *)a->data)[i]; break;
    case NPY_I32: f[i] = (float)((const int32_t *)a->data)[i]; break;
    case NPY_I64: f[i] = (float)((const int64_t *)a->data)[i]; break;
    }
  }
  return f;
}
