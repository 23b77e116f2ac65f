"""``Tensor``: a numpy array with a place in the computational graph.

Methods check their arguments (shapes, dims, dtypes) and call one primitive op from
``minigrad.ops``; composite methods (mean, var, softmax, ...) combine primitives.
"""

import builtins
import collections
import math
import numbers
import operator
import weakref

import numpy as np

from minigrad import backend, dtypes, ops
from minigrad.autograd import grad_mode
from minigrad.autograd.function import VersionCounter, in_graph_backward
from minigrad.device import CPU, as_device, is_device
from minigrad.size import Size
from minigrad.tensor_math import MathMethods, ReductionMethods, _integer_divisor_check
from minigrad.tensor_shape import ShapeMethods

_HOST_ONLY = (
    "can't convert {device} device type tensor to numpy. Use Tensor.cpu() to copy the tensor "
    "to host memory first."
)

ValuesIndices = collections.namedtuple("ValuesIndices", ["values", "indices"])


class ShapeError(RuntimeError, ValueError):
    """Shapes that do not fit an op; both a RuntimeError (as PyTorch) and a ValueError."""


class Tensor(MathMethods, ReductionMethods, ShapeMethods):
    """An n-dimensional array that records the ops applied to it, for ``backward``.

    ``Tensor(data)`` always gives the default float dtype (float32); use ``mg.tensor`` to keep
    the dtype of ints, bools and ndarrays.
    """

    # Makes numpy hand `ndarray + tensor` to Tensor.__radd__ instead of looping elementwise.
    __array_ufunc__ = None
    _base = None  # the tensor whose memory a view shows (views of views point to the root)
    _hooks = None  # {handle id: hook} from register_hook
    _retains_grad = False
    _counter = None  # a VersionCounter, made on first need: most tensors never need one

    def __init__(self, data, requires_grad=False):
        if isinstance(data, Tensor):
            data = data._data
        xp = backend.array_module(data)  # a tensor's copy stays on its device
        self._data = xp.array(data, dtype=dtypes.get_default_dtype())
        self.grad = None
        self.grad_fn = None
        self._output_index = 0
        self.requires_grad = requires_grad

    @classmethod
    def _make(cls, array):
        """Wrap an ndarray as it is: no copy, no dtype change, no graph."""
        tensor = cls.__new__(cls)
        tensor._data = array
        tensor.grad = None
        tensor.grad_fn = None
        tensor._output_index = 0
        tensor._requires_grad = False
        return tensor

    # ---- attributes -------------------------------------------------------------------------

    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        if flag and not dtypes.is_floating(self.dtype):
            raise RuntimeError(
                f"only Tensors of floating point dtype can require gradients, got {self.dtype}"
            )
        self._requires_grad = builtins.bool(flag)

    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"grad must be a Tensor or None, got {type(value).__name__}")
            if value.shape != self.shape:
                raise ShapeError(
                    f"grad of shape {value.shape} does not fit a tensor of shape {self.shape}"
                )
        self._grad = value

    @property
    def data(self):
        """The same array without its graph, as a Tensor (writes show in this tensor).

        As in PyTorch its version counter is its own: in-place changes through ``.data`` are
        not caught by backward (those through ``detach()`` are)."""
        return Tensor._make(self._data)

    @property
    def _version(self):
        """How many in-place changes this tensor's memory has seen (shared with its views)."""
        return self._version_counter.value

    @property
    def _version_counter(self):
        if self._counter is None:
            self._counter = VersionCounter()
        return self._counter

    @property
    def retains_grad(self):
        return self._retains_grad

    @data.setter
    def data(self, value):
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    shape = property(lambda self: Size(self._data.shape), doc="The size of each dimension.")
    ndim = property(lambda self: self._data.ndim, doc="The number of dimensions.")
    dtype = property(lambda self: self._data.dtype, doc="The numpy dtype of the elements.")
    is_leaf = property(lambda self: self.grad_fn is None, doc="True when no op produced it.")
    device = property(lambda self: backend.device_of(self._data), doc="Where the data lives.")
    is_cuda = property(lambda self: self.device.type == "cuda")
    is_cpu = property(lambda self: backend.is_host(self._data))

    def size(self, dim=None):
        return self.shape if dim is None else self._data.shape[_dim(dim, self.ndim)]

    def numel(self):
        return self._data.size

    def element_size(self):
        """Bytes per element (4 for float32)."""
        return self._data.itemsize

    itemsize = property(element_size)

    @property
    def nbytes(self):
        return self._data.nbytes

    def dim(self):
        return self.ndim

    # ---- conversions ------------------------------------------------------------------------

    def numpy(self, force=False):
        """The underlying array, sharing memory (unlike PyTorch, also when it requires grad).
        A tensor on a GPU raises, as in PyTorch, unless ``force=True`` (a host copy)."""
        if not backend.is_host(self._data):
            if force:
                return backend.to_host(self._data)
            raise TypeError(_HOST_ONLY.format(device=self.device))
        return self._data

    def __array__(self, dtype=None, copy=None):
        if not backend.is_host(self._data):
            raise TypeError(_HOST_ONLY.format(device=self.device))
        if self._requires_grad and in_graph_backward():
            raise RuntimeError(
                "a Tensor on the graph was turned into a numpy array inside a backward run "
                "with create_graph=True: its gradient would be lost (use minigrad.ops.xp "
                "helpers or operators there, not numpy functions)"
            )
        if copy:
            return np.array(self._data, dtype=dtype, copy=True)
        return self._data if dtype is None else self._data.astype(dtype, copy=False)

    def item(self):
        if self.numel() != 1:
            raise ValueError(
                f"a Tensor with {self.numel()} elements (shape {self.shape}) cannot be "
                "converted to a Python number; item() needs exactly one"
            )
        return _host(self._data).item()

    def tolist(self):
        return _host(self._data).tolist()

    def equal(self, other):
        """True when ``other`` has this shape and the same values (a Python bool, as torch)."""
        if not isinstance(other, Tensor):
            raise TypeError(f"equal(): argument 'other' must be Tensor, not {type(other).__name__}")
        values = _array(other, like=self._data)
        return self.shape == other.shape and builtins.bool((self._data == values).all())

    def to(self, *args, dtype=None, device=None, non_blocking=False, copy=False, **kwargs):
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)`` or ``to(other)`` (its dtype and
        device). Self when nothing changes, unless ``copy=True``; a device that is not present
        raises RuntimeError. A copy to another device is a leaf's copy on the graph, as in
        PyTorch: gradients flow back to the original device."""
        kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() got an unexpected keyword argument {next(iter(kwargs))!r}")
        args = list(args)
        if args and isinstance(args[0], Tensor):
            other = args.pop(0)
            dtype, device = other.dtype, other.device
        elif args and (is_device(args[0]) or isinstance(args[0], builtins.int)):
            device = args.pop(0)
        if args and not isinstance(args[0], builtins.bool):
            dtype = args.pop(0)
        if args:
            args.pop(0)  # non_blocking: nothing is asynchronous on the CPU
        if args:
            copy = args.pop(0)
        out = self
        if device is not None:
            device = as_device(device)
            if not backend.on_device(self._data, device):
                out = ops.ToDevice.apply(self, device=device)
                copy = False
        if dtype is None or np.dtype(dtype) == out.dtype:
            return out.clone() if copy else out
        return out.type(dtype)

    def type(self, dtype):
        return ops.Cast.apply(self, dtype=np.dtype(dtype))

    def float(self):
        return self.to(dtypes.float32)

    def double(self):
        return self.to(dtypes.float64)

    def half(self):
        return self.to(dtypes.float16)

    def long(self):
        return self.to(dtypes.int64)

    def int(self):
        return self.to(dtypes.int32)

    def bool(self):
        return self.to(dtypes.bool)

    def cpu(self, memory_format=None):
        return self.to(CPU)

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        """A copy on the GPU (RuntimeError without CuPy and a GPU)."""
        return self.to(
            as_device(
                "cuda" if device is None else device if is_device(device) else f"cuda:{device}"
            )
        )

    def __format__(self, format_spec):
        # PyTorch: a 0-d tensor formats as its Python number; others only with an empty spec.
        if self.ndim == 0:
            return self.item().__format__(format_spec)
        return object.__format__(self, format_spec)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        """A new tensor from ``data`` with self's dtype (and device) unless given."""
        return tensor(data, dtype=self.dtype if dtype is None else dtype,
                      device=self.device if device is None else device,
                      requires_grad=requires_grad)  # fmt: skip

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new_filled("zeros", size, dtype, device, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new_filled("ones", size, dtype, device, requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new_filled("empty", size, dtype, device, requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        return self._new_filled("full", (size,), dtype, device, requires_grad, fill_value)

    def _new_filled(self, make, size, dtype, device, requires_grad, *fill):
        """A new tensor made on its device by the array module's ``make`` (zeros, ...)."""
        xp = backend.array_module(self._data) if device is None else _module_of(device)
        shape, dtype = _shape_argument(size), self.dtype if dtype is None else dtype
        out = Tensor._make(getattr(xp, make)(shape, *fill, dtype=dtype))
        out.requires_grad = requires_grad
        return out

    def detach(self):
        """The same memory without a graph; in-place changes to it count as changes of self."""
        out = Tensor._make(self._data)
        out._counter = self._version_counter
        return out

    def clone(self):
        return ops.Cast.apply(self, dtype=self.dtype)  # astype copies: a differentiable copy

    def contiguous(self):
        """Self when its memory is C-contiguous, else a contiguous (differentiable) copy."""
        if self.is_contiguous():
            return self
        return ops.Cast.apply(self, dtype=self.dtype, order="C")

    def is_contiguous(self):
        return builtins.bool(self._data.flags.c_contiguous)

    def retain_grad(self):
        """Keep ``.grad`` of this non-leaf after backward (a leaf keeps it anyway)."""
        if self.grad_fn is None:
            if not self.requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if self._retains_grad:
            return
        self._retains_grad = True
        tensor = weakref.ref(self)

        def keep(grad):
            owner = tensor()
            if owner is not None:
                previous = owner.grad
                array = grad._data if previous is None else previous._data + grad._data
                owner.grad = Tensor._make(array.astype(owner.dtype))  # a copy

        self._add_hook(keep)

    def register_hook(self, hook):
        """Call ``hook(grad)`` with this tensor's gradient during backward; a Tensor it
        returns replaces the gradient. Returns a handle whose ``remove()`` undoes it."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        return self._add_hook(hook)

    def _add_hook(self, hook):
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = {}
            hooks = self._hooks
        else:  # the engine finds a non-leaf's hooks on the node that produced it
            ctx = self.grad_fn.ctx
            if ctx is None:
                raise RuntimeError("cannot register a hook on a tensor whose graph was freed")
            if ctx._hooks is None:
                ctx._hooks = {}
            hooks = ctx._hooks.setdefault(self._output_index, {})
        return _HookHandle(hooks, hook)

    def requires_grad_(self, flag=True):
        self.requires_grad = flag
        return self

    def detach_(self):
        self.grad_fn, self.requires_grad = None, False
        return self

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.shape[0]))

    def __bool__(self):
        if self.numel() != 1:
            raise RuntimeError(
                f"the truth value of a Tensor with {self.numel()} elements is ambiguous"
            )
        return builtins.bool(_host(self._data))

    def __float__(self):
        return builtins.float(self.item())

    def __int__(self):
        return builtins.int(self.item())

    def __index__(self):
        if not np.issubdtype(self.dtype, np.integer) or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return builtins.int(self.item())

    __hash__ = object.__hash__

    def __repr__(self):
        return _format(self)

    # ---- backward ---------------------------------------------------------------------------

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad.

        ``gradient`` (the upstream gradient, same shape as self) may be omitted only for a
        single-element tensor. The graph is freed afterwards unless ``retain_graph=True``.
        ``create_graph=True`` makes the ``.grad`` Tensors differentiable (and keeps the graph).
        ``inputs``: accumulate only into these leaves.
        """
        from minigrad import autograd

        autograd.backward(self, gradient, retain_graph, create_graph, inputs)

    # ---- elementwise arithmetic -------------------------------------------------------------

    def add(self, other, alpha=1):
        return self._binary(ops.Add, other if alpha == 1 else other * alpha)

    def sub(self, other, alpha=1):
        return self._binary(ops.Sub, other if alpha == 1 else other * alpha)

    def mul(self, other):
        return self._binary(ops.Mul, other)

    def div(self, other, *, rounding_mode=None):
        """self / other; ``rounding_mode`` 'trunc' or 'floor' rounds the quotient (and keeps
        an int dtype), with a zero gradient as in PyTorch."""
        if rounding_mode is None:
            return self._binary(ops.Div, other)
        if rounding_mode not in ("trunc", "floor"):
            raise ValueError(
                "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                f"{rounding_mode!r}"
            )
        if dtypes.is_floating(self.dtype) or _is_float(other):
            quotient = self._binary(ops.Div, other)
            return quotient.trunc() if rounding_mode == "trunc" else quotient.floor()
        this, other = self, _operand(other, like=self)
        _integer_divisor_check(self, other)
        if isinstance(other, Tensor):
            _broadcast_shape("div", this.shape, other.shape)
            target = _result_dtype(this, other)
            this, other = this.to(target), other.to(target)
        if this.dtype == np.bool_:
            this = this.long()
        a = this._data
        b = _array(other, like=a).astype(this.dtype, copy=False)
        if rounding_mode == "floor":
            return Tensor._make(np.floor_divide(a, b))
        xp = backend.array_module(a)
        return Tensor._make(xp.where((a % b != 0) & ((a < 0) != (b < 0)), a // b + 1, a // b))

    def pow(self, exponent):
        if self.dtype == np.bool_ and isinstance(exponent, builtins.bool):
            ones = backend.array_module(self._data).ones(self.shape, bool)
            return self.clone() if exponent else Tensor._make(ones)
        return self._binary(ops.Pow, exponent)

    def maximum(self, other):
        return self._binary(ops.Maximum, other)

    def minimum(self, other):
        return self._binary(ops.Minimum, other)

    __add__ = __radd__ = add
    __mul__ = __rmul__ = mul
    __sub__ = sub
    __truediv__ = div
    __pow__ = pow

    def __rsub__(self, other):
        return self._binary(ops.Sub, other, reflected=True)

    def __rtruediv__(self, other):
        return self._binary(ops.Div, other, reflected=True)

    def __rpow__(self, other):
        return self._binary(ops.Pow, other, reflected=True)

    def __neg__(self):
        if self.dtype == np.bool_:
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are "
                "trying to invert a mask, use the `~` or `logical_not()` operator instead."
            )
        return ops.Neg.apply(self)

    neg = __neg__

    def __pos__(self):
        return self

    def _binary(self, op, other, reflected=False):
        """Apply a two-operand op, checking that the shapes broadcast.

        Python numbers (and 0-d arrays) stay numbers, so that numpy's rules keep a float32
        tensor float32, as PyTorch does with scalars.
        """
        other = _operand(other, like=self)
        this = self
        if op is ops.Sub and (self.dtype == np.bool_ or _is_bool(other)):
            raise RuntimeError(
                "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                "trying to invert a mask, use the `~` or `logical_not()` operator instead."
            )
        if op is ops.Pow:
            this, other = _pow_operands(this, other, reflected)
        if isinstance(other, Tensor):
            _broadcast_shape(op.__name__.lower(), this.shape, other.shape)
            if other.dtype != this.dtype:
                target = _result_dtype(this, other)
                this, other = this.to(target), other.to(target)
        elif isinstance(other, builtins.float) and not dtypes.is_floating(self.dtype):
            this = self.to(dtypes.get_default_dtype())  # int tensor * 0.5 is a float tensor
        if op is ops.Div and not dtypes.is_floating(this.dtype):  # int / int is a float tensor
            this = this._floating()
            other = other._floating() if isinstance(other, Tensor) else other
        return op.apply(other, this) if reflected else op.apply(this, other)

    # ---- comparisons (no gradient) ----------------------------------------------------------

    def _compare(self, ufunc, other):
        other = _operand(other, like=self)
        if isinstance(other, Tensor):
            _broadcast_shape(ufunc.__name__, self.shape, other.shape)
            other = _array(other, like=self._data)
        return Tensor._make(ufunc(self._data, other))

    def __eq__(self, other):
        return self._compare(np.equal, other)

    def __ne__(self, other):
        return self._compare(np.not_equal, other)

    def __lt__(self, other):
        return self._compare(np.less, other)

    def __le__(self, other):
        return self._compare(np.less_equal, other)

    def __gt__(self, other):
        return self._compare(np.greater, other)

    def __ge__(self, other):
        return self._compare(np.greater_equal, other)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def all(self, dim=None, keepdim=False):
        """Whether every element (along ``dim``) is nonzero: bool (uint8 for uint8, as torch)."""
        return self._test(np.all, dim, keepdim)

    def any(self, dim=None, keepdim=False):
        """Whether some element (along ``dim``) is nonzero."""
        return self._test(np.any, dim, keepdim)

    def _test(self, function, dim, keepdim):
        out = function(self._data, axis=_dims(dim, self.ndim), keepdims=keepdim)
        xp = backend.array_module(self._data)
        return Tensor._make(xp.asarray(out, np.uint8 if self.dtype == np.uint8 else np.bool_))

    # ---- unary functions --------------------------------------------------------------------

    def exp(self):
        return ops.Exp.apply(self._floating())

    def log(self):
        return ops.Log.apply(self._floating())

    def sqrt(self):
        return ops.Sqrt.apply(self._floating())

    def abs(self):
        if self.dtype == np.bool_:
            raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
        return ops.Abs.apply(self)

    def sin(self):
        return ops.Sin.apply(self._floating())

    def cos(self):
        return ops.Cos.apply(self._floating())

    def tanh(self):
        return ops.Tanh.apply(self._floating())

    def sigmoid(self):
        return ops.Sigmoid.apply(self._floating())

    def relu(self):
        if self.dtype == np.bool_:
            raise RuntimeError("Boolean inputs not supported for relu")
        return ops.ReLU.apply(self)

    def _floating(self):
        """Self, or an int/bool tensor as the default float dtype (torch.exp(int) is float32)."""
        return self if dtypes.is_floating(self.dtype) else self.to(dtypes.get_default_dtype())

    def square(self):
        if self.dtype == np.bool_:  # True * True is True, but PyTorch squares bools as ints
            return self.long() * self.long()
        return self * self

    def clamp(self, min=None, max=None):
        """Limit to [min, max]; the gradient passes where min <= x <= max (as PyTorch).

        The bounds may be numbers or Tensors (broadcast against self); a Tensor bound gets
        the gradient where it is the one chosen.
        """
        if min is None and max is None:
            raise ValueError("clamp needs at least one of min and max")
        if self.dtype == np.bool_ and any(isinstance(b, builtins.bool) for b in (min, max)):
            raise NotImplementedError("\"clamp_scalar_cpu\" not implemented for 'Bool'")
        this = self
        bounds = [b for b in (min, max) if b is not None]
        if not dtypes.is_floating(self.dtype) and any(_is_float(b) for b in bounds):
            this = self._floating()  # int_tensor.clamp(0.5) is a float tensor, as in PyTorch
        if any(isinstance(b, Tensor) and b.ndim > 0 for b in bounds):
            out = this if min is None else where(this < min, min, this)
            return out if max is None else where(out > max, max, out)
        return ops.Clamp.apply(this, min=_number(min), max=_number(max))

    clip = clamp

    # ---- reductions -------------------------------------------------------------------------

    def sum(self, dim=None, keepdim=False, *, dtype=None):
        """Sum over ``dim`` (all dims by default). Bool and integer tensors sum as int64, as
        in PyTorch; ``dtype`` casts first."""
        this = self._reduce_input(dtype)
        return ops.Sum.apply(this, dim=_dims(dim, this.ndim), keepdim=keepdim)

    def mean(self, dim=None, keepdim=False, *, dtype=None):
        if dtype is not None:
            if not dtypes.is_floating(np.dtype(dtype)):
                raise RuntimeError(
                    "mean(): could not infer output dtype. Optional dtype must be either a "
                    f"floating point or complex dtype. Got: {_legacy(np.dtype(dtype))}"
                )
            return self.to(dtype).mean(dim, keepdim)
        if not dtypes.is_floating(self.dtype):
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating "
                f"point or complex dtype. Got: {_legacy(self.dtype)}"
            )
        if self.dtype == dtypes.float16:  # PyTorch accumulates half in float32: no overflow
            return self.float().mean(dim, keepdim).half()
        return self.sum(dim, keepdim) / _count(self.shape, _dims(dim, self.ndim))

    def var(self, dim=None, unbiased=True, keepdim=False, *, correction=None):
        """Variance over ``dim``; divides by n - 1 (``unbiased``) or by n - ``correction``.
        ``var(False)``, PyTorch's older form, is ``var(unbiased=False)``."""
        dim, unbiased = _unbiased_first(dim, unbiased)
        correction = (1 if unbiased else 0) if correction is None else correction
        if self.dtype == dtypes.float16:
            return self.float().var(dim, keepdim=keepdim, correction=correction).half()
        centered = self - self.mean(dim, keepdim=True)
        count = _count(self.shape, _dims(dim, self.ndim))
        return (centered * centered).sum(dim, keepdim) / builtins.max(count - correction, 0)

    def std(self, dim=None, unbiased=True, keepdim=False, *, correction=None):
        dim, unbiased = _unbiased_first(dim, unbiased)
        var = self.var(dim, unbiased, keepdim, correction=correction)
        # A constant input has std 0 and, as in PyTorch, gradient 0 (not 0 / 0).
        nonzero = var._data != 0
        return where(nonzero, where(nonzero, var, 1).sqrt(), 0)

    def amax(self, dim=None, keepdim=False):
        """Largest elements over ``dim`` (all when None); tied maxima share the gradient."""
        axes = _nonempty_reduction("amax", self, dim)
        return ops.Amax.apply(self, dim=axes, keepdim=keepdim)

    def amin(self, dim=None, keepdim=False):
        axes = _nonempty_reduction("amin", self, dim)
        return ops.Amax.apply(self, dim=axes, keepdim=keepdim, smallest=True)

    def max(self, dim=None, keepdim=False):
        """``max()``: a 0-d tensor; ``max(dim)``: (values, indices); ``max(other)``: maximum."""
        if isinstance(dim, Tensor):
            return self.maximum(dim)
        if dim is None:
            return ops.Amax.apply(self, dim=None, nan_picks=True)
        return self._select(np.argmax, dim, keepdim)

    def min(self, dim=None, keepdim=False):
        if isinstance(dim, Tensor):
            return self.minimum(dim)
        if dim is None:
            return ops.Amax.apply(self, dim=None, smallest=True, nan_picks=True)
        return self._select(np.argmin, dim, keepdim)

    def _select(self, arg_function, dim, keepdim):
        """Values and indices of the first extreme along ``dim``; the gradient goes there."""
        axis = _dim(dim, self.ndim)
        if self.ndim == 0:  # a new tensor with a grad_fn, not self, as PyTorch gives
            return self.reshape(1)._select(arg_function, 0, keepdim=False)
        index = arg_function(self._data, axis=axis, keepdims=True)
        values = ops.TakeAlongDim.apply(self, index=index, dim=axis)
        if not keepdim:
            values, index = values.squeeze(axis), np.squeeze(index, axis)
        return ValuesIndices(values, Tensor._make(index.astype(np.int64)))

    def argmax(self, dim=None, keepdim=False):
        return self._arg(np.argmax, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return self._arg(np.argmin, dim, keepdim)

    def _arg(self, arg_function, dim, keepdim):
        if dim is None:
            index = arg_function(self._data)
            return Tensor._make(np.reshape(index, (1,) * self.ndim if keepdim else ()))
        axis = _dim(dim, self.ndim) if self.ndim else None
        xp = backend.array_module(self._data)
        return Tensor._make(xp.asarray(arg_function(self._data, axis=axis, keepdims=keepdim)))

    def log_softmax(self, dim):
        """log(softmax(x)) computed with the max shift: finite for logits of any size."""
        return ops.LogSoftmax.apply(self, dim=_dim(dim, self.ndim))

    def softmax(self, dim):
        return self.log_softmax(dim).exp()

    # ---- shape and movement -----------------------------------------------------------------

    def reshape(self, *shape):
        shape = _shape_argument(shape)
        return ops.Reshape.apply(self, shape=_infer_shape(shape, self.shape, "reshape"))

    view = reshape

    def view_as(self, other):
        return self.reshape(other.shape)

    reshape_as = view_as

    def flatten(self, start_dim=0, end_dim=-1):
        if self.ndim == 0:
            return self.reshape(1)
        start, end = _dim(start_dim, self.ndim), _dim(end_dim, self.ndim)
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        merged = math.prod(self.shape[start : end + 1])  # not -1: a zero-size batch stays (0, n)
        return self.reshape(self.shape[:start] + (merged,) + self.shape[end + 1 :])

    def unflatten(self, dim, sizes):
        """Split dim ``dim`` into ``sizes`` (one entry may be -1), the inverse of flatten.

        Example: ``mg.zeros(2, 12).unflatten(1, (3, 4)).shape`` is (2, 3, 4).
        """
        if not isinstance(sizes, tuple | list) or not sizes:
            raise TypeError(f"unflatten: sizes must be a non-empty tuple of ints, got {sizes!r}")
        dim = _dim(dim, self.ndim)
        inner = _infer_shape(tuple(sizes), (self.shape[dim],), "unflatten")
        return self.reshape(self.shape[:dim] + inner + self.shape[dim + 1 :])

    def permute(self, *dims):
        dims = _shape_argument(dims)
        axes = _dims(dims, self.ndim)
        if len(axes) != self.ndim:
            raise ValueError(
                f"permute: got {len(axes)} dims {dims} for a tensor with {self.ndim} dimensions"
            )
        return ops.Permute.apply(self, dims=axes)

    def transpose(self, dim0, dim1):
        axes = list(range(self.ndim))
        d0, d1 = _dim(dim0, self.ndim), _dim(dim1, self.ndim)
        if self.ndim < 2:
            return self
        axes[d0], axes[d1] = axes[d1], axes[d0]
        return ops.Permute.apply(self, dims=tuple(axes))

    @property
    def T(self):
        return ops.Permute.apply(self, dims=tuple(reversed(range(self.ndim))))

    def t(self):
        """The transpose of a tensor of at most 2 dimensions (1-d and 0-d ones come back)."""
        if self.ndim > 2:
            raise RuntimeError(
                f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D"
            )
        return self.transpose(0, 1) if self.ndim == 2 else self

    @property
    def mT(self):
        return self.transpose(-2, -1)

    def squeeze(self, dim=None):
        """Drop dimensions of size 1 (only those in ``dim`` when given; others are kept)."""
        axes = range(self.ndim) if dim is None else _dims(dim, self.ndim)
        drop = {a for a in axes if self.shape[a] == 1}
        return self.reshape(tuple(s for a, s in enumerate(self.shape) if a not in drop))

    def unsqueeze(self, dim):
        axis = _dim(dim, self.ndim + 1)
        return self.reshape(self.shape[:axis] + (1,) + self.shape[axis:])

    def expand(self, *sizes):
        """Broadcast to ``sizes`` without copying; -1 keeps a dimension's size."""
        sizes = _shape_argument(sizes)
        lead = len(sizes) - self.ndim
        if lead < 0:
            raise ShapeError(f"expand: cannot expand shape {self.shape} to fewer dims {sizes}")
        target = tuple(
            self.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes)
        )
        if any(s < 0 for s in target):
            raise ShapeError(
                f"expand: shape {sizes} for a tensor of shape {self.shape}: -1 is allowed only "
                "for existing dimensions, and sizes cannot be negative"
            )
        for i, size in enumerate(self.shape):
            if size != 1 and size != target[lead + i]:
                raise ShapeError(
                    f"expand: the size {size} of dimension {i} of shape {self.shape} must be "
                    f"1 or match {target[lead + i]} in {sizes}"
                )
        return ops.Expand.apply(self, shape=target)

    def expand_as(self, other):
        return self.expand(other.shape)

    def __getitem__(self, index):
        return ops.Index.apply(self, index=_index_argument(index, self._data))

    def where(self, condition, other):
        """Self's elements where ``condition`` holds, else ``other``'s (``mg.where``)."""
        return where(condition, self, other)

    def masked_fill(self, mask, value):
        """self with ``value`` where ``mask`` (bool, broadcast to self) is True; a number is
        cast to self's dtype, as in PyTorch."""
        if not isinstance(mask, Tensor):
            mask = Tensor._make(_user_array(mask, self._data))
        if mask.dtype != np.bool_:
            raise RuntimeError(
                f"masked_fill only supports boolean masks, but got mask with dtype {mask.dtype}"
            )
        if isinstance(value, Tensor):
            if value.ndim:
                raise RuntimeError(
                    "masked_fill_ only supports a 0-dimensional value tensor, but got tensor "
                    f"with {value.ndim} dimension(s)."
                )
            value = value.to(self.dtype)
        else:
            _check_fill_value(value, self.dtype)
            value = Tensor._make(np.asarray(value).astype(self.dtype))
        return where(mask, value, self)

    # ---- linear algebra ---------------------------------------------------------------------

    def matmul(self, other):
        other = _operand(other, like=self)
        if not isinstance(other, Tensor):
            raise TypeError(f"matmul needs a Tensor or ndarray, got {type(other).__name__}")
        _matmul_shape(self.shape, other.shape)
        return ops.MatMul.apply(self, other)

    __matmul__ = matmul

    def __rmatmul__(self, other):
        return _operand(other, like=self).matmul(self)

    # ---- in place ---------------------------------------------------------------------------

    def _modify(self, name, write, record, others=(), saves_self=True):
        """Change self in place, as PyTorch's in-place ops: ``write(array)`` writes the new
        values when no graph is recorded; otherwise ``record(source)`` computes them as a
        differentiable op on a copy of self, and self takes over the result's place in the
        graph (a view also rewrites its base's). The version counter goes up either way."""
        if grad_mode.is_grad_enabled():
            _check_inplace(self)
        recording = grad_mode.is_grad_enabled() and (
            self.requires_grad or any(isinstance(o, Tensor) and o.requires_grad for o in others)
        )
        if not getattr(self._data.flags, "writeable", True):  # CuPy's flags have no writeable
            raise RuntimeError(
                f"{name}: unsupported operation: more than one element of the written-to tensor "
                "refers to a single memory location (or its memory is read-only). Please clone() "
                "the tensor before performing the operation."
            )
        if not recording:
            write(self._data)
            self._version_counter.value += 1
            return self
        result = record(self._alias(copy=saves_self))
        if result.dtype != self.dtype:
            result = result.to(self.dtype)
        if result.shape != self.shape:
            raise ShapeError(
                f"{name}: output with shape {self.shape} doesn't match the broadcast shape "
                f"{result.shape}"
            )
        backend.array_module(self._data).copyto(self._data, result._data)
        self._version_counter.value += 1
        if self._base is None:
            self._adopt(result)
        else:
            self._rebase(result, name)
        return self

    def _alias(self, copy):
        """A new tensor at self's place in the graph, holding self's values (or a copy)."""
        alias = Tensor._make(self._data.copy() if copy else self._data)
        alias._adopt(self)
        return alias

    def _adopt(self, other):
        self.grad_fn, self._output_index = other.grad_fn, other._output_index
        self._requires_grad = other._requires_grad

    def _rebase(self, result, name):
        """After an in-place op on a view: the base becomes base-with-the-view-replaced
        (PyTorch's CopySlices), and the view becomes a view of that new base."""
        base = self._base
        positions = _view_positions(base._data, self._data)
        if positions is None:
            raise RuntimeError(
                f"{name}: minigrad cannot record an in-place change of this view of a tensor "
                "in the graph; clone() the view first"
            )
        new_base = ops.SetItem.apply(base._alias(copy=False), result, index=positions)
        base._adopt(new_base)
        self._adopt(ops.Index.apply(new_base, index=positions))

    def _inplace(self, values, name):
        """Write ``values`` (a number, an array of any device, or a tensor) into all of self."""
        values = values._data if isinstance(values, Tensor) else values
        if not isinstance(values, builtins.bool | builtins.int | builtins.float):
            values = backend.to_device(backend.as_array(values), self.device)

        def write(array):
            _copyto(array, _spread(values, array), casting="same_kind")

        def record(source):
            return ops.SetItem.apply(source, values, index=Ellipsis)

        return self._modify(name, write, record, saves_self=False)

    def zero_(self):
        return self._inplace(0, "zero_")

    def fill_(self, value):
        if isinstance(value, Tensor) and value.requires_grad:
            return self.copy_(value)
        return self._inplace(value, "fill_")

    def __setitem__(self, index, value):
        index = _index_argument(index, self._data)
        if isinstance(value, Tensor):
            if value.device != self.device:
                # PyTorch copies a value from another device into a slice (as copy_ does),
                # and a 0-d one anywhere; other values must be on self's device.
                if value.ndim and not _is_basic(index):
                    raise RuntimeError(
                        backend.SAME_DEVICE.format(first=self.device, second=value.device)
                    )
                value = value.to(self.device)
        elif not backend.is_host(self._data) and not isinstance(value, numbers.Number):
            value = _user_array(value, self._data, scalars=True)

        def write(array):
            array[index] = value._data if isinstance(value, Tensor) else value

        def record(source):
            return ops.SetItem.apply(source, value, index=index)

        self._modify("__setitem__", write, record, (value,), saves_self=False)

    def copy_(self, source):
        """Copy ``source``'s values (broadcast to self's shape) into self; ``source`` may be
        on another device, as in PyTorch (the gradient flows back to it)."""
        if not isinstance(source, Tensor):
            source = _user_array(np.asarray(source), self._data)
        elif source.device != self.device:
            source = source.to(self.device)
        _broadcast_shape("copy_", self.shape, source.shape)
        array = source._data if isinstance(source, Tensor) else source

        def write(target):
            _copyto(target, np.broadcast_to(array, self.shape), casting="unsafe")

        def record(alias):
            return ops.SetItem.apply(alias, source, index=Ellipsis)

        return self._modify("copy_", write, record, (source,), saves_self=False)

    def uniform_(self, a=0.0, b=1.0):
        from minigrad.random import default_generator

        return self._inplace(default_generator().uniform(a, b, self.shape), "uniform_")

    def normal_(self, mean=0.0, std=1.0):
        from minigrad.random import default_generator

        return self._inplace(default_generator().normal(mean, std, self.shape), "normal_")

    def _arithmetic_(self, name, out_of_place, other, compute):
        def write(array):
            _copyto(array, _spread(compute(array), array), casting="same_kind")

        return self._modify(name, write, lambda source: out_of_place(source), (other,))

    def add_(self, other, alpha=1):
        return self._arithmetic_(
            "add_", lambda s: s.add(other, alpha=alpha), other,
            lambda a: a + alpha * _array(other, like=a),
        )  # fmt: skip

    def sub_(self, other, alpha=1):
        return self._arithmetic_(
            "sub_", lambda s: s.sub(other, alpha=alpha), other,
            lambda a: a - alpha * _array(other, like=a),
        )  # fmt: skip

    def mul_(self, other):
        return self._arithmetic_(
            "mul_", lambda s: s.mul(other), other, lambda a: a * _array(other, like=a)
        )

    def div_(self, other):
        return self._arithmetic_(
            "div_", lambda s: s.div(other), other, lambda a: a / _array(other, like=a)
        )

    def clamp_(self, min=None, max=None):
        def clip(a):
            low, high = (_array(b, like=a) if isinstance(b, Tensor) else b for b in (min, max))
            return np.clip(a, low, high)

        return self._arithmetic_("clamp_", lambda s: s.clamp(min, max), None, clip)

    # x += y is x.add_(y), as in PyTorch: in place, and recorded when a graph is.
    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_


def _numpy_aliases(method):
    """Accept numpy's ``axis=`` and ``keepdims=`` for ``dim=`` and ``keepdim=``, as PyTorch does."""

    def aliased(self, *args, **kwargs):
        if "axis" in kwargs:
            if "dim" in kwargs:
                raise TypeError(f"{method.__name__}() got both dim= and its alias axis=")
            kwargs["dim"] = kwargs.pop("axis")
        if "keepdims" in kwargs:
            if "keepdim" in kwargs:
                raise TypeError(f"{method.__name__}() got both keepdim= and its alias keepdims=")
            kwargs["keepdim"] = kwargs.pop("keepdims")
        return method(self, *args, **kwargs)

    aliased.__name__ = aliased.__qualname__ = method.__name__
    aliased.__doc__ = method.__doc__
    return aliased


for _name in (
    "sum mean var std amax amin max min argmax argmin softmax log_softmax squeeze unsqueeze "
    "flatten transpose cumsum prod logsumexp norm all any"
).split():
    if hasattr(Tensor, _name):
        setattr(Tensor, _name, _numpy_aliases(getattr(Tensor, _name)))


class _HookHandle:
    """What ``register_hook`` returns: ``remove()`` takes the hook away again."""

    _next_id = 0

    def __init__(self, hooks, hook):
        _HookHandle._next_id += 1
        self.id, self._hooks = _HookHandle._next_id, hooks
        hooks[self.id] = hook

    def remove(self):
        self._hooks.pop(self.id, None)


# ---- functions ------------------------------------------------------------------------------


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor from a number, nested lists, an ndarray or a Tensor (always a copy).

    Python floats become the default float dtype (float32), ints int64, bools bool; an
    ndarray keeps its dtype unless ``dtype`` is given. A Tensor's copy stays on its device
    unless ``device`` says otherwise.
    """
    device = None if device is None else as_device(device)
    if isinstance(data, Tensor) or not backend.is_host(data):
        # A tensor (or a device array) is copied on its device, or straight to ``device``.
        array = data._data if isinstance(data, Tensor) else data
        moved = device is not None and not backend.on_device(array, device)
        if moved:
            array = backend.to_device(array, device)
        array = array.astype(array.dtype if dtype is None else dtype, copy=not moved)
        out = Tensor._make(array)
        out.requires_grad = requires_grad
        return out
    try:
        array = np.array(data, copy=True)
    except ValueError as error:  # ragged nested lists
        raise ValueError(
            f"tensor(): nested lists of unequal lengths cannot be a Tensor ({error})"
        ) from None
    if array.dtype.kind in "USOV":  # strings, objects: numpy keeps them, torch refuses them
        raise TypeError(
            f"tensor(): data of type {type(data).__name__} holding "
            f"{array.dtype.kind == 'O' and 'objects' or 'strings'} cannot be a "
            "Tensor; expected numbers, bools, nested lists of them or an ndarray"
        )
    if dtype is not None:
        array = array.astype(dtype, copy=False)
    elif not isinstance(data, np.ndarray | np.generic):
        array = array.astype(_python_dtype(array.dtype), copy=False)
    out = Tensor._make(array if device is None else backend.to_device(array, device))
    out.requires_grad = requires_grad
    return out


def from_numpy(array):
    """A tensor that shares memory with ``array`` (a numpy array) and keeps its dtype."""
    if not isinstance(array, np.ndarray) or not backend.is_host(array):
        raise TypeError(f"from_numpy expects an np.ndarray, got {type(array).__name__}")
    return Tensor._make(array)


def as_tensor(data, dtype=None, device=None):
    """``data`` itself when it is already a Tensor of that dtype, else ``tensor(data, dtype)``."""
    if isinstance(data, Tensor):
        out = data if device is None else data.to(device)
        return out if dtype is None or np.dtype(dtype) == out.dtype else out.to(dtype)
    return tensor(data, dtype, device)


def cat(tensors, dim=0, *, axis=None):
    """Join tensors of equal shape (but along ``dim``) into one."""
    dim = dim if axis is None else axis
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("cat needs a non-empty sequence of tensors")
    first = tensors[0]
    axis = _dim(dim, first.ndim)
    for position, t in enumerate(tensors):
        if t.ndim != first.ndim or any(
            a != b for i, (a, b) in enumerate(zip(t.shape, first.shape)) if i != axis
        ):
            raise ShapeError(
                f"cat: tensor {position} has shape {t.shape}, which does not match shape "
                f"{first.shape} of tensor 0 outside dim {dim}"
            )
    return ops.Cat.apply(*tensors, dim=axis)


def stack(tensors, dim=0, *, axis=None):
    """Join tensors of equal shape along a new dimension ``dim``."""
    dim = dim if axis is None else axis
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack needs a non-empty sequence of tensors")
    for position, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise ShapeError(
                f"stack: tensor {position} has shape {t.shape}, tensor 0 has {tensors[0].shape}"
            )
    axis = _dim(dim, tensors[0].ndim + 1)
    return cat([t.unsqueeze(axis) for t in tensors], dim=axis)


def _unbiased_first(dim, unbiased):
    """(dim, unbiased) of var/std: a bool in the place of ``dim`` is PyTorch's older
    ``var(unbiased)`` overload."""
    if isinstance(dim, builtins.bool):
        return None, dim
    return dim, unbiased


def where(condition, input, other):
    """Elements of ``input`` where ``condition`` holds, else of ``other`` (all broadcast).

    The tensors must share a device (a 0-d CPU tensor joins any); a condition or values given
    as ndarrays or lists are taken to the device of the tensors."""
    like = None  # a tensor not on the CPU, whose device arrays and lists are taken to
    for x in (condition, input, other):
        if isinstance(x, Tensor) and type(x._data) is not np.ndarray and not x.is_cpu:
            like = x
            break
    if not isinstance(condition, Tensor):
        condition = backend.as_array(condition)
        condition = Tensor._make(condition if like is None else _user_array(condition, like._data))
    if condition.dtype != np.bool_:
        raise TypeError(f"where: condition must be bool, got {condition.dtype}")
    input, other = _operand(input, like), _operand(other, like)
    shapes = [np.shape(x._data if isinstance(x, Tensor) else x) for x in (input, other)]
    _broadcast_shape("where", condition.shape, *shapes)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = tensor(input)
    if isinstance(input, Tensor) and isinstance(other, Tensor) and input.dtype != other.dtype:
        target = _result_dtype(input, other)
        input, other = input.to(target), other.to(target)
    return ops.Where.apply(condition, input, other)


def maximum(input, other):
    return as_tensor(input).maximum(other)


def minimum(input, other):
    return as_tensor(input).minimum(other)


# ---- helpers --------------------------------------------------------------------------------


# Ops whose out= must have the result's dtype exactly in PyTorch (checked against torch 2.x);
# elementwise ops and sum-like reductions cast into out instead.
_EXACT_OUT_DTYPE = frozenset(
    "gather amax amin aminmax index_select take masked_select kthvalue max sort topk cummax "
    "median argmax nonzero msort diag tril matmul mm where".split()
)


def _write_out(name, result, out, inputs):
    """Copy ``result`` into ``out`` (a Tensor, or a tuple for ``(values, indices)`` results)
    as PyTorch's ``out=`` does, resizing it when the shapes differ."""
    import warnings

    if isinstance(result, tuple):
        if not isinstance(out, tuple | list) or len(out) != len(result):
            raise TypeError(f"{name}(): out= must be a tuple of {len(result)} Tensors")
        written = tuple(_write_out(name, r, o, inputs) for r, o in zip(result, out))
        return type(result)(*written) if hasattr(result, "_fields") else written
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be a Tensor, not {type(out).__name__}")
    if grad_mode.is_grad_enabled() and (result.requires_grad or out.requires_grad):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )
    if name in _EXACT_OUT_DTYPE and out.dtype != result.dtype:
        raise RuntimeError(
            f"{name}(): Expected out tensor to have dtype {_legacy(result.dtype)}, but got "
            f"{_legacy(out.dtype)} instead"
        )
    if not np.can_cast(result.dtype, out.dtype, "same_kind"):
        raise RuntimeError(
            f"result type {_legacy(result.dtype)} can't be cast to the desired output type "
            f"{_legacy(out.dtype)}"
        )
    if out.device != result.device:
        raise RuntimeError(
            f"Expected out tensor to have device {result.device}, but got {out.device} instead"
        )
    if out._data.shape == result._data.shape:
        _copyto(out._data, result._data, casting="same_kind")
    else:
        if out.numel():
            warnings.warn(
                f"An output with one or more elements was resized since it had shape "
                f"{list(out.shape)}, which does not match the required output shape "
                f"{list(result.shape)}. This behavior is deprecated, and in a future PyTorch "
                "release outputs will not be resized unless they have zero elements.",
                UserWarning, stacklevel=3,
            )  # fmt: skip
        out._data = result._data.astype(out.dtype, copy=True)
    out._version_counter.value += 1
    return out


def _legacy(dtype):
    from minigrad.autograd.function import _tensor_kind

    return _tensor_kind(dtype).removeprefix("minigrad.").removesuffix("Tensor")


def _python_dtype(dtype):
    """The dtype PyTorch gives to Python numbers of this numpy kind."""
    if dtype.kind == "f":
        return dtypes.get_default_dtype()
    if dtype.kind in "iu":
        return dtypes.int64
    return dtype


_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def _result_dtype(a, b):
    """PyTorch's result dtype for two tensors, where numpy's differs (int32 * float32 is float64).

    A higher kind (bool < integer < floating) wins; within a kind a tensor with dimensions wins
    over a 0-d one, so a float64 0-d tensor does not upcast a float32 batch.
    """

    def rank(t):
        return _CATEGORY.get(t.dtype.kind, 3), t.ndim > 0

    top = builtins.max(rank(a), rank(b))
    return np.result_type(*(t.dtype for t in (a, b) if rank(t) == top))


def _operand(x, like=None):
    """A Tensor, or a Python number for scalars (so they do not upcast a float32 tensor).

    An ndarray or a list becomes a Tensor on the device of ``like`` (a Tensor), as a number
    joins any device; a device array stays on its device."""
    if isinstance(x, np.generic | np.ndarray) and np.ndim(x) == 0:
        return x.item()  # before the float check: np.float64 is a float subclass
    if isinstance(x, Tensor) or isinstance(x, builtins.bool | builtins.int | builtins.float):
        return x
    if isinstance(x, np.ndarray):
        return Tensor._make(x if like is None else _user_array(x, like._data))
    if isinstance(x, list | tuple):
        return tensor(x, device=None if like is None else like.device)
    if not backend.is_host(x):  # an array of a device (a CuPy array, ...)
        return Tensor._make(x)
    raise TypeError(f"expected a Tensor, an ndarray or a number, got {type(x).__name__}")


def _array(x, like=None):
    """The array of ``x`` (a Tensor, an array, a list or a number).

    With ``like`` (an array) it is one that mixes with ``like`` elementwise: a value given by
    the user (an ndarray, a list, a number) on ``like``'s device, a 0-d CPU tensor as a numpy
    scalar (it joins any device, as in PyTorch), and PyTorch's RuntimeError for a tensor on
    another device."""
    if not isinstance(x, Tensor):
        array = backend.as_array(x)
        return array if like is None else _user_array(array, like, scalars=True)
    array = x._data
    if like is None or (type(array) is np.ndarray and type(like) is np.ndarray):
        return array
    first, second = backend.device_of(like), backend.device_of(array)
    if first == second:
        return array
    if second.type == "cpu" and array.ndim == 0:
        return array[()]
    raise RuntimeError(backend.SAME_DEVICE.format(first=first, second=second))


def _user_array(x, like, scalars=False):
    """``x`` (an ndarray, a list, a number or a device array) as an array on ``like``'s
    device: a host value is copied there (a 0-d one stays a numpy scalar with ``scalars``)."""
    array = backend.as_array(x)
    if type(like) is np.ndarray or not backend.is_host(array):
        return array
    if scalars and array.ndim == 0:
        return array[()]
    return backend.on_device_of(array, like)


def _host(array):
    """``array`` itself on the CPU, else a numpy copy of it (for printing, item(), ...)."""
    return array if type(array) is np.ndarray else backend.to_host(array)


def _spread(values, array):
    """``values`` (a number or an array of any device) broadcast to ``array``'s shape, on
    ``array``'s device: what an in-place write copies into ``array``."""
    if type(array) is not np.ndarray or not backend.is_host(values):
        values = backend.to_device(backend.as_array(values), backend.device_of(array))
    return np.broadcast_to(values, array.shape)


def _index_data(x, like):
    """An index or mask (a Tensor, a list or an ndarray) as an array on ``like``'s device.

    As in PyTorch, indices on the CPU serve a tensor on any device (they are copied there);
    indices on a device serve only tensors on that device."""
    array = x._data if isinstance(x, Tensor) else backend.as_array(x)
    if backend.is_host(array):
        return array if type(like) is np.ndarray else backend.on_device_of(array, like)
    where = backend.device_of(like)
    if backend.device_of(array) != where:
        raise RuntimeError(
            f"indices should be either on cpu or on the same device as the indexed tensor ({where})"
        )
    return array


def _is_bool(x):
    return isinstance(x, builtins.bool) or (isinstance(x, Tensor) and x.dtype == np.bool_)


def _is_float(x):
    if isinstance(x, Tensor):
        return dtypes.is_floating(x.dtype)
    return isinstance(x, builtins.float | np.floating)


def _pow_operands(base, exponent, reflected):
    """PyTorch's pow for bools: no bool ** bool; a bool base with an int exponent is int64."""
    if reflected:
        base, exponent = exponent, base
    if _is_bool(base) and _is_bool(exponent) and isinstance(exponent, Tensor | builtins.bool):
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")
    if isinstance(base, Tensor) and base.dtype.kind in "biu" and not _is_float(exponent):
        if isinstance(exponent, builtins.int) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if base.dtype == np.bool_ and not isinstance(exponent, Tensor):
            base = base.long()  # bool ** 2 is int64; bool ** int_tensor takes the tensor's
    return (exponent, base) if reflected else (base, exponent)


def _number(x):
    return x.item() if isinstance(x, Tensor) else x


def _check_inplace(tensor):
    """PyTorch refuses in-place changes of a leaf that requires grad (or of a view of one)
    while recording: its .grad would belong to a value that no longer exists."""
    if tensor.requires_grad and tensor.grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation. "
            + _NO_GRAD_HINT
        )
    base = tensor._base
    if base is not None and base.requires_grad and base.grad_fn is None:
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place "
            "operation. " + _NO_GRAD_HINT
        )


_NO_GRAD_HINT = "(To update it without recording, as optimizers do, use `with mg.no_grad():`.)"


def _view_positions(base, view):
    """The index (a tuple of int arrays, on base's device) of each element of ``view`` inside
    ``base``, from their memory addresses; None when ``base`` is not a plain C-contiguous
    array."""
    itemsize = base.itemsize
    offset = _address(view) - _address(base)
    if not base.flags.c_contiguous or view.itemsize != itemsize or offset % itemsize:
        return None
    if any(stride % itemsize for stride in view.strides):
        return None
    xp = backend.array_module(base)
    flat = xp.full(view.shape, offset // itemsize, dtype=np.int64)
    for axis, (size, stride) in enumerate(zip(view.shape, view.strides)):
        steps = xp.arange(size) * (stride // itemsize)
        flat += steps.reshape((-1,) + (1,) * (view.ndim - axis - 1))
    return xp.unravel_index(flat, base.shape)


def _address(array):
    """Where ``array``'s first element lives in memory (host or device)."""
    interface = getattr(array, "__array_interface__", None)
    if interface is None:  # a CuPy array
        interface = array.__cuda_array_interface__
    return interface["data"][0]


def _copyto(target, values, casting):
    backend.array_module(target).copyto(target, values, casting=casting)


def _module_of(device):
    """The array module (numpy, CuPy, ...) of ``device`` (RuntimeError when not present)."""
    device = as_device(device)
    return np if device.type == "cpu" else backend.backend_for(device).xp


def _dim(dim, ndim):
    """One dimension index, made non-negative; PyTorch's error when out of range."""
    if not isinstance(dim, builtins.int | np.integer) or isinstance(dim, builtins.bool):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    size = builtins.max(ndim, 1)
    if not -size <= dim < size:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-size}, {size - 1}], "
            f"but got {dim})"
        )
    return builtins.int(dim) % size


def _dims(dim, ndim):
    """None (all dimensions) or a tuple of distinct non-negative axes."""
    if dim is None:
        return None
    axes = tuple(_dim(d, ndim) for d in (dim if isinstance(dim, tuple | list) else (dim,)))
    if len(set(axes)) != len(axes):
        twice = next(a for a in axes if axes.count(a) > 1)
        raise ShapeError(
            f"dim {twice} appears multiple times in the list of dims (dim {dim} names a "
            "dimension twice)"
        )
    return axes if ndim else ()  # a 0-d tensor accepts dim 0 or -1 and reduces nothing


def _check_fill_value(value, dtype):
    """PyTorch's refusal of a fill number that ``dtype`` cannot hold (masked_fill)."""
    dtype = np.dtype(dtype)
    if dtype.kind == "b" or not isinstance(value, builtins.int | builtins.float | complex):
        return
    if isinstance(value, complex):
        fits = False
    elif dtype.kind in "iu":
        info = np.iinfo(dtype)
        fits = not math.isfinite(value) or info.min <= value <= info.max
        fits = fits and math.isfinite(value)
    else:
        fits = not math.isfinite(value) or abs(value) <= np.finfo(dtype).max
    if not fits:
        raise RuntimeError(
            f"value cannot be converted to type {_legacy(dtype)} without overflow: {value!r}"
        )


def _nonempty_reduction(name, tensor, dim):
    """``dim``'s axes for a reduction with no identity (amax, amin): PyTorch's errors when
    an axis it reduces is empty."""
    axes = _dims(dim, tensor.ndim)
    if tensor.numel() == 0:
        if axes is None:
            raise RuntimeError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        for axis in axes:
            if tensor.shape[axis] == 0:
                raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")
    return axes


def _count(shape, axes):
    return builtins.int(np.prod([shape[a] for a in axes] if axes is not None else shape))


def _shape_argument(args):
    """``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])`` all mean the shape (2, 3)."""
    if len(args) == 1 and isinstance(args[0], tuple | list):
        args = args[0]
    for position, a in enumerate(args):
        # int() would take 2.7 for 2 and '3' for 3; torch takes integers only.
        if not hasattr(type(a), "__index__"):
            raise TypeError(
                f"size must be a tuple of ints, but found element of type {type(a).__name__} "
                f"at pos {position}"
            )
    return tuple(operator.index(a) for a in args)


def _infer_shape(shape, old_shape, name):
    size = builtins.int(np.prod(old_shape))
    unknown = [i for i, s in enumerate(shape) if s == -1]
    known = builtins.int(np.prod([s for s in shape if s != -1]))
    if len(unknown) > 1 or any(s < -1 for s in shape):
        raise ShapeError(f"{name}: shape {shape} is invalid (at most one -1, no other negatives)")
    if unknown and known and size % known == 0:
        shape = shape[: unknown[0]] + (size // known,) + shape[unknown[0] + 1 :]
    if builtins.int(np.prod(shape)) != size or (unknown and not known):
        raise ShapeError(
            f"{name}: shape {shape} is invalid for a tensor of shape {old_shape} ({size} elements)"
        )
    return shape


def _broadcast_shape(name, *shapes):
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise ShapeError(
            f"{name}: shapes {', '.join(str(tuple(s)) for s in shapes)} cannot be broadcast "
            "together"
        ) from None


def _matmul_shape(a, b):
    if len(a) == 0 or len(b) == 0:
        raise ShapeError(f"matmul: both operands need at least 1 dimension, got {a} and {b}")
    inner_a, inner_b = a[-1], b[0] if len(b) == 1 else b[-2]
    if inner_a != inner_b:
        raise ShapeError(
            f"matmul: shapes {a} and {b} do not fit: the last dimension of the first ({inner_a}) "
            f"must equal the {'only' if len(b) == 1 else 'second-to-last'} dimension of the "
            f"second ({inner_b})"
        )
    _broadcast_shape("matmul (batch dimensions)", a[:-2], b[:-2])


def _index_argument(index, like):
    """Tensors and lists inside an index become arrays on the device of ``like`` (the indexed
    array); a bool mask becomes its positions."""
    parts = index if isinstance(index, tuple) else (index,)
    converted = []
    for part in parts:
        if isinstance(part, Tensor | list | np.ndarray):
            part = _index_data(part, like)
        if (isinstance(part, np.ndarray) or not backend.is_host(part)) and part.dtype == np.bool_:
            converted.extend(backend.array_module(part).nonzero(part))
        else:
            converted.append(part)
    return tuple(converted) if isinstance(index, tuple) or len(converted) != 1 else converted[0]


def _is_basic(index):
    """Whether ``index`` holds only ints, slices, None and Ellipsis (no arrays)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(
        p is None or p is Ellipsis or isinstance(p, builtins.int | np.integer | slice)
        for p in parts
    )


def _format(t):
    data = _host(t._data)  # a tensor on a device prints its values from a host copy
    prefix = "tensor("
    options = {}
    if dtypes.is_floating(data.dtype):
        # PyTorch's choice: "1." for whole numbers, else 4 decimals; scientific notation when
        # the finite nonzero magnitudes reach 1e8, go below 1e-4 or span more than 1000x
        # (numpy applies the same thresholds once suppress_small is off).
        values = np.abs(data[np.isfinite(data) & (data != 0)])
        wide = values.size and (values.max() >= 1e8 or values.max() > 1000 * values.min())
        integral = np.all(values == np.round(values))
        options = {"precision": 0 if integral and not wide else 4, "floatmode": "fixed"}
    body = np.array2string(data, separator=", ", prefix=prefix, **options)
    extras = [] if backend.is_host(t._data) else [f"device='{t.device}'"]  # as PyTorch
    if data.size == 0 and data.ndim != 1:
        extras.append(f"size={data.shape}")
    if data.dtype not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool):
        extras.append(f"dtype=minigrad.{data.dtype}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    return prefix + ", ".join([body] + extras) + ")"
