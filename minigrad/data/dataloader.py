"""``DataLoader``: batches of a map-style data set as Tensors, optionally shuffled."""

import numpy as np

import minigrad
from minigrad import random
from minigrad.data.collate import default_collate, default_convert
from minigrad.data.sampler import BatchSampler, RandomSampler, SequentialSampler
from minigrad.random import Generator


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size`` samples, as Tensors.

    Args:
        dataset: has ``__len__`` and ``__getitem__`` (a ``Dataset``).
        batch_size (int): samples per batch, default 1. The last batch is smaller when
            ``len(dataset)`` is not a multiple, unless ``drop_last=True`` drops it.
        shuffle (bool): a new random order every epoch (default False: in order).
        drop_last (bool): drop the last, incomplete batch (default False).
        num_workers (int): worker processes reading batches (0: read in this process). Each
            keeps ``prefetch_factor`` (default 2) batches in flight; batches come in order.
            Worker ``i`` seeds minigrad's, numpy's and python's RNGs with ``base_seed + i``,
            ``base_seed`` drawn once per epoch from ``generator`` (or the global RNG).
        persistent_workers (bool): keep the workers between epochs.
        worker_init_fn: called with the worker id in each worker after seeding.
        timeout (float): seconds to wait for a batch from the workers; 0 waits forever.
        pin_memory: accepted; a no-op on the CPU.
        generator: a ``minigrad.Generator`` (or ``numpy.random.Generator``); by default
            ``minigrad.random.default_generator()``, asked for at the start of each epoch,
            so ``mg.manual_seed(s)`` makes the order repeatable.

    A batch is a Tensor, or a tuple of Tensors when samples are tuples or lists: with
    ``TensorDataset(x, y)`` of x (N, 3) float32 and y (N,) int64 each batch is
    ``(Tensor (B, 3) float32, Tensor (B,) int64)``.

    A batch is read with one ``dataset[index_array]`` call when the data set says it can
    (``batched_getitem = True``: ``TensorDataset`` and ``MNIST``), which avoids a Python loop
    over samples. Other data sets are read item by item, as in PyTorch, and the items
    collated: arrays and Tensors are stacked (``np.stack``), Python ints
    become int64 and Python floats float32
    (minigrad's default float; PyTorch makes them float64).

    Example:
        >>> loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
        >>> for xb, yb in loader: ...
    """

    def __init__(
        self,
        dataset,
        batch_size=1,
        shuffle=None,
        sampler=None,
        batch_sampler=None,
        num_workers=0,
        collate_fn=None,
        pin_memory=False,
        drop_last=False,
        timeout=0,
        worker_init_fn=None,
        generator=None,
        *,
        prefetch_factor=None,
        persistent_workers=False,
        pin_memory_device="",
        in_order=True,
        multiprocessing_context=None,
    ):
        from minigrad.data.dataset import IterableDataset

        iterable = isinstance(dataset, IterableDataset)
        if not iterable and not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(
                "DataLoader: dataset must have __len__ and __getitem__ (a map-style Dataset), "
                f"got {type(dataset).__name__}"
            )
        if batch_size is not None:
            if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer):
                raise TypeError(
                    f"DataLoader: batch_size must be a positive int or None, got {batch_size!r}"
                )
            if batch_size <= 0:
                raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size}")
        for name, flag in (("shuffle", shuffle), ("drop_last", drop_last)):
            if flag is not None and not isinstance(flag, bool | np.bool_):
                raise TypeError(f"DataLoader: {name} must be a bool (True or False), got {flag!r}")
        if generator is not None and not isinstance(generator, np.random.Generator | Generator):
            raise TypeError(
                "DataLoader: generator must be a minigrad.Generator or a numpy.random.Generator"
                f" or None, got {type(generator).__name__}"
            )
        if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(
                "DataLoader: num_workers option should be non-negative; use num_workers=0 to "
                f"disable multiprocessing, got {num_workers!r}"
            )
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing."
                "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor "
                "to None."
            )
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        if prefetch_factor is not None and (
            isinstance(prefetch_factor, bool)
            or not isinstance(prefetch_factor, int)
            or prefetch_factor < 1
        ):
            raise ValueError(
                f"DataLoader: prefetch_factor should be a positive int, got {prefetch_factor!r}"
            )
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if worker_init_fn is not None and not callable(worker_init_fn):
            raise TypeError(f"DataLoader: worker_init_fn must be callable, got {worker_init_fn!r}")
        if not isinstance(timeout, int | float) or isinstance(timeout, bool):
            raise TypeError(f"DataLoader: timeout must be a number, got {timeout!r}")
        if timeout < 0:
            raise ValueError(f"DataLoader: timeout option should be non-negative, got {timeout}")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable, got {collate_fn!r}")
        if iterable and (shuffle or sampler is not None or batch_sampler is not None):
            raise ValueError(
                "DataLoader with IterableDataset: expected unspecified shuffle, sampler and "
                f"batch_sampler options, got shuffle={shuffle}"
            )
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "DataLoader: batch_sampler option is mutually exclusive with batch_size, "
                    "shuffle, sampler, and drop_last"
                )
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError(
                "DataLoader: batch_size=None option disables auto-batching and is mutually "
                "exclusive with drop_last"
            )
        self.dataset = dataset
        self.batch_size = None if batch_size is None else int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.generator = generator
        self.num_workers = num_workers
        self.collate_fn = collate_fn
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        self.multiprocessing_context = multiprocessing_context
        self._persistent_iter = None
        self._iterable = iterable
        self._default_order = sampler is None and batch_sampler is None and not iterable
        if not iterable and sampler is None:
            sampler = (
                RandomSampler(dataset, generator=generator)
                if shuffle
                else SequentialSampler(dataset)
            )
        self.sampler = sampler
        if batch_sampler is None and self.batch_size is not None and not iterable:
            batch_sampler = BatchSampler(sampler, self.batch_size, self.drop_last)
        self.batch_sampler = batch_sampler

    def __len__(self):
        if self._iterable:
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        return len(self.sampler)

    def __iter__(self):
        fetcher = _Fetcher(self)
        if self.num_workers == 0:
            # The workers' base seed is drawn here too, before the order, as PyTorch does:
            # the same seed gives the same batches with any number of workers.
            self._rng().integers(2**62)
            return self._single_process(fetcher)
        from minigrad.data.worker import MultiProcessIter

        if self.persistent_workers:
            if self._persistent_iter is None or not self._persistent_iter._workers:
                self._persistent_iter = MultiProcessIter(self, fetcher)
            else:
                self._persistent_iter._start_epoch()
            return self._persistent_iter
        return MultiProcessIter(self, fetcher)

    def _single_process(self, fetcher):
        if fetcher.iterable:
            yield from fetcher.stream()
            return
        for indices in self._index_batches():
            yield fetcher.fetch(indices)

    def _rng(self):
        # Asked for here, not in __init__: manual_seed replaces the default generator.
        if self.generator is None:
            return random.default_generator()
        return getattr(self.generator, "_rng", self.generator)

    def _index_batches(self):
        """What each fetch reads: an index array, a list of indices, or one index."""
        if self._iterable:
            return iter(())
        if self._default_order and self.collate_fn is None and self.batch_size is not None:
            # Whole index arrays, so a data set may read a batch in one call.
            n = len(self.dataset)
            order = self._rng().permutation(n) if self.shuffle else np.arange(n)
            stop = n - n % self.batch_size if self.drop_last else n
            starts = range(0, stop, self.batch_size)
            return (order[start : start + self.batch_size] for start in starts)
        if self.batch_sampler is None:
            return iter(self.sampler)
        return iter(self.batch_sampler)


class _Fetcher:
    """Reads one batch for the indices it is given; the part of a DataLoader a worker needs."""

    def __init__(self, loader):
        self.dataset = loader.dataset
        self.iterable = loader._iterable
        self.batch_size = loader.batch_size
        self.drop_last = loader.drop_last
        self.collate_fn = loader.collate_fn
        self.whole_arrays = (
            loader._default_order and loader.collate_fn is None and loader.batch_size is not None
        )
        self.auto_batch = loader.batch_sampler is not None

    def fetch(self, indices):
        if self.whole_arrays:
            return self._fetch(indices)
        if not self.auto_batch:
            return (self.collate_fn or default_convert)(self.dataset[indices])
        collate = self.collate_fn or _default_collate
        return collate([self.dataset[i] for i in indices])

    def stream(self):
        """The batches of an IterableDataset (a worker's replica, in a worker)."""
        if self.batch_size is None:
            convert = self.collate_fn or default_convert
            for item in self.dataset:
                yield convert(item)
            return
        collate = self.collate_fn or _default_collate
        batch = []
        for item in self.dataset:
            batch.append(item)
            if len(batch) == self.batch_size:
                yield collate(batch)
                batch = []
        if batch and not self.drop_last:
            yield collate(batch)

    def _fetch(self, indices):
        """The samples at ``indices`` (int64 array) as one batch of Tensors."""
        if getattr(self.dataset, "batched_getitem", False) or isinstance(self.dataset, np.ndarray):
            batch = self.dataset[indices]
            _check_batch(batch, len(indices), type(self.dataset).__name__)
            return _to_tensors(batch)
        items = [self.dataset[int(i)] for i in indices]
        if not _plain(items[0]):  # dicts, namedtuples, strings...: the general rules
            return default_collate(items)
        return _to_tensors(_collate(items))


def _plain(item):
    """Arrays, Tensors and numbers, alone or in a plain tuple or list: the fast path's items."""
    leaves = (np.ndarray, np.generic, minigrad.Tensor, int, float)
    if isinstance(item, tuple | list) and not hasattr(item, "_fields"):
        return all(isinstance(field, leaves) for field in item)
    return isinstance(item, leaves)


def _default_collate(items):
    return _to_tensors(_collate(items))


def _check_batch(batch, size, name):
    # A data set that indexes with arrays but returns something else than a batch (one sample,
    # a sum...) would give silently wrong batches; say how to opt out instead.
    for field in batch if isinstance(batch, tuple | list) else (batch,):
        if np.shape(field)[:1] != (size,):
            raise ValueError(
                f"DataLoader: {name}[index_array] with {size} indices returned shape "
                f"{np.shape(field)}, not a batch of {size}; set batched_getitem = False on it "
                "so that it is read item by item"
            )


def _collate(items):
    if isinstance(items[0], tuple | list):
        return tuple(_stack([item[k] for item in items]) for k in range(len(items[0])))
    return _stack(items)


def _stack(values):
    if all(type(v) is float for v in values):
        return np.array(values, dtype=minigrad.get_default_dtype())
    if all(type(v) is int for v in values):
        return np.array(values, dtype=np.int64)
    return np.stack([np.asarray(v) for v in values])


def _to_tensors(batch):
    if isinstance(batch, tuple | list):
        return tuple(_to_tensor(field) for field in batch)
    return _to_tensor(batch)


def _to_tensor(field):
    if isinstance(field, minigrad.Tensor):
        return field
    # Batches are fresh arrays as a rule (fancy indexing copies): share them, no second copy.
    return minigrad.from_numpy(np.ascontiguousarray(field))
