"""Op-table rows for elementwise math, comparisons, reductions, scans and sorting.

The common surface (issue 11). Rows are OpCase objects from op_db; OPS in op_db.py takes them in.
"""

from op_case import _F, OpCase  # noqa: F401

MATH_OPS = []

# OpInfo names (torch.testing._internal.common_methods_invocations.op_db) run by test_opinfo.py
MATH_OPINFO = (
    "exp log sqrt abs neg sin cos tanh sigmoid sum mean amax amin max min var std argmax argmin "
    "add sub mul div pow maximum minimum"
).split()
