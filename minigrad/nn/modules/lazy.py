"""Lazy modules: ``LazyLinear``, ``LazyConv2d`` and ``LazyBatchNorm1d/2d`` infer their input
size from the first batch, as PyTorch's. Until then their weights are
``UninitializedParameter``\\ s (buffers: ``UninitializedBuffer``\\ s); the first call
materialises them with the eager layer's initialisation and turns the module into that layer
(``cls_to_become``)."""

import numbers

import numpy as np

from minigrad.nn.modules._device import place
from minigrad.nn.modules.batchnorm import BatchNorm1d, BatchNorm2d
from minigrad.nn.modules.conv import Conv2d
from minigrad.nn.modules.linear import Linear
from minigrad.nn.parameter import UninitializedBuffer, UninitializedParameter
from minigrad.tensor import ShapeError, Tensor, as_tensor


def _check_size(name, value):
    """A size the lazy layer keeps until its first call: checked now, where the user wrote it
    (torch fails only at the first call, deep inside)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, but got {type(value).__name__} {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be non-negative, but got {value}")


class LazyModuleMixin:
    """Runs ``initialize_parameters(*inputs)`` before the first forward, then becomes
    ``cls_to_become``. ``load_state_dict`` materialises uninitialized parameters to the
    checkpoint's shapes (``Module.load_state_dict`` does that for any module)."""

    cls_to_become = None

    def has_uninitialized_params(self):
        """True while some parameter or buffer of this module still has no shape."""
        members = list(self._parameters.values()) + list(self._buffers.values())
        return any(
            isinstance(member, UninitializedParameter | UninitializedBuffer) for member in members
        )

    def initialize_parameters(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement initialize_parameters")

    def __call__(self, *args, **kwargs):
        # Before any user pre-hook, as PyTorch's hook registered at construction.
        self.initialize_parameters(*args, **kwargs)
        if not self.has_uninitialized_params() and self.cls_to_become is not None:
            self.__class__ = self.cls_to_become
            return self(*args, **kwargs)  # the eager layer's call, hooks included
        return super().__call__(*args, **kwargs)


class LazyLinear(LazyModuleMixin, Linear):
    """``nn.Linear`` whose ``in_features`` is the last dimension of its first input.

    Example::

        fc = nn.LazyLinear(10)  # LazyLinear(in_features=0, out_features=10, bias=True)
        fc(mg.randn(4, 784))    # now Linear(in_features=784, out_features=10, bias=True)
    """

    cls_to_become = Linear

    def __init__(self, out_features, bias=True, device=None, dtype=None):
        _check_size("out_features", out_features)
        super().__init__(0, 0, False, device=device, dtype=dtype)
        self.out_features = out_features
        self.weight = UninitializedParameter(dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)
        place(self, device)  # the uninitialized parameters keep it for materialize

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input, *args, **kwargs):
        if not self.has_uninitialized_params():
            self.in_features = self.weight._data.shape[1]  # loaded from a state dict
            return
        input = as_tensor(input)
        if input.ndim == 0:
            raise ShapeError(
                f"{type(self).__name__} expected an input of shape (*, in_features), but got "
                "a 0-d tensor"
            )
        self.in_features = input.shape[-1]
        self.weight.materialize((self.out_features, self.in_features))
        if self.bias is not None:
            self.bias.materialize((self.out_features,))
        self.reset_parameters()


class LazyConv2d(LazyModuleMixin, Conv2d):
    """``nn.Conv2d`` whose ``in_channels`` is the channel dimension of its first input
    (N, C, H, W) or (C, H, W).

    Example::

        conv = nn.LazyConv2d(8, kernel_size=3)
        conv(mg.randn(2, 3, 28, 28))  # now Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))
    """

    cls_to_become = Conv2d

    def __init__(
        self, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
        padding_mode="zeros", device=None, dtype=None,
    ):  # fmt: skip
        _check_size("out_channels", out_channels)
        super().__init__(
            0, 0, kernel_size, stride, padding, dilation, groups, False, padding_mode,
            device=device, dtype=dtype,
        )  # fmt: skip
        self.out_channels = out_channels
        if out_channels % groups:
            raise ValueError(f"groups ({groups}) must divide out_channels ({out_channels})")
        self.weight = UninitializedParameter(dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)
        place(self, device)  # the uninitialized parameters keep it for materialize

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def initialize_parameters(self, input, *args, **kwargs):
        if not self.has_uninitialized_params():
            self.in_channels = self.weight._data.shape[1] * self.groups  # loaded
            return
        input = as_tensor(input)
        if input.ndim not in (3, 4):
            raise ShapeError(
                f"{type(self).__name__} expected an input of shape (N, C, H, W) or (C, H, W), "
                f"but got shape {tuple(input.shape)}"
            )
        self.in_channels = input.shape[-3]
        if self.in_channels % self.groups:
            raise ValueError(
                f"groups ({self.groups}) must divide in_channels ({self.in_channels}, the "
                "input's channel dimension)"
            )
        shape = (self.out_channels, self.in_channels // self.groups) + self.kernel_size
        self.weight.materialize(shape)
        if self.bias is not None:
            self.bias.materialize((self.out_channels,))
        self.reset_parameters()


class _LazyBatchNorm(LazyModuleMixin):
    def __init__(
        self, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None,
        dtype=None, *, bias=True,
    ):  # fmt: skip
        # No arrays yet: the eager layer's with affine and track_running_stats off.
        super().__init__(0, eps, momentum, False, False, device=device, dtype=dtype, bias=False)
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = UninitializedParameter(dtype=dtype)
            if bias:
                self.bias = UninitializedParameter(dtype=dtype)
        if track_running_stats:
            self.register_buffer("running_mean", UninitializedBuffer(dtype=dtype))
            self.register_buffer("running_var", UninitializedBuffer(dtype=dtype))
            self.register_buffer("num_batches_tracked", Tensor._make(np.array(0, np.int64)))
        place(self, device)  # the uninitialized members keep it for materialize

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input, *args, **kwargs):
        if not self.has_uninitialized_params():
            if self.num_features == 0:  # loaded from a state dict
                member = self.weight if self.affine else self.running_mean
                self.num_features = 0 if member is None else member._data.shape[0]
            return
        input = as_tensor(input)
        if input.ndim not in self._dims:
            dims = " or ".join(f"{d}D" for d in self._dims)
            raise ShapeError(
                f"{type(self).__name__} expected a {dims} input, but got shape {tuple(input.shape)}"
            )
        self.num_features = input.shape[1]
        for member in (self.weight, self.bias, self.running_mean, self.running_var):
            if member is not None:
                member.materialize((self.num_features,))
        self.reset_parameters()


class LazyBatchNorm1d(_LazyBatchNorm, BatchNorm1d):
    """``nn.BatchNorm1d`` whose ``num_features`` is dim 1 of its first (N, C) or (N, C, L)
    input."""

    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyBatchNorm, BatchNorm2d):
    """``nn.BatchNorm2d`` whose ``num_features`` is dim 1 of its first (N, C, H, W) input."""

    cls_to_become = BatchNorm2d
