"""The device API of PyTorch programs' boilerplate: mg.device, device=, .to, .cpu/.cuda,
mg.cuda, mg.accelerator, mg.backends, load(map_location=). The checks that 'cuda' is a clear
error run where there is no GPU (CuPy's are in test_cuda.py)."""

import pickle

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn

NO_GPU = "minigrad found no GPU"
without_a_gpu = pytest.mark.skipif(
    mg.cuda.is_available(), reason="CuPy sees a GPU here: 'cuda' is no error (see test_cuda.py)"
)


@pytest.mark.parametrize("args", [("cpu",), ("cuda",), ("cuda", 0), ("cuda:1",), ("mps",)])
def test_device_objects_match_torch(args):
    torch = pytest.importorskip("torch")
    ours, theirs = mg.device(*args), torch.device(*args)
    assert (ours.type, ours.index) == (theirs.type, theirs.index)
    assert repr(ours) == repr(theirs) and str(ours) == str(theirs)
    assert ours == mg.device(str(theirs)) and hash(ours) == hash(mg.device(str(theirs)))


@pytest.mark.parametrize("bad", ["foo", "cuda:x", "cuda:-1", "cpu:"])
def test_bad_device_strings_raise_as_torch(bad):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError) as theirs:
        torch.device(bad)
    with pytest.raises(RuntimeError) as ours:
        mg.device(bad)
    assert str(ours.value) == str(theirs.value)


def test_device_equality_strings_pickle_and_errors():
    assert mg.device("cpu") == "cpu" and mg.device("cuda", 0) == "cuda:0" != "cuda:1"
    assert mg.device("cpu") != "nonsense" and {mg.device("cpu"): 1}[mg.device("cpu")] == 1
    assert pickle.loads(pickle.dumps(mg.device("cuda:1"))) == mg.device("cuda", 1)
    assert mg.device(0) == "cuda:0" and mg.device(mg.device("cpu")) == "cpu"
    with pytest.raises(TypeError, match="device string"):
        mg.device(3.5)
    with pytest.raises(RuntimeError, match="Invalid device string"):
        mg.device("cuda:0", 1)
    with pytest.raises(AttributeError, match="read-only"):
        mg.device("cpu").type = "cuda"


@without_a_gpu
def test_availability_checks_and_flags():
    assert mg.cuda.is_available() is False and mg.cuda.device_count() == 0
    mg.cuda.manual_seed(0)
    mg.cuda.manual_seed_all(0)
    mg.cuda.empty_cache()
    with pytest.raises(RuntimeError, match=NO_GPU):
        mg.cuda.synchronize()
    assert mg.accelerator.is_available() is False
    assert mg.accelerator.current_accelerator() is None
    assert mg.backends.mps.is_available() is False and mg.backends.mps.is_built() is False
    mg.backends.cudnn.deterministic, mg.backends.cudnn.benchmark = True, False
    assert mg.backends.cudnn.deterministic is True
    mg.backends.cudnn.deterministic = False


@without_a_gpu
def test_the_usual_boilerplate_picks_the_cpu():
    use_cuda = mg.cuda.is_available()
    device = mg.device("cuda" if use_cuda else "cpu")
    if mg.accelerator.is_available():
        device = mg.accelerator.current_accelerator()
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU()).to(device)
    x = mg.randn(2, 4).to(device)
    assert model(x).device == device and x.device.type == "cpu"


FACTORIES = [
    lambda **kw: mg.zeros(2, 3, **kw), lambda **kw: mg.ones(2, **kw),
    lambda **kw: mg.full((2,), 1.5, **kw), lambda **kw: mg.empty(2, **kw),
    lambda **kw: mg.eye(2, **kw), lambda **kw: mg.arange(3.0, **kw),
    lambda **kw: mg.linspace(0, 1, 3, **kw), lambda **kw: mg.rand(2, **kw),
    lambda **kw: mg.randn(2, **kw), lambda **kw: mg.zeros_like(mg.ones(2), **kw),
    lambda **kw: mg.ones_like(mg.ones(2), **kw), lambda **kw: mg.randn_like(mg.ones(2), **kw),
    lambda **kw: mg.rand_like(mg.ones(2), **kw), lambda **kw: mg.empty_like(mg.ones(2), **kw),
    lambda **kw: mg.full_like(mg.ones(2), 2.0, **kw), lambda **kw: mg.tensor([1.0], **kw),
]  # fmt: skip


@without_a_gpu
@pytest.mark.parametrize("factory", FACTORIES)
def test_factories_take_device_dtype_and_requires_grad(factory):
    out = factory(device="cpu", dtype=mg.float64, requires_grad=True)
    assert out.device == mg.device("cpu") and out.dtype == mg.float64 and out.requires_grad
    assert factory(device=mg.device("cpu")).device == "cpu"
    with pytest.raises(RuntimeError, match=f"'cuda:0' device requested but {NO_GPU}"):
        factory(device="cuda:0")


@without_a_gpu
def test_integer_factories_and_as_tensor_take_device():
    assert mg.randint(0, 5, (3,), device="cpu", dtype=mg.int32).dtype == mg.int32
    assert mg.randperm(4, device="cpu").dtype == mg.int64
    assert mg.as_tensor([1, 2], device="cpu").device == "cpu"
    for call in (lambda: mg.randint(3, (2,), device="cuda"), lambda: mg.randperm(3, device=0),
                 lambda: mg.as_tensor([1.0], device="mps")):  # fmt: skip
        with pytest.raises(RuntimeError, match=NO_GPU):
            call()
    with pytest.raises(TypeError, match="device must be"):
        mg.zeros(2, device=1.5)
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        mg.zeros(2, colour="red")


def test_tensor_to_as_torch():
    torch = pytest.importorskip("torch")
    for lib in (mg, torch):
        x = lib.ones(2, 3)
        assert x.to("cpu") is x and x.to(lib.float32) is x and x.cpu() is x
        assert x.to("cpu", copy=True) is not x
        assert x.to("cpu", lib.float64).dtype == lib.float64
        assert x.to(device="cpu", dtype=lib.float64, non_blocking=True).dtype == lib.float64
        assert x.to(lib.ones(1, dtype=lib.float64)).dtype == lib.float64
        assert x.to(lib.device("cpu"), lib.float64, False, True).dtype == lib.float64
    y = mg.ones(2, requires_grad=True).to(mg.float64)
    y.sum().backward()  # a dtype change stays differentiable


@without_a_gpu
def test_cuda_requests_are_clear_errors():
    x = mg.ones(2)
    for call in (lambda: x.cuda(), lambda: x.to("cuda"), lambda: x.to("cuda:0", mg.float64),
                 lambda: x.cuda(1), lambda: nn.Linear(2, 2).cuda(), lambda: nn.Linear(2, 2).to(0),
                 lambda: nn.Linear(2, 2, device="cuda")):  # fmt: skip
        with pytest.raises(RuntimeError, match=NO_GPU):
            call()
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        x.to(colour="red")


LAYERS = [
    lambda **kw: nn.Linear(3, 2, **kw), lambda **kw: nn.Conv2d(1, 2, 3, **kw),
    lambda **kw: nn.BatchNorm1d(3, **kw), lambda **kw: nn.BatchNorm2d(3, **kw),
    lambda **kw: nn.LayerNorm(3, **kw), lambda **kw: nn.GroupNorm(1, 3, **kw),
    lambda **kw: nn.Embedding(4, 3, **kw), lambda **kw: nn.PReLU(**kw),
]  # fmt: skip


@without_a_gpu
@pytest.mark.parametrize("layer", LAYERS)
def test_layers_take_device_and_dtype(layer):
    module = layer(device="cpu", dtype=mg.float64)
    assert all(p.dtype == mg.float64 and p.device == "cpu" for p in module.parameters())
    with pytest.raises(RuntimeError, match=NO_GPU):
        layer(device="cuda")


def test_module_to_forms():
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    weight = model[0].weight
    assert model.to("cpu") is model and model.cpu() is model
    model.to(mg.device("cpu"), mg.float64)
    assert weight.dtype == mg.float64 and model[0].weight is weight
    model.to(mg.ones(1, dtype=mg.float32))
    assert weight.dtype == mg.float32
    assert model[1].num_batches_tracked.dtype == mg.int64  # integer buffers stay
    model.to(dtype=mg.float64, device="cpu", non_blocking=True)
    assert weight.dtype == mg.float64


@without_a_gpu
def test_load_accepts_map_location_forms(tmp_path):
    path = tmp_path / "w.mg"
    mg.save({"w": mg.ones(2)}, path)
    for location in ("cpu", mg.device("cpu"), {"cuda:0": "cpu"}, lambda storage, loc: storage,
                     None):  # fmt: skip
        np.testing.assert_array_equal(mg.load(path, map_location=location, weights_only=True)["w"],
                                      np.ones(2))  # fmt: skip
    with pytest.raises(RuntimeError, match=NO_GPU):
        mg.load(path, map_location="cuda")
    with pytest.raises(TypeError, match="map_location must be"):
        mg.load(path, map_location=1.5)
