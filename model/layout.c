/* model/layout.c -- the tensor layout of the accelerator image, the one contract between the back
 * end that places tensors (compiler/backend/cg.h, "activation layout") and the runtime that
 * packs inputs into it and unpacks outputs from it: placement, blocked and im2col packing. */
#include <string.h>

#include "package.h"

int cc_out_dim(int in, int k, int s, int d, int pad0, int pad1) {
  int span = d * (k - 1) + 1;
  if (s < 1 || in + pad0 + pad1 < span) return 0;
  return (in + pad0 + pad1 - span) / s + 1;
}

int cc_layout_shape(const cc_mtensor *t, int *sc, int *sh, int *sw) {
  if (t->c < 1 || t->h < 1 || t->w < 1) return -1;
  if (!t->im2col) {
    *sc = t->c, *sh = t->h, *sw = t->w;
  } else {
    const int *g = t->geo; /* kh kw sh sw dh dw pad_t pad_l pad_b pad_r x_zp */
    for (int k = 0; k < 6; k++)
      if (g[k] < 1) return -1;
    *sc = t->c * g[0] * g[1];
    *sh = cc_out_dim(t->h, g[0], g[2], g[4], g[6], g[8]);
    *sw = cc_out_dim(t->w, g[1], g[3], g[5], g[7], g[9]);
  }
  return *sc >= 1 && *sh >= 1 && *sw >= 1 && *sh <= 65535 && *sw <= 65535 ? 0 : -1;
}

int cc_layout_place(cc_mtensor *t, unsigned block, uint64_t *arena) {
  int c, h, w;
  if (block < 1 || cc_layout_shape(t, &c, &h, &w) != 0) return -1;
  uint64_t cb = ((uint64_t)c + block - 1) / block;
  t->offset = (*arena + CC_TENSOR_ALIGN - 1) / CC_TENSOR_ALIGN * CC_TENSOR_ALIGN;
  t->bytes = cb * (uint64_t)h * (uint64_t)w * block;
  *arena = t->offset + t->bytes;
  return 0;
}

int cc_layout_pack(const cc_mtensor *T, unsigned B, const int8_t *chw, uint8_t *image) {
  int sc, sh, sw;
  if (!chw || !image || B < 1 || cc_layout_shape(T, &sc, &sh, &sw) != 0) return -1;
  memset(image + T->offset, 0, T->bytes);
  /* Element (c, y, x) goes to image[offset + ((c / B * sh + y) * sw + x) * B + c % B]. This runs
   * on the board's CPU for every input (the first conv's im2col: 1.8 M elements for ResNet-18),
   * so the index arithmetic is hoisted out of the inner loop. */
  const int *g = T->geo; /* kh kw sh sw dh dw pad_t pad_l pad_b pad_r x_zp */
  for (int c = 0; c < sc; c++) {
    uint8_t *dst = image + T->offset + (uint64_t)(c / (int)B) * (uint64_t)sh * (uint64_t)sw * B + (unsigned)c % B;
    if (!T->im2col) {
      const int8_t *src = chw + (size_t)c * sh * sw;
      for (size_t i = 0; i < (size_t)sh * sw; i++) dst[i * B] = (uint8_t)src[i];
      continue;
    }
    int ci = c / (g[0] * g[1]), ky = c / g[1] % g[0], kx = c % g[1];
    for (int y = 0; y < sh; y++, dst += (size_t)sw * B) {
      int iy = y * g[2] - g[6] + ky * g[4];
      if (iy < 0 || iy >= T->h) {
        for (int x = 0; x < sw; x++) dst[(size_t)x * B] = (uint8_t)(int8_t)g[10];
        continue;
      }
      const int8_t *row = chw + ((size_t)ci * T->h + iy) * T->w;
      for (int x = 0, ix = kx * g[5] - g[7]; x < sw; x++, ix += g[3])
        dst[(size_t)x * B] = (uint8_t)(ix < 0 || ix >= T->w ? (int8_t)g[10] : row[ix]);
    }
  }
  return 0;
}

int cc_layout_unpack(const cc_mtensor *T, unsigned B, const uint8_t *image, int8_t *chw) {
  if (!chw || !image || B < 1 || T->im2col || T->c < 1 || T->h < 1 || T->w < 1) return -1;
  for (int c = 0; c < T->c; c++)
    for (int y = 0; y < T->h; y++)
      for (int x = 0; x < T->w; x++)
        chw[((size_t)c * T->h + y) * T->w + x] =
            (int8_t)image[T->offset + (((uint64_t)(c / (int)B) * T->h + y) * T->w + x) * B + (unsigned)c % B];
  return 0;
}
