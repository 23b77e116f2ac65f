"""``Conv2d``, ``Conv1d``, ``ConvTranspose2d``, ``ConvTranspose1d``: the layers around F."""

import math

from minigrad import factories
from minigrad.device import as_device
from minigrad.nn import functional as F
from minigrad.nn import init
from minigrad.nn.modules._device import place
from minigrad.nn.modules.module import Module
from minigrad.nn.parameter import Parameter
from minigrad.tensor import ShapeError


def _pair(value, name="argument"):
    """An int or a pair of ints as a pair, refused here (not at forward) when it is neither."""
    pair = tuple(value) if isinstance(value, tuple | list) else (value, value)
    if len(pair) != 2 or not all(hasattr(type(n), "__index__") for n in pair):  # numpy ints too
        raise TypeError(f"Conv2d: {name} must be an int or a pair of ints, got {value!r}")
    return tuple(int(n) for n in pair)


class Conv2d(Module):
    """2-D convolution (cross-correlation) over an NCHW input.

    Shapes: input (N, in_channels, H, W) -> output (N, out_channels, H', W') with
    H' = (H + 2 padding - dilation (kernel - 1) - 1) // stride + 1. ``weight`` is
    (out_channels, in_channels // groups, kh, kw), ``bias`` (out_channels,); both start as
    PyTorch's: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = in_channels // groups * kh * kw.
    ``padding`` is an int, a pair, or what ``F.conv2d`` accepts; ``padding_mode`` must be
    'zeros'; ``device`` is where the parameters live (built on the CPU, then moved).

    Example::

        conv = nn.Conv2d(1, 8, kernel_size=3, padding=1)
        conv(mg.randn(4, 1, 28, 28)).shape  # (4, 8, 28, 28)
    """

    def __init__(
        self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
        groups=1, bias=True, padding_mode="zeros", device=None, dtype=None,
    ):  # fmt: skip
        super().__init__()
        as_device(device)
        if groups <= 0 or in_channels % groups or out_channels % groups:
            raise ValueError(
                f"groups ({groups}) must be positive and divide in_channels ({in_channels}) "
                f"and out_channels ({out_channels})"
            )
        if padding_mode != "zeros":
            raise NotImplementedError(f"padding_mode {padding_mode!r}: only 'zeros' exists")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = _pair(stride, "stride")
        self.padding = padding if isinstance(padding, str) else _pair(padding)
        self.dilation = _pair(dilation, "dilation")
        self.groups = groups
        self.padding_mode = padding_mode
        shape = (out_channels, in_channels // groups) + self.kernel_size
        self.weight = Parameter(factories.empty(shape, dtype=dtype))
        if bias:
            self.bias = Parameter(factories.empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()
        place(self, device)

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        if input.ndim not in (3, 4) or input.shape[-3] != self.in_channels:
            raise ShapeError(
                f"{self!r} expected an input of shape (N, {self.in_channels}, H, W) or "
                f"({self.in_channels}, H, W), but got shape {tuple(input.shape)} (its "
                "channel dimension must be in_channels)"
            )
        return F.conv2d(
            input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
        )

    def extra_repr(self):
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


def _single(value, name):
    """An int or a 1-tuple as a 1-tuple, refused here (not at forward) when it is neither."""
    single = tuple(value) if isinstance(value, tuple | list) else (value,)
    if len(single) != 1 or not all(hasattr(type(n), "__index__") for n in single):
        raise TypeError(f"Conv1d: {name} must be an int or a tuple of one int, got {value!r}")
    return (int(single[0]),)


class Conv1d(Module):
    """1-D convolution (cross-correlation) over an NCL input, as ``torch.nn.Conv1d``.

    Shapes: input (N, in_channels, L) or (in_channels, L) -> (N, out_channels, L') with
    L' = (L + 2 padding - dilation (kernel - 1) - 1) // stride + 1. ``weight`` is
    (out_channels, in_channels // groups, kernel_size), ``bias`` (out_channels,); both start
    as PyTorch's (kaiming_uniform with a = sqrt(5), and U(-1/sqrt(fan_in), 1/sqrt(fan_in))),
    so a PyTorch Conv1d's state_dict loads unchanged. ``padding`` is an int, a 1-tuple,
    ``'valid'`` or ``'same'``; ``padding_mode`` must be 'zeros'.

    Example::

        conv = nn.Conv1d(16, 33, 3, stride=2)
        conv(mg.randn(20, 16, 50)).shape  # (20, 33, 24)
    """

    def __init__(
        self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
        groups=1, bias=True, padding_mode="zeros", device=None, dtype=None,
    ):  # fmt: skip
        super().__init__()
        as_device(device)
        if groups <= 0 or in_channels % groups or out_channels % groups:
            raise ValueError(
                f"groups ({groups}) must be positive and divide in_channels ({in_channels}) "
                f"and out_channels ({out_channels})"
            )
        if isinstance(padding, str) and padding not in ("valid", "same"):
            raise ValueError(f"Invalid padding string {padding!r}, should be one of valid, same")
        if padding == "same" and _single(stride, "stride") != (1,):
            raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode != "zeros":
            raise NotImplementedError(f"padding_mode {padding_mode!r}: only 'zeros' exists")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _single(kernel_size, "kernel_size")
        self.stride = _single(stride, "stride")
        self.padding = padding if isinstance(padding, str) else _single(padding, "padding")
        self.dilation = _single(dilation, "dilation")
        self.groups = groups
        self.padding_mode = padding_mode
        shape = (out_channels, in_channels // groups) + self.kernel_size
        self.weight = Parameter(factories.empty(shape, dtype=dtype))
        if bias:
            self.bias = Parameter(factories.empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()
        place(self, device)

    reset_parameters = Conv2d.reset_parameters

    def forward(self, input):
        return F.conv1d(
            input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
        )

    def extra_repr(self):
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0,):
            s += f", padding={self.padding}"
        if self.dilation != (1,):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


class _ConvTransposeNd(Module):
    """What ConvTranspose1d and ConvTranspose2d share: parameters, init, output_size, repr."""

    _tuple = staticmethod(_pair)
    _name = "ConvTranspose2d"

    def __init__(
        self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0,
        groups=1, bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None,
    ):  # fmt: skip
        super().__init__()
        as_device(device)
        if groups <= 0 or in_channels % groups or out_channels % groups:
            raise ValueError(
                f"groups ({groups}) must be positive and divide in_channels ({in_channels}) "
                f"and out_channels ({out_channels})"
            )
        if padding_mode != "zeros":
            raise ValueError(
                f'Only "zeros" padding mode is supported for {self._name}, got {padding_mode!r}'
            )
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = self._tuple(kernel_size, "kernel_size")
        self.stride = self._tuple(stride, "stride")
        self.padding = self._tuple(padding, "padding")
        self.output_padding = self._tuple(output_padding, "output_padding")
        self.dilation = self._tuple(dilation, "dilation")
        self.groups = groups
        self.padding_mode = padding_mode
        # PyTorch's layout: (in, out / groups, k...), the transpose of a convolution's
        shape = (in_channels, out_channels // groups) + self.kernel_size
        self.weight = Parameter(factories.empty(shape, dtype=dtype))
        if bias:
            self.bias = Parameter(factories.empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()
        place(self, device)

    reset_parameters = Conv2d.reset_parameters

    def _output_padding(self, input, output_size):
        """The output_padding that gives ``output_size`` (the last spatial sizes), as PyTorch."""
        if output_size is None:
            return self.output_padding
        dims = len(self.kernel_size)
        output_size = list(output_size)
        if len(output_size) == dims + 2 or (
            len(output_size) == dims + 1 and input.ndim == dims + 1
        ):
            output_size = output_size[-dims:]
        if len(output_size) != dims:
            raise ValueError(
                f"ConvTranspose{dims}D: for {input.ndim}D input, output_size must have {dims} "
                f"or {dims + 2} elements (got {len(output_size)})"
            )
        result = []
        for d in range(dims):
            size = input.shape[input.ndim - dims + d]
            smallest = (
                (size - 1) * self.stride[d] - 2 * self.padding[d]
                + self.dilation[d] * (self.kernel_size[d] - 1) + 1
            )  # fmt: skip
            largest = smallest + self.stride[d] - 1
            if not smallest <= output_size[d] <= largest:
                raise ValueError(
                    f"requested an output size of {output_size}, but valid sizes range from "
                    f"{smallest} to {largest} (for an input of {list(input.shape[2:])})"
                )
            result.append(output_size[d] - smallest)
        return tuple(result)

    def extra_repr(self):
        dims = len(self.kernel_size)
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0,) * dims:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * dims:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * dims:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution over an NCHW input, as ``torch.nn.ConvTranspose2d``.

    Shapes: input (N, in_channels, H, W) or (in_channels, H, W) -> (N, out_channels, H', W')
    with H' = (H - 1) stride - 2 padding + dilation (kernel - 1) + output_padding + 1.
    ``weight`` is (in_channels, out_channels // groups, kh, kw), ``bias`` (out_channels,);
    both start as PyTorch's (kaiming_uniform with a = sqrt(5) on that weight, whose fan_in
    is out_channels // groups * kh * kw), so a PyTorch ConvTranspose2d's state_dict loads
    unchanged. ``forward(input, output_size=None)``: ``output_size`` picks output_padding.

    Example::

        up = nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1)
        up(mg.randn(1, 16, 12, 12), output_size=(24, 24)).shape  # (1, 8, 24, 24)
    """

    def forward(self, input, output_size=None):
        output_padding = self._output_padding(input, output_size)
        return F.conv_transpose2d(
            input, self.weight, self.bias, self.stride, self.padding, output_padding,
            self.groups, self.dilation,
        )  # fmt: skip


def _single_tuple(value, name):
    single = tuple(value) if isinstance(value, tuple | list) else (value,)
    if len(single) != 1 or not all(hasattr(type(n), "__index__") for n in single):
        raise TypeError(
            f"ConvTranspose1d: {name} must be an int or a tuple of one int, got {value!r}"
        )
    return (int(single[0]),)


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution over an NCL input, as ``torch.nn.ConvTranspose1d``.

    Shapes: input (N, in_channels, L) or (in_channels, L) -> (N, out_channels, L') with
    L' = (L - 1) stride - 2 padding + dilation (kernel - 1) + output_padding + 1; ``weight``
    (in_channels, out_channels // groups, kernel_size), initialised as PyTorch's.

    Example::

        nn.ConvTranspose1d(4, 6, 3, stride=2)(mg.randn(2, 4, 10)).shape  # (2, 6, 21)
    """

    _tuple = staticmethod(_single_tuple)
    _name = "ConvTranspose1d"

    def forward(self, input, output_size=None):
        output_padding = self._output_padding(input, output_size)
        return F.conv_transpose1d(
            input, self.weight, self.bias, self.stride, self.padding, output_padding,
            self.groups, self.dilation,
        )  # fmt: skip
