#!/usr/bin/env bash
# tests/cli_bad_input.sh -- bad input to `dlvta compile` / `dlvta run` names its real cause and
# exits non-zero: a zero-sample .npy ("zero samples", not a shape mismatch), NaN / infinite input
# values (a warning naming the input and the count; --strict refuses them), NaN calibration data
# (not "no usable int8 quantization"), a NaN among the weights (the constant and its node named), huge-but-finite extents in a .npy and in an ONNX model's
# input (the size problem, not "unknown extent"), a Resize mode the executor does not run (named
# with its node), malformed ConvTranspose / DepthToSpace attributes (named with node, op, reason). Inputs made with numpy / onnx (/usr/bin/python3).
set -u
D=build/dlvta
PY=${SYS_PYTHON:-/usr/bin/python3}
M=build/models/tiny_cnn
T=build/tests/bad_input
. tests/expect.sh

mkdir -p $T
$D compile $M/model.onnx --config tiny --calib $M/calib.npy -o $T/tiny_cnn.dlvta >/dev/null || bad "compile tiny_cnn"
$PY - "$M" "$T" <<'PYEOF' || bad "making the inputs"
import sys, numpy as np, onnx
from onnx import helper, TensorProto, numpy_helper
m, t = sys.argv[1], sys.argv[2]
x = np.load(m + "/input.npy")
np.save(t + "/zero.npy", np.zeros((0,) + x.shape[1:], np.float32))
y = x.copy(); y.flat[3] = np.nan; y.flat[5] = np.inf; y.flat[9] = -np.inf
np.save(t + "/nan.npy", y)
c = np.load(m + "/calib.npy"); c.flat[7] = np.nan
np.save(t + "/nancalib.npy", c)
h = b"{'descr': '<f4', 'fortran_order': False, 'shape': (100000000, 100000000, 1000), }".ljust(117) + b"\n"
open(t + "/huge.npy", "wb").write(b"\x93NUMPY\x01\x00" + len(h).to_bytes(2, "little") + h)
big = [1, 3, 4000000000, 4000000000]
g = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g",
                      [helper.make_tensor_value_info("x", TensorProto.FLOAT, big)],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, big)])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), t + "/huge.onnx")
# a Resize of a coordinate mode the executor does not run (tf_crop_and_resize): refused by name, not run wrongly
sc = helper.make_tensor("sc", TensorProto.FLOAT, [4], [1, 1, 2, 2])
g = helper.make_graph([helper.make_node("Resize", ["x", "", "sc"], ["y"], name="up", mode="linear",
                                         coordinate_transformation_mode="tf_crop_and_resize")], "g",
                      [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 16, 16])], [sc])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), t + "/resize_tf.onnx")
# malformed ConvTranspose / DepthToSpace attributes (issue 11): refused by node, op and reason
w = helper.make_tensor("w", TensorProto.FLOAT, [3, 4, 3, 3], [0.1] * 108)
for name, kw in [("convt_pads", dict(strides=[2, 2], pads=[-1, 0, 1, 1])),
                 ("convt_outpad", dict(strides=[2, 2], output_padding=[2, 2])),
                 ("convt_outshape", dict(strides=[2, 2], output_shape=[40, 40]))]:
    g = helper.make_graph([helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="up", **kw)], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [w])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), t + "/" + name + ".onnx")
g = helper.make_graph([helper.make_node("DepthToSpace", ["x"], ["y"], name="ps", blocksize=2)], "g",
                      [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), t + "/d2s_blocksize.onnx")
# a NaN among the weights (fuzz_compile found one in a BatchNormalization variance: undefined behaviour in lower)
mm = onnx.load(m + "/model.onnx")
for init in mm.graph.initializer:
    if init.data_type == TensorProto.FLOAT and len(init.dims) == 4:
        a = numpy_helper.to_array(init).copy(); a.flat[2] = np.nan
        init.CopyFrom(numpy_helper.from_array(a, init.name))
        open(t + "/nanweight.txt", "w").write(init.name)
        break
onnx.save(mm, t + "/nanweight.onnx")
PYEOF

expect 1 "zero samples" $D run $T/tiny_cnn.dlvta --input $T/zero.npy
expect 0 "warning: input 'input': 3 NaN or infinite values" $D run $T/tiny_cnn.dlvta --input $T/nan.npy
expect 1 "input 'input': 3 of 768 values are NaN or infinite (first at 3)" $D run $T/tiny_cnn.dlvta --input $T/nan.npy --strict
expect 1 "calibration data: 1 of" $D compile $M/model.onnx --config tiny --calib $T/nancalib.npy -o $T/x.dlvta
expect 1 "constant '$(cat $T/nanweight.txt)' (of node '" $D compile $T/nanweight.onnx --config tiny -o $T/x.dlvta
expect 1 "holds 1 NaN of" $D compile $T/nanweight.onnx --config tiny -o $T/x.dlvta
expect 1 "too large an array" $D run $T/tiny_cnn.dlvta --input $T/huge.npy
expect 1 "holds 4.8e+19 elements" $D compile $T/huge.onnx --config tiny -o $T/x.dlvta
expect 1 "node 'up' (Resize): coordinate_transformation_mode 'tf_crop_and_resize'" $D compile $T/resize_tf.onnx --config tiny -o $T/x.dlvta
expect 1 "node 'up' (ConvTranspose): negative pads on axis 0" $D compile $T/convt_pads.onnx --config tiny -o $T/x.dlvta
expect 1 "node 'up' (ConvTranspose): output_padding 2 on axis 0, expected 0 up to the stride 2" $D compile $T/convt_outpad.onnx --config tiny -o $T/x.dlvta
expect 1 "node 'up' (ConvTranspose): output_shape 40 on axis 0 is beyond the largest output 18" $D compile $T/convt_outshape.onnx --config tiny -o $T/x.dlvta
expect 1 "node 'ps' (DepthToSpace): 3 channels not divisible by blocksize^2 = 4" $D compile $T/d2s_blocksize.onnx --config tiny -o $T/x.dlvta
# a clean input gives no warning
out=$($D run $T/tiny_cnn.dlvta --input $M/input.npy 2>&1)
if [ $? -eq 0 ] && ! echo "$out" | grep -q warning; then ok; else bad "clean input: $out"; fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
