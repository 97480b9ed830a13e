// rtl/dlvta_ldwalk.v -- executes the MEM group of a LOAD: checks the whole on-chip block against
// the buffer's depth, reads the DRAM rows through a read DMA, and writes every element of the
// padded block in order (sram + r*cols + c), one element per cycle: pad elements as they come,
// DRAM elements as the DMA delivers them. Used by the load unit and the compute unit.
`default_nettype none
`include "dlvta_isa.vh"
`include "dlvta_regs.vh"

module dlvta_ldwalk #(
  parameter integer MaxLogE = 4,
  parameter integer PlainLogE = MaxLogE,  // dlvta_rdma's: the largest element over one port
  parameter integer Split = 0     // dlvta_rdma's: big elements over both read ports
) (
  input  wire                         clk_i,
  input  wire                         rst_ni,
  input  wire                         start_i,
  input  wire [`DLVTA_INSN_BITS-1:0]  insn_i,       // the LOAD: its MEM group is decoded here
  input  wire [3:0]                   log_e_i,      // element bytes, log2
  input  wire [3:0]                   log_depth_i,  // target buffer depth, log2
  output reg                          done_o,       // one cycle: finished (see the two flags)
  output reg                          range_err_o,  // with done_o: block past the depth, nothing written
  output reg                          dram_err_o,   // with done_o: an AXI read answered an error
  output wire                         busy_o,
  // element writes
  output reg                          wr_valid_o,
  output reg                          wr_pad_o,
  output wire [`DLVTA_W_SRAM_IDX-1:0] wr_addr_o,
  output wire [(8<<MaxLogE)-1:0]      wr_data_o,
  // AXI read (to the arbiter)
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
  // the second read port (Split; dlvta_rdma)
  output wire                         ar1_valid_o,
  input  wire                         ar1_ready_i,
  input  wire                         r1_valid_i,
  input  wire [`DLVTA_AXI_BITS-1:0]   r1_data_i,
  input  wire [1:0]                   r1_resp_i,
  output wire                         r1_ready_o
);

  // The MEM group of the LOAD (isa/isa.def), for both LOAD units (dlvta_load, dlvta_compute)
  wire [`DLVTA_W_SRAM_IDX-1:0] m_sram = insn_i[`DLVTA_F_SRAM_POS +: `DLVTA_F_SRAM_WIDTH];
  wire [31:0] m_dram = insn_i[`DLVTA_F_DRAM_POS +: `DLVTA_F_DRAM_WIDTH];
  wire [15:0] m_y_size = insn_i[`DLVTA_F_Y_SIZE_POS +: `DLVTA_F_Y_SIZE_WIDTH];
  wire [15:0] m_x_size = insn_i[`DLVTA_F_X_SIZE_POS +: `DLVTA_F_X_SIZE_WIDTH];
  wire [15:0] m_x_stride = insn_i[`DLVTA_F_X_STRIDE_POS +: `DLVTA_F_X_STRIDE_WIDTH];
  wire [3:0] m_y_pad0 = insn_i[`DLVTA_F_Y_PAD0_POS +: `DLVTA_F_Y_PAD0_WIDTH];
  wire [3:0] m_y_pad1 = insn_i[`DLVTA_F_Y_PAD1_POS +: `DLVTA_F_Y_PAD1_WIDTH];
  wire [3:0] m_x_pad0 = insn_i[`DLVTA_F_X_PAD0_POS +: `DLVTA_F_X_PAD0_WIDTH];
  wire [3:0] m_x_pad1 = insn_i[`DLVTA_F_X_PAD1_POS +: `DLVTA_F_X_PAD1_WIDTH];
  wire unused_insn = ^insn_i;  // the rest of the instruction is the caller's
  // S_PROD registers the block's size (rows * cols, a DSP multiply), S_CHECK checks it
  localparam [2:0] S_IDLE = 3'd0, S_PROD = 3'd1, S_CHECK = 3'd2, S_RUN = 3'd3, S_DRAIN = 3'd4;

  reg [2:0]  state_q;
  reg [`DLVTA_W_SRAM_IDX-1:0] sram_q;
  reg [31:0] dram_q;
  reg [15:0] y_size_q;
  reg [15:0] x_size_q;
  reg [15:0] x_stride_q;
  reg [3:0]  y_pad0_q;
  reg [3:0]  x_pad0_q;
  reg [3:0]  log_e_q;
  reg [3:0]  log_depth_q;
  // keep: when rows_q was the multiplier's operand, yosys 0.23's DSP packing moved it into the
  // pre-adder register and tied its other reader (the row count compare) to 0
  // (sim/tsim/cells/test/yosys_adreg.v); the block-size slice (u_total) now has registers of its
  // own, and the attribute stays as a guard
  (* keep *) reg [16:0] rows_q;
  (* keep *) reg [16:0] cols_q;
  reg [16:0] rn_q;  // r + 1 for the walk's row r (the compares below take it from a register)
  reg [16:0] cn_q;  // c + 1 for its column c
  reg [34:0] s_q;

  wire [33:0] total;
  // sram + total <= depth, as total <= lim_q = depth - sram, registered in S_PROD (sram_over_q:
  // sram alone is past the depth); the depth is at most 2^15, so the compare is 16 bits wide
  wire [15:0] depth = 16'd1 << log_depth_q;
  wire [16:0] lim = {1'b0, depth} - {{(17-`DLVTA_W_SRAM_IDX){1'b0}}, sram_q};
  reg         sram_over_q;
  reg  [15:0] lim_q;
  wire        range_ok = !sram_over_q && (total[33:16] == 18'd0) && (total[15:0] <= lim_q);
  wire        empty = (total == 34'd0);

  wire        dma_busy;
  wire        dma_err;
  wire        el_valid;
  reg         el_ready;
  // the DMA starts the cycle after S_CHECK: the range check (the product's compare) ends in a
  // register, not in the DMA's start logic (hw/TIMING.md: it was the pynq logic-depth limit);
  // the first element arrives a DRAM latency later anyway
  reg         dma_start;

  dlvta_rdma #(.MaxLogE(MaxLogE), .PlainLogE(PlainLogE), .Split(Split)) u_dma (
    .clk_i(clk_i), .rst_ni(rst_ni),
    .start_i(dma_start), .dram_i(dram_q), .log_e_i(log_e_q),
    .y_size_i(y_size_q), .x_size_i(x_size_q), .x_stride_i(x_stride_q),
    .allow_i(1'b1), .abort_i(1'b0), .busy_o(dma_busy), .err_o(dma_err),
    .ar_valid_o(ar_valid_o), .ar_ready_i(ar_ready_i), .ar_addr_o(ar_addr_o), .ar_len_o(ar_len_o),
    .win_i(win_i), .ar_ok_o(ar_ok_o),
    .r_valid_i(r_valid_i), .r_data_i(r_data_i), .r_resp_i(r_resp_i), .r_ready_o(r_ready_o),
    .ar1_valid_o(ar1_valid_o), .ar1_ready_i(ar1_ready_i), .r1_valid_i(r1_valid_i), .r1_data_i(r1_data_i),
    .r1_resp_i(r1_resp_i), .r1_ready_o(r1_ready_o),
    .el_valid_o(el_valid), .el_data_o(wr_data_o), .el_ready_i(el_ready)
  );

  // whether row r / column c is inside the DRAM block (not padding): flags kept as r and c
  // step by one, from equality tests only (no comparator chain in the element loop)
  reg         in_y, in_x;
  reg  [16:0] y_end_q, x_end_q;   // pad0 + size
  wire        y_any = (y_size_q != 16'd0);
  wire        x_any = (x_size_q != 16'd0);

  always @* begin
    wr_valid_o = 1'b0;
    wr_pad_o = 1'b0;
    el_ready = 1'b0;
    if (state_q == S_RUN) begin
      if (in_y && in_x) begin
        wr_valid_o = el_valid;
        el_ready = 1'b1;
      end else begin
        wr_valid_o = 1'b1;
        wr_pad_o = 1'b1;
      end
    end
  end

  assign wr_addr_o = s_q[`DLVTA_W_SRAM_IDX-1:0];
  assign busy_o = (state_q != S_IDLE);

  // the block size in a DSP slice (rtl/dlvta_dsp.v): its A/B registers take rows and cols while
  // idle (as rows_q / cols_q), its P register the product in S_PROD (no reset needed: it is
  // written in S_PROD before S_CHECK reads it); no logic between the slice's registers and P
  wire [16:0] rows_d = {13'd0, m_y_pad0} + {1'b0, m_y_size} + {13'd0, m_y_pad1};
  wire [16:0] cols_d = {13'd0, m_x_pad0} + {1'b0, m_x_size} + {13'd0, m_x_pad1};
  dlvta_dsp #(.AW(18), .BW(18), .PW(34), .Pre(0), .InReg(1), .MReg(0), .PReg(1)) u_total (
    .clk_i(clk_i), .ce_in_i(state_q == S_IDLE), .ce_m_i(1'b0), .ce_p_i(state_q == S_PROD),
    .a_i({1'b0, rows_d}), .d_i(18'd0), .b_i({1'b0, cols_d}), .p_o(total)
  );

  always @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q <= S_IDLE;
      done_o <= 1'b0;
      range_err_o <= 1'b0;
      dram_err_o <= 1'b0;
      sram_q <= {`DLVTA_W_SRAM_IDX{1'b0}};
      dram_q <= 32'd0;
      y_size_q <= 16'd0;
      x_size_q <= 16'd0;
      x_stride_q <= 16'd0;
      y_pad0_q <= 4'd0;
      x_pad0_q <= 4'd0;
      log_e_q <= 4'd0;
      log_depth_q <= 4'd0;
      rows_q <= 17'd0;
      cols_q <= 17'd0;
      rn_q <= 17'd1;
      cn_q <= 17'd1;
      in_y <= 1'b0;
      in_x <= 1'b0;
      y_end_q <= 17'd0;
      x_end_q <= 17'd0;
      s_q <= 35'd0;
      sram_over_q <= 1'b0;
      lim_q <= 16'd0;
      dma_start <= 1'b0;
    end else begin
      done_o <= 1'b0;
      range_err_o <= 1'b0;
      dram_err_o <= 1'b0;
      dma_start <= (state_q == S_CHECK) && range_ok && !empty;
      case (state_q)
        S_IDLE: begin
          // the head's fields, taken every idle cycle (read only after a start: the start's
          // own head is the one that stays), so that the start, which waits on the halt and
          // the tokens, enables none of these registers
          sram_q <= m_sram;
          dram_q <= m_dram;
          y_size_q <= m_y_size;
          x_size_q <= m_x_size;
          x_stride_q <= m_x_stride;
          y_pad0_q <= m_y_pad0;
          x_pad0_q <= m_x_pad0;
          log_e_q <= log_e_i;
          log_depth_q <= log_depth_i;
          rows_q <= rows_d;
          cols_q <= cols_d;
          if (start_i) state_q <= S_PROD;
        end
        S_PROD: begin
          sram_over_q <= lim[16];
          lim_q <= lim[15:0];
          y_end_q <= {13'd0, y_pad0_q} + {1'b0, y_size_q};
          x_end_q <= {13'd0, x_pad0_q} + {1'b0, x_size_q};
          state_q <= S_CHECK;
        end
        S_CHECK: begin
          rn_q <= 17'd1;
          cn_q <= 17'd1;
          in_y <= (y_pad0_q == 4'd0) && y_any;
          in_x <= (x_pad0_q == 4'd0) && x_any;
          s_q <= {{(35-`DLVTA_W_SRAM_IDX){1'b0}}, sram_q};
          if (!range_ok) begin
            done_o <= 1'b1;
            range_err_o <= 1'b1;
            state_q <= S_IDLE;
          end else if (empty) begin
            done_o <= 1'b1;
            state_q <= S_IDLE;
          end else begin
            state_q <= S_RUN;
          end
        end
        S_RUN: begin
          if (wr_valid_o) begin
            s_q <= s_q + 35'd1;
            if (cn_q == cols_q) begin
              cn_q <= 17'd1;
              in_x <= (x_pad0_q == 4'd0) && x_any;
              rn_q <= rn_q + 17'd1;
              in_y <= in_y ? (rn_q != y_end_q) : ((rn_q == {13'd0, y_pad0_q}) && y_any);
              if (rn_q == rows_q) state_q <= S_DRAIN;
            end else begin
              cn_q <= cn_q + 17'd1;
              in_x <= in_x ? (cn_q != x_end_q) : ((cn_q == {13'd0, x_pad0_q}) && x_any);
            end
          end
        end
        S_DRAIN: begin
          if (!dma_busy && !dma_start) begin
            done_o <= 1'b1;
            dram_err_o <= dma_err;
            state_q <= S_IDLE;
          end
        end
        default: state_q <= S_IDLE;
      endcase
    end
  end
endmodule

`default_nettype wire
