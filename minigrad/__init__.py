"""minigrad: a small, readable deep-learning framework on numpy with PyTorch's API.

import minigrad as mg
x = mg.randn(3, requires_grad=True)
(x * x).sum().backward()
x.grad  # 2 * x
"""

from minigrad import accelerator, allocator, autograd, backends, cuda, ops, viz
from minigrad.autograd import Function, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from minigrad.device import device
from minigrad.dtypes import (
    bool,
    double,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    set_default_dtype,
    uint8,
)
from minigrad.factories import (
    arange,
    bernoulli,
    empty,
    empty_like,
    eye,
    full,
    full_like,
    linspace,
    logspace,
    multinomial,
    normal,
    ones,
    ones_like,
    poisson,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    tril_indices,
    triu_indices,
    zeros,
    zeros_like,
)
from minigrad.random import Generator, get_rng_state, manual_seed, set_rng_state
from minigrad.size import Size
from minigrad.tensor import (
    ShapeError,
    Tensor,
    as_tensor,
    cat,
    from_numpy,
    maximum,
    minimum,
    stack,
    tensor,
    where,
)
from minigrad.threads import (
    get_num_interop_threads,
    get_num_threads,
    set_num_interop_threads,
    set_num_threads,
)

# Every differentiable method is also a function: mg.exp(x), mg.sum(x, dim=1), ...
_FUNCTIONS = (
    "add sub mul div pow neg exp log sqrt abs sin cos tanh sigmoid relu clamp clip square "
    "sum mean var std amax amin max min argmax argmin softmax log_softmax reshape flatten "
    "transpose permute squeeze unsqueeze matmul clone detach t equal"
).split()
# The common surface (issue 11): math, comparisons and reductions ...
_FUNCTIONS += (
    "expm1 exp2 log1p log2 log10 tan asin arcsin acos arccos atan arctan sinh cosh asinh "
    "arcsinh acosh arccosh atanh arctanh reciprocal rsqrt floor ceil trunc fix round frac sign "
    "sgn atan2 arctan2 hypot logaddexp copysign fmod remainder floor_divide lerp addcmul "
    "addcdiv bitwise_and bitwise_or bitwise_xor bitwise_not bitwise_left_shift "
    "bitwise_right_shift logical_and logical_or logical_xor logical_not isnan isinf isposinf "
    "isneginf isfinite isclose allclose nan_to_num eq ne lt le gt ge all any "
    "prod cumsum cumprod logsumexp norm nansum nanmean count_nonzero var_mean std_mean aminmax "
    "sort argsort msort topk kthvalue median unique cummax cummin logcumsumexp"
).split()
# ... and shape, indexing and linear algebra.
_FUNCTIONS += (
    "repeat_interleave flip fliplr flipud roll rot90 movedim moveaxis swapaxes swapdims "
    "broadcast_to narrow split chunk tensor_split unbind select tril triu diagonal diag "
    "diag_embed trace gather take_along_dim take index_select masked_select masked_fill "
    "index_fill scatter scatter_add index_add nonzero argwhere mm bmm mv dot vdot inner outer "
    "ger cross kron addmm addmv baddbmm addbmm addr tile unflatten index_copy masked_scatter "
    "scatter_reduce"
).split()


def _function(name):
    method = getattr(Tensor, name)

    def function(input, *args, out=None, **kwargs):
        result = method(as_tensor(input), *args, **kwargs)
        return result if out is None else _write_out(name, result, out, input, args)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = method.__doc__
    return function


globals().update({_name: _function(_name) for _name in _FUNCTIONS})


def _with_out(function):
    """``function`` that also takes PyTorch's ``out=`` (the result is written into it)."""

    def with_out(*args, out=None, **kwargs):
        result = function(*args, **kwargs)
        return result if out is None else _write_out(function.__name__, result, out, *args)

    with_out.__name__ = with_out.__qualname__ = function.__name__
    with_out.__doc__ = function.__doc__
    return with_out


cat, stack, where, maximum, minimum = map(_with_out, (cat, stack, where, maximum, minimum))


def _write_out(name, result, out, *inputs):
    """PyTorch's ``out=``: the result is copied into ``out`` (resized when its shape differs),
    which must be able to hold the result's dtype; refused when a gradient is being recorded."""
    from minigrad.tensor import _write_out as write

    return write(name, result, out, inputs)


__version__ = "0.1.0"

# nn, optim and saving build on the core above.
from minigrad import (  # noqa: E402
    linalg,  # noqa: E402
    nn,
    optim,
    utils,  # noqa: E402
)
from minigrad.serialization import load, save  # noqa: E402
from minigrad.tensor_shape import (  # noqa: E402
    broadcast_shapes,
    broadcast_tensors,
    einsum,
    meshgrid,
    tensordot,
)
