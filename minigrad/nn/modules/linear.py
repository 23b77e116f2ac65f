"""``Linear`` and ``Identity``."""

import math

from minigrad import factories
from minigrad.device import as_device
from minigrad.nn import functional as F
from minigrad.nn import init
from minigrad.nn.modules._device import place
from minigrad.nn.modules.module import Module
from minigrad.nn.parameter import Parameter
from minigrad.tensor import ShapeError


class Identity(Module):
    """Returns its input unchanged (any constructor arguments are ignored, as in PyTorch)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """y = x @ weight.T + bias.

    Shapes: input (*, in_features) -> output (*, out_features); ``weight`` is
    (out_features, in_features), ``bias`` (out_features,). Both start as PyTorch's:
    U(-1/sqrt(in_features), 1/sqrt(in_features)). ``dtype`` is the parameters' (default
    float32); ``device`` where they live (built on the CPU, then moved).

    Example::

        fc = nn.Linear(20, 30)
        fc(mg.randn(128, 20)).shape  # (128, 30)
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        as_device(device)
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(factories.empty(out_features, in_features, dtype=dtype))
        if bias:
            self.bias = Parameter(factories.empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()
        place(self, device)

    def reset_parameters(self):
        # kaiming_uniform_ with a = sqrt(5) is U(-1/sqrt(fan_in), 1/sqrt(fan_in)), as PyTorch.
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_features
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        if input.ndim == 0 or input.shape[-1] != self.in_features:
            raise ShapeError(
                f"{self!r} expected an input of shape (*, {self.in_features}), but got shape "
                f"{tuple(input.shape)} (its last dimension must be in_features)"
            )
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )
