"""The losses beyond the API's five (l1 to triplet margin) against PyTorch: each module against
its function and against torch's module, signatures and defaults, the legacy flags, the
options that the op table leaves out, and bad inputs (torch's exception type, a message naming
the argument). Values and gradients of each option are in the op table (tests/op_db_nn.py)."""

import inspect
import math
import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _inputs(lib, name):
    """Float32 inputs for the loss ``name`` (a function name), made the same for both libs."""
    rng = np.random.default_rng(0)
    x, y, z = (rng.standard_normal((5, 4)).astype(np.float32) for _ in range(3))
    signs = np.where(rng.random(5) > 0.5, 1.0, -1.0).astype(np.float32)
    signs_2d = np.where(rng.random((5, 4)) > 0.5, 1.0, -1.0).astype(np.float32)
    t = lib.tensor
    if name == "kl_div":
        logq = x - np.log(np.exp(x).sum(1, keepdims=True))
        p = np.exp(y) / np.exp(y).sum(1, keepdims=True)
        return t(logq), t(p)
    if name == "poisson_nll_loss":
        return t(x), t(np.round(np.exp(y) * 2))
    if name == "gaussian_nll_loss":
        return t(x), t(y), t(np.exp(z))
    if name in ("margin_ranking_loss",):
        return t(x[:, 0]), t(y[:, 0]), t(signs)
    if name in ("hinge_embedding_loss", "soft_margin_loss"):
        return t(x), t(signs_2d)
    if name == "multi_margin_loss":
        return t(x), t(np.array([0, 3, 1, 1, 2]))
    if name == "multilabel_soft_margin_loss":
        return t(x), t((y > 0).astype(np.float32))
    if name == "cosine_embedding_loss":
        return t(x), t(y), t(signs)
    if name == "triplet_margin_loss":
        return t(x), t(y), t(z)
    return t(x), t(y)


# function name, module name, options (the same keyword for both)
LOSSES = [
    ("l1_loss", "L1Loss", {}),
    ("smooth_l1_loss", "SmoothL1Loss", {"beta": 0.5}),
    ("huber_loss", "HuberLoss", {"delta": 0.5}),
    ("kl_div", "KLDivLoss", {"reduction": "batchmean"}),
    ("kl_div", "KLDivLoss", {"log_target": True, "reduction": "sum"}),
    ("poisson_nll_loss", "PoissonNLLLoss", {"full": True}),
    ("poisson_nll_loss", "PoissonNLLLoss", {"log_input": False, "eps": 1e-3}),
    ("gaussian_nll_loss", "GaussianNLLLoss", {"full": True, "reduction": "sum"}),
    ("margin_ranking_loss", "MarginRankingLoss", {"margin": 0.5}),
    ("hinge_embedding_loss", "HingeEmbeddingLoss", {"margin": 0.5, "reduction": "none"}),
    ("soft_margin_loss", "SoftMarginLoss", {}),
    ("multi_margin_loss", "MultiMarginLoss", {"p": 2, "margin": 0.7}),
    ("multilabel_soft_margin_loss", "MultiLabelSoftMarginLoss", {}),
    ("cosine_embedding_loss", "CosineEmbeddingLoss", {"margin": 0.1}),
    ("triplet_margin_loss", "TripletMarginLoss", {"margin": 0.5, "p": 1.0, "swap": True}),
]
FUNCTIONS = sorted({f for f, _, _ in LOSSES})
MODULES = sorted({m for _, m, _ in LOSSES})
LEGACY = [f for f in FUNCTIONS if f not in ("huber_loss", "gaussian_nll_loss")]


def _ids(case):
    return f"{case[1]}-{'-'.join(f'{k}={v}' for k, v in case[2].items())}"


@pytest.mark.parametrize("case", LOSSES, ids=[_ids(c) for c in LOSSES])
def test_module_equals_function_and_torchs_module(torch, case):
    function, module, options = case
    inputs = [x.requires_grad_() if x.dtype == np.float32 else x for x in _inputs(mg, function)]
    ours = getattr(nn, module)(**options)(*inputs)
    direct = getattr(F, function)(*inputs, **options)
    np.testing.assert_array_equal(ours.detach().numpy(), direct.detach().numpy())
    theirs = getattr(torch.nn, module)(**options)(*_inputs(torch, function))
    assert ours.shape == tuple(theirs.shape) and ours.dtype == np.float32
    np.testing.assert_allclose(ours.detach().numpy(), theirs.numpy(), rtol=1e-5, atol=1e-6)
    ours.sum().backward()
    assert inputs[0].grad is not None and inputs[0].grad.dtype == np.float32


def test_module_reprs_and_attributes_as_torchs(torch):
    for _, module, options in LOSSES:
        ours, theirs = getattr(nn, module)(**options), getattr(torch.nn, module)(**options)
        assert repr(ours) == repr(theirs)
        for key in options:
            assert getattr(ours, key) == getattr(theirs, key)
        assert ours.reduction == theirs.reduction


def test_multi_margin_loss_weight_is_a_buffer(torch):
    weight = np.array([1.0, 2.0, 0.5, 3.0], np.float32)
    ours = nn.MultiMarginLoss(weight=mg.tensor(weight))
    theirs = torch.nn.MultiMarginLoss(weight=torch.tensor(weight))
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    x, t = _inputs(mg, "multi_margin_loss")
    tx, tt = _inputs(torch, "multi_margin_loss")
    np.testing.assert_allclose(ours(x, t).numpy(), theirs(tx, tt).numpy(), rtol=1e-6)
    weighted = nn.MultiLabelSoftMarginLoss(weight=mg.tensor(weight))
    x, t = _inputs(mg, "multilabel_soft_margin_loss")
    tx, tt = _inputs(torch, "multilabel_soft_margin_loss")
    expected = torch.nn.MultiLabelSoftMarginLoss(weight=torch.tensor(weight))(tx, tt)
    np.testing.assert_allclose(weighted(x, t).numpy(), expected.numpy(), rtol=1e-6)


# ---- signatures and the legacy flags ------------------------------------------------------------


def _parameters(callable_):
    return [(p.name, p.default, p.kind) for p in inspect.signature(callable_).parameters.values()]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_signatures_as_torchs(torch, name):
    assert _parameters(getattr(F, name)) == _parameters(getattr(torch.nn.functional, name))
    assert name in F.__all__


@pytest.mark.parametrize("name", MODULES)
def test_module_signatures_as_torchs(torch, name):
    assert _parameters(getattr(nn, name)) == _parameters(getattr(torch.nn, name))
    assert name in nn.__all__


def _record(make):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = make()
    return value.detach().numpy(), [(w.category, str(w.message)) for w in caught]


@pytest.mark.parametrize("flags", [(False, None), (None, False), (True, True)], ids=str)
@pytest.mark.parametrize("name", LEGACY)
def test_legacy_flags_as_torchs(torch, name, flags):
    kwargs = dict(zip(("size_average", "reduce"), flags))
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    module = next(m for f, m, _ in LOSSES if f == name)
    results = []
    for lib in (mg, torch):
        inputs = _inputs(lib, name)
        function, cls = getattr(lib.nn.functional, name), getattr(lib.nn, module)
        results.append(_record(lambda f=function, x=inputs: f(*x, **kwargs)))
        results.append(_record(lambda c=cls, x=inputs: c(**kwargs)(*x)))
    for ours, theirs in zip(results[:2], results[2:]):
        np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-5, atol=1e-6)
        assert ours[1] == theirs[1]


def test_the_legacy_warning_points_at_the_callers_line():
    x, t = _inputs(mg, "l1_loss")
    with pytest.warns(UserWarning, match="size_average and reduce") as caught:
        F.l1_loss(x, t, size_average=False)
    assert caught[0].filename == __file__


# ---- options and edge values the op table leaves out ---------------------------------------------


def test_kl_div_mean_warns_as_torch_and_batchmean_of_0d_is_the_sum(torch):
    x, t = _inputs(mg, "kl_div")
    tx, tt = _inputs(torch, "kl_div")
    ours, our_warnings = _record(lambda: F.kl_div(x, t))
    theirs, their_warnings = _record(lambda: torch.nn.functional.kl_div(tx, tt))
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    assert our_warnings == their_warnings and len(our_warnings) == 1
    scalar = F.kl_div(mg.tensor(-1.0), mg.tensor(0.5), reduction="batchmean")
    expected = torch.nn.functional.kl_div(
        torch.tensor(-1.0), torch.tensor(0.5), reduction="batchmean"
    )
    np.testing.assert_allclose(scalar.numpy(), expected.numpy(), rtol=1e-6)


def test_kl_div_zero_targets_add_nothing_and_no_warning(torch):
    x = mg.tensor([[-1.0, -2.0, -0.5]], requires_grad=True)
    target = mg.tensor([[0.0, 0.3, 0.7]])
    loss = F.kl_div(x, target, reduction="sum")
    expected = torch.nn.functional.kl_div(
        torch.tensor(x.detach().numpy()), torch.tensor(target.numpy()), reduction="sum"
    )
    np.testing.assert_allclose(loss.detach().numpy(), expected.numpy(), rtol=1e-6)
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0.0, -0.3, -0.7]])


def test_gaussian_nll_loss_clamps_var_but_passes_its_gradient(torch):
    values = np.array([[0.5, -1.0], [2.0, 0.0]], np.float32)
    var = np.array([[1e-9, 0.3], [0.0, 2.0]], np.float32)
    ours_var = mg.tensor(var, requires_grad=True)
    theirs_var = torch.tensor(var, requires_grad=True)
    ours = F.gaussian_nll_loss(mg.tensor(values), mg.zeros(2, 2), ours_var, eps=1e-3)
    theirs = torch.nn.functional.gaussian_nll_loss(
        torch.tensor(values), torch.zeros(2, 2), theirs_var, eps=1e-3
    )
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6)
    ours.backward()
    theirs.backward()
    np.testing.assert_allclose(ours_var.grad.numpy(), theirs_var.grad.numpy(), rtol=1e-5)


@pytest.mark.parametrize("var_shape", [(), (3,), (3, 1), (1, 4), (3, 4), (4,)])
def test_gaussian_nll_loss_var_shapes_and_numbers_as_torchs(torch, var_shape):
    rng = np.random.default_rng(5)
    x, t = rng.standard_normal((2, 3, 4)).astype(np.float32)  # each (3, 4)
    var = np.exp(rng.standard_normal(var_shape)).astype(np.float32)
    if var_shape == ():
        var = 0.7
        ours = F.gaussian_nll_loss(mg.tensor(x), mg.tensor(t), var)
        theirs = torch.nn.functional.gaussian_nll_loss(torch.tensor(x), torch.tensor(t), var)
    elif var_shape == (4,):  # one dim short, but not the last: torch refuses it
        with pytest.raises(ValueError, match="var is of incorrect size"):
            torch.nn.functional.gaussian_nll_loss(
                torch.tensor(x), torch.tensor(t), torch.tensor(var)
            )
        with pytest.raises(ValueError, match="var is of incorrect size"):
            F.gaussian_nll_loss(mg.tensor(x), mg.tensor(t), mg.tensor(var))
        return
    else:
        ours = F.gaussian_nll_loss(mg.tensor(x), mg.tensor(t), mg.tensor(var), reduction="none")
        theirs = torch.nn.functional.gaussian_nll_loss(
            torch.tensor(x), torch.tensor(t), torch.tensor(var), reduction="none"
        )
    assert ours.shape == tuple(theirs.shape) and ours.dtype == np.float32
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_soft_margin_loss_is_finite_for_huge_scores():
    x = mg.tensor([-1e4, 1e4, -100.0], requires_grad=True)
    loss = F.soft_margin_loss(x, mg.tensor([1.0, -1.0, 1.0]), reduction="none")
    np.testing.assert_allclose(loss.detach().numpy(), [1e4, 1e4, 100.0])
    loss.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [-1.0, 1.0, -1.0])


@pytest.mark.parametrize("shape, target", [((4,), [2]), ((4,), 2), ((3, 4), [0, 3, 1])])
@pytest.mark.parametrize("reduction", ["none", "sum"])
def test_multi_margin_loss_shapes_as_torchs(torch, shape, target, reduction):
    x = np.random.default_rng(6).standard_normal(shape).astype(np.float32)
    ours = F.multi_margin_loss(mg.tensor(x), mg.tensor(np.asarray(target)), reduction=reduction)
    theirs = torch.nn.functional.multi_margin_loss(
        torch.tensor(x), torch.tensor(np.asarray(target)), reduction=reduction
    )
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_multi_margin_loss_passes_no_gradient_at_an_exact_zero_margin(torch):
    x = np.array([[0.0, 1.0, 0.5]], np.float32)  # class 1: margin - 1 + 0 = 0 exactly
    ours = mg.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    F.multi_margin_loss(ours, mg.tensor([1])).backward()
    torch.nn.functional.multi_margin_loss(theirs, torch.tensor([1])).backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy())


def test_l1_family_broadcasts_with_torchs_warning(torch):
    for name in ("l1_loss", "smooth_l1_loss", "huber_loss"):
        ours_f, theirs_f = getattr(F, name), getattr(torch.nn.functional, name)
        ours, our_warnings = _record(lambda f=ours_f: f(mg.ones(3, 4), mg.zeros(4)))
        theirs, their_warnings = _record(lambda f=theirs_f: f(torch.ones(3, 4), torch.zeros(4)))
        np.testing.assert_allclose(ours, theirs)
        assert [c for c, _ in our_warnings] == [c for c, _ in their_warnings] == [UserWarning]
        assert "target size" in our_warnings[0][1]


def test_no_loss_warns_for_zero_or_negative_targets():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.poisson_nll_loss(mg.ones(3), mg.tensor([0.0, 1.0, 5.0]), full=True)
        F.poisson_nll_loss(mg.tensor([0.0, 1.0]), mg.tensor([0.0, 3.0]), log_input=False)
        F.kl_div(mg.zeros(3), mg.tensor([0.0, -1.0, 1.0]), reduction="sum")
        F.cosine_embedding_loss(mg.zeros(2, 3), mg.zeros(2, 3), mg.tensor([1, -1]))
        anchor = mg.zeros(2, 3, requires_grad=True)
        F.triplet_margin_loss(anchor, mg.zeros(2, 3), mg.zeros(2, 3)).backward()
        assert np.isfinite(anchor.grad.numpy()).all()


# ---- bad inputs: torch's exception type, a message naming the argument ---------------------------

X = {"reduction": "avg"}  # not a reduction
BAD = [
    ("l1_loss", lambda L: (L.ones(3, 4), L.ones(3)), {}, "target"),
    ("l1_loss", lambda L: (L.ones(3), L.ones(3)), X, "reduction"),
    ("l1_loss", lambda L: (L.ones(3), L.ones(3)), {"weight": "1d"}, "weight"),
    ("smooth_l1_loss", lambda L: (L.ones(3), L.ones(3)), {"beta": -1.0}, "beta"),
    ("smooth_l1_loss", lambda L: (L.ones(2, 3), L.ones(3, 2)), {}, "target"),
    ("huber_loss", lambda L: (L.ones(3), L.ones(3)), {"delta": 0.0}, "delta"),
    ("huber_loss", lambda L: (L.ones(3), L.ones(3)), {"reduction": "avg"}, "reduction"),
    ("kl_div", lambda L: (L.ones(3), L.ones(3)), {"reduction": "avg"}, "reduction"),
    ("kl_div", lambda L: (L.ones(3), L.ones(2)), {"reduction": "sum"}, "target"),
    ("poisson_nll_loss", lambda L: (L.ones(3), L.ones(3)), {"reduction": "avg"}, "reduction"),
    ("poisson_nll_loss", lambda L: (L.ones(3), L.ones(2)), {}, "target"),
    ("gaussian_nll_loss", lambda L: (L.ones(3), L.ones(3), -L.ones(3)), {}, "var"),
    ("gaussian_nll_loss", lambda L: (L.ones(3), L.ones(3), -1.0), {}, "var"),
    ("gaussian_nll_loss", lambda L: (L.ones(3, 4), L.ones(3, 4), L.ones(2)), {}, "var"),
    ("gaussian_nll_loss", lambda L: (L.ones(3), L.ones(3), L.ones(3)), X, "reduction"),
    ("margin_ranking_loss", lambda L: (L.ones(3), L.ones(3), L.ones(1, 3)), {}, "target"),
    ("margin_ranking_loss", lambda L: (L.ones(3), L.ones(2), L.ones(3)), {}, "input"),
    ("hinge_embedding_loss", lambda L: (L.ones(3), L.ones(2)), {}, "target"),
    ("hinge_embedding_loss", lambda L: (L.ones(3), L.ones(3)), X, "reduction"),
    ("soft_margin_loss", lambda L: (L.ones(3), L.ones(2)), {}, "target"),
    ("multi_margin_loss", lambda L: (L.ones(2, 3), L.tensor([0, 1])), {"p": 3}, "p"),
    ("multi_margin_loss", lambda L: (L.ones(2, 3), L.tensor([0, 3])), {}, "target"),
    ("multi_margin_loss", lambda L: (L.ones(2, 3), L.tensor([0, 1, 2])), {}, "target"),
    ("multi_margin_loss", lambda L: (L.ones(2, 3, 1), L.tensor([0, 1])), {}, "input"),
    ("multi_margin_loss", lambda L: (L.ones(2, 3), L.tensor([0, 1])), {"weight": "1d"}, "weight"),
    ("multi_margin_loss", lambda L: (L.ones(2, 3), L.tensor([0, 1])), {"weight": "2d"}, "weight"),
    ("multilabel_soft_margin_loss", lambda L: (L.ones(2, 3), L.ones(2, 2)), {}, "target"),
    ("multilabel_soft_margin_loss", lambda L: (L.ones(2, 3), L.ones(2, 3)), X, "reduction"),
    ("cosine_embedding_loss", lambda L: (L.ones(2, 3), L.ones(2, 3), L.ones(2, 1)), {}, "target"),
    ("cosine_embedding_loss", lambda L: (L.ones(3), L.ones(3), L.ones(2)), {}, "input"),
    ("triplet_margin_loss", lambda L: (L.ones(2, 3), L.ones(3), L.ones(2, 3)), {}, "positive"),
    ("triplet_margin_loss", lambda L: (L.ones(3), L.ones(3), L.ones(3)), {"margin": 0.0}, "margin"),
    ("triplet_margin_loss", lambda L: (L.ones(3), L.ones(3), L.ones(3)), X, "reduction"),
]  # fmt: skip


def _kwargs(lib, kwargs):
    weights = {"1d": lib.ones(2), "2d": lib.ones(2, 2)}
    return {k: weights.get(v, v) if isinstance(v, str) else v for k, v in kwargs.items()}


@pytest.mark.parametrize("name, make, kwargs, argument", BAD, ids=[f"{b[0]}-{b[3]}" for b in BAD])
def test_bad_inputs_raise_torchs_exception_naming_the_argument(torch, name, make, kwargs, argument):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as theirs:
            getattr(torch.nn.functional, name)(*make(torch), **_kwargs(torch, kwargs))
        with pytest.raises(theirs.type) as ours:
            getattr(F, name)(*make(mg), **_kwargs(mg, kwargs))
    assert argument in str(ours.value), str(ours.value)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda L: L.nn.MultiMarginLoss(p=3), "p"),
        (lambda L: L.nn.MultiMarginLoss(weight=L.ones(2, 2)), "weight"),
        (lambda L: L.nn.TripletMarginLoss(margin=-1.0), "margin"),
    ],
)
def test_modules_refuse_bad_options_at_construction(torch, make, message):
    with pytest.raises(ValueError):
        make(torch)
    with pytest.raises(ValueError, match=message):
        make(mg)


def test_bad_reduction_of_modules_names_it():
    for _, module, options in LOSSES:
        with pytest.raises(ValueError, match="reduction"):
            getattr(nn, module)(**{**options, "reduction": "avg"})


def test_math_constants():  # the examples of the docstrings
    assert F.l1_loss(mg.tensor([1.0, 2.0]), mg.tensor([1.0, 4.0])).item() == 1.0
    np.testing.assert_allclose(F.smooth_l1_loss(mg.tensor([0.5, 3.0]), mg.zeros(2)).item(), 1.3125)
    np.testing.assert_allclose(
        F.huber_loss(mg.tensor([0.5, 3.0]), mg.zeros(2), delta=2.0).item(), 2.0625
    )
    np.testing.assert_allclose(
        F.poisson_nll_loss(mg.zeros(3), mg.tensor([0.0, 1.0, 2.0])).item(), 1.0
    )
    np.testing.assert_allclose(
        F.soft_margin_loss(mg.zeros(2), mg.tensor([1.0, -1.0])).item(), math.log(2), rtol=1e-6
    )
    np.testing.assert_allclose(
        F.multi_margin_loss(mg.tensor([[0.1, 0.2, 0.4]]), mg.tensor([2])).item(), 0.5, rtol=1e-6
    )
    np.testing.assert_allclose(
        F.hinge_embedding_loss(mg.tensor([0.3, 0.4]), mg.tensor([1, -1])).item(), 0.45, rtol=1e-6
    )
    np.testing.assert_allclose(
        F.cosine_embedding_loss(mg.ones(1, 2), mg.ones(1, 2), mg.tensor([-1])).item(), 1.0
    )
