// rtl/dlvta_ram.v -- simple dual-port RAM with synchronous read (one write port, one read port),
// written so that yosys and vendor tools infer block RAM. Read-during-write to the same address
// returns the old contents (read-first); callers that need the new value forward it themselves.
//
// ZeroRows = 1 (the weight buffer): a row written with wzero_i set reads as zeros until it is
// written again (its wdata_i is not used). The flag is a memory of one bit a row (LUT RAM, read
// combinationally at the read address) that resets the read data: the block RAM's own synchronous
// output reset (RSTRAM, gated by the read enable), so a zero row costs no logic per data bit (a
// select in front of the write data cost one LUT a bit: 8,192 on ultra96x2, hw/TIMING.md).
`default_nettype none

module dlvta_ram #(
  parameter integer Width = 8,
  parameter integer Depth = 16,
  parameter integer AddrBits = 4,
  parameter integer ZeroRows = 0
) (
  input  wire                clk_i,
  input  wire                we_i,
  input  wire [AddrBits-1:0] waddr_i,
  input  wire [Width-1:0]    wdata_i,
  input  wire                wzero_i,   // ZeroRows: the row written reads as zeros
  input  wire                re_i,
  input  wire [AddrBits-1:0] raddr_i,
  output reg  [Width-1:0]    rdata_o
);
  reg [Width-1:0] mem_q [0:Depth-1];
  wire rzero;

  generate if (ZeroRows != 0) begin : gen_zero
    reg z_q [0:Depth-1];
    integer zi;
    initial for (zi = 0; zi < Depth; zi = zi + 1) z_q[zi] = 1'b0;
    always @(posedge clk_i) if (we_i) z_q[waddr_i] <= wzero_i;
    assign rzero = z_q[raddr_i];
  end else begin : gen_plain
    assign rzero = 1'b0;
    wire unused_ok = wzero_i;
  end endgenerate

  always @(posedge clk_i) begin
    if (we_i) mem_q[waddr_i] <= wdata_i;
    if (re_i) rdata_o <= rzero ? {Width{1'b0}} : mem_q[raddr_i];
  end
endmodule

`default_nettype wire
