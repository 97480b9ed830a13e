/* tests/test_isa.c -- libisa: encode/decode round trips of every field with extremes and random
 * values on every config, disassemble->assemble giving the same bits, decode errors, assembler
 * errors with locations, program files (round trip and corrupt files), relocation. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isa.h"
#include "testutil.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void) {
  return tu_xorshift64(&rng_state);
}

/* A random valid instruction of opcode op: fields random, flags/enums legal for its unit. */
static void random_insn(const isa_config *c, int op, isa_insn *in, int extreme) {
  memset(in, 0, sizeof *in);
  in->f[ISA_F_opcode] = (uint32_t)op;
  unsigned g = isa_op_groups(op);
  for (int f = 0; f < ISA_F_COUNT; f++) {
    if (f == ISA_F_opcode || !(g & (1u << isa_field_group(f)))) continue;
    unsigned w = c->fwidth[f];
    uint32_t max = w >= 32 ? 0xffffffffu : (1u << w) - 1;
    uint32_t v = extreme == 1 ? max : extreme == 2 ? 0 : (uint32_t)rnd() & max;
    in->f[f] = v;
  }
  if (g & (1u << ISA_GROUP_MEM)) {
    in->f[ISA_F_mem] = op == ISA_OP_STORE ? ISA_MEM_OUT : (uint32_t)(rnd() % 6);
    if (in->f[ISA_F_mem] == ISA_MEM_OUT && op == ISA_OP_LOAD) in->f[ISA_F_mem] = ISA_MEM_ACC8;
    if (op == ISA_OP_STORE)
      in->f[ISA_F_y_pad0] = in->f[ISA_F_y_pad1] = in->f[ISA_F_x_pad0] = in->f[ISA_F_x_pad1] =
          in->f[ISA_F_pad_value] = 0;
    if (in->f[ISA_F_mem] == ISA_MEM_WGT) in->f[ISA_F_pad_value] = 0; /* WGT pads are zeros */
  }
  if (g & (1u << ISA_GROUP_ALU)) in->f[ISA_F_alu_op] = (uint32_t)(rnd() % ISA_ALU_COUNT);
  if (op == ISA_OP_DWGEMM) in->f[ISA_F_taps] = 1 + (uint32_t)(rnd() % c->d.dw_taps);
  int unit = isa_insn_unit(in);
  if (unit == ISA_UNIT_LOAD) in->f[ISA_F_pop_prev] = in->f[ISA_F_push_prev] = 0;
  if (unit == ISA_UNIT_STORE) in->f[ISA_F_pop_next] = in->f[ISA_F_push_next] = 0;
}

static void test_roundtrip(const isa_config *c) {
  int bad = 0, bad_asm = 0;
  for (int iter = 0; iter < 3000; iter++) {
    int op = (int)(rnd() % ISA_OP_COUNT);
    isa_insn in, out;
    random_insn(c, op, &in, iter < 15 ? iter % 3 : 0);
    isa_word w;
    int f = -1;
    int rc = isa_encode(c, &in, &w, &f);
    if (rc != ISA_OK) {
      CHECK(rc == ISA_OK, "%s: encode of random %s failed: %s (field %s)", c->d.name,
            isa_op_name(op), isa_strerror(rc), f >= 0 ? isa_field_name(f) : "?");
      continue;
    }
    rc = isa_decode(c, &w, &out);
    if (rc != ISA_OK || memcmp(&in, &out, sizeof in)) {
      if (bad++ < 5)
        CHECK(0, "%s: decode(encode(%s)) differs (rc %d)", c->d.name, isa_op_name(op), rc);
      continue;
    }
    /* every field reads back through isa_get */
    for (int k = 0; k < ISA_F_COUNT; k++)
      if (isa_op_groups(op) & (1u << isa_field_group(k)))
        if (isa_get(c, &w, k) != in.f[k] && bad++ < 5)
          CHECK(0, "%s: isa_get(%s) = %u, want %u", c->d.name, isa_field_name(k),
                isa_get(c, &w, k), in.f[k]);
    /* disassemble, assemble: same bits */
    char line[512], text[700], err[256];
    isa_disasm(c, &w, line, sizeof line);
    snprintf(text, sizeof text, ".config %s\n%s\n", c->d.name, line);
    isa_prog p;
    if (isa_assemble(text, "rt.s", NULL, &p, err, sizeof err)) {
      if (bad_asm++ < 5) CHECK(0, "%s: reassembly of '%s' failed: %s", c->d.name, line, err);
      continue;
    }
    if ((p.n_insns != 1 || p.insns[0].w[0] != w.w[0] || p.insns[0].w[1] != w.w[1]) && bad_asm++ < 5)
      CHECK(0, "%s: '%s' reassembles to different bits", c->d.name, line);
    isa_prog_free(&p);
  }
  CHECK(bad == 0, "%s: %d encode/decode mismatches", c->d.name, bad);
  CHECK(bad_asm == 0, "%s: %d disasm/asm mismatches", c->d.name, bad_asm);

  /* random raw words (mostly illegal) still round-trip through .insn */
  int bad_raw = 0;
  for (int iter = 0; iter < 2000; iter++) {
    isa_word w = {{rnd(), rnd() >> (rnd() % 64)}};
    char line[512], text[700], err[256];
    isa_disasm(c, &w, line, sizeof line);
    snprintf(text, sizeof text, ".config %s\n%s\n", c->d.name, line);
    isa_prog p;
    if (isa_assemble(text, "raw.s", NULL, &p, err, sizeof err)) {
      if (bad_raw++ < 3) CHECK(0, "raw '%s' does not assemble: %s", line, err);
      continue;
    }
    if (p.insns[0].w[0] != w.w[0] || p.insns[0].w[1] != w.w[1]) bad_raw++;
    isa_prog_free(&p);
  }
  CHECK(bad_raw == 0, "%s: %d raw words did not round-trip", c->d.name, bad_raw);
}

static void test_layout(const isa_config *c) {
  /* fields of each opcode are disjoint, contiguous from bit 0, and within 128 bits */
  for (int op = 0; op < ISA_OP_COUNT; op++) {
    uint8_t used[ISA_INSN_BITS] = {0};
    unsigned top = 0;
    int overlap = 0;
    for (int f = 0; f < ISA_F_COUNT; f++) {
      if (!(isa_op_groups(op) & (1u << isa_field_group(f)))) continue;
      for (unsigned b = c->fpos[f]; b < c->fpos[f] + c->fwidth[f]; b++) {
        if (b >= ISA_INSN_BITS || used[b]++) overlap = 1;
        if (b + 1 > top) top = b + 1;
      }
    }
    CHECK(!overlap, "%s: fields of %s overlap or pass bit 127", c->d.name, isa_op_name(op));
    CHECK(top == c->insn_used_bits[op], "%s: %s uses %u bits, layout says %u", c->d.name,
          isa_op_name(op), top, c->insn_used_bits[op]);
  }
  /* micro-ops */
  for (int i = 0; i < 200; i++) {
    uint32_t a = (uint32_t)rnd() & ((1u << c->fwidth[ISA_F_u_acc]) - 1);
    uint32_t s = (uint32_t)rnd() & ((1u << c->fwidth[ISA_F_u_src]) - 1);
    uint32_t w = (uint32_t)rnd() & ((1u << c->fwidth[ISA_F_u_wgt]) - 1);
    if (i == 0) a = s = w = 0;
    if (i == 1) {
      a = (1u << c->fwidth[ISA_F_u_acc]) - 1;
      s = (1u << c->fwidth[ISA_F_u_src]) - 1;
      w = (1u << c->fwidth[ISA_F_u_wgt]) - 1;
    }
    uint32_t ra, rs, rw;
    isa_uop_fields(c, isa_uop(c, a, s, w), &ra, &rs, &rw);
    if (ra != a || rs != s || rw != w) {
      CHECK(0, "%s: uop (%u,%u,%u) reads back (%u,%u,%u)", c->d.name, a, s, w, ra, rs, rw);
      break;
    }
  }
  CHECK(c->d.inp_depth * c->elem_bytes[ISA_MEM_INP] == c->d.inp_bytes, "inp depth");
  CHECK(c->d.acc_depth * c->elem_bytes[ISA_MEM_ACC] == c->d.acc_bytes, "acc depth");
}

/* The decoder's verdict on in: in encoded (the encoder writes the fields whatever their
 * semantics) and decoded back into in. */
static int redecode(const isa_config *c, isa_insn *in) {
  isa_word w;
  isa_encode(c, in, &w, NULL);
  return isa_decode(c, &w, in);
}

static void test_decode_errors(const isa_config *c) {
  isa_insn in;
  isa_word w = {{0, 0}};
  isa_set(c, &w, ISA_F_opcode, 7);
  CHECK(isa_decode(c, &w, &in) == ISA_E_OPCODE, "opcode 7 is illegal");
  char line[256];
  isa_disasm(c, &w, line, sizeof line);
  CHECK(strstr(line, ".insn") && strstr(line, "illegal opcode"), "disasm of opcode 7: '%s'", line);

  w = (isa_word){{ISA_OP_FINISH, 0}};
  CHECK(isa_decode(c, &w, &in) == ISA_OK, "FINISH decodes");
  w.w[1] = 1ull << 63;
  CHECK(isa_decode(c, &w, &in) == ISA_E_RESERVED, "FINISH with bit 127 set");
  w = (isa_word){{ISA_OP_FINISH | (1ull << 40), 0}};
  CHECK(isa_decode(c, &w, &in) == ISA_E_RESERVED, "FINISH with bit 40 set");

  random_insn(c, ISA_OP_LOAD, &in, 2);
  in.f[ISA_F_mem] = ISA_MEM_OUT;
  CHECK(redecode(c, &in) == ISA_E_MEM, "LOAD of OUT is illegal");
  in.f[ISA_F_mem] = 7;
  CHECK(redecode(c, &in) == ISA_E_MEM, "mem 7 is illegal");

  random_insn(c, ISA_OP_STORE, &in, 2);
  in.f[ISA_F_mem] = ISA_MEM_INP;
  CHECK(redecode(c, &in) == ISA_E_MEM, "STORE of INP is illegal");
  random_insn(c, ISA_OP_STORE, &in, 2);
  in.f[ISA_F_x_pad0] = 1;
  CHECK(redecode(c, &in) == ISA_E_PAD, "STORE with padding is illegal");
  random_insn(c, ISA_OP_LOAD, &in, 2);
  in.f[ISA_F_mem] = ISA_MEM_WGT;
  in.f[ISA_F_x_pad0] = 1;
  CHECK(redecode(c, &in) == ISA_OK, "WGT LOAD with zero padding is legal");
  in.f[ISA_F_pad_value] = 0x80;
  CHECK(redecode(c, &in) == ISA_E_PAD, "WGT LOAD with pad_value -128 is illegal");
  in.f[ISA_F_mem] = ISA_MEM_INP;
  CHECK(redecode(c, &in) == ISA_OK, "INP LOAD with pad_value -128 is legal");
  random_insn(c, ISA_OP_STORE, &in, 2);
  in.f[ISA_F_push_next] = 1;
  CHECK(redecode(c, &in) == ISA_E_TOKEN, "STORE with push_next is illegal");

  random_insn(c, ISA_OP_LOAD, &in, 2);
  in.f[ISA_F_mem] = ISA_MEM_INP;
  in.f[ISA_F_pop_prev] = 1;
  CHECK(redecode(c, &in) == ISA_E_TOKEN, "load-unit LOAD with pop_prev is illegal");
  in.f[ISA_F_pop_prev] = 0;
  in.f[ISA_F_mem] = ISA_MEM_ACC; /* compute unit: prev is fine */
  in.f[ISA_F_pop_prev] = 1;
  CHECK(redecode(c, &in) == ISA_OK, "compute-unit LOAD ACC may pop_prev");

  random_insn(c, ISA_OP_ALU, &in, 2);
  in.f[ISA_F_alu_op] = 15;
  CHECK(redecode(c, &in) == ISA_E_ALUOP, "ALU op 15 is illegal");

  /* encode range errors */
  random_insn(c, ISA_OP_GEMM, &in, 2);
  in.f[ISA_F_uop_begin] = c->d.uop_depth; /* one past the field's range */
  int bad = -1;
  CHECK(isa_encode(c, &in, &w, &bad) == ISA_E_RANGE && bad == ISA_F_uop_begin,
        "uop_begin = depth does not encode (bad field %d)", bad);
}

static void expect_asm_error(const char *text, const char *want) {
  char err[512];
  isa_prog p;
  int rc = isa_assemble(text, "bad.s", NULL, &p, err, sizeof err);
  CHECK(rc == -1 && strstr(err, want), "assembling '%.40s...' should fail with '%s', got '%s'", text,
        want, rc ? err : "success");
  if (!rc) isa_prog_free(&p);
}

static void test_asm_errors(void) {
  expect_asm_error("load inp sram=0\n", "bad.s:1: no .config");
  expect_asm_error(".config nosuch\n", "bad.s:1: unknown config 'nosuch'");
  expect_asm_error(".config tiny\n\nfrobnicate x=1\n", "bad.s:3: unknown mnemonic 'frobnicate'");
  expect_asm_error(".config tiny\ngemm acc_out=1 nosuch=2\n", "bad.s:2: gemm has no field 'nosuch'");
  expect_asm_error(".config tiny\ngemm uop_end=999999\n", "bad.s:2: field uop_end=999999 out of range");
  expect_asm_error(".config tiny\nalu frob\n", "bad.s:2: unknown operand 'frob'");
  expect_asm_error(".config tiny\nalu add imm=40000\n", "out of range");
  expect_asm_error(".config tiny\nalu add imm=12x\n", "bad value '12x'");
  expect_asm_error(".config tiny\nload out sram=0\n", "invalid instruction: illegal memory");
  expect_asm_error(".config tiny\nstore out x_pad0=1\n", "STORE with padding");
  expect_asm_error(".config tiny\nload wgt x_pad0=1 pad_value=3\n", "WGT LOAD with a pad value");
  expect_asm_error(".config tiny\nload inp pop_prev\n", "token flag");
  expect_asm_error(".config tiny\n.byte 300\n", "bad .byte value '300'");
  expect_asm_error(".config tiny\n.frob\n", "unknown directive '.frob'");
  expect_asm_error(".config tiny\n.insn 1\n", ".insn takes two");
  expect_asm_error(".config tiny\n.uop acc=999\n", "micro-op field acc=999 out of range");
  expect_asm_error(".config tiny\n.align 3\n", "power of two");
}

static void test_prog_files(void) {
  const char *text =
      ".config tiny\n"
      ".org 0\n.uop acc=1 src=2 wgt=3\n.uop acc=0 src=0 wgt=0\n"
      ".org 64\n.byte 1,2,3,-4\n.word 0x12345678\n"
      ".image 4096\n"
      "load uop sram=0 dram=0 y_size=1 x_size=2 x_stride=2\n"
      "load inp sram=0 dram=16 y_size=1 x_size=2 x_stride=2 push_next\n"
      "gemm uop_begin=0 uop_end=2 loop_out=1 loop_in=1 pop_prev\n"
      "alu req use_imm imm=32512 uop_begin=0 uop_end=1 loop_out=1 loop_in=1 push_next\n"
      "store out sram=0 dram=32 y_size=1 x_size=1 x_stride=1 pop_prev\n"
      "finish\n";
  char err[512];
  isa_prog p;
  int rc = isa_assemble(text, "ok.s", NULL, &p, err, sizeof err);
  CHECK(rc == 0, "assembling a program: %s", err);
  if (rc) return;
  CHECK(p.n_insns == 6, "6 instructions, got %u", p.n_insns);
  CHECK(p.image_bytes == 4096, "image 4096 bytes, got %llu", (unsigned long long)p.image_bytes);
  CHECK(p.image[64] == 1 && p.image[67] == 0xfc && p.image[68] == 0x78 && p.image[71] == 0x12,
        "data bytes");
  uint32_t a, s, w;
  isa_uop_fields(p.cfg, (uint32_t)p.image[0] | (uint32_t)p.image[1] << 8 | (uint32_t)p.image[2] << 16 |
                            (uint32_t)p.image[3] << 24, &a, &s, &w);
  CHECK(a == 1 && s == 2 && w == 3, ".uop encodes (%u,%u,%u)", a, s, w);

  char path[] = "/tmp/dlvta_test_isa_XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  CHECK(isa_prog_save(&p, path, err, sizeof err) == 0, "save: %s", err);
  isa_prog q;
  rc = isa_prog_load(path, &q, err, sizeof err);
  CHECK(rc == 0, "load: %s", err);
  if (!rc) {
    CHECK(q.cfg == p.cfg && q.n_insns == p.n_insns && q.image_bytes == p.image_bytes &&
              !memcmp(q.insns, p.insns, p.n_insns * sizeof *p.insns) &&
              !memcmp(q.image, p.image, p.image_bytes),
          "program file round trip");
    /* text round trip: write asm, assemble, same program */
    FILE *f = fopen(path, "w");
    isa_prog_write_asm(&q, f);
    fclose(f);
    size_t len;
    FILE *r = fopen(path, "rb");
    char *buf = malloc(1 << 20);
    len = fread(buf, 1, (1 << 20) - 1, r);
    buf[len] = 0;
    fclose(r);
    isa_prog t;
    rc = isa_assemble(buf, path, NULL, &t, err, sizeof err);
    CHECK(rc == 0, "reassembling written asm: %s", err);
    if (!rc) {
      CHECK(t.n_insns == q.n_insns && t.image_bytes == q.image_bytes &&
                !memcmp(t.insns, q.insns, q.n_insns * sizeof *q.insns) &&
                !memcmp(t.image, q.image, q.image_bytes),
            "asm text round trip");
      isa_prog_free(&t);
    }
    free(buf);
    isa_prog_free(&q);
  }

  /* corrupt files */
  isa_prog_save(&p, path, err, sizeof err);
  FILE *f = fopen(path, "r+b");
  fseek(f, 16, SEEK_SET);
  fputc(0x5a, f); /* fingerprint */
  fclose(f);
  CHECK(isa_prog_load(path, &q, err, sizeof err) == -1 && strstr(err, "hardware config"),
        "wrong fingerprint rejected: %s", err);
  isa_prog_save(&p, path, err, sizeof err);
  CHECK(truncate(path, 100) == 0, "truncate");
  CHECK(isa_prog_load(path, &q, err, sizeof err) == -1 && strstr(err, "corrupt"),
        "truncated file rejected: %s", err);
  f = fopen(path, "wb");
  fputs("hello world, this is not a program at all, just some text", f);
  fclose(f);
  CHECK(isa_prog_load(path, &q, err, sizeof err) == -1 && strstr(err, "bad magic"),
        "bad magic rejected: %s", err);
  CHECK(isa_prog_load("/nonexistent/x.bin", &q, err, sizeof err) == -1 && strstr(err, "cannot read"),
        "missing file: %s", err);
  unlink(path);

  /* relocation adds base / elem_bytes to every LOAD/STORE */
  isa_word words[6];
  memcpy(words, p.insns, sizeof words);
  uint32_t bad;
  CHECK(isa_relocate(p.cfg, words, 6, 0x10000000, &bad) == ISA_OK, "relocate");
  CHECK(isa_get(p.cfg, &words[1], ISA_F_dram) == 16 + 0x10000000 / p.cfg->elem_bytes[ISA_MEM_INP],
        "INP dram relocated");
  CHECK(isa_get(p.cfg, &words[0], ISA_F_dram) == 0x10000000 / 4, "UOP dram relocated");
  CHECK(isa_get(p.cfg, &words[4], ISA_F_dram) == 32 + 0x10000000 / p.cfg->elem_bytes[ISA_MEM_OUT],
        "OUT dram relocated");
  CHECK(words[2].w[0] == p.insns[2].w[0] && words[2].w[1] == p.insns[2].w[1], "GEMM untouched");
  isa_prog_free(&p);
}

int main(void) {
  for (int i = 0; i < isa_config_count(); i++) {
    const isa_config *c = isa_config_at(i);
    test_layout(c);
    test_roundtrip(c);
    test_decode_errors(c);
  }
  CHECK(isa_config_find("pynq") && isa_config_find("ultra96") && isa_config_find("tiny"),
        "named configs exist");
  CHECK(isa_config_find("pynq")->d.inp_bytes == 32768 && isa_config_find("pynq")->d.wgt_bytes == 262144 &&
            isa_config_find("pynq")->d.acc_bytes == 131072 && isa_config_find("pynq")->d.uop_bytes == 32768,
        "pynq buffers are VTA's");
  CHECK(isa_config_find("pynq")->fingerprint != isa_config_find("ultra96")->fingerprint,
        "fingerprints differ");
  test_asm_errors();
  test_prog_files();
  return TEST_END();
}
