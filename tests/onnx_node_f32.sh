#!/usr/bin/env bash
# tests/onnx_node_f32.sh -- ONNX's node tests that exist only in float64 (CumSum, Einsum,
# EyeLike with dtype, ReduceLogSumExp), which dlvta's IR does not hold, rewritten in float32
# (inputs, outputs, initializers, a dtype attribute; the expected outputs rounded from float64)
# into build/tests/node_f32/, plus Einsum in the forms attention blocks write
# ('bhid,bhjd->bhij', 'bhij,bhjd->bhid', '...qd,...kd->...qk', 'bij,bjk->bik') and the implicit
# and broadcasting ones, expected outputs from numpy's einsum; then test_onnx_node walks them all
# (the same checks: the reference executor before and after the pipeline). /usr/bin/python3's
# onnx and numpy make them.
set -u
PY=${SYS_PYTHON:-/usr/bin/python3}
SRC=${ONNX_TESTDATA:-/usr/share/libonnx-testdata/data}/node
OUT=build/tests/node_f32
rm -rf $OUT && mkdir -p $OUT
$PY - "$SRC" "$OUT" <<'PYEOF' || { echo "FAIL: making the float32 node tests"; echo "0 passed, 1 failed"; exit 1; }
import sys, os, glob, numpy as np, onnx
from onnx import helper, numpy_helper, TensorProto
src, out = sys.argv[1], sys.argv[2]
D, F = TensorProto.DOUBLE, TensorProto.FLOAT

def f32(t):  # a TensorProto, float64 -> float32
    if t.data_type != D: return t
    return numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float32), t.name)

def convert(name):
    m = onnx.load(os.path.join(src, name, "model.onnx"))
    for v in list(m.graph.input) + list(m.graph.output) + list(m.graph.value_info):
        if v.type.tensor_type.elem_type == D: v.type.tensor_type.elem_type = F
    for i, t in enumerate(m.graph.initializer): m.graph.initializer[i].CopyFrom(f32(t))
    for n in m.graph.node:
        for a in n.attribute:
            if a.name in ("dtype", "to") and a.i == D: a.i = F
    os.makedirs(os.path.join(out, name))
    onnx.save(m, os.path.join(out, name, "model.onnx"))
    for d in glob.glob(os.path.join(src, name, "test_data_set_*")):
        od = os.path.join(out, name, os.path.basename(d)); os.makedirs(od)
        for pb in glob.glob(os.path.join(d, "*.pb")):
            t = TensorProto(); t.ParseFromString(open(pb, "rb").read())
            open(os.path.join(od, os.path.basename(pb)), "wb").write(f32(t).SerializeToString())

names = [os.path.basename(p) for p in sorted(glob.glob(os.path.join(src, "test_*")))]
for name in names:
    if any(name.startswith(p) for p in ("test_cumsum_", "test_einsum_", "test_eyelike_with_dtype", "test_reduce_log_sum_exp_")):
        convert(name)

rng = np.random.default_rng(5)
def einsum_case(name, eq, *shapes):
    xs = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    y = np.einsum(eq, *xs).astype(np.float32)
    ins = [helper.make_tensor_value_info("x%d" % i, F, s) for i, s in enumerate(shapes)]
    node = helper.make_node("Einsum", ["x%d" % i for i in range(len(xs))], ["y"], equation=eq)
    g = helper.make_graph([node], name, ins, [helper.make_tensor_value_info("y", F, y.shape)])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 12)])
    d = os.path.join(out, "test_" + name, "test_data_set_0"); os.makedirs(d)
    onnx.save(m, os.path.join(out, "test_" + name, "model.onnx"))
    for i, x in enumerate(xs): open(os.path.join(d, "input_%d.pb" % i), "wb").write(numpy_helper.from_array(x, "x%d" % i).SerializeToString())
    open(os.path.join(d, "output_0.pb"), "wb").write(numpy_helper.from_array(y, "y").SerializeToString())

einsum_case("einsum_attn_scores", "bhid,bhjd->bhij", (2, 3, 5, 4), (2, 3, 6, 4))
einsum_case("einsum_attn_values", "bhij,bhjd->bhid", (2, 3, 5, 6), (2, 3, 6, 4))
einsum_case("einsum_attn_ellipsis", "...qd,...kd->...qk", (2, 3, 5, 4), (2, 3, 6, 4))
einsum_case("einsum_bmm", "bij,bjk->bik", (3, 2, 5), (3, 5, 4))
einsum_case("einsum_implicit", "ij,jk", (3, 5), (5, 4))
einsum_case("einsum_trace", "ii", (4, 4))
einsum_case("einsum_outer_sum", "i,j->", (3,), (4,))
einsum_case("einsum_broadcast", "...ij,...jk->...ik", (2, 1, 3, 5), (4, 5, 2))
einsum_case("einsum_three", "ij,jk,kl->il", (2, 3), (3, 4), (4, 5))
einsum_case("einsum_upper", "Bij,Bjk->Bki", (2, 3, 4), (2, 4, 5))
PYEOF
# 7 CumSum, 5 Einsum (batch_diagonal's '...ii ->...i' too), 1 EyeLike, 8 ReduceLogSumExp, 10 Einsum forms
exec build/tests/test_onnx_node $OUT 31
