"""LeNet-5 (LeCun et al., 1998) as it is usually trained today: ReLU and max pooling."""

from minigrad import nn


class LeNet5(nn.Module):
    """Conv(1 -> 6, 5x5, padding 2) -> ReLU -> MaxPool(2) -> Conv(6 -> 16, 5x5) -> ReLU
    -> MaxPool(2) -> Flatten -> Linear(400 -> 120) -> ReLU -> Linear(120 -> 84) -> ReLU
    -> Linear(84 -> num_classes).

    Input (N, 1, 28, 28): the padding of 2 stands in for the original's 32x32 input. Output
    logits (N, num_classes). 61,706 parameters for 10 classes.

    The 1998 network used scaled tanh activations, average pooling with trainable coefficients
    ("subsampling"), a C3 layer connected to only some of S2's maps, and RBF output units; ReLU,
    max pooling, full connections and a linear output with cross-entropy are the usual modern
    choice, train faster and reach the same ~99% on MNIST.

    Example::

        logits = LeNet5()(mg.randn(64, 1, 28, 28))  # (64, 10)
    """

    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, kernel_size=5, padding=2),  # 6 x 28 x 28
            nn.ReLU(),
            nn.MaxPool2d(2),  # 6 x 14 x 14
            nn.Conv2d(6, 16, kernel_size=5),  # 16 x 10 x 10
            nn.ReLU(),
            nn.MaxPool2d(2),  # 16 x 5 x 5
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(16 * 5 * 5, 120),
            nn.ReLU(),
            nn.Linear(120, 84),
            nn.ReLU(),
            nn.Linear(84, num_classes),
        )

    def forward(self, x):
        return self.classifier(self.features(x))
