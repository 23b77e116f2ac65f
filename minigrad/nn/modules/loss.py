"""Loss layers: thin wrappers that keep the options of the functions in ``F``."""

import numpy as np

from minigrad.nn import functional as F
from minigrad.nn.functional.loss import _check_reduction, legacy_reduction
from minigrad.nn.modules.module import Module
from minigrad.tensor import Tensor


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        # The deprecated flags decide once, here, as in PyTorch.
        reduction = legacy_reduction(size_average, reduce, reduction)
        _check_reduction(reduction)
        self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        # A buffer, as in PyTorch, so that it travels with the state dict.
        self.register_buffer("weight", _buffer(weight))


class CrossEntropyLoss(_WeightedLoss):
    """``F.cross_entropy`` as a module: logits (N, C) and int64 targets (N,) -> the loss.

    Example::

        criterion = nn.CrossEntropyLoss()
        loss = criterion(model(x), y)
    """

    def __init__(
        self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
        label_smoothing=0.0,
    ):  # fmt: skip
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(
            input, target, _array(self.weight), ignore_index=self.ignore_index,
            reduction=self.reduction, label_smoothing=self.label_smoothing,
        )  # fmt: skip


class NLLLoss(_WeightedLoss):
    """``F.nll_loss`` as a module: log-probabilities (N, C) and int64 targets (N,).

    Example: ``nn.NLLLoss()(F.log_softmax(logits, dim=1), y)``.
    """

    def __init__(
        self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"
    ):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(
            input, target, _array(self.weight), ignore_index=self.ignore_index,
            reduction=self.reduction,
        )  # fmt: skip


class MSELoss(_Loss):
    """``F.mse_loss`` as a module: the mean (or sum) squared error.

    Example: ``nn.MSELoss()(prediction, target)``.
    """

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class BCELoss(_WeightedLoss):
    """``F.binary_cross_entropy`` as a module: probabilities in [0, 1] and targets.

    Example: ``nn.BCELoss()(mg.sigmoid(logits), targets)``.
    """

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """``F.binary_cross_entropy_with_logits`` as a module: logits and targets, stably.

    Example: ``nn.BCEWithLogitsLoss()(logits, targets)``.
    """

    def __init__(
        self, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None
    ):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", _buffer(weight))
        self.register_buffer("pos_weight", _buffer(pos_weight))

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(
            input, target, self.weight, reduction=self.reduction, pos_weight=self.pos_weight
        )


def _buffer(value):
    return value if value is None or isinstance(value, Tensor) else np.asarray(value)


def _array(value):
    return None if value is None else value._data
