"""Adding an op to minigrad: Swish, x * sigmoid(beta * x), as one Function with its own backward.

    python examples/custom_op.py

forward gets numpy arrays and returns one; backward gets the upstream gradient and returns
one gradient per forward argument (None for the plain number ``beta``). gradcheck then
compares the backward with central differences in float64.
"""

import numpy as np

import minigrad as mg


class Swish(mg.Function):
    """swish(x) = x s, s = sigmoid(beta x);  d swish / dx = s + beta x s (1 - s)"""

    @staticmethod
    def forward(ctx, x, beta):
        # the overflow-free sigmoid: exp(-|z|) never overflows
        z = beta * x
        e = np.exp(-np.abs(z))
        s = np.where(z >= 0, 1, e) / (1 + e)
        ctx.save_for_backward(x, s)
        ctx.beta = beta
        return x * s

    @staticmethod
    def backward(ctx, grad):
        x, s = ctx.saved_tensors
        return grad * (s + ctx.beta * x * s * (1 - s)), None


def swish(x, beta=1.0):
    return Swish.apply(x, beta)


def check():
    """gradcheck Swish at a few points, and compare it with the same function composed of ops."""
    x = mg.randn(4, 5, dtype=mg.float64, requires_grad=True)
    assert mg.autograd.gradcheck(lambda t: swish(t, 1.5), [x])
    composed = x * (1.5 * x).sigmoid()
    np.testing.assert_allclose(swish(x, 1.5).numpy(), composed.numpy(), rtol=1e-12)
    return True


if __name__ == "__main__":
    mg.manual_seed(0)
    print("gradcheck passed:", check())
    x = mg.linspace(-3, 3, 7, requires_grad=True)
    y = swish(x)
    y.sum().backward()
    print("x          ", x.detach().numpy().round(3))
    print("swish(x)   ", y.detach().numpy().round(3))
    print("d swish/dx ", x.grad.numpy().round(3))
