"""Loss layers: thin wrappers that keep the options of the functions in ``F``."""

import numpy as np

from minigrad.nn import functional as F
from minigrad.nn.functional.loss import _check_reduction, legacy_reduction
from minigrad.nn.modules.module import Module
from minigrad.tensor import Tensor


class _Loss(Module):
    _extra_reductions = ()  # beyond 'mean', 'sum' and 'none' (KLDivLoss: 'batchmean')

    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        # The deprecated flags decide once, here, as in PyTorch.
        reduction = legacy_reduction(size_average, reduce, reduction)
        if reduction not in self._extra_reductions:
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


class L1Loss(_Loss):
    """``F.l1_loss`` as a module: the mean (or sum) absolute error.

    Example: ``nn.L1Loss()(prediction, target)``.
    """

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """``F.smooth_l1_loss`` as a module: quadratic below ``beta``, linear above.

    Example: ``nn.SmoothL1Loss(beta=0.5)(prediction, target)``.
    """

    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """``F.huber_loss`` as a module: quadratic below ``delta``, linear (slope delta) above.

    Example: ``nn.HuberLoss(delta=2.0)(prediction, target)``.
    """

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class KLDivLoss(_Loss):
    """``F.kl_div`` as a module: log-probabilities and target probabilities (or log-
    probabilities with ``log_target``); ``reduction='batchmean'`` is the KL divergence.

    Example: ``nn.KLDivLoss(reduction="batchmean")(F.log_softmax(logits, 1), probs)``.
    """

    _extra_reductions = ("batchmean",)

    def __init__(self, size_average=None, reduce=None, reduction="mean", log_target=False):
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class PoissonNLLLoss(_Loss):
    """``F.poisson_nll_loss`` as a module: log-rates (or rates) and counts.

    Example: ``nn.PoissonNLLLoss()(log_rates, counts)``.
    """

    def __init__(
        self, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
        reduction="mean",
    ):  # fmt: skip
        super().__init__(size_average, reduce, reduction)
        self.log_input = log_input
        self.full = full
        self.eps = eps

    def forward(self, log_input, target):
        return F.poisson_nll_loss(
            log_input, target, log_input=self.log_input, full=self.full, eps=self.eps,
            reduction=self.reduction,
        )  # fmt: skip


class GaussianNLLLoss(_Loss):
    """``F.gaussian_nll_loss`` as a module: means, targets and variances.

    Example: ``nn.GaussianNLLLoss()(mean, target, var)``.
    """

    def __init__(self, *, full=False, eps=1e-6, reduction="mean"):
        super().__init__(reduction=reduction)
        self.full = full
        self.eps = eps

    def forward(self, input, target, var):
        return F.gaussian_nll_loss(
            input, target, var, full=self.full, eps=self.eps, reduction=self.reduction
        )


class MarginRankingLoss(_Loss):
    """``F.margin_ranking_loss`` as a module: two score tensors and targets of 1 or -1.

    Example: ``nn.MarginRankingLoss(margin=0.1)(scores1, scores2, target)``.
    """

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.margin_ranking_loss(
            input1, input2, target, margin=self.margin, reduction=self.reduction
        )


class HingeEmbeddingLoss(_Loss):
    """``F.hinge_embedding_loss`` as a module: distances and targets of 1 or -1.

    Example: ``nn.HingeEmbeddingLoss(margin=2.0)(distances, target)``.
    """

    def __init__(self, margin=1.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input, target):
        return F.hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """``F.soft_margin_loss`` as a module: the logistic loss of targets 1 and -1.

    Example: ``nn.SoftMarginLoss()(scores, target)``.
    """

    def forward(self, input, target):
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """``F.multi_margin_loss`` as a module: scores (N, C) and int64 targets (N,).

    Example: ``nn.MultiMarginLoss(p=2)(scores, labels)``.
    """

    def __init__(
        self, p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction="mean"
    ):
        super().__init__(weight, size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError(f"MultiMarginLoss: only p == 1 and p == 2 supported, got p={p}")
        if weight is not None and np.ndim(_array(self.weight)) != 1:
            raise ValueError(
                "MultiMarginLoss: expected weight to be None or 1D tensor, got "
                f"{np.ndim(_array(self.weight))}D instead"
            )
        self.p = p
        self.margin = margin

    def forward(self, input, target):
        return F.multi_margin_loss(
            input, target, p=self.p, margin=self.margin, weight=_array(self.weight),
            reduction=self.reduction,
        )  # fmt: skip


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """``F.multilabel_soft_margin_loss`` as a module: scores (N, C) and 0/1 labels (N, C).

    Example: ``nn.MultiLabelSoftMarginLoss()(scores, labels)``.
    """

    def forward(self, input, target):
        return F.multilabel_soft_margin_loss(
            input, target, weight=self.weight, reduction=self.reduction
        )


class CosineEmbeddingLoss(_Loss):
    """``F.cosine_embedding_loss`` as a module: two embeddings (N, D) and targets (N,) of 1 or -1.

    Example: ``nn.CosineEmbeddingLoss(margin=0.2)(x1, x2, target)``.
    """

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.cosine_embedding_loss(
            input1, input2, target, margin=self.margin, reduction=self.reduction
        )


class TripletMarginLoss(_Loss):
    """``F.triplet_margin_loss`` as a module: anchors, positives and negatives (N, D).

    Example: ``nn.TripletMarginLoss(margin=0.5, swap=True)(anchor, positive, negative)``.
    """

    def __init__(
        self, margin=1.0, p=2.0, eps=1e-6, swap=False, size_average=None, reduce=None,
        reduction="mean",
    ):  # fmt: skip
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(
                f"TripletMarginLoss: expected margin to be greater than 0, got {margin} instead"
            )
        self.margin = margin
        self.p = p
        self.eps = eps
        self.swap = swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_loss(
            anchor, positive, negative, margin=self.margin, p=self.p, eps=self.eps,
            swap=self.swap, reduction=self.reduction,
        )  # fmt: skip
