"""PyTorch's own OpInfo samples (torch.testing._internal.common_methods_invocations.op_db) for
the nn.functional functions of the nn surface: each sample is run through minigrad with its
arguments converted (``device=`` and ``memory_format=`` dropped); values, shapes, dtypes and
gradients (random upstream) must equal PyTorch's, in float32 and float64."""

import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F

torch = pytest.importorskip("torch")
common = pytest.importorskip("torch.testing._internal.common_methods_invocations")

NAMES = (
    "pad embedding one_hot elu selu celu silu mish softplus softsign hardtanh relu6 "
    "hardsigmoid hardswish logsigmoid prelu glu tanhshrink softshrink hardshrink threshold "
    "softmin layer_norm group_norm normalize cosine_similarity pairwise_distance "
    "l1_loss smooth_l1_loss huber_loss kl_div poisson_nll_loss gaussian_nll_loss "
    "margin_ranking_loss hinge_embedding_loss soft_margin_loss multi_margin_loss "
    "multilabel_soft_margin_loss cosine_embedding_loss triplet_margin_loss "
    "adaptive_avg_pool1d adaptive_avg_pool2d avg_pool1d conv1d "
    "instance_norm local_response_norm scaled_dot_product_attention "
    "interpolate conv_transpose1d conv_transpose2d "
    "upsample_nearest upsample_bilinear unfold"
).split()
# Attention's float32 samples have scores near 100, where a peaked softmax's gradients differ
# from PyTorch's fused kernel by float32 rounding (about 1e-5; float64 agrees to 1e-7).
FLOAT32_TOLERANCE = {"nn.functional.scaled_dot_product_attention": {"rtol": 1e-3, "atol": 1e-4}}
OPINFOS = {
    op.name + (f".{op.variant_test_name}" if op.variant_test_name else ""): op
    for op in common.op_db
    if op.name.removeprefix("nn.functional.") in NAMES
    and op.name.startswith("nn.functional.")
    and op.variant_test_name != "complex"
}


def _convert(x):
    if isinstance(x, torch.Tensor):
        return mg.tensor(x.detach().numpy().copy(), requires_grad=x.requires_grad)
    if isinstance(x, list | tuple):
        return type(x)(_convert(v) for v in x)
    if isinstance(x, torch.dtype):
        return np.dtype(str(x).removeprefix("torch."))
    return x


def _tensors(x):
    if isinstance(x, torch.Tensor | mg.Tensor):
        return [x]
    if isinstance(x, list | tuple):
        return [t for v in x for t in _tensors(v)]
    return []


def _run(name, op, sample, dtype):
    kwargs = {k: v for k, v in sample.kwargs.items() if k not in ("device", "memory_format")}
    args = [sample.input, *sample.args]
    expected = op.op(*args, **kwargs)
    ours_args, ours_kwargs = _convert(args), {k: _convert(v) for k, v in kwargs.items()}
    function = getattr(F, name.removeprefix("nn.functional.").split(".")[0])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        if function is F.embedding:  # the OpInfo's op is (weight, indices)
            out = F.embedding(ours_args[1], ours_args[0], **ours_kwargs)
        else:
            out = function(*ours_args, **ours_kwargs)
        want = expected.detach().numpy()
        assert out.shape == want.shape and str(out.dtype) == str(want.dtype)
        tolerance = (
            {"rtol": 1e-7, "atol": 1e-9} if dtype == torch.float64 else {"rtol": 1e-4, "atol": 1e-5}
        )
        if dtype == torch.float32:
            tolerance = FLOAT32_TOLERANCE.get(name, tolerance)
        np.testing.assert_allclose(out.numpy(), want, **tolerance)
        theirs = [t for t in _tensors(args) if t.requires_grad]
        ours = [t for t in _tensors(ours_args) if t.requires_grad]
        if expected.requires_grad and theirs and out.numel():
            upstream = np.random.default_rng(0).standard_normal(out.shape).astype(out.dtype)
            grads = torch.autograd.grad(expected, theirs, torch.tensor(upstream), allow_unused=True)
            out.backward(upstream)
            for mine, grad in zip(ours, grads):
                if grad is None:
                    assert mine.grad is None or not np.any(mine.grad.numpy())
                else:
                    np.testing.assert_allclose(mine.grad.numpy(), grad.numpy(), **tolerance)


@pytest.mark.parametrize("name", sorted(OPINFOS))
def test_opinfo_samples_match_torch(name):
    op = OPINFOS[name]
    dtypes = (torch.int64,) if name.endswith("one_hot") else (torch.float32, torch.float64)
    passed, failures = 0, []
    for dtype in dtypes:
        grad = op.supports_autograd and dtype.is_floating_point
        for sample in op.sample_inputs("cpu", dtype, requires_grad=grad):
            if sample.kwargs.get("dropout_p", 0) > 0:  # PyTorch's random mask: not comparable
                continue
            try:
                _run(name, op, sample, dtype)
                passed += 1
            except Exception as error:  # collect every failing sample, then report them all
                failures.append(f"{dtype} {sample}: {type(error).__name__}: {error}"[:400])
    assert passed > 0
    assert not failures, f"{len(failures)} of {passed + len(failures)} samples:\n" + "\n".join(
        failures
    )
