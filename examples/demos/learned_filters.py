"""What the network learned (founding documents 002 and 004): the trained 3x3 filters of the
seed CNN's convolution and the feature maps they make of a few digits.

    python -m examples.demos.learned_filters [--epochs 1] [--checkpoint runs/seed.ckpt]

Each filter is compared with document 004's classic kernels (and their negatives) by cosine
similarity; the feature maps are checked against a numpy correlation with the same filters.
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
from examples.demos.kernels import KERNELS, correlate

DIGITS = [0, 1, 2]  # first test images: a 7, a 2 and a 1


def cosine(a, b):
    return float((a * b).sum() / (np.linalg.norm(a) * np.linalg.norm(b)))


def nearest_kernel(weight):
    """The classic kernel (or negated one) most similar to a 3x3 ``weight``: (name, cosine)."""
    candidates = {}
    for name, kernel in KERNELS.items():
        candidates[name] = cosine(weight, kernel)
        candidates["-" + name] = -candidates[name]
    # The 'mean' kernel: a filter that mostly measures brightness, not edges.
    candidates["average"] = cosine(weight, np.ones((3, 3)))
    candidates["-average"] = -candidates["average"]
    name = max(candidates, key=candidates.get)
    return name, candidates[name]


def run(checkpoint=None, epochs=3, indices=DIGITS):
    """The filters (8, 3, 3) after ``epochs`` on the sample (or from a checkpoint) and
    before training, the feature maps (len(indices), 8, 26, 26) of test digits ``indices``,
    per filter its nearest classic kernel, the model's test accuracy, and the largest
    difference between the maps and a numpy correlation."""
    initial_model, _ = trained_seed(epochs=0)  # same seed: the filters before training
    model, accuracy = trained_seed(checkpoint, epochs=epochs)
    weight = model.features[0].weight
    images = digits(False, max(indices) + 1)[0][indices]
    with mg.no_grad():
        maps = F.conv2d(normalise(images), weight).numpy()
    filters = weight.numpy()[:, 0]
    x = normalise(images).numpy()[:, 0].astype(np.float64)
    reference = np.stack([[correlate(image, f.astype(np.float64)) for f in filters] for image in x])
    return {
        "accuracy": accuracy,
        "filters": filters,
        "initial": initial_model.features[0].weight.numpy()[:, 0],
        "images": images,
        "maps": maps,
        "nearest": [nearest_kernel(f) for f in filters],
        "initial_nearest": [
            nearest_kernel(f) for f in initial_model.features[0].weight.numpy()[:, 0]
        ],
        "map_error": float(np.abs(maps - reference).max()),
    }


def report(result):
    rows = []
    for k, (f, (name, similarity)) in enumerate(zip(result["filters"], result["nearest"])):
        rows.append(
            [k, f"{f.min():+.2f}", f"{f.max():+.2f}", f"{f.sum():+.2f}", name, f"{similarity:.2f}"]
        )
    headers = ["filter", "min", "max", "sum", "most similar classic kernel", "cosine"]
    changed = np.abs(result["filters"] - result["initial"]).max()
    return (
        f"seed CNN, {result['accuracy']:.1%} on the first 1,000 test digits; its 8 filters "
        f"(largest change in training {changed:.2f}):\n\n{markdown_table(headers, rows)}\n\n"
        "mean cosine to the most similar classic kernel: "
        f"{np.mean([c for _, c in result['initial_nearest']]):.2f} for the random initial "
        f"filters, {np.mean([c for _, c in result['nearest']]):.2f} for the trained ones\n"
        f"feature maps {result['maps'].shape}: largest difference from a numpy correlation "
        f"{result['map_error']:.1e}"
    )


def plot(result, out):
    plt = pyplot()
    if plt is None:
        return []
    count = len(result["filters"])
    rows = 2 + len(result["images"])
    figure, axes = plt.subplots(rows, count + 1, figsize=(1.5 * (count + 1), 1.6 * rows))
    for row, filters in enumerate((result["initial"], result["filters"])):
        axes[row, 0].axis("off")
        text = (
            "initial\nfilters"
            if row == 0
            else "trained\nfilters\n(titles: nearest\nclassic kernel)"
        )
        axes[row, 0].text(0.5, 0.5, text, ha="center", va="center")
        limit = float(np.abs(filters).max())
        for k, f in enumerate(filters):
            title = f"filter {k}" if row == 0 else result["nearest"][k][0].replace(" ", "\n")
            show_map(axes[row, k + 1], f, title, cmap="RdBu_r", limits=(-limit, limit))
    for row, (image, maps) in enumerate(zip(result["images"], result["maps"]), start=2):
        show_map(axes[row, 0], image)
        for k, feature_map in enumerate(maps):
            show_map(axes[row, k + 1], feature_map, cmap="RdBu_r", symmetric=True)
    figure.suptitle(
        f"The seed CNN's first convolution ({result['accuracy']:.0%} test accuracy): its filters "
        "before and after training,\nand the feature maps of three test digits "
        "(red: positive, blue: negative)"
    )
    figure.tight_layout()
    return [save(figure, out, "learned_filters.png")]


def main(argv=None):
    p = parser(__doc__)
    p.add_argument("--epochs", type=int, default=3, help="training epochs on the sample (3)")
    p.add_argument("--checkpoint", help="a train_mnist.py checkpoint of the seed model")
    args = p.parse_args(argv)
    result = run(args.checkpoint, args.epochs)
    print(report(result))
    plot(result, args.out)
    return result


if __name__ == "__main__":
    main()
