"""The random and index factories of the common surface (issue 11): PyTorch's shapes, dtypes
and index layouts, the distributions' moments, repeatability under manual_seed, bad input."""

import numpy as np
import pytest

import minigrad as mg


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


@pytest.mark.parametrize(
    "row, col, offset", [(3, 4, 0), (4, 3, -1), (5, 5, 2), (0, 3, 0), (3, 3, -5)]
)
def test_triangle_indices_match_torch(torch, row, col, offset):
    for name in ("tril_indices", "triu_indices"):
        ours = getattr(mg, name)(row, col, offset)
        theirs = getattr(torch, name)(row, col, offset)
        assert ours.dtype == mg.int64 and ours.tolist() == theirs.tolist()


def test_logspace_matches_torch(torch):
    np.testing.assert_allclose(
        mg.logspace(-1, 2, 7, base=2).numpy(), torch.logspace(-1, 2, 7, base=2).numpy(), rtol=1e-6
    )
    assert mg.logspace(0, 1, 3).dtype == mg.float32


def test_normal_moments_shapes_and_seed():
    mg.manual_seed(1)
    x = mg.normal(2.0, 3.0, (20000,))
    assert x.dtype == mg.float32 and x.shape == (20000,)
    assert abs(x.mean().item() - 2) < 0.1 and abs(x.std().item() - 3) < 0.1
    y = mg.normal(mg.zeros(2, 1, dtype=mg.float64), mg.ones(3))
    assert y.shape == (2, 3) and y.dtype == mg.float64
    mg.manual_seed(1)
    assert mg.normal(2.0, 3.0, (20000,)).tolist() == x.tolist()
    with pytest.raises(RuntimeError, match="std >= 0.0"):
        mg.normal(0.0, -1.0, (2,))


def test_bernoulli_and_multinomial_frequencies():
    mg.manual_seed(2)
    b = mg.bernoulli(mg.full((20000,), 0.25))
    assert b.dtype == mg.float32 and set(np.unique(b.numpy())) <= {0.0, 1.0}
    assert abs(b.mean().item() - 0.25) < 0.02
    counts = np.bincount(
        mg.multinomial(mg.tensor([1.0, 0.0, 3.0]), 20000, True).numpy(), minlength=3
    )
    assert counts[1] == 0 and abs(counts[2] / 20000 - 0.75) < 0.02
    rows = mg.multinomial(mg.tensor([[1.0, 2, 3, 4], [4, 3, 2, 1]]), 4)
    assert rows.shape == (2, 4) and all(sorted(r) == [0, 1, 2, 3] for r in rows.tolist())


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: mg.multinomial(mg.tensor([1.0, 2.0]), 3), RuntimeError, "cannot sample n_sample"),
        (lambda: mg.multinomial(mg.tensor([-1.0, 2.0]), 1), RuntimeError, "element < 0"),
        (lambda: mg.multinomial(mg.zeros(2), 1), RuntimeError, "sum of probabilities"),
        (lambda: mg.bernoulli(mg.tensor([1.5])), RuntimeError, r"in \[0, 1\]"),
        (lambda: mg.tril_indices(-1, 3), RuntimeError, "non-negative"),
        (lambda: mg.logspace(0, 1, -2), RuntimeError, "non-negative"),
        (lambda: mg.normal(0.0, 1.0), TypeError, "needs a size"),
    ],
)
def test_bad_factory_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_randint_like_keeps_the_shape_and_dtype():
    x = mg.randint_like(mg.zeros(3, 2, dtype=mg.int32), 2, 5)
    assert x.shape == (3, 2) and x.dtype == mg.int32 and set(np.unique(x.numpy())) <= {2, 3, 4}
