"""Map-style data sets: ``Dataset`` (the interface) and ``TensorDataset`` (arrays side by side)."""

import numpy as np


class Dataset:
    """A map-style data set: ``len(ds)`` samples, ``ds[i]`` the i-th one.

    Subclasses define ``__len__`` and ``__getitem__``; ``DataLoader`` reads them item by
    item, as PyTorch does. A subclass whose ``__getitem__`` also takes an int array of
    indices and returns the whole batch (arrays with a leading batch dimension, each item as
    ``ds[i]`` would give it) may set ``batched_getitem = True``: the loader then reads a batch
    with one call (``TensorDataset`` and ``MNIST`` do).
    """

    batched_getitem = False

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

    batched_getitem = True

    def __len__(self):
        return len(self.tensors[0])

    def __getitem__(self, index):
        return tuple(a[index] for a in self.tensors)


class IterableDataset(Dataset):
    """A stream of samples: subclasses define ``__iter__`` (no indexing)."""

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __getitem__(self, index):
        raise TypeError(f"{type(self).__name__} is an IterableDataset: it has no indexing")


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices

    @property
    def batched_getitem(self):
        return getattr(self.dataset, "batched_getitem", False)

    def __getitem__(self, index):
        if isinstance(index, list | np.ndarray):
            return self.dataset[np.asarray(self.indices)[np.asarray(index)]]
        return self.dataset[self.indices[index]]

    def __len__(self):
        return len(self.indices)


class ConcatDataset(Dataset):
    """Several data sets one after the other."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = np.cumsum([len(d) for d in self.datasets]).tolist()

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, index):
        if isinstance(index, np.ndarray | list):
            raise TypeError("ConcatDataset is indexed one sample at a time")
        if index < 0:
            if -index > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            index += len(self)
        which = int(np.searchsorted(self.cumulative_sizes, index, side="right"))
        start = 0 if which == 0 else self.cumulative_sizes[which - 1]
        return self.datasets[which][index - start]


def random_split(dataset, lengths, generator=None):
    """Split ``dataset`` into non-overlapping random ``Subset``s of the given lengths.

    ``lengths`` are sizes summing to ``len(dataset)``, or fractions summing to 1 (the
    remainder is given one by one to the first subsets, as torch does).
    """
    from minigrad.data.sampler import _rng

    n = len(dataset)
    lengths = list(lengths)
    if lengths and all(isinstance(x, float) for x in lengths) and np.isclose(sum(lengths), 1):
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"random_split: fraction at index {i} is not between 0 and 1")
        sizes = [int(np.floor(n * frac)) for frac in lengths]
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        lengths = sizes
    if any(isinstance(x, bool) or not isinstance(x, int | np.integer) or x < 0 for x in lengths):
        raise ValueError(
            f"random_split: lengths must be non-negative ints or fractions summing to 1, "
            f"got {lengths}"
        )
    if sum(lengths) != n:
        raise ValueError(
            "random_split: sum of input lengths does not equal the length of the input dataset "
            f"({sum(lengths)} != {n})"
        )
    order = _rng(generator).permutation(n).tolist()
    offsets = np.cumsum(lengths).tolist()
    return [
        Subset(dataset, order[offset - length : offset])
        for offset, length in zip(offsets, lengths, strict=True)
    ]
