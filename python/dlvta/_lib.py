"""dlvta._lib -- finds and loads libdlvta.so and declares the C functions the module calls.

The C contract is driver/runtime.h (rt_*: load, open a backend, run, counters) and
compiler/compile.h (cc_compile_package: the whole of `dlvta compile`). The library is looked for,
in order: $DLVTA_LIB (a path to the .so), next to this module (pip install), in the lib/ of the
prefix this module was installed under (make install: <prefix>/lib/python3*/dist-packages/dlvta
-> <prefix>/lib), in the source tree's build/ (python/dlvta -> build/libdlvta.so), then wherever
the dynamic loader finds libdlvta.so.
"""
import ctypes
import ctypes.util
import glob
import os

_HERE = os.path.dirname(os.path.abspath(__file__))


def _candidates():
    env = os.environ.get("DLVTA_LIB")
    if env:
        return [env]  # an explicit choice: no fallback behind the user's back
    c = [os.path.join(_HERE, "libdlvta.so"),
         os.path.normpath(os.path.join(_HERE, "..", "..", "..", "libdlvta.so")),
         os.path.normpath(os.path.join(_HERE, "..", "..", "build", "libdlvta.so"))]
    found = ctypes.util.find_library("dlvta")
    if found:
        c.append(found)
    return c


def _load():
    tried = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(path + " (missing)")
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
    raise ImportError("dlvta: cannot load libdlvta.so; tried: %s. Build it with `make` in the "
                      "dlvta tree, or point DLVTA_LIB at it" % "; ".join(tried))


lib, path = _load()

# The verilator backend dlopens <config>/libtsim.so from $DLVTA_TSIM_DIR or beside the
# executable (python here, so never): when the library comes from a build tree that has the
# Verilated models (make tsim), point the backend there. An installed module needs
# DLVTA_TSIM_DIR set to such a build/ (make install does not install the models).
if not os.environ.get("DLVTA_TSIM_DIR"):
    _dir = os.path.dirname(os.path.abspath(path))
    if glob.glob(os.path.join(_dir, "*", "libtsim.so")):
        os.environ["DLVTA_TSIM_DIR"] = _dir

c_int, c_int64, c_uint64, c_double, c_char_p, c_void_p, c_size_t = (
    ctypes.c_int, ctypes.c_int64, ctypes.c_uint64, ctypes.c_double, ctypes.c_char_p,
    ctypes.c_void_p, ctypes.c_size_t)
c_float_p = ctypes.POINTER(ctypes.c_float)

# status codes of driver/runtime.h (enum rt_status)
RT_OK, RT_E_ARG, RT_E_PACKAGE, RT_E_DEVICE, RT_E_CPU, RT_E_NOMEM = 0, -1, -2, -3, -4, -5
# compiler/ir.h
IR_OK, IR_ERR, IR_UNSUPPORTED = 0, -1, -2


class LayerStats(ctypes.Structure):
    """struct rt_layer_stats of runtime/runtime.h, field for field."""
    _fields_ = [("op", c_char_p), ("node", c_char_p), ("desc", c_char_p), ("macs", c_uint64),
                ("predicted_cycles", c_uint64), ("cycles", c_uint64), ("device_macs", c_uint64),
                ("device_ms", c_double), ("host_ms", c_double)]


class HostTimes(ctypes.Structure):
    """struct rt_host_times of runtime/runtime.h, field for field."""
    _fields_ = [("quantize_ms", c_double), ("unpack_ms", c_double), ("transfer_ms", c_double),
                ("cpu_steps_ms", c_double), ("device_ms", c_double)]


def _fn(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


rt_load = _fn("rt_load", c_int, c_char_p, ctypes.POINTER(c_void_p), c_char_p, c_size_t)
rt_free = _fn("rt_free", None, c_void_p)
rt_open = _fn("rt_open", c_int, c_void_p, c_char_p, c_char_p, c_char_p, c_size_t)
rt_config_name = _fn("rt_config_name", c_char_p, c_void_p)
rt_calibration = _fn("rt_calibration", c_char_p, c_void_p)
rt_n_inputs = _fn("rt_n_inputs", c_int, c_void_p)
rt_n_outputs = _fn("rt_n_outputs", c_int, c_void_p)
rt_input = _fn("rt_input", c_char_p, c_void_p, c_int, ctypes.POINTER(c_int),
               ctypes.POINTER(ctypes.POINTER(c_int64)))
rt_output = _fn("rt_output", c_char_p, c_void_p, c_int, ctypes.POINTER(c_int),
                ctypes.POINTER(ctypes.POINTER(c_int64)))
rt_input_numel = _fn("rt_input_numel", c_int64, c_void_p, c_int)
rt_input_dtype = _fn("rt_input_dtype", c_char_p, c_void_p, c_int)
rt_output_numel = _fn("rt_output_numel", c_int64, c_void_p, c_int)
rt_run = _fn("rt_run", c_int, c_void_p, ctypes.POINTER(c_float_p), ctypes.POINTER(c_float_p),
             c_char_p, c_size_t)
rt_n_layers = _fn("rt_n_layers", c_int, c_void_p)
rt_layer = _fn("rt_layer", c_int, c_void_p, c_int, ctypes.POINTER(LayerStats))
rt_runs = _fn("rt_runs", c_uint64, c_void_p)
rt_total_cycles = _fn("rt_total_cycles", c_uint64, c_void_p)
rt_cpu_ms = _fn("rt_cpu_ms", c_double, c_void_p)
rt_n_cpu_steps = _fn("rt_n_cpu_steps", c_int, c_void_p)
rt_host_times_get = _fn("rt_host_times_get", None, c_void_p, ctypes.POINTER(HostTimes))
rt_peak_macs_per_cycle = _fn("rt_peak_macs_per_cycle", c_uint64, c_void_p)

# a runtime-only library (a board's, without the compiler) lacks it: compile() says so
try:
    cc_compile_package_cut = _fn("cc_compile_package_cut", c_int, c_char_p, c_char_p, c_char_p,
                                 ctypes.POINTER(c_float_p), c_int, c_int, ctypes.POINTER(c_int64), c_char_p, c_int,
                                 ctypes.POINTER(c_char_p), c_int, c_void_p, c_char_p, c_size_t)
except AttributeError:
    cc_compile_package_cut = None

# the C library's in-memory FILE for the compiler's notes (glibc's open_memstream)
libc = ctypes.CDLL(None)
try:
    libc.open_memstream.restype = c_void_p
    libc.open_memstream.argtypes = [ctypes.POINTER(c_void_p), ctypes.POINTER(c_size_t)]
    libc.fclose.restype = c_int
    libc.fclose.argtypes = [c_void_p]
    libc.free.restype = None
    libc.free.argtypes = [c_void_p]
    open_memstream = libc.open_memstream
except AttributeError:  # not glibc: the notes are not collected
    open_memstream = None

ERRLEN = 4096


def errbuf():
    """A buffer for the C functions' err argument."""
    return ctypes.create_string_buffer(ERRLEN)
