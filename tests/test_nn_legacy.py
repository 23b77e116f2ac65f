"""Layers that older and tutorial PyTorch programs use: channel-wise and alpha dropout, the
legacy ``size_average``/``reduce`` loss arguments, lazy modules. Each is compared with torch
where torch is importable; bad arguments raise errors naming them."""

import inspect
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn import functional as F


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


# ---- dropout ---------------------------------------------------------------------------------

CHANNEL_DROPOUTS = [  # function, module, a shape it accepts silently, the channel dims
    (F.dropout1d, nn.Dropout1d, (8, 16, 5), 2),
    (F.dropout1d, nn.Dropout1d, (16, 5), 1),
    (F.dropout2d, nn.Dropout2d, (8, 16, 3, 4), 2),
    (F.dropout3d, nn.Dropout3d, (8, 16, 2, 3, 2), 2),
    (F.dropout3d, nn.Dropout3d, (16, 2, 3, 2), 1),
]


@pytest.mark.parametrize("function, module, shape, lead", CHANNEL_DROPOUTS)
def test_channel_dropout_zeroes_whole_channels_and_scales_the_rest(function, module, shape, lead):
    mg.manual_seed(0)
    x = mg.ones(*shape)
    for y in (function(x, p=0.4), module(0.4)(x)):
        channels = y.numpy().reshape(*shape[:lead], -1)
        kept = channels[..., 0] != 0
        expected = np.where(kept[..., None], np.float32(1 / 0.6), np.float32(0))
        np.testing.assert_array_equal(channels, np.broadcast_to(expected, channels.shape))
        assert 0.2 < 1 - kept.mean() < 0.6 and y.shape == x.shape and y.dtype == mg.float32


@pytest.mark.parametrize("function, module, shape, lead", CHANNEL_DROPOUTS)
def test_channel_dropout_eval_is_the_identity(function, module, shape, lead):
    x = mg.randn(*shape)
    assert function(x, 0.5, training=False) is x
    assert module(0.5).eval()(x) is x
    assert function(x, 0.0) is x


def test_channel_dropout_mask_repeats_under_manual_seed():
    x = mg.randn(4, 6, 3, 3)
    mg.manual_seed(3)
    first = F.dropout2d(x).numpy()
    mg.manual_seed(3)
    np.testing.assert_array_equal(first, F.dropout2d(x).numpy())


@pytest.mark.parametrize("function", [F.dropout, F.dropout2d, F.alpha_dropout])
def test_gradient_flows_through_the_fixed_mask(function):
    x = mg.randn(4, 5, 3, 2, dtype=mg.float64, requires_grad=True)
    mg.manual_seed(1)
    y = function(x, 0.3, True)
    (y * y).sum().backward()
    # y = x * scale + shift elementwise, with scale and shift fixed by the mask.
    mg.manual_seed(1)
    zeros = mg.zeros(4, 5, 3, 2, dtype=mg.float64)
    shift = function(zeros, 0.3, True).numpy()
    mg.manual_seed(1)
    scale = function(zeros + 1, 0.3, True).numpy() - shift
    np.testing.assert_allclose(y.numpy(), x.detach().numpy() * scale + shift, rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), 2 * y.detach().numpy() * scale, rtol=1e-12)


def test_p_one_zeroes_everything_and_keeps_the_graph():
    x = mg.randn(2, 3, 4, requires_grad=True)
    for y in (F.dropout(x, 1.0), F.dropout1d(x, 1.0), F.alpha_dropout(x, 1.0, True)):
        assert not y.numpy().any()
        y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 0)


def test_channel_dropout_values_as_torchs(torch):
    x = np.ones((6, 32, 2, 2), np.float32)
    for name in ("dropout2d", "feature_alpha_dropout"):
        ours = getattr(F, name)(mg.tensor(x), 0.3, True).numpy()
        theirs = getattr(torch.nn.functional, name)(torch.tensor(x), 0.3, True).numpy()
        np.testing.assert_allclose(np.unique(ours), np.unique(theirs), rtol=1e-6)
        assert (ours.reshape(6, 32, 4).std(axis=2) == 0).all()  # whole channels


def test_alpha_dropout_values_and_statistics_as_torchs(torch):
    mg.manual_seed(0)
    x = mg.randn(200_000)
    y = F.alpha_dropout(x, 0.2, training=True).numpy()
    assert abs(y.mean()) < 0.01 and abs(y.var() - 1) < 0.01  # SELU's fixed point survives
    ones = np.ones(1000, np.float32)
    ours = np.unique(nn.AlphaDropout(0.2)(mg.tensor(ones)).numpy())
    theirs = np.unique(torch.nn.AlphaDropout(0.2)(torch.tensor(ones)).numpy())
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    assert F.alpha_dropout(x, 0.2) is x  # torch's default is training=False


DROPOUT_FUNCTIONS = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
                     "feature_alpha_dropout"]  # fmt: skip
DROPOUT_MODULES = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
                   "FeatureAlphaDropout"]  # fmt: skip


@pytest.mark.parametrize("name", DROPOUT_FUNCTIONS)
def test_signatures_and_defaults_as_torchs(torch, name):
    ours = inspect.signature(getattr(F, name))
    theirs = inspect.signature(getattr(torch.nn.functional, name))
    assert [(p.name, p.default) for p in ours.parameters.values()] == [
        (p.name, p.default) for p in theirs.parameters.values()
    ]


@pytest.mark.parametrize("name", DROPOUT_MODULES)
def test_module_reprs_as_torchs(torch, name):
    assert repr(getattr(nn, name)(0.2)) == repr(getattr(torch.nn, name)(0.2))
    assert repr(getattr(nn, name)()) == repr(getattr(torch.nn, name)())


def test_the_2018_mnist_call_runs():
    x = mg.randn(4, 50)
    mg.manual_seed(0)
    y = F.dropout(x, training=True)
    assert ((y.numpy() == 0) | np.isclose(y.numpy(), 2 * x.numpy())).all()
    assert F.dropout(x, training=False) is x


RANK_CASES = [  # function, shape: torch warns, raises, or neither
    ("dropout1d", (3,)), ("dropout1d", (2, 3, 4, 5)), ("dropout2d", (2, 3)),
    ("dropout2d", (2, 3, 4)), ("dropout2d", (3,)), ("dropout2d", (2, 3, 4, 5, 6)),
    ("dropout3d", (3,)), ("dropout3d", (2, 3, 4)), ("dropout3d", ()),
]  # fmt: skip


def _outcome(function, x):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            y = function(x, 0.5)
        except RuntimeError as error:
            return [str(w.message) for w in caught], str(error), None
    return [str(w.message) for w in caught], None, tuple(y.shape)


@pytest.mark.parametrize("name, shape", RANK_CASES)
def test_input_rank_warnings_and_errors_as_torchs(torch, name, shape):
    ours = _outcome(getattr(F, name), mg.ones(*shape))
    theirs = _outcome(getattr(torch.nn.functional, name), torch.ones(shape))
    assert ours == theirs


@pytest.mark.parametrize("name", DROPOUT_FUNCTIONS)
def test_bad_p_is_refused_naming_it(name):
    x = mg.ones(2, 3, 4, 4, 4)
    for p in (1.5, -0.1):
        with pytest.raises(ValueError, match=f"has to be between 0 and 1, but got {p}"):
            getattr(F, name)(x, p)
    with pytest.raises(TypeError, match="dropout probability p must be a real number"):
        getattr(F, name)(x, "0.5")


@pytest.mark.parametrize("name", DROPOUT_MODULES)
def test_modules_refuse_bad_p_at_construction(name):
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but "
                                         "got 1.5"):  # fmt: skip
        getattr(nn, name)(1.5)
    with pytest.raises(TypeError, match="dropout probability p must be a real number"):
        getattr(nn, name)(None)
