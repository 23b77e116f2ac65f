"""``ASGD``: averaged stochastic gradient descent (Polyak and Juditsky, 1992)."""

import numpy as np

from minigrad.backend import array_module
from minigrad.optim.optimizer import Optimizer, check_flags, check_options


class ASGD(Optimizer):
    """PyTorch's ASGD, step for step. For each parameter p with gradient g (negated when
    ``maximize``), at step t, with eta starting at lr and mu at 1:

        g = g + weight_decay * p
        p = p * (1 - lambd * eta) - eta * g
        ax = p (while mu == 1), else ax + mu * (p - ax)   (the average, ``state["ax"]``)
        eta = lr / (1 + lambd * lr * t)**alpha; mu = 1 / max(1, t - t0)

    eta and mu are rounded to float32, as PyTorch keeps them in float32 tensors.

    Example::

        opt = optim.ASGD(model.parameters(), lr=1e-2, t0=100)
    """

    def __init__(
        self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
        maximize=False, differentiable=False, capturable=False,
    ):  # fmt: skip
        check_options(lr=lr, weight_decay=weight_decay, lambd=lambd, alpha=alpha, t0=t0)
        check_flags(differentiable=differentiable)
        defaults = dict(
            lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
            maximize=maximize, differentiable=differentiable, capturable=capturable,
        )  # fmt: skip
        super().__init__(params, defaults)

    def _update(self, param, grad, group):
        p = param._data
        xp = array_module(p)
        lr, lambd, alpha = float(group["lr"]), float(group["lambd"]), float(group["alpha"])
        state = self.state.setdefault(param, {})
        if not state:
            state["step"] = 0
            state["eta"] = _float32(lr)
            state["mu"] = 1.0
            state["ax"] = xp.zeros_like(p)
        state["step"] += 1
        step = state["step"]
        weight_decay = float(group["weight_decay"])
        if weight_decay != 0:
            grad = grad + weight_decay * p
        eta = state["eta"]
        p *= 1 - lambd * eta
        p -= eta * grad
        if state["mu"] != 1:
            state["ax"] += (p - state["ax"]) * state["mu"]
        else:
            state["ax"][...] = p
        state["eta"] = _float32(lr / (1 + lambd * lr * step) ** alpha)
        state["mu"] = _float32(1 / max(1, step - float(group["t0"])))


def _float32(value):
    return float(np.float32(value))
