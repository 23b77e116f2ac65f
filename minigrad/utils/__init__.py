"""Utilities with PyTorch's layout: ``minigrad.utils.data``."""

from minigrad.utils import data

__all__ = ["data"]
