"""dlvta.compiler -- compile(): an ONNX model into a package, as `dlvta compile` does (one call
of cc_compile_package_cut, compiler/compile.h)."""
import ctypes
import os
import sys

import numpy as np

from . import _lib
from .errors import Error, InputError


def _samples(calib):
    """(float32 array [N, ...], source name) of calibration samples given as an array or a .npy path."""
    if isinstance(calib, (str, bytes, os.PathLike)):
        src = os.fsdecode(calib)
        try:
            a = np.load(src, allow_pickle=False)
        except (OSError, ValueError) as e:
            raise InputError("%s: cannot read calibration samples: %s" % (src, e)) from None
    else:
        a = np.asarray(calib)
        src = "an array of shape (%s)" % ", ".join(str(d) for d in a.shape)
    if a.dtype.kind not in "fiub":
        raise InputError("%s: calibration samples must be numbers, got %s" % (src, a.dtype))
    if a.ndim < 2:
        raise InputError("%s: calibration samples need a leading batch dimension, got %d dimension(s)" % (src, a.ndim))
    if a.shape[0] < 1:
        raise InputError("%s: no samples" % src)
    return np.ascontiguousarray(a, dtype=np.float32), src


def _input_names(model):
    """The ONNX model's runtime inputs (graph inputs without an initializer), in order."""
    try:
        import onnx
    except ImportError:
        return None
    g = onnx.load(os.fsdecode(model), load_external_data=False).graph
    inits = {t.name for t in g.initializer}
    return [i.name for i in g.input if i.name not in inits]


def _multi_samples(model, calib):
    """([float32 arrays, one per model input in the model's order], source) of calibration samples
    given as a list (the model's input order) or a dict by input name of arrays or .npy paths."""
    if isinstance(calib, dict):
        names = _input_names(model)
        if names is None:
            raise InputError("calibration samples by input name need the onnx package; pass a list in the "
                             "model's input order")
        unknown = [k for k in calib if k not in names]
        missing = [k for k in names if k not in calib]
        if unknown or missing:
            raise InputError("%s: calibration samples for %s; the model's inputs are %s" % (
                os.fsdecode(model), ", ".join(repr(k) for k in calib), ", ".join(repr(k) for k in names)))
        calib = [calib[k] for k in names]
    got = [_samples(c) for c in calib]
    if not got:
        raise InputError("no calibration samples")
    arrays = [a for a, _ in got]
    if any(a.shape[0] != arrays[0].shape[0] for a in arrays):
        raise InputError("calibration samples per input differ in count: %s" % ", ".join(
            "%d from %s" % (a.shape[0], s) for a, s in got))
    return arrays, "one array per input" if len(arrays) > 1 else got[0][1]


def compile(model, out, config="pynq", calib=None, no_latency_hiding=False, verbose=False, outputs=None):
    """Compiles the ONNX model at path `model` for hardware config `config` into the package `out`
    and returns out. calib: calibration samples with a leading batch dimension, each of the
    model's input shape (or without its leading 1), as a numpy array or a .npy path; for a model
    with several inputs a list of those (the model's input order) or a dict by input name; None
    calibrates on synthetic N(0, 1) inputs (the package's calibration note says which). verbose:
    print the compiler's notes (calibration, partition, layers). outputs: tensor names (a list,
    or one name) to end the model at in place of its outputs, as `dlvta compile --outputs` (a
    detector's decoding and non-maximum suppression left to the caller). The same arguments give
    the same package bytes as `dlvta compile` (a path is named in the package as given)."""
    if _lib.cc_compile_package_cut is None:
        raise Error("%s has no compiler (a runtime-only build): compile on a host with the full "
                    "libdlvta.so, copy the package here" % _lib.path)
    if not isinstance(config, str):
        raise InputError("config must be a name such as 'pynq', got %r" % (config,))
    if isinstance(outputs, (str, bytes)):
        outputs = [outputs]
    if outputs is not None and (not outputs or not all(isinstance(o, (str, bytes)) and o for o in outputs)):
        raise InputError("outputs must be tensor names, got %r" % (outputs,))
    if isinstance(calib, (list, tuple, dict)):
        arrays, src = _multi_samples(model, calib)
    elif calib is not None:
        a, src = _samples(calib)
        arrays = [a]
    else:
        arrays, src = [], None
    k = max(1, len(arrays))  # no samples: one input's slot, empty (synthetic calibration)
    ptrs = (_lib.c_float_p * k)(*[x.ctypes.data_as(_lib.c_float_p) for x in arrays])
    numels = (ctypes.c_int64 * k)(*[int(np.prod(x.shape[1:])) for x in arrays])
    names = [o if isinstance(o, bytes) else o.encode() for o in outputs or []]
    cut = (ctypes.c_char_p * max(1, len(names)))(*names)
    buf, size, log = ctypes.c_void_p(), ctypes.c_size_t(), None
    if _lib.open_memstream is not None:
        log = _lib.open_memstream(ctypes.byref(buf), ctypes.byref(size))
    err = _lib.errbuf()
    try:
        rc = _lib.cc_compile_package_cut(os.fsencode(model), os.fsencode(out), config.encode(), ptrs, k,
                                         arrays[0].shape[0] if arrays else 0, numels, src.encode() if src else None,
                                         1 if no_latency_hiding else 0, cut, len(names), log, err, _lib.ERRLEN)
    finally:
        notes = ""
        if log:
            _lib.libc.fclose(log)
            if buf.value:
                notes = ctypes.string_at(buf, size.value).decode(errors="replace")
                _lib.libc.free(buf)
    if verbose and notes:
        sys.stdout.write(notes)
    if rc != _lib.IR_OK:
        raise Error(err.value.decode(errors="replace"), rc)
    return out
