"""A stand-in for torchvision on the PyTorch side of comparisons.

torchvision does not import beside torch 2.13.0+cpu here, so the PyTorch runs of the
programs in tests/pytorch_programs and of the DataLoader benchmark use this: MNIST and
FashionMNIST read from torchvision's layout, and the transforms those programs use,
written in torch ops. Items are uint8 numpy images, as minigrad.vision gives.
"""

from torchvision import datasets, transforms

__all__ = ["datasets", "transforms"]
