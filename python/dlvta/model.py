"""dlvta.model -- Model: a compiled package (.dlvta) opened on a backend, run on numpy arrays.

    m = dlvta.Model("resnet18.dlvta", backend="fsim")   # or "verilator", "zynq", "xrt"
    m.inputs, m.outputs        # [Tensor(name, shape)], each with .dtype ("float32", "uint8")
    y, = m.run(x)              # x: float32 of the input's shape, or (N, ...) over it
    m.stats()                  # cycles, utilization, per-layer dicts (as `dlvta run --stats`)

One inference is one rt_run call (driver/runtime.h); a stack of N inputs runs N of them, with the
same shape rules as `dlvta run`: the model's shape, a leading N over it, or a leading N replacing
a leading 1.
"""
import collections
import ctypes
import os
import time

import numpy as np

from . import _lib
from .errors import Error, InputError

class Tensor(collections.namedtuple("Tensor", "name shape")):
    """An input or output: its name and shape (name, shape = t), and .dtype, the values it takes:
    "float32", or for an input the model declares of an integer type and only casts to float (a
    uint8 image) that type, whose integers run() takes as floats or as that type."""

    def __new__(cls, name, shape, dtype="float32"):
        t = super().__new__(cls, name, shape)
        t.dtype = dtype
        return t

    def __getnewargs__(self):  # copy and pickle keep the dtype
        return (self.name, self.shape, self.dtype)


def _shape_str(shape):
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


class Model:
    """A package loaded and placed on a device backend. Close it with close() (or use `with`)."""

    def __init__(self, path, backend="fsim", options=None):
        """Loads the package at path and opens it on backend ("fsim", "verilator", "zynq", "xrt"),
        with the backend's options as "key=value,..." or a dict (e.g. {"max_cycles": 10**7})."""
        self._m = None
        self._lib = _lib  # keeps the library alive until this model is freed
        self.path = os.fspath(path)
        self.backend = backend
        self._wall_ms = 0.0
        if not isinstance(backend, str) or not backend:
            raise InputError("backend must be a name such as 'fsim', 'verilator' or 'zynq', got %r" % (backend,))
        if isinstance(options, dict):
            options = ",".join("%s=%s" % kv for kv in options.items())
        err = _lib.errbuf()
        m = ctypes.c_void_p()
        rc = _lib.rt_load(os.fsencode(self.path), ctypes.byref(m), err, _lib.ERRLEN)
        if rc != _lib.RT_OK:
            raise Error(err.value.decode(errors="replace"), rc)
        self._m = m
        rc = _lib.rt_open(m, backend.encode(), options.encode() if options else None, err, _lib.ERRLEN)
        if rc != _lib.RT_OK:
            self.close()
            raise Error("%s: %s" % (self.path, err.value.decode(errors="replace")), rc)
        self.config = _lib.rt_config_name(m).decode()
        self.calibration = _lib.rt_calibration(m).decode()
        self.inputs = [self._tensor(_lib.rt_input, i, _lib.rt_input_dtype(m, i).decode())
                       for i in range(_lib.rt_n_inputs(m))]
        self.outputs = [self._tensor(_lib.rt_output, i) for i in range(_lib.rt_n_outputs(m))]

    def _tensor(self, fn, i, dtype="float32"):
        rank = ctypes.c_int()
        dims = ctypes.POINTER(ctypes.c_int64)()
        name = fn(self._m, i, ctypes.byref(rank), ctypes.byref(dims))
        return Tensor(name.decode(), tuple(int(dims[d]) for d in range(rank.value)), dtype)

    def _check_open(self):
        if self._m is None:
            raise Error("%s: the model is closed" % self.path)

    def close(self):
        """Frees the model and its device (idempotent)."""
        if self._m is not None:
            self._lib.rt_free(self._m)
            self._m = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    def __repr__(self):
        return "<dlvta.Model %s on %s (config %s): %s -> %s>" % (
            self.path, self.backend, getattr(self, "config", "?"),
            ", ".join("%s%s" % (t.name, _shape_str(t.shape)) for t in getattr(self, "inputs", [])),
            ", ".join("%s%s" % (t.name, _shape_str(t.shape)) for t in getattr(self, "outputs", [])))

    def _arrays(self, x):
        """The inputs in the model's order, from an array (one input), a list or a dict."""
        if isinstance(x, dict):
            names = [t.name for t in self.inputs]
            unknown = [k for k in x if k not in names]
            if unknown:
                raise InputError("%s: no input named %s (inputs: %s)" % (self.path, ", ".join(repr(k) for k in unknown), ", ".join(names)))
            missing = [n for n in names if n not in x]
            if missing:
                raise InputError("%s: input %s not given" % (self.path, ", ".join(repr(n) for n in missing)))
            xs = [x[n] for n in names]
        elif isinstance(x, (list, tuple)):
            xs = list(x)
        else:
            xs = [x]
        if len(xs) != len(self.inputs):
            raise InputError("%s: the model has %d input(s), got %d array(s)" % (self.path, len(self.inputs), len(xs)))
        out = []
        for t, a in zip(self.inputs, xs):
            a = np.asarray(a)
            if a.dtype.kind not in "fiub":
                raise InputError("input '%s': expected float32 values, got an array of %s" % (t.name, a.dtype))
            out.append(np.ascontiguousarray(a, dtype=np.float32))
        return out

    def _batch(self, t, a):
        """(N, stacked) for array a fed to input t: the input's shape (0), (N, ...) over it (1), or
        (N, ...) replacing its leading 1 (2: the batch axis, which the outputs' leading 1 then
        gives up too) -- the rules of `dlvta run`."""
        s, want = a.shape, t.shape
        if s == want:
            return 1, 0
        if len(s) == len(want) + 1 and s[1:] == want and s[0] >= 1:
            return s[0], 1
        if want and want[0] == 1 and len(s) == len(want) and s[1:] == want[1:] and s[0] >= 1:
            return s[0], 2
        raise InputError("input shape mismatch: expected %s (input '%s') or (N, ...) over it, got %s" % (
            _shape_str(want), t.name, _shape_str(s)))

    def run(self, x, as_dict=False):
        """Runs the model on x: one float32 array for a one-input model, or a list / dict (by name)
        of them; any numeric dtype is converted to float32. Returns the outputs (float32,
        dequantized) as a list in the model's order (a dict by name with as_dict=True), each of
        the output's shape, with a leading N when the inputs were a stack of N (in place of the
        output's leading 1 when the stack replaced the inputs' leading 1)."""
        self._check_open()
        xs = self._arrays(x)
        batches = [self._batch(t, a) for t, a in zip(self.inputs, xs)]
        n, stacked = batches[0]
        if any(b != batches[0] for b in batches[1:]):
            raise InputError("%s: the inputs disagree on the batch: %s" % (
                self.path, ", ".join("'%s' %s" % (t.name, _shape_str(a.shape)) for t, a in zip(self.inputs, xs))))
        ys = [np.empty(((n,) if stacked else ()) + (t.shape[1:] if stacked == 2 and t.shape[:1] == (1,) else t.shape),
                       dtype=np.float32) for t in self.outputs]
        in_n = [int(_lib.rt_input_numel(self._m, i)) for i in range(len(xs))]
        out_n = [int(_lib.rt_output_numel(self._m, i)) for i in range(len(ys))]
        ins = (_lib.c_float_p * len(xs))()
        outs = (_lib.c_float_p * len(ys))()
        err = _lib.errbuf()
        fsize = ctypes.sizeof(ctypes.c_float)
        t0 = time.perf_counter()
        try:
            for k in range(n):
                for i, a in enumerate(xs):
                    ins[i] = ctypes.cast(a.ctypes.data + k * in_n[i] * fsize, _lib.c_float_p)
                for o, y in enumerate(ys):
                    outs[o] = ctypes.cast(y.ctypes.data + k * out_n[o] * fsize, _lib.c_float_p)
                rc = _lib.rt_run(self._m, ins, outs, err, _lib.ERRLEN)
                if rc != _lib.RT_OK:
                    msg = err.value.decode(errors="replace")
                    where = "%s: inference %d: " % (self.path, k) if n > 1 else "%s: " % self.path
                    cls = InputError if rc == _lib.RT_E_ARG else Error
                    raise cls(where + msg, rc)
        finally:
            self._wall_ms += (time.perf_counter() - t0) * 1e3
        if as_dict:
            return {t.name: y for t, y in zip(self.outputs, ys)}
        return ys

    def stats(self):
        """The accelerator counters since the model was opened, as `dlvta run --stats` writes them:
        config, backend, inferences, cycles, macs, utilization, CPU steps and time, and a list of
        per-layer dicts (op, node, shape, cycles, predicted_cycles, macs, device_macs,
        utilization, device_ms, host_ms), and the host's time per inference apart from waiting
        for the device (host_per_inference_ms); cycles and MACs are summed over the inferences
        run."""
        self._check_open()
        m = self._m
        runs = int(_lib.rt_runs(m))
        peak = int(_lib.rt_peak_macs_per_cycle(m))
        layers, pred = [], 0
        for i in range(_lib.rt_n_layers(m)):
            s = _lib.LayerStats()
            if _lib.rt_layer(m, i, ctypes.byref(s)) != _lib.RT_OK:
                raise Error("%s: no statistics for layer %d" % (self.path, i))
            lm = s.macs * runs
            pred += s.predicted_cycles
            layers.append({
                "index": i, "op": s.op.decode(), "node": s.node.decode(), "shape": s.desc.decode(),
                "cycles": s.cycles, "predicted_cycles": s.predicted_cycles * runs, "macs": lm,
                "device_macs": s.device_macs,
                "utilization": lm / (s.cycles * peak) if s.cycles else 0.0,
                "device_ms": s.device_ms, "host_ms": s.host_ms})
        ht = _lib.HostTimes()
        _lib.rt_host_times_get(m, ctypes.byref(ht))
        k = 1.0 / runs if runs else 0.0
        host = {"quantize": ht.quantize_ms * k, "unpack": ht.unpack_ms * k, "transfer": ht.transfer_ms * k,
                "cpu_steps": ht.cpu_steps_ms * k,
                "host_total": (ht.quantize_ms + ht.unpack_ms + ht.transfer_ms + ht.cpu_steps_ms) * k,
                "device_wait": ht.device_ms * k}
        cyc = int(_lib.rt_total_cycles(m))
        macs = sum(l["macs"] for l in layers)
        return {
            "config": self.config, "backend": self.backend, "inferences": runs,
            "cycles": cyc, "cycles_per_inference": cyc / runs if runs else 0.0,
            "predicted_cycles_per_inference": pred,
            "macs": macs, "peak_macs_per_cycle": peak,
            "utilization": macs / (cyc * peak) if cyc else 0.0,
            "cpu_steps": int(_lib.rt_n_cpu_steps(m)), "cpu_ms": float(_lib.rt_cpu_ms(m)),
            "wall_ms": self._wall_ms, "host_per_inference_ms": host, "layers": layers}

