// sim/tsim/cells/xbram_sim.v -- behavioural core of the 7-series block RAM, shared by the models
// RAMB18E1.v and RAMB36E1.v beside it. yosys 0.23's /usr/share/yosys/xilinx/cells_sim.v declares
// RAMB18E1 / RAMB36E1 without any behaviour, so the post-synthesis netlist simulation (the tsim
// variant `netlist`, sim/tsim/tsim.mk) uses these instead. Only what synth_xilinx's block-RAM
// mapping (brams_xc6v_map.v) emits is modelled: RAM_MODE TDP or SDP (72 / 36 bits wide on the
// SDP side), port widths 1, 2, 4, 9, 18, 36 (and mixed widths), byte write enables, WRITE_MODE
// READ_FIRST / WRITE_FIRST / NO_CHANGE, the output latch with INIT_* and SRVAL_* and its
// synchronous reset (gated by the enable), DO*_REG = 0, no cascade, no ECC; any other setting
// fails elaboration by instantiating the undefined module xbram_sim_unsupported_parameter.
//
// Layout (UG473): one array of 2^ABits data bits and 2^(ABits-3) parity bits. A port of D data
// bits (W = D + D/8 with parity, D/8 parity bits, for W >= 9) at address ADDR reads data bits
// [ADDR & ~(D-1) +: D] and parity bits [(ADDR & ~(D-1)) / 8 +: D/8]; byte j of a write is
// enabled by WE[j] (WE[0] for W < 9). INIT holds the data bits (INIT_00 lowest), INITP the
// parity bits. A read and a write of the same port on one edge: READ_FIRST gives the old word,
// WRITE_FIRST the new one, NO_CHANGE keeps the latch. A read on one port of what the other port
// writes on the same edge gives the old word when the writing port is READ_FIRST and is
// undefined otherwise (UG473, "Conflict Avoidance"): the model then reads X (0 under Verilator's
// --x-assign 0) and says so on stderr, for the first few times per instance. The collision check
// assumes both ports share one clock (the design has one).
`default_nettype none

module xbram_sim #(
  parameter integer ABits = 15,           // bit address width: 15 (RAMB36E1) or 14 (RAMB18E1)
  parameter integer DPins = 32,           // data pins per port: 32 or 16
  parameter integer PPins = 4,            // parity pins per port: 4 or 2
  parameter RAM_MODE = "TDP",
  parameter integer READ_WIDTH_A = 0,
  parameter integer READ_WIDTH_B = 0,
  parameter integer WRITE_WIDTH_A = 0,
  parameter integer WRITE_WIDTH_B = 0,
  parameter WRITE_MODE_A = "WRITE_FIRST",
  parameter WRITE_MODE_B = "WRITE_FIRST",
  parameter [71:0] INIT_A = 72'h0,        // {parity, data} of the latch (SDP: low half)
  parameter [71:0] INIT_B = 72'h0,        // (SDP: high half of the wide read)
  parameter [71:0] SRVAL_A = 72'h0,
  parameter [71:0] SRVAL_B = 72'h0,
  parameter [(1<<ABits)-1:0] INIT = 0,    // data bits
  parameter [(1<<(ABits-3))-1:0] INITP = 0, // parity bits
  parameter integer Unsupported = 0       // set by the wrapper for a setting it does not model
) (
  input  wire                 clka_i,
  input  wire                 ena_i,
  input  wire                 rsta_i,
  input  wire [ABits-1:0]     addra_i,
  input  wire [DPins-1:0]     dia_i,
  input  wire [PPins-1:0]     dipa_i,
  input  wire [PPins-1:0]     wea_i,
  input  wire                 clkb_i,
  input  wire                 enb_i,
  input  wire                 rstb_i,
  input  wire [ABits-1:0]     addrb_i,
  input  wire [DPins-1:0]     dib_i,
  input  wire [PPins-1:0]     dipb_i,
  input  wire [2*PPins-1:0]   web_i,
  output wire [DPins-1:0]     doa_o,
  output wire [PPins-1:0]     dopa_o,
  output wire [DPins-1:0]     dob_o,
  output wire [PPins-1:0]     dopb_o
);
  localparam integer WIDE = 2 * (DPins + PPins);  // the SDP width: 72 or 36
  localparam SDP = RAM_MODE == "SDP";

  // data / parity bits of a port width (0 = unused)
  function integer dbits(input integer w);
    dbits = w < 9 ? w : w / 9 * 8;
  endfunction
  function integer pbits(input integer w);
    pbits = w < 9 ? 0 : w / 9;
  endfunction
  function integer ok_width(input integer w, input integer wide_ok);
    ok_width = w == 0 || w == 1 || w == 2 || w == 4 || w == 9 || w == 18 ||
               (w == 36 && (ABits == 15 || wide_ok != 0)) || (w == 72 && wide_ok != 0 && ABits == 15);
  endfunction
  function integer ok_mode(input integer dummy, input [8*11-1:0] m);
    ok_mode = m == "READ_FIRST" || m == "WRITE_FIRST" || m == "NO_CHANGE";
  endfunction
  function integer min_cell(input integer a, input integer b, input integer c, input integer d);
    integer m;
    begin
      m = 8;
      if (a > 0 && a < m) m = a;
      if (b > 0 && b < m) m = b;
      if (c > 0 && c < m) m = c;
      if (d > 0 && d < m) m = d;
      min_cell = m;
    end
  endfunction

  // the logical ports: A reads RA and writes WA bits, B reads RB and writes WB bits
  localparam integer RA = READ_WIDTH_A;
  localparam integer WA = SDP ? 0 : WRITE_WIDTH_A;
  localparam integer RB = SDP ? 0 : READ_WIDTH_B;
  localparam integer WB = WRITE_WIDTH_B;
  localparam integer DRA = dbits(RA), DWA = dbits(WA), DRB = dbits(RB), DWB = dbits(WB);
  localparam integer PRA = pbits(RA), PWA = pbits(WA), PRB = pbits(RB), PWB = pbits(WB);
  localparam WIDE_RA = SDP && RA == WIDE;
  localparam WIDE_WB = SDP && WB == WIDE;
  // the memory is kept in cells of G data bits (the narrowest port, at most a byte)
  localparam integer G = min_cell(DRA, DWA, DRB, DWB);
  localparam integer NCELLS = (1 << ABits) / G;
  localparam integer NPAR = 1 << (ABits - 3);

  generate
    if (Unsupported != 0 || !(RAM_MODE == "TDP" || RAM_MODE == "SDP") ||
        ok_width(READ_WIDTH_A, SDP) == 0 || ok_width(WRITE_WIDTH_B, SDP) == 0 ||
        ok_width(READ_WIDTH_B, 0) == 0 || ok_width(WRITE_WIDTH_A, 0) == 0 ||
        (SDP && (READ_WIDTH_B != 0 || WRITE_WIDTH_A != 0)) ||
        ok_mode(0, WRITE_MODE_A) == 0 || ok_mode(0, WRITE_MODE_B) == 0) begin : gen_unsupported
      xbram_sim_unsupported_parameter u_unsupported ();
    end
  endgenerate

  reg [G-1:0] mem_q [0:NCELLS-1];
  reg         par_q [0:NPAR-1];
  reg [2*DPins-1:0] la_d_q;   // port A's output latch (the whole SDP word)
  reg [2*PPins-1:0] la_p_q;
  reg [DPins-1:0]   lb_d_q;   // port B's output latch (TDP)
  reg [PPins-1:0]   lb_p_q;

  // the latch value of an INIT_* / SRVAL_* pair for a port of d data and p parity bits
  function [2*DPins-1:0] latch_d(input [71:0] lo, input [71:0] hi, input integer d, input wide);
    integer i;
    begin
      latch_d = 0;
      for (i = 0; i < DPins; i = i + 1) begin
        if (wide) begin
          latch_d[i] = lo[i];
          latch_d[DPins + i] = hi[i];
        end else if (i < d) begin
          latch_d[i] = lo[i];
        end
      end
    end
  endfunction
  function [2*PPins-1:0] latch_p(input [71:0] lo, input [71:0] hi, input integer d,
                                 input integer p, input wide);
    integer i;
    begin
      latch_p = 0;
      for (i = 0; i < PPins; i = i + 1) begin
        if (wide) begin
          latch_p[i] = lo[DPins + i];
          latch_p[PPins + i] = hi[DPins + i];
        end else if (i < p) begin
          latch_p[i] = lo[d + i];
        end
      end
    end
  endfunction

  integer c;
  initial begin
    for (c = 0; c < NCELLS; c = c + 1) mem_q[c] = INIT[c*G +: G];
    for (c = 0; c < NPAR; c = c + 1) par_q[c] = INITP[c];
    la_d_q = latch_d(INIT_A, INIT_B, DRA, WIDE_RA);
    la_p_q = latch_p(INIT_A, INIT_B, DRA, PRA, WIDE_RA);
    lb_d_q = latch_d(INIT_B, 72'h0, DRB, 1'b0);
    lb_p_q = latch_p(INIT_B, 72'h0, DRB, PRB, 1'b0);
  end

  // the write data, parity and byte enables of each port (at most 64 + 8 bits)
  wire [63:0] wa_d = {{(64-DPins){1'b0}}, dia_i};
  wire [7:0]  wa_p = {{(8-PPins){1'b0}}, dipa_i};
  wire [7:0]  wa_e = {{(8-PPins){1'b0}}, wea_i};
  wire [63:0] wb_d = WIDE_WB ? {{(64-2*DPins){1'b0}}, dib_i, dia_i} : {{(64-DPins){1'b0}}, dib_i};
  wire [7:0]  wb_p = WIDE_WB ? {{(8-2*PPins){1'b0}}, dipb_i, dipa_i} : {{(8-PPins){1'b0}}, dipb_i};
  wire [7:0]  wb_e = WIDE_WB ? {{(8-2*PPins){1'b0}}, web_i} : {{(8-PPins){1'b0}}, web_i[PPins-1:0]};

  // the first bit of the word at addr for a port of d data bits
  function [ABits-1:0] base(input [ABits-1:0] addr, input integer d);
    base = d == 0 ? {ABits{1'b0}} : addr & ~(d[ABits-1:0] - 1'b1);
  endfunction
  // the byte enable of data bit b of a word of d data bits
  function byte_en(input [7:0] en, input integer d, input integer b);
    byte_en = d < 8 ? en[0] : en[b / 8];
  endfunction
  // does a write of d data bits at wbase with enables en touch a cell of [rbase, rbase + rd)
  function touches(input [ABits-1:0] wbase, input integer d, input [7:0] en,
                   input [ABits-1:0] rbase, input integer rd);
    integer k;
    begin
      touches = 1'b0;
      for (k = 0; k < 64; k = k + G)
        if (k < d && byte_en(en, d, k) && {1'b0, wbase} + k >= {1'b0, rbase} &&
            {1'b0, wbase} + k < {1'b0, rbase} + rd)
          touches = 1'b1;
    end
  endfunction

  wire [ABits-1:0] ra_base = base(addra_i, DRA), wa_base = base(addra_i, DWA);
  wire [ABits-1:0] rb_base = base(addrb_i, DRB), wb_base = base(addrb_i, DWB);
  wire [7:0] pmask_a = DWA < 8 ? 8'd1 : (8'd1 << PWA) - 8'd1;
  wire [7:0] pmask_b = DWB < 8 ? 8'd1 : (8'd1 << PWB) - 8'd1;
  wire wa_act = WA != 0 && ena_i && |(wa_e & pmask_a);
  wire wb_act = WB != 0 && enb_i && |(wb_e & pmask_b);

  // The word of d data and p parity bits at rbase as a read on this edge returns it: the old
  // bits, or (write_first) the bits that a write of the same port (data wd, parity wp, enables
  // we, dw data bits at wbase) puts there.
  function [71:0] read_word(input [ABits-1:0] rbase, input integer d, input integer p,
                            input write_first, input [ABits-1:0] wbase, input integer dw,
                            input integer pw, input [63:0] wd, input [7:0] wp, input [7:0] we);
    integer k, o;
    reg [63:0] rd;
    reg [7:0]  rp;
    begin
      rd = 64'd0;
      rp = 8'd0;
      for (k = 0; k < 64; k = k + G)
        if (k < d) begin
          rd[k +: G] = mem_q[(rbase + k) / G];
          if (write_first && {1'b0, rbase} + k >= {1'b0, wbase} &&
              {1'b0, rbase} + k < {1'b0, wbase} + dw) begin
            o = rbase + k - wbase;
            if (byte_en(we, dw, o)) rd[k +: G] = wd[o +: G];
          end
        end
      for (k = 0; k < 8; k = k + 1)
        if (k < p) begin
          rp[k] = par_q[rbase / 8 + k];
          if (write_first && dw >= 8 && rbase / 8 + k >= wbase / 8 &&
              rbase / 8 + k < wbase / 8 + pw) begin
            o = rbase / 8 + k - wbase / 8;
            if (we[o]) rp[k] = wp[o];
          end
        end
      read_word = {rp, rd};
    end
  endfunction

  reg [71:0] rword_a, rword_b;
  reg [3:0]  msgs_a, msgs_b;       // collision messages printed (at most 4 per port)
  integer    ka, kb;
  initial begin
    msgs_a = 4'd0;
    msgs_b = 4'd0;
  end

  // ---- port A: output latch and write ----
  always @(posedge clka_i) begin
    if (ena_i) begin
      if (RA != 0) begin
        rword_a = read_word(ra_base, DRA, PRA, wa_act && WRITE_MODE_A == "WRITE_FIRST", wa_base,
                            DWA, PWA, wa_d, wa_p, wa_e);
        if (!rsta_i && wb_act && WRITE_MODE_B != "READ_FIRST" &&
            touches(wb_base, DWB, wb_e, ra_base, DRA)) begin
          rword_a = {72{1'bx}};
          if (msgs_a != 4'd4) begin
            $fwrite(32'h80000002, "%m: port A reads bit %0d while port B writes it (%0s): undefined\n",
                    ra_base, WRITE_MODE_B);
            msgs_a = msgs_a + 4'd1;
          end
        end
        if (rsta_i) begin
          la_d_q <= latch_d(SRVAL_A, SRVAL_B, DRA, WIDE_RA);
          la_p_q <= latch_p(SRVAL_A, SRVAL_B, DRA, PRA, WIDE_RA);
        end else if (!(wa_act && WRITE_MODE_A == "NO_CHANGE")) begin
          la_d_q <= rword_a[2*DPins-1:0];
          la_p_q <= rword_a[64 +: 2*PPins];
        end
      end
      if (wa_act) begin
        for (ka = 0; ka < 64; ka = ka + G)
          if (ka < DWA && byte_en(wa_e, DWA, ka)) mem_q[(wa_base + ka) / G] <= wa_d[ka +: G];
        for (ka = 0; ka < 8; ka = ka + 1)
          if (ka < PWA && wa_e[ka]) par_q[wa_base / 8 + ka] <= wa_p[ka];
      end
    end
  end

  // ---- port B: output latch (TDP) and write ----
  always @(posedge clkb_i) begin
    if (enb_i) begin
      if (RB != 0) begin
        rword_b = read_word(rb_base, DRB, PRB, wb_act && WRITE_MODE_B == "WRITE_FIRST", wb_base,
                            DWB, PWB, wb_d, wb_p, wb_e);
        if (!rstb_i && wa_act && WRITE_MODE_A != "READ_FIRST" &&
            touches(wa_base, DWA, wa_e, rb_base, DRB)) begin
          rword_b = {72{1'bx}};
          if (msgs_b != 4'd4) begin
            $fwrite(32'h80000002, "%m: port B reads bit %0d while port A writes it (%0s): undefined\n",
                    rb_base, WRITE_MODE_A);
            msgs_b = msgs_b + 4'd1;
          end
        end
        if (rstb_i) begin
          lb_d_q <= latch_d(SRVAL_B, 72'h0, DRB, 1'b0);
          lb_p_q <= latch_p(SRVAL_B, 72'h0, DRB, PRB, 1'b0);
        end else if (!(wb_act && WRITE_MODE_B == "NO_CHANGE")) begin
          lb_d_q <= rword_b[DPins-1:0];
          lb_p_q <= rword_b[64 +: PPins];
        end
      end
      if (wb_act) begin
        for (kb = 0; kb < 64; kb = kb + G)
          if (kb < DWB && byte_en(wb_e, DWB, kb)) mem_q[(wb_base + kb) / G] <= wb_d[kb +: G];
        for (kb = 0; kb < 8; kb = kb + 1)
          if (kb < PWB && wb_e[kb]) par_q[wb_base / 8 + kb] <= wb_p[kb];
      end
    end
  end

  assign doa_o  = la_d_q[DPins-1:0];
  assign dopa_o = la_p_q[PPins-1:0];
  assign dob_o  = WIDE_RA ? la_d_q[2*DPins-1:DPins] : lb_d_q;
  assign dopb_o = WIDE_RA ? la_p_q[2*PPins-1:PPins] : lb_p_q;
endmodule
