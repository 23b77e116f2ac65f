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
    drawn = list(RandomSampler(data, replacement=True, num_samples=50,
                               generator=np.random.default_rng(1)))
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
    same(default_collate([mg.ones(2), mg.zeros(2)]),
         tud.default_collate([torch.ones(2), torch.zeros(2)]))
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
