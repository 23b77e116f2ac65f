"""``Dropout``."""

from minigrad.nn import functional as F
from minigrad.nn.modules.module import Module


class Dropout(Module):
    """In training, zero each element with probability ``p`` and scale the rest by
    1 / (1 - p); in eval mode, the identity. The mask comes from minigrad's default
    generator, so ``mg.manual_seed`` repeats it.

    Example::

        drop = nn.Dropout(0.2)
        drop.eval()(x) is x  # True
    """

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return F.dropout(input, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"
