"""numpy's functions for op backwards that run on arrays or on Tensors (``create_graph=True``).

A backward is written once. On the fast first-order path its operands are numpy arrays and
each helper is the numpy function (one ``isinstance`` check more). Under ``create_graph=True``
the engine hands it Tensors (the gradient, and the saved inputs and outputs as graph Tensors),
and the same helper records minigrad's differentiable ops, so the gradient is itself a graph
(chainer's ``xp = get_array_module(x)`` idea, with the Tensor as the second "array module").
Operators (``+ * / ** @``, comparisons) need no helper: they work on both already.

numpy itself refuses Tensors (``Tensor.__array_ufunc__ = None`` makes ``np.exp(t)`` a
TypeError, and a Tensor that requires grad refuses ``__array__`` inside such a backward),
so a backward that calls numpy directly on a graph Tensor fails loudly instead of turning it
into a constant array and giving a silently wrong second derivative.
"""

import numpy as np

from minigrad._broadcast import sum_to as _array_sum_to
from minigrad.backend import array_module


def _tensor():
    from minigrad.tensor import Tensor

    return Tensor


def is_tensor(x):
    return isinstance(x, _tensor())


def constant(x):
    """x's values as an array, off the graph: only for masks, signs and tie-breaks, whose
    derivative is zero."""
    return x._data if is_tensor(x) else x


def apply(function, *args, **kwargs):
    """``function.apply`` when a Tensor is among ``args``, else its forward on arrays."""
    if any(is_tensor(a) for a in args):
        return function.apply(*args, **kwargs)
    from minigrad.autograd.function import Context

    return function.forward(Context((False,) * len(args)), *args, **kwargs)


def where(condition, a, b):
    if is_tensor(a) or is_tensor(b):
        from minigrad.tensor import where as tensor_where

        return tensor_where(constant(condition), a, b)
    return np.where(condition, a, b)


def _unary(name):
    ufunc = getattr(np, name)

    def function(x):
        return getattr(x, name)() if is_tensor(x) else ufunc(x)

    function.__name__ = name
    return function


exp, log, sin, cos, tanh, abs = (_unary(n) for n in ("exp", "log", "sin", "cos", "tanh", "abs"))
sqrt, sinh, cosh = (_unary(n) for n in ("sqrt", "sinh", "cosh"))


def flip(x, axis):
    """x reversed along ``axis`` (an int or a tuple of ints)."""
    if is_tensor(x):
        return x.flip(axis if isinstance(axis, tuple) else (axis,))
    return np.flip(x, axis)


def zeros_like(x):
    """Zeros of x's shape and dtype; a constant Tensor for a Tensor (its derivative is zero)."""
    values = constant(x)
    zeros = array_module(values).zeros(values.shape, values.dtype)
    return _tensor()._make(zeros) if is_tensor(x) else zeros


def sign(x):
    """sign(x); a constant even for a Tensor (its derivative is zero almost everywhere)."""
    return np.sign(constant(x))


def log1p(x):
    # Tensors have no log1p primitive yet: log(1 + x) loses digits only for |x| << 1.
    return (x + 1).log() if is_tensor(x) else np.log1p(x)


def maximum(a, b):
    if is_tensor(a) or is_tensor(b):
        from minigrad.tensor import maximum as tensor_maximum

        return tensor_maximum(a, b)
    return np.maximum(a, b)


def sum(x, axis=None, keepdims=False):  # noqa: A001 (numpy's name, on purpose)
    if is_tensor(x):
        return x.sum(dim=axis, keepdim=keepdims)
    return np.sum(x, axis=axis, keepdims=keepdims)


def reshape(x, shape):
    return x.reshape(shape) if is_tensor(x) else np.reshape(x, shape)


def transpose(x, axes):
    return x.permute(*axes) if is_tensor(x) else np.transpose(x, axes)


def swapaxes(x, axis1, axis2):
    return x.transpose(axis1, axis2) if is_tensor(x) else np.swapaxes(x, axis1, axis2)


def expand_dims(x, axis):
    if not is_tensor(x):
        return np.expand_dims(x, axis)
    axes = axis if isinstance(axis, tuple) else (axis,)
    shape = list(x.shape)
    for a in sorted(a % (x.ndim + len(axes)) for a in axes):
        shape.insert(a, 1)
    return x.reshape(tuple(shape))


def broadcast_to(x, shape):
    return x.expand(tuple(shape)) if is_tensor(x) else np.broadcast_to(x, shape)


def matmul(a, b):
    return a @ b if is_tensor(a) or is_tensor(b) else np.matmul(a, b)


def astype(x, dtype):
    return x.to(dtype) if is_tensor(x) else x.astype(dtype, copy=False)


def split(x, bounds, axis):
    if not is_tensor(x):
        return np.split(x, bounds, axis=axis)
    edges = [0, *(int(b) for b in bounds), x.shape[axis]]
    lead = (slice(None),) * axis
    return [x[lead + (slice(start, stop),)] for start, stop in zip(edges[:-1], edges[1:])]


def sum_to(x, shape):
    """Sum ``x`` back to ``shape`` over broadcast axes (None when it does not broadcast)."""
    if not is_tensor(x):
        return _array_sum_to(x, shape)
    shape = tuple(shape)
    if x.shape == shape:
        return x
    lead = x.ndim - len(shape)
    if lead < 0:
        return None
    stretched = []
    for axis, size in enumerate(shape):
        if size != x.shape[lead + axis]:
            if size != 1:
                return None
            stretched.append(lead + axis)
    axes = tuple(range(lead)) + tuple(stretched)
    return x.sum(dim=axes, keepdim=True).reshape(shape)
