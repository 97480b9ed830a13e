// rtl/dlvta_top.v -- the dlvta accelerator: fetch, load, compute and store units, their
// instruction queues, the four token queues, the on-chip buffers shared between units, the shared
// AXI4 master, a second read-only AXI4 master (m1_axi_: the load unit's split weight bursts when
// the config has two read ports, DLVTA_RD_PORTS; tied off with one) and the AXI4-Lite control
// slave. One clock (a config with gemm_pump 2 adds clk2x, twice it, for the GEMM's DSP slices
// alone); synchronous active-low reset (rst_n),
// and every start of a run resets the units, queues and tokens for one cycle (buffers keep their
// contents). Register map: isa/regs.def (rtl/REGS.md).
`default_nettype none
`include "dlvta_isa.vh"
`include "dlvta_regs.vh"

module dlvta_top #(
  // accumulator copies, by default the config's DLVTA_ACC_COPIES: 2 gives the tensor ALU one
  // vector op per cycle in every mode; 1 saves block RAM (needed to fit pynq's buffers in an
  // xc7z020), and an ALU iteration that reads a new acc[src] element then takes two cycles (a
  // source cache makes repeated sources one). See rtl/REGS.md.
  parameter integer AccCopies = `DLVTA_ACC_COPIES
) (
  input  wire                          clk,
`ifdef DLVTA_GEMM_2X
  // twice clk, phase-aligned with it (one MMCM's outputs): the GEMM's DSP slices (gemm_pump 2)
  input  wire                          clk2x,
`endif
  input  wire                          rst_n,
  // AXI4-Lite control slave
  input  wire [`DLVTA_REGS_ADDR_BITS-1:0] s_axil_awaddr,
  input  wire                          s_axil_awvalid,
  output wire                          s_axil_awready,
  input  wire [31:0]                   s_axil_wdata,
  input  wire [3:0]                    s_axil_wstrb,
  input  wire                          s_axil_wvalid,
  output wire                          s_axil_wready,
  output wire [1:0]                    s_axil_bresp,
  output wire                          s_axil_bvalid,
  input  wire                          s_axil_bready,
  input  wire [`DLVTA_REGS_ADDR_BITS-1:0] s_axil_araddr,
  input  wire                          s_axil_arvalid,
  output wire                          s_axil_arready,
  output wire [31:0]                   s_axil_rdata,
  output wire [1:0]                    s_axil_rresp,
  output wire                          s_axil_rvalid,
  input  wire                          s_axil_rready,
  // AXI4 master (memory)
  output wire [31:0]                   m_axi_araddr,
  output wire [7:0]                    m_axi_arlen,
  output wire [2:0]                    m_axi_arsize,
  output wire [1:0]                    m_axi_arburst,
  output wire                          m_axi_arvalid,
  input  wire                          m_axi_arready,
  input  wire [`DLVTA_AXI_BITS-1:0]    m_axi_rdata,
  input  wire [1:0]                    m_axi_rresp,
  input  wire                          m_axi_rlast,
  input  wire                          m_axi_rvalid,
  output wire                          m_axi_rready,
  output wire [31:0]                   m_axi_awaddr,
  output wire [7:0]                    m_axi_awlen,
  output wire [2:0]                    m_axi_awsize,
  output wire [1:0]                    m_axi_awburst,
  output wire                          m_axi_awvalid,
  input  wire                          m_axi_awready,
  output wire [`DLVTA_AXI_BITS-1:0]    m_axi_wdata,
  output wire [`DLVTA_AXI_BITS/8-1:0]  m_axi_wstrb,
  output wire                          m_axi_wlast,
  output wire                          m_axi_wvalid,
  input  wire                          m_axi_wready,
  input  wire [1:0]                    m_axi_bresp,
  input  wire                          m_axi_bvalid,
  output wire                          m_axi_bready,
  // second AXI4 master, reads only (memory; idle when DLVTA_RD_PORTS is 1)
  output wire [31:0]                   m1_axi_araddr,
  output wire [7:0]                    m1_axi_arlen,
  output wire [2:0]                    m1_axi_arsize,
  output wire [1:0]                    m1_axi_arburst,
  output wire                          m1_axi_arvalid,
  input  wire                          m1_axi_arready,
  input  wire [`DLVTA_AXI_BITS-1:0]    m1_axi_rdata,
  input  wire [1:0]                    m1_axi_rresp,
  input  wire                          m1_axi_rlast,
  input  wire                          m1_axi_rvalid,
  output wire                          m1_axi_rready,
  output wire                          irq
);
  localparam integer AxiBits = `DLVTA_AXI_BITS;
  localparam integer B = AxiBits / 8;
  localparam integer LogB = $clog2(B);
  localparam integer InpBits = `DLVTA_BATCH * `DLVTA_BLOCK_IN * 8;
  localparam integer WgtBits = `DLVTA_BLOCK_OUT * `DLVTA_BLOCK_IN * 8;
  localparam integer OutBits = `DLVTA_BATCH * `DLVTA_BLOCK_OUT * 8;
  localparam integer LogQ = $clog2(`DLVTA_INSN_QUEUE);

  wire clear;
  wire go;
  (* keep *) wire halt;  // a net of its own: the fetch's dispatch takes it last (dlvta_fetch.v)
  wire urst_n = rst_n && !clear;
  wire [31:0] insn_addr;
  wire [31:0] insn_count;

  // ---- instruction queues ----
  wire         f_push_l, f_push_c, f_push_s;
  wire [159:0] f_data;
  wire         ql_full, qc_full, qs_full;
  wire         ql_empty, qc_empty, qs_empty;
  wire [159:0] ql_head, qc_head, qs_head;
  wire         ql_pop, qc_pop, qs_pop;
  wire [LogQ:0] ql_cnt, qc_cnt, qs_cnt;

  dlvta_fifo #(.Width(160), .LogDepth(LogQ), .RegHead(1)) u_qload (
    .clk_i(clk), .rst_ni(urst_n), .clear_i(1'b0), .push_i(f_push_l), .data_i(f_data),
    .pop_i(ql_pop), .head_o(ql_head), .empty_o(ql_empty), .full_o(ql_full), .count_o(ql_cnt)
  );
  dlvta_fifo #(.Width(160), .LogDepth(LogQ), .RegHead(1)) u_qcompute (
    .clk_i(clk), .rst_ni(urst_n), .clear_i(1'b0), .push_i(f_push_c), .data_i(f_data),
    .pop_i(qc_pop), .head_o(qc_head), .empty_o(qc_empty), .full_o(qc_full), .count_o(qc_cnt)
  );
  dlvta_fifo #(.Width(160), .LogDepth(LogQ), .RegHead(1)) u_qstore (
    .clk_i(clk), .rst_ni(urst_n), .clear_i(1'b0), .push_i(f_push_s), .data_i(f_data),
    .pop_i(qs_pop), .head_o(qs_head), .empty_o(qs_empty), .full_o(qs_full), .count_o(qs_cnt)
  );

  // ---- token queues ----
  wire l2c_push, l2c_pop, l2c_tok, l2c_room;
  wire c2l_push, c2l_pop, c2l_tok, c2l_room;
  wire c2s_push, c2s_pop, c2s_tok, c2s_room;
  wire s2c_push, s2c_pop, s2c_tok, s2c_room;
  dlvta_tokq u_l2c (.clk_i(clk), .rst_ni(urst_n), .clear_i(1'b0), .push_i(l2c_push),
                    .pop_i(l2c_pop), .has_token_o(l2c_tok), .has_room_o(l2c_room));
  dlvta_tokq u_c2l (.clk_i(clk), .rst_ni(urst_n), .clear_i(1'b0), .push_i(c2l_push),
                    .pop_i(c2l_pop), .has_token_o(c2l_tok), .has_room_o(c2l_room));
  dlvta_tokq u_c2s (.clk_i(clk), .rst_ni(urst_n), .clear_i(1'b0), .push_i(c2s_push),
                    .pop_i(c2s_pop), .has_token_o(c2s_tok), .has_room_o(c2s_room));
  dlvta_tokq u_s2c (.clk_i(clk), .rst_ni(urst_n), .clear_i(1'b0), .push_i(s2c_push),
                    .pop_i(s2c_pop), .has_token_o(s2c_tok), .has_room_o(s2c_room));

  // ---- DRAM windows (dlvta_ctrl's WINn registers; each DMA checks its bursts, dlvta_win) ----
  wire [`DLVTA_REGS_WIN_COUNT*82-1:0] win;

  // ---- shared read port ----
  wire [2:0]  rq_valid, rq_ready, rs_valid, rs_ready, rq_ok;
  wire [1:0]  rs_resp;
  wire [95:0] rq_addr;
  wire [23:0] rq_len;
  wire        rd_busy;
  dlvta_axi_rd u_rd (
    .clk_i(clk), .rst_ni(rst_n), .clear_i(clear),
    .req_valid_i(rq_valid), .req_ready_o(rq_ready), .req_addr_i(rq_addr), .req_len_i(rq_len),
    .req_ok_i(rq_ok), .rsp_valid_o(rs_valid), .rsp_resp_o(rs_resp), .rsp_ready_i(rs_ready), .busy_o(rd_busy),
    .m_araddr_o(m_axi_araddr), .m_arlen_o(m_axi_arlen), .m_arvalid_o(m_axi_arvalid),
    .m_arready_i(m_axi_arready), .m_rvalid_i(m_axi_rvalid), .m_rresp_i(m_axi_rresp), .m_rlast_i(m_axi_rlast),
    .m_rready_o(m_axi_rready)
  );
  // ---- second read port: only the load unit's split bursts (one requester; the same window
  // check, the refused-burst answer and the in-order queue as the first port's) ----
  wire       l_ar1_valid, l_ar1_ready, l_r1_valid, l_r1_ready;
  wire [2:0] rq1_ready, rs1_valid;
  wire [1:0] rs1_resp;
  wire       rd1_busy;
  dlvta_axi_rd u_rd1 (
    .clk_i(clk), .rst_ni(rst_n), .clear_i(clear),
    .req_valid_i({2'b00, l_ar1_valid}), .req_ready_o(rq1_ready), .req_addr_i({64'd0, rq_addr[63:32]}),
    .req_len_i({16'd0, rq_len[15:8]}), .req_ok_i({2'b00, rq_ok[1]}), .rsp_valid_o(rs1_valid),
    .rsp_resp_o(rs1_resp), .rsp_ready_i({2'b00, l_r1_ready}), .busy_o(rd1_busy),
    .m_araddr_o(m1_axi_araddr), .m_arlen_o(m1_axi_arlen), .m_arvalid_o(m1_axi_arvalid),
    .m_arready_i(m1_axi_arready), .m_rvalid_i(m1_axi_rvalid), .m_rresp_i(m1_axi_rresp),
    .m_rlast_i(m1_axi_rlast), .m_rready_o(m1_axi_rready)
  );
  assign l_ar1_ready = rq1_ready[0];
  assign l_r1_valid = rs1_valid[0];
  assign m1_axi_arsize = LogB[2:0];
  assign m1_axi_arburst = 2'b01;
  wire unused_rd1 = ^{rq1_ready[2:1], rs1_valid[2:1]};

  assign m_axi_arsize = LogB[2:0];
  assign m_axi_arburst = 2'b01;
  assign m_axi_awsize = LogB[2:0];
  assign m_axi_awburst = 2'b01;

  // ---- fetch ----
  wire        f_err;
  wire [`DLVTA_REGS_ERR_KIND_BITS-1:0] f_err_kind;
  wire [31:0] f_err_idx;
  wire        f_exhausted, f_busy, f_wait;
  wire [31:0] f_pc;
  dlvta_fetch u_fetch (
    .clk_i(clk), .rst_ni(urst_n), .go_i(go), .insn_addr_i(insn_addr), .count_i(insn_count),
    .halt_i(halt),
    .push_load_o(f_push_l), .push_compute_o(f_push_c), .push_store_o(f_push_s), .push_data_o(f_data),
    .full_load_i(ql_full), .full_compute_i(qc_full), .full_store_i(qs_full),
    .err_o(f_err), .err_kind_o(f_err_kind), .err_idx_o(f_err_idx), .exhausted_o(f_exhausted),
    .busy_o(f_busy), .pc_o(f_pc), .wait_o(f_wait),
    .ar_valid_o(rq_valid[0]), .ar_ready_i(rq_ready[0]), .ar_addr_o(rq_addr[31:0]),
    .ar_len_o(rq_len[7:0]), .win_i(win), .ar_ok_o(rq_ok[0]), .r_valid_i(rs_valid[0]), .r_data_i(m_axi_rdata),
    .r_resp_i(rs_resp), .r_ready_o(rs_ready[0])
  );

  // ---- buffers shared between units ----
  wire                          inp_we, wgt_we, wgt_wzero, inp_re, wgt_re, out_we, out_re;
  wire [`DLVTA_W_SRAM_IDX-1:0]  l_waddr;
  wire [InpBits-1:0]            inp_wdata, inp_rdata;
  wire [WgtBits-1:0]            wgt_wdata, wgt_rdata;
  wire [`DLVTA_LOG_INP_DEPTH-1:0] inp_raddr;
  wire [`DLVTA_LOG_WGT_DEPTH-1:0] wgt_raddr;
  wire [`DLVTA_LOG_ACC_DEPTH-1:0] out_waddr, out_raddr;
  wire [OutBits-1:0]            out_wdata, out_rdata;

  dlvta_ram #(.Width(InpBits), .Depth(`DLVTA_INP_DEPTH), .AddrBits(`DLVTA_LOG_INP_DEPTH)) u_inp (
    .clk_i(clk), .we_i(inp_we), .waddr_i(l_waddr[`DLVTA_LOG_INP_DEPTH-1:0]), .wdata_i(inp_wdata),
    .wzero_i(1'b0), .re_i(inp_re), .raddr_i(inp_raddr), .rdata_o(inp_rdata)
  );
  // the weight buffer: a LOAD's pad rows read as zeros (ZeroRows: no select on the write data)
  dlvta_ram #(.Width(WgtBits), .Depth(`DLVTA_WGT_DEPTH), .AddrBits(`DLVTA_LOG_WGT_DEPTH),
              .ZeroRows(1)) u_wgt (
    .clk_i(clk), .we_i(wgt_we), .waddr_i(l_waddr[`DLVTA_LOG_WGT_DEPTH-1:0]), .wdata_i(wgt_wdata),
    .wzero_i(wgt_wzero), .re_i(wgt_re), .raddr_i(wgt_raddr), .rdata_o(wgt_rdata)
  );
  dlvta_ram #(.Width(OutBits), .Depth(`DLVTA_OUT_DEPTH), .AddrBits(`DLVTA_LOG_ACC_DEPTH)) u_out (
    .clk_i(clk), .we_i(out_we), .waddr_i(out_waddr), .wdata_i(out_wdata),
    .wzero_i(1'b0), .re_i(out_re), .raddr_i(out_raddr), .rdata_o(out_rdata)
  );

  // ---- load ----
  wire        l_err, l_busy, l_stall, l_retire;
  wire [`DLVTA_REGS_ERR_KIND_BITS-1:0] l_err_kind;
  wire [2:0]  l_retire_mem;
  wire [31:0] l_pc;
  wire [1:0]  l_wait;
  dlvta_load u_load (
    .clk_i(clk), .rst_ni(urst_n), .halt_i(halt),
    .q_valid_i(!ql_empty), .q_insn_i(ql_head[127:0]), .q_idx_i(ql_head[159:128]), .q_pop_o(ql_pop),
    .c2l_token_i(c2l_tok), .c2l_pop_o(c2l_pop), .l2c_room_i(l2c_room), .l2c_push_o(l2c_push),
    .inp_we_o(inp_we), .wgt_we_o(wgt_we), .wgt_wzero_o(wgt_wzero), .wr_addr_o(l_waddr),
    .inp_wdata_o(inp_wdata), .wgt_wdata_o(wgt_wdata),
    .err_o(l_err), .err_kind_o(l_err_kind), .pc_o(l_pc), .wait_o(l_wait), .busy_o(l_busy),
    .stall_o(l_stall), .retire_o(l_retire), .retire_mem_o(l_retire_mem),
    .ar_valid_o(rq_valid[1]), .ar_ready_i(rq_ready[1]), .ar_addr_o(rq_addr[63:32]),
    .ar_len_o(rq_len[15:8]), .win_i(win), .ar_ok_o(rq_ok[1]), .r_valid_i(rs_valid[1]), .r_data_i(m_axi_rdata),
    .r_resp_i(rs_resp), .r_ready_o(rs_ready[1]),
    .ar1_valid_o(l_ar1_valid), .ar1_ready_i(l_ar1_ready), .r1_valid_i(l_r1_valid),
    .r1_data_i(m1_axi_rdata), .r1_resp_i(rs1_resp), .r1_ready_o(l_r1_ready)
  );

  // ---- compute ----
  wire        c_err, c_busy, c_stall, c_retire, c_finish, c_gemm, c_mac, c_alu;
  wire [`DLVTA_REGS_ERR_KIND_BITS-1:0] c_err_kind;
  wire [2:0]  c_retire_op, c_retire_mem;
  wire [31:0] c_pc;
  wire [3:0]  c_wait;
`ifdef DLVTA_GEMM_2X
  wire clk2x_w = clk2x;
`else
  wire clk2x_w = 1'b0;
`endif
  dlvta_compute #(.AccCopies(AccCopies)) u_compute (
    .clk_i(clk), .clk2x_i(clk2x_w), .rst_ni(urst_n), .halt_i(halt),
    .q_valid_i(!qc_empty), .q_insn_i(qc_head[127:0]), .q_idx_i(qc_head[159:128]), .q_pop_o(qc_pop),
    .l2c_token_i(l2c_tok), .l2c_pop_o(l2c_pop), .s2c_token_i(s2c_tok), .s2c_pop_o(s2c_pop),
    .c2l_room_i(c2l_room), .c2l_push_o(c2l_push), .c2s_room_i(c2s_room), .c2s_push_o(c2s_push),
    .inp_re_o(inp_re), .inp_raddr_o(inp_raddr), .inp_rdata_i(inp_rdata),
    .wgt_re_o(wgt_re), .wgt_raddr_o(wgt_raddr), .wgt_rdata_i(wgt_rdata),
    .out_we_o(out_we), .out_waddr_o(out_waddr), .out_wdata_o(out_wdata),
    .err_o(c_err), .err_kind_o(c_err_kind), .pc_o(c_pc), .wait_o(c_wait), .busy_o(c_busy),
    .stall_o(c_stall), .retire_o(c_retire), .retire_op_o(c_retire_op),
    .retire_mem_o(c_retire_mem), .finish_o(c_finish),
    .gemm_cycle_o(c_gemm), .mac_iter_o(c_mac), .alu_cycle_o(c_alu),
    .ar_valid_o(rq_valid[2]), .ar_ready_i(rq_ready[2]), .ar_addr_o(rq_addr[95:64]),
    .ar_len_o(rq_len[23:16]), .win_i(win), .ar_ok_o(rq_ok[2]), .r_valid_i(rs_valid[2]), .r_data_i(m_axi_rdata),
    .r_resp_i(rs_resp), .r_ready_o(rs_ready[2])
  );

  // ---- store ----
  wire        s_err, s_busy, s_stall, s_retire;
  wire [`DLVTA_REGS_ERR_KIND_BITS-1:0] s_err_kind;
  wire [31:0] s_pc;
  wire [1:0]  s_wait;
  dlvta_store u_store (
    .clk_i(clk), .rst_ni(urst_n), .halt_i(halt),
    .q_valid_i(!qs_empty), .q_insn_i(qs_head[127:0]), .q_idx_i(qs_head[159:128]), .q_pop_o(qs_pop),
    .c2s_token_i(c2s_tok), .c2s_pop_o(c2s_pop), .s2c_room_i(s2c_room), .s2c_push_o(s2c_push),
    .out_re_o(out_re), .out_raddr_o(out_raddr), .out_rdata_i(out_rdata),
    .err_o(s_err), .err_kind_o(s_err_kind), .pc_o(s_pc), .wait_o(s_wait), .busy_o(s_busy),
    .stall_o(s_stall), .retire_o(s_retire), .win_i(win),
    .m_awaddr_o(m_axi_awaddr), .m_awlen_o(m_axi_awlen), .m_awvalid_o(m_axi_awvalid),
    .m_awready_i(m_axi_awready), .m_wdata_o(m_axi_wdata), .m_wstrb_o(m_axi_wstrb),
    .m_wlast_o(m_axi_wlast), .m_wvalid_o(m_axi_wvalid), .m_wready_i(m_axi_wready),
    .m_bresp_i(m_axi_bresp), .m_bvalid_i(m_axi_bvalid), .m_bready_o(m_axi_bready)
  );

  // ---- control, status, counters ----
  reg [15:0] wr_bytes;
  integer bi;
  always @* begin
    wr_bytes = 16'd0;
    if (m_axi_wvalid && m_axi_wready) begin
      for (bi = 0; bi < B; bi = bi + 1) wr_bytes = wr_bytes + {15'd0, m_axi_wstrb[bi]};
    end
  end
  wire [15:0] rd1_bytes = (m1_axi_rvalid && m1_axi_rready) ? B[15:0] : 16'd0;
  wire [15:0] rd_bytes = ((m_axi_rvalid && m_axi_rready) ? B[15:0] : 16'd0) + rd1_bytes;

  wire quiet = !f_busy && !l_busy && !c_busy && !s_busy && !rd_busy && !rd1_busy;
  wire idle = quiet && ql_empty && qc_empty && qs_empty;
  wire c_ret_load = c_retire && (c_retire_op == `DLVTA_OP_LOAD);

  // the WAIT register: each unit's wait_o (bit orders at their ports) at the bits of isa/regs.def
  reg [`DLVTA_WAIT_WIDTH-1:0] wait_reg;
  always @* begin
    wait_reg = {`DLVTA_WAIT_WIDTH{1'b0}};
    wait_reg[`DLVTA_WAIT_LOAD_C2L_TOKEN_BIT] = l_wait[0];
    wait_reg[`DLVTA_WAIT_LOAD_L2C_ROOM_BIT] = l_wait[1];
    wait_reg[`DLVTA_WAIT_COMPUTE_L2C_TOKEN_BIT] = c_wait[0];
    wait_reg[`DLVTA_WAIT_COMPUTE_S2C_TOKEN_BIT] = c_wait[1];
    wait_reg[`DLVTA_WAIT_COMPUTE_C2L_ROOM_BIT] = c_wait[2];
    wait_reg[`DLVTA_WAIT_COMPUTE_C2S_ROOM_BIT] = c_wait[3];
    wait_reg[`DLVTA_WAIT_STORE_C2S_TOKEN_BIT] = s_wait[0];
    wait_reg[`DLVTA_WAIT_STORE_S2C_ROOM_BIT] = s_wait[1];
    wait_reg[`DLVTA_WAIT_FETCH_FULL_BIT] = f_wait;
  end

  dlvta_ctrl u_ctrl (
    .clk_i(clk), .rst_ni(rst_n),
    .s_awaddr_i(s_axil_awaddr), .s_awvalid_i(s_axil_awvalid), .s_awready_o(s_axil_awready),
    .s_wdata_i(s_axil_wdata), .s_wstrb_i(s_axil_wstrb), .s_wvalid_i(s_axil_wvalid),
    .s_wready_o(s_axil_wready), .s_bresp_o(s_axil_bresp), .s_bvalid_o(s_axil_bvalid),
    .s_bready_i(s_axil_bready), .s_araddr_i(s_axil_araddr), .s_arvalid_i(s_axil_arvalid),
    .s_arready_o(s_axil_arready), .s_rdata_o(s_axil_rdata), .s_rresp_o(s_axil_rresp),
    .s_rvalid_o(s_axil_rvalid), .s_rready_i(s_axil_rready), .irq_o(irq),
    .clear_o(clear), .go_o(go), .insn_addr_o(insn_addr), .insn_count_o(insn_count), .win_o(win), .halt_o(halt),
    .err_v_i({s_err, c_err, l_err, f_err}),
    .err_kind_i({s_err_kind, c_err_kind, l_err_kind, f_err_kind}),
    .err_idx_i({s_pc, c_pc, l_pc, f_err_idx}),
    .finish_i(c_finish), .exhausted_i(f_exhausted), .units_idle_i(idle), .units_quiet_i(quiet),
    .fetch_pc_i(f_pc), .load_pc_i(l_pc), .compute_pc_i(c_pc), .store_pc_i(s_pc),
    .wait_i(wait_reg),
    .ev_gemm_i(c_gemm), .ev_alu_i(c_alu), .ev_mac_i(c_mac),
    .ev_busy_i({s_busy, c_busy, l_busy}), .ev_stall_i({s_stall, c_stall, l_stall}),
    .ev_rd_bytes_i(rd_bytes), .ev_rd1_bytes_i(rd1_bytes), .ev_wr_bytes_i(wr_bytes),
    .ev_ret_load_i(l_retire), .ev_ret_load_mem_i(l_retire_mem),
    .ev_ret_load2_i(c_ret_load), .ev_ret_load2_mem_i(c_retire_mem),
    .ev_ret_store_i(s_retire), .ev_ret_gemm_i(c_retire && (c_retire_op == `DLVTA_OP_GEMM)),
    .ev_ret_alu_i(c_retire && (c_retire_op == `DLVTA_OP_ALU)),
    .ev_ret_dwgemm_i(c_retire && (c_retire_op == `DLVTA_OP_DWGEMM)),
    .ev_ret_finish_i(c_retire && (c_retire_op == `DLVTA_OP_FINISH))
  );

  wire unused_ok = ^{ql_cnt, qc_cnt, qs_cnt, l_waddr};
endmodule

`default_nettype wire
