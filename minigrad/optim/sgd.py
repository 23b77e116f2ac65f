"""``SGD``: stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

import numpy as np

from minigrad.optim.optimizer import Optimizer, required


class SGD(Optimizer):
    """PyTorch's SGD, step for step. For each parameter p with gradient g:

        g = g + weight_decay * p
        b = g (first step), else momentum * b + (1 - dampening) * g
        g = g + momentum * b (nesterov), else b     (only when momentum != 0)
        p = p - lr * g

    Example::

        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        opt.zero_grad(); loss.backward(); opt.step()
    """

    def __init__(
        self, params, lr=required, momentum=0, dampening=0, weight_decay=0, nesterov=False,
        maximize=False,
    ):  # fmt: skip
        if lr is not required and lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(
            lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
            nesterov=nesterov, maximize=maximize,
        )  # fmt: skip
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()`` if given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, momentum = float(group["lr"]), float(group["momentum"])
            dampening, weight_decay = float(group["dampening"]), float(group["weight_decay"])
            for param in group["params"]:
                if param.grad is None:
                    continue
                p = param._data
                grad = -param.grad._data if group["maximize"] else param.grad._data
                if weight_decay != 0:
                    grad = grad + weight_decay * p
                if momentum != 0:
                    state = self.state.setdefault(param, {})
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = np.array(grad, dtype=p.dtype)
                    else:
                        buf *= momentum
                        buf += (1 - dampening) * grad
                    grad = grad + momentum * buf if group["nesterov"] else buf
                p -= lr * grad
        return loss
