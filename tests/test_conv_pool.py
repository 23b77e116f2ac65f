"""conv2d, max_pool2d, avg_pool2d: against PyTorch (when importable), gradcheck, errors."""

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.autograd import gradcheck
from minigrad.nn.functional.conv import (
    avg_pool2d,
    conv2d,
    conv_output_size,
    max_pool2d,
    receptive_field,
)
from minigrad.ops import conv as conv_ops
from minigrad.ops import pooling as pooling_ops


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _rng(seed=0):
    return np.random.default_rng(seed)


def _compare_with_torch(torch, mg_fn, torch_fn, arrays, grads, rtol=1e-7, atol=1e-9):
    """Forward and backward (random upstream gradient) of both; the arrays' dtypes are kept."""
    ours = [mg.tensor(a, requires_grad=g) if a is not None else None for a, g in zip(arrays, grads)]
    theirs = [
        torch.tensor(a, requires_grad=g) if a is not None else None for a, g in zip(arrays, grads)
    ]
    out, expected = mg_fn(*ours), torch_fn(*theirs)
    assert out.shape == tuple(expected.shape)
    assert out.dtype == arrays[0].dtype
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=rtol, atol=atol)
    upstream = _rng(1).standard_normal(out.shape).astype(arrays[0].dtype)
    out.backward(upstream)
    expected.backward(torch.from_numpy(upstream))
    for position, (a, b, g) in enumerate(zip(ours, theirs, grads)):
        if a is None or not g:
            continue
        assert a.grad.dtype == a.dtype, f"gradient {position} changed dtype"
        np.testing.assert_allclose(
            a.grad.numpy(), b.grad.numpy(), rtol=rtol, atol=atol, err_msg=f"input {position}"
        )
    return ours


# ---- conv2d ---------------------------------------------------------------------------------

CONV_CASES = {  # name: (input shape, weight shape, kwargs)
    "basic": ((2, 3, 7, 7), (4, 3, 3, 3), {}),
    "stride2": ((2, 3, 9, 8), (5, 3, 3, 3), {"stride": 2}),
    "stride_pair_padding_pair": ((2, 3, 8, 9), (4, 3, 3, 3), {"stride": (1, 2), "padding": (2, 1)}),
    "dilation": ((2, 2, 9, 9), (3, 2, 3, 3), {"padding": 1, "dilation": 2}),
    "non_square_kernel": ((2, 3, 9, 10), (4, 3, 2, 3), {"stride": (2, 3), "dilation": (2, 1)}),
    "groups2": ((2, 4, 7, 7), (6, 2, 3, 3), {"groups": 2, "padding": 1}),
    "depthwise": ((2, 4, 6, 6), (4, 1, 3, 3), {"groups": 4}),
    "depthwise_multiplier": ((2, 4, 7, 6), (8, 1, 3, 3), {"groups": 4, "stride": 2, "padding": 1}),
    "batch1_odd": ((1, 2, 5, 9), (3, 2, 1, 4), {}),
    "one_by_one": ((3, 5, 4, 4), (2, 5, 1, 1), {}),
    "kernel_fills_input": ((2, 2, 3, 3), (4, 2, 3, 3), {}),
    "same_even_kernel": ((2, 3, 6, 5), (2, 3, 4, 2), {"padding": "same"}),
    "same_dilated": ((2, 2, 7, 6), (3, 2, 3, 2), {"padding": "same", "dilation": 2}),
    "valid": ((2, 3, 6, 5), (2, 3, 3, 3), {"padding": "valid"}),
    "one_channel": ((3, 1, 6, 5), (4, 1, 3, 3), {}),  # NCHW is channels-last: no copy of x
    # One channel, up to 8 filters: the rows-times-Toeplitz product (ops/conv.py).
    "one_channel_strided_padded": (
        (2, 1, 7, 8),
        (3, 1, 3, 2),
        {"stride": (2, 3), "padding": (1, 2)},
    ),
    "one_channel_eight_filters": ((2, 1, 9, 7), (8, 1, 2, 4), {"stride": (1, 2)}),
    "one_channel_nine_filters": ((2, 1, 6, 6), (9, 1, 3, 3), {}),  # back to the patch matrix
    "everything": (
        (2, 4, 9, 8),
        (6, 2, 2, 3),
        {"groups": 2, "stride": (2, 1), "padding": (1, 2), "dilation": (2, 1)},
    ),
}


@pytest.mark.filterwarnings("ignore:Using padding='same'")  # PyTorch's note on a copy
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_matches_torch(torch, case, bias):
    x_shape, w_shape, kwargs = CONV_CASES[case]
    rng = _rng()
    arrays = [
        rng.standard_normal(x_shape),
        rng.standard_normal(w_shape),
        rng.standard_normal(w_shape[0]) if bias else None,
    ]
    _compare_with_torch(
        torch,
        lambda x, w, b: conv2d(x, w, b, **kwargs),
        lambda x, w, b: torch.nn.functional.conv2d(x, w, b, **kwargs),
        arrays,
        [True, True, bias],
    )
    if not isinstance(kwargs.get("padding"), str):  # the helper's formula is the ops' one
        geometry = [kwargs.get(k, d) for k, d in [("stride", 1), ("padding", 0), ("dilation", 1)]]
        out = conv2d(mg.tensor(arrays[0]), mg.tensor(arrays[1]), **kwargs)
        assert out.shape[2:] == conv_output_size(x_shape[2:], w_shape[2:], *geometry)


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_gradcheck(case):
    x_shape, w_shape, kwargs = CONV_CASES[case]
    rng = _rng(2)
    x = mg.tensor(rng.standard_normal(x_shape), requires_grad=True)
    w = mg.tensor(rng.standard_normal(w_shape), requires_grad=True)
    b = mg.tensor(rng.standard_normal(w_shape[0]), requires_grad=True)
    assert gradcheck(lambda x, w, b: conv2d(x, w, b, **kwargs), (x, w, b))
    assert gradcheck(lambda x, w: conv2d(x, w, **kwargs), (x, w))  # no bias column


def test_conv2d_float32_stays_float32(torch):
    rng = _rng(3)
    arrays = [
        rng.standard_normal(s).astype(np.float32) for s in [(4, 3, 10, 10), (6, 3, 3, 3), (6,)]
    ]
    ours = _compare_with_torch(
        torch,
        lambda x, w, b: conv2d(x, w, b, padding=1, stride=2),
        lambda x, w, b: torch.nn.functional.conv2d(x, w, b, padding=1, stride=2),
        arrays,
        [True, True, True],
        rtol=1e-4,
        atol=1e-5,
    )
    assert all(t.grad.dtype == np.float32 for t in ours)


def test_conv2d_unbatched_input(torch):
    rng = _rng(4)
    arrays = [rng.standard_normal((3, 8, 7)), rng.standard_normal((2, 3, 3, 3)), None]
    _compare_with_torch(
        torch,
        lambda x, w, b: conv2d(x, w, padding=1),
        lambda x, w, b: torch.nn.functional.conv2d(x, w, padding=1),
        arrays,
        [True, True, False],
    )


def test_conv2d_non_contiguous_inputs(torch):
    """A transposed and a sliced input: values and gradients flow through the views."""
    rng = _rng(5)
    base = rng.standard_normal((2, 3, 9, 12))
    w = rng.standard_normal((4, 3, 3, 3))
    x_mg, w_mg = mg.tensor(base, requires_grad=True), mg.tensor(w, requires_grad=True)
    x_t, w_t = torch.tensor(base, requires_grad=True), torch.tensor(w, requires_grad=True)
    out = conv2d(x_mg.transpose(2, 3)[:, :, ::2], w_mg, padding=1)
    expected = torch.nn.functional.conv2d(x_t.transpose(2, 3)[:, :, ::2], w_t, padding=1)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    expected.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(x_mg.grad.numpy(), x_t.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w_mg.grad.numpy(), w_t.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("padding", [0, 1])
def test_conv2d_channels_last_input(torch, padding):
    """A channels-last input is read in place (padding 0) or copied padded; same results."""
    rng = _rng(13)
    base = rng.standard_normal((2, 4, 6, 5))  # stored (N, H, W, C)
    x = base.transpose(0, 3, 1, 2)
    assert conv_ops.is_channels_last(x) and not x.flags.c_contiguous
    w, b = rng.standard_normal((10, 1, 3, 2)), rng.standard_normal(10)
    x_mg = mg.from_numpy(x).requires_grad_(True)
    w_mg, b_mg = mg.tensor(w, requires_grad=True), mg.tensor(b, requires_grad=True)
    x_t = torch.from_numpy(x).requires_grad_(True)
    w_t, b_t = torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)
    out = conv2d(x_mg, w_mg, b_mg, padding=padding, groups=5)
    expected = torch.nn.functional.conv2d(x_t, w_t, b_t, padding=padding, groups=5)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    expected.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-10)
    for ours, theirs in [(x_mg, x_t), (w_mg, w_t), (b_mg, b_t)]:
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(x, base.transpose(0, 3, 1, 2))  # the input is not written


def test_layers_chained_across_memory_layouts(torch):
    """conv (channels-last output) -> relu -> max-pool -> conv -> avg-pool -> flatten: the
    layouts the ops hand each other compose, forward and backward."""
    rng = _rng(6)
    arrays = [
        rng.standard_normal(s).astype(np.float32)
        for s in [(3, 2, 12, 12), (5, 2, 3, 3), (5,), (4, 5, 3, 3)]
    ]

    def chain(F, x, w1, b1, w2):
        h = F.max_pool2d(F.conv2d(x, w1, b1).relu(), 2)
        return F.avg_pool2d(F.conv2d(h, w2, padding=1), 2, stride=1).flatten(1)

    import minigrad.nn.functional.conv as mg_functional

    _compare_with_torch(
        torch,
        lambda *t: chain(mg_functional, *t),
        lambda *t: chain(torch.nn.functional, *t),
        arrays,
        [True] * 4,
        rtol=1e-4,
        atol=1e-5,
    )


def test_conv2d_skips_gradients_nobody_needs(monkeypatch):
    """First layer: no input gradient is computed; frozen weight: no patches kept."""
    rng = _rng(7)
    x = mg.tensor(rng.standard_normal((2, 3, 6, 6)).astype(np.float32))
    w = mg.tensor(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), requires_grad=True)
    b = mg.tensor(rng.standard_normal(4).astype(np.float32), requires_grad=True)
    calls = []
    original = conv_ops._col2im
    monkeypatch.setattr(conv_ops, "_col2im", lambda *a: calls.append(1) or original(*a))

    out = conv2d(x, w, b)
    cols, weights = out.grad_fn.ctx.saved_tensors
    assert cols is not None and weights is None  # the weight matrix is only for the input's
    out.sum().backward()
    assert calls == [] and x.grad is None
    reference_w, reference_b = w.grad.numpy().copy(), b.grad.numpy().copy()

    w.grad = b.grad = None
    x.requires_grad_(True)
    conv2d(x, w, b).sum().backward()
    assert calls == [1]
    np.testing.assert_allclose(w.grad.numpy(), reference_w, rtol=1e-6)
    np.testing.assert_allclose(b.grad.numpy(), reference_b, rtol=1e-6)

    frozen = conv2d(x, w.detach(), b.detach())
    assert frozen.grad_fn.ctx.saved_tensors[0] is None  # no patch matrix kept
    x.grad = None
    frozen.sum().backward()  # would fail on the missing patch matrix if it computed dw
    assert calls == [1, 1]
    reference_x = x.grad.numpy().copy()
    x.grad = None
    conv2d(x, w, b).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), reference_x, rtol=1e-6)

    bias_only = conv2d(x.detach(), w.detach(), b)
    assert bias_only.grad_fn.ctx.saved_tensors[1] is None
    b.grad = None
    bias_only.sum().backward()
    np.testing.assert_allclose(b.grad.numpy(), reference_b, rtol=1e-6)
    assert calls == [1, 1, 1]


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
@pytest.mark.parametrize(
    "case",
    [
        "basic",
        "stride_pair_padding_pair",
        "dilation",
        "non_square_kernel",
        "one_channel_nine_filters",
    ],
)
def test_conv2d_without_weight_gradient_goes_in_chunks(monkeypatch, case, bias):
    """No weight or bias gradient: the patches are made a few images at a time (here 1 and 2,
    with a shorter last chunk), and the result is the one product's."""
    x_shape, w_shape, kwargs = CONV_CASES[case]
    rng = _rng(21)
    x = mg.tensor(rng.standard_normal((5, *x_shape[1:])).astype(np.float32))
    w = mg.tensor(rng.standard_normal(w_shape).astype(np.float32), requires_grad=True)
    b = mg.tensor(rng.standard_normal(w_shape[0]).astype(np.float32)) if bias else None
    whole = conv2d(x, w, b, **kwargs)  # the weight's gradient keeps the whole patch matrix
    chunks = []
    original = conv_ops._im2col
    monkeypatch.setattr(conv_ops, "_im2col", lambda x, *a: chunks.append(len(x)) or original(x, *a))
    cells = whole.shape[2] * whole.shape[3] * (w_shape[1] * w_shape[2] * w_shape[3] + bias)
    for images in (1, 2):
        monkeypatch.setattr(conv_ops, "CHUNK_BYTES", images * cells * 4)
        chunks.clear()
        with mg.no_grad():
            out = conv2d(x, w, b, **kwargs)
        assert chunks == ([1] * 5 if images == 1 else [2, 2, 1])
        np.testing.assert_allclose(out.numpy(), whole.numpy(), rtol=1e-6, atol=1e-6)
        assert out.dtype == np.float32 and conv_ops.is_channels_last(out.numpy())


def test_conv2d_one_channel_keeps_the_patch_matrix_transposed():
    """1 input channel: the kept patch matrix is a view of a (kh*kw + 1, N*Ho*Wo) array (each
    kernel offset one contiguous row), and the split weight-gradient product, with a remainder
    of rows (N*Ho*Wo not a multiple of the pieces), matches float64 arithmetic."""
    rng = _rng(22)
    for n in (4, 5):  # 4 * 676 rows split evenly in 16 pieces, 5 * 676 leave 4
        x = rng.standard_normal((n, 1, 28, 28)).astype(np.float32)
        w = rng.standard_normal((8, 1, 3, 3)).astype(np.float32)
        b = rng.standard_normal(8).astype(np.float32)
        weight, bias = mg.tensor(w, requires_grad=True), mg.tensor(b, requires_grad=True)
        out = conv2d(mg.tensor(x), weight, bias)
        kept = out.grad_fn.ctx.saved_tensors[0]
        assert kept.shape == (1, n * 26 * 26, 10) and kept[0].T.flags.c_contiguous
        grad = rng.standard_normal(out.shape).astype(np.float32)
        out.backward(mg.tensor(grad))
        x64 = x.astype(np.float64)
        expected = np.zeros((8, 1, 3, 3))
        for i in range(3):
            for j in range(3):
                patch = x64[:, 0, i : i + 26, j : j + 26]
                expected[:, 0, i, j] = np.einsum("nhw,nohw->o", patch, grad)
        np.testing.assert_allclose(weight.grad.numpy(), expected, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(bias.grad.numpy(), grad.sum((0, 2, 3)), rtol=1e-4, atol=1e-4)


def test_conv2d_peak_memory_is_what_the_docstring_says():
    """tracemalloc sees numpy's buffers. Groups 1 < g < O, padding and an NCHW input and
    upstream gradient take every term of ops.Conv2d's docstring; a float64 temporary or a
    second patch matrix would exceed it."""
    import tracemalloc

    n, c, h, w, o, g, k = 64, 6, 11, 10, 6, 3, 3  # an offset's share > the ufunc buffers
    rng = _rng(14)
    x = mg.from_numpy(rng.standard_normal((n, c, h, w)).astype(np.float32)).requires_grad_(True)
    weight = mg.from_numpy(rng.standard_normal((o, c // g, k, k)).astype(np.float32))
    bias = mg.from_numpy(rng.standard_normal(o).astype(np.float32))
    weight.requires_grad_(True), bias.requires_grad_(True)
    size = 4  # float32 bytes
    # Tensor objects, ctx, weight-sized arrays, and numpy's ufunc buffers (3 operands at most)
    slack = 16_000 + 3 * np.getbufsize() * size
    pixels, padded_input = n * h * w, n * c * (h + 2) * (w + 2)  # padding 1: Ho, Wo = H, W
    patches = pixels * (c * k * k + g)
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        out = conv2d(x, weight, bias, padding=1, groups=g)
        end, peak = tracemalloc.get_traced_memory()
        output = pixels * o
        assert peak - start <= size * (output + patches + padded_input + output) + slack
        assert end - start <= size * (output + patches) + slack  # kept: the patch matrix
        upstream = rng.standard_normal(out.shape).astype(np.float32)  # NCHW, not channels-last
        tracemalloc.reset_peak()
        start = tracemalloc.get_traced_memory()[0]
        grads = conv_ops.Conv2d.backward(out.grad_fn.ctx, upstream)
        peak = tracemalloc.get_traced_memory()[1]
        assert peak - start <= size * (padded_input + pixels * c + output) + slack
    finally:
        tracemalloc.stop()
    assert all(grad.dtype == np.float32 for grad in grads)


def test_conv2d_bias_gradient_alone(torch):
    rng = _rng(8)
    arrays = [
        rng.standard_normal((2, 3, 5, 5)),
        rng.standard_normal((4, 3, 3, 3)),
        rng.standard_normal(4),
    ]
    _compare_with_torch(
        torch,
        lambda x, w, b: conv2d(x, w, b, stride=2),
        lambda x, w, b: torch.nn.functional.conv2d(x, w, b, stride=2),
        arrays,
        [False, False, True],
    )


# ---- pooling ------------------------------------------------------------------------------

POOL_CASES = {  # name: (input shape, kwargs)
    "fast_path": ((2, 3, 8, 8), {"kernel_size": 2}),
    "not_divisible": ((2, 3, 9, 7), {"kernel_size": 2}),
    "stride_differs": ((2, 2, 9, 9), {"kernel_size": 3, "stride": 2}),
    "padding": ((2, 2, 9, 8), {"kernel_size": 3, "stride": 2, "padding": 1}),
    "non_square": ((1, 3, 7, 8), {"kernel_size": (3, 2), "stride": (1, 2), "padding": (1, 0)}),
    "overlapping": ((2, 2, 6, 6), {"kernel_size": 3, "stride": 1}),
    "stride_beyond_kernel": ((2, 2, 9, 9), {"kernel_size": 2, "stride": 3}),
}


@pytest.mark.parametrize("op", ["max_pool2d", "avg_pool2d"])
@pytest.mark.parametrize("case", POOL_CASES)
def test_pool_matches_torch_with_ties(torch, case, op):
    shape, kwargs = POOL_CASES[case]
    x = np.round(_rng(9).standard_normal(shape))  # few distinct values: many tied maxima
    ours = {"max_pool2d": max_pool2d, "avg_pool2d": avg_pool2d}[op]
    _compare_with_torch(
        torch,
        lambda t: ours(t, **kwargs),
        lambda t: getattr(torch.nn.functional, op)(t, **kwargs),
        [x],
        [True],
    )


DILATED_CASES = {  # max_pool2d only: PyTorch's avg_pool2d has no dilation
    "dilation": ((2, 2, 9, 9), {"kernel_size": 2, "dilation": 2}),
    "dilation_padding": (
        (2, 2, 9, 8),
        {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": 2},
    ),
    "dilation_tiles": ((1, 2, 8, 9), {"kernel_size": 2, "stride": 3, "dilation": (1, 2)}),
}


@pytest.mark.parametrize("case", DILATED_CASES)
def test_max_pool_dilation_matches_torch_with_ties(torch, case):
    shape, kwargs = DILATED_CASES[case]
    x = np.round(_rng(9).standard_normal(shape))
    _compare_with_torch(
        torch,
        lambda t: max_pool2d(t, **kwargs),
        lambda t: torch.nn.functional.max_pool2d(t, **kwargs),
        [x],
        [True],
    )


@pytest.mark.parametrize("layout", ["nchw", "channels_last"])
@pytest.mark.parametrize(
    "kwargs",
    [*(case[1] for case in POOL_CASES.values()), {"kernel_size": 3, "dilation": 2, "padding": 1}],
)
def test_max_pool_inference_row_by_row_equals_the_window_maximum(monkeypatch, kwargs, layout):
    """Large inputs without autograd take the max over rows, then along them; forced here."""
    rng = _rng(23)
    x = rng.standard_normal((2, 3, 11, 10)).astype(np.float32)
    x[0, 1, 2:4, 3:5] = np.nan
    x[1, 0, 5] = -np.inf
    if layout == "channels_last":
        x = np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    expected = max_pool2d(mg.tensor(x, requires_grad=True), **kwargs).detach().numpy()
    monkeypatch.setattr(pooling_ops, "SEPARABLE_MIN", 0)
    with mg.no_grad():
        out = max_pool2d(mg.from_numpy(x), **kwargs).numpy()
    np.testing.assert_array_equal(out, expected)  # NaN where expected has NaN
    assert conv_ops.is_channels_last(out) == (layout == "channels_last")


GRADCHECK_POOL_CASES = [
    (op, *cases[name])
    for op, cases, names in [
        (max_pool2d, POOL_CASES, ["fast_path", "padding", "non_square", "overlapping"]),
        (avg_pool2d, POOL_CASES, ["fast_path", "padding", "non_square", "overlapping"]),
        (max_pool2d, DILATED_CASES, ["dilation_padding"]),
    ]
    for name in names
]


@pytest.mark.parametrize("op, shape, kwargs", GRADCHECK_POOL_CASES)
def test_pool_gradcheck(op, shape, kwargs):
    # Distinct values, at least 0.01 apart: no finite-difference step crosses a tie.
    values = _rng(10).permutation(np.prod(shape)).reshape(shape) * 0.01
    assert gradcheck(lambda t: op(t, **kwargs), mg.tensor(values, requires_grad=True))


def test_max_pool_tie_gradient_goes_to_first_maximum():
    x = mg.tensor(
        [
            [
                [
                    [1.0, 5.0, 5.0, 2.0],
                    [5.0, 5.0, 2.0, 2.0],
                    [0.0, 3.0, 7.0, 7.0],
                    [3.0, 3.0, 7.0, 7.0],
                ]
            ]
        ],
        requires_grad=True,
    )
    out = max_pool2d(x, 2)
    np.testing.assert_array_equal(out.numpy()[0, 0], [[5.0, 5.0], [3.0, 7.0]])
    out.backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]], dtype=np.float32))
    expected = [[0, 1, 2, 0], [0, 0, 0, 0], [0, 3, 4, 0], [0, 0, 0, 0]]
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], expected)


def test_max_pool_overlapping_ties_accumulate(torch):
    """Constant input, 2x2 windows at stride 1: each window's first cell gets its gradient."""
    x = mg.ones(1, 1, 3, 3, requires_grad=True)
    max_pool2d(x, 2, stride=1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], [[1, 1, 0], [1, 1, 0], [0, 0, 0]])
    t = torch.ones(1, 1, 3, 3, requires_grad=True)
    torch.nn.functional.max_pool2d(t, 2, stride=1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


def test_max_pool_padding_is_minus_infinity():
    x = mg.full((1, 1, 3, 3), -5.0)
    np.testing.assert_array_equal(max_pool2d(x, 2, padding=1).numpy(), np.full((1, 1, 2, 2), -5.0))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kernel_size": 2, "padding": 1},
        {"kernel_size": 3, "stride": 1, "padding": 1, "dilation": 2},
    ],
)
def test_max_pool_padding_minus_infinity_in_gradient(torch, kwargs):
    """Windows of -inf inputs and padding: PyTorch's gradient goes to the window's first cell
    inside the input, never to a padded cell (which would drop it)."""
    x = np.round(_rng(15).standard_normal((2, 2, 5, 6)))
    x[x < 0.5] = -np.inf  # many windows hold nothing but -inf and padding
    _compare_with_torch(
        torch,
        lambda t: max_pool2d(t, **kwargs),
        lambda t: torch.nn.functional.max_pool2d(t, **kwargs),
        [x],
        [True],
    )
    ours = mg.tensor(np.full((1, 1, 3, 3), -np.inf), requires_grad=True)
    max_pool2d(ours, 2, padding=1).sum().backward()
    np.testing.assert_array_equal(ours.grad.numpy()[0, 0], [[1, 1, 0], [1, 1, 0], [0, 0, 0]])


def test_max_pool_nan_propagates_and_takes_the_gradient(torch):
    """PyTorch takes ``value > max or isnan(value)``: the output is NaN and the last NaN of
    the window gets the gradient."""
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    x[0, 0, 1, 1] = np.nan
    x[0, 0, 0, 2] = x[0, 0, 1, 2] = np.nan  # two NaNs in one window
    ours = mg.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    for kwargs in [{"kernel_size": 2}, {"kernel_size": 3, "stride": 1, "padding": 1}]:
        ours.grad = theirs.grad = None
        out = max_pool2d(ours, **kwargs)
        expected = torch.nn.functional.max_pool2d(theirs, **kwargs)
        np.testing.assert_array_equal(out.numpy(), expected.detach().numpy())
        upstream = _rng(16).standard_normal(out.shape)
        out.backward(upstream)
        expected.backward(torch.from_numpy(upstream))
        np.testing.assert_array_equal(ours.grad.numpy() != 0, theirs.grad.numpy() != 0)
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12)
    assert ours.grad.numpy()[0, 0, 1, 2] != 0 and ours.grad.numpy()[0, 0, 0, 2] == 0


def test_avg_pool_padding_counts_in_divisor():
    out = avg_pool2d(mg.ones(1, 1, 4, 4), 2, padding=1)
    np.testing.assert_allclose(
        out.numpy()[0, 0], [[0.25, 0.5, 0.25], [0.5, 1, 0.5], [0.25, 0.5, 0.25]]
    )
    assert avg_pool2d(mg.ones(1, 1, 4, 4), 2, divisor_override=2).numpy().max() == 2.0


@pytest.mark.parametrize("op", [max_pool2d, avg_pool2d], ids=["max", "avg"])
def test_pool_float32_channels_last_and_no_grad(op):
    """float32 stays float32; a channels-last input keeps its layout; no_grad gives the same."""
    base = _rng(11).standard_normal((2, 5, 6, 6)).astype(np.float32)
    x = mg.from_numpy(np.ascontiguousarray(base.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2))
    x.requires_grad_(True)
    out = op(x, 2)
    assert out.dtype == np.float32 and conv_ops.is_channels_last(out.numpy())
    out.backward(np.ones(out.shape, np.float32))
    assert x.grad.dtype == np.float32
    with mg.no_grad():
        np.testing.assert_array_equal(op(mg.from_numpy(base), 2).numpy(), out.numpy())


@pytest.mark.parametrize("op", ["max_pool2d", "avg_pool2d"])
def test_pool_non_contiguous_input(torch, op):
    """A transposed, sliced view (neither NCHW nor channels-last): values and gradients."""
    base = np.round(_rng(17).standard_normal((2, 3, 9, 12)))
    x_mg = mg.tensor(base, requires_grad=True)
    x_t = torch.tensor(base, requires_grad=True)
    kwargs = {"kernel_size": 3, "stride": 2, "padding": 1}
    out = getattr(mg.nn.functional, op)(x_mg.transpose(2, 3)[:, :, ::2], **kwargs)
    expected = getattr(torch.nn.functional, op)(x_t.transpose(2, 3)[:, :, ::2], **kwargs)
    upstream = _rng(18).standard_normal(out.shape)
    out.backward(upstream)
    expected.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x_mg.grad.numpy(), x_t.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_unbatched_pool():
    x = mg.tensor(_rng(12).standard_normal((3, 6, 6)))
    assert max_pool2d(x, 2).shape == (3, 3, 3)
    np.testing.assert_array_equal(avg_pool2d(x, 3).numpy(), avg_pool2d(x[None], 3).numpy()[0])


# ---- shape helpers ------------------------------------------------------------------------


def test_conv_output_size():
    assert conv_output_size(28, 3) == (26, 26)
    assert conv_output_size((26, 25), 2, 2) == (13, 12)
    assert conv_output_size(28, 5, padding=2) == (28, 28)
    assert conv_output_size((9, 10), (2, 3), stride=(2, 3), dilation=(2, 1)) == (4, 3)
    assert conv_output_size(4, 5) == (0, 0)  # does not fit: the ops refuse it, saying so
    with pytest.raises(ValueError, match=r"the output would be 0x0"):
        F.conv2d(mg.zeros(1, 1, 4, 4), mg.zeros(1, 1, 5, 5))
    with pytest.raises(ValueError, match=r"the output would be 0x0"):
        F.max_pool2d(mg.zeros(1, 1, 4, 4), 3, dilation=3)
    assert F.conv_output_size is conv_output_size and F.receptive_field is receptive_field


def test_receptive_field():
    assert receptive_field([{"kernel_size": 3}]) == (3, 3)
    model_k = [
        {"kernel_size": 3},
        "relu",
        {"kernel_size": 2, "stride": None},
        {"kernel_size": 3},
        {"kernel_size": 2, "stride": 2},
        {"kernel_size": 3},
    ]
    assert receptive_field(model_k) == (18, 18)
    assert receptive_field([{"kernel_size": (3, 1), "dilation": 2}]) == (5, 1)


def test_receptive_field_of_layers():
    import minigrad.nn as nn

    model_k = [nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3),
               nn.MaxPool2d(2), nn.Conv2d(64, 64, 3), nn.Flatten()]  # fmt: skip
    assert receptive_field(model_k) == (18, 18)


# ---- errors -------------------------------------------------------------------------------

X = mg.zeros(2, 3, 5, 5)
W = mg.zeros(4, 3, 3, 3)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: conv2d(mg.zeros(3, 5, 5, 1, 1), W), ValueError, "(3, 5, 5, 1, 1)"),
        (lambda: conv2d(mg.zeros(5, 5), W), ValueError, "3-D (C, H, W) or 4-D"),
        (
            lambda: conv2d(mg.zeros(2, 4, 5, 5), W),
            ValueError,
            "(N, 3, H, W) with 3 channels, but got input of shape (2, 4, 5, 5) with 4",
        ),
        (
            lambda: conv2d(X, mg.zeros(4, 1, 3, 3), groups=2),
            ValueError,
            "weight of shape (4, 1, 3, 3)",
        ),
        (
            lambda: conv2d(mg.zeros(2, 4, 5, 5), mg.zeros(3, 2, 3, 3), groups=2),
            ValueError,
            "divisible by groups",
        ),
        (lambda: conv2d(X, W, groups=0), ValueError, "groups must be a positive int"),
        (lambda: conv2d(X, mg.zeros(4, 3, 3)), ValueError, "weight must be 4-D"),
        (lambda: conv2d(X, W, mg.zeros(3)), ValueError, "bias must have shape (4,)"),
        (lambda: conv2d(X, mg.zeros(4, 3, 6, 6)), ValueError, "larger than the padded input (5x5)"),
        (lambda: conv2d(X, W, dilation=3), ValueError, "dilation (3, 3): 7x7"),
        (lambda: conv2d(X, W, stride=0), ValueError, "conv2d: stride must be positive"),
        (lambda: conv2d(X, W, stride=(1, -1)), ValueError, "conv2d: stride must be positive"),
        (lambda: conv2d(X, W, dilation=0), ValueError, "conv2d: dilation must be positive"),
        (lambda: conv2d(X, W, padding=-1), ValueError, "padding must be non-negative"),
        (lambda: conv2d(X, W, stride=(1, 2, 3)), TypeError, "stride must be an int or a pair"),
        (lambda: conv2d(X, W, padding="same", stride=2), ValueError, "'same' needs stride 1"),
        (lambda: conv2d(X, W, padding="full"), ValueError, "'valid', 'same'"),
        (lambda: conv2d(X, W.double()), TypeError, "must have the same dtype"),
        (lambda: conv2d(X, W, mg.zeros(4).double()), TypeError, "bias (float64) must have"),
        (lambda: conv2d(X, W.long()), TypeError, "conv2d: weight must be a floating point"),
        (lambda: conv2d(np.zeros((2, 3, 5, 5)), W), TypeError, "input must be a Tensor"),
        (lambda: conv2d(X.long(), W), TypeError, "floating point"),
        (lambda: max_pool2d(X, 0), ValueError, "kernel_size must be positive"),
        (lambda: max_pool2d(X, 2, stride=0), ValueError, "stride must be positive"),
        (lambda: max_pool2d(X, 2, padding=2), ValueError, "at most half the kernel"),
        (  # PyTorch halves the undilated kernel, not the dilated span (5 here)
            lambda: max_pool2d(X, 3, padding=2, dilation=2),
            ValueError,
            "max_pool2d: padding (2, 2) must be non-negative and at most half the kernel",
        ),
        (lambda: avg_pool2d(X, 3, padding=-1), ValueError, "avg_pool2d: padding (-1, -1)"),
        (lambda: avg_pool2d(X, 2, stride=(1, 0)), ValueError, "avg_pool2d: stride must be"),
        (lambda: max_pool2d(X.long(), 2), TypeError, "max_pool2d: input must be a floating"),
        (lambda: avg_pool2d(X, 6), ValueError, "larger than the padded input (5x5)"),
        (lambda: max_pool2d(mg.zeros(5, 5), 2), ValueError, "got shape (5, 5)"),
        (lambda: max_pool2d(X, 2, ceil_mode=True), NotImplementedError, "ceil_mode"),
        (lambda: avg_pool2d(X, 2, count_include_pad=False), NotImplementedError, "count_include"),
    ],
)
def test_errors_name_the_problem(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


def test_functional_package_exports_these_functions():
    import minigrad.nn.functional as functional

    assert functional.conv2d is conv2d
    assert functional.max_pool2d is max_pool2d and functional.avg_pool2d is avg_pool2d
