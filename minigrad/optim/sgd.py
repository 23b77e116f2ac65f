"""``SGD``: stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

from minigrad.backend import array_module
from minigrad.optim.optimizer import Optimizer, check_flags, check_options


class SGD(Optimizer):
    """PyTorch's SGD, step for step. For each parameter p with gradient g (negated when
    ``maximize``):

        g = g + weight_decay * p
        b = g (first step), else momentum * b + (1 - dampening) * g
        g = g + momentum * b (nesterov), else b     (only when momentum != 0)
        p = p - lr * g

    ``foreach`` and ``fused`` are accepted and ignored (they choose PyTorch's kernels).

    Example::

        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        opt.zero_grad(); loss.backward(); opt.step()
    """

    def __init__(
        self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
        maximize=False, foreach=None, differentiable=False, fused=None,
    ):  # fmt: skip
        check_options(lr=lr, momentum=momentum, weight_decay=weight_decay, dampening=dampening)
        check_flags(differentiable=differentiable)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(
            lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
            nesterov=nesterov, maximize=maximize, foreach=foreach, differentiable=differentiable,
            fused=fused,
        )  # fmt: skip
        super().__init__(params, defaults)

    def _update(self, param, grad, group):
        p = param._data
        xp = array_module(p)
        lr, momentum = float(group["lr"]), float(group["momentum"])
        dampening, weight_decay = float(group["dampening"]), float(group["weight_decay"])
        if weight_decay != 0:
            grad = grad + weight_decay * p
        if momentum != 0:
            state = self.state.setdefault(param, {})
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = xp.array(grad, dtype=p.dtype)
            else:
                buf *= momentum
                buf += (1 - dampening) * grad
            grad = grad + momentum * buf if group["nesterov"] else buf
        p -= lr * grad
