"""Activation functions: relu, leaky_relu, sigmoid, tanh, gelu, softmax, log_softmax."""

import warnings

from minigrad import dtypes, ops
from minigrad.tensor import _dim, as_tensor


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
