// sim/tsim/cells/test/tb_lane_dsp.v -- random operands and ops (every code, immediate or not,
// the pipeline enable toggling, int32 extremes) into dlvta_alu_lane, its result printed every
// cycle: run behavioural and with DLVTA_DSP48E2 (sim/tsim/cells/test_dsp48e2.sh).
`timescale 1ns/1ps
`include "dlvta_isa.vh"
module tb;
  reg clk = 0;
  always #5 clk = ~clk;
  reg en_i, use_imm_i, lut_we_i;
  reg [3:0] op_i;
  reg [15:0] imm_i;
  reg [31:0] a_i, c_i;
  reg [`DLVTA_LOG_LUT_DEPTH-1:0] lut_waddr_i;
  reg [7:0] lut_wdata_i;
  wire [31:0] y_o;
  dlvta_alu_lane u (.clk_i(clk), .en_i(en_i), .op_i(op_i), .use_imm_i(use_imm_i), .imm_i(imm_i),
    .a_i(a_i), .c_i(c_i), .y_o(y_o), .lut_we_i(lut_we_i), .lut_waddr_i(lut_waddr_i), .lut_wdata_i(lut_wdata_i));
  integer i, seed;
  initial begin
    seed = 777;
    en_i = 1; op_i = 0; use_imm_i = 0; imm_i = 0; lut_we_i = 0; lut_waddr_i = 0; lut_wdata_i = 0;
    for (i = 0; i < 300; i = i + 1) begin @(negedge clk); lut_we_i = 1; lut_waddr_i = i; lut_wdata_i = $random(seed); end
    lut_we_i = 0;
    for (i = 0; i < 8000; i = i + 1) begin
      @(negedge clk);
      if (i % 64 == 0) begin op_i = $random(seed) % 11; use_imm_i = $random(seed); imm_i = $random(seed); end
      en_i = ($random(seed) % 4) != 0;
      a_i = $random(seed); c_i = $random(seed);
      if (i % 7 == 0) a_i = 32'h80000000; if (i % 11 == 0) c_i = 32'h7fffffff; if (i % 13 == 0) c_i = 32'h80000000;
      @(posedge clk); #1;
      if (i > 20) $display("%0d %h", i, y_o);
    end
    $finish;
  end
endmodule
