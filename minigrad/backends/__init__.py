"""``mg.backends``: the flags PyTorch programs set (``cudnn.benchmark``, ...) and the
``mps``/``cuda`` availability checks; none of them changes what minigrad computes on the CPU."""

from minigrad.backends import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
