// rtl/dlvta_rdma.v -- read DMA: turns a 2-D strided block of DRAM elements (the MEM group of a
// LOAD, or the instruction stream) into AXI read bursts and an in-order element stream.
//
// Rows are read as whole beats: a row of x_size elements of 2^log_e bytes starting at element
// (dram + r*x_stride) covers the aligned beats from its first to its last byte; each row is split
// into INCR bursts of at most 16 beats that never cross a 4 KiB boundary. The address side runs
// ahead of the data side (bursts are issued while earlier ones are still returning; the shared
// port keeps them in order). Byte addresses are taken modulo 2^32. An address offered on AR stays,
// unchanged, until it is taken (AXI), whatever allow_i and abort_i do meanwhile.
//
// Elements of at least one beat are assembled beat by beat into slots (slot k <= beat k, no
// shifting) and offered the cycle after their last beat; the next element's beats are taken while
// it waits only if it is consumed in that cycle. Elements smaller than a beat are cut out of the
// beat on the bus, one per cycle. Element bits above 8 << log_e are junk. MaxLogE must be at least
// log2(beat bytes). MinLogE is the smallest log_e the DMA is started with: when every element is
// at least a beat (fetch's instructions), the narrow path is not built and the element stream's
// valid comes from registers only, never from the shared port's R valid.
//
// Split (the load unit with two read ports, isa/configs.def rd_ports): an element of at least 32
// beats is read over both ports at once. Its row starts on an element (32-beat aligned) and has
// whole elements, so every burst is 16 beats on a 16-beat boundary (dlvta_burst), and bit 4 of
// its first beat says which half of a 32-beat pair it carries: bursts with bit 4 clear go to the
// first port (ar_valid_o, r_*), those with it set to the second (ar1_valid_o, r1_*), one address
// side issuing them in order on both (same ar_addr_o / ar_len_o / ar_ok_o, so every burst passes
// the same DRAM-window check). Beat i of a first-port burst fills slot 32j + i of the element
// (j: the pair), the second port's slot 32j + 16 + i; the two fill at once, and the element is
// offered when both halves are in: 2 beats a cycle.
`default_nettype none
`include "dlvta_isa.vh"
`include "dlvta_regs.vh"

module dlvta_rdma #(
  parameter integer MaxLogE = 4,
  parameter integer MinLogE = 0,
  // the largest element the DMA is started with that is read over one port (with Split, those
  // under 32 beats; the caller knows its elements): the slots above its beats take split halves
  // only, so each has one data source (no select per bit)
  parameter integer PlainLogE = MaxLogE,
  parameter integer Split = 0     // 1: elements of 32 beats or more use the second port
) (
  input  wire                         clk_i,
  input  wire                         rst_ni,
  // command (held only during start_i)
  input  wire                         start_i,
  input  wire [31:0]                  dram_i,      // first element
  input  wire [3:0]                   log_e_i,     // element bytes = 1 << log_e_i
  input  wire [15:0]                  y_size_i,
  input  wire [15:0]                  x_size_i,
  input  wire [15:0]                  x_stride_i,
  input  wire                         allow_i,     // the address side may issue a burst now
  input  wire                         abort_i,     // issue nothing more; drain what is in flight
  output wire                         busy_o,
  output wire                         err_o,       // an R beat answered an error (until start)
  input  wire [`DLVTA_REGS_WIN_COUNT*82-1:0] win_i, // the DRAM windows (dlvta_ctrl, dlvta_win)
  output wire                         ar_ok_o,     // the burst on offer lies in a window
  // AXI read address / data (through the shared port's arbiter)
  output wire                         ar_valid_o,
  input  wire                         ar_ready_i,
  output wire [31:0]                  ar_addr_o,
  output wire [7:0]                   ar_len_o,
  input  wire                         r_valid_i,
  input  wire [`DLVTA_AXI_BITS-1:0]   r_data_i,
  input  wire [1:0]                   r_resp_i,
  output reg                          r_ready_o,
  // the second read port (Split): address on ar_addr_o / ar_len_o / ar_ok_o
  output wire                         ar1_valid_o,
  input  wire                         ar1_ready_i,
  input  wire                         r1_valid_i,
  input  wire [`DLVTA_AXI_BITS-1:0]   r1_data_i,
  input  wire [1:0]                   r1_resp_i,
  output reg                          r1_ready_o,
  // element stream
  output reg                          el_valid_o,
  output wire [(8<<MaxLogE)-1:0]      el_data_o,
  input  wire                         el_ready_i
);
  localparam integer AxiBits = `DLVTA_AXI_BITS;
  localparam integer LogB = $clog2(AxiBits / 8);
  localparam integer LogBeats4K = 12 - LogB;
  localparam integer ElBits = 8 << MaxLogE;
  localparam integer Slots = ElBits / AxiBits;
  localparam integer KBits = (MaxLogE > LogB) ? (MaxLogE - LogB) : 1;
  localparam integer BW = 32 - LogB;  // beat address bits
  localparam [0:0]   AlwaysWide = (MinLogE >= LogB);
  localparam [0:0]   CanSplit = (Split != 0) && (MaxLogE >= LogB + 5);
  // slots a one-port element reaches (a split element's halves: bit 4 clear from the first port,
  // set from the second)
  localparam integer PlainSlots = (PlainLogE > LogB) ? (1 << (PlainLogE - LogB)) : 1;

  // ---- command registers ----
  reg [15:0]     y_size_q;
  reg [15:0]     x_size_q;
  reg [31:0]     stride_b_q;   // row distance, bytes (mod 2^32)
  reg [23:0]     len_b_q;      // row length, bytes
  reg            wide_q;       // an element is one beat or more
  reg [KBits-1:0] k_last_q;    // beats per element - 1 (wide)
  reg [LogB-1:0] e_bytes_q;    // element bytes (narrow: below B)
  reg            err_q;
  reg            split_q;      // this block's elements are read over both ports (Split)
  wire           wide = AlwaysWide || wide_q;

  // ---- address side ----
  reg          a_active_q;
  reg          a_setup_q;
  reg [15:0]   a_row_q;
  reg [31:0]   a_byte_q;      // first byte of the current row
  reg [BW-1:0] a_beat_q;
  reg [24:0]   a_left_q;
  // beats issued and not yet returned: iss_q - ret0_q - ret1_q (mod 4096), counts of registers
  // (each returned beat an increment enabled by its handshake: no carry chain after R's)
  reg [11:0]   iss_q;         // beats issued
  reg [11:0]   ret0_q, ret1_q; // beats returned on each port
  wire         out_any = (iss_q != ret0_q + ret1_q);
  // a cycle late, for the drain's R ready (no beat can come back the cycle its address went
  // out, and a ready held a cycle past the last beat takes nothing): no adder before R ready
  reg          out_any_q;
  reg          a_last_row_q;  // a_row_q is the last row (set in each row's set-up cycle)

  // The row's beats: from its first byte's offset in its beat and the row length alone (the beat
  // index of the last byte minus that of the first): the length's whole beats (len_hi) plus 0, 1
  // or 2 (a_row_more: offset + the length's remainder + B - 1, over B), so that the carry chain
  // into a_left_q and the first burst's size (under 16 beats or not, from len_hi and a_row_more
  // side by side) start at registers and a short adder (the set-up cycle's path a_byte_q ->
  // burst_q was the load DMA's worst, hw/TIMING.md)
  wire [23-LogB:0] len_hi = len_b_q[23:LogB];
  wire [LogB:0]    a_row_s = {1'b0, a_byte_q[LogB-1:0]} + {1'b0, len_b_q[LogB-1:0]};
  // (offset + remainder + B - 1) / B: 0 when the sum is 0, 2 when it is over B, else 1
  wire             a_row_over = a_row_s[LogB] && (a_row_s[LogB-1:0] != {LogB{1'b0}});
  wire [1:0]       a_row_more = {a_row_over, (a_row_s != {(LogB+1){1'b0}}) && !a_row_over};
  wire [24:0]      a_row_beats = {{(LogB+1){1'b0}}, len_hi} + {23'd0, a_row_more};
  wire             lh_hi0 = (len_hi[23-LogB:4] == {(20-LogB){1'b0}});  // len_hi < 16
  wire [BW-1:0] a_first = a_byte_q[31:LogB];

  // the size of the burst on offer (dlvta_burst: a row's first, the next)
  reg  [4:0]  burst_q;
  wire [4:0]  burst_first;
  wire [4:0]  burst_next;
  wire        row_end;
  dlvta_burst #(.LogBeats4K(LogBeats4K)) u_burst (
    .row_lo_i(len_hi[3:0]), .row_more_i(a_row_more), .row_hi0_i(lh_hi0), .row_beat_i(a_first[LogBeats4K-1:0]),
    .first_o(burst_first),
    .left_i(a_left_q), .beat_i(a_beat_q[LogBeats4K-1:0]), .burst_i(burst_q),
    .next_o(burst_next), .row_end_o(row_end)
  );

  reg  ar_hold_q;  // AR offered last cycle and not taken: keep offering it
  wire ar_any = a_active_q && !a_setup_q && (ar_hold_q || (allow_i && !abort_i));
  wire ar_to1 = split_q && a_beat_q[4];  // (Split: the odd half of a 32-beat pair)
  assign ar_valid_o = ar_any && !ar_to1;
  assign ar1_valid_o = ar_any && ar_to1;
  wire ar_fire = (ar_valid_o && ar_ready_i) || (ar1_valid_o && ar1_ready_i);
  wire ar_wait = (ar_valid_o && !ar_ready_i) || (ar1_valid_o && !ar1_ready_i);
  assign ar_addr_o = {a_beat_q, {LogB{1'b0}}};
  assign ar_len_o = {3'd0, burst_q - 5'd1};

  // ---- DRAM window: ok_q says whether the page of the burst on offer lies in a window ----
  // A burst never crosses a 4 KiB page. Registered, never on the AR path: in a row's set-up cycle
  // ok_q takes the test of the row's first page (a_byte_q); a burst that ends on the page boundary
  // moves the next one to the next page, whose test okn_q holds, registered from the page on offer
  // (from a_byte_q in the set-up cycle). okn_q lags a page change by a cycle, but the burst that
  // starts a page cannot end it (a page holds at least 32 beats), so it is current when used.
  wire [19:0] s_page = a_byte_q[31:12];
  wire [19:0] a_page = a_beat_q[BW-1:LogBeats4K];
  wire        ok_set;
  wire        ok_nxt;
  reg         ok_q;
  reg         okn_q;
  dlvta_win #(.Next(0)) u_win_set (.page_i(s_page), .win_i(win_i), .ok_o(ok_set));
  dlvta_win #(.Next(1)) u_win_nxt (.page_i(a_setup_q ? s_page : a_page), .win_i(win_i), .ok_o(ok_nxt));
  wire [LogBeats4K:0] a_end_beat = {1'b0, a_beat_q[LogBeats4K-1:0]} + {{(LogBeats4K-4){1'b0}}, burst_q};
  wire        a_cross = a_end_beat[LogBeats4K];  // the next burst starts on the next page
  assign ar_ok_o = ok_q;

  // ---- data side ----
  reg              d_active_q;
  reg [15:0]       d_row_q;
  reg [15:0]       d_left_q;    // elements left in this row
  reg [KBits-1:0]  d_k_q;       // next slot (wide)
  reg [LogB-1:0]   d_off_q;     // byte offset of the next element in the beat (narrow)
  reg [LogB-1:0]   d_row_off_q; // byte offset of the row start in its first beat
  reg              d_last_q;    // d_left_q == 1: the row's last element
  reg [LogB-1:0]   e_low_q;     // narrow: e_bytes - 1, the bits below the element size
  reg              pend_q;      // an assembled element waits in elem_q (wide)
  reg [ElBits-1:0] elem_q;

  wire [LogB-1:0] off_next = d_off_q + e_bytes_q;  // mod B
  // the element is the beat's last (narrow): d_off_q + e_bytes reaches B. d_off_q is always a multiple of
  // the element size (the start byte is dram << log_e, the stride x_stride << log_e, each step
  // e_bytes), so that is d_off_q's bits above the element size all set: one LUT, no carry chain
  // before the R ready (its fanout is every R consumer)
  wire beat_last = &(d_off_q | e_low_q);
  wire [LogB-1:0] row_off_next = d_row_off_q + stride_b_q[LogB-1:0];
  wire [AxiBits-1:0] cut = r_data_i >> {d_off_q, 3'b000};

  // split halves (gen_split): each port's half of the element is in; the ports' readies
  wire sp_a_done, sp_b_done;
  wire sp_both = sp_a_done && sp_b_done;

  always @* begin
    r_ready_o = 1'b0;
    r1_ready_o = 1'b0;
    el_valid_o = 1'b0;
    if (d_active_q && !abort_i) begin
      if (split_q) begin
        el_valid_o = sp_both;
        r_ready_o = !sp_a_done || (sp_both && el_ready_i);
        r1_ready_o = !sp_b_done || (sp_both && el_ready_i);
      end else if (wide) begin
        el_valid_o = pend_q;
        r_ready_o = !pend_q || el_ready_i;
      end else begin
        el_valid_o = r_valid_i;
        r_ready_o = el_ready_i && (d_last_q || beat_last);
      end
    end else if (out_any_q) begin
      r_ready_o = 1'b1;  // draining after an abort
      r1_ready_o = 1'b1;
    end
  end

  // the element: elem_q (wide; as a wire, so that the simulation copies no element), or cut
  // out of the beat (narrow) in its low bits. The choice is a register of the run (narrow
  // elements: no split, not wide), set at the start: it fans out to every bit of the element,
  // and outside a run (or under abort_i) no element is valid, so the choice does not matter there
  reg  cut_q;
  wire el_cut = cut_q;
  generate
    if (ElBits > AxiBits) begin : gen_el_wide
      assign el_data_o = {elem_q[ElBits-1:AxiBits], el_cut ? cut : elem_q[AxiBits-1:0]};
    end else begin : gen_el_beat
      assign el_data_o = el_cut ? cut[ElBits-1:0] : elem_q;
    end
  endgenerate

  wire r_fire = r_valid_i && r_ready_o;
  wire r1_fire = r1_valid_i && r1_ready_o;
  wire el_fire = el_valid_o && el_ready_i;
  wire slot_we = d_active_q && !abort_i && wide && !split_q && r_fire;
  wire sp_run = d_active_q && !abort_i && split_q;
  // split halves: a beat of the first / second port goes to slot sp_ka / sp_kb
  wire             sp_fa, sp_fb;
  wire [KBits-1:0] sp_ka, sp_kb;

  assign busy_o = a_active_q || d_active_q || out_any;
  assign err_o = err_q;

  // element slots: beat k of an element goes to slot k. The slots' writes are one block under
  // "a beat comes in" (slot_we, or a beat of either split half), so that the simulation looks at
  // the slots only in a cycle with a beat (Verilator evaluates a clocked block's statements only
  // under their true conditions; per-slot blocks cost 32 tests every cycle); the per-slot enables
  // and data selects are the per-slot blocks' (the same LUTs after yosys; an indexed part-select
  // write would be a 3x larger shifter).
  wire slot_any = slot_we || sp_fa || sp_fb;
  generate
    if (Slots >= 1) begin : gen_slots
      integer s;
      always @(posedge clk_i) begin
        if (slot_any)
          for (s = 0; s < Slots; s = s + 1)
            if ((slot_we && s < PlainSlots && (d_k_q == s[KBits-1:0])) ||
                (sp_fa && (s & 16) == 0 && (sp_ka == s[KBits-1:0])))
              elem_q[s*AxiBits +: AxiBits] <= r_data_i;
            else if (sp_fb && (s & 16) != 0 && (sp_kb == s[KBits-1:0]))
              elem_q[s*AxiBits +: AxiBits] <= r1_data_i;
      end
    end else begin : gen_noslot
      wire unused_sp = ^{slot_any, sp_ka, sp_kb};
    end
  endgenerate

  // the split halves: ka_q / kb_q, the slot of the next beat of each port (the first port's
  // slots have bit 4 clear, the second's set: +1 within 16, +17 across), *_done_q: that port's
  // half of the element is in (the element is offered when both are; a port takes the next
  // element's beats only in the cycle the element is consumed)
  generate
    if (CanSplit) begin : gen_split
      localparam [KBits-1:0] K1 = 1, K16 = 16, K17 = 17;
      reg [KBits-1:0] ka_q, kb_q;
      reg             a_done_q, b_done_q;
      wire [KBits-1:0] a_last = k_last_q & ~K16;
      wire             fa = sp_run && r_fire;
      wire             fb = sp_run && r1_fire;
      wire             take = sp_run && sp_both && el_ready_i;
      wire [KBits-1:0] ka_nx = (&ka_q[3:0]) ? ka_q + K17 : ka_q + K1;
      wire [KBits-1:0] kb_nx = (&kb_q[3:0]) ? kb_q + K17 : kb_q + K1;
      always @(posedge clk_i) begin
        if (!rst_ni || start_i || abort_i) begin
          ka_q <= {KBits{1'b0}};
          kb_q <= K16;
          a_done_q <= 1'b0;
          b_done_q <= 1'b0;
        end else begin
          if (fa) ka_q <= (ka_q == a_last) ? {KBits{1'b0}} : ka_nx;
          if (fb) kb_q <= (kb_q == k_last_q) ? K16 : kb_nx;
          if (fa && (ka_q == a_last)) a_done_q <= 1'b1;
          else if (take) a_done_q <= 1'b0;
          if (fb && (kb_q == k_last_q)) b_done_q <= 1'b1;
          else if (take) b_done_q <= 1'b0;
        end
      end
      assign sp_fa = fa;
      assign sp_fb = fb;
      assign sp_ka = ka_q;
      assign sp_kb = kb_q;
      assign sp_a_done = a_done_q;
      assign sp_b_done = b_done_q;
    end else begin : gen_nosplit
      assign sp_fa = 1'b0;
      assign sp_fb = 1'b0;
      assign sp_ka = {KBits{1'b0}};
      assign sp_kb = {KBits{1'b0}};
      assign sp_a_done = 1'b0;
      assign sp_b_done = 1'b0;
      wire unused_split = ^{ar1_ready_i, r1_valid_i, r1_data_i, r1_resp_i, r1_fire, sp_run};
    end
  endgenerate

  wire [31:0] start_byte = dram_i << log_e_i;

  always @(posedge clk_i) begin
    if (!rst_ni) ar_hold_q <= 1'b0;
    else ar_hold_q <= ar_wait;
  end

  always @(posedge clk_i) begin
    if (!rst_ni) okn_q <= 1'b0;
    else okn_q <= ok_nxt;
  end

  always @(posedge clk_i) begin
    if (!rst_ni) begin
      y_size_q <= 16'd0;
      x_size_q <= 16'd0;
      stride_b_q <= 32'd0;
      len_b_q <= 24'd0;
      wide_q <= 1'b0;
      cut_q <= 1'b0;
      k_last_q <= {KBits{1'b0}};
      e_bytes_q <= {LogB{1'b0}};
      err_q <= 1'b0;
      split_q <= 1'b0;
      a_active_q <= 1'b0;
      a_setup_q <= 1'b0;
      a_row_q <= 16'd0;
      a_last_row_q <= 1'b0;
      a_byte_q <= 32'd0;
      a_beat_q <= {BW{1'b0}};
      ok_q <= 1'b0;
      a_left_q <= 25'd0;
      burst_q <= 5'd0;
      iss_q <= 12'd0;
      ret0_q <= 12'd0;
      ret1_q <= 12'd0;
      out_any_q <= 1'b0;
      d_active_q <= 1'b0;
      d_row_q <= 16'd0;
      d_left_q <= 16'd0;
      d_k_q <= {KBits{1'b0}};
      d_off_q <= {LogB{1'b0}};
      d_row_off_q <= {LogB{1'b0}};
      d_last_q <= 1'b0;
      e_low_q <= {LogB{1'b0}};
      pend_q <= 1'b0;
    end else begin
      // outstanding beats
      out_any_q <= out_any;
      if (ar_fire) iss_q <= iss_q + {7'd0, burst_q};
      if (r_fire) ret0_q <= ret0_q + 12'd1;
      if (r1_fire) ret1_q <= ret1_q + 12'd1;
      if ((r_fire && (r_resp_i != 2'b00)) || (r1_fire && (r1_resp_i != 2'b00))) err_q <= 1'b1;

      if (start_i) begin
        y_size_q <= y_size_i;
        x_size_q <= x_size_i;
        stride_b_q <= {16'd0, x_stride_i} << log_e_i;
        len_b_q <= {8'd0, x_size_i} << log_e_i;
        wide_q <= (log_e_i >= LogB[3:0]);
        cut_q <= !AlwaysWide && (log_e_i < LogB[3:0]);  // narrow (a split element is wide)
        split_q <= CanSplit && (log_e_i >= LogB[3:0] + 4'd5);
        k_last_q <= (log_e_i > LogB[3:0]) ?
                    (({{(KBits-1){1'b0}}, 1'b1} << (log_e_i - LogB[3:0])) - {{(KBits-1){1'b0}}, 1'b1}) :
                    {KBits{1'b0}};
        e_bytes_q <= {{(LogB-1){1'b0}}, 1'b1} << log_e_i;
        e_low_q <= ~({LogB{1'b1}} << log_e_i);
        err_q <= 1'b0;
        a_active_q <= (y_size_i != 16'd0) && (x_size_i != 16'd0);
        a_setup_q <= 1'b1;
        a_row_q <= 16'd0;
        a_byte_q <= start_byte;
        d_active_q <= (y_size_i != 16'd0) && (x_size_i != 16'd0);
        d_row_q <= 16'd0;
        d_left_q <= x_size_i;
        d_last_q <= (x_size_i == 16'd1);
        d_k_q <= {KBits{1'b0}};
        d_off_q <= start_byte[LogB-1:0];
        d_row_off_q <= start_byte[LogB-1:0];
        pend_q <= 1'b0;
      end else begin
        // address side
        if (abort_i) begin
          if (!ar_wait) a_active_q <= 1'b0;  // an offered burst is issued first (and drained)
        end else if (a_active_q && a_setup_q) begin
          ok_q <= ok_set;
          a_last_row_q <= (a_row_q + 16'd1 == y_size_q);
          a_beat_q <= a_first;
          a_left_q <= a_row_beats;
          burst_q <= burst_first;
          a_setup_q <= 1'b0;
        end else if (ar_fire) begin
          if (a_cross) ok_q <= okn_q;
          a_beat_q <= a_beat_q + {{(BW-5){1'b0}}, burst_q};
          a_left_q <= a_left_q - {20'd0, burst_q};
          burst_q <= burst_next;
          if (row_end) begin
            if (a_last_row_q) begin
              a_active_q <= 1'b0;
            end else begin
              a_row_q <= a_row_q + 16'd1;
              a_byte_q <= a_byte_q + stride_b_q;
              a_setup_q <= 1'b1;
            end
          end
        end
        // data side
        if (abort_i) begin
          d_active_q <= 1'b0;
          pend_q <= 1'b0;
        end else if (d_active_q) begin
          if (wide && !split_q && r_fire) d_k_q <= (d_k_q == k_last_q) ? {KBits{1'b0}} : d_k_q + 1'b1;
          if (el_fire) pend_q <= 1'b0;
          if (wide && !split_q && r_fire && (d_k_q == k_last_q)) pend_q <= 1'b1;
          if (el_fire) begin
            d_off_q <= off_next;
            d_left_q <= d_left_q - 16'd1;
            d_last_q <= (d_left_q == 16'd2);
            if (d_last_q) begin
              if (d_row_q + 16'd1 == y_size_q) begin
                d_active_q <= 1'b0;
              end else begin
                d_row_q <= d_row_q + 16'd1;
                d_left_q <= x_size_q;
                d_last_q <= (x_size_q == 16'd1);
                d_off_q <= row_off_next;
                d_row_off_q <= row_off_next;
              end
            end
          end
        end
      end
    end
  end
endmodule

`default_nettype wire
