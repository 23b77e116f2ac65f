"""Movement primitives: they rearrange elements and route gradients back to where they came from."""

import itertools

import numpy as np

from minigrad.autograd.function import Context, Function
from minigrad.backend import add_at, array_module
from minigrad.ops import xp


class Reshape(Function):
    """The gradient takes the input's shape back"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        return np.reshape(a, shape)

    @staticmethod
    def backward(ctx, grad):
        return xp.reshape(grad, ctx.shape)


class Permute(Function):
    """The gradient is permuted back by the inverse permutation"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return np.transpose(a, dims)

    @staticmethod
    def backward(ctx, grad):
        return xp.transpose(grad, tuple(np.argsort(ctx.dims)))


class Expand(Function):
    """Broadcast without copying; the engine sums the gradient back to the input's shape"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, shape):
        return np.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad


class Index(Function):
    """d a[index]: the gradient lands where the elements came from; repeated indices add up"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, index):
        ctx.shape, ctx.index = a.shape, index
        return a[index]

    @staticmethod
    def backward(ctx, grad):
        if ctx.create_graph:  # the scatter as an op of its own, differentiable
            return IndexBackward.apply(grad, ctx.index, ctx.shape), None
        full = array_module(grad).zeros(ctx.shape, grad.dtype)
        if _is_basic(ctx.index):  # slices and ints never repeat an element: plain assignment
            full[ctx.index] = grad
        else:
            add_at(full, ctx.index, grad)
        return full, None


class IndexBackward(Function):
    """a[index]'s gradient as an op (create_graph): its own gradient is the indexing again"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, grad, index, shape):
        ctx.index = index
        inner = Context((True, False))
        inner.shape, inner.index = shape, index
        return Index.backward(inner, grad)[0]

    @staticmethod
    def backward(ctx, grad):
        return xp.apply(Index, grad, ctx.index), None, None


def _is_basic(index):
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, slice)) for p in parts)


class Cat(Function):
    """d cat(xs) = the gradient split back into the pieces"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, *arrays, dim=0):
        ctx.dim = dim
        ctx.bounds = list(itertools.accumulate(a.shape[dim] for a in arrays))[:-1]
        return np.concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return tuple(xp.split(grad, ctx.bounds, axis=ctx.dim))
