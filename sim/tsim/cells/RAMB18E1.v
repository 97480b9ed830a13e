// sim/tsim/cells/RAMB18E1.v -- simulation model of the 7-series 18 Kb block RAM for the
// post-synthesis netlist (yosys's cells_sim.v declares its ports and parameters but gives it no
// behaviour): the ports and parameters of /usr/share/yosys/xilinx/cells_sim.v, the behaviour in
// xbram_sim.v (what it models; output registers, inverted clocks and INIT_FILE fail
// elaboration).
`default_nettype none

module RAMB18E1 (
  input  wire        CLKARDCLK,
  input  wire        CLKBWRCLK,
  input  wire        ENARDEN,
  input  wire        ENBWREN,
  input  wire        REGCEAREGCE,
  input  wire        REGCEB,
  input  wire        RSTRAMARSTRAM,
  input  wire        RSTRAMB,
  input  wire        RSTREGARSTREG,
  input  wire        RSTREGB,
  input  wire [13:0] ADDRARDADDR,
  input  wire [13:0] ADDRBWRADDR,
  input  wire [15:0] DIADI,
  input  wire [15:0] DIBDI,
  input  wire [1:0]  DIPADIP,
  input  wire [1:0]  DIPBDIP,
  input  wire [1:0]  WEA,
  input  wire [3:0]  WEBWE,
  output wire [15:0] DOADO,
  output wire [15:0] DOBDO,
  output wire [1:0]  DOPADOP,
  output wire [1:0]  DOPBDOP
);
  parameter integer DOA_REG = 0;
  parameter integer DOB_REG = 0;
  parameter INIT_00 = 256'h0;
  parameter INIT_01 = 256'h0;
  parameter INIT_02 = 256'h0;
  parameter INIT_03 = 256'h0;
  parameter INIT_04 = 256'h0;
  parameter INIT_05 = 256'h0;
  parameter INIT_06 = 256'h0;
  parameter INIT_07 = 256'h0;
  parameter INIT_08 = 256'h0;
  parameter INIT_09 = 256'h0;
  parameter INIT_0A = 256'h0;
  parameter INIT_0B = 256'h0;
  parameter INIT_0C = 256'h0;
  parameter INIT_0D = 256'h0;
  parameter INIT_0E = 256'h0;
  parameter INIT_0F = 256'h0;
  parameter INIT_10 = 256'h0;
  parameter INIT_11 = 256'h0;
  parameter INIT_12 = 256'h0;
  parameter INIT_13 = 256'h0;
  parameter INIT_14 = 256'h0;
  parameter INIT_15 = 256'h0;
  parameter INIT_16 = 256'h0;
  parameter INIT_17 = 256'h0;
  parameter INIT_18 = 256'h0;
  parameter INIT_19 = 256'h0;
  parameter INIT_1A = 256'h0;
  parameter INIT_1B = 256'h0;
  parameter INIT_1C = 256'h0;
  parameter INIT_1D = 256'h0;
  parameter INIT_1E = 256'h0;
  parameter INIT_1F = 256'h0;
  parameter INIT_20 = 256'h0;
  parameter INIT_21 = 256'h0;
  parameter INIT_22 = 256'h0;
  parameter INIT_23 = 256'h0;
  parameter INIT_24 = 256'h0;
  parameter INIT_25 = 256'h0;
  parameter INIT_26 = 256'h0;
  parameter INIT_27 = 256'h0;
  parameter INIT_28 = 256'h0;
  parameter INIT_29 = 256'h0;
  parameter INIT_2A = 256'h0;
  parameter INIT_2B = 256'h0;
  parameter INIT_2C = 256'h0;
  parameter INIT_2D = 256'h0;
  parameter INIT_2E = 256'h0;
  parameter INIT_2F = 256'h0;
  parameter INIT_30 = 256'h0;
  parameter INIT_31 = 256'h0;
  parameter INIT_32 = 256'h0;
  parameter INIT_33 = 256'h0;
  parameter INIT_34 = 256'h0;
  parameter INIT_35 = 256'h0;
  parameter INIT_36 = 256'h0;
  parameter INIT_37 = 256'h0;
  parameter INIT_38 = 256'h0;
  parameter INIT_39 = 256'h0;
  parameter INIT_3A = 256'h0;
  parameter INIT_3B = 256'h0;
  parameter INIT_3C = 256'h0;
  parameter INIT_3D = 256'h0;
  parameter INIT_3E = 256'h0;
  parameter INIT_3F = 256'h0;
  parameter INITP_00 = 256'h0;
  parameter INITP_01 = 256'h0;
  parameter INITP_02 = 256'h0;
  parameter INITP_03 = 256'h0;
  parameter INITP_04 = 256'h0;
  parameter INITP_05 = 256'h0;
  parameter INITP_06 = 256'h0;
  parameter INITP_07 = 256'h0;
  parameter INIT_A = 18'h0;
  parameter INIT_B = 18'h0;
  parameter INIT_FILE = "NONE";
  parameter RAM_MODE = "TDP";
  parameter RDADDR_COLLISION_HWCONFIG = "DELAYED_WRITE";
  parameter integer READ_WIDTH_A = 0;
  parameter integer READ_WIDTH_B = 0;
  parameter RSTREG_PRIORITY_A = "RSTREG";
  parameter RSTREG_PRIORITY_B = "RSTREG";
  parameter SIM_COLLISION_CHECK = "ALL";
  parameter SIM_DEVICE = "VIRTEX6";
  parameter SRVAL_A = 18'h0;
  parameter SRVAL_B = 18'h0;
  parameter WRITE_MODE_A = "WRITE_FIRST";
  parameter WRITE_MODE_B = "WRITE_FIRST";
  parameter integer WRITE_WIDTH_A = 0;
  parameter integer WRITE_WIDTH_B = 0;
  parameter IS_CLKARDCLK_INVERTED = 1'b0;
  parameter IS_CLKBWRCLK_INVERTED = 1'b0;
  parameter IS_ENARDEN_INVERTED = 1'b0;
  parameter IS_ENBWREN_INVERTED = 1'b0;
  parameter IS_RSTRAMARSTRAM_INVERTED = 1'b0;
  parameter IS_RSTRAMB_INVERTED = 1'b0;
  parameter IS_RSTREGARSTREG_INVERTED = 1'b0;
  parameter IS_RSTREGB_INVERTED = 1'b0;

  localparam integer UNSUPPORTED = DOA_REG != 0 || DOB_REG != 0 || INIT_FILE != "NONE" ||
                                   IS_CLKARDCLK_INVERTED != 0 || IS_CLKBWRCLK_INVERTED != 0;
  localparam [71:0] INIT_A72 = INIT_A, INIT_B72 = INIT_B, SRVAL_A72 = SRVAL_A, SRVAL_B72 = SRVAL_B;
  localparam [16383:0] INIT_ALL = {
    INIT_3F, INIT_3E, INIT_3D, INIT_3C, INIT_3B, INIT_3A, INIT_39, INIT_38, INIT_37, INIT_36,
    INIT_35, INIT_34, INIT_33, INIT_32, INIT_31, INIT_30, INIT_2F, INIT_2E, INIT_2D, INIT_2C,
    INIT_2B, INIT_2A, INIT_29, INIT_28, INIT_27, INIT_26, INIT_25, INIT_24, INIT_23, INIT_22,
    INIT_21, INIT_20, INIT_1F, INIT_1E, INIT_1D, INIT_1C, INIT_1B, INIT_1A, INIT_19, INIT_18,
    INIT_17, INIT_16, INIT_15, INIT_14, INIT_13, INIT_12, INIT_11, INIT_10, INIT_0F, INIT_0E,
    INIT_0D, INIT_0C, INIT_0B, INIT_0A, INIT_09, INIT_08, INIT_07, INIT_06, INIT_05, INIT_04,
    INIT_03, INIT_02, INIT_01, INIT_00
  };
  localparam [2047:0] INITP_ALL = {
    INITP_07, INITP_06, INITP_05, INITP_04, INITP_03, INITP_02, INITP_01, INITP_00
  };

  xbram_sim #(
    .ABits(14), .DPins(16), .PPins(2), .RAM_MODE(RAM_MODE),
    .READ_WIDTH_A(READ_WIDTH_A), .READ_WIDTH_B(READ_WIDTH_B),
    .WRITE_WIDTH_A(WRITE_WIDTH_A), .WRITE_WIDTH_B(WRITE_WIDTH_B),
    .WRITE_MODE_A(WRITE_MODE_A), .WRITE_MODE_B(WRITE_MODE_B),
    .INIT_A(INIT_A72), .INIT_B(INIT_B72), .SRVAL_A(SRVAL_A72), .SRVAL_B(SRVAL_B72),
    .INIT(INIT_ALL), .INITP(INITP_ALL), .Unsupported(UNSUPPORTED)
  ) u_core (
    .clka_i(CLKARDCLK), .ena_i(ENARDEN ^ IS_ENARDEN_INVERTED[0]),
    .rsta_i(RSTRAMARSTRAM ^ IS_RSTRAMARSTRAM_INVERTED[0]), .addra_i(ADDRARDADDR[13:0]),
    .dia_i(DIADI), .dipa_i(DIPADIP), .wea_i(WEA[1:0]),
    .clkb_i(CLKBWRCLK), .enb_i(ENBWREN ^ IS_ENBWREN_INVERTED[0]),
    .rstb_i(RSTRAMB ^ IS_RSTRAMB_INVERTED[0]), .addrb_i(ADDRBWRADDR[13:0]),
    .dib_i(DIBDI), .dipb_i(DIPBDIP), .web_i(WEBWE[3:0]),
    .doa_o(DOADO), .dopa_o(DOPADOP), .dob_o(DOBDO), .dopb_o(DOPBDOP)
  );
endmodule
