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
  localparam [Bits-1:0] Cap = `DLVTA_TOKEN_QUEUE;

  reg [Bits-1:0] count_q;

  assign has_token_o = (count_q != {Bits{1'b0}});
  assign has_room_o  = (count_q != Cap);

  always @(posedge clk_i) begin
    if (!rst_ni || clear_i) begin
      count_q <= {Bits{1'b0}};
    end else if (push_i && !pop_i) begin
      count_q <= count_q + 1'b1;
    end else if (pop_i && !push_i) begin
      count_q <= count_q - 1'b1;
    end
  end
endmodule

`default_nettype wire
