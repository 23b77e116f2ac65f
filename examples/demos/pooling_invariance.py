"""Max pooling absorbs small shifts: a digit moved by one pixel changes the convolution's map a
lot, its pooled map a little less and the twice-pooled map much less (founding document 001,
and 003's "translational invariance").

    python -m examples.demos.pooling_invariance [--count 500] [--checkpoint runs/seed.ckpt]

The seed CNN (conv 8@3x3 -> max pool 2) is trained for one epoch on the shipped sample, or
loaded from a train_mnist.py checkpoint. For each test digit and each one-pixel shift (up,
down, left, right) it compares the maps of the digit and of its shifted copy at the same
positions: their correlation (each channel centred on its mean) and relative difference
(||a - b|| / ||a||), for the input, the conv map, after one 2x2 max pool and after a second
one. Then document 001's toy pair: three dots in a column and the same moved down one row
give different conv maps and identical pooled maps.
"""

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
from examples.demos._common import (
    digits,
    markdown_table,
    normalise,
    parser,
    pyplot,
    save,
    show_map,
    trained_seed,
)

SHIFTS = {"down": (1, 0), "up": (-1, 0), "right": (0, 1), "left": (0, -1)}
STAGES = ["input", "conv", "pool", "pool x2"]

# Document 001's toy images: dots in column 4 at rows 0, 2, 4, and the same one row lower.
TOY_IMAGE = np.zeros((6, 6), np.float32)
TOY_IMAGE[[0, 2, 4], 4] = 1
TOY_SHIFTED = np.zeros((6, 6), np.float32)
TOY_SHIFTED[[1, 3, 5], 4] = 1


def shift(images, dy, dx):
    """Images (N, H, W) moved by (dy, dx) pixels, with zeros coming in (no wrap-around)."""
    h, w = images.shape[1:]
    out = np.zeros_like(images)
    out[:, max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = images[
        :, max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
    ]
    return out


@mg.no_grad()
def stages(model, images):
    """The maps of ``images`` (N, 28, 28) at each stage: {stage: array (N, ...)}."""
    conv = model.features[0]
    x = normalise(images)
    maps = {"input": x, "conv": F.conv2d(x, conv.weight, conv.bias)}
    maps["pool"] = F.max_pool2d(maps["conv"], 2)
    maps["pool x2"] = F.max_pool2d(maps["pool"], 2)
    return {name: t.numpy() for name, t in maps.items()}


def compare(a, b):
    """Per image: the correlation of maps a and b (N, C, H, W) and ||a - b|| / ||a||.

    Each channel is centred on its own mean before the correlation: channels have different
    background levels, and centring on one mean over all of them would count those
    unshifted levels as agreement."""
    a, b = (x.reshape(len(x), x.shape[1], -1).astype(np.float64) for x in (a, b))
    da, db = a - a.mean(2, keepdims=True), b - b.mean(2, keepdims=True)
    correlation = (da * db).sum((1, 2)) / np.sqrt((da**2).sum((1, 2)) * (db**2).sum((1, 2)))
    relative = np.linalg.norm((a - b).reshape(len(a), -1), axis=1) / np.linalg.norm(
        a.reshape(len(a), -1), axis=1
    )
    return correlation, relative


def invariance(model, images):
    """Mean correlation and relative difference between the maps of ``images`` and of their
    one-pixel shifts (all four directions), per stage: {stage: dict(shape, correlation,
    relative, per_shift={direction: correlation})}."""
    original = stages(model, images)
    result = {
        s: {"shape": original[s].shape[1:], "corr": [], "rel": [], "per_shift": {}} for s in STAGES
    }
    for direction, (dy, dx) in SHIFTS.items():
        moved = stages(model, shift(images, dy, dx))
        for s in STAGES:
            correlation, relative = compare(original[s], moved[s])
            result[s]["corr"].append(correlation)
            result[s]["rel"].append(relative)
            result[s]["per_shift"][direction] = float(correlation.mean())
    for entry in result.values():
        entry["correlation"] = float(np.mean(entry.pop("corr")))
        entry["relative"] = float(np.mean(entry.pop("rel")))
    return result


@mg.no_grad()
def toy_pair(weight):
    """Document 001's toy pair through conv (``weight`` (C, 1, 3, 3)) and a 2x2 max pool:
    {name: (conv maps (C, 4, 4), pooled maps (C, 2, 2))} for 'image' and 'shifted'."""
    result = {}
    for name, image in (("image", TOY_IMAGE), ("shifted", TOY_SHIFTED)):
        conv = F.conv2d(mg.from_numpy(image[None, None].astype(weight.dtype)), weight)
        result[name] = (conv.numpy()[0], F.max_pool2d(conv, 2).numpy()[0])
    return result


def run(count=500, checkpoint=None):
    """Everything the demo shows: the trained model's accuracy, the invariance table over the
    first ``count`` test digits, the toy pair (which must pool to identical maps)."""
    model, accuracy = trained_seed(checkpoint)
    images, labels = digits(train=False, count=count)
    toy = toy_pair(model.features[0].weight)
    # Identical for any filter: both conv maps alternate the same two rows, in swapped order,
    # and every 2x2 window takes the larger of the two.
    assert np.array_equal(toy["image"][1], toy["shifted"][1]), "toy pair: pooled maps differ"
    assert not np.array_equal(toy["image"][0], toy["shifted"][0])
    return {
        "accuracy": accuracy,
        "count": count,
        "table": invariance(model, images),
        "toy": toy,
        "model": model,
        "images": images,
    }


def report(result):
    """The numbers as markdown tables."""
    rows = []
    for stage, entry in result["table"].items():
        shape = "x".join(map(str, entry["shape"]))
        per_shift = " / ".join(f"{v:.3f}" for v in entry["per_shift"].values())
        rows.append(
            [stage, shape, f"{entry['correlation']:.3f}", f"{entry['relative']:.3f}", per_shift]
        )
    headers = [
        "stage",
        "map (CxHxW)",
        "correlation",
        "relative difference",
        "correlation " + " / ".join(SHIFTS),
    ]
    conv, pooled = result["toy"]["image"][0][0], result["toy"]["image"][1][0]
    moved_conv, moved_pool = result["toy"]["shifted"][0][0], result["toy"]["shifted"][1][0]
    return (
        f"Seed CNN ({result['accuracy']:.1%} on the first 1,000 test digits); "
        f"{result['count']} test digits x 4 one-pixel shifts, maps compared at the same "
        f"positions:\n\n{markdown_table(headers, rows)}\n\n"
        "Document 001's toy pair (filter 0 of the trained conv):\n"
        f"conv map, dots at rows 0,2,4:\n{np.array2string(conv, precision=3)}\n"
        f"conv map, dots at rows 1,3,5:\n{np.array2string(moved_conv, precision=3)}\n"
        f"pooled: {np.array2string(pooled, precision=3)} and "
        f"{np.array2string(moved_pool, precision=3)}: identical for all "
        f"{len(result['toy']['image'][1])} filters"
    )


def plot(result, out):
    plt = pyplot()
    if plt is None:
        return []
    # The invariance figure: one digit and its copy moved right, at every stage.
    model, images = result["model"], result["images"][:1]
    original, moved = stages(model, images), stages(model, shift(images, 0, 1))
    channel = int(np.argmax(original["conv"][0].std(axis=(1, 2))))  # the busiest filter
    figure = plt.figure(figsize=(13, 6.2))
    grid = figure.add_gridspec(3, 6, width_ratios=[1, 1, 1, 1, 0.15, 2.2])
    for column, stage in enumerate(STAGES):
        a, b = original[stage][0], moved[stage][0]
        a, b = (a[0], b[0]) if stage == "input" else (a[channel], b[channel])
        size = "x".join(map(str, a.shape))
        # One colour scale per column, so the difference shows on the maps' own scale.
        low, high = float(min(a.min(), b.min())), float(max(a.max(), b.max()))
        span = high - low
        show_map(figure.add_subplot(grid[0, column]), a, f"{stage} ({size})", limits=(low, high))
        show_map(
            figure.add_subplot(grid[1, column]), b, "moved right by 1 pixel", limits=(low, high)
        )
        title = "difference"
        show_map(
            figure.add_subplot(grid[2, column]), b - a, title, cmap="RdBu_r", limits=(-span, span)
        )
    bars = figure.add_subplot(grid[:, 5])
    table = result["table"]
    values = [table[s]["correlation"] for s in STAGES]
    bars.bar(STAGES, values, color=["0.6", "tab:blue", "tab:orange", "tab:red"])
    for x, value in enumerate(values):
        bars.text(x, value + 0.01, f"{value:.2f}", ha="center")
    bars.set_ylim(0, 1.05)
    bars.set_ylabel("correlation with the shifted digit's map")
    bars.set_title(f"mean over {result['count']} digits x 4 shifts", fontsize=10)
    figure.suptitle(
        f"A digit moved by one pixel, compared at the same positions (conv filter {channel});\n"
        "the differences share their maps' colour scale; right: the mean over many digits"
    )
    paths = [save(figure, out, "pooling_invariance.png")]

    # The toy pair: conv maps differ, pooled maps do not.
    figure, axes = plt.subplots(2, 3, figsize=(8, 5.6))
    for row, (name, image) in enumerate((("image", TOY_IMAGE), ("shifted", TOY_SHIFTED))):
        conv, pooled = result["toy"][name]
        show_map(
            axes[row, 0],
            image,
            "dots at rows " + ("0,2,4" if row == 0 else "1,3,5"),
            values=True,
            fmt="{:.0f}",
        )
        show_map(
            axes[row, 1], conv[0], "conv 3x3 (4x4)", cmap="RdBu_r", symmetric=True, values=True
        )
        show_map(
            axes[row, 2],
            pooled[0],
            "max pool 2x2 (2x2)",
            cmap="RdBu_r",
            symmetric=True,
            values=True,
        )
    figure.suptitle("Document 001's toy pair: the pooled outputs are identical")
    paths.append(save(figure, out, "pooling_toy_pair.png"))
    return paths


def main(argv=None):
    p = parser(__doc__)
    p.add_argument("--count", type=int, default=500, help="test digits to compare (500)")
    p.add_argument("--checkpoint", help="a train_mnist.py checkpoint of the seed model")
    args = p.parse_args(argv)
    result = run(args.count, args.checkpoint)
    print(report(result))
    plot(result, args.out)
    return result


if __name__ == "__main__":
    main()
