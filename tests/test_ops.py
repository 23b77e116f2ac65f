"""Generic checks for every row of the op database (tests/op_db.py)."""

import warnings

import numpy as np
import pytest
from op_db import OPS

import minigrad as mg

CASES = [
    pytest.param(case, shapes, id=f"{case.name}-{'x'.join(map(str, shapes))}")
    for case in OPS
    for shapes in case.samples()
]


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def _minigrad_inputs(case, arrays, shapes):
    grads = case.differentiable(shapes)
    return [mg.tensor(a, requires_grad=i in grads) for i, a in enumerate(arrays)]


@pytest.mark.parametrize("case, shapes", CASES)
def test_gradcheck(case, shapes):
    rng = np.random.default_rng(0)
    inputs = _minigrad_inputs(case, case.make_inputs(shapes, rng), shapes)
    assert mg.autograd.gradcheck(lambda *xs: case.fn(mg, *xs), inputs)


@pytest.mark.parametrize("case, shapes", CASES)
def test_against_torch(case, shapes, torch):
    """Values and gradients (with a random upstream gradient) equal PyTorch's, in float32."""
    rng = np.random.default_rng(1)
    arrays = case.make_inputs(shapes, rng, dtype=np.float32)
    grads = case.differentiable(shapes)
    ours = _minigrad_inputs(case, arrays, shapes)
    theirs = [torch.tensor(a, requires_grad=i in grads) for i, a in enumerate(arrays)]
    out, expected = case.fn(mg, *ours), case.fn(torch, *theirs)
    assert out.shape == tuple(expected.shape)
    assert out.dtype == np.dtype(str(expected.dtype).removeprefix("torch."))
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-5, atol=1e-6)
    upstream = rng.standard_normal(out.shape).astype(out.dtype)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    for i in grads:
        assert ours[i].grad.dtype == ours[i].dtype
        np.testing.assert_allclose(
            ours[i].grad.numpy(), theirs[i].grad.numpy(), rtol=case.rtol, atol=case.atol
        )


@pytest.mark.parametrize("case, shapes", CASES)
def test_float32_stays_float32(case, shapes):
    rng = np.random.default_rng(2)
    inputs = _minigrad_inputs(case, case.make_inputs(shapes, rng, dtype=np.float32), shapes)
    out = case.fn(mg, *inputs)
    assert out.dtype == (np.float64 if case.name == "to_float64" else np.float32)
    out.backward(np.ones(out.shape, out.dtype))
    for i in case.differentiable(shapes):
        assert inputs[i].grad.dtype == np.float32


def _has_two_long_dims(param):
    return sum(size > 1 for size in param.values[1][0]) >= 2


@pytest.mark.parametrize("case, shapes", [c for c in CASES if _has_two_long_dims(c)])
def test_non_contiguous_input(case, shapes):
    """A transposed (Fortran-ordered) first input gives the same values and gradients."""
    rng = np.random.default_rng(3)
    arrays = case.make_inputs(shapes, rng)
    strided = np.asfortranarray(arrays[0])
    assert not strided.flags.c_contiguous
    plain = _minigrad_inputs(case, arrays, shapes)
    other = _minigrad_inputs(case, [strided] + arrays[1:], shapes)
    other[0] = mg.from_numpy(strided).requires_grad_(0 in case.differentiable(shapes))
    out, reference = case.fn(mg, *other), case.fn(mg, *plain)
    np.testing.assert_allclose(out.numpy(), reference.numpy())
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    reference.backward(upstream)
    for i in case.differentiable(shapes):
        np.testing.assert_allclose(other[i].grad.numpy(), plain[i].grad.numpy())


def test_every_tensor_method_of_the_api_has_a_row():
    api = (
        "add sub mul div pow neg exp log sqrt abs sin cos tanh sigmoid relu clamp sum mean var "
        "std amax amin max min softmax log_softmax reshape view flatten transpose permute T "
        "squeeze unsqueeze expand matmul cat stack where maximum minimum index"
    ).split()
    names = {case.name.split("_")[0] for case in OPS} | {c.name for c in OPS}
    missing = [name for name in api if name not in names]
    assert not missing, f"ops without a row in the op database: {missing}"
    methods_only = {"view", "expand", "T", "index", "cat", "stack", "where"}
    assert [n for n in api if n not in methods_only and not hasattr(mg.Tensor, n)] == []
    assert [
        n for n in api if n not in {"view", "expand", "T", "index"} and not hasattr(mg, n)
    ] == []


DTYPE_OPERANDS = {
    "float32": np.ones(3, np.float32),
    "float64": np.ones(3, np.float64),
    "int64": np.ones(3, np.int64),
    "int32": np.ones(3, np.int32),
    "bool": np.ones(3, bool),
    "float64 0-d": np.array(2.0),
    "int64 0-d": np.array(2),
    "float": 2.5,
    "int": 2,
}


@pytest.mark.parametrize("op", ["add", "mul", "div", "maximum", "where"])
@pytest.mark.parametrize("left", list(DTYPE_OPERANDS)[:7])
@pytest.mark.parametrize("right", list(DTYPE_OPERANDS))
def test_result_dtypes_follow_pytorch(op, left, right, torch):
    """PyTorch's promotion, not numpy's: int32 * float32 is float32, int / int is float32."""
    a, b = DTYPE_OPERANDS[left], DTYPE_OPERANDS[right]
    if op in ("maximum", "where") and not isinstance(b, np.ndarray):
        b = np.array(b)
    if op == "where":
        ours = mg.where(mg.tensor([True, False, True]), mg.tensor(a), mg.tensor(b))
        theirs = torch.where(torch.tensor([True, False, True]), torch.tensor(a), torch.tensor(b))
    else:
        ours = getattr(mg, op)(mg.tensor(a), mg.tensor(b) if isinstance(b, np.ndarray) else b)
        theirs = getattr(torch, op)(
            torch.tensor(a), torch.tensor(b) if isinstance(b, np.ndarray) else b
        )
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")


@pytest.mark.parametrize("op", ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid"])
def test_float_functions_of_int_tensors_are_float32(op):
    assert getattr(mg, op)(mg.tensor([1, 2])).dtype == mg.float32


# ---- numerics at the edges ---------------------------------------------------------------


@pytest.mark.parametrize("op", ["sigmoid", "log_softmax", "softmax"])
def test_huge_inputs_are_finite_and_warning_free(op):
    x = mg.tensor([[1e4, -1e4, 0.0, 3.0], [-1e4, -1e4, 1e4, 1e4]], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = x.sigmoid() if op == "sigmoid" else getattr(x, op)(dim=1)
        out.backward(np.arange(8, dtype=np.float32).reshape(2, 4))
    assert np.all(np.isfinite(out.numpy())) and np.all(np.isfinite(x.grad.numpy()))
    if op == "sigmoid":
        np.testing.assert_array_equal(out.numpy()[0, :3], [1.0, 0.0, 0.5])
    if op == "log_softmax":
        np.testing.assert_allclose(
            out.numpy()[1], [-2e4 - np.log(2), -2e4 - np.log(2), -np.log(2), -np.log(2)], rtol=1e-6
        )


@pytest.mark.parametrize(
    "name, fn, values, expected, expected_grad",
    [
        ("log", lambda t: t.log(), [0.0, -1.0], [-np.inf, np.nan], [np.inf, -1.0]),
        ("sqrt", lambda t: t.sqrt(), [0.0, -1.0], [0.0, np.nan], [np.inf, np.nan]),
        ("div", lambda t: 1.0 / t, [0.0, 2.0], [np.inf, 0.5], [-np.inf, -0.25]),
    ],
)
def test_poles_give_ieee_values_without_warnings(name, fn, values, expected, expected_grad):
    """As in PyTorch: log(0) = -inf, sqrt(-1) = nan, 1/0 = inf, silently, and so their
    gradients."""
    x = mg.tensor(values, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = fn(x)
        out.sum().backward()
    np.testing.assert_array_equal(out.numpy(), np.float32(expected))
    np.testing.assert_array_equal(x.grad.numpy(), np.float32(expected_grad))


def test_sigmoid_keeps_relative_precision_in_the_tail():
    out = mg.tensor([-30.0, -80.0]).sigmoid().numpy()
    np.testing.assert_allclose(out, np.exp([-30.0, -80.0]), rtol=1e-5)


# ---- conventions at kinks and ties, as PyTorch -----------------------------------------------


def test_relu_and_abs_have_zero_gradient_at_zero():
    x = mg.tensor([0.0, 0.0], requires_grad=True)
    (x.relu() + x.abs()).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])


def test_clamp_passes_gradient_at_its_bounds():
    x = mg.tensor([-1.0, 0.0, 1.0, 2.0], requires_grad=True)
    x.clamp(0.0, 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 1.0, 0.0])


def test_ties_share_the_gradient_in_amax_but_not_in_max_dim():
    x = mg.tensor([[1.0, 3.0, 3.0]], requires_grad=True)
    x.amax().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 0.5, 0.5]])
    x.grad = None
    values, indices = x.max(dim=1)
    values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 1.0, 0.0]])
    assert indices.tolist() == [1] and indices.dtype == np.int64


def test_maximum_splits_ties_in_half():
    a, b = mg.tensor([1.0, 2.0], requires_grad=True), mg.tensor([1.0, 1.0], requires_grad=True)
    mg.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [0.5, 1.0])
    np.testing.assert_array_equal(b.grad.numpy(), [0.5, 0.0])


def test_max_min_with_dim_match_torch_indices(torch):
    x = np.random.default_rng(4).standard_normal((3, 5, 4)).astype(np.float32)
    for dim in (0, 1, -1):
        for name in ("max", "min"):
            ours = getattr(mg.tensor(x), name)(dim=dim)
            theirs = getattr(torch.tensor(x), name)(dim=dim)
            np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())


def test_argmax_argmin_match_numpy():
    x = np.random.default_rng(5).standard_normal((3, 4)).astype(np.float32)
    t = mg.tensor(x)
    assert t.argmax().item() == np.argmax(x) and t.argmin().item() == np.argmin(x)
    np.testing.assert_array_equal(mg.argmax(t, dim=1).numpy(), np.argmax(x, axis=1))
    assert t.argmin(dim=0, keepdim=True).shape == (1, 4)
    assert t.argmax(dim=-1).dtype == np.int64


def test_comparisons_give_bool_tensors_without_gradient():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result in (x == 2, x != 2, x < 2, x <= 2, x > 2, x >= 2, x > np.array([0, 5, 0])):
        assert result.dtype == np.bool_ and not result.requires_grad
    assert (x > 1.5).tolist() == [False, True, True]


# ---- bad input: errors name the shapes, raised by minigrad ----------------------------------


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: mg.ones(3, 4) @ mg.ones(5, 6), "(3, 4) and (5, 6)"),
        (lambda: mg.ones(3) @ mg.ones(4), "(3,) and (4,)"),
        (lambda: mg.ones(2, 3, 4) @ mg.ones(5, 4, 2), "batch"),
        (lambda: mg.ones(()) @ mg.ones(3), "at least 1 dimension"),
        (lambda: mg.ones(3, 4).reshape(5, 3), "(5, 3) is invalid for a tensor of shape (3, 4)"),
        (lambda: mg.ones(3, 4).view(-1, -1), "at most one -1"),
        (lambda: mg.ones(3, 4) + mg.ones(5), "(3, 4), (5,) cannot be broadcast"),
        (lambda: mg.ones(3, 4) * mg.ones(2, 4), "(3, 4), (2, 4)"),
        (lambda: mg.ones(3, 4).expand(3, 5), "expand"),
        (lambda: mg.ones(3).expand(-1, 3), "shape (-1, 3) for a tensor of shape (3,)"),
        (lambda: mg.cat([mg.ones(2, 3), mg.ones(3, 3)], dim=1), "(3, 3)"),
        (lambda: mg.stack([mg.ones(2), mg.ones(3)]), "(3,)"),
        (lambda: mg.where(mg.ones(3) > 0, mg.ones(4), 0.0), "cannot be broadcast"),
    ],
)
def test_shape_errors_name_the_shapes(call, message):
    with pytest.raises(mg.ShapeError) as info:
        call()
    assert message in str(info.value)
    assert info.traceback[-1].path.name != "fromnumeric.py"
    assert "minigrad" in str(info.traceback[-1].path)


def test_dim_out_of_range_is_an_index_error_as_in_pytorch():
    with pytest.raises(IndexError, match=r"range of \[-2, 1\], but got 2"):
        mg.ones(3, 4).sum(dim=2)
    with pytest.raises(ValueError, match="twice"):
        mg.ones(3, 4).sum(dim=(1, -1))


def test_requires_grad_needs_a_float_tensor():
    with pytest.raises(RuntimeError, match="floating point"):
        mg.tensor([1, 2], requires_grad=True)


@pytest.mark.parametrize("case, shapes", CASES)
def test_gradgradcheck(case, shapes):
    """Second derivatives (create_graph=True) against central differences of the first."""
    rng = np.random.default_rng(4)
    inputs = _minigrad_inputs(case, case.make_inputs(shapes, rng), shapes)
    assert mg.autograd.gradgradcheck(lambda *xs: case.fn(mg, *xs), inputs)
