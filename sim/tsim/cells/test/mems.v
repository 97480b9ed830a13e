// sim/tsim/cells/test/mems.v -- small memories that synth_xilinx maps to RAMB18E1 / RAMB36E1 in
// different modes, for test_cells.sh: each is simulated as RTL and as its netlist (with the
// models of sim/tsim/cells/) on the same random inputs, and must agree cycle by cycle.
// Every module has the same ports; unused ones are ignored.
`default_nettype none

// one write port, one read port with enable (SDP-like), read-before-write on a collision
module mem_rd_old (
  input  wire        clk,
  input  wire        we_a,
  input  wire [3:0]  be_a,
  input  wire [9:0]  addr_a,
  input  wire [35:0] wdata_a,
  input  wire        re_b,
  input  wire        rst_b,
  input  wire        we_b,
  input  wire [9:0]  addr_b,
  input  wire [35:0] wdata_b,
  output wire [35:0] rdata_a,
  output reg  [35:0] rdata_b
);
  reg [35:0] mem_q [0:511];
  always @(posedge clk) begin
    if (we_a) mem_q[addr_a[8:0]] <= wdata_a;
    if (re_b) rdata_b <= mem_q[addr_b[8:0]];
  end
  assign rdata_a = 36'd0;
endmodule

// the same with write-through (new data) on a collision: the read address is registered
module mem_rd_new (
  input  wire        clk,
  input  wire        we_a,
  input  wire [3:0]  be_a,
  input  wire [9:0]  addr_a,
  input  wire [35:0] wdata_a,
  input  wire        re_b,
  input  wire        rst_b,
  input  wire        we_b,
  input  wire [9:0]  addr_b,
  input  wire [35:0] wdata_b,
  output wire [35:0] rdata_a,
  output wire [35:0] rdata_b
);
  reg [35:0] mem_q [0:511];
  reg [8:0]  raddr_q;
  always @(posedge clk) begin
    if (we_a) mem_q[addr_a[8:0]] <= wdata_a;
    if (re_b) raddr_q <= addr_b[8:0];
  end
  assign rdata_b = mem_q[raddr_q];
  assign rdata_a = 36'd0;
endmodule

// byte enables, 1024 x 32 (a 36 Kb block), initial contents, a synchronous reset of the read data
module mem_bytes (
  input  wire        clk,
  input  wire        we_a,
  input  wire [3:0]  be_a,
  input  wire [9:0]  addr_a,
  input  wire [35:0] wdata_a,
  input  wire        re_b,
  input  wire        rst_b,
  input  wire        we_b,
  input  wire [9:0]  addr_b,
  input  wire [35:0] wdata_b,
  output wire [35:0] rdata_a,
  output reg  [35:0] rdata_b
);
  reg [31:0] mem_q [0:1023];
  integer i;
  initial for (i = 0; i < 1024; i = i + 1) mem_q[i] = i * 32'h01010101 ^ 32'h5a3c_0f96;
  initial rdata_b = 36'd0;
  always @(posedge clk) begin
    for (i = 0; i < 4; i = i + 1)
      if (we_a && be_a[i]) mem_q[addr_a][i*8 +: 8] <= wdata_a[i*8 +: 8];
    if (rst_b) rdata_b <= 36'h0_0000_1234;
    else if (re_b) rdata_b <= {4'd0, mem_q[addr_b]};
  end
  assign rdata_a = 36'd0;
endmodule

// true dual port: both ports read and write, 2048 x 9, each port reads its old word
module mem_tdp (
  input  wire        clk,
  input  wire        we_a,
  input  wire [3:0]  be_a,
  input  wire [9:0]  addr_a,
  input  wire [35:0] wdata_a,
  input  wire        re_b,
  input  wire        rst_b,
  input  wire        we_b,
  input  wire [9:0]  addr_b,
  input  wire [35:0] wdata_b,
  output reg  [35:0] rdata_a,
  output reg  [35:0] rdata_b
);
  reg [8:0] mem_q [0:2047];
  wire [10:0] aa = {addr_a[0], addr_a};
  wire [10:0] ab = {addr_b[1], addr_b};
  always @(posedge clk) begin
    if (we_a) mem_q[aa] <= wdata_a[8:0];
    rdata_a <= {27'd0, mem_q[aa]};
  end
  always @(posedge clk) begin
    if (we_b && !(we_a && aa == ab)) mem_q[ab] <= wdata_b[8:0];
    rdata_b <= {27'd0, mem_q[ab]};
  end
endmodule

// mixed widths: 36-bit writes, 72-bit reads of two consecutive words (SDP, READ_WIDTH_A 72).
// (A 72-bit write is not tested: yosys 0.23's brams_xc6v_map.v connects DIPBDIP to DIP[3:0] for
// it, a typo (PORT_W_WIDTH == 71), so the netlist writes bits 44, 53, 62 and 71 of the word with
// bits 8, 17, 26 and 35: the netlist is wrong there, and these models show it.)
module mem_wide (
  input  wire        clk,
  input  wire        we_a,
  input  wire [3:0]  be_a,
  input  wire [9:0]  addr_a,
  input  wire [35:0] wdata_a,
  input  wire        re_b,
  input  wire        rst_b,
  input  wire        we_b,
  input  wire [9:0]  addr_b,
  input  wire [35:0] wdata_b,
  output reg  [35:0] rdata_a,
  output reg  [35:0] rdata_b
);
  reg [35:0] mem_q [0:1023];
  always @(posedge clk) begin
    if (we_a) mem_q[addr_a] <= wdata_a;
    if (re_b) begin
      rdata_a <= mem_q[{addr_b[9:1], 1'b1}];
      rdata_b <= mem_q[{addr_b[9:1], 1'b0}];
    end
  end
endmodule
