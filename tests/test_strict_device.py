"""The array seam, proved without a GPU: everything runs on the test-only 'strict' device.

A strict array refuses to meet a numpy array (tests/strict_backend.py), so an op, optimizer,
init function or loader that makes an array with numpy instead of the inputs' array module
fails here, where on a GPU it would fail or silently compute on the CPU. Each check runs the
same computation on the CPU and on 'strict' and asks for the same numbers, on 'strict'.
"""

import io

import numpy as np
import pytest
import strict_backend
from op_db import OPS

import minigrad as mg
import minigrad.nn as nn
from minigrad.backend import to_host
from models import MODELS, create

CASES = [
    pytest.param(case, shapes, id=f"{case.name}-{'x'.join(map(str, shapes))}")
    for case in OPS
    for shapes in case.samples()
]


pytestmark = pytest.mark.usefixtures("strict_device")


_is_strict = strict_backend.is_strict


def _close(strict, cpu, rtol=1e-6, atol=1e-7):
    assert _is_strict(strict), f"expected a strict-device result, got {type(strict._data)}"
    np.testing.assert_allclose(to_host(strict._data), cpu.numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("case, shapes", CASES)
def test_op_table_on_the_strict_device(case, shapes):
    rng = np.random.default_rng(4)
    arrays = case.make_inputs(shapes, rng)
    grads = case.differentiable(shapes)
    cpu = [mg.tensor(a, requires_grad=i in grads) for i, a in enumerate(arrays)]
    strict = [mg.tensor(a, device="strict", requires_grad=i in grads) for i, a in enumerate(arrays)]
    out, expected = case.fn(mg, *strict), case.fn(mg, *cpu)
    assert out.device == "strict"
    _close(out, expected)
    upstream = rng.standard_normal(out.shape)
    out.backward(mg.tensor(upstream, dtype=out.dtype, device="strict"))
    expected.backward(mg.tensor(upstream, dtype=expected.dtype))
    for i in grads:
        _close(strict[i].grad, cpu[i].grad)


def test_a_strict_array_refuses_numpy():
    """The check behind every test here: mixing with a plain array raises."""
    array = strict_backend.xp.zeros(3)
    with pytest.raises(strict_backend.MixedDevices):
        array + np.ones(3)
    with pytest.raises(strict_backend.MixedDevices):
        array[np.array([0, 1])]


def test_mixing_devices_raises_pytorchs_error():
    a, b = mg.ones(3, device="strict"), mg.ones(3)
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        a + b
    assert (a + mg.tensor(2.0)).device == "strict"  # a 0-d CPU tensor joins, as in PyTorch


def test_copies_between_devices_carry_gradients():
    x = mg.randn(2, 3, requires_grad=True)
    y = x.to("strict")
    assert y.device == "strict" and y.grad_fn is not None
    (y * 3).sum().backward()
    assert x.grad.device == "cpu"
    np.testing.assert_allclose(x.grad.numpy(), 3)
    back = y.cpu()
    assert back.device == "cpu" and np.array_equal(back.detach().numpy(), x.detach().numpy())
    with pytest.raises(TypeError, match="can't convert strict device type tensor to numpy"):
        y.numpy()


def test_factories_and_new_tensors_on_the_device():
    made = [
        mg.zeros(2, 3, device="strict"),
        mg.ones(2, device="strict"),
        mg.full((2,), 7.0, device="strict"),
        mg.arange(5, device="strict"),
        mg.eye(3, device="strict"),
        mg.randn(4, device="strict"),
        mg.rand(4, device="strict"),
        mg.randint(0, 5, (3,), device="strict"),
        mg.linspace(0, 1, 5, device="strict"),
        mg.tensor([1, 2], device="strict"),
    ]
    base = mg.ones(2, device="strict")
    made += [base.new_zeros(3), base.new_ones(2), base.new_full((2,), 3.0), base.new_tensor([1.0])]
    made += [mg.zeros_like(base), mg.ones_like(base), mg.rand_like(base), mg.randn_like(base)]
    for tensor in made:
        assert _is_strict(tensor), tensor


def _train_steps(model, device, steps=2):
    model = model.to(device)
    optimizer = mg.optim.Adam(model.parameters(), lr=1e-3)
    images = mg.tensor(np.random.default_rng(5).standard_normal((4, 1, 28, 28)), mg.float32)
    images = images.to(device)
    labels = mg.tensor([0, 1, 2, 3], device=device)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        out = model(images)
        if out.shape[1] == 1:  # the two-class model: one logit
            loss = nn.functional.binary_cross_entropy_with_logits(out[:, 0], (labels % 2).float())
        else:
            loss = nn.functional.cross_entropy(out, labels)
        loss.backward()
        optimizer.step()
        losses.append(loss)
    return model, losses


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_trains_on_the_strict_device(name):
    mg.manual_seed(1)
    cpu_model = create(name)
    strict_model = create(name)
    strict_model.load_state_dict(cpu_model.state_dict())
    cpu_model, cpu_losses = _train_steps(cpu_model, "cpu")
    strict_model, strict_losses = _train_steps(strict_model, "strict")
    for ours, expected in zip(strict_losses, cpu_losses):
        _close(ours, expected, rtol=1e-4, atol=1e-5)
    for ours, expected in zip(strict_model.parameters(), cpu_model.parameters()):
        _close(ours.detach(), expected.detach(), rtol=1e-3, atol=1e-5)


OPTIMIZERS = [
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-2}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("AdamW", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.5, "centered": True}),
    ("Adagrad", {"lr": 0.1}),
    ("Adadelta", {}),
    ("Adamax", {"lr": 0.01}),
    ("NAdam", {"lr": 0.01}),
    ("RAdam", {"lr": 0.01}),
    ("ASGD", {"lr": 0.01}),
    ("Rprop", {"lr": 0.01}),
]


@pytest.mark.parametrize("name, options", OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
def test_optimizers_on_the_strict_device(name, options):
    results = []
    for device in ("cpu", "strict"):
        mg.manual_seed(2)
        weight = mg.randn(3, 4).to(device).requires_grad_()
        optimizer = getattr(mg.optim, name)([weight], **options)
        for _ in range(3):
            optimizer.zero_grad()
            (weight**2).sum().backward()
            optimizer.step()
        results.append(weight)
    _close(results[1].detach(), results[0].detach(), rtol=1e-5, atol=1e-6)


def test_lbfgs_on_the_strict_device():
    def minimize(device):
        weight = mg.tensor([1.5, -0.5], device=device, requires_grad=True)
        optimizer = mg.optim.LBFGS([weight], lr=0.5, max_iter=5)

        def closure():
            optimizer.zero_grad()
            loss = ((weight - 1) ** 4).sum()
            loss.backward()
            return loss

        optimizer.step(closure)
        return weight.detach()

    _close(minimize("strict"), minimize("cpu"), rtol=1e-5, atol=1e-6)


def test_save_stores_host_data_and_load_places_it():
    model = nn.Linear(3, 2).to("strict")
    assert all(_is_strict(p) for p in model.parameters())
    buffer = io.BytesIO()
    mg.save(model.state_dict(), buffer)
    buffer.seek(0)
    on_cpu = mg.load(buffer)
    assert all(t.device == "cpu" for t in on_cpu.values())
    buffer.seek(0)
    placed = mg.load(buffer, map_location="strict")
    assert all(_is_strict(t) for t in placed.values())
    fresh = nn.Linear(3, 2).to("strict")
    fresh.load_state_dict(on_cpu)  # copied onto the parameters' device, as in PyTorch
    assert all(_is_strict(p) for p in fresh.parameters())
    for ours, expected in zip(fresh.parameters(), model.parameters()):
        _close(ours.detach(), expected.detach().cpu())


def test_layers_made_on_the_device():
    for layer in (
        nn.Linear(3, 2, device="strict"),
        nn.Conv2d(1, 2, 3, device="strict"),
        nn.BatchNorm2d(2, device="strict"),
        nn.Embedding(5, 3, device="strict"),
        nn.LayerNorm(4, device="strict"),
    ):
        assert all(_is_strict(t) for t in (*layer.parameters(), *layer.buffers())), layer
