"""Autograd semantics PyTorch users rely on (issue 12, first half): version counters and
in-place safety, in-place ops in the graph, per-thread grad mode, NaN rules, numerical edge
cases, hooks, anomaly mode. Compared with PyTorch where it is importable."""

import threading

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F

MODIFIED = "modified by an inplace operation"
NAN = float("nan")


def _torch():
    return pytest.importorskip("torch")


# ---- version counters ---------------------------------------------------------------------


def _saved_leaf_case(modify):
    x = mg.ones(3, requires_grad=True)
    c = mg.ones(3)
    y = (x * c).sum()
    modify(c)
    return y


def _setitem(c):
    c[0] = 3.0


def _iadd(c):
    c += 1


@pytest.mark.parametrize(
    "modify",
    [lambda c: c.add_(5), _setitem, _iadd, lambda c: c.detach().mul_(3), lambda c: c.zero_()],
    ids=["add_", "setitem", "iadd", "detach_mul_", "zero_"],
)
def test_changing_a_saved_tensor_in_place_makes_backward_raise(modify):
    y = _saved_leaf_case(modify)
    with pytest.raises(RuntimeError, match=r"\[minigrad.FloatTensor \[3\]\] is at version 1; "
                       r"expected version 0 instead"):  # fmt: skip
        y.backward()


def test_changing_a_saved_leaf_under_no_grad_makes_backward_raise():
    w = mg.ones(3, requires_grad=True)
    y = (mg.ones(3) * w).sum()
    with mg.no_grad():
        w.mul_(10)
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.backward()


@pytest.mark.parametrize("op", ["exp", "relu"])
def test_zeroing_a_saved_output_names_the_op(op):
    x = mg.ones(3, requires_grad=True)
    out = getattr(x, op)()
    total = out.sum()
    with mg.no_grad():
        out.zero_()
    name = {"exp": "Exp", "relu": "ReLU"}[op]
    with pytest.raises(RuntimeError, match=f"which is output 0 of {name}, is at version 1"):
        total.backward()


def test_the_same_message_as_pytorch():
    torch = _torch()
    x = torch.ones(3, requires_grad=True)
    y = x.exp()
    total = y.sum()
    with torch.no_grad():
        y.zero_()
    with pytest.raises(RuntimeError) as expected:
        total.backward()
    x = mg.ones(3, requires_grad=True)
    y = x.exp()
    total = y.sum()
    with mg.no_grad():
        y.zero_()
    with pytest.raises(RuntimeError) as got:
        total.backward()
    head = str(expected.value).split("Hint")[0].replace("torch.", "minigrad.")
    assert str(got.value).split("Hint")[0] == head


def test_version_is_shared_by_views_and_detach_as_in_pytorch():
    a = mg.ones(2, 3)
    assert a._version == 0
    a[0].add_(1)
    assert a._version == 1 and a.view(6)._version == 1 and a.T._version == 1
    assert a[[0]]._version == 0  # advanced indexing copies
    a.detach().mul_(2)
    assert a._version == 2
    a.data.mul_(2)  # as PyTorch: .data has its own counter
    assert a._version == 2
    np.testing.assert_array_equal(a.numpy(), [[8, 8, 8], [4, 4, 4]])


def test_unchanged_saved_tensors_still_backpropagate():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    c = mg.tensor([3.0, 4.0])
    y = (x * c).sum()
    d = c.clone()
    d.add_(1)  # a copy: not c
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 4.0])


# ---- in-place ops record the graph -----------------------------------------------------------


def test_accumulating_into_a_plain_tensor_records_the_graph():
    w = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    acc = mg.zeros(3)
    alias = acc
    acc += w * 2
    acc += w * w
    assert alias is acc and acc.requires_grad and acc.grad_fn is not None
    acc.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 2 + 2 * w.numpy())


def test_setitem_copy_and_add_on_non_leaves_against_torch():
    torch = _torch()
    values = np.array([1.0, -2.0, 3.0], np.float32)

    def run(lib):
        x = lib.tensor(values, requires_grad=True)
        w = lib.tensor(values * 2, requires_grad=True)
        y = x * 2
        y.add_(1)
        y.mul_(w)
        z = lib.zeros(3)
        z[0] = w.sum()
        z[1:] = x[:2] * 3
        c = x * 5
        c.copy_(w * 3)
        v = y * 1
        v[:2] += x[1:]
        loss = (y * y).sum() + (z * z).sum() + c.sum() + (v * v).sum()
        loss.backward()
        return loss.item(), x.grad.numpy(), w.grad.numpy()

    got, expected = run(mg), run(torch)
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-6)
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-6)
    np.testing.assert_allclose(got[2], expected[2], rtol=1e-6)


def test_copy_gives_the_overwritten_history_a_zero_gradient():
    x = mg.ones(3, requires_grad=True)
    w = mg.ones(3, requires_grad=True)
    y = x * 2
    y.copy_(w * 3)
    y.sum().backward()
    assert x.grad.tolist() == [0, 0, 0] and w.grad.tolist() == [3, 3, 3]


@pytest.mark.parametrize(
    "change",
    [lambda w: w.add_(1), lambda w: w.zero_(), lambda w: w.fill_(2), lambda w: w.clamp_(0, 1),
     lambda w: w.copy_(mg.ones(3)), lambda w: w.__setitem__(0, 1.0), lambda w: w.__isub__(1),
     lambda w: w.div_(2), lambda w: w.sub_(1), lambda w: w.normal_()],
)  # fmt: skip
def test_in_place_on_a_leaf_that_requires_grad_raises_as_pytorch(change):
    w = mg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used"):
        change(w)
    with mg.no_grad():
        change(w)  # allowed: optimizers and init do this
    assert w._version == 1


def test_in_place_on_a_view_of_a_leaf_raises():
    w = mg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable"):
        w[:2].add_(1)


def test_in_place_on_a_view_rewrites_the_base_history():
    x = mg.ones(2, 3, requires_grad=True)
    y = x * 1
    row = y[0]
    row.mul_(2)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[2, 2, 2], [1, 1, 1]])


def test_in_place_through_a_broadcast_view_is_refused():
    e = mg.ones(3).expand(2, 3)
    with pytest.raises(RuntimeError, match="clone"):
        e.add_(1)


# ---- grad mode per thread --------------------------------------------------------------------


def test_grad_mode_is_per_thread_and_new_threads_start_enabled():
    inside, release, seen = threading.Event(), threading.Event(), []

    def inference():
        with mg.no_grad():
            inside.set()
            release.wait(5)

    def fresh():
        seen.append(mg.is_grad_enabled())

    worker = threading.Thread(target=inference)
    worker.start()
    inside.wait(5)
    w = mg.ones(2, requires_grad=True)
    assert mg.is_grad_enabled() and (w * 2).requires_grad  # the other thread's no_grad
    with mg.no_grad():
        other = threading.Thread(target=fresh)
        other.start()
        other.join()
    release.set()
    worker.join()
    assert seen == [True] and mg.is_grad_enabled()


def test_interleaved_no_grad_exits_leave_each_thread_its_mode():
    errors = []
    barrier = threading.Barrier(4)

    def run(train):
        w = mg.ones(2, requires_grad=True)
        for _ in range(50):
            barrier.wait(5)
            if train:
                if not (w * 2).requires_grad:
                    errors.append("lost graph")
            else:
                with mg.no_grad():
                    barrier.wait(5)
                continue
            barrier.wait(5)

    threads = [threading.Thread(target=run, args=(i == 0,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


# ---- NaN rules --------------------------------------------------------------------------------


def _grads(lib, fn, *values):
    inputs = [lib.tensor(np.array(v, np.float32), requires_grad=True) for v in values]
    out = fn(*inputs)
    out.sum().backward()
    return [t.grad.numpy() for t in inputs]


NAN_CASES = {
    "relu": (lambda x: x.relu(), [[NAN, 1.0, -1.0, 0.0]]),
    "max": (lambda x: x.max(), [[1.0, NAN, 3.0]]),
    "max_two_nans": (lambda x: x.max(), [[NAN, NAN, 3.0]]),
    "max_ties": (lambda x: x.max(), [[3.0, 3.0, 1.0]]),
    "min": (lambda x: x.min(), [[1.0, NAN, 3.0]]),
    "amax": (lambda x: x.amax(), [[1.0, NAN, 3.0]]),
    "amax_dim": (lambda x: x.amax(1), [[[1.0, NAN], [2.0, 3.0]]]),
    "max_dim": (lambda x: x.max(0)[0], [[1.0, NAN, 3.0]]),
    "maximum": (lambda a, b: a.maximum(b), [[NAN, 1.0, NAN, 2.0], [1.0, NAN, NAN, 2.0]]),
    "minimum": (lambda a, b: a.minimum(b), [[NAN, 1.0, NAN, 2.0], [1.0, NAN, NAN, 2.0]]),
}


@pytest.mark.parametrize("name", list(NAN_CASES))
def test_nan_in_backward_follows_pytorch(name):
    torch = _torch()
    fn, values = NAN_CASES[name]
    for got, expected in zip(_grads(mg, fn, *values), _grads(torch, fn, *values)):
        np.testing.assert_array_equal(got, expected)


def test_nan_rules_without_torch():
    assert _grads(mg, lambda x: x.relu(), [NAN, -1.0])[0].tolist() == [1.0, 0.0]
    assert _grads(mg, lambda x: x.max(), [1.0, NAN])[0].tolist() == [0.0, 1.0]
    grad_a, grad_b = _grads(mg, lambda a, b: a.maximum(b), [NAN, 2.0], [1.0, 2.0])
    assert grad_a.tolist() == [1.0, 0.5] and grad_b.tolist() == [1.0, 0.5]


# ---- numerical edge cases ---------------------------------------------------------------------


def test_std_of_a_constant_has_zero_gradient():
    x = mg.ones(4, requires_grad=True)
    x.std().backward()
    assert x.grad.tolist() == [0, 0, 0, 0]
    y = mg.tensor([[1.0, 1.0], [1.0, 3.0]], requires_grad=True)
    y.std(1).sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), [[0, 0], [-0.7071068, 0.7071068]], rtol=1e-6)
    assert np.isnan(mg.tensor([1.0]).std().item())  # one sample, unbiased: NaN as in PyTorch


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss", "cross_entropy_smooth"])
def test_every_target_ignored_gives_a_zero_gradient(loss, reduction):
    torch = _torch()
    values = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)

    def run(lib, functional):
        x = lib.tensor(values, requires_grad=True)
        target = lib.tensor(np.full(3, -100))
        if loss == "cross_entropy_smooth":
            out = functional.cross_entropy(x, target, reduction=reduction, label_smoothing=0.1)
        else:
            inp = x.log_softmax(1) if loss == "nll_loss" else x
            out = getattr(functional, loss)(inp, target, reduction=reduction)
        out.sum().backward()
        return out.detach().numpy(), x.grad.numpy()

    got, expected = run(mg, F), run(torch, torch.nn.functional)
    np.testing.assert_array_equal(got[0], expected[0])  # NaN loss for 'mean', as PyTorch
    np.testing.assert_array_equal(got[1], expected[1])
    assert not np.isnan(got[1]).any()


def test_an_ignored_row_with_minus_inf_logit_gives_a_finite_loss():
    torch = _torch()
    values = np.array([[-np.inf, 0.0, 1.0], [1.0, 2.0, 3.0]], np.float32)
    for smoothing in (0.0, 0.2):
        results = []
        for lib, functional in ((mg, F), (torch, torch.nn.functional)):
            x = lib.tensor(values, requires_grad=True)
            out = functional.cross_entropy(
                x, lib.tensor([1, 0]), ignore_index=1, label_smoothing=smoothing
            )
            out.backward()
            results.append((out.item(), x.grad.numpy()))
        assert np.isfinite(results[0][0])
        np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-5)
        np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-5, atol=1e-7)


def test_float16_mean_var_and_losses_accumulate_in_float32():
    h = mg.full((1000,), 60000.0, dtype=mg.float16)
    assert h.mean().dtype == mg.float16 and h.mean().item() == pytest.approx(60000, rel=1e-3)
    assert h.var().item() == 0 and h.std().item() == 0
    x = mg.full((100,), 30.0, dtype=mg.float16, requires_grad=True)
    loss = F.mse_loss(x, mg.zeros(100, dtype=mg.float16))
    assert loss.dtype == mg.float16 and loss.item() == 900
    loss.backward()
    assert x.grad.dtype == mg.float16 and np.allclose(x.grad.numpy(), 0.6, rtol=1e-3)


def test_gelu_in_float16_is_finite_far_out():
    torch = _torch()
    values = np.array([3.8, -3.8, 4.0, -5.0, 10.0, -10.0, 60000.0], np.float16)
    for approximate in ("none", "tanh"):
        x = mg.tensor(values, requires_grad=True)
        y = F.gelu(x, approximate=approximate)
        y.sum().backward()
        t = torch.tensor(values, requires_grad=True)
        ty = torch.nn.functional.gelu(t, approximate=approximate)
        ty.sum().backward()
        assert y.dtype == mg.float16 and np.isfinite(y.numpy()).all()
        np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=2e-3, atol=1e-6)
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=2e-3, atol=1e-6)


# ---- Function.apply keywords, contiguous -------------------------------------------------------


class _Scale(mg.Function):
    @staticmethod
    def forward(ctx, x, factor=None):
        ctx.save_for_backward(factor)
        return x * factor

    @staticmethod
    def backward(ctx, grad):
        (factor,) = ctx.saved_tensors
        return grad * factor


def test_function_apply_unwraps_tensor_keywords_and_never_drops_their_gradient():
    x = mg.ones(3, requires_grad=True)
    y = _Scale.apply(x, factor=mg.full((3,), 2.0))  # forward gets an array
    y.sum().backward()
    assert x.grad.tolist() == [2, 2, 2]
    with pytest.raises(RuntimeError, match="keyword argument 'factor'.*positionally"):
        _Scale.apply(x, factor=mg.ones(3, requires_grad=True))


def test_contiguous_copies_only_when_needed_and_is_differentiable():
    x = mg.randn(3, 4, requires_grad=True)
    assert x.is_contiguous() and x.contiguous() is x
    t = x.T
    assert not t.is_contiguous()
    c = t.contiguous()
    assert c is not t and c.is_contiguous() and c.numpy().flags.c_contiguous
    np.testing.assert_array_equal(c.numpy(), x.numpy().T)
    (c * mg.arange(12.0).reshape(4, 3)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.arange(12.0).reshape(4, 3).T)


# ---- retain_graph, retain_grad, hooks, anomaly -------------------------------------------------


def test_ops_that_save_nothing_can_backward_twice_as_in_pytorch():
    x = mg.ones(3, requires_grad=True)
    y = x + 1
    y.sum().backward()
    y.sum().backward()
    assert x.grad.tolist() == [2, 2, 2]
    z = x * 2
    z.sum().backward()
    with pytest.raises(RuntimeError, match="second time"):
        z.sum().backward()


def test_retain_grad_keeps_a_non_leaf_gradient():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    assert not h.retains_grad
    h.retain_grad()
    assert h.retains_grad
    (h * h).sum().backward()
    np.testing.assert_array_equal(h.grad.numpy(), [6.0, 12.0])
    np.testing.assert_array_equal(x.grad.numpy(), [18.0, 36.0])


def test_register_hook_sees_and_may_replace_the_gradient():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    h = x * 3
    handle = h.register_hook(lambda g: g * 10)
    x.register_hook(lambda g: seen.append(g.numpy().copy()))
    h.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [30.0, 30.0])
    np.testing.assert_array_equal(seen[0], [30.0, 30.0])
    handle.remove()
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [33.0, 33.0])


def test_anomaly_mode_names_the_op_and_the_line_that_made_it():
    x = mg.tensor([0.0, 1.0], requires_grad=True)
    with mg.autograd.detect_anomaly():
        y = x.sqrt()  # the gradient at 0 is inf
        with pytest.raises(RuntimeError, match=r"SqrtBackward.*test_autograd_semantics.py:\d+"):
            y.sum().backward()
        with pytest.raises(RuntimeError, match=r"'Log'.*test_autograd_semantics.py:\d+"):
            mg.tensor([0.0]).log()
    assert not mg.autograd.is_anomaly_enabled()
    mg.tensor([0.0]).log()  # off again: no error
    mg.autograd.set_detect_anomaly(True)
    try:
        assert mg.autograd.is_anomaly_enabled()
    finally:
        mg.autograd.set_detect_anomaly(False)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
def test_optimizer_step_invalidates_graphs_that_saved_the_parameter(name):
    # loss = f(w); opt.step(); loss.backward() raises in PyTorch: the step changed w in place
    w = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    opt = getattr(mg.optim, name)([w], lr=0.1)
    (w * w).sum().backward()
    loss = (w * w).sum()
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()
