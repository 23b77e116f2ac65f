"""The Tensor methods of PyTorch's wider elementwise surface, kept out of tensor.py so that the
core reads in one sitting: more math functions, rounding, remainders, bitwise and logical ops,
NaN tests and the fused ``add*`` forms. ``Tensor`` inherits them from ``MathMethods``.

Dtypes follow PyTorch: float functions of int or bool tensors give the default float dtype;
rounding an int tensor gives it back; bitwise ops refuse floats, and the errors name the op.
"""

import builtins
import collections
import sys

import numpy as np

from minigrad import backend, dtypes, ops


def _core():
    """The module minigrad.tensor (it imports this one; ``minigrad.tensor`` the attribute is
    the function)."""
    return sys.modules["minigrad.tensor"]


def _float_unary(op):
    def method(self):
        return op.apply(self._floating())

    method.__name__ = op.__name__.lower()
    method.__doc__ = op.__doc__
    return method


def _not_for_bool(name, tensor):
    if tensor.dtype == np.bool_:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Bool'")


def _integer_divisor_check(self, other):
    if not dtypes.is_floating(self.dtype) and not _core()._is_float(other):
        if np.any(_core()._array(other) == 0):
            raise RuntimeError("ZeroDivisionError: integer division by zero")


class MathMethods:
    # ---- exponentials, logarithms, trigonometry ---------------------------------------------

    expm1 = _float_unary(ops.Expm1)
    exp2 = _float_unary(ops.Exp2)
    log1p = _float_unary(ops.Log1p)
    log2 = _float_unary(ops.Log2)
    log10 = _float_unary(ops.Log10)
    tan = _float_unary(ops.Tan)
    asin = arcsin = _float_unary(ops.Asin)
    acos = arccos = _float_unary(ops.Acos)
    atan = arctan = _float_unary(ops.Atan)
    sinh = _float_unary(ops.Sinh)
    cosh = _float_unary(ops.Cosh)
    asinh = arcsinh = _float_unary(ops.Asinh)
    acosh = arccosh = _float_unary(ops.Acosh)
    atanh = arctanh = _float_unary(ops.Atanh)
    reciprocal = _float_unary(ops.Reciprocal)
    rsqrt = _float_unary(ops.Rsqrt)

    # ---- rounding: the gradient is zero; an int tensor is already round ---------------------

    def _step(self, name, op, **kwargs):
        _not_for_bool(name, self)
        return op.apply(self, **kwargs) if dtypes.is_floating(self.dtype) else self.clone()

    def floor(self):
        return self._step("floor", ops.Floor)

    def ceil(self):
        return self._step("ceil", ops.Ceil)

    def trunc(self):
        return self._step("trunc", ops.Trunc)

    fix = trunc

    def round(self, decimals=0):
        """To the nearest integer (``decimals`` digits), halves to even, as PyTorch."""
        return self._step("round", ops.Round, decimals=decimals)

    def frac(self):
        """self - trunc(self), with self's sign; the gradient passes unchanged."""
        if not dtypes.is_floating(self.dtype):
            raise NotImplementedError(f"\"frac_cpu\" not implemented for '{self.dtype}'")
        return self - self.trunc()

    def sign(self):
        """-1, 0 or 1 (NaN stays NaN); a bool tensor is its own sign."""
        if self.dtype == np.bool_:
            return self.clone()
        return ops.Sign.apply(self) if dtypes.is_floating(self.dtype) else self._int_map(np.sign)

    sgn = sign

    def _int_map(self, function, *args):
        return type(self)._make(function(self._data, *args))

    # ---- two-input math ---------------------------------------------------------------------

    def _float_binary(self, op, other):
        this = self._floating()
        if isinstance(other, type(self)) and not dtypes.is_floating(other.dtype):
            other = other._floating()
        return this._binary(op, other)

    def atan2(self, other):
        """The angle of (other, self), in (-pi, pi]."""
        return self._float_binary(ops.Atan2, other)

    arctan2 = atan2

    def hypot(self, other):
        _not_for_int("hypot", self)
        return self._binary(ops.Hypot, other)

    def logaddexp(self, other):
        """log(exp(self) + exp(other)), without overflow."""
        _not_for_int("logaddexp", self)
        return self._binary(ops.LogAddExp, other)

    def copysign(self, other):
        """|self| with the sign of other (-0.0 counts as negative)."""
        return self._float_binary(ops.Copysign, other)

    def fmod(self, other):
        """self - trunc(self / other) other: the remainder with self's sign (C's fmod)."""
        _not_for_bool("fmod", self)
        _integer_divisor_check(self, other)
        return self._binary(ops.Fmod, other)

    def remainder(self, other):
        """self - floor(self / other) other: the remainder with other's sign (Python's %)."""
        _not_for_bool("remainder", self)
        _integer_divisor_check(self, other)
        return self._binary(ops.Remainder, other)

    def __mod__(self, other):
        return self.remainder(other)

    def __rmod__(self, other):
        return _core().as_tensor(other, dtype=_scalar_dtype(other, self)).remainder(self)

    def floor_divide(self, other):
        return self.div(other, rounding_mode="floor")

    def __floordiv__(self, other):
        return self.floor_divide(other)

    def __rfloordiv__(self, other):
        return _core().as_tensor(other, dtype=_scalar_dtype(other, self)).floor_divide(self)

    def lerp(self, end, weight):
        """self + weight (end - self)."""
        return self + weight * (end - self)

    def addcmul(self, tensor1, tensor2, value=1):
        """self + value * tensor1 * tensor2."""
        return self + value * tensor1 * tensor2

    def addcdiv(self, tensor1, tensor2, value=1):
        """self + value * tensor1 / tensor2."""
        return self + value * tensor1 / tensor2

    # ---- bitwise and logical ops ------------------------------------------------------------

    def _bitwise(self, name, ufunc, other, reflected=False):
        core = _core()
        other = core._operand(other, like=self)
        for operand in (self, other):
            if core._is_float(operand):
                kind = "Float" if isinstance(operand, builtins.float) else str(operand.dtype)
                raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{kind}'")
        if isinstance(other, type(self)):
            core._broadcast_shape(name, self.shape, other.shape)
            target = core._result_dtype(self, other)
            b = core._array(other, like=self._data).astype(target, copy=False)
            a = self._data.astype(target, copy=False)
        else:
            b = np.asarray(other, self.dtype if self.dtype != np.bool_ else None)
            a, b = self._data, core._array(b, like=self._data)
        return type(self)._make(ufunc(b, a) if reflected else ufunc(a, b))

    def bitwise_and(self, other):
        return self._bitwise("bitwise_and", np.bitwise_and, other)

    def bitwise_or(self, other):
        return self._bitwise("bitwise_or", np.bitwise_or, other)

    def bitwise_xor(self, other):
        return self._bitwise("bitwise_xor", np.bitwise_xor, other)

    def bitwise_not(self):
        _not_for_float("bitwise_not", self)
        return self._int_map(np.invert)

    def bitwise_left_shift(self, other):
        return self._bitwise("lshift", np.left_shift, other)

    def bitwise_right_shift(self, other):
        return self._bitwise("rshift", np.right_shift, other)

    __and__ = __rand__ = bitwise_and
    __or__ = __ror__ = bitwise_or
    __xor__ = __rxor__ = bitwise_xor
    __invert__ = bitwise_not
    __lshift__ = bitwise_left_shift
    __rshift__ = bitwise_right_shift

    def __rlshift__(self, other):
        return self._bitwise("lshift", np.left_shift, other, reflected=True)

    def __rrshift__(self, other):
        return self._bitwise("rshift", np.right_shift, other, reflected=True)

    def _logical(self, ufunc, other):
        core = _core()
        other = core._operand(other, like=self)
        if isinstance(other, type(self)):
            core._broadcast_shape(ufunc.__name__, self.shape, other.shape)
        return type(self)._make(ufunc(self._data, core._array(other, like=self._data)))

    def logical_and(self, other):
        return self._logical(np.logical_and, other)

    def logical_or(self, other):
        return self._logical(np.logical_or, other)

    def logical_xor(self, other):
        return self._logical(np.logical_xor, other)

    def logical_not(self):
        return self._int_map(np.logical_not)

    # ---- NaN and infinity -------------------------------------------------------------------

    def isnan(self):
        return self._int_map(np.isnan)

    def isinf(self):
        return self._int_map(np.isinf)

    def isposinf(self):
        return self._int_map(np.isposinf)

    def isneginf(self):
        return self._int_map(np.isneginf)

    def isfinite(self):
        return self._int_map(np.isfinite)

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        """|self - other| <= atol + rtol |other|, elementwise (NaNs equal with ``equal_nan``)."""
        core = _core()
        for name, tolerance in (("rtol", rtol), ("atol", atol)):
            if tolerance < 0:
                raise RuntimeError(
                    f"{name} must be greater than or equal to zero, but got {tolerance}"
                )
        other = core._operand(other, like=self)
        if isinstance(other, type(self)):
            core._broadcast_shape("isclose", self.shape, other.shape)
            if self.dtype != other.dtype:
                raise RuntimeError(
                    f"isclose: self ({self.dtype}) and other ({other.dtype}) must have the "
                    "same dtype"
                )
        return self._int_map(np.isclose, core._array(other, like=self._data), rtol, atol, equal_nan)

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        """True when every element is close (``isclose``): a Python bool."""
        return builtins.bool(self.isclose(other, rtol, atol, equal_nan)._data.all())

    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        """NaN -> ``nan``, +-inf -> ``posinf`` / ``neginf`` (by default the dtype's extremes);
        the gradient passes where the element is finite."""
        if not dtypes.is_floating(self.dtype):
            return self.clone()
        info = np.finfo(self.dtype)
        high = info.max if posinf is None else posinf
        low = info.min if neginf is None else neginf
        replacement = np.where(np.isnan(self._data), nan, np.where(self._data > 0, high, low))
        constant = type(self)._make(replacement.astype(self.dtype))
        return _core().where(self.isfinite(), self, constant)


class ReductionMethods:
    """Products, running sums, norms, sorting and the NaN-aware reductions."""

    def _reduce_input(self, dtype):
        if dtype is not None:
            return self.to(dtype)
        this = self
        if this.dtype.kind in "biu" and this.dtype != np.int64:
            this = this.long()  # integer products and running sums are int64, as in PyTorch
        return this

    def prod(self, dim=None, keepdim=False, *, dtype=None):
        """The product over ``dim`` (all elements by default)."""
        this = self._reduce_input(dtype)
        if dim is None or this.ndim == 0:
            _core()._dim(dim, this.ndim) if dim is not None else None  # checks the range
            out = ops.Prod.apply(this.reshape(-1), dim=(0,), keepdim=False)
            return out.reshape(()) if not keepdim or dim is None else out.reshape(this.shape)
        return ops.Prod.apply(this, dim=(_core()._dim(dim, this.ndim),), keepdim=keepdim)

    def cumsum(self, dim, *, dtype=None):
        this = self._reduce_input(dtype)
        if this.ndim == 0:
            return this.clone()
        return ops.Cumsum.apply(this, dim=_core()._dim(dim, this.ndim))

    def cumprod(self, dim, *, dtype=None):
        this = self._reduce_input(dtype)
        if this.ndim == 0:
            return this.clone()
        return ops.Cumprod.apply(this, dim=_core()._dim(dim, this.ndim))

    def logcumsumexp(self, dim):
        """log(cumsum(exp(self))) along ``dim``, as a running logaddexp: no overflow."""
        if not dtypes.is_floating(self.dtype):
            raise NotImplementedError(
                f"logcumsumexp: not implemented for {self.dtype} tensors; expected a floating "
                "dtype (as PyTorch)"
            )
        if self.ndim == 0:
            _core()._dim(dim, 1)
            return self.clone()
        return ops.LogCumSumExp.apply(self, dim=_core()._dim(dim, self.ndim))

    def cummax(self, dim):
        """(values, indices) of the running maximum along ``dim``; a tie takes the later
        index and a NaN stays the maximum, as PyTorch's. The gradient goes to the indices."""
        return self._running(dim, np.maximum.accumulate)

    def cummin(self, dim):
        """(values, indices) of the running minimum along ``dim`` (see cummax)."""
        return self._running(dim, np.minimum.accumulate)

    def _running(self, dim, accumulate):
        xp = backend.array_module(self._data)
        if self.ndim == 0:
            return _core().ValuesIndices(self.clone(), type(self)._make(xp.zeros((), np.int64)))
        axis = _core()._dim(dim, self.ndim)
        data = self._data
        values = accumulate(data, axis=axis)
        positions = xp.arange(data.shape[axis]).reshape(
            [-1 if d == axis else 1 for d in range(data.ndim)]
        )
        reached = data == values
        if dtypes.is_floating(data.dtype):
            reached |= np.isnan(data)
        index = np.maximum.accumulate(np.where(reached, positions, 0), axis=axis)
        out = ops.TakeAlongDim.apply(self, index=index, dim=axis)
        return _core().ValuesIndices(out, type(self)._make(index.astype(np.int64)))

    def logsumexp(self, dim, keepdim=False):
        """log(sum(exp(self))) over ``dim``, shifted by the max: finite for any magnitude."""
        this = self._floating()
        dims = _core()._dims(dim, this.ndim)
        xp = backend.array_module(this._data)
        top = np.max(this._data, axis=dims, keepdims=True) if this.numel() else xp.zeros(())
        top = type(self)._make(xp.where(np.isinf(top), 0, top).astype(this.dtype))
        out = (this - top).exp().sum(dims, keepdim=True).log() + top
        return out if keepdim else out.squeeze(dims) if dims else out.reshape(())

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        """The p-norm over ``dim`` (all elements by default); 'fro' is the 2-norm."""
        this = self if dtype is None else self.to(dtype)
        if p == "nuc":  # the nuclear norm of a matrix (dim: its two dims)
            from minigrad.linalg import matrix_norm

            return matrix_norm(this, "nuc", (-2, -1) if dim is None else dim, keepdim)
        if p in ("fro", None):
            p = 2.0
        if isinstance(p, str):
            raise ValueError(f"norm: p must be a number, 'fro', 'nuc' or None, got {p!r}")
        return _vector_norm(this, p, dim, keepdim)

    def nansum(self, dim=None, keepdim=False, *, dtype=None):
        """The sum with NaNs counted as zero."""
        this = self if dtype is None else self.to(dtype)
        if not dtypes.is_floating(this.dtype):
            return this.sum(dim, keepdim)
        return _core().where(this.isnan(), 0.0, this).sum(dim, keepdim)

    def nanmean(self, dim=None, keepdim=False, *, dtype=None):
        """The mean of the elements that are not NaN (NaN where all are)."""
        this = self if dtype is None else self.to(dtype)
        if not dtypes.is_floating(this.dtype):
            raise RuntimeError(f"nanmean(): expected a float input, got {this.dtype}")
        count = (~this.isnan()).sum(dim, keepdim)
        return this.nansum(dim, keepdim) / count.to(this.dtype)

    def count_nonzero(self, dim=None):
        dims = _core()._dims(dim, self.ndim)
        xp = backend.array_module(self._data)
        return type(self)._make(xp.asarray(np.count_nonzero(self._data, axis=dims), np.int64))

    def var_mean(self, dim=None, unbiased=True, keepdim=False, *, correction=None):
        dim, unbiased = _core()._unbiased_first(dim, unbiased)
        return (self.var(dim, unbiased, keepdim, correction=correction), self.mean(dim, keepdim))

    def std_mean(self, dim=None, unbiased=True, keepdim=False, *, correction=None):
        dim, unbiased = _core()._unbiased_first(dim, unbiased)
        return (self.std(dim, unbiased, keepdim, correction=correction), self.mean(dim, keepdim))

    def aminmax(self, *, dim=None, keepdim=False):
        """(min, max) over ``dim``: torch.return_types.aminmax."""
        if self.numel() == 0 and dim is None:
            raise RuntimeError(
                "aminmax(): cannot compute aminmax over an empty dimension as the operation "
                "has no identity."
            )
        return MinMax(self.amin(dim, keepdim), self.amax(dim, keepdim))

    # ---- sorting ----------------------------------------------------------------------------

    def _order(self, dim, descending):
        """Indices that sort along ``dim``, stably; NaN counts as the largest, as in PyTorch."""
        axis = _core()._dim(dim, self.ndim) if self.ndim else 0
        data = self._data.reshape(1) if self.ndim == 0 else self._data
        if data.dtype == np.bool_:
            data = data.astype(np.int8)
        if not descending:
            order = np.argsort(data, axis=axis, kind="stable")
        else:
            xp = backend.array_module(data)
            moved = np.moveaxis(data, axis, -1)
            nan = (
                np.isnan(moved) if dtypes.is_floating(moved.dtype) else xp.zeros(moved.shape, bool)
            )
            key = -xp.where(nan, 0, moved).astype(
                np.float64 if moved.dtype.kind == "f" else np.int64
            )
            order = np.moveaxis(_lexsort(xp, key, ~nan), -1, axis)
        return axis, order

    def sort(self, dim=-1, descending=False, stable=False):
        """(values, indices) sorted along ``dim``; the gradient goes back through indices."""
        axis, order = self._order(dim, descending)
        this = self.reshape(1) if self.ndim == 0 else self
        values = ops.TakeAlongDim.apply(this, index=order, dim=axis)
        indices = type(self)._make(order.astype(np.int64))
        if self.ndim == 0:
            values, indices = values.reshape(()), indices.reshape(())
        return _core().ValuesIndices(values, indices)

    def argsort(self, dim=-1, descending=False, stable=False):
        return self.sort(dim, descending, stable).indices

    def msort(self):
        return self.sort(0).values

    def topk(self, k, dim=-1, largest=True, sorted=True):
        """The k largest (or smallest) elements along ``dim`` and their indices."""
        axis = _core()._dim(dim, self.ndim) if self.ndim else 0
        size = self.shape[axis] if self.ndim else 1
        if not 0 <= k <= size:
            raise RuntimeError(f"topk: k ({k}) is out of range for a dimension of size {size}")
        values, indices = self.sort(dim, descending=largest)
        if self.ndim == 0:
            return _core().ValuesIndices(values, indices)
        keep = (slice(None),) * axis + (slice(0, k),)
        return _core().ValuesIndices(values[keep], indices[keep])

    def kthvalue(self, k, dim=-1, keepdim=False):
        """The k-th smallest element along ``dim`` (k counts from 1) and its index."""
        axis = _core()._dim(dim, self.ndim) if self.ndim else 0
        size = self.shape[axis] if self.ndim else 1
        if not 1 <= k <= size:
            raise RuntimeError(
                f"kthvalue(): selected number k out of range for dimension {dim}: k={k}, size "
                f"{size}"
            )
        return self._pick(axis, k - 1, keepdim)

    def median(self, dim=None, keepdim=False):
        """The lower median (NaN if the line holds one); with ``dim``, (values, indices)."""
        if dim is None:
            flat = self.reshape(-1)
            if flat.numel() == 0:
                nan = backend.array_module(self._data).full((), np.nan, self.dtype)
                return type(self)._make(nan)
            return flat._median_at(0, False).values
        return self._median_at(_core()._dim(dim, self.ndim) if self.ndim else 0, keepdim)

    def _median_at(self, axis, keepdim):
        size = self.shape[axis] if self.ndim else 1
        position = (size - 1) // 2
        if dtypes.is_floating(self.dtype):  # the first NaN, sorted last, is the median then
            nans = np.isnan(self._data).sum(axis=axis if self.ndim else None, keepdims=True)
            position = backend.array_module(nans).where(nans > 0, size - nans, position)
        return self._pick(axis, position, keepdim)

    def _pick(self, axis, position, keepdim):
        values, indices = self.sort(axis if self.ndim else 0)
        if self.ndim == 0:
            return _core().ValuesIndices(values, indices)
        shape = list(self.shape)
        shape[axis] = 1
        xp = backend.array_module(self._data)
        where = (
            xp.full(shape, position, np.int64)
            if np.ndim(position) == 0
            else xp.ascontiguousarray(position.astype(np.int64))
        )
        value = ops.TakeAlongDim.apply(values, index=where, dim=axis)
        index = np.take_along_axis(indices._data, where, axis)
        if not keepdim:
            value, index = value.squeeze(axis), np.squeeze(index, axis)
        return _core().ValuesIndices(value, type(self)._make(index))

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        """The distinct elements, sorted (and the inverse indices and counts if asked)."""
        axis = None if dim is None else _core()._dim(dim, self.ndim)
        values, inverse, counts = np.unique(
            self._data, return_inverse=True, return_counts=True, axis=axis
        )
        make = type(self)._make
        out = [make(values)]
        if return_inverse:
            shape = self.shape if axis is None else (self.shape[axis],)
            out.append(make(inverse.reshape(shape).astype(np.int64)))
        if return_counts:
            out.append(make(counts.astype(np.int64)))
        return out[0] if len(out) == 1 else tuple(out)


MinMax = collections.namedtuple("aminmax", ["min", "max"])


def _lexsort(xp, key, first):
    """Indices that sort the last axis by ``first`` and then by ``key`` (both stably), as
    ``np.lexsort((key, first))``; CuPy's lexsort takes only 1-D keys, so on a device it is
    two stable argsorts."""
    if xp is np:
        return np.lexsort((key, first))
    order = xp.argsort(key, axis=-1, kind="stable")
    then = xp.argsort(xp.take_along_axis(first, order, -1), axis=-1, kind="stable")
    return xp.take_along_axis(order, then, -1)


def _vector_norm(tensor, ord, dim, keepdim):
    this = tensor._floating()
    dims = _core()._dims(dim, this.ndim)
    if this.ndim == 0:
        dims = None
    return ops.VectorNorm.apply(this, ord=float(ord), dim=dims, keepdim=keepdim)


def _not_for_int(name, tensor):
    if not dtypes.is_floating(tensor.dtype):
        kind = "Bool" if tensor.dtype == np.bool_ else "Long"
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{kind}'")


def _not_for_float(name, tensor):
    if dtypes.is_floating(tensor.dtype):
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{tensor.dtype}'")


def _scalar_dtype(number, tensor):
    """The dtype PyTorch gives a Python number on the left of ``%`` or ``//``."""
    if isinstance(number, builtins.float) and not dtypes.is_floating(tensor.dtype):
        return dtypes.get_default_dtype()
    return tensor.dtype if not isinstance(number, builtins.bool) else np.bool_
