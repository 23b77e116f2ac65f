"""Map-style data sets: ``Dataset`` (the interface) and ``TensorDataset`` (arrays side by side)."""

import numpy as np


class Dataset:
    """A map-style data set: ``len(ds)`` samples, ``ds[i]`` the i-th one.

    Subclasses define ``__len__`` and ``__getitem__``. A subclass whose ``__getitem__`` also
    accepts an int array of indices and returns whole batches (arrays with a leading batch
    dimension) lets ``DataLoader`` read a batch in one call; otherwise it should raise
    ``TypeError`` for an array, and the loader reads item by item.
    """

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__")

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")


class TensorDataset(Dataset):
    """Samples made of the same row of each of several Tensors or arrays.

    ``TensorDataset(x, y)`` with x (N, ...) and y (N, ...): ``ds[i]`` is ``(x[i], y[i])`` and
    ``ds[index_array]`` is ``(x[index_array], y[index_array])``, so a ``DataLoader`` reads a
    whole batch with one indexing per array. Items are numpy arrays (dtypes kept); the
    DataLoader turns batches into Tensors.

    Example:
        >>> ds = TensorDataset(np.zeros((100, 3), np.float32), np.arange(100))
        >>> x, y = ds[np.array([0, 5])]    # x: (2, 3) float32, y: (2,) int64
    """

    def __init__(self, *tensors):
        if not tensors:
            raise TypeError("TensorDataset needs at least one Tensor or array")
        arrays = []
        for position, t in enumerate(tensors):
            # Lists are refused: np.asarray would silently make Python floats float64.
            if not hasattr(t, "__array__"):
                raise TypeError(
                    f"TensorDataset takes Tensors or numpy arrays; argument {position} is a "
                    f"{type(t).__name__} (convert it with mg.tensor(...) first)"
                )
            array = np.asarray(t)
            if array.ndim == 0:
                raise ValueError(
                    f"TensorDataset: argument {position} is 0-d; it needs a first dimension"
                )
            arrays.append(array)
        sizes = [len(a) for a in arrays]
        if len(set(sizes)) > 1:
            raise ValueError(
                f"TensorDataset: size mismatch between tensors: first dimensions are {sizes}, "
                "they must all be equal"
            )
        self.tensors = tuple(arrays)

    def __len__(self):
        return len(self.tensors[0])

    def __getitem__(self, index):
        return tuple(a[index] for a in self.tensors)
