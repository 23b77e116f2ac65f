"""The composite activations as nn modules, against PyTorch: repr, state_dict, outputs and
gradients; finite, warning-free results at |x| = 1e4; bad arguments."""

import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


# (name, constructor args)
MODULES = [
    ("ELU", ()), ("ELU", (0.5, True)), ("CELU", (1.5,)), ("SELU", ()), ("SELU", (True,)),
    ("SiLU", ()), ("Mish", ()), ("Softplus", ()), ("Softplus", (2.0, 5.0)), ("Softsign", ()),
    ("Hardtanh", ()), ("Hardtanh", (-2.0, 0.5)), ("ReLU6", ()), ("ReLU6", (True,)),
    ("Hardsigmoid", ()), ("Hardswish", ()), ("LogSigmoid", ()), ("PReLU", ()), ("PReLU", (4, 0.1)),
    ("GLU", ()), ("GLU", (1,)), ("Tanhshrink", ()), ("Softshrink", ()), ("Softshrink", (1.0,)),
    ("Hardshrink", (0.3,)), ("Threshold", (0.1, 20.0)), ("Softmin", (1,)),
]  # fmt: skip


@pytest.mark.parametrize("name, args", MODULES)
def test_activation_module_matches_torch(torch, name, args):
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for p in theirs.parameters():
        torch.nn.init.normal_(p)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((2, 4, 6)) * 4).astype(np.float32)
    a, b = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(a * 1), theirs(b * 1)  # not a leaf: torch's inplace=True needs that
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-5, atol=1e-6)
    upstream = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-5, atol=1e-6)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "name", ["elu", "selu", "celu", "silu", "mish", "softplus", "softsign", "logsigmoid",
             "hardswish", "hardsigmoid", "tanhshrink"],
)  # fmt: skip
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_huge_inputs_are_finite_warning_free_and_match_torch(torch, name, dtype):
    x = np.array([-1e4, -60.0, -20.0, -1.0, 0.0, 1.0, 20.0, 60.0, 1e4], dtype)
    a, b = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = getattr(F, name)(a)
        out.backward(np.ones_like(x))
    expected = getattr(torch.nn.functional, name)(b)
    expected.sum().backward()
    assert np.all(np.isfinite(out.numpy())) and np.all(np.isfinite(a.grad.numpy()))
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize(
    "name, point", [("hardtanh", 1.0), ("hardtanh", -1.0), ("relu6", 0.0), ("relu6", 6.0),
                    ("hardsigmoid", 3.0), ("hardsigmoid", -3.0), ("hardswish", 3.0),
                    ("hardswish", -3.0), ("elu", 0.0), ("softplus", 0.0), ("hardshrink", 0.5),
                    ("softshrink", -0.5), ("mish", 0.0), ("logsigmoid", 0.0)],
)  # fmt: skip
def test_gradient_at_kinks_matches_torch(torch, name, point):
    a = mg.tensor([point], requires_grad=True)
    b = torch.tensor([point], requires_grad=True)
    getattr(F, name)(a).sum().backward()
    getattr(torch.nn.functional, name)(b).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-6)


def test_int_input_becomes_float32():
    assert F.elu(mg.tensor([1, -2])).dtype == np.float32


def test_bad_arguments_match_torch(torch):
    x = np.zeros((2, 3), np.float32)
    calls = [
        lambda lib: lib.nn.functional.glu(lib.tensor(x)),
        lambda lib: lib.nn.functional.celu(lib.tensor(x), 0.0),
        lambda lib: lib.nn.functional.prelu(lib.tensor(x), lib.ones(2)),
        lambda lib: lib.nn.functional.hardtanh(lib.tensor(x), 2.0, 1.0),
        lambda lib: lib.nn.Hardtanh(2.0, 1.0),
        lambda lib: lib.nn.functional.softshrink(lib.tensor(x), -1.0),
    ]
    for call in calls:
        with pytest.raises(Exception) as expected:
            call(torch)
        with pytest.raises(type(expected.value)):
            call(mg)
    with pytest.raises(RuntimeError, match="dimension 1 is size 3"):
        F.glu(mg.zeros(2, 3))
    with pytest.raises(RuntimeError, match="parameter numbers = 2 and channel size = 3"):
        F.prelu(mg.zeros(2, 3), mg.ones(2))
    with pytest.raises(RuntimeError, match="lambda must be greater or equal to 0"):
        F.softshrink(mg.zeros(2), -1.0)
    with pytest.raises(TypeError, match="num_parameters must be an int"):
        nn.PReLU(2.5)
    with pytest.raises(ValueError, match="num_parameters must be at least 1"):
        nn.PReLU(0)


def test_prelu_trains_its_weight():
    layer = nn.PReLU(2)
    x = mg.tensor([[-1.0, -2.0], [3.0, -4.0]])
    layer(x).sum().backward()
    np.testing.assert_allclose(layer.weight.grad.numpy(), [-1.0, -6.0])


# ---- LayerNorm, GroupNorm, normalize, cosine_similarity, pairwise_distance -----------------------

NORM_MODULES = [
    ("LayerNorm", (6,), {}, (2, 3, 6)),
    ("LayerNorm", ((3, 6),), {"eps": 1e-3}, (2, 3, 6)),
    ("LayerNorm", (6,), {"elementwise_affine": False}, (4, 6)),
    ("LayerNorm", (6,), {"bias": False}, (4, 6)),
    ("GroupNorm", (2, 4), {}, (2, 4, 3, 3)),
    ("GroupNorm", (1, 4), {"affine": False}, (3, 4, 5)),
    ("GroupNorm", (4, 4), {"eps": 1e-2, "bias": False}, (3, 4)),
]


@pytest.mark.parametrize("name, args, kwargs, shape", NORM_MODULES)
def test_norm_modules_match_torch(torch, name, args, kwargs, shape):
    ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for p in theirs.parameters():
        torch.nn.init.normal_(p)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(shape) * 3 + 1).astype(np.float32)
    a, b = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(a), theirs(b)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-4, atol=1e-5)
    upstream = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-4, atol=1e-5)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_distance_modules_match_torch(torch):
    rng = np.random.default_rng(0)
    x1, x2 = (rng.standard_normal((4, 5)).astype(np.float32) for _ in range(2))
    for ours, theirs in [
        (nn.CosineSimilarity(), torch.nn.CosineSimilarity()),
        (nn.CosineSimilarity(dim=0, eps=1e-3), torch.nn.CosineSimilarity(dim=0, eps=1e-3)),
        (nn.PairwiseDistance(), torch.nn.PairwiseDistance()),
        (nn.PairwiseDistance(p=3.0, keepdim=True), torch.nn.PairwiseDistance(p=3.0, keepdim=True)),
        (nn.PairwiseDistance(p=float("inf")), torch.nn.PairwiseDistance(p=float("inf"))),
    ]:
        assert repr(ours) == repr(theirs)
        out = ours(mg.tensor(x1), mg.tensor(x2))
        np.testing.assert_allclose(out.numpy(), theirs(torch.tensor(x1), torch.tensor(x2)).numpy(),
                                   rtol=1e-5, atol=1e-6)  # fmt: skip


@pytest.mark.parametrize(
    "call",
    [lambda lib, a: lib.nn.functional.normalize(a),
     lambda lib, a: lib.nn.functional.cosine_similarity(a, lib.ones(2, 3)),
     lambda lib, a: lib.nn.functional.pairwise_distance(a, lib.zeros(2, 3), eps=0.0)],
)  # fmt: skip
def test_zero_vectors_give_torch_gradients_without_warnings(torch, call):
    a, b = mg.zeros(2, 3, requires_grad=True), torch.zeros(2, 3, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = call(mg, a)
        out.sum().backward()
    call(torch, b).sum().backward()
    np.testing.assert_allclose(out.numpy(), call(torch, torch.zeros(2, 3)).numpy())
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-5)


def test_norm_and_distance_bad_inputs_match_torch(torch):
    x = np.zeros((2, 3), np.float32)
    calls = [
        lambda lib: lib.nn.functional.layer_norm(lib.tensor(x), (4,)),
        lambda lib: lib.nn.functional.layer_norm(lib.tensor(x), (3,), lib.ones(2)),
        lambda lib: lib.nn.functional.group_norm(lib.tensor(x), 2),
        lambda lib: lib.nn.GroupNorm(2, 3),
        lambda lib: lib.nn.functional.cosine_similarity(lib.zeros(2, 3), lib.zeros(3, 3)),
        lambda lib: lib.nn.functional.pairwise_distance(lib.zeros(2, 3), lib.zeros(2, 4)),
    ]
    for call in calls:
        with pytest.raises(Exception) as expected:
            call(torch)
        with pytest.raises(type(expected.value)):
            call(mg)
    with pytest.raises(RuntimeError, match=r"normalized_shape=\[4\], expected input with shape"):
        F.layer_norm(mg.zeros(2, 3), 4)
    with pytest.raises(RuntimeError, match="divisible by num_groups"):
        F.group_norm(mg.zeros(2, 3), 2)


def test_normalize_out_argument(torch):
    out = mg.empty(2, 2)
    result = F.normalize(mg.tensor([[3.0, 4.0], [0.0, 2.0]]), out=out)
    assert result is out
    np.testing.assert_allclose(out.numpy(), [[0.6, 0.8], [0.0, 1.0]], rtol=1e-6)
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        F.normalize(mg.ones(2, 2, requires_grad=True), out=mg.empty(2, 2))
