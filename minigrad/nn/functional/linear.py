"""``linear``: the affine map of ``nn.Linear``."""

from minigrad.tensor import as_tensor


def linear(input, weight, bias=None):
    """input @ weight.T + bias.

    Shapes: input (*, in_features), weight (out_features, in_features), bias (out_features,);
    the result is (*, out_features).

    Example::

        F.linear(mg.randn(8, 4), mg.randn(3, 4), mg.zeros(3)).shape  # (8, 3)
    """
    out = as_tensor(input).matmul(as_tensor(weight).T)
    return out if bias is None else out + bias
