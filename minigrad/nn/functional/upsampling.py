"""``interpolate``: resizing as a gather along each spatial dim, one dim after the other.

Every mode PyTorch has for ``interpolate`` (without antialias) is separable: along one dim,
output cell ``i`` is a weighted sum of a few input cells. Per dim we compute, once per call,
an int array of ``taps`` source indices (out, taps) and their weights (out, taps) with
PyTorch's source-coordinate formulas; the resize is then ``sum_k x[..., idx[:, k], ...] *
w[:, k]``, indexing and arithmetic on Tensors, so gradients (and their gradients) come from
those ops. The taps are computed on the host (they depend on sizes only) and moved to the
input's device. nearest has one tap of weight 1, linear two, bicubic four (clamped at the border),
area (adaptive average pooling) as many as its widest window (padded with weight 0).
"""

import math
import warnings

import numpy as np

from minigrad.backend import on_device_of
from minigrad.nn.functional.conv import _tensor
from minigrad.tensor import Tensor

_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
_LINEAR = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}


def _scale(in_size, out_size, align_corners, scale):
    """PyTorch's area_pixel_compute_scale: the source step per output cell."""
    if align_corners:
        return (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0
    return 1.0 / scale if scale is not None and scale > 0 else in_size / out_size


def _taps(mode, in_size, out_size, align_corners, scale):
    """(indices (out, taps) int64, weights (out, taps) float64) for one dim."""
    dst = np.arange(out_size)
    if mode in ("nearest", "nearest-exact"):
        # PyTorch computes the nearest scale and source in float32, whatever the dtype
        if scale is not None and scale > 0:
            step = np.float32(1.0 / scale)
        else:
            step = np.float32(in_size) / np.float32(out_size)
        offset = np.float32(0.5 if mode == "nearest-exact" else 0.0)
        src = np.floor((dst.astype(np.float32) + offset) * step).astype(np.int64)
        index = np.minimum(src, in_size - 1)[:, None]
        return index, np.ones((out_size, 1))
    if mode == "area":  # adaptive average pooling: windows [floor(i in/out), ceil((i+1) in/out))
        starts = (dst * in_size) // out_size
        ends = -((-(dst + 1) * in_size) // out_size)
        width = int((ends - starts).max())
        index = starts[:, None] + np.arange(width)
        inside = index < ends[:, None]
        weights = inside / (ends - starts)[:, None]
        return np.where(inside, index, starts[:, None]), weights
    step = _scale(in_size, out_size, align_corners, scale)
    src = step * dst if align_corners else step * (dst + 0.5) - 0.5
    if mode == "bicubic":
        base = np.floor(src)
        t = src - base
        a = -0.75  # PyTorch's cubic convolution coefficient

        def near(x):  # |x| <= 1
            return ((a + 2) * x - (a + 3)) * x * x + 1

        def far(x):  # 1 < |x| < 2
            return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

        weights = np.stack([far(t + 1), near(t), near(1 - t), far(2 - t)], axis=1)
        index = base.astype(np.int64)[:, None] + np.arange(-1, 3)
        return np.clip(index, 0, in_size - 1), weights
    src = np.maximum(src, 0.0)
    low = np.floor(src).astype(np.int64)
    high = low + (low < in_size - 1)
    frac = src - low
    return np.stack([low, high], axis=1), np.stack([1 - frac, frac], axis=1)


def _resize_dim(x, dim, index, weights):
    """Along ``dim``: output i = sum_k x[index[i, k]] * weights[i, k] (host index and weights,
    moved to x's device)."""
    before = (slice(None),) * dim
    trailing = (1,) * (x.ndim - dim - 1)
    out = None
    for k in range(index.shape[1]):
        tap = x[before + (on_device_of(index[:, k], like=x._data),)]
        if not np.all(weights[:, k] == 1):
            tap_weights = weights[:, k].astype(x.dtype).reshape((-1,) + trailing)
            tap = tap * Tensor._make(on_device_of(tap_weights, like=x._data))
        out = tap if out is None else out + tap
    return out


def interpolate(
    input,
    size=None,
    scale_factor=None,
    mode="nearest",
    align_corners=None,
    recompute_scale_factor=None,
    antialias=False,
):
    """Resizes the spatial dims of an (N, C, d1[, d2[, d3]]) input, as PyTorch's ``interpolate``.

    Give either ``size`` (an int or one int per spatial dim) or ``scale_factor`` (a number or
    one per dim; the output size is floor(d * scale_factor), and the scale itself, not the
    ratio of sizes, sets the source coordinates unless ``recompute_scale_factor=True``).
    Modes: 'nearest' (source floor(i * in / out), PyTorch's rule, which is not the nearest
    pixel centre), 'nearest-exact' (floor((i + 0.5) * in / out)), 'linear' (3-D),
    'bilinear' (4-D), 'bicubic' (4-D, a = -0.75), 'trilinear' (5-D), 'area' (adaptive
    average pooling). ``align_corners`` (interpolating modes only, default False) maps the
    corner pixels' centres onto each other. ``antialias=True`` is not supported.

    Example::

        x = mg.arange(4.0).reshape(1, 1, 2, 2)
        F.interpolate(x, scale_factor=2).shape                        # (1, 1, 4, 4)
        F.interpolate(x, size=(3, 3), mode="bilinear", align_corners=True)[0, 0, 1]  # [1, 1.5, 2]
    """
    input = _tensor("interpolate", "input", input)
    spatial = input.ndim - 2
    if mode not in _MODES or spatial not in (1, 2, 3):
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
            f"the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
            f"nearest-exact (got {mode})"
        )
    if mode in _LINEAR:
        if input.ndim != _LINEAR[mode]:
            raise NotImplementedError(
                f"Got {input.ndim}D input, but {mode} mode needs {_LINEAR[mode]}D input"
            )
        align_corners = bool(align_corners)
    elif align_corners is not None:
        raise ValueError(
            "align_corners option can only be set with the interpolating modes: "
            "linear | bilinear | bicubic | trilinear"
        )
    if antialias:
        if mode not in ("bilinear", "bicubic") or input.ndim != 4:
            raise ValueError(
                "Anti-alias option is restricted to bilinear and bicubic modes and requires a "
                "4-D tensor as input"
            )
        raise NotImplementedError("interpolate: antialias=True is not supported")
    in_sizes = input.shape[2:]
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if size is not None:
        sizes = list(size) if isinstance(size, tuple | list) else [size] * spatial
        if len(sizes) != spatial:
            raise ValueError(
                "Input and output must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {list(in_sizes)} and output size of "
                f"{size}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                "output size in (o1, o2, ...,oK) format."
            )
        if not all(hasattr(type(s), "__index__") and not isinstance(s, bool) for s in sizes):
            raise TypeError(f"interpolate: size must be an int or a tuple of ints, got {size!r}")
        sizes = [int(s) for s in sizes]
        scales = [None] * spatial
    else:
        if isinstance(scale_factor, tuple | list):
            scales = [float(s) for s in scale_factor]
            if len(scales) != spatial:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, "
                    f"but got input with spatial dimensions of {list(in_sizes)} and "
                    f"scale_factor of shape {scale_factor}. Please provide input tensor in "
                    "(N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format."
                )
        else:
            scales = [float(scale_factor)] * spatial
        sizes = [math.floor(float(d * s)) for d, s in zip(in_sizes, scales)]
        if recompute_scale_factor:
            scales = [None] * spatial
    if min(sizes) <= 0 or min(in_sizes) <= 0:
        raise ValueError(
            f"interpolate: input {list(in_sizes)} and output {sizes} sizes should be greater than 0"
        )
    out = input
    # the last dim first: PyTorch's order of the sums (its last digits at extreme values)
    for dim, d_in, d_out, scale in reversed(
        list(zip(range(2, input.ndim), in_sizes, sizes, scales))
    ):
        if mode != "area" and d_in == d_out and scale in (None, 1.0):
            continue  # the identity, as PyTorch's kernels shortcut it
        index, weights = _taps(mode, d_in, d_out, align_corners, scale)
        out = _resize_dim(out, dim, index, weights)
    return out if out is not input else input * 1


def _deprecated(name):
    warnings.warn(
        f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=3,
    )


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """``interpolate`` under its deprecated name, as ``torch.nn.functional.upsample``."""
    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """``interpolate(..., mode='nearest')``, as ``torch.nn.functional.upsample_nearest``."""
    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """``interpolate(..., mode='bilinear', align_corners=True)``, as PyTorch's."""
    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


__all__ = ["interpolate", "upsample", "upsample_bilinear", "upsample_nearest"]
