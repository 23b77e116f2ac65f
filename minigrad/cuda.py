"""``mg.cuda``: as ``torch.cuda`` on a machine without a GPU (none is used today)."""

from minigrad.device import NO_GPU


def is_available():
    """False: minigrad found no GPU (CuPy and an NVIDIA GPU are needed)."""
    return False


def device_count():
    return 0


def is_initialized():
    return False


def manual_seed(seed):
    """Does nothing without a GPU (as torch.cuda.manual_seed does then)."""


def manual_seed_all(seed):
    """Does nothing without a GPU (as torch.cuda.manual_seed_all does then)."""


def empty_cache():
    """Does nothing without a GPU."""


def _no_gpu(*args, **kwargs):
    raise RuntimeError(NO_GPU.format(device="a cuda"))


synchronize = current_device = get_device_name = get_device_properties = set_device = _no_gpu
