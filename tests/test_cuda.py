"""minigrad on a real GPU through CuPy: skipped (with the reason) where there is none.

The same checks as tests/test_strict_io.py proves on the test-only 'strict' device, on
'cuda': a small model trains to the CPU's numbers, modules and factories move, mg.cuda
answers, checkpoints round-trip with map_location.
"""

import io

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim

pytestmark = pytest.mark.skipif(
    not mg.cuda.is_available(),
    reason="needs CuPy ('pip install minigrad[cuda]') and an NVIDIA GPU",
)


def _is_cupy(value):
    """Whether a Tensor's data, or an array, is a CuPy array."""
    import cupy

    return isinstance(value._data if isinstance(value, mg.Tensor) else value, cupy.ndarray)


def _model():
    mg.manual_seed(0)
    return nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 3))


def _train(device, steps=3):
    model = _model().to(device)
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    mg.manual_seed(1)
    x, y = mg.randn(5, 6).to(device), mg.randn(5, 3).to(device)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return model, optimizer, losses


def test_the_cuda_api_answers():
    assert mg.cuda.device_count() >= 1 and mg.accelerator.is_available()
    assert mg.accelerator.current_accelerator() == mg.device("cuda")
    assert isinstance(mg.cuda.current_device(), int)
    assert isinstance(mg.cuda.get_device_name(), str) and mg.cuda.get_device_name(0)
    properties = mg.cuda.get_device_properties("cuda:0")
    assert properties.total_memory > 0 and properties.major >= 1
    mg.cuda.synchronize()
    mg.cuda.manual_seed(0)
    mg.cuda.manual_seed_all(0)
    mg.cuda.empty_cache()
    assert mg.backends.cuda.is_built()


def test_a_small_train_step_on_cuda_matches_the_cpu():
    cpu_model, _, cpu_losses = _train("cpu")
    gpu_model, optimizer, gpu_losses = _train("cuda")
    np.testing.assert_allclose(gpu_losses, cpu_losses, rtol=1e-4, atol=1e-6)
    for ours, expected in zip(gpu_model.parameters(), cpu_model.parameters()):
        assert _is_cupy(ours) and ours.device.type == "cuda"
        np.testing.assert_allclose(
            ours.detach().cpu().numpy(), expected.detach().numpy(), rtol=1e-4, atol=1e-5
        )
    assert all(_is_cupy(p.grad) for p in gpu_model.parameters())
    assert all(_is_cupy(state["exp_avg"]) for state in optimizer.state.values())


def test_module_to_cuda_and_back_keeps_the_parameter_objects():
    model = _model()
    params = list(model.parameters())
    assert model.cuda() is model and all(a is b for a, b in zip(model.parameters(), params))
    assert all(_is_cupy(p) for p in params)
    model.cpu()
    assert all(type(p._data) is np.ndarray for p in params)


def test_factories_on_cuda():
    for made in (
        mg.zeros(2, 3, device="cuda"),
        mg.arange(4, device="cuda:0"),
        mg.randn(3, device=mg.device("cuda")),
        mg.ones_like(mg.ones(2, device="cuda")),
        mg.bernoulli(mg.full((4,), 0.5, device="cuda")),
    ):
        assert _is_cupy(made) and made.device == "cuda:0"
    mg.manual_seed(3)
    ours = mg.rand(5, device="cuda").cpu().numpy()
    mg.manual_seed(3)
    np.testing.assert_array_equal(ours, mg.rand(5).numpy())  # drawn on the host


def test_checkpoints_round_trip_with_map_location():
    model, optimizer, _ = _train("cuda", steps=1)
    buffer = io.BytesIO()
    mg.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, buffer)
    for location, on_gpu in ((None, False), ("cpu", False), ({"cuda:0": "cpu"}, False),
                             ("cuda", True), (lambda t, loc: t.cuda(), True)):  # fmt: skip
        buffer.seek(0)
        checkpoint = mg.load(buffer, map_location=location)
        weight = checkpoint["model"]["0.weight"]
        assert (isinstance(weight, mg.Tensor) and _is_cupy(weight)) == on_gpu, location
        restored = _model().cuda()
        restored.load_state_dict(checkpoint["model"])
        assert all(_is_cupy(p) for p in restored.parameters())
        resumed = optim.Adam(restored.parameters(), lr=0.01)
        resumed.load_state_dict(checkpoint["optimizer"])
        assert all(_is_cupy(state["exp_avg"]) for state in resumed.state.values())
