// sim/tsim/cells/test/tb_dsp.v -- random operands and clock enables into one dlvta_dsp of the
// parameters given (-P), its product printed every cycle: run behavioural and with DLVTA_DSP48E2
// (sim/tsim/cells/test_dsp48e2.sh covers the block-size slices of dlvta_ldwalk / dlvta_store).
`timescale 1ns/1ps
module tb;
  parameter integer AW = 18, BW = 18, PW = 34, Pre = 0, InReg = 1, MReg = 0, PReg = 1;
  reg clk = 0;
  always #5 clk = ~clk;
  reg ce_in, ce_m, ce_p;
  reg [AW-1:0] a, d;
  reg [BW-1:0] b;
  wire [PW-1:0] p;
  dlvta_dsp #(.AW(AW), .BW(BW), .PW(PW), .Pre(Pre), .InReg(InReg), .MReg(MReg), .PReg(PReg)) u (
    .clk_i(clk), .ce_in_i(ce_in), .ce_m_i(ce_m), .ce_p_i(ce_p), .a_i(a), .d_i(d), .b_i(b), .p_o(p));
  integer i, seed;
  initial begin
    seed = 4242;
    for (i = 0; i < 8000; i = i + 1) begin
      @(negedge clk);
      ce_in = i < 4 || ($random(seed) % 4) != 0;
      ce_m = i < 4 || ($random(seed) % 4) != 0;
      ce_p = i < 4 || ($random(seed) % 4) != 0;
      a = $random(seed); d = 0; b = $random(seed);
      a[AW-1] = 1'b0; b[BW-1] = 1'b0;  // the block sizes: unsigned
      if (i % 9 == 0) begin a = {AW{1'b1}}; a[AW-1] = 1'b0; end
      if (i % 13 == 0) begin b = {BW{1'b1}}; b[BW-1] = 1'b0; end
      @(posedge clk); #1;
      if (i > 4) $display("%0d %h", i, p);
    end
    $finish;
  end
endmodule
