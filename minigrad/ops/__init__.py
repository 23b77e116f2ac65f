"""minigrad's primitive ops: one ``Function`` subclass each, on numpy arrays.

Use them through this package (``ops.Sigmoid``), so that none shadows an ``nn`` layer.
"""

from minigrad.ops.activations import GELU, LeakyReLU
from minigrad.ops.binary import Atan2, Copysign, Fmod, Hypot, LogAddExp, Remainder
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
    ToDevice,
    Where,
)
from minigrad.ops.inplace import SetItem
from minigrad.ops.linalg import Det, Einsum, Inv, MatMul, Solve, Svd
from minigrad.ops.losses import BinaryCrossEntropy, BinaryCrossEntropyWithLogits, CrossEntropy
from minigrad.ops.movement import Cat, Expand, Index, Permute, Reshape
from minigrad.ops.normalization import BatchNorm
from minigrad.ops.pooling import AvgPool2d, MaxPool2d
from minigrad.ops.reductions import Amax, LogSoftmax, Sum, TakeAlongDim
from minigrad.ops.scans import Cumprod, Cumsum, LogCumSumExp, Prod, VectorNorm
from minigrad.ops.scatter import IndexAdd, Scatter, ScatterAdd, ScatterReduce
from minigrad.ops.unary import (
    Acos,
    Acosh,
    Asin,
    Asinh,
    Atan,
    Atanh,
    Ceil,
    Cosh,
    Exp2,
    Expm1,
    Floor,
    Log1p,
    Log2,
    Log10,
    Reciprocal,
    Round,
    Rsqrt,
    Sign,
    Sinh,
    Tan,
    Trunc,
)


def _matmul_name(node):
    first, second = (len(m[0]) if m else None for m in node.input_meta)
    names = {(2, 2): "MmBackward0", (1, 1): "DotBackward0", (2, 1): "MvBackward0"}
    return names.get((first, second), "MatmulBackward0" if None in (first, second) else
                     "UnsafeViewBackward0")  # fmt: skip


def _sum_name(node):
    return "SumBackward0" if node.output_meta[0][0] == () else "SumBackward1"


# The names PyTorch gives the backward nodes of the same ops (``grad_fn.name()``).
_TORCH_NAMES = {
    Abs: "AbsBackward0", Add: "AddBackward0", Amax: "AmaxBackward0",
    AvgPool2d: "AvgPool2DBackward0", BatchNorm: "NativeBatchNormBackward0",
    BinaryCrossEntropy: "BinaryCrossEntropyBackward0",
    BinaryCrossEntropyWithLogits: "BinaryCrossEntropyWithLogitsBackward0",
    Cast: "ToCopyBackward0", Cat: "CatBackward0", Clamp: "ClampBackward1",
    Conv2d: "ConvolutionBackward0", Cos: "CosBackward0", CrossEntropy: "NllLossBackward0",
    Div: "DivBackward0", Exp: "ExpBackward0", Expand: "ExpandBackward0", GELU: "GeluBackward0",
    Index: "IndexBackward0", LeakyReLU: "LeakyReluBackward0", Log: "LogBackward0",
    LogSoftmax: "LogSoftmaxBackward0", MatMul: _matmul_name, Maximum: "MaximumBackward0",
    MaxPool2d: "MaxPool2DWithIndicesBackward0", Minimum: "MinimumBackward0",
    Mul: "MulBackward0", Neg: "NegBackward0", Permute: "PermuteBackward0",
    Pow: "PowBackward0", ReLU: "ReluBackward0", Reshape: "ViewBackward0",
    SetItem: "CopySlices", Sigmoid: "SigmoidBackward0", Sin: "SinBackward0",
    Sqrt: "SqrtBackward0", Sub: "SubBackward0", Sum: _sum_name, TakeAlongDim: "GatherBackward0",
    Tanh: "TanhBackward0", Where: "WhereBackward0",
}  # fmt: skip
# The newer primitives are named as PyTorch's nodes are: <Op>Backward0.
_NEW = (
    Acos, Acosh, Asin, Asinh, Atan, Atan2, Atanh, Ceil, Copysign, Cosh, Exp2, Expm1, Floor, Fmod,
    Hypot, LogAddExp, Log1p, Log2, Log10, Reciprocal, Remainder, Round, Rsqrt, Sign, Sinh, Tan,
    Trunc, Cumprod, Cumsum, Prod, Det, Einsum, Inv, IndexAdd, Scatter, ScatterAdd,
)  # fmt: skip
_TORCH_NAMES.update({op: op.__name__ + "Backward0" for op in _NEW})
_TORCH_NAMES.update({LogAddExp: "LogaddexpBackward0", Log1p: "Log1PBackward0"})
_TORCH_NAMES.update({Fmod: "FmodBackward1", Remainder: "RemainderBackward1"})  # tensor divisors
_TORCH_NAMES.update({Solve: "LinalgSolveExBackward0", VectorNorm: "LinalgVectorNormBackward0"})
_TORCH_NAMES.update({Det: "LinalgDetBackward0", Inv: "LinalgInvExBackward0"})
_TORCH_NAMES.update({Scatter: "ScatterBackward0", IndexAdd: "IndexAddBackward0"})
_TORCH_NAMES.update({LogCumSumExp: "LogcumsumexpBackward0", Svd: "LinalgSvdBackward0"})
_TORCH_NAMES.update({ScatterReduce: "ScatterReduceBackward0"})
for _op, _name in _TORCH_NAMES.items():
    _op.torch_name = _name

__all__ = [
    "Abs", "Add", "Amax", "AvgPool2d", "BatchNorm", "BinaryCrossEntropy",
    "BinaryCrossEntropyWithLogits", "Cast", "Cat", "Clamp", "Conv2d", "Cos", "CrossEntropy",
    "Div", "Exp", "Expand", "GELU", "Index", "LeakyReLU", "Log", "LogSoftmax", "MatMul",
    "Maximum", "MaxPool2d", "Minimum", "Mul", "Neg", "Permute", "Pow", "ReLU", "Reshape",
    "SetItem", "Sigmoid", "Sin", "Sqrt", "Sub", "Sum", "TakeAlongDim", "Tanh", "Where",
]  # fmt: skip
__all__ += [op.__name__ for op in _NEW] + ["Solve", "VectorNorm"]
