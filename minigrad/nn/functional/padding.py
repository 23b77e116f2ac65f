"""``pad``: constant, reflect, replicate and circular padding of the last dims, as ``F.pad``.

Built from differentiable ops: each padded dim is the ``cat`` of a left edge, the (possibly
cropped) input and a right edge, the edges being constants or the input indexed with the
few positions they repeat, so their gradients flow back through indexing.
"""

import operator

import numpy as np

from minigrad.backend import array_module
from minigrad.tensor import Tensor, as_tensor, cat

_MODES = ("constant", "reflect", "replicate", "circular")


def _edge_positions(mode, positions, size, xp):
    """Where output positions ``positions`` (outside [0, size)) read from, by mode."""
    if mode == "replicate":
        return xp.clip(positions, 0, size - 1)
    if mode == "circular":
        return positions % size
    period = 2 * (size - 1)  # reflect: ... 2 1 | 0 1 2 ... n-1 | n-2 n-3 ...
    folded = xp.abs(positions) % period if period else xp.zeros_like(positions)
    return xp.where(folded < size, folded, period - folded)


def _check_pad(input, pad, mode):
    if not isinstance(pad, tuple | list):
        raise TypeError(f"pad(): argument 'pad' must be a tuple of ints, got {type(pad).__name__}")
    for position, amount in enumerate(pad):
        if isinstance(amount, bool) or not isinstance(amount, int | np.integer):
            raise TypeError(
                "pad(): argument 'pad' must be tuple of ints, but found element of type "
                f"{type(amount).__name__} at pos {position}"
            )
    if len(pad) % 2:
        raise RuntimeError(f"Padding length must be divisible by 2, got pad={tuple(pad)}")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pad)} and input of dimension {input.ndim}"
        )
    if mode != "constant":
        dims = len(pad) // 2
        if dims > 3 or input.ndim not in (dims + 1, dims + 2):
            raise NotImplementedError(
                f"Padding size {len(pad)} is not supported for {input.ndim}D input tensor "
                f"(mode {mode!r} pads the last 1, 2 or 3 dims of a batched or unbatched input)"
            )


def pad(input, pad, mode="constant", value=None):
    """Pad the last ``len(pad) // 2`` dims of ``input``: ``pad`` is (left, right) for the
    last dim, then (top, bottom) for the one before, and so on; negative amounts crop.

    ``mode``: ``'constant'`` (fill with ``value``, default 0; any number of dims),
    ``'reflect'`` (mirror without repeating the edge; each amount < that dim's size),
    ``'replicate'`` (repeat the edge), ``'circular'`` (wrap around; amount <= size). The
    last three pad 1 to 3 dims of an input with one or two leading (batch, channel) dims.

    Example::

        F.pad(mg.ones(1, 1, 2, 2), (1, 1, 0, 0)).shape  # (1, 1, 2, 4)
        F.pad(mg.tensor([[[1.0, 2.0, 3.0]]]), (2, 1), mode="reflect")  # [[[3, 2, 1, 2, 3, 2]]]
    """
    input = as_tensor(input)
    if mode not in _MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode} (expected one of {_MODES})")
    if mode != "constant" and value is not None:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    _check_pad(input, pad, mode)
    out = input
    for i in range(len(pad) // 2):
        dim = input.ndim - 1 - i
        left, right = operator.index(pad[2 * i]), operator.index(pad[2 * i + 1])
        out = _pad_dim(out, dim, left, right, mode, 0 if value is None else value)
    return out


def _pad_dim(x, dim, left, right, mode, value):
    size = x.shape[dim]
    if size + left + right < 0:
        raise RuntimeError(
            f"pad: the input size {size} at dim {dim}, plus padding {left} and {right}, "
            "resulted in a negative output size"
        )
    if mode == "reflect" and (left >= size or right >= size):
        raise RuntimeError(
            f"pad: padding ({left}, {right}) at dimension {dim} of input {list(x.shape)} must be "
            "smaller than that dimension's size in 'reflect' mode"
        )
    if mode in ("replicate", "circular") and size == 0 and (left > 0 or right > 0):
        raise RuntimeError(f"pad: cannot pad the empty dimension {dim} in {mode!r} mode")
    before = (slice(None),) * dim
    middle = (
        x if left >= 0 and right >= 0 else x[before + (slice(-min(left, 0), size + min(right, 0)),)]
    )
    if mode == "circular":
        # PyTorch crops first and wraps around what is left (reflect and replicate mirror
        # and repeat the original edges).
        x, size = middle, middle.shape[dim]
        if left > size or right > size:
            raise RuntimeError(
                f"pad: padding ({left}, {right}) at dimension {dim} of input {list(x.shape)} "
                "wraps around more than once in 'circular' mode"
            )
    xp = array_module(x._data)  # the edges are made where x is
    pieces = []
    for amount, start in ((left, -left), (right, size)):
        if amount <= 0:
            pieces.append(None)
        elif mode == "constant":
            shape = x.shape[:dim] + (amount,) + x.shape[dim + 1 :]
            pieces.append(Tensor._make(xp.full(shape, value, x.dtype)))
        else:
            positions = xp.arange(start, start + amount)
            pieces.append(x[before + (_edge_positions(mode, positions, size, xp),)])
    parts = [p for p in (pieces[0], middle, pieces[1]) if p is not None]
    return parts[0] if len(parts) == 1 else cat(parts, dim)
