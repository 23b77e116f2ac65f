"""minigrad's dtypes are numpy's; the default floating dtype is float32, as in PyTorch."""

import numpy as np

float16 = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int8 = np.dtype(np.int8)
uint8 = np.dtype(np.uint8)
int16 = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
bool = np.dtype(np.bool_)  # noqa: A001 - PyTorch's name

float = float32  # noqa: A001
double = float64
half = float16
long = int64
int = int32  # noqa: A001

_default = float32


def get_default_dtype():
    """The dtype of Python floats turned into tensors and of the float factories (float32)."""
    return _default


def set_default_dtype(dtype):
    """Make ``dtype`` (``mg.float32`` or ``mg.float64``) the default floating dtype."""
    global _default
    dtype = np.dtype(dtype)
    if dtype not in (float32, float64):
        raise TypeError(f"set_default_dtype takes mg.float32 or mg.float64, got {dtype}")
    _default = dtype


def is_floating(dtype):
    return np.issubdtype(dtype, np.floating)
