"""More elementwise primitives of one input: exponentials and logarithms, trigonometric and
hyperbolic functions and their inverses, reciprocals, and the step functions (floor, sign, ...)
whose gradient is zero.

Each backward is written from the saved input or output with operators and ``xp`` helpers, so
it runs on arrays and, under ``create_graph=True``, on Tensors (see ``ops.xp``).
"""

import math

import numpy as np

from minigrad.autograd.function import Function
from minigrad.ops import xp


class Expm1(Function):
    """d (exp(a) - 1) = exp(a) da; exact near 0, where exp(a) - 1 rounds to 0"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        out = np.expm1(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad * (ctx.saved_tensors[0] + 1)


class Exp2(Function):
    """d 2**a = 2**a log(2) da"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        out = np.exp2(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.saved_tensors[0] * math.log(2)


class Log1p(Function):
    """d log(1 + a) = da / (1 + a); exact near 0"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log1p(a)

    @staticmethod
    def backward(ctx, grad):
        return grad / (ctx.saved_tensors[0] + 1)


class Log2(Function):
    """d log2(a) = da / (a log 2)"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log2(a)

    @staticmethod
    def backward(ctx, grad):
        return grad / (ctx.saved_tensors[0] * math.log(2))


class Log10(Function):
    """d log10(a) = da / (a log 10)"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log10(a)

    @staticmethod
    def backward(ctx, grad):
        return grad / (ctx.saved_tensors[0] * math.log(10))


class Tan(Function):
    """d tan(a) = (1 + tan(a)**2) da"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        out = np.tan(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out = ctx.saved_tensors[0]
        return grad * (1 + out * out)


class Asin(Function):
    """d asin(a) = da / sqrt(1 - a**2)"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arcsin(a)

    @staticmethod
    def backward(ctx, grad):
        a = ctx.saved_tensors[0]
        return grad / xp.sqrt(1 - a * a)


class Acos(Function):
    """d acos(a) = -da / sqrt(1 - a**2)"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arccos(a)

    @staticmethod
    def backward(ctx, grad):
        a = ctx.saved_tensors[0]
        return -grad / xp.sqrt(1 - a * a)


class Atan(Function):
    """d atan(a) = da / (1 + a**2)"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arctan(a)

    @staticmethod
    def backward(ctx, grad):
        a = ctx.saved_tensors[0]
        return grad / (1 + a * a)


class Sinh(Function):
    """d sinh(a) = cosh(a) da"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sinh(a)

    @staticmethod
    def backward(ctx, grad):
        return grad * xp.cosh(ctx.saved_tensors[0])


class Cosh(Function):
    """d cosh(a) = sinh(a) da"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cosh(a)

    @staticmethod
    def backward(ctx, grad):
        return grad * xp.sinh(ctx.saved_tensors[0])


class Asinh(Function):
    """d asinh(a) = da / sqrt(a**2 + 1)"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arcsinh(a)

    @staticmethod
    def backward(ctx, grad):
        a = ctx.saved_tensors[0]
        return grad / xp.sqrt(a * a + 1)


class Acosh(Function):
    """d acosh(a) = da / sqrt(a**2 - 1)"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arccosh(a)

    @staticmethod
    def backward(ctx, grad):
        a = ctx.saved_tensors[0]
        return grad / xp.sqrt(a * a - 1)


class Atanh(Function):
    """d atanh(a) = da / (1 - a**2)"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arctanh(a)

    @staticmethod
    def backward(ctx, grad):
        a = ctx.saved_tensors[0]
        return grad / (1 - a * a)


class Reciprocal(Function):
    """d (1 / a) = -da / a**2 = -out**2 da"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        out = np.reciprocal(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out = ctx.saved_tensors[0]
        return -grad * out * out


class Rsqrt(Function):
    """d a**-1/2 = -out**3 / 2 da"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        out = 1 / np.sqrt(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out = ctx.saved_tensors[0]
        return grad * out * out * out * -0.5


class _Step(Function):
    """A piecewise-constant function: its gradient is zero (not undefined) everywhere, as
    PyTorch gives it, even where the input or the upstream gradient is inf or NaN."""

    differentiable_backward = True

    @staticmethod
    def backward(ctx, grad):
        return xp.zeros_like(grad)


class Floor(_Step):
    @staticmethod
    def forward(ctx, a):
        return np.floor(a)


class Ceil(_Step):
    @staticmethod
    def forward(ctx, a):
        return np.ceil(a)


class Trunc(_Step):
    @staticmethod
    def forward(ctx, a):
        return np.trunc(a)


class Round(_Step):
    """Half to even, as PyTorch; ``decimals`` digits after the point."""

    @staticmethod
    def forward(ctx, a, decimals=0):
        return np.round(a, decimals)


class Sign(_Step):
    @staticmethod
    def forward(ctx, a):
        return np.sign(a)
