"""``RAdam``: Adam with a rectified adaptive learning rate (Liu et al., 2020)."""

import math

from minigrad.backend import array_module
from minigrad.optim.optimizer import Optimizer, check_betas, check_flags, check_options, lerp_


class RAdam(Optimizer):
    """PyTorch's RAdam, step for step. For each parameter p with gradient g (negated when
    ``maximize``), at step t, with rho_inf = 2 / (1 - beta2) - 1 and
    rho_t = rho_inf - 2 t beta2**t / (1 - beta2**t):

        g = g + weight_decay * p            (or p = p * (1 - lr * weight_decay), decoupled)
        m = lerp(m, g, 1 - beta1); v = beta2 * v + (1 - beta2) * g * g
        p = p - lr * m / (1 - beta1**t) * r_t * sqrt(1 - beta2**t) / (sqrt(v) + eps)
                                              (rho_t > 5, r_t the variance rectification)
        p = p - lr * m / (1 - beta1**t)       (the first steps, while rho_t <= 5)

    Example::

        opt = optim.RAdam(model.parameters(), lr=1e-3)
    """

    def __init__(
        self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
        decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
        differentiable=False,
    ):  # fmt: skip
        check_options(lr=lr, eps=eps, weight_decay=weight_decay)
        betas = check_betas(betas)
        check_flags(differentiable=differentiable)
        defaults = dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
            foreach=foreach, capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
            differentiable=differentiable,
        )  # fmt: skip
        super().__init__(params, defaults)

    def _update(self, param, grad, group):
        p = param._data
        xp = array_module(p)
        lr, eps = float(group["lr"]), float(group["eps"])
        weight_decay = float(group["weight_decay"])
        beta1, beta2 = (float(b) for b in group["betas"])
        state = self.state.setdefault(param, {})
        if not state:
            state["step"] = 0
            state["exp_avg"] = xp.zeros_like(p)
            state["exp_avg_sq"] = xp.zeros_like(p)
        state["step"] += 1
        step = state["step"]
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                p *= 1 - lr * weight_decay
            else:
                grad = grad + weight_decay * p
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        lerp_(exp_avg, grad, 1 - beta1)
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad
        bias_correction1, bias_correction2 = 1 - beta1**step, 1 - beta2**step
        corrected_exp_avg = exp_avg / bias_correction1
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * beta2**step / bias_correction2
        if rho_t > 5.0:
            rect = math.sqrt(
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            )
            adaptive_lr = math.sqrt(bias_correction2) / (xp.sqrt(exp_avg_sq) + eps)
            p -= corrected_exp_avg * lr * adaptive_lr * rect
        else:
            p -= corrected_exp_avg * lr
