# boards/ultra96/dlvta_ultra96.xdc -- constraints of the Ultra96 build: the fabric clock only (no
# package pins used). zynq_ultra_ps_e already constrains pl_clk0 from its frequency setting; this
# states the period the design must meet, 4.651 ns = 215 MHz of config ultra96 (hw/bitstream.sh
# checks it against dlvta_isa.vh). The PS makes pl_clk0 by dividing a PLL: asked for 215 MHz it
# gives 214.3 MHz (IOPLL 1500 MHz / 7; the config table holds whole MHz), so this period is
# 0.016 ns tighter than the clock's own 4.667 ns.
# With gemm_pump 2 (config ultra96x2, BOARD_CONFIG=ultra96x2) pl_clk0 feeds only the block design's clocking wizard (one
# MMCM, boards/ultra96/bd.tcl): its clk_out1 (the core clock clk, at pl_clk0's frequency) and
# clk_out2 (clk2x, twice it, for the GEMM's DSP slices) need no constraint here: Vivado derives
# both as generated clocks of the clock at the MMCM's input (UG949, auto-derived clocks), 4.651
# and 2.326 ns from this one, related and phase-aligned, so clk <-> clk2x paths are timed on one
# clk2x period; no multicycle or false path (the RTL's crossings are made for one clk2x period).
# (Should the wizard's own constraint of its input, at its input frequency 214.286 MHz, win over
# this clock there, they are 4.667 and 2.333 ns, the clocks the hardware has: timing.txt's clock
# table says which; not run yet, no Vivado here.)
create_clock -period 4.651 -name clk_pl_0 [get_pins -hierarchical -filter {NAME =~ */PS8_i/PLCLK[0]}]
