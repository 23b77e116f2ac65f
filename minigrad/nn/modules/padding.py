"""Padding layers: ``ZeroPad``, ``ConstantPad``, ``ReflectionPad``, ``ReplicationPad`` and
``CircularPad`` in 1, 2 and 3 dims, each ``F.pad`` with a fixed padding and mode."""

from minigrad.nn import functional as F
from minigrad.nn.modules.module import Module


def _padding(padding, dims, name):
    """An int pads every side; else one (before, after) pair per dim, last dim first."""
    if isinstance(padding, int) and not isinstance(padding, bool):
        return (padding,) * (2 * dims)
    if (
        not isinstance(padding, tuple | list)
        or len(padding) != 2 * dims
        or not all(isinstance(p, int) and not isinstance(p, bool) for p in padding)
    ):
        raise TypeError(
            f"{name}: padding must be an int or a tuple of {2 * dims} ints, got {padding!r}"
        )
    return tuple(padding)


class _Pad(Module):
    mode = "constant"
    dims = 1

    def __init__(self, padding):
        super().__init__()
        self.padding = _padding(padding, self.dims, type(self).__name__)

    def forward(self, input):
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPad(_Pad):
    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPad):
    """Pad the last dim with ``value``: ``padding`` is an int or (left, right).

    Example: ``nn.ConstantPad1d(2, 3.5)(mg.zeros(1, 2, 4)).shape`` is (1, 2, 8).
    """


class ConstantPad2d(_ConstantPad):
    """Pad the last two dims with ``value``: an int or (left, right, top, bottom).

    Example: ``nn.ConstantPad2d((1, 1, 2, 0), 1.0)(mg.zeros(1, 3, 3)).shape`` is (1, 5, 5).
    """

    dims = 2


class ConstantPad3d(_ConstantPad):
    """Pad the last three dims with ``value``: an int or a 6-tuple."""

    dims = 3


class ZeroPad1d(ConstantPad1d):
    """Pad the last dim with zeros: an int or (left, right)."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pad the last two dims with zeros: an int or (left, right, top, bottom).

    Example: ``nn.ZeroPad2d(1)(mg.ones(1, 1, 2, 2)).shape`` is (1, 1, 4, 4).
    """

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """Pad the last three dims with zeros: an int or a 6-tuple."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ReflectionPad1d(_Pad):
    """Mirror the last dim at its edges, without repeating them (each amount < its size).

    Example: ``nn.ReflectionPad1d(2)(mg.tensor([[[0.0, 1.0, 2.0]]]))`` is [[[2, 1, 0, 1, 2, 1, 0]]].
    """

    mode = "reflect"


class ReflectionPad2d(ReflectionPad1d):
    """Mirror the last two dims: ``padding`` an int or (left, right, top, bottom)."""

    dims = 2


class ReflectionPad3d(ReflectionPad1d):
    """Mirror the last three dims: ``padding`` an int or a 6-tuple."""

    dims = 3


class ReplicationPad1d(_Pad):
    """Repeat the edge values of the last dim: ``padding`` an int or (left, right)."""

    mode = "replicate"


class ReplicationPad2d(ReplicationPad1d):
    """Repeat the edge values of the last two dims: an int or (left, right, top, bottom)."""

    dims = 2


class ReplicationPad3d(ReplicationPad1d):
    """Repeat the edge values of the last three dims: an int or a 6-tuple."""

    dims = 3


class CircularPad1d(_Pad):
    """Wrap the last dim around (the left pad comes from the right end and vice versa)."""

    mode = "circular"


class CircularPad2d(CircularPad1d):
    """Wrap the last two dims around: ``padding`` an int or (left, right, top, bottom)."""

    dims = 2


class CircularPad3d(CircularPad1d):
    """Wrap the last three dims around: ``padding`` an int or a 6-tuple."""

    dims = 3
