"""tests/python_api.py -- the Python binding (python/dlvta) with Debian's python3 and numpy:
compile a small model from Python (the same package bytes as `dlvta compile`, from a .npy path;
from a numpy array too), the names and shapes of inputs and outputs, run it on fsim one input and
a stack of N and compare bit for bit with `dlvta run --output`, the statistics against
`dlvta run --stats`, the Verilated RTL against fsim, dict inputs and outputs, and errors raised as
exceptions carrying the C library's message: a missing or corrupt package, an unknown backend or
config, a board backend that cannot open here, a missing Verilated model, a wrong input shape or count, a missing ONNX
file, calibration samples of the wrong shape, a closed model, an unloadable $DLVTA_LIB.
Uses build/models/tiny_cnn (compiler/e2e.mk) and build/libdlvta.so.

    /usr/bin/python3 tests/python_api.py
"""
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
os.chdir(ROOT)
DLVTA = "build/dlvta"
MODEL = "build/models/tiny_cnn"

npass = nfail = 0


def check(cond, what, detail=""):
    global npass, nfail
    if cond:
        npass += 1
    else:
        nfail += 1
        print("FAIL: %s%s" % (what, (": " + str(detail)) if detail != "" else ""))


def raises(fn, exc, must_contain, what):
    """fn() raises exc whose message contains every string of must_contain."""
    try:
        fn()
    except exc as e:
        msg = str(e)
        missing = [s for s in must_contain if s not in msg]
        check(not missing, what, "message %r lacks %r" % (msg, missing) if missing else "")
        return msg
    except Exception as e:  # the wrong exception is a failure, not a crash of the test
        check(False, what, "raised %s: %s" % (type(e).__name__, e))
        return None
    check(False, what, "no exception")
    return None


def sh(*args):
    r = subprocess.run(list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return r.returncode, r.stdout


if not os.path.exists(MODEL + "/model.onnx"):
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    subprocess.run(["make", "-s", "-f", "Makefile", "-f", "compiler/e2e.mk", MODEL + "/model.onnx"], env=env)
if not os.path.exists(MODEL + "/model.onnx"):
    print("FAIL: cannot export tiny_cnn\n0 passed, 1 failed")
    sys.exit(1)

import dlvta  # noqa: E402  (after the path is set)

T = tempfile.mkdtemp()
x = np.load(MODEL + "/input.npy")       # (4, 1, 3, 16, 16)
calib = np.load(MODEL + "/calib.npy")   # (16, 3, 16, 16)
check(os.path.samefile(dlvta.library, "build/libdlvta.so"), "the source tree's build/libdlvta.so is loaded", dlvta.library)

# compile: from the .npy path the package is byte-identical to the CLI's; from an array it runs
pk = T + "/py.dlvta"
try:
    r = dlvta.compile(MODEL + "/model.onnx", pk, config="tiny", calib=MODEL + "/calib.npy")
    check(r == pk, "compile returns the package path", r)
except dlvta.Error as e:
    check(False, "compile from Python", e)
rc, out = sh(DLVTA, "compile", MODEL + "/model.onnx", "-o", T + "/cli.dlvta", "--config", "tiny",
             "--calib", MODEL + "/calib.npy")
check(rc == 0, "dlvta compile", out)
check(os.path.exists(pk) and open(pk, "rb").read() == open(T + "/cli.dlvta", "rb").read(),
      "Python's compile writes the same package bytes as dlvta compile")
pa = dlvta.compile(MODEL + "/model.onnx", T + "/arr.dlvta", config="tiny", calib=calib[:, None].astype(np.float64))
with dlvta.Model(pa) as ma:
    check("16 samples from an array of shape (16, 1, 3, 16, 16)" in ma.calibration,
          "the package names the array it was calibrated on", ma.calibration)
    check(ma.run(x[0])[0].shape == (1, 10), "a package calibrated on an array runs")
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    ps = dlvta.compile(MODEL + "/model.onnx", T + "/syn.dlvta", config="tiny")
    quiet = buf.getvalue()
    dlvta.compile(MODEL + "/model.onnx", T + "/syn2.dlvta", config="tiny", verbose=True)
notes = buf.getvalue()[len(quiet):]
check(quiet == "" and "calibration: no --calib" in notes and "5 accelerator layers" in notes and
      "wrote " + T + "/syn2.dlvta (config tiny, 5 layers" in notes, "the compiler's notes with verbose=True only", notes)
with dlvta.Model(ps) as msyn:
    check("synthetic" in msyn.calibration, "without calib the package says it is synthetic", msyn.calibration)

# the model's interface
m = dlvta.Model(pk, backend="fsim")
check(m.config == "tiny" and m.backend == "fsim", "config and backend", (m.config, m.backend))
check(len(m.inputs) == 1 and m.inputs[0].shape == (1, 3, 16, 16) and m.inputs[0].name,
      "input name and shape", m.inputs)
check(len(m.outputs) == 1 and m.outputs[0].shape == (1, 10) and m.outputs[0].name,
      "output name and shape", m.outputs)

# a stack of 4 and one input, bit for bit against dlvta run
ys = m.run(x)
check(isinstance(ys, list) and len(ys) == 1 and ys[0].shape == (4, 1, 10) and ys[0].dtype == np.float32,
      "stacked run: a list of one (4, 1, 10) float32 array", [(a.shape, a.dtype) for a in ys])
rc, out = sh(DLVTA, "run", pk, "--input", MODEL + "/input.npy", "--output", T + "/y.npy", "--stats", T + "/s.json")
check(rc == 0, "dlvta run", out)
ycli = np.load(T + "/y.npy")
check(ycli.shape == ys[0].shape and ycli.tobytes() == ys[0].tobytes(),
      "Python's outputs are bit-identical to dlvta run's on fsim",
      "max |diff| %g" % (np.abs(ycli - ys[0]).max() if ycli.shape == ys[0].shape else -1))
st = m.stats()
sc = json.load(open(T + "/s.json"))
check(st["inferences"] == 4 and st["cycles"] == sc["cycles"] and st["cycles"] > 0,
      "stats: inferences and total cycles as dlvta run --stats", (st["inferences"], st["cycles"], sc["cycles"]))
keys = ("index", "op", "node", "shape", "cycles", "predicted_cycles", "macs", "device_macs")
same = len(st["layers"]) == len(sc["layers"]) == 5 and all(
    a[k] == b[k] for a, b in zip(st["layers"], sc["layers"]) for k in keys)
check(same, "stats: per-layer op, node, shape, cycles, MACs as dlvta run --stats",
      [(a["op"], a["cycles"]) for a in st["layers"]])
check(abs(st["utilization"] - sc["utilization"]) < 1e-4 and st["predicted_cycles_per_inference"] ==
      sc["predicted_cycles_per_inference"], "stats: utilization and prediction as dlvta run --stats")
y1 = m.run(x[0])[0]
check(y1.shape == (1, 10) and y1.tobytes() == ys[0][0].tobytes(), "one input gives row 0 of the stack", y1.shape)
y3 = m.run(x[:, 0])[0]   # (4, 3, 16, 16): N replacing the leading 1, in the output too
check(y3.shape == (4, 10) and y3.tobytes() == ys[0].tobytes(), "(N, 3, 16, 16) runs as a stack of (N, 10)", y3.shape)
d = m.run({m.inputs[0].name: x[1].astype(np.float64)}, as_dict=True)
check(list(d) == [m.outputs[0].name] and d[m.outputs[0].name].tobytes() == ys[0][1].tobytes(),
      "dict in (float64 converted), dict out", list(d))
check(m.stats()["inferences"] == 4 + 1 + 4 + 1, "stats count every inference", m.stats()["inferences"])

# the Verilated RTL gives fsim's bits (DLVTA_TSIM_DIR found from the library's tree)
if not os.path.exists("build/tiny/libtsim.so"):
    check(False, "build/tiny/libtsim.so missing (make tsim)")
else:
    with dlvta.Model(pk, backend="verilator") as mv:
        yv = mv.run(x[:2])[0]
        check(yv.tobytes() == ys[0][:2].tobytes(), "verilator outputs are fsim's, bit for bit")
        sv = mv.stats()
        check(sv["cycles"] > 0 and len(sv["layers"]) == 5, "verilator stats count cycles", sv["cycles"])

# errors: exceptions with the C library's message
raises(lambda: dlvta.Model(T + "/missing.dlvta"), dlvta.Error, ["missing.dlvta"], "missing package")
with open(T + "/junk.dlvta", "wb") as f:
    f.write(os.urandom(3000))
raises(lambda: dlvta.Model(T + "/junk.dlvta"), dlvta.Error, ["junk.dlvta"], "corrupt package")
raises(lambda: dlvta.Model(pk, backend="nosuch"), dlvta.Error, ["unknown backend 'nosuch'", "fsim"],
       "unknown backend: named, with the known ones")
# (its device lookups pointed at empty directories, so that no board's real device is touched)
os.mkdir(T + "/sys")
raises(lambda: dlvta.Model(pk, backend="zynq", options="sysfs=%s/sys,devdir=%s/sys" % (T, T)), dlvta.Error,
       ["cannot open backend 'zynq'", "no UIO device named 'dlvta'"], "the zynq backend without its device: an exception saying why")
raises(lambda: dlvta.Model(pk, backend="verilator", options="bogus=1"), dlvta.Error, ["bogus"],
       "bad backend options")
if os.path.exists("build/tiny/libtsim.so"):
    with dlvta.Model(pk, backend="verilator", options={"max_cycles": 10}) as mt:
        raises(lambda: mt.run(x[:2]), dlvta.Error, ["inference 0: layer 0", "timeout"],
               "options as a dict reach the backend: a cycle limit stops the first layer, named")
raises(lambda: dlvta.Model(pk, backend=None), dlvta.InputError, ["backend must be a name"], "backend not a string")
raises(lambda: m.run(np.zeros((3, 3), np.float32)), dlvta.InputError,
       ["input shape mismatch", "expected (1, 3, 16, 16)", "got (3, 3)"], "wrong input shape: expected and got")
raises(lambda: m.run(np.zeros((1, 3, 16, 15), np.float32)), ValueError, ["(1, 3, 16, 15)"],
       "wrong input shape is a ValueError too")
raises(lambda: m.run([x[0], x[0]]), dlvta.InputError, ["1 input(s), got 2"], "wrong number of inputs")
raises(lambda: m.run({"nosuch": x[0]}), dlvta.InputError, ["'nosuch'", m.inputs[0].name], "unknown input name")
raises(lambda: m.run(np.array([["a"]])), dlvta.InputError, ["float32"], "non-numeric input")
raises(lambda: dlvta.compile(T + "/missing.onnx", T + "/x.dlvta"), dlvta.Error, ["missing.onnx"], "missing ONNX model")
with open(T + "/junk.onnx", "wb") as f:
    f.write(os.urandom(4000))
raises(lambda: dlvta.compile(T + "/junk.onnx", T + "/x.dlvta"), dlvta.Error, ["junk.onnx"], "corrupt ONNX model")
raises(lambda: dlvta.compile(MODEL + "/model.onnx", T + "/x.dlvta", config="nope"), dlvta.Error,
       ["unknown config 'nope'", "pynq"], "unknown config")
raises(lambda: dlvta.compile(MODEL + "/model.onnx", T + "/x.dlvta", config="tiny", calib=np.zeros((4, 7), np.float32)),
       dlvta.Error, ["each calibration sample has 7 values", "768"], "calibration samples of the wrong size")
raises(lambda: dlvta.compile(MODEL + "/model.onnx", T + "/x.dlvta", calib=np.zeros(768, np.float32)),
       dlvta.InputError, ["leading batch dimension"], "calibration samples without a batch dimension")
raises(lambda: dlvta.compile(MODEL + "/model.onnx", T + "/x.dlvta", calib=T + "/none.npy"),
       dlvta.InputError, ["none.npy"], "missing calibration file")
raises(lambda: dlvta.compile(MODEL + "/model.onnx", T + "/nodir/x.dlvta", config="tiny"), dlvta.Error,
       ["nodir/x.dlvta"], "unwritable package path")
m.close()
raises(lambda: m.run(x[0]), dlvta.Error, ["closed"], "a closed model")
m.close()  # twice is harmless
os.mkdir(T + "/empty")
r = subprocess.run([sys.executable, "-c", "import dlvta; dlvta.Model(%r, backend='verilator')" % pk],
                   env=dict(os.environ, DLVTA_TSIM_DIR=T + "/empty", PYTHONPATH=os.path.join(ROOT, "python")),
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
check(r.returncode != 0 and "dlvta.errors.Error" in r.stdout and "libtsim.so for config 'tiny' not found" in r.stdout,
      "verilator without its Verilated model: an Error saying what is missing", r.stdout[-300:])
r = subprocess.run([sys.executable, "-c", "import dlvta"], env=dict(os.environ, DLVTA_LIB=T + "/nolib.so",
                   PYTHONPATH=os.path.join(ROOT, "python")), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
check(r.returncode != 0 and "ImportError" in r.stdout and "nolib.so" in r.stdout,
      "a bad DLVTA_LIB: ImportError naming it", r.stdout[-300:])

# a model with two inputs: calibration samples per input (a list in the model's order, or a dict
# by name: the same package) give what `dlvta compile --calib NAME=FILE ...` does (the same
# outputs; the calibration notes name their sources differently); run with a dict of inputs
TI = "tests/models/two_input"
sh(DLVTA, "compile", TI + ".onnx", "-o", T + "/ti_cli.dlvta", "--calib", "left=" + TI + "_left_calib.npy",
   "--calib", "right=" + TI + "_right_calib.npy")
lc, rc_ = np.load(TI + "_left_calib.npy"), np.load(TI + "_right_calib.npy")
dlvta.compile(TI + ".onnx", T + "/ti_list.dlvta", calib=[lc, rc_])
dlvta.compile(TI + ".onnx", T + "/ti_dict.dlvta", calib={"right": rc_, "left": lc})
check(open(T + "/ti_dict.dlvta", "rb").read() == open(T + "/ti_list.dlvta", "rb").read(),
      "two inputs: calib by name and by order give the same package")
with dlvta.Model(T + "/ti_dict.dlvta") as tm:
    y = tm.run({"left": np.load(TI + "_left_input.npy"), "right": np.load(TI + "_right_input.npy")})[0]
sh(DLVTA, "run", T + "/ti_cli.dlvta", "--input", TI + "_left_input.npy", "--input", TI + "_right_input.npy",
   "--output", T + "/ti_y.npy")
check(np.array_equal(y, np.load(T + "/ti_y.npy")),
      "two inputs: compile(calib=...) and Model.run with a dict match dlvta compile --calib / dlvta run")
raises(lambda: dlvta.compile(TI + ".onnx", T + "/x.dlvta", calib=[lc]), dlvta.Error,
       ["calibration samples for 1 input(s), the model has 2"], "two inputs: one calibration array")
raises(lambda: dlvta.compile(TI + ".onnx", T + "/x.dlvta", calib=[lc, rc_[:8]]), dlvta.InputError,
       ["differ in count"], "two inputs: sample counts differ")
raises(lambda: dlvta.compile(TI + ".onnx", T + "/x.dlvta", calib={"left": lc, "up": rc_}), dlvta.InputError,
       ["'up'", "'right'"], "two inputs: an unknown input name")

subprocess.run(["rm", "-rf", T])
print("%d passed, %d failed" % (npass, nfail))
sys.exit(1 if nfail else 0)
