"""``Adamax``: Adam with the infinity norm (Kingma and Ba, 2015, section 7)."""

from minigrad.backend import array_module
from minigrad.optim.optimizer import Optimizer, check_betas, check_flags, check_options, lerp_


class Adamax(Optimizer):
    """PyTorch's Adamax, step for step. For each parameter p with gradient g (negated when
    ``maximize``), at step t:

        g = g + weight_decay * p
        m = lerp(m, g, 1 - beta1)
        u = max(beta2 * u, |g| + eps)
        p = p - lr / (1 - beta1**t) * m / u

    Example::

        opt = optim.Adamax(model.parameters(), lr=2e-3)
    """

    def __init__(
        self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
        maximize=False, differentiable=False, capturable=False,
    ):  # fmt: skip
        check_options(lr=lr, eps=eps, weight_decay=weight_decay)
        betas = check_betas(betas)
        check_flags(differentiable=differentiable)
        defaults = dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
            maximize=maximize, differentiable=differentiable, capturable=capturable,
        )  # fmt: skip
        super().__init__(params, defaults)

    def _update(self, param, grad, group):
        p = param._data
        xp = array_module(p)
        beta1, beta2 = (float(b) for b in group["betas"])
        state = self.state.setdefault(param, {})
        if not state:
            state["step"] = 0
            state["exp_avg"] = xp.zeros_like(p)
            state["exp_inf"] = xp.zeros_like(p)
        state["step"] += 1
        weight_decay = float(group["weight_decay"])
        if weight_decay != 0:
            grad = grad + weight_decay * p
        lerp_(state["exp_avg"], grad, 1 - beta1)
        exp_inf = state["exp_inf"]
        exp_inf *= beta2
        xp.maximum(exp_inf, xp.abs(grad) + float(group["eps"]), out=exp_inf)
        clr = float(group["lr"]) / (1 - beta1 ** state["step"])
        p -= clr * (state["exp_avg"] / exp_inf)
