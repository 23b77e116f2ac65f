"""``Embedding``: a learned lookup table of vectors, indexed by ints (word ids, classes)."""

from minigrad import factories
from minigrad.device import as_device
from minigrad.nn import functional as F
from minigrad.nn import init
from minigrad.nn.functional.sparse import EmbeddingArgumentError, _normalize_padding_idx
from minigrad.nn.modules._device import place
from minigrad.nn.modules.module import Module
from minigrad.nn.parameter import Parameter
from minigrad.tensor import Tensor


class Embedding(Module):
    """``weight`` (num_embeddings, embedding_dim), N(0, 1) at the start (the ``padding_idx``
    row zero); calling it on int indices of any shape gives ``indices.shape +
    (embedding_dim,)``. See ``F.embedding`` for ``padding_idx``, ``max_norm``, ``norm_type``
    and ``scale_grad_by_freq``.

    Example::

        emb = nn.Embedding(1000, 16, padding_idx=0)
        emb(mg.tensor([[0, 5, 7]])).shape  # (1, 3, 16)
    """

    def __init__(
        self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
        scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None,
        dtype=None,
    ):  # fmt: skip
        super().__init__()
        as_device(device)
        for name, value in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"Embedding: {name} must be a non-negative int, got {value!r}")
        if sparse:
            raise NotImplementedError("Embedding: sparse=True (sparse gradients) is not supported")
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = _normalize_padding_idx(padding_idx, num_embeddings)
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            self.weight = Parameter(
                factories.empty(num_embeddings, embedding_dim, dtype=dtype),
                requires_grad=not _freeze,
            )
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise EmbeddingArgumentError(
                    "Shape of weight does not match num_embeddings and embedding_dim: "
                    f"{tuple(_weight.shape)} vs ({num_embeddings}, {embedding_dim})"
                )
            self.weight = Parameter(_weight, requires_grad=not _freeze)
        place(self, device)

    def reset_parameters(self):
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight._data[self.padding_idx] = 0

    def forward(self, input):
        return F.embedding(
            input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
            self.scale_grad_by_freq, self.sparse,
        )  # fmt: skip

    def extra_repr(self):
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            text += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        if self.sparse is not False:
            text += ", sparse=True"
        return text

    @classmethod
    def from_pretrained(
        cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
        scale_grad_by_freq=False, sparse=False,
    ):  # fmt: skip
        """An Embedding whose weight is ``embeddings`` (2-D; its array is shared), frozen
        (no gradient) unless ``freeze=False``."""
        if not isinstance(embeddings, Tensor):
            embeddings = Tensor(embeddings)
        if embeddings.ndim != 2:
            raise EmbeddingArgumentError(
                "Embeddings parameter is expected to be 2-dimensional, got shape "
                f"{tuple(embeddings.shape)}"
            )
        rows, cols = embeddings.shape
        return cls(
            rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse,
            _weight=embeddings, _freeze=freeze,
        )  # fmt: skip
