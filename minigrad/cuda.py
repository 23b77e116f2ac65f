"""``mg.cuda``: as ``torch.cuda``, through CuPy (``minigrad.backend``).

With CuPy and an NVIDIA GPU, ``is_available()`` is True and the queries below ask CuPy;
without them ``is_available()`` is False, ``device_count()`` 0, and the functions that need
a GPU raise the RuntimeError saying what is missing. minigrad draws every random number on
the host (``mg.manual_seed``), so the CUDA seeding functions do nothing either way.
"""

import types

from minigrad import backend
from minigrad.device import NO_GPU, device


def is_available():
    """Whether minigrad can compute on a GPU: CuPy is installed and sees an NVIDIA GPU."""
    return backend.cuda_available()


def device_count():
    """The number of GPUs CuPy sees (0 without CuPy or a GPU)."""
    return backend.cuda_device_count()


def is_initialized():
    """Whether CUDA is in use: found when first asked for (as ``is_available`` does)."""
    return backend.cuda_available()


def manual_seed(seed):
    """Does nothing: minigrad draws on the host, seeded by ``mg.manual_seed``."""


def manual_seed_all(seed):
    """Does nothing: minigrad draws on the host, seeded by ``mg.manual_seed``."""


def empty_cache():
    """Frees the blocks CuPy's memory pool holds unused (nothing to do without a GPU)."""
    if backend.cuda_available():
        _cupy().get_default_memory_pool().free_all_blocks()


def _cupy():
    """CuPy, once ``backend`` found it usable; the no-GPU RuntimeError otherwise."""
    if not backend.cuda_available():
        raise RuntimeError(NO_GPU.format(device="a cuda"))
    import cupy

    return cupy


def _index(which):
    """The GPU number ``which`` names: None (the current one), an int, 'cuda:1', a device."""
    cupy = _cupy()
    if which is None:
        return cupy.cuda.runtime.getDevice()
    if isinstance(which, int) and not isinstance(which, bool):
        return which
    which = device(which)
    if which.type != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {which}")
    return cupy.cuda.runtime.getDevice() if which.index is None else which.index


def synchronize(device=None):
    """Wait for every kernel queued on the GPU to finish."""
    cupy = _cupy()
    cupy.cuda.Device(_index(device)).synchronize()


def current_device():
    """The number of the GPU in use."""
    return _cupy().cuda.runtime.getDevice()


def set_device(device):
    """Make GPU ``device`` (an int, 'cuda:1' or a device) the one in use."""
    cupy = _cupy()
    cupy.cuda.runtime.setDevice(_index(device))


def get_device_properties(device=None):
    """The GPU's name, total_memory (bytes), major and minor (its compute capability) and
    multi_processor_count, as attributes (as torch's)."""
    properties = _cupy().cuda.runtime.getDeviceProperties(_index(device))
    name = properties["name"]
    return types.SimpleNamespace(
        name=name.decode() if isinstance(name, bytes) else name,
        total_memory=properties["totalGlobalMem"],
        major=properties["major"],
        minor=properties["minor"],
        multi_processor_count=properties["multiProcessorCount"],
    )


def get_device_name(device=None):
    """The GPU's name, such as 'NVIDIA H100 80GB HBM3'."""
    return get_device_properties(device).name


def get_device_capability(device=None):
    """The GPU's compute capability (major, minor)."""
    properties = get_device_properties(device)
    return properties.major, properties.minor
