// rtl/dlvta_gemm.v -- the GEMM core's arithmetic, combinational: BATCH x BLOCK_OUT dot products of
// BLOCK_IN int8 x int8 terms added to the int32 accumulators (wrapping), or zeros on reset.
// Lane layout as in DRAM: inp[b][k] at bits (b*BLOCK_IN+k)*8, wgt[j][k] at (j*BLOCK_IN+k)*8,
// acc[b][j] at (b*BLOCK_OUT+j)*32.
`default_nettype none
`include "dlvta_isa.vh"

module dlvta_gemm (
  input  wire                                          reset_i,
  input  wire [`DLVTA_BATCH*`DLVTA_BLOCK_IN*8-1:0]     inp_i,
  input  wire [`DLVTA_BLOCK_OUT*`DLVTA_BLOCK_IN*8-1:0] wgt_i,
  input  wire [`DLVTA_BATCH*`DLVTA_BLOCK_OUT*32-1:0]   acc_i,
  output wire [`DLVTA_BATCH*`DLVTA_BLOCK_OUT*32-1:0]   acc_o
);
  localparam integer Batch = `DLVTA_BATCH;
  localparam integer BlockIn = `DLVTA_BLOCK_IN;
  localparam integer BlockOut = `DLVTA_BLOCK_OUT;

  genvar gb, gj;
  generate
    for (gb = 0; gb < Batch; gb = gb + 1) begin : gen_batch
      for (gj = 0; gj < BlockOut; gj = gj + 1) begin : gen_out
        reg signed [31:0] sum;
        integer k;
        always @* begin
          sum = acc_i[(gb*BlockOut+gj)*32 +: 32];
          for (k = 0; k < BlockIn; k = k + 1) begin
            sum = sum + $signed(inp_i[(gb*BlockIn+k)*8 +: 8]) * $signed(wgt_i[(gj*BlockIn+k)*8 +: 8]);
          end
        end
        assign acc_o[(gb*BlockOut+gj)*32 +: 32] = reset_i ? 32'd0 : sum;
      end
    end
  endgenerate
endmodule

`default_nettype wire
