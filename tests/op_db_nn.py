"""Op-table rows for nn.functional: convolution, pooling, norms, losses, attention, RNNs.

The common surface (issue 11). Rows are OpCase objects from op_db; OPS in op_db.py takes them in.
"""

from op_case import _F, OpCase  # noqa: F401

NN_OPS = []
