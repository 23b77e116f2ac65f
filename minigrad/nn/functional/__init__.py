"""``minigrad.nn.functional`` (imported as F): the stateless functions behind the layers.

import minigrad.nn.functional as F
loss = F.cross_entropy(model(x), y)
"""

from minigrad.nn.functional.activation import (
    celu,
    elu,
    gelu,
    glu,
    hardshrink,
    hardsigmoid,
    hardswish,
    hardtanh,
    leaky_relu,
    log_softmax,
    logsigmoid,
    mish,
    prelu,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    softmax,
    softmin,
    softplus,
    softshrink,
    softsign,
    tanh,
    tanhshrink,
    threshold,
)
from minigrad.nn.functional.adaptive import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool2d,
)
from minigrad.nn.functional.conv import (
    avg_pool2d,
    conv1d,
    conv2d,
    conv_output_size,
    max_pool2d,
    receptive_field,
)
from minigrad.nn.functional.conv_transpose import conv_transpose1d, conv_transpose2d
from minigrad.nn.functional.distance import cosine_similarity, normalize, pairwise_distance
from minigrad.nn.functional.dropout import (
    alpha_dropout,
    dropout,
    dropout1d,
    dropout2d,
    dropout3d,
    feature_alpha_dropout,
)
from minigrad.nn.functional.fold import fold, unfold
from minigrad.nn.functional.instance_norm import instance_norm, local_response_norm
from minigrad.nn.functional.linear import linear
from minigrad.nn.functional.loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cosine_embedding_loss,
    cross_entropy,
    gaussian_nll_loss,
    hinge_embedding_loss,
    huber_loss,
    kl_div,
    l1_loss,
    margin_ranking_loss,
    mse_loss,
    multi_margin_loss,
    multilabel_soft_margin_loss,
    nll_loss,
    poisson_nll_loss,
    smooth_l1_loss,
    soft_margin_loss,
    triplet_margin_loss,
)
from minigrad.nn.functional.normalization import batch_norm, group_norm, layer_norm
from minigrad.nn.functional.padding import pad
from minigrad.nn.functional.pooling1d import avg_pool1d, max_pool1d
from minigrad.nn.functional.sparse import embedding, one_hot
from minigrad.nn.functional.unpool import max_unpool1d, max_unpool2d
from minigrad.nn.functional.upsampling import (
    interpolate,
    upsample,
    upsample_bilinear,
    upsample_nearest,
)

__all__ = [
    "avg_pool2d", "batch_norm", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "conv2d", "conv_output_size", "cross_entropy", "dropout", "gelu", "leaky_relu", "linear",
    "log_softmax", "max_pool2d", "mse_loss", "nll_loss", "receptive_field", "relu", "sigmoid",
    "softmax", "tanh",
]  # fmt: skip
__all__ += [
    "celu", "elu", "embedding", "glu", "hardshrink", "hardsigmoid", "hardswish", "hardtanh",
    "logsigmoid", "mish", "one_hot", "pad", "prelu", "relu6", "selu", "silu", "softmin",
    "softplus", "softshrink", "softsign", "tanhshrink", "threshold",
]  # fmt: skip
__all__ += ["cosine_similarity", "group_norm", "layer_norm", "normalize", "pairwise_distance"]
__all__ += ["alpha_dropout", "dropout1d", "dropout2d", "dropout3d", "feature_alpha_dropout"]
__all__ += [
    "cosine_embedding_loss",
    "gaussian_nll_loss",
    "hinge_embedding_loss",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "margin_ranking_loss",
    "multi_margin_loss",
    "multilabel_soft_margin_loss",
    "poisson_nll_loss",
    "smooth_l1_loss",
    "soft_margin_loss",
    "triplet_margin_loss",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool2d",
    "avg_pool1d",
    "conv1d",
    "instance_norm",
    "local_response_norm",
    "max_pool1d",
]

# Attention (composites of matmul and softmax).
from minigrad.nn.functional.attention import scaled_dot_product_attention  # noqa: E402

__all__ += ["scaled_dot_product_attention"]
__all__ += [
    "conv_transpose1d",
    "conv_transpose2d",
    "interpolate",
    "upsample",
    "upsample_bilinear",
    "upsample_nearest",
]
__all__ += ["fold", "max_unpool1d", "max_unpool2d", "unfold"]
