"""scaled_dot_product_attention, MultiheadAttention and the Transformer encoder against
PyTorch's (same weights: PyTorch's state_dict loaded into minigrad's module): outputs,
attention weights and the gradients of inputs and parameters; bad inputs."""

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn

torch = pytest.importorskip("torch")


def _ours(t):
    return mg.tensor(t.detach().numpy().copy(), requires_grad=t.requires_grad)


def _load(module, theirs):
    module.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return module


def _close(a, b, atol=2e-5):
    np.testing.assert_allclose(a.numpy() if isinstance(a, mg.Tensor) else a,
                               b.detach().numpy(), rtol=1e-4, atol=atol)  # fmt: skip


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"is_causal": True}, {"scale": 0.3}, {"attn_mask": "bool"}, {"attn_mask": "float"}],
)
def test_sdpa_matches_torch_with_gradients(kwargs):
    torch.manual_seed(0)
    q, k, v = (torch.randn(2, 3, 4, 8, requires_grad=True) for _ in range(3))
    kwargs = dict(kwargs)
    if kwargs.get("attn_mask") == "bool":
        kwargs["attn_mask"] = torch.rand(4, 4) > 0.3
        kwargs["attn_mask"][:, 0] = True  # every row attends somewhere
    elif kwargs.get("attn_mask") == "float":
        kwargs["attn_mask"] = torch.randn(4, 4)
    theirs = torch.nn.functional.scaled_dot_product_attention(q, k, v, **kwargs)
    inputs = [_ours(t) for t in (q, k, v)]
    ours_kwargs = {n: _ours(x) if isinstance(x, torch.Tensor) else x for n, x in kwargs.items()}
    ours = F.scaled_dot_product_attention(*inputs, **ours_kwargs)
    _close(ours, theirs)
    upstream = torch.randn(theirs.shape)
    theirs.backward(upstream)
    ours.backward(mg.tensor(upstream.numpy()))
    for mine, their in zip(inputs, (q, k, v)):
        _close(mine.grad, their.grad)


@pytest.mark.parametrize(
    "kwargs, call",
    [
        ({}, {}),
        ({"batch_first": True}, {}),
        ({"bias": False}, {"average_attn_weights": False}),
        ({"kdim": 5, "vdim": 6}, {}),
        ({"add_bias_kv": True, "add_zero_attn": True}, {}),
        ({}, {"key_padding_mask": True}),
        ({}, {"attn_mask": True}),
        ({}, {"need_weights": False}),
    ],
)
def test_multihead_attention_matches_torch(kwargs, call):
    torch.manual_seed(1)
    theirs_module = torch.nn.MultiheadAttention(8, 2, **kwargs)
    ours_module = _load(nn.MultiheadAttention(8, 2, **kwargs), theirs_module)
    assert list(ours_module.state_dict()) == list(theirs_module.state_dict())
    kdim, vdim = kwargs.get("kdim", 8), kwargs.get("vdim", 8)
    shape = (
        (lambda s, n, e: (n, s, e)) if kwargs.get("batch_first") else (lambda s, n, e: (s, n, e))
    )
    q = torch.randn(*shape(4, 3, 8), requires_grad=True)
    k = torch.randn(*shape(5, 3, kdim), requires_grad=True)
    v = torch.randn(*shape(5, 3, vdim), requires_grad=True)
    call = dict(call)
    if call.get("key_padding_mask"):
        call["key_padding_mask"] = torch.tensor([[False] * 4 + [True]] * 3)
    if call.get("attn_mask"):
        call["attn_mask"] = torch.triu(torch.ones(4, 5, dtype=torch.bool), diagonal=2)
    theirs, their_weights = theirs_module(q, k, v, **call)
    inputs = [_ours(t) for t in (q, k, v)]
    ours_call = {n: _ours(x) if isinstance(x, torch.Tensor) else x for n, x in call.items()}
    ours, our_weights = ours_module(*inputs, **ours_call)
    _close(ours, theirs)
    if their_weights is None:
        assert our_weights is None
    else:
        _close(our_weights, their_weights)
    upstream = torch.randn(theirs.shape)
    theirs.backward(upstream)
    ours.backward(mg.tensor(upstream.numpy()))
    for mine, their in zip(inputs, (q, k, v)):
        _close(mine.grad, their.grad)
    their_params = dict(theirs_module.named_parameters())
    for name, param in ours_module.named_parameters():
        _close(param.grad, their_params[name].grad, atol=5e-5)


def test_multihead_attention_unbatched_and_init():
    module = nn.MultiheadAttention(6, 3)
    out, weights = module(mg.randn(4, 6), mg.randn(5, 6), mg.randn(5, 6))
    assert out.shape == (4, 6) and weights.shape == (4, 5)
    np.testing.assert_allclose(weights.sum(-1).numpy(), 1, rtol=1e-5)
    assert not module.in_proj_bias.numpy().any() and not module.out_proj.bias.numpy().any()
    bound = np.sqrt(6 / (6 + 18))  # xavier_uniform_ on (3E, E)
    assert np.abs(module.in_proj_weight.numpy()).max() <= bound
    assert "NonDynamicallyQuantizableLinear" in repr(module)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_transformer_encoder_matches_torch(norm_first, activation):
    torch.manual_seed(2)
    layer = torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0,
                                             activation=activation, norm_first=norm_first,
                                             batch_first=True)  # fmt: skip
    theirs_module = torch.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False).eval()
    ours_layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0,
                                            activation=activation, norm_first=norm_first,
                                            batch_first=True)  # fmt: skip
    ours_module = _load(nn.TransformerEncoder(ours_layer, 2), theirs_module).eval()
    assert list(ours_module.state_dict()) == list(theirs_module.state_dict())
    x = torch.randn(3, 5, 8, requires_grad=True)
    mask = torch.tensor([[False] * 5, [False] * 4 + [True], [False] * 3 + [True] * 2])
    theirs = theirs_module(x, src_key_padding_mask=mask)
    mine_x = _ours(x)
    ours = ours_module(mine_x, src_key_padding_mask=mg.tensor(mask.numpy()))
    _close(ours, theirs, atol=5e-5)
    theirs.sum().backward()
    ours.sum().backward()
    _close(mine_x.grad, x.grad, atol=5e-5)


def test_attention_gradcheck_in_float64():
    q, k, v = (mg.randn(2, 3, 4, dtype=mg.float64, requires_grad=True) for _ in range(3))
    assert mg.autograd.gradcheck(
        lambda a, b, c: F.scaled_dot_product_attention(a, b, c, is_causal=True), (q, k, v)
    )
    module = nn.MultiheadAttention(4, 2).double()
    x = mg.randn(3, 2, 4, dtype=mg.float64, requires_grad=True)
    assert mg.autograd.gradcheck(lambda t: module(t, t, t)[0], (x,))
    assert mg.autograd.gradgradcheck(
        lambda a, b, c: F.scaled_dot_product_attention(a, b, c), (q, k, v)
    )


def _attend(query_shape, key_shape):
    return nn.MultiheadAttention(8, 2)(mg.randn(*query_shape), mg.randn(*key_shape),
                                       mg.randn(*key_shape))  # fmt: skip


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: nn.MultiheadAttention(10, 3), AssertionError, "divisible by num_heads"),
        (lambda: nn.MultiheadAttention(0, 1), ValueError, "embed_dim and num_heads must be"),
        (lambda: _attend((4, 3, 6), (4, 3, 6)), RuntimeError, "expecting embedding dimension of 8"),
        (lambda: _attend((2, 4, 3, 8), (4, 3, 8)), RuntimeError, "unbatched 2D or batched 3D"),
        (lambda: F.scaled_dot_product_attention(mg.randn(2, 4, 8), mg.randn(2, 5, 6),
                                                mg.randn(2, 5, 6)), RuntimeError, "do not fit"),
        (lambda: nn.TransformerEncoderLayer(8, 2, activation="tanh"), RuntimeError, "relu/gelu"),
    ],
)  # fmt: skip
def test_attention_bad_inputs(call, error, match):
    with pytest.raises(error, match=match):
        call()
