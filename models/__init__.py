"""The model zoo: the founding documents' CNN and its variants, LeNet-5, the TensorFlow
tutorial CNN, and a registry from the names the training CLI takes to constructors.

from models import create
model = create("seed")        # SeedCNN(): conv 8@3x3 -> max pool -> dense 10
"""

from functools import partial

from models.convnet import ConvNet
from models.lenet import LeNet5
from models.seed import SeedCNN

# The founding documents' variants as SeedCNN arguments (see ../shared/founding-docs).
PRESETS = {
    # The common core of documents 000 and 001: conv(8, 3x3) -> maxpool -> dense 10 softmax.
    "seed": {},
    # Document 000: conv(8, 3x3) -> sigmoid -> maxpool -> dense 20 sigmoid -> dense 10 softmax.
    "seed-hidden": {"conv_activation": "sigmoid", "hidden": (20,)},
    # Document 002: conv(5, 3x3, with bias) -> sigmoid -> maxpool -> dense 25 sigmoid -> dense 10
    # (there with a sigmoid output and squared error; softmax/cross-entropy here, as for all).
    "seed-5": {"filters": 5, "conv_bias": True, "conv_activation": "sigmoid", "hidden": (25,)},
    # Document 004: conv(6, 3x3) -> maxpool -> dense 10 softmax, no biases anywhere.
    "seed-6": {"filters": 6, "linear_bias": False},
    # Document 001: conv(8, 3x3) -> maxpool -> dense 1 sigmoid, digits 0 vs 1.
    "two-class": {"num_outputs": 1},
}

MODELS = {name: partial(SeedCNN, **kwargs) for name, kwargs in PRESETS.items()}
MODELS.update({"lenet5": LeNet5, "convnet": ConvNet})


def create(name, **kwargs):
    """A new model from its registry name (``models.MODELS``); ``kwargs`` go to the
    constructor, over the preset's. An unknown name raises ValueError listing the known ones.

    Example::

        model = create("seed-hidden")    # SeedCNN(conv_activation="sigmoid", hidden=(20,))
    """
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; known models: {', '.join(MODELS)}")
    return MODELS[name](**kwargs)


__all__ = ["MODELS", "PRESETS", "ConvNet", "LeNet5", "SeedCNN", "create"]
