"""``max_unpool1d`` and ``max_unpool2d``: the maxima written back where ``max_pool`` found them.

A zero output plane with the input scattered at ``indices`` (flat positions in each output
plane, as ``max_pool(..., return_indices=True)`` gives them): ``scatter`` along the flattened
plane, so the gradient of the input is the output's gradient gathered at the indices.
"""

import numpy as np

from minigrad import dtypes
from minigrad.backend import array_module
from minigrad.nn.functional.conv import _pair, _single, _tensor
from minigrad.tensor import ShapeError, Tensor


def _output_size(input, kernel, stride, padding, output_size):
    """PyTorch's _unpool_output_size: the default, or output_size checked against it."""
    dims = len(kernel)
    default = [
        (input.shape[input.ndim - dims + d] - 1) * stride[d] + kernel[d] - 2 * padding[d]
        for d in range(dims)
    ]
    if output_size is None:
        return default
    output_size = list(output_size)
    if len(output_size) == dims + 2:
        output_size = output_size[2:]
    if len(output_size) != dims:
        raise ValueError(
            f"output_size should be a sequence containing {dims} or {dims + 2} elements, but "
            f"it has a length of '{len(output_size)}'"
        )
    for d in range(dims):
        low, high = default[d] - stride[d], default[d] + stride[d]
        if not low < output_size[d] < high:
            raise ValueError(
                f'invalid output_size "{tuple(output_size)}" (dim {d} must be between {low} '
                f"and {high})"
            )
    return [int(s) for s in output_size]


def _unpool(op, input, indices, size):
    """(..., *spatial) input and int64 indices -> (..., *size) with input written at indices."""
    if not isinstance(indices, Tensor) or indices.dtype != dtypes.int64:
        got = indices.dtype if isinstance(indices, Tensor) else type(indices).__name__
        raise ShapeError(f"{op}: elements in indices should be type int64 but got: {got}")
    if tuple(indices.shape) != tuple(input.shape):
        raise ShapeError(
            f"{op}: expected shape of indices to be same as that of the input tensor "
            f"({tuple(input.shape)}) but got indices tensor with shape: {tuple(indices.shape)}"
        )
    plane = int(np.prod(size))
    lead = tuple(input.shape[: input.ndim - len(size)])
    flat = indices._data.reshape(lead + (-1,))
    low, high = (int(flat.min()), int(flat.max())) if flat.size else (0, 0)
    if low < 0 or high >= plane:
        bad = high if high >= plane else low
        raise ShapeError(
            f"{op}: Found an invalid max index: {bad} (output volumes are of size "
            f"{'x'.join(str(s) for s in size)})"
        )
    zeros = Tensor._make(array_module(input._data).zeros((*lead, plane), input.dtype))
    out = zeros.scatter(len(lead), Tensor._make(flat), input.reshape(lead + (-1,)))
    return out.reshape(lead + tuple(size))


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of ``max_pool2d``: zeros, with each maximum back at its index.

    Shapes: input and indices (N, C, H, W) or (C, H, W) -> (N, C, Ho, Wo) with
    Ho = (H - 1) stride - 2 padding + kernel_size (``stride`` defaults to ``kernel_size``),
    or ``output_size`` (within a stride of that, for the sizes a pool maps to the same
    output). ``indices`` are int64 flat positions in each Ho x Wo plane.

    Example::

        F.max_unpool2d(mg.ones(1, 1, 2, 2), mg.tensor([[[[0, 3], [8, 15]]]]), 2).shape  # 4x4
    """
    input = _tensor("max_unpool2d", "input", input)
    if input.ndim not in (3, 4):
        raise ShapeError(
            "max_unpool2d: input should be a 3d or 4d Tensor, but got a tensor with "
            f"{input.ndim} dimensions (shape {tuple(input.shape)})"
        )
    kernel = _pair(kernel_size, "kernel_size", "max_unpool2d")
    stride = kernel if stride is None or stride == [] else _pair(stride, "stride", "max_unpool2d")
    padding = _pair(padding, "padding", "max_unpool2d")
    size = _output_size(input, kernel, stride, padding, output_size)
    return _unpool("max_unpool2d", input, indices, size)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of ``max_pool1d``: (N, C, L) or (C, L) -> (N, C, Lo) with
    Lo = (L - 1) stride - 2 padding + kernel_size, or ``output_size``.

    Example::

        F.max_unpool1d(mg.tensor([[[5.0, 7.0]]]), mg.tensor([[[1, 2]]]), 2)  # [[[0, 5, 7, 0]]]
    """
    input = _tensor("max_unpool1d", "input", input)
    if input.ndim not in (2, 3):
        raise ShapeError(
            "max_unpool1d: input should be a 2d or 3d Tensor, but got a tensor with "
            f"{input.ndim} dimensions (shape {tuple(input.shape)})"
        )
    kernel = (_single("max_unpool1d", kernel_size, "kernel_size", 1),)
    stride = kernel if stride is None else (_single("max_unpool1d", stride, "stride", 1),)
    padding = (_single("max_unpool1d", padding, "padding", 0),)
    size = _output_size(input, kernel, stride, padding, output_size)
    return _unpool("max_unpool1d", input, indices, size)


__all__ = ["max_unpool1d", "max_unpool2d"]
