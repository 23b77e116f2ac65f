"""Op-table rows for elementwise math, comparisons, reductions, scans and sorting.

The common surface (issue 11). Rows are OpCase objects from op_db; OPS in op_db.py takes them in.
"""

from op_db import _F, OpCase  # noqa: F401

MATH_OPS = []
