"""Activation layers: ReLU, LeakyReLU, Sigmoid, Tanh, GELU, Softmax, LogSoftmax, ELU, CELU,
SELU, SiLU, Mish, Softplus, Softsign, Hardtanh, ReLU6, Hardsigmoid, Hardswish, LogSigmoid,
PReLU, GLU, Tanhshrink, Softshrink, Hardshrink, Threshold, Softmin."""

import warnings

from minigrad import factories
from minigrad.device import as_device
from minigrad.nn import functional as F
from minigrad.nn.functional.sparse import EmbeddingArgumentError
from minigrad.nn.modules._device import place
from minigrad.nn.modules.module import Module
from minigrad.nn.parameter import Parameter


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


def _inplace_text(inplace, first=False):
    if not inplace:
        return ""
    return "inplace=True" if first else ", inplace=True"


class ELU(Module):
    """x where x > 0, else alpha * (exp(x) - 1). Example: ``nn.ELU()(mg.zeros(1))`` is 0."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):
        return F.elu(input, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}" + _inplace_text(self.inplace)


class CELU(ELU):
    """x where x > 0, else alpha * (exp(x / alpha) - 1)."""

    def forward(self, input):
        return F.celu(input, self.alpha)


class SELU(Module):
    """1.0507 * elu(x, 1.6733): self-normalising (Klambauer et al., 2017)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.selu(input)

    def extra_repr(self):
        return _inplace_text(self.inplace, first=True)


class SiLU(SELU):
    """x * sigmoid(x). Example: ``nn.SiLU()(mg.zeros(1))`` is 0."""

    def forward(self, input):
        return F.silu(input)


class Mish(SELU):
    """x * tanh(softplus(x))."""

    def forward(self, input):
        return F.mish(input)


class Hardsigmoid(SELU):
    """relu6(x + 3) / 6."""

    def forward(self, input):
        return F.hardsigmoid(input)


class Hardswish(SELU):
    """x * relu6(x + 3) / 6."""

    def forward(self, input):
        return F.hardswish(input)


class Softplus(Module):
    """log(1 + exp(beta * x)) / beta, linear where beta * x > threshold; finite for any x."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Softsign(Module):
    """x / (1 + |x|)."""

    def forward(self, input):
        return F.softsign(input)


class Tanhshrink(Module):
    """x - tanh(x)."""

    def forward(self, input):
        return F.tanhshrink(input)


class LogSigmoid(Module):
    """log(sigmoid(x)), finite for any x."""

    def forward(self, input):
        return F.logsigmoid(input)


class Hardtanh(Module):
    """x clamped to [min_val, max_val] (default [-1, 1])."""

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False, min_value=None, max_value=None):
        super().__init__()
        for old_name, new_name, value in (("min_value", "min_val", min_value),
                                          ("max_value", "max_val", max_value)):  # fmt: skip
            if value is not None:
                warnings.warn(
                    f"keyword argument `{old_name}` is deprecated and renamed to `{new_name}`",
                    FutureWarning,
                    stacklevel=2,
                )
        min_val = min_val if min_value is None else min_value
        max_val = max_val if max_value is None else max_value
        if min_val > max_val:
            raise EmbeddingArgumentError(
                f"max_val ({max_val}) must be greater than min_val ({min_val})"
            )
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}" + _inplace_text(self.inplace)


class ReLU6(Hardtanh):
    """min(max(x, 0), 6). Example: ``nn.ReLU6()(mg.tensor([-1.0, 7.0]))`` is [0, 6]."""

    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        return _inplace_text(self.inplace, first=True)


class PReLU(Module):
    """x where x > 0, else weight * x, with a learned ``weight`` of ``num_parameters``
    elements (1, or one per channel), all ``init`` (0.25) at the start.

    Example: ``nn.PReLU(3)(mg.randn(2, 3, 4, 4)).shape`` is (2, 3, 4, 4).
    """

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        super().__init__()
        as_device(device)
        if isinstance(num_parameters, bool) or not isinstance(num_parameters, int):
            raise TypeError(f"PReLU: num_parameters must be an int, got {num_parameters!r}")
        if num_parameters < 1:
            raise ValueError(f"PReLU: num_parameters must be at least 1, got {num_parameters}")
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(factories.full((num_parameters,), float(init), dtype=dtype))
        place(self, device)

    def reset_parameters(self):
        self.weight._data[...] = self.init

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class GLU(Module):
    """a * sigmoid(b), a and b the halves of the input along ``dim`` (default -1)."""

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softshrink(Module):
    """x - lambd above lambd, x + lambd below -lambd, else 0."""

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.softshrink(input, self.lambd)

    def extra_repr(self):
        return str(self.lambd)


class Hardshrink(Softshrink):
    """x where |x| > lambd, else 0."""

    def forward(self, input):
        return F.hardshrink(input, self.lambd)


class Threshold(Module):
    """x where x > threshold, else ``value``."""

    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value)

    def extra_repr(self):
        return f"threshold={self.threshold}, value={self.value}" + _inplace_text(self.inplace)


class Softmin(Module):
    """softmax(-x) along ``dim``."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmin(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"
