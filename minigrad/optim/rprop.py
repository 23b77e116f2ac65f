"""``Rprop``: resilient backpropagation (Riedmiller and Braun, 1993)."""

from minigrad.backend import array_module
from minigrad.optim.optimizer import Optimizer, check_flags, check_options, check_pair


class Rprop(Optimizer):
    """PyTorch's Rprop, step for step: only the gradient's sign is used. For each element,
    with the previous step's gradient g' (set to 0 where the sign flipped):

        step_size = clip(step_size * (etaplus if g g' > 0, etaminus if g g' < 0, else 1),
                         *step_sizes)                          (step_size starts at lr)
        g = 0 where g g' < 0;  p = p - sign(g) * step_size

    Example::

        opt = optim.Rprop(model.parameters(), lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50))
    """

    def __init__(
        self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False,
        foreach=None, maximize=False, differentiable=False,
    ):  # fmt: skip
        check_options(lr=lr)
        etaminus, etaplus = etas = check_pair("etas", etas)
        step_sizes = check_pair("step_sizes", step_sizes)
        if not 0.0 < etaminus < 1.0 < etaplus:
            raise ValueError(f"Invalid eta values: {etaminus}, {etaplus}")
        check_flags(differentiable=differentiable)
        defaults = dict(
            lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
            differentiable=differentiable, capturable=capturable,
        )  # fmt: skip
        super().__init__(params, defaults)

    def _update(self, param, grad, group):
        p = param._data
        xp = array_module(p)
        etaminus, etaplus = (float(eta) for eta in group["etas"])
        step_size_min, step_size_max = (float(size) for size in group["step_sizes"])
        state = self.state.setdefault(param, {})
        if not state:
            state["step"] = 0
            state["prev"] = xp.zeros_like(p)
            state["step_size"] = xp.full_like(p, float(group["lr"]))
        state["step"] += 1
        product = grad * state["prev"]
        flipped = product < 0
        factor = xp.where(product > 0, etaplus, xp.where(flipped, etaminus, 1.0)).astype(p.dtype)
        step_size = state["step_size"]
        step_size *= factor
        xp.clip(step_size, step_size_min, step_size_max, out=step_size)
        grad = xp.where(flipped, 0, grad).astype(p.dtype)
        p -= xp.sign(grad) * step_size
        state["prev"][...] = grad
