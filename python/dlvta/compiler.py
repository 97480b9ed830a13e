"""dlvta.compiler -- compile(): an ONNX model into a package, as `dlvta compile` does (one call
of cc_compile_package, compiler/compile.h)."""
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


def compile(model, out, config="pynq", calib=None, no_latency_hiding=False, verbose=False):
    """Compiles the ONNX model at path `model` for hardware config `config` into the package `out`
    and returns out. calib: calibration samples with a leading batch dimension, each of the
    model's input shape (or without its leading 1), as a numpy array or a .npy path; None
    calibrates on synthetic N(0, 1) inputs (the package's calibration note says which). verbose:
    print the compiler's notes (calibration, partition, layers). The same arguments give the
    same package bytes as `dlvta compile` (a path is named in the package as given)."""
    if _lib.cc_compile_package is None:
        raise Error("%s has no compiler (a runtime-only build): compile on a host with the full "
                    "libdlvta.so, copy the package here" % _lib.path)
    if not isinstance(config, str):
        raise InputError("config must be a name such as 'pynq', got %r" % (config,))
    n, numel, ptr, src = 0, 0, None, None
    if calib is not None:
        a, src = _samples(calib)
        n, numel = a.shape[0], int(np.prod(a.shape[1:]))
        ptr = a.ctypes.data_as(_lib.c_float_p)
    buf, size, log = ctypes.c_void_p(), ctypes.c_size_t(), None
    if _lib.open_memstream is not None:
        log = _lib.open_memstream(ctypes.byref(buf), ctypes.byref(size))
    err = _lib.errbuf()
    try:
        rc = _lib.cc_compile_package(os.fsencode(model), os.fsencode(out), config.encode(), ptr, n, numel,
                                     src.encode() if src else None, 1 if no_latency_hiding else 0, log,
                                     err, _lib.ERRLEN)
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
