"""``default_collate`` and ``default_convert``: samples into batches, as ``torch.utils.data``."""

import collections.abc
import numbers

import numpy as np

import minigrad


def _is_numeric_array(value):
    return isinstance(value, np.ndarray | np.generic) and value.dtype.kind in "biufc"


def default_collate(batch):
    """Stack a list of samples into a batch, recursing into tuples, lists and dicts.

    Tensors and numeric numpy arrays are stacked into a Tensor with a new first dimension;
    Python ints become an int64 Tensor, floats a float64 Tensor, bools a bool Tensor (as torch);
    strings stay a list; a dict gives a dict of batches; a tuple or list of fields gives a list
    of batches (a namedtuple stays a namedtuple).
    """
    if not isinstance(batch, collections.abc.Sequence) or isinstance(batch, str | bytes):
        raise TypeError(
            f"default_collate: batch must be a list of samples, got {type(batch).__name__}"
        )
    if len(batch) == 0:
        raise ValueError("default_collate: batch is empty")
    elem = batch[0]
    if isinstance(elem, minigrad.Tensor):
        return minigrad.stack(list(batch))
    if _is_numeric_array(elem):
        return minigrad.from_numpy(np.ascontiguousarray(np.stack([np.asarray(b) for b in batch])))
    if isinstance(elem, bool):
        return minigrad.tensor(list(batch), dtype=minigrad.bool)
    if isinstance(elem, numbers.Integral):
        return minigrad.tensor(np.array(batch, dtype=np.int64))
    if isinstance(elem, numbers.Real):
        return minigrad.from_numpy(np.array(batch, dtype=np.float64))
    if isinstance(elem, str | bytes):
        return list(batch)
    if isinstance(elem, collections.abc.Mapping):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch, strict=True)))
    if isinstance(elem, collections.abc.Sequence):
        if any(len(b) != len(elem) for b in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(list(samples)) for samples in zip(*batch, strict=True)]
    raise TypeError(
        "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        f"found {type(elem).__name__}"
    )


def default_convert(data):
    """Numeric numpy arrays into Tensors, recursing into tuples, lists and dicts (no batching)."""
    if isinstance(data, minigrad.Tensor):
        return data
    if isinstance(data, np.ndarray) and data.dtype.kind in "biufc":
        return minigrad.from_numpy(np.ascontiguousarray(data))
    if isinstance(data, np.generic) and data.dtype.kind in "biufc":
        return minigrad.tensor(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        return {key: default_convert(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, list):
        return [default_convert(d) for d in data]
    return data


def get_worker_info():
    """Information about the current DataLoader worker; ``None`` in the main process."""
    from minigrad.data import worker

    return worker.get_worker_info()
