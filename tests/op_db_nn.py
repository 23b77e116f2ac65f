"""Op-table rows for nn.functional: convolution, pooling, norms, losses, attention, RNNs.

The common surface (issue 11). Rows are OpCase objects from op_db; OPS in op_db.py takes them in.
"""

from op_case import _F, OpCase  # noqa: F401

NN_OPS = []


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
