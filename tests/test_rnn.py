"""Recurrent layers and cells against PyTorch: outputs, final states and the gradients of the
input, the initial states and every parameter for random upstream gradients, in float32 and
float64; state_dict keys; gradcheck; inter-layer dropout; bad inputs."""

import inspect
from functools import partial

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.autograd import gradcheck


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


TOLERANCE = {np.float32: 1e-5, np.float64: 1e-10}


def _pair(torch, name, args, kwargs, dtype):
    """A torch module and ours with the same weights (torch's, copied), in ``dtype``."""
    theirs = getattr(torch.nn, name)(*args, **kwargs).to(getattr(torch, np.dtype(dtype).name))
    ours = getattr(nn, name)(*args, **kwargs, dtype=dtype)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return theirs, ours


def _leaves(torch, arrays):
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    ours = [mg.tensor(a, requires_grad=True) for a in arrays]
    return theirs, ours


def _flatten(result):
    """(output, h_n), (output, (h_n, c_n)), h or (h, c) as a flat list of tensors."""
    if not isinstance(result, tuple):
        return [result]
    return [t for part in result for t in _flatten(part)]


def _check_against_torch(torch, theirs, ours, inputs, pack, dtype, seed=0):
    """Run both modules on the same ``inputs`` (arrays: the input, then the states), with
    ``pack(list) -> call arguments``, and compare every result and gradient."""
    t_inputs, m_inputs = _leaves(torch, inputs)
    t_out = _flatten(theirs(*pack(t_inputs)))
    m_out = _flatten(ours(*pack(m_inputs)))
    atol = TOLERANCE[dtype]
    rng = np.random.default_rng(seed)
    upstream = [rng.standard_normal(tuple(t.shape)).astype(dtype) for t in t_out]
    for t, m in zip(t_out, m_out):
        assert m.dtype == dtype and tuple(m.shape) == tuple(t.shape)
        np.testing.assert_allclose(m.numpy(), t.detach().numpy(), atol=atol, rtol=atol)
    torch.autograd.backward(t_out, [torch.tensor(u) for u in upstream])
    sum((m * mg.tensor(u)).sum() for m, u in zip(m_out, upstream)).backward()
    for position, (t, m) in enumerate(zip(t_inputs, m_inputs)):
        np.testing.assert_allclose(
            m.grad.numpy(), t.grad.numpy(), atol=atol, rtol=atol, err_msg=f"input {position}"
        )
    t_params = dict(theirs.named_parameters())
    for name, parameter in ours.named_parameters():
        np.testing.assert_allclose(
            parameter.grad.numpy(), t_params[name].grad.numpy(), atol=atol, rtol=atol,
            err_msg=name,
        )  # fmt: skip


# ---- the layers --------------------------------------------------------------------------------

LAYERS = [
    ("RNN", {}),
    ("RNN", {"nonlinearity": "relu"}),
    ("LSTM", {}),
    ("GRU", {}),
]
# name -> (constructor kwargs, batched?, given initial state?)
SETTINGS = {
    "plain": ({}, True, False),
    "two_layers_bidirectional_h0": ({"num_layers": 2, "bidirectional": True}, True, True),
    "batch_first_h0": ({"batch_first": True}, True, True),
    "unbatched": ({}, False, False),
    "unbatched_bidirectional_h0": ({"bidirectional": True, "batch_first": True}, False, True),
    "no_bias_two_layers": ({"bias": False, "num_layers": 2}, True, False),
}
INPUT, HIDDEN, LENGTH, BATCH = 3, 4, 5, 2


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("setting", SETTINGS)
@pytest.mark.parametrize("name, extra", LAYERS, ids=["rnn_tanh", "rnn_relu", "lstm", "gru"])
def test_layer_matches_torch(torch, name, extra, setting, dtype):
    kwargs, batched, given_state = SETTINGS[setting]
    kwargs = {**extra, **kwargs}
    theirs, ours = _pair(torch, name, (INPUT, HIDDEN), kwargs, dtype)
    rng = np.random.default_rng(1)
    if not batched:
        shape = (LENGTH, INPUT)
    else:
        shape = (BATCH, LENGTH, INPUT) if kwargs.get("batch_first") else (LENGTH, BATCH, INPUT)
    inputs = [rng.standard_normal(shape).astype(dtype)]
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    state_shape = (layers, BATCH, HIDDEN) if batched else (layers, HIDDEN)
    if given_state:
        inputs += [rng.standard_normal(state_shape).astype(dtype)] * (2 if name == "LSTM" else 1)

    def pack(tensors):
        if len(tensors) == 1:
            return tensors
        return [tensors[0], tuple(tensors[1:]) if name == "LSTM" else tensors[1]]

    _check_against_torch(torch, theirs, ours, inputs, pack, dtype)


@pytest.mark.parametrize("name", ["LSTM", "GRU"])
def test_gradcheck_through_a_small_layer(name):
    mg.manual_seed(0)
    layer = getattr(nn, name)(2, 2, bidirectional=True, dtype=mg.float64)
    names = [n for n, _ in layer.named_parameters()]
    rng = np.random.default_rng(0)
    x = mg.tensor(rng.standard_normal((3, 2, 2)), requires_grad=True)
    states = [mg.tensor(rng.standard_normal((2, 2, 2)), requires_grad=True)]
    if name == "LSTM":
        states.append(mg.tensor(rng.standard_normal((2, 2, 2)), requires_grad=True))

    def run(x, *rest):
        hx, weights = rest[: len(states)], rest[len(states) :]
        layer._parameters.update(zip(names, weights))  # gradcheck hands copies of the weights
        output, h_n = layer(x, tuple(hx) if name == "LSTM" else hx[0])
        return (output, *_flatten(h_n))

    assert gradcheck(run, (x, *states, *layer.parameters()))


def test_layer_double_backward_through_time_steps():
    """create_graph: the gradient of the gradient exists and matches torch's."""
    torch = pytest.importorskip("torch")
    theirs, ours = _pair(torch, "GRU", (2, 3), {}, np.float64)
    x = np.random.default_rng(0).standard_normal((4, 2, 2))
    t_x, m_x = torch.tensor(x, requires_grad=True), mg.tensor(x, requires_grad=True)
    (t_g,) = torch.autograd.grad(theirs(t_x)[0].pow(2).sum(), t_x, create_graph=True)
    (m_g,) = mg.autograd.grad(ours(m_x)[0].pow(2).sum(), m_x, create_graph=True)
    np.testing.assert_allclose(m_g.numpy(), t_g.detach().numpy(), atol=1e-10)
    t_g.pow(2).sum().backward()
    m_g.pow(2).sum().backward()
    np.testing.assert_allclose(m_x.grad.numpy(), t_x.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(
        ours.weight_hh_l0.grad.numpy(), theirs.weight_hh_l0.grad.numpy(), atol=1e-10
    )


def test_state_dict_keys_and_shapes_as_torchs(torch):
    for name, kwargs in [("LSTM", {"num_layers": 2, "bidirectional": True}), ("GRU", {})]:
        theirs = getattr(torch.nn, name)(3, 5, **kwargs).state_dict()
        ours = getattr(nn, name)(3, 5, **kwargs).state_dict()
        assert [(k, tuple(v.shape)) for k, v in ours.items()] == [
            (k, tuple(v.shape)) for k, v in theirs.items()
        ]
    ours = nn.RNN(3, 5, bias=False).state_dict()
    assert list(ours) == ["weight_ih_l0", "weight_hh_l0"]


def test_initialisation_is_uniform_in_one_over_sqrt_hidden():
    mg.manual_seed(0)
    for layer in (nn.LSTM(6, 16, num_layers=2), nn.GRUCell(6, 16)):
        values = np.concatenate([p.numpy().ravel() for p in layer.parameters()])
        assert all(p.dtype == np.float32 for p in layer.parameters())
        assert np.abs(values).max() <= 0.25 and np.abs(values).max() > 0.24
        assert abs(values.mean()) < 0.02


def test_dropout_between_layers_in_training_only(torch):
    # dropout=1 zeroes the second layer's input: deterministic, so torch's numbers must match.
    theirs, ours = _pair(torch, "LSTM", (3, 4), {"num_layers": 2, "dropout": 1.0}, np.float64)
    x = np.random.default_rng(0).standard_normal((5, 2, 3))
    t_out, _ = theirs(torch.tensor(x))
    m_out, _ = ours(mg.tensor(x))
    np.testing.assert_allclose(m_out.numpy(), t_out.detach().numpy(), atol=1e-12)
    theirs.eval(), ours.eval()
    t_eval, _ = theirs(torch.tensor(x))
    m_eval, _ = ours(mg.tensor(x))
    np.testing.assert_allclose(m_eval.numpy(), t_eval.detach().numpy(), atol=1e-12)
    assert not np.allclose(m_eval.numpy(), m_out.numpy())


def test_dropout_with_one_layer_warns_as_torch():
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        nn.GRU(3, 4, dropout=0.5)


def test_repr_and_attributes(torch):
    for name, kwargs in [("LSTM", {"num_layers": 2, "batch_first": True}), ("RNN", {})]:
        ours, theirs = getattr(nn, name)(3, 4, **kwargs), getattr(torch.nn, name)(3, 4, **kwargs)
        assert repr(ours) == repr(theirs)
    assert repr(nn.RNN(3, 4, nonlinearity="relu")).startswith("RNN(3, 4")
    assert repr(nn.GRUCell(3, 4, bias=False)) == repr(torch.nn.GRUCell(3, 4, bias=False))
    lstm = nn.LSTM(3, 4, bidirectional=True)
    assert [len(w) for w in lstm.all_weights] == [4, 4]
    assert (lstm.input_size, lstm.hidden_size, lstm.num_layers, lstm.dropout) == (3, 4, 1, 0.0)


def test_float32_stays_float32_and_gradients_flow():
    lstm = nn.LSTM(3, 4, num_layers=2)
    x = mg.randn(6, 2, 3, requires_grad=True)
    out, (h, c) = lstm(x)
    assert out.dtype == h.dtype == c.dtype == mg.float32
    assert out.shape == (6, 2, 4) and h.shape == c.shape == (2, 2, 4)
    out.sum().backward()
    assert x.grad.dtype == mg.float32 and lstm.weight_ih_l1.grad is not None


# ---- the cells --------------------------------------------------------------------------------

CELLS = [
    ("RNNCell", {}),
    ("RNNCell", {"nonlinearity": "relu"}),
    ("LSTMCell", {}),
    ("GRUCell", {}),
]
CELL_SETTINGS = {
    "batched_hx": ({}, True, True),
    "batched_no_hx": ({}, True, False),
    "unbatched_hx": ({}, False, True),
    "no_bias": ({"bias": False}, True, True),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("setting", CELL_SETTINGS)
@pytest.mark.parametrize("name, extra", CELLS, ids=["rnn_tanh", "rnn_relu", "lstm", "gru"])
def test_cell_matches_torch(torch, name, extra, setting, dtype):
    kwargs, batched, given_state = CELL_SETTINGS[setting]
    theirs, ours = _pair(torch, name, (INPUT, HIDDEN), {**extra, **kwargs}, dtype)
    rng = np.random.default_rng(2)
    lead = (BATCH,) if batched else ()
    inputs = [rng.standard_normal(lead + (INPUT,)).astype(dtype)]
    if given_state:
        count = 2 if name == "LSTMCell" else 1
        inputs += [rng.standard_normal(lead + (HIDDEN,)).astype(dtype) for _ in range(count)]

    def pack(tensors):
        if len(tensors) == 1:
            return tensors
        return [tensors[0], tuple(tensors[1:]) if name == "LSTMCell" else tensors[1]]

    _check_against_torch(torch, theirs, ours, inputs, pack, dtype)


@pytest.mark.parametrize(
    "ours, theirs",
    [
        ("rnn_tanh_cell", "rnn_tanh_cell"),
        ("rnn_relu_cell", "rnn_relu_cell"),
        ("lstm_cell", "lstm_cell"),
        ("gru_cell", "gru_cell"),
    ],
)
def test_functional_cells_match_torch(torch, ours, theirs):
    from minigrad.nn.modules import rnn

    rng = np.random.default_rng(3)
    gates = {"lstm_cell": 4, "gru_cell": 3}.get(ours, 1)
    arrays = [rng.standard_normal(s) for s in [(2, 3), (2, 4), (gates * 4, 3), (gates * 4, 4)]]
    arrays += [rng.standard_normal(gates * 4) for _ in range(2)]
    hx = (lambda a: (a, a * 0.5)) if ours == "lstm_cell" else (lambda a: a)
    t_args = [torch.tensor(a) for a in arrays]
    m_args = [mg.tensor(a) for a in arrays]
    t_out = _flatten(getattr(torch, theirs)(t_args[0], hx(t_args[1]), *t_args[2:]))
    m_out = _flatten(getattr(rnn, ours)(m_args[0], hx(m_args[1]), *m_args[2:]))
    for t, m in zip(t_out, m_out):
        np.testing.assert_allclose(m.numpy(), t.numpy(), atol=1e-12)


# ---- signatures and bad inputs -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell", "RNNBase"])
def test_constructor_arguments_match_torch(torch, name):
    got = inspect.signature(getattr(nn, name)).parameters
    expected = inspect.signature(getattr(torch.nn, name)).parameters
    assert list(got) == list(expected)
    for key, parameter in expected.items():
        assert got[key].default == parameter.default, key


def test_layer_constructors_take_torchs_documented_arguments():
    # torch's RNN, LSTM and GRU take (*args, **kwargs); their documented overloads are these.
    common = ["input_size", "hidden_size", "num_layers"]
    tail = ["bias", "batch_first", "dropout", "bidirectional"]
    expected = {
        "RNN": common + ["nonlinearity"] + tail + ["device", "dtype"],
        "LSTM": common + tail + ["proj_size", "device", "dtype"],
        "GRU": common + tail + ["device", "dtype"],
    }
    for name, arguments in expected.items():
        assert list(inspect.signature(getattr(nn, name)).parameters) == arguments
    # positional order as torch's: RNN(input_size, hidden_size, num_layers, nonlinearity, ...)
    assert nn.RNN(3, 4, 2, "relu").nonlinearity == "relu"


def _both_raise(torch, make, match):
    """``make(torch)`` raises; ``make(minigrad)`` raises the same type, with ``match``."""
    with pytest.raises(Exception) as theirs:
        make(torch)
    with pytest.raises(type(theirs.value), match=match):
        make(mg)


def _call(modules, state, shape, hx_shape, lib):
    hx = None if hx_shape is None else state(lib, hx_shape)
    return modules[lib.__name__](lib.zeros(*shape), hx)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_layer_bad_inputs_raise_torchs_exception_types(torch, name):
    theirs, ours = getattr(torch.nn, name)(3, 4, num_layers=2), getattr(nn, name)(3, 4, 2)
    modules = {"torch": theirs, "minigrad": ours}
    is_lstm = name == "LSTM"

    def state(lib, shape, dtype=None):
        h = lib.zeros(*shape, dtype=dtype)
        return (h, h) if is_lstm else h

    cases = [
        ("wrong feature size", (5, 2, 6), None, r"input_size\. Expected 3, got 6"),
        ("4-D input", (5, 2, 1, 3), None, "2D or 3D, got 4D"),
        ("h0 of the wrong shape", (5, 2, 3), (1, 2, 4), r"hidden(\[0\])? size \(2, 2, 4\)"),
        ("h0 of the wrong batch", (5, 2, 3), (2, 3, 4), r"\(2, 2, 4\), got \[2, 3, 4\]"),
        ("2-D h0 for batched input", (5, 2, 3), (2, 4), "should also be 3-D"),
        ("3-D h0 for unbatched input", (5, 3), (2, 1, 4), "should also be 2-D"),
    ]
    for _, shape, hx_shape, match in cases:
        _both_raise(torch, partial(_call, modules, state, shape, hx_shape), match)
    _both_raise(
        torch,
        lambda lib: modules[lib.__name__](lib.zeros(5, 2, 3, dtype=lib.float64)),
        "does not match weight dtype",
    )
    _both_raise(
        torch,
        lambda lib: modules[lib.__name__](lib.zeros(5, 2, 3), state(lib, (2, 2, 4), lib.float64)),
        r"hx(\[0\])? dtype \(float64\) does not match",
    )


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cell_bad_inputs_raise_torchs_exception_types(torch, name):
    theirs, ours = getattr(torch.nn, name)(3, 4), getattr(nn, name)(3, 4)
    modules = {"torch": theirs, "minigrad": ours}
    is_lstm = name == "LSTMCell"

    def state(lib, shape):
        h = lib.zeros(*shape)
        return (h, h) if is_lstm else h

    cases = [
        ((2, 5), None, "inconsistent input_size: got 5 expected 3"),
        ((2, 1, 3), None, "1D or 2D, got 3D"),
        ((2, 3), (2, 5), r"hidden0 must have shape \(2, 4\)"),
        ((2, 3), (3, 4), r"hidden0 must have shape \(2, 4\)"),
        ((2, 3), (1, 2, 4), "1D or 2D, got 3D"),
    ]
    for shape, hx_shape, match in cases:
        _both_raise(torch, partial(_call, modules, state, shape, hx_shape), match)
    _both_raise(
        torch,
        lambda lib: modules[lib.__name__](lib.zeros(2, 3, dtype=lib.float64)),
        "does not match weight dtype",
    )


def test_bad_constructor_arguments_raise_torchs_exception_types(torch):
    cases = [
        (lambda lib: lib.nn.RNN(3, 4, nonlinearity="sigmoid"), "Unknown nonlinearity 'sigmoid'"),
        (lambda lib: lib.nn.LSTM(3, 4, dropout=1.5), r"dropout should be a number in range"),
        (lambda lib: lib.nn.GRU(3, 4, dropout=-0.1), r"dropout should be a number in range"),
        (lambda lib: lib.nn.GRU(3, 4, dropout=True), r"dropout should be a number in range"),
        (lambda lib: lib.nn.LSTM(3, 0), "hidden_size must be greater than zero"),
        (lambda lib: lib.nn.RNN(0, 4), "input_size must be greater than zero"),
        (lambda lib: lib.nn.RNN(3, 4, num_layers=0), "num_layers must be greater than zero"),
        (lambda lib: lib.nn.GRU(3.0, 4), "input_size should be of type int"),
        (lambda lib: lib.nn.LSTM(3, 4, bias=1), "bias should be of type bool"),
        (lambda lib: lib.nn.LSTM(3, 4, batch_first=None), "batch_first should be of type bool"),
        (lambda lib: lib.nn.LSTM(3, 4, proj_size=4), "proj_size has to be smaller"),
        (lambda lib: lib.nn.LSTM(3, 4, proj_size=-1), "proj_size should be a positive"),
    ]
    for make, match in cases:
        _both_raise(torch, make, match)
    with pytest.raises(NotImplementedError, match="proj_size"):
        nn.LSTM(3, 4, proj_size=2)
    # torch refuses it only at the call
    cells = {lib.__name__: lib.nn.RNNCell(3, 4, nonlinearity="sigmoid") for lib in (torch, mg)}
    _both_raise(torch, lambda lib: cells[lib.__name__](lib.zeros(2, 3)), "Unknown nonlinearity")


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"])
def test_torchs_own_module_samples(torch, name):
    """Every sample of torch's ModuleInfo database for the class (proj_size > 0 left out),
    through torch and minigrad with the same weights: results and all gradients."""
    common_modules = pytest.importorskip("torch.testing._internal.common_modules")
    (info,) = [m for m in common_modules.module_db if m.module_cls is getattr(torch.nn, name)]
    samples = info.module_inputs_func(
        info, device="cpu", dtype=torch.float64, requires_grad=False, training=True
    )
    checked = 0
    for sample in samples:
        args, kwargs = sample.constructor_input.args, sample.constructor_input.kwargs
        if kwargs.get("proj_size", 0):
            continue
        torch.manual_seed(checked)
        theirs, ours = _pair(torch, name, args, kwargs, np.float64)
        inputs = [t.detach().numpy() for t in _flatten(tuple(sample.forward_input.args))]

        def pack(tensors):
            return tensors if len(tensors) < 3 else [tensors[0], tuple(tensors[1:])]

        _check_against_torch(torch, theirs, ours, inputs, pack, np.float64, seed=checked)
        checked += 1
    assert checked >= 2
