# ir/ir.mk -- the graph IR (ir.h): tensors, nodes, attributes, the operator table ir_ops.def,
# shape inference and the verifier. Below the compiler (its passes) and the model layer (the
# package's runtime graph); the reference executor (ref/) runs it.
LIB_SRCS += $(wildcard ir/*.c)
