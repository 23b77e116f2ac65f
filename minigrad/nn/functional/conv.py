"""``conv2d``, ``max_pool2d``, ``avg_pool2d``: argument checks, then one primitive op each.

The shape arithmetic is public (``conv_output_size``, ``receptive_field``): the formula the ops
and the error messages use, for tables and for checking a model on paper.
"""

from collections.abc import Mapping

from minigrad import dtypes, ops
from minigrad.ops.conv import output_size
from minigrad.tensor import ShapeError, Tensor


def _pair(value, name, op=None):
    """An int or a pair of ints -> a pair of ints; anything else is a TypeError naming it."""
    pair = tuple(value) if isinstance(value, tuple | list) else (value, value)
    if len(pair) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in pair):
        where = f"{op}: " if op else ""
        raise TypeError(f"{where}{name} must be an int or a pair of ints, got {value!r}")
    return pair


def _single(op, value, name, minimum):
    """An int or a 1-tuple of ints -> an int >= ``minimum``.

    A non-int is a TypeError; a tuple of another length or a value out of range a ShapeError
    (a RuntimeError, as PyTorch raises, and a ValueError, as ``conv2d`` here does).
    """
    single = tuple(value) if isinstance(value, tuple | list) else (value,)
    if not all(hasattr(type(v), "__index__") and not isinstance(v, bool) for v in single):
        raise TypeError(f"{op}(): {name} must be an int or a tuple of one int, got {value!r}")
    if len(single) != 1:
        raise ShapeError(f"{op}(): {name} must be an int or a tuple of one int, got {value!r}")
    if int(single[0]) < minimum:
        kind = "positive" if minimum else "non-negative"
        raise ShapeError(f"{op}(): {name} must be {kind}, got {value!r}")
    return int(single[0])


def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    """The (h, w) output size of a convolution or pooling over an input of ``size`` (h, w).

    Per dimension: ``(size + 2 padding - dilation (kernel - 1) - 1) // stride + 1``, PyTorch's
    formula (floor, as with ``ceil_mode=False``). Every argument is an int or an (h, w) pair.
    A result below 1 means the kernel does not fit; the ops raise an error then.

    Example::

        conv_output_size(28, 3)             # (26, 26)
        conv_output_size((26, 26), 2, 2)    # (13, 13): a 2x2 max-pool
        conv_output_size(28, 5, padding=2)  # (28, 28)
    """
    names = ("size", "kernel_size", "stride", "padding", "dilation")
    pairs = [_pair(v, n) for v, n in zip((size, kernel_size, stride, padding, dilation), names)]
    size, kernel_size, stride, padding, dilation = pairs
    return output_size(size, kernel_size, stride, [(p, p) for p in padding], dilation)


def receptive_field(layers):
    """The (h, w) input area one output element depends on, after a stack of layers.

    ``layers`` holds anything with a ``kernel_size`` (as attribute or mapping key) and
    optionally ``stride`` (None means the kernel size, as for pooling) and ``dilation``:
    ``nn.Conv2d`` and ``nn.MaxPool2d`` objects, or dicts. Other items (activations,
    ``Flatten``, ...) are skipped. Each layer widens the field by ``dilation (kernel - 1)``
    steps of the input pixels between neighbouring outputs so far (the product of strides).

    Example::

        receptive_field([{"kernel_size": 3}])                                    # (3, 3)
        receptive_field([{"kernel_size": 3}, {"kernel_size": 2, "stride": 2},
                         {"kernel_size": 3}])                                    # (8, 8)
    """
    field, jump = [1, 1], [1, 1]
    for layer in layers:
        get = layer.get if isinstance(layer, Mapping) else lambda k, d, x=layer: getattr(x, k, d)
        if get("kernel_size", None) is None:
            continue
        kernel = _pair(get("kernel_size", None), "kernel_size")
        stride = get("stride", 1)
        stride = kernel if stride is None else _pair(stride, "stride")
        dilation = _pair(get("dilation", 1), "dilation")
        for axis in range(2):
            field[axis] += dilation[axis] * (kernel[axis] - 1) * jump[axis]
            jump[axis] *= stride[axis]
    return tuple(field)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation, as in PyTorch) over an NCHW input.

    Shapes: input (N, C, H, W) or unbatched (C, H, W); weight (O, C / groups, kh, kw); bias
    (O,) or None; output (N, O, Ho, Wo) (or (O, Ho, Wo)), with Ho, Wo from
    ``conv_output_size``. ``stride``, ``padding`` and ``dilation`` are ints or (h, w) pairs;
    ``padding`` may also be ``'valid'`` (0) or ``'same'`` (output size = input size, stride 1;
    an odd total goes to the bottom/right, as in PyTorch). ``groups`` splits the channels
    into independent convolutions (``groups = C`` is depthwise).

    The output is channels-last in memory (see minigrad/ops/conv.py); its values and shape
    are PyTorch's.

    Example::

        x = mg.randn(64, 1, 28, 28)
        w = mg.randn(8, 1, 3, 3, requires_grad=True)
        F.conv2d(x, w).shape            # (64, 8, 26, 26)
        F.conv2d(x, w, padding=1).shape  # (64, 8, 28, 28)
    """
    input, unbatched = _batched("conv2d", input)
    weight = _tensor("conv2d", "weight", weight)
    if weight.ndim != 4:
        raise ShapeError(
            f"conv2d: weight must be 4-D (out_channels, in_channels / groups, kh, kw), "
            f"got shape {weight.shape}"
        )
    stride = _positive("conv2d", stride, "stride")
    dilation = _positive("conv2d", dilation, "dilation")
    if not isinstance(groups, int) or groups <= 0:
        raise ValueError(f"conv2d: groups must be a positive int, got {groups!r}")
    out_channels, per_group, kh, kw = weight.shape
    channels = input.shape[1]
    if channels != per_group * groups:
        raise ShapeError(
            f"conv2d: given groups={groups} and weight of shape {weight.shape}, expected "
            f"input of shape (N, {per_group * groups}, H, W) with {per_group * groups} "
            f"channels, but got input of shape {_shape(input, unbatched)} with {channels} "
            "channels"
        )
    if out_channels % groups:
        raise ShapeError(
            f"conv2d: out_channels ({out_channels}, weight dim 0 of shape {weight.shape}) must "
            f"be divisible by groups ({groups})"
        )
    if bias is not None:
        bias = _tensor("conv2d", "bias", bias)
        if bias.shape != (out_channels,):
            raise ShapeError(
                f"conv2d: bias must have shape ({out_channels},) to match weight of shape "
                f"{weight.shape}, got {bias.shape}"
            )
    for name, other in [("weight", weight), ("bias", bias)]:
        if other is not None and other.dtype != input.dtype:
            raise TypeError(
                f"conv2d: input ({input.dtype}) and {name} ({other.dtype}) must have the same dtype"
            )
    pads = _conv_padding(padding, (kh, kw), stride, dilation)
    _check_fits("conv2d", input, unbatched, (kh, kw), stride, pads, dilation)
    out = ops.Conv2d.apply(
        input, weight, bias, stride=stride, padding=pads, dilation=dilation, groups=groups
    )
    return out.squeeze(0) if unbatched else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution (cross-correlation) over an NCL input: ``conv2d`` on a height-1 view.

    Shapes: input (N, C, L) or unbatched (C, L); weight (O, C / groups, k); bias (O,) or
    None; output (N, O, Lo) (or (O, Lo)) with Lo = (L + 2 padding - dilation (k - 1) - 1)
    // stride + 1. ``stride``, ``padding`` and ``dilation`` are ints or 1-tuples; ``padding``
    may also be ``'valid'`` or ``'same'`` (stride 1; an odd total goes to the right).

    Example::

        F.conv1d(mg.randn(4, 3, 50), mg.randn(8, 3, 5), padding="same").shape  # (4, 8, 50)
    """
    input = _tensor("conv1d", "input", input)
    weight = _tensor("conv1d", "weight", weight)
    if input.ndim not in (2, 3):
        raise ShapeError(
            "conv1d: expected a 2-D (C, L) (unbatched) or 3-D (N, C, L) (batched) input, got "
            f"shape {tuple(input.shape)}"
        )
    if weight.ndim != 3:
        raise ShapeError(
            "conv1d: weight must be 3-D (out_channels, in_channels / groups, kernel_size), got "
            f"shape {tuple(weight.shape)}"
        )
    if isinstance(groups, int) and groups > 0 and input.shape[-2] != weight.shape[1] * groups:
        raise ShapeError(
            f"conv1d: given groups={groups} and weight of shape {tuple(weight.shape)}, expected "
            f"input of shape {tuple(input.shape)} to have {weight.shape[1] * groups} channels "
            f"(dim {input.ndim - 2}), but got {input.shape[-2]} channels"
        )
    stride = _single("conv1d", stride, "stride", 1)
    dilation = _single("conv1d", dilation, "dilation", 1)
    if isinstance(padding, str):
        if padding == "same" and stride != 1:
            raise RuntimeError(
                f"conv1d: padding='same' is not supported for strided convolutions (stride="
                f"{stride}), as in PyTorch"
            )
        pads = padding
    else:
        pads = (0, _single("conv1d", padding, "padding", 0))
    span = dilation * (weight.shape[2] - 1) + 1
    padded = input.shape[-1] + (2 * pads[1] if not isinstance(pads, str) else 0)
    if padding != "same" and padded < span:
        raise ShapeError(
            f"conv1d: the kernel (size {weight.shape[2]}, dilation {dilation}: {span} cells) is "
            f"larger than the padded input ({padded} cells) of the input of shape "
            f"{tuple(input.shape)}"
        )
    out = conv2d(
        input.unsqueeze(-2), weight.unsqueeze(-2), bias, (1, stride), pads, (1, dilation), groups
    )
    return out.squeeze(-2)


def max_pool2d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """The maximum of each ``kernel_size`` window, moving by ``stride`` (default: the kernel).

    Shapes: (N, C, H, W) -> (N, C, Ho, Wo), or unbatched (C, H, W) -> (C, Ho, Wo), with
    Ho, Wo from ``conv_output_size``. ``padding`` (at most half the kernel, as in PyTorch)
    adds -inf cells, which never win. Among tied maxima the gradient goes to the first one
    of the window in row-major order, as in PyTorch. ``ceil_mode`` and ``return_indices``
    are not supported.

    Example::

        F.max_pool2d(mg.randn(64, 8, 26, 26), 2).shape  # (64, 8, 13, 13)
    """
    if return_indices:
        raise NotImplementedError("max_pool2d: return_indices=True is not supported")
    input, unbatched, geometry = _pool_args(
        "max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode
    )
    out = ops.MaxPool2d.apply(input, **geometry)
    return out.squeeze(0) if unbatched else out


def avg_pool2d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """The mean of each ``kernel_size`` window, moving by ``stride`` (default: the kernel).

    Shapes as ``max_pool2d``. ``padding`` (at most half the kernel) adds zeros, which count
    in the divisor (kh * kw), PyTorch's default; ``divisor_override`` replaces the divisor.
    ``ceil_mode=True`` and ``count_include_pad=False`` are not supported.

    Example::

        F.avg_pool2d(mg.ones(1, 1, 4, 4), 2, padding=1)  # corners 0.25, edges 0.5, centre 1
    """
    if not count_include_pad:
        raise NotImplementedError("avg_pool2d: count_include_pad=False is not supported")
    if divisor_override is not None and (
        not isinstance(divisor_override, int) or divisor_override <= 0
    ):
        raise ValueError(
            f"avg_pool2d: divisor_override must be a positive int, got {divisor_override!r}"
        )
    input, unbatched, geometry = _pool_args(
        "avg_pool2d", input, kernel_size, stride, padding, 1, ceil_mode
    )
    out = ops.AvgPool2d.apply(input, **geometry, divisor=divisor_override)
    return out.squeeze(0) if unbatched else out


# ---- argument checks ------------------------------------------------------------------------


def _tensor(op, name, value):
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}: {name} must be a Tensor, got {type(value).__name__}")
    if not dtypes.is_floating(value.dtype):
        raise TypeError(f"{op}: {name} must be a floating point tensor, got {value.dtype}")
    return value


def _batched(op, input):
    """A 4-D view of ``input`` and whether it was unbatched (3-D)."""
    input = _tensor(op, "input", input)
    if input.ndim not in (3, 4):
        raise ShapeError(
            f"{op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {input.shape}"
        )
    return (input.unsqueeze(0), True) if input.ndim == 3 else (input, False)


def _shape(input, unbatched):
    """The shape the caller passed, for error messages."""
    return input.shape[1:] if unbatched else input.shape


def _positive(op, value, name):
    pair = _pair(value, name, op)
    if min(pair) <= 0:
        raise ValueError(f"{op}: {name} must be positive, got {value!r}")
    return pair


def _conv_padding(padding, kernel_size, stride, dilation):
    """conv2d's padding as ((top, bottom), (left, right))."""
    if padding == "valid":
        return ((0, 0), (0, 0))
    if padding == "same":
        if stride != (1, 1):
            raise ValueError("conv2d: padding='same' needs stride 1, as in PyTorch")
        totals = [d * (k - 1) for k, d in zip(kernel_size, dilation)]
        return tuple((total // 2, total - total // 2) for total in totals)
    if isinstance(padding, str):
        raise ValueError(f"conv2d: padding must be 'valid', 'same' or ints, got {padding!r}")
    pair = _pair(padding, "padding", "conv2d")
    if min(pair) < 0:
        raise ValueError(f"conv2d: padding must be non-negative, got {padding!r}")
    return tuple((p, p) for p in pair)


def _pool_args(op, input, kernel_size, stride, padding, dilation, ceil_mode):
    """The 4-D input, whether it was unbatched, and the checked geometry as op keywords."""
    input, unbatched = _batched(op, input)
    if ceil_mode:
        raise NotImplementedError(f"{op}: ceil_mode=True is not supported")
    kernel_size = _positive(op, kernel_size, "kernel_size")
    dilation = _positive(op, dilation, "dilation")
    stride = kernel_size if stride is None or stride == [] else _positive(op, stride, "stride")
    padding = _pair(padding, "padding", op)
    for p, k in zip(padding, kernel_size):
        if p < 0 or p > k // 2:  # PyTorch's rule: the undilated kernel, whatever the dilation
            raise ValueError(
                f"{op}: padding {padding} must be non-negative and at most half the kernel "
                f"size {kernel_size}, as in PyTorch"
            )
    _check_fits(op, input, unbatched, kernel_size, stride, [(p, p) for p in padding], dilation)
    geometry = dict(kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation)
    return input, unbatched, geometry


def _check_fits(op, input, unbatched, kernel_size, stride, padding, dilation):
    """The (dilated) kernel must fit into the padded input: at least one output element."""
    out = output_size(input.shape[2:], kernel_size, stride, padding, dilation)
    if min(out) < 1:
        padded = [size + sum(pads) for size, pads in zip(input.shape[2:], padding)]
        spans = [d * (k - 1) + 1 for k, d in zip(kernel_size, dilation)]
        raise ShapeError(
            f"{op}: the kernel (size {kernel_size}, dilation {dilation}: {spans[0]}x{spans[1]} "
            f"input cells) is larger than the padded input ({padded[0]}x{padded[1]}) of the "
            f"input of shape {_shape(input, unbatched)}: the output would be {out[0]}x{out[1]}"
        )


__all__ = ["avg_pool2d", "conv1d", "conv2d", "conv_output_size", "max_pool2d", "receptive_field"]
