"""``BatchNorm1d`` and ``BatchNorm2d``."""

import numbers

import numpy as np

from minigrad import factories
from minigrad.device import as_device
from minigrad.nn import functional as F
from minigrad.nn import init
from minigrad.nn.modules._device import place
from minigrad.nn.modules.module import Module
from minigrad.nn.parameter import Parameter
from minigrad.tensor import ShapeError, Tensor


class _BatchNorm(Module):
    _dims = ()  # the input ranks a subclass accepts

    def __init__(
        self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
        device=None, dtype=None, *, bias=True,
    ):  # fmt: skip
        super().__init__()
        as_device(device)
        # torch accepts these and then outputs NaN (a negative eps) or fails inside a factory.
        if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not eps >= 0:
            raise ValueError(f"{type(self).__name__}: eps must be a number >= 0, got {eps!r}")
        if momentum is not None and (
            isinstance(momentum, bool)
            or not isinstance(momentum, numbers.Real)
            or not 0 <= momentum <= 1
        ):
            raise ValueError(
                f"{type(self).__name__}: momentum must be None or in [0, 1], got {momentum!r}"
            )
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(factories.ones(num_features, dtype=dtype))
            if bias:
                self.bias = Parameter(factories.zeros(num_features, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", factories.zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", factories.ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", Tensor._make(np.array(0, np.int64)))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)
        place(self, device)

    def reset_running_stats(self):
        if self.track_running_stats:
            init.zeros_(self.running_mean)
            init.ones_(self.running_var)
            self.num_batches_tracked._data[...] = 0

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input):
        if input.ndim not in self._dims or input.shape[1] != self.num_features:
            dims = " or ".join(f"{d}D" for d in self._dims)
            raise ShapeError(
                f"{self!r} expected a {dims} input with {self.num_features} channels in dim 1, "
                f"but got shape {tuple(input.shape)}"
            )
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked._data += 1
            if self.momentum is None:  # a cumulative moving average, as PyTorch
                factor = 1.0 / int(self.num_batches_tracked._data)
        # Batch statistics in training, or when there are no running statistics to use.
        use_batch = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        return F.batch_norm(
            input,
            self.running_mean if track else None,
            self.running_var if track else None,
            self.weight,
            self.bias,
            use_batch,
            factor,
            self.eps,
        )

    def extra_repr(self):
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalisation over (N, C) or (N, C, L) inputs, per channel C.

    In training: y = (x - batch mean) / sqrt(batch var + eps) * weight + bias, and the
    buffers ``running_mean``/``running_var`` move towards the batch statistics by
    ``momentum`` (the unbiased variance, as PyTorch); in eval mode they replace them.
    ``momentum=None`` gives a cumulative average; ``affine=False`` drops weight and bias,
    ``bias=False`` the bias only; ``track_running_stats=False`` always uses the batch.

    Example::

        bn = nn.BatchNorm1d(16)
        bn(mg.randn(32, 16)).shape  # (32, 16)
    """

    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation over (N, C, H, W) inputs, per channel C (see ``BatchNorm1d``).

    Example::

        bn = nn.BatchNorm2d(8)
        bn(mg.randn(4, 8, 5, 5)).shape  # (4, 8, 5, 5)
    """

    _dims = (4,)
