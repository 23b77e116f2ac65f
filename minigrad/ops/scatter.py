"""Writes at indices: scatter, scatter_add, scatter_reduce and index_add (out-of-place, as the
Tensor methods without the trailing underscore). The gradient of what is written is gathered
back from grad.
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


REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")
_IDENTITY = {"sum": 0, "mean": 0, "prod": 1, "amax": -np.inf, "amin": np.inf}
_AT = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


class ScatterReduce(Function):
    """out = a with src reduced in at index along dim ('sum', 'prod', 'mean', 'amax', 'amin'),
    ``a``'s own value taking part unless ``include_self=False``.

    Gradients as PyTorch's: sum passes grad to every contributor, mean grad / count, prod the
    product of the other contributors (exact with zeros, through this op again), amax and amin
    split grad evenly among the contributors equal to the result (PyTorch counts ``a`` among
    them also without include_self). Positions no src reaches pass grad to ``a``.
    """

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, src, index, dim, reduce, include_self=True):
        where = along_dim(index, dim)
        values = _head(src, index.shape)
        out = a.copy()
        if not include_self:
            identity = _IDENTITY[reduce]
            if a.dtype == np.bool_:
                identity = reduce in ("prod", "amin")
            elif np.issubdtype(a.dtype, np.integer) and not np.isfinite(identity):
                info = np.iinfo(a.dtype)
                identity = info.min if identity < 0 else info.max
            out[where] = identity
        if reduce in ("sum", "mean"):
            add_at(out, where, values)
        else:
            _AT[reduce].at(out, where, values)
        count = array_module(a).full(a.shape, 1 if include_self else 0, np.int64)
        add_at(count, where, 1)
        if reduce == "mean":  # ints round down, as PyTorch's
            divide = np.true_divide if np.issubdtype(a.dtype, np.floating) else np.floor_divide
            out = np.where(count > 0, divide(out, np.maximum(count, 1)), out).astype(a.dtype)
        ctx.save_for_backward(a, src, out, count)
        ctx.options = (index, dim, reduce, include_self)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, src, out, count = ctx.saved_tensors
        index, dim, reduce, include_self = ctx.options
        where = along_dim(index, dim)
        src_shape = np.shape(xp.constant(src))
        untouched = count == (1 if include_self else 0)  # positions no src reached
        if reduce == "sum":
            grad_a, grad_src = grad, _gathered(grad, index, dim, src_shape)
        elif reduce == "mean":
            share = grad / np.maximum(count, 1).astype(grad.dtype)
            grad_a = xp.where(untouched, grad, share)
            grad_src = _gathered(share, index, dim, src_shape)
        elif reduce == "prod":
            grad_a, grad_src = _product_grads(ctx, a, src, grad)
        else:
            hit_a = xp.constant(a) == xp.constant(out)
            hit_values = _head(xp.constant(src), index.shape) == xp.constant(out)[where]
            ties = hit_a.astype(np.int64)  # also without include_self, as PyTorch counts
            add_at(ties, where, hit_values.astype(np.int64))
            hit_src = _into(hit_values, src_shape, False)
            share = grad / np.maximum(ties, 1).astype(grad.dtype)
            grad_a = xp.where(untouched, grad, xp.where(hit_a, share, 0))
            grad_src = xp.where(hit_src, _gathered(share, index, dim, src_shape), 0)
        if not include_self:
            grad_a = xp.where(untouched, grad, 0)
        return grad_a, grad_src


def _into(block, shape, fill):
    """``block`` (of index's shape) as the leading block of an array of src's ``shape`` that
    holds ``fill`` elsewhere: the inverse of ``_head``, for masks and counts."""
    if block.shape == tuple(shape):
        return block
    full = array_module(block).full(shape, fill, block.dtype)
    full[tuple(slice(0, n) for n in block.shape)] = block
    return full


def _product_grads(ctx, a, src, grad):
    """Each contributor's gradient: grad times the product of the other contributors (out / x
    without zeros; the nonzero product for a position's only zero; 0 with two zeros)."""
    index, dim, _, include_self = ctx.options
    where = along_dim(index, dim)
    src_shape = np.shape(xp.constant(src))
    zero_a, zero_src = xp.constant(a) == 0, xp.constant(src) == 0
    zeros = zero_a.astype(np.int64) * include_self
    add_at(zeros, where, _head(zero_src, index.shape).astype(np.int64))
    nonzero_product = xp.apply(
        ScatterReduce, xp.where(zero_a, 1, a), xp.where(zero_src, 1, src),
        index=index, dim=dim, reduce="prod", include_self=include_self,
    )  # fmt: skip

    def others(x, zero, zeros_here, product_here):
        plain = product_here / xp.where(zero, 1, x)
        return xp.where(zeros_here == 0, plain, xp.where((zeros_here == 1) & zero, product_here, 0))

    grad_a = grad * others(a, zero_a, zeros, nonzero_product)
    spread = _gathered(grad, index, dim, src_shape)
    product_src = _gathered(nonzero_product, index, dim, src_shape)
    zeros_at_src = _into(zeros[where], src_shape, -1)  # -1: no src element is read there
    grad_src = spread * others(src, zero_src, zeros_at_src, product_src)
    return grad_a, grad_src
