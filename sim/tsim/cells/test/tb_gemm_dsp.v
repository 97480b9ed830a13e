// sim/tsim/cells/test/tb_gemm_dsp.v -- random operands into dlvta_gemm (GEMM and DWGEMM, resets,
// all -1 and -128 operands among them), its result printed every cycle: run once behavioural and
// once with DLVTA_DSP48E2 (the DSP48E2 slices, sim/tsim/cells/DSP48E2.v; with the config's
// gemm_pump 2, rtl/dlvta_dsp2x.v's on clk2x), the two must print the same
// (sim/tsim/cells/test_dsp48e2.sh).
`timescale 1ns/1ps
`include "dlvta_isa.vh"
module tb;
  // clk2x: twice clk, every rising edge of clk one of clk2x (as one MMCM's outputs); the
  // pumped slices (gemm_pump 2, rtl/dlvta_dsp2x.v) run on it
  reg clk = 0, clk2x = 1;
  always #5 clk = ~clk;
  always #2.5 clk2x = ~clk2x;
  reg reset_i, dw_i, shift_i;
  reg [`DLVTA_DW_TAPS-1:0] tap_en_i;
  reg [`DLVTA_BATCH*`DLVTA_BLOCK_IN*8-1:0] inp_i;
  reg [`DLVTA_BLOCK_OUT*`DLVTA_BLOCK_IN*8-1:0] wgt_i;
  reg [`DLVTA_BATCH*`DLVTA_BLOCK_OUT*32-1:0] acc_i;
  wire [`DLVTA_BATCH*`DLVTA_BLOCK_OUT*32-1:0] acc_o;
  dlvta_gemm u (.clk_i(clk), .clk2x_i(clk2x), .reset_i(reset_i), .dw_i(dw_i), .tap_en_i(tap_en_i), .shift_i(shift_i),
    .inp_i(inp_i), .wgt_i(wgt_i), .acc_i(acc_i), .acc_o(acc_o));
  integer i, k, seed;
  initial begin
    seed = 12345;
    reset_i = 0; dw_i = 0; shift_i = 0; tap_en_i = 0;
    for (i = 0; i < 600; i = i + 1) begin
      @(negedge clk);
      if (i % 150 == 0) begin dw_i = $random(seed); tap_en_i = $random(seed); end
      reset_i = ($random(seed) % 8) == 0;
      shift_i = $random(seed);
      for (k = 0; k < $bits(inp_i)/32 + 1; k = k + 1) inp_i = {inp_i, $random(seed)};
      for (k = 0; k < $bits(wgt_i)/32 + 1; k = k + 1) wgt_i = {wgt_i, $random(seed)};
      if (i % 50 < 5) wgt_i = {$bits(wgt_i){1'b1}};  // all -1
      if (i % 50 >= 5 && i % 50 < 8) begin for (k = 0; k < $bits(wgt_i)/8; k = k + 1) wgt_i[k*8 +: 8] = 8'h80; end
      if (i % 70 < 4) begin for (k = 0; k < $bits(inp_i)/8; k = k + 1) inp_i[k*8 +: 8] = 8'h80; end
      for (k = 0; k < $bits(acc_i)/32 + 1; k = k + 1) acc_i = {acc_i, $random(seed)};
      @(posedge clk); #1;
      if (i > 12) $display("%0d %h", i, acc_o);
    end
    $finish;
  end
endmodule
