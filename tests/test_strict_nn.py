"""nn on the test-only 'strict' device: layers made with ``device=``, their forward and backward,
dropout, nn.init and nn.utils, each compared with the same computation on the CPU.

A strict array refuses to meet a numpy array (tests/strict_backend.py), so a layer or function
that makes an array with numpy instead of its input's array module, or draws a random mask on
the host and forgets to move it, fails here. Layers are built twice from the same seed (on the
CPU, and with ``device='strict'``): their initialisation draws on the host, so both start with
the same state, which the tests check before comparing outputs and gradients.
"""

import math

import numpy as np
import pytest
import strict_backend

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.backend import to_host

pytestmark = pytest.mark.usefixtures("strict_device")


_is_strict = strict_backend.is_strict


def _host(tensor):
    return to_host(tensor._data)


def _close(strict, cpu, rtol=1e-6, atol=1e-7):
    assert _is_strict(strict), f"expected a strict-device result, got {type(strict._data)}"
    assert not _is_strict(cpu)
    np.testing.assert_allclose(_host(strict), cpu.numpy(), rtol=rtol, atol=atol)


def _tensors(value):
    """The Tensors in a (nested) layer output, in order."""
    if isinstance(value, mg.Tensor):
        return [value]
    if isinstance(value, tuple | list):
        return [t for v in value for t in _tensors(v)]
    return []


def _state(module):
    return [*module.named_parameters(), *module.named_buffers()]


# ---- layers made on the device --------------------------------------------------------------

# name, factory(device), input shapes (float inputs get gradients), int inputs {position: (high,
# shape)}, whether to run a second forward in eval mode
LAYERS = [
    ("Linear", lambda d: nn.Linear(4, 3, device=d), [(2, 4)]),
    ("Linear-nobias", lambda d: nn.Linear(4, 3, bias=False, device=d), [(5, 4)]),
    ("Conv1d", lambda d: nn.Conv1d(2, 4, 3, padding=1, device=d), [(2, 2, 6)]),
    ("Conv1d-groups", lambda d: nn.Conv1d(4, 4, 3, stride=2, groups=2, device=d), [(2, 4, 7)]),
    ("Conv2d", lambda d: nn.Conv2d(2, 3, 3, padding=1, device=d), [(2, 2, 5, 5)]),
    ("Conv2d-strided", lambda d: nn.Conv2d(2, 4, (2, 3), stride=2, device=d), [(1, 2, 6, 7)]),
    ("ConvTranspose1d", lambda d: nn.ConvTranspose1d(2, 3, 3, stride=2, device=d), [(2, 2, 4)]),
    (
        "ConvTranspose2d",
        lambda d: nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1, device=d),
        [(1, 2, 3, 3)],
    ),
    ("BatchNorm1d", lambda d: nn.BatchNorm1d(3, device=d), [(4, 3)]),
    ("BatchNorm1d-3d", lambda d: nn.BatchNorm1d(3, momentum=None, device=d), [(4, 3, 5)]),
    ("BatchNorm2d", lambda d: nn.BatchNorm2d(2, device=d), [(3, 2, 4, 4)]),
    (
        "InstanceNorm1d",
        lambda d: nn.InstanceNorm1d(3, affine=True, track_running_stats=True, device=d),
        [(2, 3, 5)],
    ),
    (
        "InstanceNorm2d",
        lambda d: nn.InstanceNorm2d(2, affine=True, track_running_stats=True, device=d),
        [(2, 2, 3, 4)],
    ),
    ("LayerNorm", lambda d: nn.LayerNorm(4, device=d), [(2, 3, 4)]),
    ("LayerNorm-2d", lambda d: nn.LayerNorm((3, 4), bias=False, device=d), [(2, 3, 4)]),
    ("GroupNorm", lambda d: nn.GroupNorm(2, 4, device=d), [(2, 4, 3)]),
    ("PReLU", lambda d: nn.PReLU(device=d), [(2, 3)]),
    ("PReLU-channels", lambda d: nn.PReLU(3, device=d), [(2, 3, 4)]),
    ("RNN", lambda d: nn.RNN(4, 5, num_layers=2, bidirectional=True, device=d), [(3, 2, 4)]),
    ("RNN-relu", lambda d: nn.RNN(4, 5, nonlinearity="relu", device=d), [(3, 4)]),
    ("LSTM", lambda d: nn.LSTM(4, 5, batch_first=True, device=d), [(2, 3, 4)]),
    ("LSTM-2", lambda d: nn.LSTM(3, 4, num_layers=2, device=d), [(3, 2, 3)]),
    ("GRU", lambda d: nn.GRU(4, 5, bidirectional=True, device=d), [(3, 2, 4)]),
    ("RNNCell", lambda d: nn.RNNCell(4, 5, device=d), [(2, 4)]),
    ("RNNCell-hx", lambda d: nn.RNNCell(4, 5, device=d), [(2, 4), (2, 5)]),
    ("LSTMCell", lambda d: nn.LSTMCell(4, 5, device=d), [(2, 4)]),
    ("GRUCell", lambda d: nn.GRUCell(4, 5, device=d), [(3, 4)]),
    ("GRUCell-unbatched", lambda d: nn.GRUCell(4, 5, device=d), [(4,)]),
    ("MultiheadAttention", lambda d: nn.MultiheadAttention(6, 2, device=d), [(3, 2, 6)] * 3),
    (
        "MultiheadAttention-kdim",
        lambda d: nn.MultiheadAttention(6, 3, kdim=4, vdim=5, batch_first=True, device=d),
        [(2, 3, 6), (2, 4, 4), (2, 4, 5)],
    ),
    (
        "MultiheadAttention-bias_kv",
        lambda d: nn.MultiheadAttention(4, 2, add_bias_kv=True, add_zero_attn=True, device=d),
        [(3, 2, 4)] * 3,
    ),
    (
        "TransformerEncoderLayer",
        lambda d: nn.TransformerEncoderLayer(6, 2, dim_feedforward=8, dropout=0.0, device=d),
        [(3, 2, 6)],
    ),
    (
        "TransformerEncoderLayer-norm_first",
        lambda d: nn.TransformerEncoderLayer(
            4, 2, 8, 0.0, activation="gelu", norm_first=True, batch_first=True, device=d
        ),
        [(2, 3, 4)],
    ),
    (
        "TransformerEncoder",
        lambda d: nn.TransformerEncoder(
            nn.TransformerEncoderLayer(4, 2, 8, 0.0, device=d), 2, norm=nn.LayerNorm(4, device=d)
        ),
        [(3, 2, 4)],
    ),
]

_EVAL_TOO = ("BatchNorm", "InstanceNorm")


def _build(factory, device, seed=0):
    mg.manual_seed(seed)
    return factory(device)


def _forward_backward(layer, arrays, device, rng_seed=1):
    inputs = [mg.tensor(a, device=device, requires_grad=True) for a in arrays]
    outputs = _tensors(layer(*inputs))
    rng = np.random.default_rng(rng_seed)
    loss = None
    for out in outputs:
        upstream = mg.tensor(rng.standard_normal(out.shape), dtype=out.dtype, device=device)
        term = (out * upstream).sum()
        loss = term if loss is None else loss + term
    loss.backward()
    return inputs, outputs


def _compare_layers(strict_layer, cpu_layer, arrays):
    strict_in, strict_out = _forward_backward(strict_layer, arrays, "strict")
    cpu_in, cpu_out = _forward_backward(cpu_layer, arrays, "cpu")
    assert len(strict_out) == len(cpu_out)
    for ours, expected in zip(strict_out, cpu_out):
        _close(ours.detach(), expected.detach(), rtol=1e-5, atol=1e-6)
    for ours, expected in zip(strict_in, cpu_in):
        _close(ours.grad, expected.grad, rtol=1e-5, atol=1e-6)
    for (name, ours), (_, expected) in zip(
        strict_layer.named_parameters(), cpu_layer.named_parameters()
    ):
        assert ours.grad is not None, name
        _close(ours.grad, expected.grad, rtol=1e-5, atol=1e-6)
    for (_, ours), (_, expected) in zip(_state(strict_layer), _state(cpu_layer)):
        _close(ours.detach(), expected.detach(), rtol=1e-6, atol=1e-7)  # running statistics


@pytest.mark.parametrize("name, factory, shapes", LAYERS, ids=[row[0] for row in LAYERS])
def test_layer_made_on_the_device_matches_the_cpu(name, factory, shapes):
    cpu_layer = _build(factory, None)
    strict_layer = _build(factory, "strict")
    state = _state(strict_layer)
    assert state, "every layer here has parameters or buffers"
    for key, tensor in state:
        assert _is_strict(tensor), key
        assert tensor.device == "strict", key
    for key, param in strict_layer.named_parameters():
        assert isinstance(param, nn.Parameter) and param.requires_grad, key
    # The initialisation draws on the host: the same seed, the same state on either device.
    for (_, ours), (_, expected) in zip(state, _state(cpu_layer)):
        _close(ours.detach(), expected.detach(), rtol=0, atol=0)
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    _compare_layers(strict_layer, cpu_layer, arrays)
    if name.startswith(_EVAL_TOO):  # the running statistics in use
        strict_layer.eval()
        cpu_layer.eval()
        _compare_layers(strict_layer, cpu_layer, arrays)


def test_layers_keep_their_parameter_objects():
    """The arrays move in place: the Parameters the layer registered are the ones it holds."""
    layer = nn.Linear(3, 2, device="strict")
    assert layer.weight is layer._parameters["weight"]
    assert [id(p) for p in layer.parameters()] == [id(layer.weight), id(layer.bias)]
    assert layer.weight.grad is None and layer.weight.is_leaf


def test_embedding_on_the_device():
    def run(device):
        mg.manual_seed(0)
        layer = nn.Embedding(6, 3, padding_idx=0, device=device)
        index = mg.tensor([[0, 2, 5], [2, 2, 1]], device=device)
        out = layer(index)
        (out * out).sum().backward()
        return layer, out

    strict_layer, strict_out = run("strict")
    cpu_layer, cpu_out = run("cpu")
    assert _is_strict(strict_layer.weight)
    _close(strict_out.detach(), cpu_out.detach())
    _close(strict_layer.weight.grad, cpu_layer.weight.grad)
    assert not _host(strict_layer.weight.grad)[0].any()  # the padding row gets no gradient


@pytest.mark.parametrize(
    "options",
    [{"max_norm": 1.0}, {"max_norm": 0.5, "norm_type": 1.0}, {"scale_grad_by_freq": True}],
    ids=["max_norm", "max_norm_l1", "scale_grad_by_freq"],
)
def test_embedding_options_on_the_device(options):
    results = []
    for device in ("cpu", "strict"):
        mg.manual_seed(0)
        layer = nn.Embedding(5, 4, device=device, **options)
        out = layer(mg.tensor([1, 3, 3, 4], device=device))
        (out * 2).sum().backward()
        results.append((layer.weight, out))
    (cpu_weight, cpu_out), (strict_weight, strict_out) = results
    _close(strict_out.detach(), cpu_out.detach())
    _close(strict_weight.detach(), cpu_weight.detach())  # renormalised rows, in place
    _close(strict_weight.grad, cpu_weight.grad)


LAZY = [
    ("LazyLinear", lambda d: nn.LazyLinear(3, device=d), (2, 5)),
    ("LazyConv2d", lambda d: nn.LazyConv2d(4, 3, padding=1, device=d), (2, 3, 5, 5)),
    ("LazyBatchNorm1d", lambda d: nn.LazyBatchNorm1d(device=d), (4, 3)),
    ("LazyBatchNorm2d", lambda d: nn.LazyBatchNorm2d(device=d), (2, 3, 4, 4)),
]


@pytest.mark.parametrize("name, factory, shape", LAZY, ids=[row[0] for row in LAZY])
def test_lazy_layers_materialise_on_their_device(name, factory, shape):
    array = np.random.default_rng(5).standard_normal(shape).astype(np.float32)
    layers = []
    for device in ("cpu", "strict"):
        layer = _build(factory, device)
        mg.manual_seed(7)  # materialising initialises: the same draws on both devices
        layer(mg.tensor(array, device=device))
        layers.append(layer)
    cpu_layer, strict_layer = layers
    assert type(strict_layer) is type(cpu_layer)
    assert not type(strict_layer).__name__.startswith("Lazy")
    for (key, ours), (_, expected) in zip(_state(strict_layer), _state(cpu_layer)):
        assert _is_strict(ours), key
        _close(ours.detach(), expected.detach(), rtol=0, atol=0)
    for layer in layers:
        for param in layer.parameters():
            param.grad = None
    _compare_layers(strict_layer, cpu_layer, [array])


def test_lazy_parameters_materialise_on_an_explicit_device():
    param = nn.UninitializedParameter()
    param.materialize((2, 3), device="strict")
    assert type(param) is nn.Parameter and _is_strict(param)
    buffer = nn.UninitializedBuffer(device="strict")
    buffer.materialize((4,))
    assert _is_strict(buffer) and buffer.shape == (4,)


def test_a_layer_on_a_missing_device_is_refused():
    with pytest.raises(RuntimeError):
        nn.Linear(3, 2, device="mps")


def test_layers_made_on_the_cpu_stay_numpy():
    for device in (None, "cpu", mg.device("cpu")):
        layer = nn.BatchNorm1d(3, device=device)
        assert all(type(t._data) is np.ndarray for _, t in _state(layer))


def test_deepcopy_keeps_the_device():
    import copy

    layer = nn.LSTM(3, 4, device="strict")
    twin = copy.deepcopy(layer)
    assert all(_is_strict(t) for _, t in _state(twin))
    for (_, ours), (_, original) in zip(_state(twin), _state(layer)):
        assert ours._data is not original._data
        np.testing.assert_array_equal(_host(ours), _host(original))


def test_attention_masks_on_the_device():
    """Bool and float masks, key padding and causal masks, as Tensors on the device or as host
    arrays (moved to the scores' device)."""
    rng = np.random.default_rng(12)
    x = rng.standard_normal((3, 2, 4)).astype(np.float32)
    bool_mask = np.array([[False, True, False], [False, False, True], [True, False, False]])
    padding = np.array([[False, False, True], [False, True, False]])
    calls = [
        lambda layer, t, d: layer(t, t, t, attn_mask=mg.tensor(bool_mask, device=d)),
        lambda layer, t, d: layer(t, t, t, key_padding_mask=mg.tensor(padding, device=d)),
        lambda layer, t, d: layer(
            t, t, t, attn_mask=bool_mask.astype(np.float32) * -2, key_padding_mask=padding
        ),
        lambda layer, t, d: layer(t, t, t, attn_mask=bool_mask, is_causal=True),
        lambda layer, t, d: layer(t, t, t, average_attn_weights=False),
    ]
    for call in calls:
        results = []
        for device in ("cpu", "strict"):
            layer = _build(
                lambda d: nn.MultiheadAttention(4, 2, add_bias_kv=True, device=d), device
            )
            t = mg.tensor(x, device=device, requires_grad=True)
            out, weights = call(layer, t, device)
            (out.sum() + (weights * weights).sum()).backward()
            results.append((out, weights, t.grad))
        for ours, expected in zip(results[1], results[0]):
            _close(ours.detach(), expected.detach(), rtol=1e-5, atol=1e-6)
    for kwargs in ({"is_causal": True}, {"src_mask": bool_mask}):
        outs = []
        for device in ("cpu", "strict"):
            layer = _build(lambda d: nn.TransformerEncoderLayer(4, 2, 8, 0.0, device=d), device)
            outs.append(layer(mg.tensor(x, device=device), **kwargs))
        _close(outs[1].detach(), outs[0].detach(), rtol=1e-5, atol=1e-6)


# ---- dropout on the device: the mask is drawn on the host, so the same seed gives the same one

DROPOUTS = [
    ("Dropout", lambda: nn.Dropout(0.4), (4, 5)),
    ("Dropout-p0", lambda: nn.Dropout(0.0), (4, 5)),
    ("Dropout-p1", lambda: nn.Dropout(1.0), (4, 5)),
    ("Dropout1d", lambda: nn.Dropout1d(0.5), (2, 3, 4)),
    ("Dropout1d-unbatched", lambda: nn.Dropout1d(0.5), (3, 4)),
    ("Dropout2d", lambda: nn.Dropout2d(0.5), (2, 3, 4, 4)),
    ("Dropout3d", lambda: nn.Dropout3d(0.5), (2, 3, 2, 2, 2)),
    ("AlphaDropout", lambda: nn.AlphaDropout(0.3), (4, 5)),
    ("FeatureAlphaDropout", lambda: nn.FeatureAlphaDropout(0.3), (2, 3, 4)),
]


@pytest.mark.parametrize("name, factory, shape", DROPOUTS, ids=[row[0] for row in DROPOUTS])
def test_dropout_layers_train_on_the_device(name, factory, shape):
    array = np.random.default_rng(2).standard_normal(shape).astype(np.float32)
    results = []
    for device in ("cpu", "strict"):
        layer = factory().train()
        x = mg.tensor(array, device=device, requires_grad=True)
        mg.manual_seed(11)
        out = layer(x)
        (out * 3).sum().backward()
        results.append((x, out))
    (cpu_x, cpu_out), (strict_x, strict_out) = results
    _close(strict_out.detach(), cpu_out.detach())
    _close(strict_x.grad, cpu_x.grad)
    eval_out = factory().eval()(strict_x)
    _close(eval_out.detach(), cpu_x.detach())  # the identity in eval mode


def test_dropout_inside_layers_on_the_device():
    """Dropout drawn inside MultiheadAttention, between RNN layers and in the encoder layer."""
    factories = [
        lambda d: nn.MultiheadAttention(4, 2, dropout=0.5, device=d),
        lambda d: nn.GRU(4, 4, num_layers=2, dropout=0.5, device=d),
        lambda d: nn.TransformerEncoderLayer(4, 2, 8, dropout=0.3, device=d),
    ]
    array = np.random.default_rng(6).standard_normal((3, 2, 4)).astype(np.float32)
    for factory in factories:
        outs = []
        for device in ("cpu", "strict"):
            layer = _build(factory, device).train()
            x = mg.tensor(array, device=device)
            mg.manual_seed(21)
            out = layer(x, x, x)[0] if isinstance(layer, nn.MultiheadAttention) else layer(x)
            outs.append(_tensors(out)[0])
        _close(outs[1].detach(), outs[0].detach(), rtol=1e-5, atol=1e-6)


# ---- functional paths the op table does not take ------------------------------------------

FUNCTIONAL = [
    (
        "cross_entropy_weight_ignore_smoothing",
        lambda dev, x: F.cross_entropy(
            x,
            mg.tensor([0, 2, -100, 1], device=dev),
            weight=mg.tensor([1.0, 2.0, 0.5], device=dev),
            label_smoothing=0.1,
        ),
        [(4, 3)],
    ),
    (
        "cross_entropy_list_target",
        lambda dev, x: F.cross_entropy(x, [0, 2, 1, 1], reduction="sum"),
        [(4, 3)],
    ),
    (
        "cross_entropy_probabilities_weight",
        lambda dev, x: F.cross_entropy(
            x, F.softmax(x.detach() * 2, 1), weight=[1.0, 2.0, 3.0], label_smoothing=0.2
        ),
        [(4, 3)],
    ),
    (
        "cross_entropy_spatial",
        lambda dev, x: F.cross_entropy(x, mg.tensor([[0, 2], [1, 1]], device=dev)),
        [(2, 3, 2)],
    ),
    (
        "nll_loss_weight_none",
        lambda dev, x: F.nll_loss(
            x, mg.tensor([1, 0, 2], device=dev), weight=mg.ones(3).to(dev) * 2, reduction="none"
        ),
        [(3, 3)],
    ),
    (
        "nll_loss_all_ignored",
        lambda dev, x: F.nll_loss(x, mg.tensor([-100, -100], device=dev)) * 0,
        [(2, 3)],
    ),
    (
        "multi_margin_loss_weight",
        lambda dev, x: F.multi_margin_loss(
            x, mg.tensor([0, 2, 1], device=dev), p=2, weight=mg.tensor([1.0, 0.5, 2.0]).to(dev)
        ),
        [(3, 3)],
    ),
    ("gaussian_nll_scalar_var", lambda dev, x, y: F.gaussian_nll_loss(x, y, 0.5), [(3, 2)] * 2),
    ("mse_weight", lambda dev, x, y: F.mse_loss(x, y, weight=y.detach().abs()), [(3, 2)] * 2),
    (
        "huber_list_weight",
        lambda dev, x, y: F.huber_loss(x, y, weight=[[1.0, 2.0]] * 3),
        [(3, 2)] * 2,
    ),
    (
        "bce_weight",
        lambda dev, x: F.binary_cross_entropy(
            x.sigmoid(), x.detach().sigmoid().round(), weight=[1.0, 2.0]
        ),
        [(3, 2)],
    ),
    (
        "bce_logits_pos_weight",
        lambda dev, x, y: F.binary_cross_entropy_with_logits(
            x, y.sigmoid().detach(), pos_weight=mg.tensor([2.0, 0.5]).to(dev)
        ),
        [(3, 2)] * 2,
    ),
    ("one_hot", lambda dev, x: x * F.one_hot(mg.tensor([0, 2, 1], device=dev), 3), [(3, 3)]),
    ("one_hot_inferred", lambda dev, x: x * F.one_hot(mg.tensor([0, 3], device=dev)), [(2, 4)]),
    (
        "adaptive_max_pool2d_unpool",
        lambda dev, x: F.max_unpool2d(*F.adaptive_max_pool2d(x, 2, return_indices=True), 2),
        [(1, 2, 4, 4)],
    ),
    (
        "adaptive_max_pool2d_uneven",
        lambda dev, x: F.adaptive_max_pool2d(x, (2, 3)),
        [(2, 3, 5, 7)],
    ),
    ("adaptive_avg_pool2d_uneven", lambda dev, x: F.adaptive_avg_pool2d(x, (3, 2)), [(2, 5, 7)]),
    (
        "max_pool1d_indices_ceil",
        lambda dev, x: F.max_unpool1d(
            *F.max_pool1d(x, 3, 2, padding=1, ceil_mode=True, return_indices=True), 3, 2, 1
        ),
        [(2, 3, 8)],
    ),
    (
        "avg_pool1d_no_pad_count",
        lambda dev, x: F.avg_pool1d(x, 3, 2, padding=1, count_include_pad=False),
        [(2, 3, 8)],
    ),
    ("interpolate_nearest", lambda dev, x: F.interpolate(x, scale_factor=2), [(1, 2, 3, 3)]),
    (
        "interpolate_nearest_exact",
        lambda dev, x: F.interpolate(x, size=(5, 4), mode="nearest-exact"),
        [(1, 2, 3, 3)],
    ),
    (
        "interpolate_trilinear",
        lambda dev, x: F.interpolate(x, size=(3, 2, 5), mode="trilinear"),
        [(1, 1, 2, 3, 4)],
    ),
    ("interpolate_area", lambda dev, x: F.interpolate(x, size=(2, 3), mode="area"), [(1, 2, 5, 5)]),
    ("pad_reflect_2d", lambda dev, x: F.pad(x, (2, 1, 1, 2), mode="reflect"), [(1, 2, 3, 4)]),
    ("pad_replicate_crop", lambda dev, x: F.pad(x, (-1, 2), mode="replicate"), [(2, 3, 4)]),
    (
        "pad_circular_3d",
        lambda dev, x: F.pad(x, (1, 1, 1, 0, 0, 1), mode="circular"),
        [(1, 1, 2, 3, 3)],
    ),
    ("pad_constant_value", lambda dev, x: F.pad(x, (1, 2, 0, 1), value=2.5), [(2, 3)]),
    (
        "sdpa_bool_mask",
        lambda dev, q, k, v: F.scaled_dot_product_attention(
            q, k, v, attn_mask=mg.tensor([[True, False, True], [True, True, False]], device=dev)
        ),
        [(2, 2, 4), (2, 3, 4), (2, 3, 2)],
    ),
    (
        "sdpa_host_float_mask",
        lambda dev, q, k, v: F.scaled_dot_product_attention(
            q, k, v, attn_mask=np.array([[0.0, -1.0, 0.5], [1.0, 0.0, 0.0]], np.float32)
        ),
        [(2, 2, 4), (2, 3, 4), (2, 3, 2)],
    ),
    ("normalize_p1_out", lambda dev, x: F.normalize(x, p=1.0, dim=0), [(3, 4)]),
    ("normalize_p0", lambda dev, x: x * F.normalize(x.detach(), p=0), [(3, 4)]),
    (
        "pairwise_distance_inf",
        lambda dev, x, y: F.pairwise_distance(x, y, p=math.inf),
        [(3, 4)] * 2,
    ),
    ("cosine_similarity", lambda dev, x, y: F.cosine_similarity(x, y, dim=-1), [(3, 4)] * 2),
    ("fold_padding", lambda dev, x: F.fold(x, (4, 5), 3, padding=1, stride=2), [(2, 18, 6)]),
    ("unfold_dilation", lambda dev, x: F.unfold(x, 2, dilation=2, padding=1), [(1, 2, 4, 5)]),
    (
        "instance_norm_eval",
        lambda dev, x: F.instance_norm(
            x, mg.zeros(3).to(dev), mg.ones(3).to(dev) * 2, use_input_stats=False
        ),
        [(2, 3, 4)],
    ),
    ("local_response_norm", lambda dev, x: F.local_response_norm(x, 3), [(2, 5, 3, 3)]),
    ("softplus", lambda dev, x: F.softplus(x * 10, beta=2), [(3, 4)]),
    ("elu_selu_celu", lambda dev, x: F.elu(x) + F.selu(x) + F.celu(x, 0.5), [(3, 4)]),
    (
        "shrinks_threshold",
        lambda dev, x: F.softshrink(x) + F.hardshrink(x) + F.threshold(x, 0.1, -2.0),
        [(3, 4)],
    ),
    ("hardswish_hardsigmoid", lambda dev, x: F.hardswish(x * 4) + F.hardsigmoid(x * 4), [(3, 4)]),
    ("mish_logsigmoid", lambda dev, x: F.mish(x) + F.logsigmoid(x * 30), [(3, 4)]),
    ("prelu_glu", lambda dev, x, w: F.glu(F.prelu(x, w), 1), [(2, 4, 3), (4,)]),
]


def _apply(fn, device, arrays):
    inputs = [mg.tensor(a, device=device, requires_grad=True) for a in arrays]
    out = fn(device, *inputs)
    upstream = np.random.default_rng(8).standard_normal(out.shape)
    out.backward(mg.tensor(upstream, dtype=out.dtype, device=device))
    return inputs, out


@pytest.mark.parametrize("name, fn, shapes", FUNCTIONAL, ids=[row[0] for row in FUNCTIONAL])
def test_functional_on_the_device(name, fn, shapes):
    rng = np.random.default_rng(4)
    arrays = [rng.standard_normal(s) for s in shapes]
    strict_in, strict_out = _apply(fn, "strict", arrays)
    cpu_in, cpu_out = _apply(fn, "cpu", arrays)
    _close(strict_out.detach(), cpu_out.detach())
    for ours, expected in zip(strict_in, cpu_in):
        if expected.grad is None:
            assert ours.grad is None
        else:
            _close(ours.grad, expected.grad)


def test_functional_dropouts_on_the_device():
    array = np.random.default_rng(9).standard_normal((2, 3, 4, 4))
    fns = [
        lambda x: F.dropout(x, 0.3),
        lambda x: F.dropout1d(x[0], 0.5),
        lambda x: F.dropout2d(x, 0.5),
        lambda x: F.dropout3d(x, 0.5),
        lambda x: F.alpha_dropout(x, 0.2, training=True),
        lambda x: F.feature_alpha_dropout(x, 0.2, training=True),
        lambda x: F.scaled_dot_product_attention(x, x, x, dropout_p=0.5),
    ]
    for fn in fns:
        outs = []
        for device in ("cpu", "strict"):
            mg.manual_seed(13)
            outs.append(fn(mg.tensor(array, device=device)))
        _close(outs[1], outs[0])


def test_batch_norm_running_statistics_on_the_device():
    results = []
    for device in ("cpu", "strict"):
        mean, var = mg.zeros(3).to(device), mg.ones(3).to(device)
        x = mg.tensor(np.arange(24.0).reshape(4, 3, 2) ** 1.5, device=device)
        F.batch_norm(x, mean, var, training=True, momentum=0.3)
        F.instance_norm(x, mean, var, momentum=0.5)
        results.append((mean, var))
    for ours, expected in zip(results[1], results[0]):
        _close(ours, expected)


# ---- nn.init on a parameter on the device ----------------------------------------------------

INITS = [
    ("uniform_", lambda t: nn.init.uniform_(t, -0.5, 2.0)),
    ("normal_", lambda t: nn.init.normal_(t, 1.0, 0.3)),
    ("trunc_normal_", lambda t: nn.init.trunc_normal_(t, std=0.5, a=-0.4, b=0.6)),
    ("constant_", lambda t: nn.init.constant_(t, 0.7)),
    ("zeros_", nn.init.zeros_),
    ("ones_", nn.init.ones_),
    ("eye_", lambda t: nn.init.eye_(t[0])),
    ("dirac_", lambda t: nn.init.dirac_(t, groups=2)),
    ("orthogonal_", lambda t: nn.init.orthogonal_(t, gain=2.0)),
    ("sparse_", lambda t: nn.init.sparse_(t[0], 0.5)),
    ("xavier_uniform_", nn.init.xavier_uniform_),
    ("xavier_normal_", lambda t: nn.init.xavier_normal_(t, gain=0.5)),
    ("kaiming_uniform_", lambda t: nn.init.kaiming_uniform_(t, a=math.sqrt(5))),
    ("kaiming_normal_", lambda t: nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu")),
]


@pytest.mark.parametrize("name, fill", INITS, ids=[row[0] for row in INITS])
@pytest.mark.parametrize("dtype", [mg.float32, mg.float64])
def test_init_on_a_device_parameter(name, fill, dtype):
    params = []
    for device in ("cpu", "strict"):
        param = nn.Parameter(mg.zeros(4, 6, 3, dtype=dtype).to(device))
        mg.manual_seed(17)
        if name in ("eye_", "sparse_"):  # 2-D: fill a 2-D parameter instead
            param = nn.Parameter(mg.zeros(4, 6, dtype=dtype).to(device))
            fill_2d = {"eye_": nn.init.eye_, "sparse_": lambda t: nn.init.sparse_(t, 0.5)}
            returned = fill_2d[name](param)
        else:
            returned = fill(param)
        assert returned is param
        params.append(param)
    cpu_param, strict_param = params
    assert _is_strict(strict_param) and strict_param.dtype == dtype
    _close(strict_param.detach(), cpu_param.detach(), rtol=0, atol=0)


def test_layer_reset_parameters_on_the_device():
    mg.manual_seed(3)
    cpu_layer = nn.Conv2d(2, 3, 3)
    strict_layer = nn.Conv2d(2, 3, 3, device="strict")
    mg.manual_seed(4)
    cpu_layer.reset_parameters()
    mg.manual_seed(4)
    strict_layer.reset_parameters()
    for ours, expected in zip(strict_layer.parameters(), cpu_layer.parameters()):
        _close(ours.detach(), expected.detach(), rtol=0, atol=0)


# ---- nn.utils on parameters on the device ----------------------------------------------------


def _params_with_grads(device):
    mg.manual_seed(5)
    layer = nn.Sequential(nn.Linear(4, 3, device=device), nn.Tanh(), nn.Linear(3, 2, device=device))
    x = mg.tensor(np.linspace(-2, 2, 20).reshape(5, 4), dtype=mg.float32, device=device)
    (layer(x) ** 2).sum().backward()
    return list(layer.parameters())


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf, 3.0, 0.0])
def test_clip_grad_norm_on_the_device(norm_type):
    cpu, strict = _params_with_grads("cpu"), _params_with_grads("strict")
    total_cpu = nn.utils.clip_grad_norm_(cpu, 0.5, norm_type=norm_type)
    total_strict = nn.utils.clip_grad_norm_(strict, 0.5, norm_type=norm_type)
    _close(total_strict, total_cpu, rtol=1e-6)
    for ours, expected in zip(strict, cpu):
        _close(ours.grad, expected.grad, rtol=1e-6)


def test_clip_grads_with_a_number_as_total_norm_on_the_device():
    cpu, strict = _params_with_grads("cpu"), _params_with_grads("strict")
    nn.utils.clip_grads_with_norm_(cpu, 0.1, 3.0)
    nn.utils.clip_grads_with_norm_(strict, 0.1, 3.0)
    total = nn.utils.get_total_norm([p.grad for p in strict])
    assert _is_strict(total)
    for ours, expected in zip(strict, cpu):
        _close(ours.grad, expected.grad)


def test_clip_grad_norm_refuses_a_non_finite_norm_on_the_device():
    strict = _params_with_grads("strict")
    strict[0].grad._data[0, 0] = np.inf
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(strict, 1.0, error_if_nonfinite=True)


def test_clip_grad_value_on_the_device():
    cpu, strict = _params_with_grads("cpu"), _params_with_grads("strict")
    nn.utils.clip_grad_value_(cpu, 0.2)
    nn.utils.clip_grad_value_(strict, 0.2)
    for ours, expected in zip(strict, cpu):
        _close(ours.grad, expected.grad)
        assert np.abs(_host(ours.grad)).max() <= 0.2


def test_parameters_to_vector_and_back_on_the_device():
    cpu, strict = _params_with_grads("cpu"), _params_with_grads("strict")
    vector = nn.utils.parameters_to_vector(strict)
    _close(vector.detach(), nn.utils.parameters_to_vector(cpu).detach())
    (vector * vector).sum().backward()  # differentiable: gradients reach the parameters
    assert all(_is_strict(p.grad) for p in strict)
    doubled = vector.detach() * 2
    nn.utils.vector_to_parameters(doubled, strict)
    nn.utils.vector_to_parameters(nn.utils.parameters_to_vector(cpu).detach() * 2, cpu)
    for ours, expected in zip(strict, cpu):
        _close(ours.detach(), expected.detach())
