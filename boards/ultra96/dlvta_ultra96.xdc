# boards/ultra96/dlvta_ultra96.xdc -- constraints of the Ultra96 build: the fabric clock only (no
# package pins used). zynq_ultra_ps_e already constrains pl_clk0 from its frequency setting; this
# states the period the design must meet, 4.651 ns = 215 MHz of config ultra96 (hw/bitstream.sh
# checks it against dlvta_isa.vh). The PS makes pl_clk0 by dividing a PLL: asked for 215 MHz it
# gives 214.3 MHz (IOPLL 1500 MHz / 7; the config table holds whole MHz), so this period is
# 0.016 ns tighter than the clock's own 4.667 ns.
create_clock -period 4.651 -name clk_pl_0 [get_pins -hierarchical -filter {NAME =~ */PS8_i/PLCLK[0]}]
