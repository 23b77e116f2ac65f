"""``LayerNorm``, ``GroupNorm`` and ``LocalResponseNorm``: normalisation within each sample
(no running statistics)."""

from minigrad import factories
from minigrad.device import as_device
from minigrad.nn import functional as F
from minigrad.nn.modules._device import place
from minigrad.nn.modules.module import Module
from minigrad.nn.parameter import Parameter


class LayerNorm(Module):
    """Normalise over the last dims, ``normalized_shape`` (an int or a tuple), then scale by
    ``weight`` (ones at the start) and shift by ``bias`` (zeros), both of that shape, when
    ``elementwise_affine`` (``bias=False`` drops the shift).

    Example: ``nn.LayerNorm(16)(mg.randn(8, 16)).shape`` is (8, 16).
    """

    def __init__(
        self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None,
        dtype=None,
    ):  # fmt: skip
        super().__init__()
        as_device(device)
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(factories.ones(*self.normalized_shape, dtype=dtype))
            if bias:
                self.bias = Parameter(factories.zeros(*self.normalized_shape, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        place(self, device)

    def reset_parameters(self):
        if self.weight is not None:
            self.weight._data[...] = 1
        if self.bias is not None:
            self.bias._data[...] = 0

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )


class GroupNorm(Module):
    """Normalise each of ``num_groups`` groups of channels of each sample, then scale and
    shift per channel (``weight`` ones, ``bias`` zeros at the start) when ``affine``.

    Example: ``nn.GroupNorm(2, 6)(mg.randn(4, 6, 5, 5)).shape`` is (4, 6, 5, 5).
    """

    def __init__(
        self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *, bias=True
    ):
        super().__init__()
        as_device(device)
        if num_channels % num_groups:
            raise ValueError(
                f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})"
            )
        self.num_groups, self.num_channels = num_groups, num_channels
        self.eps, self.affine = eps, affine
        if affine:
            self.weight = Parameter(factories.ones(num_channels, dtype=dtype))
            if bias:
                self.bias = Parameter(factories.zeros(num_channels, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        place(self, device)

    def reset_parameters(self):
        if self.weight is not None:
            self.weight._data[...] = 1
        if self.bias is not None:
            self.bias._data[...] = 0

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self.bias is not None}"
        )


class LocalResponseNorm(Module):
    """Divide each element by (k + alpha * mean of its squares over ``size`` neighbouring
    channels)**beta, as AlexNet (``F.local_response_norm``). Input (N, C, *), 3-D or more.

    Example: ``nn.LocalResponseNorm(2)(mg.randn(4, 8, 5, 5)).shape`` is (4, 8, 5, 5).
    """

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
