"""Reductions and normalisations. ``dim`` arrives normalised: None or a tuple of axes >= 0."""

import numpy as np

from minigrad.autograd.function import Context, Function
from minigrad.backend import add_at, array_module
from minigrad.ops import xp


def _expand_back(grad, shape, dim, keepdim):
    """Broadcast a reduced gradient back over the input's shape (a read-only view)."""
    if not keepdim:
        grad = xp.expand_dims(grad, dim if dim is not None else tuple(range(len(shape))))
    return xp.broadcast_to(grad, shape)


class Sum(Function):
    """d sum(a) = da summed: the gradient is copied to every summed element"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False):
        ctx.shape, ctx.dim, ctx.keepdim = a.shape, dim, keepdim
        return np.sum(a, axis=dim, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        return _expand_back(grad, ctx.shape, ctx.dim, ctx.keepdim)


class Amax(Function):
    """d amax(a): to the maximal elements, split evenly among ties (as PyTorch's amax)

    A NaN is the maximum of its group. As in PyTorch, amax then gives the whole group a NaN
    gradient, while max() (``nan_picks=True``) gives the gradient to the NaN positions.
    """

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, smallest=False, nan_picks=False):
        out = np.min(a, axis=dim, keepdims=True) if smallest else np.max(a, axis=dim, keepdims=True)
        chosen, ctx.nan_groups = a == out, None
        nan = np.isnan(out)
        if nan.any():
            if nan_picks:
                chosen |= np.isnan(a) & nan
            else:
                ctx.nan_groups = nan
        ctx.save_for_backward(chosen)
        ctx.dim, ctx.keepdim = dim, keepdim
        return out if keepdim else np.squeeze(out, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        (chosen,) = ctx.saved_tensors
        ties = np.sum(chosen, axis=ctx.dim, keepdims=True, dtype=grad.dtype)  # no int64 / float64
        share = _expand_back(grad, chosen.shape, ctx.dim, ctx.keepdim) / ties  # 0 in NaN groups
        out = xp.where(chosen, share, grad.dtype.type(0))
        if ctx.nan_groups is not None:
            out = xp.where(np.broadcast_to(ctx.nan_groups, out.shape), np.nan, out)
        return out


def along_dim(index, dim):
    """The fancy index that reaches ``index[i, j, ...]`` along ``dim`` and (i, j, ...) elsewhere:
    what take_along_dim reads and scatter writes."""
    arange = array_module(index).arange
    grids = [
        arange(size).reshape((1,) * axis + (size,) + (1,) * (index.ndim - axis - 1))
        for axis, size in enumerate(index.shape)
    ]
    grids[dim] = index
    return tuple(grids)


class TakeAlongDim(Function):
    """d take_along_dim(a, index) = the gradient scattered back (summed over repeated indices)"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, index, dim):
        ctx.shape, ctx.dim = a.shape, dim
        ctx.save_for_backward(index)
        return np.take_along_axis(a, index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved_tensors
        if ctx.create_graph:  # the scatter as an op of its own, differentiable
            return ScatterAlongDim.apply(grad, index, ctx.dim, ctx.shape), None
        full = array_module(grad).zeros(ctx.shape, grad.dtype)
        if index.shape[ctx.dim] == 1:  # one index per line cannot repeat: a plain scatter
            full[along_dim(index, ctx.dim)] = grad
        else:
            add_at(full, along_dim(index, ctx.dim), grad)
        return full, None


class ScatterAlongDim(Function):
    """take_along_dim's gradient as an op (create_graph): its own gradient is take_along_dim"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, grad, index, dim, shape):
        ctx.index, ctx.dim = index, dim
        inner = Context((True, False))
        inner.shape, inner.dim, inner._saved = shape, dim, (index,)
        return TakeAlongDim.backward(inner, grad)[0]

    @staticmethod
    def backward(ctx, grad):
        return xp.apply(TakeAlongDim, grad, ctx.index, ctx.dim), None, None, None


def log_softmax(a, axis):
    """log_softmax of an array. Shifting by the max keeps exp from overflowing (the result is
    exact either way); an all -inf row gives NaN, as in PyTorch; an empty axis gives empty."""
    if a.size == 0:
        return a.copy()
    top = np.max(a, axis=axis, keepdims=True)
    shifted = a - np.where(np.isinf(top), 0, top)  # -inf - -inf is NaN: shift by 0 there
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


class LogSoftmax(Function):
    """d log_softmax(a) = da - softmax(a) sum(da): computed from the saved output"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, dim):
        out = log_softmax(a, dim)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad - xp.exp(out) * xp.sum(grad, axis=ctx.dim, keepdims=True)
