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
  // a row's first burst: the row has row_hi * 16 + row_lo_i + row_more_i beats (row_hi > 0 when
  // !row_hi0_i; row_more_i 0..2, an addend the caller may know last)
  input  wire [3:0]            row_lo_i,
  input  wire [1:0]            row_more_i,
  input  wire                  row_hi0_i,
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
  // min(16, the row's beats, the distance to the boundary if near). Every condition comes from
  // the inputs side by side and row_more_i picks among them last: the row is under 16 beats when
  // row_lo + more < 16; the distance 16 - beat[3:0] is under the row's beats when
  // beat[3:0] + row_lo + more > 16, i.e. beat[3:0] + row_lo >= 17, 16 or 15 for more = 0, 1, 2.
  wire       row_near = (&row_beat_i[LogBeats4K-1:4]) && (row_beat_i[3:0] != 4'd0);
  wire [4:0] rl_sum = {1'b0, row_beat_i[3:0]} + {1'b0, row_lo_i};
  wire       rl_ge17 = rl_sum[4] && (rl_sum[3:0] != 4'd0);
  wire       rl_ge16 = rl_sum[4];
  wire       rl_ge15 = rl_sum[4] || (rl_sum[3:0] == 4'd15);
  wire       row_lt16 = row_hi0_i && ((row_lo_i <= 4'd13) ||
                                      (row_lo_i == 4'd14 && !row_more_i[1]) ||
                                      (row_lo_i == 4'd15 && row_more_i == 2'd0));
  wire       rl_gt16 = row_more_i[1] ? rl_ge15 : row_more_i[0] ? rl_ge16 : rl_ge17;
  wire       row_take_4k = row_near && (!row_lt16 || rl_gt16);
  wire [3:0] row_beats_lo = row_lo_i + {2'b00, row_more_i};
  always @* begin
    first_o = row_take_4k ? row_to4k : row_lt16 ? {1'b0, row_beats_lo} : 5'd16;
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
  // after a 16-beat burst: min(beats left after it, the distance to the boundary if near); the
  // distance 16 - beat[3:0] is under left[3:0] when beat[3:0] + left[3:0] > 16. Every condition
  // comes from registers side by side; the result is a select among them (no compare follows a
  // select: the DMA's a_beat_q -> burst_q path, hw/TIMING.md)
  wire [4:0] bl_sum = {1'b0, beat_i[3:0]} + {1'b0, left_i[3:0]};
  wire       to4k_lt_left = bl_sum[4] && (bl_sum[3:0] != 4'd0);
  wire       take_4k = near4k_next && (!left_lt32 || to4k_lt_left);
  wire       take_lo = left_lt32 && ({1'b0, left_i[4:0]} < left_lim);
  always @* begin
    if (by4k) next_o = take_lo ? {1'b0, left_lo_next} : 5'd16;
    else next_o = take_4k ? to4k : left_lt32 ? {1'b0, left_i[3:0]} : 5'd16;
  end

  assign row_end_o = (left_i == {20'd0, burst_i});
endmodule

`default_nettype wire
