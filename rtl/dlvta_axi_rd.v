// rtl/dlvta_axi_rd.v -- shares the AXI4 read channels among the requesters (0 fetch, 1 load,
// 2 compute). Read addresses are granted round-robin; since the port uses a single ID, data
// returns in request order, so the requester of every issued burst is queued and each R beat is
// routed to the requester at the head of that queue (popped on RLAST). At most 8 bursts are in
// flight. Every requester always drains its data, so a slow one only delays the others. An
// address offered on AR and not yet taken keeps its requester (AXI: ARVALID and ARADDR hold until
// ARREADY; the requesters hold theirs, dlvta_rdma).
//
// DRAM window: each requester says, registered, whether its burst on offer lies in a DRAM window
// (req_ok_i, dlvta_rdma / dlvta_win). A burst outside never reaches the bus: it is taken here
// (without ARVALID), queued in order with the others, and when its turn comes its len + 1 beats
// are answered here with DECERR (data junk, the bus's R data), so the requester drains and
// reports it as it would an error from the interconnect (ERR_KIND DRAM_RANGE).
`default_nettype none
`include "dlvta_isa.vh"

module dlvta_axi_rd (
  input  wire                          clk_i,
  input  wire                          rst_ni,
  input  wire                          clear_i,     // a run starts: the grant goes to fetch
  // requesters, packed: requester n at [n]
  input  wire [2:0]                    req_valid_i,
  output reg  [2:0]                    req_ready_o,
  input  wire [3*32-1:0]               req_addr_i,
  input  wire [3*8-1:0]                req_len_i,
  input  wire [2:0]                    req_ok_i,    // the offered burst lies in a DRAM window (registered)
  output wire [2:0]                    rsp_valid_o,
  output wire [1:0]                    rsp_resp_o,  // the R beat's response (DECERR when refused)
  input  wire [2:0]                    rsp_ready_i,
  output wire                          busy_o,
  // AXI4 master read channels
  output wire [31:0]                   m_araddr_o,
  output wire [7:0]                    m_arlen_o,
  output wire                          m_arvalid_o,
  input  wire                          m_arready_i,
  input  wire                          m_rvalid_i,
  input  wire [1:0]                    m_rresp_i,
  input  wire                          m_rlast_i,
  output wire                          m_rready_o
);
  // The grant is a register (gnt_q): the requesters' valids reach only the next grant, never
  // the ready of another requester in the same cycle. It stays on its requester while that one
  // keeps requesting and no other does, so a lone requester issues an address every cycle; when
  // others request it moves round-robin to the first of them after it (a cycle without an
  // address when it moves to a requester that was not granted). An address offered on AR and not
  // yet taken keeps the grant (AXI: ARVALID and ARADDR hold until ARREADY).
  reg  [1:0] gnt_q;
  reg  [1:0] gnt_d;

  wire [6:0] head;     // {refused, len[3:0], requester}
  wire       q_empty;
  wire       q_full;
  wire [3:0] q_count;

  // one-hot selects (an indexed part-select would synthesize index arithmetic)
  wire [2:0] g = {gnt_q == 2'd2, gnt_q == 2'd1, gnt_q == 2'd0};
  wire       g_ok = |(g & req_ok_i);
  wire       offer = (|(g & req_valid_i)) && !q_full;
  assign m_arvalid_o = offer && g_ok;
  assign m_araddr_o = ({32{g[0]}} & req_addr_i[31:0]) | ({32{g[1]}} & req_addr_i[63:32]) |
                      ({32{g[2]}} & req_addr_i[95:64]);
  assign m_arlen_o = ({8{g[0]}} & req_len_i[7:0]) | ({8{g[1]}} & req_len_i[15:8]) |
                     ({8{g[2]}} & req_len_i[23:16]);
  wire ar_fire = m_arvalid_o && m_arready_i;
  wire refuse = offer && !g_ok;  // taken here, never on the bus
  wire take = ar_fire || refuse;

  always @* begin
    req_ready_o = g & {3{!q_full && (m_arready_i || !g_ok)}};
  end

  // round-robin: the first valid requester after the granted one, else the granted one. The
  // grant moves once its requester's address is taken (or it does not request), never while that
  // address waits, for ARREADY or for a free in-flight slot: a grant that went round while the
  // queue was full would land on the same requester each time a slot frees (bursts of 16 beats
  // free one every 16 cycles), and a LOAD of the compute unit could wait behind all of the load
  // unit's (tests/test_tsim's GEMM programs on ultra96, fsim 5 % under the RTL).
  wire g_valid = |(g & req_valid_i);
  always @* begin
    gnt_d = gnt_q;
    if (!g_valid || take) begin  // (a refused burst is taken at once)
      case (gnt_q)
        2'd0: begin
          if (req_valid_i[1]) gnt_d = 2'd1;
          else if (req_valid_i[2]) gnt_d = 2'd2;
        end
        2'd1: begin
          if (req_valid_i[2]) gnt_d = 2'd2;
          else if (req_valid_i[0]) gnt_d = 2'd0;
        end
        default: begin
          if (req_valid_i[0]) gnt_d = 2'd0;
          else if (req_valid_i[1]) gnt_d = 2'd1;
        end
      endcase
    end
  end

  always @(posedge clk_i) begin
    if (!rst_ni || clear_i) gnt_q <= 2'd0;
    else gnt_q <= gnt_d;
  end

  // in-flight bursts, in order (refused ones with their length, answered here)
  wire       h_ref = head[6];
  reg  [3:0] ref_beat_q;  // beats of the refused burst at the head answered so far
  wire       r_valid = h_ref ? 1'b1 : m_rvalid_i;
  wire       r_take = r_valid && !q_empty && rsp_ready_i[head[1:0]];
  wire       r_last = h_ref ? (ref_beat_q == head[5:2]) : m_rlast_i;
  dlvta_fifo #(.Width(7), .LogDepth(3), .RegHead(1)) u_inflight (
    .clk_i(clk_i), .rst_ni(rst_ni), .clear_i(1'b0),
    .push_i(take), .data_i({refuse, m_arlen_o[3:0], gnt_q}),
    .pop_i(r_take && r_last),
    .head_o(head), .empty_o(q_empty), .full_o(q_full), .count_o(q_count)
  );
  always @(posedge clk_i) begin
    if (!rst_ni) ref_beat_q <= 4'd0;
    else if (r_take && h_ref) ref_beat_q <= r_last ? 4'd0 : ref_beat_q + 4'd1;
  end

  assign rsp_valid_o = (r_valid && !q_empty) ? (3'b001 << head[1:0]) : 3'b000;
  assign rsp_resp_o = h_ref ? 2'b11 : m_rresp_i;
  assign m_rready_o = !q_empty && !h_ref && rsp_ready_i[head[1:0]];
  assign busy_o = !q_empty;
  wire unused_ok = ^{q_count, m_arlen_o[7:4]};
endmodule

`default_nettype wire
