// rtl/dlvta_load.v -- the load unit: executes LOADs of INP and WGT from its instruction queue,
// in order, with the token protocol (pop_next: C2L token; push_next: L2C token).
`default_nettype none
`include "dlvta_isa.vh"
`include "dlvta_regs.vh"

module dlvta_load (
  input  wire                         clk_i,
  input  wire                         rst_ni,
  input  wire                         halt_i,      // an error stopped the device: start nothing
  // instruction queue head
  input  wire                         q_valid_i,
  input  wire [127:0]                 q_insn_i,
  input  wire [31:0]                  q_idx_i,
  output reg                          q_pop_o,
  // tokens
  input  wire                         c2l_token_i,
  output wire                         c2l_pop_o,
  input  wire                         l2c_room_i,
  output reg                          l2c_push_o,
  // buffers
  output wire                         inp_we_o,
  output wire                         wgt_we_o,
  output wire                         wgt_wzero_o,  // the WGT element written is a pad: zeros
  output wire [`DLVTA_W_SRAM_IDX-1:0] wr_addr_o,
  output wire [`DLVTA_BATCH*`DLVTA_BLOCK_IN*8-1:0]    inp_wdata_o,
  output wire [`DLVTA_BLOCK_OUT*`DLVTA_BLOCK_IN*8-1:0] wgt_wdata_o,
  // status
  output reg                          err_o,       // one cycle
  output reg  [`DLVTA_REGS_ERR_KIND_BITS-1:0] err_kind_o,
  output wire [31:0]                  pc_o,
  output wire [1:0]                   wait_o,      // {L2C room, C2L token}
  output wire                         busy_o,
  output wire                         stall_o,
  output reg                          retire_o,    // one cycle: a LOAD finished
  output reg  [2:0]                   retire_mem_o,
  // AXI read
  output wire                         ar_valid_o,
  input  wire                         ar_ready_i,
  output wire [31:0]                  ar_addr_o,
  output wire [7:0]                   ar_len_o,
  input  wire [`DLVTA_REGS_WIN_COUNT*82-1:0] win_i,  // DRAM windows (dlvta_ctrl)
  output wire                         ar_ok_o,         // the burst on offer lies in a window
  input  wire                         r_valid_i,
  input  wire [`DLVTA_AXI_BITS-1:0]   r_data_i,
  input  wire [1:0]                   r_resp_i,
  output wire                         r_ready_o,
  // the second read port (weight bursts' odd halves when the config has two, dlvta_rdma Split)
  output wire                         ar1_valid_o,
  input  wire                         ar1_ready_i,
  input  wire                         r1_valid_i,
  input  wire [`DLVTA_AXI_BITS-1:0]   r1_data_i,
  input  wire [1:0]                   r1_resp_i,
  output wire                         r1_ready_o
);
  localparam integer InpBits = `DLVTA_BATCH * `DLVTA_BLOCK_IN * 8;
  localparam integer WgtBits = `DLVTA_BLOCK_OUT * `DLVTA_BLOCK_IN * 8;
  localparam integer MaxLogE = $clog2(`DLVTA_MEM_WGT_ELEM_BYTES);
  localparam integer LogEWgt = $clog2(`DLVTA_MEM_WGT_ELEM_BYTES);
  localparam integer LogEInp = $clog2(`DLVTA_MEM_INP_ELEM_BYTES);
  // the largest element read over one port: with two, the elements of 32 beats or more go over
  // both (dlvta_rdma Split), so the element slots above this one's beats take split halves only
  localparam integer LogSplit = $clog2(`DLVTA_AXI_BITS / 8) + 5;
  localparam integer PlainLogE = (`DLVTA_RD_PORTS == 1) ? MaxLogE :
                                 (LogEWgt < LogSplit) ? LogEWgt : LogEInp;

  wire [`DLVTA_F_MEM_WIDTH-1:0] mem = q_insn_i[`DLVTA_F_MEM_POS +: `DLVTA_F_MEM_WIDTH];
  wire pop_next = q_insn_i[`DLVTA_F_POP_NEXT_POS];
  wire push_next = q_insn_i[`DLVTA_F_PUSH_NEXT_POS];

  reg        run_q;
  reg        dead_q;      // stopped on an error until the next run
  reg        is_wgt_q;
  reg        push_next_q;
  reg [7:0]  pad_q;

  wire can_start = q_valid_i && !run_q && !dead_q && !halt_i && (!pop_next || c2l_token_i) &&
                   (!push_next || l2c_room_i);
  wire start = can_start;

  wire is_wgt = (mem == `DLVTA_MEM_WGT);
  wire [3:0] log_e = is_wgt ? LogEWgt[3:0] : LogEInp[3:0];
  wire [3:0] log_depth = is_wgt ? `DLVTA_LOG_WGT_DEPTH : `DLVTA_LOG_INP_DEPTH;

  wire done;
  wire range_err;
  wire dram_err;
  wire walk_busy;
  wire wr_valid;
  wire wr_pad;
  wire [(8<<MaxLogE)-1:0] wr_data;

  dlvta_ldwalk #(.MaxLogE(MaxLogE), .PlainLogE(PlainLogE), .Split(`DLVTA_RD_PORTS - 1)) u_walk (
    .clk_i(clk_i), .rst_ni(rst_ni), .start_i(start),
    .insn_i(q_insn_i),
    .log_e_i(log_e), .log_depth_i(log_depth),
    .done_o(done), .range_err_o(range_err), .dram_err_o(dram_err), .busy_o(walk_busy),
    .wr_valid_o(wr_valid), .wr_pad_o(wr_pad), .wr_addr_o(wr_addr_o), .wr_data_o(wr_data),
    .ar_valid_o(ar_valid_o), .ar_ready_i(ar_ready_i), .ar_addr_o(ar_addr_o), .ar_len_o(ar_len_o),
    .win_i(win_i), .ar_ok_o(ar_ok_o),
    .r_valid_i(r_valid_i), .r_data_i(r_data_i), .r_resp_i(r_resp_i), .r_ready_o(r_ready_o),
    .ar1_valid_o(ar1_valid_o), .ar1_ready_i(ar1_ready_i), .r1_valid_i(r1_valid_i), .r1_data_i(r1_data_i),
    .r1_resp_i(r1_resp_i), .r1_ready_o(r1_ready_o)
  );

  assign inp_we_o = wr_valid && !is_wgt_q;
  assign wgt_we_o = wr_valid && is_wgt_q;
  assign inp_wdata_o = wr_pad ? {(InpBits/8){pad_q}} : wr_data[InpBits-1:0];
  // a WGT LOAD's pads are zeros (its pad_value is 0, fetch checks it): the weight buffer marks
  // the row (dlvta_ram ZeroRows), so the write data is the DMA's element alone
  assign wgt_wzero_o = wr_pad;
  assign wgt_wdata_o = wr_data[WgtBits-1:0];

  assign c2l_pop_o = start && pop_next;
  assign pc_o = q_valid_i ? q_idx_i : `DLVTA_REGS_PC_IDLE;
  assign wait_o = {q_valid_i && !run_q && push_next && !l2c_room_i,
                   q_valid_i && !run_q && pop_next && !c2l_token_i};
  assign busy_o = run_q;
  wire unused_ok = ^{walk_busy, q_insn_i};
  assign stall_o = q_valid_i && !run_q && !halt_i && !can_start;

  always @(posedge clk_i) begin
    if (!rst_ni) begin
      run_q <= 1'b0;
      dead_q <= 1'b0;
      is_wgt_q <= 1'b0;
      push_next_q <= 1'b0;
      pad_q <= 8'd0;
      q_pop_o <= 1'b0;
      l2c_push_o <= 1'b0;
      err_o <= 1'b0;
      err_kind_o <= `DLVTA_ERR_NONE;
      retire_o <= 1'b0;
      retire_mem_o <= 3'd0;
    end else begin
      q_pop_o <= 1'b0;
      l2c_push_o <= 1'b0;
      err_o <= 1'b0;
      retire_o <= 1'b0;
      if (start) begin
        run_q <= 1'b1;
        is_wgt_q <= is_wgt;
        push_next_q <= push_next;
        pad_q <= q_insn_i[`DLVTA_F_PAD_VALUE_POS +: `DLVTA_F_PAD_VALUE_WIDTH];
        retire_mem_o <= mem;
      end
      if (run_q && done) begin
        if (range_err || dram_err) begin
          err_o <= 1'b1;
          err_kind_o <= range_err ? `DLVTA_ERR_SRAM_RANGE : `DLVTA_ERR_DRAM_RANGE;
          run_q <= 1'b0;  // the queue keeps the failing instruction: pc_o names it
          dead_q <= 1'b1;
        end else begin
          l2c_push_o <= push_next_q;
          q_pop_o <= 1'b1;
          retire_o <= 1'b1;
        end
      end
      if (q_pop_o) run_q <= 1'b0;
    end
  end
endmodule

`default_nettype wire
