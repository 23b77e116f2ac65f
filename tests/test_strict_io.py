"""Making, moving, saving and loading on a device, proved on the test-only 'strict' device:
factories' device=, Module.to/cpu, load_state_dict, mg.save/mg.load with map_location, and
optimizers' state dicts. A strict array refuses to meet a numpy array (strict_backend.py), so
anything left on the host by mistake fails here."""

import io
import json
import zipfile

import numpy as np
import pytest
import strict_backend

import minigrad as mg
from minigrad import nn, optim
from minigrad.backend import to_host

pytestmark = pytest.mark.usefixtures("strict_device")


_is_strict = strict_backend.is_strict


def _host(tensor):
    return to_host(tensor._data) if isinstance(tensor, mg.Tensor) else np.asarray(tensor)


# ---- factories ------------------------------------------------------------------------------

FACTORIES = {
    "zeros": lambda **kw: mg.zeros(2, 3, **kw),
    "ones": lambda **kw: mg.ones(2, **kw),
    "empty": lambda **kw: mg.empty(2, 2, **kw),
    "full": lambda **kw: mg.full((2,), 7.5, **kw),
    "arange": lambda **kw: mg.arange(1, 7, 2, **kw),
    "linspace": lambda **kw: mg.linspace(0, 1, 5, **kw),
    "logspace": lambda **kw: mg.logspace(0, 2, 3, **kw),
    "eye": lambda **kw: mg.eye(3, 2, **kw),
    "rand": lambda **kw: mg.rand(4, **kw),
    "randn": lambda **kw: mg.randn(2, 3, **kw),
    "randint": lambda **kw: mg.randint(0, 9, (5,), **kw),
    "randperm": lambda **kw: mg.randperm(6, **kw),
    "normal": lambda **kw: mg.normal(1.0, 2.0, (3,), **kw),
    "tril_indices": lambda **kw: mg.tril_indices(3, 4, **kw),
    "triu_indices": lambda **kw: mg.triu_indices(3, 3, 1, **kw),
}


@pytest.mark.parametrize("name", FACTORIES)
def test_factories_make_their_tensor_on_the_device(name):
    """The same numbers as on the CPU (random ones drawn on the host), on 'strict'."""
    mg.manual_seed(5)
    made = FACTORIES[name](device="strict")
    mg.manual_seed(5)
    expected = FACTORIES[name]()
    assert _is_strict(made) and made.device == "strict"
    assert made.dtype == expected.dtype and made.shape == expected.shape
    if name != "empty":
        np.testing.assert_array_equal(_host(made), expected.numpy())


def test_factory_options_still_apply_on_the_device():
    out = mg.zeros(2, device=mg.device("strict"), dtype=mg.float64, requires_grad=True)
    assert _is_strict(out) and out.dtype == mg.float64 and out.requires_grad
    assert mg.randint(3, (2,), device="strict", dtype=mg.int32).dtype == mg.int32
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        mg.zeros(2, device="strict", colour="red")
    with pytest.raises(RuntimeError, match="device requested but minigrad found no GPU"):
        mg.ones(2, device="mps")


LIKE = {
    "zeros_like": lambda x, **kw: mg.zeros_like(x, **kw),
    "ones_like": lambda x, **kw: mg.ones_like(x, **kw),
    "empty_like": lambda x, **kw: mg.empty_like(x, **kw),
    "full_like": lambda x, **kw: mg.full_like(x, 2.5, **kw),
    "rand_like": lambda x, **kw: mg.rand_like(x, **kw),
    "randn_like": lambda x, **kw: mg.randn_like(x, **kw),
    "randint_like": lambda x, **kw: mg.randint_like(x, 4, **kw),
}


@pytest.mark.parametrize("name", LIKE)
def test_like_factories_default_to_the_inputs_device(name):
    base = mg.ones(2, 3, device="strict")
    out = LIKE[name](base)
    assert _is_strict(out) and out.shape == (2, 3) and out.dtype == base.dtype
    assert LIKE[name](base, device="cpu").device == "cpu"
    assert _is_strict(LIKE[name](mg.ones(2), device="strict"))


def test_random_functions_of_device_tensors_give_device_results():
    """Drawn on the host from the input's host copy, so the CPU's numbers, on 'strict'."""
    probs = np.array([[0.1, 0.9, 0.5], [1.0, 0.0, 0.3]], np.float32)
    rates = np.array([0.5, 3.0, 10.0], np.float32)
    weights = np.array([[1.0, 2.0, 0.0, 4.0], [0.5, 0.5, 3.0, 1.0]], np.float32)
    calls = [
        lambda dev: mg.bernoulli(mg.tensor(probs, device=dev)),
        lambda dev: mg.bernoulli(mg.zeros(2, 3, device=dev), p=0.5),
        lambda dev: mg.poisson(mg.tensor(rates, device=dev)),
        lambda dev: mg.multinomial(mg.tensor(weights, device=dev), 2),
        lambda dev: mg.multinomial(mg.tensor(weights, device=dev), 5, replacement=True),
        lambda dev: mg.normal(mg.tensor(rates, device=dev), mg.tensor(rates, device=dev)),
        lambda dev: mg.normal(mg.tensor(rates, device=dev), 1.0),
        lambda dev: mg.normal(0.0, mg.tensor(rates, device=dev)),
    ]
    for call in calls:
        mg.manual_seed(9)
        ours = call("strict")
        mg.manual_seed(9)
        expected = call("cpu")
        assert _is_strict(ours) and ours.dtype == expected.dtype
        np.testing.assert_array_equal(_host(ours), expected.numpy())
    with pytest.raises(RuntimeError, match="std >= 0.0"):
        mg.normal(mg.zeros(2, device="strict"), mg.full((2,), -1.0, device="strict"))
    with pytest.raises(RuntimeError, match=r"probabilities must be in \[0, 1\]"):
        mg.bernoulli(mg.full((2,), 2.0, device="strict"))


# ---- Module.to and load_state_dict --------------------------------------------------------


def _model():
    mg.manual_seed(3)
    return nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 2))


def test_module_to_moves_parameters_buffers_and_grads_in_place():
    model = _model()
    params, buffers = list(model.parameters()), list(model.buffers())
    values = [p.detach().numpy().copy() for p in params]
    model(mg.randn(5, 4)).sum().backward()
    grads = [p.grad.numpy().copy() for p in params]
    assert model.to("strict") is model
    assert all(a is b for a, b in zip(model.parameters(), params))  # the same objects
    assert all(a is b for a, b in zip(model.buffers(), buffers))
    for param, value, grad in zip(params, values, grads):
        assert _is_strict(param) and _is_strict(param.grad) and param.device == "strict"
        np.testing.assert_array_equal(_host(param), value)
        np.testing.assert_array_equal(_host(param.grad), grad)
    assert all(_is_strict(b) for b in buffers)
    assert model[1].num_batches_tracked.dtype == mg.int64  # moved, not cast
    assert _is_strict(model[0](mg.randn(5, 4, device="strict")))

    assert model.cpu() is model
    for param, value, grad in zip(params, values, grads):
        assert param.device == "cpu" and type(param._data) is np.ndarray
        np.testing.assert_array_equal(param.detach().numpy(), value)
        np.testing.assert_array_equal(param.grad.numpy(), grad)
    assert all(type(b._data) is np.ndarray for b in buffers)


def test_module_to_device_and_dtype_together_and_by_tensor():
    model = _model()
    weight = model[0].weight
    model.to("strict", mg.float64)
    assert _is_strict(weight) and weight.dtype == mg.float64 and model[0].weight is weight
    assert model[1].num_batches_tracked.dtype == mg.int64
    model.to(mg.ones(1, dtype=mg.float32))  # a CPU float32 tensor: its device and dtype
    assert weight.device == "cpu" and weight.dtype == mg.float32
    model.to(mg.zeros(1, dtype=mg.int64, device="strict"))  # an integer one: its device only
    assert _is_strict(weight) and weight.dtype == mg.float32
    model.to(device="cpu")
    assert weight.device == "cpu"


def test_an_optimizer_made_before_the_move_keeps_working():
    mg.manual_seed(3)
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    model.to("strict")
    x, y = mg.randn(6, 4, device="strict"), mg.randn(6, 2, device="strict")
    for _ in range(2):
        optimizer.zero_grad()
        ((model(x) - y) ** 2).mean().backward()
        optimizer.step()
    assert all(_is_strict(p) for p in model.parameters())
    assert all(_is_strict(s["exp_avg"]) for s in optimizer.state.values())


def test_load_state_dict_copies_onto_each_parameters_device():
    source = _model()
    target = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 2))
    target.to("strict")
    weight = target[0].weight
    target.load_state_dict(source.state_dict())  # host arrays into a strict model
    assert target[0].weight is weight and _is_strict(weight)
    assert all(_is_strict(t) for t in (*target.parameters(), *target.buffers()))
    for key, value in source.state_dict().items():
        np.testing.assert_array_equal(to_host(target.state_dict()[key]), value, err_msg=key)

    back = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 2))
    back.load_state_dict(target.state_dict())  # strict arrays into a CPU model
    assert all(type(t._data) is np.ndarray for t in (*back.parameters(), *back.buffers()))
    tensors = {k: mg.tensor(to_host(v), device="strict") for k, v in source.state_dict().items()}
    back.load_state_dict(tensors)  # strict Tensors, too
    np.testing.assert_array_equal(back[3].bias.detach().numpy(), source[3].bias.detach().numpy())


def test_a_buffer_may_be_a_device_array():
    module = nn.Module()
    module.register_buffer("table", strict_backend.xp.arange(3))
    assert _is_strict(module.table)
    module.table = strict_backend.xp.zeros(2)
    assert _is_strict(module.table) and module.table.shape == (2,)


# ---- save and load --------------------------------------------------------------------------


def _saved(obj):
    buffer = io.BytesIO()
    mg.save(obj, buffer)
    buffer.seek(0)
    return buffer


def _strict_checkpoint():
    mg.manual_seed(0)
    return {
        "w": mg.randn(2, 3, device="strict"),
        "raw": strict_backend.xp.arange(4),  # a device array, not a Tensor
        "cpu": mg.ones(2),
        "step": 3,
        "scalar": np.float32(1.5),
    }


def test_save_stores_host_data_and_names_the_device(tmp_path):
    checkpoint = _strict_checkpoint()
    path = tmp_path / "strict.mg"
    mg.save(checkpoint, path)
    with zipfile.ZipFile(path) as archive:
        index = json.loads(archive.read("__index__.json"))
    assert index["version"] == 1 and sorted(index["devices"].values()) == ["strict", "strict"]
    with np.load(path, allow_pickle=False) as arrays:  # plain host .npy members
        assert len(arrays.files) == 5  # the index and four arrays
    loaded = mg.load(path)
    assert type(loaded["w"]) is np.ndarray and type(loaded["raw"]) is np.ndarray
    np.testing.assert_array_equal(loaded["w"], _host(checkpoint["w"]))
    np.testing.assert_array_equal(loaded["raw"], np.arange(4))
    assert loaded["step"] == 3 and loaded["scalar"] == np.float32(1.5)


def test_a_cpu_only_file_has_no_devices_entry(tmp_path):
    path = tmp_path / "cpu.mg"
    mg.save({"w": mg.ones(2)}, path)
    with zipfile.ZipFile(path) as archive:
        assert "devices" not in json.loads(archive.read("__index__.json"))


@pytest.mark.parametrize(
    "location", ["strict", mg.device("cpu"), {"strict": "strict"}, {"cpu": "strict"}]
)
def test_map_location_puts_everything_or_by_saved_device(location):
    loaded = mg.load(_saved(_strict_checkpoint()), map_location=location)
    expected = _strict_checkpoint()
    if location == "strict":
        location = {"strict": "strict", "cpu": "strict"}
    elif not isinstance(location, dict):
        location = {}
    for key in ("w", "raw", "cpu"):
        saved_on = "cpu" if key == "cpu" else "strict"
        if location.get(saved_on) == "strict":
            assert isinstance(loaded[key], mg.Tensor) and _is_strict(loaded[key]), key
        else:
            assert type(loaded[key]) is np.ndarray, key  # the CPU: an ndarray, as always
        np.testing.assert_array_equal(_host(loaded[key]), _host(expected[key]), err_msg=key)
    assert loaded["step"] == 3 and loaded["scalar"] == np.float32(1.5)


def test_map_location_dict_keyed_by_the_saved_device_sends_it_to_the_cpu():
    loaded = mg.load(_saved(_strict_checkpoint()), map_location={"strict": "cpu"})
    assert type(loaded["w"]) is np.ndarray and type(loaded["cpu"]) is np.ndarray
    loaded = mg.load(_saved(_strict_checkpoint()), map_location={mg.device("cpu"): "strict"})
    assert type(loaded["w"]) is np.ndarray and _is_strict(loaded["cpu"])


def test_map_location_callable_gets_a_cpu_tensor_and_the_saved_device():
    seen = []

    def to_strict(tensor, location):
        seen.append((type(tensor), tensor.device, location))
        return tensor.to("strict") if location == "strict" else None

    loaded = mg.load(_saved(_strict_checkpoint()), map_location=to_strict)
    assert sorted(location for _, _, location in seen) == ["cpu", "strict", "strict"]
    assert all(kind is mg.Tensor and device == "cpu" for kind, device, _ in seen)
    assert _is_strict(loaded["w"]) and _is_strict(loaded["raw"])
    assert type(loaded["cpu"]) is np.ndarray
    same = mg.load(_saved(_strict_checkpoint()), map_location=lambda storage, loc: storage)
    assert all(type(same[key]) is np.ndarray for key in ("w", "raw", "cpu"))
    raw = mg.load(_saved({"w": mg.ones(2)}), map_location=lambda t, loc: strict_backend.xp.ones(2))
    assert _is_strict(raw["w"]) and isinstance(raw["w"], mg.Tensor)


def test_map_location_errors_are_its_own():
    buffer = _saved(_strict_checkpoint())
    with pytest.raises(RuntimeError, match="device requested but minigrad found no GPU"):
        mg.load(buffer, map_location="mps")
    with pytest.raises(RuntimeError, match="device requested but minigrad found no GPU"):
        mg.load(buffer, map_location={"strict": "mps"})
    with pytest.raises(TypeError, match="map_location must be"):
        mg.load(buffer, map_location=2.5)
    with pytest.raises(ZeroDivisionError):  # the callable's error, not "damaged"
        buffer.seek(0)
        mg.load(buffer, map_location=lambda tensor, location: 1 / 0)
    with pytest.raises(TypeError, match="map_location returned a str"):
        buffer.seek(0)
        mg.load(buffer, map_location=lambda tensor, location: "strict")


def _craft(root, **extra):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "__index__.json",
            json.dumps({"format": "minigrad", "version": 1, "root": root, **extra}),
        )
        member = io.BytesIO()
        np.lib.format.write_array(member, np.arange(3.0), allow_pickle=False)
        archive.writestr("arrays/0.npy", member.getvalue())
    buffer.seek(0)
    return buffer


def test_an_older_file_without_devices_loads_to_the_cpu_or_where_mapped():
    root = {"dict": [["w", {"array": 0}]]}
    assert type(mg.load(_craft(root))["w"]) is np.ndarray
    assert type(mg.load(_craft(root), map_location={"strict": "strict"})["w"]) is np.ndarray
    placed = mg.load(_craft(root), map_location={"cpu": "strict"})["w"]
    assert _is_strict(placed)
    np.testing.assert_array_equal(_host(placed), np.arange(3.0))


@pytest.mark.parametrize("devices", [[1], {"0": 5}, {"x": "strict"}, {"0": "s" * 65}])
def test_a_malformed_devices_entry_is_refused(devices):
    with pytest.raises(ValueError, match="damaged"):
        mg.load(_craft({"array": 0}, devices=devices))


def test_file_objects_round_trip_and_refusals_name_them():
    loaded = mg.load(_saved({"w": mg.arange(3), "n": [1, (2.5,)]}))
    np.testing.assert_array_equal(loaded["w"], np.arange(3))
    assert loaded["n"] == [1, (2.5,)]
    with pytest.raises(ValueError, match="BytesIO.*not a minigrad file"):
        mg.load(io.BytesIO(b"\x80\x04 not a zip"))


# ---- optimizers' state dicts --------------------------------------------------------------

OPTIMIZERS = [
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("Adagrad", {"lr": 0.1}),
    ("Rprop", {"lr": 0.01}),
    ("ASGD", {"lr": 0.01}),
]


def _weights(device):
    mg.manual_seed(4)
    return [mg.randn(3, 2).to(device).requires_grad_(), mg.randn(2).to(device).requires_grad_()]


def _steps(weights, optimizer, count):
    for _ in range(count):
        optimizer.zero_grad()
        ((weights[0] ** 2).sum() + (weights[1] ** 3).sum()).backward()
        optimizer.step()


@pytest.mark.parametrize("name, options", OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
@pytest.mark.parametrize("saved_on", ["cpu", "strict"])
@pytest.mark.parametrize("map_location", [None, "strict"])
def test_optimizer_state_dicts_round_trip_onto_the_parameters_device(
    name, options, saved_on, map_location
):
    """Three steps, a checkpoint (made on either device, loaded either way), three more steps
    on 'strict': the numbers of six steps on the CPU, with the state on 'strict'."""
    cpu = _weights("cpu")
    _steps(cpu, getattr(optim, name)(cpu, **options), 6)

    first = _weights(saved_on)
    optimizer = getattr(optim, name)(first, **options)
    _steps(first, optimizer, 3)
    state = optimizer.state_dict()
    arrays = [v for entry in state["state"].values() for v in entry.values() if np.ndim(v)]
    assert arrays and all(_is_strict(a) == (saved_on == "strict") for a in arrays)
    checkpoint = mg.load(_saved({"w": first, "opt": state}), map_location=map_location)

    resumed = [mg.tensor(_host(w), device="strict", requires_grad=True) for w in checkpoint["w"]]
    optimizer = getattr(optim, name)(resumed, **options)
    optimizer.load_state_dict(checkpoint["opt"])
    for entry in optimizer.state.values():
        for value in entry.values():
            if np.ndim(value):
                assert _is_strict(value)
    _steps(resumed, optimizer, 3)
    for ours, expected in zip(resumed, cpu):
        assert _is_strict(ours)
        np.testing.assert_allclose(_host(ours), expected.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_an_optimizer_state_dict_is_a_copy_on_the_device():
    weight = mg.ones(3, device="strict", requires_grad=True)
    optimizer = optim.Adam([weight], lr=0.1)
    _steps([weight, mg.zeros(1, device="strict", requires_grad=True)], optimizer, 1)
    saved = optimizer.state_dict()["state"][0]["exp_avg"]
    assert _is_strict(saved) and saved is not optimizer.state[weight]["exp_avg"]
    _steps([weight, mg.zeros(1, device="strict", requires_grad=True)], optimizer, 1)
    assert not np.array_equal(to_host(saved), to_host(optimizer.state[weight]["exp_avg"]))


@pytest.mark.parametrize("line_search", [None, "strong_wolfe"])
def test_lbfgs_on_the_device_with_a_line_search_and_a_state_round_trip(line_search):
    def run(device, resume_through_a_file):
        weight = mg.tensor([1.5, -0.5, 2.0], device=device, requires_grad=True)
        unused = mg.zeros(2, device=device, requires_grad=True)  # no gradient: zeros
        make = lambda: optim.LBFGS([weight, unused], lr=0.5, max_iter=4,  # noqa: E731
                                   line_search_fn=line_search)  # fmt: skip
        optimizer = make()

        def closure():
            optimizer.zero_grad()
            loss = ((weight - 1) ** 4).sum()
            loss.backward()
            return loss

        optimizer.step(closure)
        if resume_through_a_file:
            state = mg.load(_saved(optimizer.state_dict()))
            optimizer = make()
            optimizer.load_state_dict(state)
        optimizer.step(closure)
        return weight

    expected = run("cpu", False).detach().numpy()
    for resume in (False, True):
        ours = run("strict", resume)
        assert _is_strict(ours)
        np.testing.assert_allclose(_host(ours), expected, rtol=1e-5, atol=1e-6)
