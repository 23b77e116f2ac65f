"""``dropout``: inverted dropout, with the mask drawn from minigrad's default generator."""

from minigrad.random import default_generator
from minigrad.tensor import Tensor, as_tensor


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the others by 1 / (1 - p), so the
    expected value is unchanged; identity when ``training`` is False. ``inplace`` is ignored.

    Example::

        mg.manual_seed(0)
        F.dropout(mg.ones(6), p=0.5)  # some zeros, the rest 2.0
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    input = as_tensor(input)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    keep = default_generator().random(input.shape, dtype=input.dtype) >= p
    return input * Tensor._make(keep.astype(input.dtype) * input.dtype.type(1 / (1 - p)))
