# boards/ultra96/dlvta_ultra96.xdc -- constraints of the Ultra96 build: the fabric clock only (no
# package pins used). zynq_ultra_ps_e already constrains pl_clk0 from its frequency setting; this
# states the period the design must meet, 6.667 ns = 150 MHz of config ultra96 (hw/bitstream.sh
# checks it against dlvta_isa.vh).
create_clock -period 6.667 -name clk_pl_0 [get_pins -hierarchical -filter {NAME =~ */PS8_i/PLCLK[0]}]
