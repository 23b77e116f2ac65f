"""nn: Module bookkeeping, every layer and loss module against PyTorch (same weights, outputs and
gradients), initialisation, state dicts, reprs, error messages, train/eval, and a leak test."""

import gc
import math
import weakref

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _copy_from_torch(module, torch_module):
    """Load a PyTorch module's state dict, converted with .numpy(), as a user would."""
    module.load_state_dict({k: v.numpy() for k, v in torch_module.state_dict().items()})


# ---- layers against PyTorch ---------------------------------------------------------------------

# (name, minigrad factory, torch factory(tnn), input shape)
LAYERS = [
    ("Linear", lambda: nn.Linear(5, 3), lambda tnn: tnn.Linear(5, 3), (4, 5)),
    ("Linear_3d_no_bias", lambda: nn.Linear(5, 3, bias=False),
     lambda tnn: tnn.Linear(5, 3, bias=False), (2, 4, 5)),
    ("ReLU", nn.ReLU, lambda tnn: tnn.ReLU(), (3, 4)),
    ("LeakyReLU", lambda: nn.LeakyReLU(0.2), lambda tnn: tnn.LeakyReLU(0.2), (3, 4)),
    ("Sigmoid", nn.Sigmoid, lambda tnn: tnn.Sigmoid(), (3, 4)),
    ("Tanh", nn.Tanh, lambda tnn: tnn.Tanh(), (3, 4)),
    ("GELU", nn.GELU, lambda tnn: tnn.GELU(), (3, 4)),
    ("GELU_tanh", lambda: nn.GELU("tanh"), lambda tnn: tnn.GELU("tanh"), (3, 4)),
    ("Softmax", lambda: nn.Softmax(dim=1), lambda tnn: tnn.Softmax(dim=1), (3, 4)),
    ("LogSoftmax", lambda: nn.LogSoftmax(dim=-1), lambda tnn: tnn.LogSoftmax(dim=-1), (3, 4)),
    ("Flatten", nn.Flatten, lambda tnn: tnn.Flatten(), (2, 3, 4, 5)),
    ("Flatten_dims", lambda: nn.Flatten(0, 1), lambda tnn: tnn.Flatten(0, 1), (2, 3, 4)),
    ("Identity", nn.Identity, lambda tnn: tnn.Identity(), (3, 4)),
    ("Dropout_eval", lambda: nn.Dropout(0.5).eval(), lambda tnn: tnn.Dropout(0.5).eval(), (3, 4)),
    ("BatchNorm1d_2d", lambda: nn.BatchNorm1d(4), lambda tnn: tnn.BatchNorm1d(4), (6, 4)),
    ("BatchNorm1d_3d", lambda: nn.BatchNorm1d(3), lambda tnn: tnn.BatchNorm1d(3), (4, 3, 5)),
    ("BatchNorm2d", lambda: nn.BatchNorm2d(3), lambda tnn: tnn.BatchNorm2d(3), (2, 3, 4, 5)),
    ("BatchNorm2d_no_affine", lambda: nn.BatchNorm2d(3, affine=False, momentum=None),
     lambda tnn: tnn.BatchNorm2d(3, affine=False, momentum=None), (2, 3, 4, 5)),
    ("BatchNorm1d_untracked", lambda: nn.BatchNorm1d(4, track_running_stats=False),
     lambda tnn: tnn.BatchNorm1d(4, track_running_stats=False), (6, 4)),
    ("Sequential", lambda: nn.Sequential(nn.Linear(4, 6), nn.GELU(), nn.Linear(6, 2)),
     lambda tnn: tnn.Sequential(tnn.Linear(4, 6), tnn.GELU(), tnn.Linear(6, 2)), (5, 4)),
]  # fmt: skip
CONV_LAYERS = [
    ("Conv2d", lambda: nn.Conv2d(3, 4, 3), lambda tnn: tnn.Conv2d(3, 4, 3), (2, 3, 6, 6)),
    ("Conv2d_options", lambda: nn.Conv2d(4, 6, (3, 2), stride=2, padding=1, groups=2, bias=False),
     lambda tnn: tnn.Conv2d(4, 6, (3, 2), stride=2, padding=1, groups=2, bias=False),
     (2, 4, 7, 6)),
    ("MaxPool2d", lambda: nn.MaxPool2d(2), lambda tnn: tnn.MaxPool2d(2), (2, 3, 6, 6)),
    ("MaxPool2d_stride_pad", lambda: nn.MaxPool2d(3, stride=2, padding=1),
     lambda tnn: tnn.MaxPool2d(3, stride=2, padding=1), (2, 3, 7, 7)),
    ("AvgPool2d", lambda: nn.AvgPool2d(2), lambda tnn: tnn.AvgPool2d(2), (2, 3, 6, 6)),
    ("AvgPool2d_pad", lambda: nn.AvgPool2d(3, 2, 1), lambda tnn: tnn.AvgPool2d(3, 2, 1),
     (1, 2, 5, 5)),
    ("MaxPool2d_dilation", lambda: nn.MaxPool2d(2, stride=1, dilation=2),
     lambda tnn: tnn.MaxPool2d(2, stride=1, dilation=2), (2, 3, 6, 7)),
    ("AvgPool2d_divisor", lambda: nn.AvgPool2d(2, divisor_override=3),
     lambda tnn: tnn.AvgPool2d(2, divisor_override=3), (2, 3, 6, 6)),
]  # fmt: skip
ALL_LAYERS = LAYERS + CONV_LAYERS


@pytest.mark.parametrize(
    "name, make, make_torch, shape", ALL_LAYERS, ids=lambda v: v if isinstance(v, str) else ""
)
def test_layer_matches_torch(torch, name, make, make_torch, shape):
    rng = np.random.default_rng(0)
    layer, torch_layer = make(), make_torch(torch.nn)
    _copy_from_torch(layer, torch_layer)
    x = rng.standard_normal(shape).astype(np.float32)
    mx, tx = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = layer(mx), torch_layer(tx)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-5, atol=1e-6)
    upstream = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(mg.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(mx.grad.numpy(), tx.grad.numpy(), rtol=1e-4, atol=1e-5)
    torch_params = dict(torch_layer.named_parameters())
    assert [n for n, _ in layer.named_parameters()] == list(torch_params)
    for param_name, param in layer.named_parameters():
        np.testing.assert_allclose(
            param.grad.numpy(), torch_params[param_name].grad.numpy(), rtol=1e-4, atol=1e-5,
            err_msg=param_name,
        )  # fmt: skip
    # Buffers (BatchNorm's running statistics) moved the same way.
    torch_state = torch_layer.state_dict()
    for key, value in layer.state_dict().items():
        np.testing.assert_allclose(value, torch_state[key].numpy(), rtol=1e-5, err_msg=key)


LOSSES = [
    ("CrossEntropyLoss", lambda m: m.CrossEntropyLoss(), "class"),
    ("CrossEntropyLoss_options",
     lambda m: m.CrossEntropyLoss(label_smoothing=0.1, reduction="sum"), "class"),
    ("NLLLoss", lambda m: m.NLLLoss(), "class"),
    ("MSELoss", lambda m: m.MSELoss(), "real"),
    ("MSELoss_none", lambda m: m.MSELoss(reduction="none"), "real"),
    ("BCELoss", lambda m: m.BCELoss(), "prob"),
    ("BCEWithLogitsLoss", lambda m: m.BCEWithLogitsLoss(), "prob"),
]  # fmt: skip


@pytest.mark.parametrize("name, make, kind", LOSSES, ids=lambda v: v if isinstance(v, str) else "")
def test_loss_module_matches_torch(torch, name, make, kind):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6, 4)).astype(np.float32)
    if kind == "class":
        target = rng.integers(0, 4, 6)
    else:
        target = rng.uniform(0, 1, (6, 4)).astype(np.float32)
    if name == "BCELoss":
        x = 1 / (1 + np.exp(-x))
    mx, tx = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = make(nn)(mx, mg.tensor(target)), make(torch.nn)(tx, torch.tensor(target))
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-5, atol=1e-6)
    upstream = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(mg.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(mx.grad.numpy(), tx.grad.numpy(), rtol=1e-4, atol=1e-6)


def test_weighted_loss_modules_match_torch(torch):
    weight = np.array([0.5, 1.0, 2.0, 1.5], np.float32)
    x = np.random.default_rng(2).standard_normal((6, 4)).astype(np.float32)
    target = np.array([0, 1, 2, 3, 1, -100])
    out = nn.CrossEntropyLoss(weight=mg.tensor(weight))(mg.tensor(x), mg.tensor(target))
    expected = torch.nn.CrossEntropyLoss(weight=torch.tensor(weight))(
        torch.tensor(x), torch.tensor(target)
    )
    np.testing.assert_allclose(out.item(), expected.item(), rtol=1e-6)
    pos_weight = np.array([1.0, 2.0, 3.0, 0.5], np.float32)
    probs = np.random.default_rng(3).uniform(0, 1, (6, 4)).astype(np.float32)
    out = nn.BCEWithLogitsLoss(pos_weight=mg.tensor(pos_weight))(mg.tensor(x), mg.tensor(probs))
    expected = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pos_weight))(
        torch.tensor(x), torch.tensor(probs)
    )
    np.testing.assert_allclose(out.item(), expected.item(), rtol=1e-6)


def test_batchnorm_train_gradcheck():
    bn = nn.BatchNorm2d(2)
    x = mg.randn(3, 2, 2, 3, requires_grad=True)
    weight = mg.tensor(np.array([0.5, 2.0]), requires_grad=True)

    def fn(x, weight):
        return F.batch_norm(x, None, None, weight, bn.bias.detach(), training=True)

    assert mg.autograd.gradcheck(fn, (x, weight))


# ---- train vs eval ------------------------------------------------------------------------------


def test_batchnorm_train_then_eval(torch):
    rng = np.random.default_rng(4)
    bn, tbn = nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    for _ in range(3):
        x = (rng.standard_normal((8, 3)) * 2 + 5).astype(np.float32)
        out = bn(mg.tensor(x))
        tbn(torch.tensor(x))
        np.testing.assert_allclose(out.numpy().mean(0), 0, atol=1e-5)  # batch statistics
    assert int(bn.num_batches_tracked.item()) == 3
    np.testing.assert_allclose(bn.running_mean.numpy(), tbn.running_mean.numpy(), rtol=1e-5)
    np.testing.assert_allclose(bn.running_var.numpy(), tbn.running_var.numpy(), rtol=1e-5)
    bn.eval(), tbn.eval()
    x = rng.standard_normal((2, 3)).astype(np.float32)
    expected = (x - bn.running_mean.numpy()) / np.sqrt(bn.running_var.numpy() + 1e-5)
    np.testing.assert_allclose(bn(mg.tensor(x)).numpy(), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bn(mg.tensor(x)).numpy(), tbn(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)  # fmt: skip
    assert int(bn.num_batches_tracked.item()) == 3  # eval leaves the statistics alone
    bn(mg.randn(1, 3))  # a single sample is fine in eval mode


def test_dropout_train_and_eval():
    drop = nn.Dropout(0.25)
    x = mg.ones(100, 100)
    y = drop(x)
    assert abs((y.numpy() == 0).mean() - 0.25) < 0.02
    assert set(np.unique(y.numpy())) <= {0.0, np.float32(1 / 0.75)}
    drop.eval()
    assert not drop.training
    assert drop(x) is x
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(-0.1)


def test_train_eval_reach_every_descendant():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(), nn.BatchNorm1d(2)))
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


# ---- initialisation -----------------------------------------------------------------------------


def test_linear_and_conv_default_init_bounds():
    mg.manual_seed(0)
    fc = nn.Linear(200, 300)
    bound = 1 / math.sqrt(200)
    for tensor in (fc.weight.numpy(), fc.bias.numpy()):
        assert np.abs(tensor).max() <= bound
        assert np.abs(tensor).max() > 0.95 * bound
    assert abs(fc.weight.numpy().std() - bound / math.sqrt(3)) < 0.01 * bound
    assert abs(fc.weight.numpy().mean()) < 0.01 * bound
    assert fc.weight.dtype == fc.bias.dtype == np.float32
    conv = nn.Conv2d(6, 16, 5, groups=2)
    bound = 1 / math.sqrt(3 * 25)
    assert conv.weight.shape == (16, 3, 5, 5)
    assert bound * 0.9 < np.abs(conv.weight.numpy()).max() <= bound
    assert np.abs(conv.bias.numpy()).max() <= bound


def test_init_functions_match_their_formulas(torch):
    for nonlinearity, param in [("relu", None), ("tanh", None), ("leaky_relu", 0.2),
                                ("sigmoid", None), ("linear", None), ("selu", None)]:  # fmt: skip
        assert nn.init.calculate_gain(nonlinearity, param) == pytest.approx(
            torch.nn.init.calculate_gain(nonlinearity, param)
        )
    mg.manual_seed(1)
    w = mg.empty(400, 300)
    fan_in, fan_out = 300, 400
    nn.init.xavier_uniform_(w, gain=2.0)
    bound = 2.0 * math.sqrt(6 / (fan_in + fan_out))
    assert 0.99 * bound < np.abs(w.numpy()).max() <= bound
    nn.init.xavier_normal_(w)
    assert w.numpy().std() == pytest.approx(math.sqrt(2 / (fan_in + fan_out)), rel=0.02)
    nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    assert w.numpy().std() == pytest.approx(math.sqrt(2 / fan_out), rel=0.02)
    nn.init.kaiming_uniform_(w, nonlinearity="relu")
    assert np.abs(w.numpy()).max() == pytest.approx(math.sqrt(6 / fan_in), rel=0.01)
    nn.init.normal_(w, 1.0, 0.5)
    assert (w.numpy().mean(), w.numpy().std()) == pytest.approx((1.0, 0.5), rel=0.02)
    nn.init.constant_(w, 0.3)
    assert np.all(w.numpy() == np.float32(0.3)) and w.dtype == np.float32
    nn.init.uniform_(w, -0.5, 2.0)
    assert w.numpy().min() >= -0.5 and w.numpy().max() < 2.0
    assert w.numpy().mean() == pytest.approx(0.75, abs=0.01)
    nn.init.zeros_(w)
    assert not w.numpy().any()
    assert np.all(nn.init.ones_(mg.empty(3)).numpy() == 1)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(mg.empty(5))
    with pytest.raises(ValueError, match="fan_avg"):
        nn.init.kaiming_uniform_(w, mode="fan_avg")


def test_init_is_repeatable_with_manual_seed():
    def build():
        mg.manual_seed(42)
        return nn.Sequential(nn.Linear(4, 8), nn.Linear(8, 3))

    first, second = build().state_dict(), build().state_dict()
    for key in first:
        np.testing.assert_array_equal(first[key], second[key])


def test_init_writes_through_no_grad_is_not_needed():
    param = nn.Parameter(mg.zeros(3, 2))
    nn.init.uniform_(param, -1, 1)  # a Parameter requires grad; init must still work
    assert param.requires_grad and param.is_leaf and param.grad_fn is None


# ---- Module bookkeeping -------------------------------------------------------------------------


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(4, 8), nn.ReLU())
        self.scale = nn.Parameter(mg.ones(1))
        self.register_buffer("steps", mg.zeros(1))
        self.register_buffer("cache", mg.zeros(2), persistent=False)
        self.head = nn.Linear(8, 2)
        self.shared = self.head  # the same module twice: its parameters count once

    def forward(self, x):
        return self.head(self.features(x)) * self.scale


def test_registration_names_and_order():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "scale", "features.0.weight", "features.0.bias", "head.weight", "head.bias",
    ]  # fmt: skip
    assert len(list(net.parameters())) == 5
    assert [n for n, _ in net.named_buffers()] == ["steps", "cache"]
    assert list(net.state_dict()) == [
        "scale", "steps", "features.0.weight", "features.0.bias", "head.weight", "head.bias",
        "shared.weight", "shared.bias",
    ]  # fmt: skip
    assert [n for n, _ in net.named_children()] == ["features", "head"]
    assert [n for n, _ in net.named_modules()] == ["", "features", "features.0", "features.1",
                                                   "head"]  # fmt: skip
    assert net.get_submodule("features.0") is net.features[0]
    assert isinstance(net.steps, mg.Tensor) and net.scale.requires_grad


def test_state_dict_keys_match_torch(torch):
    class TorchNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.features = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU())
            self.scale = torch.nn.Parameter(torch.ones(1))
            self.register_buffer("steps", torch.zeros(1))
            self.register_buffer("cache", torch.zeros(2), persistent=False)
            self.head = torch.nn.Linear(8, 2)
            self.shared = self.head

    assert list(Net().state_dict()) == list(TorchNet().state_dict())
    assert [n for n, _ in Net().named_parameters()] == [n for n, _ in TorchNet().named_parameters()]


def test_setattr_replaces_and_deletes():
    net = Net()
    net.head = nn.Linear(8, 3)  # replacing a child
    assert net._modules["head"].out_features == 3
    net.scale = None  # a registered parameter may become None ...
    assert net.scale is None and "scale" not in net.state_dict()
    with pytest.raises(TypeError, match="nn.Parameter or None"):
        net.scale = mg.ones(1)  # ... but not a plain tensor
    net.steps = np.arange(3.0)  # buffers take arrays
    assert isinstance(net.steps, mg.Tensor)
    del net.features
    assert "features" not in dict(net.named_children())
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'missing'"):
        net.missing  # noqa: B018


def test_registration_errors():
    class Early(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match="super\\(\\).__init__\\(\\)"):
        Early()
    module = nn.Module()
    with pytest.raises(KeyError, match="must not contain"):
        module.register_buffer("a.b", mg.zeros(1))
    with pytest.raises(TypeError, match="nn.Parameter or None"):
        module.register_parameter("w", mg.zeros(1))
    with pytest.raises(TypeError, match="is not a Module"):
        module.add_module("m", 3)
    with pytest.raises(NotImplementedError, match="forward"):
        module(mg.zeros(1))


def test_zero_grad_and_apply():
    net = Net()
    net(mg.randn(3, 4)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen == ["Linear", "ReLU", "Sequential", "Linear", "Net"]


def test_parameter():
    p = nn.Parameter(mg.tensor([1.0, 2.0]))
    assert p.requires_grad and p.is_leaf and isinstance(p, mg.Tensor)
    assert nn.Parameter(np.zeros(2, np.float64)).dtype == np.float64
    assert nn.Parameter([1, 2]).dtype == np.float32
    assert repr(p).startswith("Parameter containing:\ntensor(")
    assert not nn.Parameter(mg.zeros(2), requires_grad=False).requires_grad
    assert (p * 2).grad_fn is not None and type(p * 2) is mg.Tensor


def test_sequential_and_module_list():
    layers = [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)]
    seq = nn.Sequential(*layers)
    assert len(seq) == 3 and seq[0] is layers[0] and seq[-1] is layers[2]
    assert list(seq) == layers
    assert isinstance(seq[1:], nn.Sequential) and list(seq[1:]) == layers[1:]
    seq.append(nn.Sigmoid())
    assert len(seq) == 4 and seq(mg.randn(5, 2)).shape == (5, 1)
    del seq[1]
    assert list(seq._modules) == ["0", "1", "2"]
    named = nn.Sequential(__import__("collections").OrderedDict(a=nn.Linear(2, 2), b=nn.ReLU()))
    assert list(named.state_dict()) == ["a.weight", "a.bias"]
    with pytest.raises(IndexError):
        seq[5]
    blocks = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    blocks.append(nn.ReLU())
    assert len(blocks) == 4 and isinstance(blocks[-1], nn.ReLU)
    assert len(list(blocks.parameters())) == 6
    assert list(blocks.state_dict())[:2] == ["0.weight", "0.bias"]
    heads = nn.ModuleDict({"a": nn.Linear(2, 1)})
    assert list(heads.state_dict()) == ["a.weight", "a.bias"] and "a" in heads


# ---- repr ---------------------------------------------------------------------------------------


def _build(lib):
    layers = [lib.Conv2d(1, 4, 3, padding=1), lib.BatchNorm2d(4), lib.ReLU(),
              lib.MaxPool2d(2), lib.Conv2d(4, 4, 3, stride=2, groups=2, bias=False),
              lib.AvgPool2d(2), lib.Flatten()]  # fmt: skip
    head = lib.Sequential(lib.Linear(16, 8), lib.LeakyReLU(0.2), lib.Dropout(0.1),
                          lib.Linear(8, 4, bias=False), lib.GELU(), lib.BatchNorm1d(4))  # fmt: skip
    blocks = lib.ModuleList([lib.Linear(4, 4), lib.Linear(4, 4), lib.Tanh(), lib.Sigmoid()])
    losses = lib.ModuleList([lib.CrossEntropyLoss(), lib.MSELoss(), lib.Identity(),
                             lib.Softmax(dim=1), lib.LogSoftmax(dim=1)])  # fmt: skip
    return lib.Sequential(*layers, head, blocks, losses)


def test_repr_equals_torch(torch):
    assert repr(_build(nn)) == repr(_build(torch.nn))
    assert repr(nn.Linear(3, 2)) == "Linear(in_features=3, out_features=2, bias=True)"


# ---- state dicts --------------------------------------------------------------------------------


def test_torch_state_dicts_load_and_give_the_same_outputs(torch):
    rng = np.random.default_rng(5)
    for model, torch_model in [(_mlp(nn), _mlp(torch.nn)), (_cnn(nn), _cnn(torch.nn))]:
        torch_model.train()
        x = rng.standard_normal((16,) + (torch_model.input_shape[1:])).astype(np.float32)
        torch_model(torch.tensor(x))  # move the running statistics away from their defaults
        torch_model.eval()
        _copy_from_torch(model, torch_model)
        model.eval()
        x = rng.standard_normal(torch_model.input_shape).astype(np.float32)
        expected = torch_model(torch.tensor(x)).detach().numpy()
        np.testing.assert_allclose(model(mg.tensor(x)).numpy(), expected, rtol=1e-4, atol=1e-5)


def _mlp(lib):
    model = lib.Sequential(lib.Linear(12, 16), lib.BatchNorm1d(16), lib.ReLU(),
                           lib.Dropout(0.3), lib.Linear(16, 3))  # fmt: skip
    model.input_shape = (8, 12)
    return model


def _cnn(lib):
    model = lib.Sequential(lib.Conv2d(1, 4, 3, padding=1), lib.BatchNorm2d(4), lib.ReLU(),
                           lib.MaxPool2d(2), lib.Conv2d(4, 6, 3), lib.ReLU(), lib.AvgPool2d(2),
                           lib.Flatten(), lib.Linear(24, 5))  # fmt: skip
    model.input_shape = (4, 1, 12, 12)
    return model


def test_state_dict_is_a_snapshot_and_load_is_in_place():
    model = _mlp(nn)
    state = model.state_dict()
    weight = model[0].weight
    with mg.no_grad():
        weight.add_(1.0)
    assert not np.allclose(state["0.weight"], weight.numpy())  # a copy, unlike PyTorch
    array_before = weight._data
    model.load_state_dict(state)
    np.testing.assert_array_equal(weight.numpy(), state["0.weight"])
    assert weight._data is array_before and model[0].weight is weight  # optimizers keep working
    assert model.state_dict(keep_vars=True)["0.weight"] is weight
    tensors = {k: mg.tensor(v) for k, v in state.items()}
    model.load_state_dict(tensors)  # Tensors load too
    assert model[1].num_batches_tracked.dtype == np.int64


def test_load_state_dict_errors_name_the_keys():
    model = _mlp(nn)
    state = model.state_dict()
    wrong = dict(state, **{"0.weight": np.zeros((16, 13), np.float32)})
    with pytest.raises(
        RuntimeError, match=r"size mismatch for 0\.weight: .*\(16, 13\).*\(16, 12\)"
    ):
        model.load_state_dict(wrong)
    with pytest.raises(RuntimeError, match=r"size mismatch for 0\.weight"):
        model.load_state_dict(wrong, strict=False)  # shapes are checked even then
    missing = {k: v for k, v in state.items() if k != "4.bias"}
    with pytest.raises(
        RuntimeError, match=r'Missing key\(s\) in state_dict: "4.bias" \(shape \(3,\) in model'
    ):
        model.load_state_dict(missing)
    extra = dict(state, **{"head.weight": np.zeros(2)})
    with pytest.raises(
        RuntimeError,
        match=r'Unexpected key\(s\) in state_dict: "head.weight" \(shape \(2,\) in checkpoint',
    ):
        model.load_state_dict(extra)
    with pytest.raises(RuntimeError, match=r'"head.weight" \(shape \(2,\)'):
        model.load_state_dict(dict(state, **{"head.weight": mg.zeros(2)}))  # a Tensor too
    result = model.load_state_dict(dict(missing, **{"head.weight": np.zeros(2)}), strict=False)
    assert result.missing_keys == ["4.bias"] and result.unexpected_keys == ["head.weight"]
    with pytest.raises(TypeError, match="dict-like"):
        model.load_state_dict([1, 2])


# ---- wrong inputs -------------------------------------------------------------------------------


def test_linear_wrong_feature_size_names_layer_and_shapes():
    fc = nn.Linear(1352, 10)
    with pytest.raises(mg.ShapeError) as error:
        fc(mg.zeros(64, 1690))
    message = str(error.value)
    assert "Linear(in_features=1352, out_features=10" in message
    assert "(*, 1352)" in message and "(64, 1690)" in message


def test_conv_wrong_channel_count_names_layer_and_shapes():
    conv = nn.Conv2d(3, 8, 3)
    with pytest.raises(mg.ShapeError) as error:
        conv(mg.zeros(2, 1, 28, 28))
    message = str(error.value)
    assert "Conv2d(3, 8, kernel_size=(3, 3)" in message
    assert "(N, 3, H, W)" in message and "(2, 1, 28, 28)" in message
    with pytest.raises(mg.ShapeError, match=r"Conv2d\(3, 8.*\(3, H, W\).*\(1, 28, 28\)"):
        conv(mg.zeros(1, 28, 28))  # unbatched


def test_batchnorm_wrong_input_names_layer_and_shapes():
    with pytest.raises(mg.ShapeError, match=r"BatchNorm1d\(4.*\(8, 5\)"):
        nn.BatchNorm1d(4)(mg.zeros(8, 5))
    with pytest.raises(mg.ShapeError, match=r"BatchNorm2d\(4.*4D.*\(8, 4\)"):
        nn.BatchNorm2d(4)(mg.zeros(8, 4))


def test_bad_loss_reduction_in_module():
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        nn.MSELoss(reduction="avg")


# ---- memory -------------------------------------------------------------------------------------


def _live_tensors():
    gc.collect()
    # type(), not isinstance: that would touch lazy modules of other libraries (torch warns).
    return sum(issubclass(type(obj), mg.Tensor) for obj in gc.get_objects())


def test_training_does_not_leak_tensors():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 32), nn.BatchNorm1d(32), nn.GELU(), nn.Dropout(0.1),
                          nn.Linear(32, 3))  # fmt: skip
    loss_fn = nn.CrossEntropyLoss()
    x, y = mg.randn(16, 10), mg.randint(0, 3, (16,))
    lr = 0.1

    def train_step():
        loss = loss_fn(model(x), y)
        model.zero_grad()
        loss.backward()
        with mg.no_grad():
            for param in model.parameters():
                param -= lr * param.grad
        return weakref.ref(loss)

    for _ in range(5):
        train_step()
    before = _live_tensors()
    refs = [train_step() for _ in range(50)]
    assert _live_tensors() <= before
    gc.collect()
    assert all(ref() is None for ref in refs)


def test_module_to_casts_in_place_and_accepts_cpu():
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    weight = model[0].weight
    optimizer_view = list(model.parameters())
    assert model.to("cpu") is model and model.cpu() is model
    model.double()
    assert weight is model[0].weight and optimizer_view[0] is weight
    assert weight.dtype == model[1].running_var.dtype == np.float64
    assert model[1].num_batches_tracked.dtype == np.int64  # integer buffers keep their dtype
    assert model(mg.randn(4, 3).double()).dtype == np.float64
    with pytest.raises(RuntimeError, match="found no GPU"):
        model.to("cuda")
    assert model.float()[0].weight.dtype == np.float32
