// rtl/dlvta_ram.v -- simple dual-port RAM with synchronous read (one write port, one read port),
// written so that yosys and vendor tools infer block RAM. Read-during-write to the same address
// returns the old contents (read-first); callers that need the new value forward it themselves.
`default_nettype none

module dlvta_ram #(
  parameter integer Width = 8,
  parameter integer Depth = 16,
  parameter integer AddrBits = 4
) (
  input  wire                clk_i,
  input  wire                we_i,
  input  wire [AddrBits-1:0] waddr_i,
  input  wire [Width-1:0]    wdata_i,
  input  wire                re_i,
  input  wire [AddrBits-1:0] raddr_i,
  output reg  [Width-1:0]    rdata_o
);
  reg [Width-1:0] mem_q [0:Depth-1];

  always @(posedge clk_i) begin
    if (we_i) mem_q[waddr_i] <= wdata_i;
    if (re_i) rdata_o <= mem_q[raddr_i];
  end
endmodule

`default_nettype wire
