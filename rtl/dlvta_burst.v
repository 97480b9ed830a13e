// rtl/dlvta_burst.v -- burst sizes of a DMA's address side (dlvta_rdma, dlvta_store): rows of beats
// are split into INCR bursts of min(16, beats left in the row, beats to the 4 KiB boundary).
// The DMA keeps the size of the burst on offer in a register; this module computes, without
// wide adders or comparators, the size of a row's first burst (from the row's beats and first
// beat) and that of the burst after the one on offer (valid unless it ends the row). The
// boundary is under 16 beats away only when the beat index's bits [LogBeats4K-1:4] are all ones
// and its low 4 bits are not all zero, and then it is 16 - beat[3:0] away.
`default_nettype none

module dlvta_burst #(
  parameter integer LogBeats4K = 8   // beats in 4 KiB, log2 (at least 5)
) (
  // a row's first burst
  input  wire [3:0]            row_lo_i,     // the row's beats, low 4 bits
  input  wire                  row_lt16_i,   // the row has fewer than 16 beats
  input  wire [LogBeats4K-1:0] row_beat_i,   // first beat index, low bits
  output reg  [4:0]            first_o,
  // the burst on offer and the one after it
  input  wire [24:0]           left_i,       // beats left in the row, the offered burst's included
  input  wire [LogBeats4K-1:0] beat_i,       // the offered burst's first beat, low bits
  input  wire [4:0]            burst_i,      // the offered burst's size
  output reg  [4:0]            next_o,
  output wire                  row_end_o     // the offered burst is the row's last
);
  wire [4:0] row_to4k = 5'd16 - {1'b0, row_beat_i[3:0]};
  always @* begin
    first_o = 5'd16;
    if (row_lt16_i) first_o = {1'b0, row_lo_i};
    if ((&row_beat_i[LogBeats4K-1:4]) && (row_beat_i[3:0] != 4'd0) && (row_to4k < first_o))
      first_o = row_to4k;
  end

  // The offered burst either ends at the 4 KiB boundary (the next starts aligned) or is 16 beats
  // (the next keeps the beat index's low 4 bits; its boundary is near when the bits
  // [LogBeats4K-1:4] are all ones but bit 4).
  wire       near4k = (&beat_i[LogBeats4K-1:4]) && (beat_i[3:0] != 4'd0);
  wire [4:0] to4k = 5'd16 - {1'b0, beat_i[3:0]};
  wire       by4k = near4k && (burst_i == to4k);
  wire       left_lt32 = (left_i[24:5] == 20'd0);
  wire [5:0] left_lim = 6'd16 + {1'b0, burst_i};
  wire [3:0] left_lo_next = left_i[3:0] - burst_i[3:0];
  wire       near4k_next = (&beat_i[LogBeats4K-1:5]) && !beat_i[4] && (beat_i[3:0] != 4'd0);
  always @* begin
    next_o = 5'd16;
    if (by4k) begin
      if (left_lt32 && ({1'b0, left_i[4:0]} < left_lim)) next_o = {1'b0, left_lo_next};
    end else begin
      if (left_lt32) next_o = {1'b0, left_i[3:0]};
      if (near4k_next && (to4k < next_o)) next_o = to4k;
    end
  end

  assign row_end_o = (left_i == {20'd0, burst_i});
endmodule

`default_nettype wire
