# tests/fuzz/fuzz.mk -- libFuzzer harnesses (tests/fuzz/fuzz_*.c, one per entry point) and their
# seed corpora, built from the test models and programs the build already makes.
#
#   make fuzz        builds the library and the harnesses with clang -fsanitize=fuzzer,address,
#                    undefined into $(FUZZ_BUILD)/ and runs each for FUZZ_SECONDS (one job), with
#                    -timeout=$(FUZZ_TIMEOUT) s per input and -rss_limit_mb=$(FUZZ_RSS_MB); fails
#                    on the first crash, hang or out-of-memory (the input is left in
#                    $(FUZZ_BUILD)/crashes/<harness>/: copy it to tests/fuzz/crashes/<harness>/ with
#                    the fix). FUZZ_HARNESSES=... picks some.
#   make test        replays every seed and every past crash (tests/fuzz/crashes/<harness>/)
#                    through a normal build of each harness (tests/fuzz/replay.c): no clang needed.
FUZZ_HARNESSES ?= onnx compile npy asm prog pkg pkg_run
FUZZ_SECONDS   ?= 120
FUZZ_TIMEOUT   ?= 20
FUZZ_RSS_MB    ?= 2048
FUZZ_BUILD     ?= build-fuzz
FUZZ_CC        ?= clang
FUZZ_SAN       := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_SEEDS     := $(BUILD)/fuzz/seeds
FUZZ_COMMON    := tests/fuzz/fuzz_util.c tests/fuzz/fuzz.h

# ---- seed corpora -------------------------------------------------------------------------
$(FUZZ_SEEDS)/onnx.stamp: $(BUILD)/models/tiny_cnn/model.onnx $(BUILD)/models/digits/model.onnx $(BUILD)/models/gen/rnnhead.onnx \
  $(BUILD)/models/gen/qdq.onnx
	@rm -rf $(FUZZ_SEEDS)/onnx && mkdir -p $(FUZZ_SEEDS)/onnx
	cp $(BUILD)/models/tiny_cnn/model.onnx $(FUZZ_SEEDS)/onnx/tiny_cnn.onnx
	cp $(BUILD)/models/digits/model.onnx $(FUZZ_SEEDS)/onnx/digits.onnx
	for m in qdq qlinear mixed fallback neck fpn bigpad actpool bcast seg seq1d heads argmap convt d2s prelu tokens prelu1d rnnhead video; do cp $(BUILD)/models/gen/$$m.onnx $(FUZZ_SEEDS)/onnx/; done
	@touch $@
# the compile harness (each input a whole compile for tiny: about 40 inputs a second under make
# fuzz) starts from the onnx harness's models
$(FUZZ_SEEDS)/compile.stamp: $(FUZZ_SEEDS)/onnx.stamp
	@rm -rf $(FUZZ_SEEDS)/compile && cp -r $(FUZZ_SEEDS)/onnx $(FUZZ_SEEDS)/compile && touch $@
$(FUZZ_SEEDS)/npy.stamp: $(BUILD)/models/tiny_cnn/model.onnx $(BUILD)/models/digits/model.onnx \
  $(BUILD)/models/gen/qdq.onnx
	@rm -rf $(FUZZ_SEEDS)/npy && mkdir -p $(FUZZ_SEEDS)/npy
	for m in tiny_cnn digits; do for f in input calib; do cp $(BUILD)/models/$$m/$$f.npy $(FUZZ_SEEDS)/npy/$$m-$$f.npy; done; done
	cp $(BUILD)/models/gen/input.npy $(FUZZ_SEEDS)/npy/gen-input.npy
	@touch $@
$(FUZZ_SEEDS)/asm.stamp: $(BUILD)/dlvta examples/matvec_pynq.s
	@rm -rf $(FUZZ_SEEDS)/asm && mkdir -p $(FUZZ_SEEDS)/asm
	cp examples/matvec_pynq.s $(FUZZ_SEEDS)/asm/
	for s in 1 2 3 4; do $(BUILD)/dlvta progen --config tiny --seed $$s --insns 40 -o $(FUZZ_SEEDS)/asm/progen$$s.s >/dev/null; done
	@touch $@
$(FUZZ_SEEDS)/prog.stamp: $(BUILD)/dlvta examples/matvec_pynq.s
	@rm -rf $(FUZZ_SEEDS)/prog && mkdir -p $(FUZZ_SEEDS)/prog
	$(BUILD)/dlvta asm examples/matvec_pynq.s -o $(FUZZ_SEEDS)/prog/matvec_pynq.bin >/dev/null
	for s in 1 2 3 4; do $(BUILD)/dlvta progen --config tiny --seed $$s --insns 40 -o $(FUZZ_SEEDS)/prog/progen$$s.bin >/dev/null; done
	@touch $@
# (fallback: a package whose runtime graph holds CPU nodes and their constants)
$(FUZZ_SEEDS)/pkg.stamp: $(BUILD)/dlvta $(BUILD)/models/tiny_cnn/model.onnx $(BUILD)/models/digits/model.onnx \
  $(BUILD)/models/gen/fallback.onnx
	@rm -rf $(FUZZ_SEEDS)/pkg && mkdir -p $(FUZZ_SEEDS)/pkg
	for c in tiny pynq; do $(BUILD)/dlvta compile $(BUILD)/models/tiny_cnn/model.onnx --config $$c \
	  --calib $(BUILD)/models/tiny_cnn/calib.npy -o $(FUZZ_SEEDS)/pkg/tiny_cnn-$$c.dlvta >/dev/null; done
	$(BUILD)/dlvta compile $(BUILD)/models/digits/model.onnx --config tiny \
	  --calib $(BUILD)/models/digits/calib.npy -o $(FUZZ_SEEDS)/pkg/digits-tiny.dlvta >/dev/null
	$(BUILD)/dlvta compile $(BUILD)/models/gen/fallback.onnx --config tiny -o $(FUZZ_SEEDS)/pkg/fallback-tiny.dlvta >/dev/null
	@touch $@
# the run harness starts from the same packages
$(FUZZ_SEEDS)/pkg_run.stamp: $(FUZZ_SEEDS)/pkg.stamp
	@rm -rf $(FUZZ_SEEDS)/pkg_run && cp -r $(FUZZ_SEEDS)/pkg $(FUZZ_SEEDS)/pkg_run && touch $@
.PHONY: fuzz-seeds
fuzz-seeds: $(foreach h,$(FUZZ_HARNESSES),$(FUZZ_SEEDS)/$(h).stamp)

# ---- make test: replay seeds and past crashes through a normal build ---------------------
$(BUILD)/tests/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(FUZZ_COMMON) $(BUILD)/libdlvta.a | $(GEN_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(LAYER_INC_tests) $(CFLAGS) $(WARN) -MMD -MP -MF $@.d $< tests/fuzz/replay.c \
	  tests/fuzz/fuzz_util.c $(BUILD)/libdlvta.a $(EXTRA_LDLIBS) $(LDLIBS) -o $@
$(BUILD)/tests/fuzz/replay_pkg_run: tests/fuzz/fuzz_pkg.c
TEST_DEPS += $(foreach h,$(FUZZ_HARNESSES),$(BUILD)/tests/fuzz/replay_$(h) $(FUZZ_SEEDS)/$(h).stamp)
TEST_SCRIPTS += $(foreach h,$(FUZZ_HARNESSES),"$(BUILD)/tests/fuzz/replay_$(h) $(FUZZ_SEEDS)/$(h) tests/fuzz/crashes/$(h)")

# ---- make fuzz -----------------------------------------------------------------------------
FUZZ_LIB := $(FUZZ_BUILD)/libdlvta.a
.PHONY: fuzz fuzz-build
ifneq ($(BUILD),$(FUZZ_BUILD))  # the outer make: the library comes from a make of its own
.PHONY: $(FUZZ_LIB)
$(FUZZ_LIB):
	$(RECURSE)$(SUBMAKE) --no-print-directory DLVTA_DEPS_OK=1 BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) \
	  CFLAGS="-O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) -fsanitize=fuzzer-no-link" $(FUZZ_LIB)
endif
$(FUZZ_BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_COMMON) $(FUZZ_LIB) | $(GEN_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(LAYER_INC_tests) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer $< tests/fuzz/fuzz_util.c \
	  $(FUZZ_LIB) $(EXTRA_LDLIBS) $(LDLIBS) -o $@
fuzz-build: $(foreach h,$(FUZZ_HARNESSES),$(FUZZ_BUILD)/fuzz/fuzz_$(h))
fuzz: fuzz-build fuzz-seeds
	@set -e; for h in $(FUZZ_HARNESSES); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$h $(FUZZ_BUILD)/crashes/$$h; \
	  echo "fuzz $$h: $(FUZZ_SECONDS) s"; \
	  $(FUZZ_BUILD)/fuzz/fuzz_$$h -max_total_time=$(FUZZ_SECONDS) -timeout=$(FUZZ_TIMEOUT) \
	    -rss_limit_mb=$(FUZZ_RSS_MB) -max_len=131072 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_BUILD)/crashes/$$h/ $(FUZZ_BUILD)/corpus/$$h $(FUZZ_SEEDS)/$$h \
	    >$(FUZZ_BUILD)/fuzz_$$h.log 2>&1 || { tail -40 $(FUZZ_BUILD)/fuzz_$$h.log; echo "fuzz $$h: FAILED (input in $(FUZZ_BUILD)/crashes/$$h/)"; exit 1; }; \
	  grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' $(FUZZ_BUILD)/fuzz_$$h.log | sed "s/^/fuzz $$h: /"; \
	done
