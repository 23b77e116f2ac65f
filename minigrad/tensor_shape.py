"""The Tensor methods of PyTorch's shape, indexing and product surface, built from the core's
differentiable ops (indexing, reshape, permute, expand, cat, where, matmul) wherever that is as
fast, and from the scatter and linear-algebra primitives otherwise. ``Tensor`` inherits them.
"""

import builtins
import functools
import math
import numbers

import numpy as np

from minigrad import backend, dtypes, ops
from minigrad.ops.reductions import along_dim
from minigrad.tensor_math import _core


def _dim(dim, ndim):
    return _core()._dim(dim, ndim)


def _sizes(sizes):
    """``f(2, 3)`` or ``f((2, 3))``: the sizes as a tuple of ints."""
    if len(sizes) == 1 and isinstance(sizes[0], tuple | list | _core().Size):
        sizes = tuple(sizes[0])
    return tuple(int(s) for s in sizes)


def _index_array(index, name, like=None):
    """``index`` (a Tensor, a list or an array) as an int64 array; with ``like`` (the array it
    indexes), on its device (indices on the CPU are copied there, as PyTorch's)."""
    if like is None:
        array = index._data if isinstance(index, _core().Tensor) else backend.as_array(index)
    else:
        array = _core()._index_data(index, like)
    if not np.issubdtype(array.dtype, np.integer):
        raise RuntimeError(f"{name}(): Expected dtype int64 for index, got {array.dtype}")
    return array.astype(np.int64, copy=False)


def _check_matrix(name, tensor, ndim, what):
    if tensor.ndim != ndim:
        raise RuntimeError(f"{name}: {what} must be a {ndim}-D tensor, got {tensor.ndim}-D")


def _as_1d(method):
    """Run ``method`` on a 0-d self as on a 1-element vector, with 0-d indices as 1-element
    ones, and give the result the shape PyTorch gives (that of the index, or 0-d)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if self.ndim:
            return method(self, *args, **kwargs)
        Tensor = _core().Tensor
        args = list(args)
        if len(args) < 2:  # index given by keyword: (dim, index, ...) for every method wrapped
            args.insert(1, kwargs.pop("index"))
        index = _core()._index_data(args[1], self._data)
        args[1] = index.reshape(-1)
        for position in range(2, len(args)):
            if isinstance(args[position], Tensor) and args[position].ndim == 0:
                args[position] = args[position].reshape(1)
        out = method(self.reshape(1), *args, **kwargs)
        return out.reshape(index.shape if method.__name__ == "gather" else ())

    return wrapper


class ShapeMethods:
    # ---- repeating and reordering -----------------------------------------------------------

    def repeat(self, *sizes):
        """Tile self ``sizes`` times along each dimension (new leading dims where sizes has
        more entries than self has dims)."""
        sizes = _sizes(sizes)
        if len(sizes) < self.ndim:
            raise RuntimeError(
                "Number of dimensions of repeat dims can not be smaller than number of "
                f"dimensions of tensor: got {sizes} for shape {tuple(self.shape)}"
            )
        shape = (1,) * (len(sizes) - self.ndim) + tuple(self.shape)
        spread = [n for size in shape for n in (1, size)]
        wide = [n for count, size in zip(sizes, shape) for n in (count, size)]
        out = self.reshape(spread).expand(*wide)
        return out.reshape(tuple(c * s for c, s in zip(sizes, shape)))

    def tile(self, *dims):
        dims = _sizes(dims)
        return self.repeat((1,) * (self.ndim - len(dims)) + dims)

    def repeat_interleave(self, repeats, dim=None, *, output_size=None):
        """Each element (or slice along ``dim``) repeated ``repeats`` times in place."""
        this = self.reshape(-1) if dim is None else self
        axis = 0 if dim is None else _dim(dim, this.ndim)
        counts = repeats if isinstance(repeats, int) else _index_array(repeats, "repeat_interleave")
        counts = counts if isinstance(counts, int) else _core()._host(counts)  # sizes the output
        if np.any(np.asarray(counts) < 0):
            raise RuntimeError("repeat_interleave: repeats can not be negative")
        picks = np.repeat(np.arange(this.shape[axis]), counts)
        return this[(slice(None),) * axis + (backend.on_device_of(picks, this._data),)]

    def flip(self, *args, dims=None):
        dims = (
            _sizes(args) if dims is None else _sizes((dims,) if isinstance(dims, int) else (dims,))
        )
        index = [slice(None)] * self.ndim
        for d in dims:
            index[_dim(d, self.ndim)] = slice(None, None, -1)
        return self[tuple(index)] if self.ndim else self.clone()

    def fliplr(self):
        if self.ndim < 2:
            raise RuntimeError("fliplr: the input must have at least 2 dimensions")
        return self.flip(1)

    def flipud(self):
        if self.ndim < 1:
            raise RuntimeError("flipud: the input must have at least 1 dimension")
        return self.flip(0)

    def roll(self, shifts, dims=None):
        """Elements shifted ``shifts`` places along ``dims`` (cyclically); all flattened when
        dims is None."""
        if dims is None:
            return self.reshape(-1).roll(shifts, 0).reshape(self.shape)
        shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
        dims = (dims,) if isinstance(dims, int) else tuple(dims)
        if len(shifts) != len(dims):
            raise RuntimeError(f"roll: shifts {shifts} and dims {dims} must have the same length")
        out = self
        for shift, d in zip(shifts, dims):
            axis = _dim(d, self.ndim)
            size = self.shape[axis]
            if size:
                picks = (backend.array_module(self._data).arange(size) - shift) % size
                out = out[(slice(None),) * axis + (picks,)]
        return out

    def rot90(self, k=1, dims=(0, 1)):
        if len(dims) != 2:
            raise RuntimeError(
                f"rot90: expected total rotation dims == 2, but got dims = {len(dims)}"
            )
        if self.ndim < 2:
            raise RuntimeError(f"rot90: expected total dims >= 2, but got total dims = {self.ndim}")
        a, b = (_dim(d, self.ndim) for d in dims)
        if a == b:
            raise RuntimeError(
                f"rot90: expected rotation dims to be different, but got dims = {tuple(dims)}"
            )
        k %= 4
        if k == 1:
            return self.flip(b).transpose(a, b)
        if k == 2:
            return self.flip(a, b)
        if k == 3:
            return self.flip(a).transpose(a, b)
        return self.clone()

    def movedim(self, source, destination):
        source = (source,) if isinstance(source, int) else tuple(source)
        destination = (destination,) if isinstance(destination, int) else tuple(destination)
        if len(source) != len(destination):
            raise RuntimeError(
                f"movedim: Invalid source or destination dims: source ({list(source)} dims) "
                f"should contain the same number of dims as destination ({list(destination)} dims)"
            )
        given = {"source": list(source), "destination": list(destination)}
        source = [_dim(d, self.ndim) for d in source]
        destination = [_dim(d, self.ndim) for d in destination]
        for name, axes in (("source", source), ("destination", destination)):
            if len(set(axes)) != len(axes):
                raise RuntimeError(f"movedim: repeated dim in `{name}` ({given[name]})")
        order = [d for d in range(self.ndim) if d not in source]
        for dst, src in sorted(zip(destination, source)):
            order.insert(dst, src)
        return self.permute(*order)

    moveaxis = movedim

    def swapaxes(self, axis0, axis1):
        return self.transpose(axis0, axis1)

    swapdims = swapaxes

    def broadcast_to(self, size):
        return self.expand(*_sizes((size,)))

    # ---- pieces -----------------------------------------------------------------------------

    def narrow(self, dim, start, length):
        if self.ndim == 0:
            raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
        axis = _dim(dim, self.ndim)
        if isinstance(start, _core().Tensor):
            if start.ndim or start.dtype.kind not in "iu":
                raise RuntimeError(
                    f"narrow(): start must be an 0-dim integral Tensor, got a {start.dtype} "
                    f"tensor of shape {list(start.shape)}."
                )
            start = start.item()
        size = self.shape[axis]
        if not -size <= start <= size:
            raise IndexError(
                f"narrow(): start out of range (expected to be in range of [{-size}, {size}], "
                f"but got {start})"
            )
        if length < 0:
            raise RuntimeError(f"narrow(): length must be non-negative. Got {length}")
        start = int(start) % self.shape[axis] if start < 0 else int(start)
        if start + length > self.shape[axis]:
            raise RuntimeError(
                f"narrow: start ({start}) + length ({length}) exceeds dimension size "
                f"({self.shape[axis]})"
            )
        return self[(slice(None),) * axis + (slice(start, start + length),)]

    def split(self, split_size_or_sections, dim=0):
        """Pieces of ``split_size`` along dim (the last may be smaller), or of the listed sizes."""
        axis = _dim(dim, self.ndim)
        size = self.shape[axis]
        if isinstance(split_size_or_sections, int):
            step = split_size_or_sections
            if step <= 0 and size:
                raise RuntimeError(f"split: split_size must be positive, got {step}")
            sizes = [min(step, size - start) for start in range(0, size, step)] if size else [0]
        else:
            sizes = list(split_size_or_sections)
            if builtins.sum(sizes) != size:
                raise RuntimeError(
                    f"split_with_sizes expects split_sizes to sum exactly to {size} (input "
                    f"tensor's size at dimension {dim}), but got split_sizes={sizes}"
                )
        edges = np.cumsum([0, *sizes])
        lead = (slice(None),) * axis
        return tuple(self[lead + (slice(a, b),)] for a, b in zip(edges[:-1], edges[1:]))

    def chunk(self, chunks, dim=0):
        if chunks <= 0:
            raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
        size = self.shape[_dim(dim, self.ndim)]
        return self.split(max(math.ceil(size / chunks), 1), dim)

    def tensor_split(self, indices_or_sections, dim=0):
        axis = _dim(dim, self.ndim)
        size = self.shape[axis]
        if isinstance(indices_or_sections, _core().Tensor):
            indices_or_sections = indices_or_sections.tolist()
        if isinstance(indices_or_sections, int):
            n = indices_or_sections
            sizes = [size // n + (1 if i < size % n else 0) for i in range(n)]
            edges = np.cumsum([0, *sizes])
        else:
            edges = [0, *(min(int(i), size) for i in indices_or_sections), size]
        lead = (slice(None),) * axis
        return tuple(self[lead + (slice(a, max(a, b)),)] for a, b in zip(edges[:-1], edges[1:]))

    def unbind(self, dim=0):
        axis = _dim(dim, self.ndim)
        return tuple(self[(slice(None),) * axis + (i,)] for i in range(self.shape[axis]))

    def select(self, dim, index):
        axis = _dim(dim, self.ndim)
        return self[(slice(None),) * axis + (int(index),)]

    # ---- triangles and diagonals -----------------------------------------------------------

    def _triangle(self, diagonal, lower):
        if self.ndim < 2:
            name = "tril" if lower else "triu"
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
        rows, cols = self.shape[-2:]
        xp = backend.array_module(self._data)
        mask = xp.tri(rows, cols, diagonal, dtype=bool)
        if not lower:
            mask = ~xp.tri(rows, cols, diagonal - 1, dtype=bool)
        return _core().where(mask, self, _zero(self))

    def tril(self, diagonal=0):
        return self._triangle(diagonal, lower=True)

    def triu(self, diagonal=0):
        return self._triangle(diagonal, lower=False)

    def diagonal(self, offset=0, dim1=0, dim2=1):
        """The diagonal of dims (dim1, dim2), as the last dimension (a copy, not a view)."""
        a, b = _dim(dim1, self.ndim), _dim(dim2, self.ndim)
        if a == b:
            raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
        rest = [d for d in range(self.ndim) if d not in (a, b)]
        moved = self.permute(*rest, a, b)
        rows, cols = moved.shape[-2:]
        start_row, start_col = max(-offset, 0), max(offset, 0)
        length = max(min(rows - start_row, cols - start_col), 0)
        steps = backend.array_module(self._data).arange(length)
        return moved[(Ellipsis, steps + start_row, steps + start_col)]

    def diag(self, diagonal=0):
        """A 1-D tensor's diagonal matrix, or a 2-D tensor's diagonal."""
        if self.ndim == 2:
            return self.diagonal(diagonal)
        if self.ndim != 1:
            raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {self.ndim}D")
        return self.diag_embed(diagonal)

    def diag_embed(self, offset=0, dim1=-2, dim2=-1):
        """Matrices (in dims dim1, dim2 of the result) with self's last dim on diagonal
        ``offset``, zero elsewhere."""
        if _dim(dim1, self.ndim + 1) == _dim(dim2, self.ndim + 1):
            raise RuntimeError(
                f"diag_embed(): diagonal dimensions cannot be identical {dim1}, {dim2}"
            )
        n = self.shape[-1] + abs(offset)
        xp = backend.array_module(self._data)
        rows, cols = xp.indices((n, n))
        on = (cols - rows) == offset
        if self.shape[-1] == 0:
            out = type(self)._make(xp.zeros((), self.dtype)).expand(*self.shape[:-1], n, n)
        else:
            spread = self[(Ellipsis, xp.where(on, xp.minimum(rows, cols), 0))]
            out = _core().where(on, spread, _zero(self))
        ndim = out.ndim
        return out.movedim((ndim - 2, ndim - 1), (_dim(dim1, ndim), _dim(dim2, ndim)))

    def trace(self):
        _check_matrix("trace", self, 2, "input")
        return self.diagonal().sum()

    # ---- gathering and scattering ----------------------------------------------------------

    @_as_1d
    def gather(self, dim, index, *, sparse_grad=False):
        """out[i][j] = self[index[i][j]][j] for dim 0 (and so on): index has self's ndim."""
        axis = _dim(dim, self.ndim)
        index = _index_array(index, "gather", self._data)
        if index.size == 0:
            return type(self)._make(backend.array_module(self._data).zeros(index.shape, self.dtype))
        if index.ndim != self.ndim:
            raise RuntimeError(
                f"gather(): Index tensor must have the same number of dimensions as input "
                f"tensor, got {index.ndim} and {self.ndim}"
            )
        for d, (n, m) in enumerate(zip(index.shape, self.shape)):
            if d != axis and n > m:
                raise RuntimeError(
                    f"Size does not match at dimension {d} expected index {list(index.shape)} "
                    f"to be no larger than self {list(self.shape)} apart from dimension {axis}"
                )
        _check_range("gather", index, self.shape[axis], error=RuntimeError)
        view = self[
            tuple(slice(None) if d == axis else slice(0, n) for d, n in enumerate(index.shape))
        ]
        return ops.TakeAlongDim.apply(view, index=index, dim=axis)

    def take_along_dim(self, indices, dim=None):
        if dim is None:
            index = _index_array(indices, "take_along_dim", self._data)
            return self.reshape(-1).gather(0, index.reshape(-1))
        axis = _dim(dim, self.ndim)
        index = _index_array(indices, "take_along_dim", self._data)
        xp = backend.array_module(index)
        index = xp.where(index < 0, index + self.shape[axis], index)  # as PyTorch: from the end

        def others(shape):
            return tuple(1 if d == axis else n for d, n in enumerate(shape))

        shape = np.broadcast_shapes(others(self.shape), others(index.shape))
        this_shape, index_shape = list(shape), list(shape)
        this_shape[axis], index_shape[axis] = self.shape[axis], index.shape[axis]
        return self.expand(*this_shape).gather(axis, np.broadcast_to(index, index_shape))

    def take(self, index):
        index = _index_array(index, "take", self._data)
        _check_range("take", index, self.numel(), negative=True)
        return self.reshape(-1)[index % builtins.max(self.numel(), 1)]

    @_as_1d
    def index_select(self, dim, index):
        index = _index_array(index, "index_select", self._data)
        if index.ndim > 1:
            raise IndexError("index_select(): Index is supposed to be a vector")
        axis = _dim(dim, self.ndim)
        _check_range("index_select", index, self.shape[axis])
        return self[(slice(None),) * axis + (index.reshape(-1),)]

    def masked_select(self, mask):
        mask = _core()._index_data(mask, self._data)
        if mask.dtype != np.bool_:
            raise RuntimeError(f"masked_select: expected BoolTensor for mask, got {mask.dtype}")
        shape = np.broadcast_shapes(self.shape, mask.shape)
        if shape == ():
            return self.reshape(1)[mask.reshape(1)]
        return self.expand(*shape)[np.broadcast_to(mask, shape)]

    def index_fill(self, dim, index, value):
        axis = _dim(dim, self.ndim) if self.ndim else 0
        mask = backend.array_module(self._data).zeros(self.shape[axis] if self.ndim else 1, bool)
        mask[_index_array(index, "index_fill", self._data)] = True
        shape = [1] * self.ndim
        if self.ndim:
            shape[axis] = -1
        return _core().where(mask.reshape(shape), _core()._operand(value), self)

    @_as_1d
    def scatter(self, dim, index, src=None, *, value=None, reduce=None):
        """self with ``src`` (a Tensor or a number) written at ``index`` along ``dim``."""
        if src is None:
            src = value
        axis = _dim(dim, self.ndim)
        index = _scatter_index("scatter", self, index, axis, src)
        _same_dtype("scatter", self, src)
        if reduce is not None:
            return self._scatter_reduce(axis, index, src, reduce)
        if not isinstance(src, _core().Tensor):
            src = backend.array_module(self._data).asarray(src, self.dtype)
            return ops.Scatter.apply(self, src, index=index, dim=axis)
        return ops.Scatter.apply(self, src.to(self.dtype), index=index, dim=axis)

    def _scatter_reduce(self, axis, index, src, reduce):
        """scatter's deprecated ``reduce`` ('add' or 'multiply'), as PyTorch: not differentiable."""
        if reduce not in ("add", "multiply"):
            raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce!r}")
        Tensor = _core().Tensor
        if self.requires_grad or (isinstance(src, Tensor) and src.requires_grad):
            raise RuntimeError("scatter(reduce=...) is not differentiable: use scatter_add")
        xp = backend.array_module(self._data)
        values = _core()._array(src, like=self._data) if isinstance(src, Tensor) else src
        values = xp.asarray(values, self.dtype)
        values = np.broadcast_to(values, index.shape) if np.ndim(values) == 0 else values
        values = values[tuple(slice(0, n) for n in index.shape)].astype(self.dtype)
        out = self._data.copy()
        if reduce == "add":
            backend.add_at(out, along_dim(index, axis), values)
        else:
            xp.multiply.at(out, along_dim(index, axis), values)
        return type(self)._make(out)

    @_as_1d
    def scatter_reduce(self, dim, index, src, reduce, *, include_self=True):
        """self with ``src`` reduced in at ``index`` along ``dim``: 'sum', 'prod', 'mean',
        'amax' or 'amin', self's own value taking part unless ``include_self=False``."""
        from minigrad.ops.scatter import REDUCTIONS

        if reduce not in REDUCTIONS:
            raise RuntimeError(
                f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}"
            )
        if not isinstance(src, _core().Tensor):
            raise TypeError(
                f"scatter_reduce(): argument 'src' (position 3) must be Tensor, not "
                f"{type(src).__name__}"
            )
        if src.dtype != self.dtype:
            raise RuntimeError(
                f"scatter_reduce(): Expected self.dtype to be equal to src.dtype, got "
                f"{self.dtype} and {src.dtype}"
            )
        axis = _dim(dim, self.ndim)
        index = _scatter_index("scatter_reduce", self, index, axis, src)
        return ops.ScatterReduce.apply(
            self, src, index=index, dim=axis, reduce=reduce, include_self=include_self
        )

    @_as_1d
    def scatter_add(self, dim, index, src):
        axis = _dim(dim, self.ndim)
        index = _scatter_index("scatter_add", self, index, axis, src)
        _same_dtype("scatter_add", self, src)
        return ops.ScatterAdd.apply(self, src.to(self.dtype), index=index, dim=axis)

    @_as_1d
    def index_add(self, dim, index, source, *, alpha=1):
        axis = _dim(dim, self.ndim)
        index = _index_array(index, "index_add", self._data).reshape(-1)
        _check_range("index_add", index, self.shape[axis])
        if source.ndim != self.ndim or any(
            s != n for d, (s, n) in enumerate(zip(source.shape, self.shape)) if d != axis
        ):
            if source.ndim or self.ndim > 1:
                raise RuntimeError(
                    "index_add(): source tensor shape must match self tensor shape, excluding "
                    f"the specified dimension. Got self.shape = {list(self.shape)} "
                    f"source.shape = {list(source.shape)}"
                )
        if source.shape[axis] != len(index):
            raise RuntimeError(
                f"index_add_(): Number of indices ({len(index)}) should be equal to "
                f"source.size(dim) ({source.shape[axis]})"
            )
        return ops.IndexAdd.apply(self, source.to(self.dtype), index=index, dim=axis, alpha=alpha)

    def index_copy(self, dim, index, source):
        """self with the slices ``index`` along dim replaced by source's (scatter along dim)."""
        axis = _dim(dim, self.ndim) if self.ndim else 0
        index = _index_array(index, "index_copy", self._data).reshape(-1)
        source = _core().as_tensor(source)
        if self.ndim == 0:
            return self.reshape(1).index_copy(0, index, source.reshape(-1)).reshape(())
        if source.ndim == 0:
            source = source.reshape(1)
        if source.shape[axis] != len(index):
            raise RuntimeError(
                f"index_copy_(): Number of indices ({len(index)}) should be equal to "
                f"source.size(dim) ({source.shape[axis]})"
            )
        _check_range("index_copy", index, self.shape[axis])
        view = [1] * source.ndim
        view[axis] = -1
        spread = np.broadcast_to(index.reshape(view), source.shape)
        xp = backend.array_module(spread)
        return self.scatter(axis, xp.ascontiguousarray(spread), source)

    def masked_scatter(self, mask, source):
        """self with source's elements, in order, written where ``mask`` is True."""
        mask = _core()._index_data(mask, self._data)
        if mask.dtype != np.bool_:
            raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got {mask.dtype}")
        shape = np.broadcast_shapes(self.shape, mask.shape)
        mask = np.broadcast_to(mask, shape)
        source = _core().as_tensor(source)
        needed = int(mask.sum())
        if source.numel() < needed:
            raise RuntimeError(
                f"masked_scatter: expected source to have at least {needed} elements (the "
                f"mask's True count), got {source.numel()}"
            )
        if source.numel() == 0:  # nothing to write (the mask holds no True)
            return self.expand(*shape).clone()
        order = np.maximum(np.cumsum(mask.reshape(-1)) - 1, 0).reshape(shape)
        values = source.reshape(-1)[order]
        return _core().where(mask, values.to(self.dtype), self)

    def nonzero(self, *, as_tuple=False):
        if as_tuple and self.ndim == 0:
            return self.reshape(1).nonzero(as_tuple=True)
        xp = backend.array_module(self._data)
        found = xp.argwhere(self._data).astype(np.int64)
        if as_tuple:
            return tuple(type(self)._make(xp.ascontiguousarray(column)) for column in found.T)
        return type(self)._make(found)

    def argwhere(self):
        return self.nonzero()

    # ---- products ---------------------------------------------------------------------------

    def mm(self, mat2):
        _check_matrix("mm", self, 2, "self")
        _check_matrix("mm", mat2, 2, "mat2")
        return self.matmul(mat2)

    def bmm(self, mat2):
        _check_matrix("bmm", self, 3, "batch1")
        _check_matrix("bmm", mat2, 3, "batch2")
        if self.shape[0] != mat2.shape[0]:
            raise RuntimeError(
                f"bmm: batch1 and batch2 must have the same batch size, got {tuple(self.shape)} "
                f"and {tuple(mat2.shape)}"
            )
        return self.matmul(mat2)

    def mv(self, vec):
        _check_matrix("mv", self, 2, "self")
        _check_matrix("mv", vec, 1, "vec")
        return self.matmul(vec)

    def dot(self, other):
        _check_matrix("dot", self, 1, "self")
        _check_matrix("dot", other, 1, "other")
        return self.matmul(other)

    vdot = dot

    def inner(self, other):
        if self.ndim == 0 or other.ndim == 0:
            return self * other
        return self.matmul(other.movedim(-1, 0).reshape(other.shape[-1], -1)).reshape(
            *self.shape[:-1], *other.shape[:-1]
        )

    def outer(self, vec2):
        _check_matrix("outer", self, 1, "self")
        _check_matrix("outer", vec2, 1, "vec2")
        return self.unsqueeze(1) * vec2.unsqueeze(0)

    ger = outer

    def cross(self, other, dim=None):
        if self.ndim != other.ndim:
            raise RuntimeError(
                f"linalg.cross: inputs must have the same number of dimensions, got {self.ndim} "
                f"and {other.ndim}."
            )
        if dim is not None:
            axis = _dim(dim, self.ndim)
            if self.shape[axis] != 3 or other.shape[axis] != 3:
                raise RuntimeError(
                    f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                    f"{self.shape[axis]} and {other.shape[axis]}"
                )
        shape = np.broadcast_shapes(self.shape, other.shape)
        a, b = self.expand(*shape), other.expand(*shape)
        if dim is None:
            dim = next((d for d, n in enumerate(shape) if n == 3), None)
            if dim is None:
                raise RuntimeError(f"cross: no dimension of size 3 in input of shape {shape}")
        axis = _dim(dim, len(shape))
        if shape[axis] != 3:
            raise RuntimeError(
                f"linalg.cross: inputs dimension {dim} must have length 3, got {shape[axis]}"
            )
        lead = (slice(None),) * axis

        xp = backend.array_module(a._data)

        def part(t, order):
            return t[lead + (xp.asarray(order),)]

        return part(a, [1, 2, 0]) * part(b, [2, 0, 1]) - part(a, [2, 0, 1]) * part(b, [1, 2, 0])

    def kron(self, other):
        ndim = max(self.ndim, other.ndim)
        a = self.reshape((1,) * (ndim - self.ndim) + tuple(self.shape))
        b = other.reshape((1,) * (ndim - other.ndim) + tuple(other.shape))
        spread_a = [n for size in a.shape for n in (size, 1)]
        spread_b = [n for size in b.shape for n in (1, size)]
        out = a.reshape(spread_a) * b.reshape(spread_b)
        return out.reshape(tuple(x * y for x, y in zip(a.shape, b.shape)))

    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        return _added(self, beta, mat1.mm(mat2), alpha)

    def addmv(self, mat, vec, *, beta=1, alpha=1):
        return _added(self, beta, mat.mv(vec), alpha)

    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return _added(self, beta, batch1.bmm(batch2), alpha)

    def addbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return _added(self, beta, batch1.bmm(batch2).sum(0), alpha)

    def addr(self, vec1, vec2, *, beta=1, alpha=1):
        return _added(self, beta, vec1.outer(vec2), alpha)


def _zero(tensor):
    """A zero of ``tensor``'s dtype, as a number that joins any device (for where())."""
    return tensor.dtype.type(0)


def _added(input, beta, product, alpha):
    if input.dtype == np.bool_:
        return _scaled(input, beta) | _scaled(product.bool(), alpha)
    return _scaled(input, beta) + _scaled(product, alpha)


def _scaled(tensor, factor):
    """factor * tensor as PyTorch's addmm family: a bool tensor is kept or dropped, an int
    tensor takes int(factor)."""
    xp = backend.array_module(tensor._data)
    if tensor.dtype == np.bool_:
        return tensor if factor else type(tensor)._make(xp.zeros(tensor.shape, bool))
    if not dtypes.is_floating(tensor.dtype):
        factor = int(factor)
    if factor == 0:  # PyTorch: beta = 0 ignores the input, NaNs included
        if tensor.isnan().any() or tensor.isinf().any():
            return type(tensor)._make(xp.zeros(tensor.shape, tensor.dtype))
        return tensor * 0
    return tensor if factor == 1 else tensor * factor


def _check_range(name, index, size, negative=False, error=IndexError):
    low = -size if negative else 0
    if index.size and (index.min() < low or index.max() >= size):
        bad = int(index[(index < low) | (index >= size)].reshape(-1)[0])
        raise error(f"{name}(): index {bad} is out of bounds for dimension with size {size}")


def _same_dtype(name, tensor, src):
    """scatter's src, when a Tensor, must have self's dtype (PyTorch casts nothing)."""
    if isinstance(src, _core().Tensor) and src.dtype != tensor.dtype:
        raise RuntimeError(
            f"{name}(): Expected self.dtype to be equal to src.dtype, got {tensor.dtype} and "
            f"{src.dtype}"
        )


def _scatter_index(name, tensor, index, axis, src):
    index = _index_array(index, name, tensor._data)
    if index.ndim != tensor.ndim:
        raise RuntimeError(
            f"{name}(): Index tensor must have the same number of dimensions as self tensor, "
            f"got {index.ndim} and {tensor.ndim}"
        )
    if isinstance(src, _core().Tensor) and index.ndim != builtins.max(src.ndim, 1):
        raise RuntimeError(
            f"{name}(): Index tensor must have the same number of dimensions as src tensor, "
            f"got {index.ndim} and {src.ndim}"
        )
    _check_range(name, index, tensor.shape[axis] if tensor.ndim else 1, error=RuntimeError)
    if isinstance(src, _core().Tensor) and any(i > s for i, s in zip(index.shape, src.shape)):
        raise RuntimeError(
            f"{name}(): Expected index {list(index.shape)} to be no larger than src "
            f"{list(src.shape)}"
        )
    return index


def einsum(equation, *operands):
    """Sums of products named by subscripts, as numpy's and PyTorch's einsum ('ij,jk->ik')."""
    if len(operands) == 1 and isinstance(operands[0], list | tuple):
        operands = tuple(operands[0])
    core = _core()
    operands = [core.as_tensor(o) for o in operands]
    equation = equation.replace(" ", "")
    inputs, arrow, output = equation.partition("->")
    inputs = inputs.split(",")
    if len(inputs) != len(operands):
        raise ValueError(
            f"einsum(): {len(inputs)} operands in the equation {equation!r}, {len(operands)} given"
        )
    if "..." in equation:
        inputs, output, arrow = _spell_out_ellipsis(inputs, output, arrow, operands)
    for subscripts, operand in zip(inputs, operands):
        if len(subscripts) != operand.ndim:
            raise RuntimeError(
                f"einsum(): the number of subscripts in {subscripts!r} ({len(subscripts)}) does "
                f"not match the number of dimensions ({operand.ndim}) of an operand of shape "
                f"{tuple(operand.shape)}"
            )
    if not arrow:  # numpy's and PyTorch's rule: the letters that appear once, sorted
        letters = "".join(inputs)
        output = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    for position, (subscripts, operand) in enumerate(zip(inputs, operands)):
        inputs[position], operands[position] = _take_diagonals(subscripts, operand)
    target = operands[0].dtype
    for o in operands[1:]:
        target = np.result_type(target, o.dtype)
    operands = [o.to(target) for o in operands]
    return ops.Einsum.apply(*operands, inputs=tuple(inputs), output=output)


def _take_diagonals(subscripts, operand):
    """A subscript repeated within one operand ('ii', 'iji') reads its diagonal: taken here with
    ``diagonal`` (differentiable), the letter moved last, until every letter is distinct."""
    while len(set(subscripts)) != len(subscripts):
        letter = next(c for c in subscripts if subscripts.count(c) > 1)
        first = subscripts.index(letter)
        second = subscripts.index(letter, first + 1)
        if operand.shape[first] != operand.shape[second]:
            raise RuntimeError(
                f"einsum(): subscript {letter} is repeated for operand but the sizes don't "
                f"match, {operand.shape[first]} != {operand.shape[second]}"
            )
        operand = operand.diagonal(0, first, second)
        subscripts = subscripts[:first] + subscripts[first + 1 : second] + subscripts[second + 1 :]
        subscripts += letter
    return subscripts, operand


def _spell_out_ellipsis(inputs, output, arrow, operands):
    """'...' replaced by unused letters, one per broadcast dimension, aligned from the right."""
    used = set("".join(inputs) + output)
    spare = [c for c in "ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba" if c not in used]
    widths = [t.ndim - len(s.replace("...", "")) for s, t in zip(inputs, operands)]
    width = max([w for s, w in zip(inputs, widths) if "..." in s], default=0)
    batch = "".join(spare[:width])
    spelled = [s.replace("...", batch[width - w :]) for s, w in zip(inputs, widths)]
    if arrow:
        return spelled, output.replace("...", batch), arrow
    letters = "".join(s.replace("...", "") for s in inputs)
    singles = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    return spelled, batch + singles, "->"


def broadcast_tensors(*tensors):
    core = _core()
    tensors = [core.as_tensor(t) for t in tensors]
    shape = np.broadcast_shapes(*(t.shape for t in tensors))
    return tuple(t.expand(*shape) for t in tensors)


def broadcast_shapes(*shapes):
    shapes = [(s,) if isinstance(s, numbers.Integral) else tuple(s) for s in shapes]
    return _core().Size(np.broadcast_shapes(*shapes))


def meshgrid(*tensors, indexing="ij"):
    if len(tensors) == 1 and isinstance(tensors[0], list | tuple):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    tensors = [_core().as_tensor(t).reshape(-1) for t in tensors]
    if any(t.device != tensors[0].device for t in tensors):
        raise RuntimeError("meshgrid expects all tensors to have the same device")
    shape = tuple(t.shape[0] for t in tensors)
    grids = []
    for position, t in enumerate(tensors):
        view = [1] * len(tensors)
        view[position] = -1
        grids.append(t.reshape(view).expand(*shape))
    if indexing == "xy" and len(grids) >= 2:  # x varies along columns: the first two dims swap
        grids = [g.transpose(0, 1) for g in grids]
    return tuple(grids)


def tensordot(a, b, dims=2):
    core = _core()
    a, b = core.as_tensor(a), core.as_tensor(b)
    if isinstance(dims, int):
        axes_a, axes_b = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        axes_a, axes_b = ([d] if isinstance(d, int) else list(d) for d in dims)
    axes_a = [_dim(d, a.ndim) for d in axes_a]
    axes_b = [_dim(d, b.ndim) for d in axes_b]
    sizes_a, sizes_b = list(a.shape), list(b.shape)
    for da, db in zip(axes_a, axes_b):  # PyTorch broadcasts contracted dims of size 1
        sizes_a[da] = sizes_b[db] = max(a.shape[da], b.shape[db])
    a, b = a.expand(*sizes_a), b.expand(*sizes_b)
    free_a = [d for d in range(a.ndim) if d not in axes_a]
    free_b = [d for d in range(b.ndim) if d not in axes_b]
    inner = math.prod(a.shape[d] for d in axes_a)
    left = a.permute(*free_a, *axes_a).reshape(math.prod(a.shape[d] for d in free_a), inner)
    right = b.permute(*axes_b, *free_b).reshape(inner, math.prod(b.shape[d] for d in free_b))
    out = left @ right
    return out.reshape(*(a.shape[d] for d in free_a), *(b.shape[d] for d in free_b))
