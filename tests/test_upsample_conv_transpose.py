"""interpolate, the Upsample layers, the transposed convolutions, fold/unfold and the
max-unpools: the layers against torch's (same weights, state_dicts loaded from torch), PyTorch's
initialisation, signatures, a slice of PyTorch's max_unpool OpInfo samples, and bad inputs
(torch's exception types, messages naming the argument)."""

import inspect
import itertools

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn

torch = pytest.importorskip("torch")

MODULES = (
    "ConvTranspose1d ConvTranspose2d Upsample UpsamplingNearest2d UpsamplingBilinear2d "
    "Fold Unfold MaxUnpool1d MaxUnpool2d"
)
FUNCTIONS = (
    "interpolate conv_transpose1d conv_transpose2d upsample upsample_nearest unfold fold "
    "max_unpool1d max_unpool2d"
)


def _close(ours, theirs, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", MODULES.split())
def test_module_constructor_arguments_match_torch(name):
    got = inspect.signature(getattr(nn, name)).parameters
    expected = inspect.signature(getattr(torch.nn, name)).parameters
    assert list(got) == list(expected)
    for key, parameter in expected.items():
        assert got[key].default == parameter.default, key


@pytest.mark.parametrize("name", FUNCTIONS.split())
def test_function_arguments_match_torch(name):
    theirs = getattr(torch.nn.functional, name)
    try:
        expected = list(inspect.signature(theirs).parameters)
    except (TypeError, ValueError):  # a builtin: its documented signature
        doc = theirs.__doc__.strip().splitlines()[0]
        inside = doc[doc.index("(") + 1 : doc.index(")")]
        expected = [a.split("=")[0].strip() for a in inside.split(",") if a.strip() != "*"]
    assert list(inspect.signature(getattr(mg.nn.functional, name)).parameters) == expected


@pytest.mark.parametrize(
    "make, shape, output_size",
    [
        (lambda nn: nn.ConvTranspose2d(3, 4, 3), (2, 3, 5, 4), None),
        (
            lambda nn: nn.ConvTranspose2d(4, 6, (3, 2), 2, 1, 1, groups=2, dilation=2),
            (2, 4, 3, 5),
            None,
        ),
        (lambda nn: nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, bias=False), (3, 4, 4), None),
        (lambda nn: nn.ConvTranspose2d(2, 2, 3, stride=2, padding=1), (1, 2, 4, 4), (8, 7)),
        (lambda nn: nn.ConvTranspose1d(3, 4, 3), (2, 3, 6), None),
        (lambda nn: nn.ConvTranspose1d(4, 2, 4, 3, 2, 1, groups=2, dilation=2), (4, 7), None),
        (lambda nn: nn.ConvTranspose1d(2, 3, 3, stride=3), (2, 2, 5), [2, 3, 15]),
    ],
)
def test_conv_transpose_loads_torch_state_dict_and_matches(make, shape, output_size):
    theirs, ours = make(torch.nn), make(nn)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    mine, yours = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(mine, output_size), theirs(yours, output_size)
    assert out.dtype == np.float32 and out.shape == tuple(expected.shape)
    _close(out, expected)
    upstream = np.random.default_rng(1).standard_normal(out.shape).astype(np.float32)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    _close(mine.grad, yours.grad, 1e-4, 1e-5)
    params = dict(theirs.named_parameters())
    for name, param in ours.named_parameters():
        _close(param.grad, params[name].grad, 1e-4, 1e-5)


def test_conv_transpose_initialisation_is_torchs():
    """kaiming_uniform(a=sqrt(5)) on (in, out / groups, k, k): fan_in = out / groups * k * k."""
    mg.manual_seed(0)
    conv = nn.ConvTranspose2d(8, 64, 3, groups=2)
    assert conv.weight.shape == (8, 32, 3, 3) and conv.bias.shape == (64,)
    bound = 1 / np.sqrt(32 * 9)
    for param in (conv.weight.numpy(), conv.bias.numpy()):
        assert param.dtype == np.float32
        assert bound * 0.9 < np.abs(param).max() <= bound


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda nn: nn.Upsample(scale_factor=2), (2, 3, 4, 5)),
        (lambda nn: nn.Upsample(size=7, mode="linear"), (2, 3, 5)),
        (
            lambda nn: nn.Upsample(scale_factor=1.5, mode="bilinear", align_corners=True),
            (1, 2, 5, 4),
        ),
        (lambda nn: nn.Upsample(size=(3, 4, 5), mode="trilinear"), (1, 2, 2, 3, 4)),
        (lambda nn: nn.Upsample(scale_factor=(2, 3), mode="bicubic"), (1, 2, 3, 3)),
        (lambda nn: nn.Upsample(size=(2, 3), mode="area"), (1, 2, 5, 7)),
        (lambda nn: nn.Upsample(scale_factor=0.7, mode="nearest-exact"), (1, 2, 9, 6)),
        (lambda nn: nn.UpsamplingNearest2d(size=(7, 3)), (2, 2, 3, 4)),
        (lambda nn: nn.UpsamplingBilinear2d(scale_factor=2), (2, 2, 3, 4)),
    ],
)
def test_upsample_layers_match_torch(make, shape):
    theirs, ours = make(torch.nn), make(nn)
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    mine, yours = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(mine), theirs(yours)
    assert out.dtype == np.float32
    _close(out, expected)
    upstream = np.random.default_rng(1).standard_normal(out.shape).astype(np.float32)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    _close(mine.grad, yours.grad, 1e-4, 1e-5)


def test_nearest_uses_pytorchs_float32_index_rule():
    """floor(i * in / out) in float32 (not the nearest centre), and 1 / scale_factor when given."""
    x = np.arange(10.0, dtype=np.float32).reshape(1, 1, 10)
    for kwargs in [{"size": 3}, {"size": 7}, {"scale_factor": 0.3}, {"scale_factor": 2.9}]:
        for mode in ("nearest", "nearest-exact"):
            ours = mg.nn.functional.interpolate(mg.tensor(x), mode=mode, **kwargs)
            theirs = torch.nn.functional.interpolate(torch.tensor(x), mode=mode, **kwargs)
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_interpolate_is_vectorised():
    """A 256x256 bilinear resize of a batch takes a few gathers, not a loop over pixels."""
    x = mg.randn(4, 3, 128, 128, requires_grad=True)
    out = mg.nn.functional.interpolate(x, scale_factor=2, mode="bilinear")
    out.sum().backward()
    assert out.shape == (4, 3, 256, 256) and x.grad.shape == x.shape


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda nn: nn.Unfold((2, 3), dilation=(1, 2), padding=1, stride=2), (2, 3, 5, 6)),
        (lambda nn: nn.Unfold(3), (2, 5, 5)),
        (lambda nn: nn.Fold((4, 5), (2, 2)), (2, 12, 12)),
        (lambda nn: nn.Fold((5, 5), 3, dilation=2, padding=1, stride=(1, 2)), (18, 6)),
    ],
)
def test_fold_layers_match_torch(make, shape):
    theirs, ours = make(torch.nn), make(nn)
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    mine, yours = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(mine), theirs(yours)
    _close(out, expected)
    upstream = np.random.default_rng(1).standard_normal(out.shape).astype(np.float32)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    _close(mine.grad, yours.grad)


def test_fold_of_unfold_counts_the_covering_blocks():
    x = mg.ones(1, 2, 4, 4)
    out = mg.nn.functional.fold(mg.nn.functional.unfold(x, 2), (4, 4), 2)
    np.testing.assert_array_equal(out.numpy()[0, 0, 1], [2, 4, 4, 2])


@pytest.mark.parametrize("dims, shape, output_size", [(2, (2, 3, 6, 7), (6, 7)), (1, (3, 9), [9])])
def test_max_unpool_layers_invert_torchs_max_pool(dims, shape, output_size):
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(0))
    pool = (torch.nn.MaxPool2d if dims == 2 else torch.nn.MaxPool1d)(2, return_indices=True)
    pooled, indices = pool(x)
    theirs = (torch.nn.MaxUnpool2d if dims == 2 else torch.nn.MaxUnpool1d)(2)
    ours = (nn.MaxUnpool2d if dims == 2 else nn.MaxUnpool1d)(2)
    assert repr(ours) == repr(theirs)
    mine = mg.tensor(pooled.numpy(), requires_grad=True)
    yours = pooled.clone().requires_grad_()
    out = ours(mine, mg.tensor(indices.numpy()), output_size)
    expected = theirs(yours, indices, output_size)
    _close(out, expected)
    upstream = np.random.default_rng(1).standard_normal(out.shape).astype(np.float32)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    _close(mine.grad, yours.grad)


@pytest.mark.parametrize("name", ["max_unpool1d", "max_unpool2d"])
def test_max_unpool_opinfo_samples_match_torch(name):
    """The first of PyTorch's own samples (all of them take ~30 s, mostly in torch itself)."""
    common = pytest.importorskip("torch.testing._internal.common_methods_invocations")
    import test_opinfo_nn

    ops = [op for op in common.op_db if op.name == f"nn.functional.{name}"]
    for op in ops:
        samples = op.sample_inputs("cpu", torch.float64, requires_grad=True)
        for sample in itertools.islice(samples, 8):
            test_opinfo_nn._run(f"nn.functional.{name}", op, sample, torch.float64)


def _input(lib, *shape):
    return lib.ones(*shape)


BAD = [
    (lambda lib, F: F.interpolate(_input(lib, 1, 1, 4), size=2, scale_factor=2), ValueError,
     ["only one of size or scale_factor"]),
    (lambda lib, F: F.interpolate(_input(lib, 1, 1, 4)), ValueError,
     ["either size or scale_factor"]),
    (lambda lib, F: F.interpolate(_input(lib, 1, 1, 4), size=(2, 2)), ValueError,
     ["spatial dimensions", "(2, 2)"]),
    (lambda lib, F: F.interpolate(_input(lib, 1, 1, 4, 4), scale_factor=(2, 2, 2)), ValueError,
     ["scale_factor", "spatial dimensions"]),
    (lambda lib, F: F.interpolate(_input(lib, 1, 1, 4), size=2, align_corners=True), ValueError,
     ["align_corners", "linear"]),
    (lambda lib, F: F.interpolate(_input(lib, 1, 1, 4, 4), size=2, mode="linear"),
     NotImplementedError, ["4D input", "linear", "3D"]),
    (lambda lib, F: F.interpolate(_input(lib, 1, 1, 4), size=2, mode="bilinear"),
     NotImplementedError, ["3D input", "bilinear", "4D"]),
    (lambda lib, F: F.interpolate(_input(lib, 1, 1, 4), size=2, mode="cubic"),
     NotImplementedError, ["modes", "cubic"]),
    (lambda lib, F: F.interpolate(_input(lib, 4), size=2), NotImplementedError, ["1D"]),
    (lambda lib, F: F.interpolate(_input(lib, 1, 1, 4), size=2, antialias=True), ValueError,
     ["Anti-alias", "bilinear"]),
    (lambda lib, F: F.conv_transpose2d(_input(lib, 1, 3, 4, 4), _input(lib, 2, 2, 3, 3)),
     RuntimeError, ["weight", "(2, 2, 3, 3)", "channels"]),
    (lambda lib, F: F.conv_transpose2d(_input(lib, 1, 2, 4, 4), _input(lib, 2, 2, 3)),
     RuntimeError, ["weight", "4-D"]),
    (lambda lib, F: F.conv_transpose2d(_input(lib, 2, 4), _input(lib, 2, 2, 3, 3)),
     RuntimeError, ["3-D", "4-D", "(2, 4)"]),
    (lambda lib, F: F.conv_transpose2d(_input(lib, 1, 2, 4, 4), _input(lib, 2, 2, 3, 3),
                                       stride=2, output_padding=2),
     RuntimeError, ["output_padding", "stride"]),
    (lambda lib, F: F.conv_transpose2d(_input(lib, 1, 2, 4, 4), _input(lib, 2, 2, 3, 3),
                                       stride=0),
     RuntimeError, ["stride", "positive"]),
    (lambda lib, F: F.conv_transpose2d(_input(lib, 1, 2, 4, 4), _input(lib, 2, 2, 3, 3),
                                       padding=-1),
     RuntimeError, ["padding", "non-negative"]),
    (lambda lib, F: F.conv_transpose2d(_input(lib, 1, 3, 4, 4), _input(lib, 3, 2, 3, 3),
                                       groups=2),
     RuntimeError, ["groups", "divisible"]),
    (lambda lib, F: F.conv_transpose2d(_input(lib, 1, 2, 4, 4), _input(lib, 2, 2, 3, 3),
                                       _input(lib, 3)),
     RuntimeError, ["bias", "(2,)", "(3,)"]),
    (lambda lib, F: F.conv_transpose2d(_input(lib, 1, 2, 1, 1), _input(lib, 2, 2, 1, 1),
                                       padding=1),
     RuntimeError, ["padding", "(1, 1)"]),
    (lambda lib, F: F.conv_transpose2d(_input(lib, 1, 2, 4, 4), _input(lib, 2, 2, 3, 3).double()),
     RuntimeError, ["weight", "dtype", "float64"]),
    (lambda lib, F: F.conv_transpose1d(_input(lib, 1, 2, 4, 4), _input(lib, 2, 2, 3)),
     RuntimeError, ["2-D", "3-D", "(1, 2, 4, 4)"]),
    (lambda lib, F: F.conv_transpose1d(_input(lib, 1, 2, 4), _input(lib, 2, 2, 3),
                                       stride=3, output_padding=3),
     RuntimeError, ["output_padding", "stride"]),
    (lambda lib, F: lib.nn.ConvTranspose2d(3, 4, 3, groups=2), ValueError, ["groups"]),
    (lambda lib, F: lib.nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect"), ValueError,
     ["zeros", "padding mode"]),
    (lambda lib, F: lib.nn.ConvTranspose2d(2, 2, 3, stride=2)(_input(lib, 1, 2, 4, 4), (12, 12)),
     ValueError, ["output size", "9", "10"]),
    (lambda lib, F: F.unfold(_input(lib, 1, 2, 3, 3, 3), 2), RuntimeError,
     ["3-D", "4-D", "(1, 2, 3, 3, 3)"]),
    (lambda lib, F: F.unfold(_input(lib, 1, 1, 3, 3), 4), RuntimeError,
     ["kernel", "(1, 1, 3, 3)"]),
    (lambda lib, F: F.unfold(_input(lib, 1, 1, 3, 3), 2, stride=0), RuntimeError,
     ["stride", "positive"]),
    (lambda lib, F: F.fold(_input(lib, 1, 5, 9), (4, 4), 2), RuntimeError,
     ["divisible", "kernel_size", "input.size(1)=5"]),
    (lambda lib, F: F.fold(_input(lib, 1, 4, 8), (4, 4), 2), RuntimeError,
     ["sliding blocks", "3 * 3 = 9", "input.size(2)=8"]),
    (lambda lib, F: F.fold(_input(lib, 1, 1, 4, 8), (4, 4), 2), RuntimeError, ["2-D", "3-D"]),
    (lambda lib, F: F.max_unpool2d(_input(lib, 1, 1, 2, 2), lib.tensor([[[[0, 1], [2, 20]]]]), 2),
     RuntimeError, ["invalid max index", "20", "4x4"]),
    (lambda lib, F: F.max_unpool2d(_input(lib, 1, 1, 2, 2), lib.tensor([[[[0, 1]]]]), 2),
     RuntimeError, ["indices", "(1, 1, 2, 2)", "(1, 1, 1, 2)"]),
    (lambda lib, F: F.max_unpool2d(_input(lib, 1, 1, 2, 2), _input(lib, 1, 1, 2, 2), 2),
     RuntimeError, ["int64", "indices"]),
    (lambda lib, F: F.max_unpool2d(_input(lib, 1, 1, 2, 2), lib.zeros(1, 1, 2, 2).long(), 2,
                                   output_size=(9, 9)),
     ValueError, ["output_size", "between 2 and 6"]),
    (lambda lib, F: F.max_unpool2d(_input(lib, 2, 2), lib.zeros(2, 2).long(), 2), RuntimeError,
     ["3d or 4d", "2 dimensions"]),
]  # fmt: skip


@pytest.mark.parametrize("call, error, words", BAD)
def test_bad_inputs_raise_torchs_exception_types_with_clear_messages(call, error, words):
    with pytest.raises(error):
        call(torch, torch.nn.functional)
    with pytest.raises(error) as info:
        call(mg, mg.nn.functional)
    for word in words:
        assert word in str(info.value), (word, str(info.value))
