"""minigrad.utils.data: data sets, samplers, collate and DataLoader arguments, against torch."""

import collections

import numpy as np
import pytest

import minigrad as mg
from minigrad.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    get_worker_info,
    random_split,
)


def _torch_data():
    torch = pytest.importorskip("torch")
    return torch, torch.utils.data


class _Squares:
    def __len__(self):
        return 10

    def __getitem__(self, i):
        if not isinstance(i, int):
            raise TypeError("one index at a time")
        return i * i


def test_import_paths_are_the_same_objects():
    import minigrad.data

    assert mg.utils.data.DataLoader is DataLoader is minigrad.data.DataLoader
    assert mg.utils.data.random_split is minigrad.data.random_split


def test_sequential_and_batch_sampler_match_torch():
    _, tud = _torch_data()
    data = list(range(10))
    assert list(SequentialSampler(data)) == list(tud.SequentialSampler(data))
    for drop_last in (False, True):
        ours = list(BatchSampler(SequentialSampler(data), 3, drop_last))
        theirs = list(tud.BatchSampler(tud.SequentialSampler(data), 3, drop_last))
        assert ours == theirs
        assert len(BatchSampler(range(10), 3, drop_last)) == len(ours)


def test_random_sampler_permutation_replacement_and_seed():
    _, tud = _torch_data()
    data = list(range(7))
    mg.manual_seed(0)
    first = list(RandomSampler(data))
    mg.manual_seed(0)
    assert list(RandomSampler(data)) == first
    assert sorted(first) == data
    assert len(RandomSampler(data, num_samples=17)) == len(tud.RandomSampler(data, num_samples=17))
    long = list(RandomSampler(data, num_samples=17))
    assert len(long) == 17 and sorted(long[:7]) == data
    drawn = list(
        RandomSampler(data, replacement=True, num_samples=50, generator=np.random.default_rng(1))
    )
    assert len(drawn) == 50 and set(drawn) <= set(data)


def test_subset_random_and_weighted_samplers():
    mg.manual_seed(3)
    assert sorted(SubsetRandomSampler([4, 8, 9])) == [4, 8, 9]
    draws = list(WeightedRandomSampler([0.0, 1.0, 0.0, 3.0], 200))
    assert set(draws) == {1, 3} and 100 < draws.count(3) < 190
    assert sorted(WeightedRandomSampler([1, 1, 1, 0], 3, replacement=False)) == [0, 1, 2]


@pytest.mark.parametrize(
    "make, word",
    [
        (lambda: RandomSampler(range(3), replacement=1), "replacement"),
        (lambda: RandomSampler(range(3), num_samples=0), "num_samples"),
        (lambda: BatchSampler(range(3), 0, False), "batch_size"),
        (lambda: BatchSampler(range(3), 2, None), "drop_last"),
        (lambda: WeightedRandomSampler([[1.0]], 2), "weights"),
        (lambda: WeightedRandomSampler([1.0, -1.0], 2), "weights"),
        (lambda: WeightedRandomSampler([1.0, 0.0], 2, replacement=False), "num_samples"),
        (lambda: RandomSampler(range(3), generator=3), "generator"),
    ],
)
def test_sampler_bad_arguments(make, word):
    with pytest.raises((TypeError, ValueError), match=word):
        make()


def test_subset_concat_and_random_split_match_torch():
    _, tud = _torch_data()
    data = list(range(10))
    assert [Subset(data, [3, 1])[i] for i in range(2)] == [3, 1]
    ours, theirs = ConcatDataset([data, [10, 11]]), tud.ConcatDataset([data, [10, 11]])
    assert len(ours) == len(theirs) == 12
    assert [ours[i] for i in range(-12, 12)] == [theirs[i] for i in range(-12, 12)]
    for lengths in ([3, 7], [0.3, 0.7], [0.33, 0.33, 0.34], [0.5, 0.25, 0.25]):
        parts = random_split(data, lengths, generator=np.random.default_rng(0))
        torch_parts = tud.random_split(data, lengths)
        assert [len(p) for p in parts] == [len(p) for p in torch_parts]
        assert sorted(i for p in parts for i in p.indices) == data
    with pytest.raises(ValueError, match="lengths"):
        random_split(data, [3, 3])
    with pytest.raises(ValueError, match="ConcatDataset"):
        ConcatDataset([])


def test_default_collate_matches_torch():
    torch, tud = _torch_data()
    Point = collections.namedtuple("Point", "x y")
    batches = [
        [1, 2, 3],
        [1.5, 2.5],
        [True, False],
        [np.ones((2, 3), np.float32), np.zeros((2, 3), np.float32)],
        [(np.arange(3), 1), (np.arange(3) + 1, 2)],
        [{"a": 1.0, "b": "x"}, {"a": 2.0, "b": "y"}],
        [Point(1, 2.0), Point(3, 4.0)],
    ]

    def same(ours, theirs):
        if isinstance(theirs, torch.Tensor):
            assert isinstance(ours, mg.Tensor)
            assert str(ours.numpy().dtype) == str(theirs.dtype).removeprefix("torch.")
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        elif isinstance(theirs, dict):
            assert ours.keys() == theirs.keys()
            for k in theirs:
                same(ours[k], theirs[k])
        elif isinstance(theirs, list | tuple) and not isinstance(theirs[0], str):
            assert type(ours) is type(theirs) and len(ours) == len(theirs)
            for o, t in zip(ours, theirs, strict=True):
                same(o, t)
        else:
            assert ours == theirs

    for batch in batches:
        same(default_collate(batch), tud.default_collate(batch))
    same(
        default_collate([mg.ones(2), mg.zeros(2)]),
        tud.default_collate([torch.ones(2), torch.zeros(2)]),
    )
    with pytest.raises(TypeError, match="batch"):
        default_collate(3)
    with pytest.raises(TypeError, match="object"):
        default_collate([object()])


def test_dataloader_sampler_batch_sampler_collate_fn_and_no_batching():
    data = list(range(10))
    loader = DataLoader(data, batch_size=4, sampler=[9, 8, 7, 6, 5])
    assert [b.tolist() for b in loader] == [[9, 8, 7, 6], [5]] and len(loader) == 2
    loader = DataLoader(data, batch_sampler=[[0, 1], [5]])
    assert [b.tolist() for b in loader] == [[0, 1], [5]]
    loader = DataLoader(data, batch_size=3, collate_fn=lambda items: sum(items))
    assert list(loader) == [3, 12, 21, 9]
    assert list(DataLoader(_Squares(), batch_size=None))[:3] == [0, 1, 4]
    assert get_worker_info() is None


def test_dataloader_iterable_dataset():
    class Stream(IterableDataset):
        def __iter__(self):
            return iter(range(5))

    assert [b.tolist() for b in DataLoader(Stream(), batch_size=2)] == [[0, 1], [2, 3], [4]]
    with pytest.raises(ValueError, match="shuffle"):
        DataLoader(Stream(), shuffle=True)


def test_dataloader_shuffle_repeats_under_manual_seed():
    ds = TensorDataset(np.arange(20), np.arange(20) * 2)
    mg.manual_seed(5)
    first = [x.tolist() for x, _ in DataLoader(ds, batch_size=6, shuffle=True)]
    mg.manual_seed(5)
    assert [x.tolist() for x, _ in DataLoader(ds, batch_size=6, shuffle=True)] == first


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"batch_sampler": [[0]], "batch_size": 2}, "batch_sampler"),
        ({"sampler": [0], "shuffle": True}, "sampler"),
        ({"batch_size": None, "drop_last": True}, "drop_last"),
        ({"num_workers": -1}, "num_workers"),
        ({"prefetch_factor": 2}, "prefetch_factor"),
        ({"timeout": -1}, "timeout"),
        ({"collate_fn": 3}, "collate_fn"),
        ({"num_workers": 1, "prefetch_factor": 0}, "prefetch_factor"),
        ({"persistent_workers": True}, "persistent_workers"),
        ({"num_workers": 1, "worker_init_fn": 3}, "worker_init_fn"),
    ],
)
def test_dataloader_bad_arguments(kwargs, word):
    with pytest.raises((TypeError, ValueError, NotImplementedError), match=word):
        DataLoader(list(range(4)), **kwargs)


# --- worker processes -------------------------------------------------------------------


class _Noisy(mg.utils.data.Dataset):
    """Each item draws from minigrad's, numpy's and python's RNGs (an augmentation)."""

    def __len__(self):
        return 12

    def __getitem__(self, i):
        import random as py_random

        info = get_worker_info()
        worker = -1 if info is None else info.id
        noise = float(mg.rand(1).item()) + np.random.rand() + py_random.random()
        return np.float64(i), np.float64(noise), worker


class _Fails(mg.utils.data.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5:
            raise ValueError("bad item 5")
        return np.float32(i)


def _alive(pids):
    import os

    alive = []
    for pid in pids:
        try:
            os.kill(pid, 0)
        except OSError:
            continue
        with open(f"/proc/{pid}/stat") as f:
            if f.read().split()[2] != "Z":
                alive.append(pid)
    return alive


def test_workers_give_the_same_batches_in_order():
    ds = TensorDataset(np.arange(20, dtype=np.float32), np.arange(20))
    ours = [(x.tolist(), y.tolist()) for x, y in DataLoader(ds, batch_size=3, num_workers=2)]
    single = [(x.tolist(), y.tolist()) for x, y in DataLoader(ds, batch_size=3)]
    assert ours == single and len(ours) == 7
    x, y = next(iter(DataLoader(ds, batch_size=3, num_workers=2)))
    assert isinstance(x, mg.Tensor) and x.dtype == mg.float32 and y.dtype == mg.int64


@pytest.mark.parametrize("sampler", [False, True])
def test_shuffled_batches_are_the_same_with_any_number_of_workers(sampler):
    """The base seed is drawn before the order with and without workers, as in PyTorch."""
    ds = TensorDataset(mg.arange(20))

    def order(workers):
        mg.manual_seed(5)
        kwargs = {"sampler": RandomSampler(ds)} if sampler else {"shuffle": True}
        loader = DataLoader(ds, batch_size=4, num_workers=workers, **kwargs)
        return [b.tolist() for (b,) in loader]

    assert order(0) == order(1) == order(2)
    assert sorted(sum(order(0), [])) == list(range(20))


class _Slow(mg.utils.data.Dataset):
    """Item 0 takes long: in_order=False hands out the other worker's batches first."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        import time

        time.sleep(1.0 if i == 0 else 0.0)
        return np.array(i)


def test_in_order_false_hands_out_ready_batches_first():
    ordered = [b.tolist() for b in DataLoader(_Slow(), batch_size=2, num_workers=2)]
    assert ordered == [[0, 1], [2, 3], [4, 5], [6, 7]]
    loader = DataLoader(_Slow(), batch_size=2, num_workers=2, in_order=False)
    early = [b.tolist() for b in loader]
    assert early[0] == [2, 3] and sorted(map(tuple, early)) == [(0, 1), (2, 3), (4, 5), (6, 7)]


def test_worker_seeding_repeats_under_manual_seed_and_differs_between_workers():
    def run():
        mg.manual_seed(3)
        loader = DataLoader(_Noisy(), batch_size=2, shuffle=True, num_workers=2)
        return [(i.tolist(), n.tolist(), w.tolist()) for i, n, w in loader]

    first = run()
    assert first == run()
    workers = {w for _, _, ws in first for w in ws}
    assert workers == {0, 1}
    noise_by_worker = {ws[0]: n[0] for _, n, ws in first[:2]}
    assert noise_by_worker[0] != noise_by_worker[1]


def test_generator_and_worker_info_and_init_fn():
    g = mg.Generator().manual_seed(7)
    assert g.initial_seed() == 7
    state = g.get_state()
    a = [b.tolist() for b in DataLoader(list(range(10)), batch_size=4, shuffle=True, generator=g)]
    g.set_state(state)
    b = [b.tolist() for b in DataLoader(list(range(10)), batch_size=4, shuffle=True, generator=g)]
    assert a == b and sorted(sum(a, [])) == list(range(10))

    class Info(mg.utils.data.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            info = get_worker_info()
            return np.array([info.id, info.num_workers, info.dataset is self, _INIT.get("id", -1)])

    loader = DataLoader(Info(), batch_size=2, num_workers=2, worker_init_fn=_init_fn)
    assert [b.tolist() for b in loader] == [[[0, 2, 1, 0]] * 2, [[1, 2, 1, 1]] * 2]


_INIT = {}


def _init_fn(worker_id):
    _INIT["id"] = worker_id


def test_iterable_dataset_split_between_workers():
    class Stream(IterableDataset):
        def __iter__(self):
            info = get_worker_info()
            start, step = (0, 1) if info is None else (info.id, info.num_workers)
            return iter(range(start, 10, step))

    loader = DataLoader(Stream(), batch_size=2, num_workers=2)
    batches = [b.tolist() for b in loader]
    assert sorted(sum(batches, [])) == list(range(10))
    assert batches[:2] == [[0, 2], [1, 3]]
    loader = DataLoader(Stream(), batch_size=2, num_workers=2, drop_last=True)
    assert sorted(sum([b.tolist() for b in loader], [])) == [0, 1, 2, 3, 4, 5, 6, 7]


def test_worker_error_is_reraised_with_its_type_and_worker_id():
    with pytest.raises(ValueError, match="Caught ValueError in DataLoader worker process 1") as e:
        list(DataLoader(_Fails(), batch_size=1, num_workers=2))
    assert "bad item 5" in str(e.value) and "Traceback" in str(e.value)


def test_worker_death_is_detected_not_a_hang():
    class Dies(mg.utils.data.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            import os

            os._exit(1)

    with pytest.raises(RuntimeError, match="exited unexpectedly"):
        list(DataLoader(Dies(), num_workers=1))


def test_timeout_raises_runtime_error():
    class Slow(mg.utils.data.Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            import time

            time.sleep(5)
            return 0

    with pytest.raises(RuntimeError, match="timed out after 0.3 seconds"):
        list(DataLoader(Slow(), num_workers=1, timeout=0.3))


def test_breaking_out_and_deleting_the_iterator_leaves_no_workers():
    import gc

    it = iter(DataLoader(list(range(100)), batch_size=2, num_workers=2))
    next(it)
    pids = [p.pid for p in it._workers]
    assert len(_alive(pids)) == 2
    del it
    gc.collect()
    assert _alive(pids) == []


def test_workers_exit_on_their_own_after_a_full_pass():
    import time

    it = iter(DataLoader(list(range(8)), batch_size=2, num_workers=2))
    pids = [p.pid for p in it._workers]
    assert [b.tolist() for b in it] == [[0, 1], [2, 3], [4, 5], [6, 7]]
    assert it._workers == []  # not waited for: the pass ends without the workers' exit
    deadline = time.monotonic() + 10
    while _alive(pids) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _alive(pids) == []


def test_persistent_workers_are_reused_across_epochs():
    loader = DataLoader(list(range(6)), batch_size=2, num_workers=2, persistent_workers=True)
    first = [b.tolist() for b in loader]
    pids = [p.pid for p in loader._persistent_iter._workers]
    assert [b.tolist() for b in loader] == first == [[0, 1], [2, 3], [4, 5]]
    assert [p.pid for p in loader._persistent_iter._workers] == pids
    it = iter(loader)
    next(it)  # broken off: the next epoch still starts from the beginning
    assert [b.tolist() for b in loader] == first
    loader._persistent_iter.shutdown()
    assert _alive(pids) == []


def test_workers_match_torch_batches():
    torch, tud = _torch_data()
    x = np.arange(14, dtype=np.float32).reshape(7, 2)
    ours = [b.tolist() for b in DataLoader(x, batch_size=3, num_workers=2)]
    theirs = [b.tolist() for b in tud.DataLoader(x, batch_size=3, num_workers=0)]
    assert ours == theirs
    with pytest.raises(ValueError, match="prefetch_factor"):
        tud.DataLoader(x, prefetch_factor=2)


def test_keyboard_interrupt_in_the_main_process_stops_the_workers():
    class Interrupting(mg.utils.data.Sampler):
        def __iter__(self):
            yield from range(6)
            raise KeyboardInterrupt  # as if Ctrl-C came while the sampler ran

    loader = DataLoader(list(range(10)), sampler=Interrupting(), num_workers=2)
    it = iter(loader)
    pids = [p.pid for p in it._workers]
    with pytest.raises(KeyboardInterrupt):
        for _ in it:
            pass
    assert _alive(pids) == []


def test_workers_with_the_spawn_start_method():
    ds = TensorDataset(np.arange(6, dtype=np.float32))
    loader = DataLoader(ds, batch_size=4, num_workers=1, multiprocessing_context="spawn")
    assert [b.tolist() for (b,) in loader] == [[0, 1, 2, 3], [4, 5]]


def test_generator_drives_randperm_and_random_split_repeatably():
    torch = pytest.importorskip("torch")
    a = mg.randperm(8, generator=mg.Generator().manual_seed(1)).tolist()
    assert a == mg.randperm(8, generator=mg.Generator().manual_seed(1)).tolist()
    assert sorted(a) == list(range(8))
    parts = random_split(range(10), [0.7, 0.3], generator=mg.Generator().manual_seed(2))
    theirs = torch.utils.data.random_split(range(10), [0.7, 0.3])
    assert [len(p) for p in parts] == [len(p) for p in theirs] == [7, 3]
    with pytest.raises(TypeError, match="seed"):
        mg.Generator().manual_seed(1.5)
    with pytest.raises(TypeError, match="generator"):
        DataLoader(list(range(4)), shuffle=True, generator=3)


# ---- large batches come back through shared memory ---------------------------------------------


def _our_shm_files():
    import os

    from minigrad.data import shared_memory

    if not shared_memory.available():
        return []
    return [
        n for n in os.listdir(shared_memory.DIRECTORY) if n.startswith(f"minigrad-{os.getpid()}-")
    ]


_Pair = collections.namedtuple("_Pair", "image label")


class _Images(mg.utils.data.Dataset):
    def __len__(self):
        return 40

    def __getitem__(self, i):
        image = np.full((3, 32, 32), i, np.float32)
        return {"pair": _Pair(mg.tensor(image), i), "raw": image.astype(np.float64)}


def test_large_batches_through_workers_equal_the_single_process_ones():
    from minigrad.data import shared_memory

    single = list(DataLoader(_Images(), batch_size=8))
    with_workers = list(DataLoader(_Images(), batch_size=8, num_workers=2))
    assert len(single) == len(with_workers) == 5
    for a, b in zip(single, with_workers):
        assert isinstance(b["pair"], _Pair) and isinstance(b["pair"].image, mg.Tensor)
        assert b["pair"].image.dtype == mg.float32 and b["raw"].dtype == np.float64
        np.testing.assert_array_equal(a["pair"].image.numpy(), b["pair"].image.numpy())
        np.testing.assert_array_equal(a["raw"], b["raw"])
        assert a["pair"].label.tolist() == b["pair"].label.tolist()
    image = with_workers[0]["pair"].image
    assert image.nbytes >= shared_memory.MIN_BYTES  # this batch went through /dev/shm
    image.add_(1)  # a mapped batch is an ordinary, writable tensor
    assert image.numpy()[0, 0, 0, 0] == 1
    assert _our_shm_files() == []


def test_breaking_off_an_epoch_leaves_no_shared_memory_files():
    loader = DataLoader(_Images(), batch_size=4, num_workers=2, prefetch_factor=4)
    iterator = iter(loader)
    next(iterator)
    iterator.shutdown()
    assert _our_shm_files() == []


def test_a_slot_is_reused_only_after_its_batch_was_read():
    """A worker's shared-memory slots go round; it waits rather than overwrite an unread one."""
    import threading

    from minigrad.data import shared_memory

    if not shared_memory.available():
        pytest.skip("no /dev/shm")
    prefix = shared_memory.new_prefix()
    consumed = [0]  # the main process's count of this worker's messages read
    packer, unpacker = shared_memory.Packer(prefix, 0, consumed, 2), shared_memory.Unpacker()
    batches = [(np.full(5000, i, np.float32), np.arange(3) + i) for i in range(3)]
    try:
        first, second = packer.pack(batches[0]), packer.pack(batches[1])
        assert isinstance(first[0], shared_memory.SharedArray)
        third = []
        writer = threading.Thread(target=lambda: third.append(packer.pack(batches[2])))
        writer.start()
        writer.join(0.1)
        assert not third  # slot 0 still holds the first batch, unread
        for message, expected in ((first, batches[0]), (second, batches[1])):
            for got, want in zip(unpacker.unpack(message), expected):
                np.testing.assert_array_equal(got, want)
            consumed[0] += 1
        writer.join(5)
        assert third
        for got, want in zip(unpacker.unpack(third[0]), batches[2]):
            np.testing.assert_array_equal(got, want)
    finally:
        unpacker.close()
        shared_memory.remove_leftovers(prefix)
    assert _our_shm_files() == []
