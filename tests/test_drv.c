/* tests/test_drv.c -- the device contract on the fsim backend: open errors, buffer allocation
 * (alignment, distinct ranges, guard gaps), bounds-checked copies, run argument checks, a whole
 * program through drv_run_prog with its output checked, repeated runs on one handle giving the
 * same result (VTA's tvm#5003), and a failing program reported with its instruction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlvta_drv.h"
#include "testutil.h"
#include "util.h"

static void test_open(void) {
  drv_dev *dev = (drv_dev *)1;
  CHECK(drv_open("nosuch", "pynq", NULL, &dev) == DRV_E_BACKEND && dev == NULL, "unknown backend");
  CHECK(strstr(drv_open_error(), "unknown backend 'nosuch'"), "message: %s", drv_open_error());
  CHECK(drv_open("fsim", "nosuch", NULL, &dev) == DRV_E_CONFIG, "unknown config");
  CHECK(strstr(drv_open_error(), "unknown config 'nosuch'"), "message: %s", drv_open_error());
  CHECK(drv_open("fsim", "tiny", "bogus=1", &dev) == DRV_E_ARG, "fsim rejects options");
  CHECK(drv_open(NULL, "tiny", NULL, &dev) == DRV_E_ARG, "NULL backend");
  CHECK(drv_open("fsim", "tiny", NULL, NULL) == DRV_E_ARG, "NULL out");
  CHECK(strstr(drv_backend_names(), "fsim") != NULL, "backend names list fsim");
}

static void test_buffers(void) {
  drv_dev *dev;
  CHECK(drv_open("fsim", "tiny", NULL, &dev) == DRV_OK, "open fsim tiny");
  if (!dev) return;
  CHECK(!strcmp(drv_backend_name(dev), "fsim") && drv_config(dev) == isa_config_find("tiny"), "names");
  drv_buf *b[8];
  for (int i = 0; i < 8; i++) {
    CHECK(drv_alloc(dev, (size_t)(1 + i * 5000), &b[i]) == DRV_OK, "alloc %d", i);
    CHECK(drv_buf_addr(b[i]) % ISA_IMAGE_ALIGN == 0, "aligned");
    CHECK(drv_buf_size(b[i]) == (size_t)(1 + i * 5000), "size");
  }
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 8; j++)
      if (i != j) {
        uint64_t ai = drv_buf_addr(b[i]), aj = drv_buf_addr(b[j]);
        CHECK(ai + drv_buf_size(b[i]) + ISA_IMAGE_ALIGN <= aj || aj + drv_buf_size(b[j]) + ISA_IMAGE_ALIGN <= ai,
              "buffers %d and %d overlap or touch", i, j);
      }
  drv_buf *z = (drv_buf *)1;
  CHECK(drv_alloc(dev, 0, &z) == DRV_E_ARG && z == NULL, "zero-size alloc");
  uint8_t data[64], back[64];
  for (int i = 0; i < 64; i++) data[i] = (uint8_t)(i * 7);
  CHECK(drv_write(dev, b[3], 100, data, 64) == DRV_OK, "write");
  CHECK(drv_read(dev, b[3], 100, back, 64) == DRV_OK && !memcmp(data, back, 64), "read back");
  CHECK(drv_write(dev, b[0], 0, data, 2) == DRV_E_ARG, "write past a 1-byte buffer");
  CHECK(drv_read(dev, b[1], 5000, back, 2) == DRV_E_ARG, "read past the end");
  CHECK(drv_read(dev, b[1], (size_t)-1, back, 2) == DRV_E_ARG, "offset overflow");
  CHECK(drv_run(dev, b[3], 8, 1, 0) == DRV_E_ARG, "unaligned instruction offset");
  CHECK(drv_run(dev, b[0], 0, 1, 0) == DRV_E_ARG, "instructions past the buffer");
  uint64_t a2 = drv_buf_addr(b[2]);
  drv_free(dev, b[2]);
  drv_buf *again;
  CHECK(drv_alloc(dev, 5001, &again) == DRV_OK && drv_buf_addr(again) == a2, "freed range reused");
  drv_close(dev); /* frees the remaining buffers */
}

static void test_program(void) {
  size_t len;
  char *text = util_read_file("examples/matvec_pynq.s", &len);
  char *want = util_read_file("examples/matvec_pynq.expected", &len);
  CHECK(text && want, "example files present");
  if (!text || !want) return;
  isa_prog p;
  char err[512];
  int rc = isa_assemble(text, "examples/matvec_pynq.s", NULL, &p, err, sizeof err);
  CHECK(rc == 0, "assemble example: %s", err);
  if (rc) return;
  drv_dev *dev;
  CHECK(drv_open("fsim", "pynq", NULL, &dev) == DRV_OK, "open fsim pynq");
  uint8_t *img = malloc(p.image_bytes), *first = malloc(p.image_bytes);
  for (int run = 0; run < 3; run++) {
    rc = drv_run_prog(dev, &p, img, 1000);
    CHECK(rc == DRV_OK, "run %d: %s %s", run, drv_strerror(rc), drv_last_error(dev)->message);
    if (rc) break;
    char got[256];
    strbuf sb;
    sb_init(&sb, got, sizeof got);
    for (int i = 0; i < 32; i++) sb_printf(&sb, "%s%d", i ? " " : "", (int8_t)img[0x1c00 + i]);
    sb_printf(&sb, "\n");
    CHECK(!strcmp(got, want), "run %d output\n got  %s want %s", run, got, want);
    if (run == 0) memcpy(first, img, p.image_bytes);
    CHECK(!memcmp(first, img, p.image_bytes), "run %d: same image as run 0", run);
    drv_counters c;
    drv_counters_read(dev, &c);
    CHECK(c.macs == 2 * 4 * 256, "macs %llu", (unsigned long long)c.macs);
    CHECK(c.insns[ISA_OP_GEMM] == 2 && c.insns[ISA_OP_STORE] == 1 && c.cycles > 0, "counters");
  }
  /* a program for another config is refused */
  drv_dev *tiny;
  CHECK(drv_open("fsim", "tiny", NULL, &tiny) == DRV_OK, "open tiny");
  CHECK(drv_run_prog(tiny, &p, img, 1000) == DRV_E_CONFIG, "config mismatch refused");
  drv_close(tiny);
  /* an out-of-range STORE is reported with its instruction */
  char *bad = malloc(strlen(text) + 64);
  const char *st = strstr(text, "store out sram=0 dram=448");
  sprintf(bad, "%.*sstore out sram=0 dram=99999%s", (int)(st - text), text,
          st + strlen("store out sram=0 dram=448"));
  isa_prog q;
  rc = isa_assemble(bad, "bad.s", NULL, &q, err, sizeof err);
  CHECK(rc == 0, "assemble bad: %s", err);
  if (!rc) {
    uint8_t *img2 = malloc(q.image_bytes);
    rc = drv_run_prog(dev, &q, img2, 1000);
    const drv_error *e = drv_last_error(dev);
    CHECK(rc == DRV_E_EXEC && e->kind == DRV_ERR_DRAM_RANGE && e->insn_index == 7,
          "out-of-range store: rc %d kind %d insn %lld", rc, e->kind, (long long)e->insn_index);
    CHECK(strstr(e->message, "store") != NULL, "message names the store: %s", e->message);
    free(img2);
    isa_prog_free(&q);
  }
  free(bad);
  drv_close(dev);
  free(img);
  free(first);
  free(text);
  free(want);
  isa_prog_free(&p);
}

int main(void) {
  test_open();
  test_buffers();
  test_program();
  return TEST_END();
}
