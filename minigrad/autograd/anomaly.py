"""Anomaly mode: name the first op whose forward or backward gives a NaN or inf, and where
the user's code called it. Off by default: recording where each op was created costs time."""

import os
import sys

import numpy as np

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_enabled = False


def enabled():
    return _enabled


def is_anomaly_enabled():
    """True while anomaly detection is on (as ``torch.is_anomaly_enabled``)."""
    return _enabled


class set_detect_anomaly:
    """``set_detect_anomaly(True)`` turns anomaly detection on at once; also usable as a
    ``with`` block, which restores the previous mode on exit, as in PyTorch."""

    def __init__(self, mode, check_nan=True):
        global _enabled
        self.previous, _enabled = _enabled, bool(mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        global _enabled
        _enabled = self.previous
        return False


class detect_anomaly:
    """``with mg.autograd.detect_anomaly():`` runs its block with anomaly detection on.

    Inside it, an op whose forward output or backward gradient holds a NaN or an inf raises a
    RuntimeError naming the op and the file:line of the call that created it.
    """

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        global _enabled
        self.previous, _enabled = _enabled, True
        return self

    def __exit__(self, *exc_info):
        global _enabled
        _enabled = self.previous
        return False


def creation_trace():
    """'file:line in function' of the innermost caller outside minigrad."""
    frame = sys._getframe(1)
    inside = _PACKAGE + os.sep
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(inside):
        frame = frame.f_back
    if frame is None:
        return "an unknown place"
    return f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}"


def check_forward(function, outputs):
    for index, out in enumerate(outputs):
        if np.issubdtype(out.dtype, np.floating) and not np.isfinite(out._data).all():
            raise RuntimeError(
                f"Function '{function.__name__}' returned nan or inf values in its output "
                f"{index}; it was called at {creation_trace()}"
            )


def check_backward(node, grads):
    for index, grad in enumerate(grads):
        if grad is not None and not np.isfinite(grad).all():
            trace = getattr(node.ctx, "_trace", "an unknown place (anomaly mode was off then)")
            raise RuntimeError(
                f"Function '{node.name()}' returned nan or inf values in its gradient for "
                f"input {index}; the op was created at {trace}"
            )
