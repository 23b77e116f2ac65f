"""Careless arguments are refused where the user wrote them, with torch's exception types and
messages that name the argument (issue 13)."""

import numpy as np
import pytest

import minigrad as mg


@pytest.fixture(scope="module")
def torch_module():
    return pytest.importorskip("torch")


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: mg.zeros(2.7), TypeError, "float at pos 0"),
        (lambda: mg.zeros("3"), TypeError, "str at pos 0"),
        (lambda: mg.ones((2, 2.5)), TypeError, "float at pos 1"),
        (lambda: mg.randn(2, -3), RuntimeError, r"negative dimension -3: \[2, -3\]"),
        (lambda: mg.zeros(-1), RuntimeError, "negative dimension"),
        (lambda: mg.eye(-1), RuntimeError, "n must be greater or equal to 0, got -1"),
        (lambda: mg.randint(5, 2, (3,)), RuntimeError, "low=5 >= high=2"),
    ],
)
def test_factories_refuse_bad_sizes(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_good_sizes_still_work():
    assert mg.zeros(2, 3).shape == (2, 3)
    assert mg.ones(mg.zeros(4, 1).shape).shape == (4, 1)
    assert mg.zeros(0, 3).shape == (0, 3)
    assert mg.randint(0, 3, (5,)).shape == (5,)
    assert mg.eye(0).shape == (0, 0)


@pytest.mark.parametrize("kernel_size", [2.5, (3,), (3, 3, 3), "3"])
def test_conv2d_refuses_a_bad_kernel_size_at_construction(kernel_size):
    with pytest.raises(TypeError, match="kernel_size must be an int or a pair of ints"):
        mg.nn.Conv2d(1, 8, kernel_size)


def test_conv2d_good_kernel_sizes():
    assert mg.nn.Conv2d(1, 8, 3).kernel_size == (3, 3)
    assert mg.nn.Conv2d(1, 8, [3, 2]).kernel_size == (3, 2)


@pytest.mark.parametrize("data", ["abc", ["a", "b"], [object()], [[1, 2], [3]]])
def test_tensor_refuses_strings_and_objects(data):
    with pytest.raises((TypeError, ValueError), match="tensor|inhomogeneous|sequence"):
        mg.tensor(data)


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"eps": -1}, "eps"),
        ({"eps": "1e-5"}, "eps"),
        ({"momentum": 1.5}, "momentum"),
        ({"momentum": "0.1"}, "momentum"),
    ],
)
def test_batchnorm_refuses_bad_eps_and_momentum(kwargs, word):
    for layer in (mg.nn.BatchNorm1d, mg.nn.BatchNorm2d):
        with pytest.raises(ValueError, match=f"{layer.__name__}: {word}"):
            layer(3, **kwargs)
    assert mg.nn.BatchNorm2d(3, eps=0, momentum=None).eps == 0


def test_batchnorm_takes_numpy_scalars():
    import numpy as np

    assert mg.nn.BatchNorm1d(3, eps=np.float32(1e-3), momentum=np.float64(0.2)).momentum == 0.2


# ---- binary_cross_entropy's target -------------------------------------------------------------

F = mg.nn.functional


@pytest.mark.parametrize(
    "target, match",
    [
        ([2.0, 0.5], "target should be between 0 and 1, got values from 0.5 to 2.0"),
        ([-0.5, 0.5], "target should be between 0 and 1"),
        ([float("nan"), 0.5], "target should be between 0 and 1.*NaN"),
    ],
)
def test_binary_cross_entropy_refuses_a_target_outside_0_1(target, match):
    with pytest.raises(RuntimeError, match=match):
        F.binary_cross_entropy(mg.tensor([0.2, 0.7]), mg.tensor(target))


@pytest.mark.parametrize("loss", [F.binary_cross_entropy, F.binary_cross_entropy_with_logits])
def test_binary_losses_refuse_a_target_of_another_dtype(loss):
    with pytest.raises(RuntimeError, match="Found dtype int64 but expected float32"):
        loss(mg.tensor([0.2, 0.7]), mg.tensor([1, 0]))
    if loss is F.binary_cross_entropy:  # the logits version promotes, as PyTorch's
        with pytest.raises(RuntimeError, match="Found dtype float64 but expected float32"):
            loss(mg.tensor([0.2, 0.7]), mg.tensor([1.0, 0.0], dtype=mg.float64))
    assert loss(mg.tensor([0.2, 0.7]), [1.0, 0.0]).dtype == mg.float32  # a list is converted


# ---- zero-size tensors work where PyTorch's do ------------------------------------------------


def test_zero_size_batches_flow_through_the_layers():
    x = mg.zeros(0, 1, 28, 28, requires_grad=True)
    conv = mg.nn.Conv2d(1, 8, 3, padding=1)
    y = mg.nn.functional.max_pool2d(conv(x), 2).flatten(1)
    assert y.shape == (0, 8 * 14 * 14)
    out = mg.nn.Linear(8 * 14 * 14, 10)(y).log_softmax(1)
    assert out.shape == (0, 10)
    out.sum().backward()
    assert x.grad.shape == (0, 1, 28, 28) and conv.weight.grad.shape == (8, 1, 3, 3)
    assert not conv.weight.grad.numpy().any()


def test_zero_size_dims_in_softmax_flatten_and_conv_channels():
    assert mg.zeros(3, 0).softmax(1).shape == (3, 0)
    assert F.log_softmax(mg.zeros(0, 4), 1).shape == (0, 4)
    assert mg.zeros(0, 1, 28, 28).flatten(1).shape == (0, 784)
    assert mg.zeros(2, 0, 3).flatten().shape == (0,)
    conv = mg.nn.Conv2d(0, 8, 3)
    assert conv.weight.shape == (8, 0, 3, 3)
    y = conv(mg.zeros(2, 0, 5, 5))  # no input channels: the output is the bias
    bias = conv.bias.numpy()[None, :, None, None]
    np.testing.assert_allclose(y.numpy(), np.broadcast_to(bias, (2, 8, 3, 3)))


def test_cross_entropy_of_an_empty_batch_is_nan_without_a_warning():
    loss = F.cross_entropy(mg.zeros(0, 3), mg.zeros(0, dtype=mg.int64))
    assert np.isnan(loss.item())
    assert F.cross_entropy(mg.zeros(0, 3), mg.zeros(0, dtype=mg.int64), reduction="sum") == 0


# ---- result dtypes and bool arithmetic as in PyTorch -------------------------------------------

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
SCALARS = [True, 2, 2.5]


def _example(lib, dtype, shape=(3,)):
    values = np.array([True, False, True] if dtype == "bool" else [1, 2, 3], dtype)
    values = values[: shape[0]] if shape else values[0]
    return lib.from_numpy(np.array(values)) if lib is not mg else mg.tensor(values)


def _dtype_or_error(call, *args):
    try:
        return str(call(*args).dtype).removeprefix("torch.")
    except (RuntimeError, NotImplementedError, TypeError, ValueError) as error:
        return type(error).__name__


BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "radd": lambda a, b: b + a,
    "rsub": lambda a, b: b - a,
    "rdiv": lambda a, b: b / a,
    "rpow": lambda a, b: b**a,
}


@pytest.mark.parametrize("op", sorted(BINARY))
@pytest.mark.parametrize("left", DTYPES)
def test_binary_result_dtypes_and_refusals_follow_torch(op, left, torch_module):
    """Every dtype pair, tensor and 0-d tensor and Python scalar operands: the same result
    dtype as PyTorch, or an error where PyTorch refuses (bool - bool, bool ** bool)."""
    f = BINARY[op]
    wrong = []
    for right in [*SCALARS, *((d, s) for d in DTYPES for s in [(3,), ()])]:
        if isinstance(right, tuple):
            ours_b, theirs_b = _example(mg, *right), _example(torch_module, *right)
        else:
            ours_b = theirs_b = right
        ours = _dtype_or_error(f, _example(mg, left), ours_b)
        theirs = _dtype_or_error(f, _example(torch_module, left), theirs_b)
        if ours != theirs and not (ours.endswith("Error") and theirs.endswith("Error")):
            wrong.append((right, ours, theirs))
    assert not wrong


UNARY = ["abs", "neg", "exp", "sqrt", "square", "relu", "sigmoid", "sum", "mean"]


@pytest.mark.parametrize("op", UNARY)
def test_unary_result_dtypes_follow_torch(op, torch_module):
    wrong = []
    for dtype in DTYPES:
        ours = _dtype_or_error(getattr(_example(mg, dtype), op))
        theirs = _dtype_or_error(getattr(_example(torch_module, dtype), op))
        if ours != theirs and not (ours.endswith("Error") and theirs.endswith("Error")):
            wrong.append((dtype, ours, theirs))
    assert not wrong


@pytest.mark.parametrize("bounds", [(0.5, 1.5), (0, 1), (1, 2.5), (None, 2.5), (True, None)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_clamp_result_dtypes_follow_torch(bounds, dtype, torch_module):
    ours = _dtype_or_error(lambda: _example(mg, dtype).clamp(*bounds))
    theirs = _dtype_or_error(lambda: _example(torch_module, dtype).clamp(*bounds))
    assert ours == theirs or (ours.endswith("Error") and theirs.endswith("Error"))


def test_bool_arithmetic_errors_say_what_to_use():
    mask = mg.tensor([True, False])
    with pytest.raises(RuntimeError, match="use the `~` or `logical_not"):
        mask - mask
    with pytest.raises(RuntimeError, match="use the `~` or `logical_not"):
        mask.neg()
    assert (mask**True).dtype == mg.bool and (mask**2).dtype == mg.int64
    assert (mask**False).tolist() == [True, True]
    with pytest.raises(RuntimeError, match="negative integer powers"):
        mg.tensor([1, 2]) ** -1


def test_clamp_with_tensor_bounds_matches_torch(torch_module):
    x = np.array([[-2.0, 0.5, 3.0], [1.0, -1.0, 0.2]])
    lo, hi = np.array([-1.0, 0.5, 0.0]), np.array([[0.0], [2.0]])
    ours_x = mg.tensor(x, requires_grad=True)
    ours_lo, ours_hi = mg.tensor(lo, requires_grad=True), mg.tensor(hi, requires_grad=True)
    theirs = [torch_module.tensor(a, requires_grad=True) for a in (x, lo, hi)]
    out = ours_x.clamp(ours_lo, ours_hi)
    want = theirs[0].clamp(theirs[1], theirs[2])
    np.testing.assert_allclose(out.numpy(), want.detach().numpy())
    upstream = np.arange(6.0).reshape(2, 3)
    out.backward(mg.tensor(upstream))
    want.backward(torch_module.tensor(upstream))
    for mine, their in zip((ours_x, ours_lo, ours_hi), theirs):
        np.testing.assert_allclose(mine.grad.numpy(), their.grad.numpy())
