"""torchvision.transforms for minigrad: the common image transforms, with torchvision's numbers.

Images are minigrad Tensors ``(..., C, H, W)`` (as torchvision's tensor transforms take) or, in
place of PIL images, numpy arrays ``H x W`` or ``H x W x C`` (what ``datasets.MNIST`` gives).
Geometric transforms keep the kind of their input: an array in, an array out. Every random
draw comes from minigrad's generator, so ``minigrad.manual_seed`` repeats a pipeline exactly.
"""

import enum
import functools
import math
import numbers
from collections.abc import Sequence

import numpy as np

import minigrad as mg
from minigrad.random import default_generator

__all__ = [
    "CenterCrop", "Compose", "Grayscale", "InterpolationMode", "Lambda", "Normalize", "Pad",
    "RandomAffine", "RandomCrop", "RandomHorizontalFlip", "RandomRotation", "RandomVerticalFlip",
    "Resize", "ToTensor",
]  # fmt: skip


class InterpolationMode(str, enum.Enum):
    """torchvision's interpolation names; plain strings ('bilinear', 'nearest') work too."""

    NEAREST = "nearest"
    BILINEAR = "bilinear"


# --- images: Tensors (..., C, H, W) or numpy H x W [x C], worked on as arrays (..., H, W) ---


def _to_planes(img, who):
    """``(array (..., H, W), restore)``; ``restore(result)`` gives back the input's kind."""
    if isinstance(img, mg.Tensor):
        if img.ndim < 2:
            raise ValueError(f"{who}: expected an image tensor (..., H, W), got shape {img.shape}")
        return img.numpy(), mg.from_numpy
    if isinstance(img, np.ndarray):
        if img.ndim == 2:
            return img, np.ascontiguousarray
        if img.ndim == 3:
            return np.moveaxis(img, -1, 0), lambda a: np.ascontiguousarray(np.moveaxis(a, 0, -1))
        raise ValueError(f"{who}: expected a numpy image H x W or H x W x C, got shape {img.shape}")
    raise TypeError(
        f"{who}: img should be a minigrad Tensor or a numpy array, got {type(img).__name__}"
    )


def _size_pair(size, name, who):
    """torchvision's _setup_size: an int or a 1- or 2-sequence as (h, w) of positive ints."""
    if isinstance(size, numbers.Integral) and not isinstance(size, bool):
        size = (int(size), int(size))
    elif isinstance(size, Sequence) and len(size) == 1:
        size = (size[0], size[0])
    if not (isinstance(size, Sequence) and len(size) == 2) or not all(
        isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0 for s in size
    ):
        raise ValueError(
            f"{who}: {name} should be a positive int or a sequence (h, w), got {size!r}"
        )
    return tuple(int(s) for s in size)


def _uniform(low, high):
    return float(default_generator().uniform(low, high))


def _randint(low, high):
    """An int in [low, high), as torch.randint(low, high, (1,))."""
    return int(default_generator().integers(low, high))


def _rand():
    return float(default_generator().random())


class Compose:
    """Apply ``transforms`` one after the other."""

    def __init__(self, transforms):
        if not isinstance(transforms, Sequence) or isinstance(transforms, str):
            raise TypeError(
                "Compose: transforms should be a list of callables, got "
                f"{type(transforms).__name__}"
            )
        for t in transforms:
            if not callable(t):
                raise TypeError(f"Compose: every transform must be callable, got {t!r}")
        self.transforms = list(transforms)

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        return f"{type(self).__name__}(" + "".join(f"\n    {t}" for t in self.transforms) + "\n)"


class ToTensor:
    """A numpy image ``H x W`` or ``H x W x C`` as a Tensor ``C x H x W``.

    uint8 becomes float32 in [0, 1] (divided by 255); other dtypes keep their values and dtype,
    as torchvision's ToTensor does for non-uint8 arrays. A Tensor input is an error, as there.
    """

    def __call__(self, pic):
        if not isinstance(pic, np.ndarray):
            raise TypeError(f"ToTensor: pic should be a numpy array, got {type(pic).__name__}")
        if pic.ndim not in (2, 3):
            raise ValueError(
                f"ToTensor: pic should be 2 or 3 dimensional, got {pic.ndim} dimensions"
            )
        chw = pic[None] if pic.ndim == 2 else np.moveaxis(pic, -1, 0)
        if pic.dtype == np.uint8:
            return mg.from_numpy(np.multiply(chw, np.float32(1 / 255), dtype=np.float32))
        return mg.from_numpy(np.ascontiguousarray(chw))

    def __repr__(self):
        return f"{type(self).__name__}()"


class Normalize:
    """``(x - mean[c]) / std[c]`` per channel of a float Tensor ``(..., C, H, W)``."""

    def __init__(self, mean, std, inplace=False):
        for name, value in (("mean", mean), ("std", std)):
            if not isinstance(value, (numbers.Number, Sequence, np.ndarray, mg.Tensor)):
                raise TypeError(
                    f"Normalize: {name} should be a number or a sequence, got {value!r}"
                )
        self.mean, self.std, self.inplace = mean, std, inplace

    def __call__(self, tensor):
        if not isinstance(tensor, mg.Tensor):
            raise TypeError(
                f"Normalize: input should be a minigrad Tensor, got {type(tensor).__name__}"
            )
        if not np.issubdtype(tensor.dtype, np.floating):
            raise TypeError(f"Normalize: input tensor should be a float tensor, got {tensor.dtype}")
        if tensor.ndim < 3:
            raise ValueError(
                "Normalize: expected a tensor image of size (..., C, H, W), got shape "
                f"{tuple(tensor.shape)}"
            )
        x = tensor.numpy()
        mean = np.asarray(self.mean, dtype=x.dtype).reshape(-1, 1, 1)
        std = np.asarray(self.std, dtype=x.dtype).reshape(-1, 1, 1)
        if (std == 0).any():
            raise ValueError(
                f"std evaluated to zero after conversion to {x.dtype}, leading to division by zero."
            )
        for name, value in (("mean", mean), ("std", std)):
            if len(value) not in (1, x.shape[-3]):
                raise ValueError(
                    f"Normalize: {name} has {len(value)} values for an image of "
                    f"{x.shape[-3]} channels"
                )
        if self.inplace:
            np.subtract(x, mean, out=x)
            np.divide(x, std, out=x)
            tensor._version_counter.value += 1  # an in-place change, as sub_ and div_ count it
            return tensor
        return mg.from_numpy((x - mean) / std)

    def __repr__(self):
        return f"{type(self).__name__}(mean={self.mean}, std={self.std})"


class Lambda:
    """Apply a user function as a transform."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Lambda: argument should be callable, got {type(lambd).__name__}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return f"{type(self).__name__}()"


_PAD_MODES = ("constant", "edge", "reflect", "symmetric")


def _padding4(padding, who):
    """torchvision's padding: int, (lr, tb) or (left, top, right, bottom) -> (l, t, r, b)."""
    if isinstance(padding, numbers.Integral) and not isinstance(padding, bool):
        return (int(padding),) * 4
    if not isinstance(padding, Sequence) or not all(
        isinstance(p, numbers.Integral) and not isinstance(p, bool) for p in padding
    ):
        raise TypeError(f"{who}: got inappropriate padding arg {padding!r}: ints expected")
    if len(padding) == 1:
        return (int(padding[0]),) * 4
    if len(padding) == 2:
        return (int(padding[0]), int(padding[1])) * 2
    if len(padding) == 4:
        return tuple(int(p) for p in padding)
    raise ValueError(
        f"{who}: padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} "
        "element tuple"
    )


def _check_fill_mode(fill, padding_mode, who):
    if not isinstance(fill, (numbers.Number, Sequence)) or isinstance(fill, (str, bool)):
        raise TypeError(f"{who}: fill should be a number or a sequence, got {fill!r}")
    if padding_mode not in _PAD_MODES:
        raise ValueError(
            f"{who}: padding_mode should be either constant, edge, reflect or symmetric, "
            f"got {padding_mode!r}"
        )


def _pad_planes(x, padding, fill, padding_mode):
    """Pad (..., H, W) by (left, top, right, bottom); negative amounts crop, as torchvision."""
    left, top, right, bottom = padding
    h, w = x.shape[-2:]
    x = x[..., max(-top, 0) : h - max(-bottom, 0), max(-left, 0) : w - max(-right, 0)]
    widths = [(0, 0)] * (x.ndim - 2) + [
        (max(top, 0), max(bottom, 0)),
        (max(left, 0), max(right, 0)),
    ]
    if padding_mode != "constant":
        return np.pad(x, widths, mode=padding_mode)
    fill = np.asarray(fill, dtype=np.float64)
    out_shape = x.shape[:-2] + (x.shape[-2] + widths[-2][0] + widths[-2][1],
                                x.shape[-1] + widths[-1][0] + widths[-1][1])  # fmt: skip
    out = np.empty(out_shape, x.dtype)
    if fill.ndim and x.ndim >= 3 and fill.size == x.shape[-3]:
        out[...] = fill.reshape(-1, 1, 1).astype(x.dtype)  # one fill value per channel
    else:
        out[...] = fill.reshape(-1)[0].astype(x.dtype) if fill.ndim else fill.astype(x.dtype)
    out[
        ...,
        widths[-2][0] : widths[-2][0] + x.shape[-2],
        widths[-1][0] : widths[-1][0] + x.shape[-1],
    ] = x
    return out


class Pad:
    """Pad the borders: ``padding`` int, (left/right, top/bottom) or (left, top, right, bottom).

    ``padding_mode``: 'constant' (with ``fill``, a number or one per channel), 'edge',
    'reflect' (without repeating the edge) or 'symmetric' (repeating it).
    """

    def __init__(self, padding, fill=0, padding_mode="constant"):
        self._padding = _padding4(padding, "Pad")
        _check_fill_mode(fill, padding_mode, "Pad")
        self.padding, self.fill, self.padding_mode = padding, fill, padding_mode

    def __call__(self, img):
        x, restore = _to_planes(img, "Pad")
        return restore(_pad_planes(x, self._padding, self.fill, self.padding_mode))

    def __repr__(self):
        return (
            f"{type(self).__name__}(padding={self.padding}, fill={self.fill}, "
            f"padding_mode={self.padding_mode})"
        )


def _crop(x, top, left, height, width):
    """torchvision's F.crop: out-of-image parts are zero-padded."""
    h, w = x.shape[-2:]
    if top < 0 or left < 0 or top + height > h or left + width > w:
        pad = (max(-left, 0), max(-top, 0), max(left + width - w, 0), max(top + height - h, 0))
        x = _pad_planes(x, pad, 0, "constant")
        top, left = top + pad[1], left + pad[0]
    return x[..., top : top + height, left : left + width]


class CenterCrop:
    """Crop the centre ``size`` (int or (h, w)); a crop larger than the image is zero-padded."""

    def __init__(self, size):
        self.size = _size_pair(size, "size", "CenterCrop")

    def __call__(self, img):
        x, restore = _to_planes(img, "CenterCrop")
        (h, w), (th, tw) = x.shape[-2:], self.size
        return restore(_crop(x, int(round((h - th) / 2.0)), int(round((w - tw) / 2.0)), th, tw))

    def __repr__(self):
        return f"{type(self).__name__}(size={self.size})"


class RandomCrop:
    """Crop ``size`` at a random place, after optional ``padding`` (as ``Pad``).

    ``pad_if_needed`` pads an image smaller than ``size`` first, as torchvision.
    """

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant"):
        self.size = _size_pair(size, "size", "RandomCrop")
        self._padding = None if padding is None else _padding4(padding, "RandomCrop")
        _check_fill_mode(fill, padding_mode, "RandomCrop")
        self.padding, self.pad_if_needed = padding, pad_if_needed
        self.fill, self.padding_mode = fill, padding_mode

    def __call__(self, img):
        x, restore = _to_planes(img, "RandomCrop")
        if self._padding is not None:
            x = _pad_planes(x, self._padding, self.fill, self.padding_mode)
        th, tw = self.size
        if self.pad_if_needed and x.shape[-1] < tw:
            grow = tw - x.shape[-1]
            x = _pad_planes(x, (grow, 0, grow, 0), self.fill, self.padding_mode)
        if self.pad_if_needed and x.shape[-2] < th:
            grow = th - x.shape[-2]
            x = _pad_planes(x, (0, grow, 0, grow), self.fill, self.padding_mode)
        h, w = x.shape[-2:]
        if h < th or w < tw:
            raise ValueError(
                f"RandomCrop: required crop size {(th, tw)} is larger than input image "
                f"size {(h, w)}"
            )
        top = _randint(0, h - th + 1) if h != th else 0
        left = _randint(0, w - tw + 1) if w != tw else 0
        return restore(x[..., top : top + th, left : left + tw])

    def __repr__(self):
        return f"{type(self).__name__}(size={self.size}, padding={self.padding})"


def _check_p(p, who):
    if not isinstance(p, numbers.Real) or isinstance(p, bool) or not 0 <= p <= 1:
        raise ValueError(f"{who}: p should be a probability in [0, 1], got {p!r}")
    return p


class RandomHorizontalFlip:
    """Mirror left-right with probability ``p``."""

    _axis = -1

    def __init__(self, p=0.5):
        self.p = _check_p(p, type(self).__name__)

    def __call__(self, img):
        x, restore = _to_planes(img, type(self).__name__)
        if _rand() < self.p:
            return restore(np.flip(x, self._axis).copy())
        return img

    def __repr__(self):
        return f"{type(self).__name__}(p={self.p})"


class RandomVerticalFlip(RandomHorizontalFlip):
    """Mirror top-bottom with probability ``p``."""

    _axis = -2


class Grayscale:
    """RGB to luminance, with ``num_output_channels`` 1 or 3 (copies of the grey plane).

    Tensors ``(..., 3, H, W)`` use torchvision's tensor weights 0.2989 R + 0.587 G + 0.114 B and
    truncate back to the input dtype; numpy ``H x W x 3`` images (PIL's stand-in) use PIL's
    0.299, 0.587, 0.114, rounded for uint8, and give ``H x W`` (or ``H x W x 3``).
    """

    def __init__(self, num_output_channels=1):
        if num_output_channels not in (1, 3):
            raise ValueError(
                "Grayscale: num_output_channels should be either 1 or 3, got "
                f"{num_output_channels!r}"
            )
        self.num_output_channels = num_output_channels

    def __call__(self, img):
        if isinstance(img, np.ndarray):
            if img.ndim == 2 or (img.ndim == 3 and img.shape[-1] == 1):
                grey = img.reshape(img.shape[:2]).astype(np.float64)
            elif img.ndim == 3 and img.shape[-1] == 3:
                grey = img.astype(np.float64) @ np.array([0.299, 0.587, 0.114])
            else:
                raise TypeError(
                    f"Grayscale: expected a numpy image H x W or H x W x 3, got {img.shape}"
                )
            if img.dtype == np.uint8:
                grey = np.clip(np.floor(grey + 0.5), 0, 255)
            grey = grey.astype(img.dtype)
            return grey if self.num_output_channels == 1 else np.repeat(grey[..., None], 3, -1)
        if not isinstance(img, mg.Tensor):
            raise TypeError(
                f"Grayscale: img should be a Tensor or a numpy array, got {type(img).__name__}"
            )
        x = img.numpy()
        if x.ndim < 3 or x.shape[-3] not in (1, 3):
            raise TypeError(
                "Grayscale: input image tensor permitted channel values are [1, 3], but found "
                f"shape {tuple(x.shape)}"
            )
        if x.shape[-3] == 1:
            grey = x.copy()
        else:
            r, g, b = (x[..., c, :, :].astype(np.float32) for c in range(3))
            grey = (0.2989 * r + 0.587 * g + 0.114 * b)[..., None, :, :].astype(x.dtype)
        if self.num_output_channels == 3:
            grey = np.repeat(grey, 3, axis=-3)
        return mg.from_numpy(np.ascontiguousarray(grey))

    def __repr__(self):
        return f"{type(self).__name__}(num_output_channels={self.num_output_channels})"


def _interpolation(mode, who):
    try:
        return InterpolationMode(mode)
    except ValueError:
        raise ValueError(
            f"{who}: interpolation should be 'nearest' or 'bilinear' (or InterpolationMode), "
            f"got {mode!r}"
        ) from None


@functools.lru_cache(maxsize=64)  # a pipeline resizes every image between the same sizes
def _resize_weights(n_in, n_out, mode, antialias, dtype):
    weights = _resize_weights_f64(n_in, n_out, mode, antialias).astype(dtype)
    weights.flags.writeable = False
    return weights


def _resize_weights_f64(n_in, n_out, mode, antialias):
    """The (n_out, n_in) matrix of torch.nn.functional.interpolate along one axis.

    align_corners=False. With ``antialias`` and fewer outputs than inputs the triangle filter
    widens by the scale (PIL's and torch's antialiased bilinear), so every input pixel counts.
    """
    scale = n_in / n_out
    out = np.arange(n_out)
    weights = np.zeros((n_out, n_in))
    if mode is InterpolationMode.NEAREST:  # torch's legacy 'nearest': floor(i * scale)
        weights[out, np.minimum(np.floor(out * scale).astype(np.int64), n_in - 1)] = 1.0
        return weights
    if antialias:
        support = scale if scale >= 1.0 else 1.0
        invscale = 1.0 / scale if scale >= 1.0 else 1.0
        center = scale * (out + 0.5)
        first = np.maximum((center - support + 0.5).astype(np.int64), 0)  # truncation, as torch
        last = np.minimum((center + support + 0.5).astype(np.int64), n_in)
        taps = np.arange(n_in)
        inside = (taps >= first[:, None]) & (taps < last[:, None])
        tent = np.clip(1.0 - np.abs((taps - center[:, None] + 0.5) * invscale), 0.0, None)
        weights = np.where(inside, tent, 0.0)
        return weights / weights.sum(axis=1, keepdims=True)
    source = np.maximum((out + 0.5) * scale - 0.5, 0.0)
    low = np.minimum(np.floor(source).astype(np.int64), n_in - 1)
    high = np.minimum(low + 1, n_in - 1)
    frac = source - low
    np.add.at(weights, (out, low), 1.0 - frac)
    np.add.at(weights, (out, high), frac)
    return weights


def _resize_planes(x, size, mode, antialias):
    """Resize (..., H, W) to ``size`` = (h, w) by two separable matrix products."""
    (h, w), (oh, ow) = x.shape[-2:], size
    if (h, w) == (oh, ow):
        return x.copy()
    compute = np.float64 if x.dtype == np.float64 else np.float32
    rows = _resize_weights(h, oh, mode, antialias, compute)
    cols = _resize_weights(w, ow, mode, antialias, compute)
    out = rows @ x.astype(compute, copy=False) @ cols.T
    if np.issubdtype(x.dtype, np.integer):  # torchvision rounds back to integers
        info = np.iinfo(x.dtype)
        out = np.clip(np.round(out), info.min, info.max)
    return out.astype(x.dtype, copy=False)


class Resize:
    """Resize to ``size``: (h, w), or an int for the smaller edge (the long edge keeps the aspect
    ratio, ``int(size * long / short)`` as torchvision; ``max_size`` caps it).

    ``interpolation``: 'bilinear' (default) or 'nearest'. ``antialias`` (default True): when
    downscaling, bilinear widens its filter as torchvision's tensor Resize does (that is
    ``torch.nn.functional.interpolate(mode='bilinear', align_corners=False, antialias=True)``).
    """

    def __init__(self, size, interpolation="bilinear", max_size=None, antialias=True):
        if (
            isinstance(size, numbers.Integral)
            and not isinstance(size, bool)
            or (isinstance(size, Sequence) and len(size) == 1)
        ):
            edge = size if isinstance(size, numbers.Integral) else size[0]
            if not isinstance(edge, numbers.Integral) or edge <= 0:
                raise ValueError(f"Resize: size should be a positive int, got {size!r}")
        else:
            _size_pair(size, "size", "Resize")
        if max_size is not None and not isinstance(size, numbers.Integral):
            raise ValueError("Resize: max_size is only supported with an int size (the short edge)")
        self.size, self.max_size, self.antialias = size, max_size, antialias
        self.interpolation = _interpolation(interpolation, "Resize")

    def _output_size(self, h, w):
        if isinstance(self.size, Sequence) and len(self.size) == 2:
            return tuple(int(s) for s in self.size)
        short_edge = int(self.size if isinstance(self.size, numbers.Integral) else self.size[0])
        short, long = (w, h) if w <= h else (h, w)
        new_short, new_long = short_edge, int(short_edge * long / short)
        if self.max_size is not None:
            if self.max_size <= short_edge:
                raise ValueError(
                    f"Resize: max_size = {self.max_size} must be strictly greater than the "
                    f"requested size for the smaller edge = {short_edge}"
                )
            if new_long > self.max_size:
                new_short, new_long = int(self.max_size * new_short / new_long), self.max_size
        return (new_long, new_short) if w <= h else (new_short, new_long)

    def __call__(self, img):
        x, restore = _to_planes(img, "Resize")
        size = self._output_size(*x.shape[-2:])
        return restore(_resize_planes(x, size, self.interpolation, self.antialias))

    def __repr__(self):
        return (
            f"{type(self).__name__}(size={self.size}, interpolation={self.interpolation.value}, "
            f"max_size={self.max_size}, antialias={self.antialias})"
        )


def _inverse_affine_matrix(center, angle, translate, scale, shear):
    """torchvision's inverse affine matrix (a, b, c, d, e, f): output pixel -> input pixel.

    The forward map is T * C * RSS * C^-1 (T: translate, C: the centre, RSS: rotation by
    ``angle`` degrees, then ``scale``, and shears ``shear`` = (x, y) in degrees); this returns
    its inverse, in pixel units with the origin at the image centre.
    """
    rot, sx, sy = math.radians(angle), math.radians(shear[0]), math.radians(shear[1])
    (cx, cy), (tx, ty) = center, translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -a * math.tan(sx) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = math.cos(rot) - c * math.tan(sx)
    # The inverse of [[a, b], [c, d]] (determinant 1) over the scale, then the shifts.
    m = [d / scale, -b / scale, 0.0, -c / scale, a / scale, 0.0]
    m[2] = cx - m[0] * (cx + tx) - m[1] * (cy + ty)
    m[5] = cy - m[3] * (cx + tx) - m[4] * (cy + ty)
    return m


def _expanded_size(matrix, w, h):
    """(ow, oh) that holds the whole transformed image, as torchvision's expand=True (and PIL's
    generic rotate: corners in [0, w] x [0, h], so a 90-degree turn of an odd-by-even image
    gains a row, where PIL special-cases right angles)."""
    corners = np.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0],
                        [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]])  # fmt: skip
    moved = corners @ np.asarray(matrix).reshape(2, 3).T + (0.5 * w, 0.5 * h)  # PIL's frame
    tol = 1e-4  # corners at whole pixels up to rounding must not add a pixel
    high = np.ceil(np.trunc(moved.max(axis=0) / tol) * tol)
    low = np.floor(np.trunc(moved.min(axis=0) / tol) * tol)
    ow, oh = (high - low).astype(int)
    return int(ow), int(oh)


def _affine_planes(x, matrix, out_size, mode, fill):
    """Sample (..., H, W) at the inverse-mapped output pixels, as torchvision's tensor affine:
    torch's grid_sample(align_corners=False, padding_mode='zeros'), then ``fill`` outside,
    weighted by the sampled mask of ones for bilinear."""
    h, w = x.shape[-2:]
    oh, ow = out_size
    compute = np.float64 if x.dtype == np.float64 else np.float32
    planes = x.reshape(-1, h, w).astype(compute, copy=False)
    xs = np.arange(ow) - ow * 0.5 + 0.5  # output pixel centres about the output centre
    ys = (np.arange(oh) - oh * 0.5 + 0.5)[:, None]
    a, b, c, d, e, f = matrix
    src_x = a * xs + b * ys + c + w * 0.5 - 0.5  # input pixel coordinates (column, row)
    src_y = d * xs + e * ys + f + h * 0.5 - 0.5
    if mode is InterpolationMode.NEAREST:
        col, row = np.rint(src_x).astype(np.int64), np.rint(src_y).astype(np.int64)  # half-even
        mask = ((col >= 0) & (col < w) & (row >= 0) & (row < h)).astype(compute)
        out = planes[:, np.clip(row, 0, h - 1), np.clip(col, 0, w - 1)] * mask
    else:
        col0, row0 = np.floor(src_x), np.floor(src_y)
        out = np.zeros((len(planes), oh, ow), compute)
        mask = np.zeros((oh, ow), compute)
        for dr in (0, 1):
            for dc in (0, 1):
                col, row = (col0 + dc).astype(np.int64), (row0 + dr).astype(np.int64)
                weight = (1 - np.abs(src_x - col)) * (1 - np.abs(src_y - row))
                weight = (weight * ((col >= 0) & (col < w) & (row >= 0) & (row < h))).astype(
                    compute
                )
                out += planes[:, np.clip(row, 0, h - 1), np.clip(col, 0, w - 1)] * weight
                mask += weight
    fill = np.asarray(fill, compute).reshape(-1)
    channels = x.shape[-3] if x.ndim >= 3 else 1
    if fill.size not in (1, channels):
        raise ValueError(f"fill has {fill.size} values for an image of {channels} channels")
    fill_planes = np.broadcast_to(fill.reshape(-1, 1, 1), (channels, 1, 1))
    out = out.reshape(*x.shape[:-2], oh, ow)
    if x.ndim >= 3:
        fill_planes = fill_planes.reshape((1,) * (x.ndim - 3) + (channels, 1, 1))
    else:
        fill_planes = fill_planes[0]
    if mode is InterpolationMode.NEAREST:
        out = np.where(mask < 0.5, fill_planes, out)
    else:
        out = out * mask + (1.0 - mask) * fill_planes
    if np.issubdtype(x.dtype, np.integer):
        info = np.iinfo(x.dtype)
        out = np.clip(np.round(out), info.min, info.max)
    return out.astype(x.dtype, copy=False)


def _degrees_range(value, name, who):
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(
                f"{who}: if {name} is a single number, it must be positive, got {value}"
            )
        return (-float(value), float(value))
    if (
        isinstance(value, Sequence)
        and len(value) == 2
        and all(isinstance(v, numbers.Real) for v in value)
    ):
        return (float(value[0]), float(value[1]))
    raise ValueError(f"{who}: {name} should be a number or a sequence of 2 numbers, got {value!r}")


def _check_fill(fill, who):
    if fill is None:
        return 0
    if not isinstance(fill, (numbers.Number, Sequence)) or isinstance(fill, (str, bool)):
        raise TypeError(f"{who}: fill should be a number or a sequence, got {fill!r}")
    return fill


def _check_center(center, who):
    if center is not None and not (isinstance(center, Sequence) and len(center) == 2):
        raise ValueError(f"{who}: center should be a sequence (x, y) of 2 numbers, got {center!r}")
    return center


def _centre_offset(center, w, h):
    """torchvision's centre: (x, y) in pixels from the top left, as an offset from the middle."""
    return (0.0, 0.0) if center is None else (center[0] - w * 0.5, center[1] - h * 0.5)


class RandomRotation:
    """Rotate counter-clockwise by an angle drawn uniformly from ``degrees`` ((-d, d) for d).

    ``interpolation`` 'nearest' (default) or 'bilinear'; ``expand`` grows the output to hold the
    whole rotated image; ``center`` (x, y) in pixels (default: the middle); ``fill`` outside.
    """

    def __init__(self, degrees, interpolation="nearest", expand=False, center=None, fill=0):
        self.degrees = _degrees_range(degrees, "degrees", "RandomRotation")
        self.interpolation = _interpolation(interpolation, "RandomRotation")
        self.expand, self.center = bool(expand), _check_center(center, "RandomRotation")
        self.fill = _check_fill(fill, "RandomRotation")

    def __call__(self, img):
        x, restore = _to_planes(img, "RandomRotation")
        angle = _uniform(*self.degrees)
        return restore(self._rotate(x, angle))

    def _rotate(self, x, angle):
        h, w = x.shape[-2:]
        # rotate's angle is counter-clockwise; the matrix's, as affine's, is clockwise.
        matrix = _inverse_affine_matrix(_centre_offset(self.center, w, h), -angle, (0.0, 0.0),
                                        1.0, (0.0, 0.0))  # fmt: skip
        ow, oh = _expanded_size(matrix, w, h) if self.expand else (w, h)
        return _affine_planes(x, matrix, (oh, ow), self.interpolation, self.fill)

    def __repr__(self):
        return (
            f"{type(self).__name__}(degrees={list(self.degrees)}, "
            f"interpolation={self.interpolation.value}, expand={self.expand}"
            + (f", center={self.center}" if self.center is not None else "")
            + (f", fill={self.fill})" if self.fill != 0 else ")")
        )


class RandomAffine:
    """A random affine map keeping the centre: rotation (clockwise, from ``degrees``), then
    ``translate`` = (a, b) (maximum fractions of the width and height), ``scale`` = (lo, hi)
    and ``shear`` (a number s: x shear in (-s, s); (lo, hi): x; (xlo, xhi, ylo, yhi): both),
    drawn as torchvision's RandomAffine.get_params; ``interpolation`` 'nearest' (default)."""

    def __init__(self, degrees, translate=None, scale=None, shear=None, interpolation="nearest",
                 fill=0, center=None):  # fmt: skip
        who = "RandomAffine"
        self.degrees = _degrees_range(degrees, "degrees", who)
        if translate is not None:
            if not (isinstance(translate, Sequence) and len(translate) == 2) or not all(
                isinstance(t, numbers.Real) and 0.0 <= t <= 1.0 for t in translate
            ):
                raise ValueError(
                    f"{who}: translate should be a sequence of 2 fractions in [0, 1], "
                    f"got {translate!r}"
                )
        if scale is not None:
            if not (isinstance(scale, Sequence) and len(scale) == 2) or not all(
                isinstance(s, numbers.Real) and s > 0 for s in scale
            ):
                raise ValueError(
                    f"{who}: scale should be a sequence of 2 positive numbers, got {scale!r}"
                )
        if shear is not None:
            if isinstance(shear, Sequence) and len(shear) == 4:
                self._shear = (
                    *_degrees_range(shear[:2], "shear", who),
                    *_degrees_range(shear[2:], "shear", who),
                )
            else:
                self._shear = _degrees_range(shear, "shear", who)
        self.translate, self.scale, self.shear = translate, scale, shear
        self.interpolation = _interpolation(interpolation, who)
        self.fill, self.center = _check_fill(fill, who), _check_center(center, who)

    def get_params(self, width, height):
        """(angle, (tx, ty), scale, (shear_x, shear_y)), drawn in torchvision's order."""
        angle = _uniform(*self.degrees)
        if self.translate is not None:
            max_dx, max_dy = self.translate[0] * width, self.translate[1] * height
            translations = (
                int(round(_uniform(-max_dx, max_dx))),
                int(round(_uniform(-max_dy, max_dy))),
            )
        else:
            translations = (0, 0)
        scale = _uniform(*self.scale) if self.scale is not None else 1.0
        shear_x = shear_y = 0.0
        if self.shear is not None:
            shear_x = _uniform(self._shear[0], self._shear[1])
            if len(self._shear) == 4:
                shear_y = _uniform(self._shear[2], self._shear[3])
        return angle, translations, scale, (shear_x, shear_y)

    def __call__(self, img):
        x, restore = _to_planes(img, "RandomAffine")
        h, w = x.shape[-2:]
        return restore(self._affine(x, *self.get_params(w, h)))

    def _affine(self, x, angle, translate, scale, shear):
        h, w = x.shape[-2:]
        matrix = _inverse_affine_matrix(_centre_offset(self.center, w, h), angle,
                                        [float(t) for t in translate], scale, shear)  # fmt: skip
        return _affine_planes(x, matrix, (h, w), self.interpolation, self.fill)

    def __repr__(self):
        parts = [f"degrees={list(self.degrees)}"]
        for name in ("translate", "scale", "shear"):
            if getattr(self, name) is not None:
                parts.append(f"{name}={getattr(self, name)}")
        if self.interpolation is not InterpolationMode.NEAREST:
            parts.append(f"interpolation={self.interpolation.value}")
        if self.fill != 0:
            parts.append(f"fill={self.fill}")
        if self.center is not None:
            parts.append(f"center={self.center}")
        return f"{type(self).__name__}({', '.join(parts)})"
