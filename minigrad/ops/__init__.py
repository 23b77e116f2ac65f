"""minigrad's primitive ops: one ``Function`` subclass each, on numpy arrays.

Use them through this package (``ops.Sigmoid``), so that none shadows an ``nn`` layer.
"""

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
from minigrad.ops.linalg import MatMul
from minigrad.ops.movement import Cat, Expand, Index, Permute, Reshape
from minigrad.ops.reductions import Amax, LogSoftmax, Sum, TakeAlongDim

__all__ = [
    "Abs", "Add", "Amax", "Cast", "Cat", "Clamp", "Cos", "Div", "Exp", "Expand", "Index",
    "Log", "LogSoftmax", "MatMul", "Maximum", "Minimum", "Mul", "Neg", "Permute", "Pow",
    "ReLU", "Reshape", "Sigmoid", "Sin", "Sqrt", "Sub", "Sum", "TakeAlongDim", "Tanh", "Where",
]  # fmt: skip
