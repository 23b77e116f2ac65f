"""``Optimizer``: parameter groups, per-parameter state, zero_grad and state dicts.

Subclasses implement ``step``, updating the parameter arrays in place with no graph recorded
and in the parameters' own dtype (hyperparameters are used as Python floats, which numpy
never lets upcast a float32 array).
"""

import numbers

import numpy as np

from minigrad import backend
from minigrad.tensor import Tensor


class _Required:
    def __repr__(self):
        return "<required parameter>"


required = _Required()


class Optimizer:
    """Base class: ``params`` is an iterable of Parameters, or of dicts (parameter groups,
    each with a "params" entry and any options that differ from ``defaults``).

    ``param_groups`` is the list of those dicts, options filled in; ``state`` maps each
    parameter to a dict of arrays and numbers (momentum buffers, step counts, ...).
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        self.state = {}
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {type(params).__name__}"
            )
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        """Add a group of parameters (a dict with "params" and optional options)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, got {type(param_group).__name__}")
        params = param_group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        for param in params:
            if not isinstance(param, Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but one of the params is "
                    f"{type(param).__name__}"
                )
            if not param.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        group = {"params": params}
        for name, default in self.defaults.items():
            value = param_group.get(name, default)
            if value is required:
                raise ValueError(f"parameter group didn't specify a value of required {name}")
            group[name] = value
        group.update({k: v for k, v in param_group.items() if k not in group})
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in params}) != len(params) or seen & {id(p) for p in params}:
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        """Reset every parameter's ``.grad``: to None (the default), or to zeros in place."""
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                if set_to_none:
                    param.grad = None
                else:
                    param.grad._data[...] = 0

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()`` if given."""
        loss = self._closure_loss(closure)
        # Overflow and inf arithmetic give inf/nan as in PyTorch, without numpy's warnings.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for group in self.param_groups:
                for param in group["params"]:
                    if param.grad is None:
                        continue
                    grad = param.grad._data
                    self._update(param, -grad if group.get("maximize") else grad, group)
                    # An in-place change, as PyTorch counts it: a graph that saved this
                    # parameter before the step refuses to backward through the new values.
                    param._version_counter.value += 1
        return loss

    def _update(self, param, grad, group):
        """Update ``param._data`` in place from ``grad`` (already negated for maximize)."""
        raise NotImplementedError

    def _closure_loss(self, closure):
        if closure is None:
            return None
        from minigrad.autograd import enable_grad

        with enable_grad():
            return closure()

    def state_dict(self):
        """{"state": {index: {name: array or number}}, "param_groups": [options with
        "params" as indices]}: PyTorch's layout, with arrays copied, fit for ``mg.save``."""
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for param in group["params"]:
                index.setdefault(id(param), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for param in group["params"]:
                if param in self.state:
                    state[index[id(param)]] = {k: _copy(v) for k, v in self.state[param].items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore options and state from ``state_dict()`` (possibly through mg.save/load).

        The groups must match this optimizer's in number and size.
        """
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has {len(saved_groups)} parameter groups, this optimizer "
                f"has {len(self.param_groups)}"
            )
        for number, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(
                    f"loaded state dict contains a parameter group ({number}) of "
                    f"{len(saved['params'])} parameters, which doesn't match the size of "
                    f"optimizer's group ({len(group['params'])})"
                )
        saved_state = state_dict["state"]
        self.state = {}
        for group, saved in zip(self.param_groups, saved_groups):
            for param, index in zip(group["params"], saved["params"]):
                # Keys may have become strings in a file written by another tool.
                entry = saved_state.get(index, saved_state.get(str(index)))
                if entry is not None:
                    self.state[param] = {k: _restore(v, param) for k, v in entry.items()}
            group.update({k: v for k, v in saved.items() if k != "params"})

    def __repr__(self):
        lines = [type(self).__name__ + " ("]
        for number, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {number}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"


def _is_array(value):
    """Whether ``value`` is an array of any backend (numpy's, CuPy's, a test device's)."""
    return isinstance(value, np.ndarray) or backend.backend_of(value) is not backend.NUMPY


def _copy(value):
    """A state entry with its arrays copied on their device, lists included (LBFGS keeps
    lists of arrays)."""
    if _is_array(value):
        return value.copy()
    if isinstance(value, list | tuple):
        return type(value)(_copy(item) for item in value)
    return value


def _restore(value, param):
    """A state entry as this optimizer keeps it: arrays copied to the parameter's dtype and
    device (a state saved on the CPU goes to a parameter on a GPU, as in PyTorch); 0-d arrays
    become Python numbers."""
    if isinstance(value, list | tuple):
        return [_restore(item, param) for item in value]
    if isinstance(value, Tensor):
        value = value._data
    if _is_array(value) and value.ndim > 0:
        moved = backend.to_device(value, param.device)
        return moved.astype(param.dtype, copy=moved is value)  # a copy, made once
    if _is_array(value) or isinstance(value, np.generic):
        return value.item()
    return value


# ---- argument checks shared by the optimizers: PyTorch's exception types and messages ----

# The words PyTorch's "Invalid ...: value" messages use for each non-negative option.
_INVALID = {
    "lr": "learning rate",
    "eps": "epsilon value",
    "weight_decay": "weight_decay value",
    "momentum": "momentum value",
    "alpha": "alpha value",
    "lr_decay": "lr_decay value",
    "initial_accumulator_value": "initial_accumulator_value value",
    "momentum_decay": "momentum_decay value",
}


def check_number(name, value):
    """A real number (or a one-element Tensor, as PyTorch allows for lr), else TypeError."""
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise ValueError(f"Tensor {name} must be 1-element")
        return
    if not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, but got {type(value).__name__} {value!r}")


def check_options(**options):
    """Check each named option is a number and, for those in _INVALID, not negative (nan is
    refused too), raising PyTorch's ``ValueError("Invalid learning rate: -1")``."""
    for name, value in options.items():
        check_number(name, value)
        if name in _INVALID and not 0.0 <= float(value):
            raise ValueError(f"Invalid {_INVALID[name]}: {value}")


def check_pair(name, value):
    """A tuple or list of two numbers (betas, etas, step_sizes)."""
    if not isinstance(value, tuple | list):
        raise TypeError(
            f"{name} must be a tuple of two floats, but got {type(value).__name__} {value!r}"
        )
    if len(value) != 2:
        raise ValueError(f"{name} must be a tuple of two floats, but got {len(value)}: {value!r}")
    for index, item in enumerate(value):
        check_number(f"{name}[{index}]", item)
    return tuple(value)


def check_betas(betas):
    """Two numbers in [0, 1), PyTorch's messages; returns them as a tuple."""
    betas = check_pair("betas", betas)
    for index, beta in enumerate(betas):
        if not 0.0 <= float(beta) < 1.0:
            raise ValueError(f"Invalid beta parameter at index {index}: {beta}")
    return betas


def check_flags(differentiable=False, **ignored):
    """PyTorch's implementation switches: ``foreach``, ``fused`` and ``capturable`` choose
    kernels or CUDA graphs, never the numbers, so any value is accepted and ignored.
    ``differentiable=True`` asks for updates recorded in the graph, which minigrad's in-place
    updates never are."""
    if differentiable:
        raise NotImplementedError(
            "differentiable=True is not supported: minigrad's optimizers update parameters in "
            "place without recording a graph"
        )


def lerp_(start, end, weight):
    """``start += weight * (end - start)`` in place, rounded as PyTorch's lerp (which uses
    the form anchored at ``end`` for weights of one half and more)."""
    if weight < 0.5:
        start += weight * (end - start)
    else:
        start[...] = end - (end - start) * (1 - weight)
