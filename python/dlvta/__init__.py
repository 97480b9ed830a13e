"""dlvta -- Python binding of the dlvta FPGA deep-learning accelerator (ctypes over libdlvta.so).

    import numpy as np, dlvta
    dlvta.compile("model.onnx", "model.dlvta", config="pynq", calib=samples)  # or calib="calib.npy"
    m = dlvta.Model("model.dlvta", backend="fsim")     # "verilator" (Verilated RTL), "zynq" (board)
    print(m.inputs, m.outputs)                         # [Tensor(name, shape)], .dtype of each
    y, = m.run(x)                                      # numpy float32 in and out; x may be (N, ...)
    print(m.stats()["cycles_per_inference"])

Errors of the C library (a bad path, a wrong input shape, an unknown backend or config) raise
dlvta.Error with the library's message (dlvta.InputError, also a ValueError, for bad arguments).
The module loads libdlvta.so from $DLVTA_LIB, beside itself, from its install prefix or from the
source tree's build/ (see dlvta._lib); dlvta.library is the path it loaded.
"""
from . import _lib
from .compiler import compile
from .errors import Error, InputError
from .model import Model, Tensor

library = _lib.path

__all__ = ["Model", "Tensor", "compile", "Error", "InputError", "library"]
