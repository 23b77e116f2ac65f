"""``MaxPool2d`` and ``AvgPool2d``: the layers around ``F.max_pool2d`` and ``F.avg_pool2d``."""

from minigrad.nn import functional as F
from minigrad.nn.modules.module import Module


def _unsupported(name, **options):
    for option, (value, default) in options.items():
        if value != default:
            raise NotImplementedError(f"{name}: {option}={value!r} is not supported yet")


class MaxPool2d(Module):
    """The maximum over each ``kernel_size`` window, moving by ``stride`` (default: the kernel).

    Shapes: (N, C, H, W) -> (N, C, H', W'), H' from ``F.conv_output_size`` (dilation included).
    Among tied maxima the gradient goes to the first (row-major), as in PyTorch.

    Example: ``nn.MaxPool2d(2)(mg.randn(1, 3, 8, 8)).shape`` is (1, 3, 4, 4).
    """

    def __init__(
        self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
        ceil_mode=False,
    ):  # fmt: skip
        super().__init__()
        _unsupported(
            "MaxPool2d", return_indices=(return_indices, False), ceil_mode=(ceil_mode, False),
        )  # fmt: skip
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation)

    def extra_repr(self):
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class AvgPool2d(Module):
    """The mean over each ``kernel_size`` window, moving by ``stride`` (default: the kernel);
    padded cells count in the divisor (PyTorch's default ``count_include_pad=True``).

    Example: ``nn.AvgPool2d(2)(mg.ones(1, 1, 4, 4))`` is ones of shape (1, 1, 2, 2).
    """

    def __init__(
        self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
        divisor_override=None,
    ):  # fmt: skip
        super().__init__()
        _unsupported(
            "AvgPool2d", ceil_mode=(ceil_mode, False),
            count_include_pad=(count_include_pad, True),
        )  # fmt: skip
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        return F.avg_pool2d(
            input, self.kernel_size, self.stride, self.padding,
            divisor_override=self.divisor_override,
        )  # fmt: skip

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
