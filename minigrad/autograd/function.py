"""``Function``: one differentiable op, the same class for minigrad's primitives and users' ops.

``apply`` runs ``forward`` on numpy arrays and, when a gradient will be needed, records a
``Node`` in the graph. The node keeps the ctx (what forward saved) and edges to the nodes (or
leaf tensors) that produced its inputs, never the input tensors themselves: intermediate
arrays stay alive only if an op saved them.
"""

import numpy as np

from minigrad.autograd import anomaly, grad_mode

MODIFIED_MESSAGE = (
    "one of the variables needed for gradient computation has been modified by an inplace "
    "operation: [{kind} {shape}]{which} is at version {version}; expected version {expected} "
    "instead. Hint: enable anomaly detection to find the operation that failed to compute its "
    "gradient, with minigrad.autograd.set_detect_anomaly(True)."
)


class VersionCounter:
    """How many times a tensor's memory was written in place; shared by its views, as
    PyTorch's version counter, so that backward can tell a saved array went stale."""

    __slots__ = ("value",)

    def __init__(self):
        self.value = 0


class Context:
    """What ``forward`` leaves for ``backward``: saved arrays, flags and any attribute it sets."""

    _hooks = None  # {output index: {handle id: hook}}, from Tensor.register_hook

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self._saved = ()
        self._versions = ()  # (position, counter, version, output index) per checked array

    def save_for_backward(self, *arrays):
        self._saved = arrays

    @property
    def saved_tensors(self):
        for position, counter, version, output in self._versions:
            if counter.value != version:
                array = self._saved[position]
                which = "" if output is None else f", which is output {output} of {self._op},"
                raise RuntimeError(
                    MODIFIED_MESSAGE.format(
                        kind=_tensor_kind(array.dtype), shape=list(array.shape), which=which,
                        version=counter.value, expected=version,
                    )
                )
        return self._saved

    def _record_versions(self, function, args, outputs):
        """Note the version of each saved array that is a Tensor's (an input's or output's):
        an array no Tensor holds is the ctx's own, and nobody else can change it."""
        self._op = function.__name__
        sources = [(a._data, a, None) for a in args if hasattr(a, "_data")]
        sources += [(out._data, out, index) for index, out in enumerate(outputs)]
        versions = []
        for position, array in enumerate(self._saved):
            for data, tensor, output in sources:
                if array is data:
                    counter = tensor._version_counter
                    versions.append((position, counter, counter.value, output))
                    break
        self._versions = versions


def _tensor_kind(dtype):
    """PyTorch's legacy type name of a dtype, as its error messages print it."""
    names = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
             "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
             "bool": "Bool"}  # fmt: skip
    return f"minigrad.{names.get(np.dtype(dtype).name, np.dtype(dtype).name)}Tensor"


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
        if kwargs:
            kwargs = _unwrap_keywords(cls, kwargs)
        ctx = Context(needs_input_grad if record else (False,) * len(args))
        arrays = [a._data if isinstance(a, Tensor) else a for a in args]
        result = cls.forward(ctx, *arrays, **kwargs)
        several = isinstance(result, tuple)
        outputs = tuple(Tensor._make(np.asarray(r)) for r in (result if several else (result,)))
        for out in outputs:
            if out._data.base is not None:  # maybe a view of an input: it shares the version
                _share_version(out, args)
        if anomaly.enabled():
            anomaly.check_forward(cls, outputs)
        if record:
            edges = tuple(
                edge_to(a) if needed else None for a, needed in zip(args, needs_input_grad)
            )
            input_meta = tuple(
                (a.shape, a.dtype) if needed else None for a, needed in zip(args, needs_input_grad)
            )
            output_meta = tuple((out.shape, out.dtype) for out in outputs)
            node = Node(cls, ctx, edges, input_meta, output_meta)
            ctx._op = cls.__name__
            if ctx._saved:
                ctx._record_versions(cls, args, outputs)
            if anomaly.enabled():
                ctx._trace = anomaly.creation_trace()
            for index, out in enumerate(outputs):
                if np.issubdtype(out.dtype, np.floating):
                    out.requires_grad = True
                    out.grad_fn, out._output_index = node, index
        return outputs if several else outputs[0]


def _unwrap_keywords(function, kwargs):
    """Tensor keyword arguments reach forward as arrays, like positional ones. PyTorch gives
    them no gradient (silently); we refuse one that would need a gradient instead."""
    from minigrad.tensor import Tensor

    unwrapped = {}
    for name, value in kwargs.items():
        if isinstance(value, Tensor):
            if value.requires_grad and grad_mode.is_grad_enabled():
                raise RuntimeError(
                    f"{function.__name__}.apply: the keyword argument {name!r} is a Tensor that "
                    "requires grad, but only positional arguments get gradients; pass it "
                    "positionally"
                )
            value = value._data
        unwrapped[name] = value
    return unwrapped


def _share_version(out, args):
    """An output that is a view of an input's memory is a view of that input, as in PyTorch:
    same version counter, and the input (or its own base) as its base."""
    for a in args:
        if hasattr(a, "_data") and np.may_share_memory(out._data, a._data):
            out._counter = a._version_counter
            out._base = a if a._base is None else a._base
            return


def edge_to(tensor):
    """Where a gradient for ``tensor`` goes: the leaf itself, or (its grad_fn, output index)."""
    return tensor if tensor.grad_fn is None else (tensor.grad_fn, tensor._output_index)
