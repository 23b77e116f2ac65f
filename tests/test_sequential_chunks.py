"""nn.Sequential's inference in pieces (nn/modules/_chunks.py): the same outputs, and only
where pieces along dim 0 cannot change them."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn.modules import _chunks


def _record(module, what):
    """A list that gets ``what(input)`` at each call of ``module``."""
    seen = []
    forward = module.forward
    module.forward = lambda x: seen.append(what(x)) or forward(x)
    return seen


def _images(n=150, seed=0):
    return mg.from_numpy(np.random.default_rng(seed).random((n, 1, 12, 12), dtype=np.float32))


def _net(*middle):
    mg.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 6, 3), nn.ReLU(), nn.MaxPool2d(2), *middle, nn.Flatten(), nn.Linear(150, 4)
    )


@pytest.mark.parametrize(
    "middle",
    [(), (nn.Dropout(0.3),), (nn.BatchNorm2d(6),), (nn.Sequential(nn.Tanh(), nn.Identity()),)],
    ids=["plain", "dropout_eval", "batchnorm_eval", "nested"],
)
def test_inference_in_pieces_equals_the_whole_batch(middle, monkeypatch):
    net = _net(*middle).eval()
    x = _images()
    calls = _record(net[0], len)
    monkeypatch.setattr(_chunks, "CHUNK_BYTES", 16 * 6 * 10 * 10 * 4 * 3)  # 48 images a piece
    with mg.no_grad():
        pieces = net(x)
    assert calls == [16, 48, 48, 38]  # the probe, then pieces of the measured size
    calls.clear()
    whole = net(x)  # autograd on: one batch
    assert calls == [150]
    np.testing.assert_allclose(pieces.numpy(), whole.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert pieces.shape == (150, 4) and pieces.dtype == mg.float32 and not pieces.requires_grad


@pytest.mark.parametrize(
    "case",
    ["grad", "hook", "dropout_train", "batchnorm_train", "unbatched", "softmax_dim0", "small"],
)
def test_whole_batch_wherever_pieces_could_differ(case):
    middle = {
        "dropout_train": (nn.Dropout(0.3),), "batchnorm_train": (nn.BatchNorm2d(6),),
    }.get(case, ())  # fmt: skip
    net = _net(*middle)
    if case not in ("dropout_train", "batchnorm_train"):
        net.eval()
    x = _images(10 if case == "small" else 150)
    if case == "hook":
        net[1].register_forward_hook(lambda module, args, out: None)
    if case == "softmax_dim0":
        net.append(nn.Softmax(dim=0))
    if case == "unbatched":
        net = nn.Sequential(nn.Conv2d(150, 2, 3), nn.ReLU()).eval()
        x = mg.randn(150, 8, 8)  # one image of 150 channels: dim 0 is not a batch
    calls = _record(net[0], len)
    if case == "grad":
        net(x)
    else:
        with mg.no_grad():
            net(x)
    assert calls == [len(x)]


def test_flatten_and_linear_ranks():
    assert _chunks.batch_rank(nn.Flatten(), 4) == 2
    assert _chunks.batch_rank(nn.Flatten(0), 4) is None  # merges the batch dim
    assert _chunks.batch_rank(nn.Flatten(2, 3), 4) == 3
    assert _chunks.batch_rank(nn.Linear(3, 2), 1) is None  # one unbatched sample
    assert _chunks.batch_rank(nn.Linear(3, 2), 3) == 3
    assert _chunks.batch_rank(nn.Softmax(dim=1), 2) is None  # not on the list


def test_relu_before_a_max_pool_runs_on_the_pooled_values():
    """max(relu(a), relu(b)) = relu(max(a, b)): in pieces, the ReLU gets the pool's output."""
    net = _net().eval()
    x = _images()
    shapes = _record(net[1], lambda t: t.shape[1:])
    with mg.no_grad():
        pieces = net(x)
    assert set(shapes) == {(6, 5, 5)}  # pooled, not the convolution's (6, 10, 10)
    np.testing.assert_allclose(pieces.numpy(), net(x).detach().numpy(), rtol=1e-5, atol=1e-6)


# ---- under autograd: a max pool before the ReLU it follows ---------------------------------


@pytest.mark.parametrize("nan", [False, True])
@pytest.mark.parametrize("pool", [nn.MaxPool2d(2), nn.MaxPool2d(3, 2, padding=1)])
def test_training_runs_the_pool_before_the_relu_with_the_same_values_and_gradients(pool, nan):
    mg.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(), pool, nn.Flatten(), nn.Linear(3 * 25, 2))
    x = np.round(np.random.default_rng(1).standard_normal((4, 1, 12, 12)) * 2).astype(np.float32)
    x[0, 0, :4, :4] = -5.0  # windows of negative values only: no gradient in either order
    x[2] = 0.0  # ties everywhere
    if nan:
        x[1, 0, 3, 3] = np.nan
    seen = _record(net[1], lambda t: tuple(t.shape))
    mine = mg.tensor(x, requires_grad=True)
    out = net(mine)
    assert seen == [(4, 3, 5, 5)]  # the ReLU ran on the pool's output
    out.sum().backward()
    reference = mg.tensor(x, requires_grad=True)
    expected = reference
    for module in net:  # the same modules one by one, in their order
        expected = module(expected)
    grads = [p.grad.numpy().copy() for p in net.parameters()]
    net.zero_grad()
    expected.sum().backward()
    np.testing.assert_array_equal(out.numpy(), expected.numpy())
    np.testing.assert_array_equal(mine.grad.numpy(), reference.grad.numpy())
    for grad, p in zip(grads, net.parameters(), strict=True):
        np.testing.assert_array_equal(grad, p.grad.numpy())


def test_the_pool_stays_after_the_relu_with_hooks_or_at_the_end():
    x = mg.randn(2, 1, 8, 8, requires_grad=True)
    end = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2))
    seen = _record(end[1], lambda t: tuple(t.shape))
    out = end(x)
    assert seen == [(2, 2, 6, 6)] and out.grad_fn.name() == "MaxPool2DWithIndicesBackward0"
    hooked = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten())
    inputs = []
    hooked[1].register_forward_hook(lambda module, args, output: inputs.append(args[0].shape))
    hooked(x)
    assert inputs == [(2, 2, 6, 6)]
