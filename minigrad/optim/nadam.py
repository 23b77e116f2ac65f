"""``NAdam``: Adam with Nesterov momentum (Dozat, 2016)."""

import numpy as np

from minigrad.backend import array_module
from minigrad.optim.optimizer import Optimizer, check_betas, check_flags, check_options, lerp_


class NAdam(Optimizer):
    """PyTorch's NAdam, step for step. For each parameter p with gradient g (negated when
    ``maximize``), at step t, with mu_t = beta1 * (1 - 0.96**(t * momentum_decay) / 2):

        g = g + weight_decay * p            (or p = p * (1 - lr * weight_decay), decoupled)
        P = P * mu_t                        (the running product, kept in float32 as PyTorch)
        m = lerp(m, g, 1 - beta1); v = beta2 * v + (1 - beta2) * g * g
        d = sqrt(v / (1 - beta2**t)) + eps
        p = p - lr (1 - mu_t) / (1 - P) * g / d - lr mu_{t+1} / (1 - P mu_{t+1}) * m / d

    Example::

        opt = optim.NAdam(model.parameters(), lr=2e-3)
    """

    def __init__(
        self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
        momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None, maximize=False,
        capturable=False, differentiable=False,
    ):  # fmt: skip
        check_options(lr=lr, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay)
        betas = check_betas(betas)
        check_flags(differentiable=differentiable)
        defaults = dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
            momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize, foreach=foreach, capturable=capturable,
            differentiable=differentiable,
        )  # fmt: skip
        super().__init__(params, defaults)

    def _update(self, param, grad, group):
        p = param._data
        xp = array_module(p)
        lr, eps = float(group["lr"]), float(group["eps"])
        weight_decay = float(group["weight_decay"])
        beta1, beta2 = (float(b) for b in group["betas"])
        momentum_decay = float(group["momentum_decay"])
        state = self.state.setdefault(param, {})
        if not state:
            state["step"] = 0
            state["mu_product"] = 1.0
            state["exp_avg"] = xp.zeros_like(p)
            state["exp_avg_sq"] = xp.zeros_like(p)
        state["step"] += 1
        step = state["step"]
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                p *= 1 - lr * weight_decay
            else:
                grad = grad + weight_decay * p
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
        mu_product = state["mu_product"] = float(np.float32(state["mu_product"]) * mu)
        lerp_(state["exp_avg"], grad, 1 - beta1)
        exp_avg_sq = state["exp_avg_sq"]
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad
        denom = xp.sqrt(exp_avg_sq / (1 - beta2**step)) + eps
        p -= (lr * (1.0 - mu) / (1.0 - mu_product)) * (grad / denom)
        p -= (lr * mu_next / (1.0 - mu_product * mu_next)) * (state["exp_avg"] / denom)
