"""torchvision.datasets' MNIST and FashionMNIST: same signature, folder layout and attributes.

The IDX reading and md5 checks are minigrad.data.mnist's; this module adds torchvision's
layout (``<root>/MNIST/raw/``) and item format (a uint8 H x W numpy image and an int).
"""

from pathlib import Path

import numpy as np

import minigrad as mg
from minigrad.data import mnist as _mnist
from minigrad.data.dataset import Dataset

__all__ = ["MNIST", "FashionMNIST"]

_loaded = {}  # (class, file keys) -> the last loaded minigrad dataset, see _load_cached


def _file_key(path):
    stat = path.stat()
    return str(path.resolve()), stat.st_size, stat.st_mtime_ns


class MNIST(Dataset):
    """MNIST digits as torchvision's ``datasets.MNIST``: 60,000 training or 10,000 test images.

    Args:
        root: the data root; the files are in ``<root>/MNIST/raw/``, gzipped or not
            (``train-images-idx3-ubyte[.gz]``, ``train-labels-idx1-ubyte[.gz]``,
            ``t10k-images-idx3-ubyte[.gz]``, ``t10k-labels-idx1-ubyte[.gz]``). minigrad
            extension: ``root=None`` uses minigrad's own data lookup (that of
            ``minigrad.data.MNIST(root=None)``: ``$MINIGRAD_DATA/mnist``, then
            ``~/.cache/minigrad/mnist``, else the 5,000/1,000-image sample shipped with
            minigrad, with a one-line notice), so examples run on a fresh clone.
        train (bool): the training split (default) or the test split (``t10k``).
        transform: a callable applied to each image (a uint8 numpy array H x W).
        target_transform: a callable applied to each label (an int).
        download (bool): accepted for torchvision's signature; minigrad does not download
            here: missing files raise ``RuntimeError`` naming the folder and the files.

    ``ds[i]`` is ``(image, target)``: a uint8 numpy array 28 x 28 (torchvision gives a PIL
    image) and a Python int, each through its transform if one is set. Attributes: ``data``
    (uint8 Tensor N x 28 x 28), ``targets`` (int64 Tensor N), ``classes``, ``class_to_idx``.
    The decompressed files are checked against their md5 (once per process and file).
    """

    folder_name = "MNIST"
    _minigrad_dataset = _mnist.MNIST
    classes = list(_mnist.MNIST.classes)

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        self.root = None if root is None else Path(root).expanduser()
        self.train = bool(train)
        self.transform = transform
        self.target_transform = target_transform
        for name, value in (("transform", transform), ("target_transform", target_transform)):
            if value is not None and not callable(value):
                raise TypeError(
                    f"{type(self).__name__}: {name} must be callable or None, "
                    f"got {type(value).__name__}"
                )
        if self.root is None:
            source = self._minigrad_default(self.train)
        else:
            source = self._load_cached(self._paths(download))
        self.folder = source.folder
        self._images = source.data  # uint8 numpy N x 28 x 28, indexed without copies
        self._labels = source.targets.tolist()  # Python ints: no per-item numpy-to-int
        self.data = mg.from_numpy(source.data)
        self.targets = mg.from_numpy(source.targets.astype(np.int64))

    def _load_cached(self, paths):
        # Decompressing the training images takes most of a construction; a second one in the
        # same process (train and test loaders, notebooks) reuses the arrays while the files'
        # size and mtime are unchanged. Each dataset gets its own copy, as torchvision's does.
        key = (type(self).__name__, *(_file_key(path) for path in paths))
        if key not in _loaded:
            source = self._minigrad_dataset.__new__(self._minigrad_dataset)
            source._load(paths)
            if len(_loaded) >= 4:  # both splits of both data sets, not every root ever read
                del _loaded[next(iter(_loaded))]
            _loaded[key] = source
        source = _loaded[key]
        copy = self._minigrad_dataset.__new__(self._minigrad_dataset)
        copy.folder, copy.data, copy.targets = source.folder, source.data.copy(), source.targets
        return copy

    @classmethod
    def _minigrad_default(cls, train):
        return _mnist.load_mnist(None, train=train, download=False)

    @property
    def raw_folder(self):
        return self.root / self.folder_name / "raw"

    def _paths(self, download):
        names = _mnist._split_names(self.train)
        paths = [_mnist._find(self.raw_folder, name) for name in names]
        if any(path is None for path in paths):
            missing = [f"{n}[.gz]" for n, p in zip(names, paths, strict=True) if p is None]
            why = " (download=True: minigrad does not download)" if download else ""
            raise RuntimeError(
                f"{type(self).__name__}: dataset not found in {self.raw_folder}: missing "
                f"{', '.join(missing)}{why}. minigrad does not download data sets: put the "
                f"files (gzipped or not) there, or pass root=None for minigrad's own lookup "
                "($MINIGRAD_DATA)."
            )
        return paths

    @property
    def class_to_idx(self):
        return {name: i for i, name in enumerate(self.classes)}

    def __len__(self):
        return len(self._labels)

    def __getitem__(self, index):
        image, target = self._images[index], self._labels[index]
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __repr__(self):
        # torchvision's VisionDataset layout, StandardTransform's block included.
        root = self.root if self.root is not None else self.folder
        body = [f"Number of datapoints: {len(self)}", f"Root location: {root}"]
        body.append(f"Split: {'Train' if self.train else 'Test'}")
        if self.transform is not None or self.target_transform is not None:
            block = ["StandardTransform"]
            for head, value in (("Transform: ", self.transform),
                                ("Target transform: ", self.target_transform)):  # fmt: skip
                if value is not None:
                    first, *rest = repr(value).splitlines()
                    block += [head + first] + [" " * len(head) + line for line in rest]
            body.append("\n".join(block))
        return "\n".join([f"Dataset {type(self).__name__}"] + ["    " + line for line in body])


class FashionMNIST(MNIST):
    """Fashion-MNIST as torchvision's ``datasets.FashionMNIST``: same interface as ``MNIST``.

    Files in ``<root>/FashionMNIST/raw/``. ``root=None`` (minigrad extension) looks in
    ``$MINIGRAD_DATA/fashion-mnist`` and ``/usr/share/datasets/fashion-mnist``; there is no
    shipped sample, so missing files raise ``RuntimeError``.
    """

    folder_name = "FashionMNIST"
    _minigrad_dataset = _mnist.FashionMNIST
    classes = list(_mnist.FashionMNIST.classes)

    @classmethod
    def _minigrad_default(cls, train):
        try:
            return _mnist.FashionMNIST(None, train=train, download=False)
        except _mnist.DatasetNotFoundError as error:
            raise RuntimeError(str(error)) from None
