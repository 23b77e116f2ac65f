"""Classic kernels (founding document 004): sharpening, horizontal and vertical edges, applied
to an MNIST digit with ``F.conv2d`` and checked against a direct numpy correlation.

    python -m examples.demos.kernels [--index 1]

``F.conv2d`` computes a cross-correlation, as PyTorch's and every deep-learning library's
"convolution" does: the kernel slides over the image unflipped. Document 004 filters with
``scipy.signal.convolve2d``, a true convolution, which flips the kernel in both directions
first. The symmetric sharpening kernel does not care; each edge kernel flips into its own
negative, so the document's edge maps are minus these.
"""

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
from examples.demos._common import digits, markdown_table, parser, pyplot, save, show_map

SHARPEN = -np.ones((3, 3))
SHARPEN[1, 1] = 9
HORIZONTAL_EDGE = np.zeros((3, 3))
HORIZONTAL_EDGE[0], HORIZONTAL_EDGE[2] = 1, -1
VERTICAL_EDGE = np.zeros((3, 3))
VERTICAL_EDGE[:, 0], VERTICAL_EDGE[:, 2] = 1, -1
KERNELS = {"sharpen": SHARPEN, "horizontal edge": HORIZONTAL_EDGE, "vertical edge": VERTICAL_EDGE}


def correlate(image, kernel):
    """'Valid' cross-correlation in plain numpy: out[i, j] = sum(image window * kernel)."""
    kh, kw = kernel.shape
    windows = np.lib.stride_tricks.sliding_window_view(image, (kh, kw))
    return np.einsum("ijkl,kl->ij", windows, kernel)


def convolve(image, kernel):
    """'Valid' true convolution (scipy's ``convolve2d``): correlation with the kernel flipped."""
    return correlate(image, kernel[::-1, ::-1])


def apply_kernels(image):
    """Each kernel through ``F.conv2d`` on ``image`` (H, W): {name: (H-2, W-2) array}."""
    weight = mg.tensor(np.stack(list(KERNELS.values()))[:, None].astype(image.dtype))
    maps = F.conv2d(mg.tensor(image[None, None]), weight).numpy()[0]
    return dict(zip(KERNELS, maps))


def run(index=1):
    """Training digit ``index`` through each kernel (document 004 filters its X_train[1], the
    second digit of its own shuffled split of all 70,000, not MNIST's training digit 1), and
    per kernel: the largest difference from numpy's correlation (of the float64 image; for
    F.conv2d in float32 and in float64), from the document's convolution, and from minus
    that convolution."""
    image = digits(True, 1, first=index)[0][0].astype(np.float64)
    maps = apply_kernels(image)
    maps32 = apply_kernels(image.astype(np.float32))
    checks = {}
    for name, kernel in KERNELS.items():
        reference = correlate(image, kernel)
        checks[name] = {
            "correlation float32": float(np.abs(maps32[name] - reference).max()),
            "correlation": float(np.abs(maps[name] - reference).max()),
            "convolution": float(np.abs(maps[name] - convolve(image, kernel)).max()),
            "minus convolution": float(np.abs(maps[name] + convolve(image, kernel)).max()),
        }
    return {"image": image, "maps": maps, "checks": checks}


def report(result):
    rows = [
        [
            name,
            f"{c['correlation float32']:.1e}",
            f"{c['correlation']:.1e}",
            f"{c['convolution']:.2f}",
            f"{c['minus convolution']:.2f}",
        ]
        for name, c in result["checks"].items()
    ]
    headers = [
        "kernel",
        "F.conv2d - numpy correlation: float32",
        "float64",
        "F.conv2d - convolve2d (document 004)",
        "F.conv2d + convolve2d",
    ]
    kernels = "\n".join(f"{name}:\n{kernel.astype(int)}" for name, kernel in KERNELS.items())
    return (
        f"{kernels}\n\nOn a 28x28 digit, the largest absolute difference between maps "
        f"(26x26, values up to ~10):\n\n{markdown_table(headers, rows)}"
    )


def plot(result, out):
    plt = pyplot()
    if plt is None:
        return []
    figure, axes = plt.subplots(2, 4, figsize=(12, 6.6), height_ratios=[1, 2.2])
    axes[0, 0].axis("off")
    axes[0, 0].text(
        0.5, 0.5, "kernel\n(F.conv2d slides it\nunflipped)", ha="center", va="center", fontsize=11
    )
    show_map(axes[1, 0], result["image"], "digit (28x28)")
    for column, (name, kernel) in enumerate(KERNELS.items(), start=1):
        show_map(
            axes[0, column], kernel, name, cmap="RdBu_r", symmetric=True, values=True, fmt="{:.0f}"
        )
        show_map(
            axes[1, column],
            result["maps"][name],
            f"{name} map (26x26)",
            cmap="RdBu_r",
            symmetric=True,
        )
    figure.suptitle("Document 004's kernels through F.conv2d (red: positive, blue: negative)")
    return [save(figure, out, "kernels.png")]


def main(argv=None):
    p = parser(__doc__)
    p.add_argument("--index", type=int, default=1, help="training digit to filter (1)")
    args = p.parse_args(argv)
    result = run(args.index)
    print(report(result))
    plot(result, args.out)
    return result


if __name__ == "__main__":
    main()
