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
