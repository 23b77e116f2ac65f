"""``minigrad.linalg``: PyTorch's ``torch.linalg`` for what deep-learning code uses: norms,
inverse, determinant, solve and a few products. Float64 gradients are checked for each."""

import numpy as np

from minigrad import ops
from minigrad.tensor import as_tensor
from minigrad.tensor_math import _vector_norm


def _square(name, a):
    a = as_tensor(a)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise RuntimeError(
            f"linalg.{name}: A must be batches of square matrices, but they are "
            f"{tuple(a.shape[-2:]) if a.ndim >= 2 else tuple(a.shape)} matrices"
        )
    if not np.issubdtype(a.dtype, np.floating):
        raise RuntimeError(
            f"linalg.{name}: Expected a floating point tensor as input, got {a.dtype}"
        )
    return a


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """The ord-norm of x over ``dim`` (all elements by default), as one vector."""
    x = as_tensor(x) if dtype is None else as_tensor(x).to(dtype)
    return _vector_norm(x, ord, dim, keepdim)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """The Frobenius norm ('fro') of the matrices in A; other orders are not supported yet."""
    if ord != "fro":
        raise NotImplementedError(f"linalg.matrix_norm: ord={ord!r} is not supported, only 'fro'")
    return vector_norm(A, 2, dim, keepdim, dtype=dtype)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """A vector norm (1-D input or ``dim`` an int) or a Frobenius matrix norm."""
    A = as_tensor(A)
    if ord is None or (isinstance(dim, int) or (dim is None and A.ndim == 1)):
        return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
    return matrix_norm(A, ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)


def inv(A):
    A = _square("inv", A)
    try:
        return ops.Inv.apply(A)
    except np.linalg.LinAlgError as error:
        raise RuntimeError(
            f"linalg.inv: The diagonal element is zero, the inversion could not "
            f"be completed because the input matrix is singular ({error})"
        ) from None


def det(A):
    return ops.Det.apply(_square("det", A))


def solve(A, B, *, left=True):
    """X with A X = B (B a vector or a batch of matrices)."""
    if not left:
        raise NotImplementedError("linalg.solve: left=False is not supported")
    A, B = _square("solve", A), as_tensor(B)
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    rows = B.shape[-1] if vector else B.shape[-2] if B.ndim >= 2 else None
    if rows != A.shape[-1]:
        raise RuntimeError(
            f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
            f"({tuple(A.shape)} and {tuple(B.shape)})"
        )
    B = B.to(A.dtype)
    try:
        return ops.Solve.apply(A, B, vector=vector)
    except np.linalg.LinAlgError:
        raise RuntimeError(
            "linalg.solve: The solver failed because the input matrix is singular."
        ) from None


def cross(input, other, *, dim=-1):
    return as_tensor(input).cross(other, dim)


def vecdot(x, y, *, dim=-1):
    return (as_tensor(x) * y).sum(dim)


def matmul(input, other):
    return as_tensor(input).matmul(other)
