# model/model.mk -- the model layer (package.h): the package container (pkg.h), the compiled
# model's schema with its writer, reader and validator, and the tensor layout of the accelerator
# image with its packing. The compiler writes it, the runtime reads it.
LIB_SRCS += $(wildcard model/*.c)
