"""Batch normalisation as one primitive: one node instead of a dozen, and a closed-form backward.

Per-channel sums run as matrix-vector products on a 2-D view (rows, channels) when the
channels are innermost in memory, as in the conv kernels' output, or on (N, C, L) otherwise:
numpy's own reductions over axes (0, 2, 3) are several times slower.
"""

import numpy as np

from minigrad.autograd.function import Function
from minigrad.backend import array_module
from minigrad.ops import xp


def _channels_last(x):
    return np.moveaxis(x, 1, -1).flags.c_contiguous


def _to_view(a, channels_last):
    """(N, C, *) -> (rows, W * C) if ``channels_last`` (W the last dim: rows of W * C make
    numpy's inner loops long; a view when the layout allows), else (N, C, L)."""
    if channels_last:
        width = a.shape[-1] if a.ndim > 2 else 1
        return np.moveaxis(a, 1, -1).reshape(-1, width * a.shape[1])
    return a.reshape(a.shape[0], a.shape[1], -1)


def _from_view(view, shape, channels_last):
    if channels_last:
        return np.moveaxis(view.reshape((shape[0], *shape[2:], shape[1])), -1, 1)
    return view.reshape(shape)


def _channel_sum(view, channels):
    if view.ndim == 2:
        return (
            (array_module(view).ones(view.shape[0], view.dtype) @ view).reshape(-1, channels).sum(0)
        )
    return (view @ array_module(view).ones(view.shape[2], view.dtype)).sum(0)


def _per_channel(vector, view):
    """A (C,) vector laid out to broadcast against ``view``."""
    if view.ndim == 2:
        return np.tile(vector, view.shape[1] // len(vector))
    return vector.reshape(1, -1, 1)


def batch_statistics(x):
    """The per-channel mean and biased variance of x (N, C, *), in x's dtype (two passes)."""
    view = _to_view(x, _channels_last(x))
    channels = x.shape[1]
    count = x.size // channels
    mean = _channel_sum(view, channels) / count
    centered = view - _per_channel(mean, view)
    return mean, _channel_sum(centered * centered, channels) / count


class BatchNorm(Function):
    """y = (x - mean) / sqrt(var + eps) * weight + bias, per channel (dim 1).

    With ``training=True`` mean and var are the batch's (biased), and the gradient flows
    through them: dx = invstd / n * (n g' - sum g' - xhat sum(g' xhat)), g' = g * weight.
    Otherwise they are constants (the running statistics): dx = g' * invstd.
    ``mean`` and ``var`` are passed in, computed by the caller, which also needs them to
    update the running statistics.
    """

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, weight, bias, mean, var, eps=1e-5, training=True):
        channels_last = _channels_last(x)
        view = _to_view(x, channels_last)
        invstd = (1 / np.sqrt(var + eps)).astype(x.dtype, copy=False)
        xhat = (view - _per_channel(mean, view)) * _per_channel(invstd, view)
        out = xhat if weight is None else xhat * _per_channel(weight, view)
        if bias is not None and weight is None:
            out = out + _per_channel(bias, view)  # not in place: out is xhat, saved below
        elif bias is not None:
            out += _per_channel(bias, view)
        ctx.save_for_backward(xhat, invstd, weight)
        ctx.layout = (x.shape, channels_last, training)
        ctx.eps = eps
        return _from_view(out, x.shape, channels_last)

    @staticmethod
    def backward(ctx, grad):
        if ctx.create_graph:
            return _graph_backward(ctx, grad)
        xhat, invstd, weight = ctx.saved_tensors
        shape, channels_last, training = ctx.layout
        grad = _to_view(grad, channels_last)
        grad_x = grad_w = grad_b = None
        if ctx.needs_input_grad[1] or training:
            sum_g_xhat = _channel_sum(grad * xhat, len(invstd))
            grad_w = sum_g_xhat if ctx.needs_input_grad[1] else None
        if ctx.needs_input_grad[2] or training:
            sum_g = _channel_sum(grad, len(invstd))
            grad_b = sum_g if ctx.needs_input_grad[2] else None
        if ctx.needs_input_grad[0]:
            scale = invstd if weight is None else invstd * weight
            if training:
                count = xhat.size // len(invstd)
                grad = grad - _per_channel(sum_g / count, xhat)
                grad -= xhat * _per_channel(sum_g_xhat / count, xhat)
            grad_x = _from_view(grad * _per_channel(scale, xhat), shape, channels_last)
        return grad_x, grad_w, grad_b


def _graph_backward(ctx, grad):
    """The same gradients in Tensor ops (create_graph), from x re-derived on the graph.

    x itself is not saved, but a standardisation only needs x - mean = xhat / invstd: with
    those values on x's place in the graph, the batch statistics are recomputed as ops, so
    the gradient depends on x (through them) as it should.
    """
    xhat, invstd, weight = ctx.saved_arrays
    shape, channels_last, training = ctx.layout
    per_channel = (1, shape[1]) + (1,) * (len(shape) - 2)
    dims = (0, *range(2, len(shape)))
    xhat = _from_view(xhat, shape, channels_last)
    invstd = invstd.reshape(per_channel)
    x = ctx.input_tensor(0, xhat / invstd)
    if training:
        centered = x - x.mean(dims, keepdim=True)
        invstd = ((centered * centered).mean(dims, keepdim=True) + ctx.eps) ** -0.5
        xhat = centered * invstd
    elif xp.is_tensor(x):  # running statistics: xhat's slope in x is the constant invstd
        xhat = (x - x.detach()) * invstd + xhat
    needs_x, needs_weight, needs_bias = ctx.needs_input_grad
    grad_x = grad_w = grad_b = None
    if needs_weight:
        grad_w = (grad * xhat).sum(dims)
    if needs_bias:
        grad_b = grad.sum(dims)
    if needs_x:
        if weight is not None:
            grad = grad * xp.reshape(ctx.input_tensor(1, weight), per_channel)
        if training:
            mean_g = grad.mean(dims, keepdim=True)
            grad = grad - mean_g - xhat * (grad * xhat).mean(dims, keepdim=True)
        grad_x = grad * invstd
    return grad_x, grad_w, grad_b
