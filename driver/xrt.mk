# driver/xrt.mk -- builds driver/backend_xrt.c against XRT when XRT's headers and libxrt_coreutil
# are present (Debian's libxrt-dev, or an XRT install under /opt/xilinx/xrt); otherwise the xrt
# backend is compiled without it and its open returns DRV_E_BACKEND "built without XRT".
# Included by hw/hw.mk.
#
#   make XRT=0          build without XRT even if it is installed
#   make XRT_DIR=/opt/xilinx/xrt   use that install (include/ and lib/ under it)

XRT ?= auto
XRT_DIR ?=
ifneq ($(XRT_DIR),)
XRT_INC := $(XRT_DIR)/include
XRT_LIB := $(firstword $(wildcard $(XRT_DIR)/lib/libxrt_coreutil.so))
else
XRT_INC := $(firstword $(wildcard /opt/xilinx/xrt/include /usr/include/xrt))
XRT_LIB := $(firstword $(wildcard /opt/xilinx/xrt/lib/libxrt_coreutil.so \
                                  /usr/lib/*/libxrt_coreutil.so /usr/lib/libxrt_coreutil.so))
endif
# XRT's runtime loads its shim (libxrt_core.so.2) from $XILINX_XRT/lib; tests point
# XILINX_XRT at a directory holding a link to it.
XRT_CORE_LIB := $(firstword $(wildcard $(dir $(XRT_LIB))libxrt_core.so.2))

HAVE_XRT :=
ifneq ($(XRT),0)
ifneq ($(wildcard $(XRT_INC)/xrt/xrt_device.h),)
ifneq ($(XRT_LIB),)
HAVE_XRT := 1
endif
endif
endif

ifeq ($(HAVE_XRT),1)
XRT_CFLAGS  := -DDLVTA_HAVE_XRT -isystem $(XRT_INC) -DDLVTA_XRT_CORE_LIB='"$(XRT_CORE_LIB)"'
XRT_LDLIBS  := -L$(dir $(XRT_LIB)) -Wl,-rpath,$(dir $(XRT_LIB)) -lxrt_coreutil
else
XRT_CFLAGS  :=
XRT_LDLIBS  :=
endif
EXTRA_LDLIBS += $(XRT_LDLIBS)

# Rebuild the backend (and its test) when the XRT choice changes.
XRT_STAMP := $(BUILD)/obj/driver/xrt.flags
$(shell mkdir -p $(BUILD)/obj/driver; echo '$(XRT_CFLAGS)' | cmp -s - $(XRT_STAMP) 2>/dev/null || \
        echo '$(XRT_CFLAGS)' > $(XRT_STAMP))
$(BUILD)/obj/driver/backend_xrt.o: private EXTRA_CFLAGS += $(XRT_CFLAGS)
$(BUILD)/obj/driver/backend_xrt.o: $(XRT_STAMP)
$(BUILD)/tests/test_xrt: private CPPFLAGS += $(XRT_CFLAGS)
$(BUILD)/tests/test_xrt: $(XRT_STAMP)
