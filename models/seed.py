"""The founding documents' CNN: one 3x3 convolution, a 2x2 max pool and dense layers."""

import numpy as np

import minigrad as mg
from minigrad import nn

ACTIVATIONS = {None: nn.Identity, "none": nn.Identity, "sigmoid": nn.Sigmoid, "relu": nn.ReLU}


def activation(name):
    """A fresh activation layer for ``name``: None/'none' (identity), 'sigmoid' or 'relu'."""
    if name not in ACTIVATIONS:
        known = ", ".join(repr(key) for key in ACTIVATIONS if key is not None)
        raise ValueError(f"unknown activation {name!r}; known: {known}")
    return ACTIVATIONS[name]()


class SeedCNN(nn.Module):
    """Conv2d(1 -> filters, 3x3, valid) -> [activation] -> MaxPool2d(2) -> Flatten
    -> [Linear -> activation] per hidden size -> Linear(-> num_outputs).

    Input (N, 1, 28, 28); output logits (N, num_outputs): the softmax (or, with one output,
    the sigmoid) lives in the loss, ``F.cross_entropy`` (or ``F.binary_cross_entropy_with_logits``
    with targets of shape (N, 1)), which is stabler than taking its log afterwards.

    Args:
        filters (int): convolution filters (8): 28x28 -> filters x 26x26 -> filters x 13x13.
        conv_bias (bool): a bias per filter (False, as in documents 000, 001 and 004). With no
            activation after the convolution it would be redundant: max pooling commutes with
            adding a per-channel constant, and the first Linear's bias absorbs it.
        conv_activation: None, 'sigmoid' or 'relu', applied between convolution and pooling.
        hidden (tuple of int): sizes of the hidden dense layers (none by default).
        hidden_activation: the activation after each hidden layer ('sigmoid').
        num_outputs (int): 10 classes, or 1 for a two-class model with a sigmoid output.
        linear_bias (bool): biases in the dense layers (True; document 004 has none).

    The default is the ``seed`` preset: 13,602 parameters. See ``models.PRESETS``.

    Example::

        model = SeedCNN()
        logits = model(mg.randn(64, 1, 28, 28))     # (64, 10)
        loss = F.cross_entropy(logits, labels)
    """

    def __init__(
        self, filters=8, conv_bias=False, conv_activation=None, hidden=(),
        hidden_activation="sigmoid", num_outputs=10, linear_bias=True,
    ):  # fmt: skip
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, filters, kernel_size=3, bias=conv_bias),
            activation(conv_activation),
            nn.MaxPool2d(2),
        )
        layers = [nn.Flatten()]
        width = filters * 13 * 13
        for size in hidden:
            layers += [nn.Linear(width, size, bias=linear_bias), activation(hidden_activation)]
            width = size
        layers.append(nn.Linear(width, num_outputs, bias=linear_bias))
        self.classifier = nn.Sequential(*layers)
        self.num_outputs = num_outputs

    def forward(self, x):
        return self.classifier(self.features(x))

    def predict(self, x):
        """Predicted labels (int64 array (N,)): the argmax of the logits, or for one output,
        1 where the logit is positive (the sigmoid above 0.5), else 0."""
        with mg.no_grad():
            logits = self(x).numpy()
        if self.num_outputs == 1:
            return (logits[:, 0] > 0).astype(np.int64)
        return logits.argmax(axis=1)
