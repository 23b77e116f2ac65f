"""``dropout`` and its channel-wise (``dropout1d/2d/3d``) and self-normalising
(``alpha_dropout``, ``feature_alpha_dropout``) forms: inverted dropout, with the mask drawn
from minigrad's default generator on the host and moved to the input's device."""

import numbers
import warnings

from minigrad.backend import on_device_of
from minigrad.random import default_generator
from minigrad.tensor import Tensor, as_tensor

# SELU's negative saturation value, scale * alpha: where alpha dropout sends dropped units.
_SELU_SATURATION = 1.7580993408473766


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the others by 1 / (1 - p), so the
    expected value is unchanged; identity when ``training`` is False. ``inplace`` is ignored.

    Example::

        mg.manual_seed(0)
        F.dropout(mg.ones(6), p=0.5)  # some zeros, the rest 2.0
    """
    _check_p(p)
    input = as_tensor(input)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    keep = default_generator().random(input.shape, dtype=input.dtype) >= p
    scaled = keep.astype(input.dtype) * input.dtype.type(1 / (1 - p))
    return input * _on_input_device(scaled, input)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels ``input[n, c]`` of an (N, C, L) or unbatched (C, L) input with
    probability ``p``, scaling the kept ones by 1 / (1 - p). ``inplace`` is ignored."""
    _check_p(p)
    input = as_tensor(input)
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs)."
        )
    return _feature_dropout(input, p, training, batched=input.ndim == 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels ``input[n, c]`` of an (N, C, H, W) input with probability ``p``,
    scaling the kept ones by 1 / (1 - p). As PyTorch, a 3-D input is read as (N, C, L), with a
    warning, and other ranks are deprecated. ``inplace`` is ignored."""
    _check_p(p)
    input = as_tensor(input)
    if input.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated and "
            "will result in an error in a future release. To retain the behavior and silence "
            "this warning, please use dropout instead. Note that dropout2d exists to provide "
            "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 3D or 4D inputs).",
            stacklevel=2,
        )
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    return _feature_dropout(input, p, training, batched=True)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels ``input[n, c]`` of an (N, C, D, H, W) or unbatched (C, D, H, W)
    input with probability ``p``, scaling the kept ones by 1 / (1 - p). Other ranks are
    deprecated, with PyTorch's warning. ``inplace`` is ignored."""
    _check_p(p)
    input = as_tensor(input)
    if input.ndim not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {input.ndim}-D input to dropout3d, which is deprecated and "
            "will result in an error in a future release. To retain the behavior and silence "
            "this warning, please use dropout instead. Note that dropout3d exists to provide "
            "channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 4D or 5D inputs).",
            stacklevel=2,
        )
    return _feature_dropout(input, p, training, batched=input.ndim == 5)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout for SELU networks: dropped elements become SELU's saturation value and the
    result is rescaled so that a zero-mean, unit-variance input keeps its mean and variance.
    Note PyTorch's default ``training=False``. ``inplace`` is ignored."""
    _check_p(p)
    input = as_tensor(input)
    return _masked(input, p, training, input.shape, alpha=True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """``alpha_dropout`` of whole channels ``input[n, c]`` (input of at least 2 dimensions).
    ``inplace`` is ignored."""
    _check_p(p)
    input = as_tensor(input)
    return _feature_dropout(input, p, training, batched=True, alpha=True)


def _check_p(p):
    if isinstance(p, bool) or not isinstance(p, numbers.Real):
        raise TypeError(
            f"dropout probability p must be a real number, but got {type(p).__name__} {p!r}"
        )
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _feature_dropout(input, p, training, batched, alpha=False):
    """One draw per channel: the mask has the shape of the (batch and) channel dimensions and
    broadcasts over the rest. An unbatched input is one sample, as PyTorch's unsqueeze(0)."""
    lead = 2 if batched else 1
    if input.ndim + (0 if batched else 1) < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    mask_shape = tuple(input.shape[:lead]) + (1,) * (input.ndim - lead)
    return _masked(input, p, training, mask_shape, alpha)


def _masked(input, p, training, mask_shape, alpha):
    if not training or p == 0.0 or input.numel() == 0:
        return input
    if p == 1.0:
        return input * 0.0
    dtype = input.dtype.type
    keep = (default_generator().random(mask_shape, dtype=input.dtype) >= p).astype(input.dtype)
    if not alpha:
        return input * _on_input_device(keep * dtype(1 / (1 - p)), input)
    # a * (x * keep + saturation * (1 - keep)) + b, with a and b restoring mean 0, variance 1.
    a = 1.0 / ((_SELU_SATURATION**2 * p + 1) * (1 - p)) ** 0.5
    shift = (keep - 1) * dtype(_SELU_SATURATION * a) + dtype(_SELU_SATURATION * a * p)
    return input * _on_input_device(keep * dtype(a), input) + _on_input_device(shift, input)


def _on_input_device(mask, input):
    """A mask drawn on the host, as a graph-less tensor on ``input``'s device."""
    return Tensor._make(on_device_of(mask, like=input._data))
