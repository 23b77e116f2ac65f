"""More elementwise primitives of two inputs (broadcast; the engine sums gradients back to
each input's shape): atan2, hypot, logaddexp, copysign, and the remainders fmod and remainder.
"""

import numpy as np

from minigrad.autograd.function import Function
from minigrad.ops import xp


def _both(ctx, grad_a, grad_b):
    return (
        grad_a() if ctx.needs_input_grad[0] else None,
        grad_b() if ctx.needs_input_grad[1] else None,
    )


class Atan2(Function):
    """d atan2(a, b) = (b da - a db) / (a**2 + b**2)"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.arctan2(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        scale = grad / (a * a + b * b)
        return _both(ctx, lambda: scale * b, lambda: -scale * a)


class Hypot(Function):
    """d sqrt(a**2 + b**2) = (a da + b db) / out (numpy's hypot does not overflow on the way)"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, b):
        out = np.hypot(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        scale = grad / out
        return _both(ctx, lambda: scale * a, lambda: scale * b)


class LogAddExp(Function):
    """d log(exp(a) + exp(b)) = exp(a - out) da + exp(b - out) db"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, b):
        out = np.logaddexp(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        return _both(ctx, lambda: grad * xp.exp(a - out), lambda: grad * xp.exp(b - out))


class Copysign(Function):
    """d (|a| with b's sign) = sign(a) sign(out) da, zero at a == 0; no gradient to b"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, b):
        out = np.copysign(a, b)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = (xp.constant(t) for t in ctx.saved_tensors)
        flip = np.where(a == 0, 0, np.sign(a) * np.where(np.signbit(out), -1, 1))
        return _both(ctx, lambda: grad * flip.astype(a.dtype), lambda: xp.zeros_like(grad))


class Fmod(Function):
    """a - trunc(a / b) b (the sign of a): d = da - trunc(a / b) db"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.fmod(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = (xp.constant(t) for t in ctx.saved_tensors)
        return _both(ctx, lambda: grad, lambda: -grad * np.trunc(a / b))


class Remainder(Function):
    """a - floor(a / b) b (the sign of b, Python's %): d = da - floor(a / b) db"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.remainder(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = (xp.constant(t) for t in ctx.saved_tensors)
        return _both(ctx, lambda: grad, lambda: -grad * np.floor(a / b))
