"""minigrad.vision: torchvision's datasets, transforms and utils."""

import gzip
import os
import time
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
import minigrad.vision as torchvision
from minigrad.data import mnist as _mnist
from minigrad.vision import datasets, transforms

DATA = os.environ.get("MINIGRAD_DATA")
NAMES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
         "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")  # fmt: skip


def _idx(array):
    header = bytes([0, 0, 8, array.ndim]) + b"".join(n.to_bytes(4, "big") for n in array.shape)
    return header + np.ascontiguousarray(array, np.uint8).tobytes()


@pytest.fixture
def tiny_root(tmp_path, monkeypatch):
    """A torchvision layout with 3 training and 2 test crafted images, half of it gzipped."""
    rng = np.random.default_rng(0)
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    arrays = {
        NAMES[0]: rng.integers(0, 256, (3, 28, 28), dtype=np.uint8),
        NAMES[1]: np.array([7, 0, 9], np.uint8),
        NAMES[2]: rng.integers(0, 256, (2, 28, 28), dtype=np.uint8),
        NAMES[3]: np.array([1, 2], np.uint8),
    }
    md5s = {}
    for k, (name, array) in enumerate(arrays.items()):
        content = _idx(array)
        md5s[name] = __import__("hashlib").md5(content).hexdigest()
        if k % 2:
            (raw / f"{name}.gz").write_bytes(gzip.compress(content))
        else:
            (raw / name).write_bytes(content)
    monkeypatch.setattr(_mnist.MNIST, "md5s", md5s)
    return tmp_path, arrays


def test_tiny_idx_files_items_and_attributes(tiny_root):
    root, arrays = tiny_root
    train = datasets.MNIST(root)
    test = datasets.MNIST(str(root), train=False)
    assert len(train) == 3 and len(test) == 2
    image, target = train[0]
    assert isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.shape == (28, 28)
    assert type(target) is int and target == 7
    np.testing.assert_array_equal(image, arrays[NAMES[0]][0])
    np.testing.assert_array_equal(test[1][0], arrays[NAMES[2]][1])
    assert isinstance(train.data, mg.Tensor) and train.data.dtype == np.uint8
    assert train.data.shape == (3, 28, 28) and train.targets.dtype == np.int64
    assert train.targets.tolist() == [7, 0, 9]
    assert train.classes[0] == "0 - zero" and train.class_to_idx["9 - nine"] == 9
    assert datasets.FashionMNIST.classes[0] == "T-shirt/top"
    assert "Number of datapoints: 3" in repr(train) and "Split: Test" in repr(test)


def test_transforms_applied_and_positional_order(tiny_root):
    root, arrays = tiny_root
    ds = datasets.MNIST(root, True, lambda im: im.sum(), lambda t: t + 100)
    image, target = ds[2]
    assert image == arrays[NAMES[0]][2].sum() and target == 109
    assert "StandardTransform" in repr(ds) and "Target transform: " in repr(ds)


def test_second_construction_reuses_arrays_but_not_storage(tiny_root):
    root, _ = tiny_root
    a, b = datasets.MNIST(root), datasets.MNIST(root)
    a.data.numpy()[0, 0, 0] = 1
    b.data.numpy()[0, 0, 0] = 2
    assert a.data.numpy()[0, 0, 0] == 1


def test_md5_mismatch_raises_naming_the_file(tiny_root, monkeypatch):
    root, _ = tiny_root
    monkeypatch.setattr(_mnist.MNIST, "md5s", dict.fromkeys(NAMES, "0" * 32))
    datasets._loaded.clear()
    with pytest.raises(_mnist.CorruptDatasetError, match="train-images-idx3-ubyte"):
        datasets.MNIST(root)


@pytest.mark.parametrize("download", [False, True])
def test_missing_files_raise_runtime_error(tmp_path, download):
    with pytest.raises(RuntimeError, match=r"MNIST/raw.*train-images-idx3-ubyte.*not download"):
        datasets.MNIST(tmp_path, download=download)
    with pytest.raises(RuntimeError, match=r"FashionMNIST/raw.*t10k-labels-idx1-ubyte"):
        datasets.FashionMNIST(tmp_path, train=False, download=download)


def test_bad_transform_names_argument(tiny_root):
    with pytest.raises(TypeError, match="target_transform"):
        datasets.MNIST(tiny_root[0], target_transform=3)


def test_import_as_torchvision():
    assert torchvision.datasets is datasets and torchvision.transforms is transforms
    assert torchvision.utils.__name__ == "minigrad.vision.utils"


@pytest.mark.skipif(not DATA, reason="MINIGRAD_DATA is not set")
@pytest.mark.parametrize(
    "cls, folder, mean",
    [(datasets.MNIST, "mnist", 0.1307), (datasets.FashionMNIST, "fashion-mnist", 0.2860)],
)
def test_real_files_in_torchvision_layout(tmp_path, cls, folder, mean):
    raw = tmp_path / cls.folder_name / "raw"
    raw.mkdir(parents=True)
    for name in NAMES:
        (raw / f"{name}.gz").symlink_to(Path(DATA) / folder / f"{name}.gz")
    train, test = cls(tmp_path), cls(tmp_path, train=False)
    assert len(train) == 60000 and len(test) == 10000
    assert abs(train.data.numpy().mean() / 255 - mean) < 1e-4
    if folder == "fashion-mnist":
        assert np.bincount(train.targets.numpy()).tolist() == [6000] * 10
    else:
        assert np.bincount(train.targets.numpy())[:3].tolist() == [5923, 6742, 5958]
    start = time.perf_counter()
    again = cls(tmp_path)
    assert time.perf_counter() - start < 0.5  # cached: no second decompression or md5
    start = time.perf_counter()
    for i in range(2000):
        again[i]
    assert time.perf_counter() - start < 0.5  # no per-item copies of the whole array


@pytest.mark.skipif(not DATA, reason="MINIGRAD_DATA is not set")
def test_root_none_uses_minigrad_lookup():
    ds = datasets.MNIST(None, train=False)
    assert len(ds) == 10000 and ds[0][1] == 7
