"""Layers made on a device (``nn.Linear(..., device='cuda')``): each layer is built and
initialised on the CPU as always, then ``place`` moves the arrays of its parameters and
buffers to the device in place, so the Parameter objects stay the ones the layer holds."""

from minigrad import backend
from minigrad.device import as_device
from minigrad.nn.parameter import _keep_device, _Uninitialized


def place(module, device):
    """Move ``module``'s parameters and buffers (its submodules' too) to ``device`` in place;
    ``None`` or the CPU leaves them where they are (on the CPU). An uninitialized (lazy)
    parameter or buffer keeps the device for its ``materialize``. Returns ``module``."""
    if device is None:
        return module
    dev = as_device(device)  # RuntimeError when the device is not present
    if dev.type == "cpu":
        return module
    for tensor in (*module.parameters(), *module.buffers()):
        if isinstance(tensor, _Uninitialized):
            _keep_device(tensor, dev)
        else:
            tensor._data = backend.to_device(tensor._data, dev)
    return module
