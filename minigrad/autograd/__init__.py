"""Reverse-mode automatic differentiation: ``Function``, ``grad``, ``gradcheck``, grad modes."""

from minigrad.autograd.anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from minigrad.autograd.function import Context, Function, Node
from minigrad.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from minigrad.autograd.gradcheck import GradcheckError, gradcheck


def grad(outputs, inputs, grad_outputs=None, retain_graph=False, allow_unused=False):
    """The gradients of ``outputs`` with respect to ``inputs``, without touching any ``.grad``.

    ``outputs`` and ``inputs`` are Tensors or sequences of them; ``grad_outputs`` gives the
    upstream gradient of each output (needed for non-scalar outputs). Returns a tuple with one
    Tensor per input. An input that the outputs do not depend on is an error unless
    ``allow_unused=True``, which gives None for it.
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
    root_grads = [_root_grad(out, g) for out, g in zip(outputs, grad_outputs)]
    capture = {capture_key(t): None for t in inputs}
    run_backward(outputs, root_grads, retain_graph=retain_graph, capture=capture)
    result = []
    for position, tensor in enumerate(inputs):
        array = capture[capture_key(tensor)]
        if array is None and not allow_unused:
            raise RuntimeError(
                f"autograd.grad: input {position} was not used to compute the outputs "
                "(pass allow_unused=True to get None for it)"
            )
        result.append(None if array is None else Tensor._make(array.astype(tensor.dtype)))
    return tuple(result)


def _root_grad(output, gradient):
    """The starting gradient of one output, checked as PyTorch checks it."""
    import numpy as np

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
        return np.ones(output.shape, output.dtype)
    array = gradient._data if isinstance(gradient, Tensor) else np.asarray(gradient)
    if array.shape != output.shape:
        raise RuntimeError(
            f"gradient has shape {array.shape}, but the output it belongs to has shape "
            f"{output.shape}"
        )
    return array.astype(output.dtype, copy=False)


__all__ = [
    "Context",
    "Function",
    "GradcheckError",
    "Node",
    "detect_anomaly",
    "enable_grad",
    "grad",
    "gradcheck",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "no_grad",
    "set_detect_anomaly",
    "set_grad_enabled",
]
