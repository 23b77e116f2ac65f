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


REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")
_IDENTITY = {"sum": 0, "mean": 0, "prod": 1, "amax": -np.inf, "amin": np.inf}
_AT = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


class ScatterReduce(Function):
    """out = a with src reduced in at index along dim ('sum', 'prod', 'mean', 'amax', 'amin'),
    ``a``'s own value taking part unless ``include_self=False``.

    Gradients as PyTorch's: sum passes grad to every contributor, mean grad / count, prod the
    product of the other contributors (exact with zeros), amax and amin split grad evenly
    among the contributors equal to the result. Its backward works on arrays.
    """

    @staticmethod
    def forward(ctx, a, src, index, dim, reduce, include_self=True):
        where = along_dim(index, dim)
        values = _head(src, index.shape)
        out = a.copy()
        if not include_self:
            identity = _IDENTITY[reduce]
            if np.issubdtype(a.dtype, np.integer) and not np.isfinite(identity):
                info = np.iinfo(a.dtype)
                identity = info.min if identity < 0 else info.max
            out[where] = identity
        if reduce in ("sum", "mean"):
            add_at(out, where, values)
        else:
            _AT[reduce].at(out, where, values)
        count = array_module(a).full(a.shape, 1 if include_self else 0, a.dtype)
        add_at(count, where, 1)
        if reduce == "mean":
            scattered = count > 0
            if np.issubdtype(a.dtype, np.floating):
                out = np.where(scattered, out / np.maximum(count, 1), out)
            else:
                out = np.where(scattered, out // np.maximum(count, 1), out)
        ctx.save_for_backward(a, values, out, count)
        ctx.options = (where, dim, reduce, include_self, src.shape)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, values, out, count = ctx.saved_tensors
        where, dim, reduce, include_self, src_shape = ctx.options
        untouched = count == (1 if include_self else 0)  # positions no src reached
        if reduce == "sum":
            grad_a, grad_values = grad, grad[where]
        elif reduce == "mean":
            share = grad / np.maximum(count, 1)
            grad_a, grad_values = np.where(untouched, grad, share), share[where]
        elif reduce == "prod":
            grad_a, grad_values = _product_grads(a, values, out, grad, where, include_self)
        else:
            hit_a = a == out
            hit_values = values == out[where]
            ties = hit_a.astype(grad.dtype)  # also without include_self, as PyTorch counts
            add_at(ties, where, hit_values.astype(grad.dtype))
            share = grad / np.maximum(ties, 1)
            grad_a = np.where(untouched, grad, np.where(hit_a, share, 0))
            grad_values = np.where(hit_values, share[where], 0)
        if not include_self:
            grad_a = np.where(untouched, grad, 0)
        grad_src = array_module(grad).zeros(src_shape, grad.dtype)
        grad_src[tuple(slice(0, n) for n in values.shape)] = grad_values
        return grad_a, grad_src


def _product_grads(a, values, out, grad, where, include_self):
    """Each contributor's gradient: grad times the product of the other contributors."""
    xp_ = array_module(a)
    zeros = (a == 0).astype(np.int64) * include_self
    add_at(zeros, where, (values == 0).astype(np.int64))
    nonzero_product = xp_.where(a == 0, 1, a) if include_self else xp_.ones_like(a)
    np.multiply.at(nonzero_product, where, xp_.where(values == 0, 1, values))

    def others(x, zeros_here, product_here):
        safe = xp_.where(x == 0, 1, x)
        return xp_.where(
            zeros_here == 0,
            product_here / safe,
            xp_.where((zeros_here == 1) & (x == 0), product_here, 0),
        )

    grad_a = grad * others(a, zeros, nonzero_product)
    grad_values = grad[where] * others(values, zeros[where], nonzero_product[where])
    return grad_a, grad_values
