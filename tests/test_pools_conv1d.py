"""1-D convolution and pools, adaptive pools, instance and local response norms: the layers
against torch's (same weights), the tuple-returning max pools on PyTorch's OpInfo samples,
tie conventions, and bad inputs (exception types and messages)."""

import inspect
import time

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn

torch = pytest.importorskip("torch")

MODULES = (
    "AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveMaxPool2d AvgPool1d MaxPool1d Conv1d "
    "InstanceNorm1d InstanceNorm2d LocalResponseNorm"
).split()
FUNCTIONS = (
    "adaptive_avg_pool1d adaptive_avg_pool2d adaptive_max_pool2d avg_pool1d max_pool1d conv1d "
    "instance_norm local_response_norm"
).split()


def _close(ours, theirs, **tolerance):
    tolerance = tolerance or {"rtol": 1e-5, "atol": 1e-6}
    np.testing.assert_allclose(np.asarray(ours.numpy()), theirs.detach().numpy(), **tolerance)


# ---- signatures and reprs --------------------------------------------------------------------


@pytest.mark.parametrize("name", MODULES)
def test_module_constructor_arguments_match_torch(name):
    got = inspect.signature(getattr(nn, name)).parameters
    expected = inspect.signature(getattr(torch.nn, name)).parameters
    assert list(got) == list(expected)
    for key, parameter in expected.items():
        assert got[key].default == parameter.default, key


def test_function_arguments_match_torch_docs():
    for name in FUNCTIONS:
        theirs = getattr(torch.nn.functional, name)
        try:
            expected = list(inspect.signature(theirs).parameters)
        except (TypeError, ValueError):
            expected = None
        if expected in (None, ["args", "kwargs"]):  # a builtin: its documented signature
            doc = theirs.__doc__.strip().splitlines()[0]
            inside = doc[doc.index("(") + 1 : doc.index(")")]
            expected = [a.split("=")[0].strip() for a in inside.split(",")]
            expected = [a for a in expected if a not in ("", "*")]
        got = list(inspect.signature(getattr(F, name)).parameters)
        if name == "max_pool1d":  # boolean_dispatch: the docs list return_indices last
            expected = "input kernel_size stride padding dilation ceil_mode return_indices".split()
        if name == "adaptive_max_pool2d":
            expected = ["input", "output_size", "return_indices"]
        assert got[: len(expected)] == expected[: len(got)] and len(got) == len(expected), name


@pytest.mark.parametrize(
    "make",
    [
        lambda nn: nn.Conv1d(3, 4, 3),
        lambda nn: nn.Conv1d(4, 6, (5,), stride=2, padding=2, dilation=2, groups=2, bias=False),
        lambda nn: nn.Conv1d(3, 4, 3, padding="same"),
        lambda nn: nn.AvgPool1d(3),
        lambda nn: nn.AvgPool1d(3, 2, 1, ceil_mode=True),
        lambda nn: nn.MaxPool1d(3, 2, 1, return_indices=True),
        lambda nn: nn.AdaptiveAvgPool1d(2),
        lambda nn: nn.AdaptiveAvgPool2d((2, None)),
        lambda nn: nn.AdaptiveMaxPool2d(3, return_indices=True),
        lambda nn: nn.InstanceNorm1d(3),
        lambda nn: nn.InstanceNorm2d(3, affine=True, track_running_stats=True),
        lambda nn: nn.LocalResponseNorm(2, alpha=0.1),
    ],
)
def test_repr_and_state_dict_keys_match_torch(make):
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for key, value in theirs.state_dict().items():
        assert ours.state_dict()[key].shape == tuple(value.shape), key


# ---- layers against torch's, with the same weights ---------------------------------------------


def _compare_module(ours, theirs, shape, seed=0, train=True):
    x = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    mine, yours = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours.train(train), theirs.train(train)
    out, expected = ours(mine), theirs(yours)
    if isinstance(expected, tuple):
        np.testing.assert_array_equal(out[1].numpy(), expected[1].numpy())
        out, expected = out[0], expected[0]
    _close(out, expected)
    upstream = np.random.default_rng(seed + 1).standard_normal(out.shape).astype(np.float32)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    _close(mine.grad, yours.grad, rtol=1e-4, atol=1e-5)
    params = dict(theirs.named_parameters())
    for name, param in ours.named_parameters():
        _close(param.grad, params[name].grad, rtol=1e-4, atol=1e-5)


@pytest.mark.filterwarnings("ignore:Using padding='same'")  # torch's, for an even kernel
@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda nn: nn.Conv1d(3, 4, 3), (2, 3, 10)),
        (lambda nn: nn.Conv1d(4, 6, 5, stride=2, padding=2, dilation=2, groups=2), (2, 4, 17)),
        (lambda nn: nn.Conv1d(3, 5, 4, padding="same", bias=False), (3, 9)),
        (lambda nn: nn.Conv1d(2, 2, 3, padding="valid", groups=2), (1, 2, 6)),
    ],
)
def test_conv1d_loads_torch_state_dict_and_matches(make, shape):
    theirs = make(torch.nn)
    ours = make(nn)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    _compare_module(ours, theirs, shape)


def test_conv1d_initialisation_is_torchs():
    """kaiming_uniform(a=sqrt(5)) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in)), the bias too."""
    mg.manual_seed(0)
    conv = nn.Conv1d(8, 64, 5, groups=2)
    bound = 1 / np.sqrt(4 * 5)
    for param in (conv.weight.numpy(), conv.bias.numpy()):
        assert param.dtype == np.float32
        assert np.abs(param).max() <= bound
        assert np.abs(param).max() > 0.9 * bound
    assert abs(conv.weight.numpy().std() - bound / np.sqrt(3)) < 0.1 * bound
    assert conv.weight.shape == (64, 4, 5)


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda nn: nn.AvgPool1d(3), (2, 3, 10)),
        (lambda nn: nn.AvgPool1d(4, 3, 2, ceil_mode=True, count_include_pad=False), (2, 3, 11)),
        (lambda nn: nn.MaxPool1d(3, 2, 1), (2, 3, 10)),
        (lambda nn: nn.MaxPool1d(3, 2, 1, dilation=2, ceil_mode=True), (3, 10)),
        (lambda nn: nn.MaxPool1d(2, return_indices=True), (2, 3, 7)),
        (lambda nn: nn.MaxPool1d((3,), (2,), (1,), (2,), True, True), (2, 3, 9)),
        (lambda nn: nn.AdaptiveAvgPool1d(4), (2, 3, 10)),
        (lambda nn: nn.AdaptiveAvgPool2d(1), (2, 8, 7, 7)),
        (lambda nn: nn.AdaptiveAvgPool2d((2, 3)), (2, 3, 8, 9)),
        (lambda nn: nn.AdaptiveAvgPool2d((5, None)), (2, 3, 13, 4)),
        (lambda nn: nn.AdaptiveAvgPool2d(3), (4, 7, 5)),
        (lambda nn: nn.AdaptiveMaxPool2d((3, 4)), (2, 3, 7, 9)),
        (lambda nn: nn.AdaptiveMaxPool2d(2, return_indices=True), (2, 3, 6, 6)),
        (lambda nn: nn.AdaptiveMaxPool2d((None, 2), return_indices=True), (3, 5, 5)),
        (lambda nn: nn.LocalResponseNorm(3, alpha=0.2, k=1.5), (2, 6, 4, 4)),
        (lambda nn: nn.LocalResponseNorm(4), (2, 5, 7)),
    ],
)
def test_parameterless_layers_match_torch(make, shape):
    _compare_module(make(nn), make(torch.nn), shape)


@pytest.mark.parametrize(
    "cls, shape", [("InstanceNorm1d", (4, 3, 9)), ("InstanceNorm2d", (2, 3, 5, 4))]
)
@pytest.mark.parametrize("affine", [False, True])
@pytest.mark.parametrize("track", [False, True])
def test_instance_norm_layers_match_torch_in_train_and_eval(cls, shape, affine, track):
    theirs = getattr(torch.nn, cls)(3, affine=affine, track_running_stats=track, momentum=0.3)
    ours = getattr(nn, cls)(3, affine=affine, track_running_stats=track, momentum=0.3)
    if affine:
        with torch.no_grad():
            theirs.weight.uniform_(0.5, 1.5)
            theirs.bias.uniform_(-0.5, 0.5)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    for step in range(3):
        _compare_module(ours, theirs, shape, seed=step)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key], value.numpy(), rtol=1e-5, atol=1e-6)
    _compare_module(ours, theirs, shape, seed=7, train=False)
    _compare_module(ours, theirs, shape[1:], seed=8, train=False)  # unbatched


def test_instance_norm_momentum_none_and_unbatched_training():
    theirs = torch.nn.InstanceNorm1d(3, momentum=None, track_running_stats=True)
    ours = nn.InstanceNorm1d(3, momentum=None, track_running_stats=True)
    _compare_module(ours, theirs, (3, 6))
    np.testing.assert_allclose(ours.running_mean.numpy(), theirs.running_mean.numpy())


def test_instance_norm_without_affine_warns_on_a_channel_mismatch_as_torch():
    with pytest.warns(UserWarning, match="does not match num_features"):
        out = nn.InstanceNorm2d(3)(mg.randn(2, 4, 3, 3))
    assert out.shape == (2, 4, 3, 3)


# ---- the tuple-returning max pools on PyTorch's OpInfo samples -------------------------------


@pytest.mark.parametrize("name", ["adaptive_max_pool2d", "max_pool1d"])
def test_opinfo_samples_with_indices_match_torch(name):
    common = pytest.importorskip("torch.testing._internal.common_methods_invocations")
    (op,) = [o for o in common.op_db if o.name == f"nn.functional.{name}"]
    function, count, seen = getattr(F, name), 0, set()
    for dtype in (torch.float32, torch.float64):
        for sample in op.sample_inputs("cpu", dtype, requires_grad=True):
            # max_pool1d's 1728 samples repeat each setting as int and as 1-tuple: one sample
            # per setting and dtype keeps this test fast (1-tuples: the layer tests).
            plain = {k: v[0] if isinstance(v, tuple) and len(v) == 1 else v
                     for k, v in sample.kwargs.items()}  # fmt: skip
            key = (dtype, tuple(sample.input.shape), repr(sample.args), repr(sorted(plain.items())))
            if key in seen:
                continue
            seen.add(key)
            expected = op.op(sample.input, *sample.args, **sample.kwargs)
            x = mg.tensor(sample.input.detach().numpy().copy(), requires_grad=True)
            out = function(x, *sample.args, **sample.kwargs)
            if isinstance(expected, tuple):
                np.testing.assert_array_equal(out[1].numpy(), expected[1].numpy())
                assert out[1].dtype == np.int64
                out, expected = out[0], expected[0]
            assert out.shape == tuple(expected.shape)
            assert str(out.dtype) == str(expected.dtype).removeprefix("torch.")
            _close(out, expected)
            upstream = np.random.default_rng(0).standard_normal(out.shape).astype(out.dtype)
            out.backward(upstream)
            (grad,) = torch.autograd.grad(expected, sample.input, torch.tensor(upstream))
            _close(x.grad, grad)
            count += 1
    assert count > 40


# ---- ties, NaNs and the fast paths -------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda F, x: F.adaptive_max_pool2d(x, (2, 3), return_indices=True),
        lambda F, x: F.adaptive_max_pool2d(x, (3, 2), return_indices=True),
        lambda F, x: F.max_pool1d(x.flatten(2), 3, 2, 1, return_indices=True),
        lambda F, x: F.max_pool1d(x.flatten(2), 4, 3, 2, ceil_mode=True, return_indices=True),
    ],
)
def test_max_pools_follow_torch_on_ties_and_nans(call):
    x = np.round(np.random.default_rng(0).standard_normal((2, 3, 6, 6)))
    x[0, 0, 1, 1] = x[0, 0, 4, 2] = x[1, 2, 0, 5] = np.nan
    x = x.astype(np.float32)
    mine, yours = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (out, index), (expected, expected_index) = call(F, mine), call(torch.nn.functional, yours)
    np.testing.assert_array_equal(index.numpy(), expected_index.numpy())
    np.testing.assert_array_equal(out.numpy(), expected.detach().numpy())
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_array_equal(mine.grad.numpy(), yours.grad.numpy())


def test_adaptive_avg_pool2d_general_case_is_vectorised():
    """No loop over pixels: the general windows cost about as much as the divisible ones."""
    x = mg.randn(32, 64, 27, 27, requires_grad=True)
    F.adaptive_avg_pool2d(x, (7, 7)).sum().backward()  # warm up
    start = time.perf_counter()
    F.adaptive_avg_pool2d(x, (7, 7)).sum().backward()
    assert time.perf_counter() - start < 0.5
    y = mg.tensor(np.arange(2 * 5 * 7, dtype=np.float32).reshape(1, 2, 5, 7))
    _close(F.adaptive_avg_pool2d(y, (3, 4)), torch.nn.functional.adaptive_avg_pool2d(
        torch.tensor(y.numpy()), (3, 4)))  # fmt: skip


def test_adaptive_avg_pool2d_keeps_an_infinity_inside_its_windows():
    x = np.zeros((1, 1, 5, 7), np.float32)
    x[0, 0, 0, 0], x[0, 0, 4, 6] = np.inf, np.nan
    out = F.adaptive_avg_pool2d(mg.tensor(x), (3, 4)).numpy()
    expected = torch.nn.functional.adaptive_avg_pool2d(torch.tensor(x), (3, 4)).numpy()
    np.testing.assert_array_equal(out, expected)  # inf and NaN in their corners, 0 elsewhere
    assert F.adaptive_avg_pool2d(mg.randn(2, 3, 4, 5), (0, 2)).shape == (2, 3, 0, 2)


def test_float64_and_zero_size_batches():
    for fn in [
        lambda F, x: F.adaptive_avg_pool2d(x, (2, 3)),
        lambda F, x: F.adaptive_max_pool2d(x, 2),
        lambda F, x: F.avg_pool1d(x.flatten(2), 3, ceil_mode=True),
    ]:
        for shape in [(2, 3, 5, 7), (0, 3, 5, 7)]:
            x = np.random.default_rng(0).standard_normal(shape)
            out, expected = fn(F, mg.tensor(x)), fn(torch.nn.functional, torch.tensor(x))
            assert out.dtype == np.float64 and out.shape == tuple(expected.shape)
            _close(out, expected)
    out = F.conv1d(mg.zeros(0, 3, 5), mg.ones(2, 3, 2))
    assert out.shape == (0, 2, 4)
    mean, var = mg.zeros(3), mg.ones(3)
    out = F.instance_norm(mg.zeros(0, 3, 4), mean, var, mg.ones(3), mg.zeros(3))
    assert out.shape == (0, 3, 4) and np.isnan(mean.numpy()).all()  # as torch


# ---- bad inputs: torch's exception types, messages naming the argument and the shapes --------


@pytest.mark.parametrize(
    "call, error, words",
    [
        (
            lambda: F.adaptive_avg_pool2d(mg.randn(8, 8), 2),
            RuntimeError,
            ["input", "(8, 8)", "3-D"],
        ),
        (
            lambda: F.adaptive_avg_pool2d(mg.randn(1, 2, 4, 4), (2, 2, 2)),
            RuntimeError,
            ["output_size", "(2, 2, 2)"],
        ),
        (
            lambda: F.adaptive_avg_pool2d(mg.randn(1, 2, 4, 4), -1),
            RuntimeError,
            ["output_size", ">= 0"],
        ),
        (
            lambda: F.adaptive_avg_pool2d(mg.randn(1, 2, 4, 4), "a"),
            TypeError,
            ["output_size", "str"],
        ),
        (
            lambda: F.adaptive_avg_pool2d(mg.randn(1, 2, 0, 4), 2),
            RuntimeError,
            ["(1, 2, 0, 4)", "dimension 2"],
        ),
        (
            lambda: F.adaptive_avg_pool1d(mg.randn(1, 2, 4, 4), 2),
            RuntimeError,
            ["input", "(1, 2, 4, 4)"],
        ),
        (
            lambda: F.adaptive_avg_pool1d(mg.randn(1, 2, 4), (2, 2)),
            RuntimeError,
            ["output_size", "(2, 2)"],
        ),
        (lambda: F.adaptive_max_pool2d(mg.randn(8), 2), RuntimeError, ["input", "(8,)"]),
        (
            lambda: F.adaptive_max_pool2d(mg.randn(1, 2, 4, 4), (1.5, 2)),
            TypeError,
            ["output_size", "float"],
        ),
        (lambda: F.adaptive_avg_pool2d(np.ones((1, 2, 4, 4)), 2), TypeError, ["input", "Tensor"]),
        (lambda: F.avg_pool1d(mg.randn(1, 2, 4, 4), 2), RuntimeError, ["input", "(1, 2, 4, 4)"]),
        (lambda: F.max_pool1d(mg.randn(4), 2), RuntimeError, ["input", "(4,)"]),
        (
            lambda: F.max_pool1d(mg.randn(1, 2, 8), 2, padding=2),
            RuntimeError,
            ["padding=2", "kernel_size=2"],
        ),
        (lambda: F.avg_pool1d(mg.randn(1, 2, 8), (2, 2)), RuntimeError, ["kernel_size", "(2, 2)"]),
        (lambda: F.avg_pool1d(mg.randn(1, 2, 8), 0), RuntimeError, ["kernel_size", "positive"]),
        (lambda: F.avg_pool1d(mg.randn(2, 3, 1), 2), RuntimeError, ["(2, 3, 1)", "kernel"]),
        (
            lambda: F.max_pool1d(mg.randn(2, 3, 4), 3, dilation=2),
            RuntimeError,
            ["(2, 3, 4)", "dilation 2"],
        ),
        (
            lambda: F.conv1d(mg.randn(2, 3, 8, 8), mg.randn(4, 3, 3)),
            RuntimeError,
            ["input", "(2, 3, 8, 8)"],
        ),
        (
            lambda: F.conv1d(mg.randn(2, 3, 8), mg.randn(4, 3, 3, 3)),
            RuntimeError,
            ["weight", "(4, 3, 3, 3)"],
        ),
        (
            lambda: F.conv1d(mg.randn(2, 4, 8), mg.randn(3, 3, 3)),
            RuntimeError,
            ["groups=1", "(3, 3, 3)", "(2, 4, 8)", "3 channels", "got 4"],
        ),
        (
            lambda: F.conv1d(mg.randn(2, 3, 2), mg.randn(4, 3, 3)),
            RuntimeError,
            ["(2, 3, 2)", "kernel"],
        ),
        (
            lambda: F.conv1d(mg.randn(2, 3, 8), mg.randn(4, 3, 3), stride=2, padding="same"),
            RuntimeError,
            ["same", "stride"],
        ),
        (
            lambda: F.conv1d(mg.randn(2, 3, 8), mg.randn(4, 3, 3), mg.randn(3)),
            RuntimeError,
            ["bias", "(4,)"],
        ),
        (
            lambda: F.conv1d(mg.randn(2, 3, 8), mg.randn(4, 3, 3), stride=(1, 1)),
            RuntimeError,
            ["stride", "(1, 1)"],
        ),
        (
            lambda: nn.Conv1d(3, 4, 3)(mg.randn(2, 5, 8)),
            RuntimeError,
            ["(4, 3, 3)", "(2, 5, 8)", "got 5"],
        ),
        (lambda: nn.Conv1d(3, 4, 3, padding="same", stride=2), ValueError, ["same", "strided"]),
        (lambda: nn.Conv1d(3, 4, 3, groups=2), ValueError, ["groups", "in_channels"]),
        (lambda: F.instance_norm(mg.randn(2, 3)), ValueError, ["spatial", "(2, 3)"]),
        (lambda: F.instance_norm(mg.randn(2, 3, 1)), ValueError, ["spatial", "(2, 3, 1)"]),
        (
            lambda: F.instance_norm(mg.randn(2, 3, 4), weight=mg.ones(4)),
            RuntimeError,
            ["weight", "(3,)", "(4,)"],
        ),
        (
            lambda: F.instance_norm(mg.randn(2, 3, 4), mg.zeros(4), mg.ones(4)),
            RuntimeError,
            ["running_mean", "(2, 3, 4)"],
        ),
        (
            lambda: F.instance_norm(mg.randn(2, 3, 4), use_input_stats=False),
            RuntimeError,
            ["running_mean", "use_input_stats"],
        ),
        (
            lambda: nn.InstanceNorm1d(3)(mg.randn(2, 3, 4, 5)),
            ValueError,
            ["2D or 3D", "(2, 3, 4, 5)"],
        ),
        (lambda: nn.InstanceNorm2d(3)(mg.randn(3, 4)), ValueError, ["3D or 4D", "(3, 4)"]),
        (
            lambda: nn.InstanceNorm2d(3, affine=True)(mg.randn(2, 4, 4, 4)),
            ValueError,
            ["num_features (3)", "got: 4"],
        ),
        (lambda: F.local_response_norm(mg.randn(2, 3), 2), ValueError, ["3-D", "(2, 3)"]),
        (lambda: F.local_response_norm(mg.randn(2, 3, 4), 0), RuntimeError, ["size", "0"]),
        (lambda: nn.LocalResponseNorm(2)(mg.randn(3)), ValueError, ["3-D", "(3,)"]),
    ],
)
def test_bad_inputs_raise_torchs_exception_types_with_clear_messages(call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))
