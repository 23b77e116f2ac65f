"""``Adadelta`` (Zeiler, 2012: "ADADELTA: An Adaptive Learning Rate Method")."""

from minigrad.backend import array_module
from minigrad.optim.optimizer import Optimizer, check_flags, check_options


class Adadelta(Optimizer):
    """PyTorch's Adadelta, step for step. For each parameter p with gradient g (negated when
    ``maximize``), with running averages v of g * g and u of the updates squared:

        g = g + weight_decay * p
        v = rho * v + (1 - rho) * g * g
        d = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * d * d
        p = p - lr * d

    Example::

        opt = optim.Adadelta(model.parameters(), lr=1.0, rho=0.9)
    """

    def __init__(
        self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
        capturable=False, maximize=False, differentiable=False,
    ):  # fmt: skip
        check_options(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay)
        if not 0.0 <= float(rho) <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_flags(differentiable=differentiable)
        defaults = dict(
            lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
            capturable=capturable, foreach=foreach, differentiable=differentiable,
        )  # fmt: skip
        super().__init__(params, defaults)

    def _update(self, param, grad, group):
        p = param._data
        xp = array_module(p)
        lr, rho, eps = float(group["lr"]), float(group["rho"]), float(group["eps"])
        weight_decay = float(group["weight_decay"])
        state = self.state.setdefault(param, {})
        if not state:
            state["step"] = 0
            state["square_avg"] = xp.zeros_like(p)
            state["acc_delta"] = xp.zeros_like(p)
        state["step"] += 1
        if weight_decay != 0:
            grad = grad + weight_decay * p
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        square_avg *= rho
        square_avg += (1 - rho) * grad * grad
        delta = xp.sqrt(acc_delta + eps) / xp.sqrt(square_avg + eps) * grad
        acc_delta *= rho
        acc_delta += (1 - rho) * delta * delta
        p -= lr * delta
