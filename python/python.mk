# python/python.mk -- the shared runtime library, the Python binding (python/dlvta, ctypes over
# libdlvta.so) and `make install`. Included from the top-level Makefile after LIB_OBJS.
#
#   make                      also builds build/libdlvta.so (same objects as libdlvta.a, all PIC)
#   make install PREFIX=/usr/local [DESTDIR=/tmp/stage]
#       bin/dlvta, lib/libdlvta.a, lib/libdlvta.so, include/dlvta/ (the public headers and
#       everything they include), lib/pkgconfig/dlvta.pc, and the Python module where Debian's
#       python3 looks: $(PREFIX)/lib/python3/dist-packages for /usr, else
#       $(PREFIX)/lib/python3.X/dist-packages (PYTHONDIR=... to choose)
#   make uninstall PREFIX=... [DESTDIR=...]
#   pip install --no-build-isolation .   (setup.py: builds libdlvta.so and puts it in the module)

SYS_PYTHON   ?= /usr/bin/python3
DLVTA_VERSION := $(shell cat VERSION 2>/dev/null)
PY_SRCS      := $(wildcard python/dlvta/*.py)

# One set of objects for both libraries: position-independent (-fno-semantic-interposition keeps
# calls inside the library direct, so the static library's code is as fast as before). The stamp
# rebuilds objects compiled before the flag was added.
$(LIB_OBJS): EXTRA_CFLAGS += -fPIC -fno-semantic-interposition
$(LIB_OBJS): $(BUILD)/obj/pic.stamp
$(BUILD)/obj/pic.stamp:
	@mkdir -p $(dir $@)
	@touch $@

# -z defs: every symbol resolved at link time, so a user links with -ldlvta alone
$(BUILD)/libdlvta.so: $(LIB_OBJS)
	$(CC) $(CFLAGS) -shared -Wl,-soname,libdlvta.so -Wl,-z,defs $(LIB_OBJS) $(EXTRA_LDLIBS) $(LDLIBS) -o $@

all: $(BUILD)/libdlvta.so

# The public headers of an application (runtime, device contract, compiler, .npy files); make
# install copies them and every header they include (found by the compiler, wherever the
# layers keep them) flat into include/dlvta/.
PUBLIC_HDRS  := runtime.h dlvta_drv.h compile.h npy.h
HDR_DIRS     := $(filter-out $(BUILD)/% tests/% tools/%,$(sort $(patsubst %/,%,$(dir \
                  $(wildcard */*.h */*/*.h */*/*/*.h))))) $(BUILD)/gen

# Install locations (GNU names); DESTDIR stages the tree elsewhere.
PREFIX       ?= /usr/local
DESTDIR      ?=
BINDIR       ?= $(PREFIX)/bin
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
PYTHONDIR    ?= $(if $(filter /usr,$(PREFIX)),$(PREFIX)/lib/python3/dist-packages,$(PREFIX)/lib/$(shell $(SYS_PYTHON) -c 'import sys; print("python%d.%d" % sys.version_info[:2])')/dist-packages)

.PHONY: install
# (PYTHONDIR: Debian's python3 reads $(PREFIX)/lib/python3.X/dist-packages for /usr/local, and
# /usr/lib/python3/dist-packages for /usr)
install: all $(BUILD)/libdlvta.a $(BUILD)/libdlvta.so
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
	  $(DESTDIR)$(INCLUDEDIR)/dlvta $(DESTDIR)$(PYTHONDIR)/dlvta
	install -m 755 $(BUILD)/dlvta $(DESTDIR)$(BINDIR)/dlvta
	install -m 644 $(BUILD)/libdlvta.a $(DESTDIR)$(LIBDIR)/libdlvta.a
	install -m 755 $(BUILD)/libdlvta.so $(DESTDIR)$(LIBDIR)/libdlvta.so
	@set -e; printf '#include "%s"\n' $(PUBLIC_HDRS) >$(BUILD)/public_hdrs.c; \
	hdrs=$$($(CC) -std=c11 $(addprefix -I,$(HDR_DIRS)) -MM -MT x $(BUILD)/public_hdrs.c | \
	  sed 's/^x://; s/\\$$//' | tr ' ' '\n' | grep -v '^$$' | grep -v 'public_hdrs\.c$$'); \
	dup=$$(for h in $$hdrs; do basename $$h; done | sort | uniq -d); \
	if [ -n "$$dup" ]; then echo "install: two public headers named $$dup" >&2; exit 1; fi; \
	echo "install -m 644 <$$(echo $$hdrs | wc -w) headers: $(PUBLIC_HDRS) and what they include>" \
	  "$(DESTDIR)$(INCLUDEDIR)/dlvta/"; \
	install -m 644 $$hdrs $(DESTDIR)$(INCLUDEDIR)/dlvta/
	@echo "write $(DESTDIR)$(PKGCONFIGDIR)/dlvta.pc"; printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCLUDEDIR)' '' \
	  'Name: dlvta' \
	  'Description: dlvta FPGA deep-learning accelerator: runtime, device driver and compiler' \
	  'Version: $(DLVTA_VERSION)' \
	  'Cflags: -I$${includedir}/dlvta' \
	  'Libs: -L$${libdir} -ldlvta' \
	  'Libs.private: $(strip $(EXTRA_LDLIBS) $(LDLIBS))' >$(DESTDIR)$(PKGCONFIGDIR)/dlvta.pc
	install -m 644 $(PY_SRCS) $(DESTDIR)$(PYTHONDIR)/dlvta/

# removes what install put there (same PREFIX, DESTDIR and directory variables)
.PHONY: uninstall
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/dlvta $(DESTDIR)$(LIBDIR)/libdlvta.a $(DESTDIR)$(LIBDIR)/libdlvta.so \
	  $(DESTDIR)$(PKGCONFIGDIR)/dlvta.pc
	rm -rf $(DESTDIR)$(INCLUDEDIR)/dlvta $(DESTDIR)$(PYTHONDIR)/dlvta

# Tests: the binding against dlvta compile/run (tests/python_api.py), make install / pkg-config /
# pip (tests/install.sh), the notebook-style example (tests/example_notebook.sh).
TEST_SCRIPTS += "$(SYS_PYTHON) tests/python_api.py" tests/install.sh tests/example_notebook.sh
TEST_DEPS    += $(BUILD)/libdlvta.so
