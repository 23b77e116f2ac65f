"""Output size and receptive field of stride, padding and dilation (founding document 003's
"receptive field, zero-padding, strides"; document 002's (size - filter) / stride + 1).

    python -m examples.demos.output_size

Per dimension, output = (size + 2 padding - dilation (kernel - 1) - 1) // stride + 1, and
each layer widens the receptive field by dilation (kernel - 1) times the product of the
strides before it. Both come from ``F.conv_output_size`` and ``F.receptive_field``; the
output size is the very function the ops and the error messages of F.conv2d and the pools
call. The tables check them against the shapes F.conv2d and F.max_pool2d actually return,
and the receptive field against the input pixels that the gradient of one output element
reaches.
"""

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
import models
from examples.demos._common import markdown_table, parser
from minigrad import nn

# One layer each, on a 28x28 input: (op, kernel_size, stride, padding, dilation).
SINGLE = [
    ("conv", 3, 1, 0, 1),  # the documents' convolution
    ("conv", 3, 1, 1, 1),  # 'same' padding
    ("conv", 5, 1, 2, 1),  # LeNet-5's first layer on 28x28
    ("conv", 3, 2, 1, 1),  # a downsampling convolution
    ("conv", 3, 3, 0, 1),  # stride 3: floor drops the last column
    ("conv", 3, 1, 0, 2),  # dilation 2: a 5x5 field with 9 weights
    ("conv", 7, 2, 3, 1),  # ResNet's stem
    ("pool", 2, 2, 0, 1),  # the documents' max pool
    ("pool", 3, 2, 0, 1),  # overlapping pooling (AlexNet)
    ("pool", 3, 2, 1, 1),
]


def as_layer(module):
    """A geometric layer ``(op, kernel, stride, padding, dilation)`` from an nn module, or
    None for layers that keep the spatial size (activations, ...)."""
    if isinstance(module, nn.Conv2d):
        op = "conv"
    elif isinstance(module, nn.MaxPool2d | nn.AvgPool2d):
        op = "pool"
    else:
        return None
    return (op, module.kernel_size, module.stride, module.padding, getattr(module, "dilation", 1))


def computed(layers, size=28):
    """Per layer, from the formulas alone: (output (h, w), receptive field (h, w))."""
    rows = []
    for k, (_, kernel, stride, padding, dilation) in enumerate(layers):
        size = F.conv_output_size(size, kernel, stride, padding, dilation)
        field = F.receptive_field(
            [{"kernel_size": kk, "stride": s, "dilation": d} for _, kk, s, _, d in layers[: k + 1]]
        )
        rows.append((size, field))
    return rows


def measured(layers, size=28):
    """Per layer, by running the ops: (output (h, w) of F.conv2d / F.max_pool2d, receptive
    field measured as the extent of the input pixels with a nonzero gradient of the central
    output element, with all-ones weights and average pooling in place of max pooling (the
    same windows, but every pixel of a window gets gradient))."""
    rows = []
    for k in range(len(layers)):
        x = mg.ones(1, 1, size, size, dtype=mg.float64, requires_grad=True)
        y, field_y = x, x  # two chains: the real ops, and the one that spreads the gradient
        for op, kernel, stride, padding, dilation in layers[: k + 1]:
            if op == "conv":
                weight = mg.ones(1, 1, *np.broadcast_to(kernel, 2), dtype=mg.float64)
                y = F.conv2d(y, weight, stride=stride, padding=padding, dilation=dilation)
                field_y = F.conv2d(
                    field_y, weight, stride=stride, padding=padding, dilation=dilation
                )
            else:
                y = F.max_pool2d(y, kernel, stride, padding, dilation)
                field_y = F.avg_pool2d(field_y, kernel, stride, padding)
        h, w = field_y.shape[2:]
        field_y[0, 0, h // 2, w // 2].backward()
        rows_hit, cols_hit = np.nonzero(x.grad.numpy()[0, 0])
        extent = (int(np.ptp(rows_hit)) + 1, int(np.ptp(cols_hit)) + 1)
        rows.append((tuple(y.shape[2:]), extent))
    return rows


def table(layers, size=28, names=None):
    """Rows (layer, output computed, output of the op, receptive field computed, measured)."""
    rows = []
    for k, ((out, field), (actual, extent)) in enumerate(
        zip(computed(layers, size), measured(layers, size))
    ):
        op, *geometry = layers[k]
        # (3, 3) -> 3: pairs with equal halves read as PyTorch's int arguments.
        kernel, stride, padding, dilation = (
            v[0] if isinstance(v, tuple) and len(set(v)) == 1 else v for v in geometry
        )
        name = names[k] if names else op
        rows.append(
            {
                "layer": f"{name} k={kernel} s={stride} p={padding} d={dilation}",
                "output": out,
                "actual": actual,
                "field": field,
                "measured": extent,
            }
        )
    return rows


def run():
    """The single-layer table on 28x28, and layer by layer through the seed CNN, LeNet-5 and
    document 003's TensorFlow tutorial CNN (models.create('convnet'))."""
    result = {"single layers on 28x28": [table([layer])[0] for layer in SINGLE]}
    for name in ("seed", "lenet5", "convnet"):
        modules = [m for m in models.create(name).features if as_layer(m)]
        layers = [as_layer(m) for m in modules]
        names = [type(m).__name__ for m in modules]
        result[f"{name}, layer by layer"] = table(layers, names=names)
    return result


def report(result):
    headers = ["layer", "output (formula)", "output (op)", "receptive field (formula)",
               "receptive field (gradient)"]  # fmt: skip
    size = lambda pair: "x".join(map(str, pair))
    parts = []
    for title, rows in result.items():
        cells = [
            [r["layer"], size(r["output"]), size(r["actual"]), size(r["field"]),
             size(r["measured"])]
            for r in rows
        ]  # fmt: skip
        parts.append(f"{title}:\n\n{markdown_table(headers, cells)}")
    return "\n\n".join(parts)


def main(argv=None):
    parser(__doc__, out=False).parse_args(argv)
    result = run()
    print(report(result))
    return result


if __name__ == "__main__":
    main()
