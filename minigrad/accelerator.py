"""``mg.accelerator``: as ``torch.accelerator``; the accelerator is a CUDA GPU through CuPy,
when there is one (``mg.cuda``)."""

from minigrad import backend
from minigrad.device import device


def is_available():
    return backend.cuda_available()


def current_accelerator(check_available=False):
    """``device('cuda')`` with CuPy and a GPU, else None."""
    return device("cuda") if backend.cuda_available() else None


def device_count():
    return backend.cuda_device_count()


def current_device_index():
    from minigrad import cuda

    return cuda.current_device()


def synchronize(device=None):
    from minigrad import cuda

    cuda.synchronize(device)
