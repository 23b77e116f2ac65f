"""Elementwise primitives. Gradients may keep the broadcast shape: the engine sums them back.

Each backward runs on arrays, or on Tensors under ``create_graph=True`` (see ``ops.xp``).
Forwards and backwards run under ``autograd.function.IEEE`` (log(0) = -inf, 1 / 0 = inf,
sqrt(-1) = nan, as PyTorch, without numpy's warnings), so no op guards itself.
"""

import numpy as np

from minigrad import backend
from minigrad.autograd.function import Function
from minigrad.backend import array_module
from minigrad.ops import xp


class Add(Function):
    """d(a + b) = da + db"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(Function):
    """d(a - b) = da - db"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad if ctx.needs_input_grad[1] else None


class Mul(Function):
    """d(a * b) = b da + a db"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (
            grad * b if ctx.needs_input_grad[0] else None,
            grad * a if ctx.needs_input_grad[1] else None,
        )


class Div(Function):
    """d(a / b) = da / b - a / b**2 db"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a = grad / b
        return grad_a, -grad_a * a / b if ctx.needs_input_grad[1] else None


class Pow(Function):
    """d(a ** b) = b a**(b-1) da + a**b log(a) db"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, b):
        out = a**b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            # b * a**(b-1), written so that b == 0 gives 0 even where a == 0 (as PyTorch).
            slope = xp.where(xp.constant(b) == 0, 0.0, b * a ** (b - 1))
            grad_a = grad * xp.astype(slope, out.dtype)
        if ctx.needs_input_grad[1]:
            # PyTorch's convention: no gradient to the exponent where a == 0 and b >= 0.
            # The cast keeps a Python-number base (2.0 ** t) from making float64 temporaries.
            zero_base = (xp.constant(a) == 0) & (xp.constant(b) >= 0)
            base = xp.astype(xp.where(zero_base, 1, a), out.dtype)
            grad_b = grad * out * xp.log(base)
        return grad_a, grad_b


class Neg(Function):
    """d(-a) = -da"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Exp(Function):
    """d exp(a) = exp(a) da"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        out = np.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.saved_tensors[0]


class Log(Function):
    """d log(a) = da / a"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(a)

    @staticmethod
    def backward(ctx, grad):
        return grad / ctx.saved_tensors[0]


class Sqrt(Function):
    """d sqrt(a) = da / (2 sqrt(a))"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        out = np.sqrt(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad / (2 * ctx.saved_tensors[0])


class Abs(Function):
    """d |a| = sign(a) da, with sign(0) = 0 as in PyTorch"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx, grad):
        return grad * xp.sign(ctx.saved_tensors[0])


class Sin(Function):
    """d sin(a) = cos(a) da"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sin(a)

    @staticmethod
    def backward(ctx, grad):
        return grad * xp.cos(ctx.saved_tensors[0])


class Cos(Function):
    """d cos(a) = -sin(a) da"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cos(a)

    @staticmethod
    def backward(ctx, grad):
        return -grad * xp.sin(ctx.saved_tensors[0])


class Tanh(Function):
    """d tanh(a) = (1 - tanh(a)**2) da"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        out = np.tanh(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out = ctx.saved_tensors[0]
        return grad * (1 - out * out)


class Sigmoid(Function):
    """d sigmoid(a) = s (1 - s) da, s = sigmoid(a)"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        # exp(-|a|) never overflows, and the two branches keep full relative precision in the
        # tails, where 1 / (1 + exp(-a)) overflows and the tanh form rounds to exactly 0.
        e = np.exp(-np.abs(a))
        out = np.where(a >= 0, 1, e) / (1 + e)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out = ctx.saved_tensors[0]
        return grad * out * (1 - out)


class ReLU(Function):
    """d relu(a) = [a > 0] da: zero gradient at 0, as in PyTorch"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        out = np.maximum(a, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        # out is >= 0 or NaN: "!= 0" lets a NaN input pass its gradient on, as in PyTorch,
        # in one pass fewer than ~(out <= 0).
        return grad * (ctx.saved_tensors[0] != 0)


class Clamp(Function):
    """d clamp(a, lo, hi) = [lo <= a <= hi] da (the bounds themselves pass the gradient)"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, min=None, max=None):
        ctx.save_for_backward(a)
        ctx.bounds = (min, max)
        return np.clip(a, min, max)

    @staticmethod
    def backward(ctx, grad):
        a = xp.constant(ctx.saved_tensors[0])  # only for the mask
        low, high = ctx.bounds
        inside = array_module(a).ones(a.shape, bool)
        if low is not None:
            inside &= a >= low
        if high is not None:
            inside &= a <= high
        return grad * inside


class Maximum(Function):
    """d max(a, b): to the larger operand; split in half on ties; a NaN on either side
    passes the whole gradient to both, as in PyTorch"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = (xp.constant(s) for s in ctx.saved_tensors)  # only for the masks
        return _select_grads(grad, a, b, a < b, a > b)


class Minimum(Function):
    """d min(a, b): to the smaller operand; split in half on ties (NaN: as Maximum)"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = (xp.constant(s) for s in ctx.saved_tensors)  # only for the masks
        return _select_grads(grad, a, b, a > b, a < b)


def _select_grads(grad, a, b, a_loses, b_loses):
    """PyTorch's rule: each operand gets the gradient except where it loses, half on ties."""
    tie = np.where(a == b, 0.5, 1.0).astype(grad.dtype)
    zero = grad.dtype.type(0)
    return xp.where(a_loses, zero, grad * tie), xp.where(b_loses, zero, grad * tie)


class Where(Function):
    """d where(c, a, b) = [c] da + [not c] db; no gradient to the condition"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.save_for_backward(condition)
        return np.where(condition, a, b)

    @staticmethod
    def backward(ctx, grad):
        (condition,) = ctx.saved_tensors
        zero = grad.dtype.type(0)
        return None, xp.where(condition, grad, zero), xp.where(condition, zero, grad)


class Cast(Function):
    """A change of dtype; the engine casts the gradient back to the input's dtype"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, dtype, order="K"):
        return a.astype(dtype, order=order)

    @staticmethod
    def backward(ctx, grad):
        return grad


class ToDevice(Function):
    """A copy to another device; the gradient is copied back to the input's."""

    differentiable_backward = True
    moves_devices = True

    @staticmethod
    def forward(ctx, a, device):
        ctx.source = backend.device_of(a)
        return backend.to_device(a, device)

    @staticmethod
    def backward(ctx, grad):
        if xp.is_tensor(grad):  # create_graph: the copy back is recorded too
            return grad.to(ctx.source)
        return backend.to_device(grad, ctx.source)
