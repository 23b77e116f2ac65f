"""``conv_transpose2d`` and ``conv_transpose1d``: the input-gradient of a convolution, as a layer.

The transposed convolution of x with weight is conv2d's input gradient for an upstream
gradient x: the existing ``Conv2dGradInput`` op (minigrad/ops/conv_grad.py), whose forward is
conv2d's col2im and whose backward is conv2d (for x) and conv2d's weight gradient (for the
weight), each differentiable again; ``output_padding`` is only a larger "input" shape for
that gradient (and zeros past it). Unlike a composite that dilates x with zeros and
convolves, no structural zero is ever multiplied by a weight, so an infinite weight gives
what PyTorch gives, not NaN.
"""

from minigrad.nn.functional.conv import _batched, _pair, _single, _tensor
from minigrad.nn.functional.padding import pad
from minigrad.ops.conv_grad import Conv2dGradInput
from minigrad.tensor import ShapeError


def _check_pairs(op, name, value, minimum):
    pair = _pair(value, name, op)
    if min(pair) < minimum:
        kind = "positive" if minimum else "non-negative"
        raise ShapeError(f"{op}: {name} must be {kind}, got {value!r}")
    return pair


def conv_transpose2d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """2-D transposed convolution (the gradient of ``conv2d`` with respect to its input).

    Shapes: input (N, C_in, H, W) or unbatched (C_in, H, W); weight (C_in, C_out / groups,
    kh, kw) (note: in/out the other way round from ``conv2d``); bias (C_out,) or None;
    output (N, C_out, Ho, Wo) with Ho = (H - 1) stride - 2 padding + dilation (kh - 1) +
    output_padding + 1. ``output_padding`` (smaller than stride or dilation) adds rows and
    columns on the bottom/right, which picks one of the input sizes a strided ``conv2d``
    maps to the same output size.

    Example::

        x = mg.randn(1, 16, 12, 12)
        F.conv_transpose2d(x, mg.randn(16, 8, 3, 3), stride=2, padding=1,
                           output_padding=1).shape  # (1, 8, 24, 24)
    """
    op = "conv_transpose2d"
    input, unbatched = _batched(op, input)
    weight = _tensor(op, "weight", weight)
    if weight.ndim != 4:
        raise ShapeError(
            f"{op}: weight must be 4-D (in_channels, out_channels / groups, kh, kw), got shape "
            f"{tuple(weight.shape)}"
        )
    stride = _check_pairs(op, "stride", stride, 1)
    padding = _check_pairs(op, "padding", padding, 0)
    output_padding = _check_pairs(op, "output_padding", output_padding, 0)
    dilation = _check_pairs(op, "dilation", dilation, 1)
    if not isinstance(groups, int) or isinstance(groups, bool) or groups <= 0:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    channels, per_group, kh, kw = weight.shape
    if input.shape[1] != channels:
        raise ShapeError(
            f"{op}: given weight of shape {tuple(weight.shape)}, expected input of shape "
            f"(N, {channels}, H, W) with {channels} channels (weight dim 0), but got input of "
            f"shape {tuple(input.shape[1:] if unbatched else input.shape)}"
        )
    if channels % groups:
        raise ShapeError(
            f"{op}: in_channels ({channels}, weight dim 0 of shape {tuple(weight.shape)}) must "
            f"be divisible by groups ({groups})"
        )
    for axis in range(2):
        if output_padding[axis] >= max(stride[axis], dilation[axis]):
            raise ShapeError(
                f"{op}: output_padding {output_padding} must be smaller than either stride "
                f"{stride} or dilation {dilation}"
            )
    if bias is not None:
        bias = _tensor(op, "bias", bias)
        if tuple(bias.shape) != (per_group * groups,):
            raise ShapeError(
                f"{op}: bias must have shape ({per_group * groups},) to match weight of shape "
                f"{tuple(weight.shape)} and groups={groups}, got {tuple(bias.shape)}"
            )
    for name, other in [("weight", weight), ("bias", bias)]:
        if other is not None and other.dtype != input.dtype:
            raise RuntimeError(  # as PyTorch ("expected scalar type ...")
                f"{op}: input ({input.dtype}) and {name} ({other.dtype}) must have the same dtype"
            )
    out_sizes = [
        (size - 1) * s - 2 * p + d * (k - 1) + o + 1
        for size, s, p, d, k, o in zip(
            input.shape[2:], stride, padding, dilation, (kh, kw), output_padding
        )
    ]
    if min(out_sizes) < 1:
        raise ShapeError(
            f"{op}: the output of the input of shape {tuple(input.shape)} would be "
            f"{out_sizes[0]}x{out_sizes[1]}: padding {padding} is too large"
        )
    # conv2d's input gradient for an x of the output's shape: conv2d's weight is (O, C/g, ...),
    # the transposed convolution's (C_in, C_out/g, ...) read with O = C_in, C = C_out. The
    # uncropped output (H - 1) stride + dilation (k - 1) + 1 loses `padding` at the top and
    # `padding - output_padding` at the bottom: that conv2d's bottom padding where it is
    # non-negative; past the uncropped output (output_padding > padding) only zeros follow.
    bottoms = [max(p - o, 0) for p, o in zip(padding, output_padding)]
    extra = [max(o - p, 0) for p, o in zip(padding, output_padding)]
    x_shape = (input.shape[0], per_group * groups, *(s - e for s, e in zip(out_sizes, extra)))
    out = Conv2dGradInput.apply(
        input, weight, x_shape=x_shape, stride=stride, dilation=dilation, groups=groups,
        padding=tuple(zip(padding, bottoms)),
    )  # fmt: skip
    if any(extra):
        out = pad(out, (0, extra[1], 0, extra[0]))
    if bias is not None:
        out = out + bias.reshape(1, -1, 1, 1)
    return out.squeeze(0) if unbatched else out


def conv_transpose1d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """1-D transposed convolution: ``conv_transpose2d`` on a height-1 view.

    Shapes: input (N, C_in, L) or unbatched (C_in, L); weight (C_in, C_out / groups, k);
    output (N, C_out, Lo) with Lo = (L - 1) stride - 2 padding + dilation (k - 1) +
    output_padding + 1.

    Example::

        F.conv_transpose1d(mg.randn(2, 4, 10), mg.randn(4, 6, 3), stride=2).shape  # (2, 6, 21)
    """
    op = "conv_transpose1d"
    input = _tensor(op, "input", input)
    weight = _tensor(op, "weight", weight)
    if input.ndim not in (2, 3):
        raise ShapeError(
            f"{op}: expected a 2-D (C, L) (unbatched) or 3-D (N, C, L) (batched) input, got "
            f"shape {tuple(input.shape)}"
        )
    if weight.ndim != 3:
        raise ShapeError(
            f"{op}: weight must be 3-D (in_channels, out_channels / groups, kernel_size), got "
            f"shape {tuple(weight.shape)}"
        )
    stride = _single(op, stride, "stride", 1)
    padding = _single(op, padding, "padding", 0)
    output_padding = _single(op, output_padding, "output_padding", 0)
    dilation = _single(op, dilation, "dilation", 1)
    out = conv_transpose2d(
        input.unsqueeze(-2),
        weight.unsqueeze(-2),
        bias,
        (1, stride),
        (0, padding),
        (0, output_padding),
        groups,
        (1, dilation),
    )
    return out.squeeze(-2)


__all__ = ["conv_transpose1d", "conv_transpose2d"]
