# boards/pynq/dlvta_pynq.xdc -- constraints of the PYNQ build: the fabric clock only (the design
# uses no package pins; DDR and MIO are the PS's dedicated pins). processing_system7 already
# constrains FCLK_CLK0 from its frequency setting; this states the period the design must meet,
# 10.000 ns = 100 MHz of config pynq (hw/bitstream.sh checks it against dlvta_isa.vh).
create_clock -period 10.000 -name clk_fpga_0 [get_pins -hierarchical -filter {NAME =~ */PS7_i/FCLKCLK[0]}]
