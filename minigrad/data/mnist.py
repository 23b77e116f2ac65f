"""MNIST and Fashion-MNIST from their IDX files, and a 5,000/1,000 MNIST sample shipped inside.

Files are checked before use: gzip integrity, IDX magic number, dimensions, file length, and the
md5 of the decompressed content. Any failure raises ``CorruptDatasetError`` naming the file.
"""

import gzip
import hashlib
import http.client
import math
import operator
import os
import shutil
import stat
import sys
import tempfile
import urllib.request
import zlib
from pathlib import Path

import numpy as np

from .dataset import Dataset

DOWNLOAD_TIMEOUT = 30  # seconds per connection attempt; offline, DNS fails in milliseconds
SAMPLE_DIR = Path(__file__).parent / "mnist_sample"


class DatasetNotFoundError(FileNotFoundError):
    """A data set's files are missing and were not downloaded. ``searched``: the folders."""

    def __init__(self, message, searched=()):
        super().__init__(message)
        self.searched = list(searched)


class CorruptDatasetError(ValueError):
    """A data set file is truncated, corrupted, not a uint8 IDX file, or fails its md5 check."""


# (resolved path, device, inode, size, mtime and ctime in ns, md5) of the files whose md5 matched
# in this process. Hashing is ~0.06 s of the ~0.25 s it takes to load the 47 MB training images.
# Any write changes a file's ctime, and unlike the mtime no program can set it back.
_verified = set()
# The folders load_mnist has already said it fell back from: one notice per run, not per split.
_fell_back_from = set()
CHUNK = 1 << 22  # bytes read at a time


def read_idx(path, ndim, md5=None, expected_shape=None):
    """A uint8 IDX file (gzipped or not) as an array of ``ndim`` dimensions, shape as in its header.

    Raises ``CorruptDatasetError`` naming ``path`` for a bad gzip stream, a wrong magic number,
    data shorter or longer than the header says, a header shape other than ``expected_shape``
    (when given: checked before any data is read), or (if ``md5`` is given) a decompressed
    content whose md5 differs. The file is streamed: memory follows the data actually there.
    """
    path = Path(path)
    with open(path, "rb") as file:
        info = os.fstat(file.fileno())
        # Sniff gzip by its magic bytes, not the name: an IDX file starts with two zero bytes.
        gzipped = file.read(2) == b"\x1f\x8b"
        file.seek(0)
        stream = gzip.GzipFile(fileobj=file) if gzipped else file
        try:
            return _read_idx(stream, path, ndim, md5, expected_shape, info, gzipped)
        except (OSError, EOFError, zlib.error) as error:
            raise CorruptDatasetError(
                f"{path}: corrupted or truncated gzip data ({error}); delete it and fetch it again"
            ) from None


def _read_idx(stream, path, ndim, md5, expected_shape, info, gzipped):
    header = 4 + 4 * ndim
    head = stream.read(header)
    if len(head) < header:
        raise CorruptDatasetError(
            f"{path}: truncated: {len(head)} bytes, shorter than the {header}-byte IDX header"
        )
    # Magic number: two zero bytes, the type (0x08: uint8), the number of dimensions.
    magic = int.from_bytes(head[:4], "big")
    if magic != 0x800 + ndim:
        raise CorruptDatasetError(
            f"{path}: not a {ndim}-d uint8 IDX file: magic number 0x{magic:08x}, "
            f"expected 0x{0x800 + ndim:08x}"
        )
    shape = tuple(int.from_bytes(head[4 + 4 * k : 8 + 4 * k], "big") for k in range(ndim))
    if expected_shape is not None and shape != tuple(expected_shape):
        raise CorruptDatasetError(
            f"{path}: its header's shape is {shape}, expected {tuple(expected_shape)}"
        )
    size = math.prod(shape)  # Python ints: np.prod would overflow int64
    expected = header + size
    if not gzipped and info.st_size != expected:  # known before reading: no allocation
        problem = "truncated" if info.st_size < expected else "too long"
        raise CorruptDatasetError(
            f"{path}: {problem}: {info.st_size} bytes where its header's shape {shape} needs "
            f"{expected}"
        )
    # Grows with the data that is really there, whatever the header claims.
    data = bytearray()
    while len(data) < size:
        chunk = stream.read(min(CHUNK, size - len(data)))
        if not chunk:
            break
        data += chunk
    extra = stream.read(1)
    if len(data) != size or extra:
        problem = "truncated" if len(data) < size else "too long"
        got = f"{header + len(data)}" if not extra else f"more than {expected}"
        raise CorruptDatasetError(
            f"{path}: {problem}: {got} bytes (decompressed) where its header's shape {shape} "
            f"needs {expected}"
        )
    key = (
        str(path.resolve()), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns,
        info.st_ctime_ns, md5,
    )  # fmt: skip
    if md5 is not None and key not in _verified:
        digest = hashlib.md5(head)
        digest.update(data)
        if digest.hexdigest() != md5:
            raise CorruptDatasetError(
                f"{path}: md5 of the decompressed content is {digest.hexdigest()}, expected "
                f"{md5}: the file is damaged or not the official one; delete it and fetch it again"
            )
        _verified.add(key)
    # A writable array, as torchvision's .data is (a bytearray's buffer is writable).
    return np.frombuffer(data, np.uint8).reshape(shape)


def _split_names(train):
    prefix = "train" if train else "t10k"
    return f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"


def _find(folder, name):
    """``folder/name`` or ``folder/name.gz``, whichever exists, else None. A path that exists
    but cannot be read (a loop of symlinks, no permission) raises its OSError: it is never
    taken for a missing file."""
    for path in (folder / name, folder / f"{name}.gz"):
        try:
            if stat.S_ISREG(path.stat().st_mode):
                return path
        except (FileNotFoundError, NotADirectoryError):
            continue
    return None


class MNIST(Dataset):
    """The MNIST handwritten digits: 60,000 training or 10,000 test images of 28 x 28 pixels.

    Args:
        root: the data root; files are in ``<root>/mnist/``, gzipped or not
            (``train-images-idx3-ubyte[.gz]``, ``train-labels-idx1-ubyte[.gz]``,
            ``t10k-images-idx3-ubyte[.gz]``, ``t10k-labels-idx1-ubyte[.gz]``). Default:
            ``$MINIGRAD_DATA`` (read when the data set is created), else ``~/.cache/minigrad``.
        train (bool): the training split (default) or the test split.
        download (bool): fetch missing files from the public mirrors (default True). Offline,
            or with ``download=False``, missing files raise ``DatasetNotFoundError``.
        transform: a callable applied to each image (float32 array 1 x 28 x 28).

    Attributes: ``data`` (uint8 array N x 28 x 28), ``targets`` (int64 array N), ``classes``.
    ``ds[i]`` is ``(image, label)``: a float32 array 1 x 28 x 28 in [0, 1] after ``transform``,
    and an int. ``ds[index_array]`` (or a slice) is ``(float32 array N x 1 x 28 x 28, int64
    array N)`` in one vectorised step, or item by item through ``transform`` if one is set.

    Files are checked against the md5 of their decompressed content; a damaged file raises
    ``CorruptDatasetError``. MNIST is by Y. LeCun, C. Cortes and C. J. C. Burges (CC BY-SA 3.0).

    Example:
        >>> train = MNIST(train=True)
        >>> image, label = train[0]      # (1, 28, 28) float32, 5
    """

    folder_name = "mnist"
    mirrors = (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    )
    extra_dirs = ()  # read-only folders also searched, after <root>/<folder_name>
    # md5 of the decompressed files (the .gz bytes vary with how they were compressed).
    md5s = {
        "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
        "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
        "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
        "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
    }
    classes = [
        "0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
        "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine",
    ]  # fmt: skip
    offline_hint = (
        "Offline, minigrad.data.MNISTSample (5,000 training / 1,000 test MNIST images shipped "
        "with minigrad) needs no download."
    )

    def __init__(self, root=None, train=True, download=True, transform=None):
        root = root if root is not None else os.environ.get("MINIGRAD_DATA") or "~/.cache/minigrad"
        self.root = Path(root).expanduser()
        self.train = train
        self.transform = transform
        self._load([self._locate(name, download) for name in _split_names(train)])

    def _load(self, paths):
        images_path, labels_path = paths
        self.folder = images_path.parent
        images_md5, labels_md5 = self.md5s[_stem(images_path)], self.md5s[_stem(labels_path)]
        # The shape a file of that md5 has, checked before any data is read.
        self.data = read_idx(images_path, 3, images_md5, _SHAPES.get(images_md5))
        labels = read_idx(labels_path, 1, labels_md5, _SHAPES.get(labels_md5))
        # The md5 vouches for the official files; these checks give clearer errors otherwise.
        if self.data.shape[1:] != (28, 28):
            raise CorruptDatasetError(
                f"{images_path}: images are {self.data.shape[1:]}, not 28 x 28"
            )
        if len(labels) != len(self.data):
            raise CorruptDatasetError(
                f"{labels_path}: {len(labels)} labels for the {len(self.data)} images of "
                f"{images_path}"
            )
        self.targets = labels.astype(np.int64)

    def _locate(self, name, download):
        folders = [self.root / self.folder_name, *self.extra_dirs]
        for folder in folders:
            if (path := _find(folder, name)) is not None:
                return path
        why = "download=False"
        if download:
            path, why = self._download(folders[0], name)
            if path is not None:
                return path
        raise DatasetNotFoundError(
            f"{type(self).__name__}: {name}[.gz] not found in {' or '.join(map(str, folders))} "
            f"({why}). Put the {type(self).__name__} files (gzipped or not) in {folders[0]}, "
            "or set the environment variable MINIGRAD_DATA to a data root that holds "
            f"{self.folder_name}/. {self.offline_hint}",
            searched=folders,
        )

    def _download(self, folder, name):
        """Fetch ``name`` into ``folder``: (path, None), or (None, why it failed)."""
        failures = []
        for mirror in self.mirrors:
            url = f"{mirror}{name}.gz"
            target = folder / f"{name}.gz"
            part = None
            try:
                with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response:
                    folder.mkdir(parents=True, exist_ok=True)
                    # A temporary name until verified, so an interrupted download never
                    # passes for the real file.
                    handle, part = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
                    with os.fdopen(handle, "wb") as out:
                        shutil.copyfileobj(response, out)
                read_idx(part, 3 if "idx3" in name else 1, self.md5s[name])
                os.chmod(part, 0o644)  # mkstemp makes it private to the user
                os.replace(part, target)
                part = None
            # URLError is an OSError; a connection cut mid-file raises http.client.IncompleteRead.
            except (OSError, http.client.HTTPException, CorruptDatasetError) as error:
                failures.append(f"{url}: {error}")
                continue
            finally:  # also on Ctrl-C: no .part file is left behind
                if part is not None and os.path.exists(part):
                    os.remove(part)
            print(f"Downloaded {url} to {target}")
            return target, None
        return None, "download failed: " + "; ".join(failures)

    batched_getitem = True  # ds[index_array] gives a batch: DataLoader reads it in one call

    def __len__(self):
        return len(self.data)

    def __getitem__(self, index):
        try:
            i = operator.index(index)
        except TypeError:
            i = None
        if i is not None:
            image = self.data[i][None].astype(np.float32) / 255
            if self.transform is not None:
                image = self.transform(image)
            return image, int(self.targets[i])
        # Slices, lists and boolean masks become positions; bad ones raise IndexError here.
        positions = np.arange(len(self))[index]
        if self.transform is None:
            images = self.data[positions][:, None].astype(np.float32)
            images /= 255  # in place: one float32 array per batch, not two
        else:  # per item, so the transform sees exactly what ds[i] would give it
            images = np.stack([np.asarray(self[int(p)][0]) for p in positions])
        return images, self.targets[positions]

    def __repr__(self):
        split = "train" if self.train else "test"
        return (
            f"{type(self).__name__}(split={split!r}, size={len(self)}, folder={str(self.folder)!r})"
        )


def _stem(path):
    return path.name.removesuffix(".gz")


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: 60,000 / 10,000 clothing images of 28 x 28, in 10 classes.

    Same interface and file names as ``MNIST``; files live in ``<root>/fashion-mnist/`` and are
    also looked for in ``/usr/share/datasets/fashion-mnist/`` (Debian's ``dataset-fashion-mnist``
    package). Fashion-MNIST is by H. Xiao, K. Rasul and R. Vollgraf (MIT license).
    """

    folder_name = "fashion-mnist"
    mirrors = (
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    )
    extra_dirs = (Path("/usr/share/datasets/fashion-mnist"),)
    md5s = {
        "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
        "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
        "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
        "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
    }
    classes = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]  # fmt: skip
    offline_hint = "On Debian or Ubuntu, `apt-get install dataset-fashion-mnist` installs them."


class MNISTSample(MNIST):
    """The first 5,000 training and 1,000 test images of MNIST, shipped with minigrad.

    Same interface as ``MNIST`` (``data``, ``targets``, ``classes``, items, array indexing),
    read from gzipped IDX files in ``minigrad/data/mnist_sample/`` (built by
    ``scripts/make_mnist_sample.py``) and checked against their md5. Works offline.
    """

    md5s = {
        "train-images-idx3-ubyte": "6f01f69da69dedc2c8bc8526d38da71b",
        "train-labels-idx1-ubyte": "10803020b92ddef7969be21e3eb2c75c",
        "t10k-images-idx3-ubyte": "bac4371a484d0b5651e81d99305acb5a",
        "t10k-labels-idx1-ubyte": "556860b2f10365a8f7444c1e79c7e9af",
    }

    def __init__(self, train=True, transform=None):
        self.root = SAMPLE_DIR
        self.train = train
        self.transform = transform
        paths = [SAMPLE_DIR / f"{name}.gz" for name in _split_names(train)]
        for path in paths:
            if not path.is_file():
                raise DatasetNotFoundError(
                    f"MNISTSample: {path} is missing: minigrad was installed without its package "
                    "data; reinstall it",
                    searched=[SAMPLE_DIR],
                )
        self._load(paths)


def _shapes():
    """The header shape of each file whose md5 minigrad knows: a header claiming any other is
    refused before its data is read."""
    shapes = {}
    for cls, counts in ((MNIST, (60000, 10000)), (FashionMNIST, (60000, 10000)),
                        (MNISTSample, (5000, 1000))):  # fmt: skip
        for name, md5 in cls.md5s.items():
            count = counts[0] if name.startswith("train") else counts[1]
            shapes[md5] = (count, 28, 28) if "idx3" in name else (count,)
    return shapes


_SHAPES = _shapes()


def load_mnist(root=None, train=True, download=True, transform=None, fallback_to_sample=True):
    """``MNIST(root, train, download, transform)`` if its files are there (or downloadable).

    Otherwise, with ``fallback_to_sample`` (default True), returns ``MNISTSample(train,
    transform)`` and prints one line to stderr (once per process and folder, so loading both
    splits gives one notice): 5,000 training or 1,000 test images instead of 60,000 or
    10,000. A corrupted file still raises ``CorruptDatasetError``: it is never hidden.
    """
    try:
        return MNIST(root, train=train, download=download, transform=transform)
    except DatasetNotFoundError as error:
        if not fallback_to_sample:
            raise
        where = " or ".join(map(str, error.searched))
        if where not in _fell_back_from:
            _fell_back_from.add(where)
            print(
                f"minigrad: full MNIST not found in {where} (set MINIGRAD_DATA to its data root); "
                "using the 5,000/1,000-image sample shipped with minigrad (MNISTSample)",
                file=sys.stderr,
            )
        return MNISTSample(train=train, transform=transform)
