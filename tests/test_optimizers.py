"""optim: every optimizer, 50 steps against torch.optim on a quadratic-plus-noise loss
computed in each framework, with parameter groups; state-dict round trips mid-run (in memory
and through mg.save) continue identically; PyTorch's argument checks; quiet overflow."""

import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


SHAPES = [(3, 2), (4,), (2, 1, 2)]
STEPS = 50
NAN = float("nan")


def _initial_arrays():
    rng = np.random.default_rng(0)
    return [rng.standard_normal(shape).astype(np.float32) for shape in SHAPES]


def _loss(lib, params, step, sign=1.0):
    """sum(c p^2 / 2 + p^4 / 20 + noise_step p): a gradient that depends on p and changes
    every step, the same numbers in either framework (``sign=-1`` to maximize)."""
    total = 0
    for index, param in enumerate(params):
        rng = np.random.default_rng(100 * step + index)
        scale = lib.tensor(rng.uniform(0.5, 2.0, param.shape).astype(np.float32))
        noise = lib.tensor((0.3 * rng.standard_normal(param.shape)).astype(np.float32))
        total = total + (0.5 * scale * param * param + 0.05 * param**4 + noise * param).sum()
    return total * sign


def _params(lib, arrays):
    return [lib.nn.Parameter(lib.tensor(a.copy())) for a in arrays]


def _groups(params, group_options):
    if group_options is None:
        return params
    first, second = group_options
    return [{"params": params[:1], **first}, {"params": params[1:], **second}]


def _run(lib, case, steps=STEPS, restart_at=None, tmp_path=None):
    """Run ``steps`` optimizer steps; final arrays. With ``restart_at``, the optimizer's
    state dict (through mg.save when tmp_path is given) is loaded into a fresh one there."""
    make, group_options, sign, fixed_loss = case
    opt_lib = optim if lib is mg else lib.optim
    params = _params(lib, _initial_arrays())
    optimizer = make(opt_lib, _groups(params, group_options))
    for step in range(steps):
        if step == restart_at:
            state = optimizer.state_dict()
            if tmp_path is not None:
                mg.save({"opt": state, "params": [p.numpy() for p in params]}, tmp_path / "o")
                checkpoint = mg.load(tmp_path / "o")
                state = checkpoint["opt"]
                params = _params(lib, checkpoint["params"])
            optimizer = make(opt_lib, _groups(params, group_options))
            optimizer.load_state_dict(state)

        def closure(optimizer=optimizer, params=params, step=0 if fixed_loss else step):
            optimizer.zero_grad()
            loss = _loss(lib, params, step, sign)
            loss.backward()
            return loss

        optimizer.step(closure)
    return [p.detach().numpy().copy() for p in params], optimizer


def case(make, groups=None, sign=1.0, fixed_loss=False):
    return make, groups, sign, fixed_loss


CASES = {
    "sgd": case(lambda o, p: o.SGD(p, lr=0.05)),
    "sgd_nesterov_decay": case(
        lambda o, p: o.SGD(p, lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1)
    ),
    "sgd_maximize_groups": case(
        lambda o, p: o.SGD(p, lr=0.02, momentum=0.9, dampening=0.2, maximize=True),
        [{"lr": 0.01}, {"momentum": 0.5}],
        sign=-1.0,
    ),  # fmt: skip
    "adam_amsgrad": case(lambda o, p: o.Adam(p, lr=0.05, amsgrad=True, weight_decay=0.05)),
    "adam_maximize": case(
        lambda o, p: o.Adam(p, lr=0.05, betas=(0.3, 0.9), maximize=True), sign=-1.0
    ),
    "adam_decoupled_groups": case(
        lambda o, p: o.Adam(p, lr=0.05, weight_decay=0.1, decoupled_weight_decay=True),
        [{"amsgrad": True}, {"lr": 0.02}],
    ),  # fmt: skip
    "adamw_amsgrad_maximize": case(
        lambda o, p: o.AdamW(p, lr=0.05, amsgrad=True, maximize=True, weight_decay=0.2),
        sign=-1.0,
    ),  # fmt: skip
    "rmsprop": case(lambda o, p: o.RMSprop(p, lr=0.01)),
    "rmsprop_centered_momentum": case(
        lambda o, p: o.RMSprop(p, lr=0.01, alpha=0.9, momentum=0.8, centered=True, eps=1e-6)
    ),
    "rmsprop_groups": case(
        lambda o, p: o.RMSprop(p, lr=0.01, weight_decay=0.1, maximize=True),
        [{"centered": True}, {"momentum": 0.5, "alpha": 0.5}],
        sign=-1.0,
    ),  # fmt: skip
    "adagrad": case(lambda o, p: o.Adagrad(p, lr=0.1)),
    "adagrad_decay_initial": case(
        lambda o, p: o.Adagrad(
            p, lr=0.2, lr_decay=0.05, initial_accumulator_value=0.5, weight_decay=0.1
        )  # fmt: skip
    ),
    "adagrad_groups": case(
        lambda o, p: o.Adagrad(p, lr=0.1, maximize=True),
        [{"lr": 0.3}, {"eps": 1e-3, "lr_decay": 0.1}],
        sign=-1.0,
    ),  # fmt: skip
    "adadelta": case(lambda o, p: o.Adadelta(p)),
    "adadelta_options": case(
        lambda o, p: o.Adadelta(p, lr=0.5, rho=0.5, eps=1e-4, weight_decay=0.1)
    ),
    "adadelta_groups": case(
        lambda o, p: o.Adadelta(p, maximize=True), [{"lr": 0.3}, {"rho": 0.99}], -1.0
    ),
    "adamax": case(lambda o, p: o.Adamax(p, lr=0.05)),
    "adamax_options": case(
        lambda o, p: o.Adamax(p, lr=0.05, betas=(0.7, 0.9), eps=1e-4, weight_decay=0.1)
    ),
    "adamax_groups": case(
        lambda o, p: o.Adamax(p, maximize=True), [{"lr": 0.01}, {"betas": (0.5, 0.99)}], -1.0
    ),
    "nadam": case(lambda o, p: o.NAdam(p, lr=0.05)),
    "nadam_momentum_decay": case(
        lambda o, p: o.NAdam(p, lr=0.05, momentum_decay=0.1, weight_decay=0.1)
    ),
    "nadam_decoupled_groups": case(
        lambda o, p: o.NAdam(p, lr=0.05, weight_decay=0.2, decoupled_weight_decay=True),
        [{"betas": (0.8, 0.9)}, {"lr": 0.01, "maximize": True}],
    ),  # fmt: skip
    "radam": case(lambda o, p: o.RAdam(p, lr=0.05)),
    "radam_short_warmup": case(lambda o, p: o.RAdam(p, lr=0.05, betas=(0.8, 0.9))),
    "radam_decoupled_groups": case(
        lambda o, p: o.RAdam(p, lr=0.05, weight_decay=0.1, decoupled_weight_decay=True),
        [{"betas": (0.9, 0.8)}, {"weight_decay": 0.0, "maximize": True}],
    ),  # fmt: skip
    "asgd": case(lambda o, p: o.ASGD(p, lr=0.05)),
    "asgd_averaging": case(lambda o, p: o.ASGD(p, lr=0.05, lambd=0.01, alpha=0.5, t0=10)),
    "asgd_groups": case(
        lambda o, p: o.ASGD(p, lr=0.05, t0=5, weight_decay=0.1, maximize=True),
        [{"lr": 0.02}, {"lambd": 0.1}],
        sign=-1.0,
    ),  # fmt: skip
    "rprop": case(lambda o, p: o.Rprop(p, lr=0.01)),
    "rprop_options": case(
        lambda o, p: o.Rprop(p, lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2))
    ),
    "rprop_groups": case(
        lambda o, p: o.Rprop(p, maximize=True), [{"lr": 0.1}, {"etas": (0.6, 1.1)}], -1.0
    ),
    # L-BFGS with a loss that changes every step is chaotic (torch itself diverges from a
    # one-ulp change of the start within ten steps), so the line-search runs keep one loss.
    "lbfgs": case(lambda o, p: o.LBFGS(p, lr=0.5, max_iter=4)),
    "lbfgs_history": case(lambda o, p: o.LBFGS(p, lr=0.5, max_iter=5, history_size=2)),
    "lbfgs_strong_wolfe": case(
        lambda o, p: o.LBFGS(p, max_iter=2, line_search_fn="strong_wolfe", history_size=3),
        fixed_loss=True,
    ),  # fmt: skip
    "lbfgs_tolerances": case(
        lambda o, p: o.LBFGS(
            p, max_iter=3, tolerance_grad=1e-3, tolerance_change=1e-4, line_search_fn="strong_wolfe"
        ),
        sign=1.0,
        fixed_loss=True,
    ),  # fmt: skip
}


@pytest.mark.parametrize("name", CASES)
def test_matches_torch_over_50_steps(torch, name):
    ours, optimizer = _run(mg, CASES[name])
    theirs, reference = _run(torch, CASES[name])
    for a, b in zip(ours, theirs):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for group, torch_group in zip(optimizer.param_groups, reference.param_groups):
        assert set(group) == set(torch_group)


ROUND_TRIP = [
    "sgd_maximize_groups", "adam_decoupled_groups", "rmsprop_groups", "adagrad_groups",
    "adamax_options", "nadam_decoupled_groups", "radam_decoupled_groups", "asgd_groups",
    "rprop_groups", "adadelta_groups", "lbfgs_history", "lbfgs_strong_wolfe",
]  # fmt: skip


@pytest.mark.parametrize("through_file", [False, True], ids=["memory", "mg.save"])
@pytest.mark.parametrize("name", ROUND_TRIP)
def test_state_dict_round_trip_mid_run_continues_identically(tmp_path, name, through_file):
    expected, _ = _run(mg, CASES[name], steps=12)
    resumed, _ = _run(mg, CASES[name], steps=12, restart_at=7,
                      tmp_path=tmp_path if through_file else None)  # fmt: skip
    for a, b in zip(expected, resumed):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", [n for n in CASES if not n.startswith("sgd")])
def test_state_dict_layout_is_torchs(torch, name):
    _, ours = _run(mg, CASES[name], steps=3)
    _, theirs = _run(torch, CASES[name], steps=3)
    mine, reference = ours.state_dict(), theirs.state_dict()
    assert list(mine["state"]) == list(reference["state"])
    for index, entry in reference["state"].items():
        assert set(mine["state"][index]) == set(entry)
        for key, value in entry.items():
            if key in ("step", "n_iter", "func_evals"):
                assert mine["state"][index][key] == float(value)
    for group, torch_group in zip(mine["param_groups"], reference["param_groups"]):
        assert group == torch_group


def test_torch_state_dict_loads_and_continues(torch):
    """A state dict written by torch.optim (tensors, converted to arrays) resumes here."""
    make = CASES["adam_amsgrad"][0]
    params = _params(torch, _initial_arrays())
    reference = make(torch.optim, params)
    for step in range(3):
        reference.zero_grad()
        _loss(torch, params, step).backward()
        reference.step()
    state = reference.state_dict()
    state = {
        "state": {i: {k: v.numpy() for k, v in s.items()} for i, s in state["state"].items()},
        "param_groups": state["param_groups"],
    }
    ours = _params(mg, [p.detach().numpy() for p in params])
    optimizer = make(optim, ours)
    optimizer.load_state_dict(state)
    for step in range(3, 6):
        for lib, opt, ps in ((torch, reference, params), (mg, optimizer, ours)):
            opt.zero_grad()
            _loss(lib, ps, step).backward()
            opt.step()
    for a, b in zip(ours, params):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-6, atol=1e-7)


ALL = [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop, optim.Adagrad, optim.Adamax,
       optim.Adadelta, optim.NAdam, optim.RAdam, optim.ASGD, optim.Rprop, optim.LBFGS]  # fmt: skip


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_updates_in_place_in_float32_recording_no_graph(cls):
    param = nn.Parameter(mg.randn(3, 2))
    array = param._data
    options = {"momentum": 0.9} if cls is optim.SGD else {}  # SGD keeps no state without
    optimizer = cls([param], lr=np.float64(0.01), **options)  # np.float64 must not upcast

    def closure():
        optimizer.zero_grad()
        loss = (param * param).sum()
        loss.backward()
        return loss

    for _ in range(3):
        optimizer.step(closure)
    assert param._data is array and param.dtype == np.float32 and not np.allclose(array, 0)
    assert param.is_leaf and param.grad_fn is None and param.requires_grad
    arrays = [v for v in optimizer.state[param].values() if isinstance(v, np.ndarray)]
    assert arrays and all(a.dtype == np.float32 for a in arrays)


def test_huge_gradient_in_adam_is_quiet_and_as_torch(torch):
    """A 1e30 gradient overflows g*g to inf: the update is zero, as torch's, no warning."""
    results = []
    for lib in (mg, torch):
        param = lib.nn.Parameter(lib.tensor([1.0, 2.0]))
        opt = (optim if lib is mg else lib.optim).Adam([param], lr=0.1)
        for _ in range(2):
            param.grad = lib.tensor([1e30, 1.0])
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                opt.step()
        state = opt.state[param]
        results.append(np.array([np.asarray(state[k]) for k in ("exp_avg", "exp_avg_sq")]
                                + [param.detach().numpy()]))  # fmt: skip
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6)
    assert results[0][1, 0] == np.inf and np.isfinite(results[0][2]).all()


# ---- argument checks: PyTorch's exception types, messages naming the argument ----------------

BAD_ARGUMENTS = [
    (optim.SGD, {"lr": "0.1"}, TypeError, "lr must be a real number, but got str"),
    (optim.SGD, {"lr": None}, TypeError, "lr must be a real number"),
    (optim.SGD, {"lr": -0.1}, ValueError, "Invalid learning rate: -0.1"),
    (optim.SGD, {"lr": NAN}, ValueError, "Invalid learning rate: nan"),
    (optim.SGD, {"momentum": -0.5}, ValueError, "Invalid momentum value: -0.5"),
    (optim.SGD, {"momentum": "a"}, TypeError, "momentum must be a real number"),
    (optim.SGD, {"weight_decay": -1}, ValueError, "Invalid weight_decay value: -1"),
    (optim.SGD, {"nesterov": True}, ValueError, "Nesterov momentum requires a momentum"),
    (optim.SGD, {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, ValueError, "zero damp"),
    (optim.Adam, {"betas": 0.9}, TypeError, "betas must be a tuple of two floats, but got float"),
    (optim.Adam, {"betas": (0.9,)}, ValueError, "betas must be a tuple of two floats"),
    (optim.Adam, {"betas": ("0.9", 0.99)}, TypeError, r"betas\[0\] must be a real number"),
    (optim.Adam, {"betas": (0.9, 1.0)}, ValueError, "Invalid beta parameter at index 1: 1.0"),
    (optim.Adam, {"betas": (-0.1, 0.9)}, ValueError, "Invalid beta parameter at index 0"),
    (optim.Adam, {"eps": -1e-8}, ValueError, "Invalid epsilon value: -1e-08"),
    (optim.Adam, {"weight_decay": "0"}, TypeError, "weight_decay must be a real number"),
    (optim.AdamW, {"lr": -1}, ValueError, "Invalid learning rate: -1"),
    (optim.Adam, {"differentiable": True}, NotImplementedError, "differentiable=True"),
    (optim.RMSprop, {"alpha": -1}, ValueError, "Invalid alpha value: -1"),
    (optim.RMSprop, {"momentum": -1}, ValueError, "Invalid momentum value: -1"),
    (optim.Adagrad, {"lr_decay": -1}, ValueError, "Invalid lr_decay value: -1"),
    (optim.Adagrad, {"initial_accumulator_value": -1}, ValueError,
     "Invalid initial_accumulator_value value: -1"),
    (optim.Adamax, {"betas": (1.5, 0.9)}, ValueError, "Invalid beta parameter at index 0"),
    (optim.Adadelta, {"rho": 1.5}, ValueError, "Invalid rho value: 1.5"),
    (optim.Adadelta, {"rho": -0.1}, ValueError, "Invalid rho value: -0.1"),
    (optim.Adadelta, {"eps": -1}, ValueError, "Invalid epsilon value: -1"),
    (optim.Adadelta, {"rho": "0.9"}, TypeError, "rho must be a real number"),
    (optim.NAdam, {"momentum_decay": -1}, ValueError, "Invalid momentum_decay value: -1"),
    (optim.RAdam, {"eps": -1}, ValueError, "Invalid epsilon value: -1"),
    (optim.ASGD, {"weight_decay": -1}, ValueError, "Invalid weight_decay value: -1"),
    (optim.ASGD, {"t0": "1"}, TypeError, "t0 must be a real number"),
    (optim.Rprop, {"etas": (1.5, 1.2)}, ValueError, "Invalid eta values: 1.5, 1.2"),
    (optim.Rprop, {"etas": 0.5}, TypeError, "etas must be a tuple of two floats"),
    (optim.Rprop, {"step_sizes": (1e-6,)}, ValueError, "step_sizes must be a tuple"),
    (optim.LBFGS, {"lr": -1}, ValueError, "Invalid learning rate: -1"),
    (optim.LBFGS, {"line_search_fn": "wolfe"}, ValueError, "line_search_fn must be None or"),
    (optim.LBFGS, {"max_iter": "20"}, TypeError, "max_iter must be a real number"),
]  # fmt: skip


@pytest.mark.parametrize("cls, kwargs, error, message", BAD_ARGUMENTS)
def test_bad_arguments_raise_at_construction(cls, kwargs, error, message):
    with pytest.raises(error, match=message):
        cls([nn.Parameter(mg.ones(2))], **kwargs)


@pytest.mark.parametrize("cls, kwargs, error, message", BAD_ARGUMENTS)
def test_torch_refuses_the_same_arguments(torch, cls, kwargs, error, message):
    """Where torch checks an argument it raises the same type (it says TypeError or
    IndexError in Python's words where we name the argument; it accepts a few we refuse)."""
    torch_cls = getattr(torch.optim, cls.__name__)
    param = torch.nn.Parameter(torch.ones(2))
    try:
        torch_cls([param], **kwargs)
    except (TypeError, IndexError, ValueError) as torch_error:
        if isinstance(torch_error, IndexError):
            assert error is ValueError  # betas=(0.9,): a wrong length, not a wrong index
        else:
            assert isinstance(torch_error, error)
    else:
        assert (cls.__name__, kwargs) in TORCH_ACCEPTS


TORCH_ACCEPTS = [
    ("SGD", {"lr": NAN}),  # SGD alone lets nan through
    ("Adam", {"differentiable": True}),  # we cannot record updates in a graph
    ("Rprop", {"step_sizes": (1e-6,)}),  # torch fails only at step()
    ("LBFGS", {"line_search_fn": "wolfe"}),  # torch fails only at step()
    ("LBFGS", {"max_iter": "20"}),  # torch fails only at step()
    ("ASGD", {"t0": "1"}),  # torch fails only at step()
]


def test_implementation_flags_are_accepted():
    param = nn.Parameter(mg.ones(2))
    for cls, flags in [
        (optim.SGD, dict(foreach=None, fused=False, differentiable=False)),
        (optim.Adam, dict(foreach=True, fused=None, capturable=False, differentiable=False)),
        (optim.AdamW, dict(foreach=False, capturable=True)),
        (optim.RMSprop, dict(capturable=False, foreach=None)),
        (optim.Adagrad, dict(foreach=None, fused=None)),
        (optim.NAdam, dict(capturable=False)),
        (optim.Adadelta, dict(foreach=None, capturable=False, maximize=False)),
    ]:
        optimizer = cls([param], **flags)
        for key, value in flags.items():
            assert optimizer.param_groups[0][key] == value


def test_lbfgs_refuses_parameter_groups():
    a, b = nn.Parameter(mg.ones(2)), nn.Parameter(mg.ones(2))
    with pytest.raises(ValueError, match="per-parameter options"):
        optim.LBFGS([{"params": [a]}, {"params": [b]}])


def test_lbfgs_minimises_a_quadratic_to_tolerance():
    target = mg.tensor([1.0, -2.0, 3.0])
    param = nn.Parameter(mg.zeros(3))
    optimizer = optim.LBFGS([param], line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = ((param - target) ** 2).sum()
        loss.backward()
        return loss

    first = optimizer.step(closure)
    assert first.item() == 14.0
    np.testing.assert_allclose(param.numpy(), target.numpy(), atol=1e-5)


def test_tensor_lr_as_torch_allows():
    results = []
    for lr in (0.05, mg.tensor(0.05)):
        param = nn.Parameter(mg.tensor([1.0, -2.0]))
        optimizer = optim.Adam([param], lr=lr)
        for _ in range(3):
            param.grad = mg.tensor([0.5, 0.25])
            optimizer.step()
        results.append(param.numpy().copy())
    np.testing.assert_array_equal(results[0], results[1])
    with pytest.raises(ValueError, match="Tensor lr must be 1-element"):
        optim.SGD([nn.Parameter(mg.ones(2))], lr=mg.tensor([0.1, 0.2]))
