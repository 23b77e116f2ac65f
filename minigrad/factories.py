"""Tensor factories: ``zeros``, ``ones``, ``full``, ``arange``, ``rand``, ... as in PyTorch.

Each takes ``dtype=``, ``device=`` (the CPU by default; the ``*_like`` ones default to the
input's device) and ``requires_grad=``; sizes may be given as ``f(2, 3)`` or ``f((2, 3))``.
Random factories draw from ``minigrad.random.default_generator()`` on the host, whatever the
device, and copy the draw there (PyTorch's CUDA generator differs from its CPU one anyway);
random functions of a tensor on a device (``bernoulli``, ``multinomial``, ``poisson``,
``normal`` of tensors) draw from its host copy and give their result on its device.
"""

import numpy as np

from minigrad import backend, dtypes
from minigrad.device import CPU, as_device
from minigrad.random import default_generator
from minigrad.tensor import Tensor, _python_dtype
from minigrad.tensor import _shape_argument as _any_shape


def _shape_argument(size):
    """A factory's size: integers (as for view) and none negative (unlike view's -1)."""
    shape = _any_shape(size)
    if any(n < 0 for n in shape):
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {min(shape)}: {list(shape)}"
        )
    return shape


def _check_eye(n, m):
    for name, value in (("n", n), ("m", m)):
        if value is not None and value < 0:
            raise RuntimeError(f"eye: {name} must be greater or equal to 0, got {value}")


def _check_randint(low, high):
    if low >= high:
        raise RuntimeError(
            f"randint: expects 'low' to be less than 'high', but got low={low} >= high={high}"
        )


def _new(array, requires_grad, device=None, options=None):
    """A tensor of the host array ``array``, copied to ``device`` (None: the CPU)."""
    device = _target(device, options)
    out = Tensor._make(array if device is CPU else backend.to_device(array, device))
    out.requires_grad = requires_grad
    return out


def _target(device, options=None):
    """The device a factory makes its tensor on (RuntimeError when it is not present);
    TypeError for keywords PyTorch's factories do not take."""
    if options:
        unknown = set(options) - _ACCEPTED
        if unknown:
            raise TypeError(f"got an unexpected keyword argument {sorted(unknown)[0]!r}")
    return CPU if device is None else as_device(device)


def _device_of(value):
    """Where a tensor lives (the CPU for anything else)."""
    return value.device if isinstance(value, Tensor) else CPU


def _host(value):
    """A tensor's (or array-like's) values as a host array, without copying host data."""
    return backend.to_host(value._data) if isinstance(value, Tensor) else value


def _placed(array, like):
    """A Tensor of the host array ``array`` on ``like``'s device."""
    return Tensor._make(array if like is CPU else backend.to_device(array, like))


# PyTorch's factory keywords that change nothing on the CPU.
_ACCEPTED = {"layout", "pin_memory", "memory_format"}


def _float_dtype(dtype):
    return dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)


def zeros(*size, dtype=None, device=None, requires_grad=False, **_kw):
    return _new(np.zeros(_shape_argument(size), _float_dtype(dtype)), requires_grad, device, _kw)


def ones(*size, dtype=None, device=None, requires_grad=False, **_kw):
    return _new(np.ones(_shape_argument(size), _float_dtype(dtype)), requires_grad, device, _kw)


def empty(*size, dtype=None, device=None, requires_grad=False, **_kw):
    return _new(np.empty(_shape_argument(size), _float_dtype(dtype)), requires_grad, device, _kw)


def full(size, fill_value, dtype=None, device=None, requires_grad=False, **_kw):
    """A tensor of ``size`` filled with ``fill_value`` (its dtype follows the value's kind)."""
    if dtype is None:
        dtype = _python_dtype(np.asarray(fill_value).dtype)
    return _new(np.full(_shape_argument((size,)), fill_value, dtype), requires_grad, device, _kw)


def eye(n, m=None, dtype=None, device=None, requires_grad=False, **_kw):
    _check_eye(n, m)
    return _new(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad, device, _kw)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False, **_kw):
    """``arange(end)`` or ``arange(start, end, step)``; int64 for ints, else float32."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        dtype = _python_dtype(np.asarray([start, end, step]).dtype)
    return _new(np.arange(start, end, step).astype(dtype), requires_grad, device, _kw)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False, **_kw):
    array = np.linspace(start, end, steps).astype(_float_dtype(dtype))
    return _new(array, requires_grad, device, _kw)


def rand(*size, dtype=None, device=None, requires_grad=False, **_kw):
    """Uniform on [0, 1)."""
    dtype = _float_dtype(dtype)
    array = default_generator().random(_shape_argument(size), dtype=dtype)
    return _new(array, requires_grad, device, _kw)


def randn(*size, dtype=None, device=None, requires_grad=False, **_kw):
    """Standard normal."""
    dtype = _float_dtype(dtype)
    array = default_generator().standard_normal(_shape_argument(size), dtype=dtype)
    return _new(array, requires_grad, device, _kw)


def randint(*args, size=None, dtype=None, device=None, requires_grad=False, **_kw):
    """``randint(high, size)`` or ``randint(low, high, size)``: integers in [low, high)."""
    args = list(args)
    if size is None:
        if not args:
            raise TypeError("randint needs high and size")
        size = args.pop()
    low, high = (0, args[0]) if len(args) == 1 else tuple(args)
    _check_randint(low, high)
    array = default_generator().integers(low, high, _shape_argument((size,)))
    return _new(array.astype(dtypes.int64 if dtype is None else dtype), requires_grad, device, _kw)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False, **_kw):
    rng = default_generator() if generator is None else getattr(generator, "_rng", generator)
    return _new(rng.permutation(n).astype(dtype or dtypes.int64), requires_grad, device, _kw)


def _like(factory):
    def like(input, dtype=None, device=None, requires_grad=False, **_kw):
        return factory(
            input.shape,
            dtype=dtype or input.dtype,
            device=_device_of(input) if device is None else device,
            requires_grad=requires_grad,
            **_kw,
        )

    like.__name__ = factory.__name__ + "_like"
    like.__doc__ = (
        f"``{factory.__name__}`` with the shape (and, by default, dtype and device) of ``input``."
    )
    return like


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)
rand_like = _like(rand)
randn_like = _like(randn)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False, **_kw):
    return full(
        input.shape,
        fill_value,
        dtype=dtype or input.dtype,
        device=_device_of(input) if device is None else device,
        requires_grad=requires_grad,
        **_kw,
    )


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False):
    """Integers in [low, high) of input's shape (``randint_like(x, high)`` for [0, high))."""
    if high is None:
        low, high = 0, low
    device = _device_of(input) if device is None else device
    return randint(low, high, tuple(input.shape), dtype=dtype or input.dtype, device=device,
                   requires_grad=requires_grad)  # fmt: skip


def logspace(start, end, steps, base=10.0, dtype=None, device=None, requires_grad=False, **_kw):
    """``steps`` points from base**start to base**end, evenly spaced in the exponent."""
    if steps < 0:
        raise RuntimeError(f"logspace: number of steps must be non-negative, got {steps}")
    array = np.logspace(start, end, steps, base=base).astype(_float_dtype(dtype))
    return _new(array, requires_grad, device, _kw)


def _triangle_indices(name, row, col, offset, lower, dtype, device):
    device = CPU if device is None else as_device(device)
    if row < 0 or col < 0:
        raise RuntimeError(f"{name}: row and col must be non-negative, got {row} and {col}")
    rows, cols = np.nonzero(np.tri(row, col, offset, dtype=bool) if lower
                            else ~np.tri(row, col, offset - 1, dtype=bool))  # fmt: skip
    return _placed(np.stack([rows, cols]).astype(dtype or dtypes.int64), device)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, **_kw):
    """The (2, n) row and column indices of the lower triangle of a row x col matrix."""
    return _triangle_indices("tril_indices", row, col, offset, True, dtype, device)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, **_kw):
    """The (2, n) row and column indices of the upper triangle of a row x col matrix."""
    return _triangle_indices("triu_indices", row, col, offset, False, dtype, device)


def _rng(generator):
    return default_generator() if generator is None else getattr(generator, "_rng", generator)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad=False, **_kw):  # fmt: skip
    """Normal samples: ``mean`` and ``std`` numbers (with ``size``) or Tensors (broadcast;
    the result is on their device unless ``device`` says otherwise)."""
    tensors = [x for x in (mean, std) if isinstance(x, Tensor)]
    if size is not None and tensors:
        raise RuntimeError("normal: size is given only with number mean and std")
    if size is None and not tensors:
        raise TypeError("normal() needs a size when mean and std are numbers")
    stds = np.asarray(_host(std))
    if np.any(stds < 0):
        raise RuntimeError(f"normal expects std >= 0.0, but found std {stds.min()}")
    if tensors:
        dtype = dtype or np.result_type(*(t.dtype for t in tensors))
        shape = np.broadcast_shapes(*(np.shape(_host(x)) for x in (mean, std)))
        if device is None:
            device = next((t.device for t in tensors if t.device != CPU), None)
    else:
        dtype, shape = _float_dtype(dtype), _shape_argument((size,))
    draw = _rng(generator).standard_normal(shape).astype(dtype)
    return _new((draw * stds + _host(mean)).astype(dtype), requires_grad, device, _kw)


def bernoulli(input, p=None, *, generator=None):
    """1 with probability ``input`` (or ``p``) per element, else 0, in input's dtype and on
    its device."""
    input = input if isinstance(input, Tensor) else Tensor(input)
    probs = _host(input) if p is None else np.broadcast_to(np.asarray(_host(p)), input.shape)
    if np.any((probs < 0) | (probs > 1)) or np.isnan(probs).any():
        raise RuntimeError("bernoulli: all probabilities must be in [0, 1]")
    draw = _rng(generator).random(input.shape) < probs
    return _placed(draw.astype(input.dtype), input.device)


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """``num_samples`` category indices per row of ``input`` (non-negative weights, not
    necessarily summing to 1), with or without replacement; on input's device."""
    weights = np.asarray(_host(input), np.float64)
    if weights.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got {weights.ndim}")
    if np.any(weights < 0) or not np.isfinite(weights).all():
        raise RuntimeError(
            "multinomial: probability tensor contains either `inf`, `nan` or element < 0"
        )
    rows = weights.reshape(-1, weights.shape[-1])
    if np.any(rows.sum(1) == 0):
        raise RuntimeError(
            "multinomial: invalid multinomial distribution (sum of probabilities <= 0)"
        )
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError(
            f"multinomial: cannot sample n_sample ({num_samples}) > prob_dist.size(-1) "
            f"({rows.shape[1]}) samples without replacement"
        )
    rng = _rng(generator)
    if replacement:
        cumulative = np.cumsum(rows, axis=1)
        draws = rng.random((len(rows), num_samples)) * cumulative[:, -1:]
        picks = np.stack([np.searchsorted(c, d, side="right") for c, d in zip(cumulative, draws)])
    else:  # Gumbel top-k: the k largest of log w + Gumbel noise are a draw without replacement
        with np.errstate(divide="ignore"):
            keys = np.log(rows) - np.log(-np.log(rng.random(rows.shape)))
        picks = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    picks = np.minimum(picks, rows.shape[1] - 1).astype(np.int64)
    return _placed(picks.reshape(*weights.shape[:-1], num_samples), _device_of(input))


def poisson(input, generator=None):
    """Poisson counts with the rates ``input``, in input's dtype and on its device."""
    counts = _rng(generator).poisson(_host(input)).astype(input.dtype)
    return _placed(counts, input.device)


__all__ = [
    "arange", "bernoulli", "empty", "empty_like", "eye", "full", "full_like", "linspace",
    "logspace", "multinomial", "normal", "ones", "ones_like", "poisson", "rand", "rand_like",
    "randint", "randint_like", "randn", "randn_like", "randperm", "tril_indices",
    "triu_indices", "zeros", "zeros_like",
]  # fmt: skip
