/* tests/test_npy.c -- .npy reading and writing: round trip, every dtype (float64, float16 and
 * big-endian float32 read as float32), and malformed files (bad magic, truncated data, Fortran
 * order, unsupported dtype) giving clear errors. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "npy.h"
#include "testutil.h"

static char path[64];

static void write_raw(const char *header, const void *data, size_t n) {
  FILE *f = fopen(path, "wb");
  size_t hl = strlen(header);
  fwrite("\x93NUMPY\x01\x00", 1, 8, f);
  fputc((int)(hl & 0xff), f);
  fputc((int)(hl >> 8), f);
  fwrite(header, 1, hl, f);
  fwrite(data, 1, n, f);
  fclose(f);
}

static void expect_error(const char *what, const char *want) {
  npy_array a;
  char err[512] = "";
  int rc = npy_read(path, &a, err, sizeof err);
  CHECK(rc == -1 && strstr(err, want), "%s: want error containing '%s', got rc=%d '%s'", what, want,
        rc, err);
  if (!rc) npy_free(&a);
}

int main(void) {
  strcpy(path, "/tmp/dlvta_test_npy_XXXXXX");
  int fd = mkstemp(path);
  close(fd);
  char err[512];

  float v[2 * 3 * 4];
  for (int i = 0; i < 24; i++) v[i] = (float)i * 0.5f - 3.0f;
  int64_t shape[3] = {2, 3, 4};
  CHECK(npy_write_f32(path, v, 3, shape, err, sizeof err) == 0, "write: %s", err);
  npy_array a;
  int rc = npy_read(path, &a, err, sizeof err);
  CHECK(rc == 0, "read back: %s", err);
  if (!rc) {
    CHECK(a.dtype == NPY_F32 && a.ndim == 3 && a.shape[0] == 2 && a.shape[1] == 3 && a.shape[2] == 4,
          "shape read back");
    CHECK(a.count == 24 && !memcmp(a.data, v, sizeof v), "data read back");
    npy_free(&a);
  }
  FILE *f = fopen(path, "rb");
  char head[16];
  CHECK(fread(head, 1, 10, f) == 10, "header");
  fclose(f);
  CHECK(((unsigned char)head[8] + 10) % 64 == 0, "header padded to 64 bytes");

  int8_t i8[5] = {-128, -1, 0, 1, 127};
  write_raw("{'descr': '|i1', 'fortran_order': False, 'shape': (5,), }\n", i8, 5);
  rc = npy_read(path, &a, err, sizeof err);
  CHECK(rc == 0 && a.dtype == NPY_I8 && a.ndim == 1 && a.count == 5, "int8 1-D: %s", err);
  if (!rc) {
    float *fl = npy_to_f32(&a);
    CHECK(fl[0] == -128.0f && fl[4] == 127.0f, "int8 to float");
    free(fl);
    npy_free(&a);
  }
  int64_t i64[2] = {7, -9};
  write_raw("{'descr': '<i8', 'fortran_order': False, 'shape': (1, 2), }\n", i64, 16);
  rc = npy_read(path, &a, err, sizeof err);
  CHECK(rc == 0 && a.dtype == NPY_I64 && ((int64_t *)a.data)[1] == -9, "int64: %s", err);
  if (!rc) npy_free(&a);
  write_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (), }\n", v, 4);
  rc = npy_read(path, &a, err, sizeof err);
  CHECK(rc == 0 && a.ndim == 0 && a.count == 1, "scalar: %s", err);
  if (!rc) npy_free(&a);

  write_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n", v, 20);
  expect_error("short data", "data is 20 bytes, shape (2, 3) of '<f4' needs 24");
  write_raw("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }\n", v, 24);
  expect_error("fortran", "Fortran");
  /* float64, float16 and big-endian float32 are read as float32 */
  double f64[3] = {-1.5, 1e-3, 3.0e38};
  write_raw("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }\n", f64, 24);
  rc = npy_read(path, &a, err, sizeof err);
  CHECK(rc == 0 && a.dtype == NPY_F32 && a.count == 3 && ((float *)a.data)[0] == -1.5f &&
            ((float *)a.data)[1] == 1e-3f && ((float *)a.data)[2] == 3.0e38f,
        "float64 read as float32: %s", err);
  if (!rc) npy_free(&a);
  /* half: 1.0, -2.5, 65504 (largest), 2^-24 (smallest subnormal), +inf, NaN */
  uint8_t f16[12] = {0x00, 0x3c, 0x00, 0xc1, 0xff, 0x7b, 0x01, 0x00, 0x00, 0x7c, 0x00, 0x7e};
  write_raw("{'descr': '<f2', 'fortran_order': False, 'shape': (6,), }\n", f16, 12);
  rc = npy_read(path, &a, err, sizeof err);
  if (!rc) {
    const float *h = a.data;
    CHECK(a.dtype == NPY_F32 && h[0] == 1.0f && h[1] == -2.5f && h[2] == 65504.0f && h[3] == 5.9604645e-8f &&
              h[4] > 3e38f && h[5] != h[5],
          "float16 read as float32: %g %g %g %g %g %g", h[0], h[1], h[2], h[3], h[4], h[5]);
    npy_free(&a);
  } else {
    CHECK(0, "float16: %s", err);
  }
  uint8_t be[8] = {0x3f, 0xc0, 0x00, 0x00, 0xc0, 0x20, 0x00, 0x00}; /* 1.5, -2.5 */
  write_raw("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }\n", be, 8);
  rc = npy_read(path, &a, err, sizeof err);
  CHECK(rc == 0 && ((float *)a.data)[0] == 1.5f && ((float *)a.data)[1] == -2.5f, "big-endian float32: %s", err);
  if (!rc) npy_free(&a);
  write_raw("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }\n", f64, 20);
  expect_error("short float64 data", "data is 20 bytes, shape (3,) of '<f8' needs 24");
  write_raw("{'descr': '<c8', 'fortran_order': False, 'shape': (3,), }\n", v, 24);
  expect_error("complex64", "unsupported dtype '<c8'");
  write_raw("{'descr': '<f4', 'shape': (3,), }\n", v, 12);
  expect_error("missing key", "malformed .npy header");
  write_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (3, x), }\n", v, 12);
  expect_error("bad shape", "malformed or too many dimensions");
  f = fopen(path, "wb");
  fputs("PK\x03\x04 not numpy", f);
  fclose(f);
  expect_error("magic", "bad magic");
  f = fopen(path, "wb");
  fwrite("\x93NUMPY\x01\x00\xff\x00{'descr'", 1, 17, f);
  fclose(f);
  expect_error("truncated header", "truncated");
  unlink(path);
  expect_error("missing file", "cannot read");
  return TEST_END();
}
