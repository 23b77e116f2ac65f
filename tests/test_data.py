"""Tests of minigrad.data: Dataset, TensorDataset, DataLoader, MNIST, FashionMNIST, the sample.

Full-data tests read $MINIGRAD_DATA (run with MINIGRAD_DATA=../shared/data) and skip without it.
No test touches the network: downloads go through a mocked urllib.request.urlopen.
"""

import gzip
import hashlib
import http.client
import importlib.util
import io
import os
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import (
    MNIST,
    CorruptDatasetError,
    DataLoader,
    Dataset,
    DatasetNotFoundError,
    FashionMNIST,
    MNISTSample,
    TensorDataset,
    load_mnist,
    read_idx,
)
from minigrad.data import mnist as mnist_module

REPO = Path(__file__).resolve().parent.parent
SAMPLE_DIR = REPO / "minigrad" / "data" / "mnist_sample"
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")


def full_root():
    root = os.environ.get("MINIGRAD_DATA")
    if not root or not (Path(root) / "mnist").is_dir():
        pytest.skip("full MNIST not available: set MINIGRAD_DATA to a root holding mnist/")
    return Path(root)


@pytest.fixture(scope="module")
def full_train():
    return MNIST(full_root(), train=True, download=False)


@pytest.fixture(scope="module")
def full_test():
    return MNIST(full_root(), train=False, download=False)


@pytest.fixture
def no_network(monkeypatch):
    """urlopen fails at once, as on a machine without DNS; returns the list of URLs tried."""
    calls = []

    def urlopen(url, timeout=None):
        calls.append(url)
        raise urllib.error.URLError("[Errno -2] Name or service not known")

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    return calls


class SampleAsMNIST(MNIST):
    """MNIST's file handling with the sample's checksums: lets tests copy small real files."""

    md5s = MNISTSample.md5s


def content(name):
    """The decompressed bytes of a sample file."""
    return gzip.decompress((SAMPLE_DIR / f"{name}.gz").read_bytes())


# ---- full MNIST -------------------------------------------------------------------------------


def test_full_mnist_train(full_train):
    ds = full_train
    assert len(ds) == 60000
    assert ds.data.shape == (60000, 28, 28) and ds.data.dtype == np.uint8
    assert ds.targets.shape == (60000,) and ds.targets.dtype == np.int64
    assert np.bincount(ds.targets).tolist() == TRAIN_COUNTS
    assert len(ds.classes) == 10 and ds.classes[3] == "3 - three"
    image, label = ds[0]
    assert image.shape == (1, 28, 28) and image.dtype == np.float32
    assert type(label) is int and label == 5
    assert image.min() == 0.0 and image.max() == 1.0
    np.testing.assert_array_equal(image[0], ds.data[0] / np.float32(255))


def test_full_mnist_pixel_statistics_through_loader(full_train):
    total, squares, count = 0.0, 0.0, 0
    for images, _ in DataLoader(full_train, batch_size=20000):
        x = images.numpy()
        total += x.sum(dtype=np.float64)
        squares += np.square(x, dtype=np.float64).sum()
        count += x.size
    mean = total / count
    std = np.sqrt(squares / count - mean**2)
    assert round(mean, 4) == 0.1307
    assert round(std, 4) == 0.3081


def test_full_mnist_test_split(full_test):
    assert len(full_test) == 10000
    assert full_test.data.shape == (10000, 28, 28)
    assert full_test.targets.dtype == np.int64 and full_test.targets.max() == 9


def test_full_files_match_known_md5():
    folder = full_root() / "mnist"
    for name, md5 in MNIST.md5s.items():
        path = folder / name if (folder / name).is_file() else folder / f"{name}.gz"
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        assert hashlib.md5(data).hexdigest() == md5, name


def test_root_defaults_to_minigrad_data_read_at_creation(monkeypatch):
    root = full_root()
    monkeypatch.setenv("MINIGRAD_DATA", str(root))
    ds = MNIST(train=False, download=False)
    assert ds.folder == root / "mnist" and len(ds) == 10000


# ---- the shipped sample -----------------------------------------------------------------------


def test_sample_loads_without_full_data(monkeypatch, tmp_path, no_network):
    monkeypatch.setenv("MINIGRAD_DATA", str(tmp_path))
    train, test = MNISTSample(train=True), MNISTSample(train=False)
    assert train.data.shape == (5000, 28, 28) and train.data.dtype == np.uint8
    assert test.data.shape == (1000, 28, 28) and test.targets.dtype == np.int64
    assert np.bincount(train.targets, minlength=10).min() > 400  # every digit is there
    image, label = test[0]
    assert image.shape == (1, 28, 28) and image.dtype == np.float32 and label == 7
    assert no_network == []
    assert isinstance(train, MNIST) and train.classes == MNIST.classes


def test_sample_md5s_recorded_in_code_match_files():
    for name, md5 in MNISTSample.md5s.items():
        assert hashlib.md5(content(name)).hexdigest() == md5, name


def test_sample_is_first_images_of_full(full_train, full_test):
    train, test = MNISTSample(train=True), MNISTSample(train=False)
    np.testing.assert_array_equal(train.data, full_train.data[:5000])
    np.testing.assert_array_equal(train.targets, full_train.targets[:5000])
    np.testing.assert_array_equal(test.data, full_test.data[:1000])
    np.testing.assert_array_equal(test.targets, full_test.targets[:1000])


def test_sample_script_rebuilds_identical_bytes(tmp_path):
    source = full_root() / "mnist"
    spec = importlib.util.spec_from_file_location(
        "make_sample", REPO / "scripts/make_mnist_sample.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    md5s = script.build(source, tmp_path)
    assert md5s == MNISTSample.md5s
    for name in MNISTSample.md5s:
        assert (tmp_path / f"{name}.gz").read_bytes() == (SAMPLE_DIR / f"{name}.gz").read_bytes()


# ---- indexing ---------------------------------------------------------------------------------


def test_array_index_equals_items():
    ds = MNISTSample(train=False)
    index = np.array([3, 0, 999, 3])
    images, labels = ds[index]
    assert images.shape == (4, 1, 28, 28) and images.dtype == np.float32
    assert labels.dtype == np.int64
    for k, i in enumerate(index):
        image, label = ds[int(i)]
        np.testing.assert_array_equal(images[k], image)
        assert labels[k] == label
    images, labels = ds[10:14]
    np.testing.assert_array_equal(labels, ds.targets[10:14])
    assert ds[-1][1] == ds.targets[999]
    with pytest.raises(IndexError):
        ds[np.array([1000])]


def test_transform_applies_per_item_in_batches():
    seen = []

    def transform(image):
        seen.append(image.shape)
        return image * 2 - 1

    ds = MNISTSample(train=False, transform=transform)
    image, _ = ds[5]
    assert image.min() == -1.0 and seen == [(1, 28, 28)]
    images, _ = ds[np.array([5, 6])]
    np.testing.assert_array_equal(images[0], image)
    assert seen == [(1, 28, 28)] * 3


# ---- damaged and missing files ----------------------------------------------------------------


def flip(data, position):
    data = bytearray(data)
    data[position] ^= 0xFF
    return bytes(data)


# Each case turns the sample's test images (raw IDX bytes) into a damaged file.
DAMAGE = {
    "flipped byte": (lambda raw: flip(raw, 5000), "md5"),
    "truncated": (lambda raw: raw[:-100], "truncated"),
    "wrong magic": (lambda raw: b"\x00\x00\x08\x01" + raw[4:], "magic number"),
    "too short for a header": (lambda raw: raw[:7], "truncated"),
    # 2**21 cubed is 2**63: the needed length must not overflow int64 into nonsense.
    "huge header shape": (
        lambda raw: raw[:4] + (2**21).to_bytes(4, "big") * 3 + raw[16:],
        r"truncated: .* needs 9223372036854775824\b|shape is \(2097152, 2097152, 2097152\)",
    ),
}


@pytest.mark.parametrize("gzipped", [False, True], ids=["raw", "gz"])
@pytest.mark.parametrize("case", list(DAMAGE))
def test_damaged_file_raises_named_error(tmp_path, case, gzipped):
    damage, words = DAMAGE[case]
    data = damage(content("t10k-images-idx3-ubyte"))
    name = "t10k-images-idx3-ubyte" + (".gz" if gzipped else "")
    folder = tmp_path / "mnist"
    folder.mkdir()
    (folder / name).write_bytes(gzip.compress(data, compresslevel=1) if gzipped else data)
    (folder / "t10k-labels-idx1-ubyte").write_bytes(content("t10k-labels-idx1-ubyte"))
    with pytest.raises(CorruptDatasetError, match=words) as info:
        SampleAsMNIST(tmp_path, train=False, download=False)
    assert str(folder / name) in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "damage",
    [
        lambda gz: flip(gz, len(gz) - 6),  # in the CRC-32 trailer
        lambda gz: flip(gz, len(gz) // 2),  # in the deflate stream
        lambda gz: gz[: len(gz) // 2],  # cut short
    ],
    ids=["crc", "stream", "cut"],
)
def test_damaged_gzip_raises_named_error(tmp_path, damage):
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(damage((SAMPLE_DIR / path.name).read_bytes()))
    with pytest.raises(CorruptDatasetError, match="gzip") as info:
        read_idx(path, 3, MNISTSample.md5s["t10k-images-idx3-ubyte"])
    assert str(path) in str(info.value)


def test_good_copy_in_root_loads_gzipped_or_not(tmp_path):
    folder = tmp_path / "mnist"
    folder.mkdir()
    (folder / "t10k-images-idx3-ubyte").write_bytes(content("t10k-images-idx3-ubyte"))
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(
        (SAMPLE_DIR / "t10k-labels-idx1-ubyte.gz").read_bytes()
    )
    ds = SampleAsMNIST(tmp_path, train=False, download=False)
    np.testing.assert_array_equal(ds.data, MNISTSample(train=False).data)


def test_missing_files_without_download(tmp_path, no_network):
    with pytest.raises(DatasetNotFoundError) as info:
        MNIST(tmp_path, download=False)
    message = str(info.value)
    assert str(tmp_path / "mnist") in message
    assert "MINIGRAD_DATA" in message and "MNISTSample" in message
    assert isinstance(info.value, FileNotFoundError)
    assert no_network == []


def test_missing_files_default_root_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv("MINIGRAD_DATA", str(tmp_path / "elsewhere"))
    with pytest.raises(DatasetNotFoundError, match="elsewhere"):
        MNIST(download=False)


def test_download_fails_fast_offline(tmp_path, no_network, capsys):
    start = time.perf_counter()
    with pytest.raises(DatasetNotFoundError) as info:
        MNIST(tmp_path, train=False)
    assert time.perf_counter() - start < 1.0
    assert no_network == [m + "t10k-images-idx3-ubyte.gz" for m in MNIST.mirrors]
    message = str(info.value)
    assert "download failed" in message and "MINIGRAD_DATA" in message
    assert MNIST.mirrors[0] in message
    assert not (tmp_path / "mnist").exists() or not list((tmp_path / "mnist").iterdir())
    assert capsys.readouterr().out == ""


def test_download_verifies_then_renames(tmp_path, monkeypatch, capsys):
    served = []

    def urlopen(url, timeout=None):
        served.append(url)
        assert timeout is not None and timeout > 0
        name = url.rsplit("/", 1)[1]
        data = (SAMPLE_DIR / name).read_bytes()
        return io.BytesIO(flip(data, len(data) - 6) if len(served) == 1 else data)

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    ds = SampleAsMNIST(tmp_path, train=False)
    # The first mirror served a damaged file: rejected, the second one's copy is used.
    assert served[:2] == [m + "t10k-images-idx3-ubyte.gz" for m in MNIST.mirrors]
    assert len(ds) == 1000
    files = sorted(p.name for p in (tmp_path / "mnist").iterdir())
    assert files == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    assert str(tmp_path / "mnist") in capsys.readouterr().out


def test_download_cut_short_tries_next_mirror_and_leaves_no_part_file(tmp_path, monkeypatch):
    class CutShort(io.BytesIO):
        def read(self, *args):
            raise http.client.IncompleteRead(b"", 100)

    def urlopen(url, timeout=None):
        data = (SAMPLE_DIR / url.rsplit("/", 1)[1]).read_bytes()
        return CutShort(data) if url.startswith(MNIST.mirrors[0]) else io.BytesIO(data)

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    ds = SampleAsMNIST(tmp_path, train=False)
    assert len(ds) == 1000
    files = sorted(p.name for p in (tmp_path / "mnist").iterdir())
    assert files == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]


def test_load_mnist_falls_back_to_sample(tmp_path, no_network, capsys):
    ds = load_mnist(tmp_path, train=False)
    assert isinstance(ds, MNISTSample) and len(ds) == 1000
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(tmp_path / "mnist") in err and "sample" in err
    with pytest.raises(DatasetNotFoundError):
        load_mnist(tmp_path, train=False, fallback_to_sample=False)


def test_load_mnist_fallback_notice_once_for_both_splits(tmp_path, no_network, capsys):
    train, test = load_mnist(tmp_path, train=True), load_mnist(tmp_path, train=False)
    assert (len(train), len(test)) == (5000, 1000)
    assert capsys.readouterr().err.count("\n") == 1


def test_load_mnist_prefers_full_data(capsys):
    ds = load_mnist(full_root(), train=False, download=False)
    assert type(ds) is MNIST and len(ds) == 10000
    assert capsys.readouterr().err == ""


def test_fashion_mnist_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(FashionMNIST, "extra_dirs", ())
    with pytest.raises(DatasetNotFoundError, match="fashion-mnist") as info:
        FashionMNIST(tmp_path, download=False)
    assert "MINIGRAD_DATA" in str(info.value)


def test_fashion_mnist_also_searches_the_debian_folder(tmp_path):
    assert FashionMNIST.extra_dirs == (FASHION_DIR,) and MNIST.extra_dirs == ()

    debian = tmp_path / "debian"
    debian.mkdir()
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        (debian / name).write_bytes((SAMPLE_DIR / name).read_bytes())

    class SampleAsFashion(FashionMNIST):
        md5s = MNISTSample.md5s
        extra_dirs = (debian,)

    ds = SampleAsFashion(tmp_path / "root", train=False, download=False)
    assert ds.folder == debian and len(ds) == 1000


@pytest.mark.skipif(not FASHION_DIR.is_dir(), reason="apt package dataset-fashion-mnist missing")
def test_fashion_mnist_from_debian_package(tmp_path):
    ds = FashionMNIST(tmp_path, train=False, download=False)
    assert ds.folder == FASHION_DIR
    assert ds.data.shape == (10000, 28, 28) and ds.targets.dtype == np.int64
    assert np.bincount(ds.targets).tolist() == [1000] * 10
    assert ds.classes[9] == "Ankle boot"


def test_md5_check_is_cached(tmp_path, monkeypatch):
    path = tmp_path / "t10k-labels-idx1-ubyte"
    path.write_bytes(content(path.name))
    hashed = []
    real_md5 = hashlib.md5
    monkeypatch.setattr(mnist_module.hashlib, "md5", lambda b: hashed.append(1) or real_md5(b))
    md5 = MNISTSample.md5s[path.name]
    read_idx(path, 1, md5)
    read_idx(path, 1, md5)
    assert len(hashed) == 1
    path.write_bytes(flip(content(path.name), 20))  # rewritten: checked again
    with pytest.raises(CorruptDatasetError, match="md5"):
        read_idx(path, 1, md5)


# ---- TensorDataset and DataLoader -------------------------------------------------------------


def make_xy(n=10):
    return np.arange(3 * n, dtype=np.float32).reshape(n, 3), np.arange(n, dtype=np.int64)


class Counting(Dataset):
    """Wraps a data set and records each index it is asked for."""

    batched_getitem = True

    def __init__(self, inner):
        self.inner, self.calls = inner, []

    def __len__(self):
        return len(self.inner)

    def __getitem__(self, index):
        self.calls.append(index)
        return self.inner[index]


class ItemsOnly(Dataset):
    """A list-backed data set: indexing the list with an array raises TypeError."""

    def __init__(self, n):
        self.items = [(np.full(2, i, np.float32), i, float(i) / 2) for i in range(n)]
        self.calls = 0

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        self.calls += 1
        return self.items[index]


def epoch_order(loader):
    return np.concatenate([y.numpy() for _, y in loader])


def test_tensor_dataset():
    x, y = make_xy()
    ds = TensorDataset(mg.from_numpy(x), y)
    assert len(ds) == 10
    xi, yi = ds[np.array([2, 4])]
    np.testing.assert_array_equal(xi, x[[2, 4]])
    np.testing.assert_array_equal(yi, [2, 4])
    with pytest.raises(ValueError, match=r"\[10, 9\]"):
        TensorDataset(x, y[:9])
    with pytest.raises(TypeError, match="list"):
        TensorDataset([1.0, 2.0])
    with pytest.raises(TypeError):
        TensorDataset()


def test_dataset_base_requires_methods():
    with pytest.raises(NotImplementedError):
        len(Dataset())
    with pytest.raises(NotImplementedError):
        Dataset()[0]


@pytest.mark.parametrize("drop_last, sizes", [(False, [4, 4, 2]), (True, [4, 4])])
def test_loader_batches(drop_last, sizes):
    x, y = make_xy()
    loader = DataLoader(TensorDataset(x, y), batch_size=4, drop_last=drop_last)
    batches = list(loader)
    assert len(loader) == len(sizes) == len(batches)
    assert [len(yb.numpy()) for _, yb in batches] == sizes
    for xb, yb in batches:
        assert isinstance(xb, mg.Tensor) and isinstance(yb, mg.Tensor)
        assert xb.dtype == np.float32 and yb.dtype == np.int64 and xb.shape[1:] == (3,)
    np.testing.assert_array_equal(
        np.concatenate([xb.numpy() for xb, _ in batches]), x[: sum(sizes)]
    )


def test_loader_single_array_dataset_gives_tensors():
    class Plain(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, index):
            return np.asarray(index, dtype=np.float64) * 2

    batches = list(DataLoader(Plain(), batch_size=2))
    assert [b.shape for b in batches] == [(2,), (2,), (1,)]
    assert batches[2].numpy().tolist() == [8.0] and batches[0].dtype == np.float64


def test_loader_over_mnist_sample_one_call_per_batch():
    ds = Counting(MNISTSample())
    loader = DataLoader(ds, batch_size=64)
    batches = list(loader)
    assert len(batches) == len(loader) == 79 == len(ds.calls)
    assert all(isinstance(i, np.ndarray) for i in ds.calls)
    images, labels = batches[-1]
    assert images.shape == (8, 1, 28, 28) and images.dtype == np.float32
    assert labels.shape == (8,) and labels.dtype == np.int64


def test_shuffle_covers_every_index_once_and_changes_across_epochs():
    x, y = make_xy(103)
    loader = DataLoader(TensorDataset(x, y), batch_size=10, shuffle=True)
    first, second = epoch_order(loader), epoch_order(loader)
    np.testing.assert_array_equal(np.sort(first), np.arange(103))
    np.testing.assert_array_equal(np.sort(second), np.arange(103))
    assert not np.array_equal(first, second)
    assert not np.array_equal(first, np.arange(103))


def test_shuffle_repeats_under_manual_seed():
    loader = DataLoader(TensorDataset(*make_xy(50)), batch_size=7, shuffle=True)
    mg.manual_seed(0)
    a = epoch_order(loader)
    mg.manual_seed(0)
    b = epoch_order(loader)
    mg.manual_seed(1)
    c = epoch_order(loader)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_shuffle_with_explicit_generator():
    ds = TensorDataset(*make_xy(50))
    mg.manual_seed(0)
    a = epoch_order(DataLoader(ds, batch_size=7, shuffle=True, generator=np.random.default_rng(3)))
    mg.manual_seed(1)  # the explicit generator alone decides the order
    b = epoch_order(DataLoader(ds, batch_size=7, shuffle=True, generator=np.random.default_rng(3)))
    np.testing.assert_array_equal(a, b)
    rng = np.random.default_rng(3)
    rng.integers(2**62)  # the workers' base seed is drawn first, as in PyTorch
    np.testing.assert_array_equal(a, rng.permutation(50))


def test_item_by_item_fallback_collates():
    ds = ItemsOnly(5)
    loader = DataLoader(ds, batch_size=2)
    batches = list(loader)
    # Items only: a data set that does not set batched_getitem is never asked for an array.
    assert ds.calls == 5
    vectors, ints, floats = batches[0]
    assert vectors.shape == (2, 2) and vectors.dtype == np.float32
    assert ints.dtype == np.int64 and ints.numpy().tolist() == [0, 1]
    assert floats.dtype == np.float32 and floats.numpy().tolist() == [0.0, 0.5]
    assert batches[2][0].shape == (1, 2)


def test_array_read_that_is_not_a_batch_is_an_error():
    class Summing(Dataset):
        batched_getitem = True

        def __len__(self):
            return 6

        def __getitem__(self, index):
            return np.sum(index)

    with pytest.raises(ValueError, match="batched_getitem"):
        list(DataLoader(Summing(), batch_size=3))


def test_a_data_set_that_does_not_opt_in_is_read_item_by_item():
    # As PyTorch: a per-item transform must see one item even if __getitem__ takes arrays.
    class Flips(Dataset):
        def __init__(self):
            self.x = np.arange(12.0).reshape(4, 3)

        def __len__(self):
            return 4

        def __getitem__(self, index):
            return self.x[index][::-1].copy()

    batch = next(iter(DataLoader(Flips(), batch_size=2)))
    assert batch.tolist() == [[2.0, 1.0, 0.0], [5.0, 4.0, 3.0]]


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"batch_size": -3}, ValueError, "batch_size"),
        ({"batch_size": 2.5}, TypeError, "batch_size"),
        ({"batch_size": True}, TypeError, "batch_size"),
        ({"shuffle": "yes"}, TypeError, "shuffle must be a bool"),
        ({"drop_last": 1}, TypeError, "drop_last must be a bool"),
        ({"generator": 42}, TypeError, "numpy.random.Generator"),
        ({"generator": np.random.RandomState(0)}, TypeError, "generator must be"),
    ],
)
def test_loader_bad_arguments(kwargs, error, words):
    with pytest.raises(error, match=words):
        DataLoader(TensorDataset(*make_xy()), **kwargs)


def test_loader_rejects_non_dataset():
    with pytest.raises(TypeError, match="__len__"):
        DataLoader(iter(range(3)))


def test_md5_cache_catches_edit_with_mtime_restored(tmp_path):
    name = "t10k-labels-idx1-ubyte"
    path = tmp_path / name
    path.write_bytes(content(name))
    md5 = MNISTSample.md5s[name]
    read_idx(path, 1, md5)  # verified and cached
    info = path.stat()
    raw = bytearray(path.read_bytes())
    raw[-1] ^= 1  # same size, other content
    time.sleep(0.01)  # a ctime tick apart
    path.write_bytes(bytes(raw))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_mtime_ns == info.st_mtime_ns and path.stat().st_size == info.st_size
    with pytest.raises(CorruptDatasetError, match="md5"):
        read_idx(path, 1, md5)


def test_symlink_loop_is_an_error_naming_the_path_not_a_fallback(tmp_path, no_network, capsys):
    folder = tmp_path / "mnist"
    folder.mkdir()
    for name in ("t10k-images-idx3-ubyte", "t10k-images-idx3-ubyte.gz"):
        (folder / name).symlink_to(folder / name)  # points at itself
    with pytest.raises(OSError) as info:
        load_mnist(tmp_path, train=False)
    assert "t10k-images-idx3-ubyte" in str(info.value)
    assert not isinstance(info.value, DatasetNotFoundError)
    assert "sample" not in capsys.readouterr().err
