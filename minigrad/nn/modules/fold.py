"""``Unfold`` and ``Fold``: the layers around ``F.unfold`` (im2col) and ``F.fold`` (col2im)."""

from minigrad.nn import functional as F
from minigrad.nn.modules.module import Module


class Unfold(Module):
    """Sliding blocks as columns, as ``torch.nn.Unfold``: (N, C, H, W) -> (N, C kh kw, L).

    Example::

        nn.Unfold(kernel_size=(2, 3))(mg.randn(2, 5, 3, 4)).shape  # (2, 30, 4)
    """

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (
            f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
            f"stride={self.stride}"
        )


class Fold(Module):
    """Columns of blocks summed into an image, as ``torch.nn.Fold``: (N, C kh kw, L) ->
    (N, C, *output_size).

    Example::

        nn.Fold(output_size=(4, 5), kernel_size=(2, 2))(mg.randn(1, 12, 12)).shape  # (1, 3, 4, 5)
    """

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size = output_size
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):
        return F.fold(
            input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride
        )

    def extra_repr(self):
        return (
            f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
            f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}"
        )
