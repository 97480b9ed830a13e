/* tests/test_isa_gen.c -- the generated header (build/pynq/dlvta_isa.h) agrees with libisa's
 * run-time layout for the same config: the generator and the library read one table. */
#include <string.h>

#include "../build/pynq/dlvta_isa.h"
#include "isa.h"
#include "testutil.h"

int main(void) {
  const isa_config *c = isa_config_find(DLVTA_CONFIG_NAME);
  CHECK(c != NULL, "config %s exists", DLVTA_CONFIG_NAME);
  if (!c) return TEST_END();
  CHECK(c->fingerprint == DLVTA_FINGERPRINT, "fingerprint");
  CHECK(c->d.block_in == DLVTA_BLOCK_IN && c->d.block_out == DLVTA_BLOCK_OUT && c->d.batch == DLVTA_BATCH,
        "GEMM shape");
  CHECK(c->d.acc_depth == DLVTA_ACC_DEPTH && c->d.inp_depth == DLVTA_INP_DEPTH &&
            c->d.wgt_depth == DLVTA_WGT_DEPTH && c->d.uop_depth == DLVTA_UOP_DEPTH,
        "depths");
#define CHECK_FIELD(NAME, UPPER)                                                     \
  CHECK(c->fpos[ISA_F_##NAME] == DLVTA_F_##UPPER##_POS &&                            \
            c->fwidth[ISA_F_##NAME] == DLVTA_F_##UPPER##_WIDTH,                      \
        "field " #NAME ": runtime %u/%u, generated %u/%u", c->fpos[ISA_F_##NAME],    \
        c->fwidth[ISA_F_##NAME], DLVTA_F_##UPPER##_POS, DLVTA_F_##UPPER##_WIDTH)
  CHECK_FIELD(opcode, OPCODE);
  CHECK_FIELD(sram, SRAM);
  CHECK_FIELD(dram, DRAM);
  CHECK_FIELD(pad_value, PAD_VALUE);
  CHECK_FIELD(uop_end, UOP_END);
  CHECK_FIELD(wgt_in, WGT_IN);
  CHECK_FIELD(imm, IMM);
  CHECK_FIELD(u_wgt, U_WGT);
  CHECK(c->insn_used_bits[ISA_OP_GEMM] == DLVTA_OP_GEMM_USED_BITS, "GEMM used bits");
  CHECK(c->elem_bytes[ISA_MEM_WGT] == DLVTA_MEM_WGT_ELEM_BYTES, "WGT element bytes");
  CHECK(ISA_ALU_REQ == DLVTA_ALU_REQ && ISA_OP_FINISH == DLVTA_OP_FINISH, "codes");
  return TEST_END();
}
