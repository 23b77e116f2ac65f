"""The array library behind each device: the one place minigrad chooses numpy or CuPy.

Every array a Tensor holds belongs to one backend: numpy arrays to the CPU, CuPy arrays to
'cuda'. Ops find the library for the arrays at hand with ``array_module`` (chainer's
``get_array_module``) and write ``xp.zeros``, ``xp.where``, ... where numpy code would say
``np.``. Most numpy calls on a CuPy array already return a CuPy array (NEP 13/18 dispatch),
so ``xp`` is needed where an array is made from nothing (zeros, arange, random masks) or
converted (``asarray``), and for the few calls with no drop-in equivalent (``add_at``,
``as_strided``).

CuPy is imported only when a 'cuda' device is first asked for; without it (or without a GPU)
that request is a RuntimeError saying what is missing.
"""

import numpy as np

from minigrad.device import CPU, NO_GPU, device, register_type


class Backend:
    """An array library as minigrad uses it: its module, its array type and host copies."""

    __slots__ = ("device_type", "xp", "array_type", "to_host", "from_host", "device_of")

    def __init__(self, device_type, xp, array_type, to_host, from_host, device_of):
        self.device_type = device_type
        self.xp = xp  # the numpy-like module: numpy, cupy, ...
        self.array_type = array_type
        self.to_host = to_host  # array -> numpy.ndarray
        self.from_host = from_host  # (numpy.ndarray, device) -> array
        self.device_of = device_of  # array -> mg.device


NUMPY = Backend("cpu", np, np.ndarray, lambda a: a, lambda a, dev: a, lambda a: CPU)
_by_type = {np.ndarray: NUMPY}  # the exact array type -> its backend
_by_device = {"cpu": NUMPY}  # device type -> backend


def register(backend):
    """Make ``backend`` known (CuPy registers itself on first use; tests register others)."""
    register_type(backend.device_type)
    _by_type[backend.array_type] = backend
    _by_device[backend.device_type] = backend


def unregister(device_type):
    backend = _by_device.pop(device_type)
    _by_type.pop(backend.array_type, None)


def backend_of(array):
    """The backend an array belongs to; numpy for numpy scalars, lists and numbers."""
    backend = _by_type.get(type(array))
    if backend is not None:
        return backend
    for backend in _by_device.values():
        if backend is not NUMPY and isinstance(array, backend.array_type):
            return backend
    return NUMPY


def array_module(*arrays):
    """numpy, or the module of the first array among ``arrays`` that is not a numpy array."""
    for array in arrays:
        kind = type(array)
        if kind is not np.ndarray and kind in _by_type:
            return _by_type[kind].xp
    return np


def backend_for(dev):
    """The backend of device ``dev`` (an mg.device); RuntimeError when it is not present."""
    backend = _by_device.get(dev.type)
    if backend is None and dev.type == "cuda":
        backend = _cupy_backend()
    if backend is None:
        raise RuntimeError(NO_GPU.format(device=repr(str(dev))))
    return backend


def device_of(array):
    return backend_of(array).device_of(array)


def to_device(array, dev):
    """``array`` on device ``dev``: itself when it is there already, else a copy."""
    source = backend_of(array)
    target = backend_for(dev)
    if source is target and (source is NUMPY or _same_place(source.device_of(array), dev)):
        return array
    return target.from_host(np.asarray(source.to_host(array)), dev)


def _same_place(where, dev):
    """Whether an array on ``where`` is on ``dev`` ('cuda' without an index: any GPU)."""
    return where.type == dev.type and (dev.index is None or where.index == dev.index)


def as_array(value, like=None):
    """``value`` as an array of its own backend, or of ``like``'s when it is a number."""
    if type(value) in _by_type:
        return value
    backend = backend_of(value)
    if backend is not NUMPY:
        return value
    array = np.asarray(value)
    return array if like is None else on_device_of(array, like)


def is_host(array):
    """Whether ``array`` is a numpy array or scalar (on the CPU)."""
    return type(array) is np.ndarray or backend_of(array) is NUMPY


def on_device(array, dev):
    """Whether ``array`` is on device ``dev``."""
    if dev.type == "cpu":
        return is_host(array)
    return _same_place(device_of(array), dev)


def to_host(array):
    """A numpy array with ``array``'s values (``array`` itself when it is one)."""
    return backend_of(array).to_host(array)


def on_device_of(array, like):
    """``array`` (numpy, e.g. a random mask made on the host) moved to ``like``'s device."""
    backend = backend_of(like)
    if backend is NUMPY:
        return array
    return backend.from_host(np.asarray(array), backend.device_of(like))


def add_at(target, index, values):
    """``target[index] += values`` with repeated indices accumulating (``np.add.at``)."""
    if type(target) is np.ndarray:
        np.add.at(target, index, values)
    elif backend_of(target).device_type == "cuda":
        import cupyx

        cupyx.scatter_add(target, index, values)
    else:
        backend_of(target).xp.add.at(target, index, values)


def as_strided(array, shape, strides):
    """A read-only view of ``array``'s memory with the given shape and byte strides."""
    if backend_of(array).device_type == "cuda":
        import cupy

        return cupy.lib.stride_tricks.as_strided(array, shape, strides)
    return np.lib.stride_tricks.as_strided(array, shape, strides, subok=True, writeable=False)


SAME_DEVICE = (
    "Expected all tensors to be on the same device, but found at least two devices, {first} "
    "and {second}!"
)


def same_device(arrays):
    """RuntimeError, as PyTorch's, when ``arrays`` live on more than one device."""
    first = None
    for array in arrays:
        dev = device_of(array)
        if first is None:
            first = dev
        elif dev != first:
            raise RuntimeError(SAME_DEVICE.format(first=first, second=dev))


# ---- CuPy ----------------------------------------------------------------------------------

_cupy_state = {}  # "backend": the Backend, or "missing": why there is none


def _cupy_backend():
    if "backend" in _cupy_state:
        return _cupy_state["backend"]
    if "missing" in _cupy_state:
        return None
    try:
        import cupy

        if cupy.cuda.runtime.getDeviceCount() < 1:
            raise RuntimeError("no CUDA device")
    except Exception as error:  # noqa: BLE001 - any failure means: no usable GPU
        _cupy_state["missing"] = f"{type(error).__name__}: {error}"
        return None

    def from_host(array, dev):
        if dev is None or dev.index is None:  # the current device
            return cupy.asarray(array)
        with cupy.cuda.Device(dev.index):
            return cupy.asarray(array)

    backend = Backend(
        "cuda",
        cupy,
        cupy.ndarray,
        cupy.asnumpy,
        from_host,
        lambda a: device("cuda", a.device.id),
    )
    register(backend)
    _cupy_state["backend"] = backend
    return backend


def cuda_available():
    return _cupy_backend() is not None


def cuda_device_count():
    if not cuda_available():
        return 0
    import cupy

    return cupy.cuda.runtime.getDeviceCount()
