"""mg.set_num_threads / get_num_threads (numpy's BLAS pool, through threadpoolctl)."""

import os

import numpy as np
import pytest

import minigrad as mg
from minigrad.utils.data import DataLoader, Dataset


@pytest.fixture
def restore_threads():
    before = mg.get_num_threads()
    yield
    mg.set_num_threads(before)


def test_set_and_get_num_threads(restore_threads):
    mg.set_num_threads(1)
    assert mg.get_num_threads() == 1
    mg.set_num_threads(2)
    assert mg.get_num_threads() == 2


@pytest.mark.parametrize(
    "bad, message",
    [
        (0, "expects a positive integer"),
        (-3, "expects a positive integer"),
        (1.5, "expects an int"),
        (True, "expects an int"),
    ],
)
def test_bad_thread_counts_raise_as_in_torch(bad, message):
    with pytest.raises(RuntimeError, match=f"set_num_threads {message}"):
        mg.set_num_threads(bad)
    with pytest.raises(RuntimeError, match=f"set_num_interop_threads {message}"):
        mg.set_num_interop_threads(bad)


def test_torch_raises_the_same_type():
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        torch.set_num_threads(0)


def test_interop_threads():
    assert mg.get_num_interop_threads() == 1
    mg.set_num_interop_threads(4)  # accepted, as PyTorch programs call it


class _ThreadCounts(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, index):
        return mg.get_num_threads()


def test_workers_use_one_blas_thread_each(restore_threads):
    """As PyTorch's workers do: the main process keeps the cores for its products."""
    mg.set_num_threads(2)
    counts = [int(x) for batch in DataLoader(_ThreadCounts(), batch_size=2, num_workers=2)
              for x in batch]  # fmt: skip
    assert counts == [1, 1, 1, 1]
    assert mg.get_num_threads() == 2


class _WorkerThreads(Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, index):
        a = np.arange(10_000, dtype=np.float64).reshape(100, 100) / 1e4
        product_ok = np.allclose(a @ a, np.einsum("ij,jk->ik", a, a))
        return len(os.listdir("/proc/self/task")), product_ok


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="Linux's /proc")
def test_workers_keep_no_idle_blas_thread(restore_threads):
    """Setting OpenBLAS's count in a forked worker restarts its pool, a thread that spins for
    0.1 s; the worker stops it again, and its products still run (in its one thread)."""
    mg.set_num_threads(2)
    np.ones((64, 64)) @ np.ones((64, 64))  # the main process's pool is running
    loader = DataLoader(_WorkerThreads(), batch_size=None, num_workers=1,
                        multiprocessing_context="fork")  # fmt: skip
    for threads, product_ok in loader:
        assert threads == 1 and product_ok
