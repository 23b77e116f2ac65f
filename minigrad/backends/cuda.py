"""``mg.backends.cuda``: as torch's; minigrad's CUDA is CuPy's."""

import importlib.util
import types

matmul = types.SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True)


def is_built():
    """Whether CuPy is installed (``pip install minigrad[cuda]``), GPU or not."""
    return importlib.util.find_spec("cupy") is not None
