"""The model zoo: shapes, parameter counts and outputs against PyTorch, gradients, presets."""

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
import models
from minigrad import nn

try:
    import torch
except ImportError:  # the PyTorch comparisons skip; the hand counts still run
    torch = None

# Counted by hand: conv k*k*in*out (+ out), linear in*out (+ out).
PARAMETER_COUNTS = {
    "seed": 8 * 9 + 1352 * 10 + 10,  # 13,602
    "seed-hidden": 8 * 9 + 1352 * 20 + 20 + 20 * 10 + 10,  # 27,342
    "seed-5": 5 * 9 + 5 + 845 * 25 + 25 + 25 * 10 + 10,  # 21,460
    "seed-6": 6 * 9 + 1014 * 10,  # 10,194
    "two-class": 8 * 9 + 1352 + 1,  # 1,425
    "lenet5": (6 * 25 + 6) + (16 * 6 * 25 + 16) + (400 * 120 + 120) + (120 * 84 + 84) + 850,
    "convnet": 93_322,  # the TensorFlow tutorial's model.summary()
}

# Each preset layer by layer, as its founding document describes it.
LAYERS = {
    "seed": ["Conv2d(1, 8, bias=False)", "Identity", "MaxPool2d(2)", "Flatten",
             "Linear(1352, 10)"],
    "seed-hidden": ["Conv2d(1, 8, bias=False)", "Sigmoid", "MaxPool2d(2)", "Flatten",
                    "Linear(1352, 20)", "Sigmoid", "Linear(20, 10)"],
    "seed-5": ["Conv2d(1, 5)", "Sigmoid", "MaxPool2d(2)", "Flatten", "Linear(845, 25)",
               "Sigmoid", "Linear(25, 10)"],
    "seed-6": ["Conv2d(1, 6, bias=False)", "Identity", "MaxPool2d(2)", "Flatten",
               "Linear(1014, 10, bias=False)"],
    "two-class": ["Conv2d(1, 8, bias=False)", "Identity", "MaxPool2d(2)", "Flatten",
                  "Linear(1352, 1)"],
    "lenet5": ["Conv2d(1, 6, padding=2)", "ReLU", "MaxPool2d(2)", "Conv2d(6, 16)", "ReLU",
               "MaxPool2d(2)", "Flatten", "Linear(400, 120)", "ReLU", "Linear(120, 84)", "ReLU",
               "Linear(84, 10)"],
    "convnet": ["Conv2d(1, 32)", "ReLU", "MaxPool2d(2)", "Conv2d(32, 64)", "ReLU",
                "MaxPool2d(2)", "Conv2d(64, 64)", "ReLU", "Flatten", "Linear(576, 64)", "ReLU",
                "Linear(64, 10)"],
}  # fmt: skip


def describe(model):
    """The leaf layers of a minigrad or PyTorch model, in order, as short strings."""
    layers = []
    for module in model.modules():
        if list(module.children()):
            continue
        name = type(module).__name__
        if name == "Conv2d":
            assert module.kernel_size in ((3, 3), (5, 5)) and module.stride == (1, 1)
            name += f"({module.in_channels}, {module.out_channels}"
            name += f", padding={module.padding[0]}" if module.padding != (0, 0) else ""
            name += ", bias=False)" if module.bias is None else ")"
        elif name == "Linear":
            name += f"({module.in_features}, {module.out_features}"
            name += ", bias=False)" if module.bias is None else ")"
        elif name == "MaxPool2d":
            assert module.stride in (2, (2, 2)), module.stride
            name += f"({module.kernel_size})"
        layers.append(name)
    return layers


def count(model):
    return sum(p.numel() for p in model.parameters())


def torch_model(name):
    """The PyTorch equivalent of ``models.create(name)``, with the same state_dict keys."""
    tnn = torch.nn
    acts = {None: tnn.Identity, "sigmoid": tnn.Sigmoid, "relu": tnn.ReLU}

    class TwoStage(tnn.Module):
        def __init__(self, features, classifier):
            super().__init__()
            self.features, self.classifier = tnn.Sequential(*features), tnn.Sequential(*classifier)

        def forward(self, x):
            return self.classifier(self.features(x))

    def seed(filters=8, conv_bias=False, act=None, hidden=(), outputs=10, linear_bias=True):
        features = [tnn.Conv2d(1, filters, 3, bias=conv_bias), acts[act](), tnn.MaxPool2d(2)]
        layers, width = [tnn.Flatten()], filters * 13 * 13
        for size in hidden:
            layers += [tnn.Linear(width, size, bias=linear_bias), tnn.Sigmoid()]
            width = size
        return TwoStage(features, [*layers, tnn.Linear(width, outputs, bias=linear_bias)])

    builders = {
        "seed": lambda: seed(),
        "seed-hidden": lambda: seed(act="sigmoid", hidden=(20,)),
        "seed-5": lambda: seed(filters=5, conv_bias=True, act="sigmoid", hidden=(25,)),
        "seed-6": lambda: seed(filters=6, linear_bias=False),
        "two-class": lambda: seed(outputs=1),
        "lenet5": lambda: TwoStage(
            [tnn.Conv2d(1, 6, 5, padding=2), tnn.ReLU(), tnn.MaxPool2d(2),
             tnn.Conv2d(6, 16, 5), tnn.ReLU(), tnn.MaxPool2d(2)],
            [tnn.Flatten(), tnn.Linear(400, 120), tnn.ReLU(), tnn.Linear(120, 84), tnn.ReLU(),
             tnn.Linear(84, 10)],
        ),
        "convnet": lambda: TwoStage(
            [tnn.Conv2d(1, 32, 3), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Conv2d(32, 64, 3),
             tnn.ReLU(), tnn.MaxPool2d(2), tnn.Conv2d(64, 64, 3), tnn.ReLU()],
            [tnn.Flatten(), tnn.Linear(576, 64), tnn.ReLU(), tnn.Linear(64, 10)],
        ),
    }  # fmt: skip
    return builders[name]()


def test_registry_names():
    assert list(models.MODELS) == list(PARAMETER_COUNTS)


@pytest.mark.parametrize("name", list(models.MODELS))
def test_output_shape(name):
    mg.manual_seed(0)
    model = models.create(name)
    out = model(mg.randn(5, 1, 28, 28))
    assert out.shape == (5, 1 if name == "two-class" else 10)
    assert out.dtype == mg.float32


@pytest.mark.parametrize("name", list(models.MODELS))
def test_parameter_count(name):
    assert count(models.create(name)) == PARAMETER_COUNTS[name]


@pytest.mark.parametrize("name", list(models.MODELS))
def test_preset_layers_match_description(name):
    assert describe(models.create(name)) == LAYERS[name]


@pytest.mark.skipif(torch is None, reason="needs torch")
@pytest.mark.parametrize("name", list(models.MODELS))
def test_same_as_pytorch(name):
    """Same parameter count, state_dict keys and shapes, and outputs for the same weights."""
    reference = torch_model(name)
    assert describe(reference) == LAYERS[name]
    assert sum(p.numel() for p in reference.parameters()) == PARAMETER_COUNTS[name]
    model = models.create(name)
    expected = {k: tuple(v.shape) for k, v in reference.state_dict().items()}
    assert {k: v.shape for k, v in model.state_dict().items()} == expected
    assert list(model.state_dict()) == list(expected)
    model.load_state_dict({k: v.numpy() for k, v in reference.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((4, 1, 28, 28)).astype(np.float32)
    with torch.no_grad():
        want = reference(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(model(mg.tensor(x)).numpy(), want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", list(models.MODELS))
def test_gradient_reaches_first_conv(name):
    mg.manual_seed(1)
    model = models.create(name)
    x = mg.randn(6, 1, 28, 28)
    logits = model(x)
    if name == "two-class":
        loss = F.binary_cross_entropy_with_logits(logits, mg.tensor([[0.0], [1.0]] * 3))
    else:
        loss = F.cross_entropy(logits, mg.tensor([0, 1, 2, 3, 4, 5]))
    loss.backward()
    first_conv = next(m for m in model.modules() if isinstance(m, nn.Conv2d))
    grad = first_conv.weight.grad
    assert grad is not None and grad.shape == first_conv.weight.shape
    assert np.isfinite(grad.numpy()).all() and np.abs(grad.numpy()).max() > 0
    assert all(p.grad is not None for p in model.parameters())


def test_unknown_name_lists_known_ones():
    with pytest.raises(ValueError) as error:
        models.create("resnet")
    message = str(error.value)
    assert "'resnet'" in message
    for name in models.MODELS:
        assert name in message


def test_create_passes_keyword_arguments_over_the_preset():
    model = models.create("seed-hidden", filters=4, hidden=(7,))
    assert describe(model)[0] == "Conv2d(1, 4, bias=False)"
    assert describe(model)[4] == "Linear(676, 7)"
    assert describe(model)[5] == "Sigmoid"
    assert describe(models.create("lenet5", num_classes=3))[-1] == "Linear(84, 3)"


def test_unknown_activation():
    with pytest.raises(ValueError, match="'tanh'.*known: 'none', 'sigmoid', 'relu'"):
        models.SeedCNN(conv_activation="tanh")


def test_predict():
    mg.manual_seed(2)
    x = mg.randn(8, 1, 28, 28)
    model = models.create("seed")
    with mg.no_grad():
        logits = model(x).numpy()
    np.testing.assert_array_equal(model.predict(x), logits.argmax(1))
    binary = models.create("two-class")
    with mg.no_grad():
        logit = binary(x).numpy()[:, 0]
    labels = binary.predict(x)
    assert labels.dtype == np.int64 and labels.shape == (8,)
    np.testing.assert_array_equal(labels, (logit > 0).astype(np.int64))
    # A bias far above (below) every logit makes every image a 1 (a 0).
    bias = binary.classifier[-1].bias.numpy().copy()
    for shift, label in ((100.0, 1), (-100.0, 0)):
        binary.load_state_dict({**binary.state_dict(), "classifier.1.bias": bias + shift})
        assert (binary.predict(x) == label).all()
