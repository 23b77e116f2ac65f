"""The engine, grad modes, autograd.grad, gradcheck, the extension API and the Tensor basics."""

import gc
import re
import weakref

import numpy as np
import pytest

import minigrad as mg

# ---- the backward pass ----------------------------------------------------------------------


def test_chain_of_100000_ops_backpropagates_without_recursion():
    x = mg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1e-5
    y.backward()
    assert x.grad.item() == 1.0


def test_gradients_accumulate_when_a_tensor_is_used_twice():
    x = mg.tensor([2.0, 3.0], requires_grad=True)
    y = x * x + x  # x reaches the sum along three paths
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.numpy() + 1)
    (x * 3).sum().backward()  # and across backward calls, as in PyTorch
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.numpy() + 4)


def test_diamond_graph_runs_each_node_once_after_all_consumers():
    x = mg.tensor(1.5, requires_grad=True)
    a = x.exp()
    b = a * 2 + a.sin()
    c = b * a
    c.backward()
    e = np.exp(1.5)
    expected = (2 * e + np.sin(e)) * e + e * (2 + np.cos(e)) * e
    np.testing.assert_allclose(x.grad.item(), expected, rtol=1e-5)


def test_graph_is_freed_after_backward_and_a_second_backward_says_so():
    x = mg.randn(3, requires_grad=True)
    y = (x.exp() * 2).sum()
    y.backward()
    assert y.grad_fn.next_functions[0][0].ctx is None  # Mul's saved arrays are gone
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = mg.randn(3, requires_grad=True)
    y = (x.exp() * 2).sum()
    y.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first)


def test_saved_arrays_are_released_after_backward():
    x = mg.randn(100, requires_grad=True)
    hidden = x.exp()
    saved = weakref.ref(hidden.grad_fn.ctx.saved_tensors[0])
    out = hidden.sum()
    del hidden
    out.backward()
    gc.collect()
    assert saved() is None


def test_intermediate_arrays_are_not_kept_alive_by_the_graph():
    x = mg.randn(1000, requires_grad=True)
    hidden = x * 2  # Mul saves x and 2, not its own output
    array = weakref.ref(hidden._data)
    out = (hidden + 1).sum()
    del hidden
    gc.collect()
    assert array() is None
    out.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2.0)


def test_nonscalar_backward_needs_a_gradient_and_says_so():
    x = mg.randn(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"scalar outputs.*shape \(2, 3\)"):
        (x * 2).backward()
    with pytest.raises(RuntimeError, match=r"\(3, 2\).*\(2, 3\)"):
        (x * 2).backward(np.ones((3, 2)))
    (x * 2).backward(mg.ones(2, 3))
    np.testing.assert_allclose(x.grad.numpy(), 2.0)


def test_backward_of_a_tensor_without_graph_is_an_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        mg.ones(3).sum().backward()


def test_broadcast_gradients_are_summed_to_each_operand_shape():
    a = mg.randn(3, requires_grad=True)  # broadcast over a leading axis: (3,) -> (2, 3)
    b = mg.randn(2, 1, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.shape == (3,) and b.grad.shape == (2, 1)
    np.testing.assert_allclose(a.grad.numpy(), np.full(3, b.numpy().sum()), rtol=1e-6)
    np.testing.assert_allclose(b.grad.numpy(), np.full((2, 1), a.numpy().sum()), rtol=1e-6)


def test_leaf_gradients_do_not_alias_each_other():
    a, b = mg.ones(3, requires_grad=True), mg.ones(3, requires_grad=True)
    (a + b).sum().backward()  # Add hands the same array to both inputs
    with mg.no_grad():
        a.grad.add_(1.0)
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 1.0, 1.0])


# ---- grad modes ------------------------------------------------------------------------------


def test_no_grad_records_nothing_and_restores_the_mode():
    x = mg.randn(3, requires_grad=True)
    with mg.no_grad():
        y = x * 2
        with mg.enable_grad():
            z = x * 2
        assert not mg.is_grad_enabled()
    assert mg.is_grad_enabled()
    assert y.grad_fn is None and not y.requires_grad
    assert z.grad_fn is not None and z.requires_grad


def test_no_grad_as_a_decorator_and_set_grad_enabled():
    @mg.no_grad()
    def double(t):
        return t * 2

    x = mg.randn(3, requires_grad=True)
    assert not double(x).requires_grad and mg.is_grad_enabled()
    with mg.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert mg.is_grad_enabled()


def test_bare_decorators_and_set_grad_enabled_as_a_decorator():
    @mg.no_grad
    def double(t):
        return t * 2

    @mg.enable_grad
    def triple(t):
        return t * 3

    @mg.set_grad_enabled(False)
    def quadruple(t):
        return t * 4

    assert mg.is_grad_enabled()  # decorating switches nothing
    x = mg.randn(3, requires_grad=True)
    assert not double(x).requires_grad and not quadruple(x).requires_grad
    with mg.no_grad():
        assert triple(x).requires_grad
    assert mg.is_grad_enabled()


def test_autograd_grad_returns_gradients_without_touching_grad():
    x = mg.randn(3, requires_grad=True)
    w = mg.randn(3, requires_grad=True)
    hidden = x * w
    (gx, gh) = mg.autograd.grad((hidden * hidden).sum(), [x, hidden])
    np.testing.assert_allclose(gx.numpy(), 2 * hidden.numpy() * w.numpy(), rtol=1e-6)
    np.testing.assert_allclose(gh.numpy(), 2 * hidden.numpy(), rtol=1e-6)
    assert x.grad is None and w.grad is None


def test_autograd_grad_with_grad_outputs_and_unused_inputs():
    x, unused = mg.randn(2, requires_grad=True), mg.randn(2, requires_grad=True)
    (g,) = mg.autograd.grad(x * 3, x, grad_outputs=mg.tensor([1.0, -2.0]))
    np.testing.assert_allclose(g.numpy(), [3.0, -6.0])
    with pytest.raises(RuntimeError, match="not used"):
        mg.autograd.grad((x * 2).sum(), [x, unused])
    assert mg.autograd.grad((x * 2).sum(), [x, unused], allow_unused=True)[1] is None


# ---- the extension API -----------------------------------------------------------------------


class Cube(mg.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 3 * x**2 * grad


def test_function_extension_as_in_the_api_document():
    t = mg.tensor([1.0, -2.0], requires_grad=True)
    y = Cube.apply(t)
    assert repr(y.grad_fn).startswith("<CubeBackward object at 0x")
    y.sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), [3.0, 12.0])
    assert mg.autograd.gradcheck(Cube.apply, [mg.randn(4, requires_grad=True)])


class ScaleAndShift(mg.Function):
    """Two outputs, a non-Tensor argument, and needs_input_grad."""

    calls = []

    @staticmethod
    def forward(ctx, x, shift, factor):
        ctx.factor = factor
        return x * factor, x + shift

    @staticmethod
    def backward(ctx, grad_scaled, grad_shifted):
        ScaleAndShift.calls.append(ctx.needs_input_grad)
        grad_x = grad_scaled * ctx.factor + grad_shifted if ctx.needs_input_grad[0] else None
        grad_shift = grad_shifted if ctx.needs_input_grad[1] else None
        return grad_x, grad_shift, None


def test_function_with_two_outputs_and_a_plain_argument():
    x, shift = mg.randn(3, requires_grad=True), mg.randn(3)
    scaled, shifted = ScaleAndShift.apply(x, shift, 4.0)
    scaled.sum().backward()  # shifted unused: its gradient arrives as zeros
    np.testing.assert_allclose(x.grad.numpy(), 4.0)
    assert ScaleAndShift.calls[-1] == (True, False, False)
    assert mg.autograd.gradcheck(
        lambda a, b: ScaleAndShift.apply(a, b, 2.5),
        [mg.randn(3, requires_grad=True), mg.randn(3, requires_grad=True)],
    )


class WrongShape(mg.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return np.ones((5, 7))


def test_wrong_gradient_shape_from_an_extension_names_the_op_and_shapes():
    x = mg.randn(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"WrongShape.*\(5, 7\).*input 0.*\(3,\)"):
        WrongShape.apply(x).sum().backward()


class TooFewGradients(mg.Function):
    @staticmethod
    def forward(ctx, a, b):
        return a * b

    @staticmethod
    def backward(ctx, grad):
        return grad


def test_wrong_number_of_gradients_is_an_error():
    a, b = mg.randn(2, requires_grad=True), mg.randn(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="returned 1 gradients.*2 arguments"):
        TooFewGradients.apply(a, b).sum().backward()


class BrokenSquare(mg.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 2 * x  # forgets the upstream gradient


def test_gradcheck_catches_a_backward_that_ignores_its_upstream_gradient():
    x = mg.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
    with pytest.raises(mg.autograd.GradcheckError) as info:
        mg.autograd.gradcheck(BrokenSquare.apply, [x])
    message = str(info.value)
    assert "input 0" in message and "(2, 2)" in message
    assert "element (" in message and "numerical" in message and "analytic" in message


class OneWrongElement(mg.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        result = 2 * x * grad
        result[1, 0] += 1.0
        return result


def test_gradcheck_message_names_the_worst_element_and_both_values():
    x = mg.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
    with pytest.raises(mg.autograd.GradcheckError) as info:
        mg.autograd.gradcheck(OneWrongElement.apply, [x])
    message = str(info.value)
    assert "input 0" in message and "element (1, 0)" in message
    number = r"(-?[\d.]+(?:e[-+]\d+)?)"
    values = re.search(f"numerical gradient {number}, analytic gradient {number}", message)
    numerical, analytic = map(float, values.groups())
    assert abs(analytic - numerical - 1.0) < 1e-5


def test_gradcheck_on_large_inputs_uses_random_directions():
    big = mg.randn(60, 50, requires_grad=True)
    assert mg.autograd.gradcheck(lambda t: (t * t).sum(dim=0), [big])
    with pytest.raises(mg.autograd.GradcheckError, match="random direction"):
        mg.autograd.gradcheck(BrokenSquare.apply, [big])


def test_gradcheck_needs_an_input_that_requires_grad():
    with pytest.raises(ValueError, match="requires grad"):
        mg.autograd.gradcheck(lambda t: t * 2, [mg.randn(3)])


def test_custom_op_example_runs():
    import runpy
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "examples" / "custom_op.py"
    namespace = runpy.run_path(str(example), run_name="not_main")
    assert namespace["check"]() is True


# ---- tensors, dtypes and factories ----------------------------------------------------------


def test_tensor_dtypes_follow_pytorch():
    assert mg.tensor(1.5).dtype == mg.float32
    assert mg.tensor([1, 2]).dtype == mg.int64
    assert mg.tensor([True]).dtype == mg.bool
    assert mg.tensor(np.zeros(2, np.float64)).dtype == mg.float64
    assert mg.tensor([1, 2], dtype=mg.float64).dtype == mg.float64
    assert mg.Tensor([1, 2]).dtype == mg.float32
    assert mg.from_numpy(np.zeros(2, np.int32)).dtype == mg.int32


def test_python_scalars_do_not_upcast_float32():
    x = mg.ones(3)
    for result in (x * 2.5, 2.5 * x, x / 3, x**2, 1 - x, x + np.float64(1), x * np.array(2.0)):
        assert result.dtype == mg.float32
    assert (mg.tensor([1, 2]) * 0.5).dtype == mg.float32
    assert (mg.tensor([1, 2]) * 2).dtype == mg.int64
    assert (mg.tensor([1, 2]) / 2).dtype == mg.float32 and (
        1 / mg.tensor([1, 2])
    ).dtype == mg.float32
    assert (mg.tensor([1, 2]) + x[:2]).dtype == mg.float32
    assert (x * mg.tensor(2.0, dtype=mg.float64)).dtype == mg.float32  # 0-d: as in PyTorch


def test_ndarray_operands_on_either_side():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    left = np.array([3.0, 4.0], np.float32) * x
    right = x - np.array([1.0, 1.0], np.float32)
    assert isinstance(left, mg.Tensor) and isinstance(right, mg.Tensor)
    (left + right).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 5.0])
    assert np.asarray(x).dtype == np.float32


def test_set_default_dtype():
    try:
        mg.set_default_dtype(mg.float64)
        assert mg.tensor(1.0).dtype == mg.float64 and mg.randn(2).dtype == mg.float64
    finally:
        mg.set_default_dtype(mg.float32)
    assert mg.zeros(2).dtype == mg.float32


@pytest.mark.parametrize("factory", ["zeros", "ones", "empty", "rand", "randn"])
def test_factories_take_sizes_dtype_and_requires_grad(factory):
    make = getattr(mg, factory)
    assert make(2, 3).shape == make((2, 3)).shape == (2, 3)
    t = make(2, dtype=mg.float64, requires_grad=True)
    assert t.dtype == mg.float64 and t.requires_grad and t.is_leaf


def test_other_factories():
    assert mg.full((2, 2), 7).dtype == mg.int64 and mg.full((2,), 0.5).dtype == mg.float32
    assert mg.arange(5).tolist() == [0, 1, 2, 3, 4] and mg.arange(5).dtype == mg.int64
    assert mg.arange(0, 1, 0.25).dtype == mg.float32
    assert mg.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    np.testing.assert_array_equal(mg.eye(3).numpy(), np.eye(3))
    r = mg.randint(3, 9, (1000,))
    assert r.dtype == mg.int64 and r.min().item() >= 3 and r.max().item() <= 8
    assert mg.randint(5, (2, 2)).shape == (2, 2)
    like = mg.zeros_like(mg.ones(2, 3, dtype=mg.float64))
    assert like.shape == (2, 3) and like.dtype == mg.float64
    assert mg.ones_like(r).dtype == mg.int64 and mg.randn_like(like).shape == (2, 3)


def test_manual_seed_repeats_every_random_factory():
    def draw():
        return [mg.rand(3).numpy(), mg.randn(3).numpy(), mg.randint(10, (3,)).numpy()]

    mg.manual_seed(123)
    first = draw()
    mg.manual_seed(123)
    second = draw()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[1], draw()[1])


def test_rng_state_round_trip():
    mg.manual_seed(0)
    state = mg.get_rng_state()
    a = mg.randn(4).numpy()
    mg.set_rng_state(state)
    np.testing.assert_array_equal(mg.randn(4).numpy(), a)


def test_attributes_and_conversions():
    t = mg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert t.shape == (2, 3) and t.ndim == 2 and t.size() == (2, 3) and t.size(-1) == 3
    assert t.numel() == 6 and len(t) == 2 and t.dtype == mg.float32
    assert t.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert t[1, 2].item() == 6.0 and float(t[0, 0]) == 1.0
    assert t.double().dtype == mg.float64 and t.long().dtype == mg.int64
    assert t.to(mg.float64).dtype == mg.float64 and t.to("cpu") is t
    assert t.numpy() is t._data
    with pytest.raises(ValueError, match="6 elements"):
        t.item()


def test_detach_and_requires_grad_():
    x = mg.randn(3, requires_grad=True)
    y = (x * 2).detach()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf
    z = mg.randn(3).requires_grad_()
    assert z.requires_grad and (z * 2).grad_fn is not None


def test_cast_is_differentiable():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x.double() * 3
    assert y.dtype == mg.float64
    y.sum().backward()
    assert x.grad.dtype == mg.float32
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 3.0])


def test_repr_like_pytorch():
    assert repr(mg.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(mg.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(mg.tensor(0.5, requires_grad=True)) == "tensor(0.5000, requires_grad=True)"
    assert repr(mg.tensor([1.0], requires_grad=True) * 2) == "tensor([2.], grad_fn=<MulBackward0>)"
    assert "dtype=minigrad.float64" in repr(mg.zeros(2, dtype=mg.float64))
    assert repr(mg.tensor([1e-5, 1.0])) == "tensor([1.0000e-05, 1.0000e+00])"  # not 0.0000
    assert repr(mg.tensor([1e10, 1.0])) == "tensor([1.0000e+10, 1.0000e+00])"
    assert repr(mg.zeros(0, 3)) == "tensor([], size=(0, 3))"


def test_in_place_updates_follow_pytorch_rules():
    w = mg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="no_grad"):
        w += 1
    with pytest.raises(RuntimeError, match="no_grad"):
        w.zero_()
    with mg.no_grad():
        w -= 0.5 * mg.ones(3)
        w.mul_(2)
    np.testing.assert_array_equal(w.numpy(), [1.0, 1.0, 1.0])
    assert w.is_leaf and w.requires_grad
    plain = mg.zeros(3)
    alias = plain
    plain += 2
    assert alias is plain and plain.tolist() == [2.0, 2.0, 2.0]
    plain[1] = 5.0
    assert plain.tolist() == [2.0, 5.0, 2.0]


def test_grad_setter_checks_shape():
    x = mg.randn(3, requires_grad=True)
    with pytest.raises(mg.ShapeError, match=r"\(4,\).*\(3,\)"):
        x.grad = mg.zeros(4)


def test_iteration_and_truth_value():
    rows = list(mg.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert [r.tolist() for r in rows] == [[1.0, 2.0], [3.0, 4.0]]
    assert bool(mg.tensor([1.0])) and not bool(mg.tensor(0.0))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(mg.ones(2))
