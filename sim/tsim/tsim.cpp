// sim/tsim/tsim.cpp -- the C shim around the Verilated dlvta_top of one config (class TSIM_TOP,
// header TSIM_TOP_H, both set by tsim.mk): clocking, reset, the AXI4-Lite register accesses that a
// driver would make, the DRAM model behind the AXI4 master, and the error report. See tsim.h.
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "verilated.h"
#include TSIM_TOP_H
#ifdef TSIM_TRACE
#include "verilated_fst_c.h"
#endif
#include TSIM_ROOT_H

extern "C" {
#include "isa.h"
#include "tsim.h"
#include "dlvta_regs.h"  // the register map generated from isa/regs.def (the counter mapping: dlvta_dev.h)
}

#define TSIM_EXPORT extern "C" __attribute__((visibility("default")))
#define TSIM_ABORT_CYCLES 100000  // bound on a CTRL.abort's drain (bursts in flight complete)

namespace {

// Wide and narrow Verilator ports behind one interface.
inline void put_bytes(QData &d, const uint8_t *src, unsigned n) {
  uint64_t v = 0;
  memcpy(&v, src, n < 8 ? n : 8);
  d = v;
}
template <std::size_t N> inline void put_bytes(VlWide<N> &d, const uint8_t *src, unsigned n) {
  for (std::size_t i = 0; i < N; i++) {
    uint32_t w = 0;
    if (i * 4 < n) memcpy(&w, src + i * 4, n - i * 4 < 4 ? n - i * 4 : 4);
    d[i] = w;
  }
}
inline void get_bytes(const QData &d, uint8_t *dst, unsigned n) {
  uint64_t v = d;
  memcpy(dst, &v, n < 8 ? n : 8);
}
template <std::size_t N> inline void get_bytes(const VlWide<N> &d, uint8_t *dst, unsigned n) {
  for (std::size_t i = 0; i < N && i * 4 < n; i++) {
    uint32_t w = d[i];
    memcpy(dst + i * 4, &w, n - i * 4 < 4 ? n - i * 4 : 4);
  }
}

struct RdBurst { uint64_t addr; unsigned beats, done; uint64_t ready; };
struct WrBurst { uint64_t addr; unsigned beats, done; bool err; };
struct BResp { uint64_t ready; bool err; };

}  // namespace

struct tsim {
  VerilatedContext ctx;
  TSIM_TOP *top = nullptr;
#ifdef TSIM_TRACE
  VerilatedFstC *tfp = nullptr;
#endif
  const isa_config *cfg = nullptr;
  unsigned beat = 8;                 // AXI bytes per beat
  unsigned rd_lat = 0, wr_lat = 0, bpc = 0;
  uint64_t max_cycles = 0;
  uint64_t cycle = 0;
  bool debug = getenv("TSIM_DEBUG") != nullptr;  // log every AXI handshake to stderr
  std::vector<drv_region> regions;   // the modelled DDR: what the DRAM model answers
  std::vector<drv_window> win;       // tsim_set_windows: the windows tsim_run programs
  bool win_set = false;              // false: tsim_run programs the cover of its regions
  std::deque<RdBurst> rq;
  std::deque<RdBurst> rq1;           // the second read port's bursts (m1_axi_)
  std::deque<WrBurst> wq;
  std::deque<BResp> bq;
  unsigned rcredit = 0, wcredit = 0, rcredit1 = 0;
  // the DDR's bandwidth over every port and direction (config ddr_bytes; 0: not modelled): a
  // credit of ddr_bpc bytes a cycle, at most ddr_cap; a beat of any port needs a beat of it
  int ddr = 0, ddr_bpc = 0, ddr_cap = 0;
  // back-pressure (tsim_opts stall_*): per channel, whether it is stalled this cycle and how many
  // more cycles its stall lasts; R / B valid raised by the model and not yet taken
  unsigned stall_pm[TSIM_CHANNELS] = {}, stall_run[TSIM_CHANNELS] = {};
  unsigned stall_left[TSIM_CHANNELS] = {};
  bool stalled[TSIM_CHANNELS] = {};
  uint64_t rng = 0;
  bool r_held = false, b_held = false, r1_held = false;
  // the master's AR / AW / W valid left waiting last cycle, with its payload (protocol check)
  bool ar_wait = false, aw_wait = false, w_wait = false, ar1_wait = false;
  uint64_t ar_prev = 0, aw_prev = 0, ar1_prev = 0;
  unsigned w_prev_strb = 0;
  bool w_prev_last = false;
  uint8_t w_prev[64] = {};
  // outputs sampled before the last rising edge
  bool s_awready = false, s_wready = false, s_bvalid = false, s_arready = false, s_rvalid = false;
  uint32_t s_rdata = 0;

  // ---- DRAM model ----
  // Latencies, bandwidth and stalls from opts (zeros: the defaults); restarts the stall draws.
  void set_dram(const tsim_opts &o) {
    rd_lat = o.rd_latency ? o.rd_latency : cfg->d.dram_rd_latency;
    wr_lat = o.wr_latency ? o.wr_latency : cfg->d.dram_wr_latency;
    bpc = o.bytes_per_cycle ? o.bytes_per_cycle : beat;
    ddr_bpc = (int)cfg->d.ddr_bytes;
    ddr_cap = ddr_bpc > 4 * (int)beat ? ddr_bpc : 4 * (int)beat;
    ddr = ddr_cap;
    for (int c = 0; c < TSIM_CHANNELS; c++) {
      stall_pm[c] = o.stall_permille[c];
      stall_run[c] = o.stall_run[c] ? o.stall_run[c] : 1;
      stall_left[c] = 0;
      stalled[c] = false;
    }
    rng = o.stall_seed;
  }
  uint64_t rand64() {  // splitmix64
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Draws next cycle's stalls (tsim.h, tsim_opts).
  void next_stalls() {
    for (int c = 0; c < TSIM_CHANNELS; c++) {
      if (stall_left[c]) {
        stall_left[c]--;
        stalled[c] = true;
      } else if (stall_pm[c] && rand64() % 1000 < stall_pm[c]) {
        stalled[c] = true;
        stall_left[c] = (unsigned)(rand64() % stall_run[c]);
      } else {
        stalled[c] = false;
      }
    }
  }
  // Host pointer for [addr, addr+n) if it lies in one region, else NULL.
  uint8_t *host(uint64_t addr, uint64_t n) {
    for (auto &r : regions)
      if (addr >= r.addr && addr + n <= r.addr + r.size) return r.host + (addr - r.addr);
    return nullptr;
  }
  // Fill one read beat: bytes inside a region are served, others read as zero; false if the
  // beat overlaps no region.
  bool read_beat(uint64_t addr, uint8_t *dst) {
    memset(dst, 0, beat);
    bool any = false;
    for (auto &r : regions) {
      uint64_t lo = addr > r.addr ? addr : r.addr;
      uint64_t hi = addr + beat < r.addr + r.size ? addr + beat : r.addr + r.size;
      if (lo < hi) {
        memcpy(dst + (lo - addr), r.host + (lo - r.addr), hi - lo);
        any = true;
      }
    }
    return any;
  }

  // The DDR's credit allows n more beats this cycle (always, when the DDR is not modelled).
  bool ddr_ok(unsigned n) const { return !ddr_bpc || ddr >= (int)(n * beat); }

  void set_inputs() {
    top->m_axi_arready = rq.size() < 16 && !stalled[TSIM_CH_AR];
    top->m1_axi_arready = rq1.size() < 16 && !stalled[TSIM_CH_AR];
    top->m_axi_awready = wq.size() < 16 && !stalled[TSIM_CH_AW];
    // beats that the DDR's credit must cover: port 0's R first, then port 1's R, then W
    unsigned want = 0;
    bool rv = r_held || (!rq.empty() && cycle >= rq.front().ready && rcredit >= beat &&
                         !stalled[TSIM_CH_R] && ddr_ok(1));
    want += rv;
    top->m_axi_rvalid = rv;
    bool rv1 = r1_held || (!rq1.empty() && cycle >= rq1.front().ready && rcredit1 >= beat &&
                           !stalled[TSIM_CH_R] && ddr_ok(want + 1));
    want += rv1;
    top->m1_axi_rvalid = rv1;
    uint8_t buf1[64];
    memset(buf1, 0, sizeof buf1);
    if (rv1) {
      RdBurst &b = rq1.front();
      bool ok = read_beat(b.addr + (uint64_t)b.done * beat, buf1);
      top->m1_axi_rresp = ok ? 0 : 2;
      top->m1_axi_rlast = b.done + 1 == b.beats;
    } else {
      top->m1_axi_rresp = 0;
      top->m1_axi_rlast = 0;
    }
    put_bytes(top->m1_axi_rdata, buf1, beat);
    uint8_t buf[64];
    if (rv) {
      RdBurst &b = rq.front();
      bool ok = read_beat(b.addr + (uint64_t)b.done * beat, buf);
      top->m_axi_rresp = ok ? 0 : 2;
      top->m_axi_rlast = b.done + 1 == b.beats;
    } else {
      memset(buf, 0, sizeof buf);
      top->m_axi_rresp = 0;
      top->m_axi_rlast = 0;
    }
    put_bytes(top->m_axi_rdata, buf, beat);
    top->m_axi_wready = !wq.empty() && wcredit >= beat && !stalled[TSIM_CH_W] && ddr_ok(want + 1);
    bool bv = b_held || (!bq.empty() && cycle >= bq.front().ready && !stalled[TSIM_CH_B]);
    top->m_axi_bvalid = bv;
    top->m_axi_bresp = bv && bq.front().err ? 2 : 0;
  }

#ifdef TSIM_ITRACE
  // Environment TSIM_ITRACE (libtsim_itrace.so): one line per instruction each unit executed
  // (fsim's FSIM_TRACE format), cycles counted from the run's start (STATUS.busy rising).
  bool itrace = getenv("TSIM_ITRACE") != nullptr;
  uint64_t itrace_axi = getenv("TSIM_ITRACE_AXI") ? strtoull(getenv("TSIM_ITRACE_AXI"), nullptr, 0) : 0;
  unsigned it_g = 0, it_hd = 0;
  bool it_ar = false, it_r = false, it_rv = false;
  bool it_run = false, it_busy[3] = {};
  uint32_t it_pc[3] = {};
  uint64_t it_t0 = 0, it_start[3] = {};
  void itrace_step() {
    auto *rp = top->rootp;
    bool run = rp->dlvta_top__DOT__u_ctrl__DOT__busy_q;
    if (run && !it_run) it_t0 = cycle;
    if (!run && it_run) fprintf(stderr, "tsim: run end %" PRIu64 "\n", cycle - it_t0);
    it_run = run;
    if (itrace_axi && run && cycle - it_t0 < itrace_axi) {
      // the read port: AR grants and R beats by requester (0 fetch, 1 load, 2 compute)
      unsigned g = it_g, hd = it_hd;
      bool arf = it_ar, rf = it_r;
      char c = rf ? "FLC"[hd] : (it_rv ? 'w' : '.');
      fprintf(stderr, "tsim: axi %" PRIu64 " %c%s\n", cycle - it_t0, c,
              arf ? (g == 0 ? " AR fetch" : g == 1 ? " AR load" : " AR compute") : "");
    }
    bool b[3] = {(bool)rp->dlvta_top__DOT__l_busy, (bool)rp->dlvta_top__DOT__c_busy,
                 (bool)rp->dlvta_top__DOT__s_busy};
    uint32_t pc[3] = {rp->dlvta_top__DOT__l_pc, rp->dlvta_top__DOT__c_pc, rp->dlvta_top__DOT__s_pc};
    static const char *const nm[3] = {"load", "compute", "store"};
    for (int u = 0; u < 3; u++) {
      if (b[u] && !it_busy[u]) it_start[u] = cycle, it_pc[u] = pc[u];
      if (!b[u] && it_busy[u])
        fprintf(stderr, "tsim: %s insn %u cycles %" PRIu64 "..%" PRIu64 "\n", nm[u], it_pc[u],
                it_start[u] - it_t0, cycle - it_t0);
      it_busy[u] = b[u];
    }
  }
#endif

  void dump(uint64_t t) {
#ifdef TSIM_TRACE
    if (tfp) tfp->dump(t);
#else
    (void)t;
#endif
  }

  // One clock cycle: inputs from the model, settle, sample handshakes, rising edge, update model.
  // The settling eval (clk low) only runs the logic of the inputs (Verilator's "ico" region: the
  // model has no falling-edge logic), and every output sampled here but s_axil_awready and
  // s_axil_wready is a function of registers, already current after the last rising edge. So,
  // unless an AXI4-Lite write is offered or waveforms are written, the cycle has one eval: the
  // rising edge's, which settles the inputs' logic first; the edge is the clock's rise from the
  // value Verilator last saw (__Vtrigrprev__TOP__clk, Verilator 5's edge detector), so that is
  // set to 0 as the skipped eval would have set it. About 7 % of the model's time.
  void tick() {
    set_inputs();
    top->clk = 0;
#ifdef TSIM_TRACE
    const bool settle = true;
#else
    const bool settle = top->s_axil_awvalid || top->s_axil_wvalid;
#endif
    if (settle) top->eval();
    else top->rootp->__Vtrigrprev__TOP__clk = 0;
    dump(cycle * 2);
    bool ar = top->m_axi_arvalid && top->m_axi_arready;
    bool r = top->m_axi_rvalid && top->m_axi_rready;
    bool ar1 = top->m1_axi_arvalid && top->m1_axi_arready;
    bool r1 = top->m1_axi_rvalid && top->m1_axi_rready;
    uint64_t ar1addr = top->m1_axi_araddr;
    unsigned ar1len = top->m1_axi_arlen;
    bool aw = top->m_axi_awvalid && top->m_axi_awready;
    bool w = top->m_axi_wvalid && top->m_axi_wready;
    bool b = top->m_axi_bvalid && top->m_axi_bready;
    uint64_t araddr = top->m_axi_araddr, awaddr = top->m_axi_awaddr;
    unsigned arlen = top->m_axi_arlen, awlen = top->m_axi_awlen;
    uint8_t wdata[64];
    get_bytes(top->m_axi_wdata, wdata, beat);
    uint32_t wstrb = (uint32_t)top->m_axi_wstrb;
    bool wlast = top->m_axi_wlast;
    check_held(araddr, arlen, awaddr, awlen, wdata, wstrb, wlast);
#ifdef TSIM_ITRACE
    if (itrace) {
      it_g = top->rootp->dlvta_top__DOT__u_rd__DOT__gnt_q;
      it_hd = top->rootp->dlvta_top__DOT__u_rd__DOT__head & 3;
      it_ar = ar, it_r = r, it_rv = top->m_axi_rvalid;
    }
#endif
    check_held1(ar1addr, ar1len);
    r_held = top->m_axi_rvalid && !r;
    r1_held = top->m1_axi_rvalid && !r1;
    b_held = top->m_axi_bvalid && !b;
    s_awready = top->s_axil_awready;
    s_wready = top->s_axil_wready;
    s_bvalid = top->s_axil_bvalid;
    s_arready = top->s_axil_arready;
    s_rvalid = top->s_axil_rvalid;
    s_rdata = top->s_axil_rdata;
    top->clk = 1;
    top->eval();
    dump(cycle * 2 + 1);
#ifdef TSIM_ITRACE
    if (itrace) itrace_step();
#endif

    if (debug) {
      if (ar) fprintf(stderr, "[%" PRIu64 "] AR 0x%08" PRIx64 " len %u\n", cycle, araddr, arlen);
      if (ar1) fprintf(stderr, "[%" PRIu64 "] AR1 0x%08" PRIx64 " len %u\n", cycle, ar1addr, ar1len);
      if (r1) fprintf(stderr, "[%" PRIu64 "] R1 0x%08" PRIx64 "%s\n", cycle,
                      rq1.front().addr + (uint64_t)rq1.front().done * beat, top->m1_axi_rlast ? " last" : "");
      if (r) fprintf(stderr, "[%" PRIu64 "] R  0x%08" PRIx64 "%s\n", cycle,
                     rq.front().addr + (uint64_t)rq.front().done * beat, top->m_axi_rlast ? " last" : "");
      if (aw) fprintf(stderr, "[%" PRIu64 "] AW 0x%08" PRIx64 " len %u\n", cycle, awaddr, awlen);
      if (w) fprintf(stderr, "[%" PRIu64 "] W  strb 0x%x%s\n", cycle, wstrb, wlast ? " last" : "");
      if (b) fprintf(stderr, "[%" PRIu64 "] B\n", cycle);
    }
    if (ar) check_burst("AR", araddr, arlen, top->m_axi_arsize, top->m_axi_arburst);
    if (ar1) check_burst("AR1", ar1addr, ar1len, top->m1_axi_arsize, top->m1_axi_arburst);
    if (aw) check_burst("AW", awaddr, awlen, top->m_axi_awsize, top->m_axi_awburst);
    if (r) {
      rcredit -= beat;
      ddr -= (int)beat;
      RdBurst &h = rq.front();
      if (++h.done == h.beats) rq.pop_front();
    }
    if (r1) {
      rcredit1 -= beat;
      ddr -= (int)beat;
      RdBurst &h = rq1.front();
      if (++h.done == h.beats) rq1.pop_front();
    }
    if (ar) rq.push_back({araddr, arlen + 1, 0, cycle + 1 + rd_lat});
    if (ar1) rq1.push_back({ar1addr, ar1len + 1, 0, cycle + 1 + rd_lat});
    if (aw) wq.push_back({awaddr, awlen + 1, 0, false});
    if (w) {
      wcredit -= beat;
      ddr -= (int)beat;
      WrBurst &h = wq.front();
      uint64_t a = h.addr + (uint64_t)h.done * beat;
      for (unsigned i = 0; i < beat; i++) {
        if (!(wstrb >> i & 1)) continue;
        uint8_t *p = host(a + i, 1);
        if (p) *p = wdata[i];
        else h.err = true;
      }
      h.done++;
      if (wlast || h.done == h.beats) {
        if (!wlast || h.done != h.beats) h.err = true;  // protocol error: length mismatch
        bq.push_back({cycle + 1 + wr_lat, h.err});
        wq.pop_front();
      }
    }
    if (b) bq.pop_front();
    rcredit = rcredit + bpc > 2 * beat ? 2 * beat : rcredit + bpc;
    rcredit1 = rcredit1 + bpc > 2 * beat ? 2 * beat : rcredit1 + bpc;
    ddr = ddr + ddr_bpc > ddr_cap ? ddr_cap : ddr + ddr_bpc;
    wcredit = wcredit + bpc > 2 * beat ? 2 * beat : wcredit + bpc;
    next_stalls();
    cycle++;
  }

  // AXI4 rules the master promises (rtl/REGS.md): INCR, full-width beats, aligned, at most 16
  // beats, never across 4 KiB; and (check_held) a raised AR, AW or W valid stays, with its
  // payload unchanged, until its handshake. A violation is kept and reported by the run.
  std::string violation;
  void check_held(uint64_t araddr, unsigned arlen, uint64_t awaddr, unsigned awlen,
                  const uint8_t *wdata, uint32_t wstrb, bool wlast) {
    bool arv = top->m_axi_arvalid, awv = top->m_axi_awvalid, wv = top->m_axi_wvalid;
    uint64_t ar = araddr | (uint64_t)arlen << 32, aw = awaddr | (uint64_t)awlen << 32;
    char buf[200];  // every cycle: not zeroed whole
    buf[0] = '\0';
    if (ar_wait && (!arv || ar != ar_prev))
      snprintf(buf, sizeof buf, "AR addr 0x%08" PRIx64 " len %u: %s before its handshake",
               ar_prev & 0xffffffffu, (unsigned)(ar_prev >> 32),
               arv ? "address or length changed" : "valid dropped");
    else if (aw_wait && (!awv || aw != aw_prev))
      snprintf(buf, sizeof buf, "AW addr 0x%08" PRIx64 " len %u: %s before its handshake",
               aw_prev & 0xffffffffu, (unsigned)(aw_prev >> 32),
               awv ? "address or length changed" : "valid dropped");
    else if (w_wait && (!wv || wstrb != w_prev_strb || wlast != w_prev_last ||
                        memcmp(wdata, w_prev, beat) != 0))
      snprintf(buf, sizeof buf, "W beat: %s before its handshake",
               wv ? "data, strobes or last changed" : "valid dropped");
    if (buf[0] && violation.empty())
      violation = "AXI protocol violation at cycle " + std::to_string(cycle) + ": " + buf;
    ar_wait = arv && !top->m_axi_arready;
    aw_wait = awv && !top->m_axi_awready;
    w_wait = wv && !top->m_axi_wready;
    ar_prev = ar;
    aw_prev = aw;
    w_prev_strb = wstrb;
    w_prev_last = wlast;
    memcpy(w_prev, wdata, beat);
  }
  // check_held's AR rule for the second read port
  void check_held1(uint64_t araddr, unsigned arlen) {
    bool arv = top->m1_axi_arvalid;
    uint64_t ar = araddr | (uint64_t)arlen << 32;
    if (ar1_wait && (!arv || ar != ar1_prev) && violation.empty()) {
      char buf[200];
      snprintf(buf, sizeof buf, "AXI protocol violation at cycle %" PRIu64 ": AR1 addr 0x%08" PRIx64
               " len %u: %s before its handshake", cycle, ar1_prev & 0xffffffffu, (unsigned)(ar1_prev >> 32),
               arv ? "address or length changed" : "valid dropped");
      violation = buf;
    }
    ar1_wait = arv && !top->m1_axi_arready;
    ar1_prev = ar;
  }
  void check_burst(const char *ch, uint64_t addr, unsigned len, unsigned size, unsigned burst) {
    if (!violation.empty()) return;
    char buf[200];
    if (len > 15 || (1u << size) != beat || burst != 1 || addr % beat ||
        (addr & 4095) + (uint64_t)(len + 1) * beat > 4096) {
      snprintf(buf, sizeof buf, "AXI protocol violation at cycle %" PRIu64 ": %s addr 0x%08" PRIx64
               " len %u size %u burst %u", cycle, ch, addr, len, size, burst);
      violation = buf;
    }
  }

  void reset() {
    top->rst_n = 0;
    top->s_axil_awvalid = 0;
    top->s_axil_wvalid = 0;
    top->s_axil_bready = 0;
    top->s_axil_arvalid = 0;
    top->s_axil_rready = 0;
    for (int i = 0; i < 4; i++) tick();
    rq.clear();
    rq1.clear();
    wq.clear();
    bq.clear();
    r_held = b_held = ar_wait = aw_wait = w_wait = r1_held = ar1_wait = false;
    top->rst_n = 1;
    tick();
  }

  void reg_write(uint32_t off, uint32_t v) {
    // a run must start on a quiet bus: the previous run (done, error or abort) drained its bursts
    if (off == DLVTA_REG_CTRL && (v & DLVTA_CTRL_START) && violation.empty() &&
        (!rq.empty() || !rq1.empty() || !wq.empty() || !bq.empty() || r_held || r1_held || b_held)) {
      char buf[200];
      snprintf(buf, sizeof buf, "start at cycle %" PRIu64 " while the previous run's bursts were on "
               "the bus (%zu reads, %zu writes, %zu write responses outstanding)", cycle, rq.size() + rq1.size(),
               wq.size(), bq.size());
      violation = buf;
    }
    top->s_axil_awaddr = off;
    top->s_axil_awvalid = 1;
    top->s_axil_wdata = v;
    top->s_axil_wstrb = 0xF;
    top->s_axil_wvalid = 1;
    top->s_axil_bready = 1;
    do tick(); while (!(s_awready && s_wready));
    top->s_axil_awvalid = 0;
    top->s_axil_wvalid = 0;
    do tick(); while (!s_bvalid);
    top->s_axil_bready = 0;
  }

  uint32_t reg_read(uint32_t off) {
    top->s_axil_araddr = off;
    top->s_axil_arvalid = 1;
    top->s_axil_rready = 1;
    do tick(); while (!s_arready);
    top->s_axil_arvalid = 0;
    do tick(); while (!s_rvalid);
    top->s_axil_rready = 0;
    return s_rdata;
  }

  uint64_t reg_read64(uint32_t off) {
    uint64_t lo = reg_read(off);
    return lo | (uint64_t)reg_read(off + 4) << 32;
  }
};

namespace {

struct Msg {
  char *buf;
  size_t cap, len = 0;
  Msg(char *b, size_t c) : buf(b), cap(c) { buf[0] = 0; }
  void add(const char *fmt, ...) __attribute__((format(printf, 2, 3))) {
    if (len + 1 >= cap) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + len, cap - len, fmt, ap);
    va_end(ap);
    if (n > 0) len = len + (size_t)n < cap ? len + (size_t)n : cap - 1;
  }
};

// Disassembly of instruction idx of the program (read from the regions), for messages.
std::string disasm_at(tsim *t, uint64_t insn_addr, uint32_t count, uint64_t idx) {
  if (idx >= count) return "(past the end of the program)";
  const uint8_t *p = t->host(insn_addr + idx * 16, 16);
  if (!p) return "(instruction not in device memory)";
  isa_word w;
  memcpy(&w.w[0], p, 8);
  memcpy(&w.w[1], p + 8, 8);
  char buf[512];
  isa_disasm(t->cfg, &w, buf, sizeof buf);
  return buf;
}

// A stall probability must leave the channel free sometimes (tsim_opts).
bool stalls_ok(const tsim_opts &o, char *err, size_t errlen) {
  for (int c = 0; c < TSIM_CHANNELS; c++)
    if (o.stall_permille[c] >= 1000) {
      if (err) snprintf(err, errlen, "stall_permille[%d] = %u: must be below 1000", c, o.stall_permille[c]);
      return false;
    }
  return true;
}

const char *kind_name(int k) {
  static const char *const names[DLVTA_ERR_COUNT] = DLVTA_ERR_TEXTS;
  return k > DLVTA_ERR_NONE && k < DLVTA_ERR_COUNT ? names[k] : "error";
}

// Where every unit is: PCs with disassembly and the WAIT bits.
void describe_units(tsim *t, Msg &m, uint64_t insn_addr, uint32_t count) {
  static const char *const wait_names[DLVTA_WAIT_WIDTH] = DLVTA_WAIT_TEXTS;
  uint32_t wait = t->reg_read(DLVTA_REG_WAIT);
  m.add("fetch: next instruction %u of %u\n", t->reg_read(DLVTA_REG_FETCH_PC), count);
  static const char *names[3] = {"load", "compute", "store"};
  static const uint32_t regs[3] = {DLVTA_REG_LOAD_PC, DLVTA_REG_COMPUTE_PC, DLVTA_REG_STORE_PC};
  for (int u = 0; u < 3; u++) {
    uint32_t pc = t->reg_read(regs[u]);
    if (pc == DLVTA_REGS_PC_IDLE) {
      m.add("%s: idle (queue empty)\n", names[u]);
      continue;
    }
    m.add("%s: instruction %u: %s\n", names[u], pc, disasm_at(t, insn_addr, count, pc).c_str());
  }
  if (wait) {
    m.add("waiting:");
    for (unsigned b = 0; b < DLVTA_WAIT_WIDTH; b++)
      if (wait >> b & 1) m.add(" [%s]", wait_names[b]);
    m.add("\n");
  }
}

void read_counters(tsim *t, drv_counters *c) {
  uint64_t v[DLVTA_CNT_COUNT];
  for (uint32_t i = 0; i < DLVTA_CNT_COUNT; i++) v[i] = t->reg_read64(DLVTA_REGS_CNT_BASE + 8 * i);
  drv_counters_from_regs(&t->cfg->d, v, c);
}

}  // namespace

TSIM_EXPORT int tsim_abi(void) { return TSIM_ABI_VERSION; }

TSIM_EXPORT const char *tsim_config(void) { return TSIM_CONFIG; }

TSIM_EXPORT tsim *tsim_create(const tsim_opts *opts, char *err, size_t errlen) {
  tsim_opts o = {};
  if (opts) o = *opts;
  const isa_config *cfg = isa_config_find(TSIM_CONFIG);
  if (!cfg) {
    snprintf(err, errlen, "config '%s' unknown to libisa", TSIM_CONFIG);
    return nullptr;
  }
#ifndef TSIM_TRACE
  if (o.trace && *o.trace) {
    snprintf(err, errlen, "this libtsim.so has no waveform support (use libtsim_trace.so)");
    return nullptr;
  }
#endif
  if (!stalls_ok(o, err, errlen)) return nullptr;
  tsim *t = new tsim;
  t->cfg = cfg;
  t->beat = cfg->d.axi_bits / 8;
  t->set_dram(o);
  t->max_cycles = o.max_cycles ? o.max_cycles : (1ull << 32);
  t->top = new TSIM_TOP(&t->ctx, "top");
#ifdef TSIM_TRACE
  if (o.trace && *o.trace) {
    t->ctx.traceEverOn(true);
    t->tfp = new VerilatedFstC;
    t->top->trace(t->tfp, 99);
    t->tfp->open(o.trace);
  }
#endif
  t->reset();
  uint64_t fp = (uint64_t)t->reg_read(DLVTA_REG_FP_HI) << 32 | t->reg_read(DLVTA_REG_FP_LO);
  if (fp != cfg->fingerprint) {
    snprintf(err, errlen, "RTL fingerprint %016" PRIx64 " differs from libisa's %016" PRIx64, fp,
             cfg->fingerprint);
    tsim_destroy(t);
    return nullptr;
  }
  uint32_t id = t->reg_read(DLVTA_REG_REGS_ID);
  if (id != DLVTA_REGS_ID) {
    snprintf(err, errlen, "RTL register map REGS_ID %08x differs from the driver's %08x (isa/regs.def)",
             id, (unsigned)DLVTA_REGS_ID);
    tsim_destroy(t);
    return nullptr;
  }
  return t;
}

TSIM_EXPORT void tsim_destroy(tsim *t) {
  if (!t) return;
#ifdef TSIM_TRACE
  if (t->tfp) {
    t->tfp->close();
    delete t->tfp;
  }
#endif
  t->top->final();
  delete t->top;
  delete t;
}

TSIM_EXPORT int tsim_set_dram(tsim *t, const tsim_opts *opts) {
  if (!t || !opts || !stalls_ok(*opts, nullptr, 0)) return DRV_E_ARG;
  t->set_dram(*opts);
  return DRV_OK;
}

TSIM_EXPORT uint32_t tsim_reg_read(tsim *t, uint32_t off) { return t->reg_read(off); }

TSIM_EXPORT uint64_t tsim_cycles(tsim *t) { return t->cycle; }

// Stop a failed run the way a board's driver does (CTRL.abort): units start nothing more, the
// bursts on the bus complete, then busy clears with ERR_KIND ABORTED; the next start resets the
// units. Only if that fails, the hard reset (which a board cannot do without a reload). Says
// which on m; false after a hard reset.
static bool abort_run(tsim *t, Msg &m) {
  t->reg_write(DLVTA_REG_CTRL, DLVTA_CTRL_ABORT);
  uint64_t a0 = t->cycle;
  uint32_t st = t->reg_read(DLVTA_REG_STATUS);
  while ((st & DLVTA_STATUS_BUSY) && t->cycle - a0 < TSIM_ABORT_CYCLES) {
    for (int i = 0; i < 32; i++) t->tick();
    st = t->reg_read(DLVTA_REG_STATUS);
  }
  uint32_t ak = t->reg_read(DLVTA_REG_ERR_KIND);
  if (!(st & DLVTA_STATUS_BUSY) && (st & DLVTA_STATUS_ERROR) && t->violation.empty()) {
    m.add("  aborted (CTRL.abort) in %" PRIu64 " cycles: %s; the device takes the next run\n",
          t->cycle - a0, ak == DLVTA_ERR_ABORTED ? "ERR_KIND aborted" : kind_name((int)ak));
    return true;
  }
  m.add("  CTRL.abort did not stop the device in %" PRIu64 " cycles (STATUS 0x%x%s%s): hard "
        "reset\n", t->cycle - a0, st, t->violation.empty() ? "" : "; ", t->violation.c_str());
  t->reset();  // the buffers keep their contents; queues, tokens and the DRAM model restart
  return false;
}

TSIM_EXPORT int tsim_run(tsim *t, const drv_region *regions, int n_regions, uint64_t insn_addr,
                         uint32_t count, uint32_t timeout_ms, drv_counters *ctr, drv_error *err) {
  drv_counters dummy_c;
  drv_error dummy_e;
  if (!ctr) ctr = &dummy_c;
  if (!err) err = &dummy_e;
  memset(ctr, 0, sizeof *ctr);
  memset(err, 0, sizeof *err);
  err->insn_index = -1;
  if (!t || n_regions < 0 || (n_regions && !regions) || insn_addr % 16 || insn_addr >> 32)
    return DRV_E_ARG;
  t->regions.assign(regions, regions + n_regions);
  drv_window w[DLVTA_REGS_WIN_COUNT] = {};
  int nw = t->win_set ? (int)t->win.size()
                      : drv_windows_cover(regions, n_regions, w, (int)DLVTA_REGS_WIN_COUNT);
  if (t->win_set) std::copy(t->win.begin(), t->win.end(), w);
  for (unsigned i = 0; i < DLVTA_REGS_WIN_COUNT; i++) {  // unused windows: empty
    t->reg_write(DLVTA_REG_WIN0_BASE + 8 * i, (int)i < nw ? drv_window_reg(w[i].base) : 0);
    t->reg_write(DLVTA_REG_WIN0_LIMIT + 8 * i, (int)i < nw ? drv_window_reg(w[i].limit) : 0);
  }
  t->reg_write(DLVTA_REG_INSN_ADDR, (uint32_t)insn_addr);
  t->reg_write(DLVTA_REG_INSN_COUNT, count);
  t->violation.clear();
  t->reg_write(DLVTA_REG_CTRL, DLVTA_CTRL_START | DLVTA_CTRL_IRQ_EN);  // irq checked below

  auto t0 = std::chrono::steady_clock::now();
  uint64_t start = t->cycle;
  uint64_t last_sig[10] = {0};
  int same = 0;
  int rc = DRV_OK;
  int fail_kind = 0;
  for (uint64_t polls = 0;; polls++) {
    for (int i = 0; i < 32; i++) t->tick();
    uint32_t st = t->reg_read(DLVTA_REG_STATUS);
    if (!(st & DLVTA_STATUS_BUSY)) {
      if (st & DLVTA_STATUS_ERROR) rc = DRV_E_EXEC;
      break;
    }
    if (t->cycle - start > t->max_cycles) {
      rc = DRV_E_TIMEOUT;
      fail_kind = DRV_ERR_TIMEOUT;
      break;
    }
    if (polls % 128 == 127) {
      // no progress over two windows of ~4096 cycles while units wait: deadlock
      uint64_t sig[10] = {t->reg_read(DLVTA_REG_FETCH_PC), t->reg_read(DLVTA_REG_LOAD_PC),
                          t->reg_read(DLVTA_REG_COMPUTE_PC), t->reg_read(DLVTA_REG_STORE_PC),
                          t->reg_read(DLVTA_REG_WAIT), t->reg_read64(DLVTA_REG_BYTES_READ),
                          t->reg_read64(DLVTA_REG_BYTES_WRITTEN),
                          t->reg_read64(DLVTA_REG_GEMM_CYCLES), t->reg_read64(DLVTA_REG_ALU_CYCLES),
                          t->reg_read64(DLVTA_REG_INSNS_LOAD)};
      same = memcmp(sig, last_sig, sizeof sig) == 0 ? same + 1 : 0;
      memcpy(last_sig, sig, sizeof sig);
      if (same >= 2 && sig[4] != 0) {
        rc = DRV_E_EXEC;
        fail_kind = DRV_ERR_DEADLOCK;
        break;
      }
      if (timeout_ms) {
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - t0).count();
        if (ms > (long long)timeout_ms) {
          rc = DRV_E_TIMEOUT;
          fail_kind = DRV_ERR_TIMEOUT;
          break;
        }
      }
    }
  }
  read_counters(t, ctr);
  uint32_t status = t->reg_read(DLVTA_REG_STATUS);
  if (rc == DRV_OK && !(status & DLVTA_STATUS_DONE)) {
    snprintf(err->message, sizeof err->message, "tsim: run ended without done (STATUS 0x%x)", status);
    err->kind = DRV_ERR_BACKEND;
    return DRV_E_IO;
  }
  /* irq = (done | error) && irq_en (rtl/REGS.md); irq_en is set for every run */
  if (!fail_kind && (bool)t->top->irq != (bool)(status & (DLVTA_STATUS_DONE | DLVTA_STATUS_ERROR))) {
    snprintf(err->message, sizeof err->message, "tsim: irq is %d with STATUS 0x%x and irq_en set",
             (int)t->top->irq, status);
    err->kind = DRV_ERR_BACKEND;
    return DRV_E_IO;
  }
  if (!t->violation.empty()) {
    snprintf(err->message, sizeof err->message, "tsim: %s", t->violation.c_str());
    err->kind = DRV_ERR_BACKEND;
    return DRV_E_IO;
  }
  if (rc != DRV_OK) {
    Msg m(err->message, sizeof err->message);
    if (fail_kind) {
      err->kind = fail_kind;
      err->insn_index = -1;
      if (fail_kind == DRV_ERR_DEADLOCK) {  // the first blocked instruction, as fsim reports it
        uint32_t pcs[3] = {t->reg_read(DLVTA_REG_LOAD_PC), t->reg_read(DLVTA_REG_COMPUTE_PC),
                           t->reg_read(DLVTA_REG_STORE_PC)};
        for (int u = 0; u < 3; u++)
          if (pcs[u] != DLVTA_REGS_PC_IDLE && (err->insn_index < 0 || pcs[u] < err->insn_index))
            err->insn_index = pcs[u];
      }
      m.add("%s after %" PRIu64 " cycles; ", kind_name(fail_kind), t->cycle - start);
      m.add("units:\n");
      describe_units(t, m, insn_addr, count);
      if (!abort_run(t, m)) {
        err->kind = DRV_ERR_BACKEND;
        rc = DRV_E_IO;
      }
    } else {
      uint32_t kind = t->reg_read(DLVTA_REG_ERR_KIND);
      uint32_t idx = t->reg_read(DLVTA_REG_ERR_INSN);
      err->kind = (int)kind;
      err->insn_index = kind == DRV_ERR_NO_FINISH ? -1 : (int64_t)idx;
      m.add("%s at instruction %u: %s\n", kind_name((int)kind), idx,
            disasm_at(t, insn_addr, count, idx).c_str());
      describe_units(t, m, insn_addr, count);
    }
  }
  return rc;
}

// ---- port level (ABI 2, tsim.h): single register accesses, free clocking, caller's DRAM ----

TSIM_EXPORT void tsim_reg_write(tsim *t, uint32_t off, uint32_t val) { t->reg_write(off, val); }

TSIM_EXPORT void tsim_step(tsim *t, uint64_t cycles) {
  for (uint64_t i = 0; i < cycles; i++) t->tick();
}

TSIM_EXPORT int tsim_set_windows(tsim *t, const drv_window *w, int n) {
  if (!t || n > (int)DLVTA_REGS_WIN_COUNT || (n > 0 && !w)) return DRV_E_ARG;
  t->win_set = n >= 0;
  t->win.assign(w, w + (n > 0 ? n : 0));
  return DRV_OK;
}

TSIM_EXPORT int tsim_set_regions(tsim *t, const drv_region *regions, int n_regions) {
  if (!t || n_regions < 0 || (n_regions && !regions)) return DRV_E_ARG;
  t->regions.assign(regions, regions + n_regions);
  return DRV_OK;
}

TSIM_EXPORT const char *tsim_violation(tsim *t) { return t->violation.c_str(); }

TSIM_EXPORT int tsim_irq(tsim *t) { return t->top->irq ? 1 : 0; }
