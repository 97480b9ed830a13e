// rtl/dlvta_tokq.v -- a dependency token queue: a counter of tokens, 0..DLVTA_TOKEN_QUEUE.
// push_i adds one (the pusher checked room when it started), pop_i takes one (the popper checked
// that one was there). Cleared at the start of a run.
`default_nettype none
`include "dlvta_isa.vh"

module dlvta_tokq (
  input  wire clk_i,
  input  wire rst_ni,
  input  wire clear_i,
  input  wire push_i,
  input  wire pop_i,
  output wire has_token_o,
  output wire has_room_o
);
  localparam integer Bits = $clog2(`DLVTA_TOKEN_QUEUE + 1);

  wire [Bits-1:0] count;
  wire            zero, full;
  // the counter's next value is one LUT after push / pop (dlvta_updown: ultra96's queue head ->
  // token pop -> count path)
  dlvta_updown #(.Bits(Bits), .Max(`DLVTA_TOKEN_QUEUE)) u_count (
    .clk_i(clk_i), .rst_ni(rst_ni), .clear_i(clear_i), .up_i(push_i), .dn_i(pop_i),
    .count_o(count), .zero_o(zero), .max_o(full)
  );

  assign has_token_o = !zero;
  assign has_room_o  = !full;
  wire unused_ok = ^count;
endmodule

`default_nettype wire
