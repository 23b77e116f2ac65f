"""Op-table rows for shape, indexing, linear algebra and factories.

The common surface (issue 11). Rows are OpCase objects from op_db; OPS in op_db.py takes them in.
"""

from op_db import _F, OpCase  # noqa: F401

SHAPE_OPS = []
