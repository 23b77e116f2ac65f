"""Activation functions: relu, leaky_relu, sigmoid, tanh, gelu, softmax, log_softmax, and the
composites elu, selu, celu, silu, mish, softplus, softsign, hardtanh, relu6, hardsigmoid,
hardswish, logsigmoid, prelu, glu, tanhshrink, softshrink, hardshrink, threshold, softmin."""

import warnings

import numpy as np

from minigrad import dtypes, ops
from minigrad.backend import array_module
from minigrad.tensor import Tensor, _dim, as_tensor, where


def relu(input, inplace=False):
    """max(input, 0), elementwise; the gradient at 0 is 0 (as PyTorch). ``inplace`` is
    accepted for compatibility and ignored (the result is always a new tensor).

    Example: ``F.relu(mg.tensor([-1.0, 2.0]))`` is ``tensor([0., 2.])``.
    """
    return as_tensor(input).relu()


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """input where input > 0, else negative_slope * input (``inplace`` is ignored).

    Example: ``F.leaky_relu(mg.tensor([-1.0, 2.0]), 0.1)`` is ``tensor([-0.1, 2.0])``.
    """
    return ops.LeakyReLU.apply(as_tensor(input), negative_slope=float(negative_slope))


def sigmoid(input):
    """1 / (1 + exp(-input)), finite and warning-free for any input.

    Example: ``F.sigmoid(mg.tensor([0.0]))`` is ``tensor([0.5])``.
    """
    return as_tensor(input).sigmoid()


def tanh(input):
    """The hyperbolic tangent, elementwise. Example: ``F.tanh(mg.zeros(2))`` is zeros."""
    return as_tensor(input).tanh()


def gelu(input, approximate="none"):
    """input * Phi(input), Phi the standard normal CDF (exact, through erf), or with
    ``approximate='tanh'`` 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).

    Example: ``F.gelu(mg.tensor([1.0]))`` is ``tensor([0.8413])``.
    """
    if approximate not in ("none", "tanh"):
        raise ValueError(f"approximate argument must be either none or tanh, got {approximate!r}")
    input = as_tensor(input)
    if input.dtype == dtypes.float16:  # the erf and tanh forms overflow in half: compute in float
        return ops.GELU.apply(input.float(), approximate=approximate).half()
    return ops.GELU.apply(input, approximate=approximate)


def _softmax_dim(name, ndim):
    # PyTorch's legacy choice when dim is not given, with the same warning.
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. "
        "Change the call to include dim=X as an argument.",
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, dtype=None):
    """exp(input) / sum(exp(input)) along ``dim``; finite for logits of any magnitude.

    Example: ``F.softmax(mg.zeros(2, 4), dim=1)`` is 0.25 everywhere.
    """
    input = as_tensor(input) if dtype is None else as_tensor(input).to(dtype)
    dim = _softmax_dim("softmax", input.ndim) if dim is None else dim
    return input.softmax(dim)


def log_softmax(input, dim=None, dtype=None):
    """log(softmax(input, dim)), computed with the max shift (no overflow, no log(0)).

    Example: ``F.log_softmax(mg.zeros(1, 2), dim=1)`` is ``tensor([[-0.6931, -0.6931]])``.
    """
    input = as_tensor(input) if dtype is None else as_tensor(input).to(dtype)
    dim = _softmax_dim("log_softmax", input.ndim) if dim is None else dim
    return input.log_softmax(_dim(dim, input.ndim))


# ---- activations built from the differentiable ops above (so every order of gradient works) --


def _float_input(input):
    input = as_tensor(input)
    return input if np.issubdtype(input.dtype, np.floating) else input.float()


def _constant(like, value):
    """``value`` as a 0-d tensor of ``like``'s dtype, on ``like``'s device."""
    return Tensor._make(array_module(like._data).asarray(value, like.dtype))


def _log1p_exp(z):
    """log(1 + exp(z)) without overflow: z + log(1 + exp(-z)) for z > 0, else log(1 + exp(z)).

    Each branch sees only the side of 0 where its exp cannot overflow (a ``where`` on the
    input, not ``maximum``, so the gradient at 0 is sigmoid(0) = 0.5). Below about -17 in
    float32 (-37 in float64) 1 + exp(z) rounds to 1 and the value to 0, where PyTorch's
    log1p keeps exp(z) (< 4e-8): the gradient, sigmoid(z), stays accurate.
    """
    positive = z > 0
    zero = _constant(z, 0)
    z_pos, z_neg = where(positive, z, zero), where(positive, zero, z)
    return where(positive, z_pos + (1 + (-z_pos).exp()).log(), (1 + z_neg.exp()).log())


def _inside(x, low, high):
    """The mask low < x < high: where PyTorch's clamping activations pass the gradient."""
    return (x > low) & (x < high)


def elu(input, alpha=1.0, inplace=False):
    """input where input > 0, else alpha * (exp(input) - 1) (as expm1: exact near 0).

    Example: ``F.elu(mg.tensor([-1.0, 2.0]))`` is ``tensor([-0.6321, 2.0000])``.
    """
    x = _float_input(input)
    negative = alpha * where(x > 0, _constant(x, 0), x).expm1()  # never overflows
    return where(x > 0, x, negative)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """scale * elu(input, alpha) with Klambauer et al.'s alpha = 1.6733, scale = 1.0507."""
    return _SELU_SCALE * elu(input, _SELU_ALPHA)


def celu(input, alpha=1.0, inplace=False):
    """input where input > 0, else alpha * (exp(input / alpha) - 1)."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    x = _float_input(input)
    negative = alpha * (where(x > 0, _constant(x, 0), x) / alpha).expm1()
    return where(x > 0, x, negative)


def silu(input, inplace=False):
    """input * sigmoid(input) (also called swish). Example: ``F.silu(mg.zeros(1))`` is 0."""
    x = _float_input(input)
    return x * x.sigmoid()


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * input)) / beta, and input itself where beta * input > threshold
    (as PyTorch); finite for any input. Example: ``F.softplus(mg.zeros(1))`` is log 2."""
    x = _float_input(input)
    scaled = x * beta
    return where(scaled > threshold, x, _log1p_exp(scaled) / beta)


def mish(input, inplace=False):
    """input * tanh(softplus(input)) (Misra, 2019)."""
    x = _float_input(input)
    return x * _log1p_exp(x).tanh()


def softsign(input):
    """input / (1 + |input|)."""
    x = _float_input(input)
    return x / (1 + x.abs())


def logsigmoid(input):
    """log(sigmoid(input)) = -softplus(-input), finite for any input."""
    return -_log1p_exp(-_float_input(input))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """input clamped to [min_val, max_val]; the gradient is 1 strictly inside, else 0."""
    if min_val > max_val:
        raise ValueError(f"min_val cannot be greater than max_val (got {min_val} > {max_val})")
    x = _float_input(input)
    return where(_inside(x, min_val, max_val), x, x.detach().clamp(min_val, max_val))


def relu6(input, inplace=False):
    """min(max(input, 0), 6): hardtanh(input, 0, 6)."""
    return hardtanh(input, 0.0, 6.0)


def hardsigmoid(input, inplace=False):
    """relu6(input + 3) / 6: 0 below -3, 1 above 3, linear between."""
    x = _float_input(input)
    outside = where(x <= -3, _constant(x, 0), _constant(x, 1))
    return where(_inside(x, -3, 3), x / 6 + 0.5, outside)


def hardswish(input, inplace=False):
    """input * relu6(input + 3) / 6 (Howard et al., 2019); at -3 and 3 the gradient is 0 and 1
    (the outer pieces'), as PyTorch's."""
    x = _float_input(input)
    return where(x <= -3, x * 0, where(x < 3, x * (x + 3) / 6, x))


def prelu(input, weight):
    """input where input > 0, else weight * input; ``weight`` has one element, or one per
    channel (dim 1 of an input of 2 or more dims)."""
    x, weight = _float_input(input), as_tensor(weight)
    if weight.numel() == 1:
        weight = weight.reshape(())  # the result keeps the input's shape, 0-d included
    else:
        channels = x.shape[1] if x.ndim >= 2 else 1  # PyTorch: a 1-D input is one channel
        if weight.ndim != 1 or weight.numel() != channels:
            raise RuntimeError(
                "Mismatch of parameter numbers and input channel size. Found parameter numbers "
                f"= {weight.numel()} and channel size = {channels}."
            )
        weight = weight.reshape((channels,) + (1,) * max(x.ndim - 2, 0))
    return where(x > 0, x, weight * x)


def glu(input, dim=-1):
    """a * sigmoid(b), where a and b are the halves of ``input`` along ``dim``."""
    x = _float_input(input)
    if x.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    axis = _dim(dim, x.ndim)
    size = x.shape[axis]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {axis} is size {size}")
    before = (slice(None),) * axis
    return x[before + (slice(0, size // 2),)] * x[before + (slice(size // 2, size),)].sigmoid()


def tanhshrink(input):
    """input - tanh(input)."""
    x = _float_input(input)
    return x - x.tanh()


def _check_lambd(lambd):
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")


def softshrink(input, lambd=0.5):
    """input - lambd above lambd, input + lambd below -lambd, else 0."""
    _check_lambd(lambd)
    x = _float_input(input)
    zero = _constant(x, 0)
    return where(x > lambd, x - lambd, where(x < -lambd, x + lambd, zero))


def hardshrink(input, lambd=0.5):
    """input where |input| > lambd, else 0 (a negative lambd keeps everything, as PyTorch)."""
    x = _float_input(input)
    return where((x > lambd) | (x < -lambd), x, _constant(x, 0))


def threshold(input, threshold, value, inplace=False):
    """input where input > threshold, else ``value``."""
    x = _float_input(input)
    return where(x > threshold, x, _constant(x, value))


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-input, dim): each slice sums to 1, the smallest entry weighs most
    (``_stacklevel`` is PyTorch's, accepted and unused)."""
    input = as_tensor(input) if dtype is None else as_tensor(input).to(dtype)
    dim = _softmax_dim("softmin", input.ndim) if dim is None else dim
    return (-input).softmax(_dim(dim, input.ndim))
