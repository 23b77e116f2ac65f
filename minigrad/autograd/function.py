"""``Function``: one differentiable op, the same class for minigrad's primitives and users' ops.

``apply`` runs ``forward`` on numpy arrays and, when a gradient will be needed, records a
``Node`` in the graph. The node keeps the ctx (what forward saved) and edges to the nodes (or
leaf tensors) that produced its inputs, never the input tensors themselves: intermediate
arrays stay alive only if an op saved them.
"""

import numpy as np

from minigrad.autograd import grad_mode


class Context:
    """What ``forward`` leaves for ``backward``: saved arrays, flags and any attribute it sets."""

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self._saved = ()

    def save_for_backward(self, *arrays):
        self._saved = arrays

    @property
    def saved_tensors(self):
        return self._saved


class Node:
    """A recorded call: the grad_fn of the tensors it produced."""

    __slots__ = ("function", "ctx", "edges", "input_meta", "output_meta", "__weakref__")

    def __init__(self, function, ctx, edges, input_meta, output_meta):
        self.function = function
        self.ctx = ctx  # None once backward has freed it
        self.edges = edges  # per forward argument: None, a leaf Tensor or (Node, output index)
        self.input_meta = input_meta  # per forward argument: (shape, dtype) or None
        self.output_meta = output_meta  # per output: (shape, dtype)

    def name(self):
        return f"{self.function.__name__}Backward"

    def __repr__(self):
        return f"<{self.name()}>"

    @property
    def next_functions(self):
        """The producers of this node's inputs, as PyTorch shows them (leaves appear as None)."""
        return tuple(edge if isinstance(edge, tuple) else (None, 0) for edge in self.edges)


class Function:
    """Subclass with static ``forward(ctx, *args)`` and ``backward(ctx, *grads)``; call ``apply``.

    ``forward`` gets numpy arrays in place of Tensors (other arguments unchanged) and returns
    an array or a tuple of arrays. ``backward`` gets one gradient array per output (zeros for
    an unused output) and returns one array or None per forward argument. Gradients may have
    the broadcast shape: the engine sums them back to each input's shape.

    Example::

        class Cube(mg.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x ** 3

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return 3 * x ** 2 * grad

        y = Cube.apply(t)
    """

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("a Function subclass must define a static forward(ctx, ...)")

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError("a Function subclass must define a static backward(ctx, ...)")

    @classmethod
    def apply(cls, *args, **kwargs):
        from minigrad.tensor import Tensor

        needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        record = grad_mode.is_grad_enabled() and any(needs_input_grad)
        ctx = Context(needs_input_grad if record else (False,) * len(args))
        arrays = [a._data if isinstance(a, Tensor) else a for a in args]
        result = cls.forward(ctx, *arrays, **kwargs)
        several = isinstance(result, tuple)
        outputs = tuple(Tensor._make(np.asarray(r)) for r in (result if several else (result,)))
        if record:
            edges = tuple(
                edge_to(a) if needed else None for a, needed in zip(args, needs_input_grad)
            )
            input_meta = tuple(
                (a.shape, a.dtype) if needed else None for a, needed in zip(args, needs_input_grad)
            )
            output_meta = tuple((out.shape, out.dtype) for out in outputs)
            node = Node(cls, ctx, edges, input_meta, output_meta)
            for index, out in enumerate(outputs):
                if np.issubdtype(out.dtype, np.floating):
                    out.requires_grad = True
                    out.grad_fn, out._output_index = node, index
        return outputs if several else outputs[0]


def edge_to(tensor):
    """Where a gradient for ``tensor`` goes: the leaf itself, or (its grad_fn, output index)."""
    return tensor if tensor.grad_fn is None else (tensor.grad_fn, tensor._output_index)
