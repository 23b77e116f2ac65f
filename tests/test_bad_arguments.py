"""Careless arguments are refused where the user wrote them, with torch's exception types and
messages that name the argument (issue 13)."""

import pytest

import minigrad as mg


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: mg.zeros(2.7), TypeError, "float at pos 0"),
        (lambda: mg.zeros("3"), TypeError, "str at pos 0"),
        (lambda: mg.ones((2, 2.5)), TypeError, "float at pos 1"),
        (lambda: mg.randn(2, -3), RuntimeError, r"negative dimension -3: \[2, -3\]"),
        (lambda: mg.zeros(-1), RuntimeError, "negative dimension"),
        (lambda: mg.eye(-1), RuntimeError, "n must be greater or equal to 0, got -1"),
        (lambda: mg.randint(5, 2, (3,)), RuntimeError, "low=5 >= high=2"),
    ],
)
def test_factories_refuse_bad_sizes(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_good_sizes_still_work():
    assert mg.zeros(2, 3).shape == (2, 3)
    assert mg.ones(mg.zeros(4, 1).shape).shape == (4, 1)
    assert mg.zeros(0, 3).shape == (0, 3)
    assert mg.randint(0, 3, (5,)).shape == (5,)
    assert mg.eye(0).shape == (0, 0)


@pytest.mark.parametrize("kernel_size", [2.5, (3,), (3, 3, 3), "3"])
def test_conv2d_refuses_a_bad_kernel_size_at_construction(kernel_size):
    with pytest.raises(TypeError, match="kernel_size must be an int or a pair of ints"):
        mg.nn.Conv2d(1, 8, kernel_size)


def test_conv2d_good_kernel_sizes():
    assert mg.nn.Conv2d(1, 8, 3).kernel_size == (3, 3)
    assert mg.nn.Conv2d(1, 8, [3, 2]).kernel_size == (3, 2)


@pytest.mark.parametrize("data", ["abc", ["a", "b"], [object()], [[1, 2], [3]]])
def test_tensor_refuses_strings_and_objects(data):
    with pytest.raises((TypeError, ValueError), match="tensor|inhomogeneous|sequence"):
        mg.tensor(data)


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"eps": -1}, "eps"),
        ({"eps": "1e-5"}, "eps"),
        ({"momentum": 1.5}, "momentum"),
        ({"momentum": "0.1"}, "momentum"),
    ],
)
def test_batchnorm_refuses_bad_eps_and_momentum(kwargs, word):
    for layer in (mg.nn.BatchNorm1d, mg.nn.BatchNorm2d):
        with pytest.raises(ValueError, match=f"{layer.__name__}: {word}"):
            layer(3, **kwargs)
    assert mg.nn.BatchNorm2d(3, eps=0, momentum=None).eps == 0


def test_batchnorm_takes_numpy_scalars():
    import numpy as np

    assert mg.nn.BatchNorm1d(3, eps=np.float32(1e-3), momentum=np.float64(0.2)).momentum == 0.2
