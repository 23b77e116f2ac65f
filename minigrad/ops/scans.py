"""Products and running sums: cumsum, cumprod, logcumsumexp, prod, and the p-norm of vectors.

Each backward is written with ``xp`` helpers and the ops themselves, so it is differentiable
again (create_graph). Zeros get PyTorch's gradients, not 0 / 0.
"""

import numpy as np

from minigrad.autograd.function import Function
from minigrad.ops import xp
from minigrad.ops.reductions import _expand_back


def _reverse_cumsum(x, axis):
    return xp.flip(xp.apply(Cumsum, xp.flip(x, axis), dim=axis), axis)


class Cumsum(Function):
    """d cumsum(a)_j = sum_{i <= j} da_i: the gradient is the reversed running sum of grad"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        return np.cumsum(a, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return _reverse_cumsum(grad, ctx.dim)


class Cumprod(Function):
    """d cumprod(a)_j / d a_i = prod_{k <= j, k != i} a_k for i <= j.

    Away from zeros that is out_j / a_i. A line's first zero gets the reversed running sum
    of grad times the running product with that zero taken as 1; elements after it get 0.
    """

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, dim):
        out = np.cumprod(a, axis=dim)
        ctx.save_for_backward(a, out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        dim, values = ctx.dim, xp.constant(a)
        zero = values == 0
        first_zero = zero & (np.cumsum(zero, axis=dim) == 1)
        safe = xp.where(zero, 1, a)
        plain = xp.where(zero, 0, _reverse_cumsum(grad * out, dim) / safe)
        if not first_zero.any():
            return plain
        skipped = xp.apply(Cumprod, xp.where(first_zero, 1, a), dim=dim)
        return xp.where(first_zero, _reverse_cumsum(grad * skipped, dim), plain)


class Prod(Function):
    """d prod(a) / d a_i = the product of the other elements (prod / a_i away from zeros; a
    group's only zero gets the product of the rest; with two zeros every gradient is 0)"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False):
        ctx.save_for_backward(a)
        ctx.shape, ctx.dim, ctx.keepdim = a.shape, dim, keepdim
        return np.prod(a, axis=dim, keepdims=keepdim, dtype=a.dtype)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        zero = xp.constant(a) == 0
        zeros = np.sum(zero, axis=ctx.dim, keepdims=True)
        # The product of the nonzero elements: the rest of the product for every element of a
        # zero-free group, and for the only zero of a group with one.
        rest = xp.apply(Prod, xp.where(zero, 1, a), dim=ctx.dim, keepdim=True)
        grad = _expand_back(grad, ctx.shape, ctx.dim, ctx.keepdim)
        others = xp.where(zero, rest, rest / xp.where(zero, 1, a))
        keep = np.where(zero, zeros == 1, zeros == 0)
        return xp.where(keep, grad * others, 0)


class VectorNorm(Function):
    """d ||a||_p = sign(a) |a|^(p-1) / ||a||^(p-1) da; 0 where the norm is 0 (as PyTorch).
    p = inf / -inf: the gradient goes to the extreme elements, split among ties."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, ord=2.0, dim=None, keepdim=False):
        ctx.options = (ord, dim, keepdim, a.shape)
        magnitude = np.abs(a)
        if ord == np.inf:
            out = np.max(magnitude, axis=dim, keepdims=True)
        elif ord == -np.inf:
            out = np.min(magnitude, axis=dim, keepdims=True)
        elif ord == 0:
            out = np.sum(magnitude != 0, axis=dim, keepdims=True).astype(a.dtype)
        elif ord == 1:
            out = np.sum(magnitude, axis=dim, keepdims=True)
        elif ord == 2:
            out = np.sqrt(np.sum(magnitude * magnitude, axis=dim, keepdims=True))
        else:
            out = np.sum(magnitude**ord, axis=dim, keepdims=True) ** (1.0 / ord)
        if not keepdim:
            out = np.squeeze(out, axis=dim) if dim is not None else out.reshape(())
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        ord, dim, keepdim, shape = ctx.options
        grad = _expand_back(grad, shape, dim, keepdim)
        norm = _expand_back(out, shape, dim, keepdim)
        sign = xp.sign(a)
        if ord == 0:
            return xp.zeros_like(grad)
        if ord == 1:
            return grad * sign
        if ord in (np.inf, -np.inf):
            chosen = np.abs(xp.constant(a)) == xp.constant(norm)
            ties = np.sum(chosen, axis=dim, keepdims=True)
            return xp.where(chosen, grad * sign / np.maximum(ties, 1), 0)
        nonzero = xp.constant(norm) != 0
        safe_norm = xp.where(nonzero, norm, 1)
        if ord == 2:
            return xp.where(nonzero, grad * a / safe_norm, 0)
        magnitude = xp.abs(a)
        scaled = sign * magnitude ** (ord - 1) / safe_norm ** (ord - 1)
        return xp.where(nonzero, grad * scaled, 0)


def _reverse_logcumsumexp(x, axis):
    return xp.flip(xp.apply(LogCumSumExp, xp.flip(x, axis), dim=axis), axis)


class LogCumSumExp(Function):
    """d logcumsumexp(a)_j / d a_i = exp(a_i - out_j) for i <= j.

    The gradient, sum over j >= i of grad_j exp(a_i - out_j), is a reversed running
    log-sum-exp of log|grad_j| - out_j, taken separately for the positive and the negative
    grad_j: no exponential of a large number is ever formed.
    """

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, dim):
        out = np.logaddexp.accumulate(a, axis=dim)
        ctx.save_for_backward(a, out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        values = xp.constant(grad)

        def part(mask, magnitude):
            logs = xp.where(mask, xp.log(xp.where(mask, magnitude, 1)) - out, -np.inf)
            return xp.exp(a + _reverse_logcumsumexp(logs, ctx.dim))

        return part(values > 0, grad) - part(values < 0, -grad)
