"""Adaptive pools: ``adaptive_avg_pool1d``, ``adaptive_avg_pool2d``, ``adaptive_max_pool2d``.

The output size is given and the windows follow from it, PyTorch's rule per dimension:
output cell i covers input cells [floor(i * in / out), ceil((i + 1) * in / out)). Neighbouring
windows overlap by a cell when ``in`` does not divide by ``out``.

Built from differentiable Tensor ops, no op class of their own:

- average: a mean when the output is 1 x 1 (the global pooling of ResNet heads), a reshape
  and a mean when the input size divides by the output size, and otherwise one slice and
  mean per output position of each dimension in turn (the windows are rectangles, so
  averaging the rows and then the columns is the window mean): oh + ow vectorised steps.
- maximum: the argmax of each window, computed on the input's device (one vectorised step
  per output position, or a single reshape when the sizes divide), then the input indexed
  at those positions, so the gradient goes to the chosen element only, as in PyTorch.
"""

import numpy as np

from minigrad.backend import array_module
from minigrad.nn.functional.conv import _tensor
from minigrad.tensor import ShapeError, Tensor, cat


def adaptive_avg_pool2d(input, output_size):
    """The mean over each of the ``output_size`` (oh, ow) adaptive windows of the last 2 dims.

    Shapes: (N, C, H, W) -> (N, C, oh, ow), or unbatched (C, H, W) -> (C, oh, ow).
    ``output_size`` is an int, or a pair whose ``None`` entries keep that input size.

    Example::

        F.adaptive_avg_pool2d(mg.randn(8, 512, 7, 7), 1).shape    # (8, 512, 1, 1)
        F.adaptive_avg_pool2d(mg.randn(1, 3, 10, 9), (4, None)).shape  # (1, 3, 4, 9)
    """
    input = _spatial_input("adaptive_avg_pool2d", input, 2)
    (h, w), (oh, ow) = input.shape[-2:], _output_size("adaptive_avg_pool2d", output_size, input)
    lead = tuple(input.shape[:-2])
    if (oh, ow) == (1, 1):
        return input.mean((-2, -1), keepdim=True)
    if oh and ow and h % oh == 0 and w % ow == 0:  # windows tile the input
        return input.reshape(*lead, oh, h // oh, ow, w // ow).mean((-3, -1))
    if ow != w:
        input = _window_means(input, -1, ow)
    if oh != h:
        input = _window_means(input, -2, oh)
    return input


def adaptive_avg_pool1d(input, output_size):
    """The mean over each of ``output_size`` adaptive windows of the last dim.

    Shapes: (N, C, L) -> (N, C, output_size), or unbatched (C, L) -> (C, output_size).

    Example: ``F.adaptive_avg_pool1d(mg.randn(2, 4, 10), 3).shape`` is (2, 4, 3).
    """
    input = _spatial_input("adaptive_avg_pool1d", input, 1)
    (size,) = _output_size("adaptive_avg_pool1d", output_size, input)
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, size)).squeeze(-2)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """The maximum of each of the ``output_size`` (oh, ow) adaptive windows of the last 2 dims.

    Shapes as ``adaptive_avg_pool2d``. With ``return_indices`` also the int64 positions of
    the maxima in each flattened H * W plane (what ``max_unpool2d`` takes). The gradient
    goes to the first maximum of a window (row-major), or to its last NaN, as in PyTorch.

    Example::

        out, where = F.adaptive_max_pool2d(mg.randn(1, 2, 5, 5), 2, return_indices=True)
    """
    input = _spatial_input("adaptive_max_pool2d", input, 2)
    (h, w), (oh, ow) = input.shape[-2:], _output_size("adaptive_max_pool2d", output_size, input)
    lead = tuple(input.shape[:-2])
    indices = _window_argmax(input._data, (oh, ow))
    out = gather_last(input.reshape(*lead, h * w), indices.reshape(*lead, oh * ow))
    out = out.reshape(*lead, oh, ow)
    if return_indices:
        return out, Tensor._make(indices)
    return out


def gather_last(input, index):
    """``input[..., index]`` element by element along the last dim: ``index`` has input's
    leading shape and any last size (torch.gather on the last dim); differentiable in input."""
    index = index._data if isinstance(index, Tensor) else index
    xp, lead = array_module(index), index.shape[:-1]
    grids = [  # np.ogrid's open grids, with a last axis of 1, on the index's device
        xp.arange(n).reshape((1,) * k + (n,) + (1,) * (len(lead) - k)) for k, n in enumerate(lead)
    ]
    return input[(*grids, index)]


# ---- helpers ----------------------------------------------------------------------------------


def _spatial_input(op, input, dims):
    """``input`` checked: a floating Tensor with 1 or 2 leading dims and non-empty ``dims``."""
    input = _tensor(op, "input", input)
    if input.ndim not in (dims + 1, dims + 2):
        names = "(C, L)" if dims == 1 else "(C, H, W)"
        batched = "(N, C, L)" if dims == 1 else "(N, C, H, W)"
        raise ShapeError(
            f"{op}(): expected a {dims + 1}-D {names} or {dims + 2}-D {batched} input, got "
            f"shape {tuple(input.shape)}"
        )
    for dim in range(input.ndim - dims, input.ndim):
        if input.shape[dim] == 0:
            raise ShapeError(
                f"{op}(): expected input to have non-zero size for non-batch dimensions, but "
                f"input has shape {tuple(input.shape)} with dimension {dim} being empty"
            )
    return input


def _output_size(op, output_size, input):
    """``output_size`` as a tuple of ints, one per pooled dim (None keeps the input's size)."""
    dims = 1 if op.endswith("1d") else 2
    sizes = tuple(output_size) if isinstance(output_size, tuple | list) else (output_size,) * dims
    if len(sizes) != dims:
        raise RuntimeError(
            f"{op}(): output_size must be an int or a tuple of {dims} int(s), got {output_size!r}"
        )
    spatial = input.shape[-dims:]
    result = []
    for position, (size, full) in enumerate(zip(sizes, spatial)):
        if size is None:
            result.append(full)
            continue
        if isinstance(size, bool) or not hasattr(type(size), "__index__"):
            raise TypeError(
                f"{op}(): argument 'output_size' must be an int or a tuple of ints, but found "
                f"element of type {type(size).__name__} at pos {position}"
            )
        if int(size) < 0:
            raise RuntimeError(
                f"{op}(): elements of output_size must be >= 0, got output_size={output_size!r}"
            )
        result.append(int(size))
    return tuple(result)


def _windows(size, out):
    """PyTorch's adaptive windows: starts floor(i in / out), ends ceil((i + 1) in / out)."""
    i = np.arange(out)
    return (i * size) // out, -(-(i + 1) * size // out)


def _window_means(input, dim, out):
    """The mean of each of the ``out`` adaptive windows along ``dim``: one slice and mean per
    output position, then one ``cat``. (A product with a constant averaging matrix is 1.5-2x
    faster but turns an inf outside a window into NaN, as inf * 0.)"""
    starts, ends = _windows(input.shape[dim], out)
    index = [slice(None)] * input.ndim
    parts = []
    for start, end in zip(starts.tolist(), ends.tolist()):
        index[dim] = slice(start, end)
        parts.append(input[tuple(index)].mean(dim, keepdim=True))
    if not parts:  # an output size of 0, which PyTorch allows
        index[dim] = slice(0, 0)
        return input[tuple(index)]
    return cat(parts, dim)


def _window_argmax(array, output_size):
    """int64 (..., oh, ow): the flat h * W + w position of each adaptive window's maximum."""
    xp = array_module(array)
    (h, w), (oh, ow) = array.shape[-2:], output_size
    lead = array.shape[:-2]
    indices = xp.empty((*lead, oh, ow), np.int64)
    if oh and ow and h % oh == 0 and w % ow == 0:  # one reshape: windows tile the input
        kh, kw = h // oh, w // ow
        tiles = array.reshape(*lead, oh, kh, ow, kw).swapaxes(-3, -2)
        local = _argmax_last(tiles.reshape(*lead, oh, ow, kh * kw))
        rows = xp.arange(oh)[:, None] * kh + local // kw
        cols = xp.arange(ow) * kw + local % kw
        indices[...] = rows * w + cols
        return indices
    (row_starts, row_ends), (col_starts, col_ends) = _windows(h, oh), _windows(w, ow)
    for i, (top, bottom) in enumerate(zip(row_starts.tolist(), row_ends.tolist())):
        for j, (left, right) in enumerate(zip(col_starts.tolist(), col_ends.tolist())):
            width = right - left
            window = array[..., top:bottom, left:right].reshape(*lead, (bottom - top) * width)
            local = _argmax_last(window)
            indices[..., i, j] = (top + local // width) * w + left + local % width
    return indices


def _argmax_last(array):
    """argmax over the last axis with PyTorch's rule (value > max or isnan(value)): the first
    maximum, or the last NaN where there is one."""
    xp = array_module(array)
    index = xp.argmax(array, axis=-1)
    nan = xp.isnan(array)
    if nan.any():
        last_nan = array.shape[-1] - 1 - xp.argmax(nan[..., ::-1], axis=-1)
        index = xp.where(nan.any(axis=-1), last_nan, index)
    return index


__all__ = ["adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool2d"]
