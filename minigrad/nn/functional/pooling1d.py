"""``avg_pool1d`` and ``max_pool1d``: the 2-D pools on an (N, C, 1, L) view of the input.

What the 2-D primitives leave out is built here from Tensor ops: ``ceil_mode`` (a last,
partial window), ``count_include_pad=False`` (a divisor per window) and ``return_indices``
(the argmax in numpy, then the input indexed there, so the gradient follows the indices).
"""

import numpy as np

from minigrad.backend import array_module, on_device_of
from minigrad.nn.functional.adaptive import gather_last
from minigrad.nn.functional.conv import _single, _tensor, avg_pool2d, max_pool2d
from minigrad.nn.functional.padding import pad
from minigrad.tensor import ShapeError, Tensor


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """The mean of each ``kernel_size`` window of the last dim, moving by ``stride`` (default:
    the kernel).

    Shapes: (N, C, L) -> (N, C, Lo), or unbatched (C, L) -> (C, Lo), with
    Lo = (L + 2 padding - kernel_size) // stride + 1 (rounded up with ``ceil_mode``, a last
    window then starting inside the input or the left padding). ``padding`` (at most half
    the kernel) adds zeros; they count in the divisor unless ``count_include_pad=False``;
    cells past the padding (``ceil_mode``) never count, as in PyTorch.

    Example::

        F.avg_pool1d(mg.tensor([[[1.0, 2.0, 3.0, 4.0]]]), 2)  # [[[1.5, 3.5]]]
    """
    input, kernel, stride, padding, dilation, out = _pool1d_args(
        "avg_pool1d", input, kernel_size, stride, padding, 1, ceil_mode
    )
    length = input.shape[-1]
    full = (out - 1) * stride + kernel <= length + 2 * padding
    if full and count_include_pad:  # PyTorch's default: the 2-D primitive as it is
        return avg_pool2d(input.unsqueeze(-2), (1, kernel), (1, stride), (0, padding)).squeeze(-2)
    extra = max(0, (out - 1) * stride + kernel - length - 2 * padding)
    padded = pad(input, (padding, padding + extra))
    sums = avg_pool2d(padded.unsqueeze(-2), (1, kernel), (1, stride), divisor_override=1)
    starts = np.arange(out) * stride - padding
    ends = np.minimum(starts + kernel, length + padding)
    if not count_include_pad:
        starts, ends = np.maximum(starts, 0), np.minimum(ends, length)
    counts = on_device_of((ends - starts).astype(input.dtype), like=input._data)
    return sums.squeeze(-2) / Tensor._make(counts)


def max_pool1d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """The maximum of each ``kernel_size`` window of the last dim, moving by ``stride``.

    Shapes as ``avg_pool1d``; ``dilation`` spreads the window. ``padding`` (at most half the
    kernel) adds -inf cells, which never win. Among tied maxima the gradient goes to the
    first, to the last NaN where there is one, as in PyTorch. With ``return_indices`` also
    the int64 positions of the maxima along L.

    Example::

        F.max_pool1d(mg.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)  # [[[3.0, 2.0]]]
    """
    input, kernel, stride, padding, dilation, out = _pool1d_args(
        "max_pool1d", input, kernel_size, stride, padding, dilation, ceil_mode
    )
    if not ceil_mode and not return_indices:  # the 2-D primitive as it is
        return max_pool2d(
            input.unsqueeze(-2), (1, kernel), (1, stride), (0, padding), (1, dilation)
        ).squeeze(-2)
    indices = _argmax(input._data, kernel, stride, padding, dilation, out)
    values = gather_last(input, indices)
    return (values, Tensor._make(indices)) if return_indices else values


def _argmax(array, kernel, stride, padding, dilation, out):
    """int64 (..., out): where each window's maximum is, by PyTorch's rule (value > max or
    isnan(value)), starting from the window's first cell inside the input."""
    xp = array_module(array)  # computed where the input is
    length = array.shape[-1]
    starts = xp.arange(out) * stride - padding
    skipped = xp.where(starts < 0, -(starts // dilation), 0)  # offsets left of the input
    first = xp.minimum(starts + skipped * dilation, length - 1)
    best = xp.full((*array.shape[:-1], out), -np.inf, array.dtype)
    index = xp.broadcast_to(first, best.shape).copy()
    for offset in range(kernel):  # one vectorised step per kernel offset
        where = starts + offset * dilation
        inside = (where >= 0) & (where < length)
        part = array[..., xp.clip(where, 0, length - 1)]
        take = ((part > best) | xp.isnan(part)) & inside
        best = xp.where(take, part, best)
        index = xp.where(take, where, index)
    return index.astype(np.int64)


def _pool1d_args(op, input, kernel_size, stride, padding, dilation, ceil_mode):
    """The checked (input, kernel, stride, padding, dilation, output length) of a 1-D pool."""
    input = _tensor(op, "input", input)
    if input.ndim not in (2, 3):
        raise ShapeError(
            f"{op}(): expected a 2-D (C, L) or 3-D (N, C, L) input, got shape {tuple(input.shape)}"
        )
    kernel = _single(op, kernel_size, "kernel_size", 1)
    stride = kernel if stride is None or stride == [] else _single(op, stride, "stride", 1)
    padding = _single(op, padding, "padding", 0)
    dilation = _single(op, dilation, "dilation", 1)
    if padding > kernel // 2:
        raise RuntimeError(
            f"{op}(): padding should be at most half of kernel size, but got padding={padding} "
            f"and kernel_size={kernel}"
        )
    length, span = input.shape[-1], dilation * (kernel - 1) + 1
    room = length + 2 * padding - span
    out = (-(-room // stride) if ceil_mode else room // stride) + 1
    if ceil_mode and (out - 1) * stride >= length + padding:  # the last window would start
        out -= 1  # in the right padding: PyTorch drops it
    if out < 1:
        raise ShapeError(
            f"{op}(): the kernel (size {kernel}, dilation {dilation}: {span} cells) is larger "
            f"than the padded input ({length + 2 * padding} cells) of the input of shape "
            f"{tuple(input.shape)}: the output would have length {out}"
        )
    return input, kernel, stride, padding, dilation, out


__all__ = ["avg_pool1d", "max_pool1d"]
