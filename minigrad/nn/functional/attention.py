"""``scaled_dot_product_attention`` and the multi-head attention forward that nn's
MultiheadAttention and Transformer layers run; composites of differentiable ops (matmul,
softmax, where), so every order of gradient works."""

import math

import numpy as np

from minigrad.backend import array_module, as_array, on_device_of
from minigrad.nn.functional.dropout import dropout
from minigrad.nn.functional.linear import linear
from minigrad.tensor import ShapeError, Tensor, as_tensor


def _additive_mask(mask, dtype, allowed_when_true, like):
    """A mask as an additive float array on ``like``'s device: a bool mask marks the pairs
    that take part (``allowed_when_true``, as SDPA) or that are masked out (as
    MultiheadAttention). A mask given as a host array (not a Tensor) is moved there."""
    array = mask._data if isinstance(mask, Tensor) else on_device_of(as_array(mask), like._data)
    if array.dtype == np.bool_:
        masked = ~array if allowed_when_true else array
        xp = array_module(array)
        return Tensor._make(xp.where(masked, dtype.type(-np.inf), dtype.type(0)))
    if not np.issubdtype(array.dtype, np.floating):
        raise TypeError(f"attention: attn_mask must be bool or float, got {array.dtype}")
    return mask if isinstance(mask, Tensor) else Tensor._make(array.astype(dtype))


def scaled_dot_product_attention(
    query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
    enable_gqa=False,
):  # fmt: skip
    """softmax(query @ key.T * scale + mask) @ value over the last two dims, batched over the
    leading ones. ``attn_mask``: bool (True takes part) or float (added); ``is_causal``: each
    position attends to itself and earlier ones; ``scale`` defaults to 1 / sqrt(E).

    Shapes: query (..., L, E), key (..., S, E), value (..., S, Ev) -> (..., L, Ev).
    """
    query, key, value = as_tensor(query), as_tensor(key), as_tensor(value)
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise ShapeError(
            "scaled_dot_product_attention: query, key and value need at least 2 dims, got "
            f"{tuple(query.shape)}, {tuple(key.shape)} and {tuple(value.shape)}"
        )
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise ShapeError(
            f"scaled_dot_product_attention: query {tuple(query.shape)}, key {tuple(key.shape)} "
            f"and value {tuple(value.shape)} do not fit: need query (..., L, E), key "
            "(..., S, E), value (..., S, Ev)"
        )
    if enable_gqa and key.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        repeats = query.shape[-3] // key.shape[-3]
        key = key.repeat_interleave(repeats, dim=-3)
        value = value.repeat_interleave(repeats, dim=-3)
    if is_causal and attn_mask is not None:
        raise RuntimeError("scaled_dot_product_attention: is_causal and attn_mask are exclusive")
    scale = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = query @ key.transpose(-2, -1) * scale
    if is_causal:
        length, source = query.shape[-2], key.shape[-2]
        attn_mask = Tensor._make(_causal(length, source, scores._data))
    if attn_mask is not None:
        scores = scores + _additive_mask(attn_mask, scores.dtype, True, scores)
    weights = scores.softmax(-1)
    if dropout_p > 0:
        weights = dropout(weights, dropout_p, training=True)
    return weights @ value


def multi_head_attention_forward(
    query, key, value, num_heads, in_projection, out_weight, out_bias, key_padding_mask=None,
    need_weights=True, attn_mask=None, average_attn_weights=True, dropout_p=0.0,
    is_causal=False, bias_kv=None, add_zero_attn=False,
):  # fmt: skip
    """The forward of nn.MultiheadAttention on (L, N, E) query and (S, N, E) key/value.

    ``in_projection``: (q_weight, k_weight, v_weight, q_bias, k_bias, v_bias). Bool masks are
    True where attention is not allowed (MultiheadAttention's convention). Returns the output
    (L, N, E) and the weights (N, L, S), averaged over heads, or per head (N, heads, L, S).
    """
    length, batch, embed = query.shape
    q_w, k_w, v_w, q_b, k_b, v_b = in_projection
    head = embed // num_heads
    q, k, v = linear(query, q_w, q_b), linear(key, k_w, k_b), linear(value, v_w, v_b)
    if bias_kv is not None:
        k = _cat_rows(k, bias_kv[0].reshape(1, 1, embed).expand(1, batch, embed))
        v = _cat_rows(v, bias_kv[1].reshape(1, 1, embed).expand(1, batch, embed))
        attn_mask = _pad_last(attn_mask)
        key_padding_mask = _pad_last(key_padding_mask)
    if add_zero_attn:
        zeros = Tensor._make(array_module(k._data).zeros((1, batch, embed), k.dtype))
        k, v = _cat_rows(k, zeros), _cat_rows(v, zeros)
        attn_mask = _pad_last(attn_mask)
        key_padding_mask = _pad_last(key_padding_mask)
    source = k.shape[0]

    def heads(t, rows):  # (rows, N, E) -> (N, heads, rows, head)
        return t.reshape(rows, batch, num_heads, head).permute(1, 2, 0, 3)

    q, k, v = heads(q, length), heads(k, source), heads(v, source)
    scores = q @ k.transpose(-2, -1) * (1 / math.sqrt(head))
    if is_causal and attn_mask is None:
        attn_mask = Tensor._make(~_causal(length, source, scores._data))
    if attn_mask is not None:
        mask = _additive_mask(attn_mask, scores.dtype, False, scores)
        if mask.ndim == 3:  # (N * heads, L, S)
            mask = mask.reshape(batch, num_heads, length, source)
        scores = scores + mask
    if key_padding_mask is not None:
        padding = _additive_mask(key_padding_mask, scores.dtype, False, scores)
        scores = scores + padding.reshape(batch, 1, 1, source)
    weights = scores.softmax(-1)
    attended = weights if dropout_p == 0 else dropout(weights, dropout_p, training=True)
    out = (attended @ v).permute(2, 0, 1, 3).reshape(length, batch, embed)
    out = linear(out, out_weight, out_bias)
    if not need_weights:
        return out, None
    return out, weights.mean(1) if average_attn_weights else weights


def _causal(length, source, like):
    """The (length, source) bool mask, True on and below the diagonal, on ``like``'s device."""
    xp = array_module(like)
    return xp.arange(length)[:, None] >= xp.arange(source)


def _cat_rows(a, b):
    from minigrad.tensor import cat

    return cat([a, b], 0)


def _pad_last(mask):
    """A mask with one more (allowed) column, for the extra key of add_bias_kv/add_zero_attn."""
    if mask is None:
        return None
    array = mask._data if isinstance(mask, Tensor) else as_array(mask)
    xp = array_module(array)
    column = xp.zeros(array.shape[:-1] + (1,), array.dtype)
    padded = xp.concatenate([array, column], axis=-1)
    return Tensor._make(padded) if isinstance(mask, Tensor) else padded  # a host mask moves later


__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]
