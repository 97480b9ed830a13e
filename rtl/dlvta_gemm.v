// rtl/dlvta_gemm.v -- the GEMM core's arithmetic over two pipeline stages: BATCH x BLOCK_OUT dot
// products of BLOCK_IN int8 x int8 terms added to the int32 accumulators (wrapping), or zeros on
// reset. The products of inp_i and wgt_i are registered when en_i is set (stage S2); the sums and
// the accumulation of acc_i are combinational from those registers (stage S3).
// Lane layout as in DRAM: inp[b][k] at bits (b*BLOCK_IN+k)*8, wgt[j][k] at (j*BLOCK_IN+k)*8,
// acc[b][j] at (b*BLOCK_OUT+j)*32.
//
// Two products that share the input x are made by one multiplier (one DSP48E1 of 25x18 bits, as
// in Xilinx WP486): (w1 * 2^16 + w0) * x = x*w1 * 2^16 + x*w0. The packed operand lies in
// [-2^23 - 128, 2^23) (25 bits); |x*w0| <= 2^14 fits the low 16 bits as a signed field; x*w1 is
// the high part plus the borrow of a negative low part. Exact for every int8 x, w0, w1.
`default_nettype none
`include "dlvta_isa.vh"

module dlvta_gemm (
  input  wire                                          clk_i,
  input  wire                                          en_i,      // register the products
  input  wire                                          reset_i,
  input  wire [`DLVTA_BATCH*`DLVTA_BLOCK_IN*8-1:0]     inp_i,
  input  wire [`DLVTA_BLOCK_OUT*`DLVTA_BLOCK_IN*8-1:0] wgt_i,
  input  wire [`DLVTA_BATCH*`DLVTA_BLOCK_OUT*32-1:0]   acc_i,
  output wire [`DLVTA_BATCH*`DLVTA_BLOCK_OUT*32-1:0]   acc_o
);
  localparam integer Batch = `DLVTA_BATCH;
  localparam integer BlockIn = `DLVTA_BLOCK_IN;
  localparam integer BlockOut = `DLVTA_BLOCK_OUT;
  localparam integer Pairs = BlockOut / 2;
  localparam integer DotBits = 17 + $clog2(BlockIn);
  localparam integer Leaves = 1 << $clog2(BlockIn);

  // prod[(b*BlockOut + j)*BlockIn + k] = inp[b][k] * wgt[j][k], signed (arrays, not one wide
  // vector: Verilator keeps each product in a native word); prod_q: registered
  wire [16:0] prod [0:Batch*BlockOut*BlockIn-1];
  wire [16:0] prod_q [0:Batch*BlockOut*BlockIn-1];

  genvar gq;
  generate
    for (gq = 0; gq < Batch*BlockOut*BlockIn; gq = gq + 1) begin : gen_preg
      reg [16:0] q;
      always @(posedge clk_i) begin
        if (en_i) q <= prod[gq];
      end
      assign prod_q[gq] = q;
    end
  endgenerate

  genvar gb, gj, gk;
  generate
    for (gb = 0; gb < Batch; gb = gb + 1) begin : gen_batch
      for (gk = 0; gk < BlockIn; gk = gk + 1) begin : gen_k
        wire signed [7:0] x = inp_i[(gb*BlockIn+gk)*8 +: 8];
        for (gj = 0; gj < Pairs; gj = gj + 1) begin : gen_pair
          wire signed [7:0]  w0 = wgt_i[((2*gj)*BlockIn+gk)*8 +: 8];
          wire signed [7:0]  w1 = wgt_i[((2*gj+1)*BlockIn+gk)*8 +: 8];
          wire signed [24:0] packed_w = $signed({w1[7], w1, 16'd0}) + $signed({{17{w0[7]}}, w0});
          wire signed [31:0] pp = packed_w * x;
          wire        [16:0] p1 = {pp[31], pp[31:16]} + {16'd0, pp[15]};
          assign prod[(gb*BlockOut + 2*gj)*BlockIn + gk] = {pp[15], pp[15:0]};
          assign prod[(gb*BlockOut + 2*gj+1)*BlockIn + gk] = p1;
        end
        if (BlockOut % 2 == 1) begin : gen_odd
          wire signed [7:0]  w = wgt_i[((BlockOut-1)*BlockIn+gk)*8 +: 8];
          wire signed [16:0] p = w * x;
          assign prod[(gb*BlockOut + BlockOut-1)*BlockIn + gk] = p;
        end
      end
      for (gj = 0; gj < BlockOut; gj = gj + 1) begin : gen_out
        // the dot product is exact in DotBits (|each product| <= 2^14): a balanced adder tree,
        // node n = node 2n+1 + node 2n+2, leaves Leaves-1 .. 2*Leaves-2 (zero past BlockIn)
        wire [DotBits-1:0] node [0:2*Leaves-2] /*verilator split_var*/;  // no false loop
        genvar gn;
        for (gn = 0; gn < Leaves; gn = gn + 1) begin : gen_leaf
          if (gn < BlockIn) begin : gen_term
            assign node[Leaves-1+gn] = {{(DotBits-17){prod_q[(gb*BlockOut + gj)*BlockIn + gn][16]}},
                                        prod_q[(gb*BlockOut + gj)*BlockIn + gn]};
          end else begin : gen_zero
            assign node[Leaves-1+gn] = {DotBits{1'b0}};
          end
        end
        for (gn = 0; gn < Leaves - 1; gn = gn + 1) begin : gen_node
          assign node[gn] = node[2*gn+1] + node[2*gn+2];
        end
        wire [DotBits-1:0] dot = node[0];
        wire [31:0] sum = acc_i[(gb*BlockOut+gj)*32 +: 32] + {{(32-DotBits){dot[DotBits-1]}}, dot};
        assign acc_o[(gb*BlockOut+gj)*32 +: 32] = reset_i ? 32'd0 : sum;
      end
    end
  endgenerate
endmodule

`default_nettype wire
