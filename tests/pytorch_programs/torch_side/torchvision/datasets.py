import gzip
import os

import numpy as np
import torch


def _read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(shape)


class MNIST(torch.utils.data.Dataset):
    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        raw = os.path.join(root, type(self).__name__, "raw")
        prefix = "train" if train else "t10k"

        def find(name):
            for candidate in (name, name + ".gz"):
                if os.path.exists(os.path.join(raw, candidate)):
                    return os.path.join(raw, candidate)
            raise RuntimeError(f"Dataset not found in {raw}")

        self.data = torch.from_numpy(_read_idx(find(f"{prefix}-images-idx3-ubyte")).copy())
        self.targets = torch.from_numpy(_read_idx(find(f"{prefix}-labels-idx1-ubyte")).astype(np.int64))
        self.transform, self.target_transform = transform, target_transform

    def __len__(self):
        return len(self.data)

    def __getitem__(self, index):
        img, target = self.data[index].numpy(), int(self.targets[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target


class FashionMNIST(MNIST):
    pass
