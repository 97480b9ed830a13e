// rtl/dlvta_fifo.v -- synchronous first-word-fall-through FIFO (instruction queues, fetch buffer,
// burst bookkeeping). Depth is a power of two; clear_i empties it. head_o is valid while !empty_o.
// RegHead = 1 (LogDepth >= 1) takes head_o from a register instead of the memory's read port:
// the same cycles (a push into an empty queue shows at the next edge, as before; a pop shows the
// next entry at the next edge), one register of Width more, and the memory is read at the entry
// after the head only (rptr1_q), so that no memory read lies between a pointer register and the
// consumer's decode of the head (ultra96's 187.5 MHz: the compute queue's head -> the token
// counters, hw/TIMING.md).
`default_nettype none

module dlvta_fifo #(
  parameter integer Width = 8,
  parameter integer LogDepth = 2,
  parameter integer RegHead = 0
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
  wire do_push = push_i && !full_o;
  wire do_pop  = pop_i && !empty_o;

  // the count and its empty / full flags are registers whose next value is one LUT after a push
  // or pop (dlvta_updown: fetch's dispatch -> a queue's count was ultra96's worst path)
  dlvta_updown #(.Bits(LogDepth + 1), .Max(Depth)) u_count (
    .clk_i(clk_i), .rst_ni(rst_ni), .clear_i(clear_i), .up_i(do_push), .dn_i(do_pop),
    .count_o(count_o), .zero_o(empty_o), .max_o(full_o)
  );

  always @(posedge clk_i) begin
    if (do_push) mem_q[wptr_q] <= data_i;
  end

  always @(posedge clk_i) begin
    if (!rst_ni || clear_i) begin
      rptr_q  <= {LogDepth{1'b0}};
      wptr_q  <= {LogDepth{1'b0}};
    end else begin
      if (do_push) wptr_q <= wptr_q + 1'b1;
      if (do_pop)  rptr_q <= rptr_q + 1'b1;
    end
  end

  generate
    if (RegHead != 0) begin : gen_reg_head
      // head_q = mem_q[rptr_q] while the FIFO holds an entry: data_i when a push makes it the
      // head (the FIFO empty, or its last entry popped in the same cycle), the entry after the
      // head when a pop leaves one (count >= 2: written at least a cycle before)
      reg [Width-1:0]    head_q;
      localparam [LogDepth-1:0] PTR_ONE = 1;
      localparam [LogDepth:0]   CNT_ONE = 1;
      reg [LogDepth-1:0] rptr1_q;  // rptr_q + 1
      wire one = (count_o == CNT_ONE);
      always @(posedge clk_i) begin
        if (!rst_ni || clear_i) rptr1_q <= PTR_ONE;
        else if (do_pop) rptr1_q <= rptr1_q + 1'b1;
      end
      always @(posedge clk_i) begin
        if (do_push && (empty_o || (do_pop && one))) head_q <= data_i;
        else if (do_pop) head_q <= mem_q[rptr1_q];
      end
      assign head_o = head_q;
    end else begin : gen_mem_head
      assign head_o = mem_q[rptr_q];
    end
  endgenerate
endmodule

`default_nettype wire
