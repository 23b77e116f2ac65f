"""``minigrad.linalg``: PyTorch's ``torch.linalg`` for what deep-learning code uses: norms,
inverse, determinant, solve and a few products. Float64 gradients are checked for each."""

import collections

import numpy as np

from minigrad import ops
from minigrad.tensor import _dim, as_tensor
from minigrad.tensor_math import _vector_norm


def _square(name, a):
    a = as_tensor(a)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise RuntimeError(
            f"linalg.{name}: A must be batches of square matrices, but they are "
            f"{tuple(a.shape[-2:]) if a.ndim >= 2 else tuple(a.shape)} matrices"
        )
    return _matrices(name, a)


def _matrices(name, a):
    """``a`` checked to be (batches of) floating matrices."""
    a = as_tensor(a)
    if a.ndim < 2:
        raise RuntimeError(f"linalg.{name}: The input tensor A must have at least 2 dimensions.")
    if not np.issubdtype(a.dtype, np.floating):
        raise RuntimeError(
            f"linalg.{name}: Expected a floating point tensor as input, got {a.dtype}"
        )
    return a


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """The ord-norm of x over ``dim`` (all elements by default), as one vector."""
    x = as_tensor(x) if dtype is None else as_tensor(x).to(dtype)
    return _vector_norm(x, ord, dim, keepdim)


MATRIX_ORDERS = ("fro", "nuc", np.inf, -np.inf, 1, -1, 2, -2)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """The ord-norm of the matrices in A (over the two dims ``dim``): 'fro', 'nuc' (the sum
    of the singular values), 2 / -2 (the largest / smallest singular value), 1 / -1 (the
    largest / smallest column sum of |A|) and inf / -inf (the same for row sums)."""
    A = _matrices("matrix_norm", as_tensor(A) if dtype is None else as_tensor(A).to(dtype))
    if not any(ord == o and type(ord) is not bool for o in MATRIX_ORDERS):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if not isinstance(dim, tuple | list) or len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dim}")
    rows, cols = (_dim(d, A.ndim) for d in dim)
    if rows == cols:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({rows}, {cols})")
    if ord == "fro":
        return vector_norm(A, 2, (rows, cols), keepdim)
    if ord in ("nuc", 2, -2):
        sigma = svdvals(A.movedim((rows, cols), (-2, -1)))
        out = sigma.sum(-1) if ord == "nuc" else sigma.amax(-1) if ord == 2 else sigma.amin(-1)
        return out.unsqueeze(min(rows, cols)).unsqueeze(max(rows, cols)) if keepdim else out
    summed, over = (rows, cols) if ord in (1, -1) else (cols, rows)
    sums = A.abs().sum(summed, keepdim=True)
    out = sums.amax(over, keepdim=True) if ord > 0 else sums.amin(over, keepdim=True)
    return out if keepdim else out.squeeze((rows, cols))


SVD = collections.namedtuple("SVD", ["U", "S", "Vh"])


def svd(A, full_matrices=True):
    """(U, S, Vh) with A = U diag(S) Vh, singular values largest first; differentiable (for
    distinct singular values, as PyTorch's). ``full_matrices=True`` (PyTorch's default) is the
    reduced factorization for a square A; a non-square A needs ``full_matrices=False``."""
    A = _matrices("svd", A)
    if full_matrices and A.shape[-1] != A.shape[-2]:
        raise NotImplementedError(
            f"linalg.svd: full_matrices=True for a non-square A of shape {tuple(A.shape)} is not "
            "supported; pass full_matrices=False (the reduced U and Vh)"
        )
    return SVD(*ops.Svd.apply(A))


def svdvals(A):
    """The singular values of the matrices in A (the last two dims), largest first."""
    A = _matrices("svdvals", A)
    return ops.Svd.apply(A)[1]


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
