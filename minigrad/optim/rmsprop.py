"""``RMSprop`` (Hinton's lecture notes; centered form from Graves, 2013)."""

from minigrad.backend import array_module
from minigrad.optim.optimizer import Optimizer, check_flags, check_options, lerp_


class RMSprop(Optimizer):
    """PyTorch's RMSprop, step for step. For each parameter p with gradient g (negated when
    ``maximize``):

        g = g + weight_decay * p
        v = alpha * v + (1 - alpha) * g * g
        a = sqrt(v - m * m) + eps, m = lerp(m, g, 1 - alpha)   (centered)
            sqrt(v) + eps                                      (otherwise)
        b = momentum * b + g / a; p = p - lr * b               (momentum > 0)
        p = p - lr * g / a                                     (otherwise)

    Example::

        opt = optim.RMSprop(model.parameters(), lr=1e-2, alpha=0.99, momentum=0.9)
    """

    def __init__(
        self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
        capturable=False, foreach=None, maximize=False, differentiable=False,
    ):  # fmt: skip
        check_options(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        check_flags(differentiable=differentiable)
        defaults = dict(
            lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
            weight_decay=weight_decay, capturable=capturable, foreach=foreach, maximize=maximize,
            differentiable=differentiable,
        )  # fmt: skip
        super().__init__(params, defaults)

    def _update(self, param, grad, group):
        p = param._data
        xp = array_module(p)
        lr, alpha, eps = float(group["lr"]), float(group["alpha"]), float(group["eps"])
        weight_decay, momentum = float(group["weight_decay"]), float(group["momentum"])
        state = self.state.setdefault(param, {})
        if not state:
            state["step"] = 0
            state["square_avg"] = xp.zeros_like(p)
            if momentum > 0:
                state["momentum_buffer"] = xp.zeros_like(p)
            if group["centered"]:
                state["grad_avg"] = xp.zeros_like(p)
        state["step"] += 1
        if weight_decay != 0:
            grad = grad + weight_decay * p
        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += (1 - alpha) * grad * grad
        if group["centered"]:
            grad_avg = state["grad_avg"]
            lerp_(grad_avg, grad, 1 - alpha)
            avg = xp.sqrt(square_avg - grad_avg * grad_avg)
        else:
            avg = xp.sqrt(square_avg)
        avg += eps
        if momentum > 0:
            buf = state["momentum_buffer"]
            buf *= momentum
            buf += grad / avg
            p -= lr * buf
        else:
            p -= lr * (grad / avg)
