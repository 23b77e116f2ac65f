"""torchvision.utils: ``make_grid`` tiles a batch of images, ``save_image`` writes it as PNG."""

import math
import os
import struct
import zlib

import numpy as np

import minigrad as mg

__all__ = ["make_grid", "save_image"]


def _images(tensor):
    """A (N, C, H, W) float array from a Tensor, an array or a list of (C, H, W) images."""
    if isinstance(tensor, (list, tuple)):
        if not tensor:
            raise ValueError("make_grid: tensor is an empty list")
        arrays = [np.asarray(t.numpy() if isinstance(t, mg.Tensor) else t) for t in tensor]
        shapes = {a.shape for a in arrays}
        if len(shapes) != 1:
            raise ValueError(f"make_grid: the images of the list differ in shape: {sorted(shapes)}")
        return np.stack(arrays)
    if isinstance(tensor, mg.Tensor):
        return tensor.numpy()
    if isinstance(tensor, np.ndarray):
        return tensor
    raise TypeError(
        f"make_grid: tensor should be a Tensor or a list of Tensors, got {type(tensor).__name__}"
    )


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False,
              pad_value=0.0):  # fmt: skip
    """Tile images ``(N, C, H, W)`` (or a list of ``(C, H, W)``) into one ``(C, H', W')`` Tensor.

    As torchvision: ``nrow`` images per row, ``padding`` pixels of ``pad_value`` around each,
    one-channel images expanded to three; ``normalize`` shifts to [0, 1] by ``value_range``
    (low, high) or the min and max (of each image with ``scale_each``). A single image comes
    back as it is (three channels if it had one).
    """
    x = _images(tensor)
    for name, value in (("nrow", nrow), ("padding", padding)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
            raise ValueError(f"make_grid: {name} should be a non-negative int, got {value!r}")
    if nrow == 0:
        raise ValueError("make_grid: nrow should be a positive int, got 0")
    if x.ndim == 2:
        x = x[None]
    if x.ndim == 3:
        x = x[None]
    if x.ndim != 4:
        raise ValueError(f"make_grid: expected images (N, C, H, W), got shape {x.shape}")
    if x.shape[1] == 1:
        x = np.repeat(x, 3, axis=1)
    if normalize:
        x = x.astype(np.float32) if not np.issubdtype(x.dtype, np.floating) else x.copy()
        if value_range is not None and not (
            isinstance(value_range, (tuple, list)) and len(value_range) == 2
        ):
            raise TypeError(
                f"make_grid: value_range should be a tuple (low, high), got {value_range!r}"
            )
        for part in x if scale_each else [x]:
            low, high = value_range if value_range is not None else (part.min(), part.max())
            np.clip(part, low, high, out=part)
            part -= low
            part /= max(high - low, 1e-5)
    if x.shape[0] == 1:
        return mg.from_numpy(np.ascontiguousarray(x[0]))
    n, channels, h, w = x.shape
    cols = min(nrow, n)
    rows = math.ceil(n / cols)
    # Each cell is the image with `padding` rows and columns of pad_value above and to its left;
    # the last row and column of padding close the grid on the bottom and right.
    cells = np.full((rows * cols, channels, h + padding, w + padding), pad_value, x.dtype)
    cells[:n, :, padding:, padding:] = x
    grid = cells.reshape(rows, cols, channels, h + padding, w + padding).transpose(2, 0, 3, 1, 4)
    grid = grid.reshape(channels, rows * (h + padding), cols * (w + padding))
    out = np.full((channels, grid.shape[1] + padding, grid.shape[2] + padding), pad_value, x.dtype)
    out[:, : grid.shape[1], : grid.shape[2]] = grid
    return mg.from_numpy(out)


def _png_bytes(pixels):
    """An 8-bit PNG of ``pixels`` (uint8 H x W, H x W x 3 or H x W x 4), no filtering."""
    h, w = pixels.shape[:2]
    color_type = {2: 0, 3: 2 if pixels.ndim == 3 and pixels.shape[2] == 3 else 6}[pixels.ndim]
    rows = np.concatenate([np.zeros((h, 1), np.uint8), pixels.reshape(h, -1)], axis=1)

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6))
        + chunk(b"IEND", b"")
    )


def save_image(tensor, fp, format=None, **kwargs):
    """Save ``make_grid(tensor, **kwargs)`` as a PNG at ``fp`` (a path or a binary file).

    Values in [0, 1] become bytes as torchvision does (``x * 255 + 0.5``, clamped, truncated).
    minigrad writes PNG only: ``format`` may be None or 'png'.
    """
    if format is not None and str(format).lower() != "png":
        raise ValueError(f"save_image: minigrad writes PNG only, got format={format!r}")
    if format is None and isinstance(fp, (str, os.PathLike)):
        suffix = os.path.splitext(os.fspath(fp))[1].lower()
        if suffix not in ("", ".png"):
            raise ValueError(
                f"save_image: minigrad writes PNG only, got the file name {os.fspath(fp)!r}"
            )
    grid = make_grid(tensor, **kwargs).numpy()
    if grid.ndim == 2:
        grid = grid[None]
    if grid.shape[0] not in (1, 3, 4):
        raise ValueError(
            f"save_image: a PNG holds 1, 3 or 4 channels, got an image of {grid.shape[0]}"
        )
    pixels = np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    data = _png_bytes(pixels[..., 0] if pixels.shape[2] == 1 else pixels)
    if hasattr(fp, "write"):
        fp.write(data)
    else:
        with open(fp, "wb") as out:
            out.write(data)
