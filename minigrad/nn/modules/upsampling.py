"""``Upsample``, ``UpsamplingNearest2d``, ``UpsamplingBilinear2d``: ``F.interpolate`` layers."""

from minigrad.nn import functional as F
from minigrad.nn.modules.module import Module


class Upsample(Module):
    """Resizes the spatial dims of its input, as ``torch.nn.Upsample``: ``F.interpolate``.

    Give ``size`` or ``scale_factor``; ``mode`` is 'nearest' (default), 'nearest-exact',
    'linear', 'bilinear', 'bicubic', 'trilinear' or 'area'; ``align_corners`` only with the
    interpolating modes. No parameters.

    Example::

        nn.Upsample(scale_factor=2, mode="bilinear")(mg.randn(1, 3, 8, 8)).shape  # (1, 3, 16, 16)
    """

    def __init__(
        self, size=None, scale_factor=None, mode="nearest", align_corners=None,
        recompute_scale_factor=None,
    ):  # fmt: skip
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        self.scale_factor = float(scale_factor) if isinstance(scale_factor, int) else scale_factor
        if isinstance(scale_factor, tuple | list):
            self.scale_factor = tuple(float(s) for s in scale_factor)
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return F.interpolate(
            input, self.size, self.scale_factor, self.mode, self.align_corners,
            recompute_scale_factor=self.recompute_scale_factor,
        )  # fmt: skip

    def extra_repr(self):
        if self.scale_factor is not None:
            info = f"scale_factor={self.scale_factor!r}"
        else:
            info = f"size={self.size!r}"
        return info + f", mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """``Upsample(size, scale_factor, mode='nearest')`` for 4-D inputs, as PyTorch's."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """``Upsample(size, scale_factor, mode='bilinear', align_corners=True)``, as PyTorch's."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
