"""The op database: one row per differentiable op, driving every generic check in test_ops.py.

A row's ``fn(lib, *inputs)`` is written once and run with ``lib`` = minigrad and ``lib`` =
torch: the API is the same, so each row also tests that a PyTorch expression runs unchanged.
Adding a row gives the op every standard check (gradcheck, torch forward and backward with a
random upstream gradient, dtype preservation, non-contiguous inputs).
"""

from op_case import _F, OpCase
from op_db_math import MATH_OPS
from op_db_nn import NN_OPS
from op_db_shape import SHAPE_OPS

BROADCAST_PAIRS = [[(4, 1), (3,)], [(2, 3), (2, 3)], [(), (3,)], [(5,), ()], [(2, 1, 3), (4, 1)]]
UNARY_SHAPES = [[(3, 4)], [()], [(1,)], [(2, 3, 1)]]
REDUCE_SHAPES = [[(3, 4, 5)]]

OPS = [
    # arithmetic, with broadcasting, 0-d and size-1 operands
    OpCase("add", lambda lib, a, b: a + b, BROADCAST_PAIRS),
    OpCase("sub", lambda lib, a, b: lib.sub(a, b), BROADCAST_PAIRS),
    OpCase("mul", lambda lib, a, b: a * b, BROADCAST_PAIRS),
    OpCase("div", lambda lib, a, b: a / b, BROADCAST_PAIRS, domain="away_from_zero"),
    OpCase("pow", lambda lib, a, b: a**b, BROADCAST_PAIRS, domain="positive"),
    OpCase("add_alpha", lambda lib, a, b: a.add(b, alpha=2.0), BROADCAST_PAIRS[:2]),
    OpCase("mul_int", lambda lib, a, i: a * i, [[(3, 4), (4,)]], int_inputs={1: (-3, 4)}),
    OpCase("div_0d_float64", lambda lib, a, b: a / b.double(), [[(3,), ()]], domain="positive"),
    OpCase("maximum", lambda lib, a, b: lib.maximum(a, b), BROADCAST_PAIRS),
    OpCase("minimum", lambda lib, a, b: lib.minimum(a, b), BROADCAST_PAIRS),
    OpCase("radd", lambda lib, a: 2.5 + a, UNARY_SHAPES),
    OpCase("rsub", lambda lib, a: 2.5 - a, UNARY_SHAPES),
    OpCase("rmul", lambda lib, a: 3 * a, UNARY_SHAPES),
    OpCase("rdiv", lambda lib, a: 2.0 / a, UNARY_SHAPES, domain="away_from_zero"),
    OpCase("pow_scalar", lambda lib, a: a**2.5, UNARY_SHAPES, domain="positive"),
    OpCase("pow_int", lambda lib, a: a**3, UNARY_SHAPES),
    OpCase("rpow", lambda lib, a: 2.0**a, UNARY_SHAPES),
    OpCase("neg", lambda lib, a: -a, UNARY_SHAPES),
    OpCase("square", lambda lib, a: lib.square(a), UNARY_SHAPES),
    # unary functions
    OpCase("exp", lambda lib, a: lib.exp(a), UNARY_SHAPES),
    OpCase("log", lambda lib, a: lib.log(a), UNARY_SHAPES, domain="positive"),
    OpCase("sqrt", lambda lib, a: a.sqrt(), UNARY_SHAPES, domain="positive"),
    OpCase("abs", lambda lib, a: a.abs(), UNARY_SHAPES, domain="away_from_zero"),
    OpCase("sin", lambda lib, a: lib.sin(a), UNARY_SHAPES),
    OpCase("cos", lambda lib, a: a.cos(), UNARY_SHAPES),
    OpCase("tanh", lambda lib, a: lib.tanh(a), UNARY_SHAPES),
    OpCase("sigmoid", lambda lib, a: lib.sigmoid(a), UNARY_SHAPES),
    OpCase("relu", lambda lib, a: lib.relu(a), UNARY_SHAPES, domain="away_from_zero"),
    OpCase("clamp", lambda lib, a: a.clamp(-0.5, 0.7), UNARY_SHAPES, domain="away_from_zero"),
    OpCase(
        "clamp_min", lambda lib, a: lib.clamp(a, min=0.3), UNARY_SHAPES, domain="away_from_zero"
    ),
    # reductions, with negative and tuple dims
    OpCase("sum", lambda lib, a: a.sum(), REDUCE_SHAPES + [[()]]),
    OpCase("sum_dim", lambda lib, a: lib.sum(a, dim=1), REDUCE_SHAPES),
    OpCase("sum_neg_keepdim", lambda lib, a: a.sum(dim=-1, keepdim=True), REDUCE_SHAPES),
    OpCase("sum_tuple", lambda lib, a: a.sum(dim=(0, -1)), REDUCE_SHAPES),
    OpCase("sum_0d_dim", lambda lib, a: a.sum(dim=0), [[()]]),
    OpCase("mean", lambda lib, a: a.mean(), REDUCE_SHAPES + [[()]]),
    OpCase("mean_tuple", lambda lib, a: lib.mean(a, dim=(1, 2), keepdim=True), REDUCE_SHAPES),
    OpCase("var", lambda lib, a: a.var(), REDUCE_SHAPES),
    OpCase("var_dim_biased", lambda lib, a: a.var(dim=1, unbiased=False), REDUCE_SHAPES),
    OpCase("var_keepdim", lambda lib, a: lib.var(a, dim=-1, keepdim=True), REDUCE_SHAPES),
    OpCase("std", lambda lib, a: a.std(dim=(0, 2)), REDUCE_SHAPES),
    OpCase("amax", lambda lib, a: a.amax(), REDUCE_SHAPES + [[()]]),
    OpCase("amin", lambda lib, a: lib.amin(a), REDUCE_SHAPES + [[()]]),
    OpCase("amax_dim", lambda lib, a: lib.amax(a, dim=(0, -1)), REDUCE_SHAPES),
    OpCase("amin_dim", lambda lib, a: a.amin(dim=1, keepdim=True), REDUCE_SHAPES),
    OpCase("max_all", lambda lib, a: a.max(), REDUCE_SHAPES + [[()]]),
    OpCase("min_all", lambda lib, a: lib.min(a), REDUCE_SHAPES),
    OpCase("max_dim", lambda lib, a: a.max(dim=1).values, REDUCE_SHAPES),
    OpCase("min_dim_keepdim", lambda lib, a: lib.min(a, dim=-1, keepdim=True)[0], REDUCE_SHAPES),
    OpCase("max_dim_0d", lambda lib, a: a.max(dim=0).values * 2, [[()]]),
    OpCase("softmax", lambda lib, a: lib.softmax(a, dim=0), REDUCE_SHAPES + [[(5,)], [()]]),
    OpCase("log_softmax", lambda lib, a: a.log_softmax(dim=-1), REDUCE_SHAPES + [[(5,)], [()]]),
    # movement
    OpCase("reshape", lambda lib, a: a.reshape(4, -1), REDUCE_SHAPES),
    OpCase("view", lambda lib, a: a.view((5, 12)), REDUCE_SHAPES),
    OpCase("flatten", lambda lib, a: lib.flatten(a, 1), REDUCE_SHAPES),
    OpCase("flatten_all", lambda lib, a: a.flatten(), REDUCE_SHAPES + [[()]]),
    OpCase("transpose", lambda lib, a: lib.transpose(a, 0, -1), REDUCE_SHAPES),
    OpCase("permute", lambda lib, a: a.permute(2, 0, 1), REDUCE_SHAPES),
    OpCase("permute_neg", lambda lib, a: lib.permute(a, (-1, 0, -2)), REDUCE_SHAPES),
    OpCase("T", lambda lib, a: a.T, [[(3, 4)]]),
    OpCase("squeeze", lambda lib, a: a.squeeze(), [[(3, 1, 4, 1)]]),
    OpCase("squeeze_dim", lambda lib, a: lib.squeeze(a, -1), [[(3, 1, 4, 1)]]),
    OpCase("squeeze_tuple", lambda lib, a: a.squeeze((0, -1, 2)), [[(1, 3, 4, 1)]]),
    OpCase("unsqueeze", lambda lib, a: a.unsqueeze(-2), REDUCE_SHAPES),
    OpCase("unsqueeze_0d", lambda lib, a: lib.unsqueeze(a, 0), [[()]]),
    OpCase("expand", lambda lib, a: a.expand(2, 4, -1), [[(4, 1)], [(1, 3)]]),
    OpCase("index_int", lambda lib, a: a[1], REDUCE_SHAPES),
    OpCase("index_slices", lambda lib, a: a[1:, None, ::2, -1], REDUCE_SHAPES),
    OpCase("index_ellipsis", lambda lib, a: a[..., 1:3], REDUCE_SHAPES),
    OpCase("index_repeated", lambda lib, a: a[[0, 2, 0, 0]], REDUCE_SHAPES),
    OpCase("index_pairs", lambda lib, a: a[[0, 1, 1], :, [4, 0, 4]], REDUCE_SHAPES),
    OpCase("index_mask", lambda lib, a: a[a > 0], REDUCE_SHAPES),
    OpCase("index_tensor", lambda lib, a, i: a[i], [[(4, 3), (6,)]], int_inputs={1: (0, 4)}),
    OpCase("cat", lambda lib, a, b: lib.cat([a, b, a], dim=1), [[(2, 3), (2, 4)]]),
    OpCase("cat_neg", lambda lib, a, b: lib.cat((a, b), -1), [[(2, 3, 1), (2, 3, 2)]]),
    OpCase("stack", lambda lib, a, b: lib.stack([a, b], dim=1), [[(2, 3), (2, 3)]]),
    OpCase("where", lambda lib, a, b: lib.where(a > 0, a, b), BROADCAST_PAIRS[:2]),
    OpCase("clone", lambda lib, a: a.clone() * 2, UNARY_SHAPES),
    OpCase("to_float64", lambda lib, a: a.to(lib.float64) * 3, UNARY_SHAPES),
    # linear algebra: 1-D, 2-D and batched operands
    OpCase(
        "matmul",
        lambda lib, a, b: a @ b,
        [
            [(3, 4), (4, 5)],
            [(4,), (4,)],
            [(4,), (4, 2)],
            [(3, 4), (4,)],
            [(2, 3, 4), (4, 5)],
            [(2, 1, 3, 4), (5, 4, 2)],
            [(4,), (2, 4, 3)],
        ],
    ),
    OpCase("matmul_fn", lambda lib, a, b: lib.matmul(a, b.T), [[(3, 4), (5, 4)]]),
    # nn surface (helper nnsurf): padding, embedding, unflatten and composite activations
    OpCase("pad_constant", lambda lib, a: _F(lib).pad(a, (1, 2, -1, 1), value=0.5), [[(2, 3, 4)]]),
    OpCase("pad_reflect", lambda lib, a: _F(lib).pad(a, (2, 1, 1, 2), "reflect"), [[(2, 3, 4)]]),
    OpCase("pad_replicate", lambda lib, a: _F(lib).pad(a, (3, -1), "replicate"), [[(2, 3, 4)]]),
    OpCase(
        "pad_circular", lambda lib, a: _F(lib).pad(a, (1, 2, 2, 0), "circular"), [[(1, 2, 3, 4)]]
    ),
    OpCase(
        "embedding",
        lambda lib, w, i: _F(lib).embedding(i, w),
        [[(5, 3), (2, 4)], [(4, 2), (7,)]],
        int_inputs={1: (0, 4)},
    ),
    OpCase("unflatten", lambda lib, a: a.unflatten(1, (2, -1)), [[(3, 4, 5)]]),
    OpCase("elu", lambda lib, a: _F(lib).elu(a, alpha=0.7), UNARY_SHAPES, domain="away_from_zero"),
    OpCase("selu", lambda lib, a: _F(lib).selu(a), UNARY_SHAPES, domain="away_from_zero"),
    OpCase("celu", lambda lib, a: _F(lib).celu(a, 1.5), UNARY_SHAPES, domain="away_from_zero"),
    OpCase("silu", lambda lib, a: _F(lib).silu(a), UNARY_SHAPES),
    OpCase("mish", lambda lib, a: _F(lib).mish(a), UNARY_SHAPES),
    OpCase("softplus", lambda lib, a: _F(lib).softplus(a), UNARY_SHAPES),
    OpCase("softplus_beta", lambda lib, a: _F(lib).softplus(a, beta=2.0), UNARY_SHAPES),
    OpCase("softsign", lambda lib, a: _F(lib).softsign(a), UNARY_SHAPES),
    OpCase("logsigmoid", lambda lib, a: _F(lib).logsigmoid(a), UNARY_SHAPES),
    OpCase("hardtanh", lambda lib, a: _F(lib).hardtanh(a, -0.5, 1.2), UNARY_SHAPES),
    OpCase("relu6", lambda lib, a: _F(lib).relu6(a * 4), UNARY_SHAPES, domain="away_from_zero"),
    OpCase("hardsigmoid", lambda lib, a: _F(lib).hardsigmoid(a * 3), UNARY_SHAPES),
    OpCase("hardswish", lambda lib, a: _F(lib).hardswish(a * 3), UNARY_SHAPES),
    OpCase(
        "prelu",
        lambda lib, a, w: _F(lib).prelu(a, w),
        [[(2, 3, 4), (3,)], [(4, 3), (1,)], [(5,), (1,)]],
        domain="away_from_zero",
    ),
    OpCase("glu", lambda lib, a: _F(lib).glu(a, dim=1), [[(3, 4, 5)]]),
    OpCase("tanhshrink", lambda lib, a: _F(lib).tanhshrink(a), UNARY_SHAPES),
    OpCase("softshrink", lambda lib, a: _F(lib).softshrink(a, 0.3), UNARY_SHAPES),
    OpCase("hardshrink", lambda lib, a: _F(lib).hardshrink(a, 0.3), UNARY_SHAPES),
    OpCase("threshold", lambda lib, a: _F(lib).threshold(a, 0.2, -1.5), UNARY_SHAPES),
    OpCase("softmin", lambda lib, a: _F(lib).softmin(a, dim=1), REDUCE_SHAPES),
    OpCase(
        "layer_norm",
        lambda lib, a, w, b: _F(lib).layer_norm(a, (4,), w, b),
        [[(3, 4), (4,), (4,)], [(2, 3, 4), (4,), (4,)]],
    ),
    OpCase("layer_norm_2d", lambda lib, a: _F(lib).layer_norm(a, (3, 4)), [[(2, 3, 4)]]),
    OpCase(
        "group_norm",
        lambda lib, a, w, b: _F(lib).group_norm(a, 2, w, b),
        [[(2, 4, 3), (4,), (4,)], [(3, 6), (6,), (6,)]],
    ),
    OpCase("normalize", lambda lib, a: _F(lib).normalize(a), [[(3, 4)], [(2, 3, 2)]]),
    OpCase(
        "normalize_p3",
        lambda lib, a: _F(lib).normalize(a, p=3.0, dim=-1),
        [[(3, 4)]],
        domain="away_from_zero",
    ),
    OpCase(
        "cosine_similarity",
        lambda lib, a, b: _F(lib).cosine_similarity(a, b, dim=-1),
        [[(3, 4), (3, 4)], [(2, 1, 4), (3, 4)]],
    ),
    OpCase(
        "pairwise_distance",
        lambda lib, a, b: _F(lib).pairwise_distance(a, b),
        [[(3, 4), (3, 4)], [(4,), (3, 4)]],
    ),
    OpCase(
        "pairwise_distance_p1",
        lambda lib, a, b: _F(lib).pairwise_distance(a, b, p=1.0, keepdim=True),
        [[(3, 4), (3, 4)]],
    ),
    # nn.functional: layers, pools and losses (primitives with fused backwards)
    OpCase("linear", lambda lib, x, w, b: _F(lib).linear(x, w, b), [[(3, 4), (5, 4), (5,)]]),
    OpCase(
        "conv2d",
        lambda lib, x, w, b: _F(lib).conv2d(x, w, b, padding=1),
        [[(2, 2, 5, 5), (3, 2, 3, 3), (3,)]],
    ),
    OpCase(
        "conv2d_stride_groups",
        lambda lib, x, w: _F(lib).conv2d(x, w, stride=2, padding=(1, 0), groups=2),
        [[(1, 4, 6, 5), (4, 2, 3, 2)]],
    ),
    OpCase(
        "conv2d_dilation",
        lambda lib, x, w: _F(lib).conv2d(x, w, stride=(1, 2), dilation=2),
        [[(1, 1, 7, 7), (2, 1, 3, 3)]],
    ),
    OpCase("max_pool2d", lambda lib, x: _F(lib).max_pool2d(x, 2), [[(2, 3, 4, 4)]]),
    OpCase(
        "max_pool2d_overlap",
        lambda lib, x: _F(lib).max_pool2d(x, 3, stride=2, padding=1),
        [[(1, 2, 5, 5)]],
    ),
    OpCase(
        "avg_pool2d", lambda lib, x: _F(lib).avg_pool2d(x, 2, stride=1, padding=1), [[(2, 2, 4, 4)]]
    ),
    OpCase(
        "leaky_relu",
        lambda lib, a: _F(lib).leaky_relu(a, 0.2),
        UNARY_SHAPES[:2],
        domain="away_from_zero",
    ),  # fmt: skip
    OpCase("gelu", lambda lib, a: _F(lib).gelu(a), UNARY_SHAPES[:2]),
    OpCase("gelu_tanh", lambda lib, a: _F(lib).gelu(a, approximate="tanh"), UNARY_SHAPES[:2]),
    OpCase(
        "cross_entropy",
        lambda lib, x, t: _F(lib).cross_entropy(x, t),
        [[(4, 5), (4,)]],
        int_inputs={1: (0, 5)},
    ),
    OpCase(
        "cross_entropy_smooth_sum",
        lambda lib, x, t: _F(lib).cross_entropy(x, t, label_smoothing=0.1, reduction="sum"),
        [[(4, 5), (4,)]],
        int_inputs={1: (0, 5)},
    ),
    OpCase(
        "nll_loss",
        lambda lib, x, t: _F(lib).nll_loss(lib.log_softmax(x, 1), t, reduction="none"),
        [[(4, 5), (4,)]],
        int_inputs={1: (0, 5)},
    ),
    OpCase("mse_loss", lambda lib, a, b: _F(lib).mse_loss(a, b), [[(3, 4), (3, 4)]]),
    OpCase(
        "binary_cross_entropy",
        lambda lib, a, b: _F(lib).binary_cross_entropy(lib.sigmoid(a), lib.sigmoid(b)),
        [[(3, 4), (3, 4)]],
    ),
    OpCase(
        "bce_with_logits",
        lambda lib, a, b: _F(lib).binary_cross_entropy_with_logits(a, lib.sigmoid(b)),
        [[(3, 4), (3, 4)]],
    ),
    OpCase(
        "bce_with_logits_pos_weight",
        lambda lib, a, b, w: _F(lib).binary_cross_entropy_with_logits(
            a, lib.sigmoid(b), pos_weight=w.exp()
        ),
        [[(3, 4), (3, 4), (4,)]],
        grad_inputs=(0, 1),  # PyTorch has no gradient for pos_weight
    ),
    OpCase(
        "batch_norm",
        lambda lib, x, w, b: _F(lib).batch_norm(x, None, None, w, b, training=True),
        [[(4, 3, 2, 2), (3,), (3,)], [(5, 2), (2,), (2,)]],
    ),
    OpCase(
        "batch_norm_eval",
        lambda lib, x, w, m: _F(lib).batch_norm(
            x, m.detach() * 0.1, m.detach().exp(), w, None, training=False
        ),
        [[(4, 3, 2, 2), (3,), (3,)]],
        grad_inputs=(0, 1),
    ),
]

# The common surface's rows live beside this file, one file per area; OPS is still one table.
OPS += MATH_OPS + SHAPE_OPS + NN_OPS
