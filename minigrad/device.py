"""``mg.device``: where a tensor lives, as ``torch.device``.

'cpu' is always there; 'cuda' is there with CuPy and an NVIDIA GPU (``minigrad.backend``), and
asking for a device that is not (``'cuda'`` without a GPU, ``'mps'``, ...) raises
``RuntimeError`` saying what is missing. Unlike PyTorch, a
device compares equal to its string (``t.device == 'cpu'``).
"""

import builtins

# PyTorch's device types, in the order its error message lists them.
_TYPES = (
    "cpu cuda ipu xpu mkldnn opengl opencl ideep hip ve fpga maia xla lazy vulkan mps meta hpu "
    "mtia privateuseone"
).split()

NO_GPU = (
    "{device} device requested but minigrad found no GPU: install CuPy ('pip install "
    "minigrad[cuda]') on a machine with an NVIDIA GPU"
)


class device:  # noqa: N801 - PyTorch's name
    """``device('cpu')``, ``device('cuda')``, ``device('cuda', 0)``, ``device('cuda:1')``.

    ``type`` is the kind ('cpu', 'cuda', ...), ``index`` its number or None.
    """

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):  # noqa: A002 - PyTorch's argument name
        if isinstance(type, device):
            type, index = type.type, type.index  # noqa: A001
        elif isinstance(type, builtins.int) and not isinstance(type, builtins.bool):
            type, index = "cuda", type  # noqa: A001 - an int means a CUDA device, as in torch
        elif not isinstance(type, str):
            raise TypeError(
                f"device() expects a device string such as 'cpu' or 'cuda:0', a device or an "
                f"int index, got {builtins.type(type).__name__}"
            )
        name, sep, number = type.partition(":")
        if name not in _TYPES:
            raise RuntimeError(
                f"Expected one of {', '.join(_TYPES)} device type at start of device string: {type}"
            )
        if sep:
            if index is not None or not number.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = builtins.int(number)
        if index is not None:
            if not isinstance(index, builtins.int) or isinstance(index, builtins.bool):
                raise TypeError(f"device index must be an int, got {builtins.type(index).__name__}")
            if index < 0:
                raise RuntimeError(f"Device index must not be negative, got {index}")
        object.__setattr__(self, "type", name)
        object.__setattr__(self, "index", index)

    def __setattr__(self, name, value):
        raise AttributeError(f"device attribute {name!r} is read-only")

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{index})"

    def __eq__(self, other):
        if isinstance(other, str):
            try:
                other = device(other)
            except RuntimeError:
                return False
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return device, (self.type, self.index)


CPU = device("cpu")


def register_type(name):
    """Let ``device(name)`` parse: for a backend registered in ``minigrad.backend``."""
    global _TYPES
    if name not in _TYPES:
        _TYPES = (*_TYPES, name)


def as_device(value, argument="device"):
    """``value`` (None for the CPU, a device, a string, an int for a CUDA index) as a device
    that is present: RuntimeError for one that is not (no CuPy or no GPU for 'cuda')."""
    if value is None or value is CPU:
        return CPU
    if not isinstance(value, device):
        if isinstance(value, str | builtins.int) and not isinstance(value, builtins.bool):
            value = device(value)
        else:
            raise TypeError(
                f"{argument} must be a device, a string such as 'cpu' or an int, got "
                f"{builtins.type(value).__name__}"
            )
    if value.type == "cpu":
        return CPU
    from minigrad import backend

    backend.backend_for(value)  # raises when the device is not present
    return value


def is_device(value):
    """Whether ``value`` reads as a device argument (a device or a device string)."""
    if isinstance(value, device):
        return True
    if isinstance(value, str):
        return value.partition(":")[0] in _TYPES
    return False
