"""``instance_norm`` and ``local_response_norm``: normalisations within each sample.

Both are composites of differentiable Tensor ops and the primitives of ``batch_norm`` and
``avg_pool2d``.
"""

import math

import numpy as np

from minigrad.autograd.function import IEEE
from minigrad.backend import array_module
from minigrad.nn.functional.conv import _tensor, avg_pool2d
from minigrad.nn.functional.normalization import _array, _blend, batch_norm
from minigrad.nn.functional.padding import pad
from minigrad.tensor import ShapeError, Tensor


def instance_norm(
    input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
    momentum=0.1, eps=1e-5,
):  # fmt: skip
    """Normalise each channel of each sample of ``input`` (N, C, *) over its spatial dims
    to zero mean and unit (biased) variance, then ``* weight + bias`` per channel ((C,) each).

    With ``use_input_stats`` (the default) the sample's statistics are used and, when given,
    ``running_mean`` and ``running_var`` ((C,)) move towards their means over the batch by
    ``momentum`` (the unbiased variance, as PyTorch); otherwise the running statistics are
    used, as in evaluation mode.

    Example::

        x = mg.randn(4, 3, 16)
        F.instance_norm(x).mean(-1)  # zeros, for each sample and channel
    """
    input = _tensor("instance_norm", "input", input)
    if input.ndim < 2:
        raise ShapeError(
            f"instance_norm: expected an input of shape (N, C, *), got shape {tuple(input.shape)}"
        )
    channels, dims = input.shape[1], tuple(range(2, input.ndim))
    per_channel = (channels,) + (1,) * len(dims)
    for name, param in [
        ("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
        ("bias", bias),
    ]:  # fmt: skip
        if param is not None and tuple(param.shape) != (channels,):
            raise ShapeError(
                f"instance_norm: {name} must have shape ({channels},), one value per channel of "
                f"the input of shape {tuple(input.shape)}, got shape {tuple(param.shape)}"
            )
    if use_input_stats:
        count = math.prod(input.shape[2:])
        if count <= 1:
            raise ValueError(
                "instance_norm: expected more than 1 spatial element when training, got input "
                f"of shape {tuple(input.shape)}"
            )
        # PyTorch's own route: batch norm of one sample whose channels are the N * C
        # instances, through the fused BatchNorm primitive (2x faster than the composite).
        batch, spatial = input.shape[0] * channels, input.shape[2:]
        if batch:
            out = batch_norm(input.reshape(1, batch, *spatial), None, None, training=True, eps=eps)
            out = out.reshape(input.shape)
        else:  # an empty batch: the running statistics become NaN, as in PyTorch
            out = input * 1.0
        with np.errstate(**IEEE):  # an inf variance stays inf, as in PyTorch
            array = _array(input)
            xp = array_module(array)
            if running_mean is not None:
                mean = array.mean(dims).mean(0) if batch else xp.full(channels, np.nan)
                _blend(running_mean, mean, momentum)
            if running_var is not None:
                var = array.var(dims, ddof=1).mean(0) if batch else xp.full(channels, np.nan)
                _blend(running_var, var, momentum)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError(
                "instance_norm: expected running_mean and running_var to be defined when "
                "use_input_stats is False"
            )
        mean = Tensor._make(_array(running_mean).astype(input.dtype).reshape(per_channel))
        var = Tensor._make(_array(running_var).astype(input.dtype).reshape(per_channel))
        out = (input - mean) / (var + eps).sqrt()
    if weight is not None:
        out = out * weight.reshape(per_channel)
    return out if bias is None else out + bias.reshape(per_channel)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Divide each element of ``input`` (N, C, *) by (k + alpha * mean of squares)**beta,
    the mean over ``size`` neighbouring channels (zeros beyond the edges count, as PyTorch:
    size // 2 before, (size - 1) // 2 after), as in AlexNet.

    Example: ``F.local_response_norm(mg.randn(2, 8, 5, 5), size=3).shape`` is (2, 8, 5, 5).
    """
    input = _tensor("local_response_norm", "input", input)
    if input.ndim < 3:
        raise ValueError(
            "local_response_norm: expected a 3-D or higher (N, C, *) input, got shape "
            f"{tuple(input.shape)} ({input.ndim} dimensions)"
        )
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ShapeError(f"local_response_norm: size must be a positive int, got {size!r}")
    if input.numel() == 0:
        return input
    batch, channels = input.shape[:2]
    squares = (input * input).reshape(batch, 1, channels, -1)
    squares = pad(squares, (0, 0, size // 2, (size - 1) // 2))
    div = avg_pool2d(squares, (size, 1), stride=1).reshape(input.shape)
    return input / (div * alpha + k) ** beta


__all__ = ["instance_norm", "local_response_norm"]
