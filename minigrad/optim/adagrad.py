"""``Adagrad`` (Duchi, Hazan and Singer, 2011)."""

from minigrad import backend
from minigrad.backend import array_module
from minigrad.optim.optimizer import Optimizer, check_flags, check_options


class Adagrad(Optimizer):
    """PyTorch's Adagrad, step for step. For each parameter p with gradient g (negated when
    ``maximize``), at step t:

        g = g + weight_decay * p
        s = s + g * g                            (s starts at initial_accumulator_value)
        p = p - lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)

    Like PyTorch, the state (step 0 and the sum) exists from construction on.

    Example::

        opt = optim.Adagrad(model.parameters(), lr=1e-2)
    """

    def __init__(
        self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
        eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None,
    ):  # fmt: skip
        check_options(
            lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value, eps=eps,
        )  # fmt: skip
        check_flags(differentiable=differentiable)
        defaults = dict(
            lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value, foreach=foreach,
            maximize=maximize, differentiable=differentiable, fused=fused,
        )  # fmt: skip
        super().__init__(params, defaults)
        for group in self.param_groups:
            for param in group["params"]:
                self._init_state(param, group)

    def _init_state(self, param, group):
        initial = float(group["initial_accumulator_value"])
        p = param._data
        self.state[param] = {"step": 0, "sum": array_module(p).full_like(p, initial)}

    def _update(self, param, grad, group):
        p = param._data
        if not self.state.get(param):
            self._init_state(param, group)
        state = self.state[param]
        if type(state["sum"]) is not type(p):  # made before the parameter moved (Module.to)
            state["sum"] = backend.to_device(state["sum"], backend.device_of(p))
        state["step"] += 1
        weight_decay = float(group["weight_decay"])
        if weight_decay != 0:
            grad = grad + weight_decay * p
        clr = float(group["lr"]) / (1 + (state["step"] - 1) * float(group["lr_decay"]))
        state["sum"] += grad * grad
        p -= clr * (grad / (array_module(p).sqrt(state["sum"]) + float(group["eps"])))
