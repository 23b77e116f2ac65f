"""``unfold`` (im2col) and ``fold`` (col2im): sliding blocks as a gather and a scatter-add.

``unfold`` pads the input and indexes it with the (kernel, output) row and column grids
once; ``fold``, its adjoint, scatter-adds the blocks into a zero, padded output and crops the
padding. Both are differentiable Tensor ops (indexing, ``scatter_add``, ``pad``), so their
gradients, and the gradients of those, come from the ops.
"""

from minigrad.backend import array_module
from minigrad.nn.functional.conv import _pair, _tensor
from minigrad.nn.functional.padding import pad
from minigrad.tensor import ShapeError, Tensor


def _geometry(op, kernel_size, dilation, padding, stride):
    pairs = []
    for value, name, minimum in [
        (kernel_size, "kernel_size", 1),
        (dilation, "dilation", 1),
        (padding, "padding", 0),
        (stride, "stride", 1),
    ]:
        pair = _pair(value, name, op)
        if min(pair) < minimum:
            kind = "positive" if minimum else "non-negative"
            raise ShapeError(f"{op}: {name} must be {kind}, got {value!r}")
        pairs.append(pair)
    return pairs


def _blocks(size, kernel, dilation, padding, stride, xp):
    """Per dim: the number of blocks and the (kernel, blocks) grid of padded positions, made
    with the array module ``xp`` of the input."""
    count = (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
    grid = xp.arange(kernel)[:, None] * dilation + xp.arange(max(count, 0)) * stride
    return count, grid


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding blocks of a (N, C, H, W) input as columns, as ``torch.nn.functional.unfold``.

    Shapes: (N, C, H, W) -> (N, C kh kw, L), or unbatched (C, H, W) -> (C kh kw, L), with
    L the number of block positions (``conv_output_size`` per dim, multiplied). Row
    ``c kh kw + i kw + j`` holds kernel cell (i, j) of channel c, as PyTorch orders them.

    Example::

        F.unfold(mg.randn(1, 3, 10, 12), kernel_size=(2, 3)).shape  # (1, 18, 90)
    """
    input = _tensor("unfold", "input", input)
    if input.ndim not in (3, 4):
        raise ShapeError(
            "unfold: expected a 3-D (C, H, W) (unbatched) or 4-D (N, C, H, W) (batched) "
            f"input, got shape {tuple(input.shape)}"
        )
    unbatched = input.ndim == 3
    x = input.unsqueeze(0) if unbatched else input
    kernel, dilation, padding, stride = _geometry("unfold", kernel_size, dilation, padding, stride)
    xp = array_module(x._data)
    (oh, rows), (ow, cols) = (
        _blocks(size, k, d, p, s, xp)
        for size, k, d, p, s in zip(x.shape[2:], kernel, dilation, padding, stride)
    )
    if oh < 1 or ow < 1:
        raise ShapeError(
            f"unfold: the kernel {kernel} with dilation {dilation} does not fit into the "
            f"padded input of the input of shape {tuple(input.shape)} (padding {padding}): "
            f"the number of blocks would be {oh}x{ow}"
        )
    x = pad(x, (padding[1], padding[1], padding[0], padding[0]))
    # (N, C, kh, kw, oh, ow): row grid (kh, 1, oh, 1) against column grid (1, kw, 1, ow)
    blocks = x[:, :, rows[:, None, :, None], cols[None, :, None, :]]
    n, c = x.shape[:2]
    out = blocks.reshape(n, c * kernel[0] * kernel[1], oh * ow)
    return out.squeeze(0) if unbatched else out


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sums columns of sliding blocks back into an image, as ``torch.nn.functional.fold``.

    Shapes: (N, C kh kw, L) -> (N, C, H, W) (``output_size`` = (H, W)), or unbatched
    (C kh kw, L) -> (C, H, W). Overlapping blocks add up, so ``fold(unfold(x))`` is x
    times the number of blocks covering each cell. The adjoint of ``unfold``.

    Example::

        F.fold(mg.ones(1, 4, 9), (4, 4), kernel_size=2)[0, 0, 1]  # [2, 4, 4, 2]
    """
    input = _tensor("fold", "input", input)
    if input.ndim not in (2, 3):
        raise ShapeError(
            "fold: expected a 2-D (C kh kw, L) (unbatched) or 3-D (N, C kh kw, L) (batched) "
            f"input, got shape {tuple(input.shape)}"
        )
    unbatched = input.ndim == 2
    x = input.unsqueeze(0) if unbatched else input
    size = _pair(output_size, "output_size", "fold")
    kernel, dilation, padding, stride = _geometry("fold", kernel_size, dilation, padding, stride)
    n, rows_count, length = x.shape
    cells = kernel[0] * kernel[1]
    if rows_count % cells:
        raise ShapeError(
            "fold: expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={rows_count} and kernel_size={kernel}"
        )
    xp = array_module(x._data)
    (oh, rows), (ow, cols) = (
        _blocks(s_, k, d, p, s, xp)
        for s_, k, d, p, s in zip(size, kernel, dilation, padding, stride)
    )
    if oh < 1 or ow < 1 or oh * ow != length:
        raise ShapeError(
            f"fold: given output_size={size}, kernel_size={kernel}, dilation={dilation}, "
            f"padding={padding}, stride={stride}, expected size of input's dimension "
            f"{input.ndim - 1} to match the calculated number of sliding blocks {oh} * {ow} = "
            f"{oh * ow}, but got input.size({input.ndim - 1})={length}"
        )
    channels = rows_count // cells
    height, width = size[0] + 2 * padding[0], size[1] + 2 * padding[1]
    # flat position in the padded (height, width) plane of each (kh, kw, oh, ow) cell
    flat = rows[:, None, :, None] * width + cols[None, :, None, :]
    index = xp.broadcast_to(flat.reshape(1, 1, -1), (n, channels, flat.size)).copy()
    zeros = Tensor._make(xp.zeros((n, channels, height * width), input.dtype))
    src = x.reshape(n, channels, cells * length)
    out = zeros.scatter_add(2, Tensor._make(index), src).reshape(n, channels, height, width)
    out = out[:, :, padding[0] : padding[0] + size[0], padding[1] : padding[1] + size[1]]
    return out.squeeze(0) if unbatched else out


__all__ = ["fold", "unfold"]
