"""Losses: cross_entropy, nll_loss, mse_loss, binary_cross_entropy (with logits), l1 and
huber, kl_div and the likelihood losses, and the margin and embedding losses.

Each takes ``reduction``: 'mean' (the default), 'sum' or 'none' (one loss per element), and
PyTorch's deprecated ``size_average`` and ``reduce`` flags in PyTorch's positions.
"""

import math
import os
import sys
import warnings

import numpy as np

from minigrad import dtypes, ops
from minigrad.backend import array_module, is_host, on_device_of
from minigrad.nn.functional.activation import logsigmoid
from minigrad.nn.functional.distance import pairwise_distance
from minigrad.tensor import ShapeError, Tensor, as_tensor, minimum, where

REDUCTIONS = ("mean", "sum", "none")
_NN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _check_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"{reduction!r} is not a valid value for reduction: use 'mean', 'sum' or 'none'"
        )


def legacy_reduction(size_average, reduce, reduction):
    """``reduction`` as the deprecated flags choose it, when either is given (with PyTorch's
    warning): both true (or None) -> 'mean', ``reduce`` alone -> 'sum', else 'none'."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "none" if not reduce else "mean" if size_average else "sum"
    # Point the warning at the user's line: the first frame outside minigrad/nn.
    frame, stacklevel = sys._getframe(), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_NN_DIR):
        frame, stacklevel = frame.f_back, stacklevel + 1
    warnings.warn(
        "size_average and reduce args will be deprecated, please use "
        f"reduction='{reduction}' instead.",
        stacklevel=stacklevel,
    )
    return reduction


def _reduce(losses, reduction):
    if reduction == "mean":
        return losses.mean()
    return losses.sum() if reduction == "sum" else losses


def _constant(array, dtype):
    """A graph-less tensor of ``array`` (an array of any device, kept there) as ``dtype``."""
    return Tensor._make(array_module(array).asarray(array, dtype=dtype))


def _on_input_device(value, input):
    """``value`` as an array: a Tensor's own, anything else (a number, list or host array)
    as a numpy array moved to ``input``'s device."""
    if isinstance(value, Tensor):
        return value._data
    return on_device_of(np.asarray(value), like=input._data)


def _weight_array(weight, dtype, input):
    """Per-class weights (a Tensor, list or array) as an array of ``dtype`` on the device of
    the input."""
    array = _on_input_device(weight, input)
    return array_module(array).asarray(array, dtype=dtype)


def _class_targets(name, input, target, ignore_index):
    """Check class-index targets against input (C,) or (N, C, d1, ...): the int array, the
    class dim and the mask of targets that count (not ``ignore_index``)."""
    array = _on_input_device(target, input)
    if input.ndim == 0:
        raise ShapeError(f"{name}: input must have a class dimension, got a 0-d tensor")
    class_dim = 0 if input.ndim == 1 else 1
    expected = input.shape[:class_dim] + input.shape[class_dim + 1 :]
    if not np.issubdtype(array.dtype, np.integer):
        raise TypeError(
            f"{name}: target must hold integer class indices (int64), got {array.dtype} "
            f"of shape {array.shape}"
        )
    if array.shape != expected:
        raise ShapeError(
            f"{name}: an input of shape {input.shape} needs a target of shape {expected}, "
            f"got {array.shape}"
        )
    classes = input.shape[class_dim]
    valid = array != ignore_index
    bad = valid & ((array < 0) | (array >= classes))
    if bad.any():
        value = int(array[bad].ravel()[0])
        raise IndexError(
            f"{name}: target {value} is out of bounds for {classes} classes "
            f"(targets must be in [0, {classes - 1}] or ignore_index={ignore_index})"
        )
    return array, class_dim, valid


def nll_loss(
    input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
    reduction="mean",
):  # fmt: skip
    """The negative log-likelihood: -input[n, target[n]], weighted by ``weight[target[n]]``.

    Shapes: input (N, C) (or (C,), or (N, C, d1, ...)) of log-probabilities; target (N,)
    (or (), or (N, d1, ...)) of int64 class indices. Targets equal to ``ignore_index`` add
    nothing; 'mean' divides by the total weight of the other targets (as PyTorch).

    Example::

        logp = F.log_softmax(mg.randn(4, 3), dim=1)
        F.nll_loss(logp, mg.tensor([0, 2, 1, 0]))
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    input = as_tensor(input)
    array, class_dim, valid = _class_targets("nll_loss", input, target, ignore_index)
    return _nll(input, array, class_dim, valid, weight, reduction)


def _nll(input, array, class_dim, valid, weight, reduction):
    """nll_loss after ``_class_targets`` checked the targets."""
    xp = array_module(array)
    safe = xp.where(valid, array, 0)
    index = xp.expand_dims(safe, class_dim)
    picked = ops.TakeAlongDim.apply(input, index=index, dim=class_dim).reshape(array.shape)
    if weight is None and valid.all():  # the common case: a plain mean of -log p
        return _reduce(-picked, reduction)
    weights = valid.astype(input.dtype)
    if weight is not None:
        weights = weights * _weight_array(weight, input.dtype, input)[safe]
    # where, not a product: an ignored row's picked logit may be -inf (PyTorch: finite loss)
    losses = -where(_constant(valid, bool), picked, 0) * _constant(weights, input.dtype)
    if reduction == "mean":
        return _mean_over(losses.sum(), float(weights.sum()))
    return _reduce(losses, reduction)


def _mean_over(total, count):
    """total / count; when every target is ignored (count 0), NaN with a zero gradient, as
    PyTorch gives, rather than a NaN gradient that would poison every weight."""
    return total + math.nan if count == 0 else total / count


def cross_entropy(
    input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
    reduction="mean", label_smoothing=0.0,
):  # fmt: skip
    """Softmax cross-entropy of logits: nll_loss(log_softmax(input, class dim), target).

    Shapes: input (N, C) logits (or (C,), or (N, C, d1, ...)); target (N,) of int64 class
    indices, or class probabilities of the input's shape. ``label_smoothing`` mixes the
    target with the uniform distribution, as PyTorch does. Finite for logits of any size.

    Example::

        logits = mg.randn(4, 3, requires_grad=True)
        loss = F.cross_entropy(logits, mg.tensor([0, 2, 1, 0]))
        loss.backward()
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0, got {label_smoothing}")
    input = as_tensor(input)
    target_array = _on_input_device(target, input)
    class_dim = 0 if input.ndim == 1 else 1
    weight_shape = (-1,) + (1,) * (input.ndim - class_dim - 1)
    if dtypes.is_floating(target_array.dtype) and target_array.shape == input.shape:
        # Class probabilities: -sum_c p_c log q_c per sample.
        logp = input.log_softmax(class_dim) if input.ndim else input
        classes = input.shape[class_dim] if input.ndim else 1
        probs = _like_input(target, input)
        if label_smoothing > 0:
            probs = probs * (1 - label_smoothing) + label_smoothing / classes
        terms = logp * probs
        if weight is not None:
            weights = _weight_array(weight, input.dtype, input).reshape(weight_shape)
            terms = terms * Tensor._make(weights)
        losses = -terms.sum(class_dim)
        return _reduce(losses, reduction)
    array, class_dim, valid = _class_targets("cross_entropy", input, target_array, ignore_index)
    if input.ndim == 2 and weight is None and valid.all():  # the common case, fused
        return ops.CrossEntropy.apply(
            input, array, label_smoothing=float(label_smoothing), reduction=reduction
        )
    logp = input.log_softmax(class_dim)
    loss = _nll(logp, array, class_dim, valid, weight, reduction)
    if label_smoothing == 0:
        return loss
    classes = input.shape[class_dim]
    if weight is None:
        smooth = -logp.sum(class_dim)
    else:
        weights = Tensor._make(_weight_array(weight, input.dtype, input).reshape(weight_shape))
        smooth = -(logp * weights).sum(class_dim)
    if not valid.all():
        smooth = where(_constant(valid, bool), smooth, 0)
    if reduction == "mean":
        if weight is None:
            total = float(valid.sum())
        else:
            total = float(_weight_array(weight, input.dtype, input)[array[valid]].sum())
        smooth = _mean_over(smooth.sum(), total)
    else:
        smooth = _reduce(smooth, reduction)
    return loss * (1 - label_smoothing) + smooth * (label_smoothing / classes)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """The squared error (input - target) ** 2, reduced; warns when the shapes differ (they
    are broadcast, which is rarely what was meant). ``weight`` (the input's shape) weighs each
    element; 'mean' then divides by the total weight.

    Example: ``F.mse_loss(mg.tensor([1.0, 2.0]), mg.tensor([1.0, 4.0]))`` is ``tensor(2.)``.
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    input, target = as_tensor(input), as_tensor(target)
    if input.shape != target.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            stacklevel=2,
        )
    diff = input - target
    if weight is None:
        return _reduce(diff * diff, reduction)
    weight = _like_input(weight, input)
    if weight.shape != input.shape:
        raise ValueError(
            f"mse_loss: weight of shape {tuple(weight.shape)} must have the input's shape "
            f"{tuple(input.shape)} (Weights and input must have the same size.)"
        )
    losses = diff * diff * weight
    # 'mean' is the weighted mean, as PyTorch's: divided by the total weight.
    return losses.sum() / weight.sum() if reduction == "mean" else _reduce(losses, reduction)


def _same_shape(name, input, target):
    if input.shape != target.shape:
        raise ShapeError(
            f"{name}: using a target size ({target.shape}) that is different to the input "
            f"size ({input.shape}) is not supported; please ensure they have the same size"
        )


def _like_input(x, input):
    """``x`` as a Tensor of the input's dtype; a number, list or host array is put on the
    input's device (a Tensor stays where it is)."""
    if not isinstance(x, Tensor):
        x = as_tensor(x)
        if not is_host(input._data):
            x = Tensor._make(on_device_of(x._data, like=input._data))
    return x if x.dtype == input.dtype else x.to(input.dtype)


def _all_probabilities(array):
    return bool(((array >= 0) & (array <= 1)).all())  # False for NaN too


def _float_target(name, target, input, same_dtype=True):
    """The target as the input's dtype. A Tensor target of an int or bool dtype is refused, as
    PyTorch does (an int target usually means class indices: cross_entropy takes those), and
    with ``same_dtype`` (binary_cross_entropy) any dtype but the input's."""
    if not isinstance(target, Tensor):
        return _like_input(target, input)
    if not dtypes.is_floating(target.dtype) or (same_dtype and target.dtype != input.dtype):
        raise RuntimeError(
            f"{name}: Found dtype {target.dtype} but expected {input.dtype}: the target must "
            "be a float tensor of the input's dtype (e.g. target.float())"
        )
    return _like_input(target, input)


def binary_cross_entropy(
    input, target, weight=None, size_average=None, reduce=None, reduction="mean"
):
    """-(t log p + (1 - t) log(1 - p)) for probabilities p = ``input`` in [0, 1]; each log is
    clamped at -100, as PyTorch does, so p = 0 or 1 gives a finite loss. ``weight``
    (broadcast to the input) rescales each element's loss.

    Example::

        p = mg.tensor([0.9, 0.2])
        F.binary_cross_entropy(p, mg.tensor([1.0, 0.0]))  # (-log 0.9 - log 0.8) / 2
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    input = as_tensor(input)
    target = _float_target("binary_cross_entropy", target, input)
    _same_shape("binary_cross_entropy", input, target)
    if not _all_probabilities(input._data):
        raise RuntimeError(
            "binary_cross_entropy: all elements of input should be between 0 and 1 (apply "
            "sigmoid first, or use binary_cross_entropy_with_logits on logits)"
        )
    if not _all_probabilities(target._data):
        raise RuntimeError(
            "binary_cross_entropy: all elements of target should be between 0 and 1, got "
            f"values from {np.nanmin(target._data)} to {np.nanmax(target._data)}"
            + (" and NaN" if np.isnan(target._data).any() else "")
        )
    losses = ops.BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        losses = losses * _like_input(weight, input)
    return _reduce(losses, reduction)


def binary_cross_entropy_with_logits(
    input, target, weight=None, size_average=None, reduce=None, reduction="mean",
    pos_weight=None,
):  # fmt: skip
    """binary_cross_entropy(sigmoid(input), target), in one stable step: exact and finite
    for logits of any magnitude. ``pos_weight`` (broadcast over the last dimension, as
    PyTorch) weighs the positive term; ``weight`` rescales each element's loss.

    Example::

        F.binary_cross_entropy_with_logits(mg.tensor([2.0, -1.0]), mg.tensor([1.0, 0.0]))
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    input = as_tensor(input)
    target = _float_target("binary_cross_entropy_with_logits", target, input, same_dtype=False)
    _same_shape("binary_cross_entropy_with_logits", input, target)
    if pos_weight is not None:
        pos_weight = _like_input(pos_weight, input)
    losses = ops.BinaryCrossEntropyWithLogits.apply(input, target, pos_weight)
    if weight is not None:
        losses = losses * _like_input(weight, input)
    return _reduce(losses, reduction)


# ---- regression losses: l1, smooth l1, huber ---------------------------------------------------


def _pointwise_pair(name, input, target):
    """input and target as Tensors, broadcast together as PyTorch does (with its warning when
    the shapes differ); shapes that cannot broadcast are a ShapeError naming both."""
    input, target = as_tensor(input), as_tensor(target)
    if input.shape != target.shape:
        try:
            shape = np.broadcast_shapes(input.shape, target.shape)
        except ValueError:
            raise ShapeError(
                f"{name}: the target of shape {target.shape} cannot be broadcast to the input "
                f"of shape {input.shape}"
            ) from None
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            stacklevel=3,
        )
        input, target = input.expand(*shape), target.expand(*shape)
    return input, target


def _weighted(name, losses, weight, input, reduction, mean_by_weight):
    """losses * weight (the input's shape), reduced; 'mean' divides by the total weight when
    ``mean_by_weight`` (l1_loss, mse_loss) or by the element count (huber_loss), as PyTorch."""
    weight = _like_input(weight, input)
    if weight.shape != input.shape:
        raise ValueError(
            f"{name}: weight of shape {tuple(weight.shape)} must have the input's shape "
            f"{tuple(input.shape)} (Weights and input must have the same size.)"
        )
    losses = losses * weight
    if reduction == "mean" and mean_by_weight:
        return losses.sum() / weight.sum()
    return _reduce(losses, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """The absolute error |input - target|, reduced (input and target broadcast, with a
    warning when their shapes differ). ``weight`` (the input's shape) weighs each element;
    'mean' then divides by the total weight. The gradient at a zero error is 0, as PyTorch's.

    Example: ``F.l1_loss(mg.tensor([1.0, 2.0]), mg.tensor([1.0, 4.0]))`` is ``tensor(1.)``.
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    original = as_tensor(input)
    input, target = _pointwise_pair("l1_loss", input, target)
    losses = (input - target).abs()
    if weight is None:
        return _reduce(losses, reduction)
    return _weighted("l1_loss", losses, weight, original, reduction, mean_by_weight=True)


def _huber(diff, delta):
    """0.5 diff ** 2 where |diff| < delta, else delta (|diff| - 0.5 delta): quadratic near 0,
    linear in the tails (the gradient in the quadratic part needs no abs: 0 at 0)."""
    absolute = diff.abs()
    return where(absolute < delta, 0.5 * diff * diff, delta * (absolute - 0.5 * delta))


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 (input - target) ** 2 / beta where |input - target| < beta, else
    |input - target| - 0.5 beta; ``beta=0`` is l1_loss. Broadcasts as l1_loss.

    Example: ``F.smooth_l1_loss(mg.tensor([0.5, 3.0]), mg.zeros(2))`` is
    ``tensor(1.3125)`` (0.125 and 2.5).
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if beta < 0:
        raise RuntimeError(
            f"smooth_l1_loss does not support negative values for beta, got beta={beta}"
        )
    input, target = _pointwise_pair("smooth_l1_loss", input, target)
    diff = input - target
    if beta == 0:
        return _reduce(diff.abs(), reduction)
    return _reduce(_huber(diff, beta) / beta, reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 (input - target) ** 2 where |input - target| < delta, else
    delta (|input - target| - 0.5 delta): smooth_l1_loss times ``delta``. ``weight`` (the
    input's shape) weighs each element ('mean' stays the plain mean, as PyTorch's).

    Example: ``F.huber_loss(mg.tensor([0.5, 3.0]), mg.zeros(2), delta=2.0)`` is
    ``tensor(2.0625)``.
    """
    _check_reduction(reduction)
    if not delta > 0:
        raise RuntimeError(
            f"huber_loss does not support non-positive values for delta, got delta={delta}"
        )
    original = as_tensor(input)
    input, target = _pointwise_pair("huber_loss", input, target)
    losses = _huber(input - target, delta)
    if weight is None:
        return _reduce(losses, reduction)
    return _weighted("huber_loss", losses, weight, original, reduction, mean_by_weight=False)


# ---- likelihood losses: kl_div, poisson_nll_loss, gaussian_nll_loss ---------------------------


def _xlogx(x):
    """x log x with 0 log 0 = 0 (torch.xlogy(x, x)); the gradient there is 0, where
    PyTorch's is NaN (0 / 0)."""
    zero = x == 0
    return where(zero, 0, x * where(zero, 1, x).log())


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """The Kullback-Leibler divergence of ``target`` from the distribution whose
    log-probabilities are ``input``: target (log target - input) per element (``target``
    holds log-probabilities too with ``log_target``). 'batchmean' (the true KL divergence
    of a batch) divides the sum by the batch size input.shape[0]; 'mean', which divides by
    the number of elements, warns as PyTorch does.

    Example::

        logq = F.log_softmax(mg.randn(4, 3), dim=1)
        F.kl_div(logq, F.softmax(mg.randn(4, 3), dim=1), reduction="batchmean")
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce, reduction)
    elif reduction not in REDUCTIONS + ("batchmean",):
        raise ValueError(
            f"{reduction!r} is not a valid value for reduction: use 'mean', 'batchmean', "
            "'sum' or 'none'"
        )
    elif reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.",
            stacklevel=2,
        )
    input, target = as_tensor(input), as_tensor(target)
    _broadcast_named("kl_div", input=input, target=target)
    if log_target:
        losses = target.exp() * (target - input)
    else:
        losses = _xlogx(target) - target * input
    if reduction == "batchmean":
        total = losses.sum()
        return total / input.shape[0] if input.ndim else total
    return _reduce(losses, reduction)


def _broadcast_named(name, **tensors):
    """The shape the named tensors broadcast to; a ShapeError naming each shape if none."""
    try:
        return np.broadcast_shapes(*(t.shape for t in tensors.values()))
    except ValueError:
        shapes = [f"{key} of shape {tuple(t.shape)}" for key, t in tensors.items()]
        raise ShapeError(
            f"{name}: {', '.join(shapes[:-1])} and {shapes[-1]} cannot be broadcast together"
        ) from None


def poisson_nll_loss(
    input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
    reduction="mean",
):  # fmt: skip
    """The negative log-likelihood of ``target`` counts under Poisson rates: exp(input) -
    target input when ``input`` holds log-rates (``log_input``), else input - target
    log(input + eps). ``full`` adds Stirling's approximation of log(target!), target log
    target - target + 0.5 log(2 pi target), where target > 1 (as PyTorch).

    Example: ``F.poisson_nll_loss(mg.zeros(3), mg.tensor([0.0, 1.0, 2.0]))`` is ``tensor(1.)``.
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    input, target = as_tensor(input), as_tensor(target)
    _broadcast_named("poisson_nll_loss", input=input, target=target)
    if log_input:
        losses = input.exp() - target * input
    else:
        losses = input - target * (input + eps).log()
    if full:
        counted = target > 1
        safe = where(counted, target, 2)  # keeps the logs off 0 where the term is dropped
        stirling = safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()
        losses = losses + where(counted, stirling, 0)
    return _reduce(losses, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """The negative log-likelihood of ``target`` under normal distributions of mean ``input``
    and variance ``var``: 0.5 (log var + (input - target) ** 2 / var) (+ 0.5 log(2 pi) with
    ``full``). ``var`` is clamped at ``eps`` for stability (the clamp passes the gradient,
    as PyTorch's), may be a number, the input's shape, the input's shape without its last
    dim, or the input's shape with one dim of size 1 (homoscedastic cases).

    Example::

        mean, var = mg.randn(5, 2), mg.ones(5, 1)
        F.gaussian_nll_loss(mean, mg.randn(5, 2), var)
    """
    input, target = as_tensor(input), as_tensor(target)
    if not isinstance(var, Tensor) and np.ndim(var) == 0:
        if var < 0:
            raise ValueError(f"gaussian_nll_loss: var has negative entry/entries (var={var})")
        var = Tensor._make(array_module(input._data).full(input.shape, var, dtype=input.dtype))
    else:
        var = as_tensor(var)
        if (var._data < 0).any():
            raise ValueError("gaussian_nll_loss: var has negative entry/entries")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif not (
            input.ndim == var.ndim and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1
        ):
            raise ValueError(
                f"gaussian_nll_loss: var is of incorrect size {var.shape} for an input of "
                f"shape {input.shape} (expected the input's shape, the input's shape without "
                "its last dim, or the input's shape with one dim of size 1)"
            )
    _check_reduction(reduction)
    _broadcast_named("gaussian_nll_loss", input=input, target=target)
    # Clamped as PyTorch does (in place under no_grad): the value moves, the gradient doesn't.
    floor = var.detach()
    var = var + (floor.clamp(min=eps) - floor)
    diff = input - target
    losses = 0.5 * (var.log() + diff * diff / var)
    if full:
        losses = losses + 0.5 * math.log(2 * math.pi)
    return _reduce(losses, reduction)


# ---- margin losses ------------------------------------------------------------------------------


def margin_ranking_loss(
    input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"
):
    """max(0, -target (input1 - input2) + margin): ``target`` (1 or -1) says which input
    should rank higher. The three must have the same number of dims (then broadcast).

    Example: ``F.margin_ranking_loss(mg.tensor([2.0]), mg.tensor([1.0]), mg.tensor([-1.0]))``
    is ``tensor(1.)``.
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    input1, input2, target = as_tensor(input1), as_tensor(input2), as_tensor(target)
    if not input1.ndim == input2.ndim == target.ndim:
        raise ShapeError(
            "margin_ranking_loss: input1, input2 and target must have the same number of "
            f"dimensions, got input1 {input1.shape}, input2 {input2.shape}, target {target.shape}"
        )
    _broadcast_named("margin_ranking_loss", input1=input1, input2=input2, target=target)
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0), reduction)


def hinge_embedding_loss(
    input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"
):
    """input where target is 1, max(0, margin - input) where target is -1 (``input`` is
    usually a distance, as for similar and dissimilar pairs).

    Example: ``F.hinge_embedding_loss(mg.tensor([0.3, 0.4]), mg.tensor([1, -1]))`` is
    ``tensor(0.4500)``.
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    input, target = as_tensor(input), as_tensor(target)
    _broadcast_named("hinge_embedding_loss", input=input, target=target)
    margin_part = where(target != 1, (margin - input).clamp(min=0), 0)
    return _reduce(margin_part + where(target != -1, input, 0), reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-target input)), the logistic loss of targets 1 and -1. Computed stably:
    finite for any input (PyTorch's own overflows to inf past |input| of about 88 in float32).

    Example: ``F.soft_margin_loss(mg.zeros(2), mg.tensor([1.0, -1.0]))`` is log 2.
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    input, target = as_tensor(input), as_tensor(target)
    _broadcast_named("soft_margin_loss", input=input, target=target)
    return _reduce(-logsigmoid(input * target), reduction)


def multi_margin_loss(
    input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
    reduction="mean",
):  # fmt: skip
    """The multi-class hinge loss: per sample, sum over classes i != y of
    max(0, margin - input[y] + input[i]) ** p, times weight[y], divided by the number of
    classes. Shapes: input (N, C) or (C,); target (N,) (or () or (1,)) of int64 class indices;
    weight (C,). ``p`` is 1 or 2. A term at exactly 0 passes no gradient, as PyTorch's.

    Example: ``F.multi_margin_loss(mg.tensor([[0.1, 0.2, 0.4]]), mg.tensor([2]))`` is
    ``tensor(0.5000)``.
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss: only p == 1 and p == 2 supported, got p={p}")
    if weight is not None and np.ndim(weight._data if isinstance(weight, Tensor) else weight) != 1:
        raise ValueError(
            f"multi_margin_loss: weight must be one-dimensional, got shape {np.shape(weight)}"
        )
    input = as_tensor(input)
    if not (input.ndim == 0 or input.ndim <= 2 and input.shape[-1] != 0):
        raise ShapeError(
            "multi_margin_loss: expected a non-empty vector or matrix input (with an optional "
            f"0-size batch), got input of shape {input.shape}"
        )
    frames, classes = (input.shape[0], input.shape[1]) if input.ndim == 2 else (1, input.numel())
    array = _on_input_device(target, input)
    if not np.issubdtype(array.dtype, np.integer):
        raise RuntimeError(
            f"multi_margin_loss: target must hold integer class indices (int64), got {array.dtype}"
        )
    if array.ndim > 1 or array.size != frames:
        raise ShapeError(
            f"multi_margin_loss: inconsistent target size, expected {frames} target(s) for an "
            f"input of shape {input.shape}, got target of shape {array.shape}"
        )
    if ((array < 0) | (array >= classes)).any():
        raise RuntimeError(
            f"multi_margin_loss: target out of range: targets must be in [0, {classes - 1}], "
            f"got values from {array.min()} to {array.max()}"
        )
    labels = array.reshape(frames, 1)
    scores = input.reshape(frames, classes)
    picked = ops.TakeAlongDim.apply(scores, index=labels, dim=1)
    margins = margin - picked + scores
    others = array_module(labels).arange(classes) != labels  # the target's own term is left out
    terms = margins if p == 1 else margins * margins
    if weight is not None:
        weights = _on_input_device(weight, input)
        if weights.size != classes:
            raise ShapeError(
                f"multi_margin_loss: inconsistent weight size, expected {classes} weights, "
                f"got weight of shape {weights.shape}"
            )
        terms = terms * _constant(weights.astype(input.dtype)[labels], input.dtype)
    # where, not clamp: a margin of exactly 0 passes no gradient (PyTorch's strict z > 0)
    active = _constant(others, bool) & (margins > 0)
    losses = where(active, terms, 0).sum(1) / classes
    if reduction == "none":
        return losses if array.ndim else losses.reshape(())
    return _reduce(losses, reduction)


def multilabel_soft_margin_loss(
    input, target, weight=None, size_average=None, reduce=None, reduction="mean"
):
    """The binary logistic loss of each class, averaged over the classes (the last dim):
    -(target log sigmoid(input) + (1 - target) log sigmoid(-input)), times ``weight`` (broadcast
    over the classes). Shapes: input (N, C) (or (C,)), target of 0/1 labels, the same shape.

    Example: ``F.multilabel_soft_margin_loss(mg.zeros(1, 3), mg.tensor([[1.0, 0.0, 1.0]]))`` is
    log 2.
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    input, target = as_tensor(input), as_tensor(target)
    if input.ndim == 0:
        raise IndexError(
            "multilabel_soft_margin_loss: input needs a class dimension (its last), got a 0-d "
            "tensor"
        )
    _broadcast_named("multilabel_soft_margin_loss", input=input, target=target)
    losses = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        losses = losses * _like_input(weight, input)
    losses = losses.sum(input.ndim - 1) / input.shape[-1]
    return _reduce(losses, reduction)


def cosine_embedding_loss(
    input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"
):
    """1 - cos(input1, input2) where target is 1, max(0, cos(input1, input2) - margin) where
    it is -1; the cosine along the last dim, as sum(x1 x2) / sqrt((|x1|^2 + 1e-12)
    (|x2|^2 + 1e-12)) (PyTorch's form). Shapes: inputs (N, D) with target (N,), or (D,)
    with a 0-d target.

    Example: ``F.cosine_embedding_loss(mg.ones(1, 2), mg.ones(1, 2), mg.tensor([-1]))`` is
    ``tensor(1.)``.
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    input1, input2, target = as_tensor(input1), as_tensor(input2), as_tensor(target)
    if target.ndim > 1:
        raise ShapeError(
            "cosine_embedding_loss: 0D or 1D target tensor expected, multi-target not "
            f"supported (got target of shape {target.shape})"
        )
    if not input1.ndim == input2.ndim == target.ndim + 1:
        raise ShapeError(
            f"cosine_embedding_loss: a {target.ndim}D target tensor expects "
            f"{target.ndim + 1}D input tensors, but found input1 of shape {input1.shape} and "
            f"input2 of shape {input2.shape}"
        )
    _broadcast_named("cosine_embedding_loss", input1=input1, input2=input2)
    dim = target.ndim
    dot = (input1 * input2).sum(dim)
    squares = ((input1 * input1).sum(dim) + 1e-12) * ((input2 * input2).sum(dim) + 1e-12)
    cos = dot / squares.sqrt()
    losses = where(target == 1, 1 - cos, 0) + where(target == -1, (cos - margin).clamp(min=0), 0)
    return _reduce(losses, reduction)


def triplet_margin_loss(
    anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
    reduce=None, reduction="mean",
):  # fmt: skip
    """max(0, margin + d(anchor, positive) - d(anchor, negative)) with d the p-norm
    pairwise distance (``F.pairwise_distance(x1, x2, p, eps)``, along the last dim). With
    ``swap``, d(anchor, negative) is replaced by d(positive, negative) where that is smaller.

    Example::

        a, pos, neg = mg.randn(8, 16), mg.randn(8, 16), mg.randn(8, 16)
        F.triplet_margin_loss(a, pos, neg, margin=0.5)
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"triplet_margin_loss: margin must be greater than 0, got {margin}")
    anchor, positive, negative = as_tensor(anchor), as_tensor(positive), as_tensor(negative)
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise ShapeError(
            "triplet_margin_loss: the anchor, positive, and negative tensors are expected to "
            f"have the same number of dimensions, but got: anchor {anchor.ndim}D, positive "
            f"{positive.ndim}D, and negative {negative.ndim}D inputs"
        )
    _broadcast_named("triplet_margin_loss", anchor=anchor, positive=positive, negative=negative)
    positive_distance = pairwise_distance(anchor, positive, p, eps)
    negative_distance = pairwise_distance(anchor, negative, p, eps)
    if swap:
        negative_distance = minimum(
            negative_distance, pairwise_distance(positive, negative, p, eps)
        )
    return _reduce((margin + positive_distance - negative_distance).clamp(min=0), reduction)
