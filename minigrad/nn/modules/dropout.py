"""``Dropout``, the channel-wise ``Dropout1d/2d/3d`` and SELU's ``AlphaDropout`` and
``FeatureAlphaDropout``."""

from minigrad.nn import functional as F
from minigrad.nn.functional.dropout import _check_p
from minigrad.nn.modules.module import Module


class _DropoutNd(Module):
    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        _check_p(p)
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """In training, zero each element with probability ``p`` and scale the rest by
    1 / (1 - p); in eval mode, the identity. The mask comes from minigrad's default
    generator, so ``mg.manual_seed`` repeats it.

    Example::

        drop = nn.Dropout(0.2)
        drop.eval()(x) is x  # True
    """

    def forward(self, input):
        return F.dropout(input, self.p, self.training)


class Dropout1d(_DropoutNd):
    """``F.dropout1d`` in training: whole channels of (N, C, L) or (C, L) inputs zeroed."""

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training)


class Dropout2d(_DropoutNd):
    """``F.dropout2d`` in training: whole channels of (N, C, H, W) inputs zeroed.

    Example::

        drop = nn.Dropout2d(0.25)  # after a conv: drop feature maps, not pixels
    """

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training)


class Dropout3d(_DropoutNd):
    """``F.dropout3d`` in training: whole channels of (N, C, D, H, W) or (C, D, H, W) inputs
    zeroed."""

    def forward(self, input):
        return F.dropout3d(input, self.p, self.training)


class AlphaDropout(_DropoutNd):
    """``F.alpha_dropout`` in training (keeps SELU activations' mean and variance)."""

    def forward(self, input):
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """``F.feature_alpha_dropout`` in training: whole channels set to SELU's saturation."""

    def forward(self, input):
        return F.feature_alpha_dropout(input, self.p, self.training)
