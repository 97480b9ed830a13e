#!/usr/bin/env bash
# tests/cli_user_export.sh -- export patterns of users bringing their own models to `dlvta
# compile` / `dlvta run`: dynamic height and width (compiled for the --calib samples' size, a note
# saying so; without samples an error saying how; another size refused at run time), a uint8 image
# input cast to float (a float32 input: uint8 and float32 .npy files give the same outputs), weights
# as graph inputs (torch's export_params=False: a note naming them instead of "fixed batch"
# notes), float16 and float64 models (read as float32, a note; the same outputs as their float32
# twins) and If / Loop (refused naming the file, node and op, exit 1). Models made
# with onnx's helper API (/usr/bin/python3).
set -u
D=build/dlvta
PY=${SYS_PYTHON:-/usr/bin/python3}
T=build/tests/user_export
. tests/expect.sh

mkdir -p $T
$PY - "$T" <<'PYEOF' || bad "making the models"
import sys, numpy as np, onnx
from onnx import helper, TensorProto, numpy_helper
t = sys.argv[1]
r = np.random.default_rng(5)
def init(name, a, dt=np.float32):
    return numpy_helper.from_array(np.asarray(a, dt), name)
def cnn(x, inits, nodes, wname="w"):
    """conv 3 -> 8 (3x3) + Relu, global pooling, Flatten, Gemm to 4 logits 'y'."""
    if wname == "w":
        inits.append(init("w", r.normal(0, 0.3, (8, 3, 3, 3))))
    inits += [init("b", r.normal(0, 0.1, 8)), init("fw", r.normal(0, 0.3, (4, 8))), init("fb", np.zeros(4))]
    nodes += [helper.make_node("Conv", [x, wname, "b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
              helper.make_node("Relu", ["c"], ["a"], name="relu"),
              helper.make_node("GlobalAveragePool", ["a"], ["p"], name="gap"),
              helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
              helper.make_node("Gemm", ["f", "fw", "fb"], ["y"], name="fc", transB=1)]
def save(nodes, inputs, inits, path, y=[1, 4]):
    g = helper.make_graph(nodes, "g", inputs, [helper.make_tensor_value_info("y", TensorProto.FLOAT, y)], inits)
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), t + "/" + path)
# dynamic batch, height and width (dynamic_axes={'x': {0: 'n', 2: 'h', 3: 'w'}})
inits, nodes = [], []
cnn("x", inits, nodes)
save(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3, "h", "w"])], inits, "dyn.onnx", ["n", 4])
np.save(t + "/dyn_calib.npy", r.normal(0, 1, (8, 3, 20, 28)).astype(np.float32))
np.save(t + "/dyn_x.npy", r.normal(0, 1, (1, 3, 20, 28)).astype(np.float32))
np.save(t + "/dyn_small.npy", r.normal(0, 1, (1, 3, 16, 16)).astype(np.float32))
# a uint8 image: Cast, / 255, the CNN
inits, nodes = [init("k", 255)], [helper.make_node("Cast", ["x"], ["xf"], name="cast", to=TensorProto.FLOAT),
                                  helper.make_node("Div", ["xf", "k"], ["xs"], name="scale")]
cnn("xs", inits, nodes)
save(nodes, [helper.make_tensor_value_info("x", TensorProto.UINT8, [1, 3, 12, 12])], inits, "u8.onnx")
img = r.integers(0, 256, (8, 3, 12, 12))
np.save(t + "/u8_calib.npy", img.astype(np.float32))
np.save(t + "/u8_x.npy", img[:1].astype(np.uint8))
np.save(t + "/u8_xf.npy", img[:1].astype(np.float32))
# the weights a graph input (torch.onnx.export(..., export_params=False))
inits, nodes = [], []
cnn("x", inits, nodes, wname="conv.weight")
save(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 12, 12]),
             helper.make_tensor_value_info("conv.weight", TensorProto.FLOAT, [8, 3, 3, 3])], inits, "noparams.onnx")
# half precision as a GPU deployment exports it (every initializer, the input and output float16;
# a Cast to float16 on the way), beside its float32 twin (the same values), and a float64 one
inits, nodes = [], []
cnn("x", inits, nodes)
save(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 12, 12])], inits, "fp32.onnx")
for name, dt, et in (("fp16", np.float16, TensorProto.FLOAT16), ("fp64", np.float64, TensorProto.DOUBLE)):
    wide = [numpy_helper.from_array(numpy_helper.to_array(i).astype(dt), i.name) for i in inits]
    wnodes = [helper.make_node("Cast", ["x"], ["xc"], name="cast", to=et)] + \
             [helper.make_node(n.op_type, ["xc" if i == "x" else i for i in n.input], n.output, name=n.name,
                               **{a.name: helper.get_attribute_value(a) for a in n.attribute}) for n in nodes]
    g = helper.make_graph(wnodes, "g", [helper.make_tensor_value_info("x", et, [1, 3, 12, 12])],
                          [helper.make_tensor_value_info("y", et, [1, 4])], wide)
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), t + "/" + name + ".onnx")
# the twin's weights rounded to float16, as float32: what the float16 model computes with
inits16 = [numpy_helper.from_array(numpy_helper.to_array(i).astype(np.float16).astype(np.float32), i.name) for i in inits]
save(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 12, 12])], inits16, "fp32r.onnx")
np.save(t + "/h_calib.npy", r.normal(0, 1, (8, 3, 12, 12)).astype(np.float16).astype(np.float32))
np.save(t + "/h_x.npy", r.normal(0, 1, (1, 3, 12, 12)).astype(np.float16).astype(np.float32))
# If and Loop (torch.jit.script control flow)
xv = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 4, 4])
yv = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 4, 4])
branch = lambda op, name: helper.make_graph([helper.make_node(op, ["x"], [name], name=name)], name, [],
                                           [helper.make_tensor_value_info(name, TensorProto.FLOAT, [1, 3, 4, 4])])
nodes = [helper.make_node("ReduceSum", ["x"], ["s"], name="sum", keepdims=0),
         helper.make_node("Greater", ["s", "zero"], ["c"], name="gt"),
         helper.make_node("If", ["c"], ["y"], name="cond", then_branch=branch("Relu", "t"), else_branch=branch("Neg", "e"))]
g = helper.make_graph(nodes, "g", [xv], [yv], [init("zero", 0)])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), t + "/if.onnx")
body = helper.make_graph([helper.make_node("Identity", ["cin"], ["cout"], name="keep"),
                          helper.make_node("Relu", ["v"], ["v2"], name="body_relu")], "body",
                         [helper.make_tensor_value_info("i", TensorProto.INT64, []),
                          helper.make_tensor_value_info("cin", TensorProto.BOOL, []),
                          helper.make_tensor_value_info("v", TensorProto.FLOAT, [1, 3, 4, 4])],
                         [helper.make_tensor_value_info("cout", TensorProto.BOOL, []),
                          helper.make_tensor_value_info("v2", TensorProto.FLOAT, [1, 3, 4, 4])])
nodes = [helper.make_node("Loop", ["n", "", "x"], ["y"], name="repeat", body=body)]
g = helper.make_graph(nodes, "g", [xv], [yv], [init("n", 3, np.int64)])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), t + "/loop.onnx")
PYEOF

# dynamic height and width: the samples' size, a note; that size runs, another is refused
expect 0 "note: input 'x' has dynamic extents: compiled for (3, 20, 28)" \
  $D compile $T/dyn.onnx --config tiny --calib $T/dyn_calib.npy -o $T/dyn.dlvta
expect 0 "output 'y'" $D run $T/dyn.dlvta --input $T/dyn_x.npy
expect 1 "input shape mismatch: expected (1, 3, 20, 28)" $D run $T/dyn.dlvta --input $T/dyn_small.npy
expect 1 "input 'x' has an unknown extent other than the batch (dynamic axes): calibration samples (--calib)" \
  $D compile $T/dyn.onnx --config tiny -o $T/dyn2.dlvta
# a uint8 input: a float32 input of the package, the Cast gone, no CPU step
expect 0 "0 CPU nodes" $D compile $T/u8.onnx --config tiny --calib $T/u8_calib.npy -o $T/u8.dlvta
$D run $T/u8.dlvta --input $T/u8_x.npy --output $T/u8_y.npy >/dev/null 2>&1 || bad "run u8 with a uint8 .npy"
$D run $T/u8.dlvta --input $T/u8_xf.npy --output $T/u8_yf.npy >/dev/null 2>&1 || bad "run u8 with a float32 .npy"
if cmp -s $T/u8_y.npy $T/u8_yf.npy; then ok; else bad "u8: uint8 and float32 inputs give different outputs"; fi
# weights as an input: one note naming them
expect 0 "note: 1 input(s) are weights or biases ('conv.weight' of node 'conv'" \
  $D compile $T/noparams.onnx --config tiny -o $T/noparams.dlvta
out=$($D compile $T/noparams.onnx --config tiny -o $T/noparams.dlvta 2>&1)
if echo "$out" | grep -q "fixed batch"; then bad "noparams: a 'fixed batch' note on weights: $out"; else ok; fi
# refusals: file, node and op, reason
# float16 / float64 models: read as float32 with a note; the same package as the float32 twin of
# the same values (float64's weights round to float32's)
expect 0 "note: the model's float16 / bfloat16 / float64 tensors (7 initializers, values and casts)" \
  $D compile $T/fp16.onnx --config tiny --calib $T/h_calib.npy -o $T/fp16.dlvta
$D compile $T/fp32r.onnx --config tiny --calib $T/h_calib.npy -o $T/fp32r.dlvta >/dev/null 2>&1 || bad "compile fp32r"
$D compile $T/fp64.onnx --config tiny --calib $T/h_calib.npy -o $T/fp64.dlvta >/dev/null 2>&1 || bad "compile fp64"
$D compile $T/fp32.onnx --config tiny --calib $T/h_calib.npy -o $T/fp32.dlvta >/dev/null 2>&1 || bad "compile fp32"
for p in fp16 fp32r fp64 fp32; do $D run $T/$p.dlvta --input $T/h_x.npy --output $T/${p}_y.npy >/dev/null 2>&1 || bad "run $p"; done
if cmp -s $T/fp16_y.npy $T/fp32r_y.npy; then ok; else bad "fp16: output differs from its float32 twin's"; fi
if cmp -s $T/fp64_y.npy $T/fp32_y.npy; then ok; else bad "fp64: output differs from its float32 twin's"; fi
expect 1 "if.onnx: node 'cond' (If): operator not supported" $D compile $T/if.onnx --config tiny -o $T/x.dlvta
expect 1 "loop.onnx: node 'repeat' (Loop): operator not supported" $D compile $T/loop.onnx --config tiny -o $T/x.dlvta
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
