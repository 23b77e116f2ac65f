"""Op-table rows for nn.functional: convolution, pooling, norms, losses, attention, RNNs.

The common surface (issue 11). Rows are OpCase objects from op_db; OPS in op_db.py takes them in.
"""

from op_case import _F, OpCase  # noqa: F401

NN_OPS = [
    # 1-D convolution and pools (the 2-D primitives on a height-1 view)
    OpCase(
        "conv1d",
        lambda lib, x, w, b: _F(lib).conv1d(x, w, b, stride=2, padding=1, groups=2),
        [[(2, 4, 7), (6, 2, 3), (6,)]],
    ),
    OpCase(
        "conv1d_same_dilation",
        lambda lib, x, w: _F(lib).conv1d(x, w, padding="same", dilation=2),
        [[(1, 3, 8), (2, 3, 4)], [(3, 8), (2, 3, 4)]],
    ),
    OpCase(
        "conv1d_valid",
        lambda lib, x, w: _F(lib).conv1d(x, w, padding="valid"),
        [[(2, 2, 5), (3, 2, 5)]],
    ),
    OpCase("avg_pool1d", lambda lib, x: _F(lib).avg_pool1d(x, 3, 2, 1), [[(2, 3, 9)], [(3, 8)]]),
    OpCase(
        "avg_pool1d_ceil_no_pad",
        lambda lib, x: _F(lib).avg_pool1d(x, 4, 3, 2, ceil_mode=True, count_include_pad=False),
        [[(2, 3, 10)]],
    ),
    OpCase(
        "avg_pool1d_ceil", lambda lib, x: _F(lib).avg_pool1d(x, 3, 2, ceil_mode=True), [[(1, 2, 8)]]
    ),
    OpCase("max_pool1d", lambda lib, x: _F(lib).max_pool1d(x, 3, 2, 1), [[(2, 3, 9)], [(3, 8)]]),
    OpCase(
        "max_pool1d_ceil_dilation",
        lambda lib, x: _F(lib).max_pool1d(x, 2, 2, 1, dilation=2, ceil_mode=True),
        [[(2, 3, 9)]],
    ),
    OpCase(
        "max_pool1d_indices",
        lambda lib, x: _F(lib).max_pool1d(x, 3, return_indices=True)[0],
        [[(2, 3, 9)]],
    ),
    # adaptive pools: the global mean, the divisible reshape, and the general windows
    OpCase(
        "adaptive_avg_pool2d_global",
        lambda lib, x: _F(lib).adaptive_avg_pool2d(x, 1),
        [[(2, 3, 5, 4)]],
    ),
    OpCase(
        "adaptive_avg_pool2d_divisible",
        lambda lib, x: _F(lib).adaptive_avg_pool2d(x, (3, 2)),
        [[(2, 3, 6, 4)], [(3, 6, 4)]],
    ),
    OpCase(
        "adaptive_avg_pool2d_windows",
        lambda lib, x: _F(lib).adaptive_avg_pool2d(x, (4, 3)),
        [[(2, 3, 7, 5)], [(2, 5, 4)]],
    ),
    OpCase(
        "adaptive_avg_pool2d_none",
        lambda lib, x: _F(lib).adaptive_avg_pool2d(x, (None, 3)),
        [[(2, 2, 3, 7)]],
    ),
    OpCase(
        "adaptive_avg_pool1d",
        lambda lib, x: _F(lib).adaptive_avg_pool1d(x, 4),
        [[(2, 3, 10)], [(3, 7)]],
    ),
    OpCase(
        "adaptive_max_pool2d_windows",
        lambda lib, x: _F(lib).adaptive_max_pool2d(x, (3, 2)),
        [[(2, 3, 7, 5)], [(3, 5, 4)]],
    ),
    OpCase(
        "adaptive_max_pool2d_divisible",
        lambda lib, x: _F(lib).adaptive_max_pool2d(x, (2, 3), return_indices=True)[0],
        [[(2, 3, 6, 6)]],
    ),
    # per-sample normalisations
    OpCase(
        "instance_norm_affine",
        lambda lib, x, w, b: _F(lib).instance_norm(x, weight=w, bias=b, eps=1e-3),
        [[(2, 3, 5), (3,), (3,)], [(2, 2, 3, 4), (2,), (2,)]],
    ),
    OpCase(
        "instance_norm_running_stats",
        lambda lib, x, m, v: _F(lib).instance_norm(x, m, v.abs() + 0.5, use_input_stats=False),
        [[(2, 3, 5), (3,), (3,)]],
        grad_inputs=(0,),
    ),
    OpCase(
        "local_response_norm",
        lambda lib, x: _F(lib).local_response_norm(x, 3, alpha=0.5, beta=0.75, k=1.5),
        [[(2, 6, 3)], [(2, 5, 3, 2)]],
    ),
    OpCase(
        "local_response_norm_even",
        lambda lib, x: _F(lib).local_response_norm(x, 2, alpha=1.0, k=2.0),
        [[(1, 4, 3)]],
    ),
]


def _signs(t):
    """Targets of 1 and -1 from an int64 input drawn in [0, 2)."""
    return t * 2 - 1


PAIR = [[(3, 4), (3, 4)]]
LABELS = {1: (0, 2)}

# Losses beyond the five of the API (l1 to triplet margin): composites of differentiable ops.
NN_OPS += [
    OpCase("l1_loss", lambda lib, a, b: _F(lib).l1_loss(a, b), PAIR + [[(), ()]]),
    OpCase(
        "l1_loss_weight_none",
        lambda lib, a, b, w: _F(lib).l1_loss(a, b, reduction="none", weight=w.exp()),
        [[(3, 4), (3, 4), (3, 4)]],
    ),
    OpCase(
        "l1_loss_weight_mean",
        lambda lib, a, b, w: _F(lib).l1_loss(a, b, weight=w.exp()),
        [[(3, 4), (3, 4), (3, 4)]],
    ),
    OpCase("smooth_l1_loss", lambda lib, a, b: _F(lib).smooth_l1_loss(a, b), PAIR),
    OpCase(
        "smooth_l1_loss_beta_sum",
        lambda lib, a, b: _F(lib).smooth_l1_loss(a, b, reduction="sum", beta=0.5),
        PAIR + [[(2, 1, 3), (2, 1, 3)]],
    ),
    OpCase(
        "smooth_l1_loss_beta0",
        lambda lib, a, b: _F(lib).smooth_l1_loss(a, b, reduction="none", beta=0.0),
        PAIR,
    ),
    OpCase("huber_loss", lambda lib, a, b: _F(lib).huber_loss(a, b), PAIR),
    OpCase(
        "huber_loss_delta_none",
        lambda lib, a, b: _F(lib).huber_loss(a, b, reduction="none", delta=0.7),
        PAIR + [[(), ()]],
    ),
    OpCase(
        "huber_loss_weight",
        lambda lib, a, b, w: _F(lib).huber_loss(a, b, delta=0.5, weight=w.exp()),
        [[(3, 4), (3, 4), (3, 4)]],
    ),
    OpCase(
        "kl_div_batchmean",
        lambda lib, a, b: _F(lib).kl_div(
            lib.log_softmax(a, 1), lib.softmax(b, 1), reduction="batchmean"
        ),
        PAIR,
    ),
    OpCase(
        "kl_div_log_target_none",
        lambda lib, a, b: _F(lib).kl_div(a, b, reduction="none", log_target=True),
        PAIR + [[(), ()]],
    ),
    OpCase(
        "kl_div_sum",
        lambda lib, a, b: _F(lib).kl_div(a, b, reduction="sum"),
        [[(3, 4), (3, 4)], [(2, 3), (3,)]],
        domain="positive",
    ),
    OpCase("poisson_nll_loss", lambda lib, a, b: _F(lib).poisson_nll_loss(a, b.exp()), PAIR),
    OpCase(
        "poisson_nll_loss_rates_full",
        lambda lib, a, b: _F(lib).poisson_nll_loss(
            a, b * 2, log_input=False, full=True, reduction="none"
        ),
        PAIR,
        domain="positive",
    ),
    OpCase(
        "poisson_nll_loss_log_full_sum",
        lambda lib, a, b: _F(lib).poisson_nll_loss(a, b * 2, full=True, reduction="sum"),
        PAIR,
        domain="positive",
    ),
    OpCase(
        "gaussian_nll_loss",
        lambda lib, a, b, v: _F(lib).gaussian_nll_loss(a, b, v.exp()),
        [[(3, 4), (3, 4), (3, 4)], [(3, 4), (3, 4), (3, 1)], [(3, 4), (3, 4), (3,)]],
    ),
    OpCase(
        "gaussian_nll_loss_full_none",
        lambda lib, a, b, v: _F(lib).gaussian_nll_loss(a, b, v.exp(), full=True, reduction="none"),
        [[(2, 3, 4), (2, 3, 4), (2, 1, 4)]],
    ),
    OpCase(
        "margin_ranking_loss",
        lambda lib, a, b, t: _F(lib).margin_ranking_loss(a, b, _signs(t), margin=0.3),
        [[(6,), (6,), (6,)], [(3, 4), (3, 4), (3, 4)]],
        int_inputs={2: (0, 2)},
    ),
    OpCase(
        "margin_ranking_loss_none",
        lambda lib, a, b, t: _F(lib).margin_ranking_loss(a, b, t, reduction="none"),
        [[(3, 4), (3, 4), (3, 4)]],
    ),
    OpCase(
        "hinge_embedding_loss",
        lambda lib, a, t: _F(lib).hinge_embedding_loss(a, _signs(t)),
        [[(3, 4), (3, 4)], [(), ()]],
        int_inputs=LABELS,
    ),
    OpCase(
        "hinge_embedding_loss_margin_none",
        lambda lib, a, t: _F(lib).hinge_embedding_loss(a, _signs(t), margin=0.5, reduction="none"),
        [[(3, 4), (3, 4)]],
        int_inputs=LABELS,
    ),
    OpCase(
        "soft_margin_loss",
        lambda lib, a, t: _F(lib).soft_margin_loss(a, _signs(t)),
        [[(3, 4), (3, 4)]],
        int_inputs=LABELS,
    ),
    OpCase(
        "soft_margin_loss_float_target_none",
        lambda lib, a, b: _F(lib).soft_margin_loss(a, b, reduction="none"),
        PAIR,
        grad_inputs=(0,),  # PyTorch refuses a target that requires grad
    ),
    OpCase(
        "multi_margin_loss",
        lambda lib, x, t: _F(lib).multi_margin_loss(x, t),
        [[(4, 5), (4,)]],
        int_inputs={1: (0, 5)},
    ),
    OpCase(
        "multi_margin_loss_p2_weight_none",
        lambda lib, x, t, w: _F(lib).multi_margin_loss(
            x, t, p=2, margin=0.5, weight=w.exp(), reduction="none"
        ),
        [[(4, 5), (4,), (5,)]],
        grad_inputs=(0,),  # PyTorch has no gradient for weight
        int_inputs={1: (0, 5)},
    ),
    OpCase(
        "multi_margin_loss_vector_sum",
        lambda lib, x, t: _F(lib).multi_margin_loss(x, t, margin=2.0, reduction="sum"),
        [[(5,), ()], [(5,), (1,)]],
        int_inputs={1: (0, 5)},
    ),
    OpCase(
        "multilabel_soft_margin_loss",
        lambda lib, a, b: _F(lib).multilabel_soft_margin_loss(a, lib.sigmoid(b)),
        PAIR + [[(4,), (4,)]],
    ),
    OpCase(
        "multilabel_soft_margin_loss_weight_none",
        lambda lib, a, b, w: _F(lib).multilabel_soft_margin_loss(
            a, lib.sigmoid(b), weight=w, reduction="none"
        ),
        [[(3, 4), (3, 4), (4,)]],
    ),
    OpCase(
        "cosine_embedding_loss",
        lambda lib, a, b, t: _F(lib).cosine_embedding_loss(a, b, _signs(t), margin=0.2),
        [[(4, 5), (4, 5), (4,)], [(5,), (5,), ()]],
        int_inputs={2: (0, 2)},
    ),
    OpCase(
        "cosine_embedding_loss_none",
        lambda lib, a, b, t: _F(lib).cosine_embedding_loss(a, b, _signs(t), reduction="none"),
        [[(4, 5), (4, 5), (4,)]],
        int_inputs={2: (0, 2)},
    ),
    OpCase(
        "triplet_margin_loss",
        lambda lib, a, p, n: _F(lib).triplet_margin_loss(a, p, n),
        [[(4, 5), (4, 5), (4, 5)], [(5,), (5,), (5,)]],
    ),
    OpCase(
        "triplet_margin_loss_swap_p1_none",
        lambda lib, a, p, n: _F(lib).triplet_margin_loss(
            a, p, n, margin=2.0, p=1, swap=True, reduction="none"
        ),
        [[(4, 5), (4, 5), (4, 5)]],
        domain="away_from_zero",
    ),
]

# Attention: a composite of matmul and softmax.
NN_OPS += [
    OpCase(
        "scaled_dot_product_attention",
        lambda lib, q, k, v: _F(lib).scaled_dot_product_attention(q, k, v),
        [[(2, 3, 4), (2, 5, 4), (2, 5, 6)], [(1, 2, 3, 4), (1, 2, 3, 4), (1, 2, 3, 4)]],
    ),
    OpCase(
        "scaled_dot_product_attention_causal",
        lambda lib, q, k, v: _F(lib).scaled_dot_product_attention(q, k, v, is_causal=True),
        [[(2, 4, 3), (2, 4, 3), (2, 4, 2)]],
    ),
]

# interpolate (per-dim gathers) and transposed convolutions (dilate, pad, conv2d)
NN_OPS += [
    OpCase(
        "interpolate_nearest_size",
        lambda lib, x: _F(lib).interpolate(x, size=(5, 3)),
        [[(2, 2, 3, 4)], [(2, 2, 4, 7)]],
    ),
    OpCase(
        "interpolate_nearest_scale_factor",
        lambda lib, x: _F(lib).interpolate(x, scale_factor=1.7),
        [[(1, 2, 5)], [(1, 2, 3, 4)]],
    ),
    OpCase(
        "interpolate_nearest_exact",
        lambda lib, x: _F(lib).interpolate(x, size=(5, 2), mode="nearest-exact"),
        [[(2, 2, 3, 4)]],
    ),
    OpCase(
        "interpolate_linear",
        lambda lib, x: _F(lib).interpolate(x, size=7, mode="linear"),
        [[(2, 3, 4)], [(1, 2, 9)]],
    ),
    OpCase(
        "interpolate_linear_align_corners_scale",
        lambda lib, x: _F(lib).interpolate(x, scale_factor=2.5, mode="linear", align_corners=True),
        [[(2, 3, 4)]],
    ),
    OpCase(
        "interpolate_bilinear",
        lambda lib, x: _F(lib).interpolate(x, size=(5, 3), mode="bilinear"),
        [[(2, 2, 3, 4)], [(1, 1, 6, 6)]],
    ),
    OpCase(
        "interpolate_bilinear_align_corners",
        lambda lib, x: _F(lib).interpolate(
            x, scale_factor=(2, 0.7), mode="bilinear", align_corners=True
        ),
        [[(2, 2, 3, 4)]],
    ),
    OpCase(
        "interpolate_bicubic",
        lambda lib, x: _F(lib).interpolate(x, size=(5, 3), mode="bicubic"),
        [[(1, 2, 3, 4)]],
    ),
    OpCase(
        "interpolate_area",
        lambda lib, x: _F(lib).interpolate(x, size=(2, 3), mode="area"),
        [[(2, 2, 5, 7)]],
    ),
    OpCase(
        "conv_transpose2d",
        lambda lib, x, w, b: _F(lib).conv_transpose2d(
            x, w, b, stride=2, padding=1, output_padding=1
        ),
        [[(1, 2, 3, 4), (2, 2, 3, 3), (2,)], [(2, 3, 3), (2, 2, 3, 2), (2,)]],
    ),
    OpCase(
        "conv_transpose2d_groups_dilation",
        lambda lib, x, w: _F(lib).conv_transpose2d(
            x, w, stride=(2, 1), padding=(0, 2), groups=2, dilation=(1, 2)
        ),
        [[(1, 4, 3, 3), (4, 3, 2, 3)]],
    ),
    OpCase(
        "conv_transpose1d",
        lambda lib, x, w, b: _F(lib).conv_transpose1d(
            x, w, b, stride=3, padding=1, output_padding=2, dilation=2
        ),
        [[(2, 3, 4), (3, 2, 3), (2,)], [(3, 4), (3, 2, 3), (2,)]],
    ),
]


def _rnn(lib, name):
    """``torch.<name>`` (torch.rnn_tanh_cell, lstm_cell, gru_cell) or minigrad's helper of the
    same name, one step of the code path nn.RNN, LSTM and GRU run for each time step."""
    if lib.__name__ == "torch":
        return getattr(lib, name)
    from minigrad.nn.modules import rnn

    return getattr(rnn, name)


def _cell_shapes(gates):
    """input (2, 3), hx (2, 4), w_ih, w_hh, b_ih, b_hh for ``gates`` gates of hidden size 4"""
    return [[(2, 3), (2, 4), (gates * 4, 3), (gates * 4, 4), (gates * 4,), (gates * 4,)]]


# One recurrent step on explicit weights (nn.RNNCell, LSTMCell, GRUCell and the layers' steps).
NN_OPS += [
    OpCase(
        "rnn_tanh_cell",
        lambda lib, x, h, w_ih, w_hh, b_ih, b_hh: _rnn(lib, "rnn_tanh_cell")(
            x, h, w_ih, w_hh, b_ih, b_hh
        ),
        _cell_shapes(1),
    ),
    OpCase(
        "rnn_relu_cell",
        lambda lib, x, h, w_ih, w_hh: _rnn(lib, "rnn_relu_cell")(x, h, w_ih, w_hh),
        [shapes[:4] for shapes in _cell_shapes(1)],
        domain="away_from_zero",
    ),
    OpCase(
        "lstm_cell",
        lambda lib, x, h, c, w_ih, w_hh, b_ih, b_hh: lib.cat(
            _rnn(lib, "lstm_cell")(x, (h, c), w_ih, w_hh, b_ih, b_hh), -1
        ),
        [[(2, 3), (2, 4), (2, 4), (16, 3), (16, 4), (16,), (16,)]],
    ),
    OpCase(
        "gru_cell",
        lambda lib, x, h, w_ih, w_hh, b_ih, b_hh: _rnn(lib, "gru_cell")(
            x, h, w_ih, w_hh, b_ih, b_hh
        ),
        _cell_shapes(3),
    ),
]


def _unpool_indices(lib, n, c, h, w, kernel):
    """max_pool-like int64 indices: one distinct cell of each kernel window per output cell."""
    import numpy as np

    rows = np.arange(h)[:, None] * kernel + np.arange(h * w).reshape(h, w) % kernel
    cols = np.arange(w)[None, :] * kernel + (np.arange(h * w).reshape(h, w) // 2) % kernel
    flat = rows * (w * kernel) + cols
    return lib.tensor(np.broadcast_to(flat, (n, c, h, w)).copy())


# unfold / fold (a gather and a scatter-add) and the max-unpools (a scatter)
NN_OPS += [
    OpCase(
        "unfold",
        lambda lib, x: _F(lib).unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
        [[(2, 2, 4, 5)], [(2, 3, 4)]],
    ),
    OpCase(
        "fold",
        lambda lib, x: _F(lib).fold(x, (4, 5), (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
        [[(2, 12, 9)], [(6, 9)]],
    ),
    OpCase(
        "max_unpool2d",
        lambda lib, x: _F(lib).max_unpool2d(x, _unpool_indices(lib, 2, 2, 2, 3, 2), 2),
        [[(2, 2, 2, 3)]],
    ),
    OpCase(
        "max_unpool1d",
        lambda lib, x: _F(lib).max_unpool1d(
            x, lib.tensor([[0, 3, 4], [1, 2, 5]]), 2, output_size=(7,)
        ),
        [[(2, 3)]],
    ),
]
