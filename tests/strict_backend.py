"""A second device for tests: 'strict', whose arrays refuse to mix with numpy's.

It stands in for a GPU on a machine without one. A ``StrictArray`` is a numpy array
underneath, but any numpy function or operator that gets both a StrictArray and a plain
``numpy.ndarray`` raises, and so does indexing one with a plain array, as CuPy refuses host
arrays. An op that makes an array with ``np.zeros`` instead of the inputs' array module, or
a random mask on the host without moving it, fails here instead of silently computing on the
CPU. Its module (``STRICT.xp``) is numpy whose array-making functions return StrictArrays.

Not part of minigrad: tests register it for a module with the ``strict_device`` fixture
(tests/conftest.py), or for a block with ``with registered():``.
"""

import contextlib
import types

import numpy as np

from minigrad import backend
from minigrad.device import device


class MixedDevices(TypeError):
    """A StrictArray met a plain numpy array."""


def _check(name, values):
    for value in values:
        if type(value) is np.ndarray:
            raise MixedDevices(
                f"{name}: a strict-device array met a numpy array of shape {value.shape} "
                f"({value.dtype}); it should have been made with the array module of the inputs"
            )
        if isinstance(value, list | tuple):
            _check(name, value)


def _plain(value):
    if isinstance(value, StrictArray):
        return value.view(np.ndarray)
    if isinstance(value, list | tuple):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _strict(value):
    if type(value) is np.ndarray:
        return value.view(StrictArray)
    if isinstance(value, np.generic):  # CuPy's reductions give 0-d arrays, not scalars
        return np.asarray(value).view(StrictArray)
    if hasattr(value, "_fields"):  # numpy's named results (SVDResult, ...)
        return type(value)(*(_strict(v) for v in value))
    if isinstance(value, tuple | list):
        return type(value)(_strict(v) for v in value)
    return value


class StrictArray(np.ndarray):
    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        _check(f"np.{ufunc.__name__}.{method}", inputs + (out or ()))
        if out is not None:
            kwargs["out"] = tuple(_plain(o) for o in out)
        result = getattr(ufunc, method)(*_plain(inputs), **kwargs)
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _strict(result)

    def __array_function__(self, func, types_, args, kwargs):
        _check(f"np.{func.__name__}", list(args) + list(kwargs.values()))
        return _strict(func(*_plain(args), **_plain(kwargs)))

    def __getitem__(self, index):
        _check("indexing", index if isinstance(index, tuple) else (index,))
        return _strict(np.ndarray.__getitem__(self.view(np.ndarray), _plain(index)))

    def __setitem__(self, index, value):
        _check("index assignment", (index if isinstance(index, tuple) else (index,)) + (value,))
        np.ndarray.__setitem__(self.view(np.ndarray), _plain(index), _plain(value))

    def __reduce__(self):  # refuse pickling: a device array has no host bytes to pickle
        raise TypeError("a strict-device array cannot be pickled; copy it to the host first")


_MAKERS = (
    "array asarray ascontiguousarray asanyarray zeros ones empty full zeros_like ones_like "
    "empty_like full_like arange linspace logspace eye identity tri indices frombuffer "
    "fromiter concatenate stack"
).split()


_CONVERTERS = {"array", "asarray", "ascontiguousarray", "asanyarray"}  # host -> device copies


def _maker(function):
    def make(*args, **kwargs):
        if function.__name__ not in _CONVERTERS:
            _check(f"xp.{function.__name__}", list(args) + list(kwargs.values()))
        return _strict(np.asarray(function(*_plain(args), **_plain(kwargs))))

    make.__name__ = function.__name__
    return make


class _StrictModule(types.ModuleType):
    """numpy, with its array-making functions returning StrictArrays."""

    def __getattr__(self, name):
        attribute = getattr(np, name)
        if name in _MAKERS:
            return _maker(attribute)
        return attribute


xp = _StrictModule("strict_numpy")


def _host(array):
    return np.array(array.view(np.ndarray), copy=True)


def _from_host(array, dev):
    return np.array(array, copy=True).view(StrictArray)


def is_strict(value):
    """Whether a Tensor (or an array) lives on the strict device."""
    return isinstance(getattr(value, "_data", value), StrictArray)


@contextlib.contextmanager
def registered():
    register()
    try:
        yield device("strict")
    finally:
        unregister()


def register():
    backend.register(
        backend.Backend("strict", xp, StrictArray, _host, _from_host, lambda a: device("strict"))
    )


def unregister():
    backend.unregister("strict")
