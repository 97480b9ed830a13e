// rtl/dlvta_win.v -- the DRAM window check of one page (isa/regs.def WINn_BASE / WINn_LIMIT): ok_o
// when 4 KiB page page_i (Next = 0), or the page after it modulo 2^20 (Next = 1), lies in one of the
// windows. Windows come from dlvta_ctrl as records {limit == 0, base == 0, limit - 1, base - 1,
// limit, base} (page numbers), so the next page's test needs no incrementer:
// base <= p + 1 < limit  <=>  (base == 0 || p >= base - 1) && limit != 0 && p < limit - 1, and at
// p = 2^20 - 1 (the next page is 0): base == 0 && limit != 0. The DMAs register ok_o; a burst is
// issued on the bus only if its page passed (dlvta_rdma, dlvta_store).
`default_nettype none
`include "dlvta_isa.vh"
`include "dlvta_regs.vh"

module dlvta_win #(
  parameter integer Next = 0
) (
  input  wire [19:0]                         page_i,
  input  wire [`DLVTA_REGS_WIN_COUNT*82-1:0] win_i,
  output reg                                 ok_o
);
  localparam integer NWin = `DLVTA_REGS_WIN_COUNT;
  wire p_max = &page_i;
  integer w;
  reg [81:0] r;
  always @* begin
    ok_o = 1'b0;
    for (w = 0; w < NWin; w = w + 1) begin
      r = win_i[w*82 +: 82];
      if (Next == 0) begin
        if ((page_i >= r[19:0]) && (page_i < r[39:20])) ok_o = 1'b1;
      end else if (p_max) begin
        if (r[80] && !r[81]) ok_o = 1'b1;
      end else begin
        if ((r[80] || (page_i >= r[59:40])) && !r[81] && (page_i < r[79:60])) ok_o = 1'b1;
      end
    end
  end
endmodule

`default_nettype wire
