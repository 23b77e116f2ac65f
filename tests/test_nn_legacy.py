"""Layers that older and tutorial PyTorch programs use: channel-wise and alpha dropout, the
legacy ``size_average``/``reduce`` loss arguments, lazy modules. Each is compared with torch
where torch is importable; bad arguments raise errors naming them."""

import inspect
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn import functional as F


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


# ---- dropout ---------------------------------------------------------------------------------

CHANNEL_DROPOUTS = [  # function, module, a shape it accepts silently, the channel dims
    (F.dropout1d, nn.Dropout1d, (8, 16, 5), 2),
    (F.dropout1d, nn.Dropout1d, (16, 5), 1),
    (F.dropout2d, nn.Dropout2d, (8, 16, 3, 4), 2),
    (F.dropout3d, nn.Dropout3d, (8, 16, 2, 3, 2), 2),
    (F.dropout3d, nn.Dropout3d, (16, 2, 3, 2), 1),
]


@pytest.mark.parametrize("function, module, shape, lead", CHANNEL_DROPOUTS)
def test_channel_dropout_zeroes_whole_channels_and_scales_the_rest(function, module, shape, lead):
    mg.manual_seed(0)
    x = mg.ones(*shape)
    for y in (function(x, p=0.4), module(0.4)(x)):
        channels = y.numpy().reshape(*shape[:lead], -1)
        kept = channels[..., 0] != 0
        expected = np.where(kept[..., None], np.float32(1 / 0.6), np.float32(0))
        np.testing.assert_array_equal(channels, np.broadcast_to(expected, channels.shape))
        assert 0.2 < 1 - kept.mean() < 0.6 and y.shape == x.shape and y.dtype == mg.float32


@pytest.mark.parametrize("function, module, shape, lead", CHANNEL_DROPOUTS)
def test_channel_dropout_eval_is_the_identity(function, module, shape, lead):
    x = mg.randn(*shape)
    assert function(x, 0.5, training=False) is x
    assert module(0.5).eval()(x) is x
    assert function(x, 0.0) is x


def test_channel_dropout_mask_repeats_under_manual_seed():
    x = mg.randn(4, 6, 3, 3)
    mg.manual_seed(3)
    first = F.dropout2d(x).numpy()
    mg.manual_seed(3)
    np.testing.assert_array_equal(first, F.dropout2d(x).numpy())


@pytest.mark.parametrize("function", [F.dropout, F.dropout2d, F.alpha_dropout])
def test_gradient_flows_through_the_fixed_mask(function):
    x = mg.randn(4, 5, 3, 2, dtype=mg.float64, requires_grad=True)
    mg.manual_seed(1)
    y = function(x, 0.3, True)
    (y * y).sum().backward()
    # y = x * scale + shift elementwise, with scale and shift fixed by the mask.
    mg.manual_seed(1)
    zeros = mg.zeros(4, 5, 3, 2, dtype=mg.float64)
    shift = function(zeros, 0.3, True).numpy()
    mg.manual_seed(1)
    scale = function(zeros + 1, 0.3, True).numpy() - shift
    np.testing.assert_allclose(y.numpy(), x.detach().numpy() * scale + shift, rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), 2 * y.detach().numpy() * scale, rtol=1e-12)


def test_p_one_zeroes_everything_and_keeps_the_graph():
    x = mg.randn(2, 3, 4, requires_grad=True)
    for y in (F.dropout(x, 1.0), F.dropout1d(x, 1.0), F.alpha_dropout(x, 1.0, True)):
        assert not y.numpy().any()
        y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 0)


def test_channel_dropout_values_as_torchs(torch):
    x = np.ones((6, 32, 2, 2), np.float32)
    for name in ("dropout2d", "feature_alpha_dropout"):
        ours = getattr(F, name)(mg.tensor(x), 0.3, True).numpy()
        theirs = getattr(torch.nn.functional, name)(torch.tensor(x), 0.3, True).numpy()
        np.testing.assert_allclose(np.unique(ours), np.unique(theirs), rtol=1e-6)
        assert (ours.reshape(6, 32, 4).std(axis=2) == 0).all()  # whole channels


def test_alpha_dropout_values_and_statistics_as_torchs(torch):
    mg.manual_seed(0)
    x = mg.randn(200_000)
    y = F.alpha_dropout(x, 0.2, training=True).numpy()
    assert abs(y.mean()) < 0.01 and abs(y.var() - 1) < 0.01  # SELU's fixed point survives
    ones = np.ones(1000, np.float32)
    ours = np.unique(nn.AlphaDropout(0.2)(mg.tensor(ones)).numpy())
    theirs = np.unique(torch.nn.AlphaDropout(0.2)(torch.tensor(ones)).numpy())
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    assert F.alpha_dropout(x, 0.2) is x  # torch's default is training=False


DROPOUT_FUNCTIONS = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
                     "feature_alpha_dropout"]  # fmt: skip
DROPOUT_MODULES = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
                   "FeatureAlphaDropout"]  # fmt: skip


@pytest.mark.parametrize("name", DROPOUT_FUNCTIONS)
def test_signatures_and_defaults_as_torchs(torch, name):
    ours = inspect.signature(getattr(F, name))
    theirs = inspect.signature(getattr(torch.nn.functional, name))
    assert [(p.name, p.default) for p in ours.parameters.values()] == [
        (p.name, p.default) for p in theirs.parameters.values()
    ]


@pytest.mark.parametrize("name", DROPOUT_MODULES)
def test_module_reprs_as_torchs(torch, name):
    assert repr(getattr(nn, name)(0.2)) == repr(getattr(torch.nn, name)(0.2))
    assert repr(getattr(nn, name)()) == repr(getattr(torch.nn, name)())


def test_the_2018_mnist_call_runs():
    x = mg.randn(4, 50)
    mg.manual_seed(0)
    y = F.dropout(x, training=True)
    assert ((y.numpy() == 0) | np.isclose(y.numpy(), 2 * x.numpy())).all()
    assert F.dropout(x, training=False) is x


RANK_CASES = [  # function, shape: torch warns, raises, or neither
    ("dropout1d", (3,)), ("dropout1d", (2, 3, 4, 5)), ("dropout2d", (2, 3)),
    ("dropout2d", (2, 3, 4)), ("dropout2d", (3,)), ("dropout2d", (2, 3, 4, 5, 6)),
    ("dropout3d", (3,)), ("dropout3d", (2, 3, 4)), ("dropout3d", ()),
]  # fmt: skip


def _outcome(function, x):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            y = function(x, 0.5)
        except RuntimeError as error:
            return [str(w.message) for w in caught], str(error), None
    return [str(w.message) for w in caught], None, tuple(y.shape)


@pytest.mark.parametrize("name, shape", RANK_CASES)
def test_input_rank_warnings_and_errors_as_torchs(torch, name, shape):
    ours = _outcome(getattr(F, name), mg.ones(*shape))
    theirs = _outcome(getattr(torch.nn.functional, name), torch.ones(shape))
    assert ours == theirs


@pytest.mark.parametrize("name", DROPOUT_FUNCTIONS)
def test_bad_p_is_refused_naming_it(name):
    x = mg.ones(2, 3, 4, 4, 4)
    for p in (1.5, -0.1):
        with pytest.raises(ValueError, match=f"has to be between 0 and 1, but got {p}"):
            getattr(F, name)(x, p)
    with pytest.raises(TypeError, match="dropout probability p must be a real number"):
        getattr(F, name)(x, "0.5")


@pytest.mark.parametrize("name", DROPOUT_MODULES)
def test_modules_refuse_bad_p_at_construction(name):
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but "
                                         "got 1.5"):  # fmt: skip
        getattr(nn, name)(1.5)
    with pytest.raises(TypeError, match="dropout probability p must be a real number"):
        getattr(nn, name)(None)


# ---- the legacy size_average / reduce loss arguments -----------------------------------------

LEGACY_FLAGS = [(s, r) for s in (None, True, False) for r in (None, True, False)]


def _loss_inputs(lib, name):
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((5, 4)).astype(np.float32)
    probabilities = (1 / (1 + np.exp(-logits))).astype(np.float32)
    classes = np.array([0, 3, 1, 1, 2])
    targets = (rng.random((5, 4)) > 0.5).astype(np.float32)
    if name in ("nll_loss", "NLLLoss"):
        logp = logits - np.log(np.exp(logits).sum(1, keepdims=True))
        return lib.tensor(logp), lib.tensor(classes)
    if name in ("cross_entropy", "CrossEntropyLoss"):
        return lib.tensor(logits), lib.tensor(classes)
    if name in ("mse_loss", "MSELoss"):
        return lib.tensor(logits), lib.tensor(targets)
    if name in ("binary_cross_entropy", "BCELoss"):
        return lib.tensor(probabilities), lib.tensor(targets)
    return lib.tensor(logits), lib.tensor(targets)


LOSS_FUNCTIONS = ["nll_loss", "cross_entropy", "mse_loss", "binary_cross_entropy",
                  "binary_cross_entropy_with_logits"]  # fmt: skip
LOSS_MODULES = ["NLLLoss", "CrossEntropyLoss", "MSELoss", "BCELoss", "BCEWithLogitsLoss"]


def _call(make, flags):
    """(value, warning messages) of make(size_average=..., reduce=...) with None left out."""
    kwargs = {k: v for k, v in zip(("size_average", "reduce"), flags) if v is not None}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = make(kwargs)
    return value.detach().numpy(), [(w.category, str(w.message)) for w in caught]


@pytest.mark.parametrize("flags", LEGACY_FLAGS, ids=str)
@pytest.mark.parametrize("name", LOSS_FUNCTIONS)
def test_legacy_flags_of_functions_as_torchs(torch, name, flags):
    results = []
    for lib in (mg, torch):
        x, t = _loss_inputs(lib, name)
        function = getattr(lib.nn.functional, name)
        results.append(_call(lambda kwargs, f=function, x=x, t=t: f(x, t, **kwargs), flags))
    (ours, our_warnings), (theirs, their_warnings) = results
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)
    assert our_warnings == their_warnings


@pytest.mark.parametrize("flags", LEGACY_FLAGS, ids=str)
@pytest.mark.parametrize("name", LOSS_MODULES)
def test_legacy_flags_of_modules_as_torchs(torch, name, flags):
    results = []
    for lib in (mg, torch):
        x, t = _loss_inputs(lib, name)
        cls = getattr(lib.nn, name)
        results.append(_call(lambda kwargs, c=cls, x=x, t=t: c(**kwargs)(x, t), flags))
    (ours, our_warnings), (theirs, their_warnings) = results
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)
    assert our_warnings == their_warnings
    kwargs = {k: v for k, v in zip(("size_average", "reduce"), flags) if v is not None}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert getattr(nn, name)(**kwargs).reduction == getattr(torch.nn, name)(**kwargs).reduction


def test_the_legacy_warning_points_at_the_callers_line():
    x, t = _loss_inputs(mg, "nll_loss")
    for make in (lambda: F.nll_loss(x, t, size_average=False), lambda: nn.NLLLoss(reduce=False),
                 lambda: nn.MSELoss(size_average=True)):  # fmt: skip
        with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"
                          ) as caught:  # fmt: skip
            make()
        assert caught[0].filename == __file__


def test_the_2018_mnist_test_loop_call():
    x, t = _loss_inputs(mg, "nll_loss")
    with pytest.warns(UserWarning, match=r"please use reduction='sum' instead\."):
        total = F.nll_loss(x, t, size_average=False).item()
    assert isinstance(total, float)
    np.testing.assert_allclose(total, F.nll_loss(x, t, reduction="sum").item(), rtol=1e-6)


@pytest.mark.parametrize("name", LOSS_FUNCTIONS)
def test_loss_function_positional_order_is_torchs(torch, name):
    ours = list(inspect.signature(getattr(F, name)).parameters)
    theirs = list(inspect.signature(getattr(torch.nn.functional, name)).parameters)
    assert ours == theirs


@pytest.mark.parametrize("name", LOSS_MODULES)
def test_loss_module_positional_order_is_torchs(torch, name):
    ours = inspect.signature(getattr(nn, name)).parameters
    theirs = inspect.signature(getattr(torch.nn, name)).parameters
    assert [(p.name, p.default) for p in ours.values()] == [
        (p.name, p.default) for p in theirs.values()
    ]


def test_positional_legacy_flags_as_torch_reads_them(torch):
    x, t = _loss_inputs(mg, "nll_loss")
    tx, tt = _loss_inputs(torch, "nll_loss")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = F.nll_loss(x, t, None, False, -100, False).numpy()  # weight, size_average, ...
        theirs = torch.nn.functional.nll_loss(tx, tt, None, False, -100, False).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
        assert nn.CrossEntropyLoss(None, False).reduction == "sum"


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_weighted_mse_loss_as_torchs(torch, reduction):
    rng = np.random.default_rng(2)
    x, t, w = (rng.random((3, 4)).astype(np.float32) for _ in range(3))
    ours = mg.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    a = F.mse_loss(ours, mg.tensor(t), reduction=reduction, weight=mg.tensor(w))
    b = torch.nn.functional.mse_loss(theirs, torch.tensor(t), reduction=reduction,
                                     weight=torch.tensor(w))  # fmt: skip
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6)
    a.sum().backward()
    b.sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-5)
    with pytest.raises(ValueError, match=r"mse_loss: weight of shape \(4,\) must have the input's"):
        F.mse_loss(ours, mg.tensor(t), weight=mg.ones(4))


def test_a_bad_reduction_is_still_refused_naming_it():
    x, t = _loss_inputs(mg, "mse_loss")
    with pytest.raises(ValueError, match="'avg' is not a valid value for reduction"):
        F.mse_loss(x, t, reduction="avg")
    with pytest.raises(ValueError, match="'avg' is not a valid value for reduction"):
        nn.BCELoss(reduction="avg")


# ---- lazy modules ----------------------------------------------------------------------------

LAZY = [  # (lazy constructor, input shape, the eager layer it becomes)
    (lambda lib: lib.nn.LazyLinear(10), (4, 3), "Linear"),
    (lambda lib: lib.nn.LazyLinear(5, bias=False), (2, 6, 7), "Linear"),
    (lambda lib: lib.nn.LazyConv2d(4, 3), (2, 3, 8, 8), "Conv2d"),
    (
        lambda lib: lib.nn.LazyConv2d(6, (3, 2), stride=2, padding=1, groups=2, bias=False),
        (2, 4, 7, 7),
        "Conv2d",
    ),  # fmt: skip
    (lambda lib: lib.nn.LazyConv2d(4, 3, padding="same"), (3, 6, 6), "Conv2d"),
    (lambda lib: lib.nn.LazyBatchNorm1d(), (4, 3), "BatchNorm1d"),
    (lambda lib: lib.nn.LazyBatchNorm1d(momentum=None, bias=False), (4, 3, 2), "BatchNorm1d"),
    (lambda lib: lib.nn.LazyBatchNorm2d(affine=False), (2, 5, 3, 3), "BatchNorm2d"),
    (lambda lib: lib.nn.LazyBatchNorm2d(track_running_stats=False), (2, 5, 3, 3), "BatchNorm2d"),
]


@pytest.mark.parametrize("make, shape, eager", LAZY)
def test_lazy_modules_repr_and_become_the_eager_layer_as_torchs(torch, make, shape, eager):
    ours, theirs = make(mg), make(torch)
    assert repr(ours) == repr(theirs)
    assert ours.has_uninitialized_params() and theirs.has_uninitialized_params()
    assert [repr(p) for p in ours.parameters()] == [repr(p) for p in theirs.parameters()]
    ours(mg.ones(*shape))
    theirs(torch.ones(shape))
    assert repr(ours) == repr(theirs) and type(ours) is getattr(nn, eager)
    assert [tuple(p.shape) for p in ours.parameters()] == [
        tuple(p.shape) for p in theirs.parameters()
    ]
    assert all(type(p) is nn.Parameter for p in ours.parameters())


@pytest.mark.parametrize("make, shape, eager", LAZY)
def test_lazy_modules_initialise_as_the_eager_layer(make, shape, eager):
    lazy = make(mg)
    lazy(mg.ones(*shape))
    if eager.startswith("BatchNorm"):
        return  # ones and zeros: compared with torch's values in the test below
    options = {k: getattr(lazy, k) for k in ("stride", "padding", "groups") if hasattr(lazy, k)}
    sizes = ((lazy.in_features, lazy.out_features) if eager == "Linear" else
             (lazy.in_channels, lazy.out_channels, lazy.kernel_size))  # fmt: skip
    bias = lazy.bias is not None
    mg.manual_seed(5)
    eager_layer = getattr(nn, eager)(*sizes, bias=bias, **options)
    mg.manual_seed(5)
    lazy = make(mg)
    lazy(mg.ones(*shape))
    for a, b in zip(lazy.parameters(), eager_layer.parameters()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("make, shape, eager", [c for c in LAZY if c[2].startswith("Batch")])
def test_lazy_batch_norm_computes_and_tracks_as_torch(torch, make, shape, eager):
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    ours, theirs = make(mg), make(torch)
    for _ in range(2):
        np.testing.assert_allclose(ours(mg.tensor(x)).numpy(), theirs(torch.tensor(x)).detach()
                                   .numpy(), rtol=1e-5, atol=1e-6)  # fmt: skip
    ours_state, theirs_state = ours.state_dict(), theirs.state_dict()
    assert list(ours_state) == list(theirs_state)
    for key in ours_state:
        np.testing.assert_allclose(ours_state[key], theirs_state[key].numpy(), rtol=1e-6)


def test_lazy_linear_loads_torchs_weights_and_computes_as_torch(torch):
    torch.manual_seed(0)
    reference = torch.nn.Linear(6, 3)
    x = np.random.default_rng(0).standard_normal((4, 6)).astype(np.float32)
    lazy = nn.LazyLinear(3)
    lazy.load_state_dict({k: v.numpy() for k, v in reference.state_dict().items()})
    assert not lazy.has_uninitialized_params() and tuple(lazy.weight.shape) == (3, 6)
    out = lazy(mg.tensor(x))
    assert type(lazy) is nn.Linear and lazy.in_features == 6
    np.testing.assert_allclose(out.detach().numpy(), reference(torch.tensor(x)).detach().numpy(),
                               rtol=1e-6, atol=1e-6)  # fmt: skip


def test_an_optimizer_built_before_the_first_call_trains_the_materialised_weights():
    model = nn.Sequential(nn.LazyConv2d(2, 3), nn.Flatten(), nn.LazyLinear(1))
    optimizer = mg.optim.SGD(model.parameters(), lr=0.1)
    x = mg.randn(2, 1, 5, 5)
    model(x)
    before = [p.numpy().copy() for p in model.parameters()]
    (model(x) ** 2).sum().backward()
    optimizer.step()
    assert all((a != p.numpy()).any() for a, p in zip(before, model.parameters()))
    assert "Linear(in_features=18, out_features=1, bias=True)" in repr(model)


def test_an_uninitialized_parameter_refuses_its_shape_and_deep_copies():
    import copy

    lazy = nn.LazyLinear(4)
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized"):
        _ = lazy.weight.shape
    twin = copy.deepcopy(lazy)
    assert isinstance(twin.weight, nn.UninitializedParameter) and twin.weight is not lazy.weight
    twin(mg.ones(2, 3))
    assert lazy.has_uninitialized_params() and tuple(twin.weight.shape) == (4, 3)
    norm = nn.LazyBatchNorm1d()
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized"):
        _ = norm.running_mean.shape
    assert repr(norm.running_var) == "<UninitializedBuffer>"
    norm.load_state_dict(nn.BatchNorm1d(6).state_dict())
    norm(mg.randn(3, 6))
    assert type(norm) is nn.BatchNorm1d and norm.num_features == 6
    assert type(norm.running_mean) is mg.Tensor


@pytest.mark.parametrize(
    "use, op",
    [
        (lambda w: w + 1, "add"),
        (lambda w: w.sum(), "sum"),
        (lambda w: mg.exp(w), "exp"),
        (lambda w: F.linear(mg.ones(2, 3), w), "linear"),
        (lambda w: w.numpy(), "numpy"),
        (lambda w: w.tolist(), "tolist"),
    ],
)
def test_using_an_uninitialized_parameter_is_a_value_error_naming_the_op(use, op):
    """As PyTorch: not an empty result computed from the placeholder."""
    lazy = nn.LazyLinear(4)
    with pytest.raises(ValueError, match=f"uninitialized parameter in {op}\\. .*call `forward`"):
        use(lazy.weight)


def test_before_the_first_call_dtype_state_dict_and_to_still_work():
    lazy = nn.LazyLinear(4)
    assert lazy.weight.dtype == mg.float32
    assert isinstance(lazy.state_dict()["weight"], nn.UninitializedParameter)
    lazy.double()
    assert lazy.weight.dtype == mg.float64
    assert lazy(mg.ones(2, 3, dtype=mg.float64)).dtype == mg.float64


def test_lazy_modules_refuse_bad_first_inputs_naming_the_shape():
    with pytest.raises(ValueError, match="in_features"):
        nn.LazyLinear(3)(mg.tensor(1.0))
    with pytest.raises(ValueError, match=r"\(N, C, H, W\) or \(C, H, W\), but got shape \(5, 5\)"):
        nn.LazyConv2d(2, 3)(mg.ones(5, 5))
    with pytest.raises(ValueError, match=r"groups \(2\) must divide in_channels \(3"):
        nn.LazyConv2d(2, 3, groups=2)(mg.ones(1, 3, 5, 5))
    with pytest.raises(ValueError, match=r"groups \(2\) must divide out_channels \(3\)"):
        nn.LazyConv2d(3, 3, groups=2)
    with pytest.raises(ValueError, match="out_features must be non-negative, but got -1"):
        nn.LazyLinear(-1)
    with pytest.raises(TypeError, match="out_features must be an int, but got str"):
        nn.LazyLinear("10")
    with pytest.raises(ValueError, match="out_channels must be non-negative, but got -2"):
        nn.LazyConv2d(-2, 3)
    with pytest.raises(ValueError, match=r"LazyBatchNorm2d expected a 4D input, but got shape"):
        nn.LazyBatchNorm2d()(mg.ones(2, 3))
    fc = nn.LazyLinear(2)
    fc(mg.ones(1, 3))
    with pytest.raises(ValueError, match="in_features"):
        fc(mg.ones(1, 4))  # the eager layer checks from now on


@pytest.mark.parametrize("name", ["LazyLinear", "LazyConv2d", "LazyBatchNorm1d",
                                  "LazyBatchNorm2d"])  # fmt: skip
def test_lazy_signatures_as_torchs(torch, name):
    ours = inspect.signature(getattr(nn, name)).parameters
    theirs = inspect.signature(getattr(torch.nn, name)).parameters
    assert [(p.name, p.default) for p in ours.values()] == [
        (p.name, p.default) for p in theirs.values()
    ]


# ---- a 2018-style program: Dropout2d, F.dropout(training=...), nll_loss(size_average=False) --


class _Net2018(nn.Module):
    """The layer layout of pytorch/examples' 2018 MNIST network, written here from scratch."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d()
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        x = x.view(-1, 320)
        x = F.relu(self.fc1(x))
        x = F.dropout(x, training=self.training)
        return F.log_softmax(self.fc2(x), dim=1)


def test_a_2018_style_training_and_test_loop_runs():
    mg.manual_seed(0)
    model = _Net2018()
    optimizer = mg.optim.Adadelta(model.parameters(), lr=1.0)
    data, target = mg.randn(8, 1, 28, 28), mg.tensor(np.arange(8) % 10)
    model.train()
    losses = []
    for _ in range(3):
        optimizer.zero_grad()
        loss = F.nll_loss(model(data), target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    with pytest.warns(UserWarning, match="reduction='sum'"):
        test_loss = F.nll_loss(model(data), target, size_average=False).item()
    pred = model(data).max(1, keepdim=True)[1]
    correct = pred.eq(target.view_as(pred)).sum().item()
    assert np.isfinite(losses).all() and np.isfinite(test_loss) and 0 <= correct <= 8
    # In eval mode the dropouts are identities: the same batch gives the same output.
    np.testing.assert_array_equal(model(data).numpy(), model(data).numpy())
