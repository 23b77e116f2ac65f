"""Tensor factories: ``zeros``, ``ones``, ``full``, ``arange``, ``rand``, ... as in PyTorch.

Each takes ``dtype=``, ``device=`` (the CPU) and ``requires_grad=``; sizes may be given as
``f(2, 3)`` or ``f((2, 3))``. Random factories draw from ``minigrad.random.default_generator()``.
"""

import numpy as np

from minigrad import dtypes
from minigrad.device import as_device
from minigrad.random import default_generator
from minigrad.tensor import Tensor, _python_dtype
from minigrad.tensor import _shape_argument as _any_shape


def _shape_argument(size):
    """A factory's size: integers (as for view) and none negative (unlike view's -1)."""
    shape = _any_shape(size)
    if any(n < 0 for n in shape):
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {min(shape)}: {list(shape)}"
        )
    return shape


def _check_eye(n, m):
    for name, value in (("n", n), ("m", m)):
        if value is not None and value < 0:
            raise RuntimeError(f"eye: {name} must be greater or equal to 0, got {value}")


def _check_randint(low, high):
    if low >= high:
        raise RuntimeError(
            f"randint: expects 'low' to be less than 'high', but got low={low} >= high={high}"
        )


def _new(array, requires_grad, device=None, options=None):
    if device is not None:
        as_device(device)
    if options:
        unknown = set(options) - _ACCEPTED
        if unknown:
            raise TypeError(f"got an unexpected keyword argument {sorted(unknown)[0]!r}")
    out = Tensor._make(array)
    out.requires_grad = requires_grad
    return out


# PyTorch's factory keywords that change nothing on the CPU.
_ACCEPTED = {"layout", "pin_memory", "memory_format"}


def _float_dtype(dtype):
    return dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)


def zeros(*size, dtype=None, device=None, requires_grad=False, **_kw):
    return _new(np.zeros(_shape_argument(size), _float_dtype(dtype)), requires_grad, device, _kw)


def ones(*size, dtype=None, device=None, requires_grad=False, **_kw):
    return _new(np.ones(_shape_argument(size), _float_dtype(dtype)), requires_grad, device, _kw)


def empty(*size, dtype=None, device=None, requires_grad=False, **_kw):
    return _new(np.empty(_shape_argument(size), _float_dtype(dtype)), requires_grad, device, _kw)


def full(size, fill_value, dtype=None, device=None, requires_grad=False, **_kw):
    """A tensor of ``size`` filled with ``fill_value`` (its dtype follows the value's kind)."""
    if dtype is None:
        dtype = _python_dtype(np.asarray(fill_value).dtype)
    return _new(np.full(_shape_argument((size,)), fill_value, dtype), requires_grad, device, _kw)


def eye(n, m=None, dtype=None, device=None, requires_grad=False, **_kw):
    _check_eye(n, m)
    return _new(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad, device, _kw)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False, **_kw):
    """``arange(end)`` or ``arange(start, end, step)``; int64 for ints, else float32."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        dtype = _python_dtype(np.asarray([start, end, step]).dtype)
    return _new(np.arange(start, end, step).astype(dtype), requires_grad, device, _kw)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False, **_kw):
    array = np.linspace(start, end, steps).astype(_float_dtype(dtype))
    return _new(array, requires_grad, device, _kw)


def rand(*size, dtype=None, device=None, requires_grad=False, **_kw):
    """Uniform on [0, 1)."""
    dtype = _float_dtype(dtype)
    array = default_generator().random(_shape_argument(size), dtype=dtype)
    return _new(array, requires_grad, device, _kw)


def randn(*size, dtype=None, device=None, requires_grad=False, **_kw):
    """Standard normal."""
    dtype = _float_dtype(dtype)
    array = default_generator().standard_normal(_shape_argument(size), dtype=dtype)
    return _new(array, requires_grad, device, _kw)


def randint(*args, size=None, dtype=None, device=None, requires_grad=False, **_kw):
    """``randint(high, size)`` or ``randint(low, high, size)``: integers in [low, high)."""
    args = list(args)
    if size is None:
        if not args:
            raise TypeError("randint needs high and size")
        size = args.pop()
    low, high = (0, args[0]) if len(args) == 1 else tuple(args)
    _check_randint(low, high)
    array = default_generator().integers(low, high, _shape_argument((size,)))
    return _new(array.astype(dtypes.int64 if dtype is None else dtype), requires_grad, device, _kw)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False, **_kw):
    rng = default_generator() if generator is None else getattr(generator, "_rng", generator)
    return _new(rng.permutation(n).astype(dtype or dtypes.int64), requires_grad, device, _kw)


def _like(factory):
    def like(input, dtype=None, device=None, requires_grad=False, **_kw):
        return factory(
            input.shape,
            dtype=dtype or input.dtype,
            device=device,
            requires_grad=requires_grad,
            **_kw,
        )

    like.__name__ = factory.__name__ + "_like"
    like.__doc__ = f"``{factory.__name__}`` with the shape (and, by default, dtype) of ``input``."
    return like


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)
rand_like = _like(rand)
randn_like = _like(randn)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False, **_kw):
    return full(
        input.shape,
        fill_value,
        dtype=dtype or input.dtype,
        device=device,
        requires_grad=requires_grad,
        **_kw,
    )


__all__ = [
    "arange", "empty", "empty_like", "eye", "full", "full_like", "linspace", "ones",
    "ones_like", "rand", "rand_like", "randint", "randn", "randn_like", "randperm", "zeros",
    "zeros_like",
]  # fmt: skip
