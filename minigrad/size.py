"""``mg.Size``: a tensor's shape, a tuple that prints as PyTorch's ``torch.Size``."""

import builtins
import sys


class Size(tuple):
    """A tuple of ints: ``mg.zeros(2, 3).shape`` is ``minigrad.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self):
        return f"minigrad.Size({list(self)})"

    __str__ = __repr__

    def __format__(self, format_spec):
        # A user's f"{x.shape}" prints minigrad.Size([2, 3]) as PyTorch's does; minigrad's own
        # error messages show the plain tuple, "(2, 3)", which reads better inside a sentence.
        caller = sys._getframe(1).f_globals.get("__name__", "")
        text = tuple.__repr__(self) if caller.partition(".")[0] == "minigrad" else repr(self)
        return text.__format__(format_spec)

    def __getitem__(self, index):
        item = tuple.__getitem__(self, index)
        return Size(item) if isinstance(index, slice) else item

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))

    def numel(self):
        """The number of elements a tensor of this shape holds."""
        count = 1
        for size in self:
            count *= size
        return builtins.int(count)
