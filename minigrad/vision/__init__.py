"""torchvision's surface for minigrad: ``from minigrad.vision import datasets, transforms``.

``import torchvision`` becomes ``import minigrad.vision as torchvision``. Images without a
transform are uint8 numpy arrays (H x W) where torchvision gives PIL images.
"""

from minigrad.vision import datasets, transforms, utils

__all__ = ["datasets", "transforms", "utils"]
