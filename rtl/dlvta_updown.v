// rtl/dlvta_updown.v -- an up/down counter 0..Max whose next value is one LUT after its up and
// down requests: count + 1 and count - 1 are registers of their own (up_q, dn_q), kept one above
// and one below the count, so the adders work on registers only and the requests choose among
// registered values at the end; the zero and Max flags are registers too. (A plain
// `count +/- 1` lets synthesis share one adder with the requests on its operand: the carry chain
// then follows the requests, ultra96's dispatch -> instruction queue count path, hw/TIMING.md.)
// up_i and dn_i in the same cycle cancel. The caller keeps the count within 0..Max.
`default_nettype none

module dlvta_updown #(
  parameter integer Bits = 4,
  parameter integer Max = 8
) (
  input  wire            clk_i,
  input  wire            rst_ni,
  input  wire            clear_i,
  input  wire            up_i,
  input  wire            dn_i,
  output wire [Bits-1:0] count_o,
  output wire            zero_o,   // count == 0
  output wire            max_o     // count == Max
);
  localparam [Bits-1:0] MaxV = Max[Bits-1:0];
  localparam [Bits-1:0] One = 1;

  reg [Bits-1:0] count_q, up_q, dn_q;
  reg            nz_q, max_q;  // count != 0, count == Max (0 at power-up as at reset: no
                               // register's all-zero state before the reset claims an entry)

  wire inc = up_i && !dn_i;
  wire dec = dn_i && !up_i;

  assign count_o = count_q;
  assign zero_o = !nz_q;
  assign max_o = max_q;

  always @(posedge clk_i) begin
    if (!rst_ni || clear_i) begin
      count_q <= {Bits{1'b0}};
      up_q <= One;
      dn_q <= {Bits{1'b1}};
      nz_q <= 1'b0;
      max_q <= (Max == 0);
    end else if (inc) begin
      count_q <= up_q;
      up_q <= up_q + 1'b1;
      dn_q <= count_q;
      nz_q <= 1'b1;
      max_q <= (up_q == MaxV);
    end else if (dec) begin
      count_q <= dn_q;
      up_q <= count_q;
      dn_q <= dn_q - 1'b1;
      nz_q <= (dn_q != {Bits{1'b0}});
      max_q <= 1'b0;
    end
  end
endmodule

`default_nettype wire
