"""The backward pass: dependency counting and a ready list, as PyTorch's engine walks the graph.

No recursion, so a chain of any length works. A node runs once every consumer of its outputs
has contributed, gradients are summed (never overwritten), and each node's ctx is dropped after
it runs unless ``retain_graph`` is set.
"""

import numpy as np

from minigrad import backend
from minigrad._broadcast import sum_to
from minigrad.autograd import anomaly, grad_mode
from minigrad.autograd import function as _function
from minigrad.autograd.function import Context, Function, GraphContext, Node, edge_to

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or to use {op}'s saved arrays after "
    "they were freed). The graph is freed by backward; pass retain_graph=True to the first "
    "backward (or autograd.grad) to keep it."
)


def run_backward(roots, root_grads, retain_graph=False, capture=None, create_graph=False):
    """Propagate ``root_grads`` (arrays) from the tensors ``roots`` to the leaves.

    Without ``capture`` the gradients accumulate into the leaves' ``.grad``. With ``capture``,
    a dict from ``capture_key(tensor)`` to None, nothing touches ``.grad`` and the dict is filled
    with the gradient arriving at each of those tensors (None where none arrives).

    With ``create_graph`` the gradients are Tensors (``root_grads`` too) and every backward
    records its ops, so the gradients can be differentiated again; the graph is kept.
    """
    with np.errstate(**_function.IEEE):
        if create_graph:
            with grad_mode.enable_grad():
                return _run(roots, root_grads, True, capture, True)
        return _run(roots, root_grads, retain_graph, capture, False)


def _run(roots, root_grads, retain_graph, capture, create_graph):
    nodes = [t.grad_fn for t in roots if t.grad_fn is not None]
    dependencies = _count_dependencies(nodes)
    pending = {}
    leaf_grads = {}
    for tensor, grad in zip(roots, root_grads):
        _deliver(edge_to(tensor), grad, pending, leaf_grads, capture)
    ready = [node for node in dict.fromkeys(nodes) if dependencies[node] == 0]
    while ready:
        node = ready.pop()
        grads = pending.pop(node, None)
        if grads is not None:
            if node.ctx is None:
                raise RuntimeError(FREED_MESSAGE.format(op=node.name()))
            if node.ctx._hooks is not None:
                grads = _run_hooks(node.ctx._hooks, grads)
            if capture is not None:
                for index, grad in enumerate(grads):
                    if (node, index) in capture and grad is not None:
                        capture[(node, index)] = grad
            call = _call_graph_backward if create_graph else _call_backward
            input_grads = call(node, grads)
            if anomaly.enabled():
                anomaly.check_backward(node, input_grads)
        else:  # nothing reached this node: its inputs get nothing from it either
            input_grads = (None,) * len(node.edges)
        for position, (edge, grad) in enumerate(zip(node.edges, input_grads)):
            if edge is None:
                continue
            if grad is not None:
                grad = (_fit_tensor if create_graph else _fit)(grad, node, position)
                _deliver(edge, grad, pending, leaf_grads, capture)
            if isinstance(edge, tuple):
                producer = edge[0]
                dependencies[producer] -= 1
                if dependencies[producer] == 0:
                    ready.append(producer)
        if not retain_graph and node.ctx is not None and node.ctx._saved:
            node.ctx = None  # as PyTorch, a node that saved nothing can run again
    for key, (leaf, grad) in leaf_grads.items():
        if leaf._hooks:
            leaf_grads[key] = (leaf, _run_hooks({0: leaf._hooks}, [grad])[0])
            if capture is not None and key in capture:
                capture[key] = leaf_grads[key][1]
    if capture is None:
        _accumulate_into_leaves(leaf_grads, create_graph)


def _run_hooks(hooks, grads):
    """Tensor hooks (``register_hook``, ``retain_grad``) see each output's whole gradient,
    as a Tensor, and may return a replacement."""
    from minigrad.tensor import Tensor

    grads = list(grads)
    for index, functions in hooks.items():
        if grads[index] is None:
            continue
        for function in list(functions.values()):
            graph = isinstance(grads[index], Tensor)  # create_graph: the gradient has a graph
            replacement = function(grads[index] if graph else Tensor._make(grads[index]))
            if replacement is not None and graph:
                grads[index] = (
                    replacement
                    if isinstance(replacement, Tensor)
                    else Tensor._make(backend.as_array(replacement))
                )
            elif replacement is not None:
                grads[index] = backend.as_array(
                    replacement._data if isinstance(replacement, Tensor) else replacement
                )
    return grads


def capture_key(tensor):
    """How ``capture`` names a tensor: by identity for a leaf, by (node, output) otherwise."""
    return id(tensor) if tensor.grad_fn is None else (tensor.grad_fn, tensor._output_index)


def _count_dependencies(nodes):
    """For each node reachable from ``nodes``: how many edges lead into it."""
    dependencies = dict.fromkeys(nodes, 0)
    stack = list(dependencies)
    while stack:
        node = stack.pop()
        for edge in node.edges:
            if isinstance(edge, tuple):
                producer = edge[0]
                if producer not in dependencies:
                    dependencies[producer] = 0
                    stack.append(producer)
                dependencies[producer] += 1
    return dependencies


def _deliver(edge, grad, pending, leaf_grads, capture):
    if isinstance(edge, tuple):
        node, index = edge
        slots = pending.setdefault(node, [None] * len(node.output_meta))
        slots[index] = grad if slots[index] is None else slots[index] + grad
    else:  # a leaf tensor, keyed by identity
        previous = leaf_grads.get(id(edge), (edge, None))[1]
        leaf_grads[id(edge)] = (edge, grad if previous is None else previous + grad)
        if capture is not None and id(edge) in capture:
            capture[id(edge)] = leaf_grads[id(edge)][1]


def _call_backward(node, grads):
    grads = [
        node.xp.zeros(shape, dtype) if grad is None else grad
        for grad, (shape, dtype) in zip(grads, node.output_meta)
    ]
    return _as_input_grads(node, node.function.backward(node.ctx, *grads))


def _call_graph_backward(node, grads):
    """``_call_backward`` under create_graph: Tensors in and out, the backward's ops recorded.

    A Function whose backward is array-only (``differentiable_backward`` False, the default
    for users' Functions) gets arrays as always; its gradients are right but carry a node that
    raises if a second derivative through it is asked for (never a silent zero).
    """
    from minigrad.tensor import Tensor

    function = node.function
    if not function.differentiable_backward:
        arrays = [None if g is None else g._data for g in grads]
        result = _call_backward(node, arrays)
        return tuple(None if g is None else _not_differentiable(function, g) for g in result)
    grads = [
        Tensor._make(node.xp.zeros(shape, dtype)) if grad is None else grad
        for grad, (shape, dtype) in zip(grads, node.output_meta)
    ]
    previous = _function.in_graph_backward()
    _function._graph_backward.active = True
    ctx = GraphContext(node.ctx, node)
    try:
        result = _as_input_grads(node, function.backward(ctx, *grads))
    except (TypeError, ValueError) as error:  # e.g. a DerivedArray met an operator
        if ctx.handed_derived:
            raise RuntimeError(_function.derived_message(function.__name__)) from error
        raise
    finally:
        _function._graph_backward.active = previous
    for position, grad in enumerate(result):
        if grad is not None and not isinstance(grad, Tensor):
            raise RuntimeError(
                f"{function.__name__}.backward returned a {type(grad).__name__} for input "
                f"{position} under create_graph=True, where a Tensor is needed: the gradient "
                "would have no graph (write the backward with operators and minigrad.ops.xp)"
            )
    return result


class NotDifferentiable(Function):
    """The grad_fn of a gradient computed by an array-only backward under create_graph."""

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError(
            f"a second derivative was asked through {ctx.op}, whose backward works on numpy "
            f"arrays and is not differentiable: set {ctx.op}.differentiable_backward = True "
            "and write its backward with operators and minigrad.ops.xp helpers, which work on "
            "Tensors too"
        )


def _not_differentiable(function, array):
    from minigrad.tensor import Tensor

    array = backend.as_array(array)
    ctx = Context(())
    ctx.op = function.__name__
    grad = Tensor._make(array)
    if np.issubdtype(array.dtype, np.floating):
        xp = backend.array_module(array)
        node = Node(NotDifferentiable, ctx, (), (), ((array.shape, array.dtype),), xp)
        grad._requires_grad, grad.grad_fn = True, node
    return grad


def _as_input_grads(node, result):
    if not isinstance(result, tuple):
        result = (result,)
    if len(result) > len(node.edges) and all(g is None for g in result[len(node.edges) :]):
        result = result[: len(node.edges)]  # PyTorch also accepts trailing Nones
    if len(result) != len(node.edges):
        raise RuntimeError(
            f"{node.function.__name__}.backward returned {len(result)} gradients, "
            f"but forward took {len(node.edges)} arguments (return None for those without one)"
        )
    return result


def _fit(grad, node, position):
    """Check a gradient from ``node``'s backward against its input; sum away broadcasting."""
    shape, dtype = node.input_meta[position]
    grad = backend.as_array(grad)
    if node.xp is not np or type(grad) is not np.ndarray:
        _check_device(grad, node, position)
    fitted = sum_to(grad, shape)
    if fitted is None:
        raise RuntimeError(
            f"{node.function.__name__}.backward returned a gradient of shape {grad.shape} for "
            f"input {position}, whose shape is {shape} (it must equal or broadcast to it)"
        )
    return fitted.astype(dtype, copy=False)


def _check_device(grad, node, position):
    """A backward's gradient must be on its node's device (ToDevice's goes back across)."""
    if node.function.moves_devices or backend.array_module(grad) is node.xp:
        return
    raise RuntimeError(
        f"{node.function.__name__}.backward returned a {type(grad).__name__} for input "
        f"{position}, not an array of its device: an op must make its arrays with the "
        "array module of its inputs (minigrad.backend.array_module)"
    )


def _fit_tensor(grad, node, position):
    """``_fit`` for a Tensor gradient (create_graph): summing and casting are recorded too."""
    from minigrad.ops import xp

    shape, dtype = node.input_meta[position]
    fitted = xp.sum_to(grad, shape)
    if fitted is None:
        raise RuntimeError(
            f"{node.function.__name__}.backward returned a gradient of shape {grad.shape} for "
            f"input {position}, whose shape is {shape} (it must equal or broadcast to it)"
        )
    return fitted.to(dtype)


def _accumulate_into_leaves(leaf_grads, create_graph=False):
    from minigrad.tensor import Tensor

    if create_graph:  # out of place, as PyTorch: .grad becomes a Tensor with a graph
        for leaf, grad in leaf_grads.values():
            leaf.grad = grad if leaf.grad is None else leaf.grad + grad
        return
    for leaf, grad in leaf_grads.values():
        if leaf.grad is None:
            # A copy: the array may be a read-only broadcast view or shared with another leaf.
            leaf.grad = Tensor._make(grad.astype(leaf.dtype, copy=True))
        else:
            leaf.grad._data = leaf.grad._data + grad


__all__ = ["run_backward", "capture_key", "Node"]
