"""Reductions and normalisations. ``dim`` arrives normalised: None or a tuple of axes >= 0."""

import numpy as np

from minigrad.autograd.function import Function


def _expand_back(grad, shape, dim, keepdim):
    """Broadcast a reduced gradient back over the input's shape (a read-only view)."""
    if not keepdim:
        grad = np.expand_dims(grad, dim if dim is not None else tuple(range(len(shape))))
    return np.broadcast_to(grad, shape)


class Sum(Function):
    """d sum(a) = da summed: the gradient is copied to every summed element"""

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
        with np.errstate(divide="ignore", invalid="ignore"):  # ties == 0 in a NaN group
            share = _expand_back(grad, chosen.shape, ctx.dim, ctx.keepdim) / ties
        out = np.where(chosen, share, np.zeros((), grad.dtype))
        if ctx.nan_groups is not None:
            out[np.broadcast_to(ctx.nan_groups, out.shape)] = np.nan
        return out


class TakeAlongDim(Function):
    """d take_along_dim(a, index) = the gradient scattered back (summed over repeated indices)"""

    @staticmethod
    def forward(ctx, a, index, dim):
        ctx.shape, ctx.dim = a.shape, dim
        ctx.save_for_backward(index)
        return np.take_along_axis(a, index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved_tensors
        full = np.zeros(ctx.shape, grad.dtype)
        if index.shape[ctx.dim] == 1:  # one index per line cannot repeat: a plain scatter
            np.put_along_axis(full, index, grad, axis=ctx.dim)
        else:
            grids = list(np.indices(index.shape, sparse=True))
            grids[ctx.dim] = index
            np.add.at(full, tuple(grids), grad)
        return full, None


class LogSoftmax(Function):
    """d log_softmax(a) = da - softmax(a) sum(da): computed from the saved output"""

    @staticmethod
    def forward(ctx, a, dim):
        # Shifting by the max keeps exp from overflowing; the result is exact either way.
        shifted = a - np.max(a, axis=dim, keepdims=True)
        out = shifted - np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad - np.exp(out) * np.sum(grad, axis=ctx.dim, keepdims=True)
