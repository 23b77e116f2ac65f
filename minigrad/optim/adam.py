"""``Adam`` and ``AdamW`` (Kingma and Ba, 2015; Loshchilov and Hutter, 2019)."""

import math

import numpy as np

from minigrad.optim.optimizer import Optimizer


class Adam(Optimizer):
    """PyTorch's Adam, step for step. For each parameter p with gradient g, at step t:

        g = g + weight_decay * p                 (Adam; AdamW decays p itself instead)
        m = m + (1 - beta1) * (g - m)            (PyTorch's lerp)
        v = beta2 * v + (1 - beta2) * g * g
        p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    Example::

        opt = optim.Adam(model.parameters(), lr=1e-3)
    """

    _decoupled = False

    def __init__(
        self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
        maximize=False,
    ):  # fmt: skip
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if eps < 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for index, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {index}: {beta}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(
            lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
            maximize=maximize,
        )  # fmt: skip
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()`` if given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, eps, weight_decay = float(group["lr"]), float(group["eps"]), group["weight_decay"]
            beta1, beta2 = (float(b) for b in group["betas"])
            weight_decay = float(weight_decay)
            for param in group["params"]:
                if param.grad is None:
                    continue
                p = param._data
                grad = -param.grad._data if group["maximize"] else param.grad._data
                state = self.state.setdefault(param, {})
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = np.zeros_like(p)
                    state["exp_avg_sq"] = np.zeros_like(p)
                    if group["amsgrad"]:
                        state["max_exp_avg_sq"] = np.zeros_like(p)
                state["step"] += 1
                step = state["step"]
                if weight_decay != 0:
                    if self._decoupled:
                        p *= 1 - lr * weight_decay
                    else:
                        grad = grad + weight_decay * p
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                exp_avg += (1 - beta1) * (grad - exp_avg)
                exp_avg_sq *= beta2
                exp_avg_sq += (1 - beta2) * grad * grad
                step_size = lr / (1 - beta1**step)
                bias_correction2_sqrt = math.sqrt(1 - beta2**step)
                if group["amsgrad"]:
                    np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
                    denom = np.sqrt(state["max_exp_avg_sq"]) / bias_correction2_sqrt + eps
                else:
                    denom = np.sqrt(exp_avg_sq) / bias_correction2_sqrt + eps
                p -= step_size * (exp_avg / denom)
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay: p = p * (1 - lr * weight_decay) before the Adam
    step, instead of adding weight_decay * p to the gradient. Default weight_decay 1e-2.

    Example::

        opt = optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    """

    _decoupled = True

    def __init__(
        self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False,
        maximize=False,
    ):  # fmt: skip
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize)
