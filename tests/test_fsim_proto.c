/* tests/test_fsim_proto.c -- fsim's token protocol, error reporting and cycle estimate: a
 * double-buffered pipeline gives the reference's results and beats its serialized form;
 * deadlocks (missing token, full token queue, full instruction queue) are reported with the
 * waiting instructions; bad programs give the right error kind, index and a message with the
 * disassembly; memory outside the regions is never touched; counters are consistent.
 */
#include "test_fsim_ref.h"

static const isa_config *cfg;

/* ---- the double-buffered pipeline ------------------------------------------------------------ */

/* T tiles of: load INP and WGT into half t%nbuf, GEMM reset + accumulate + ALU SHR + CLIP into the
 * acc half, STORE the half. tokens: 1 to add the pipeline's tokens (nbuf halves in flight), 0 to
 * leave the program token-free (tp_serialize then runs it strictly in order). */
static void build_pipeline(tprog *p, int T, int nbuf, int tokens, int xs, int loops) {
  const isa_derived *d = &cfg->d;
  unsigned hi = d->inp_depth / 2, hw = d->wgt_depth / 2, ha = d->acc_depth / 2;
  unsigned nx = (unsigned)xs < hi ? (unsigned)xs : hi; /* inputs per tile */
  unsigned nw = hw < 8 ? hw : 8;                        /* weights per tile */
  unsigned na = nx < ha ? nx : ha;                      /* acc rows per tile */
  /* uops, per half: reset uop, gemm uops (a = row, x = row, w = k), alu uop */
  uint32_t uops[2][3];
  for (int h = 0; h < 2; h++) {
    uops[h][0] = isa_uop(cfg, h * ha, 0, 0);
    uops[h][1] = isa_uop(cfg, h * ha, h * hi, h * hw);
    uops[h][2] = isa_uop(cfg, h * ha, h * ha, 0);
  }
  tp_load(p, ISA_MEM_UOP, 0, tp_uops(p, &uops[0][0], 6), 1, 6, 6, 0, 0, 0, 0, 0, 0);
  for (int t = 0; t < T; t++) {
    int h = t % nbuf;
    int tl = tokens ? (t >= nbuf ? T_POPN : 0) : 0;
    tp_load(p, ISA_MEM_INP, h * hi, tp_random(p, ISA_MEM_INP, nx), 1, (int)nx, (int)nx, 0, 0, 0, 0, 0, tl);
    tp_load(p, ISA_MEM_WGT, h * hw, tp_random(p, ISA_MEM_WGT, nw), 1, (int)nw, (int)nw, 0, 0, 0, 0, 0,
            tokens ? T_PUSHN : 0);
    int tc = tokens ? T_POPP | (t >= nbuf ? T_POPN : 0) : 0;
    tp_gemm(p, 1, 3 * h, 3 * h + 1, (int)na, 1, 1, 0, 0, 0, 0, 0, tc);
    for (int k = 0; k < loops; k++) /* acc[row] += inp[row] . wgt[k]^T over rows, k */
      tp_gemm(p, 0, 3 * h + 1, 3 * h + 2, (int)na, (int)nw, 1, 0, 1, 0, 0, 1, 0);
    tp_alu(p, ISA_ALU_SHR, 1, 6, 3 * h + 2, 3 * h + 3, (int)na, 1, 1, 0, 1, 0, 0);
    tp_alu(p, ISA_ALU_CLIP, 1, 0x7f80, 3 * h + 2, 3 * h + 3, (int)na, 1, 1, 0, 1, 0,
           tokens ? (T_PUSHN | (t + nbuf < T ? T_PUSHP : 0)) : 0);
    tp_store(p, h * ha, tp_alloc(p, ISA_MEM_OUT, na), 1, (int)na, (int)na,
             tokens ? (T_POPP | (t + nbuf < T ? T_PUSHP : 0)) : 0);
  }
  tp_finish(p, 0);
}

static void test_pipeline(void) {
  uint64_t cyc[3] = {0, 0, 0};
  const char *what[3] = {"double-buffered", "single-buffered", "serialized"};
  for (int v = 0; v < 3; v++) {
    r_state = 777; /* same data in every variant */
    tprog p;
    tp_init(&p, cfg, 4 << 20);
    build_pipeline(&p, 8, v == 0 ? 2 : 1, v < 2, 16, 4);
    char tag[96];
    snprintf(tag, sizeof tag, "%s %s pipeline", cfg->d.name, what[v]);
    drv_counters c;
    fsim *s = NULL;
    int rc = tp_check(&p, tag, &c, NULL, &s);
    CHECK(rc == DRV_OK, "%s runs", tag);
    cyc[v] = c.cycles;
    /* counters consistent with the work */
    uint64_t fetched = p.n, busy = 0;
    CHECK(c.insns[ISA_OP_FINISH] == 1 && c.insns[ISA_OP_STORE] == 8, "%s: insns FINISH %" PRIu64 " STORE %" PRIu64, tag,
          c.insns[ISA_OP_FINISH], c.insns[ISA_OP_STORE]);
    CHECK(c.loads[ISA_MEM_INP] == 8 && c.loads[ISA_MEM_WGT] == 8 && c.loads[ISA_MEM_UOP] == 1,
          "%s: loads by mem inp %" PRIu64 " wgt %" PRIu64 " uop %" PRIu64, tag, c.loads[ISA_MEM_INP],
          c.loads[ISA_MEM_WGT], c.loads[ISA_MEM_UOP]);
    uint64_t ld_bytes = 6 * 4;
    unsigned nx = 16 < cfg->d.inp_depth / 2 ? 16 : cfg->d.inp_depth / 2;
    unsigned nw = cfg->d.wgt_depth / 2 < 8 ? cfg->d.wgt_depth / 2 : 8;
    ld_bytes += 8 * ((uint64_t)nx * cfg->elem_bytes[ISA_MEM_INP] + (uint64_t)nw * cfg->elem_bytes[ISA_MEM_WGT]);
    CHECK(c.bytes_read == ld_bytes + 16 * fetched, "%s: bytes_read expected %" PRIu64 " got %" PRIu64, tag,
          ld_bytes + 16 * fetched, c.bytes_read);
    for (int u = 0; u < ISA_UNIT_COUNT; u++) {
      CHECK(c.unit_busy[u] <= c.cycles, "%s: unit %d busy %" PRIu64 " > cycles %" PRIu64, tag, u, c.unit_busy[u], c.cycles);
      busy += c.unit_busy[u];
    }
    CHECK(c.gemm_cycles + c.alu_cycles <= c.unit_busy[ISA_UNIT_COMPUTE], "%s: gemm+alu cycles exceed compute busy", tag);
    if (v == 2)
      CHECK(c.cycles >= busy, "%s: serialized run overlaps units: cycles %" PRIu64 " < busy sum %" PRIu64, tag, c.cycles, busy);
    fsim_destroy(s);
    free(p.img);
  }
  CHECK(cyc[0] < cyc[1] && cyc[1] < cyc[2], "%s: cycles double-buffered %" PRIu64 " < single %" PRIu64 " < serialized %" PRIu64,
        cfg->d.name, cyc[0], cyc[1], cyc[2]);
  printf("%s pipeline cycles: double-buffered %" PRIu64 ", single-buffered %" PRIu64 ", serialized %" PRIu64 "\n",
         cfg->d.name, cyc[0], cyc[1], cyc[2]);

  /* Every timing gives the same results on the race-free pipeline (and a slower DRAM costs). */
  r_state = 99;
  tprog p;
  tp_init(&p, cfg, 4 << 20);
  build_pipeline(&p, 6, 2, 1, 12, 2);
  isa_prog prog = {cfg, p.w, p.n, p.img, p.size};
  uint8_t *base_img = NULL;
  uint64_t base_cycles = 0;
  for (int k = 0; k < 12; k++) {
    fsim *s = fsim_create(cfg);
    fsim_timing tm;
    fsim_timing_default(cfg, &tm);
    if (k) {
      tm.rd_latency = (unsigned)rr(0, 300), tm.wr_latency = (unsigned)rr(0, 300);
      tm.bytes_per_beat = 1u << rr(0, 6), tm.fetch_burst = (unsigned)rr(1, 32);
      tm.insn_overhead = (unsigned)rr(0, 20), tm.gemm_fill = (unsigned)rr(0, 50), tm.alu_fill = (unsigned)rr(0, 50);
      tm.pad_cycles = (unsigned)rr(0, 4), tm.row_gap = (unsigned)rr(0, 40);
    }
    if (k == 1) fsim_timing_default(cfg, &tm), tm.rd_latency *= 10;
    fsim_set_timing(s, &tm);
    uint8_t *img = malloc(p.size);
    memcpy(img, p.img, p.size);
    drv_counters c;
    drv_error e;
    int rc = fsim_run_prog(s, &prog, img, &c, &e);
    CHECK(rc == DRV_OK, "%s timing variant %d: %s", cfg->d.name, k, e.message);
    if (!k) {
      base_img = img, base_cycles = c.cycles;
    } else {
      CHECK(!memcmp(img, base_img, p.size), "%s timing variant %d changes the results", cfg->d.name, k);
      free(img);
    }
    if (k == 1) CHECK(c.cycles > base_cycles, "%s: 10x DRAM latency: cycles %" PRIu64 " not above %" PRIu64, cfg->d.name, c.cycles, base_cycles);
    fsim_destroy(s);
  }
  free(base_img);
  free(p.img);
}

/* ---- running hand-made programs ------------------------------------------------------------ */

/* Runs p (no serialization) on a fresh fsim with guard bytes around the image; checks that the
 * guards survive. */
static int run_raw(tprog *p, drv_counters *c, drv_error *e) {
  isa_prog prog = {cfg, p->w, p->n, NULL, p->size};
  uint8_t *buf = malloc(p->size + 2 * 4096);
  memset(buf, 0xa5, p->size + 2 * 4096);
  memcpy(buf + 4096, p->img, p->size);
  prog.image = buf + 4096;
  fsim *s = fsim_create(cfg);
  int rc = fsim_run_prog(s, &prog, buf + 4096, c, e);
  int bad = 0;
  for (uint64_t i = 0; i < 4096; i++) bad += buf[i] != 0xa5 || buf[4096 + p->size + i] != 0xa5;
  CHECK(bad == 0, "%s: %d bytes outside the image were written", cfg->d.name, bad);
  fsim_destroy(s);
  free(buf);
  return rc;
}

/* Disassembly of instruction k of p as fsim sees it (relocated). */
static void disasm_of(tprog *p, uint32_t k, char *buf, size_t n) {
  isa_word w = p->w[k];
  isa_relocate(cfg, &w, 1, FSIM_PROG_IMAGE_ADDR, NULL);
  isa_disasm(cfg, &w, buf, n);
}

static void expect_err(tprog *p, int kind, int64_t index, const char *tag, const char *needle) {
  drv_counters c;
  drv_error e;
  int rc = run_raw(p, &c, &e);
  CHECK(rc == DRV_E_EXEC, "%s %s: status %d, expected DRV_E_EXEC", cfg->d.name, tag, rc);
  CHECK(e.kind == kind, "%s %s: kind %d, expected %d (%s)", cfg->d.name, tag, e.kind, kind, e.message);
  CHECK(e.insn_index == index, "%s %s: index %" PRId64 ", expected %" PRId64 " (%s)", cfg->d.name, tag,
        e.insn_index, index, e.message);
  if (index >= 0) {
    char dis[512];
    disasm_of(p, (uint32_t)index, dis, sizeof dis);
    CHECK(strstr(e.message, dis) != NULL, "%s %s: message lacks the disassembly '%s': %s", cfg->d.name, tag, dis, e.message);
  }
  if (needle) CHECK(strstr(e.message, needle) != NULL, "%s %s: message lacks '%s': %s", cfg->d.name, tag, needle, e.message);
}

static void test_deadlocks(void) {
  const isa_derived *d = &cfg->d;
  tprog p;
  char tag[64];

  /* a GEMM waiting for a load that never comes */
  tp_init(&p, cfg, 1 << 16);
  tp_load(&p, ISA_MEM_INP, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0);
  tp_gemm(&p, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, T_POPP);
  tp_finish(&p, 0);
  expect_err(&p, DRV_ERR_DEADLOCK, 1, "missing token", "L2C");
  free(p.img);

  /* a full token queue nobody pops: the load after cap pushes waits for room */
  tp_init(&p, cfg, 1 << 16);
  for (unsigned k = 0; k <= d->token_queue; k++) tp_load(&p, ISA_MEM_INP, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, T_PUSHN);
  tp_finish(&p, 0);
  expect_err(&p, DRV_ERR_DEADLOCK, d->token_queue, "full token queue", "room in L2C");
  free(p.img);

  /* the same pushes, then compute pops them all: the load waits for room, then completes */
  tp_init(&p, cfg, 1 << 16);
  for (unsigned k = 0; k <= d->token_queue; k++) tp_load(&p, ISA_MEM_INP, k % d->inp_depth, 0, 0, 0, 0, 1, 0, 0, 0, (int)k, T_PUSHN);
  tp_gemm(&p, 1, 0, 1, 100, 100, 0, 0, 0, 0, 0, 0, 0); /* compute is busy while the loads push */
  for (unsigned k = 0; k <= d->token_queue; k++) tp_gemm(&p, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, T_POPP);
  tp_finish(&p, 0);
  drv_counters c;
  drv_error e;
  int rc = run_raw(&p, &c, &e);
  CHECK(rc == DRV_OK, "%s full token queue drained: %s", d->name, e.message);
  CHECK(c.unit_stall[ISA_UNIT_LOAD] > 0, "%s: the load unit never waited for room", d->name);
  CHECK(c.insns[ISA_OP_LOAD] == d->token_queue + 1 && c.insns[ISA_OP_GEMM] == d->token_queue + 2,
        "%s: executed %" PRIu64 " loads %" PRIu64 " gemms", d->name, c.insns[ISA_OP_LOAD], c.insns[ISA_OP_GEMM]);
  free(p.img);

  /* a full instruction queue blocks fetch before the instruction that would free it */
  tp_init(&p, cfg, 1 << 16);
  tp_load(&p, ISA_MEM_INP, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, T_POPN);
  for (unsigned k = 0; k < d->insn_queue; k++) tp_load(&p, ISA_MEM_INP, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0);
  tp_gemm(&p, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, T_PUSHP);
  tp_finish(&p, 0);
  snprintf(tag, sizeof tag, "fetch: blocked at insn %u", d->insn_queue);
  expect_err(&p, DRV_ERR_DEADLOCK, 0, "full instruction queue", tag);
  expect_err(&p, DRV_ERR_DEADLOCK, 0, "full instruction queue", "load queue full");
  expect_err(&p, DRV_ERR_DEADLOCK, 0, "full instruction queue", "C2L");
  /* the same with the freeing instruction first runs */
  p.n = 0;
  tp_gemm(&p, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, T_PUSHP);
  tp_load(&p, ISA_MEM_INP, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, T_POPN);
  for (unsigned k = 0; k < 3 * d->insn_queue; k++) tp_load(&p, ISA_MEM_INP, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0);
  tp_finish(&p, 0);
  rc = run_raw(&p, &c, &e);
  CHECK(rc == DRV_OK && c.insns[ISA_OP_LOAD] == 3 * d->insn_queue + 1, "%s full instruction queue drains: rc %d %s", d->name, rc, e.message);
  free(p.img);

  /* FINISH waits for every unit: a store that needs a token from after itself */
  tp_init(&p, cfg, 1 << 16);
  uint32_t out = tp_alloc(&p, ISA_MEM_OUT, 1);
  uint32_t src = tp_random(&p, ISA_MEM_ACC8, 1);
  tp_store(&p, 0, out, 1, 1, 1, T_POPP);
  tp_load(&p, ISA_MEM_ACC8, 0, src, 1, 1, 1, 0, 0, 0, 0, 0, T_PUSHN);
  tp_finish(&p, 0);
  isa_word junk = {{7, 0}}; /* illegal, never fetched */
  tp_emit(&p, junk);
  uint8_t *img = p.img;
  rc = run_raw(&p, &c, &e);
  CHECK(rc == DRV_OK, "%s FINISH with a store behind: %s", d->name, e.message);
  CHECK(c.insns[ISA_OP_STORE] == 1 && c.bytes_written == cfg->elem_bytes[ISA_MEM_OUT], "%s: the store ran (%" PRIu64 " stores)", d->name, c.insns[ISA_OP_STORE]);
  /* whole beats are read: one element (naturally aligned) takes max(its bytes, one beat) */
  uint64_t acc8_read = cfg->elem_bytes[ISA_MEM_ACC8] > cfg->d.axi_bits / 8 ? cfg->elem_bytes[ISA_MEM_ACC8] : cfg->d.axi_bits / 8;
  CHECK(c.bytes_read == 16 * 3 + acc8_read, "%s: fetched past FINISH (bytes_read %" PRIu64 ")", d->name, c.bytes_read);
  (void)img;
  free(p.img);
}

/* ---- bad programs ------------------------------------------------------------------------- */

static void test_errors(void) {
  const isa_derived *d = &cfg->d;
  tprog p;
  isa_word w;
  int fin[] = {-1};

  /* illegal opcode, memory, ALU op, reserved bits, padded STORE, token flags */
  for (int k = 0; k < 7; k++) {
    tp_init(&p, cfg, 1 << 16);
    tp_load(&p, ISA_MEM_INP, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0);
    tp_alu(&p, ISA_ALU_ADD, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0);
    const char *what = "";
    switch (k) {
    case 0: w = tp_word(cfg, ISA_OP_FINISH, 0, fin); isa_set(cfg, &w, ISA_F_opcode, 6); what = "illegal opcode"; break;
    case 1: { int fv[] = {ISA_F_mem, ISA_MEM_OUT, -1}; w = tp_word(cfg, ISA_OP_LOAD, 0, fv); what = "illegal memory"; break; }
    case 2: { int fv[] = {ISA_F_mem, 7, -1}; w = tp_word(cfg, ISA_OP_LOAD, 0, fv); what = "illegal memory"; break; }
    case 3: { int fv[] = {ISA_F_alu_op, 11, -1}; w = tp_word(cfg, ISA_OP_ALU, 0, fv); what = "illegal ALU"; break; }
    case 4: w = tp_word(cfg, ISA_OP_FINISH, 0, fin); w.w[1] |= 1ull << 40; what = "reserved bits"; break;
    case 5: { int fv[] = {ISA_F_mem, ISA_MEM_OUT, ISA_F_x_pad0, 1, -1}; w = tp_word(cfg, ISA_OP_STORE, 0, fv); what = "STORE with padding"; break; }
    default: { int fv[] = {ISA_F_mem, ISA_MEM_WGT, -1}; w = tp_word(cfg, ISA_OP_LOAD, T_POPP, fv); what = "token flag"; break; }
    }
    tp_emit(&p, w);
    tp_finish(&p, 0);
    expect_err(&p, DRV_ERR_ILLEGAL, 2, what, what);
    free(p.img);
  }

  /* SRAM ranges: LOAD block, STORE block, GEMM a/x/w, ALU d/s, uop range */
  for (int k = 0; k < 8; k++) {
    tp_init(&p, cfg, 1 << 16);
    uint32_t u = isa_uop(cfg, 1, 1, 1);
    tp_load(&p, ISA_MEM_UOP, 0, tp_uops(&p, &u, 1), 1, 1, 1, 0, 0, 0, 0, 0, 0);
    const char *needle = "past depth";
    switch (k) {
    case 0: tp_load(&p, ISA_MEM_INP, d->inp_depth - 3, 0, 0, 0, 0, 2, 2, 1, 0, 0, 0); needle = "INP index"; break;
    case 1: tp_store(&p, d->out_depth - 1, tp_alloc(&p, ISA_MEM_OUT, 4), 2, 2, 2, 0); needle = "OUT index"; break;
    case 2: tp_gemm(&p, 0, 0, 1, 2, (int)d->acc_depth, 0, 1, 0, 0, 0, 0, 0); needle = "ACC index a="; break;
    case 3: tp_gemm(&p, 0, 0, 1, 2, 2, 0, 0, (int)d->inp_depth - 1, 0, 0, 0, 0); needle = "INP index x="; break;
    case 4: tp_gemm(&p, 0, 0, 1, 1, 2, 0, 0, 0, 0, 0, (int)d->wgt_depth - 1, 0); needle = "WGT index w="; break;
    case 5: tp_alu(&p, ISA_ALU_MIN, 0, 0, 0, 1, 3, 1, (int)d->acc_depth / 2, 0, 0, 0, 0); needle = "ACC index d="; break;
    case 6: tp_alu(&p, ISA_ALU_REQ, 1, 0, 0, 1, 1, 2, 0, 0, 0, (int)d->acc_depth - 1, 0); needle = "ACC index s="; break;
    default: tp_gemm(&p, 1, (int)d->uop_depth - 1, (int)d->uop_depth + 1, 1, 1, 0, 0, 0, 0, 0, 0, 0); needle = "UOP index"; break;
    }
    tp_finish(&p, 0);
    expect_err(&p, DRV_ERR_SRAM_RANGE, 1, "SRAM range", needle);
    free(p.img);
  }

  /* DRAM ranges: LOAD past the image, STORE past the image, fetch past the program */
  for (int k = 0; k < 3; k++) {
    tp_init(&p, cfg, 1 << 16);
    uint32_t a = tp_random(&p, ISA_MEM_ACC, 4);
    tp_load(&p, ISA_MEM_ACC, 0, a, 2, 2, 2, 0, 0, 0, 0, 0, 0);
    if (k == 0) tp_load(&p, ISA_MEM_INP, 0, a * cfg->elem_bytes[ISA_MEM_ACC] / cfg->elem_bytes[ISA_MEM_INP], 2, 1, 100, 0, 0, 0, 0, 0, 0);
    if (k == 1) tp_store(&p, 0, (uint32_t)(p.size / cfg->elem_bytes[ISA_MEM_OUT]) - 2, 1, 5, 5, 0);
    if (k < 2) {
      tp_finish(&p, 0);
      expect_err(&p, DRV_ERR_DRAM_RANGE, 1, "DRAM range", "outside every buffer");
    } else {
      /* the program claims more instructions than its region holds */
      isa_prog prog = {cfg, p.w, p.n, p.img, p.size};
      fsim *s = fsim_create(cfg);
      uint8_t *code = calloc(16, p.n);
      memcpy(code, p.w, 16 * (size_t)p.n);
      drv_region r[2] = {{0x10000, 16 * (uint64_t)p.n, code}, {FSIM_PROG_IMAGE_ADDR, p.size, p.img}};
      isa_relocate(cfg, (isa_word *)code, p.n, FSIM_PROG_IMAGE_ADDR, NULL);
      drv_error e;
      int rc = fsim_run(s, r, 2, 0x10000, p.n + 1, NULL, &e);
      CHECK(rc == DRV_E_EXEC && e.kind == DRV_ERR_DRAM_RANGE && e.insn_index == p.n,
            "%s fetch past the region: rc %d kind %d index %" PRId64 " (%s)", d->name, rc, e.kind, e.insn_index, e.message);
      (void)prog;
      fsim_destroy(s);
      free(code);
    }
    free(p.img);
  }

  /* no FINISH */
  tp_init(&p, cfg, 1 << 16);
  tp_load(&p, ISA_MEM_INP, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0);
  tp_gemm(&p, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  expect_err(&p, DRV_ERR_NO_FINISH, -1, "no FINISH", "no FINISH");
  p.n = 0;
  expect_err(&p, DRV_ERR_NO_FINISH, -1, "empty program", "no FINISH");
  /* no FINISH and a unit stuck on a token: still no FINISH, and the message says who waits */
  tp_gemm(&p, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, T_POPP);
  expect_err(&p, DRV_ERR_NO_FINISH, -1, "no FINISH, stuck", "a token in L2C");
  free(p.img);
}

/* ---- timing of single instructions ---------------------------------------------------------- */

static void test_timing(void) {
  fsim_timing tm;
  fsim_timing_default(cfg, &tm);
  tprog p;
  tp_init(&p, cfg, 1 << 20);
  unsigned rows = 4, xs = 8;
  tp_load(&p, ISA_MEM_INP, 0, tp_random(&p, ISA_MEM_INP, rows * xs), (int)rows, (int)xs, (int)xs, 0, 0, 0, 0, 0, 0);
  tp_finish(&p, 0);
  drv_counters c;
  drv_error e;
  int rc = run_raw(&p, &c, &e);
  /* a row: a cycle per beat, at least one per element */
  uint64_t row = (xs * cfg->elem_bytes[ISA_MEM_INP] + tm.bytes_per_beat - 1) / tm.bytes_per_beat;
  uint64_t beats = rows * (row > xs ? row : xs);
  uint64_t ovh = tm.insn_overhead + tm.ld_check + tm.rd_overhead;
  CHECK(rc == DRV_OK && c.unit_busy[ISA_UNIT_LOAD] == ovh + tm.rd_latency + beats,
        "%s: LOAD of %u x %u busy %" PRIu64 ", expected overhead %" PRIu64 " + latency %u + beats %" PRIu64,
        cfg->d.name, rows, xs, c.unit_busy[ISA_UNIT_LOAD], ovh, tm.rd_latency, beats);
  CHECK(c.cycles >= c.unit_busy[ISA_UNIT_LOAD] + tm.rd_latency, "%s: cycles %" PRIu64 " do not include the fetch", cfg->d.name, c.cycles);
  /* a non-pipelined DMA: the read channel is held row_gap cycles after each row but the last */
  {
    isa_prog prog = {cfg, p.w, p.n, p.img, p.size};
    fsim *s = fsim_create(cfg);
    fsim_timing t2 = tm;
    t2.row_gap = 50;
    fsim_set_timing(s, &t2);
    rc = fsim_run_prog(s, &prog, p.img, &c, &e);
    /* a row holds the channel for its beats, or for its elements if they are smaller */
    uint64_t held = cfg->elem_bytes[ISA_MEM_INP] < tm.bytes_per_beat && xs > row ? xs : row;
    uint64_t gapped = ovh + tm.rd_latency + (rows - 1) * (held + 50) + (row > xs ? row : xs);
    CHECK(rc == DRV_OK && c.unit_busy[ISA_UNIT_LOAD] == gapped,
          "%s: LOAD with row_gap 50: busy %" PRIu64, cfg->d.name, c.unit_busy[ISA_UNIT_LOAD]);
    fsim_destroy(s);
  }
  free(p.img);

  /* GEMM: one iteration per cycle plus the fill */
  tp_init(&p, cfg, 1 << 20);
  uint32_t u = isa_uop(cfg, 0, 0, 0);
  tp_load(&p, ISA_MEM_UOP, 0, tp_uops(&p, &u, 1), 1, 1, 1, 0, 0, 0, 0, 0, 0);
  tp_gemm(&p, 1, 0, 1, 3, 5, 1, 0, 0, 0, 0, 0, 0);
  tp_gemm(&p, 0, 0, 1, 3, 5, 1, 0, 0, 0, 0, 0, 0);
  tp_alu(&p, ISA_ALU_ADD, 1, 3, 0, 1, 7, 1, 1, 0, 0, 0, 0);
  tp_finish(&p, 0);
  rc = run_raw(&p, &c, &e);
  CHECK(rc == DRV_OK && c.gemm_cycles == 30 && c.alu_cycles == 7 && c.alu_ops == 7,
        "%s: gemm_cycles %" PRIu64 " (30) alu_cycles %" PRIu64 " (7)", cfg->d.name, c.gemm_cycles, c.alu_cycles);
  CHECK(c.macs == 15ull * cfg->d.batch * cfg->d.block_in * cfg->d.block_out, "%s: macs %" PRIu64, cfg->d.name, c.macs);
  uint64_t want = 3ull * tm.insn_overhead + 2 * (tm.gemm_fill + 15) + tm.alu_fill + 7 + tm.finish_cycles;
  uint64_t uop_load = tm.insn_overhead + tm.ld_check + tm.rd_overhead + tm.rd_latency + 1; /* one 4-byte uop */
  CHECK(c.unit_busy[ISA_UNIT_COMPUTE] == want + uop_load, "%s: compute busy %" PRIu64 " expected %" PRIu64,
        cfg->d.name, c.unit_busy[ISA_UNIT_COMPUTE], want + uop_load);
  free(p.img);
}

/* Random programs of random (mostly legal) instructions: fsim always returns a status, a valid
 * error kind with a message, and never writes outside the image. Loop extents are kept small
 * so that runs stay short. */
static void test_fuzz(int programs) {
  int kinds[8] = {0};
  for (int t = 0; t < programs; t++) {
    tprog p;
    tp_init(&p, cfg, 1 << 16);
    tp_random(&p, ISA_MEM_WGT, 8);
    int n = (int)rr(1, 24);
    for (int k = 0; k < n; k++) {
      isa_word w = {{rnd(), rnd()}};
      if (rnd() % 8) { /* a decodable instruction with random fields */
        isa_insn in;
        memset(&in, 0, sizeof in);
        in.f[ISA_F_opcode] = (uint32_t)rr(0, 4);
        for (int f = 0; f < ISA_F_COUNT; f++) {
          if (f == ISA_F_opcode) continue;
          unsigned wd = cfg->fwidth[f];
          uint32_t v = (uint32_t)rnd() & (wd >= 32 ? 0xffffffffu : (1u << wd) - 1);
          if (rnd() % 2) v &= 7; /* small values are more interesting */
          if (f == ISA_F_loop_out || f == ISA_F_loop_in) v &= 15;
          if (f == ISA_F_dram) v %= 64;
          if (f == ISA_F_y_size || f == ISA_F_x_size || f == ISA_F_x_stride) v &= rnd() % 2 ? 7 : 0xffff;
          in.f[f] = v;
        }
        if (in.f[ISA_F_opcode] == ISA_OP_LOAD) in.f[ISA_F_mem] = (uint32_t)rr(0, 5);
        if (in.f[ISA_F_opcode] == ISA_OP_STORE && rnd() % 4) {
          in.f[ISA_F_mem] = ISA_MEM_OUT;
          in.f[ISA_F_y_pad0] = in.f[ISA_F_y_pad1] = in.f[ISA_F_x_pad0] = in.f[ISA_F_x_pad1] = 0;
          in.f[ISA_F_pad_value] = 0;
        }
        if (in.f[ISA_F_opcode] == ISA_OP_ALU) in.f[ISA_F_alu_op] &= 7;
        isa_encode(cfg, &in, &w, NULL);
      }
      tp_emit(&p, w);
    }
    if (rnd() % 2) tp_finish(&p, 0);
    drv_counters c;
    drv_error e;
    int rc = run_raw(&p, &c, &e);
    CHECK(rc == DRV_OK || rc == DRV_E_EXEC, "%s fuzz %d: status %d", cfg->d.name, t, rc);
    if (rc == DRV_E_EXEC) {
      CHECK(e.kind >= DRV_ERR_ILLEGAL && e.kind <= DRV_ERR_NO_FINISH && e.message[0], "%s fuzz %d: kind %d message '%s'",
            cfg->d.name, t, e.kind, e.message);
      CHECK(e.insn_index >= -1 && e.insn_index < (int64_t)p.n, "%s fuzz %d: index %" PRId64, cfg->d.name, t, e.insn_index);
      if (e.kind >= 0 && e.kind < 8) kinds[e.kind]++;
    } else {
      kinds[0]++;
    }
    free(p.img);
  }
  /* the fuzzer reaches every outcome */
  for (int k = 0; k <= DRV_ERR_NO_FINISH; k++) CHECK(kinds[k] > 0, "%s fuzz: outcome %d never seen", cfg->d.name, k);
}

int main(void) {
  const char *names[] = {"tiny", "pynq"};
  for (int c = 0; c < 2; c++) {
    cfg = isa_config_find(names[c]);
    r_state = 4242 + (uint64_t)c;
    test_pipeline();
    test_deadlocks();
    test_errors();
    test_timing();
    test_fuzz(3000);
  }
  return TEST_END();
}
