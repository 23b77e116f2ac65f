"""nn.functional: a case table checked against PyTorch (forward, backward with a random upstream
gradient) and by float64 gradcheck; then stability at huge logits, dropout, and error messages."""

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.ops.activations import erf, normal_cdf


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _targets(shape, classes, ignore=None):
    def make(rng):
        t = rng.integers(0, classes, shape).astype(np.int64)
        if ignore is not None:
            t.flat[::3] = ignore
        return t

    return make


def _uniform(shape, low, high, dtype=np.float64):
    return lambda rng: rng.uniform(low, high, shape).astype(dtype)


@dataclass
class Case:
    name: str
    fn: callable  # fn(F, *float_inputs, **consts): the same code for minigrad and torch
    shapes: list  # shapes of the differentiable float inputs
    consts: dict = field(default_factory=dict)  # name -> rng -> ndarray (not differentiated)
    domain: str = "real"  # "real" or "unit" (inside (0, 1), for probabilities)

    def make(self, rng):
        if self.domain == "unit":
            floats = [rng.uniform(0.05, 0.95, s) for s in self.shapes]
        else:
            floats = [rng.standard_normal(s) for s in self.shapes]
        return floats, {k: make(rng) for k, make in self.consts.items()}


CLASS_TARGET = {"target": _targets((6,), 4)}
CASES = [
    Case("relu", lambda F, x: F.relu(x), [(3, 5)]),
    Case("leaky_relu", lambda F, x: F.leaky_relu(x, 0.2), [(3, 5)]),
    Case("leaky_relu_default", lambda F, x: F.leaky_relu(x), [(7,)]),
    Case("sigmoid", lambda F, x: F.sigmoid(x), [(3, 5)]),
    Case("tanh", lambda F, x: F.tanh(x), [(3, 5)]),
    Case("gelu", lambda F, x: F.gelu(x), [(4, 6)]),
    Case("gelu_tanh", lambda F, x: F.gelu(x, approximate="tanh"), [(4, 6)]),
    Case("softmax_dim1", lambda F, x: F.softmax(x, dim=1), [(3, 5)]),
    Case("softmax_dim0", lambda F, x: F.softmax(x, dim=0), [(3, 5)]),
    Case("log_softmax", lambda F, x: F.log_softmax(x, dim=-1), [(2, 3, 4)]),
    Case("linear", lambda F, x, w, b: F.linear(x, w, b), [(5, 4), (3, 4), (3,)]),
    Case("linear_no_bias_3d", lambda F, x, w: F.linear(x, w), [(2, 5, 4), (3, 4)]),
    Case("linear_1d", lambda F, x, w, b: F.linear(x, w, b), [(4,), (3, 4), (3,)]),
    Case("cross_entropy", lambda F, x, target: F.cross_entropy(x, target), [(6, 4)], CLASS_TARGET),
    Case(
        "cross_entropy_sum",
        lambda F, x, target: F.cross_entropy(x, target, reduction="sum"),
        [(6, 4)],
        CLASS_TARGET,
    ),
    Case(
        "cross_entropy_none",
        lambda F, x, target: F.cross_entropy(x, target, reduction="none"),
        [(6, 4)],
        CLASS_TARGET,
    ),
    Case(
        "cross_entropy_smoothing",
        lambda F, x, target: F.cross_entropy(x, target, label_smoothing=0.1),
        [(6, 4)],
        CLASS_TARGET,
    ),
    Case(
        "cross_entropy_smoothing_none",
        lambda F, x, target: F.cross_entropy(x, target, reduction="none", label_smoothing=0.3),
        [(6, 4)],
        CLASS_TARGET,
    ),
    Case(
        "cross_entropy_ignore_smoothing_sum",
        lambda F, x, target: F.cross_entropy(x, target, reduction="sum", label_smoothing=0.2),
        [(6, 4)],
        {"target": _targets((6,), 4, ignore=-100)},
    ),
    Case(
        "cross_entropy_spatial_smoothing_none",
        lambda F, x, target: F.cross_entropy(x, target, reduction="none", label_smoothing=0.1),
        [(2, 3, 4)],
        {"target": _targets((2, 4), 3)},
    ),
    Case(
        "cross_entropy_weight_ignore_smoothing",
        lambda F, x, target, weight: F.cross_entropy(
            x, target, weight, ignore_index=-100, label_smoothing=0.2
        ),
        [(6, 4)],
        {"target": _targets((6,), 4, ignore=-100), "weight": _uniform((4,), 0.5, 2.0)},
    ),
    Case(
        "cross_entropy_weight_none",
        lambda F, x, target, weight: F.cross_entropy(x, target, weight, reduction="none"),
        [(6, 4)],
        {"target": _targets((6,), 4), "weight": _uniform((4,), 0.5, 2.0)},
    ),
    Case(
        "cross_entropy_spatial",
        lambda F, x, target: F.cross_entropy(x, target),
        [(2, 3, 4, 2)],
        {"target": _targets((2, 4, 2), 3)},
    ),
    Case(
        "cross_entropy_unbatched",
        lambda F, x, target: F.cross_entropy(x, target),
        [(5,)],
        {"target": _targets((), 5)},
    ),
    Case(
        "cross_entropy_probabilities",
        lambda F, x, p: F.cross_entropy(x, p, label_smoothing=0.1),
        [(6, 4)],
        {"p": lambda rng: np.random.default_rng(1).dirichlet(np.ones(4), 6)},
    ),
    Case("nll_loss", lambda F, x, target: F.nll_loss(x, target), [(6, 4)], CLASS_TARGET),
    Case(
        "nll_loss_weight_ignore",
        lambda F, x, target, weight: F.nll_loss(x, target, weight, ignore_index=1),
        [(6, 4)],
        {"target": _targets((6,), 4, ignore=1), "weight": _uniform((4,), 0.5, 2.0)},
    ),
    Case(
        "nll_loss_weight_sum",
        lambda F, x, target, weight: F.nll_loss(x, target, weight, reduction="sum"),
        [(6, 4)],
        {"target": _targets((6,), 4), "weight": _uniform((4,), 0.5, 2.0)},
    ),
    Case(
        "nll_loss_ignore_none",
        lambda F, x, target: F.nll_loss(x, target, reduction="none"),
        [(6, 4)],
        {"target": _targets((6,), 4, ignore=-100)},
    ),
    Case("mse_loss", lambda F, x, y: F.mse_loss(x, y), [(3, 4), (3, 4)]),
    Case("mse_loss_sum", lambda F, x, y: F.mse_loss(x, y, reduction="sum"), [(3, 4), (3, 4)]),
    Case("mse_loss_none", lambda F, x, y: F.mse_loss(x, y, reduction="none"), [(5,), (5,)]),
    Case(
        "binary_cross_entropy",
        lambda F, p, t: F.binary_cross_entropy(p, t),
        [(3, 4)],
        {"t": _uniform((3, 4), 0, 1)},
        domain="unit",
    ),
    Case(
        "binary_cross_entropy_target_grad_weight",
        lambda F, p, t, weight: F.binary_cross_entropy(p, t, weight, reduction="sum"),
        [(3, 4), (3, 4)],
        {"weight": _uniform((4,), 0.5, 2.0)},
        domain="unit",
    ),
    Case(
        "bce_with_logits",
        lambda F, x, t: F.binary_cross_entropy_with_logits(x, t),
        [(3, 4)],
        {"t": _uniform((3, 4), 0, 1)},
    ),
    Case(
        "bce_with_logits_all_options",
        lambda F, x, t, pos_weight, weight: F.binary_cross_entropy_with_logits(
            x, t, weight, reduction="none", pos_weight=pos_weight
        ),
        [(3, 4), (3, 4)],
        {"pos_weight": _uniform((4,), 0.5, 3.0), "weight": _uniform((3, 1), 0.5, 2.0)},
    ),
    Case(
        "batch_norm_train_2d",
        lambda F, x, w, b: F.batch_norm(x, None, None, w, b, training=True),
        [(5, 3), (3,), (3,)],
    ),
    Case(
        "batch_norm_train_4d",
        lambda F, x, w, b: F.batch_norm(x, None, None, w, b, training=True),
        [(3, 2, 3, 2), (2,), (2,)],
    ),
    Case(
        "batch_norm_train_no_affine",
        lambda F, x: F.batch_norm(x, None, None, training=True, eps=1e-3),
        [(4, 3, 5)],
    ),
    Case(
        "batch_norm_train_bias_only",
        lambda F, x, b: F.batch_norm(x, None, None, None, b, training=True),
        [(5, 3), (3,)],
    ),
    Case(
        "batch_norm_eval",
        lambda F, x, w, b, mean, var: F.batch_norm(x, mean, var, w, b, training=False),
        [(4, 3, 2), (3,), (3,)],
        {"mean": _uniform((3,), -1, 1), "var": _uniform((3,), 0.5, 2)},
    ),
]


def _lib_inputs(lib_tensor, floats, consts):
    xs = [lib_tensor(x, requires_grad=True) for x in floats]
    return xs, {k: lib_tensor(v) for k, v in consts.items()}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_functional_matches_torch(torch, case):
    import torch.nn.functional as TF

    rng = np.random.default_rng(0)
    floats, consts = case.make(rng)
    xs, kw = _lib_inputs(mg.tensor, floats, consts)
    txs, tkw = _lib_inputs(torch.tensor, floats, consts)
    out, expected = case.fn(F, *xs, **kw), case.fn(TF, *txs, **tkw)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    upstream = rng.standard_normal(out.shape)
    out.backward(mg.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    for position, (x, tx) in enumerate(zip(xs, txs)):
        assert x.grad is not None, f"input {position} got no gradient"
        np.testing.assert_allclose(
            x.grad.numpy(), tx.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=f"input {position}"
        )


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_functional_gradcheck(case):
    rng = np.random.default_rng(1)
    floats, consts = case.make(rng)
    xs, kw = _lib_inputs(mg.tensor, floats, consts)
    assert mg.autograd.gradcheck(lambda *inputs: case.fn(F, *inputs, **kw), xs)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_functional_float32_stays_float32(case):
    floats, consts = case.make(np.random.default_rng(2))
    xs = [mg.tensor(x.astype(np.float32), requires_grad=True) for x in floats]
    kw = {
        k: mg.tensor(v.astype(np.float32) if v.dtype == np.float64 else v)
        for k, v in consts.items()
    }
    out = case.fn(F, *xs, **kw)
    assert out.dtype == np.float32
    out.sum().backward()
    assert all(x.grad.dtype == np.float32 for x in xs)


def test_bce_with_logits_pos_weight_gradcheck():
    # PyTorch does not differentiate pos_weight; minigrad does, so check it numerically.
    x, t, w = mg.randn(3, 4), mg.rand(3, 4), mg.rand(4) + 0.5
    for tensor in (x, t, w):
        tensor.requires_grad_()
    loss = lambda x, t, w: F.binary_cross_entropy_with_logits(x, t, pos_weight=w)
    assert mg.autograd.gradcheck(loss, (x, t, w))


# ---- erf and GELU -------------------------------------------------------------------------------


def test_erf_is_accurate_to_float64_precision():
    x = np.concatenate([np.linspace(-7, 7, 20001), [0.0, -0.0, 0.5, -0.5, 4.0, 30.0, -30.0]])
    expected = np.array([math.erf(v) for v in x])
    relative = np.abs(erf(x) - expected) / np.maximum(np.abs(expected), 1e-300)
    assert relative.max() < 1e-14
    # Phi far in the left tail keeps its relative precision (no cancellation in 1 + erf).
    tail = np.array([-5.0, -10.0, -20.0, -37.0])
    expected = np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in tail])
    np.testing.assert_allclose(normal_cdf(tail), expected, rtol=1e-12)


def test_gelu_float32_is_accurate_and_matches_torch(torch):
    x = np.random.default_rng(0).standard_normal(10000).astype(np.float32) * 4
    exact = np.array([v * 0.5 * math.erfc(-v / math.sqrt(2)) for v in x.astype(np.float64)])
    out = F.gelu(mg.tensor(x)).numpy()
    normal = np.abs(exact) > 1e-30  # float32 denormals hold fewer digits
    np.testing.assert_allclose(out[normal], exact[normal], rtol=1e-6)
    for approximate in ("none", "tanh"):
        out = F.gelu(mg.tensor(x), approximate=approximate).numpy()
        expected = torch.nn.functional.gelu(torch.tensor(x), approximate=approximate).numpy()
        # PyTorch's float32 1 + erf(x) cancels in the left tail: compare absolutely.
        np.testing.assert_allclose(out, expected, rtol=1e-6, atol=2e-6)


def test_gelu_bad_approximate():
    with pytest.raises(ValueError, match="tanh"):
        F.gelu(mg.zeros(2), approximate="fast")


# ---- huge logits -------------------------------------------------------------------------------


def _huge_logits():
    return np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4], [1e4, 1e4, -1e4]], np.float32)


@pytest.mark.parametrize(
    "loss",
    [
        lambda x, t: F.cross_entropy(x, t),
        lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1),
        lambda x, t: F.nll_loss(F.log_softmax(x, 1), t),
        lambda x, t: F.softmax(x, 1).sum(),
        lambda x, t: F.binary_cross_entropy_with_logits(x, mg.ones(3, 3)),
        lambda x, t: F.binary_cross_entropy(F.sigmoid(x), mg.zeros(3, 3)),
        lambda x, t: F.cross_entropy(
            x, mg.tensor([1, -100, 2]), np.array([1, 2, 3], np.float32), label_smoothing=0.2
        ),
        lambda x, t: F.cross_entropy(x, mg.full((3, 3), 1 / 3)),
        lambda x, t: F.binary_cross_entropy_with_logits(x, mg.zeros(3, 3), pos_weight=mg.ones(3)),
    ],
    ids=[
        "cross_entropy",
        "smoothing",
        "nll_log_softmax",
        "softmax",
        "bce_logits",
        "bce_sigmoid",
        "cross_entropy_unfused",
        "cross_entropy_probabilities",
        "bce_logits_pos_weight",
    ],
)
def test_losses_finite_and_quiet_at_huge_logits(loss):
    x = mg.tensor(_huge_logits(), requires_grad=True)
    target = mg.tensor([1, 0, 2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            value = loss(x, target)
            value.backward()
    assert np.isfinite(value.item())
    assert np.all(np.isfinite(x.grad.numpy()))


def test_huge_logit_values_match_torch(torch):
    x, t = _huge_logits(), np.array([1, 0, 2])
    TF = torch.nn.functional
    got = F.cross_entropy(mg.tensor(x), mg.tensor(t), reduction="none").numpy()
    want = TF.cross_entropy(torch.tensor(x), torch.tensor(t), reduction="none").numpy()
    np.testing.assert_allclose(got, want)
    ones = np.ones((3, 3), np.float32)
    got = F.binary_cross_entropy_with_logits(mg.tensor(x), mg.tensor(ones), reduction="none")
    want = TF.binary_cross_entropy_with_logits(
        torch.tensor(x), torch.tensor(ones), reduction="none"
    )
    np.testing.assert_allclose(got.numpy(), want.numpy())


def test_binary_cross_entropy_clamps_log_at_minus_100(torch):
    p = np.array([0.0, 1.0, 0.0, 1.0, 0.5], np.float32)
    t = np.array([1.0, 0.0, 0.0, 1.0, 1.0], np.float32)
    x = mg.tensor(p, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = F.binary_cross_entropy(x, mg.tensor(t), reduction="none")
        loss.backward(mg.ones(5))
    tx = torch.tensor(p, requires_grad=True)
    expected = torch.nn.functional.binary_cross_entropy(tx, torch.tensor(t), reduction="none")
    expected.backward(torch.ones(5))
    np.testing.assert_allclose(loss.numpy(), expected.detach().numpy())
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-6)
    assert loss.numpy()[0] == 100


# ---- dropout -----------------------------------------------------------------------------------


def test_dropout_scales_survivors_and_is_repeatable():
    x = mg.ones(200, 100, requires_grad=True)
    mg.manual_seed(3)
    y = F.dropout(x, p=0.3)
    kept = y.numpy() != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(y.numpy()[kept], 1 / 0.7, rtol=1e-6)
    upstream = np.random.default_rng(0).standard_normal(x.shape).astype(np.float32)
    y.backward(mg.tensor(upstream))
    np.testing.assert_allclose(x.grad.numpy(), upstream * kept / 0.7, rtol=1e-6)
    mg.manual_seed(3)
    np.testing.assert_array_equal(F.dropout(x, p=0.3).numpy(), y.numpy())


def test_dropout_identity_cases():
    x = mg.randn(4, 5)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    assert np.all(F.dropout(x, 1.0).numpy() == 0)
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(x, 1.5)


# ---- errors ------------------------------------------------------------------------------------

LOSSES = {
    "cross_entropy": lambda r: F.cross_entropy(mg.randn(3, 4), mg.tensor([0, 1, 2]), reduction=r),
    "nll_loss": lambda r: F.nll_loss(mg.randn(3, 4), mg.tensor([0, 1, 2]), reduction=r),
    "mse_loss": lambda r: F.mse_loss(mg.randn(3), mg.randn(3), reduction=r),
    "bce": lambda r: F.binary_cross_entropy(mg.rand(3), mg.rand(3), reduction=r),
    "bce_logits": lambda r: F.binary_cross_entropy_with_logits(
        mg.randn(3), mg.rand(3), reduction=r
    ),
}


@pytest.mark.parametrize("name", LOSSES)
def test_bad_reduction_is_an_error(name):
    with pytest.raises(ValueError, match="'average' is not a valid value for reduction"):
        LOSSES[name]("average")


@pytest.mark.parametrize("loss", [F.cross_entropy, F.nll_loss])
def test_target_out_of_range_names_value_and_classes(loss):
    name = loss.__name__
    with pytest.raises(IndexError, match=rf"{name}: target 10 is out of bounds for 10 classes"):
        loss(mg.randn(3, 10), mg.tensor([1, 10, 2]))
    with pytest.raises(IndexError, match=rf"{name}: target -1 is out of bounds for 4 classes"):
        loss(mg.randn(2, 4), mg.tensor([-1, 0]))
    with pytest.raises(IndexError, match=rf"{name}: target 3 is out of bounds for 3 classes"):
        loss(mg.randn(2, 3, 2), mg.tensor([[0, 3], [1, 2]]))  # spatial
    with pytest.raises(IndexError, match=rf"{name}: target 7 is out of bounds for 3 classes"):
        loss(mg.randn(2, 3), mg.tensor([7, -100]), weight=np.ones(3))  # the unfused path


def test_cross_entropy_other_paths_name_cross_entropy():
    with pytest.raises(IndexError, match=r"cross_entropy: target 5 is out of bounds"):
        F.cross_entropy(mg.randn(2, 3), mg.tensor([0, 5]), label_smoothing=0.1)
    with pytest.raises(TypeError, match=r"cross_entropy: target must hold integer"):
        F.cross_entropy(mg.randn(2, 3, 4), mg.rand(2, 4))  # floats, not the input's shape


def test_target_shape_and_dtype_errors():
    with pytest.raises(mg.ShapeError, match=r"target of shape \(3,\), got \(4,\)"):
        F.cross_entropy(mg.randn(3, 5), mg.tensor([0, 1, 2, 3]))
    with pytest.raises(TypeError, match="integer class indices"):
        F.cross_entropy(mg.randn(3, 5), mg.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(mg.ShapeError, match="target size"):
        F.binary_cross_entropy_with_logits(mg.randn(3, 1), mg.rand(3))
    with pytest.raises(RuntimeError, match="input should be between 0 and 1"):
        F.binary_cross_entropy(mg.tensor([0.5, 1.5]), mg.tensor([0.0, 1.0]))


def test_mse_loss_warns_on_broadcast():
    with pytest.warns(UserWarning, match="different to the input size"):
        F.mse_loss(mg.randn(3, 1), mg.randn(3))


def test_batch_norm_needs_two_values_per_channel_in_training():
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        F.batch_norm(mg.randn(1, 3), None, None, training=True)


def test_batch_norm_updates_running_statistics(torch):
    x = np.random.default_rng(0).standard_normal((6, 3, 2)).astype(np.float32) * 3 + 1
    mean, var = mg.zeros(3), mg.ones(3)
    tmean, tvar = torch.zeros(3), torch.ones(3)
    for _ in range(2):
        F.batch_norm(mg.tensor(x), mean, var, training=True, momentum=0.2)
        torch.nn.functional.batch_norm(torch.tensor(x), tmean, tvar, training=True, momentum=0.2)
    np.testing.assert_allclose(mean.numpy(), tmean.numpy(), rtol=1e-5)
    np.testing.assert_allclose(var.numpy(), tvar.numpy(), rtol=1e-5)
    assert mean.dtype == var.dtype == np.float32


def test_cross_entropy_ignore_index_and_class_probabilities_equal_one_hot():
    logits = mg.randn(5, 3)
    target = mg.tensor([0, 2, 1, 1, 0])
    one_hot = mg.tensor(np.eye(3, dtype=np.float32)[target.numpy()])
    np.testing.assert_allclose(
        F.cross_entropy(logits, one_hot).item(), F.cross_entropy(logits, target).item(), rtol=1e-6
    )
    ignored = mg.tensor([0, 2, -100, -100, 0])
    keep = [0, 1, 4]
    np.testing.assert_allclose(
        F.cross_entropy(logits, ignored).item(),
        F.cross_entropy(logits[keep], target[keep]).item(),
        rtol=1e-6,
    )


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_channels_last_layout(torch, training):
    # The conv kernels hand over NCHW views of NHWC memory; batch_norm takes a faster path.
    rng = np.random.default_rng(5)
    x = np.moveaxis(rng.standard_normal((4, 3, 5, 2)), -1, 1)  # (4, 2, 3, 5), channels last
    assert not x.flags.c_contiguous
    w, b = rng.standard_normal(2), rng.standard_normal(2)
    mean, var = rng.standard_normal(2), rng.uniform(0.5, 2, 2)
    inputs = [mg.tensor(a, requires_grad=True) for a in (x, w, b)]
    inputs[0] = mg.from_numpy(x).requires_grad_()  # mg.tensor would copy to C order
    tinputs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]

    def fn(F, lib, x, w, b):
        return F.batch_norm(x, lib.tensor(mean), lib.tensor(var), w, b, training=training)

    out, expected = fn(F, mg, *inputs), fn(torch.nn.functional, torch, *tinputs)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    upstream = rng.standard_normal(out.shape)
    out.backward(mg.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    for mine, theirs in zip(inputs, tinputs):
        np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(), rtol=1e-9, atol=1e-12)
    assert mg.autograd.gradcheck(lambda *xs: fn(F, mg, *xs), inputs)
