"""``InstanceNorm1d`` and ``InstanceNorm2d``: per-sample, per-channel normalisation."""

import warnings

from minigrad.nn import functional as F
from minigrad.nn.modules.batchnorm import _BatchNorm
from minigrad.tensor import ShapeError


class _InstanceNorm(_BatchNorm):
    """Parameters and buffers as ``_BatchNorm`` (so the state_dict keys are PyTorch's), with
    PyTorch's instance-norm defaults and forward."""

    _dims = ()  # (unbatched, batched) input ranks

    def __init__(
        self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False,
        device=None, dtype=None, *, bias=True,
    ):  # fmt: skip
        super().__init__(
            num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias
        )

    def forward(self, input):
        unbatched, batched = self._dims
        if input.ndim not in self._dims:
            raise ShapeError(
                f"{self!r}: expected a {unbatched}D or {batched}D input, got a {input.ndim}D "
                f"input of shape {tuple(input.shape)}"
            )
        channel_dim = input.ndim - unbatched
        if input.shape[channel_dim] != self.num_features:
            if self.affine:
                raise ValueError(
                    f"{self!r}: expected input's size at dim={channel_dim} to match "
                    f"num_features ({self.num_features}), but got: {input.shape[channel_dim]}."
                )
            warnings.warn(
                f"input's size at dim={channel_dim} does not match num_features. You can "
                "silence this warning by not passing in num_features, which is not used "
                "because affine=False",
                stacklevel=2,
            )
        if input.ndim == unbatched:
            return self._apply_norm(input.unsqueeze(0)).squeeze(0)
        return self._apply_norm(input)

    def _apply_norm(self, input):
        return F.instance_norm(
            input, self.running_mean, self.running_var, self.weight, self.bias,
            self.training or not self.track_running_stats,
            self.momentum if self.momentum is not None else 0.0, self.eps,
        )  # fmt: skip


class InstanceNorm1d(_InstanceNorm):
    """Normalise each channel of each sample of an (N, C, L) or (C, L) input over L.

    ``affine=True`` adds a per-channel ``weight`` (ones) and ``bias`` (zeros);
    ``track_running_stats=True`` keeps ``running_mean``/``running_var`` (updated in training
    by ``momentum``, used in eval mode), as ``torch.nn.InstanceNorm1d``; both off by default.

    Example: ``nn.InstanceNorm1d(3)(mg.randn(4, 3, 16)).shape`` is (4, 3, 16).
    """

    _dims = (2, 3)


class InstanceNorm2d(_InstanceNorm):
    """Normalise each channel of each sample of an (N, C, H, W) or (C, H, W) input over
    H and W (see ``InstanceNorm1d``).

    Example: ``nn.InstanceNorm2d(8, affine=True)(mg.randn(2, 8, 5, 5)).shape`` is (2, 8, 5, 5).
    """

    _dims = (3, 4)
