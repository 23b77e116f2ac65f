"""Activation primitives beyond the core's: LeakyReLU, GELU (exact erf and tanh forms)."""

import math

import numpy as np

from minigrad.autograd.function import Function
from minigrad.backend import as_array
from minigrad.ops import xp

# W. J. Cody's rational approximations of erf and erfc (Math. Comp. 23, 1969, as in his
# CALERF): relative error below 1e-15 in float64 (measured against math.erf in the tests).
_ERF_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
          3.20937758913846947e03, 1.85777706184603153e-1)  # fmt: skip
_ERF_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
          2.84423683343917062e03)  # fmt: skip
_ERFC_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
           2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
           2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)  # fmt: skip
_ERFC_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
           1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
           3.43936767414372164e03, 1.23033935480374942e03)  # fmt: skip
_ERFC_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
           1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)  # fmt: skip
_ERFC_Q = (2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
           6.05183413124413191e-2, 2.33520497626869185e-3)  # fmt: skip


def _erf_small(x):
    """erf(x) for |x| <= 0.5."""
    z = x * x
    num, den = _ERF_A[4] * z, z
    for a, b in zip(_ERF_A[:3], _ERF_B[:3]):
        num, den = (num + a) * z, (den + b) * z
    return x * (num + _ERF_A[3]) / (den + _ERF_B[3])


def _exp_minus_half_square(x):
    """exp(-x*x / 2) without the rounding error of x*x, which exp would magnify x*x times.

    Cody's split: x = h + d with h a multiple of 1/16, so that h*h is exact.
    """
    head = np.trunc(x * 16) / 16
    return np.exp(-0.5 * head * head) * np.exp(-0.5 * (x - head) * (x + head))


def _erfc_scaled(y):
    """erfc(y) * exp(y*y) for y >= 0.5: the rational part of erfc, free of underflow."""
    out = np.empty_like(y)
    mid = y < 4
    ym = y[mid]
    num, den = _ERFC_C[8] * ym, ym
    for c, d in zip(_ERFC_C[:7], _ERFC_D[:7]):
        num, den = (num + c) * ym, (den + d) * ym
    out[mid] = (num + _ERFC_C[7]) / (den + _ERFC_D[7])
    yb = y[~mid]
    z = 1 / (yb * yb)
    num, den = _ERFC_P[5] * z, z
    for p, q in zip(_ERFC_P[:4], _ERFC_Q[:4]):
        num, den = (num + p) * z, (den + q) * z
    tail = z * (num + _ERFC_P[4]) / (den + _ERFC_Q[4])
    out[~mid] = (1 / math.sqrt(math.pi) - tail) / yb
    return out


def erf(x):
    """The error function of an array, vectorised (numpy has none), in x's float dtype."""
    x = as_array(x)
    out = np.empty_like(x)
    small = np.abs(x) <= 0.5
    out[small] = _erf_small(x[small])
    y = np.abs(x[~small])
    erfc = _erfc_scaled(y) * _exp_minus_half_square(y * math.sqrt(2))
    out[~small] = np.copysign(1 - erfc, x[~small])
    return out


def normal_cdf(x):
    """Phi(x) = (1 + erf(x / sqrt 2)) / 2, precise also far in the left tail (where it is
    erfc(-x / sqrt 2) / 2, and the exponential is taken of x itself, not of a rounded x / sqrt 2).
    """
    x = as_array(x)
    out = np.empty_like(x)
    small = np.abs(x) <= 0.5 * math.sqrt(2)
    out[small] = 0.5 + 0.5 * _erf_small(x[small] * (1 / math.sqrt(2)))
    big = x[~small]
    half_tail = 0.5 * _erfc_scaled(np.abs(big) * (1 / math.sqrt(2))) * _exp_minus_half_square(big)
    out[~small] = np.where(big < 0, half_tail, 1 - half_tail)
    return out


class LeakyReLU(Function):
    """d leaky_relu(a) = (1 if a > 0 else slope) da; the slope at 0, as in PyTorch"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, negative_slope=0.01):
        positive = a > 0
        ctx.save_for_backward(positive)
        ctx.slope = negative_slope
        return np.where(positive, a, a * negative_slope)

    @staticmethod
    def backward(ctx, grad):
        (positive,) = ctx.saved_tensors
        return xp.where(positive, grad, grad * ctx.slope)


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


class GELU(Function):
    """d gelu(a) = (Phi(a) + a phi(a)) da exactly; the tanh form differentiates its formula"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, approximate="none"):
        ctx.save_for_backward(a)
        ctx.approximate = approximate
        if approximate == "tanh":
            return 0.5 * a * (1 + np.tanh(_SQRT_2_OVER_PI * (a + 0.044715 * a**3)))
        return a * normal_cdf(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            t = xp.tanh(_SQRT_2_OVER_PI * (a + 0.044715 * a**3))
            inner = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * a * a)
            return grad * (0.5 * (1 + t) + 0.5 * a * (1 - t * t) * inner)
        return grad * (_cdf(a) + a * _pdf(a))


class NormalCDF(Function):
    """d Phi(a) = phi(a) da: GELU's gradient as a Tensor op, for create_graph"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return normal_cdf(a)

    @staticmethod
    def backward(ctx, grad):
        return grad * _pdf(ctx.saved_tensors[0])


def _cdf(a):
    return xp.apply(NormalCDF, a)


def _pdf(a):
    """The standard normal density phi(a): precise on arrays, composite on Tensors."""
    if xp.is_tensor(a):
        return (a * a * -0.5).exp() * _INV_SQRT_2PI
    return _exp_minus_half_square(a) * _INV_SQRT_2PI
