// rtl/dlvta_fifo.v -- synchronous first-word-fall-through FIFO (instruction queues, fetch buffer,
// burst bookkeeping). Depth is a power of two; clear_i empties it. head_o is valid while !empty_o.
`default_nettype none

module dlvta_fifo #(
  parameter integer Width = 8,
  parameter integer LogDepth = 2
) (
  input  wire               clk_i,
  input  wire               rst_ni,
  input  wire               clear_i,
  input  wire               push_i,
  input  wire [Width-1:0]   data_i,
  input  wire               pop_i,
  output wire [Width-1:0]   head_o,
  output wire               empty_o,
  output wire               full_o,
  output wire [LogDepth:0]  count_o
);
  localparam integer Depth = 1 << LogDepth;

  reg [Width-1:0]    mem_q [0:Depth-1];
  reg [LogDepth-1:0] rptr_q;
  reg [LogDepth-1:0] wptr_q;
  reg [LogDepth:0]   count_q;

  wire do_push = push_i && (count_q != Depth[LogDepth:0]);
  wire do_pop  = pop_i && (count_q != {(LogDepth+1){1'b0}});

  assign head_o  = mem_q[rptr_q];
  assign empty_o = (count_q == {(LogDepth+1){1'b0}});
  assign full_o  = (count_q == Depth[LogDepth:0]);
  assign count_o = count_q;

  always @(posedge clk_i) begin
    if (do_push) mem_q[wptr_q] <= data_i;
  end

  always @(posedge clk_i) begin
    if (!rst_ni || clear_i) begin
      rptr_q  <= {LogDepth{1'b0}};
      wptr_q  <= {LogDepth{1'b0}};
      count_q <= {(LogDepth+1){1'b0}};
    end else begin
      if (do_push) wptr_q <= wptr_q + 1'b1;
      if (do_pop)  rptr_q <= rptr_q + 1'b1;
      if (do_push && !do_pop) count_q <= count_q + 1'b1;
      else if (do_pop && !do_push) count_q <= count_q - 1'b1;
    end
  end
endmodule

`default_nettype wire
