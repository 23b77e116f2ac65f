"""The backward pass: dependency counting and a ready list, as PyTorch's engine walks the graph.

No recursion, so a chain of any length works. A node runs once every consumer of its outputs
has contributed, gradients are summed (never overwritten), and each node's ctx is dropped after
it runs unless ``retain_graph`` is set.
"""

import numpy as np

from minigrad._broadcast import sum_to
from minigrad.autograd import anomaly
from minigrad.autograd.function import Node, edge_to

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or to use {op}'s saved arrays after "
    "they were freed). The graph is freed by backward; pass retain_graph=True to the first "
    "backward (or autograd.grad) to keep it."
)


def run_backward(roots, root_grads, retain_graph=False, capture=None):
    """Propagate ``root_grads`` (arrays) from the tensors ``roots`` to the leaves.

    Without ``capture`` the gradients accumulate into the leaves' ``.grad``. With ``capture``,
    a dict from ``capture_key(tensor)`` to None, nothing touches ``.grad`` and the dict is filled
    with the gradient arriving at each of those tensors (None where none arrives).
    """
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
            input_grads = _call_backward(node, grads)
            if anomaly.enabled():
                anomaly.check_backward(node, input_grads)
        else:  # nothing reached this node: its inputs get nothing from it either
            input_grads = (None,) * len(node.edges)
        for position, (edge, grad) in enumerate(zip(node.edges, input_grads)):
            if edge is None:
                continue
            if grad is not None:
                grad = _fit(grad, node, position)
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
        _accumulate_into_leaves(leaf_grads)


def _run_hooks(hooks, grads):
    """Tensor hooks (``register_hook``, ``retain_grad``) see each output's whole gradient,
    as a Tensor, and may return a replacement."""
    from minigrad.tensor import Tensor

    grads = list(grads)
    for index, functions in hooks.items():
        if grads[index] is None:
            continue
        for function in list(functions.values()):
            replacement = function(Tensor._make(grads[index]))
            if replacement is not None:
                grads[index] = np.asarray(replacement._data if isinstance(replacement, Tensor)
                                          else replacement)
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
        np.zeros(shape, dtype) if grad is None else grad
        for grad, (shape, dtype) in zip(grads, node.output_meta)
    ]
    result = node.function.backward(node.ctx, *grads)
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
    grad = np.asarray(grad)
    fitted = sum_to(grad, shape)
    if fitted is None:
        raise RuntimeError(
            f"{node.function.__name__}.backward returned a gradient of shape {grad.shape} for "
            f"input {position}, whose shape is {shape} (it must equal or broadcast to it)"
        )
    return fitted.astype(dtype, copy=False)


def _accumulate_into_leaves(leaf_grads):
    from minigrad.tensor import Tensor

    for leaf, grad in leaf_grads.values():
        if leaf.grad is None:
            # A copy: the array may be a read-only broadcast view or shared with another leaf.
            leaf.grad = Tensor._make(np.array(grad, dtype=leaf.dtype, copy=True))
        else:
            leaf.grad._data = leaf.grad._data + grad


__all__ = ["run_backward", "capture_key", "Node"]
