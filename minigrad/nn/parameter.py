"""``nn.Parameter``: a Tensor that a Module registers as a learnable weight."""

import numpy as np

from minigrad import dtypes
from minigrad.tensor import Tensor


class Parameter(Tensor):
    """A Tensor that requires grad and that ``Module.__setattr__`` files among the parameters.

    ``data`` is a Tensor (its array is shared, as in PyTorch), an ndarray (kept as it is if it
    is floating) or anything ``np.asarray`` takes (made the default float dtype).

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
            array = np.asarray(data)
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
