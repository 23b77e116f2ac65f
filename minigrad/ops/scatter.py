"""Writes at indices: scatter, scatter_add and index_add (out-of-place, as the Tensor methods
without the trailing underscore). The gradient of what is written is gathered back from grad.
"""

import numpy as np

from minigrad.autograd.function import Function
from minigrad.backend import add_at, array_module
from minigrad.ops import xp
from minigrad.ops.reductions import TakeAlongDim, along_dim


def _head(src, shape):
    """The leading ``shape`` block of src: torch reads only index.shape elements of src."""
    return src[tuple(slice(0, n) for n in shape)]


def _gathered(grad, index, dim, src_shape):
    """The gradient of src: grad at the written places, zero where src was not read."""
    block = tuple(slice(None) if d == dim else slice(0, n) for d, n in enumerate(index.shape))
    part = xp.apply(TakeAlongDim, grad[block], index, dim=dim)
    if tuple(src_shape) == index.shape:
        return part
    pads = [(0, total - used) for used, total in zip(index.shape, src_shape)]
    if xp.is_tensor(part):
        from minigrad.nn.functional import pad

        return pad(part, tuple(n for pair in reversed(pads) for n in pair))
    return np.pad(part, pads)


class Scatter(Function):
    """out = a with src written at index along dim: grad_a is grad with those places zeroed,
    grad_src is grad gathered at index"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, src, index, dim):
        ctx.index, ctx.dim, ctx.src_shape = index, dim, np.shape(src)
        out = a.copy()
        values = np.broadcast_to(src, index.shape) if np.ndim(src) == 0 else _head(src, index.shape)
        out[along_dim(index, dim)] = values
        return out

    @staticmethod
    def backward(ctx, grad):
        values = xp.constant(grad)
        written = array_module(values).zeros(values.shape, bool)
        written[along_dim(ctx.index, ctx.dim)] = True
        grad_a = xp.where(written, 0, grad) if ctx.needs_input_grad[0] else None
        grad_src = None
        if ctx.needs_input_grad[1]:
            grad_src = _gathered(grad, ctx.index, ctx.dim, ctx.src_shape)
        return grad_a, grad_src


class ScatterAdd(Function):
    """out = a with src added at index along dim (repeats accumulate): grad_a = grad,
    grad_src = grad gathered at index"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, src, index, dim):
        ctx.index, ctx.dim, ctx.src_shape = index, dim, src.shape
        out = a.copy()
        add_at(out, along_dim(index, dim), _head(src, index.shape))
        return out

    @staticmethod
    def backward(ctx, grad):
        grad_src = None
        if ctx.needs_input_grad[1]:
            grad_src = _gathered(grad, ctx.index, ctx.dim, ctx.src_shape)
        return grad, grad_src


class IndexAdd(Function):
    """out = a with alpha * source added at the 1-D index along dim: grad_a = grad,
    grad_source = alpha * grad at index"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, source, index, dim, alpha=1):
        ctx.where, ctx.alpha = (slice(None),) * dim + (index,), alpha
        out = a.copy()
        add_at(out, ctx.where, source * alpha if alpha != 1 else source)
        return out

    @staticmethod
    def backward(ctx, grad):
        grad_source = grad[ctx.where] * ctx.alpha if ctx.needs_input_grad[1] else None
        return grad, grad_source
