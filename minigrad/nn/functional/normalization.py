"""``batch_norm``: normalisation by batch (training) or running (evaluation) statistics."""

import numpy as np

from minigrad import ops
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
