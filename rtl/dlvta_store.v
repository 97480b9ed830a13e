// rtl/dlvta_store.v -- the store unit: executes STOREs of OUT from its instruction queue, in order,
// with the token protocol (pop_prev: C2S token; push_prev: S2C token). Checks the whole on-chip
// block against the output buffer's depth, then runs three streams side by side: write bursts
// (rows split at 16 beats and 4 KiB), output-buffer reads (two elements ahead) packed into beats
// with byte strobes, and write responses. It retires when every response has come back.
`default_nettype none
`include "dlvta_isa.vh"
`include "dlvta_regs.vh"

module dlvta_store (
  input  wire                         clk_i,
  input  wire                         rst_ni,
  input  wire                         halt_i,
  // instruction queue head
  input  wire                         q_valid_i,
  input  wire [127:0]                 q_insn_i,
  input  wire [31:0]                  q_idx_i,
  output wire                         q_pop_o,
  // tokens
  input  wire                         c2s_token_i,
  output wire                         c2s_pop_o,
  input  wire                         s2c_room_i,
  output reg                          s2c_push_o,
  // output buffer read port
  output wire                         out_re_o,
  output wire [`DLVTA_LOG_ACC_DEPTH-1:0] out_raddr_o,
  input  wire [`DLVTA_BATCH*`DLVTA_BLOCK_OUT*8-1:0] out_rdata_i,
  // status
  output reg                          err_o,
  output reg  [`DLVTA_REGS_ERR_KIND_BITS-1:0] err_kind_o,
  output wire [31:0]                  pc_o,
  output wire [1:0]                   wait_o,   // {S2C room, C2S token}
  output wire                         busy_o,
  output wire                         stall_o,
  output reg                          retire_o,
  input  wire [`DLVTA_REGS_WIN_COUNT*82-1:0] win_i, // the DRAM windows (dlvta_ctrl, dlvta_win)
  // AXI write channels
  output wire [31:0]                  m_awaddr_o,
  output wire [7:0]                   m_awlen_o,
  output wire                         m_awvalid_o,
  input  wire                         m_awready_i,
  output wire [`DLVTA_AXI_BITS-1:0]   m_wdata_o,
  output wire [`DLVTA_AXI_BITS/8-1:0] m_wstrb_o,
  output wire                         m_wlast_o,
  output wire                         m_wvalid_o,
  input  wire                         m_wready_i,
  input  wire [1:0]                   m_bresp_i,
  input  wire                         m_bvalid_i,
  output wire                         m_bready_o
);
  localparam integer AxiBits = `DLVTA_AXI_BITS;
  localparam integer B = AxiBits / 8;
  localparam integer LogB = $clog2(B);
  localparam integer E = `DLVTA_MEM_OUT_ELEM_BYTES;
  localparam integer LogE = $clog2(E);
  localparam integer ElBits = E * 8;
  localparam integer LogAcc = `DLVTA_LOG_ACC_DEPTH;
  localparam integer LogBeats4K = 12 - LogB;
  localparam integer BW = 32 - LogB;
  // S_PROD registers the block's size (a DSP multiply), S_CHECK checks it
  localparam [2:0] S_IDLE = 3'd0, S_CHECK = 3'd1, S_RUN = 3'd2, S_RETIRE = 3'd3, S_DEAD = 3'd4,
                   S_PROD = 3'd5;

  wire h_pop_prev = q_insn_i[`DLVTA_F_POP_PREV_POS];
  wire h_push_prev = q_insn_i[`DLVTA_F_PUSH_PREV_POS];

  reg [2:0]  state_q;
  reg        push_prev_q;
  reg [`DLVTA_W_SRAM_IDX-1:0] sram_q;
  reg [31:0] dram_q;
  reg [15:0] y_size_q;
  reg [15:0] x_size_q;
  reg [15:0] x_stride_q;
  reg        err_seen_q;

  wire idle = (state_q == S_IDLE);
  wire can_start = q_valid_i && idle && !halt_i && (!h_pop_prev || c2s_token_i) &&
                   (!h_push_prev || s2c_room_i);
  wire start = can_start;
  assign q_pop_o = (state_q == S_RETIRE);
  assign c2s_pop_o = start && h_pop_prev;
  assign pc_o = q_valid_i ? q_idx_i : `DLVTA_REGS_PC_IDLE;
  assign wait_o = {q_valid_i && idle && h_push_prev && !s2c_room_i,
                   q_valid_i && idle && h_pop_prev && !c2s_token_i};
  assign busy_o = !idle && (state_q != S_DEAD);
  assign stall_o = q_valid_i && idle && !halt_i && !can_start;

  // the block's size, rows * cols of the queue head, in a DSP slice (rtl/dlvta_dsp.v): its A/B
  // registers take the head's sizes every idle cycle (the instruction starts from that head), its
  // P register the product in S_PROD, so that S_CHECK reads a register with no logic between
  localparam integer YW = `DLVTA_F_Y_SIZE_WIDTH;
  localparam integer XW = `DLVTA_F_X_SIZE_WIDTH;
  wire [31:0] total;
  wire [YW-1:0] h_y_size = q_insn_i[`DLVTA_F_Y_SIZE_POS +: YW];
  wire [XW-1:0] h_x_size = q_insn_i[`DLVTA_F_X_SIZE_POS +: XW];
  dlvta_dsp #(.AW(YW + 1), .BW(XW + 1), .PW(32), .Pre(0), .InReg(1), .MReg(0), .PReg(1)) u_total (
    .clk_i(clk_i), .ce_in_i(idle), .ce_m_i(1'b0), .ce_p_i(state_q == S_PROD),
    .a_i({1'b0, h_y_size}), .d_i({(YW+1){1'b0}}), .b_i({1'b0, h_x_size}), .p_o(total)
  );
  // sram + total <= depth, as total <= lim_q = depth - sram (registered at the start, from the
  // head; sram_over_q when sram alone is past the depth)
  localparam integer SW = `DLVTA_W_SRAM_IDX;
  localparam integer LW = ((SW > LogAcc) ? SW : LogAcc) + 2;
  wire [LW-1:0] h_lim = (({{(LW-1){1'b0}}, 1'b1}) << LogAcc) -
                        {{(LW-SW){1'b0}}, q_insn_i[`DLVTA_F_SRAM_POS +: `DLVTA_F_SRAM_WIDTH]};
  reg           sram_over_q;
  reg  [LogAcc:0] lim_q;
  wire        range_ok = !sram_over_q && (total[31:LogAcc+1] == {(31-LogAcc){1'b0}}) &&
                         (total[LogAcc:0] <= lim_q);
  wire        empty = (y_size_q == 16'd0) || (x_size_q == 16'd0);
  wire        run = (state_q == S_RUN);
  wire        go = (state_q == S_CHECK) && range_ok && !empty;

  // ---- write addresses ----
  reg          a_active_q;
  reg          a_setup_q;
  reg [15:0]   a_row_q;
  reg [47:0]   a_elem_q;
  reg [BW-1:0] a_beat_q;
  reg [24:0]   a_left_q;
  reg          a_last_row_q;  // a_row_q is the last row (set in each row's set-up cycle)

  wire [55:0] a_byte = {8'd0, a_elem_q} << LogE;
  wire [31:0] a_start = a_byte[31:0];
  wire [31:0] a_len = {16'd0, x_size_q} << LogE;
  // the row's beats: from its first byte's offset in its beat and the row length (one adder)
  wire [33:0] a_rb = {{(34-LogB){1'b0}}, a_start[LogB-1:0]} + {2'b00, a_len} +
                     ((34'd1 << LogB) - 34'd1);
  wire [24:0] a_row_beats = a_rb[LogB +: 25];
  wire [BW-1:0] a_first = a_start[31:LogB];
  // the size of the burst on offer (dlvta_burst: a row's first, the next)
  reg  [4:0]  burst_q;
  wire [4:0]  burst_first;
  wire [4:0]  burst_next;
  wire        row_end;
  dlvta_burst #(.LogBeats4K(LogBeats4K)) u_burst (
    .row_lo_i(a_row_beats[3:0]), .row_more_i(2'd0), .row_hi0_i(a_row_beats[24:4] == 21'd0),
    .row_beat_i(a_first[LogBeats4K-1:0]), .first_o(burst_first),
    .left_i(a_left_q), .beat_i(a_beat_q[LogBeats4K-1:0]), .burst_i(burst_q),
    .next_o(burst_next), .row_end_o(row_end)
  );

  // ---- DRAM window (as dlvta_rdma's): ok_q, registered, says whether the page of the burst on
  // offer lies in a window. A burst outside is never issued: it is taken here without AWVALID,
  // its beats are packed as usual and dropped (no WVALID), it gets no response, and the
  // instruction ends with ERR_KIND DRAM_RANGE as after an error response.
  wire [19:0] s_page = a_start[31:12];
  wire [19:0] a_page = a_beat_q[BW-1:LogBeats4K];
  wire        ok_set;
  wire        ok_nxt;
  reg         ok_q;
  reg         okn_q;
  dlvta_win #(.Next(0)) u_win_set (.page_i(s_page), .win_i(win_i), .ok_o(ok_set));
  dlvta_win #(.Next(1)) u_win_nxt (.page_i(a_setup_q ? s_page : a_page), .win_i(win_i), .ok_o(ok_nxt));
  wire [LogBeats4K:0] a_end_beat = {1'b0, a_beat_q[LogBeats4K-1:0]} + {{(LogBeats4K-4){1'b0}}, burst_q};
  wire        a_cross = a_end_beat[LogBeats4K];  // the next burst starts on the next page

  wire       len_full;
  wire       len_empty;
  wire [5:0] len_head;  // {refused, beats}
  wire [2:0] len_count;
  wire       aw_offer = run && a_active_q && !a_setup_q && !len_full;
  assign m_awvalid_o = aw_offer && ok_q;
  assign m_awaddr_o = {a_beat_q, {LogB{1'b0}}};
  assign m_awlen_o = {3'd0, burst_q - 5'd1};
  wire aw_fire = m_awvalid_o && m_awready_i;
  wire aw_refuse = aw_offer && !ok_q;
  wire aw_take = aw_fire || aw_refuse;
  wire w_ref = len_head[5];  // the burst at the head of W was refused: its beats are dropped
  wire w_fire;
  reg  [4:0] wbeat_q;   // beats sent of the current burst
  wire w_last = (wbeat_q + 5'd1 == len_head[4:0]);
  assign m_wlast_o = w_last;

  dlvta_fifo #(.Width(6), .LogDepth(2)) u_lens (
    .clk_i(clk_i), .rst_ni(rst_ni), .clear_i(1'b0),
    .push_i(aw_take), .data_i({aw_refuse, burst_q}), .pop_i(w_fire && w_last),
    .head_o(len_head), .empty_o(len_empty), .full_o(len_full), .count_o(len_count)
  );

  // ---- output buffer reads, two elements ahead ----
  reg  [31:0]     rd_left_q;   // elements still to read
  reg  [31:0]     rd_addr_q;
  reg             rd_pend_q;   // a read returns this cycle
  wire            el_empty;
  wire            el_full;
  wire [1:0]      el_count;
  wire [ElBits-1:0] el_head;
  wire            el_pop;
  assign out_re_o = run && (rd_left_q != 32'd0) && (({1'b0, el_count} + {2'b00, rd_pend_q}) < 3'd2);
  assign out_raddr_o = rd_addr_q[LogAcc-1:0];

  dlvta_fifo #(.Width(ElBits), .LogDepth(1)) u_els (
    .clk_i(clk_i), .rst_ni(rst_ni), .clear_i(1'b0),
    .push_i(rd_pend_q), .data_i(out_rdata_i), .pop_i(el_pop),
    .head_o(el_head), .empty_o(el_empty), .full_o(el_full), .count_o(el_count)
  );

  // ---- beats ----
  reg  [31:0] w_left_q;   // elements not yet packed
  reg  [AxiBits-1:0] wdata;
  reg  [B-1:0] wstrb;
  reg         wvalid;
  reg         pk_take;    // E < B: the packer takes an element this cycle
  generate
    if (LogE >= LogB) begin : gen_wide
      localparam integer KBits = (LogE > LogB) ? (LogE - LogB) : 1;
      localparam [KBits-1:0] KLast = (1 << (LogE - LogB)) - 1;
      reg [KBits-1:0] k_q;
      always @* begin
        wvalid = !el_empty && !len_empty;
        wdata = el_head[k_q * AxiBits +: AxiBits];
        wstrb = {B{1'b1}};
        pk_take = 1'b0;
      end
      assign el_pop = w_fire && (k_q == KLast);
      always @(posedge clk_i) begin
        if (!rst_ni) k_q <= {KBits{1'b0}};
        else if (w_fire) k_q <= (k_q == KLast) ? {KBits{1'b0}} : k_q + 1'b1;
      end
    end else begin : gen_narrow
      reg [AxiBits-1:0] pk_data_q;
      reg [B-1:0]       pk_strb_q;
      reg [LogB-1:0]    pk_pos_q;
      reg               pk_full_q;
      reg [15:0]        pk_left_q;   // elements left in this row
      reg [47:0]        pk_elem_q;   // DRAM element of the row start
      wire [47:0] next_row = pk_elem_q + {32'd0, x_stride_q};
      wire [LogB:0] pos_next = {1'b0, pk_pos_q} + E[LogB:0];
      always @* begin
        wvalid = pk_full_q && !len_empty;
        wdata = pk_data_q;
        wstrb = pk_strb_q;
        pk_take = run && !el_empty && (!pk_full_q || w_fire) && (w_left_q != 32'd0);
      end
      assign el_pop = pk_take;
      always @(posedge clk_i) begin
        if (!rst_ni) begin
          pk_data_q <= {AxiBits{1'b0}};
          pk_strb_q <= {B{1'b0}};
          pk_pos_q <= {LogB{1'b0}};
          pk_full_q <= 1'b0;
          pk_left_q <= 16'd0;
          pk_elem_q <= 48'd0;
        end else if (go) begin
          pk_data_q <= {AxiBits{1'b0}};
          pk_strb_q <= {B{1'b0}};
          pk_pos_q <= dram_q[LogB-1:0] << LogE;
          pk_full_q <= 1'b0;
          pk_left_q <= x_size_q;
          pk_elem_q <= {16'd0, dram_q};
        end else begin
          if (w_fire) begin
            pk_full_q <= 1'b0;
            pk_strb_q <= {B{1'b0}};
          end
          if (pk_take) begin
            pk_data_q[pk_pos_q * 8 +: ElBits] <= el_head;
            pk_strb_q <= (w_fire ? {B{1'b0}} : pk_strb_q) | ({{(B-E){1'b0}}, {E{1'b1}}} << pk_pos_q);
            pk_pos_q <= pos_next[LogB-1:0];
            pk_left_q <= pk_left_q - 16'd1;
            if (pos_next[LogB] || (pk_left_q == 16'd1)) pk_full_q <= 1'b1;
            if (pk_left_q == 16'd1) begin
              pk_left_q <= x_size_q;
              pk_elem_q <= next_row;
              pk_pos_q <= next_row[LogB-1:0] << LogE;
            end
          end
        end
      end
    end
  endgenerate

  assign m_wvalid_o = wvalid && !w_ref;
  assign w_fire = wvalid && (w_ref || m_wready_i);
  assign m_wdata_o = wdata;
  assign m_wstrb_o = wstrb;

  // ---- responses ----
  reg [7:0] b_out_q;   // bursts awaiting a response
  assign m_bready_o = 1'b1;
  wire b_fire = m_bvalid_i;

  wire all_done = !a_active_q && (rd_left_q == 32'd0) && el_empty && !rd_pend_q &&
                  (w_left_q == 32'd0) && !wvalid && len_empty && (b_out_q == 8'd0);

  always @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q <= S_IDLE;
      push_prev_q <= 1'b0;
      sram_q <= {`DLVTA_W_SRAM_IDX{1'b0}};
      sram_over_q <= 1'b0;
      lim_q <= {(LogAcc+1){1'b0}};
      dram_q <= 32'd0;
      y_size_q <= 16'd0;
      x_size_q <= 16'd0;
      x_stride_q <= 16'd0;
      err_seen_q <= 1'b0;
      a_active_q <= 1'b0;
      a_setup_q <= 1'b0;
      a_row_q <= 16'd0;
      a_elem_q <= 48'd0;
      a_beat_q <= {BW{1'b0}};
      ok_q <= 1'b0;
      okn_q <= 1'b0;
      a_left_q <= 25'd0;
      a_last_row_q <= 1'b0;
      burst_q <= 5'd0;
      wbeat_q <= 5'd0;
      rd_left_q <= 32'd0;
      rd_addr_q <= 32'd0;
      rd_pend_q <= 1'b0;
      w_left_q <= 32'd0;
      b_out_q <= 8'd0;
      s2c_push_o <= 1'b0;
      err_o <= 1'b0;
      err_kind_o <= `DLVTA_ERR_NONE;
      retire_o <= 1'b0;
    end else begin
      s2c_push_o <= 1'b0;
      err_o <= 1'b0;
      retire_o <= 1'b0;

      b_out_q <= b_out_q + (aw_fire ? 8'd1 : 8'd0) - (b_fire ? 8'd1 : 8'd0);
      if ((b_fire && m_bresp_i != 2'b00) || aw_refuse) err_seen_q <= 1'b1;
      rd_pend_q <= out_re_o;
      if (out_re_o) begin
        rd_addr_q <= rd_addr_q + 32'd1;
        rd_left_q <= rd_left_q - 32'd1;
      end
      if (w_fire) wbeat_q <= w_last ? 5'd0 : wbeat_q + 5'd1;
      if (el_pop) w_left_q <= w_left_q - 32'd1;

      // write addresses
      okn_q <= ok_nxt;
      if (a_active_q && a_setup_q) begin
        ok_q <= ok_set;
        a_last_row_q <= (a_row_q + 16'd1 == y_size_q);
        a_beat_q <= a_first;
        a_left_q <= a_row_beats;
        burst_q <= burst_first;
        a_setup_q <= 1'b0;
      end else if (aw_take) begin
        if (a_cross) ok_q <= okn_q;
        a_beat_q <= a_beat_q + {{(BW-5){1'b0}}, burst_q};
        a_left_q <= a_left_q - {20'd0, burst_q};
        burst_q <= burst_next;
        if (row_end) begin
          if (a_last_row_q) begin
            a_active_q <= 1'b0;
          end else begin
            a_row_q <= a_row_q + 16'd1;
            a_elem_q <= a_elem_q + {32'd0, x_stride_q};
            a_setup_q <= 1'b1;
          end
        end
      end

      case (state_q)
        S_IDLE: begin
          if (start) begin
            push_prev_q <= h_push_prev;
            sram_q <= q_insn_i[`DLVTA_F_SRAM_POS +: `DLVTA_F_SRAM_WIDTH];
            sram_over_q <= h_lim[LW-1];
            lim_q <= h_lim[LogAcc:0];
            dram_q <= q_insn_i[`DLVTA_F_DRAM_POS +: `DLVTA_F_DRAM_WIDTH];
            y_size_q <= q_insn_i[`DLVTA_F_Y_SIZE_POS +: `DLVTA_F_Y_SIZE_WIDTH];
            x_size_q <= q_insn_i[`DLVTA_F_X_SIZE_POS +: `DLVTA_F_X_SIZE_WIDTH];
            x_stride_q <= q_insn_i[`DLVTA_F_X_STRIDE_POS +: `DLVTA_F_X_STRIDE_WIDTH];
            err_seen_q <= 1'b0;
            state_q <= S_PROD;
          end
        end
        S_PROD: state_q <= S_CHECK;
        S_CHECK: begin
          if (!range_ok) begin
            err_o <= 1'b1;
            err_kind_o <= `DLVTA_ERR_SRAM_RANGE;
            state_q <= S_DEAD;
          end else if (empty) begin
            state_q <= S_RETIRE;
          end else begin
            a_active_q <= 1'b1;
            a_setup_q <= 1'b1;
            a_row_q <= 16'd0;
            a_elem_q <= {16'd0, dram_q};
            rd_left_q <= total;
            rd_addr_q <= {{(32-`DLVTA_W_SRAM_IDX){1'b0}}, sram_q};
            w_left_q <= total;
            state_q <= S_RUN;
          end
        end
        S_RUN: begin
          if (all_done) begin
            if (err_seen_q) begin
              err_o <= 1'b1;
              err_kind_o <= `DLVTA_ERR_DRAM_RANGE;
              state_q <= S_DEAD;
            end else begin
              state_q <= S_RETIRE;
            end
          end
        end
        S_RETIRE: begin
          s2c_push_o <= push_prev_q;
          retire_o <= 1'b1;
          state_q <= S_IDLE;
        end
        default: begin
        end
      endcase
    end
  end

  // bits and signals some configs do not need
  wire unused_ok = ^{el_full, len_count, a_byte, a_rb, go, pk_take, q_insn_i};
endmodule

`default_nettype wire
