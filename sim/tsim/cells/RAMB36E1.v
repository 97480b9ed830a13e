// sim/tsim/cells/RAMB36E1.v -- simulation model of the 7-series 36 Kb block RAM for the
// post-synthesis netlist (yosys's cells_sim.v declares its ports and parameters but gives it no
// behaviour): the ports and parameters of /usr/share/yosys/xilinx/cells_sim.v, the behaviour in
// xbram_sim.v (what it models; output registers, cascade, ECC, inverted clocks and INIT_FILE fail
// elaboration).
`default_nettype none

module RAMB36E1 (
  output wire        CASCADEOUTA,
  output wire        CASCADEOUTB,
  output wire [7:0]  ECCPARITY,
  output wire [8:0]  RDADDRECC,
  output wire        SBITERR,
  output wire        DBITERR,
  input  wire        CASCADEINA,
  input  wire        CASCADEINB,
  input  wire        INJECTDBITERR,
  input  wire        INJECTSBITERR,
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
  input  wire [15:0] ADDRARDADDR,
  input  wire [15:0] ADDRBWRADDR,
  input  wire [31:0] DIADI,
  input  wire [31:0] DIBDI,
  input  wire [3:0]  DIPADIP,
  input  wire [3:0]  DIPBDIP,
  input  wire [3:0]  WEA,
  input  wire [7:0]  WEBWE,
  output wire [31:0] DOADO,
  output wire [31:0] DOBDO,
  output wire [3:0]  DOPADOP,
  output wire [3:0]  DOPBDOP
);
  parameter integer DOA_REG = 0;
  parameter integer DOB_REG = 0;
  parameter EN_ECC_READ = "FALSE";
  parameter EN_ECC_WRITE = "FALSE";
  parameter RAM_EXTENSION_A = "NONE";
  parameter RAM_EXTENSION_B = "NONE";
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
  parameter INIT_40 = 256'h0;
  parameter INIT_41 = 256'h0;
  parameter INIT_42 = 256'h0;
  parameter INIT_43 = 256'h0;
  parameter INIT_44 = 256'h0;
  parameter INIT_45 = 256'h0;
  parameter INIT_46 = 256'h0;
  parameter INIT_47 = 256'h0;
  parameter INIT_48 = 256'h0;
  parameter INIT_49 = 256'h0;
  parameter INIT_4A = 256'h0;
  parameter INIT_4B = 256'h0;
  parameter INIT_4C = 256'h0;
  parameter INIT_4D = 256'h0;
  parameter INIT_4E = 256'h0;
  parameter INIT_4F = 256'h0;
  parameter INIT_50 = 256'h0;
  parameter INIT_51 = 256'h0;
  parameter INIT_52 = 256'h0;
  parameter INIT_53 = 256'h0;
  parameter INIT_54 = 256'h0;
  parameter INIT_55 = 256'h0;
  parameter INIT_56 = 256'h0;
  parameter INIT_57 = 256'h0;
  parameter INIT_58 = 256'h0;
  parameter INIT_59 = 256'h0;
  parameter INIT_5A = 256'h0;
  parameter INIT_5B = 256'h0;
  parameter INIT_5C = 256'h0;
  parameter INIT_5D = 256'h0;
  parameter INIT_5E = 256'h0;
  parameter INIT_5F = 256'h0;
  parameter INIT_60 = 256'h0;
  parameter INIT_61 = 256'h0;
  parameter INIT_62 = 256'h0;
  parameter INIT_63 = 256'h0;
  parameter INIT_64 = 256'h0;
  parameter INIT_65 = 256'h0;
  parameter INIT_66 = 256'h0;
  parameter INIT_67 = 256'h0;
  parameter INIT_68 = 256'h0;
  parameter INIT_69 = 256'h0;
  parameter INIT_6A = 256'h0;
  parameter INIT_6B = 256'h0;
  parameter INIT_6C = 256'h0;
  parameter INIT_6D = 256'h0;
  parameter INIT_6E = 256'h0;
  parameter INIT_6F = 256'h0;
  parameter INIT_70 = 256'h0;
  parameter INIT_71 = 256'h0;
  parameter INIT_72 = 256'h0;
  parameter INIT_73 = 256'h0;
  parameter INIT_74 = 256'h0;
  parameter INIT_75 = 256'h0;
  parameter INIT_76 = 256'h0;
  parameter INIT_77 = 256'h0;
  parameter INIT_78 = 256'h0;
  parameter INIT_79 = 256'h0;
  parameter INIT_7A = 256'h0;
  parameter INIT_7B = 256'h0;
  parameter INIT_7C = 256'h0;
  parameter INIT_7D = 256'h0;
  parameter INIT_7E = 256'h0;
  parameter INIT_7F = 256'h0;
  parameter INITP_00 = 256'h0;
  parameter INITP_01 = 256'h0;
  parameter INITP_02 = 256'h0;
  parameter INITP_03 = 256'h0;
  parameter INITP_04 = 256'h0;
  parameter INITP_05 = 256'h0;
  parameter INITP_06 = 256'h0;
  parameter INITP_07 = 256'h0;
  parameter INITP_08 = 256'h0;
  parameter INITP_09 = 256'h0;
  parameter INITP_0A = 256'h0;
  parameter INITP_0B = 256'h0;
  parameter INITP_0C = 256'h0;
  parameter INITP_0D = 256'h0;
  parameter INITP_0E = 256'h0;
  parameter INITP_0F = 256'h0;
  parameter INIT_A = 36'h0;
  parameter INIT_B = 36'h0;
  parameter INIT_FILE = "NONE";
  parameter RAM_MODE = "TDP";
  parameter RDADDR_COLLISION_HWCONFIG = "DELAYED_WRITE";
  parameter integer READ_WIDTH_A = 0;
  parameter integer READ_WIDTH_B = 0;
  parameter RSTREG_PRIORITY_A = "RSTREG";
  parameter RSTREG_PRIORITY_B = "RSTREG";
  parameter SIM_COLLISION_CHECK = "ALL";
  parameter SIM_DEVICE = "VIRTEX6";
  parameter SRVAL_A = 36'h0;
  parameter SRVAL_B = 36'h0;
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

  // no cascade, no ECC: their outputs are constant
  assign CASCADEOUTA = 1'b0;
  assign CASCADEOUTB = 1'b0;
  assign ECCPARITY = 8'h0;
  assign RDADDRECC = 9'h0;
  assign SBITERR = 1'b0;
  assign DBITERR = 1'b0;

  localparam integer UNSUPPORTED = DOA_REG != 0 || DOB_REG != 0 || INIT_FILE != "NONE" ||
                                   IS_CLKARDCLK_INVERTED != 0 || IS_CLKBWRCLK_INVERTED != 0 ||
                                   EN_ECC_READ != "FALSE" || EN_ECC_WRITE != "FALSE" ||
                                   RAM_EXTENSION_A != "NONE" || RAM_EXTENSION_B != "NONE";
  localparam [71:0] INIT_A72 = INIT_A, INIT_B72 = INIT_B, SRVAL_A72 = SRVAL_A, SRVAL_B72 = SRVAL_B;
  localparam [32767:0] INIT_ALL = {
    INIT_7F, INIT_7E, INIT_7D, INIT_7C, INIT_7B, INIT_7A, INIT_79, INIT_78, INIT_77, INIT_76,
    INIT_75, INIT_74, INIT_73, INIT_72, INIT_71, INIT_70, INIT_6F, INIT_6E, INIT_6D, INIT_6C,
    INIT_6B, INIT_6A, INIT_69, INIT_68, INIT_67, INIT_66, INIT_65, INIT_64, INIT_63, INIT_62,
    INIT_61, INIT_60, INIT_5F, INIT_5E, INIT_5D, INIT_5C, INIT_5B, INIT_5A, INIT_59, INIT_58,
    INIT_57, INIT_56, INIT_55, INIT_54, INIT_53, INIT_52, INIT_51, INIT_50, INIT_4F, INIT_4E,
    INIT_4D, INIT_4C, INIT_4B, INIT_4A, INIT_49, INIT_48, INIT_47, INIT_46, INIT_45, INIT_44,
    INIT_43, INIT_42, INIT_41, INIT_40, INIT_3F, INIT_3E, INIT_3D, INIT_3C, INIT_3B, INIT_3A,
    INIT_39, INIT_38, INIT_37, INIT_36, INIT_35, INIT_34, INIT_33, INIT_32, INIT_31, INIT_30,
    INIT_2F, INIT_2E, INIT_2D, INIT_2C, INIT_2B, INIT_2A, INIT_29, INIT_28, INIT_27, INIT_26,
    INIT_25, INIT_24, INIT_23, INIT_22, INIT_21, INIT_20, INIT_1F, INIT_1E, INIT_1D, INIT_1C,
    INIT_1B, INIT_1A, INIT_19, INIT_18, INIT_17, INIT_16, INIT_15, INIT_14, INIT_13, INIT_12,
    INIT_11, INIT_10, INIT_0F, INIT_0E, INIT_0D, INIT_0C, INIT_0B, INIT_0A, INIT_09, INIT_08,
    INIT_07, INIT_06, INIT_05, INIT_04, INIT_03, INIT_02, INIT_01, INIT_00
  };
  localparam [4095:0] INITP_ALL = {
    INITP_0F, INITP_0E, INITP_0D, INITP_0C, INITP_0B, INITP_0A, INITP_09, INITP_08, INITP_07,
    INITP_06, INITP_05, INITP_04, INITP_03, INITP_02, INITP_01, INITP_00
  };

  xbram_sim #(
    .ABits(15), .DPins(32), .PPins(4), .RAM_MODE(RAM_MODE),
    .READ_WIDTH_A(READ_WIDTH_A), .READ_WIDTH_B(READ_WIDTH_B),
    .WRITE_WIDTH_A(WRITE_WIDTH_A), .WRITE_WIDTH_B(WRITE_WIDTH_B),
    .WRITE_MODE_A(WRITE_MODE_A), .WRITE_MODE_B(WRITE_MODE_B),
    .INIT_A(INIT_A72), .INIT_B(INIT_B72), .SRVAL_A(SRVAL_A72), .SRVAL_B(SRVAL_B72),
    .INIT(INIT_ALL), .INITP(INITP_ALL), .Unsupported(UNSUPPORTED)
  ) u_core (
    .clka_i(CLKARDCLK), .ena_i(ENARDEN ^ IS_ENARDEN_INVERTED[0]),
    .rsta_i(RSTRAMARSTRAM ^ IS_RSTRAMARSTRAM_INVERTED[0]), .addra_i(ADDRARDADDR[14:0]),
    .dia_i(DIADI), .dipa_i(DIPADIP), .wea_i(WEA[3:0]),
    .clkb_i(CLKBWRCLK), .enb_i(ENBWREN ^ IS_ENBWREN_INVERTED[0]),
    .rstb_i(RSTRAMB ^ IS_RSTRAMB_INVERTED[0]), .addrb_i(ADDRBWRADDR[14:0]),
    .dib_i(DIBDI), .dipb_i(DIPBDIP), .web_i(WEBWE[7:0]),
    .doa_o(DOADO), .dopa_o(DOPADOP), .dob_o(DOBDO), .dopb_o(DOPBDOP)
  );
endmodule
