"""``Function``: one differentiable op, the same class for minigrad's primitives and users' ops.

``apply`` runs ``forward`` on numpy arrays and, when a gradient will be needed, records a
``Node`` in the graph. The node keeps the ctx (what forward saved) and edges to the nodes (or
leaf tensors) that produced its inputs, never the input tensors themselves: intermediate
arrays stay alive only if an op saved them.
"""

import threading

import numpy as np

from minigrad import backend
from minigrad.autograd import anomaly, grad_mode

# IEEE arithmetic as PyTorch gives it (log(0) = -inf, 0 / 0 = nan, overflow = inf), without
# numpy's RuntimeWarnings: every op's forward and every backward pass runs under this.
IEEE = {"divide": "ignore", "invalid": "ignore", "over": "ignore", "under": "ignore"}

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


_graph_backward = threading.local()  # .active: a create_graph backward runs in this thread


def in_graph_backward():
    """True while an op's backward runs under ``create_graph=True`` (in this thread)."""
    return getattr(_graph_backward, "active", False)


class Context:
    """What ``forward`` leaves for ``backward``: saved arrays, flags and any attribute it sets."""

    create_graph = False  # True in the GraphContext a backward gets under create_graph=True
    _hooks = None  # {output index: {handle id: hook}}, from Tensor.register_hook

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self._saved = ()
        self._origins = None  # per saved array: ("input", i), ("output", j) or None
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
                        kind=_tensor_kind(array.dtype),
                        shape=list(array.shape),
                        which=which,
                        version=counter.value,
                        expected=version,
                    )
                )
        return self._saved

    @property
    def saved_arrays(self):
        """The saved arrays as they are, also under ``create_graph``: values to re-derive from."""
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


class GraphContext:
    """The ctx a backward sees under ``create_graph=True``: the same attributes, but each saved
    input or output comes back as a Tensor on the graph, so the backward's ops record a graph.

    A saved array that forward derived (neither an input nor an output, and floating) cannot
    be differentiated through; it comes back as a ``DerivedArray`` that refuses any use, so an
    op that would treat it as a constant fails loudly. Masks and indices (bool and int arrays)
    pass as they are: their derivative is zero.
    """

    create_graph = True

    def __init__(self, ctx, node):
        self._ctx, self._node = ctx, node
        self.handed_derived = False  # whether a DerivedArray went out (for the error)

    def __getattr__(self, name):
        return getattr(self._ctx, name)

    @property
    def array_ctx(self):
        """The Context itself, for code that runs the op's first-order backward on arrays."""
        return self._ctx

    @property
    def saved_tensors(self):
        ctx = self._ctx
        saved = ctx.saved_tensors  # checks the versions
        origins = ctx._origins or (None,) * len(saved)
        return tuple(self._graph_tensor(s, o) for s, o in zip(saved, origins))

    def input_tensor(self, position, data):
        """Forward argument ``position`` as a graph Tensor holding ``data`` (its values, as
        saved or re-derived); ``data`` itself when that argument needed no gradient."""
        from minigrad.tensor import Tensor

        edge = self._node.edges[position]
        if edge is None:
            return data
        if isinstance(edge, Tensor):  # a leaf
            return edge
        return _alias(data, *edge)

    def output_tensor(self, index, data):
        return _alias(data, self._node, index)

    def _graph_tensor(self, saved, origin):
        if origin is not None:
            kind, position = origin
            if kind == "input":
                return self.input_tensor(position, saved)
            if kind == "output":
                return self.output_tensor(position, saved)
            return saved  # an input that needs no gradient: a constant
        if isinstance(saved, np.ndarray | np.generic) and np.issubdtype(saved.dtype, np.floating):
            self.handed_derived = True
            return DerivedArray(self._node.function.__name__)
        return saved


def _alias(data, node, index):
    """A Tensor with ``data`` standing for output ``index`` of ``node`` in the graph."""
    from minigrad.tensor import Tensor

    tensor = Tensor._make(backend.as_array(data))
    tensor._requires_grad = True
    tensor.grad_fn, tensor._output_index = node, index
    return tensor


class DerivedArray:
    """Stands for an array a forward derived, under ``create_graph``: any use raises."""

    __array_ufunc__ = None

    def __init__(self, op):
        self._op = op

    def _refuse(self, *args, **kwargs):
        raise RuntimeError(derived_message(self._op))

    __array__ = __getattr__ = __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = _refuse
    __rmul__ = __truediv__ = __rtruediv__ = __pow__ = __neg__ = __matmul__ = _refuse


def derived_message(op):
    return (
        f"{op}'s backward used an array its forward computed, which has no graph: its "
        "gradient cannot be differentiated (create_graph=True). The op must save inputs or "
        "outputs instead, or re-derive the array from them in graph mode."
    )


def _saved_origins(saved, arrays, needs_input_grad, results):
    """Where each saved array came from, by identity: an input (that needs a gradient, or a
    constant), an output, or None (derived by forward)."""
    origins = []
    for item in saved:
        origin = None
        for position, array in enumerate(arrays):
            if item is array:
                origin = ("input" if needs_input_grad[position] else "constant", position)
                break
        else:
            for index, result in enumerate(results):
                if item is result:
                    origin = ("output", index)
                    break
        origins.append(origin)
    return origins


def _tensor_kind(dtype):
    """PyTorch's legacy type name of a dtype, as its error messages print it."""
    names = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
             "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
             "bool": "Bool"}  # fmt: skip
    return f"minigrad.{names.get(np.dtype(dtype).name, np.dtype(dtype).name)}Tensor"


class Node:
    """A recorded call: the grad_fn of the tensors it produced."""

    __slots__ = ("function", "ctx", "edges", "input_meta", "output_meta", "xp", "__weakref__")

    def __init__(self, function, ctx, edges, input_meta, output_meta, xp=np):
        self.function = function
        self.xp = xp  # the array module of its device: the engine makes missing gradients with it
        self.ctx = ctx  # None once backward has freed it
        self.edges = edges  # per forward argument: None, a leaf Tensor or (Node, output index)
        self.input_meta = input_meta  # per forward argument: (shape, dtype) or None
        self.output_meta = output_meta  # per output: (shape, dtype)

    def name(self):
        """PyTorch's name for this node ('MulBackward0'); a user's Function gives 'CubeBackward'."""
        name = getattr(self.function, "torch_name", None)
        if name is None:
            return f"{self.function.__name__}Backward"
        return name if isinstance(name, str) else name(self)

    def __repr__(self):
        return f"<{self.name()} object at {id(self):#x}>"

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

    ``create_graph=True`` (higher-order gradients) needs a backward that is differentiable:
    with ``differentiable_backward = True`` the backward is called with Tensors (the gradient,
    and ``ctx.saved_tensors`` as graph Tensors) and must use only operators and
    ``minigrad.ops.xp`` helpers, which work on arrays and Tensors alike (as minigrad's own ops
    do). Otherwise (the default) it gets arrays as always: its gradient is right, but a second
    derivative through it raises.

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

    differentiable_backward = False
    moves_devices = False  # only ToDevice: its output is on another device than its input

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
        device = None  # the backend of the inputs when it is not numpy's
        for array in arrays:
            if type(array) is not np.ndarray and type(array) in backend._by_type:
                device = _place_inputs(args, arrays)
                if kwargs:
                    kwargs = {k: _to_backend(v, device) for k, v in kwargs.items()}
                break
        with np.errstate(**IEEE):
            result = cls.forward(ctx, *arrays, **kwargs)
        several = isinstance(result, tuple)
        results = result if several else (result,)
        if cls.moves_devices:
            outputs = tuple(Tensor._make(r) for r in results)
        elif device is None or device is backend.NUMPY:
            outputs = tuple(
                Tensor._make(r if type(r) is np.ndarray else np.asarray(r)) for r in results
            )
        else:
            outputs = tuple(Tensor._make(_on_device(cls, r, device)) for r in results)
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
            if ctx._saved:
                raw = result if several else (result,)
                ctx._origins = _saved_origins(ctx._saved, arrays, needs_input_grad, raw)
            xp = np if device is None and not cls.moves_devices else backend.array_module(*results)
            node = Node(cls, ctx, edges, input_meta, output_meta, xp)
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


def _place_inputs(args, arrays):
    """The backend of an op's tensor inputs, which must share one device (as in PyTorch, a 0-d
    CPU tensor is the exception: it joins the others, as a number would)."""
    from minigrad.tensor import Tensor

    found = None
    for array in arrays:
        if type(array) is np.ndarray or type(array) not in backend._by_type:
            continue
        dev = backend.device_of(array)
        if found is None:
            found = dev
        elif dev != found:
            raise RuntimeError(backend.SAME_DEVICE.format(first=found, second=dev))
    for position, a in enumerate(args):
        if isinstance(a, Tensor) and backend.backend_of(a._data) is backend.NUMPY:
            if a._data.ndim:
                raise RuntimeError(backend.SAME_DEVICE.format(first=found, second="cpu"))
            arrays[position] = backend.to_device(a._data, found)
    device = backend.backend_for(found)
    for position, a in enumerate(args):
        if not isinstance(a, Tensor):  # index arrays, conditions: where the tensors are
            arrays[position] = _to_backend(a, device)
    return device


def _to_backend(value, device):
    """Host index arrays (in tuples too) given to an op on ``device``, moved there: PyTorch
    also indexes a GPU tensor with CPU indices."""
    if type(value) is np.ndarray:
        return device.from_host(value, None)
    if type(value) is tuple and any(type(v) is np.ndarray for v in value):
        return tuple(_to_backend(v, device) for v in value)
    return value


def _on_device(function, result, device):
    """``result`` checked to be an array of ``device``'s backend: an op whose forward made a
    numpy array from inputs on another device computed (or copied) on the wrong one."""
    if isinstance(result, device.array_type):
        return result
    raise RuntimeError(
        f"{function.__name__}.forward returned a {type(result).__name__} for inputs on "
        f"{device.device_type}: an op must make its arrays with the inputs' array module "
        "(minigrad.backend.array_module), not with numpy"
    )


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
        if (
            hasattr(a, "_data")
            and type(a._data) is type(out._data)
            and np.may_share_memory(out._data, a._data)
        ):
            out._counter = a._version_counter
            out._base = a if a._base is None else a._base
            return


def edge_to(tensor):
    """Where a gradient for ``tensor`` goes: the leaf itself, or (its grad_fn, output index)."""
    return tensor if tensor.grad_fn is None else (tensor.grad_fn, tensor._output_index)
