"""optim: ten steps of every optimizer option against torch.optim, in-place float32 updates,
state dicts, errors, and the schedulers' learning-rate sequences."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


SHAPES = [(4, 3), (3,), (2, 2, 2)]


def _initial_arrays():
    rng = np.random.default_rng(0)
    return [rng.standard_normal(shape).astype(np.float32) for shape in SHAPES]


def _gradient(array, step, index):
    """A gradient that depends on the parameter (so errors compound) and changes per step."""
    noise = np.random.default_rng(100 * step + index).standard_normal(array.shape)
    return (array**3 - 0.5 * array + noise).astype(np.float32)


def _groups(params, group_options):
    if group_options is None:
        return params
    return [{"params": params[:1], **group_options[0]}, {"params": params[1:], **group_options[1]}]


def _run(lib, make_optimizer, group_options=None, steps=10):
    """Run ``steps`` updates with _gradient in minigrad (lib=None) or torch; final arrays."""
    arrays = _initial_arrays()
    if lib is None:
        params = [nn.Parameter(mg.tensor(a)) for a in arrays]
    else:
        params = [lib.nn.Parameter(lib.tensor(a)) for a in arrays]
    optimizer = make_optimizer(optim if lib is None else lib.optim, _groups(params, group_options))
    for step in range(steps):
        for index, param in enumerate(params):
            current = param.detach().numpy()
            grad = _gradient(current, step, index)
            param.grad = mg.tensor(grad) if lib is None else lib.tensor(grad)
        optimizer.step()
    return [p.detach().numpy().copy() for p in params], optimizer


OPTIMIZERS = {
    "sgd": lambda o, p: o.SGD(p, lr=0.05),
    "sgd_momentum": lambda o, p: o.SGD(p, lr=0.05, momentum=0.9),
    "sgd_dampening": lambda o, p: o.SGD(p, lr=0.05, momentum=0.9, dampening=0.3),
    "sgd_nesterov": lambda o, p: o.SGD(p, lr=0.05, momentum=0.8, nesterov=True),
    "sgd_weight_decay": lambda o, p: o.SGD(p, lr=0.05, weight_decay=0.1),
    "sgd_all": lambda o, p: o.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    "sgd_momentum_decay_damp": lambda o, p: o.SGD(
        p, lr=0.05, momentum=0.5, dampening=0.5, weight_decay=0.1
    ),
    "sgd_maximize": lambda o, p: o.SGD(p, lr=0.01, momentum=0.9, maximize=True),
    "adam": lambda o, p: o.Adam(p, lr=0.01),
    "adam_betas_eps": lambda o, p: o.Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6),
    "adam_weight_decay": lambda o, p: o.Adam(p, lr=0.01, weight_decay=0.1),
    "adam_amsgrad": lambda o, p: o.Adam(p, lr=0.01, amsgrad=True, weight_decay=0.05),
    "adamw": lambda o, p: o.AdamW(p, lr=0.01),
    "adamw_decay": lambda o, p: o.AdamW(p, lr=0.01, weight_decay=0.3, betas=(0.85, 0.95)),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_matches_torch(torch, name):
    ours, _ = _run(None, OPTIMIZERS[name])
    theirs, _ = _run(torch, OPTIMIZERS[name])
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6)
        assert a.dtype == np.float32


GROUPS = {
    "sgd_groups": (
        lambda o, p: o.SGD(p, lr=0.05, momentum=0.9),
        [{"lr": 0.1}, {"momentum": 0.5, "weight_decay": 0.2, "nesterov": True}],
    ),
    "adam_groups": (
        lambda o, p: o.Adam(p, lr=0.01),
        [{"lr": 0.03, "betas": (0.5, 0.9)}, {"weight_decay": 0.1}],
    ),
    "adamw_groups": (lambda o, p: o.AdamW(p), [{"weight_decay": 0.0}, {"lr": 0.05}]),
}


@pytest.mark.parametrize("name", GROUPS)
def test_param_groups_match_torch(torch, name):
    make, options = GROUPS[name]
    ours, optimizer = _run(None, make, options)
    theirs, torch_optimizer = _run(torch, make, options)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6)
    for group, torch_group in zip(optimizer.param_groups, torch_optimizer.param_groups):
        for key in ("lr", "weight_decay"):
            assert group[key] == torch_group[key]


def test_updates_are_in_place_float32_and_record_no_graph():
    param = nn.Parameter(mg.randn(3, 2))
    array = param._data
    state_arrays = []
    # numpy float64 hyperparameters must not upcast the float32 parameters or state.
    sgd = optim.SGD([param], lr=np.float64(0.1), momentum=0.9)
    adam = optim.Adam([param], lr=np.float64(0.01), weight_decay=np.float64(0.1))
    for optimizer in (sgd, adam):
        for _ in range(3):
            param.grad = mg.randn(3, 2)
            optimizer.step()
        state_arrays += [v for v in optimizer.state[param].values() if isinstance(v, np.ndarray)]
    assert param._data is array and param.dtype == np.float32
    assert param.is_leaf and param.grad_fn is None and param.requires_grad
    assert state_arrays and all(a.dtype == np.float32 for a in state_arrays)


def test_parameters_without_grad_are_skipped():
    a, b = nn.Parameter(mg.ones(2)), nn.Parameter(mg.ones(2))
    optimizer = optim.Adam([a, b], lr=0.1)
    a.grad = mg.ones(2)
    optimizer.step()
    assert np.all(b.numpy() == 1) and np.all(a.numpy() < 1)
    assert b not in optimizer.state


def test_zero_grad():
    param = nn.Parameter(mg.ones(2))
    optimizer = optim.SGD([param], lr=0.1)
    param.grad = mg.ones(2)
    optimizer.zero_grad(set_to_none=False)
    assert param.grad is not None and not param.grad.numpy().any()
    optimizer.zero_grad()
    assert param.grad is None


def test_step_with_closure():
    param = nn.Parameter(mg.tensor([2.0]))
    optimizer = optim.SGD([param], lr=0.25)

    def closure():
        optimizer.zero_grad()
        loss = (param * param).sum()
        loss.backward()
        return loss

    assert optimizer.step(closure).item() == 4.0
    assert param.item() == 1.0


@pytest.mark.parametrize("name", ["sgd_momentum", "adam_amsgrad", "adamw"])
def test_state_dict_round_trip_continues_identically(tmp_path, name):
    make = OPTIMIZERS[name]
    expected, _ = _run(None, make, steps=10)
    arrays = _initial_arrays()
    params = [nn.Parameter(mg.tensor(a)) for a in arrays]
    optimizer = make(optim, params)
    for step in range(10):
        if step == 5:  # save, rebuild from scratch, load, continue
            mg.save({"params": [p.numpy() for p in params], "opt": optimizer.state_dict()},
                    tmp_path / "ck")  # fmt: skip
            checkpoint = mg.load(tmp_path / "ck")
            params = [nn.Parameter(mg.tensor(a)) for a in checkpoint["params"]]
            optimizer = make(optim, params)
            optimizer.load_state_dict(checkpoint["opt"])
        for index, param in enumerate(params):
            param.grad = mg.tensor(_gradient(param.numpy(), step, index))
        optimizer.step()
    for a, b in zip(expected, params):
        np.testing.assert_array_equal(a, b.numpy())


def test_state_dict_layout_is_torchs(torch):
    _, ours = _run(None, OPTIMIZERS["adam"], steps=2)
    _, theirs = _run(torch, OPTIMIZERS["adam"], steps=2)
    mine, reference = ours.state_dict(), theirs.state_dict()
    assert list(mine["state"]) == list(reference["state"]) == [0, 1, 2]
    assert set(mine["state"][0]) == set(reference["state"][0])
    assert mine["state"][0]["step"] == reference["state"][0]["step"].item()
    for key, value in reference["param_groups"][0].items():
        if key in mine["param_groups"][0]:
            assert mine["param_groups"][0][key] == value


def test_load_state_dict_checks_groups():
    a, b = nn.Parameter(mg.ones(2)), nn.Parameter(mg.ones(2))
    state = optim.SGD([a, b], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="doesn't match the size"):
        optim.SGD([a], lr=0.1).load_state_dict(state)
    with pytest.raises(ValueError, match="parameter groups"):
        optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).load_state_dict(state)


def test_constructor_errors():
    param = nn.Parameter(mg.ones(2))
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.SGD(param, lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [param]}, {"params": [param]}], lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        optim.Adam([param], lr=-1)
    with pytest.raises(ValueError, match="Nesterov"):
        optim.SGD([param], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="beta"):
        optim.Adam([param], betas=(0.9, 1.0))
    assert optim.SGD([param]).defaults["lr"] == 1e-3  # torch 2.13's default
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([param * 2], lr=0.1)


def test_optimizer_accepts_model_parameters_generator():
    model = nn.Linear(3, 2)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    assert len(optimizer.param_groups[0]["params"]) == 2


# ---- schedulers ---------------------------------------------------------------------------------

SCHEDULERS = {
    "step": lambda s, o: s.StepLR(o, step_size=3),
    "step_gamma": lambda s, o: s.StepLR(o, step_size=2, gamma=0.5),
    "cosine": lambda s, o: s.CosineAnnealingLR(o, T_max=10),
    "cosine_eta_min": lambda s, o: s.CosineAnnealingLR(o, T_max=7, eta_min=0.001),
}


def _lr_sequence(lib, make, steps=25):
    if lib is None:
        opt_lib, params = optim, [nn.Parameter(mg.ones(1)), nn.Parameter(mg.ones(1))]
    else:
        opt_lib, params = lib.optim, [lib.nn.Parameter(lib.ones(1)) for _ in range(2)]
    optimizer = opt_lib.SGD([{"params": params[:1]}, {"params": params[1:], "lr": 0.3}], lr=0.1)
    scheduler = make(opt_lib.lr_scheduler, optimizer)
    lrs = [scheduler.get_last_lr()]
    for _ in range(steps):
        optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
        assert lrs[-1] == [g["lr"] for g in optimizer.param_groups]
    return lrs, scheduler


@pytest.mark.parametrize("name", SCHEDULERS)
def test_scheduler_matches_torch(torch, name):
    ours, _ = _lr_sequence(None, SCHEDULERS[name])
    theirs, _ = _lr_sequence(torch, SCHEDULERS[name])
    assert ours == theirs  # exactly: the same recursive formulas in Python floats


def test_step_lr_values_and_cosine_shape():
    lrs, _ = _lr_sequence(None, SCHEDULERS["step_gamma"], steps=5)
    assert [group[0] for group in lrs] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025, 0.025])
    lrs, _ = _lr_sequence(None, SCHEDULERS["cosine"], steps=20)
    first = [group[0] for group in lrs]
    assert first[10] == pytest.approx(0.0, abs=1e-12) and first[20] == pytest.approx(0.1)
    assert first[5] == pytest.approx(0.05)


@pytest.mark.parametrize("name", SCHEDULERS)
def test_scheduler_state_dict_round_trip(tmp_path, name):
    expected, _ = _lr_sequence(None, SCHEDULERS[name], steps=9)
    _, scheduler = _lr_sequence(None, SCHEDULERS[name], steps=4)
    mg.save({"opt": scheduler.optimizer.state_dict(), "sched": scheduler.state_dict()},
            tmp_path / "sched")  # fmt: skip
    # A fresh optimizer and scheduler (at epoch 0), restored, continue the same sequence.
    params = [nn.Parameter(mg.ones(1)), nn.Parameter(mg.ones(1))]
    optimizer = optim.SGD([{"params": params[:1]}, {"params": params[1:], "lr": 0.3}], lr=0.1)
    resumed = SCHEDULERS[name](optim.lr_scheduler, optimizer)
    checkpoint = mg.load(tmp_path / "sched")
    optimizer.load_state_dict(checkpoint["opt"])
    resumed.load_state_dict(checkpoint["sched"])
    assert resumed.last_epoch == 4 and resumed.get_last_lr() == expected[4]
    lrs = []
    for _ in range(5):
        optimizer.step()
        resumed.step()
        lrs.append([group["lr"] for group in optimizer.param_groups])
    assert lrs == expected[5:]
