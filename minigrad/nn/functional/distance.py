"""``normalize``, ``cosine_similarity`` and ``pairwise_distance``: vector norms along a dim,
from differentiable ops, with a gradient of 0 (not NaN) where a norm is 0."""

import math

import numpy as np

from minigrad.backend import array_module
from minigrad.tensor import Tensor, _broadcast_shape, as_tensor, where


def _vector_norm(x, p, dim, keepdim=False, floor=0.0):
    """max(||x||_p along dim, floor) for any order p (inf, -inf, 0 counts the non-zeros,
    negative p as torch.linalg.vector_norm), with a finite gradient everywhere: 0 where
    the norm is at or below ``floor`` or where a root meets 0, as a clamped PyTorch norm's."""
    p = float(p)
    absolute = x.abs()
    if p == math.inf:
        norm = absolute.amax(dim, keepdim=keepdim)
    elif p == -math.inf:
        norm = absolute.amin(dim, keepdim=keepdim)
    elif p == 0:  # the number of non-zeros: no gradient
        norm = Tensor._make((x._data != 0).sum(axis=dim, keepdims=keepdim).astype(x.dtype))
    else:
        one = _constant(x, 1)
        if p < 0:  # 0 ** p is inf (and the norm 0): keep the power's gradient off 0
            zero = absolute == 0
            powered = where(zero, _constant(x, math.inf), where(zero, one, absolute) ** p)
        else:
            powered = x * x if p == 2 else absolute**p
        total = powered.sum(dim, keepdim=keepdim)
        # The root's derivative is infinite at 0: the where keeps it out of the gradient.
        positive = total > 0
        safe = where(positive, total, one)
        rooted = safe.sqrt() if p == 2 else safe ** (1 / p)
        norm = where(positive, rooted, _constant(x, 0))
    return where(norm > floor, norm, _constant(x, floor)) if floor else norm


def _constant(like, value):
    """``value`` as a 0-d tensor of ``like``'s dtype, on ``like``'s device."""
    return Tensor._make(array_module(like._data).asarray(value, like.dtype))


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p along dim, eps): unit vectors along ``dim``. With ``out``
    the result is written into that tensor (no gradient then, as PyTorch).

    Example: ``F.normalize(mg.tensor([[3.0, 4.0]]))`` is ``tensor([[0.6, 0.8]])``.
    """
    input = as_tensor(input)
    result = input / _vector_norm(input, p, dim, keepdim=True, floor=eps)
    if out is None:
        return result
    if result.requires_grad:
        raise RuntimeError(
            "normalize(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )
    if not isinstance(out, Tensor) or out.shape != result.shape:
        raise RuntimeError(f"normalize(): out must be a Tensor of shape {result.shape}")
    np.copyto(out._data, result._data, casting="unsafe")
    return out


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps)) along ``dim``, the two
    broadcast together first (as PyTorch, each is divided by its own clamped norm).

    Example: ``F.cosine_similarity(mg.tensor([[1.0, 0.0]]), mg.tensor([[1.0, 1.0]]))`` is
    ``tensor([0.7071])``.
    """
    x1, x2 = as_tensor(x1), as_tensor(x2)
    shape = _broadcast_shape("cosine_similarity", x1.shape, x2.shape)
    x1, x2 = x1.expand(*shape), x2.expand(*shape)
    unit1 = x1 / _vector_norm(x1, 2, dim, keepdim=True, floor=eps)
    unit2 = x2 / _vector_norm(x2, 2, dim, keepdim=True, floor=eps)
    return (unit1 * unit2).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p along the last dim (broadcasting), as ``F.pairwise_distance``.

    Example: ``F.pairwise_distance(mg.zeros(2, 3), mg.ones(2, 3), eps=0)`` is
    ``tensor([1.7321, 1.7321])``.
    """
    x1, x2 = as_tensor(x1), as_tensor(x2)
    _broadcast_shape("pairwise_distance", x1.shape, x2.shape)
    diff = x1 - x2 + eps
    return _vector_norm(diff, p, -1, keepdim=keepdim)
