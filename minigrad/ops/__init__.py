"""minigrad's primitive ops: one ``Function`` subclass each, on numpy arrays.

Use them through this package (``ops.Sigmoid``), so that none shadows an ``nn`` layer.
"""

from minigrad.ops.activations import GELU, LeakyReLU
from minigrad.ops.conv import Conv2d
from minigrad.ops.elementwise import (
    Abs,
    Add,
    Cast,
    Clamp,
    Cos,
    Div,
    Exp,
    Log,
    Maximum,
    Minimum,
    Mul,
    Neg,
    Pow,
    ReLU,
    Sigmoid,
    Sin,
    Sqrt,
    Sub,
    Tanh,
    Where,
)
from minigrad.ops.inplace import SetItem
from minigrad.ops.linalg import MatMul
from minigrad.ops.losses import BinaryCrossEntropy, BinaryCrossEntropyWithLogits, CrossEntropy
from minigrad.ops.movement import Cat, Expand, Index, Permute, Reshape
from minigrad.ops.normalization import BatchNorm
from minigrad.ops.pooling import AvgPool2d, MaxPool2d
from minigrad.ops.reductions import Amax, LogSoftmax, Sum, TakeAlongDim

__all__ = [
    "Abs", "Add", "Amax", "AvgPool2d", "BatchNorm", "BinaryCrossEntropy",
    "BinaryCrossEntropyWithLogits", "Cast", "Cat", "Clamp", "Conv2d", "Cos", "CrossEntropy",
    "Div", "Exp", "Expand", "GELU", "Index", "LeakyReLU", "Log", "LogSoftmax", "MatMul",
    "Maximum", "MaxPool2d", "Minimum", "Mul", "Neg", "Permute", "Pow", "ReLU", "Reshape",
    "SetItem", "Sigmoid", "Sin", "Sqrt", "Sub", "Sum", "TakeAlongDim", "Tanh", "Where",
]  # fmt: skip
