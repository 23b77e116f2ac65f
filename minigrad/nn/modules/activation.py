"""Activation layers: ReLU, LeakyReLU, Sigmoid, Tanh, GELU, Softmax, LogSoftmax."""

from minigrad.nn import functional as F
from minigrad.nn.modules.module import Module


class ReLU(Module):
    """max(x, 0) elementwise. ``inplace`` is accepted and ignored (results are new tensors).

    Example: ``nn.ReLU()(mg.tensor([-1.0, 1.0]))`` is ``tensor([0., 1.])``.
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu(input)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """x where x > 0, else negative_slope * x (default slope 0.01).

    Example: ``nn.LeakyReLU(0.1)(mg.tensor([-1.0]))`` is ``tensor([-0.1000])``.
    """

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class Sigmoid(Module):
    """1 / (1 + exp(-x)) elementwise. Example: ``nn.Sigmoid()(mg.zeros(1))`` is 0.5."""

    def forward(self, input):
        return F.sigmoid(input)


class Tanh(Module):
    """tanh(x) elementwise. Example: ``nn.Tanh()(mg.zeros(1))`` is 0."""

    def forward(self, input):
        return F.tanh(input)


class GELU(Module):
    """x * Phi(x) (exact, through erf), or the tanh approximation with ``approximate='tanh'``.

    Example: ``nn.GELU()(mg.tensor([1.0]))`` is ``tensor([0.8413])``.
    """

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class Softmax(Module):
    """softmax along ``dim``: exp(x) / sum(exp(x)), each slice summing to 1.

    Example: ``nn.Softmax(dim=1)(mg.zeros(2, 4))`` is 0.25 everywhere.
    """

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """log(softmax(x)) along ``dim``, computed stably.

    Example: ``nn.LogSoftmax(dim=1)(mg.zeros(1, 2))`` is log(0.5) everywhere.
    """

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.log_softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"
