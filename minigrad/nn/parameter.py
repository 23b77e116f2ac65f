"""``nn.Parameter``: a Tensor that a Module registers as a learnable weight."""

import os
import sys

import numpy as np

from minigrad import backend, dtypes
from minigrad.device import as_device
from minigrad.tensor import Tensor


class Parameter(Tensor):
    """A Tensor that requires grad and that ``Module.__setattr__`` files among the parameters.

    ``data`` is a Tensor (its array is shared, as in PyTorch), an ndarray (kept as it is if it
    is floating; a device array stays on its device) or anything ``np.asarray`` takes (made
    the default float dtype).

    Example::

        w = nn.Parameter(mg.randn(3, 2))
        w.requires_grad  # True
    """

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            array = np.empty(0, dtypes.get_default_dtype())
        elif isinstance(data, Tensor):
            array = data._data
        else:
            array = backend.as_array(data)  # numpy's asarray, keeping device arrays
            if not dtypes.is_floating(array.dtype):
                array = array.astype(dtypes.get_default_dtype())
        self._data = array
        # Shares the memory of a Tensor given as data, and so its version counter.
        if isinstance(data, Tensor):
            self._counter = data._version_counter
        self.grad = None
        self.grad_fn = None
        self._output_index = 0
        self.requires_grad = requires_grad

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        copy = Parameter(self._data.copy(), self.requires_grad)
        memo[id(self)] = copy
        return copy


_UNINITIALIZED_USE = (
    "Attempted to use an uninitialized parameter in {op}. This error happens when you are "
    "using a `LazyModule` or explicitly manipulating `minigrad.nn.UninitializedParameter` "
    "objects. When using LazyModules call `forward` with a dummy batch to initialize the "
    "parameters before calling minigrad functions on them."
)


def _called_op():
    """The minigrad function the user called: the outermost frame inside the package."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frame, name = sys._getframe(2), "an op"
    while frame is not None and frame.f_code.co_filename.startswith(package):
        if frame.f_code.co_name not in ("aliased", "function", "with_out"):  # wrappers
            name = frame.f_code.co_name
        frame = frame.f_back
    return name


class _Uninitialized:
    """No array yet: any op, method or numpy conversion that reads one raises a ValueError
    naming the op (as PyTorch's), instead of computing with an empty placeholder."""

    @property
    def _data(self):
        raise ValueError(_UNINITIALIZED_USE.format(op=_called_op()))

    @_data.setter
    def _data(self, array):
        self.__dict__["_data"] = array

    @property
    def dtype(self):
        return self.__dict__["_data"].dtype

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error "
            "usually happens in `load_state_dict` when trying to load an uninitialized "
            "parameter into an initialized one. Call `forward` to initialize the parameters "
            "before accessing their attributes."
        )

    def materialize(self, shape, device=None, dtype=None):
        """Give this tensor an (uninitialised) array of ``shape`` and make it a plain one, on
        ``device``, by default the one it was made for (the CPU unless one was given)."""
        array = np.empty(tuple(shape), self.dtype if dtype is None else dtype)
        device = self.__dict__.pop("_device", None) if device is None else as_device(device)
        self._data = array if device is None else backend.to_device(array, device)
        self.__class__ = self.cls_to_become

    def _retype(self, dtype):
        """Module.to(dtype) before the first call: only the future dtype changes."""
        self._data = np.empty(0, dtype)

    def __repr__(self):
        return f"<{type(self).__name__}>"


class UninitializedParameter(_Uninitialized, Parameter):
    """A Parameter with no shape yet, held by a lazy module (``nn.LazyLinear``, ...) until its
    first forward call ``materialize``\\ s it: it then becomes a plain ``Parameter``, the same
    object, so an optimizer built before the first call keeps working.

    Example::

        fc = nn.LazyLinear(10)
        fc.weight  # <UninitializedParameter>
        fc(mg.randn(2, 3)); fc.weight.shape  # (10, 3)
    """

    cls_to_become = Parameter

    def __init__(self, requires_grad=True, device=None, dtype=None):
        super().__init__(np.empty(0, dtypes.get_default_dtype() if dtype is None else dtype),
                         requires_grad)  # fmt: skip
        _keep_device(self, device)

    def __deepcopy__(self, memo):
        copy = UninitializedParameter(self.requires_grad, self.__dict__.get("_device"), self.dtype)
        memo[id(self)] = copy
        return copy


class UninitializedBuffer(_Uninitialized, Tensor):
    """A buffer with no shape yet (a lazy BatchNorm's running statistics), materialised
    into a plain Tensor by the module's first call, like ``UninitializedParameter``."""

    cls_to_become = Tensor

    def __init__(self, requires_grad=False, device=None, dtype=None):
        self._data = np.empty(0, dtypes.get_default_dtype() if dtype is None else dtype)
        self.grad = None
        self.grad_fn = None
        self._output_index = 0
        self.requires_grad = requires_grad
        _keep_device(self, device)

    def __deepcopy__(self, memo):
        copy = UninitializedBuffer(self.requires_grad, self.__dict__.get("_device"), self.dtype)
        memo[id(self)] = copy
        return copy


def _keep_device(tensor, device):
    """Remember the device an uninitialized tensor is for, until ``materialize``."""
    if device is not None:
        tensor.__dict__["_device"] = as_device(device)
