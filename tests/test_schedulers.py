"""lr_scheduler: every schedule's learning rates (and cycled momenta) over 50 steps against
torch.optim.lr_scheduler, with two parameter groups; state-dict round trips through mg.save
mid-run continue identically; argument errors as PyTorch's."""

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim

STEPS = 50


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _optimizer(lib, kind):
    opt_lib = optim if lib is mg else lib.optim
    params = [lib.nn.Parameter(lib.ones(1)) for _ in range(2)]
    groups = [{"params": params[:1]}, {"params": params[1:], "lr": 0.3}]
    if kind == "adam":
        return opt_lib.Adam(groups, lr=0.1)
    return opt_lib.SGD(groups, lr=0.1, momentum=0.9)


class Scale:
    """A callable object: its attributes are what LambdaLR's state dict keeps."""

    def __init__(self, rate):
        self.rate = rate

    def __call__(self, epoch):
        return self.rate**epoch


def plateau_metric(step):
    """Plateaus of seven steps with small wobbles: some count as improvements, some not."""
    return 10.0 - 0.5 * (step // 7) + 0.001 * ((step * 3) % 5)


# name: (make(lr_scheduler module, optimizer), optimizer kind, takes a metric)
SCHEDULERS = {
    "lambda": (lambda s, o: s.LambdaLR(o, lr_lambda=lambda e: 1 / (1 + e)), "sgd"),
    "lambda_per_group": (
        lambda s, o: s.LambdaLR(o, [lambda e: 0.9**e, Scale(0.95)]),
        "sgd",
    ),  # fmt: skip
    "multiplicative": (lambda s, o: s.MultiplicativeLR(o, lambda e: 0.97), "sgd"),
    "multiplicative_groups": (
        lambda s, o: s.MultiplicativeLR(o, [lambda e: 0.9, lambda e: 1.0 + 0.01 * (e % 3)]),
        "sgd",
    ),  # fmt: skip
    "step": (lambda s, o: s.StepLR(o, step_size=7, gamma=0.5), "sgd"),
    "multistep": (lambda s, o: s.MultiStepLR(o, milestones=[3, 10, 10, 30], gamma=0.3), "sgd"),
    "exponential": (lambda s, o: s.ExponentialLR(o, gamma=0.93), "sgd"),
    "linear": (lambda s, o: s.LinearLR(o, start_factor=0.2, total_iters=9), "sgd"),
    "linear_down": (
        lambda s, o: s.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=30),
        "sgd",
    ),  # fmt: skip
    "constant": (lambda s, o: s.ConstantLR(o, factor=0.25, total_iters=6), "sgd"),
    "polynomial": (lambda s, o: s.PolynomialLR(o, total_iters=40, power=2.0), "sgd"),
    "polynomial_linear": (lambda s, o: s.PolynomialLR(o, total_iters=10), "sgd"),
    "cosine": (lambda s, o: s.CosineAnnealingLR(o, T_max=12, eta_min=0.001), "sgd"),
    "warm_restarts": (lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=7), "sgd"),
    "warm_restarts_mult": (
        lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.01),
        "sgd",
    ),  # fmt: skip
    "cyclic_triangular": (
        lambda s, o: s.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5),
        "sgd",
    ),  # fmt: skip
    "cyclic_triangular2": (
        lambda s, o: s.CyclicLR(
            o,
            base_lr=[0.01, 0.02],
            max_lr=0.2,
            step_size_up=4,
            step_size_down=6,
            mode="triangular2",
        ),  # fmt: skip
        "sgd",
    ),
    "cyclic_exp_range_adam": (
        lambda s, o: s.CyclicLR(
            o,
            base_lr=0.001,
            max_lr=0.01,
            step_size_up=3,
            mode="exp_range",
            gamma=0.97,
            base_momentum=0.7,
        ),  # fmt: skip
        "adam",
    ),
    "cyclic_no_momentum": (
        lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=6, cycle_momentum=False),
        "adam",
    ),  # fmt: skip
    "cyclic_scale_fn": (
        lambda s, o: s.CyclicLR(
            o, 0.01, 0.1, step_size_up=4, scale_fn=lambda x: 0.5 ** (x / 8), scale_mode="iterations"
        ),  # fmt: skip
        "sgd",
    ),
    "one_cycle_cos": (lambda s, o: s.OneCycleLR(o, max_lr=0.5, total_steps=STEPS), "sgd"),
    "one_cycle_linear_adam": (
        lambda s, o: s.OneCycleLR(
            o,
            max_lr=[0.1, 0.2],
            epochs=5,
            steps_per_epoch=10,
            anneal_strategy="linear",
            pct_start=0.25,
        ),  # fmt: skip
        "adam",
    ),
    "one_cycle_three_phase": (
        lambda s, o: s.OneCycleLR(
            o,
            max_lr=0.3,
            total_steps=STEPS + 3,
            three_phase=True,
            div_factor=10.0,
            final_div_factor=100.0,
            base_momentum=0.8,
            max_momentum=0.9,
        ),  # fmt: skip
        "sgd",
    ),
    "one_cycle_no_momentum": (
        lambda s, o: s.OneCycleLR(o, 0.2, total_steps=STEPS, cycle_momentum=False),
        "sgd",
    ),  # fmt: skip
    "sequential": (
        lambda s, o: s.SequentialLR(
            o,
            [s.LinearLR(o, start_factor=0.1, total_iters=5), s.ExponentialLR(o, gamma=0.9)],
            milestones=[5],
        ),
        "sgd",
    ),  # fmt: skip
    "sequential_three": (
        lambda s, o: s.SequentialLR(
            o,
            [
                s.ConstantLR(o, factor=0.5, total_iters=4),
                s.CosineAnnealingLR(o, T_max=10),
                s.StepLR(o, step_size=3),
            ],
            milestones=[6, 20],
        ),
        "sgd",
    ),  # fmt: skip
    "chained": (
        lambda s, o: s.ChainedScheduler(
            [s.ConstantLR(o, factor=0.5, total_iters=4), s.ExponentialLR(o, gamma=0.95)]
        ),
        "sgd",
    ),  # fmt: skip
    "chained_with_optimizer": (
        lambda s, o: s.ChainedScheduler(
            [s.MultiStepLR(o, [5, 9]), s.LinearLR(o, total_iters=7)], optimizer=o
        ),  # fmt: skip
        "adam",
    ),
    "plateau_min_rel": (lambda s, o: s.ReduceLROnPlateau(o, patience=2), "sgd"),
    "plateau_min_abs_cooldown": (
        lambda s, o: s.ReduceLROnPlateau(
            o,
            patience=1,
            threshold=0.002,
            threshold_mode="abs",
            cooldown=3,
            factor=0.5,
            min_lr=[0.01, 0.05],
        ),
        "sgd",
    ),  # fmt: skip
    "plateau_max_rel_eps": (
        lambda s, o: s.ReduceLROnPlateau(
            o, mode="max", patience=3, factor=0.7, min_lr=0.02, eps=0.01
        ),  # fmt: skip
        "adam",
    ),
    "plateau_max_abs": (
        lambda s, o: s.ReduceLROnPlateau(
            o, mode="max", threshold_mode="abs", threshold=0.1, patience=0
        ),  # fmt: skip
        "sgd",
    ),
}


def _observe(optimizer, scheduler):
    groups = optimizer.param_groups
    momenta = [g["betas"][0] if "betas" in g else g["momentum"] for g in groups]
    return [float(lr) for lr in scheduler.get_last_lr()], [g["lr"] for g in groups], momenta


def _step(optimizer, scheduler, step):
    optimizer.step()
    if "Plateau" in type(scheduler).__name__:
        # The metric falls for minimising modes and rises for maximising ones.
        sign = -1.0 if scheduler.mode == "max" else 1.0
        scheduler.step(sign * plateau_metric(step))
    else:
        scheduler.step()


def _sequence(lib, name, steps=STEPS, restart_at=None, tmp_path=None):
    make, kind = SCHEDULERS[name]
    sched_lib = optim.lr_scheduler if lib is mg else lib.optim.lr_scheduler
    optimizer = _optimizer(lib, kind)
    scheduler = make(sched_lib, optimizer)
    seen = [_observe(optimizer, scheduler)]
    for step in range(steps):
        if step == restart_at:
            mg.save({"opt": optimizer.state_dict(), "sched": scheduler.state_dict()},
                    tmp_path / "s")  # fmt: skip
            checkpoint = mg.load(tmp_path / "s")
            optimizer = _optimizer(lib, kind)
            scheduler = make(sched_lib, optimizer)
            optimizer.load_state_dict(checkpoint["opt"])
            scheduler.load_state_dict(checkpoint["sched"])
            assert _observe(optimizer, scheduler) == seen[-1]
        _step(optimizer, scheduler, step)
        seen.append(_observe(optimizer, scheduler))
    return seen, scheduler


@pytest.mark.parametrize("name", SCHEDULERS)
def test_matches_torch_over_50_steps(torch, name):
    ours, scheduler = _sequence(mg, name)
    theirs, reference = _sequence(torch, name)
    assert ours == theirs  # exactly: the same formulas on Python floats
    assert getattr(scheduler, "last_epoch", None) == getattr(reference, "last_epoch", None)
    for value in ours[-1][1]:
        assert isinstance(value, float)


@pytest.mark.parametrize("name", SCHEDULERS)
def test_state_dict_round_trip_through_mg_save(tmp_path, name):
    expected, _ = _sequence(mg, name, steps=20)
    resumed, _ = _sequence(mg, name, steps=20, restart_at=11, tmp_path=tmp_path)
    assert resumed == expected


# torch's bookkeeping for its call-order warnings, which minigrad does not give.
_TORCH_ONLY = {"_get_lr_called_within_step"}


def _keys(state):
    return set(state) - _TORCH_ONLY


@pytest.mark.parametrize("name", SCHEDULERS)
def test_state_dict_holds_what_torchs_holds(torch, name):
    _, scheduler = _sequence(mg, name, steps=5)
    _, reference = _sequence(torch, name, steps=5)
    mine, theirs = scheduler.state_dict(), reference.state_dict()
    assert _keys(mine) == _keys(theirs)
    for key in _keys(theirs) - {"_schedulers", "_scale_fn_custom"}:
        assert mine[key] == theirs[key], key
    if "_schedulers" in theirs:
        for inner, reference_inner in zip(mine["_schedulers"], theirs["_schedulers"]):
            assert _keys(inner) == _keys(reference_inner)


def test_lambdas_are_not_saved_but_callable_objects_are(tmp_path):
    optimizer = _optimizer(mg, "sgd")
    scale = Scale(0.95)
    scheduler = optim.lr_scheduler.LambdaLR(optimizer, [lambda e: 0.9**e, scale])
    state = scheduler.state_dict()
    assert state["lr_lambdas"] == [None, {"rate": 0.95}]
    mg.save(state, tmp_path / "l")
    scale.rate = 0.5
    scheduler.load_state_dict(mg.load(tmp_path / "l"))
    assert scale.rate == 0.95


def test_values_by_hand():
    lrs, _ = _sequence(mg, "multistep", steps=12)
    assert [seen[1][0] for seen in lrs][:4] == [0.1, 0.1, 0.1, pytest.approx(0.03)]
    assert lrs[10][1][0] == pytest.approx(0.1 * 0.3**3)
    lrs, _ = _sequence(mg, "warm_restarts", steps=8)
    assert lrs[7][1][0] == 0.1 and lrs[0][1][0] == 0.1
    assert lrs[3][1][0] == pytest.approx(0.05 * (1 + math.cos(math.pi * 3 / 7)))
    lrs, _ = _sequence(mg, "one_cycle_cos", steps=STEPS - 1)
    first = [seen[1][0] for seen in lrs]
    assert first[0] == pytest.approx(0.5 / 25) and max(first) == pytest.approx(0.5)
    assert first[-1] == pytest.approx(0.5 / 25 / 1e4)
    momenta = [seen[2][0] for seen in lrs]
    assert momenta[0] == pytest.approx(0.95) and min(momenta) == pytest.approx(0.85)


def test_plateau_reduces_after_patience_and_respects_min_lr():
    optimizer = _optimizer(mg, "sgd")
    scheduler = optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=2, min_lr=0.05)
    for _ in range(3):
        scheduler.step(1.0)  # one improvement (from inf), then two bad epochs
    assert scheduler.get_last_lr() == [0.1, 0.3]
    scheduler.step(1.0)
    assert scheduler.get_last_lr() == [0.05, 0.05]  # 0.01 and 0.03, raised to min_lr


def test_step_with_epoch_uses_the_closed_form():
    optimizer = _optimizer(mg, "sgd")
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    with pytest.warns(UserWarning, match="epoch parameter"):
        scheduler.step(7)
    assert scheduler.get_last_lr() == [0.1 * 0.25, 0.3 * 0.25] and scheduler.last_epoch == 7


BAD = [
    (lambda s, o: s.ConstantLR(o, factor=1.5), ValueError, "between 0 and 1"),
    (lambda s, o: s.LinearLR(o, start_factor=0), ValueError, "greater than 0"),
    (lambda s, o: s.LinearLR(o, end_factor=2), ValueError, "Ending multiplicative"),
    (lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=0), ValueError, "positive integer T_0"),
    (lambda s, o: s.CosineAnnealingWarmRestarts(o, 5, T_mult=0), ValueError, "T_mult >= 1"),
    (lambda s, o: s.CyclicLR(o, 0.1, 1.0, mode="saw"), ValueError, "mode is invalid"),
    (lambda s, o: s.CyclicLR(o, [0.1], 1.0), ValueError, "base_lr must have the same length"),
    (lambda s, o: s.OneCycleLR(o, 0.1), ValueError, "total_steps OR"),
    (lambda s, o: s.OneCycleLR(o, 0.1, total_steps=0), ValueError, "positive integer"),
    (lambda s, o: s.OneCycleLR(o, 0.1, 10, pct_start=1), ValueError, "pct_start"),
    (lambda s, o: s.OneCycleLR(o, 0.1, 10, anneal_strategy="cubic"), ValueError, "anneal"),
    (lambda s, o: s.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be < 1.0"),
    (lambda s, o: s.ReduceLROnPlateau(o, mode="up"), ValueError, "mode up is unknown"),
    (lambda s, o: s.ReduceLROnPlateau(o, threshold_mode="x"), ValueError, "threshold mode"),
    (lambda s, o: s.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, "expected 2 min_lrs"),
    (lambda s, o: s.LambdaLR(o, [lambda e: 1.0]), ValueError, "Expected 2 lr_lambdas"),
    (lambda s, o: s.MultiplicativeLR(o, 0.9), TypeError, "lr_lambda should be a function"),
    (lambda s, o: s.SequentialLR(o, [s.StepLR(o, 2)], milestones=[3]), ValueError, "milestone"),
    (lambda s, o: s.SequentialLR(o, [], milestones=[]), ValueError, "at least one scheduler"),
    (lambda s, o: s.ChainedScheduler([s.ReduceLROnPlateau(o)]), ValueError, "ReduceLROnPlateau"),
    (lambda s, o: s.StepLR(o, 2, last_epoch=3), KeyError, "initial_lr"),
    (lambda s, o: s.StepLR(None, 2), TypeError, "NoneType is not an Optimizer"),
]  # fmt: skip


@pytest.mark.parametrize("index", range(len(BAD)))
def test_bad_arguments(index):
    make, error, message = BAD[index]
    with pytest.raises(error, match=message):
        make(optim.lr_scheduler, _optimizer(mg, "sgd"))


@pytest.mark.parametrize("index", range(len(BAD)))
def test_torch_raises_the_same_types(torch, index):
    make, error, _ = BAD[index]
    with pytest.raises(error):
        make(torch.optim.lr_scheduler, _optimizer(torch, "sgd"))


def test_one_cycle_past_total_steps_raises():
    optimizer = _optimizer(mg, "sgd")
    scheduler = optim.lr_scheduler.OneCycleLR(optimizer, 0.1, total_steps=3)
    for _ in range(3):
        scheduler.step()
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        scheduler.step()


def test_schedulers_drive_a_training_loop():
    param = nn.Parameter(mg.tensor(np.ones(3, np.float32)))
    optimizer = optim.Adam([param], lr=0.1)
    scheduler = optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=10)
    for _ in range(10):
        optimizer.zero_grad()
        (param * param).sum().backward()
        optimizer.step()
        scheduler.step()
    assert param.dtype == np.float32 and np.all(np.abs(param.numpy()) < 1)
