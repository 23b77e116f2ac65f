"""Tensor details that tutorials print or call: Size, t(), out=, axis=, format, grad_fn
names, new_* factories; compared with PyTorch where it is importable."""

import warnings

import numpy as np
import pytest

import minigrad as mg


def _torch():
    return pytest.importorskip("torch")


def test_size_prints_slices_and_counts_as_torch():
    torch = _torch()
    ours, theirs = mg.zeros(2, 3).shape, torch.zeros(2, 3).shape
    assert repr(ours) == repr(theirs).replace("torch", "minigrad") == str(ours)
    assert isinstance(ours, tuple) and ours == (2, 3) == theirs
    assert type(ours[1:]) is mg.Size and ours[1:] == (3,) and ours[0] == 2
    assert type(ours + (4,)) is mg.Size and ours.numel() == theirs.numel() == 6
    assert mg.zeros(2, 3).size() == ours and mg.zeros(2, 3).size(-1) == 3
    assert mg.Size([]).numel() == 1
    # A user's f-string prints as PyTorch's; minigrad's own messages show the plain tuple.
    assert f"{ours}" == repr(ours) == f"{theirs}".replace("torch", "minigrad")
    with pytest.raises(Exception, match=r"\(2, 3\)"):
        mg.zeros(2, 3).view(4, 5)


def test_t_as_torch():
    torch = _torch()
    for shape in [(), (3,), (2, 3)]:
        data = np.arange(float(np.prod(shape))).reshape(shape)
        np.testing.assert_array_equal(mg.tensor(data).t().numpy(), torch.tensor(data).t().numpy())
        np.testing.assert_array_equal(mg.t(mg.tensor(data)).numpy(), torch.t(torch.tensor(data)))
    x = mg.randn(2, 3, requires_grad=True)
    x.t().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones((2, 3)))
    with pytest.raises(RuntimeError, match="t\\(\\) expects a tensor with <= 2 dimensions, but "
                       "self is 3D"):  # fmt: skip
        mg.ones(2, 3, 4).t()


def test_format_of_0d_tensors_as_torch():
    torch = _torch()
    for spec in [">7f", ".3f", "", "e", "+.2"]:
        assert format(mg.tensor(2.5), spec) == format(torch.tensor(2.5), spec)
    assert f"{mg.tensor(7):>4}" == f"{torch.tensor(7):>4}"
    assert format(mg.ones(2)) == str(mg.ones(2))
    with pytest.raises(TypeError, match="unsupported format string"):
        format(mg.ones(2), ">7f")


OUT_CASES = [
    ("add", lambda lib: (lib.ones(2, 3), lib.full((3,), 2.0))),
    ("sub", lambda lib: (lib.ones(2, 3), 0.5)),
    ("mul", lambda lib: (lib.ones(2, 3), lib.full((2, 3), 3.0))),
    ("div", lambda lib: (lib.ones(2, 3), 4.0)),
    ("matmul", lambda lib: (lib.ones(2, 3), lib.ones(3, 4))),
    ("exp", lambda lib: (lib.zeros(3),)),
    ("sum", lambda lib: (lib.ones(2, 3), 1)),
    ("maximum", lambda lib: (lib.ones(2), lib.zeros(2))),
]


@pytest.mark.parametrize("name,make", OUT_CASES, ids=[c[0] for c in OUT_CASES])
def test_out_writes_into_the_given_tensor_as_torch(name, make):
    torch = _torch()
    results = []
    for lib in (mg, torch):
        expected = getattr(lib, name)(*make(lib))
        out = lib.empty(expected.shape)
        returned = getattr(lib, name)(*make(lib), out=out)
        assert returned is out
        results.append(out.numpy())
    np.testing.assert_allclose(*results)


def test_out_on_cat_stack_and_resizing_warns_as_torch():
    torch = _torch()
    for lib in (mg, torch):
        out = lib.empty(3)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.cat([lib.ones(2), lib.zeros(2)], out=out)
        assert out.shape == (4,) and "resized" in str(caught[0].message)
        stacked = lib.empty(0)
        lib.stack([lib.ones(2), lib.ones(2)], dim=1, out=stacked)
        assert stacked.shape == (2, 2)


def test_out_refuses_autograd_and_wrong_dtypes_as_torch():
    torch = _torch()
    for lib in (mg, torch):
        with pytest.raises(RuntimeError, match="mul\\(\\): functions with out=... arguments "
                           "don't support automatic differentiation"):  # fmt: skip
            lib.mul(lib.ones(2, requires_grad=True), 2.0, out=lib.empty(2))
        with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired "
                           "output type Long"):  # fmt: skip
            lib.add(lib.ones(2), 1.0, out=lib.zeros(2, dtype=lib.int64))
        with lib.no_grad():
            lib.mul(lib.ones(2, requires_grad=True), 2.0, out=lib.empty(2))
    with pytest.raises(TypeError, match="argument 'out' must be a Tensor"):
        mg.add(mg.ones(2), 1.0, out=np.empty(2))


def test_out_bumps_the_version_so_saved_values_go_stale():
    x = mg.ones(2, requires_grad=True)
    y = mg.zeros(2)
    z = (x * y).sum()
    mg.add(mg.ones(2), 1.0, out=y)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()


def test_axis_and_keepdims_aliases_as_torch():
    torch = _torch()
    data = np.arange(6.0).reshape(2, 3)
    for name in ("sum", "mean", "amax", "std", "softmax", "log_softmax"):
        kwargs = {"axis": 1} if "softmax" in name else {"axis": 1, "keepdims": True}
        ours = getattr(mg.tensor(data), name)(**kwargs)
        theirs = getattr(torch.tensor(data), name)(**kwargs)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, err_msg=name)
    np.testing.assert_array_equal(mg.sum(mg.tensor(data), axis=0).numpy(), data.sum(0))
    assert mg.cat([mg.ones(2, 1), mg.ones(2, 1)], axis=1).shape == (2, 2)
    with pytest.raises(TypeError, match="both dim= and its alias axis="):
        mg.ones(2).sum(dim=0, axis=0)


GRAD_FN_CASES = [
    lambda lib, x, y: x + y, lambda lib, x, y: x - y, lambda lib, x, y: x * y,
    lambda lib, x, y: x / y, lambda lib, x, y: x @ y.t(), lambda lib, x, y: x.sum(),
    lambda lib, x, y: x.sum(1), lambda lib, x, y: x.relu(), lambda lib, x, y: x.exp(),
    lambda lib, x, y: x.log(), lambda lib, x, y: x.tanh(), lambda lib, x, y: x.sigmoid(),
    lambda lib, x, y: -x, lambda lib, x, y: x.sqrt(), lambda lib, x, y: x.view(6),
    lambda lib, x, y: x.permute(1, 0), lambda lib, x, y: x.clamp(0.1, 0.5),
    lambda lib, x, y: x.amax(1), lambda lib, x, y: lib.cat([x, y]),
    lambda lib, x, y: x.log_softmax(1), lambda lib, x, y: x ** 2,
    lambda lib, x, y: x[0] @ y[0], lambda lib, x, y: x @ y[0],
]  # fmt: skip


@pytest.mark.parametrize("case", GRAD_FN_CASES)
def test_grad_fn_names_match_torch(case):
    torch = _torch()
    names = []
    for lib in (mg, torch):
        x = lib.full((2, 3), 0.3, requires_grad=True)
        y = lib.full((2, 3), 0.7, requires_grad=True)
        out = case(lib, x, y)
        names.append(out.grad_fn.name())
        assert repr(out.grad_fn).startswith(f"<{names[-1]} object at 0x")
        assert repr(out).endswith(f"grad_fn=<{names[-1]}>)")
    assert names[0] == names[1]


def test_next_functions_lead_to_the_producers():
    x = mg.ones(2, requires_grad=True)
    y = (x * 2).exp()
    assert y.grad_fn.name() == "ExpBackward0"
    assert y.grad_fn.next_functions[0][0].name() == "MulBackward0"


def test_user_functions_are_named_as_in_torch():
    class Cube(mg.Function):
        @staticmethod
        def forward(ctx, x):
            return x**3

        @staticmethod
        def backward(ctx, grad):
            return grad

    assert Cube.apply(mg.ones(2, requires_grad=True)).grad_fn.name() == "CubeBackward"


def test_new_factories_as_torch():
    torch = _torch()
    for lib in (mg, torch):
        x = lib.ones(2, dtype=lib.float64)
        assert x.new_zeros(2, 3).shape == (2, 3) and x.new_zeros((2, 3)).dtype == lib.float64
        assert x.new_ones(3).dtype == lib.float64 and x.new_empty(4).shape == (4,)
        assert x.new_full((2,), 3).tolist() == [3.0, 3.0]
        assert x.new_tensor([1, 2]).dtype == lib.float64
        assert x.new_zeros(2, dtype=lib.int64).dtype == lib.int64
        assert x.new_ones(2, requires_grad=True).requires_grad
        assert x.new_zeros(2, device="cpu").device == x.device
    with pytest.raises(RuntimeError, match="found no GPU"):
        mg.ones(2).new_zeros(2, device="cuda")


def test_equal_matches_torch():
    torch = pytest.importorskip("torch")
    cases = [
        ([1.0, 2.0], [1.0, 2.0]),
        ([1.0, 2.0], [1.0, 3.0]),
        ([1.0, 2.0], [[1.0, 2.0]]),
        ([float("nan")], [float("nan")]),
    ]
    for a, b in cases:
        assert mg.equal(mg.tensor(a), mg.tensor(b)) is torch.equal(torch.tensor(a), torch.tensor(b))
    assert mg.tensor([1, 2]).equal(mg.tensor([1, 2])) is True
    with pytest.raises(TypeError, match="'other' must be Tensor"):
        mg.equal(mg.tensor([1.0]), [1.0])
