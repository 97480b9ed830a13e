"""dlvta.errors -- the exceptions of the binding. Every failure of the C library arrives as an
Error carrying the library's message and status code."""


class Error(RuntimeError):
    """A failure reported by libdlvta (message as the C library wrote it; code: its status,
    an RT_E_* of driver/runtime.h or an IR_* of compiler/ir.h; None when raised in Python)."""

    def __init__(self, message, code=None):
        super().__init__(message)
        self.code = code


class InputError(Error, ValueError):
    """Bad input from the caller: an array of the wrong shape or type, an unknown name."""
