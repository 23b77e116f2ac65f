"""Tensor's own methods on the test-only 'strict' device (tests/strict_backend.py): printing,
Python conversions, indexing and index assignment, in-place ops, comparisons, sorting and a
sample of the math and shape methods, each compared with the same computation on the CPU.

A strict array raises when it meets a numpy array, so a method that builds a helper array
with numpy (an index, a mask, a 0-d constant) instead of the input's array module fails here.
"""

import numpy as np
import pytest
import strict_backend

import minigrad as mg
from minigrad.backend import to_host

SAME_DEVICE = "Expected all tensors to be on the same device"


pytestmark = pytest.mark.usefixtures("strict_device")


def _strict(data, **kwargs):
    return mg.tensor(data, device="strict", **kwargs)


_is_strict = strict_backend.is_strict


def _same(strict, cpu, rtol=1e-6, atol=1e-7):
    """``strict`` (a tensor, or a tuple of them) is on 'strict' and holds ``cpu``'s values."""
    if isinstance(cpu, tuple | list):
        assert len(strict) == len(cpu)
        for s, c in zip(strict, cpu):
            _same(s, c, rtol, atol)
        return
    assert _is_strict(strict), f"expected a strict-device result, got {type(strict._data)}"
    assert strict.shape == cpu.shape and strict.dtype == cpu.dtype
    np.testing.assert_allclose(to_host(strict._data), cpu.numpy(), rtol=rtol, atol=atol)


def _pair(array, requires_grad=False):
    """The same values as a CPU tensor and a strict one."""
    return (
        mg.tensor(array, requires_grad=requires_grad),
        _strict(array, requires_grad=requires_grad),
    )


RNG = np.random.default_rng(0)
DATA = RNG.standard_normal((3, 4, 5))


# ---- printing and Python conversions ------------------------------------------------------


def test_repr_prints_the_values_and_the_device_as_pytorch():
    assert repr(_strict([1.0, 2.0], dtype=mg.float64)) == (
        "tensor([1., 2.], device='strict', dtype=minigrad.float64)"
    )
    assert repr(_strict([1.5, 2.0])) == "tensor([1.5000, 2.0000], device='strict')"
    assert repr(_strict([1, 2])) == "tensor([1, 2], device='strict')"
    assert repr(_strict(3.0)) == "tensor(3., device='strict')"
    assert repr(_strict([True, False])) == "tensor([ True, False], device='strict')"
    assert repr(_strict([1.0, 2.0], requires_grad=True)) == (
        "tensor([1., 2.], device='strict', requires_grad=True)"
    )
    x = _strict([1.0, 2.0], requires_grad=True)
    assert repr(x * 2) == "tensor([2., 4.], device='strict', grad_fn=<MulBackward0>)"
    assert repr(_strict(np.zeros((0, 2), np.float32))) == (
        "tensor([], device='strict', size=(0, 2))"
    )
    assert repr(_strict(np.zeros(0, np.int32))) == (
        "tensor([], device='strict', dtype=minigrad.int32)"
    )
    grid = np.arange(6.0, dtype=np.float32).reshape(2, 3) / 4
    assert repr(_strict(grid)) == repr(mg.tensor(grid))[:-1] + ", device='strict')"
    assert str(_strict([1, 2])) == repr(_strict([1, 2]))
    assert "device" not in repr(mg.tensor([1.0]))  # the CPU is not named, as in PyTorch


def test_python_conversions_use_a_host_copy():
    x = _strict([[1.5, 2.0, -3.0]])
    assert x.tolist() == [[1.5, 2.0, -3.0]]
    assert x[0, 1].item() == 2.0 and float(x[0, 0]) == 1.5 and int(x[0, 2]) == -3
    assert bool(_strict([True])) and not _strict(0.0)
    assert [10, 20, 30][_strict(1)] == 20  # __index__
    assert len(x) == 1 and len(x[0]) == 3
    rows = list(_strict([[1, 2], [3, 4]]))
    assert all(_is_strict(r) for r in rows) and [r.tolist() for r in rows] == [[1, 2], [3, 4]]
    assert f"{_strict(2.25):.1f}" == "2.2"
    assert _strict([1, 2]).equal(_strict([1, 2])) and not _strict([1, 2]).equal(_strict([1, 3]))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(_strict([1.0, 2.0]))
    with pytest.raises(ValueError, match="cannot be converted to a Python number"):
        _strict([1.0, 2.0]).item()
    with pytest.raises(TypeError, match="can't convert strict device type tensor to numpy"):
        x.numpy()
    with pytest.raises(TypeError, match="can't convert strict device type tensor to numpy"):
        np.asarray(x)
    np.testing.assert_array_equal(x.numpy(force=True), [[1.5, 2.0, -3.0]])


def test_tensor_copies_a_device_tensor_on_its_device():
    x = _strict([1.0, 2.0])
    y = mg.tensor(x)
    assert _is_strict(y) and y.tolist() == [1.0, 2.0]
    y[0] = 5.0
    assert x.tolist() == [1.0, 2.0]  # a copy
    as_double = mg.tensor(x, dtype=mg.float64)
    assert _is_strict(as_double) and as_double.dtype == mg.float64
    on_cpu = mg.tensor(x, device="cpu")
    assert on_cpu.device == "cpu" and type(on_cpu._data) is np.ndarray
    assert _is_strict(mg.tensor(on_cpu, device="strict"))
    assert _is_strict(mg.tensor(x._data))  # a device array stays on its device
    assert mg.as_tensor(x) is x and mg.as_tensor(x, device="cpu").device == "cpu"
    assert _is_strict(mg.Tensor(_strict([1, 2]))) and mg.Tensor(_strict([1, 2])).dtype == mg.float32
    with pytest.raises(TypeError, match="from_numpy expects an np.ndarray"):
        mg.from_numpy(x._data)
    for made in (x.new_tensor([3.0]), x.new_zeros(2), x.new_ones(2), x.new_full((2,), 4.0)):
        assert _is_strict(made)
    assert x.new_empty(3).shape == (3,) and _is_strict(x.new_empty(3))
    assert x.new_zeros(2, device="cpu").device == "cpu"


# ---- indexing -------------------------------------------------------------------------------

# Each index is made per device: (the index for the CPU, the index for 'strict').
INDICES = {
    "int": lambda dev: 1,
    "negative": lambda dev: -1,
    "slice": lambda dev: slice(1, None),
    "step": lambda dev: (slice(None), slice(None, None, 2)),
    "none_ellipsis": lambda dev: (None, Ellipsis, 1),
    "mask_tensor": lambda dev: mg.tensor(DATA > 0, device=dev),
    "mask_on_cpu": lambda dev: mg.tensor(DATA[:, :, 0] > 0),
    "mask_numpy": lambda dev: DATA[:, :, 1] > 0,
    "int_tensor": lambda dev: mg.tensor([2, 0, 2], device=dev),
    "int_tensor_on_cpu": lambda dev: mg.tensor([2, 0, 2]),
    "zero_d_tensor": lambda dev: mg.tensor(1, device=dev),
    "list": lambda dev: [0, 2, 0],
    "numpy": lambda dev: np.array([[1, 0], [2, 2]]),
    "mixed": lambda dev: (slice(None), [0, 3, 3], mg.tensor([4, 0, 1], device=dev)),
    "mixed_slices": lambda dev: ([1, 2], slice(1, 3), Ellipsis),
    "mask_and_slice": lambda dev: (slice(None), mg.tensor(DATA[0, :, 0] > 0, device=dev)),
}


@pytest.mark.parametrize("kind", list(INDICES))
def test_getitem_on_the_device(kind):
    cpu, strict = _pair(DATA, requires_grad=True)
    expected, out = cpu[INDICES[kind]("cpu")], strict[INDICES[kind]("strict")]
    _same(out, expected)
    upstream = RNG.standard_normal(expected.shape)
    expected.backward(mg.tensor(upstream))
    out.backward(_strict(upstream))
    _same(strict.grad, cpu.grad)


def test_device_indices_do_not_index_a_cpu_tensor():
    with pytest.raises(RuntimeError, match="indices should be either on cpu or on the same device"):
        mg.tensor(DATA)[_strict([0, 1])]
    with pytest.raises(RuntimeError, match="indices should be either on cpu or on the same device"):
        mg.tensor(DATA)[_strict(DATA > 0)]


VALUES = {
    "number": lambda dev: -7.0,
    "tensor": lambda dev: mg.tensor(np.full(5, 2.5), device=dev),
    "zero_d_cpu": lambda dev: mg.tensor(3.0),
    "numpy": lambda dev: np.arange(5.0),
    "list": lambda dev: [1.0, 2.0, 3.0, 4.0, 5.0],
}


@pytest.mark.parametrize("kind", list(INDICES))
@pytest.mark.parametrize("value", ["number", "tensor", "zero_d_cpu"])
def test_setitem_on_the_device(kind, value):
    cpu, strict = _pair(DATA)
    target = cpu[INDICES[kind]("cpu")]
    if value == "tensor" and target.shape[-1:] != (5,):
        pytest.skip("the value broadcasts only to a last dimension of 5")
    cpu[INDICES[kind]("cpu")] = VALUES[value]("cpu")
    strict[INDICES[kind]("strict")] = VALUES[value]("strict")
    _same(strict, cpu)


@pytest.mark.parametrize("value", list(VALUES))
def test_setitem_values_given_on_the_host(value):
    cpu, strict = _pair(DATA)
    cpu[1, 2] = VALUES[value]("cpu")
    strict[1, 2] = VALUES[value]("cpu")  # numbers, lists, arrays and tensors from the host
    _same(strict, cpu)


def test_setitem_across_devices_as_pytorch():
    strict = _strict(np.zeros((2, 3)))
    strict[0] = mg.tensor([1.0, 2.0, 3.0])  # into a slice: a copy, as copy_
    strict[[1, 1], [0, 2]] = mg.tensor(4.0)  # a 0-d CPU tensor goes anywhere
    assert _is_strict(strict) and strict.tolist() == [[1.0, 2.0, 3.0], [4.0, 0.0, 4.0]]
    with pytest.raises(RuntimeError, match=SAME_DEVICE):
        strict[[0, 1]] = mg.tensor(np.ones((2, 3)))  # advanced indexing: on one device
    cpu = mg.tensor(np.zeros((2, 3)))
    cpu[1] = _strict([7.0, 8.0, 9.0])  # a slice of a CPU tensor takes a device tensor's copy
    assert type(cpu._data) is np.ndarray and cpu.tolist() == [[0.0] * 3, [7.0, 8.0, 9.0]]


def test_setitem_is_recorded_on_the_device():
    results = []
    for dev in ("cpu", "strict"):
        x = mg.tensor(DATA, device=dev, requires_grad=True)
        v = mg.tensor(np.arange(5.0), device=dev, requires_grad=True)
        y = x * 2
        y[mg.tensor(DATA[:, 0, 0] > 0, device=dev)] = v
        y[:, 1] = v * 3
        (y * y).sum().backward()
        results.append((y, x.grad, v.grad))
    for ours, expected in zip(results[1], results[0]):
        _same(ours.detach(), expected.detach())


# ---- in-place ops ---------------------------------------------------------------------------

INPLACE = {
    "add_": lambda t, dev: t.add_(mg.tensor(np.arange(5.0), device=dev), alpha=2),
    "add_number": lambda t, dev: t.add_(1.5),
    "add_zero_d_cpu": lambda t, dev: t.add_(mg.tensor(2.0)),
    "iadd": lambda t, dev: t.__iadd__(1),
    "sub_": lambda t, dev: t.sub_(mg.tensor(DATA[0], device=dev)),
    "mul_": lambda t, dev: t.mul_(mg.tensor(DATA, device=dev)),
    "mul_number": lambda t, dev: t.mul_(-2),
    "div_": lambda t, dev: t.div_(4.0),
    "clamp_": lambda t, dev: t.clamp_(-0.5, 0.5),
    "clamp_tensor": lambda t, dev: t.clamp_(mg.tensor(DATA[0] * 0, device=dev)),
    "zero_": lambda t, dev: t.zero_(),
    "fill_": lambda t, dev: t.fill_(3.5),
    "fill_zero_d_cpu": lambda t, dev: t.fill_(mg.tensor(1.25)),
    "copy_from_cpu": lambda t, dev: t.copy_(mg.tensor(DATA[:, :1] * 3)),
    "copy_same_device": lambda t, dev: t.copy_(mg.tensor(DATA[0], device=dev)),
    "copy_numpy": lambda t, dev: t.copy_(np.ones(5)),
    "view_mul_": lambda t, dev: t[1:, 2].mul_(10),
    "setitem_view": lambda t, dev: t[0].__setitem__(slice(None), 0.5),
}


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_ops_on_the_device(name):
    cpu, strict = _pair(DATA)
    INPLACE[name](cpu, "cpu")
    INPLACE[name](strict, "strict")
    _same(strict, cpu)
    assert strict._version == cpu._version


@pytest.mark.parametrize("name", ["add_", "mul_", "clamp_", "fill_", "copy_from_cpu", "view_mul_"])
def test_inplace_ops_are_recorded_on_the_device(name):
    grads = []
    for dev in ("cpu", "strict"):
        x = mg.tensor(DATA, device=dev, requires_grad=True)
        y = x * 1.0
        INPLACE[name](y, dev)
        (y * y).sum().backward()
        grads.append((y.detach(), x.grad))
    _same(grads[1], grads[0])


def test_copy_from_the_cpu_carries_the_gradient_back():
    source = mg.tensor(DATA[0], requires_grad=True)
    target = _strict(np.zeros((4, 5))) * 1.0
    target.copy_(source)
    assert _is_strict(target)
    (target * 2).sum().backward()
    assert source.grad.device == "cpu"
    np.testing.assert_allclose(source.grad.numpy(), 2.0)


def test_random_fills_stay_on_the_device():
    x = _strict(np.zeros((2, 3)))
    assert _is_strict(x.uniform_(0, 1)) and ((x >= 0) & (x <= 1)).all()
    assert _is_strict(x.normal_(0, 1))


def test_inplace_ops_refuse_tensors_of_another_device():
    with pytest.raises(RuntimeError, match=SAME_DEVICE):
        _strict(DATA).add_(mg.tensor(DATA))
    with pytest.raises(RuntimeError, match=SAME_DEVICE):
        mg.tensor(DATA).mul_(_strict(DATA))


# ---- comparisons and logic ------------------------------------------------------------------

COMPARISONS = {
    "eq": lambda a, b: a == b,
    "ne_number": lambda a, b: a != 0.5,
    "lt": lambda a, b: a < b,
    "le_zero_d_cpu": lambda a, b: a <= mg.tensor(0.1),
    "gt_list": lambda a, b: a > [0.0, 0.1, 0.2, 0.3, 0.4],
    "ge": lambda a, b: a.ge(b),
    "isclose": lambda a, b: a.isclose(b, atol=0.5),
    "logical_and": lambda a, b: (a > 0).logical_and(b > 0),
    "logical_or_number": lambda a, b: (a > 0).logical_or(False),
    "bitwise_and": lambda a, b: (a > 0) & (b > 0),
    "bitwise_xor_number": lambda a, b: (a > 0).long() ^ 3,
    "bitwise_not": lambda a, b: ~(a > 0),
    "shift": lambda a, b: (a > 0).long() << 2,
    "all": lambda a, b: (a > -5).all(),
    "any_dim": lambda a, b: (a > 1).any(dim=1),
    "all_uint8": lambda a, b: (a > 0).to(mg.uint8).all(dim=0),
}


@pytest.mark.parametrize("name", list(COMPARISONS))
def test_comparisons_on_the_device(name):
    (a_cpu, a), (b_cpu, b) = _pair(DATA), _pair(DATA[::-1].copy())
    _same(COMPARISONS[name](a, b), COMPARISONS[name](a_cpu, b_cpu))


def test_comparisons_and_equal_refuse_tensors_of_another_device():
    with pytest.raises(RuntimeError, match=SAME_DEVICE):
        _strict(DATA).eq(mg.tensor(DATA))
    with pytest.raises(RuntimeError, match=SAME_DEVICE):
        _strict(DATA).equal(mg.tensor(DATA))
    with pytest.raises(RuntimeError, match=SAME_DEVICE):
        _strict([1, 2]) & mg.tensor([1, 0])
    assert _strict(DATA).allclose(_strict(DATA)) is True


# ---- sorting and selection ------------------------------------------------------------------

WITH_NANS = np.where(RNG.random((4, 6)) < 0.2, np.nan, np.round(RNG.standard_normal((4, 6)), 1))

SORTING = {
    "sort": lambda t: t.sort(),
    "sort_dim0_descending": lambda t: t.sort(0, descending=True),
    "argsort_descending": lambda t: t.argsort(descending=True),
    "msort": lambda t: t.msort(),
    "topk": lambda t: t.topk(2),
    "topk_smallest": lambda t: t.topk(3, dim=0, largest=False),
    "kthvalue": lambda t: t.kthvalue(2, dim=1),
    "median": lambda t: t.median(),
    "median_dim": lambda t: t.median(1, keepdim=True),
    "cummax": lambda t: t.cummax(1),
    "cummin": lambda t: t.cummin(0),
    "unique": lambda t: t.round().unique(return_inverse=True, return_counts=True),
    "unique_dim": lambda t: (t > 0).unique(dim=0),
    "nonzero": lambda t: (t > 0).nonzero(),
    "nonzero_tuple": lambda t: (t > 0).nonzero(as_tuple=True),
    "argwhere": lambda t: t.argwhere(),
    "max_dim": lambda t: t.max(1),
    "argmax": lambda t: t.argmax(),
    "argmin_dim": lambda t: t.argmin(0, keepdim=True),
    "count_nonzero": lambda t: (t > 0).count_nonzero(dim=1),
}


@pytest.mark.parametrize("name", list(SORTING))
@pytest.mark.parametrize("data", ["finite", "nans"])
def test_sorting_and_selection_on_the_device(name, data):
    array = DATA[0] if data == "finite" else WITH_NANS
    cpu, strict = _pair(array)
    _same(SORTING[name](strict), SORTING[name](cpu))


def test_sorting_descending_with_ties_nans_and_infinities():
    array = np.array([[1.0, np.nan, np.inf, 1.0, -np.inf, np.nan, 0.0]] * 2)
    cpu, strict = _pair(array)
    _same(strict.sort(descending=True), cpu.sort(descending=True))
    ints = np.array([[3, 1, 3, 2], [0, 0, 5, -1]])
    _same(_strict(ints).sort(descending=True), mg.tensor(ints).sort(descending=True))
    bools = np.array([True, False, True])
    _same(_strict(bools).sort(descending=True), mg.tensor(bools).sort(descending=True))


def test_sort_carries_gradients_on_the_device():
    grads = []
    for dev in ("cpu", "strict"):
        x = mg.tensor(DATA[0], device=dev, requires_grad=True)
        values, _ = x.sort(descending=True)
        top, _ = x.topk(2, dim=0)
        (values[:, :2].sum() * 2 + top.sum() + x.median()).backward()
        grads.append(x.grad)
    _same(grads[1], grads[0])


# ---- combining tensors ----------------------------------------------------------------------


def test_cat_stack_and_where_refuse_mixed_devices():
    a, b = _strict(DATA), mg.tensor(DATA)
    for combine in (
        lambda: mg.cat([a, b]),
        lambda: mg.stack([a, b]),
        lambda: mg.stack([_strict(1.0), mg.tensor(2.0)]),
        lambda: mg.where(a > 0, a, b),
        lambda: mg.where(b > 0, a, 0.0),
        lambda: a.masked_fill(b > 0, 1.0),
        lambda: mg.maximum(a, b),
        lambda: mg.einsum("ijk,ijk->i", a, b),
        lambda: a.matmul(b.transpose(1, 2)),
    ):
        with pytest.raises(RuntimeError, match=SAME_DEVICE):
            combine()


def test_meshgrid_refuses_mixed_devices_as_pytorch():
    with pytest.raises(RuntimeError, match="meshgrid expects all tensors to have the same device"):
        mg.meshgrid(_strict([1.0, 2.0]), mg.tensor([3.0]))


def test_combining_on_one_device_stays_there():
    (cpu, strict), (cpu_b, strict_b) = _pair(DATA), _pair(DATA * 2)
    _same(mg.cat([strict, strict_b], dim=1), mg.cat([cpu, cpu_b], dim=1))
    _same(mg.stack([strict, strict_b], dim=-1), mg.stack([cpu, cpu_b], dim=-1))
    _same(mg.where(strict > 0, strict, strict_b), mg.where(cpu > 0, cpu, cpu_b))
    _same(mg.where(strict > 0, strict, mg.tensor(0.5)), mg.where(cpu > 0, cpu, mg.tensor(0.5)))
    _same(mg.where(strict > 0, 1.0, -1.0), mg.where(cpu > 0, 1.0, -1.0))
    _same(mg.where(DATA > 0, strict, 0.0), mg.where(DATA > 0, cpu, 0.0))  # a host condition
    _same(strict.masked_fill(DATA > 0, 2.0), cpu.masked_fill(DATA > 0, 2.0))


def test_out_must_be_on_the_results_device():
    a = _strict(DATA)
    with pytest.raises(RuntimeError, match="out tensor to have device strict, but got cpu"):
        mg.add(a, a, out=mg.tensor(np.zeros(DATA.shape)))
    out = _strict(np.zeros(DATA.shape))
    mg.add(a, a, out=out)
    _same(out, mg.tensor(DATA * 2))


# ---- a sample of the math and shape methods -------------------------------------------------

METHODS = {
    "tril": lambda t: t.tril(),
    "triu": lambda t: t.triu(1),
    "diagonal": lambda t: t.diagonal(1, 1, 2),
    "diag_embed": lambda t: t[0].diag_embed(-1),
    "diag": lambda t: t[0, 0].diag(),
    "trace": lambda t: t[0].trace(),
    "roll": lambda t: t.roll((1, -2), (0, 2)),
    "roll_flat": lambda t: t.roll(3),
    "flip": lambda t: t.flip(0, 2),
    "rot90": lambda t: t.rot90(1, (1, 2)),
    "repeat_interleave": lambda t: t.repeat_interleave(2, dim=1),
    "repeat_interleave_tensor": lambda t: t.repeat_interleave(mg.tensor([1, 0, 2]), dim=0),
    "take": lambda t: t.take(mg.tensor([0, -1, 7])),
    "take_along_dim": lambda t: t.take_along_dim(mg.tensor([[[0], [-1], [2], [1]]]), dim=2),
    "gather": lambda t: t.gather(2, mg.tensor(np.zeros((3, 4, 2), np.int64) + [1, 3])),
    "index_select_list": lambda t: t.index_select(1, [3, 0]),
    "index_select": lambda t: t.index_select(0, mg.tensor([2, 2])),
    "masked_select": lambda t: t.masked_select(t > 0.5),
    "index_fill": lambda t: t.index_fill(2, mg.tensor([0, 4]), -1.0),
    "scatter_value": lambda t: t.scatter(1, mg.tensor(np.ones((3, 1, 5), np.int64)), 9.0),
    "scatter_add_reduce": lambda t: t.detach().scatter(
        2, mg.tensor(np.zeros((3, 4, 2), np.int64)), 2.0, reduce="add"
    ),
    "scatter_multiply": lambda t: t.detach().scatter(
        2, mg.tensor(np.zeros((3, 4, 2), np.int64)), t.detach(), reduce="multiply"
    ),
    "index_copy": lambda t: t.index_copy(1, mg.tensor([3, 1]), t[:, :2] * 10),
    "masked_scatter": lambda t: t.masked_scatter(t > 0, t.flatten() * 5),
    "nan_to_num": lambda t: (t / (t > 0)).nan_to_num(posinf=7.0),
    "logsumexp": lambda t: t.logsumexp(1),
    "nansum": lambda t: (t / (t > 0)).nansum(0),
    "nanmean": lambda t: mg.where(t > 0, t, np.nan).nanmean(1),
    "std": lambda t: t.std(dim=2),
    "std_constant": lambda t: (t * 0).std(dim=0),
    "norm": lambda t: t.norm(dim=(1, 2)),
    "prod": lambda t: t.prod(1),
    "cumsum": lambda t: t.cumsum(2),
    "div_floor": lambda t: (t * 10).long().div(3, rounding_mode="floor"),
    "div_trunc": lambda t: (t * 10).long().div(mg.tensor(-3), rounding_mode="trunc"),
    "floor_divide": lambda t: (t * 10).long() // 4,
    "remainder": lambda t: (t * 10).long() % 3,
    "fmod": lambda t: t.fmod(0.3),
    "pow_bool": lambda t: (t > 0) ** True,
    "sign_int": lambda t: (t * 10).long().sign(),
    "cross": lambda t: t[:, :3, 0].cross(t[:, 1:4, 1], dim=1),
    "kron": lambda t: t[0, :2, :2].kron(t[1, :2, :3]),
    "addmm_beta0": lambda t: (t[0] / (t[0] > 0)).addmm(t[1, :, :4], t[2], beta=0),
    "addmm_bool": lambda t: (t[0] > 0).addmm((t[1, :, :4] > 0).long(), (t[2] > 0).long()),
    "einsum": lambda t: mg.einsum("ijk,ilk->ijl", t, t),
    "tensordot": lambda t: mg.tensordot(t, t, dims=([1, 2], [1, 2])),
    "broadcast_tensors": lambda t: mg.broadcast_tensors(t[:, :1], t[0])[0],
    "meshgrid": lambda t: mg.meshgrid(t[0, 0], t[0, :, 0], indexing="xy")[1],
    "split": lambda t: t.split([1, 3], dim=1),
    "tensor_split": lambda t: t.tensor_split(mg.tensor([1, 3]), dim=2),
    "unbind": lambda t: t.unbind(1),
    "chunk": lambda t: t.chunk(2, dim=2),
    "clamp_tensor": lambda t: t.clamp(min=t[0] * 0, max=mg.tensor(0.5)),
    "lerp": lambda t: t.lerp(t * 2, 0.25),
    "linalg_vector_norm": lambda t: mg.linalg.vector_norm(t, 3, dim=0),
    "linalg_det": lambda t: mg.linalg.det(t[:, :3, :3]),
}


@pytest.mark.parametrize("name", list(METHODS))
def test_methods_on_the_device_match_the_cpu(name):
    cpu, strict = _pair(DATA, requires_grad=True)
    expected, out = METHODS[name](cpu), METHODS[name](strict)
    _same(out, expected, rtol=1e-6, atol=1e-6)
    outs = out if isinstance(out, tuple) else (out,)
    expecteds = expected if isinstance(expected, tuple) else (expected,)
    differentiable = [(o, e) for o, e in zip(outs, expecteds) if e.requires_grad]
    if not differentiable:
        return
    for position, (o, e) in enumerate(differentiable):
        upstream = np.random.default_rng(position).standard_normal(e.shape)
        e.backward(mg.tensor(upstream, dtype=e.dtype), retain_graph=True)
        o.backward(_strict(upstream, dtype=o.dtype), retain_graph=True)
    _same(strict.grad, cpu.grad, rtol=1e-6, atol=1e-6)
