"""What the demos share: MNIST digits, a briefly trained seed CNN, tables and figures."""

import argparse
import time
from functools import lru_cache
from pathlib import Path

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
import models
from minigrad import optim
from minigrad.data import DataLoader, MNISTSample, TensorDataset, load_mnist

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "docs" / "images"
# The normalisation of examples/train_mnist.py, so that its checkpoints work here.
MEAN, STD = 0.1307, 0.3081
DIVERGING = {"RdBu", "RdBu_r", "coolwarm", "bwr", "seismic"}
PLOT_HINT = 'matplotlib is not installed: pip install -e ".[plot]" to get the pictures'


@lru_cache(maxsize=4)
def _split(train, full):
    """(uint8 images (N, 28, 28), int64 labels) of one split, read once per process."""
    if full:
        dataset = load_mnist(train=train, download=False)
    else:
        dataset = MNISTSample(train=train)
    return dataset.data, dataset.targets  # callers get copies (digits), never these arrays


def digits(train=True, count=None, first=0):
    """MNIST images ``first`` to ``first + count`` as float32 (N, 28, 28) in [0, 1] and their
    int64 labels.

    The first 5,000 training and 1,000 test images are those of the sample shipped with
    minigrad, so they are read from it (identical, offline, quick); more need the full data
    set ($MINIGRAD_DATA); without it ``load_mnist`` says so and returns the sample's.
    """
    sample_size = 5000 if train else 1000
    end = None if count is None else first + count
    data, targets = _split(train, end is None or end > sample_size)
    return data[first:end].astype(np.float32) / 255, targets[first:end].copy()


def normalise(images):
    """(N, 28, 28) images in [0, 1] -> (N, 1, 28, 28) Tensor, normalised as train_mnist.py."""
    return mg.from_numpy(((images - MEAN) / STD).astype(np.float32)[:, None])


def trained_seed(checkpoint=None, epochs=1, count=5000, seed=0):
    """The ``seed`` CNN (conv 8@3x3 -> max pool -> dense 10) and its accuracy on the first
    1,000 test images.

    From a checkpoint of examples/train_mnist.py if given, else trained here for ``epochs``
    on the first ``count`` training images (one epoch on the shipped 5,000 takes ~0.3 s):
    batch 64, SGD with momentum 0.9, lr 0.02, as train_mnist.py trains it.
    """
    mg.manual_seed(seed)
    model = models.create("seed")
    if checkpoint:
        model.load_state_dict(mg.load(checkpoint)["model"])
    else:
        images, labels = digits(True, count)
        loader = DataLoader(TensorDataset(normalise(images), labels), batch_size=64, shuffle=True)
        optimizer = optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
        for _ in range(epochs):
            for x, y in loader:
                loss = F.cross_entropy(model(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
    images, labels = digits(False, 1000)
    accuracy = float((model.predict(normalise(images)) == labels).mean())
    return model, accuracy


def images_per_second(step, images, repeat=3, min_seconds=0.2):
    """Images per second of ``step()``, which handles ``images`` images: the best of
    ``repeat`` timings of as many calls as fill ``min_seconds``."""
    step()  # warm-up: first calls allocate
    best = 0.0
    for _ in range(repeat):
        calls, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < min_seconds or calls == 0:
            step()
            calls += 1
        best = max(best, calls * images / elapsed)
    return best


def markdown_table(headers, rows):
    """A markdown table; floats as given by the caller (format them before)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def parser(description, out=True):
    """An argument parser with ``--out`` (the folder for the PNGs); ``description`` (the
    demo's docstring) is shown as written."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    if out:
        parser.add_argument(
            "--out", type=Path, default=DEFAULT_OUT, help=f"folder for the PNGs ({DEFAULT_OUT})"
        )
    return parser


def pyplot():
    """matplotlib.pyplot on the file-only Agg backend, or None (after saying how to get it)."""
    try:
        import matplotlib
    except ImportError:
        print(PLOT_HINT)
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save(figure, out, name):
    """Write ``figure`` to ``out/name``, close it and say where it went; returns the path."""
    import matplotlib.pyplot as plt

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / name
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)
    print(f"wrote {path}")
    return path


def show_map(
    axes,
    array,
    title=None,
    cmap="gray",
    symmetric=False,
    values=False,
    fmt="{:.2f}",
    limits=None,
):
    """One 2-D array as an image without ticks; ``symmetric`` centres the colours on 0
    (for signed maps), ``limits`` (low, high) fixes the colour range (to compare maps),
    ``values`` writes each cell's value on it (small arrays only)."""
    limit = float(np.abs(array).max()) or 1.0
    if limits is None:
        limits = (-limit, limit) if symmetric else (float(array.min()), float(array.max()))
    bounds = {"vmin": limits[0], "vmax": limits[1]}
    axes.imshow(array, cmap=cmap, **bounds)
    axes.set_xticks([])
    axes.set_yticks([])
    if title:
        axes.set_title(title, fontsize=10)
    if values:
        low, high = limits
        for (i, j), value in np.ndenumerate(array):
            # Light text on dark cells: the low end of gray, both ends of a diverging map,
            # the high end of the other (sequential) maps.
            where = (value - low) / ((high - low) or 1.0)
            if cmap == "gray":
                dark = where < 0.5
            elif cmap in DIVERGING:
                dark = abs(where - 0.5) > 0.3
            else:
                dark = where > 0.6
            colour = "white" if dark else "black"
            axes.text(j, i, fmt.format(value), ha="center", va="center", color=colour, fontsize=8)
