"""PyTorch's own OpInfo samples for minigrad's torch-level ops (``mg.NAME`` and ``Tensor.NAME``).

The names come from the op-table files (``MATH_OPINFO`` in op_db_math.py, ``SHAPE_OPINFO`` in
op_db_shape.py): an entry is an OpInfo name (every variant of it) or ``name.variant``. Each
sample of ``op_db`` runs through minigrad's function and, where PyTorch has one, its method,
with its arguments converted (``device=`` and ``memory_format=`` dropped), in every dtype of
float32, float64, int64 and bool that PyTorch supports for the op: values, shapes and dtypes of
every output, and gradients for a random upstream, must equal PyTorch's.
"""

import warnings

import numpy as np
import pytest
from op_db_math import MATH_OPINFO
from op_db_shape import SHAPE_OPINFO

import minigrad as mg

torch = pytest.importorskip("torch")
common = pytest.importorskip("torch.testing._internal.common_methods_invocations")

WANTED = set(MATH_OPINFO) | set(SHAPE_OPINFO)


def _full_name(op):
    return op.name + (f".{op.variant_test_name}" if op.variant_test_name else "")


OPINFOS = {
    _full_name(op): op
    for op in common.op_db
    if (op.name in WANTED or _full_name(op) in WANTED) and op.variant_test_name != "complex"
}
# Variants of a listed name that minigrad does not support yet (the README lists them).
MISSING_VARIANTS = set()
# Samples of a listed op that minigrad refuses on purpose (with a NotImplementedError naming
# the case); skipped here, and listed in the README as missing.
KNOWN_GAPS = {}
# Ops whose indices for tied values are PyTorch's implementation's choice: an index passes
# when the input holds the same value there as at PyTorch's index.
# float32 results that PyTorch's own float32 misses by more than the default tolerance: on
# logcumsumexp's sample holding 1e4, torch's float32 gradient is 3.2e-3 from the float64 one
# and minigrad's 3.8e-3, so the two differ by that much too.
FLOAT32_TOLERANCE = {"logcumsumexp": {"rtol": 1e-4, "atol": 1e-2}}
TIE_ORDER = {"sort": 0, "argsort": 0, "topk": 1, "kthvalue": 1, "median": 0}
OPINFOS = {name: op for name, op in OPINFOS.items() if name not in MISSING_VARIANTS}
DTYPES = (torch.float32, torch.float64, torch.int64, torch.bool)


def _convert(x):
    if isinstance(x, torch.Tensor):
        return mg.tensor(x.detach().numpy().copy(), requires_grad=x.requires_grad)
    if isinstance(x, list | tuple):
        return type(x)(_convert(v) for v in x)
    if isinstance(x, dict):
        return {k: _convert(v) for k, v in x.items()}
    if isinstance(x, torch.dtype):
        return np.dtype(str(x).removeprefix("torch."))
    return x


def _tensors(x):
    if isinstance(x, torch.Tensor | mg.Tensor):
        return [x]
    if isinstance(x, list | tuple):
        return [t for v in x for t in _tensors(v)]
    return []


def _function(name):
    target = mg
    for part in name.split("."):
        target = getattr(target, part)
    return target


def _compare(ours, theirs, tolerance):
    """Outputs equal: the same nesting, shapes, dtypes and values (Python values as values)."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, mg.Tensor), f"expected a Tensor, got {type(ours).__name__}"
        want = theirs.detach().numpy()
        assert ours.shape == want.shape, f"shape {ours.shape} != {want.shape}"
        assert str(ours.dtype) == str(want.dtype), f"dtype {ours.dtype} != {want.dtype}"
        np.testing.assert_allclose(ours.numpy(), want, equal_nan=True, **tolerance)
    elif isinstance(theirs, list | tuple):
        assert isinstance(ours, list | tuple) and len(ours) == len(theirs)
        for mine, want in zip(ours, theirs):
            _compare(mine, want, tolerance)
    else:
        assert ours == theirs, f"{ours!r} != {theirs!r}"


def _run(name, op, sample, dtype, call):
    kwargs = {k: v for k, v in sample.kwargs.items() if k not in ("device", "memory_format")}
    args = [sample.input, *sample.args]
    expected = op.op(*args, **kwargs)
    ours_args, ours_kwargs = _convert(args), _convert(kwargs)
    if name in TIE_ORDER and isinstance(sample.input, torch.Tensor) and sample.input.ndim:
        expected = _tie_checked(name, sample, expected, call(*ours_args, **ours_kwargs))
    tolerance = (
        {"rtol": 1e-7, "atol": 1e-9} if dtype == torch.float64 else {"rtol": 1e-4, "atol": 1e-5}
    )
    if dtype == torch.float32:
        tolerance = FLOAT32_TOLERANCE.get(name, tolerance)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        out = call(*ours_args, **ours_kwargs)
        _compare(out, expected, tolerance)
        theirs = [t for t in _tensors(args) if t.requires_grad]
        ours = [t for t in _tensors(ours_args) if t.requires_grad]
        outputs = [
            (mine, want)
            for mine, want in zip(_tensors(out), _tensors(expected))
            if want.requires_grad and want.numel()
        ]
        if not (theirs and outputs):
            return
        rng = np.random.default_rng(0)
        upstreams = [rng.standard_normal(want.shape).astype(mine.dtype) for mine, want in outputs]
        grads = torch.autograd.grad(
            [want for _, want in outputs],
            theirs,
            [torch.tensor(u) for u in upstreams],
            allow_unused=True,
        )
        mg.autograd.backward([mine for mine, _ in outputs], [mg.tensor(u) for u in upstreams])
        for mine, grad in zip(ours, grads):
            if grad is None:
                assert mine.grad is None or not np.any(mine.grad.numpy())
            else:
                assert mine.grad is not None, "no gradient where PyTorch has one"
                np.testing.assert_allclose(mine.grad.numpy(), grad.numpy(force=True), **tolerance)


def _tie_checked(name, sample, theirs, ours):
    """PyTorch's result with its tie-broken indices replaced by ours where both index the same
    value of the input (so that _compare checks everything else as usual)."""
    x = sample.input.detach().numpy()
    position = TIE_ORDER[name]
    dim = sample.kwargs.get("dim", sample.args[position] if len(sample.args) > position else -1)
    keepdim = sample.kwargs.get("keepdim", False) or (
        len(sample.args) > position + 1 and name in ("kthvalue", "median") and sample.args[-1]
    )

    def fix(their_index, our_index):
        mine, want = our_index.numpy(), their_index.numpy()
        if mine.shape != want.shape:
            return their_index
        if name in ("kthvalue", "median") and not keepdim:
            mine, want = np.expand_dims(mine, dim), np.expand_dims(want, dim)
        same = np.take_along_axis(x, mine, dim) == np.take_along_axis(x, want, dim)
        both_nan = np.isnan(np.take_along_axis(x, mine, dim).astype(float)) & np.isnan(
            np.take_along_axis(x, want, dim).astype(float)
        )
        if (same | both_nan).all():
            return torch.from_numpy(our_index.numpy().copy())
        return their_index

    if name == "argsort":
        return fix(theirs, ours)
    if isinstance(theirs, torch.Tensor):  # median() of everything: a value, no index
        return theirs
    return type(theirs)((theirs[0], fix(theirs[1], ours[1])))


def _describe(value):
    """A sample's arguments as shapes and dtypes: their values would fill the report."""
    if isinstance(value, torch.Tensor):
        return f"{str(value.dtype).removeprefix('torch.')}{list(value.shape)}"
    if isinstance(value, list | tuple):
        return "(" + ", ".join(_describe(v) for v in value) + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_describe(v)}" for k, v in value.items()) + "}"
    if hasattr(value, "input") and hasattr(value, "kwargs"):  # a SampleInput
        return _describe((value.input, *value.args)) + " " + _describe(value.kwargs)
    return repr(value)


# OpInfo entries whose ``op`` is a lambda rather than torch's function: the same call in minigrad.
ADAPTERS = {
    "where": lambda self, condition, other: mg.where(condition, self, other),
    "einsum": lambda tensors, equation: mg.einsum(equation, *tensors),
    "meshgrid": lambda *tensors, **kwargs: mg.meshgrid(*tensors, **kwargs),
    # its op is torch._C's linalg_norm, the function behind torch.linalg.norm
    "linalg.norm.subgradients_at_zero": lambda *args, **kwargs: mg.linalg.norm(*args, **kwargs),
}


def _calls(name, op):
    """minigrad's function and method, for the variants that PyTorch's entry calls directly."""
    base = name.split(".")
    function_name = ".".join(base[:2] if base[0] == "linalg" else base[:1])
    calls = []
    torch_function = getattr(torch.linalg if base[0] == "linalg" else torch, base[-1], None)
    if name in ADAPTERS or base[0] in ADAPTERS:
        calls.append(("function", ADAPTERS.get(name, ADAPTERS.get(base[0]))))
    elif op.op is torch_function:
        calls.append(("function", _function(function_name)))
    method = getattr(mg.Tensor, function_name, None)
    if method is not None and op.method_variant is getattr(torch.Tensor, function_name, None):
        calls.append(("method", lambda t, *args, **kwargs: method(t, *args, **kwargs)))
    return calls


@pytest.mark.parametrize("name", sorted(OPINFOS))
def test_opinfo_samples_match_torch(name):
    op = OPINFOS[name]
    supported = op.supported_dtypes("cpu")
    passed, failures = 0, []
    assert _calls(name, op), f"{name}: no minigrad call (add an adapter)"
    for dtype in (d for d in DTYPES if d in supported):
        grad = op.supports_autograd and dtype.is_floating_point
        for sample in op.sample_inputs("cpu", dtype, requires_grad=grad):
            if name in KNOWN_GAPS and KNOWN_GAPS[name](sample):
                continue
            for kind, call in _calls(name, op):
                try:
                    _run(name, op, sample, dtype, call)
                    passed += 1
                except Exception as error:  # collect every failing sample, then report them all
                    message = f"{type(error).__name__}: {error}".replace("\n", " ")
                    failures.append(f"{kind} {_describe(sample)}: {message}"[:400])
    assert not failures, f"{len(failures)} of {passed + len(failures)} samples:\n" + "\n".join(
        failures[:30]
    )
    assert passed > 0


def test_every_listed_name_has_opinfo_samples():
    listed = {n for n in WANTED if not any(k == n or k.startswith(n + ".") for k in OPINFOS)}
    assert not listed, f"no OpInfo entry for {sorted(listed)}"
