"""Higher-order gradients: create_graph=True, gradgradcheck, autograd.functional."""

import numpy as np
import pytest
from op_db import OPS

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.autograd import GradcheckError, gradgradcheck

CASES = [
    pytest.param(case, shapes, id=f"{case.name}-{'x'.join(map(str, shapes))}")
    for case in OPS
    for shapes in case.samples()
]


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def _double_backward(lib, tensors, out, upstream, second):
    """d/dx of sum(second * d(sum(upstream * out))/dx) for every x in ``tensors``."""
    ad = lib.autograd
    first = ad.grad(out, tensors, upstream, create_graph=True, allow_unused=True)
    pairs = [(g, w) for g, w in zip(first, second) if g is not None and g.requires_grad]
    if not pairs:
        return [None] * len(tensors)
    total = sum((g * w).sum() for g, w in pairs)
    return ad.grad(total, tensors, allow_unused=True)


@pytest.mark.parametrize("case, shapes", CASES)
def test_second_derivatives_against_torch(case, shapes, torch):
    """Double backward equals PyTorch's create_graph=True result, for every op-table row."""
    rng = np.random.default_rng(5)
    arrays = case.make_inputs(shapes, rng)
    grads = case.differentiable(shapes)
    ours = [mg.tensor(a, requires_grad=i in grads) for i, a in enumerate(arrays)]
    theirs = [torch.tensor(a, requires_grad=i in grads) for i, a in enumerate(arrays)]
    out, expected = case.fn(mg, *ours), case.fn(torch, *theirs)
    upstream = rng.standard_normal(out.shape)
    second = [rng.standard_normal(a.shape) for a in arrays]
    mine = _double_backward(
        mg,
        [ours[i] for i in grads],
        out,
        mg.tensor(upstream),
        [mg.tensor(second[i]) for i in grads],
    )
    try:
        reference = _double_backward(
            torch,
            [theirs[i] for i in grads],
            expected,
            torch.tensor(upstream),
            [torch.tensor(second[i]) for i in grads],
        )
    except RuntimeError as error:  # e.g. hardsigmoid: torch has no double backward for it
        if "not implemented" not in str(error):
            raise
        pytest.skip(f"torch: {error}")  # gradgradcheck in test_ops still checks ours
    for x, m, r in zip([arrays[i] for i in grads], mine, reference):
        # None where the first gradient has no graph to this input: a zero second derivative
        # (both libraries give None or zeros for relu, abs, pools, linear ops)
        m = np.zeros(x.shape) if m is None else m.numpy()
        r = np.zeros(x.shape) if r is None else r.detach().numpy(force=True)
        np.testing.assert_allclose(m, r, rtol=1e-7, atol=1e-9)


# ---- create_graph in backward() and grad() ----------------------------------------------


def test_third_derivative_of_a_power():
    x = mg.tensor([0.5, -2.0, 3.0], dtype=mg.float64, requires_grad=True)
    (d1,) = mg.autograd.grad((x**4).sum(), x, create_graph=True)
    (d2,) = mg.autograd.grad(d1.sum(), x, create_graph=True)
    (d3,) = mg.autograd.grad(d2.sum(), x)
    np.testing.assert_allclose(d1.numpy(), 4 * x.numpy() ** 3)
    np.testing.assert_allclose(d2.numpy(), 12 * x.numpy() ** 2)
    np.testing.assert_allclose(d3.numpy(), 24 * x.numpy())
    assert d1.requires_grad and d2.requires_grad and not d3.requires_grad


def test_backward_create_graph_makes_grad_differentiable():
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    (x.sin() * x).sum().backward(create_graph=True)
    assert x.grad.grad_fn is not None  # sin x + x cos x, with a graph
    grad = x.grad
    x.grad = None
    grad.sum().backward()  # d/dx (sin x + x cos x) = 2 cos x - x sin x
    xs = x.numpy()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.cos(xs) - xs * np.sin(xs))


def test_first_order_gradients_have_no_graph():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    assert x.grad.grad_fn is None and not x.grad.requires_grad
    (g,) = mg.autograd.grad((x * x).sum(), x)
    assert g.grad_fn is None


def test_create_graph_keeps_the_graph_for_another_backward():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    mg.autograd.grad(y, x, create_graph=True)
    (again,) = mg.autograd.grad(y, x)  # retain_graph defaults to create_graph
    np.testing.assert_allclose(again.numpy(), [2.0, 4.0])


def test_materialize_grads_gives_zeros_for_unused_inputs():
    x, z = mg.tensor([1.0], requires_grad=True), mg.tensor([3.0], requires_grad=True)
    gx, gz = mg.autograd.grad((x * 2).sum(), [x, z], materialize_grads=True)
    assert gz.numpy().tolist() == [0.0] and gx.numpy().tolist() == [2.0]


def _mlp_and_cnn(lib, seed):
    """A small MLP and CNN (float64) with fixed weights, shared by minigrad and torch."""
    rng = np.random.default_rng(seed)
    p = {
        "w1": rng.standard_normal((2, 1, 3, 3)) * 0.5,
        "b1": rng.standard_normal(2) * 0.1,
        "w2": rng.standard_normal((3, 8)) * 0.3,
        "b2": rng.standard_normal(3) * 0.1,
    }
    x = rng.standard_normal((4, 1, 6, 6))
    target = rng.integers(0, 3, 4)
    params = {k: lib.tensor(v, requires_grad=True) for k, v in p.items()}
    F_ = lib.nn.functional

    def loss(x_in):
        h = F_.max_pool2d(F_.gelu(F_.conv2d(x_in, params["w1"], params["b1"], padding=1)), 3)
        logits = F_.linear(h.flatten(1).tanh(), params["w2"], params["b2"])
        return F_.cross_entropy(logits, lib.tensor(target))

    return params, lib.tensor(x, requires_grad=True), loss


def test_gradient_penalty_through_a_cnn_against_torch(torch):
    """loss + |d loss / d x|^2 (a WGAN-GP style penalty): parameter gradients as torch's."""
    results = []
    for lib in (mg, torch):
        params, x, loss = _mlp_and_cnn(lib, 0)
        value = loss(x)
        (gx,) = lib.autograd.grad(value, x, create_graph=True)
        (value + (gx * gx).sum() * 10).backward()
        results.append({k: p.grad.numpy() if lib is mg else p.grad.detach().numpy()
                        for k, p in params.items()})  # fmt: skip
    for key in results[0]:
        np.testing.assert_allclose(results[0][key], results[1][key], rtol=1e-7, atol=1e-10)


def test_hessian_vector_product_of_a_network_against_torch(torch):
    results = []
    for lib in (mg, torch):
        params, x, loss = _mlp_and_cnn(lib, 1)
        weights = list(params.values())
        grads = lib.autograd.grad(loss(x), weights, create_graph=True)
        rng = np.random.default_rng(2)
        vs = [lib.tensor(rng.standard_normal(w.shape)) for w in weights]
        hv = lib.autograd.grad(sum((g * v).sum() for g, v in zip(grads, vs)), weights)
        results.append([h.detach().numpy() for h in hv])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-7, atol=1e-10)


# ---- users' Functions and the loud failures ---------------------------------------------


class ArrayCube(mg.Function):
    """An array-only backward, as users write them."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 3 * np.square(x) * grad


class Cube(ArrayCube):
    differentiable_backward = True

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 3 * x * x * grad


def test_array_only_function_first_order_is_right_second_order_raises():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    (g,) = mg.autograd.grad(ArrayCube.apply(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.numpy(), [3.0, 12.0])
    with pytest.raises(RuntimeError, match="ArrayCube.*not differentiable"):
        mg.autograd.grad(g.sum(), x)


def test_differentiable_user_function_gets_second_derivatives():
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    (g,) = mg.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    (h,) = mg.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), [6.0, 12.0])
    assert gradgradcheck(Cube.apply, [x])


class NumpyInGraphBackward(mg.Function):
    differentiable_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * np.where(True, np.cos(x), 0)  # numpy on a graph Tensor


class WhereInGraphBackward(NumpyInGraphBackward):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * np.where(True, x, 0)  # would silently drop x's graph


class DerivedSaved(mg.Function):
    differentiable_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(np.cos(x))  # derived: not an input, not an output
        return np.sin(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.saved_tensors[0]


@pytest.mark.parametrize(
    "function, error, message",
    [
        (NumpyInGraphBackward, TypeError, "does not support ufuncs"),
        (WhereInGraphBackward, RuntimeError, "numpy array inside a backward"),
        (DerivedSaved, RuntimeError, "DerivedSaved's backward used an array its forward"),
    ],
)
def test_a_graph_tensor_never_silently_becomes_an_array(function, error, message):
    x = mg.tensor([0.5, 1.0], requires_grad=True)
    with pytest.raises(error, match=message):
        mg.autograd.grad(function.apply(x).sum(), x, create_graph=True)
    (first,) = mg.autograd.grad(DerivedSaved.apply(x).sum(), x)  # first order: fine
    np.testing.assert_allclose(first.numpy(), np.cos([0.5, 1.0]), rtol=1e-6)


class WrongSecondOrder(mg.Function):
    """Right at first order, wrong at second: it treats x as a constant in backward."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 3 * mg.ops.xp.constant(x) ** 2 * grad


def test_gradgradcheck_catches_a_wrong_second_derivative():
    x = mg.tensor([0.5, 1.5], dtype=mg.float64, requires_grad=True)
    assert mg.autograd.gradcheck(WrongSecondOrder.apply, [x])
    with pytest.raises(GradcheckError, match="input 0"):
        gradgradcheck(WrongSecondOrder.apply, [x])


def test_gradgradcheck_accepts_given_grad_outputs():
    x = mg.tensor([[0.5, 1.5]], dtype=mg.float64, requires_grad=True)
    assert gradgradcheck(lambda t: (t * t).exp(), [x], grad_outputs=[np.ones((1, 2))])


def test_tanh_second_derivative_on_a_grid():
    """(tanh)'' = -2 tanh (1 - tanh^2): the demo's claim, checked."""
    x = mg.linspace(-3, 3, 61, dtype=mg.float64, requires_grad=True)
    (d1,) = mg.autograd.grad(x.tanh().sum(), x, create_graph=True)
    (d2,) = mg.autograd.grad(d1.sum(), x)
    t = np.tanh(x.numpy())
    np.testing.assert_allclose(d2.numpy(), -2 * t * (1 - t**2), atol=1e-12)


def test_functional_against_torch(torch):
    MF, TF = mg.autograd.functional, torch.autograd.functional
    rng = np.random.default_rng(0)
    a, b, v = rng.standard_normal(3), rng.standard_normal((2, 3)), rng.standard_normal(2)

    def f(x, w):
        return (w @ x.tanh()).sin()

    def s(x, w):
        return ((w @ x.tanh()).sin() ** 2).sum()

    def ours(*arrays):
        return tuple(mg.tensor(x) for x in arrays)

    def theirs(*arrays):
        return tuple(torch.tensor(x) for x in arrays)

    def same(o, t):
        if isinstance(t, tuple):
            assert isinstance(o, tuple) and len(o) == len(t)
            for oo, tt in zip(o, t):
                same(oo, tt)
        else:
            assert o.shape == tuple(t.shape)
            np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-9, atol=1e-12)

    same(MF.jacobian(f, ours(a, b)), TF.jacobian(f, theirs(a, b)))
    same(MF.jacobian(lambda x: f(x, mg.tensor(b)), mg.tensor(a)),
         TF.jacobian(lambda x: f(x, torch.tensor(b)), torch.tensor(a)))  # fmt: skip
    same(MF.hessian(s, ours(a, b)), TF.hessian(s, theirs(a, b)))
    same(MF.hessian(lambda x: (x**3).sum(), mg.tensor(a)),
         TF.hessian(lambda x: (x**3).sum(), torch.tensor(a)))  # fmt: skip
    same(MF.vjp(f, ours(a, b), mg.tensor(v)), TF.vjp(f, theirs(a, b), torch.tensor(v)))
    same(MF.jvp(f, ours(a, b), ours(a, b)), TF.jvp(f, theirs(a, b), theirs(a, b)))
    same(MF.hvp(s, ours(a, b), ours(a, b)), TF.hvp(s, theirs(a, b), theirs(a, b)))
    same(MF.vhp(s, ours(a, b), ours(a, b)), TF.vhp(s, theirs(a, b), theirs(a, b)))
    same(MF.vjp(lambda x: (x * x).sum(), mg.tensor(a)),
         TF.vjp(lambda x: (x * x).sum(), torch.tensor(a)))  # fmt: skip


def test_functional_create_graph_strict_and_errors():
    MF = mg.autograd.functional
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    hess = MF.hessian(lambda t: (t**3).sum(), x, create_graph=True)
    assert hess.requires_grad
    hess.sum().backward()  # d/dx trace-like sum of diag(6x) = 6
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 6.0])
    plain = MF.jacobian(lambda t: t * 2, x)
    assert not plain.requires_grad
    np.testing.assert_allclose(plain.numpy(), 2 * np.eye(2))
    with pytest.raises(RuntimeError, match="independent of input 1"):
        MF.jacobian(lambda a, b: a * 2, (x, mg.tensor([1.0, 1.0])), strict=True)
    zeros = MF.jacobian(lambda a, b: a * 2, (x, mg.tensor([1.0, 1.0])))
    assert not np.any(zeros[1].numpy())
    with pytest.raises(RuntimeError, match="v can only be None"):
        MF.vjp(lambda t: t * 2, x)
    with pytest.raises(RuntimeError, match="shape"):
        MF.hvp(lambda t: (t * t).sum(), x, mg.tensor([1.0, 2.0, 3.0]))
    with pytest.raises(TypeError, match="Tensor or a tuple of Tensors"):
        MF.jacobian(lambda t: t, [1.0, 2.0])
    with pytest.raises(NotImplementedError, match="reverse"):
        MF.jacobian(lambda t: t, x, strategy="forward-mode")
    np.testing.assert_allclose(MF.jacobian(lambda t: t, x, vectorize=True).numpy(), np.eye(2))


def test_functional_on_a_layer_matches_finite_differences():
    rng = np.random.default_rng(4)
    w = mg.tensor(rng.standard_normal((3, 4)))
    x = mg.tensor(rng.standard_normal(4))
    jac = mg.autograd.functional.jacobian(lambda t: F.gelu(w @ t), x).numpy()
    eps = 1e-6
    numeric = np.stack(
        [
            (F.gelu(w @ (x + eps * e)).numpy() - F.gelu(w @ (x - eps * e)).numpy()) / (2 * eps)
            for e in map(mg.tensor, np.eye(4))
        ],
        axis=1,
    )
    np.testing.assert_allclose(jac, numeric, rtol=1e-6, atol=1e-8)
