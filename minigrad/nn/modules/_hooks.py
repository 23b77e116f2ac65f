"""Module hooks: removable handles and the backward-hook plumbing, as ``torch.utils.hooks``.

A full backward hook needs the gradients of a module's inputs and outputs. As PyTorch's
``BackwardHook`` does, the tensors going in and coming out pass through an identity Function;
its backward sees exactly those gradients, so the engine needs no hook support of its own.
"""

import itertools
import warnings

import numpy as np

from minigrad.autograd import Function, grad_mode
from minigrad.backend import array_module, as_array
from minigrad.tensor import Tensor

_next_id = itertools.count()


class RemovableHandle:
    """What ``register_*_hook`` returns: ``handle.remove()`` unregisters the hook (also as a
    context manager: the hook is removed on exit)."""

    def __init__(self, *registries):
        self.id = next(_next_id)
        self._registries = registries  # the dicts that hold this hook's id

    def remove(self):
        for registry in self._registries:
            if isinstance(registry, dict):
                registry.pop(self.id, None)
            else:
                registry.discard(self.id)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.remove()


class BackwardHookFunction(Function):
    """The identity; its backward is where a module's backward hooks see the gradients."""

    @staticmethod
    def forward(ctx, *arrays, on_backward):
        ctx.on_backward = on_backward
        return arrays

    @staticmethod
    def backward(ctx, *grads):
        return ctx.on_backward(grads)


def _as_tensor_or_none(grad):
    if grad is None or isinstance(grad, Tensor):
        return grad
    return Tensor._make(as_array(grad))


def _for_engine(grads, like):
    """Hooks return Tensors; hand the engine back the kind it passed in: arrays on the plain
    first-order path, Tensors when it passed Tensors (a graph being built for create_graph)."""
    if any(isinstance(g, Tensor) for g in like):
        return tuple(g if g is None or isinstance(g, Tensor) else Tensor._make(g) for g in grads)
    return tuple(g._data if isinstance(g, Tensor) else g for g in grads)


class BackwardHook:
    """One module call's backward hooks: the outputs' gradients are kept until the inputs'
    arrive, then ``hook(module, grad_input, grad_output)`` runs (each a tuple with None for a
    non-Tensor argument or one that needs no gradient)."""

    def __init__(self, module, hooks, pre_hooks):
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre_hooks
        self.grad_outputs = None
        self.input_positions = None  # positions of the inputs routed through the identity

    def _route(self, values, on_backward):
        """Pass the Tensors of ``values`` that require grad through the identity; returns
        (new values, the positions routed) or (values, None) when none requires grad."""
        positions = [i for i, v in enumerate(values) if isinstance(v, Tensor) and v.requires_grad]
        if not positions or not grad_mode.is_grad_enabled():
            return values, None
        routed = BackwardHookFunction.apply(
            *(values[i] for i in positions), on_backward=on_backward
        )
        values = list(values)
        for i, tensor in zip(positions, routed):
            values[i] = tensor
        return tuple(values), positions

    def setup_input_hook(self, args):
        self.input_defaults = self._zeros_for_tensors(args)
        args, self.input_positions = self._route(args, self._on_input_grads)
        return args

    def setup_output_hook(self, result):
        single = not isinstance(result, tuple)
        outputs = (result,) if single else result
        self.output_defaults = self._zeros_for_tensors(outputs)
        outputs, self.output_positions = self._route(outputs, self._on_output_grads)
        return outputs[0] if single else outputs

    @staticmethod
    def _zeros_for_tensors(values):
        # As PyTorch: a floating Tensor argument that needs no gradient gets zeros, anything
        # else None.
        return [
            Tensor._make(array_module(v._data).zeros(v.shape, v.dtype))
            if isinstance(v, Tensor) and np.issubdtype(v.dtype, np.floating)
            else None
            for v in values
        ]

    def _pack(self, positions, grads, defaults):
        packed = list(defaults)
        for position, grad in zip(positions, grads):
            packed[position] = _as_tensor_or_none(grad)
        return tuple(packed)

    def _on_output_grads(self, grads):
        self.grad_outputs = self._pack(self.output_positions, grads, self.output_defaults)
        for hook in self.pre_hooks:
            result = hook(self.module, self.grad_outputs)
            if result is None:
                continue
            result = tuple(result) if isinstance(result, tuple | list) else (result,)
            if len(result) != len(self.grad_outputs):
                raise RuntimeError(
                    "Backward pre hook returned an invalid number of grad_output, "
                    f"got {len(result)}, but expected {len(self.grad_outputs)}"
                )
            self.grad_outputs = result
        grad_outputs = self.grad_outputs
        if self.input_positions is None:  # no input needs a gradient: call the hooks now
            warnings.warn(
                "Full backward hook is firing when gradients are computed with respect to "
                "module outputs since no inputs require gradients.",
                UserWarning,
                stacklevel=2,
            )
            grad_inputs = (None,) * len(self.input_defaults)
            for hook in self.hooks:
                result = hook(self.module, grad_inputs, grad_outputs)
                if result is not None and any(g is not None for g in result):
                    raise RuntimeError(
                        "Backward hook for Modules where no input requires gradient should "
                        "always return None or None for all gradients."
                    )
            self.grad_outputs = None
        return _for_engine([grad_outputs[i] for i in self.output_positions], grads)

    def _on_input_grads(self, grads):
        if self.grad_outputs is None:  # the outputs were not on the path to the loss
            return grads
        grad_inputs = self._pack(self.input_positions, grads, self.input_defaults)
        for hook in self.hooks:
            result = hook(self.module, grad_inputs, self.grad_outputs)
            if result is None:
                continue
            result = tuple(result) if isinstance(result, tuple | list) else (result,)
            if len(result) != len(grad_inputs):
                raise RuntimeError(
                    "Backward hook returned an invalid number of grad_input, "
                    f"got {len(result)}, but expected {len(grad_inputs)}"
                )
            grad_inputs = result
        self.grad_outputs = None
        return _for_engine([grad_inputs[i] for i in self.input_positions], grads)
