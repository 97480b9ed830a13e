// rtl/dlvta_fetch.v -- the fetch unit: reads INSN_COUNT instructions from INSN_ADDR over AXI into
// a small buffer (a burst is issued only when the buffer has room for all of it, so fetch never
// holds the shared read port), checks each instruction as it enters the buffer (opcode, memory,
// ALU op, reserved bits, padding of STOREs, DWGEMM's taps, token flags of its unit) and hands it
// in order with its index to its unit's queue, waiting while that queue is full. Stops at the
// first FINISH (dispatched to the compute unit) or illegal instruction.
`default_nettype none
`include "dlvta_isa.vh"
`include "dlvta_regs.vh"

module dlvta_fetch (
  input  wire                        clk_i,
  input  wire                        rst_ni,
  input  wire                        go_i,          // one cycle: start fetching
  input  wire [31:0]                 insn_addr_i,
  input  wire [31:0]                 count_i,
  input  wire                        halt_i,
  // unit queues
  output wire                        push_load_o,
  output wire                        push_compute_o,
  output wire                        push_store_o,
  output wire [159:0]                push_data_o,   // {index, instruction}
  input  wire                        full_load_i,
  input  wire                        full_compute_i,
  input  wire                        full_store_i,
  // status
  output reg                         err_o,         // one cycle
  output reg  [`DLVTA_REGS_ERR_KIND_BITS-1:0] err_kind_o,
  output reg  [31:0]                 err_idx_o,
  output wire                        exhausted_o,   // every instruction dispatched, no FINISH
  output wire                        busy_o,
  output wire [31:0]                 pc_o,
  output wire                        wait_o,        // blocked on a full queue
  // AXI read
  output wire                        ar_valid_o,
  input  wire                        ar_ready_i,
  output wire [31:0]                 ar_addr_o,
  output wire [7:0]                  ar_len_o,
  input  wire [`DLVTA_REGS_WIN_COUNT*82-1:0] win_i,  // DRAM windows (dlvta_ctrl)
  output wire                         ar_ok_o,         // the burst on offer lies in a window
  input  wire                        r_valid_i,
  input  wire [`DLVTA_AXI_BITS-1:0]  r_data_i,
  input  wire [1:0]                  r_resp_i,
  output wire                        r_ready_o
);
  localparam integer LogBuf = 5;
  localparam integer BeatsPerInsn = 128 / `DLVTA_AXI_BITS;  // AXI width up to 128 bits
  localparam [15:0] Chunk = 16'd32768;

  reg         active_q;     // a run is going
  reg         stop_q;       // FINISH or an error: dispatch nothing more
  reg         finish_q;
  reg  [31:0] req_left_q;   // instructions not yet requested
  reg  [31:0] req_next_q;   // element index (insn_addr/16 + requested) of the next chunk
  reg  [31:0] fetched_q;    // instructions received
  reg  [31:0] disp_q;       // instructions dispatched
  reg  [31:0] count_q;
  // beats requested, not yet received: pend = piss_q - pret_q (mod 4096), two counts of
  // registers (the received one an increment enabled by R's handshake: no carry chain after it)
  reg  [11:0] piss_q, pret_q;
  wire [11:0] pend = piss_q - pret_q;

  wire        dma_busy;
  wire        dma_err;
  wire        el_valid;
  wire        el_fire = el_valid;  // the buffer always has room (see allow_q)
  wire [127:0] el_data;
  wire        buf_empty;
  wire        buf_full;
  wire [LogBuf:0] buf_count;
  wire [159:0] head;

  // the next chunk: Chunk (2^15) instructions while that many are left, else what is left (one
  // OR of the high bits, no 32-bit compare before the adders of req_left_q and req_next_q)
  wire        left_big = |req_left_q[31:15];
  wire [15:0] chunk = left_big ? Chunk : {1'b0, req_left_q[14:0]};
  wire        dma_start = active_q && !stop_q && !dma_busy && (req_left_q != 32'd0);
  wire        ar_fire = ar_valid_o && ar_ready_i;
  wire        r_fire = r_valid_i && r_ready_o;
  // A burst may go out when the buffer has room for it, one instruction more and every beat
  // in flight. allow_q is that test on the next cycle's state, registered (it does not reach the
  // read arbiter combinationally) and conservative: a burst on offer counts as 16 beats in flight
  // (issued or not), beats arriving this cycle still count, and the buffer's count has this
  // cycle's push but not its pop (a dispatch makes room a cycle later). With B beats an
  // instruction and the buffer's 32 instructions, the test
  //   (32 - count - push) * B >= pending + (burst on offer ? 32 : 16) + B
  // is, in beats already taken by registers (used = pending + count * B),
  //   used <= 31 * B - 16 - push * B - (burst on offer ? 16 : 0):
  // four comparisons of registers with constants, this cycle's push and offer (a few gates from
  // registers: the DMA's element valid never waits for the port's R valid, MinLogE) choosing
  // among them at the end.
  localparam integer Lim = 31 * BeatsPerInsn - 16;
  localparam integer LimPush = Lim - BeatsPerInsn;
  localparam integer LimOffer = Lim - 16;
  localparam integer LimBoth = Lim - BeatsPerInsn - 16;
  wire [13:0] used_beats = {2'b00, pend} + ({{(13-LogBuf){1'b0}}, buf_count} * BeatsPerInsn[13:0]);
  wire fit = (Lim >= 0) && (used_beats <= Lim[13:0]);
  wire fit_push = (LimPush >= 0) && (used_beats <= LimPush[13:0]);
  wire fit_offer = (LimOffer >= 0) && (used_beats <= LimOffer[13:0]);
  wire fit_both = (LimBoth >= 0) && (used_beats <= LimBoth[13:0]);
  wire push_in = el_fire && !stop_q;
  wire allow_d = ar_valid_o ? (push_in ? fit_both : fit_offer) : (push_in ? fit_push : fit);
  reg         allow_q;

  wire dma_ar1_unused, dma_r1_unused;  // fetch reads through the first port only
  dlvta_rdma #(.MaxLogE(4), .MinLogE(4)) u_dma (
    .clk_i(clk_i), .rst_ni(rst_ni),
    .start_i(dma_start), .dram_i(req_next_q), .log_e_i(4'd4),
    .y_size_i(16'd1), .x_size_i(chunk), .x_stride_i(16'd0),
    .allow_i(allow_q), .abort_i(stop_q || halt_i), .busy_o(dma_busy), .err_o(dma_err),
    .ar_valid_o(ar_valid_o), .ar_ready_i(ar_ready_i), .ar_addr_o(ar_addr_o), .ar_len_o(ar_len_o),
    .win_i(win_i), .ar_ok_o(ar_ok_o),
    .r_valid_i(r_valid_i), .r_data_i(r_data_i), .r_resp_i(r_resp_i), .r_ready_o(r_ready_o),
    .ar1_valid_o(dma_ar1_unused), .ar1_ready_i(1'b0), .r1_valid_i(1'b0),
    .r1_data_i({`DLVTA_AXI_BITS{1'b0}}), .r1_resp_i(2'b00), .r1_ready_o(dma_r1_unused),
    .el_valid_o(el_valid), .el_data_o(el_data), .el_ready_i(1'b1)
  );
  wire unused_r1 = ^{dma_ar1_unused, dma_r1_unused};


  // ---- decode and check each instruction as it enters the buffer ----
  // (the buffer keeps the verdict beside the instruction: its LUT-RAM read reaches dispatch and
  // the buffer's counters through a few LUTs only)
  wire [127:0] insn = el_data;
  wire [`DLVTA_F_OPCODE_WIDTH-1:0] op = insn[`DLVTA_F_OPCODE_POS +: `DLVTA_F_OPCODE_WIDTH];
  wire [`DLVTA_F_MEM_WIDTH-1:0] mem = insn[`DLVTA_F_MEM_POS +: `DLVTA_F_MEM_WIDTH];
  wire pop_prev = insn[`DLVTA_F_POP_PREV_POS];
  wire pop_next = insn[`DLVTA_F_POP_NEXT_POS];
  wire push_prev = insn[`DLVTA_F_PUSH_PREV_POS];
  wire push_next = insn[`DLVTA_F_PUSH_NEXT_POS];

  localparam [`DLVTA_F_ALU_OP_WIDTH-1:0] AluLast = `DLVTA_ALU_COUNT - 1;  // the last ALU op code
  localparam [`DLVTA_F_TAPS_WIDTH-1:0] TapsMax = `DLVTA_DW_TAPS;  // DWGEMM's taps: 1..BLOCK_IN/2
  wire [`DLVTA_F_TAPS_WIDTH-1:0] taps = insn[`DLVTA_F_TAPS_POS +: `DLVTA_F_TAPS_WIDTH];

  reg       legal;
  reg [1:0] unit;   // 0 load, 1 compute, 2 store
  always @* begin
    legal = 1'b1;
    unit = 2'd1;
    case (op)
      `DLVTA_OP_LOAD: begin
        if ((insn >> `DLVTA_OP_LOAD_USED_BITS) != 128'd0) legal = 1'b0;
        if (mem == `DLVTA_MEM_INP || mem == `DLVTA_MEM_WGT) unit = 2'd0;
        else if (mem == `DLVTA_MEM_UOP || mem == `DLVTA_MEM_ACC || mem == `DLVTA_MEM_ACC8 ||
                 mem == `DLVTA_MEM_LUT) unit = 2'd1;
        else legal = 1'b0;
        // a WGT LOAD's pads are zeros (the weight buffer's zero rows, rtl/dlvta_ram.v)
        if (mem == `DLVTA_MEM_WGT && (|insn[`DLVTA_F_PAD_VALUE_POS +: `DLVTA_F_PAD_VALUE_WIDTH]))
          legal = 1'b0;
      end
      `DLVTA_OP_STORE: begin
        unit = 2'd2;
        if ((insn >> `DLVTA_OP_STORE_USED_BITS) != 128'd0) legal = 1'b0;
        if (mem != `DLVTA_MEM_OUT) legal = 1'b0;
        if ((|insn[`DLVTA_F_Y_PAD0_POS +: `DLVTA_F_Y_PAD0_WIDTH]) ||
            (|insn[`DLVTA_F_Y_PAD1_POS +: `DLVTA_F_Y_PAD1_WIDTH]) ||
            (|insn[`DLVTA_F_X_PAD0_POS +: `DLVTA_F_X_PAD0_WIDTH]) ||
            (|insn[`DLVTA_F_X_PAD1_POS +: `DLVTA_F_X_PAD1_WIDTH]) ||
            (|insn[`DLVTA_F_PAD_VALUE_POS +: `DLVTA_F_PAD_VALUE_WIDTH])) legal = 1'b0;
      end
      `DLVTA_OP_GEMM: begin
        if ((insn >> `DLVTA_OP_GEMM_USED_BITS) != 128'd0) legal = 1'b0;
      end
      `DLVTA_OP_DWGEMM: begin
        if ((insn >> `DLVTA_OP_DWGEMM_USED_BITS) != 128'd0) legal = 1'b0;
        if ((taps == {`DLVTA_F_TAPS_WIDTH{1'b0}}) || (taps > TapsMax)) legal = 1'b0;
      end
      `DLVTA_OP_ALU: begin
        if ((insn >> `DLVTA_OP_ALU_USED_BITS) != 128'd0) legal = 1'b0;
        if (insn[`DLVTA_F_ALU_OP_POS +: `DLVTA_F_ALU_OP_WIDTH] > AluLast) legal = 1'b0;
      end
      `DLVTA_OP_FINISH: begin
        if ((insn >> `DLVTA_OP_FINISH_USED_BITS) != 128'd0) legal = 1'b0;
      end
      default: legal = 1'b0;
    endcase
    if (unit == 2'd0 && (pop_prev || push_prev)) legal = 1'b0;
    if (unit == 2'd2 && (pop_next || push_next)) legal = 1'b0;
  end

  wire in_finish = (op == `DLVTA_OP_FINISH);

  // An instruction whose beats came with an error response (or were refused: outside the DRAM
  // windows, dlvta_axi_rd) enters the buffer flagged (h_err; the DMA's error flag is sticky, so
  // every later one is flagged too) and stops the run with DRAM_RANGE when it reaches the head,
  // after every instruction before it was dispatched (as fsim reports a fetch out of range when
  // fetch reaches it).
  wire       h_err;
  wire       h_legal;
  wire [1:0] h_unit;
  wire       h_finish;
  dlvta_fifo #(.Width(165), .LogDepth(LogBuf), .RegHead(1)) u_buf (
    .clk_i(clk_i), .rst_ni(rst_ni), .clear_i(1'b0),
    .push_i(el_fire && !stop_q), .data_i({dma_err, in_finish, unit, legal, fetched_q, el_data}),
    .pop_i(disp_fire), .head_o({h_err, h_finish, h_unit, h_legal, head}), .empty_o(buf_empty),
    .full_o(buf_full), .count_o(buf_count)
  );

  wire tgt_full = (h_unit == 2'd0) ? full_load_i : (h_unit == 2'd1) ? full_compute_i : full_store_i;
  wire can_disp = active_q && !stop_q && !halt_i && !buf_empty;
  // the dispatch from registers but the halt (disp_ok, kept as a net so that synthesis keeps the
  // halt out of its logic), the halt last: a unit's registered error reaches the queues' write
  // enables through the halt's LUT and one more
  (* keep *) wire disp_ok = active_q && !stop_q && !buf_empty && !h_err && h_legal && !tgt_full;
  wire disp_fire = disp_ok && !halt_i;

  assign push_load_o = disp_fire && (h_unit == 2'd0);
  assign push_compute_o = disp_fire && (h_unit == 2'd1);
  assign push_store_o = disp_fire && (h_unit == 2'd2);
  assign push_data_o = head;

  assign exhausted_o = active_q && !finish_q && !stop_q && (disp_q == count_q) && !dma_busy;
  assign busy_o = dma_busy;
  assign pc_o = fetched_q;
  assign wait_o = can_disp && !h_err && h_legal && tgt_full;

  always @(posedge clk_i) begin
    if (!rst_ni) begin
      active_q <= 1'b0;
      stop_q <= 1'b0;
      finish_q <= 1'b0;
      req_left_q <= 32'd0;
      req_next_q <= 32'd0;
      fetched_q <= 32'd0;
      disp_q <= 32'd0;
      count_q <= 32'd0;
      piss_q <= 12'd0;
      pret_q <= 12'd0;
      allow_q <= 1'b0;
      err_o <= 1'b0;
      err_kind_o <= `DLVTA_ERR_NONE;
      err_idx_o <= 32'd0;
    end else begin
      err_o <= 1'b0;
      if (ar_fire) piss_q <= piss_q + {4'd0, ar_len_o} + 12'd1;
      if (r_fire) pret_q <= pret_q + 12'd1;
      allow_q <= allow_d;
      if (go_i) begin
        active_q <= 1'b1;
        req_left_q <= count_i;
        req_next_q <= {4'd0, insn_addr_i[31:4]};
        count_q <= count_i;
      end
      if (dma_start) begin
        req_left_q <= left_big ? {req_left_q[31:15] - 17'd1, req_left_q[14:0]} : 32'd0;
        req_next_q <= req_next_q + {16'd0, chunk};
      end
      if (el_fire && !stop_q) fetched_q <= fetched_q + 32'd1;
      if (disp_fire) begin
        disp_q <= disp_q + 32'd1;
        if (h_finish) begin
          finish_q <= 1'b1;
          stop_q <= 1'b1;
        end
      end
      if (can_disp && !h_err && !h_legal) begin
        stop_q <= 1'b1;
        err_o <= 1'b1;
        err_kind_o <= `DLVTA_ERR_ILLEGAL;
        err_idx_o <= head[159:128];
      end
      if (can_disp && h_err) begin
        stop_q <= 1'b1;
        err_o <= 1'b1;
        err_kind_o <= `DLVTA_ERR_DRAM_RANGE;
        err_idx_o <= head[159:128];
      end
    end
  end

  wire unused_ok = ^{buf_full, insn_addr_i[3:0]};  // instructions are 16-byte aligned
endmodule

`default_nettype wire
