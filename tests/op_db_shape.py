"""Op-table rows for shape, indexing, linear algebra and factories.

The common surface (issue 11). Rows are OpCase objects from op_db; OPS in op_db.py takes them in.
"""

from op_case import _F, OpCase  # noqa: F401

SHAPE_OPS = []

# OpInfo names (torch.testing._internal.common_methods_invocations.op_db) run by test_opinfo.py
SHAPE_OPINFO = (
    "reshape flatten transpose permute squeeze unsqueeze matmul stack where expand expand_as "
    "view_as t clone reshape_as view"
).split()
