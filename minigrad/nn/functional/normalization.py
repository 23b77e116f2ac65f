"""``batch_norm``: normalisation by batch (training) or running (evaluation) statistics."""

import numpy as np

from minigrad import ops
from minigrad.autograd.function import IEEE
from minigrad.ops.normalization import batch_statistics
from minigrad.tensor import ShapeError, as_tensor


def batch_norm(
    input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
    eps=1e-5,
):  # fmt: skip
    """Normalise each channel (dim 1) of ``input`` (N, C, *) to zero mean and unit variance,
    then scale by ``weight`` and shift by ``bias`` (both (C,), optional).

    With ``training=True`` the batch's statistics are used and, if given, ``running_mean``
    and ``running_var`` are updated in place: r = (1 - momentum) r + momentum s, with the
    unbiased batch variance for ``running_var`` (as PyTorch). Otherwise the running
    statistics are used.

    Example::

        x = mg.randn(8, 3)
        y = F.batch_norm(x, None, None, training=True)  # each column: mean 0, variance 1
    """
    input = as_tensor(input)
    if input.ndim < 2:
        raise ShapeError(f"batch_norm expects an input of shape (N, C, *), got {input.shape}")
    if training:
        count = input.numel() // input.shape[1]
        if count <= 1:
            raise ValueError(
                "Expected more than 1 value per channel when training, got input size "
                f"{input.shape}"
            )
        with np.errstate(**IEEE):  # a batch of 1e20s has an inf variance, as in PyTorch
            mean, var = batch_statistics(input._data)
            if running_mean is not None:
                _blend(running_mean, mean, momentum)
            if running_var is not None:
                _blend(running_var, var * (count / (count - 1)), momentum)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm needs running_mean and running_var when not training")
        mean, var = _array(running_mean), _array(running_var)
    return ops.BatchNorm.apply(
        input, weight, bias, mean=mean, var=var, eps=eps, training=bool(training)
    )


def _array(x):
    return x._data if hasattr(x, "_data") else np.asarray(x)


def _blend(running, batch, momentum):
    running = _array(running)
    running[...] = (1 - momentum) * running + momentum * batch.astype(running.dtype)


def _normalize_last(x, dims, eps):
    """(x - mean) / sqrt(var + eps) over ``dims`` (biased variance), from differentiable ops."""
    centered = x - x.mean(dims, keepdim=True)
    var = (centered * centered).mean(dims, keepdim=True)
    return centered / (var + eps).sqrt()


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the last ``len(normalized_shape)`` dims (which must equal
    ``normalized_shape``) to zero mean and unit (biased) variance, then ``* weight + bias``
    (both of ``normalized_shape``, optional).

    Example: ``F.layer_norm(mg.randn(8, 16), (16,))`` has mean 0, variance 1 per row.
    """
    input = as_tensor(input)
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    count = len(shape)
    if count == 0 or input.ndim < count or tuple(input.shape[-count:]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size{list(input.shape)}"
        )
    for name, param in (("weight", weight), ("bias", bias)):
        if param is not None and tuple(param.shape) != shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(param.shape)} and normalized_shape = {list(shape)}"
            )
    out = _normalize_last(input, tuple(range(input.ndim - count, input.ndim)), eps)
    if weight is not None:
        out = out * weight
    return out if bias is None else out + bias


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Split the channels (dim 1) of ``input`` (N, C, *) into ``num_groups`` groups and
    normalise each group of each sample; then ``* weight + bias`` per channel ((C,) each).

    Example: ``F.group_norm(mg.randn(2, 6, 4, 4), 3).shape`` is (2, 6, 4, 4).
    """
    input = as_tensor(input)
    if input.ndim < 2 or input.shape[1] % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {list(input.shape)} and num_groups={num_groups}"
        )
    batch, channels = input.shape[:2]
    grouped = input.reshape(batch, num_groups, input.numel() // max(batch * num_groups, 1))
    out = _normalize_last(grouped, (2,), eps).reshape(input.shape)
    per_channel = (channels,) + (1,) * (input.ndim - 2)
    for name, param in (("weight", weight), ("bias", bias)):
        if param is not None and tuple(param.shape) != (channels,):
            raise RuntimeError(
                f"group_norm: expected {name} of shape [{channels}], got {list(param.shape)}"
            )
    if weight is not None:
        out = out * as_tensor(weight).reshape(per_channel)
    return out if bias is None else out + as_tensor(bias).reshape(per_channel)
