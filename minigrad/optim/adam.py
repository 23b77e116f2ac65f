"""``Adam`` and ``AdamW`` (Kingma and Ba, 2015; Loshchilov and Hutter, 2019)."""

import math

from minigrad.backend import array_module
from minigrad.optim.optimizer import Optimizer, check_betas, check_flags, check_options, lerp_


class Adam(Optimizer):
    """PyTorch's Adam, step for step. For each parameter p with gradient g (negated when
    ``maximize``), at step t:

        g = g + weight_decay * p                 (or p = p * (1 - lr * weight_decay) when
                                                  decoupled_weight_decay, as AdamW)
        m = m + (1 - beta1) * (g - m)            (PyTorch's lerp)
        v = beta2 * v + (1 - beta2) * g * g
        v_max = max(v_max, v)                    (amsgrad, which then uses v_max for v)
        p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    A gradient whose square overflows float32 makes v inf and that step's update zero, as in
    PyTorch, silently. ``foreach``, ``fused`` and ``capturable`` are accepted and ignored.

    Example::

        opt = optim.Adam(model.parameters(), lr=1e-3)
    """

    def __init__(
        self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
        foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
        decoupled_weight_decay=False,
    ):  # fmt: skip
        check_options(lr=lr, eps=eps, weight_decay=weight_decay)
        betas = check_betas(betas)
        check_flags(differentiable=differentiable)
        defaults = dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
            maximize=maximize, foreach=foreach, capturable=capturable,
            differentiable=differentiable, fused=fused,
            decoupled_weight_decay=decoupled_weight_decay,
        )  # fmt: skip
        super().__init__(params, defaults)

    def _update(self, param, grad, group):
        p = param._data
        xp = array_module(p)
        lr, eps, weight_decay = float(group["lr"]), float(group["eps"]), group["weight_decay"]
        beta1, beta2 = (float(b) for b in group["betas"])
        weight_decay = float(weight_decay)
        state = self.state.setdefault(param, {})
        if not state:
            state["step"] = 0
            state["exp_avg"] = xp.zeros_like(p)
            state["exp_avg_sq"] = xp.zeros_like(p)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = xp.zeros_like(p)
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
        step_size = lr / (1 - beta1**step)
        bias_correction2_sqrt = math.sqrt(1 - beta2**step)
        if group["amsgrad"]:
            xp.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
            denom = xp.sqrt(state["max_exp_avg_sq"]) / bias_correction2_sqrt + eps
        else:
            denom = xp.sqrt(exp_avg_sq) / bias_correction2_sqrt + eps
        p -= step_size * (exp_avg / denom)


class AdamW(Adam):
    """Adam with decoupled weight decay: p = p * (1 - lr * weight_decay) before the Adam
    step, instead of adding weight_decay * p to the gradient. Default weight_decay 1e-2.

    Example::

        opt = optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    """

    def __init__(
        self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False,
        *, maximize=False, foreach=None, capturable=False, differentiable=False, fused=None,
    ):  # fmt: skip
        super().__init__(
            params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
            capturable=capturable, differentiable=differentiable, fused=fused,
            decoupled_weight_decay=True,
        )  # fmt: skip
