"""``nn.Module``: the base class of layers and models, as ``torch.nn.Module``.

Assigning a Parameter, a Module or (through ``register_buffer``) a buffer to an attribute
files it into an ordered dict; that is where ``parameters()``, ``state_dict()`` and the repr
find them, with PyTorch's names and order.
"""

import collections
import collections.abc

import numpy as np

from minigrad import backend
from minigrad.nn.modules._hooks import BackwardHook, RemovableHandle
from minigrad.nn.parameter import Parameter, UninitializedBuffer, UninitializedParameter
from minigrad.tensor import Tensor

IncompatibleKeys = collections.namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])

# Hook dicts (id -> hook, in call order) and the sets of ids registered with an option.
_HOOK_REGISTRIES = (
    "_forward_pre_hooks", "_forward_pre_hooks_with_kwargs", "_forward_hooks",
    "_forward_hooks_with_kwargs", "_forward_hooks_always_called", "_backward_pre_hooks",
    "_backward_hooks",
)  # fmt: skip


class Module:
    """Base class for layers and models: subclass it, build parts in ``__init__``, define
    ``forward``, and call the module.

    Example::

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)

            def forward(self, x):
                return self.fc(x).relu()

        net = Net()
        net(mg.randn(8, 4)).shape  # (8, 2)
        list(net.state_dict())     # ['fc.weight', 'fc.bias']
    """

    def __init__(self):
        # object.__setattr__: our own __setattr__ needs these dicts to exist already.
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent_buffers_set", set())
        object.__setattr__(self, "_modules", {})
        for name in _HOOK_REGISTRIES:
            object.__setattr__(self, name, {} if name.endswith("hooks") else set())

    def forward(self, *args, **kwargs):
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args, **kwargs):
        if not (
            self.__dict__.get("_forward_hooks")
            or self.__dict__.get("_forward_pre_hooks")
            or self.__dict__.get("_backward_hooks")
            or self.__dict__.get("_backward_pre_hooks")
        ):
            return self.forward(*args, **kwargs)
        return self._call_with_hooks(args, kwargs)

    def _call_with_hooks(self, args, kwargs):
        """``__call__`` when hooks are registered, in PyTorch's order: forward pre-hooks, the
        inputs' backward hook, forward, forward hooks, the outputs' backward hook."""
        result = None
        called = set()
        try:
            for hook_id, hook in list(self._forward_pre_hooks.items()):
                if hook_id in self._forward_pre_hooks_with_kwargs:
                    new = hook(self, args, kwargs)
                    if new is not None:
                        if not (isinstance(new, tuple) and len(new) == 2):
                            raise RuntimeError(
                                "forward pre-hook must return None or a tuple of "
                                f"(new_args, new_kwargs), but got {new}."
                            )
                        args, kwargs = new
                else:
                    new = hook(self, args)
                    if new is not None:
                        args = new if isinstance(new, tuple) else (new,)
            backward_hook = None
            if self._backward_hooks or self._backward_pre_hooks:
                backward_hook = BackwardHook(
                    self, list(self._backward_hooks.values()),
                    list(self._backward_pre_hooks.values()),
                )  # fmt: skip
                args = backward_hook.setup_input_hook(args)
            result = self.forward(*args, **kwargs)
            for hook_id, hook in list(self._forward_hooks.items()):
                called.add(hook_id)
                if hook_id in self._forward_hooks_with_kwargs:
                    new = hook(self, args, kwargs, result)
                else:
                    new = hook(self, args, result)
                result = result if new is None else new
            if backward_hook is not None:
                result = backward_hook.setup_output_hook(result)
            return result
        except Exception:
            # Hooks registered with always_call=True still run (PyTorch silences their errors).
            for hook_id, hook in list(self._forward_hooks.items()):
                if hook_id in self._forward_hooks_always_called and hook_id not in called:
                    try:
                        if hook_id in self._forward_hooks_with_kwargs:
                            hook(self, args, kwargs, result)
                        else:
                            hook(self, args, result)
                    except Exception:
                        pass
            raise

    # ---- hooks ----------------------------------------------------------------------------------

    def _add_hook(self, registry, hook, prepend, *flag_sets):
        if not callable(hook):
            raise TypeError(f"hook must be callable, got {type(hook).__name__}")
        hooks = getattr(self, registry)
        handle = RemovableHandle(hooks, *flag_sets)
        hooks[handle.id] = hook
        if prepend:
            for key in [k for k in hooks if k != handle.id]:
                hooks[key] = hooks.pop(key)  # move every older hook behind the new one
        return handle

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """Call ``hook(module, args)`` before each forward (``hook(module, args, kwargs)``
        with ``with_kwargs=True``); a non-None result replaces the inputs (args, or
        ``(args, kwargs)``). Returns a handle whose ``remove()`` unregisters it.
        """
        handle = self._add_hook(
            "_forward_pre_hooks", hook, prepend, self._forward_pre_hooks_with_kwargs
        )
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs.add(handle.id)
        return handle

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        """Call ``hook(module, args, output)`` after each forward (``hook(module, args,
        kwargs, output)`` with ``with_kwargs=True``); a non-None result replaces the output.
        ``always_call=True`` runs it even when forward raises. Returns a removable handle.

        Example::

            features = []
            handle = model[0].register_forward_hook(lambda m, args, out: features.append(out))
            model(x)
            handle.remove()
        """
        flags = (self._forward_hooks_with_kwargs, self._forward_hooks_always_called)
        handle = self._add_hook("_forward_hooks", hook, prepend, *flags)
        if with_kwargs:
            self._forward_hooks_with_kwargs.add(handle.id)
        if always_call:
            self._forward_hooks_always_called.add(handle.id)
        return handle

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """Call ``hook(module, grad_output)`` when the gradients of the module's outputs are
        known; a non-None result (a tuple as long as ``grad_output``) replaces them."""
        return self._add_hook("_backward_pre_hooks", hook, prepend)

    def register_full_backward_hook(self, hook, prepend=False):
        """Call ``hook(module, grad_input, grad_output)`` once the gradients of the module's
        Tensor inputs are computed (None for an input that needs none); a non-None result
        (a tuple as long as ``grad_input``) replaces the inputs' gradients.

        Example::

            layer.register_full_backward_hook(lambda m, gin, gout: print(gout[0].shape))
        """
        return self._add_hook("_backward_hooks", hook, prepend)

    def register_backward_hook(self, hook):
        raise NotImplementedError(
            "register_backward_hook (deprecated in PyTorch) is not supported; use "
            "register_full_backward_hook"
        )

    # ---- attribute registration ---------------------------------------------------------------

    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:  # before Module.__init__ ran
            if isinstance(value, Parameter | Module):
                raise AttributeError(
                    f"cannot assign {type(value).__name__} '{name}' before Module.__init__() "
                    "call (call super().__init__() first in your __init__)"
                )
            object.__setattr__(self, name, value)
        elif isinstance(value, Parameter):
            if name not in self._parameters:  # a replacement keeps its place, as PyTorch
                self._forget(name)
            self.register_parameter(name, value)
        elif isinstance(value, Module):
            if name not in self._modules:
                self._forget(name)
            self._modules[name] = value
        elif name in self._parameters:
            _replace(self._parameters, name, value, Parameter, "parameter", "nn.Parameter")
        elif name in self._modules:
            _replace(self._modules, name, value, Module, "child module", "nn.Module")
        elif name in self._buffers:
            value = _as_buffer(value) if _is_array(value) else value
            _replace(self._buffers, name, value, Tensor, "buffer", "Tensor, ndarray")
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name):
        # Called only when normal lookup fails: look in the three registries.
        for registry in ("_parameters", "_buffers", "_modules"):
            entries = self.__dict__.get(registry)
            if entries is not None and name in entries:
                return entries[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for registry in (self._parameters, self._buffers, self._modules):
            if name in registry:
                del registry[name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def _forget(self, name):
        """Remove ``name`` from every registry and the instance dict, before re-registering."""
        self.__dict__.pop(name, None)
        for registry in (self._parameters, self._buffers, self._modules):
            registry.pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def _check_name(self, name, kind):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
        if "." in name or name == "":
            raise KeyError(f"{kind} name must not contain '.' nor be empty, got {name!r}")
        registered = (self._parameters, self._buffers, self._modules)
        if hasattr(self, name) and not any(name in registry for registry in registered):
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name, param):
        """Add ``param`` (a Parameter or None) under ``name``, as ``self.name = param`` does."""
        self._check_name(name, "parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                "(nn.Parameter or None required)"
            )
        if param is not None and not param.is_leaf:
            raise ValueError(
                f"Cannot assign non-leaf Tensor to parameter '{name}'; wrap a detached "
                "copy: nn.Parameter(t.detach())"
            )
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """Add a buffer: a Tensor (or ndarray) of state that is not learned, such as
        BatchNorm's running mean. It is in ``state_dict()`` unless ``persistent=False``.

        Example::

            self.register_buffer("running_mean", mg.zeros(16))
        """
        self._check_name(name, "buffer")
        if tensor is not None and not (isinstance(tensor, Tensor) or _is_array(tensor)):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                "(Tensor, ndarray or None required)"
            )
        self.__dict__.pop(name, None)
        self._buffers[name] = _as_buffer(tensor)
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name, module):
        """Add a child module under ``name`` (``self.name = module`` does the same)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_name(name, "module")
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target):
        """The module at a dotted path such as ``"features.0"``."""
        if not isinstance(target, str):
            raise TypeError(f"target should be a string, got {type(target).__name__}")
        module = self
        for part in target.split(".") if target else []:
            if part not in module._modules:
                if hasattr(module, part):
                    raise AttributeError(f"`{part}` is not an nn.Module")
                raise AttributeError(f"{module._get_name()} has no attribute `{part}`")
            module = module._modules[part]
        return module

    def get_parameter(self, target):
        """The Parameter at a dotted path such as ``"features.0.weight"``."""
        return self._get_member(target, "_parameters", "nn.Parameter")

    def get_buffer(self, target):
        """The buffer at a dotted path such as ``"bn.running_mean"``."""
        return self._get_member(target, "_buffers", "buffer")

    def _get_member(self, target, registry, kind):
        if not isinstance(target, str):
            raise TypeError(f"target should be a string, got {type(target).__name__}")
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if name not in getattr(module, registry):
            if hasattr(module, name):
                raise AttributeError(f"`{name}` is not an {kind}")
            raise AttributeError(f"{module._get_name()} has no attribute `{name}`")
        return getattr(module, registry)[name]

    # ---- iteration ------------------------------------------------------------------------------

    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """(name, module) for this module and every descendant, depth first; each once."""
        memo = set() if memo is None else memo
        if remove_duplicate:
            if self in memo:
                return
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                child_prefix = prefix + ("." if prefix else "") + name
                yield from module.named_modules(memo, child_prefix, remove_duplicate)

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry, prefix, recurse, remove_duplicate=True):
        modules = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        seen = set()
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """(dotted name, Parameter) pairs, in registration order; a shared one appears once."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        """Every Parameter of this module and its descendants (for the optimizer)."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    # ---- modes and gradients --------------------------------------------------------------------

    def train(self, mode=True):
        """Set training mode (Dropout drops, BatchNorm uses batch statistics); returns self."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        # Through each child's own train(), as PyTorch does, so that an override is honoured.
        object.__setattr__(self, "training", mode)
        for module in self.children():
            module.train(mode)
        return self

    def eval(self):
        """Set evaluation mode: ``train(False)``; returns self."""
        return self.train(False)

    def to(self, *args, dtype=None, device=None, non_blocking=False, memory_format=None):
        """``to(device)``, ``to(dtype)``, ``to(device, dtype)`` or ``to(tensor)`` (its device,
        and its dtype when floating): moves parameters and buffers, with their gradients, to
        the device and casts the floating ones, in place (the objects stay, so an optimizer
        made before keeps working). A device that is not present ('cuda' without CuPy and a
        GPU) raises RuntimeError. Returns self.
        """
        from minigrad.device import as_device, is_device

        for arg in args:
            if isinstance(arg, Tensor):
                dtype = arg.dtype if np.issubdtype(arg.dtype, np.floating) else dtype
                device = arg.device
            elif is_device(arg) or (isinstance(arg, int) and not isinstance(arg, bool)):
                device = arg
            elif not isinstance(arg, bool):  # a bool is non_blocking
                dtype = arg
        device = None if device is None else as_device(device)
        if dtype is not None:
            dtype = np.dtype(dtype)
            if not np.issubdtype(dtype, np.floating):
                raise TypeError(f"Module.to only accepts floating dtypes, got {dtype}")
        if device is None and dtype is None:
            return self
        for tensor in (*self.parameters(), *self.buffers()):
            _move(tensor, device, dtype)
        return self

    def cpu(self):
        """Moves every parameter and buffer to the CPU, in place; returns self."""
        from minigrad.device import CPU

        return self.to(CPU)

    def cuda(self, device=None):
        """Moves every parameter and buffer to the GPU (``device``: its index or name), in
        place; RuntimeError without CuPy and a GPU. Returns self."""
        if device is None:
            device = "cuda"
        elif isinstance(device, int) and not isinstance(device, bool):
            device = f"cuda:{device}"
        return self.to(device)

    def float(self):
        return self.to(np.float32)

    def double(self):
        return self.to(np.float64)

    def half(self):
        return self.to(np.float16)

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` of every parameter (to freeze a part); returns self."""
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Reset the ``.grad`` of every parameter: to None, or to zeros in place."""
        for param in self.parameters():
            if param.grad is None:
                continue
            if set_to_none:
                param.grad = None
            else:
                param.grad._data[...] = 0

    def apply(self, fn):
        """Call ``fn`` on every descendant, then on self (e.g. to initialise); returns self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ---- state dict -----------------------------------------------------------------------------

    def _state_items(self, prefix):
        """(key, Tensor) for parameters and persistent buffers, in PyTorch's order."""
        for name, param in self._parameters.items():
            if param is not None:
                yield prefix + name, param
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in self._non_persistent_buffers_set:
                yield prefix + name, buffer
        for name, module in self._modules.items():
            if module is not None:
                yield from module._state_items(prefix + name + ".")

    def state_dict(self, destination=None, prefix="", keep_vars=False):
        """An ordered dict from dotted names to arrays: parameters, then buffers, per module.

        The keys and order are PyTorch's. Unlike PyTorch, the arrays are copies (a snapshot:
        a "best model" kept in a variable does not change as training goes on);
        ``keep_vars=True`` gives the Tensors themselves.
        """
        destination = collections.OrderedDict() if destination is None else destination
        for key, tensor in self._state_items(prefix):
            uninitialized = isinstance(tensor, UninitializedParameter | UninitializedBuffer)
            destination[key] = tensor if keep_vars or uninitialized else tensor._data.copy()
        return destination

    def load_state_dict(self, state_dict, strict=True):
        """Copy arrays (ndarrays, Tensors or anything array-like) into the parameters and
        buffers of the same names, in place, cast to their dtypes and onto their devices (a
        state dict from the CPU loads into a model on a GPU, as in PyTorch).

        A mis-shaped entry is always an error naming the key and both shapes; missing and
        unexpected keys are errors when ``strict``, else returned as
        ``(missing_keys, unexpected_keys)``.
        """
        if not isinstance(state_dict, collections.abc.Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        own = dict(self._state_items(""))
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        errors = []
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            array = value._data if isinstance(value, Tensor) else backend.as_array(value)
            if isinstance(target, UninitializedParameter | UninitializedBuffer):  # lazy modules'
                target.materialize(array.shape)
            if array.shape != target.shape:
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {array.shape} from "
                    f"checkpoint, the shape in current model is {target.shape}."
                )
                continue
            # In place, so that an optimizer holding these parameters keeps working.
            destination = target._data
            array = backend.to_device(array, backend.device_of(destination))
            backend.array_module(destination).copyto(destination, array, casting="unsafe")
        if strict:
            # PyTorch's wording, with the shape each side has (the other side has none).
            if unexpected:
                names = ", ".join(
                    f'"{k}" (shape {_shape_of(state_dict[k])} in checkpoint, absent from model)'
                    for k in unexpected
                )
                errors.insert(0, f"Unexpected key(s) in state_dict: {names}. ")
            if missing:
                names = ", ".join(
                    f'"{k}" (shape {own[k].shape} in model, absent from checkpoint)'
                    for k in missing
                )
                errors.insert(0, f"Missing key(s) in state_dict: {names}. ")
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {self._get_name()}:\n\t" + "\n\t".join(errors)
            )
        return IncompatibleKeys(missing, unexpected)

    # ---- repr -----------------------------------------------------------------------------------

    def _get_name(self):
        return type(self).__name__

    def extra_repr(self):
        """The text inside the parentheses of this module's repr (its constructor options)."""
        return ""

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [
            f"({name}): " + _add_indent(repr(module), 2) for name, module in self._modules.items()
        ]
        lines = extra_lines + child_lines
        main = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main += extra_lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"

    def __dir__(self):
        names = list(super().__dir__())
        return sorted(
            set(names + list(self._parameters) + list(self._buffers) + list(self._modules))
        )


def _move(tensor, device, dtype):
    """``tensor`` (a parameter or buffer) and its gradient on ``device``, floating ones cast
    to ``dtype`` (None: unchanged), in place: the Tensor objects stay."""
    if isinstance(tensor, UninitializedParameter | UninitializedBuffer):
        if dtype is not None:
            tensor._retype(dtype)
        if device is not None:  # the empty placeholder: where materialize should put it
            tensor._data = backend.to_device(tensor._data, device)
        return
    cast = dtype is not None and np.issubdtype(tensor.dtype, np.floating)
    tensor._data = _placed(tensor._data, device, dtype if cast else None)
    grad = tensor.grad
    if grad is not None:
        moved = _placed(grad._data, device, dtype if cast else None)
        if moved is not grad._data:
            tensor.grad = Tensor._make(moved)


def _placed(array, device, dtype):
    """``array`` on ``device`` and of ``dtype`` (either None: as it is); itself when nothing
    changes."""
    if device is not None:
        array = backend.to_device(array, device)
    if dtype is not None and array.dtype != dtype:
        array = array.astype(dtype)
    return array


def _replace(registry, name, value, kind, what, expected):
    """Replace a registered entry: only by None or a value of its own kind."""
    if value is not None and not isinstance(value, kind):
        raise TypeError(
            f"cannot assign '{type(value).__name__}' as {what} '{name}' "
            f"({expected} or None expected)"
        )
    registry[name] = value


def _shape_of(value):
    return tuple(np.shape(value._data if isinstance(value, Tensor) else value))


def _is_array(value):
    """Whether ``value`` is an array of any backend (a numpy, CuPy or test-device array)."""
    return isinstance(value, np.ndarray) or backend.backend_of(value) is not backend.NUMPY


def _as_buffer(value):
    if value is None or isinstance(value, Tensor):
        return value
    return Tensor._make(backend.as_array(value))


def _add_indent(text, spaces):
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])
