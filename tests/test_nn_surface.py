"""nn surface against PyTorch: module hooks, ParameterList/Dict, Unflatten, Module methods,
nn.utils (clipping, parameter vectors), the newer nn.init functions, padding, Embedding and
one_hot; each with its bad-input errors."""

import math
import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _load_from_torch(module, torch_module):
    module.load_state_dict({k: v.detach().numpy() for k, v in torch_module.state_dict().items()})


# ---- forward hooks -------------------------------------------------------------------------------


def test_forward_hooks_order_results_and_removal():
    layer = nn.Linear(3, 2)
    calls = []
    pre = layer.register_forward_pre_hook(lambda m, args: (calls.append("pre"), None)[1])
    double = layer.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    first = layer.register_forward_hook(lambda m, args, out: calls.append("late"))
    layer.register_forward_hook(lambda m, args, out: calls.append("early"), prepend=True)
    zero = layer.register_forward_hook(lambda m, args, out: out * 0)
    x = mg.randn(4, 3)
    out = layer(x)
    assert calls == ["pre", "early", "late"]
    assert np.all(out.numpy() == 0)
    zero.remove()
    np.testing.assert_allclose(layer(x).numpy(), F.linear(x * 2, layer.weight, layer.bias).numpy())
    double.remove()
    pre.remove()
    first.remove()
    first.remove()  # removing twice is harmless, as in PyTorch
    calls.clear()
    np.testing.assert_allclose(layer(x).numpy(), F.linear(x, layer.weight, layer.bias).numpy())
    assert calls == ["early"]


def test_forward_hooks_with_kwargs_and_single_return():
    class Scale(nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor

    module = Scale()
    module.register_forward_pre_hook(lambda m, args: args[0] + 1)  # a bare value is wrapped
    module.register_forward_pre_hook(
        lambda m, args, kwargs: (args, {"factor": kwargs["factor"] * 10}), with_kwargs=True
    )
    seen = {}
    module.register_forward_hook(
        lambda m, args, kwargs, out: seen.update(kwargs=kwargs, out=out), with_kwargs=True
    )
    out = module(mg.zeros(2), factor=0.5)
    np.testing.assert_allclose(out.numpy(), [5.0, 5.0])
    assert seen["kwargs"] == {"factor": 5.0} and seen["out"] is out


def test_forward_hook_always_call_runs_when_forward_raises():
    class Broken(nn.Module):
        def forward(self, x):
            raise ValueError("broken forward")

    module = Broken()
    seen = []
    module.register_forward_hook(lambda m, a, o: seen.append("always"), always_call=True)
    module.register_forward_hook(lambda m, a, o: seen.append("normal"))
    with pytest.raises(ValueError, match="broken forward"):
        module(mg.zeros(1))
    assert seen == ["always"]


def test_hook_handle_as_context_manager_and_bad_hooks():
    layer = nn.Identity()
    seen = []
    with layer.register_forward_hook(lambda m, a, o: seen.append(1)):
        layer(mg.zeros(1))
    layer(mg.zeros(1))
    assert seen == [1]
    with pytest.raises(TypeError, match="hook must be callable"):
        layer.register_forward_hook("not a function")
    layer.register_forward_pre_hook(lambda m, args, kwargs: "bad", with_kwargs=True)
    with pytest.raises(RuntimeError, match=r"forward pre-hook must return None or a tuple"):
        layer(mg.zeros(1))


def test_forward_hooks_match_torch(torch):
    ours, theirs = nn.Linear(4, 3), torch.nn.Linear(4, 3)
    _load_from_torch(ours, theirs)
    captured = {}
    ours.register_forward_hook(lambda m, a, o: captured.__setitem__("ours", (a[0], o)))
    theirs.register_forward_hook(lambda m, a, o: captured.__setitem__("theirs", (a[0], o)))
    x = np.random.default_rng(0).standard_normal((2, 4)).astype(np.float32)
    ours(mg.tensor(x))
    theirs(torch.tensor(x))
    np.testing.assert_allclose(captured["ours"][0].numpy(), captured["theirs"][0].numpy())
    # atol: torch's unseeded init sometimes gives an output near 0, where float32 sums
    # ordered differently differ by an ulp of the terms (about 7% of runs failed on rtol alone).
    np.testing.assert_allclose(
        captured["ours"][1].numpy(), captured["theirs"][1].detach().numpy(), rtol=1e-6, atol=1e-6
    )


# ---- backward hooks ------------------------------------------------------------------------------


class _TwoInputs:
    """A module of two inputs (one not a Tensor) and two outputs, for minigrad and torch."""

    @staticmethod
    def make(lib_nn):
        class Net(lib_nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = lib_nn.Linear(3, 2)

            def forward(self, x, scale, y):
                h = self.fc(x) * scale
                return h * y, (h * h).sum(1)

        return Net()


def _run_backward_hooks(lib, lib_nn, net, x, y, upstream, modify):
    records = []

    def hook(module, grad_input, grad_output):
        records.append(("hook", grad_input, grad_output))
        if modify:
            return (grad_input[0] * 3, None, None)
        return None

    def pre_hook(module, grad_output):
        records.append(("pre", grad_output))
        if modify:
            return (grad_output[0] * 2, grad_output[1])
        return None

    net.register_full_backward_hook(hook)
    net.register_full_backward_pre_hook(pre_hook)
    xt = lib.tensor(x, requires_grad=True)
    yt = lib.tensor(y)
    out, norms = net(xt, 0.5, yt)
    ((out * lib.tensor(upstream[0])).sum() + (norms * lib.tensor(upstream[1])).sum()).backward()
    return records, xt.grad


@pytest.mark.parametrize("modify", [False, True])
def test_full_backward_hooks_match_torch(torch, modify):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3)).astype(np.float32)
    y = rng.standard_normal((4, 2)).astype(np.float32)
    upstream = [rng.standard_normal(s).astype(np.float32) for s in [(4, 2), (4,)]]
    ours, theirs = _TwoInputs.make(nn), _TwoInputs.make(torch.nn)
    _load_from_torch(ours, theirs)
    our_records, our_grad = _run_backward_hooks(mg, nn, ours, x, y, upstream, modify)
    their_records, their_grad = _run_backward_hooks(torch, torch.nn, theirs, x, y, upstream, modify)
    assert [r[0] for r in our_records] == [r[0] for r in their_records] == ["pre", "hook"]
    for mine, theirs_ in zip(our_records, their_records):
        for ours_tuple, theirs_tuple in zip(mine[1:], theirs_[1:]):
            assert len(ours_tuple) == len(theirs_tuple)
            for a, b in zip(ours_tuple, theirs_tuple):
                assert (a is None) == (b is None)
                if a is not None:
                    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(our_grad.numpy(), their_grad.numpy(), rtol=1e-5, atol=1e-6)


def test_backward_hook_on_layer_inside_model_and_weights_gradients(torch):
    ours = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    _load_from_torch(ours, theirs)
    got = {}
    ours[1].register_full_backward_hook(lambda m, gi, go: got.__setitem__("ours", (gi, go)))
    theirs[1].register_full_backward_hook(lambda m, gi, go: got.__setitem__("theirs", (gi, go)))
    x = np.random.default_rng(1).standard_normal((5, 3)).astype(np.float32)
    ours(mg.tensor(x)).sum().backward()  # the input needs no grad; the tanh's input does
    theirs(torch.tensor(x)).sum().backward()
    for a, b in zip(got["ours"][0] + got["ours"][1], got["theirs"][0] + got["theirs"][1]):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        ours[0].weight.grad.numpy(), theirs[0].weight.grad.numpy(), rtol=1e-5, atol=1e-6
    )


def test_backward_hook_without_input_grads_warns_and_gets_none():
    layer = nn.Linear(3, 2)
    got = []
    layer.register_full_backward_hook(lambda m, gi, go: got.append((gi, go)))
    with pytest.warns(UserWarning, match="no inputs require gradients"):
        layer(mg.randn(2, 3)).sum().backward()
    ((grad_input, grad_output),) = got
    assert grad_input == (None,)
    np.testing.assert_allclose(grad_output[0].numpy(), np.ones((2, 2)))
    assert layer.weight.grad is not None


def test_backward_hook_errors_and_removal():
    layer = nn.Linear(3, 2)
    handle = layer.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    x = mg.randn(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="invalid number of grad_input, got 2, but expected 1"):
        layer(x).sum().backward()
    handle.remove()
    layer.register_full_backward_pre_hook(lambda m, go: (go[0], go[0]))
    with pytest.raises(RuntimeError, match="invalid number of grad_output"):
        layer(x).sum().backward()
    with pytest.raises(NotImplementedError, match="register_full_backward_hook"):
        layer.register_backward_hook(lambda *a: None)


def test_backward_hooks_skip_under_no_grad():
    layer = nn.Linear(3, 2)
    layer.register_full_backward_hook(lambda m, gi, go: pytest.fail("called"))
    with mg.no_grad():
        out = layer(mg.randn(2, 3, requires_grad=True))
    assert out.grad_fn is None


# ---- containers ----------------------------------------------------------------------------------


def _torch_repr(text):
    return text.replace("torch.", "minigrad.")


def test_parameter_list_and_dict_match_torch_state_dict_and_repr(torch):
    def build(lib_nn, lib):
        class Net(lib_nn.Module):
            def __init__(self):
                super().__init__()
                self.plist = lib_nn.ParameterList(
                    [lib_nn.Parameter(lib.zeros(2, 3)), lib.ones(4)]  # a Tensor becomes one
                )
                self.plist.append(lib_nn.Parameter(lib.zeros(1)))
                self.pdict = lib_nn.ParameterDict({"b": lib.zeros(2), "a": lib.zeros(3, 1)})
                self.pdict["c"] = lib_nn.Parameter(lib.zeros(5))
                self.heads = lib_nn.ModuleDict({"z": lib_nn.Linear(2, 2), "y": lib_nn.Linear(2, 1)})

        return Net()

    ours, theirs = build(nn, mg), build(torch.nn, torch)
    for p in theirs.parameters():
        torch.nn.init.normal_(p)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    _load_from_torch(ours, theirs)
    for (name, a), (_, b) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_array_equal(a.numpy(), b.detach().numpy(), err_msg=name)
    assert repr(ours.plist) == _torch_repr(repr(theirs.plist))
    assert repr(ours.pdict) == _torch_repr(repr(theirs.pdict))
    assert repr(ours.heads) == repr(theirs.heads)
    assert isinstance(ours.plist[1], nn.Parameter) and isinstance(ours.pdict["b"], nn.Parameter)


def test_parameter_list_behaves_like_a_list():
    plist = nn.ParameterList([nn.Parameter(mg.zeros(i + 1)) for i in range(4)])
    assert len(plist) == 4 and plist[-1].shape == (4,)
    assert [p.shape for p in plist[1:3]] == [(2,), (3,)]
    assert isinstance(plist[1:3], nn.ParameterList)
    plist[0] = mg.ones(7)
    assert isinstance(plist[0], nn.Parameter) and plist[0].shape == (7,)
    plist += [mg.ones(2)]
    assert len(plist) == 5 and list(plist.state_dict()) == ["0", "1", "2", "3", "4"]
    with pytest.raises(IndexError, match="index 5 is out of range"):
        plist[5]
    with pytest.raises(TypeError, match="ParameterList.extend should be called with an iterable"):
        plist.extend(mg.ones(2))
    with pytest.raises(RuntimeError, match="ParameterList should not be called"):
        plist(mg.ones(1))


def test_parameter_dict_behaves_like_a_dict():
    pdict = nn.ParameterDict([("x", mg.zeros(1)), ("w", mg.zeros(2))])  # pairs keep order
    assert list(pdict) == ["x", "w"]
    pdict.update({"b": mg.zeros(3), "a": mg.zeros(4)})  # a plain dict: sorted, as PyTorch
    assert list(pdict.keys()) == ["x", "w", "a", "b"]
    assert "a" in pdict and pdict.get("nope") is None and len(pdict) == 4
    assert pdict.pop("x").shape == (1,) and "x" not in pdict
    assert pdict.popitem()[0] == "b"
    assert pdict.setdefault("s", mg.ones(2)).shape == (2,)
    merged = pdict | {"m": mg.ones(1)}
    assert list(merged) == ["w", "a", "s", "m"] and list(pdict) == ["w", "a", "s"]
    assert list(pdict.copy().state_dict()) == ["w", "a", "s"]
    assert list(pdict.fromkeys(["p", "q"], mg.ones(1))) == ["p", "q"]
    pdict.clear()
    assert len(pdict) == 0 and list(pdict.parameters()) == []
    with pytest.raises(TypeError, match="not a string"):
        pdict[3] = mg.ones(1)
    with pytest.raises(ValueError, match="element #0 has length 3; 2 is required"):
        pdict.update([("a", 1, 2)])
    with pytest.raises(TypeError, match="ParameterDict.update should be called with an iterable"):
        pdict.update(5)


def test_module_dict_pop_clear_and_bad_update():
    heads = nn.ModuleDict({"b": nn.Linear(1, 1), "a": nn.ReLU()})
    assert list(heads) == ["b", "a"]  # ModuleDict keeps a dict's order
    assert isinstance(heads.pop("a"), nn.ReLU) and list(heads) == ["b"]
    heads.clear()
    assert len(heads) == 0
    with pytest.raises(TypeError, match="ModuleDict.update should be called with an iterable"):
        heads.update(3)


def test_unflatten_matches_torch(torch):
    x = np.arange(24, dtype=np.float32).reshape(2, 12)
    ours, theirs = nn.Unflatten(1, (3, -1)), torch.nn.Unflatten(1, (3, -1))
    np.testing.assert_array_equal(ours(mg.tensor(x)).numpy(), theirs(torch.tensor(x)).numpy())
    assert repr(ours) == repr(theirs)
    t = mg.tensor(x, requires_grad=True)
    y = t.unflatten(-1, [2, 2, 3])
    assert y.shape == tuple(torch.tensor(x).unflatten(-1, [2, 2, 3]).shape)
    (y * 2).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), np.full((2, 12), 2.0))
    with pytest.raises(RuntimeError, match="invalid for a tensor"):
        t.unflatten(1, (5, 3))
    with pytest.raises(TypeError, match="sizes must be a non-empty tuple"):
        t.unflatten(1, 12)
    with pytest.raises(TypeError, match="unflattened_size must be a tuple of ints"):
        nn.Unflatten(1, 12)
    with pytest.raises(TypeError, match="found element of type float at pos 1"):
        nn.Unflatten(1, (3, 4.0))


# ---- Module methods ------------------------------------------------------------------------------


def _tree(lib_nn):
    class Block(lib_nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = lib_nn.Conv2d(1, 2, 3)
            self.bn = lib_nn.BatchNorm2d(2)

    model = lib_nn.Sequential(Block(), lib_nn.ReLU())
    model.add_module("head", lib_nn.Linear(2, 1))
    model.register_module("shared", model[0].conv)
    return model


def test_module_iteration_matches_torch(torch):
    ours, theirs = _tree(nn), _tree(torch.nn)
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_modules(remove_duplicate=False)] == [
        n for n, _ in theirs.named_modules(remove_duplicate=False)
    ]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_buffers(prefix="m", recurse=True)] == [
        n for n, _ in theirs.named_buffers(prefix="m", recurse=True)
    ]
    assert len(list(ours.buffers())) == len(list(theirs.buffers())) == 3
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert ours.get_submodule("0.bn") is ours[0].bn
    assert ours.get_parameter("0.conv.weight") is ours[0].conv.weight
    assert ours.get_buffer("0.bn.running_mean") is ours[0].bn.running_mean
    assert repr(ours) == repr(theirs)


def test_module_lookup_errors_match_torch(torch):
    ours, theirs = _tree(nn), _tree(torch.nn)
    for call in (
        lambda m: m.get_submodule("0.nope"),
        lambda m: m.get_submodule("0.conv.weight"),
        lambda m: m.get_parameter("0.bn.running_mean"),
        lambda m: m.get_buffer("0.conv.nope"),
        lambda m: m.add_module("a.b", None),
        lambda m: m.add_module(3, None),
        lambda m: m.add_module("head", 3),
    ):
        with pytest.raises(Exception) as theirs_error:
            call(theirs)
        with pytest.raises(type(theirs_error.value)):
            call(ours)


def test_apply_requires_grad_half_and_train_override(torch):
    seen, seen_torch = [], []
    model = _tree(nn)
    model.apply(lambda m: seen.append(type(m).__name__))
    _tree(torch.nn).apply(lambda m: seen_torch.append(type(m).__name__))
    assert seen == seen_torch  # children first; the shared conv twice (two parents)
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())
    assert model.requires_grad_() is model and all(p.requires_grad for p in model.parameters())
    assert model[2].half().weight.dtype == np.float16

    class Frozen(nn.Module):
        def train(self, mode=True):  # a child's own train() is honoured, as PyTorch
            return super().train(False)

    outer = nn.Sequential(Frozen(), nn.Linear(1, 1))
    outer.train()
    assert outer.training and not outer[0].training and outer[1].training


# ---- nn.utils ------------------------------------------------------------------------------------


def _grads_pair(torch, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s).astype(np.float32) * scale for s in [(3, 4), (5,), (2, 2, 2)]]
    ours = [nn.Parameter(mg.zeros(a.shape)) for a in arrays]
    theirs = [torch.nn.Parameter(torch.zeros(a.shape)) for a in arrays]
    for p, q, a in zip(ours, theirs, arrays):
        p.grad = mg.tensor(a)
        q.grad = torch.tensor(a)
    return ours, theirs


@pytest.mark.parametrize("norm_type", [2.0, 1, "inf", float("inf"), -math.inf, 0, 3.5])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(torch, norm_type, max_norm):
    ours, theirs = _grads_pair(torch)
    total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type, foreach=True)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert total.shape == () and total.dtype == np.float32
    np.testing.assert_allclose(total.item(), expected.item(), rtol=1e-5)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_clip_grad_norm_nonfinite_single_tensor_and_empty(torch):
    ours, theirs = _grads_pair(torch)
    ours[1].grad._data[0] = np.inf
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    theirs[1].grad[0] = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        total = nn.utils.clip_grad_norm_(ours, 1.0)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    assert math.isinf(total.item()) and math.isinf(expected.item())
    np.testing.assert_array_equal(np.isnan(ours[0].grad.numpy()), np.isnan(theirs[0].grad.numpy()))
    single = nn.Parameter(mg.zeros(2))
    single.grad = mg.tensor([3.0, 4.0])
    assert nn.utils.clip_grad_norm_(single, 1.0).item() == pytest.approx(5.0)
    np.testing.assert_allclose(single.grad.numpy(), [0.6, 0.8], rtol=1e-5)
    assert nn.utils.clip_grad_norm_([nn.Parameter(mg.zeros(1))], 1.0).item() == 0.0
    with pytest.raises(ValueError, match="could not convert"):
        nn.utils.clip_grad_norm_(ours, "big")
    with pytest.raises(TypeError, match=r"parameters\[0\] must be a Tensor"):
        nn.utils.clip_grad_norm_([np.zeros(2)], 1.0)


def test_clip_grad_value_matches_torch(torch):
    ours, theirs = _grads_pair(torch, scale=2.0)
    assert nn.utils.clip_grad_value_(ours, 0.7) is None
    torch.nn.utils.clip_grad_value_(theirs, 0.7)
    for p, q in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())
    with pytest.raises(ValueError, match="could not convert"):
        nn.utils.clip_grad_value_(ours, "x")


def test_parameters_to_vector_and_back_match_torch(torch):
    ours, theirs = nn.Linear(3, 2), torch.nn.Linear(3, 2)
    _load_from_torch(ours, theirs)
    vec = nn.utils.parameters_to_vector(ours.parameters())
    expected = torch.nn.utils.parameters_to_vector(theirs.parameters())
    np.testing.assert_array_equal(vec.numpy(), expected.detach().numpy())
    (vec * mg.arange(8.0)).sum().backward()  # differentiable, as PyTorch's
    np.testing.assert_array_equal(ours.weight.grad.numpy(), np.arange(6.0).reshape(2, 3))
    new = np.arange(8, dtype=np.float32)
    nn.utils.vector_to_parameters(mg.tensor(new), ours.parameters())
    torch.nn.utils.vector_to_parameters(torch.tensor(new), theirs.parameters())
    for a, b in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_array_equal(a.numpy(), b.detach().numpy())
    with pytest.raises(TypeError, match="expected Tensor, but got: list"):
        nn.utils.vector_to_parameters([1.0] * 8, ours.parameters())
    with pytest.raises(RuntimeError, match="vec has 3 elements, the parameters 8"):
        nn.utils.vector_to_parameters(mg.zeros(3), ours.parameters())
    with pytest.raises(TypeError, match="expected Tensor, but got: ndarray"):
        nn.utils.parameters_to_vector([np.zeros(2)])


# ---- nn.init -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape, groups", [((4, 4, 3), 1), ((6, 3, 3, 3), 1), ((4, 2, 3), 2), ((6, 2, 1, 3, 3), 3)]
)
def test_dirac_matches_torch(torch, shape, groups):
    ours = nn.init.dirac_(mg.empty(*shape), groups=groups)
    np.testing.assert_array_equal(
        ours.numpy(), torch.nn.init.dirac_(torch.empty(*shape), groups=groups).numpy()
    )


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4)])
def test_eye_matches_torch(torch, shape):
    np.testing.assert_array_equal(
        nn.init.eye_(mg.empty(*shape)).numpy(), torch.nn.init.eye_(torch.empty(*shape)).numpy()
    )


@pytest.mark.parametrize("shape", [(3, 5), (6, 2), (4, 2, 3)])
def test_orthogonal_is_orthogonal(shape):
    w = nn.init.orthogonal_(mg.empty(*shape), gain=2.0).numpy().reshape(shape[0], -1)
    small = min(w.shape)
    gram = w @ w.T if w.shape[0] == small else w.T @ w
    np.testing.assert_allclose(gram, 4 * np.eye(small), atol=1e-5)


def test_random_init_statistics_match_torch(torch):
    """Same distribution as PyTorch's draws: moments and bounds, on 40,000 samples."""
    torch.manual_seed(0)
    generator = np.random.default_rng(0)
    cases = [
        (lambda t, **g: nn.init.trunc_normal_(t, 0.5, 2.0, -1.0, 3.0, **g),
         lambda t: torch.nn.init.trunc_normal_(t, 0.5, 2.0, -1.0, 3.0), (-1.0, 3.0)),
        (lambda t, **g: nn.init.uniform_(t, -2.0, 1.0, **g),
         lambda t: torch.nn.init.uniform_(t, -2.0, 1.0), (-2.0, 1.0)),
        (lambda t, **g: nn.init.normal_(t, 1.0, 3.0, **g),
         lambda t: torch.nn.init.normal_(t, 1.0, 3.0), None),
        (lambda t, **g: nn.init.orthogonal_(t, **g), lambda t: torch.nn.init.orthogonal_(t), None),
    ]  # fmt: skip
    for ours_init, torch_init, bounds in cases:
        ours = ours_init(mg.empty(200, 200), generator=generator).numpy()
        theirs = torch_init(torch.empty(200, 200)).numpy()
        assert abs(ours.mean() - theirs.mean()) < 0.05 * max(1.0, theirs.std())
        assert abs(ours.std() / theirs.std() - 1) < 0.03
        if bounds is not None:  # both fill the interval up to its ends
            assert bounds[0] <= ours.min() < bounds[0] + 0.01
            assert bounds[1] - 0.01 < ours.max() <= bounds[1]
            assert abs(ours.min() - theirs.min()) < 0.01 and abs(ours.max() - theirs.max()) < 0.01


def test_sparse_zeroes_the_right_count_per_column(torch):
    ours = nn.init.sparse_(mg.empty(10, 30), sparsity=0.25, std=0.5).numpy()
    theirs = torch.nn.init.sparse_(torch.empty(10, 30), sparsity=0.25, std=0.5).numpy()
    np.testing.assert_array_equal((ours == 0).sum(0), (theirs == 0).sum(0))  # 3 per column
    assert abs(ours[ours != 0].std() - 0.5) < 0.1


def test_generator_makes_init_repeatable():
    a = nn.init.trunc_normal_(mg.empty(5, 5), generator=np.random.default_rng(7)).numpy()
    b = nn.init.trunc_normal_(mg.empty(5, 5), generator=np.random.default_rng(7)).numpy()
    np.testing.assert_array_equal(a, b)
    assert np.abs(a).max() <= 2.0
    c = nn.init.kaiming_uniform_(mg.empty(4, 3), generator=np.random.default_rng(1)).numpy()
    d = nn.init.kaiming_uniform_(mg.empty(4, 3), generator=np.random.default_rng(1)).numpy()
    np.testing.assert_array_equal(c, d)


@pytest.mark.parametrize(
    "name, param", [("relu", None), ("leaky_relu", 0.2), ("tanh", None), ("selu", None),
                    ("conv_transpose2d", None), ("sigmoid", None)]
)  # fmt: skip
def test_calculate_gain_matches_torch(torch, name, param):
    assert nn.init.calculate_gain(name, param) == pytest.approx(
        torch.nn.init.calculate_gain(name, param)
    )


def test_init_bad_inputs_match_torch(torch):
    calls = [
        lambda lib: lib.nn.init.eye_(lib.empty(2, 3, 4)),
        lambda lib: lib.nn.init.dirac_(lib.empty(3, 4)),
        lambda lib: lib.nn.init.dirac_(lib.empty(3, 4, 3), 2),
        lambda lib: lib.nn.init.orthogonal_(lib.empty(3)),
        lambda lib: lib.nn.init.sparse_(lib.empty(3, 4, 5), 0.5),
        lambda lib: lib.nn.init.uniform_(lib.empty(3), 2.0, -2.0),
        lambda lib: lib.nn.init.calculate_gain("nope"),
    ]
    for call in calls:
        with pytest.raises(Exception) as expected:
            call(torch)
        with pytest.raises(type(expected.value)):
            call(mg)
    with pytest.raises(TypeError, match="generator must be a numpy.random.Generator"):
        nn.init.uniform_(mg.empty(3), generator="seed")
    with pytest.raises(ValueError, match="trunc_normal_ expects a < b"):
        nn.init.trunc_normal_(mg.empty(3), a=2.0, b=-2.0)
    with pytest.raises(ValueError, match="holds less than 1e-4"):
        nn.init.trunc_normal_(mg.empty(3), a=50.0, b=60.0)
    with pytest.raises(ValueError, match="sparsity in"):
        nn.init.sparse_(mg.empty(3, 3), 1.5)


# ---- padding -------------------------------------------------------------------------------------

PAD_CASES = [
    ("constant", (3, 4), (1, 2)),
    ("constant", (2, 3, 4), (1, 1, 2, 0, 1, 1)),
    ("constant", (2, 3, 4), (-1, 2, 0, -2)),
    ("constant", (5,), (2, 2)),
    ("reflect", (2, 5), (2, 3)),
    ("reflect", (1, 2, 4, 5), (1, 2, 3, 0)),
    ("reflect", (2, 3, 4), (-1, 3)),
    ("reflect", (1, 2, 3, 3, 4), (1, 1, 2, 2, 1, 0)),
    ("replicate", (2, 3, 4), (3, 5)),
    ("replicate", (2, 3, 4, 2), (2, 0, 1, 4)),
    ("replicate", (3, 4, 4), (1, 1, 2, 1)),
    ("circular", (2, 3, 4), (4, 1)),
    ("circular", (1, 2, 3, 4), (1, 2, 3, 1)),
    ("circular", (2, 2, 5), (-1, 2)),
    ("circular", (2, 2, 5), (2, -1)),
    ("circular", (1, 2, 5, 4), (-2, 2, 1, -3)),
    ("replicate", (2, 2, 5), (-2, 3)),
    ("reflect", (2, 2, 5), (2, -1)),
]


@pytest.mark.parametrize("mode, shape, pad", PAD_CASES)
def test_pad_matches_torch(torch, mode, shape, pad):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    ours, theirs = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    kwargs = {"value": 1.5} if mode == "constant" else {}
    out, expected = (
        F.pad(ours, pad, mode, **kwargs),
        torch.nn.functional.pad(theirs, pad, mode, **kwargs),
    )
    np.testing.assert_array_equal(out.numpy(), expected.detach().numpy())
    upstream = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-6, atol=1e-6)


def test_pad_int_tensor_and_default_value(torch):
    x = np.arange(6).reshape(2, 3)
    for value in (None, 2.5):
        kwargs = {} if value is None else {"value": value}
        out = F.pad(mg.tensor(x), (1, 1), **kwargs)
        expected = torch.nn.functional.pad(torch.tensor(x), (1, 1), **kwargs)
        assert out.dtype == np.int64
        np.testing.assert_array_equal(out.numpy(), expected.numpy())


@pytest.mark.parametrize(
    "shape, pad, mode, kwargs",
    [
        ((2, 3), (1,), "constant", {}),
        ((4,), (1, 1, 1, 1), "constant", {}),
        ((2, 3), (1.5, 1), "constant", {}),
        ((1, 2, 3), (-3, -2), "constant", {}),
        ((1, 2, 3), (1, 1), "reflect", {"value": 1.0}),
        ((1, 2, 3), (1, 1), "bogus", {}),
        ((1, 2, 3), (3, 3), "reflect", {}),
        ((4,), (1, 1), "reflect", {}),
        ((1, 2, 4), (1, 1, 1, 1, 1, 1), "replicate", {}),
        ((1, 2, 4), (5, 5), "circular", {}),
    ],
)
def test_pad_bad_inputs_raise_torch_types(torch, shape, pad, mode, kwargs):
    with pytest.raises(Exception) as expected:
        torch.nn.functional.pad(torch.zeros(shape), pad, mode, **kwargs)
    with pytest.raises(type(expected.value), match=r"[Pp]ad"):
        F.pad(mg.zeros(shape), pad, mode, **kwargs)


PAD_LAYERS = [
    ("ZeroPad1d", (1, 2), (2, 3, 4)),
    ("ZeroPad2d", 1, (1, 2, 3, 4)),
    ("ZeroPad2d", (1, 0, 2, 1), (2, 3, 4)),
    ("ZeroPad3d", 1, (1, 1, 2, 2, 2)),
    ("ConstantPad1d", (2, 3.5), (2, 3, 4)),
    ("ConstantPad2d", ((1, 2, 0, 1), -1.0), (1, 2, 3, 4)),
    ("ConstantPad3d", (1, 2.0), (1, 1, 2, 2, 2)),
    ("ReflectionPad1d", 2, (2, 3, 4)),
    ("ReflectionPad2d", (1, 1, 2, 0), (1, 2, 3, 4)),
    ("ReflectionPad3d", 1, (1, 1, 2, 3, 3)),
    ("ReplicationPad1d", (3, 1), (2, 3, 4)),
    ("ReplicationPad2d", 2, (1, 2, 3, 4)),
    ("ReplicationPad3d", 1, (1, 1, 2, 2, 2)),
    ("CircularPad1d", 2, (2, 3, 4)),
    ("CircularPad2d", (1, 2, 2, 1), (1, 2, 3, 4)),
    ("CircularPad3d", 1, (1, 1, 2, 2, 2)),
]


@pytest.mark.parametrize("name, args, shape", PAD_LAYERS)
def test_padding_layers_match_torch(torch, name, args, shape):
    args = args if isinstance(args, tuple) and name.startswith("Constant") else (args,)
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    np.testing.assert_array_equal(ours(mg.tensor(x)).numpy(), theirs(torch.tensor(x)).numpy())


def test_padding_layer_bad_padding():
    with pytest.raises(TypeError, match="ZeroPad2d: padding must be an int or a tuple of 4 ints"):
        nn.ZeroPad2d((1, 2))
    with pytest.raises(TypeError, match="ReflectionPad1d: padding must be"):
        nn.ReflectionPad1d("a")


# ---- Embedding and one_hot -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"padding_idx": 1}, {"padding_idx": -2}, {"scale_grad_by_freq": True},
     {"padding_idx": 0, "scale_grad_by_freq": True}, {"max_norm": 1.0},
     {"max_norm": 0.5, "norm_type": 1.0}],
)  # fmt: skip
def test_embedding_matches_torch(torch, kwargs):
    rng = np.random.default_rng(0)
    ours, theirs = nn.Embedding(6, 3, **kwargs), torch.nn.Embedding(6, 3, **kwargs)
    _load_from_torch(ours, theirs)
    assert repr(ours) == repr(theirs)
    indices = np.array([[0, 1, 1, 4], [5, 1, 0, 0]])
    out, expected = ours(mg.tensor(indices)), theirs(torch.tensor(indices))
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(ours.weight.numpy(), theirs.weight.detach().numpy(), rtol=1e-6)
    upstream = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-5)


def test_embedding_init_from_pretrained_and_state_dict(torch):
    mg.manual_seed(0)
    emb = nn.Embedding(1000, 8, padding_idx=3)
    assert np.all(emb.weight.numpy()[3] == 0)
    assert abs(emb.weight.numpy().std() - 1) < 0.05 and emb.weight.dtype == np.float32
    assert list(emb.state_dict()) == list(torch.nn.Embedding(1000, 8).state_dict())
    table = mg.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    frozen = nn.Embedding.from_pretrained(table)
    assert repr(frozen) == "Embedding(3, 2)" and not frozen.weight.requires_grad
    np.testing.assert_array_equal(frozen(mg.tensor([2, 0])).numpy(), [[5, 6], [1, 2]])
    trainable = nn.Embedding.from_pretrained(table, freeze=False, padding_idx=0)
    trainable(mg.tensor([0, 1, 1])).sum().backward()
    np.testing.assert_array_equal(trainable.weight.grad.numpy(), [[0, 0], [2, 2], [0, 0]])


def test_embedding_functional_gradcheck():
    weight = mg.tensor(np.random.default_rng(0).standard_normal((5, 3)), requires_grad=True)
    indices = mg.tensor([[0, 2, 2], [4, 0, 1]])
    # (padding_idx and scale_grad_by_freq change the gradient on purpose: no gradcheck there)
    assert mg.autograd.gradcheck(lambda w: F.embedding(indices, w), [weight])


def test_embedding_bad_inputs_match_torch(torch):
    calls = [
        lambda lib: lib.nn.functional.embedding(lib.tensor([1.0, 2.0]), lib.zeros(5, 3)),
        lambda lib: lib.nn.functional.embedding(lib.tensor([5]), lib.zeros(5, 3)),
        lambda lib: lib.nn.functional.embedding(lib.tensor([-1]), lib.zeros(5, 3)),
        lambda lib: lib.nn.functional.embedding(lib.tensor([1]), lib.zeros(3)),
        lambda lib: lib.nn.functional.embedding(lib.tensor([1]), lib.zeros(5, 3), padding_idx=7),
        lambda lib: lib.nn.Embedding(10, 3, padding_idx=10),
        lambda lib: lib.nn.Embedding(10, 3, padding_idx=-11),
        lambda lib: lib.nn.Embedding.from_pretrained(lib.zeros(3)),
    ]
    for call in calls:
        with pytest.raises(Exception) as expected:
            call(torch)
        with pytest.raises(type(expected.value)):
            call(mg)
    with pytest.raises(ValueError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(10, 3, padding_idx=10)
    with pytest.raises(NotImplementedError, match="sparse=True"):
        nn.Embedding(10, 3, sparse=True)
    with pytest.raises(ValueError, match="embedding_dim must be a non-negative int"):
        nn.Embedding(10, 2.5)


@pytest.mark.parametrize("shape, num_classes", [((5,), -1), ((2, 3), 7), ((), 4)])
def test_one_hot_matches_torch(torch, shape, num_classes):
    x = np.random.default_rng(0).integers(0, 4, shape)
    out = F.one_hot(mg.tensor(x), num_classes)
    expected = torch.nn.functional.one_hot(torch.tensor(x), num_classes)
    assert out.dtype == np.int64 and out.shape == tuple(expected.shape)
    np.testing.assert_array_equal(out.numpy(), expected.numpy())


def test_one_hot_bad_inputs_match_torch(torch):
    cases = [([1.0], -1), ([-1], -1), ([3], 3), ([], -1), ([1, 2], 0)]
    for values, num_classes in cases:
        theirs = torch.tensor(values, dtype=torch.float32 if values == [1.0] else torch.int64)
        with pytest.raises(RuntimeError) as expected:
            torch.nn.functional.one_hot(theirs, num_classes)
        ours = mg.tensor(np.array(values, np.float32 if values == [1.0] else np.int64))
        message = str(expected.value).split(".")[0]
        with pytest.raises(RuntimeError, match=message):
            F.one_hot(ours, num_classes)


# ---- names and signatures ------------------------------------------------------------------------

NEW_FUNCTIONS = (
    "pad embedding one_hot elu selu celu silu mish softplus softsign hardtanh relu6 hardsigmoid "
    "hardswish logsigmoid prelu glu tanhshrink softshrink hardshrink threshold softmin "
    "layer_norm group_norm normalize cosine_similarity pairwise_distance"
).split()
NEW_INIT = "trunc_normal_ orthogonal_ sparse_ eye_ dirac_ uniform_ normal_ calculate_gain".split()
NEW_UTILS = (
    "clip_grad_norm_ clip_grad_norm clip_grad_value_ clip_grads_with_norm_ get_total_norm "
    "parameters_to_vector vector_to_parameters"
).split()


def test_public_names_exist_in_torch(torch):
    minigrad_only = {"functional", "init", "utils", "conv_output_size", "receptive_field"}
    for ours, theirs in [(nn, torch.nn), (F, torch.nn.functional), (nn.init, torch.nn.init),
                         (nn.utils, torch.nn.utils)]:  # fmt: skip
        missing = [n for n in ours.__all__ if n not in minigrad_only and not hasattr(theirs, n)]
        assert missing == [], f"{ours.__name__}: names PyTorch lacks: {missing}"


@pytest.mark.parametrize(
    "ours, theirs_path",
    [(getattr(F, n), f"nn.functional.{n}") for n in NEW_FUNCTIONS]
    + [(getattr(nn.init, n), f"nn.init.{n}") for n in NEW_INIT]
    + [(getattr(nn.utils, n), f"nn.utils.{n}") for n in NEW_UTILS],
)
def test_argument_names_and_defaults_match_torch(torch, ours, theirs_path):
    import inspect

    theirs = torch
    for part in theirs_path.split("."):
        theirs = getattr(theirs, part)
    try:
        expected = inspect.signature(theirs).parameters
    except (TypeError, ValueError):
        pytest.skip(f"{theirs_path} has no Python signature")
    got = inspect.signature(ours).parameters
    assert list(got) == list(expected)
    for name, parameter in expected.items():
        assert got[name].default == parameter.default, name


NEW_MODULES = (
    "ModuleDict ParameterList ParameterDict Unflatten Embedding ZeroPad1d ZeroPad2d ZeroPad3d "
    "ConstantPad1d ConstantPad2d ConstantPad3d ReflectionPad1d ReflectionPad2d ReflectionPad3d "
    "ReplicationPad1d ReplicationPad2d ReplicationPad3d CircularPad1d CircularPad2d "
    "CircularPad3d ELU CELU SELU SiLU Mish Softplus Softsign Hardtanh ReLU6 Hardsigmoid "
    "Hardswish LogSigmoid PReLU GLU Tanhshrink Softshrink Hardshrink Threshold Softmin "
    "LayerNorm GroupNorm CosineSimilarity PairwiseDistance"
).split()


@pytest.mark.parametrize("name", NEW_MODULES)
def test_module_constructor_arguments_match_torch(torch, name):
    import inspect

    got = inspect.signature(getattr(nn, name)).parameters
    expected = inspect.signature(getattr(torch.nn, name)).parameters
    if list(expected) == ["args", "kwargs"]:  # no constructor of its own: Module's
        expected = {}
    assert list(got) == list(expected)
    for key, parameter in expected.items():
        assert got[key].default == parameter.default, key


MODULE_METHODS = (
    "register_forward_hook register_forward_pre_hook register_full_backward_hook "
    "register_full_backward_pre_hook get_submodule get_parameter get_buffer named_modules "
    "named_buffers requires_grad_ apply add_module"
).split()


@pytest.mark.parametrize("method", MODULE_METHODS)
def test_module_method_arguments_match_torch(torch, method):
    import inspect

    got = inspect.signature(getattr(nn.Module, method)).parameters
    expected = inspect.signature(getattr(torch.nn.Module, method)).parameters
    assert list(got) == list(expected)
    for key, parameter in expected.items():
        assert got[key].default == parameter.default, key
