"""Every op-table row at IEEE edge values: no numpy RuntimeWarning escapes, forward or backward,
and where PyTorch's result is finite minigrad's is too (and equal to it).

Each input is filled with a mix of zeros, signed infinities, NaN, the float extremes, tiny
numbers and negatives (the values that make numpy warn), in float32 and float64.
"""

import warnings

import numpy as np
import pytest
from op_db import OPS

import minigrad as mg


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


EDGES = [0.0, -0.0, np.inf, -np.inf, np.nan, 3.0e38, -3.0e38, 1e-42, -2.5, 1e20, 1.0, -1e-20]


def _edge_inputs(case, shapes, dtype, seed):
    rng = np.random.default_rng(seed)
    arrays = case.make_inputs(shapes, rng, dtype)
    return [
        a if position in case.int_inputs else rng.choice(np.array(EDGES, dtype), np.shape(a))
        for position, a in enumerate(arrays)
    ]


CASES = [
    pytest.param(case, shapes, id=f"{case.name}-{i}")
    for case in OPS
    for i, shapes in enumerate(case.samples())
]


def _run(lib, case, arrays, requires_grad):
    inputs = [lib.tensor(a) for a in arrays]
    for position in case.differentiable([a.shape for a in arrays]) if requires_grad else []:
        inputs[position].requires_grad_(True)
    out = case.fn(lib, *inputs)
    if requires_grad and out.requires_grad:
        out.sum().backward()
    return out, [inputs[p].grad for p in range(len(inputs)) if inputs[p].requires_grad]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case, shapes", CASES)
def test_edge_values_raise_no_runtime_warning(case, shapes, dtype):
    for seed in range(3):
        arrays = _edge_inputs(case, shapes, dtype, seed)
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            try:
                _run(mg, case, arrays, requires_grad=True)
            except (ValueError, RuntimeError, IndexError):
                pass  # an op may refuse an input (a NaN target, say), but never by a warning


# Rows whose elements are sums of many terms: at edge values their last digits depend on the
# order of summation (3e38 - 3e38 + 1e20), so only finiteness is compared.
SUMS = (
    "sum", "mean", "var", "std", "matmul", "linear", "conv", "bilinear", "layer_norm",
    "group_norm", "batch_norm", "normalize", "cosine", "pairwise", "softmax", "log_softmax",
    "softmin", "avg_pool", "cross_entropy", "nll", "mse", "bce", "binary", "kl", "l1",
    "smooth", "huber", "glu", "adaptive_avg_pool", "instance_norm", "interpolate",
)  # fmt: skip


# PyTorch's fused attention kernel keeps a running max, and gives finite values for infinite
# scores where the softmax formula (torch.softmax itself included) gives NaN: not compared.
NOT_COMPARED = ("scaled_dot_product_attention",)


@pytest.mark.parametrize("case, shapes", CASES)
def test_edge_value_forward_is_finite_where_torch_is(case, shapes, torch):
    if case.name.startswith(NOT_COMPARED):
        pytest.skip("PyTorch's fused attention kernel: see NOT_COMPARED")
    for seed in range(3):
        arrays = _edge_inputs(case, shapes, np.float64, seed)
        try:
            theirs, _ = _run(torch, case, [a.copy() for a in arrays], requires_grad=False)
        except (RuntimeError, IndexError, ValueError):
            continue
        ours, _ = _run(mg, case, arrays, requires_grad=False)
        theirs, ours = theirs.detach().numpy(), ours.numpy()
        assert ours.shape == theirs.shape
        finite = np.isfinite(theirs)
        assert np.isfinite(ours[finite]).all(), (ours, theirs)
        if not case.name.startswith(SUMS):
            np.testing.assert_allclose(ours[finite], theirs[finite], rtol=1e-6, atol=1e-300)
