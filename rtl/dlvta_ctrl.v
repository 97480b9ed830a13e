// rtl/dlvta_ctrl.v -- the AXI4-Lite control slave (the register map is isa/regs.def, through the
// generated dlvta_regs.vh; rtl/REGS.md), the run state (busy / done / error with the first
// error's kind and instruction index), the start sequence (one cycle of unit reset, then go), the
// abort (CTRL.abort: the error path's halt with kind ABORTED, so units drain as after an error)
// and the 64-bit performance counters.
`default_nettype none
`include "dlvta_isa.vh"
`include "dlvta_regs.vh"

module dlvta_ctrl (
  input  wire        clk_i,
  input  wire        rst_ni,
  // AXI4-Lite slave
  input  wire [`DLVTA_REGS_ADDR_BITS-1:0] s_awaddr_i,
  input  wire        s_awvalid_i,
  output wire        s_awready_o,
  input  wire [31:0] s_wdata_i,
  input  wire [3:0]  s_wstrb_i,
  input  wire        s_wvalid_i,
  output wire        s_wready_o,
  output wire [1:0]  s_bresp_o,
  output reg         s_bvalid_o,
  input  wire        s_bready_i,
  input  wire [`DLVTA_REGS_ADDR_BITS-1:0] s_araddr_i,
  input  wire        s_arvalid_i,
  output wire        s_arready_o,
  output reg  [31:0] s_rdata_o,
  output wire [1:0]  s_rresp_o,
  output reg         s_rvalid_o,
  input  wire        s_rready_i,
  output wire        irq_o,
  // run control
  output wire        clear_o,      // one cycle at start: resets the units, queues and tokens
  output reg         go_o,         // the cycle after: fetch starts
  output wire [31:0] insn_addr_o,
  output wire [31:0] insn_count_o,
  // DRAM windows (WINn_BASE / WINn_LIMIT as 4 KiB page numbers), window w at
  // [w*WinBits +: WinBits] = {limit == 0, base == 0, limit - 1, base - 1, limit, base} (dlvta_win)
  output wire [`DLVTA_REGS_WIN_COUNT*82-1:0] win_o,
  output wire        halt_o,       // an error happened: units start nothing more
  // unit status
  input  wire [3:0]  err_v_i,      // {store, compute, load, fetch}: one-cycle error reports
  input  wire [4*`DLVTA_REGS_ERR_KIND_BITS-1:0] err_kind_i, // same order
  input  wire [127:0] err_idx_i,   // 32 bits each, same order
  input  wire        finish_i,     // FINISH retired
  input  wire        exhausted_i,  // fetch dispatched every instruction without FINISH
  input  wire        units_idle_i, // every unit idle, every queue empty, no memory traffic
  input  wire        units_quiet_i,// no unit executing, no memory traffic (queues may hold work)
  input  wire [31:0] fetch_pc_i,
  input  wire [31:0] load_pc_i,
  input  wire [31:0] compute_pc_i,
  input  wire [31:0] store_pc_i,
  input  wire [`DLVTA_WAIT_WIDTH-1:0] wait_i, // the WAIT register
  // counter events
  input  wire        ev_gemm_i,
  input  wire        ev_alu_i,
  input  wire        ev_mac_i,
  input  wire [2:0]  ev_busy_i,    // {store, compute, load}
  input  wire [2:0]  ev_stall_i,
  input  wire [15:0] ev_rd_bytes_i,    // both read ports
  input  wire [15:0] ev_rd1_bytes_i,   // the second read port
  input  wire [15:0] ev_wr_bytes_i,
  input  wire        ev_ret_load_i,    // a LOAD retired (either unit)
  input  wire [2:0]  ev_ret_load_mem_i,
  input  wire        ev_ret_load2_i,   // a second LOAD retired in the same cycle
  input  wire [2:0]  ev_ret_load2_mem_i,
  input  wire        ev_ret_store_i,
  input  wire        ev_ret_gemm_i,
  input  wire        ev_ret_alu_i,
  input  wire        ev_ret_dwgemm_i,
  input  wire        ev_ret_finish_i
);
  localparam integer AddrBits = `DLVTA_REGS_ADDR_BITS;
  localparam integer KindBits = `DLVTA_REGS_ERR_KIND_BITS;
  localparam integer NCnt = `DLVTA_CNT_COUNT;
  localparam integer CntSelBits = $clog2(NCnt);
  localparam [63:0] Fingerprint = `DLVTA_FINGERPRINT;

  reg        busy_q;
  reg        done_q;
  reg        error_q;
  reg        halt_q;
  reg        finish_q;
  reg        irq_en_q;
  reg        abort_q;      // CTRL.abort was written during this run
  reg [KindBits-1:0] err_kind_q;
  reg [31:0] err_insn_q;
  reg [31:0] insn_addr_q;
  reg [31:0] insn_count_q;
  reg        clear_q;
  localparam integer NWin = `DLVTA_REGS_WIN_COUNT;
  localparam integer WinSel = (NWin > 1) ? $clog2(NWin) : 1;
  wire [NWin*20-1:0] win_base;   // WINn_BASE, WINn_LIMIT: page numbers, window n at [n*20 +: 20]
  wire [NWin*20-1:0] win_limit;

  // ---- AXI4-Lite ----
  wire wr_fire = s_awvalid_i && s_wvalid_i && !s_bvalid_o;
  assign s_awready_o = wr_fire;
  assign s_wready_o = wr_fire;
  assign s_bresp_o = 2'b00;
  // a read: the address registered (ra_q, rd_pend_q), the data a cycle later (no decode or
  // counter select between the AXI address and a register)
  reg                 rd_pend_q;
  reg  [AddrBits-1:0] ra_q;
  assign s_arready_o = !s_rvalid_o && !rd_pend_q;
  assign s_rresp_o = 2'b00;
  wire ar_fire = s_arvalid_i && s_arready_o;
  wire rd_fire = rd_pend_q;
  wire [AddrBits-1:0] wr_word = {s_awaddr_i[AddrBits-1:2], 2'b00};  // the register's offset
  wire [AddrBits-1:0] rd_word = {ra_q[AddrBits-1:2], 2'b00};
  always @(posedge clk_i) begin
    if (!rst_ni) begin
      rd_pend_q <= 1'b0;
      ra_q <= {AddrBits{1'b0}};
    end else begin
      rd_pend_q <= ar_fire;
      if (ar_fire) ra_q <= s_araddr_i;
    end
  end

  wire start = wr_fire && (wr_word == `DLVTA_REG_CTRL) && s_wstrb_i[`DLVTA_CTRL_START_BIT / 8] &&
               s_wdata_i[`DLVTA_CTRL_START_BIT] && !busy_q;
  wire abort = wr_fire && (wr_word == `DLVTA_REG_CTRL) && s_wstrb_i[`DLVTA_CTRL_ABORT_BIT / 8] &&
               s_wdata_i[`DLVTA_CTRL_ABORT_BIT] && busy_q;
  assign clear_o = clear_q;
  assign insn_addr_o = insn_addr_q;
  assign insn_count_o = insn_count_q;
  // window registers: WIN0_BASE + 8 w (BASE), + 4 (LIMIT); the record's derived fields are
  // registered here (a cycle after the write, long before a run can start)
  wire [AddrBits-1:0] win_woff = wr_word - `DLVTA_REG_WIN0_BASE;
  wire win_whit = (wr_word >= `DLVTA_REG_WIN0_BASE) && (win_woff[AddrBits-1:3] < NWin[AddrBits-4:0]);
  // a read's window and counter decode from the AXI address, registered with it (below)
  wire [AddrBits-1:0] ar_word = {s_araddr_i[AddrBits-1:2], 2'b00};
  wire [AddrBits-1:0] win_aoff = ar_word - `DLVTA_REG_WIN0_BASE;
  wire win_ahit = (ar_word >= `DLVTA_REG_WIN0_BASE) && (win_aoff[AddrBits-1:3] < NWin[AddrBits-4:0]);
  genvar gw;
  generate
    for (gw = 0; gw < NWin; gw = gw + 1) begin : gen_win
      reg [19:0] base_q;
      reg [19:0] limit_q;
      reg [81:0] rec_q;  // {limit == 0, base == 0, limit - 1, base - 1, limit, base}
      always @(posedge clk_i) begin
        if (!rst_ni) begin
          base_q <= 20'd0;
          limit_q <= 20'd0;
          rec_q <= {1'b1, 1'b1, 20'hFFFFF, 20'hFFFFF, 20'd0, 20'd0};
        end else begin
          if (wr_fire && win_whit && !busy_q && (win_woff[3 +: WinSel] == gw)) begin
            if (win_woff[2]) limit_q <= s_wdata_i[31:12];
            else base_q <= s_wdata_i[31:12];
          end
          rec_q <= {limit_q == 20'd0, base_q == 20'd0, limit_q - 20'd1, base_q - 20'd1, limit_q, base_q};
        end
      end
      assign win_o[gw*82 +: 82] = rec_q;
      assign win_base[gw*20 +: 20] = base_q;
      assign win_limit[gw*20 +: 20] = limit_q;
    end
  endgenerate
  assign halt_o = halt_q || (err_v_i != 4'd0);
  assign irq_o = (done_q || error_q) && irq_en_q;  // the run ended, either way

  // ---- first error: lowest unit number wins a tie ----
  reg        e_v;
  reg [KindBits-1:0] e_kind;
  reg [31:0] e_idx;
  integer ei;
  always @* begin
    e_v = 1'b0;
    e_kind = `DLVTA_ERR_NONE;
    e_idx = 32'd0;
    for (ei = 3; ei >= 0; ei = ei - 1) begin
      if (err_v_i[ei]) begin
        e_v = 1'b1;
        e_kind = err_kind_i[ei*KindBits +: KindBits];
        e_idx = err_idx_i[ei*32 +: 32];
      end
    end
  end

  // counter reads: counter n at CNT_BASE + 8 * n (low word), + 4 (high word)
  wire [AddrBits-1:0]   cnt_aoff = s_araddr_i - `DLVTA_REGS_CNT_BASE;
  wire cnt_ahit = (s_araddr_i >= `DLVTA_REGS_CNT_BASE) && (cnt_aoff[AddrBits-1:3] < NCnt[AddrBits-4:0]);
  reg                  cnt_hit, win_rhit;  // the read's decode, registered with ra_q
  reg [CntSelBits-1:0] cnt_sel;
  reg [WinSel-1:0]     win_rsel;
  reg                  win_rlim;           // the window's limit word (else its base)
  always @(posedge clk_i) begin
    if (ar_fire) begin
      cnt_hit <= cnt_ahit;
      cnt_sel <= cnt_aoff[3 +: CntSelBits];
      win_rhit <= win_ahit;
      win_rsel <= win_aoff[3 +: WinSel];
      win_rlim <= win_aoff[2];
    end
  end

  // ---- counters ----
  // counter n is cnt_q[n*64 +: 64]; it adds inc[n*16 +: 16] every cycle
  reg [NCnt*64-1:0] cnt_q;
  reg [NCnt*16-1:0] inc;
  integer ci;
  always @* begin
    inc = {(NCnt*16){1'b0}};
    inc[`DLVTA_CNT_CYCLES*16 +: 16] = {15'd0, busy_q};
    inc[`DLVTA_CNT_GEMM_CYCLES*16 +: 16] = {15'd0, ev_gemm_i};
    inc[`DLVTA_CNT_ALU_CYCLES*16 +: 16] = {15'd0, ev_alu_i};
    inc[`DLVTA_CNT_LOAD_BUSY*16 +: 16] = {15'd0, ev_busy_i[0]};
    inc[`DLVTA_CNT_COMPUTE_BUSY*16 +: 16] = {15'd0, ev_busy_i[1]};
    inc[`DLVTA_CNT_STORE_BUSY*16 +: 16] = {15'd0, ev_busy_i[2]};
    inc[`DLVTA_CNT_LOAD_STALL*16 +: 16] = {15'd0, ev_stall_i[0]};
    inc[`DLVTA_CNT_COMPUTE_STALL*16 +: 16] = {15'd0, ev_stall_i[1]};
    inc[`DLVTA_CNT_STORE_STALL*16 +: 16] = {15'd0, ev_stall_i[2]};
    inc[`DLVTA_CNT_BYTES_READ*16 +: 16] = ev_rd_bytes_i;
    inc[`DLVTA_CNT_BYTES_WRITTEN*16 +: 16] = ev_wr_bytes_i;
    inc[`DLVTA_CNT_BYTES_READ1*16 +: 16] = ev_rd1_bytes_i;
    inc[`DLVTA_CNT_INSNS_LOAD*16 +: 16] = {14'd0, {1'b0, ev_ret_load_i} + {1'b0, ev_ret_load2_i}};
    inc[`DLVTA_CNT_INSNS_STORE*16 +: 16] = {15'd0, ev_ret_store_i};
    inc[`DLVTA_CNT_INSNS_GEMM*16 +: 16] = {15'd0, ev_ret_gemm_i};
    inc[`DLVTA_CNT_INSNS_ALU*16 +: 16] = {15'd0, ev_ret_alu_i};
    inc[`DLVTA_CNT_INSNS_DWGEMM*16 +: 16] = {15'd0, ev_ret_dwgemm_i};
    inc[`DLVTA_CNT_INSNS_FINISH*16 +: 16] = {15'd0, ev_ret_finish_i};
    inc[`DLVTA_CNT_MAC_ITERS*16 +: 16] = {15'd0, ev_mac_i};
    for (ci = 0; ci < `DLVTA_CNT_LOADS_LEN; ci = ci + 1) begin  // by memory code
      inc[(`DLVTA_CNT_LOADS + ci)*16 +: 16] = {14'd0, {1'b0, ev_ret_load_i && (ev_ret_load_mem_i == ci[2:0])} +
                                        {1'b0, ev_ret_load2_i && (ev_ret_load2_mem_i == ci[2:0])}};
    end
  end

  // Timing: the increments are registered (inc_q), and each counter adds in two 32-bit halves,
  // the low half's carry registered (cy_q) into the high half a cycle later; so a counter read
  // lags its events by up to two cycles, which the driver, reading after the run, never sees.
  reg [NCnt*16-1:0] inc_q;
  reg [NCnt-1:0]    cy_q;
  always @(posedge clk_i) begin
    if (!rst_ni || start) inc_q <= {(NCnt*16){1'b0}};
    else inc_q <= inc;
  end
  genvar gc;
  generate
    for (gc = 0; gc < NCnt; gc = gc + 1) begin : gen_cnt
      wire [32:0] lo = {1'b0, cnt_q[gc*64 +: 32]} + {17'd0, inc_q[gc*16 +: 16]};
      always @(posedge clk_i) begin
        if (!rst_ni || start) begin
          cnt_q[gc*64 +: 64] <= 64'd0;
          cy_q[gc] <= 1'b0;
        end else begin
          cnt_q[gc*64 +: 32] <= lo[31:0];
          cy_q[gc] <= lo[32];
          cnt_q[gc*64 + 32 +: 32] <= cnt_q[gc*64 + 32 +: 32] + {31'd0, cy_q[gc]};
        end
      end
    end
  endgenerate
  wire [63:0] cnt_rd = cnt_q[cnt_sel*64 +: 64];

  // the registers with bits, as read (CTRL.START reads 0)
  reg [31:0] ctrl_rd, status_rd;
  always @* begin
    ctrl_rd = 32'd0;
    ctrl_rd[`DLVTA_CTRL_IRQ_EN_BIT] = irq_en_q;
    status_rd = 32'd0;
    status_rd[`DLVTA_STATUS_BUSY_BIT] = busy_q;
    status_rd[`DLVTA_STATUS_DONE_BIT] = done_q;
    status_rd[`DLVTA_STATUS_ERROR_BIT] = error_q;
  end

  // ---- run state ----
  always @(posedge clk_i) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      done_q <= 1'b0;
      error_q <= 1'b0;
      halt_q <= 1'b0;
      finish_q <= 1'b0;
      irq_en_q <= 1'b0;
      abort_q <= 1'b0;
      err_kind_q <= `DLVTA_ERR_NONE;
      err_insn_q <= 32'd0;
      insn_addr_q <= 32'd0;
      insn_count_q <= 32'd0;
      clear_q <= 1'b0;
      go_o <= 1'b0;
      s_bvalid_o <= 1'b0;
      s_rvalid_o <= 1'b0;
      s_rdata_o <= 32'd0;
    end else begin
      clear_q <= start;
      go_o <= clear_q;
      if (abort) abort_q <= 1'b1;
      if (s_bvalid_o && s_bready_i) s_bvalid_o <= 1'b0;
      if (wr_fire) begin
        s_bvalid_o <= 1'b1;
        case (wr_word)
          `DLVTA_REG_CTRL:
            if (s_wstrb_i[`DLVTA_CTRL_IRQ_EN_BIT / 8]) irq_en_q <= s_wdata_i[`DLVTA_CTRL_IRQ_EN_BIT];
          `DLVTA_REG_INSN_ADDR: if (!busy_q) insn_addr_q <= s_wdata_i;
          `DLVTA_REG_INSN_COUNT: if (!busy_q) insn_count_q <= s_wdata_i;
          default: begin end
        endcase
      end
      if (start) begin
        busy_q <= 1'b1;
        done_q <= 1'b0;
        error_q <= 1'b0;
        halt_q <= 1'b0;
        finish_q <= 1'b0;
        abort_q <= 1'b0;
        err_kind_q <= `DLVTA_ERR_NONE;
        err_insn_q <= 32'd0;
      end else if (busy_q && !clear_q && !go_o) begin
        if (finish_i) finish_q <= 1'b1;
        if (!halt_q && e_v) begin
          halt_q <= 1'b1;
          err_kind_q <= e_kind;
          err_insn_q <= e_idx;
        end else if (!halt_q && abort_q) begin
          // the error path from here: units start nothing, bursts on the bus complete
          halt_q <= 1'b1;
          err_kind_q <= `DLVTA_ERR_ABORTED;
          err_insn_q <= fetch_pc_i;
        end else if (!halt_q && exhausted_i && units_idle_i) begin
          halt_q <= 1'b1;
          err_kind_q <= `DLVTA_ERR_NO_FINISH;
          err_insn_q <= insn_count_q;
        end else if (halt_q && units_quiet_i) begin
          busy_q <= 1'b0;
          error_q <= 1'b1;
        end else if (!halt_q && finish_q && units_idle_i) begin
          busy_q <= 1'b0;
          done_q <= 1'b1;
        end
      end
      // reads
      if (s_rvalid_o && s_rready_i) s_rvalid_o <= 1'b0;
      if (rd_fire) begin
        s_rvalid_o <= 1'b1;
        s_rdata_o <= 32'd0;
        if (cnt_hit) begin
          s_rdata_o <= ra_q[2] ? cnt_rd[63:32] : cnt_rd[31:0];
        end else if (win_rhit) begin
          s_rdata_o <= {win_rlim ? win_limit[win_rsel*20 +: 20] : win_base[win_rsel*20 +: 20], 12'd0};
        end else begin
          case (rd_word)
            `DLVTA_REG_CTRL: s_rdata_o <= ctrl_rd;
            `DLVTA_REG_STATUS: s_rdata_o <= status_rd;
            `DLVTA_REG_INSN_ADDR: s_rdata_o <= insn_addr_q;
            `DLVTA_REG_INSN_COUNT: s_rdata_o <= insn_count_q;
            `DLVTA_REG_ERR_KIND: s_rdata_o <= {{(32-KindBits){1'b0}}, err_kind_q};
            `DLVTA_REG_ERR_INSN: s_rdata_o <= err_insn_q;
            `DLVTA_REG_FP_LO: s_rdata_o <= Fingerprint[31:0];
            `DLVTA_REG_FP_HI: s_rdata_o <= Fingerprint[63:32];
            `DLVTA_REG_FETCH_PC: s_rdata_o <= fetch_pc_i;
            `DLVTA_REG_LOAD_PC: s_rdata_o <= load_pc_i;
            `DLVTA_REG_COMPUTE_PC: s_rdata_o <= compute_pc_i;
            `DLVTA_REG_STORE_PC: s_rdata_o <= store_pc_i;
            `DLVTA_REG_WAIT: s_rdata_o <= {{(32-`DLVTA_WAIT_WIDTH){1'b0}}, wait_i};
            `DLVTA_REG_REGS_ID: s_rdata_o <= `DLVTA_REGS_ID;
            default: s_rdata_o <= 32'd0;
          endcase
        end
      end
    end
  end

  // bits the register map leaves unused (which ones depends on isa/regs.def)
  wire unused_ok = ^{s_wdata_i, s_wstrb_i, s_awaddr_i[1:0], cnt_aoff[2:0], win_woff[1:0], win_aoff[1:0], ra_q[1:0]};
endmodule

`default_nettype wire
