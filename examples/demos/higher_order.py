"""Gradients of gradients: two results a learner can check by hand.

    python -m examples.demos.higher_order [--out DIR]

1. The second derivative of tanh. With y = tanh(x), dy/dx = 1 - y**2 and
   d2y/dx2 = -2 y (1 - y**2). ``autograd.grad(..., create_graph=True)`` gives the first
   derivative as a Tensor with its own graph; differentiating it again gives the second.
   The table compares both with the formulas on a grid; the picture draws all three curves.
2. Newton's method, x <- x - f'(x) / f''(x), on f(x) = x**4 / 4 - x + exp(-x) (convex, one
   minimum). Each step takes f' and f'' from autograd alone; the table shows the gradient
   shrinking quadratically, as Newton's method promises near the minimum.
"""

import numpy as np

import minigrad as mg
from examples.demos._common import markdown_table, parser, pyplot, save

GRID = np.linspace(-3.0, 3.0, 13)


def tanh_derivatives(x):
    """(y, dy/dx, d2y/dx2) of tanh at the points ``x``, all three from autograd."""
    t = mg.tensor(x, dtype=mg.float64, requires_grad=True)
    y = t.tanh()
    (first,) = mg.autograd.grad(y.sum(), t, create_graph=True)
    (second,) = mg.autograd.grad(first.sum(), t)
    return y.detach().numpy(), first.detach().numpy(), second.numpy()


def loss(x):
    return x**4 / 4 - x + (-x).exp()


def newton(x0=2.0, steps=6):
    """Newton's method on ``loss`` from ``x0``; one row (step, x, f, f', f'') per iterate."""
    x = mg.tensor(x0, dtype=mg.float64)
    rows = []
    for step in range(steps + 1):
        x.requires_grad_(True)
        f = loss(x)
        (slope,) = mg.autograd.grad(f, x, create_graph=True)
        (curvature,) = mg.autograd.grad(slope, x)
        rows.append((step, x.item(), f.item(), slope.item(), curvature.item()))
        with mg.no_grad():
            x = x - slope / curvature
    return rows


def run():
    y, first, second = tanh_derivatives(GRID)
    formula_first = 1 - np.tanh(GRID) ** 2
    formula_second = -2 * np.tanh(GRID) * formula_first
    return {
        "grid": GRID,
        "tanh": y,
        "first": first,
        "second": second,
        "formula_first": formula_first,
        "formula_second": formula_second,
        "newton": newton(),
    }


def report(result):
    rows = [
        [f"{x:+.1f}", f"{d1:+.6f}", f"{f1:+.6f}", f"{d2:+.6f}", f"{f2:+.6f}"]
        for x, d1, f1, d2, f2 in zip(
            result["grid"], result["first"], result["formula_first"], result["second"],
            result["formula_second"],
        )
    ]  # fmt: skip
    worst = np.abs(result["second"] - result["formula_second"]).max()
    tanh = markdown_table(
        ["x", "autograd dy/dx", "1 - y^2", "autograd d2y/dx2", "-2 y (1 - y^2)"], rows
    )
    newton_rows = [
        [step, f"{x:.12f}", f"{f:.12f}", f"{g:+.3e}", f"{h:.6f}"]
        for step, x, f, g, h in result["newton"]
    ]
    newton_table = markdown_table(["step", "x", "f(x)", "f'(x)", "f''(x)"], newton_rows)
    return (
        f"tanh and its derivatives, autograd against the formulas (largest difference of the "
        f"second derivative: {worst:.1e}):\n\n{tanh}\n\n"
        f"Newton's method on f(x) = x^4/4 - x + exp(-x), f' and f'' from autograd:\n\n"
        f"{newton_table}"
    )


def plot(result, out):
    plt = pyplot()
    if plt is None:
        return None
    x = np.linspace(-3.0, 3.0, 241)
    y, first, second = tanh_derivatives(x)
    figure, axes = plt.subplots(figsize=(7, 4))
    axes.plot(x, y, label="tanh(x)")
    axes.plot(x, first, label="d/dx (autograd)")
    axes.plot(x, second, label="d2/dx2 (autograd, create_graph=True)")
    axes.plot(result["grid"], result["formula_second"], "k.", label="-2 y (1 - y^2)")
    axes.axhline(0, color="grey", linewidth=0.5)
    axes.set_xlabel("x")
    axes.legend(loc="upper left", fontsize=8)
    axes.set_title("tanh and two derivatives, both from autograd")
    return save(figure, out, "higher_order.png")


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    result = run()
    print(report(result))
    plot(result, args.out)
    return result


if __name__ == "__main__":
    main()
