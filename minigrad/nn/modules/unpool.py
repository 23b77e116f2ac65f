"""``MaxUnpool1d`` and ``MaxUnpool2d``: the layers around ``F.max_unpool1d`` / ``max_unpool2d``."""

from minigrad.nn import functional as F
from minigrad.nn.modules.module import Module


def _tuple(value, n):
    return tuple(value) if isinstance(value, tuple | list) else (value,) * n


class MaxUnpool2d(Module):
    """The partial inverse of ``MaxPool2d``, as ``torch.nn.MaxUnpool2d``:
    ``forward(input, indices, output_size=None)``; ``stride`` defaults to ``kernel_size``.

    Example::

        unpool = nn.MaxUnpool2d(2)
        unpool(mg.ones(1, 1, 2, 2), mg.tensor([[[[0, 3], [8, 15]]]])).shape  # (1, 1, 4, 4)
    """

    _dims, _function = 2, staticmethod(F.max_unpool2d)

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = _tuple(kernel_size, self._dims)
        self.stride = _tuple(kernel_size if stride is None else stride, self._dims)
        self.padding = _tuple(padding, self._dims)

    def forward(self, input, indices, output_size=None):
        return self._function(
            input, indices, self.kernel_size, self.stride, self.padding, output_size
        )

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(MaxUnpool2d):
    """The partial inverse of ``MaxPool1d``, as ``torch.nn.MaxUnpool1d``.

    Example::

        nn.MaxUnpool1d(2)(mg.tensor([[[5.0, 7.0]]]), mg.tensor([[[1, 2]]]))  # [[[0, 5, 7, 0]]]
    """

    _dims, _function = 1, staticmethod(F.max_unpool1d)
