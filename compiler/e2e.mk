# compiler/e2e.mk -- end-to-end checks of `dlvta compile` / `dlvta run`: the test models exported
# once into build/models/<name>/ by tools/models/export.py, onnxruntime's float outputs next to
# them (ort_ref.npy, from input.npy), the Verilated RTL for the verilator comparisons.
# Tests: tests/test_e2e_*.c (picked up by tests/tests.mk) and tests/cli_e2e.sh; generated models
# of tests/e2e_gen.py in build/models/gen/.
# Included from the top-level Makefile with:  -include compiler/e2e.mk
E2E_MODELS := tiny_cnn digits resnet18 mobilenet_v2 patterns
SYS_PYTHON ?= /usr/bin/python3
ORT_PKG    := tools/ort/node_modules/onnxruntime-node/package.json

# export.py writes model.onnx, input.npy, calib.npy, info.txt (digits: x_test.npy, y_test.npy)
$(BUILD)/models/%/model.onnx: tools/models/export.py
	@mkdir -p $(dir $@)
	$(SYS_PYTHON) tools/models/export.py $* $(dir $@) >$(dir $@)export.log 2>&1 || { cat $(dir $@)export.log; exit 1; }

$(BUILD)/models/%/ort_ref.npy: $(BUILD)/models/%/model.onnx tools/ort/ort_run.js | $(ORT_PKG)
	node tools/ort/ort_run.js $< $(dir $@)input.npy $@

$(ORT_PKG):
	tools/ort/setup.sh

# small generated models (onnx's helper API): already-quantized QDQ and QLinear* models, and a
# float model mixing accelerator and CPU nodes
# (one run writes them all: a grouped target, so that each one's dependents see it remade)
GEN_MODELS := qdq qlinear mixed fallback act layout split neck fpn bigpad actpool bcast seg seq1d heads argmap convt d2s prelu tokens prelu1d \
              gpool gpool1d yhead u8in hse padcat catpool crop eca cbam groups causal1d poolmix rnnhead video vanish
$(foreach m,$(GEN_MODELS),$(BUILD)/models/gen/$(m).onnx) &: tests/e2e_gen.py
	@mkdir -p $(BUILD)/models/gen
	$(SYS_PYTHON) tests/e2e_gen.py $(BUILD)/models/gen/
$(BUILD)/models/gen/%_ref.npy: $(BUILD)/models/gen/%.onnx tools/ort/ort_run.js | $(ORT_PKG)
	node tools/ort/ort_run.js $< $(dir $@)input.npy $@
# the models with their own inputs (<name>_input.npy, beside their own calibration samples)
GEN_OWN_INPUT := fallback seq1d prelu1d convt bigpad bcast gpool gpool1d u8in hse padcat crop causal1d rnnhead video
$(foreach m,$(GEN_OWN_INPUT),$(BUILD)/models/gen/$(m)_ref.npy): $(BUILD)/models/gen/%_ref.npy: \
  $(BUILD)/models/gen/%.onnx tools/ort/ort_run.js | $(ORT_PKG)
	node tools/ort/ort_run.js $< $(dir $@)$*_input.npy $@

E2E_DEPS := $(foreach m,$(E2E_MODELS),$(BUILD)/models/$(m)/model.onnx $(BUILD)/models/$(m)/ort_ref.npy) \
            $(foreach m,$(GEN_MODELS),$(BUILD)/models/gen/$(m)_ref.npy) \
            $(BUILD)/tiny/libtsim.so $(BUILD)/pynq/libtsim.so
TEST_DEPS += $(E2E_DEPS)
TEST_LONG_DEPS += $(E2E_DEPS)
# every ImageNet-model input on the Verilated RTL too (about 20 s per ResNet-18 inference)
TEST_LONG += "$(BUILD)/tests/test_e2e_imagenet --long"
.PHONY: models
models: $(E2E_DEPS)

# the e2e tests share a header the generic test rule does not list
$(BUILD)/tests/test_e2e_small $(BUILD)/tests/test_e2e_imagenet $(BUILD)/tests/test_e2e_pkg $(BUILD)/tests/test_e2e_patterns \
  $(BUILD)/tests/test_e2e_qat $(BUILD)/tests/test_e2e_multi \
  $(BUILD)/tests/test_e2e_gen: tests/e2e_util.h

# make bench: ResNet-18 end to end per layer (tests/bench_resnet18.c): ideal, predicted and
# measured cycles (verilator, with and without latency hiding), utilization, wall times; pynq,
# ultra96x2 (the Ultra96's default config: the pumped 1x32x32 GEMM, isa/configs.def; the 13.4 ms
# target) and ultra96 (the board's one-clock 1x16x32 config: its latency without the target)
BENCH_DEPS += $(BUILD)/tests/bench_resnet18 $(BUILD)/models/resnet18/model.onnx $(BUILD)/pynq/libtsim.so \
              $(BUILD)/ultra96/libtsim.so $(BUILD)/ultra96x2/libtsim.so
BENCH_CMDS += "$(BUILD)/tests/bench_resnet18 --json $(BUILD)/bench/resnet18.json"
BENCH_CMDS += "$(BUILD)/tests/bench_resnet18 --config ultra96x2 --json $(BUILD)/bench/resnet18_ultra96x2.json"
BENCH_CMDS += "$(BUILD)/tests/bench_resnet18 --config ultra96 --no-latency-target --json $(BUILD)/bench/resnet18_ultra96.json"
$(BUILD)/tests/bench_resnet18: tests/e2e_util.h

# make bench: the torchvision zoo of issue 11 (tools/zoo_bench.py): per model compile time, the
# accelerator's MAC share, CPU steps with reasons, fsim cycles and utilization, cosine against
# onnxruntime; models exported once into build/zoo/ (about 20 min the first time), the table in
# build/bench/zoo.md
BENCH_DEPS += $(BUILD)/dlvta $(ORT_PKG)
BENCH_CMDS += "$(SYS_PYTHON) tools/zoo_bench.py --cache $(BUILD)/zoo --json $(BUILD)/bench/zoo.json --md $(BUILD)/bench/zoo.md"
BENCH_CMDS += "$(SYS_PYTHON) tools/zoo_bench.py --config ultra96 --cache $(BUILD)/zoo --json $(BUILD)/bench/zoo_ultra96.json --md $(BUILD)/bench/zoo_ultra96.md"
BENCH_CMDS += "$(SYS_PYTHON) tools/zoo_bench.py --config ultra96x2 --cache $(BUILD)/zoo --json $(BUILD)/bench/zoo_ultra96x2.json --md $(BUILD)/bench/zoo_ultra96x2.md"

# make bench: fsim's cycle estimate against the Verilated RTL on zoo models (tools/tsim_zoo_bench.py),
# pynq, ultra96 and ultra96x2: per model fsim and RTL cycles, error, the layers furthest off; a model
# passes within 1 % (the performance issue's bound) with identical outputs; models from build/zoo/
# (exported offline when missing), the table in build/bench/tsim_zoo.md
BENCH_DEPS += $(BUILD)/dlvta $(BUILD)/pynq/libtsim.so $(BUILD)/ultra96/libtsim.so $(BUILD)/ultra96x2/libtsim.so
BENCH_CMDS += "$(SYS_PYTHON) tools/tsim_zoo_bench.py --configs pynq,ultra96,ultra96x2 --cache $(BUILD)/zoo --json $(BUILD)/bench/tsim_zoo.json --md $(BUILD)/bench/tsim_zoo.md"

# models committed in tests/models/ (tools/models/qdq_cnn.py: a CNN quantized by PyTorch's QAT
# flow; tools/models/two_input.py: two inputs): onnxruntime's outputs on their committed inputs
# (<name>_input.npy, or <name>_<input>_input.npy per input in the model's order)
$(BUILD)/models/committed/qdq_cnn_ref.npy: tests/models/qdq_cnn.onnx tests/models/qdq_cnn_input.npy tools/ort/ort_run.js | $(ORT_PKG)
	@mkdir -p $(dir $@)
	node tools/ort/ort_run.js $< tests/models/qdq_cnn_input.npy $@
$(BUILD)/models/committed/two_input_ref.npy: tests/models/two_input.onnx tests/models/two_input_left_input.npy \
  tests/models/two_input_right_input.npy tools/ort/ort_run.js | $(ORT_PKG)
	@mkdir -p $(dir $@)
	node tools/ort/ort_run.js $< tests/models/two_input_left_input.npy,tests/models/two_input_right_input.npy $@
# and 256 random inputs for qdq_cnn (tools/models/rand_input.py, seed 13) with onnxruntime's outputs
$(BUILD)/models/committed/qdq_cnn_rand_input.npy: tests/models/qdq_cnn.onnx tools/models/rand_input.py
	@mkdir -p $(dir $@)
	$(SYS_PYTHON) tools/models/rand_input.py $< 256 13 $@
$(BUILD)/models/committed/qdq_cnn_rand_ref.npy: tests/models/qdq_cnn.onnx $(BUILD)/models/committed/qdq_cnn_rand_input.npy \
  tools/ort/ort_run.js | $(ORT_PKG)
	node tools/ort/ort_run.js $< $(BUILD)/models/committed/qdq_cnn_rand_input.npy $@
TEST_DEPS += $(BUILD)/models/committed/qdq_cnn_ref.npy $(BUILD)/models/committed/two_input_ref.npy \
  $(BUILD)/models/committed/qdq_cnn_rand_ref.npy

# ONNX opsets 18-25 (tests/onnx_opsets.py): each change to an operator dlvta reads, at its opset,
# on the reference executor against onnxruntime; the refusals; an opset-21 CNN on fsim
TEST_SCRIPTS += "$(SYS_PYTHON) tests/onnx_opsets.py"
# the recurrent layers RNN, GRU, LSTM (tests/onnx_rnn.py): the reference against onnxruntime, a CRNN on fsim
TEST_SCRIPTS += "$(SYS_PYTHON) tests/onnx_rnn.py"
# CPU operators beyond the node tests (tests/onnx_cpu_ops.py): cubic Resize, GridSample, MaxUnpool against onnxruntime
TEST_SCRIPTS += "$(SYS_PYTHON) tests/onnx_cpu_ops.py"
# models exported with a fixed batch N > 1 (tests/onnx_fixed_batch.py): unbatched to one sample when
# the graph keeps its samples apart, run as N inferences against onnxruntime; kept when it mixes them
TEST_SCRIPTS += "$(SYS_PYTHON) tests/onnx_fixed_batch.py"
# TensorFlow converters' layouts (tests/onnx_tf_layouts.py): NHWC round trips cancelled, NHWC
# ReduceMeans as global pools, on fsim against onnxruntime
TEST_SCRIPTS += "$(SYS_PYTHON) tests/onnx_tf_layouts.py"
# compile --outputs (tests/onnx_cut_outputs.py): a detector cut before its NonZero post-processing,
# its heads on fsim against onnxruntime; compare / reference / the Python binding on the cut
TEST_SCRIPTS += "$(SYS_PYTHON) tests/onnx_cut_outputs.py"
# a YOLOv8-style detector with its decoding in the graph (tests/onnx_yolo.py): every conv on the
# accelerator, pynq and ultra96 on fsim against onnxruntime
TEST_SCRIPTS += "$(SYS_PYTHON) tests/onnx_yolo.py"
# dlvta compare on layers reading views (tests/onnx_compare_views.py): shufflenet_v2_x1_0's
# shuffles and splits, an int8 reference for every layer, pynq and ultra96
TEST_SCRIPTS += "$(SYS_PYTHON) tests/onnx_compare_views.py"
# 3-D convolutional (video) networks (tests/onnx_conv3d.py): lifted to 2-D convs over the stacked frames, on fsim
TEST_SCRIPTS += "$(SYS_PYTHON) tests/onnx_conv3d.py"
# what tools/randnets.py found, kept as directed cases (tests/onnx_randnets_found.py): ceil_mode pools
# as torch exports them, a table op before a channel shuffle, ...
TEST_SCRIPTS += "$(SYS_PYTHON) tests/onnx_randnets_found.py"
# quantized models as onnxruntime's quantize_static (QDQ, int8 weight initializers) and the QOperator
# format (QLinearMatMul) write them (tests/onnx_qdq_quantizers.py): Linear layers on tokens, Conv1d
# networks on the accelerator without calibration, within one output step of onnxruntime's
TEST_SCRIPTS += "$(SYS_PYTHON) tests/onnx_qdq_quantizers.py"
# random networks (tools/randnets.py) compiled and run on fsim against onnxruntime: 40 seeds on
# pynq and tiny, 16 quantized by PyTorch's QAT flow (QDQ) and 12 also on the Verilated RTL (equal to
# fsim bit for bit) in make test; 600, 200 and 200 on three configs in make test-long
TEST_SCRIPTS += "$(SYS_PYTHON) tools/randnets.py --seeds 0:40 --config pynq,tiny --out $(BUILD)/randnets"
TEST_SCRIPTS += "$(SYS_PYTHON) tools/randnets.py --seeds 0:16 --qdq --config pynq --out $(BUILD)/randnets-qdq"
TEST_SCRIPTS += "$(SYS_PYTHON) tools/randnets.py --seeds 100:112 --config pynq,tiny --backend verilator --out $(BUILD)/randnets-rtl"
TEST_LONG += "$(SYS_PYTHON) tools/randnets.py --seeds 1000:1200 --config pynq,tiny,ultra96 --backend verilator --out $(BUILD)/randnets-long-rtl"
TEST_LONG += "$(SYS_PYTHON) tools/randnets.py --seeds 0:600 --config pynq,tiny,ultra96 --out $(BUILD)/randnets-long"
TEST_LONG += "$(SYS_PYTHON) tools/randnets.py --seeds 0:200 --qdq --config pynq,tiny,ultra96 --out $(BUILD)/randnets-long-qdq"
TEST_LONG_DEPS += $(BUILD)/dlvta $(ORT_PKG)

# int8 accuracy on trained models (tools/models/train_fmnist.py, committed in tests/models/):
# the first 1000 Fashion-MNIST test images in make test, all 10000 in make bench
TEST_SCRIPTS += "$(SYS_PYTHON) tests/fmnist_accuracy.py --n 1000"
BENCH_CMDS += "$(SYS_PYTHON) tests/fmnist_accuracy.py --n 10000 --json $(BUILD)/bench/fmnist.json"
BENCH_DEPS += $(BUILD)/dlvta $(ORT_PKG)
