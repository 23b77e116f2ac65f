"""The TensorFlow tutorial CNN of founding document 003."""

from minigrad import nn


class ConvNet(nn.Module):
    """Conv(1 -> 32, 3x3) -> ReLU -> MaxPool(2) -> Conv(32 -> 64, 3x3) -> ReLU -> MaxPool(2)
    -> Conv(64 -> 64, 3x3) -> ReLU -> Flatten -> Linear(576 -> 64) -> ReLU
    -> Linear(64 -> num_classes).

    Input (N, 1, 28, 28); output logits (N, num_classes): Keras' final softmax lives in
    ``F.cross_entropy``. 93,322 parameters for 10 classes, as in the tutorial's
    ``model.summary()``. Flatten follows PyTorch's channel-first (C, H, W) order, where Keras
    flattens (H, W, C): the same network up to a permutation of the first Linear's inputs.

    Example::

        logits = ConvNet()(mg.randn(64, 1, 28, 28))  # (64, 10)
    """

    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, kernel_size=3),  # 32 x 26 x 26
            nn.ReLU(),
            nn.MaxPool2d(2),  # 32 x 13 x 13
            nn.Conv2d(32, 64, kernel_size=3),  # 64 x 11 x 11
            nn.ReLU(),
            nn.MaxPool2d(2),  # 64 x 5 x 5
            nn.Conv2d(64, 64, kernel_size=3),  # 64 x 3 x 3
            nn.ReLU(),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(64 * 3 * 3, 64),
            nn.ReLU(),
            nn.Linear(64, num_classes),
        )

    def forward(self, x):
        return self.classifier(self.features(x))
