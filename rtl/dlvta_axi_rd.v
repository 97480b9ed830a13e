// rtl/dlvta_axi_rd.v -- shares the AXI4 read channels among the requesters (0 fetch, 1 load,
// 2 compute). Read addresses are granted round-robin; since the port uses a single ID, data
// returns in request order, so the requester of every issued burst is queued and each R beat is
// routed to the requester at the head of that queue (popped on RLAST). At most 8 bursts are in
// flight. Every requester always drains its data, so a slow one only delays the others. An
// address offered on AR and not yet taken keeps its requester (AXI: ARVALID and ARADDR hold until
// ARREADY; the requesters hold theirs, dlvta_rdma).
`default_nettype none
`include "dlvta_isa.vh"

module dlvta_axi_rd (
  input  wire                          clk_i,
  input  wire                          rst_ni,
  // requesters, packed: requester n at [n]
  input  wire [2:0]                    req_valid_i,
  output reg  [2:0]                    req_ready_o,
  input  wire [3*32-1:0]               req_addr_i,
  input  wire [3*8-1:0]                req_len_i,
  output wire [2:0]                    rsp_valid_o,
  input  wire [2:0]                    rsp_ready_i,
  output wire                          busy_o,
  // AXI4 master read channels
  output wire [31:0]                   m_araddr_o,
  output wire [7:0]                    m_arlen_o,
  output wire                          m_arvalid_o,
  input  wire                          m_arready_i,
  input  wire                          m_rvalid_i,
  input  wire                          m_rlast_i,
  output wire                          m_rready_o
);
  reg  [1:0] last_q;   // last requester granted
  reg  [1:0] sel;
  reg        any;
  reg        hold_q;   // the address on AR was not taken last cycle
  reg  [1:0] hold_sel_q;

  wire [1:0] head;
  wire       q_empty;
  wire       q_full;
  wire [3:0] q_count;

  // round-robin: the first valid requester after the last one granted
  always @* begin
    sel = 2'd0;
    any = 1'b0;
    case (last_q)
      2'd0: begin
        if (req_valid_i[1]) begin sel = 2'd1; any = 1'b1; end
        else if (req_valid_i[2]) begin sel = 2'd2; any = 1'b1; end
        else if (req_valid_i[0]) begin sel = 2'd0; any = 1'b1; end
      end
      2'd1: begin
        if (req_valid_i[2]) begin sel = 2'd2; any = 1'b1; end
        else if (req_valid_i[0]) begin sel = 2'd0; any = 1'b1; end
        else if (req_valid_i[1]) begin sel = 2'd1; any = 1'b1; end
      end
      default: begin
        if (req_valid_i[0]) begin sel = 2'd0; any = 1'b1; end
        else if (req_valid_i[1]) begin sel = 2'd1; any = 1'b1; end
        else if (req_valid_i[2]) begin sel = 2'd2; any = 1'b1; end
      end
    endcase
    if (hold_q) begin
      sel = hold_sel_q;
      any = req_valid_i[hold_sel_q];
    end
  end

  assign m_arvalid_o = any && !q_full;
  assign m_araddr_o = req_addr_i[sel * 32 +: 32];
  assign m_arlen_o = req_len_i[sel * 8 +: 8];
  wire ar_fire = m_arvalid_o && m_arready_i;

  always @* begin
    req_ready_o = 3'b000;
    if (!q_full && m_arready_i && any) req_ready_o[sel] = 1'b1;
  end

  always @(posedge clk_i) begin
    if (!rst_ni) last_q <= 2'd2;
    else if (ar_fire) last_q <= sel;
  end

  always @(posedge clk_i) begin
    if (!rst_ni) begin
      hold_q <= 1'b0;
      hold_sel_q <= 2'd0;
    end else begin
      hold_q <= m_arvalid_o && !m_arready_i;
      hold_sel_q <= sel;
    end
  end

  // in-flight bursts, in order
  wire r_fire = m_rvalid_i && m_rready_o;
  dlvta_fifo #(.Width(2), .LogDepth(3)) u_inflight (
    .clk_i(clk_i), .rst_ni(rst_ni), .clear_i(1'b0),
    .push_i(ar_fire), .data_i(sel),
    .pop_i(r_fire && m_rlast_i),
    .head_o(head), .empty_o(q_empty), .full_o(q_full), .count_o(q_count)
  );

  assign rsp_valid_o = (m_rvalid_i && !q_empty) ? (3'b001 << head) : 3'b000;
  assign m_rready_o = !q_empty && rsp_ready_i[head];
  assign busy_o = !q_empty;
  wire unused_ok = ^q_count;
endmodule

`default_nettype wire
