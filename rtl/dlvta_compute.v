// rtl/dlvta_compute.v -- the compute unit: LOADs of UOP/ACC/ACC8/LUT, GEMM, DWGEMM, ALU and FINISH
// from its instruction queue, in order, with the token protocol (pop_prev: L2C, pop_next: S2C,
// push_prev: C2L, push_next: C2S). Owns the micro-op buffer and the accumulator (AccCopies, from
// the config's DLVTA_ACC_COPIES: two copies written together, so the ALU reads acc[dst] and
// acc[src] in the same cycle, or one copy and a source-operand cache).
//
// GEMM/ALU pipeline, one micro-op iteration per cycle:
//   S0  loop counters (o, i, u) and index offsets; uop[u] (read two ahead, the RAM's output
//       registered: a loop's first cycle primes it); a/x/w (or d/s) = uop fields + offsets,
//       registered
//   S1  the range checks of a/x/w, registered; the interlock's and the source cache's verdicts
//       for the iteration that will be in S1R next cycle (hazard_q, hit_q), registered
//   S1R read-after-write interlock (ALU) from hazard_q and hit_q; read acc, inp, wgt
//   S2  read data; accumulator operands registered
//   S3  accumulator operands; the ALU lanes take them (dlvta_alu_lane.v), the GEMM passes its
//       operand on to S4..
//   S4.. GEMM (dlvta_gemm.v): products in the DSPs, the adder tree, and in S(WG) the
//       accumulation and the write of acc[a] and out[a]; ALU: six stages, the write in S9 (WA)
// A DWGEMM (isa/ISA.md) runs as a GEMM with dw_q set: dlvta_gemm.v takes its multipliers'
// operands from the window of the last input vectors (tap_en_q: the taps T), the weight index
// has no outer factor, and the first T-1 inner iterations of every outer iteration are warm-up
// ones (wcnt_q counts them down): they read inp[x] (x over the real i) and pass S2, shifting the
// window, but leave offa_q and offw_q in place (a and w over i' = max(0, i - (T-1)), range-checked
// like every iteration) and carry a warm-up flag (s1_wu_q, r_wu_q, s2_wu_q, s3_wu_q, pwu_q) that
// keeps them from writing acc/out in S(WG), so they forward nothing either. GEMM_CYCLES and
// MAC_ITERS count them as GEMM iterations; dlvta_top counts a retired DWGEMM by its opcode.
// An ALU op with src_inp takes its source from the input buffer's read port (as a GEMM does),
// sign-extended, with no accumulator read, source cache or read-after-write wait for it.
// A GEMM with bias reads its accumulator operand from acc[b] (b = wgt_in + u - uop_begin, from S0,
// registered) in place of acc[a]: the operand's index (r_o_q, s2_o_q, s3_o_q, po_q) travels
// beside the write index (r_a_q, s2_a_q, s3_a_q, pa_q) and steers the forwarding below.
// The RAMs read the old value during a write, so every stage that carries an accumulator operand
// after the read (S2, S3, the GEMM's S4..S(WG)) takes the write of the previous cycle (wr_*) in
// place of its value: a GEMM that accumulates into one element back to back sees each sum. The
// ALU consumes its operands in S3 but writes in S9: an ALU iteration that reads an element that
// one of the last HzFast-1 ALU iterations to leave S1R will write waits in S1R (and S0/S1 behind
// it) until the write is forwardable (a delay line of the written indices, hz_*).
// With AccCopies = 1, every iteration of an ALU op that reads acc[src] passes an extra stage S1b:
// S1R reads acc[src], S1b reads acc[dst] (the one read port serves both), S2 takes acc[src] from
// the source cache. The source cache holds SrcCache accumulator elements, direct mapped by the
// low bits of the index (LUT RAM sc_mem, tags and valid bits in flops); a miss writes the element
// it read in S1R into the cache in S1b, and every accumulator write (from wr_*, one cycle late)
// invalidates the entry of its index. An iteration is a hit when its source is valid in the
// cache (and the iteration in S1b is not filling that entry with another element) or being
// filled by the iteration in S1b. The interlock holds such an op's iterations for HzSlow-1
// cycles after an older one that writes what they read, until that write's invalidation has
// reached the valid bits: so a hit is never stale, and hits and misses are those of a cache
// whose writes take effect at once (fsim models exactly that). A hit reads nothing in S1R and
// costs one cycle; a miss needs the read port in S1R while the iteration ahead reads acc[dst]
// in S1b, so it waits one cycle in S1R (not behind a MOV, which does not read acc[dst]). So the per-channel parameters of REQ and the bias
// of MOV (a few source elements repeated over a tile) run at one iteration per cycle; an element
// read once costs two. The valid bits are cleared by reset (so at every start of a run); entries
// live across instructions, since every accumulator write (LOAD, GEMM, ALU) passes wr_*. With
// AccCopies = 2 none of this is used (slow is 0 and synthesis removes the cache).
`default_nettype none
`include "dlvta_isa.vh"
`include "dlvta_regs.vh"

module dlvta_compute #(
  // 2: two accumulator copies, the ALU reads acc[dst] and acc[src] in one cycle (one vector op
  // per cycle in every mode). 1: one copy (half the accumulator's block RAM); an ALU iteration
  // that reads acc[src] (use_imm = 0, or REQ) and misses the source cache then takes two
  // cycles, every other iteration still one.
  parameter integer AccCopies = `DLVTA_ACC_COPIES
) (
  input  wire                         clk_i,
  input  wire                         clk2x_i,  // twice clk_i, for the GEMM (gemm_pump 2); else 0
  input  wire                         rst_ni,
  input  wire                         halt_i,
  // instruction queue head
  input  wire                         q_valid_i,
  input  wire [127:0]                 q_insn_i,
  input  wire [31:0]                  q_idx_i,
  output wire                         q_pop_o,
  // tokens
  input  wire                         l2c_token_i,
  output wire                         l2c_pop_o,
  input  wire                         s2c_token_i,
  output wire                         s2c_pop_o,
  input  wire                         c2l_room_i,
  output reg                          c2l_push_o,
  input  wire                         c2s_room_i,
  output reg                          c2s_push_o,
  // input and weight buffers (read ports)
  output wire                         inp_re_o,
  output wire [`DLVTA_LOG_INP_DEPTH-1:0] inp_raddr_o,
  input  wire [`DLVTA_BATCH*`DLVTA_BLOCK_IN*8-1:0]     inp_rdata_i,
  output wire                         wgt_re_o,
  output wire [`DLVTA_LOG_WGT_DEPTH-1:0] wgt_raddr_o,
  input  wire [`DLVTA_BLOCK_OUT*`DLVTA_BLOCK_IN*8-1:0] wgt_rdata_i,
  // output buffer (write port)
  output reg                          out_we_o,
  output reg  [`DLVTA_LOG_ACC_DEPTH-1:0] out_waddr_o,
  output reg  [`DLVTA_BATCH*`DLVTA_BLOCK_OUT*8-1:0]    out_wdata_o,
  // status
  output reg                          err_o,
  output reg  [`DLVTA_REGS_ERR_KIND_BITS-1:0] err_kind_o,
  output wire [31:0]                  pc_o,
  output wire [3:0]                   wait_o,   // {C2S room, C2L room, S2C token, L2C token}
  output wire                         busy_o,
  output wire                         stall_o,
  output reg                          retire_o,
  output reg  [2:0]                   retire_op_o,
  output reg  [2:0]                   retire_mem_o,
  output reg                          finish_o,  // one cycle: FINISH retired
  output wire                         gemm_cycle_o,
  output wire                         mac_iter_o,
  output wire                         alu_cycle_o,
  // AXI read
  output wire                         ar_valid_o,
  input  wire                         ar_ready_i,
  output wire [31:0]                  ar_addr_o,
  output wire [7:0]                   ar_len_o,
  input  wire [`DLVTA_REGS_WIN_COUNT*82-1:0] win_i,  // DRAM windows (dlvta_ctrl)
  output wire                         ar_ok_o,         // the burst on offer lies in a window
  input  wire                         r_valid_i,
  input  wire [`DLVTA_AXI_BITS-1:0]   r_data_i,
  input  wire [1:0]                   r_resp_i,
  output wire                         r_ready_o
);
  localparam integer Lanes = `DLVTA_BATCH * `DLVTA_BLOCK_OUT;
  localparam integer AccBits = Lanes * 32;
  localparam integer OutBits = Lanes * 8;
  localparam integer LogUop = `DLVTA_LOG_UOP_DEPTH;
  localparam integer LogAcc = `DLVTA_LOG_ACC_DEPTH;
  localparam integer LogInp = `DLVTA_LOG_INP_DEPTH;
  localparam integer LogWgt = `DLVTA_LOG_WGT_DEPTH;
  localparam integer MaxLogE = $clog2(`DLVTA_MEM_ACC_ELEM_BYTES);
  localparam integer LogEAcc = $clog2(`DLVTA_MEM_ACC_ELEM_BYTES);
  localparam integer LogEAcc8 = $clog2(`DLVTA_MEM_ACC8_ELEM_BYTES);
  localparam integer LogELut = $clog2(`DLVTA_MEM_LUT_ELEM_BYTES);
  localparam integer LogLut = `DLVTA_LOG_LUT_DEPTH;
  // source cache (AccCopies = 1): 2^LogSc elements, at most half the accumulator
  localparam integer LogSc = (LogAcc > 5) ? 5 : LogAcc - 1;
  localparam integer SrcCache = 1 << LogSc;
  localparam integer TagBits = LogAcc - LogSc;
  localparam integer LogX = (LogAcc > LogInp) ? LogAcc : LogInp;  // S1R's source index
  localparam integer LB = ((LogX > LogWgt) ? LogX : LogWgt) + 1;   // S1's range limits
  // a GEMM's bias index b = wgt_in + (u - uop_begin), computed modulo 2^BW (exact: b >= 0 and
  // below 2^BW) from bb_q = wgt_in - uop_begin; b is out of range when a bit at LogAcc or above is set
  localparam integer BW0 = (LogAcc > LogWgt) ? LogAcc : LogWgt;
  localparam integer BW = ((BW0 > LogUop) ? BW0 : LogUop) + 2;
  // the stages that write the accumulator: GEMM in S(WG) (dlvta_gemm.v's latency after S2),
  // ALU in S9 (dlvta_alu_lane.v: operands in S3, six registers)
  localparam integer WG = `DLVTA_GEMM_WSTAGE;
  localparam integer WA = `DLVTA_ALU_WSTAGE;
  // ALU read-after-write distances in cycles between leaving S1R: the write in S9 must be
  // forwardable to the reader's operands in S3 (WA - 3 + 1), and with one accumulator copy also
  // have invalidated its source-cache entry (S1b adds a stage, invalidation two cycles more)
  localparam integer HzFast = WA - 2;
  localparam integer HzSlow = WA + 2;
  localparam integer H = `DLVTA_DW_TAPS;  // DWGEMM's window
  localparam integer TW = `DLVTA_F_TAPS_WIDTH;
  localparam [2:0] S_IDLE = 3'd0, S_LOAD = 3'd1, S_LOOP = 3'd2, S_RETIRE = 3'd3, S_DEAD = 3'd4;

  // ---- head decode ----
  wire [`DLVTA_F_OPCODE_WIDTH-1:0] h_op = q_insn_i[`DLVTA_F_OPCODE_POS +: `DLVTA_F_OPCODE_WIDTH];
  wire [`DLVTA_F_MEM_WIDTH-1:0] h_mem = q_insn_i[`DLVTA_F_MEM_POS +: `DLVTA_F_MEM_WIDTH];
  wire h_pop_prev = q_insn_i[`DLVTA_F_POP_PREV_POS];
  wire h_pop_next = q_insn_i[`DLVTA_F_POP_NEXT_POS];
  wire h_push_prev = q_insn_i[`DLVTA_F_PUSH_PREV_POS];
  wire h_push_next = q_insn_i[`DLVTA_F_PUSH_NEXT_POS];

  reg [2:0] state_q;
  wire idle = (state_q == S_IDLE);
  wire can_start = q_valid_i && idle && !halt_i &&
                   (!h_pop_prev || l2c_token_i) && (!h_pop_next || s2c_token_i) &&
                   (!h_push_prev || c2l_room_i) && (!h_push_next || c2s_room_i);
  wire start = can_start;

  assign l2c_pop_o = start && h_pop_prev;
  assign s2c_pop_o = start && h_pop_next;
  assign pc_o = q_valid_i ? q_idx_i : `DLVTA_REGS_PC_IDLE;
  assign wait_o = {q_valid_i && idle && h_push_next && !c2s_room_i,
                   q_valid_i && idle && h_push_prev && !c2l_room_i,
                   q_valid_i && idle && h_pop_next && !s2c_token_i,
                   q_valid_i && idle && h_pop_prev && !l2c_token_i};
  assign busy_o = !idle && (state_q != S_DEAD);
  assign stall_o = q_valid_i && idle && !halt_i && !can_start;

  // ---- latched instruction ----
  reg [2:0]  op_q;
  reg [2:0]  mem_q;
  reg        acc8_q;   // mem_q is ACC8, decoded when loaded (it selects every lane of a LOAD's data)
  reg        push_prev_q;
  reg        push_next_q;
  reg [7:0]  pad_q;
  reg        reset_q;
  reg        bias_q;   // (DW)GEMM with bias (and no reset): the operand is acc[b], b = wgt_in + u - uop_begin
  reg        dw_q;     // DWGEMM
  reg [H-1:0] tap_en_q; // DWGEMM: tap t is used (t < taps), for dlvta_gemm's operand select
  reg [TW-1:0] tw_q;   // DWGEMM: taps - 1, the warm-up iterations of each outer iteration (GEMM: 0)
  reg [3:0]  alu_op_q;
  reg        use_imm_q;
  reg        src_inp_q;  // an ALU op whose source is inp[s] (sign-extended lanes), not acc[s]
  reg [15:0] imm_q;
  reg [LogUop:0] ubeg_q;
  reg [LogUop:0] uendm1_q;  // uop_end - 1: u_wrap is a compare of registers (no adder before it)
  reg [13:0] loutm1_q;  // loop_out - 1, loop_in - 1: the wraps are compares of registers
  reg [13:0] linm1_q;
  reg [31:0] fa_out_q, fa_in_q, fx_out_q, fx_in_q, fw_out_q, fw_in_q;

  wire is_alu = (op_q == `DLVTA_OP_ALU);
  // decoded once, at the start, from the head (constant while the instruction runs; they steer
  // the operand reads and hazard checks): is_alu_q as is_alu; needs_src_q: it reads acc[src]
  // (ALU: not an immediate op, or REQ) or inp/wgt (GEMM without reset); dst_rd_q: an ALU op
  // that reads acc[dst] (MOV ignores it: its S1b reads nothing and leaves the port to a miss in
  // S1R); slow_q: AccCopies = 1 and an ALU op that reads acc[src] (S1R -> S1b -> S2)
  reg  is_alu_q, needs_src_q, dst_rd_q, slow_q;
  wire h_is_alu = (h_op == `DLVTA_OP_ALU);
  wire needs_src = needs_src_q;
  wire dst_rd = dst_rd_q;
  wire [`DLVTA_F_ALU_OP_WIDTH-1:0] h_alu_op = q_insn_i[`DLVTA_F_ALU_OP_POS +: `DLVTA_F_ALU_OP_WIDTH];
  wire h_needs_src = h_is_alu ? (!q_insn_i[`DLVTA_F_USE_IMM_POS] || (h_alu_op == `DLVTA_ALU_REQ)) :
                                !q_insn_i[`DLVTA_F_RESET_POS];
  wire h_dst_rd = (h_alu_op != `DLVTA_ALU_MOV);
  // an ALU source in the input buffer: read through the GEMM's input port, so it is neither an
  // accumulator source (no source cache, no read-after-write wait on it) nor slow
  wire h_src_inp = h_is_alu && h_needs_src && q_insn_i[`DLVTA_F_SRC_INP_POS];
  wire is_gemm = (op_q == `DLVTA_OP_GEMM) || dw_q;  // the GEMM core's counters (DWGEMM too)
  wire h_is_dw = (h_op == `DLVTA_OP_DWGEMM);
  wire [TW-1:0] h_taps = q_insn_i[`DLVTA_F_TAPS_POS +: TW];
  reg  [H-1:0] h_tap_en;
  integer ti;
  always @* begin
    h_tap_en = {H{1'b0}};
    for (ti = 0; ti < H; ti = ti + 1)
      h_tap_en[ti] = h_is_dw && ({1'b0, h_taps} > ti[TW:0]);
  end

  // ---- LOAD of UOP / ACC / ACC8 / LUT ----
  wire h_is_uop = (h_mem == `DLVTA_MEM_UOP);
  wire h_is_acc8 = (h_mem == `DLVTA_MEM_ACC8);
  wire h_is_lut = (h_mem == `DLVTA_MEM_LUT);
  wire [3:0] ld_log_e = h_is_uop ? 4'd2 : h_is_acc8 ? LogEAcc8[3:0] : h_is_lut ? LogELut[3:0] :
                        LogEAcc[3:0];
  wire [3:0] ld_log_depth = h_is_uop ? LogUop[3:0] : h_is_lut ? LogLut[3:0] : LogAcc[3:0];
  wire ld_start = start && (h_op == `DLVTA_OP_LOAD);
  wire ld_done, ld_rerr, ld_derr, ld_busy, ld_wv, ld_pad;
  wire [`DLVTA_W_SRAM_IDX-1:0] ld_addr;
  wire [(8<<MaxLogE)-1:0] ld_data;
  wire ld_ar1_unused, ld_r1_unused;  // one read port for the compute unit's LOADs

  dlvta_ldwalk #(.MaxLogE(MaxLogE)) u_walk (
    .clk_i(clk_i), .rst_ni(rst_ni), .start_i(ld_start),
    .insn_i(q_insn_i),
    .log_e_i(ld_log_e), .log_depth_i(ld_log_depth),
    .done_o(ld_done), .range_err_o(ld_rerr), .dram_err_o(ld_derr), .busy_o(ld_busy),
    .wr_valid_o(ld_wv), .wr_pad_o(ld_pad), .wr_addr_o(ld_addr), .wr_data_o(ld_data),
    .ar_valid_o(ar_valid_o), .ar_ready_i(ar_ready_i), .ar_addr_o(ar_addr_o), .ar_len_o(ar_len_o),
    .win_i(win_i), .ar_ok_o(ar_ok_o),
    .r_valid_i(r_valid_i), .r_data_i(r_data_i), .r_resp_i(r_resp_i), .r_ready_o(r_ready_o),
    .ar1_valid_o(ld_ar1_unused), .ar1_ready_i(1'b0), .r1_valid_i(1'b0),
    .r1_data_i({`DLVTA_AXI_BITS{1'b0}}), .r1_resp_i(2'b00), .r1_ready_o(ld_r1_unused)
  );
  wire unused_r1 = ^{ld_ar1_unused, ld_r1_unused};

  // The LOAD's writes, registered (lw_*) and made a cycle later: the pad / ACC8 selects and the
  // walk's element reach the buffers' write data through one register (the pad flag fans out to
  // every data bit: ultra96's worst path ran from the walk's in_y through them into the
  // accumulator RAM). The last write lands at the latest in S_RETIRE, before anything can read it
  // (the next instruction's first uop read is in S_IDLE, its first operand read in S1R).
  wire [31:0] pad32 = {{24{pad_q[7]}}, pad_q};
  reg                        lw_acc_q, lw_uop_q, lw_lut_q;  // an ACC/ACC8/OUT, UOP or LUT write
  reg [`DLVTA_W_SRAM_IDX-1:0] lw_a_q;
  reg [AccBits-1:0]          lw_d_q;  // lane l: pad, sext(byte l) (ACC8), or word l (UOP: lane 0)
  reg [Lanes*8-1:0]          lw_b_q;  // lane l's LUT byte: pad or byte l
  // (the data registers load every cycle of a LOAD: the write valid, which waits on the R beat,
  // enables none of their 1,300 flip-flops; the lw_*_q valid bits say whether they hold a write)
  wire ld_we = (state_q == S_LOAD) && ld_wv;
  integer li;
  always @(posedge clk_i) begin
    if (!rst_ni) begin
      lw_acc_q <= 1'b0;
      lw_uop_q <= 1'b0;
      lw_lut_q <= 1'b0;
    end else begin
      lw_acc_q <= ld_we && (mem_q != `DLVTA_MEM_UOP) && (mem_q != `DLVTA_MEM_LUT);
      lw_uop_q <= ld_we && (mem_q == `DLVTA_MEM_UOP);
      lw_lut_q <= ld_we && (mem_q == `DLVTA_MEM_LUT);
    end
    if (state_q == S_LOAD) begin
      lw_a_q <= ld_addr;
      for (li = 0; li < Lanes; li = li + 1) begin
        if (ld_pad) lw_d_q[li*32 +: 32] <= pad32;
        else if (acc8_q) lw_d_q[li*32 +: 32] <= {{24{ld_data[li*8+7]}}, ld_data[li*8 +: 8]};
        else lw_d_q[li*32 +: 32] <= ld_data[li*32 +: 32];
        lw_b_q[li*8 +: 8] <= ld_pad ? pad_q : ld_data[li*8 +: 8];
      end
    end
  end

  // ---- loop issue (S0) ----
  reg            issuing_q;
  reg [13:0]     o_q;
  reg [13:0]     i_q;
  reg [LogUop:0] u_q;
  reg [31:0]     oba_q, obx_q, obw_q;   // o * factor_out
  reg [31:0]     offa_q, offx_q, offw_q; // o * factor_out + i * factor_in
  reg            kill_q;                // a range error stopped the loop
  // DWGEMM: warm-up iterations left in this outer iteration's inner loop (tw_q at i = 0); while
  // non-zero, the iteration issued is a warm-up one (reads inp, writes nothing) and the inner
  // step leaves offa_q and offw_q (a and w over i' = max(0, i - (T-1))) where they are
  reg [TW-1:0]   wcnt_q;
  wire           warm = (wcnt_q != {TW{1'b0}});
  wire           slow;  // AccCopies = 1 and this ALU op reads acc[src]: S1R -> S1b -> S2

  wire r_err;     // the iteration in S1R is out of range
  wire r_stall;   // the iteration in S1R waits (hazard, or the one read port)
  wire adv = !r_stall;  // S0, S1 and S1R advance
  reg  s1_v_q;
  reg  primed_q;  // the uop read is primed (below): S0 has uop[u_q]
  wire issue = (state_q == S_LOOP) && primed_q && issuing_q && !kill_q && !r_err && adv;
  wire u_wrap = (u_q == uendm1_q);  // u_q + 1 == uop_end
  wire i_wrap = (i_q == linm1_q);   // i_q + 1 == loop_in
  wire o_wrap = (o_q == loutm1_q);  // o_q + 1 == loop_out
  wire u_oor = (u_q[LogUop] != 1'b0);

  reg             s1_uoor_q;
  reg             s1_wu_q;    // the iteration in S1 is a DWGEMM warm-up one (no write)
  reg [BW-1:0]    bb_q;       // wgt_in - uop_begin (bias mode)
  reg [LogAcc-1:0] s1_b_q;    // the bias index of the iteration in S1
  reg             s1_boor_q;  // ... out of range
  wire [BW-1:0]   b_now = bb_q + {{(BW-LogUop-1){1'b0}}, u_q};
  // the uop RAM is read two ahead, its output registered (uo_q: no logic after the block RAM's
  // clock-to-out, 2 ns of UltraScale+'s cycle): in S0, uo_q is uop[u_q] already and the RAM's
  // output uop[u_q's successor]. The RAM reads the head's uop_begin while idle; the loop's first
  // cycle primes (uo_q takes uop[begin], the RAM reads the next; no issue); each issue then moves
  // both on, the RAM reading the successor of ra_q (the last index read, two ahead of u_q). So
  // S0 forms the iteration's indices (uop field + offset) and S1 has them in registers (s1_ia_q,
  // s1_ix_q, s1_iw_q), with the uop word for the range checks (s1_uop_q)
  reg [31:0]       s1_uop_q;
  reg [LogAcc-1:0] s1_ia_q;
  reg [LogX-1:0]   s1_ix_q;
  reg [LogWgt-1:0] s1_iw_q;
  // S1's range limits: an index is in range when its uop field is below depth - offset (0 when
  // the offset alone is past the depth), registered with the offsets (no 32-bit adder before
  // the compare)
  reg [LB-1:0]    s1_lima_q, s1_limx_q, s1_limw_q;
  wire [LB-1:0]   dep_a = {{(LB-1){1'b0}}, 1'b1} << LogAcc;
  wire [LB-1:0]   dep_x = (is_alu_q && !src_inp_q) ? ({{(LB-1){1'b0}}, 1'b1} << LogAcc) : ({{(LB-1){1'b0}}, 1'b1} << LogInp);
  wire [LB-1:0]   dep_w = {{(LB-1){1'b0}}, 1'b1} << LogWgt;
  wire [LB-1:0]   lim_a = (offa_q >= {{(32-LB){1'b0}}, dep_a}) ? {LB{1'b0}} : dep_a - offa_q[LB-1:0];
  wire [LB-1:0]   lim_x = (offx_q >= {{(32-LB){1'b0}}, dep_x}) ? {LB{1'b0}} : dep_x - offx_q[LB-1:0];
  wire [LB-1:0]   lim_w = (offw_q >= {{(32-LB){1'b0}}, dep_w}) ? {LB{1'b0}} : dep_w - offw_q[LB-1:0];
  wire [31:0]     uop_rdata;
  reg  [31:0]     uo_q;
  reg  [LogUop:0] ra_q;
  wire            prime = (state_q == S_LOOP) && !primed_q;
  wire [LogUop:0] ra_next = (ra_q == uendm1_q) ? ubeg_q : ra_q + 1'b1;
  wire [LogUop-1:0] uop_raddr = idle ? q_insn_i[`DLVTA_F_UOP_BEGIN_POS +: LogUop] : ra_next[LogUop-1:0];

  dlvta_ram #(.Width(32), .Depth(1 << LogUop), .AddrBits(LogUop)) u_uop (
    .clk_i(clk_i),
    .we_i(lw_uop_q), .waddr_i(lw_a_q[LogUop-1:0]), .wdata_i(lw_d_q[31:0]), .wzero_i(1'b0),
    .re_i(idle || prime || issue), .raddr_i(uop_raddr), .rdata_o(uop_rdata)
  );

  // S0: the indices of the iteration being issued, registered into S1
  wire [31:0] ua0 = {{(32-`DLVTA_F_U_ACC_WIDTH){1'b0}}, uo_q[`DLVTA_F_U_ACC_POS +: `DLVTA_F_U_ACC_WIDTH]};
  wire [31:0] us0 = {{(32-`DLVTA_F_U_SRC_WIDTH){1'b0}}, uo_q[`DLVTA_F_U_SRC_POS +: `DLVTA_F_U_SRC_WIDTH]};
  wire [31:0] uw0 = {{(32-`DLVTA_F_U_WGT_WIDTH){1'b0}}, uo_q[`DLVTA_F_U_WGT_POS +: `DLVTA_F_U_WGT_WIDTH]};
  wire [LogAcc-1:0] ia0 = ua0[LogAcc-1:0] + offa_q[LogAcc-1:0];
  wire [LogX-1:0]   ix0 = us0[LogX-1:0] + offx_q[LogX-1:0];
  wire [LogWgt-1:0] iw0 = uw0[LogWgt-1:0] + offw_q[LogWgt-1:0];

  // ---- S1: range check, registered for S1R ----
  wire [31:0] ua = {{(32-`DLVTA_F_U_ACC_WIDTH){1'b0}}, s1_uop_q[`DLVTA_F_U_ACC_POS +: `DLVTA_F_U_ACC_WIDTH]};
  wire [31:0] us = {{(32-`DLVTA_F_U_SRC_WIDTH){1'b0}}, s1_uop_q[`DLVTA_F_U_SRC_POS +: `DLVTA_F_U_SRC_WIDTH]};
  wire [31:0] uw = {{(32-`DLVTA_F_U_WGT_WIDTH){1'b0}}, s1_uop_q[`DLVTA_F_U_WGT_POS +: `DLVTA_F_U_WGT_WIDTH]};
  wire a_oor = ({{(LB > 32 ? 0 : 32 - LB){1'b0}}, s1_lima_q} <= ua);
  wire x_oor = ({{(LB > 32 ? 0 : 32 - LB){1'b0}}, s1_limx_q} <= us);
  wire w_oor = !is_alu_q && ({{(LB > 32 ? 0 : 32 - LB){1'b0}}, s1_limw_q} <= uw);

  reg              r_v_q;
  reg              r_err_q;
  reg              r_wu_q;   // warm-up (no write), as s1_wu_q
  reg [LogAcc-1:0] r_a_q;
  reg [LogAcc-1:0] r_o_q;   // the accumulator operand's index: r_a_q, or the bias index b
  reg [LogX-1:0]   r_x_q;
  reg [LogWgt-1:0] r_w_q;

  // ---- S1R: hazards, reads ----
  assign r_err = r_v_q && r_err_q;
  wire r_ok = r_v_q && !r_err_q;
  wire [LogAcc-1:0] r_s = r_x_q[LogAcc-1:0];
  assign slow = slow_q;
  // ALU read-after-write: an ALU result is written in S9; an iteration that reads (dst, or src)
  // an element that an iteration issued fewer than HzFast cycles before writes waits in S1R
  // (with one accumulator copy, HzSlow: until the write has also invalidated the source cache,
  // so that a hit is never stale and the cache behaves as if every write were immediate)
  reg [HzSlow-1:1]  hz_v_q;
  reg [LogAcc-1:0]  hz_a_q [1:HzSlow-1];
  // hazard_q and hit_q (below): the interlock's and the source cache's verdicts on the iteration
  // in S1R, computed a cycle ahead (so that no compare or lookup precedes the stall)
  reg  hazard_q;
  reg  hit_q;
  wire hazard = hazard_q;
  wire r_hit = hit_q;   // slow: the source of the iteration in S1R is in the source cache
  reg  s1b_v_q;
  wire port_stall = slow && !r_hit && s1b_v_q && dst_rd;
  assign r_stall = r_ok && (hazard || port_stall);
  wire r_go = r_ok && !r_stall;

  assign inp_re_o = r_go;
  assign inp_raddr_o = r_x_q[LogInp-1:0];
  assign wgt_re_o = r_go;
  assign wgt_raddr_o = r_w_q;

  // ---- S2: read data; S3: operands ----
  reg              s2_v_q;
  reg              s2_wu_q;
  reg [LogAcc-1:0] s2_a_q;
  reg [LogAcc-1:0] s2_o_q;   // the operand index (= s2_a_q but for a GEMM with bias)
  reg [LogAcc-1:0] s2_s_q;
  reg              wr_v_q;
  reg [LogAcc-1:0] wr_a_q;
  reg [AccBits-1:0] wr_d_q;
  wire [AccBits-1:0] acc0_rdata, acc1_rdata;
  // S1b (slow mode only): acc[dst] is read; on a miss acc[src] arrived and fills the cache
  reg               s1b_miss_q;
  reg [LogAcc-1:0]  s1b_a_q;
  reg [LogAcc-1:0]  s1b_s_q;
  wire [AccBits-1:0] src_now = (wr_v_q && (wr_a_q == s1b_s_q)) ? wr_d_q : acc0_rdata;

  // the source cache (slow mode; see the header)
  reg [AccBits-1:0]   sc_mem [0:SrcCache-1];
  reg [SrcCache-1:0]  sc_v_q;
  reg [TagBits-1:0]   sc_tag_q [0:SrcCache-1];
  wire [LogSc-1:0]    sc_ix = r_s[LogSc-1:0];
  wire [LogSc-1:0]    sc_wr = wr_a_q[LogSc-1:0];
  wire                sc_fill = s1b_v_q && s1b_miss_q;
  wire                sc_inval = wr_v_q && sc_v_q[sc_wr] &&
                                 (sc_tag_q[sc_wr] == wr_a_q[LogAcc-1:LogSc]);
  wire [AccBits-1:0]  sc_rdata = sc_mem[s2_s_q[LogSc-1:0]];
  always @(posedge clk_i) begin
    if (sc_fill) sc_mem[s1b_s_q[LogSc-1:0]] <= src_now;
  end

  always @(posedge clk_i) begin
    if (sc_fill) sc_tag_q[s1b_s_q[LogSc-1:0]] <= s1b_s_q[LogAcc-1:LogSc];
  end

  // S2 operands: RAM data (slow: acc[src] from the source cache), with the write of the last cycle
  wire [AccBits-1:0] s2_d_raw = acc0_rdata;
  // an input-buffer source: lane l is inp lane l sign-extended (0 past the input's lanes)
  reg  [AccBits-1:0] inp_ext;
  integer xl;
  always @* begin
    inp_ext = {AccBits{1'b0}};
    for (xl = 0; xl < Lanes && xl < `DLVTA_BATCH*`DLVTA_BLOCK_IN; xl = xl + 1)
      inp_ext[xl*32 +: 32] = {{24{inp_rdata_i[xl*8+7]}}, inp_rdata_i[xl*8 +: 8]};
  end
  wire [AccBits-1:0] s2_s_raw = src_inp_q ? inp_ext : slow ? sc_rdata : acc1_rdata;
  wire [AccBits-1:0] acc_d2 = (wr_v_q && (wr_a_q == s2_o_q)) ? wr_d_q : s2_d_raw;
  wire [AccBits-1:0] acc_s2 = (wr_v_q && !src_inp_q && (wr_a_q == s2_s_q)) ? wr_d_q : s2_s_raw;
  // S3 operands, again with the write of the last cycle
  reg               s3_v_q;
  reg               s3_wu_q;
  reg [LogAcc-1:0]  s3_a_q;
  reg [LogAcc-1:0]  s3_o_q;
  reg [AccBits-1:0] s3_d_q;
  reg [AccBits-1:0] s3_c_q;
  // the selects (wr_v_q && wr_a_q == s3_*) a cycle ahead, from this cycle's write and S2's
  // indices (S2 moves to S3 every cycle): a register, not a compare, before the lanes' operands
  reg                fd3_q, fs3_q;
  wire [AccBits-1:0] acc_d = fd3_q ? wr_d_q : s3_d_q;
  wire [AccBits-1:0] acc_s = fs3_q ? wr_d_q : s3_c_q;

  // ---- S1R's verdicts a cycle ahead (hazard_q, hit_q) ----
  // The iteration in S1R next cycle is the one in S1 when S1R advances (adv), else the one there
  // now; each verdict is computed for both and adv picks. hit_q is the lookup of r_s in the
  // entry as it will be once the fill in S1b (if any) is written (the hazard wait keeps every
  // older write's invalidation ahead of this lookup). For the iteration in S1 (n_*): the cache
  // after this cycle's fill (S1b) and invalidation (wr_*), and the fill that the iteration leaving
  // S1R starts next cycle in S1b (f_next: it misses); for the one that stays (s_*): hit_q stays
  // but for this cycle's invalidation of its element (no fill starts behind a waiting iteration).
  // hazard_q compares the delay line as it will be next cycle (shifted, with the iteration that
  // leaves S1R now in place 1 when S1R advances).
  wire sc_filling = sc_fill && (s1b_s_q[LogSc-1:0] == sc_ix);
  wire [LogAcc-1:0] n_a = s1_ia_q;
  wire [LogAcc-1:0] n_s = s1_ix_q[LogAcc-1:0];
  wire [LogSc-1:0]  n_ix = n_s[LogSc-1:0];
  wire f_next = slow && r_ok && !hit_q;
  wire n_hit = (f_next && (sc_ix == n_ix)) ? (r_s == n_s) :
               (sc_fill && (s1b_s_q[LogSc-1:0] == n_ix)) ? (s1b_s_q == n_s) :
               (sc_v_q[n_ix] && (sc_tag_q[n_ix] == n_s[LogAcc-1:LogSc]) &&
                !(wr_v_q && (wr_a_q == n_s)));
  wire s_hit = hit_q && (sc_filling || !(wr_v_q && (wr_a_q == r_s)));
  reg  n_hz, s_hz;
  integer hk;
  always @* begin
    n_hz = r_ok && (slow || 1 < HzFast) &&
           ((dst_rd && (r_a_q == n_a)) || (needs_src && (r_a_q == n_s)));
    s_hz = 1'b0;
    for (hk = 2; hk < HzSlow; hk = hk + 1) begin
      if (hz_v_q[hk-1] && (slow || hk < HzFast)) begin
        if ((dst_rd && (hz_a_q[hk-1] == n_a)) || (needs_src && (hz_a_q[hk-1] == n_s))) n_hz = 1'b1;
        if ((dst_rd && (hz_a_q[hk-1] == r_a_q)) || (needs_src && (hz_a_q[hk-1] == r_s))) s_hz = 1'b1;
      end
    end
    if (!is_alu) begin
      n_hz = 1'b0;
      s_hz = 1'b0;
    end
  end

  // ---- S4..S9: the GEMM's stages (accumulator operand forwarded in each) and the ALU's ----
  // pv_q[k], pa_q[k]: the iteration in stage k (k = 4..WA) and its accumulator index
  reg [WA:4]        pv_q;
  reg [LogAcc-1:0]  pa_q [4:WA];
  // pwu_q[k]: the GEMM iteration in stage k is a DWGEMM warm-up one: it writes nothing in S(WG)
  reg [WG:4]        pwu_q;
  // po_q[k]: the GEMM iteration's operand index in stage k (pa_q but for a GEMM with bias)
  reg [LogAcc-1:0]  po_q [4:WG];
  // gd_q[k]: the accumulator operand of the GEMM iteration in stage k (k = 4..WG)
  reg [AccBits-1:0] gd_q [4:WG];
  // the forwarding into S(WG) decided a cycle early (the write of this cycle against the index
  // that moves into S(WG)), so that no comparator precedes the accumulation
  reg gfwd_q;
  wire [LogAcc-1:0] pa_pre = (WG > 4) ? po_q[(WG > 4) ? WG-1 : 4] : s3_o_q;
  wire [AccBits-1:0] gemm_acc = gfwd_q ? wr_d_q : gd_q[WG];
  wire [AccBits-1:0] gemm_y;
  wire [AccBits-1:0] alu_y;
  // the ALU lanes' pipeline enable: an ALU iteration is in S3..S8 in the next cycle (a superset:
  // the instruction is constant while iterations are in flight, and S2 reaches S3 unconditionally)
  reg alu_en_q;

  dlvta_gemm u_gemm (
    .clk_i(clk_i), .clk2x_i(clk2x_i), .reset_i(reset_q), .dw_i(dw_q), .tap_en_i(tap_en_q), .shift_i(s2_v_q && dw_q),
    .inp_i(inp_rdata_i), .wgt_i(wgt_rdata_i),
    .acc_i(gemm_acc), .acc_o(gemm_y)
  );

  // the lanes' lookup tables, written by a LOAD of memory LUT (lane l: byte l of the element,
  // from the LOAD write stage lw_*)
  genvar gl;
  generate
    for (gl = 0; gl < Lanes; gl = gl + 1) begin : gen_alu
      dlvta_alu_lane u_lane (
        .clk_i(clk_i), .en_i(alu_en_q), .op_i(alu_op_q), .use_imm_i(use_imm_q), .imm_i(imm_q),
        .a_i(acc_d[gl*32 +: 32]), .c_i(acc_s[gl*32 +: 32]), .y_o(alu_y[gl*32 +: 32]),
        .lut_we_i(lw_lut_q), .lut_waddr_i(lw_a_q[LogLut-1:0]), .lut_wdata_i(lw_b_q[gl*8 +: 8])
      );
    end
  endgenerate

  // accumulator write port: LOAD, the GEMM's stage WG or the ALU's stage WA
  reg              acc_we;
  reg [LogAcc-1:0] acc_waddr;
  reg [AccBits-1:0] acc_wdata;
  integer ol;
  integer sci;
  integer pk;  // loop index of the S4..WA pipeline block
  integer mk;  // loop index of the control block
  always @* begin
    acc_we = 1'b0;
    acc_waddr = {LogAcc{1'b0}};
    acc_wdata = {AccBits{1'b0}};
    if (lw_acc_q) begin  // no GEMM / ALU write is in flight during a LOAD or the cycle after
      acc_we = 1'b1;
      acc_waddr = lw_a_q[LogAcc-1:0];
      acc_wdata = lw_d_q;
    end else if (is_alu) begin
      acc_we = pv_q[WA];
      acc_waddr = pa_q[WA];
      acc_wdata = alu_y;
    end else begin
      acc_we = pv_q[WG] && !pwu_q[WG];
      acc_waddr = pa_q[WG];
      acc_wdata = gemm_y;
    end
    out_we_o = acc_we;
    out_waddr_o = acc_waddr;
    out_wdata_o = {OutBits{1'b0}};
    for (ol = 0; ol < Lanes; ol = ol + 1) out_wdata_o[ol*8 +: 8] = acc_wdata[ol*32 +: 8];
  end

  wire s1b_rd = s1b_v_q && dst_rd;
  wire [LogAcc-1:0] acc0_raddr = s1b_rd ? s1b_a_q : slow ? r_s : r_o_q;
  dlvta_ram #(.Width(AccBits), .Depth(1 << LogAcc), .AddrBits(LogAcc)) u_acc0 (
    .clk_i(clk_i), .we_i(acc_we), .waddr_i(acc_waddr), .wdata_i(acc_wdata), .wzero_i(1'b0),
    .re_i(r_go || s1b_rd), .raddr_i(acc0_raddr), .rdata_o(acc0_rdata)
  );
  generate
    if (AccCopies >= 2) begin : gen_acc_copy
      dlvta_ram #(.Width(AccBits), .Depth(1 << LogAcc), .AddrBits(LogAcc)) u_acc1 (
        .clk_i(clk_i), .we_i(acc_we), .waddr_i(acc_waddr), .wdata_i(acc_wdata), .wzero_i(1'b0),
        .re_i(r_go), .raddr_i(r_s), .rdata_o(acc1_rdata)
      );
    end else begin : gen_acc_one
      assign acc1_rdata = {AccBits{1'b0}};
    end
  endgenerate

  assign gemm_cycle_o = s3_v_q && is_gemm;
  assign mac_iter_o = s3_v_q && is_gemm && !reset_q;
  assign alu_cycle_o = s3_v_q && is_alu;

  // ---- control ----
  wire h_empty_loop = (q_insn_i[`DLVTA_F_LOOP_OUT_POS +: `DLVTA_F_LOOP_OUT_WIDTH] == {`DLVTA_F_LOOP_OUT_WIDTH{1'b0}}) ||
                      (q_insn_i[`DLVTA_F_LOOP_IN_POS +: `DLVTA_F_LOOP_IN_WIDTH] == {`DLVTA_F_LOOP_IN_WIDTH{1'b0}}) ||
                      (q_insn_i[`DLVTA_F_UOP_END_POS +: `DLVTA_F_UOP_END_WIDTH] <=
                       {1'b0, q_insn_i[`DLVTA_F_UOP_BEGIN_POS +: `DLVTA_F_UOP_BEGIN_WIDTH]});
  assign q_pop_o = (state_q == S_RETIRE);
  wire tail_busy = s1b_v_q || s2_v_q || s3_v_q || (|pv_q);
  wire loop_done = !issuing_q && !s1_v_q && !r_v_q && !tail_busy;

  // the pipeline registers of S4..WA (no reset: pv_q says which hold an iteration)
  always @(posedge clk_i) begin
    alu_en_q <= is_alu && (s2_v_q || s3_v_q || (|pv_q));
    gfwd_q <= acc_we && (acc_waddr == pa_pre);
    pa_q[4] <= s3_a_q;
    pwu_q[4] <= s3_wu_q;
    for (pk = 5; pk <= WG; pk = pk + 1) pwu_q[pk] <= pwu_q[pk-1];
    for (pk = 5; pk <= WA; pk = pk + 1) pa_q[pk] <= pa_q[pk-1];
    po_q[4] <= s3_o_q;
    for (pk = 5; pk <= WG; pk = pk + 1) po_q[pk] <= po_q[pk-1];
    gd_q[4] <= acc_d;
    for (pk = 5; pk <= WG; pk = pk + 1)
      gd_q[pk] <= (wr_v_q && (wr_a_q == po_q[pk-1])) ? wr_d_q : gd_q[pk-1];
  end

  always @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q <= S_IDLE;
      op_q <= 3'd0;
      mem_q <= 3'd0;
      acc8_q <= 1'b0;
      push_prev_q <= 1'b0;
      push_next_q <= 1'b0;
      pad_q <= 8'd0;
      reset_q <= 1'b0;
      bias_q <= 1'b0;
      dw_q <= 1'b0;
      tap_en_q <= {H{1'b0}};
      tw_q <= {TW{1'b0}};
      wcnt_q <= {TW{1'b0}};
      bb_q <= {BW{1'b0}};
      alu_op_q <= 4'd0;
      use_imm_q <= 1'b0;
      src_inp_q <= 1'b0;
      is_alu_q <= 1'b0;
      needs_src_q <= 1'b0;
      dst_rd_q <= 1'b0;
      slow_q <= 1'b0;
      imm_q <= 16'd0;
      ubeg_q <= {(LogUop+1){1'b0}};
      uendm1_q <= {(LogUop+1){1'b1}};
      loutm1_q <= 14'h3fff;
      linm1_q <= 14'h3fff;
      fa_out_q <= 32'd0; fa_in_q <= 32'd0;
      fx_out_q <= 32'd0; fx_in_q <= 32'd0;
      fw_out_q <= 32'd0; fw_in_q <= 32'd0;
      issuing_q <= 1'b0;
      o_q <= 14'd0;
      i_q <= 14'd0;
      u_q <= {(LogUop+1){1'b0}};
      ra_q <= {(LogUop+1){1'b0}};
      primed_q <= 1'b0;
      oba_q <= 32'd0; obx_q <= 32'd0; obw_q <= 32'd0;
      offa_q <= 32'd0; offx_q <= 32'd0; offw_q <= 32'd0;
      kill_q <= 1'b0;
      s1_v_q <= 1'b0;
      s1_uoor_q <= 1'b0;
      s1_wu_q <= 1'b0;
      s1_b_q <= {LogAcc{1'b0}};
      s1_boor_q <= 1'b0;
      s1_uop_q <= 32'd0;
      s1_ia_q <= {LogAcc{1'b0}}; s1_ix_q <= {LogX{1'b0}}; s1_iw_q <= {LogWgt{1'b0}};
      hazard_q <= 1'b0;
      hit_q <= 1'b0;
      s1_lima_q <= {LB{1'b0}}; s1_limx_q <= {LB{1'b0}}; s1_limw_q <= {LB{1'b0}};
      r_v_q <= 1'b0;
      r_err_q <= 1'b0;
      r_wu_q <= 1'b0;
      r_a_q <= {LogAcc{1'b0}};
      r_o_q <= {LogAcc{1'b0}};
      r_x_q <= {LogX{1'b0}};
      r_w_q <= {LogWgt{1'b0}};
      hz_v_q <= {(HzSlow-1){1'b0}};
      for (mk = 1; mk < HzSlow; mk = mk + 1) hz_a_q[mk] <= {LogAcc{1'b0}};
      s2_v_q <= 1'b0;
      s2_wu_q <= 1'b0;
      s2_a_q <= {LogAcc{1'b0}};
      s2_o_q <= {LogAcc{1'b0}};
      s2_s_q <= {LogAcc{1'b0}};
      s3_v_q <= 1'b0;
      s3_wu_q <= 1'b0;
      s3_a_q <= {LogAcc{1'b0}};
      s3_o_q <= {LogAcc{1'b0}};
      s3_d_q <= {AccBits{1'b0}};
      s3_c_q <= {AccBits{1'b0}};
      pv_q <= {(WA-3){1'b0}};
      s1b_v_q <= 1'b0;
      s1b_miss_q <= 1'b0;
      s1b_a_q <= {LogAcc{1'b0}};
      s1b_s_q <= {LogAcc{1'b0}};
      sc_v_q <= {SrcCache{1'b0}};
      wr_v_q <= 1'b0;
      wr_a_q <= {LogAcc{1'b0}};
      wr_d_q <= {AccBits{1'b0}};
      fd3_q <= 1'b0;
      fs3_q <= 1'b0;
      c2l_push_o <= 1'b0;
      c2s_push_o <= 1'b0;
      err_o <= 1'b0;
      err_kind_o <= `DLVTA_ERR_NONE;
      retire_o <= 1'b0;
      retire_op_o <= 3'd0;
      retire_mem_o <= 3'd0;
      finish_o <= 1'b0;
    end else begin
      c2l_push_o <= 1'b0;
      c2s_push_o <= 1'b0;
      err_o <= 1'b0;
      retire_o <= 1'b0;
      finish_o <= 1'b0;

      // forwarding register: the accumulator write of this cycle
      wr_v_q <= acc_we;
      wr_a_q <= acc_waddr;
      wr_d_q <= acc_wdata;
      fd3_q <= acc_we && (acc_waddr == s2_o_q);
      fs3_q <= acc_we && !src_inp_q && (acc_waddr == s2_s_q);

      // S3 -> S4 .. WA (a GEMM iteration leaves after its write in S(WG), so that a GEMM
      // retires then and no GEMM iteration reaches the ALU's write stage)
      for (mk = 5; mk <= WA; mk = mk + 1) pv_q[mk] <= pv_q[mk-1] && (mk <= WG || is_alu);
      pv_q[4] <= s3_v_q;

      // pipeline S2 -> S3
      s3_v_q <= s2_v_q;
      s3_wu_q <= s2_wu_q;
      s3_a_q <= s2_a_q;
      s3_o_q <= s2_o_q;
      if (s2_v_q) begin
        s3_d_q <= acc_d2;
        s3_c_q <= acc_s2;
      end

      // source cache valid bits: a fill (which includes the write of the last cycle) wins over
      // the invalidation by that write
      for (sci = 0; sci < SrcCache; sci = sci + 1) begin
        if (sc_fill && (s1b_s_q[LogSc-1:0] == sci[LogSc-1:0])) sc_v_q[sci] <= 1'b1;
        else if (sc_inval && (sc_wr == sci[LogSc-1:0])) sc_v_q[sci] <= 1'b0;
      end

      // hazard delay line: the ALU iterations that left S1R in the last HzSlow-1 cycles
      hz_v_q <= {hz_v_q[HzSlow-2:1], r_go && is_alu};
      hz_a_q[1] <= r_a_q;
      for (mk = 2; mk < HzSlow; mk = mk + 1) hz_a_q[mk] <= hz_a_q[mk-1];

      // S1R -> S2 (slow: S1R -> S1b -> S2)
      if (slow) begin
        s1b_v_q <= r_go;
        s1b_miss_q <= !r_hit;
        s1b_a_q <= r_a_q;
        s1b_s_q <= r_s;
        s2_v_q <= s1b_v_q;
        s2_wu_q <= 1'b0;  // slow: ALU only
        s2_a_q <= s1b_a_q;
        s2_o_q <= s1b_a_q;
        s2_s_q <= s1b_s_q;
      end else begin
        s1b_v_q <= 1'b0;
        s2_v_q <= r_go;
        s2_wu_q <= r_wu_q;
        s2_a_q <= r_a_q;
        s2_o_q <= r_o_q;
        s2_s_q <= r_s;
      end

      // S0 -> S1 -> S1R (a waiting iteration stays in S1R, the one behind it in S1 and the uop
      // RAM keeps its output)
      if (adv) begin
        s1_v_q <= issue;
        s1_uoor_q <= u_oor;
        s1_wu_q <= warm;
        s1_b_q <= b_now[LogAcc-1:0];
        s1_boor_q <= bias_q && (|(b_now >> LogAcc));
        s1_uop_q <= uo_q;
        s1_ia_q <= ia0;
        s1_ix_q <= ix0;
        s1_iw_q <= iw0;
        s1_lima_q <= lim_a;
        s1_limx_q <= lim_x;
        s1_limw_q <= lim_w;
        r_v_q <= s1_v_q && !kill_q && !r_err;
        r_wu_q <= s1_wu_q;
        r_err_q <= s1_uoor_q || a_oor || (needs_src && (x_oor || w_oor)) || s1_boor_q || (src_inp_q && x_oor);
        r_a_q <= s1_ia_q;
        r_o_q <= bias_q ? s1_b_q : s1_ia_q;
        r_x_q <= s1_ix_q;
        r_w_q <= s1_iw_q;
      end
      hazard_q <= adv ? n_hz : s_hz;
      hit_q <= adv ? n_hit : s_hit;
      if (r_err) kill_q <= 1'b1;

      if (prime || issue) begin
        uo_q <= uop_rdata;
        ra_q <= ra_next;
      end
      if (prime) primed_q <= 1'b1;
      if (issue) begin
        if (u_wrap) begin
          u_q <= ubeg_q;
          if (i_wrap) begin
            i_q <= 14'd0;
            wcnt_q <= tw_q;
            if (o_wrap) begin
              issuing_q <= 1'b0;
            end
            o_q <= o_q + 14'd1;
            oba_q <= oba_q + fa_out_q;
            obx_q <= obx_q + fx_out_q;
            obw_q <= obw_q + fw_out_q;
            offa_q <= oba_q + fa_out_q;
            offx_q <= obx_q + fx_out_q;
            offw_q <= obw_q + fw_out_q;
          end else begin
            i_q <= i_q + 14'd1;
            offx_q <= offx_q + fx_in_q;
            if (warm) begin
              wcnt_q <= wcnt_q - 1'b1;
            end else begin
              offa_q <= offa_q + fa_in_q;
              offw_q <= offw_q + fw_in_q;
            end
          end
        end else begin
          u_q <= u_q + 1'b1;
        end
      end
      case (state_q)
        S_IDLE: begin
          // the head's fields, taken every idle cycle (read only once its loop or load runs: the
          // start's own head is the one that stays), so that the start, which waits on the halt
          // and the tokens, enables none of these registers; the start moves the state
          op_q <= h_op;
          mem_q <= h_mem;
          acc8_q <= (h_mem == `DLVTA_MEM_ACC8);
          push_prev_q <= h_push_prev;
          push_next_q <= h_push_next;
          pad_q <= q_insn_i[`DLVTA_F_PAD_VALUE_POS +: `DLVTA_F_PAD_VALUE_WIDTH];
          reset_q <= q_insn_i[`DLVTA_F_RESET_POS];
          dw_q <= h_is_dw;
          tap_en_q <= h_tap_en;
          tw_q <= h_is_dw ? h_taps - 1'b1 : {TW{1'b0}};
          wcnt_q <= h_is_dw ? h_taps - 1'b1 : {TW{1'b0}};
          bias_q <= ((h_op == `DLVTA_OP_GEMM) || h_is_dw) && !q_insn_i[`DLVTA_F_RESET_POS] && q_insn_i[`DLVTA_F_BIAS_POS];
          bb_q <= {{(BW-`DLVTA_F_WGT_IN_WIDTH){1'b0}}, q_insn_i[`DLVTA_F_WGT_IN_POS +: `DLVTA_F_WGT_IN_WIDTH]} -
                  {{(BW-`DLVTA_F_UOP_BEGIN_WIDTH){1'b0}}, q_insn_i[`DLVTA_F_UOP_BEGIN_POS +: `DLVTA_F_UOP_BEGIN_WIDTH]};
          alu_op_q <= q_insn_i[`DLVTA_F_ALU_OP_POS +: `DLVTA_F_ALU_OP_WIDTH];
          use_imm_q <= q_insn_i[`DLVTA_F_USE_IMM_POS];
          src_inp_q <= h_src_inp;
          is_alu_q <= h_is_alu;
          needs_src_q <= h_needs_src && !h_src_inp;
          dst_rd_q <= h_dst_rd;
          slow_q <= (AccCopies == 1) && h_is_alu && h_needs_src && !h_src_inp;
          imm_q <= q_insn_i[`DLVTA_F_IMM_POS +: `DLVTA_F_IMM_WIDTH];
          ubeg_q <= {1'b0, q_insn_i[`DLVTA_F_UOP_BEGIN_POS +: `DLVTA_F_UOP_BEGIN_WIDTH]};
          uendm1_q <= q_insn_i[`DLVTA_F_UOP_END_POS +: `DLVTA_F_UOP_END_WIDTH] - 1'b1;
          loutm1_q <= q_insn_i[`DLVTA_F_LOOP_OUT_POS +: `DLVTA_F_LOOP_OUT_WIDTH] - 14'd1;
          linm1_q <= q_insn_i[`DLVTA_F_LOOP_IN_POS +: `DLVTA_F_LOOP_IN_WIDTH] - 14'd1;
          if (h_is_alu) begin
            fa_out_q <= {{(32-`DLVTA_F_DST_OUT_WIDTH){1'b0}}, q_insn_i[`DLVTA_F_DST_OUT_POS +: `DLVTA_F_DST_OUT_WIDTH]};
            fa_in_q <= {{(32-`DLVTA_F_DST_IN_WIDTH){1'b0}}, q_insn_i[`DLVTA_F_DST_IN_POS +: `DLVTA_F_DST_IN_WIDTH]};
            fx_out_q <= {{(32-`DLVTA_F_SRC_OUT_WIDTH){1'b0}}, q_insn_i[`DLVTA_F_SRC_OUT_POS +: `DLVTA_F_SRC_OUT_WIDTH]};
            fx_in_q <= {{(32-`DLVTA_F_SRC_IN_WIDTH){1'b0}}, q_insn_i[`DLVTA_F_SRC_IN_POS +: `DLVTA_F_SRC_IN_WIDTH]};
            fw_out_q <= 32'd0;
            fw_in_q <= 32'd0;
          end else begin
            fa_out_q <= {{(32-`DLVTA_F_ACC_OUT_WIDTH){1'b0}}, q_insn_i[`DLVTA_F_ACC_OUT_POS +: `DLVTA_F_ACC_OUT_WIDTH]};
            fa_in_q <= {{(32-`DLVTA_F_ACC_IN_WIDTH){1'b0}}, q_insn_i[`DLVTA_F_ACC_IN_POS +: `DLVTA_F_ACC_IN_WIDTH]};
            fx_out_q <= {{(32-`DLVTA_F_INP_OUT_WIDTH){1'b0}}, q_insn_i[`DLVTA_F_INP_OUT_POS +: `DLVTA_F_INP_OUT_WIDTH]};
            fx_in_q <= {{(32-`DLVTA_F_INP_IN_WIDTH){1'b0}}, q_insn_i[`DLVTA_F_INP_IN_POS +: `DLVTA_F_INP_IN_WIDTH]};
            // DWGEMM: no outer factor (its wgt_out bits are the taps)
            fw_out_q <= h_is_dw ? 32'd0 :
                        {{(32-`DLVTA_F_WGT_OUT_WIDTH){1'b0}}, q_insn_i[`DLVTA_F_WGT_OUT_POS +: `DLVTA_F_WGT_OUT_WIDTH]};
            // with bias, wgt_in is the first bias element, not a factor
            fw_in_q <= (q_insn_i[`DLVTA_F_BIAS_POS] && !q_insn_i[`DLVTA_F_RESET_POS]) ? 32'd0 :
                       {{(32-`DLVTA_F_WGT_IN_WIDTH){1'b0}}, q_insn_i[`DLVTA_F_WGT_IN_POS +: `DLVTA_F_WGT_IN_WIDTH]};
          end
          o_q <= 14'd0;
          i_q <= 14'd0;
          u_q <= {1'b0, q_insn_i[`DLVTA_F_UOP_BEGIN_POS +: `DLVTA_F_UOP_BEGIN_WIDTH]};
          ra_q <= {1'b0, q_insn_i[`DLVTA_F_UOP_BEGIN_POS +: `DLVTA_F_UOP_BEGIN_WIDTH]};
          primed_q <= 1'b0;
          oba_q <= 32'd0; obx_q <= 32'd0; obw_q <= 32'd0;
          offa_q <= 32'd0; offx_q <= 32'd0; offw_q <= 32'd0;
          kill_q <= 1'b0;
          if (start) begin
            case (h_op)
              `DLVTA_OP_LOAD: state_q <= S_LOAD;
              `DLVTA_OP_GEMM, `DLVTA_OP_DWGEMM, `DLVTA_OP_ALU: begin
                issuing_q <= !h_empty_loop;
                state_q <= S_LOOP;
              end
              default: state_q <= S_RETIRE;  // FINISH
            endcase
          end
        end
        S_LOAD: begin
          if (ld_done) begin
            if (ld_rerr || ld_derr) begin
              err_o <= 1'b1;
              err_kind_o <= ld_rerr ? `DLVTA_ERR_SRAM_RANGE : `DLVTA_ERR_DRAM_RANGE;
              state_q <= S_DEAD;
            end else begin
              state_q <= S_RETIRE;
            end
          end
        end
        S_LOOP: begin
          if (r_err) begin
            err_o <= 1'b1;
            err_kind_o <= `DLVTA_ERR_SRAM_RANGE;
            issuing_q <= 1'b0;
          end
          if (kill_q && !tail_busy) begin
            state_q <= S_DEAD;
          end else if (!kill_q && !r_err && loop_done) begin
            state_q <= S_RETIRE;
          end
        end
        S_RETIRE: begin
          c2l_push_o <= push_prev_q;
          c2s_push_o <= push_next_q;
          retire_o <= 1'b1;
          retire_op_o <= op_q;
          retire_mem_o <= mem_q;
          finish_o <= (op_q == `DLVTA_OP_FINISH);
          state_q <= S_IDLE;
        end
        default: begin
          // S_DEAD: stopped on an error until the next run (reset)
        end
      endcase
    end
  end

  wire unused_ok = ^{ld_busy, q_insn_i, uo_q, s1_uop_q, ra_next[LogUop], ua0, us0, uw0};
endmodule

`default_nettype wire
