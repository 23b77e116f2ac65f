"""Data sets and batching: ``Dataset``, ``TensorDataset``, ``DataLoader``, MNIST and friends.

from minigrad.data import DataLoader, load_mnist
loader = DataLoader(load_mnist(train=True), batch_size=64, shuffle=True)
for images, labels in loader:  # Tensors (64, 1, 28, 28) float32 and (64,) int64
    ...
"""

from minigrad.data.collate import default_collate, default_convert, get_worker_info
from minigrad.data.dataloader import DataLoader
from minigrad.data.dataset import (
    ConcatDataset,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
)
from minigrad.data.mnist import (
    MNIST,
    CorruptDatasetError,
    DatasetNotFoundError,
    FashionMNIST,
    MNISTSample,
    load_mnist,
    read_idx,
)
from minigrad.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "BatchSampler",
    "ConcatDataset",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "Subset",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "random_split",
    "MNIST",
    "CorruptDatasetError",
    "DataLoader",
    "Dataset",
    "DatasetNotFoundError",
    "FashionMNIST",
    "MNISTSample",
    "TensorDataset",
    "load_mnist",
    "read_idx",
]
