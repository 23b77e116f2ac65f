"""``embedding`` (a lookup table of rows) and ``one_hot``."""

import numpy as np

from minigrad.backend import array_module, on_device_of
from minigrad.tensor import Tensor, as_tensor, where


class EmbeddingArgumentError(AssertionError, ValueError):
    """A bad constructor argument where PyTorch asserts (Embedding's padding_idx, Hardtanh's
    bounds): an AssertionError, as PyTorch's, and a ValueError, as it should be."""


def _normalize_padding_idx(padding_idx, num_embeddings):
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise EmbeddingArgumentError(
            f"Padding_idx must be within num_embeddings: got padding_idx={padding_idx} for "
            f"{num_embeddings} embeddings"
        )
    return padding_idx % num_embeddings


def _indices(input, weight, name="embedding"):
    if isinstance(input, Tensor):
        indices = input._data
    else:  # a list or host array: looked up where the weight is
        indices = on_device_of(np.asarray(input), like=weight._data)
    if indices.dtype not in (np.int64, np.int32):
        raise RuntimeError(
            f"{name}: expected the indices 'input' to be int64 or int32 (Long, Int), got "
            f"{indices.dtype}"
        )
    if weight.ndim != 2:
        raise RuntimeError(f"'weight' must be 2-D, got shape {tuple(weight.shape)}")
    rows = weight.shape[0]
    if indices.size and (indices.min() < 0 or indices.max() >= rows):
        bad = indices.min() if indices.min() < 0 else indices.max()
        raise IndexError(
            f"index out of range in self: {name} index {bad} for a weight of {rows} rows"
        )
    return indices


def _renorm_(weight, indices, max_norm, norm_type):
    """Scale in place the rows of ``weight`` used by ``indices`` whose norm exceeds max_norm."""
    data = weight._data
    xp = array_module(data)
    rows = xp.unique(indices)
    with np.errstate(divide="ignore"):  # a negative norm_type meets 0 ** -p = inf
        norms = xp.linalg.norm(data[rows], ord=norm_type, axis=1)
        over = norms > max_norm
        scale = (max_norm / (norms[over] + 1e-7)).astype(data.dtype)
        data[rows[over]] *= scale[:, None]


def embedding(
    input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
    sparse=False,
):  # fmt: skip
    """Rows of ``weight`` (num_embeddings, embedding_dim) picked by the int indices
    ``input`` (any shape); the result has shape ``input.shape + (embedding_dim,)``.

    The gradient of a row sums over its uses. ``padding_idx``: that row gets no gradient.
    ``max_norm``: each row used whose ``norm_type`` norm exceeds it is first scaled in place
    to norm ``max_norm`` (as PyTorch, this changes ``weight``). ``scale_grad_by_freq``: each
    row's gradient is divided by how often it occurs in ``input``.

    Example::

        weight = mg.randn(10, 3)
        F.embedding(mg.tensor([[1, 2], [4, 9]]), weight).shape  # (2, 2, 3)
    """
    weight = as_tensor(weight)
    indices = _indices(input, weight)
    if sparse:
        raise NotImplementedError("embedding: sparse=True (sparse gradients) is not supported")
    padding_idx = _normalize_padding_idx(padding_idx, weight.shape[0])
    if max_norm is not None:
        _renorm_(weight, indices, float(max_norm), float(norm_type))
    out = weight[indices]
    if not out.requires_grad:
        return out
    if scale_grad_by_freq:
        counts = array_module(indices).bincount(indices.ravel(), minlength=weight.shape[0])
        scale = Tensor._make((1.0 / counts[indices]).astype(out.dtype)[..., None])
        # The same values (out - out.detach() is exactly 0); the gradient scaled by 1/count.
        out = out.detach() + (out - out.detach()) * scale
    if padding_idx is not None:
        keep = Tensor._make((indices != padding_idx)[..., None])
        out = where(keep, out, out.detach())  # same values; no gradient to the padding row
    return out


def one_hot(tensor, num_classes=-1):
    """int64 tensor of shape ``tensor.shape + (num_classes,)``, 1 at each class index;
    ``num_classes=-1`` takes the largest index + 1.

    Example: ``F.one_hot(mg.tensor([0, 2]), 3)`` is ``tensor([[1, 0, 0], [0, 0, 1]])``.
    """
    indices = tensor._data if isinstance(tensor, Tensor) else np.asarray(tensor)
    if indices.dtype != np.int64:
        raise RuntimeError(
            "one_hot is only applicable to index tensor of type LongTensor (int64), got "
            f"{indices.dtype}."
        )
    if indices.size and indices.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if indices.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(indices.max()) + 1
    if indices.size and indices.max() >= num_classes:
        raise RuntimeError(
            f"Class values must be smaller than num_classes (got {indices.max()} for "
            f"num_classes={num_classes})."
        )
    classes = array_module(indices).arange(num_classes)
    return Tensor._make((indices[..., None] == classes).astype(np.int64))
