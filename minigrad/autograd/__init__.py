"""Reverse-mode automatic differentiation: ``Function``, ``grad``, ``gradcheck``, grad modes."""

from minigrad.autograd.anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from minigrad.autograd.function import Context, Function, Node
from minigrad.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from minigrad.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from minigrad.backend import array_module, as_array, same_device


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph=None,
    create_graph=False,
    only_inputs=True,
    allow_unused=None,
    materialize_grads=False,
):
    """The gradients of ``outputs`` with respect to ``inputs``, without touching any ``.grad``.

    ``outputs`` and ``inputs`` are Tensors or sequences of them; ``grad_outputs`` gives the
    upstream gradient of each output (needed for non-scalar outputs). Returns a tuple with one
    Tensor per input. An input that the outputs do not depend on is an error unless
    ``allow_unused=True``, which gives None for it (zeros with ``materialize_grads=True``).
    With ``create_graph=True`` the gradients are Tensors with a graph of their own, to be
    differentiated again (gradient penalties, Hessian-vector products); the graph is then
    kept (``retain_graph`` defaults to ``create_graph``, as in PyTorch).

    Example::

        x = mg.tensor(2.0, requires_grad=True)
        (dy,) = mg.autograd.grad(x**3, x, create_graph=True)  # 3 x^2 = 12
        (d2y,) = mg.autograd.grad(dy, x)  # 6 x = 12
    """
    from minigrad.autograd.engine import capture_key, run_backward
    from minigrad.tensor import Tensor

    outputs = (outputs,) if isinstance(outputs, Tensor) else tuple(outputs)
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,) * len(outputs) if grad_outputs is None else (grad_outputs,)
    for position, tensor in enumerate(inputs):
        if not isinstance(tensor, Tensor) or not tensor.requires_grad:
            raise RuntimeError(
                f"autograd.grad: input {position} is not a Tensor that requires grad"
            )
    allow_unused = materialize_grads if allow_unused is None else allow_unused
    if materialize_grads and not allow_unused:
        raise ValueError("autograd.grad: materialize_grads=True needs allow_unused to be True")
    retain_graph = create_graph if retain_graph is None else retain_graph
    root_grads = [_root_grad(out, g, create_graph) for out, g in zip(outputs, grad_outputs)]
    capture = {capture_key(t): None for t in inputs}
    run_backward(outputs, root_grads, retain_graph, capture, create_graph)
    result = []
    for position, tensor in enumerate(inputs):
        found = capture[capture_key(tensor)]
        if found is None and not allow_unused:
            raise RuntimeError(
                f"autograd.grad: input {position} was not used to compute the outputs "
                "(pass allow_unused=True to get None for it)"
            )
        if found is None:
            zeros = Tensor._make(array_module(tensor._data).zeros(tensor.shape, tensor.dtype))
            result.append(zeros if materialize_grads else None)
        elif create_graph:
            result.append(found.to(tensor.dtype))
        else:
            result.append(Tensor._make(found.astype(tensor.dtype)))
    return tuple(result)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate the gradients of several outputs into the leaves' ``.grad`` in one pass
    (PyTorch's ``torch.autograd.backward``; ``t.backward(g)`` is the one-output case).

    ``grad_tensors`` gives one upstream gradient per output (None for a single-element one).
    ``inputs``: accumulate only into these leaves.
    """
    from minigrad.autograd.engine import capture_key, run_backward
    from minigrad.tensor import Tensor

    tensors = (tensors,) if isinstance(tensors, Tensor) else tuple(tensors)
    if grad_tensors is None:
        grad_tensors = (None,) * len(tensors)
    elif not isinstance(grad_tensors, list | tuple):
        grad_tensors = (grad_tensors,)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(
            f"autograd.backward: got {len(grad_tensors)} grad_tensors for {len(tensors)} tensors"
        )
    retain_graph = create_graph if retain_graph is None else retain_graph
    root_grads = [_root_grad(t, g, create_graph) for t, g in zip(tensors, grad_tensors)]
    if inputs is None:
        run_backward(tensors, root_grads, retain_graph, create_graph=create_graph)
        return
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    capture = {capture_key(t): None for t in inputs}
    run_backward(tensors, root_grads, retain_graph, capture, create_graph)
    for leaf in inputs:
        found = capture[capture_key(leaf)]
        if found is None:
            continue
        found = found if isinstance(found, Tensor) else Tensor._make(found.astype(leaf.dtype))
        leaf.grad = found.to(leaf.dtype) if leaf.grad is None else leaf.grad + found


def _root_grad(output, gradient, create_graph=False):
    """The starting gradient of one output, checked as PyTorch checks it: an array, or under
    ``create_graph`` a Tensor (the given one, whose own graph then takes part)."""
    from minigrad.tensor import Tensor

    if not output.requires_grad:
        raise RuntimeError(
            "element 0 of tensors does not require grad and does not have a grad_fn: nothing "
            "in its computation requires grad (set requires_grad=True on an input, outside "
            "no_grad)"
        )
    if gradient is None:
        if output.numel() != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs, but the output has "
                f"shape {output.shape}; pass gradient= (an array of that shape) to backward"
            )
        array = array_module(output._data).ones(output.shape, output.dtype)
        return Tensor._make(array) if create_graph else array
    if isinstance(gradient, Tensor):
        same_device((output._data, gradient._data))
        array = gradient._data
    else:
        array = as_array(gradient, like=output._data)
    if array.shape != output.shape:
        raise RuntimeError(
            f"gradient has shape {array.shape}, but the output it belongs to has shape "
            f"{output.shape}"
        )
    if create_graph:
        return (
            gradient.to(output.dtype)
            if isinstance(gradient, Tensor)
            else Tensor._make(array.astype(output.dtype, copy=False))
        )
    return array.astype(output.dtype, copy=False)


from minigrad.autograd import functional  # noqa: E402 (it needs grad, defined above)

__all__ = [
    "Context",
    "Function",
    "GradcheckError",
    "Node",
    "detect_anomaly",
    "enable_grad",
    "functional",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "no_grad",
    "set_detect_anomaly",
    "set_grad_enabled",
]
