"""The pooling layers: ``MaxPool1d/2d``, ``AvgPool1d/2d``, ``AdaptiveAvgPool1d/2d`` and
``AdaptiveMaxPool2d``, each around its function in ``F``."""

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


def _single(value):
    return tuple(value) if isinstance(value, tuple | list) else (value,)


class MaxPool1d(Module):
    """The maximum over each ``kernel_size`` window of the last dim, moving by ``stride``
    (default: the kernel); see ``F.max_pool1d`` (``ceil_mode`` and ``return_indices`` too).

    Shapes: (N, C, L) -> (N, C, L') or (C, L) -> (C, L').

    Example: ``nn.MaxPool1d(2)(mg.randn(1, 3, 8)).shape`` is (1, 3, 4).
    """

    def __init__(
        self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
        ceil_mode=False,
    ):  # fmt: skip
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return F.max_pool1d(
            input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
            self.return_indices,
        )  # fmt: skip

    def extra_repr(self):
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class AvgPool1d(Module):
    """The mean over each ``kernel_size`` window of the last dim, moving by ``stride``
    (default: the kernel); see ``F.avg_pool1d``.

    Example: ``nn.AvgPool1d(2)(mg.ones(1, 1, 4))`` is ones of shape (1, 1, 2).
    """

    def __init__(
        self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True
    ):
        super().__init__()
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input):
        return F.avg_pool1d(
            input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
            self.count_include_pad,
        )  # fmt: skip

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool1d(Module):
    """The mean over ``output_size`` adaptive windows of the last dim (``F.adaptive_avg_pool1d``).

    Example: ``nn.AdaptiveAvgPool1d(3)(mg.randn(2, 4, 10)).shape`` is (2, 4, 3).
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return F.adaptive_avg_pool1d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(AdaptiveAvgPool1d):
    """The mean over ``output_size`` (oh, ow) adaptive windows (``F.adaptive_avg_pool2d``);
    ``None`` in ``output_size`` keeps that input size.

    Example: ``nn.AdaptiveAvgPool2d(1)(mg.randn(8, 512, 7, 7)).shape`` is (8, 512, 1, 1).
    """

    def forward(self, input):
        return F.adaptive_avg_pool2d(input, self.output_size)


class AdaptiveMaxPool2d(Module):
    """The maximum over ``output_size`` (oh, ow) adaptive windows (``F.adaptive_max_pool2d``),
    with the flat indices of the maxima too when ``return_indices``.

    Example: ``nn.AdaptiveMaxPool2d((2, 3))(mg.randn(1, 4, 7, 9)).shape`` is (1, 4, 2, 3).
    """

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def forward(self, input):
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"
