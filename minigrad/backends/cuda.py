"""``mg.backends.cuda``: as torch's on a machine without CUDA."""

import types

matmul = types.SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True)


def is_built():
    return False
