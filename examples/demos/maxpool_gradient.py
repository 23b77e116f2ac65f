"""Where max pooling sends the gradient: all of it to the window's maximum, zeros elsewhere;
with tied maxima, to the first one only (PyTorch's rule, and minigrad's).

    python -m examples.demos.maxpool_gradient

Founding documents 000, 001 and 004 copy the gradient to every element equal to the maximum
(document 002 keeps the first, as PyTorch does). With k tied maxima that sends k times the
gradient back. The directional derivative shows which is right: raising the whole window by
t raises its maximum by t, so the derivative along the window's all-ones direction is 1, and
it must equal the sum of the routed gradient (minigrad: 1; the documents' rule: k). The last
table shows that ties are common on real digits in the documents' own networks, and how much
the documents' rule changes their filter gradients there.
"""

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
from examples.demos._common import digits, markdown_table, parser, pyplot, save, show_map

# 2x2 windows: a single maximum (top left), two tied (top right), one (bottom left), four.
EXAMPLE = np.array(
    [
        [1.0, 3.0, 5.0, 5.0],
        [4.0, 2.0, 0.0, 1.0],
        [0.0, 7.0, 6.0, 6.0],
        [2.0, 1.0, 6.0, 6.0],
    ]
)
# Distinct upstream gradients, so each one can be followed to where it lands.
GRAD_OUT = np.array([[0.1, 0.2], [0.3, 0.4]])


def routed_gradient(x, grad_out, kernel_size=2):
    """minigrad's gradient of ``max_pool2d`` w.r.t. ``x`` (H, W) for upstream ``grad_out``."""
    x = mg.tensor(x[None, None], requires_grad=True)
    F.max_pool2d(x, kernel_size).backward(mg.tensor(grad_out[None, None]))
    return x.grad.numpy()[0, 0]


def documents_rule(x, grad_out, kernel_size=2):
    """The founding documents' backward: the window's gradient copied to every element equal
    to the window's maximum (written anew here, loops and all)."""
    grad = np.zeros_like(x)
    for i in range(x.shape[0] // kernel_size):
        for j in range(x.shape[1] // kernel_size):
            rows = slice(i * kernel_size, (i + 1) * kernel_size)
            cols = slice(j * kernel_size, (j + 1) * kernel_size)
            window = x[rows, cols]
            grad[rows, cols] = (window == window.max()) * grad_out[i, j]
    return grad


def directional_derivatives(x, kernel_size=2, t=1e-3):
    """Per window: (pool(x + t d) - pool(x - t d)) / 2t, d the window's all-ones indicator,
    by central differences in float64 (the window's own pooled output)."""
    ho, wo = x.shape[0] // kernel_size, x.shape[1] // kernel_size
    result = np.zeros((ho, wo))
    for i in range(ho):
        for j in range(wo):
            d = np.zeros_like(x)
            d[i * kernel_size : (i + 1) * kernel_size, j * kernel_size : (j + 1) * kernel_size] = 1

            up, down = (
                F.max_pool2d(mg.tensor(y[None, None]), kernel_size) for y in (x + t * d, x - t * d)
            )
            result[i, j] = (up.numpy()[0, 0, i, j] - down.numpy()[0, 0, i, j]) / (2 * t)
    return result


def window_sums(grad, kernel_size=2):
    """The sum of ``grad`` (H, W) over each non-overlapping window: (H/k, W/k)."""
    h, w = grad.shape[0] // kernel_size, grad.shape[1] // kernel_size
    return grad.reshape(h, kernel_size, w, kernel_size).sum(axis=(1, 3))


def tie_counts(x, kernel_size=2):
    """How many elements of each window equal its maximum: (H/k, W/k) ints."""
    h, w = x.shape[0] // kernel_size, x.shape[1] // kernel_size
    windows = x.reshape(h, kernel_size, w, kernel_size)
    return (windows == windows.max(axis=(1, 3), keepdims=True)).sum(axis=(1, 3))


def _head_000(rng):
    """Document 000 after the pool: dense 20 sigmoid -> dense 10, cross-entropy; weights
    randn / fan_in (the code it builds on)."""
    w1 = mg.tensor(rng.standard_normal((20, 8 * 13 * 13)) / (8 * 13 * 13))
    w2 = mg.tensor(rng.standard_normal((10, 20)) / 20)
    return lambda pooled, label: F.cross_entropy(
        (pooled.reshape(1, -1) @ w1.T).sigmoid() @ w2.T, mg.tensor([label])
    )


def _head_001(rng):
    """Document 001 after the pool: dense 1 (randn / fan_in) -> sigmoid, binary
    cross-entropy."""
    w = mg.tensor(rng.standard_normal((1, 8 * 13 * 13)) / (8 * 13 * 13))
    return lambda pooled, label: F.binary_cross_entropy_with_logits(
        (pooled.reshape(1, -1) @ w.T).reshape(1), mg.tensor([float(label)])
    )


# The documents' settings: (digits, pixel offset, filter scale, activation, head).
SETTINGS = {
    "document 000: pixels / 255 -> conv (randn / 9) -> sigmoid -> pool -> dense 20 -> dense 10":
        (range(10), 0.0, 9, mg.sigmoid, _head_000),
    "document 001: pixels / 255 - 0.5 -> conv (randn / 10) -> pool -> dense 1, zeros and ones":
        ((0, 1), 0.5, 10, None, _head_001),
}  # fmt: skip


def ties_in_practice(count=50, seed=0):
    """The documents' rule on real digits: per setting of ``SETTINGS`` (each document's
    network at its initialisation, no conv bias), over its first ``count`` training digits,
    the share of pooling windows with tied maxima and the mean relative change
    ||g_documents - g|| / ||g|| of the filter gradient g (autograd's) that the documents'
    rule makes. Returns {setting: (share, change)}."""
    images, labels = digits(True, 2000)
    result = {}
    for name, (classes, offset, scale, activation, head) in SETTINGS.items():
        keep = np.isin(labels, classes)
        rng = np.random.default_rng(seed)
        weight = mg.tensor(rng.standard_normal((8, 1, 3, 3)) / scale, requires_grad=True)
        loss_of = head(rng)
        ties, changes = [], []
        for image, label in zip(images[keep][:count], labels[keep][:count]):
            x = mg.tensor((image - offset)[None, None].astype(np.float64))
            conv = F.conv2d(x, weight)
            maps = activation(conv) if activation else conv
            pooled = F.max_pool2d(maps, 2)
            d_pooled, true = mg.autograd.grad(
                loss_of(pooled, int(label)), [pooled, weight], retain_graph=True
            )
            # The documents' rule from the pooled maps' gradient to the maps, then the
            # (correct) activation and convolution backward down to the filters.
            per_channel = zip(maps.numpy()[0], d_pooled.numpy()[0])
            d_maps = np.stack([documents_rule(m, g) for m, g in per_channel])[None]
            (documents,) = mg.autograd.grad(maps, [weight], grad_outputs=mg.tensor(d_maps))
            ties.append((tie_counts_all(maps.numpy()[0]) > 1).mean())
            changes.append(
                np.linalg.norm((documents - true).numpy()) / np.linalg.norm(true.numpy())
            )
        result[name] = (float(np.mean(ties)), float(np.mean(changes)))
    return result


def tie_counts_all(maps):
    """``tie_counts`` of every channel of maps (C, H, W): (C, H/2, W/2)."""
    return np.stack([tie_counts(m) for m in maps])


def run():
    """Everything the demo shows, as arrays: the example, both routings, the window sums and
    the directional derivatives (grad_out = 1 per window), the ties in practice."""
    ones = np.ones_like(GRAD_OUT)
    return {
        "x": EXAMPLE,
        "grad_out": GRAD_OUT,
        "minigrad": routed_gradient(EXAMPLE, GRAD_OUT),
        "documents": documents_rule(EXAMPLE, GRAD_OUT),
        "ties": tie_counts(EXAMPLE),
        "directional": directional_derivatives(EXAMPLE),
        "sum_minigrad": window_sums(routed_gradient(EXAMPLE, ones)),
        "sum_documents": window_sums(documents_rule(EXAMPLE, ones)),
        "ties_in_practice": ties_in_practice(),
    }


def report(result):
    x = result["x"]
    pooled = x.reshape(2, 2, 2, 2).max(axis=(1, 3))
    rows = []
    for (i, j), ties in np.ndenumerate(result["ties"]):
        window = x[2 * i : 2 * i + 2, 2 * j : 2 * j + 2]
        rows.append(
            [
                f"({i}, {j})",
                str(window.tolist()),
                f"{pooled[i, j]:g}",
                ties,
                f"{result['directional'][i, j]:.6f}",
                f"{result['sum_minigrad'][i, j]:g}",
                f"{result['sum_documents'][i, j]:g}",
            ]
        )
    headers = [
        "window",
        "values",
        "max",
        "tied maxima",
        "directional derivative",
        "sum of routed gradient: minigrad",
        "documents' rule",
    ]
    practice = markdown_table(
        ["setting, at its initialisation (50 training digits)", "windows with tied maxima",
         "change of the filter gradient by the documents' rule"],
        [[name, f"{share:.1%}", f"{change:.0%}"]
         for name, (share, change) in result["ties_in_practice"].items()],
    )  # fmt: skip
    return (
        f"input (2x2 windows):\n{x}\n\nmax pooled:\n{pooled}\n\n"
        f"upstream gradient:\n{result['grad_out']}\n\n"
        f"minigrad's gradient (the first maximum of each window, row-major, as PyTorch):\n"
        f"{result['minigrad']}\n\n"
        f"the documents' rule (every element equal to the maximum):\n{result['documents']}\n\n"
        f"With upstream gradient 1 per window:\n\n{markdown_table(headers, rows)}\n\n"
        "Ties in practice: blank background and saturated strokes give equal neighbouring\n"
        f"conv outputs, hence tied windows, and the documents' rule changes the gradient.\n\n"
        f"{practice}"
    )


def plot(result, out):
    plt = pyplot()
    if plt is None:
        return []
    figure, axes = plt.subplots(1, 3, figsize=(12, 4.4))
    title = "input: maxima framed\n(dashed: tied, no gradient in minigrad)"
    show_map(axes[0], result["x"], title, cmap="Greys", values=True, fmt="{:g}", limits=(0, 14))
    first = result["minigrad"] != 0
    for (i, j), value in np.ndenumerate(result["x"]):
        window = result["x"][i // 2 * 2 : i // 2 * 2 + 2, j // 2 * 2 : j // 2 * 2 + 2]
        if value == window.max():
            style = "-" if first[i, j] else "--"
            axes[0].add_patch(
                plt.Rectangle(
                    (j - 0.45, i - 0.45),
                    0.9,
                    0.9,
                    fill=False,
                    edgecolor="tab:red",
                    linewidth=2,
                    linestyle=style,
                )
            )
    for name, axis, title in (
        ("minigrad", axes[1], "minigrad / PyTorch: first maximum only"),
        ("documents", axes[2], "documents: every tied maximum"),
    ):
        show_map(axis, result[name], title, cmap="Blues", values=True, fmt="{:g}", limits=(0, 0.5))
    for axis in axes:
        for k in (1.5,):  # the window borders
            axis.axhline(k, color="black", linewidth=2)
            axis.axvline(k, color="black", linewidth=2)
    figure.suptitle(
        "Max-pool backward, upstream gradient [[0.1, 0.2], [0.3, 0.4]]: a window with k tied\n"
        "maxima sends back its gradient once (minigrad) or k times (the documents)"
    )
    return [save(figure, out, "maxpool_gradient.png")]


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    result = run()
    print(report(result))
    plot(result, args.out)
    return result


if __name__ == "__main__":
    main()
