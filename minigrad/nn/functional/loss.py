"""Losses: cross_entropy, nll_loss, mse_loss, binary_cross_entropy (with logits).

Each takes ``reduction``: 'mean' (the default), 'sum' or 'none' (one loss per element), and
PyTorch's deprecated ``size_average`` and ``reduce`` flags in PyTorch's positions.
"""

import math
import os
import sys
import warnings

import numpy as np

from minigrad import dtypes, ops
from minigrad.tensor import ShapeError, Tensor, as_tensor, where

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
    return Tensor._make(np.asarray(array, dtype=dtype))


def _class_targets(name, input, target, ignore_index):
    """Check class-index targets against input (C,) or (N, C, d1, ...): the int array, the
    class dim and the mask of targets that count (not ``ignore_index``)."""
    array = target._data if isinstance(target, Tensor) else np.asarray(target)
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
        value = int(array[bad].flat[0])
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
    safe = np.where(valid, array, 0)
    index = np.expand_dims(safe, class_dim)
    picked = ops.TakeAlongDim.apply(input, index=index, dim=class_dim).reshape(array.shape)
    if weight is None and valid.all():  # the common case: a plain mean of -log p
        return _reduce(-picked, reduction)
    weights = valid.astype(input.dtype)
    if weight is not None:
        weights = weights * np.asarray(weight, dtype=input.dtype)[safe]
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
    target_array = target._data if isinstance(target, Tensor) else np.asarray(target)
    class_dim = 0 if input.ndim == 1 else 1
    weight_shape = (-1,) + (1,) * (input.ndim - class_dim - 1)
    if dtypes.is_floating(target_array.dtype) and target_array.shape == input.shape:
        # Class probabilities: -sum_c p_c log q_c per sample.
        logp = input.log_softmax(class_dim) if input.ndim else input
        classes = input.shape[class_dim] if input.ndim else 1
        probs = as_tensor(target).to(input.dtype)
        if label_smoothing > 0:
            probs = probs * (1 - label_smoothing) + label_smoothing / classes
        terms = logp * probs
        if weight is not None:
            terms = terms * _constant(np.reshape(weight, weight_shape), input.dtype)
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
        weights = _constant(np.reshape(weight, weight_shape), input.dtype)
        smooth = -(logp * weights).sum(class_dim)
    if not valid.all():
        smooth = where(_constant(valid, bool), smooth, 0)
    if reduction == "mean":
        if weight is None:
            total = float(valid.sum())
        else:
            total = float(np.asarray(weight, dtype=input.dtype)[array[valid]].sum())
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
    x = as_tensor(x)
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
