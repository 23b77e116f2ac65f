"""Switching graph recording on and off: ``no_grad``, ``enable_grad``, ``set_grad_enabled``."""

import functools
import threading


class _State(threading.local):
    """Grad mode per thread, as in PyTorch: a new thread starts with recording on, and one
    thread's ``no_grad`` never switches recording off in another."""

    enabled = True


_state = _State()


def is_grad_enabled():
    """True when operations on tensors that require grad are recorded for backward."""
    return _state.enabled


class _GradMode:
    """A context manager and decorator that sets recording to ``self.mode`` and restores it."""

    mode = True

    def __enter__(self):
        self.previous, _state.enabled = _state.enabled, self.mode
        return self

    def __exit__(self, *exc_info):
        _state.enabled = self.previous
        return False

    def __call__(self, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with _Mode(self.mode):
                return function(*args, **kwargs)

        return wrapper


class _Mode(_GradMode):
    def __init__(self, mode):
        self.mode = mode


class _DecoratorMode(_GradMode):
    """Also a bare decorator, ``@mg.no_grad`` without parentheses, as in PyTorch."""

    def __new__(cls, function=None):
        self = super().__new__(cls)
        return self if function is None else self(function)


class no_grad(_DecoratorMode):
    """``with mg.no_grad():`` (or ``@mg.no_grad``) records nothing: for inference and updates."""

    mode = False


class enable_grad(_DecoratorMode):
    """Record again inside a ``no_grad`` block."""

    mode = True


class set_grad_enabled(_GradMode):
    """``mg.set_grad_enabled(False)`` switches recording off at once, as a call or a ``with``."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self.previous, _state.enabled = _state.enabled, self.mode

    def __enter__(self):
        return self

    def __call__(self, function):
        # as a decorator it switches the mode only inside the function
        _state.enabled = self.previous
        return super().__call__(function)
