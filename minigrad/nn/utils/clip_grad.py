"""Gradient clipping: scale (``clip_grad_norm_``) or clamp (``clip_grad_value_``) the
``.grad`` of parameters in place, between ``backward()`` and ``optimizer.step()``.

Example::

    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()
"""

import numpy as np

from minigrad import dtypes
from minigrad.backend import array_module, is_host
from minigrad.tensor import Tensor


def _tensors(parameters, name):
    if isinstance(parameters, Tensor):
        return [parameters]
    try:
        tensors = list(parameters)
    except TypeError:
        raise TypeError(
            f"{name} must be a Tensor or an iterable of Tensors, got {type(parameters).__name__}"
        ) from None
    for position, tensor in enumerate(tensors):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"{name}[{position}] must be a Tensor, got {type(tensor).__name__}")
    return tensors


def _grads(parameters):
    return [p.grad for p in _tensors(parameters, "parameters") if p.grad is not None]


def _vector_norm(array, norm_type):
    # np.linalg.norm's vector orders are PyTorch's vector_norm orders (inf, -inf, 0, p);
    # a negative order meets 0 ** -p = inf, which is the right limit, not a warning.
    with np.errstate(divide="ignore"):
        return np.linalg.norm(np.ravel(array), ord=norm_type)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The ``norm_type`` norm of all ``tensors`` together, as if concatenated (for
    ``norm_type=0``, as PyTorch, the norm of the per-tensor norms). A 0-d Tensor.
    """
    norm_type = float(norm_type)
    tensors = _tensors(tensors, "tensors")
    if not tensors:
        return Tensor._make(np.array(0.0, dtypes.get_default_dtype()))
    dtype = tensors[0].dtype
    xp = array_module(tensors[0]._data)  # on a device: the norms stay there (no host copy)
    per_tensor = [_vector_norm(t._data, norm_type) for t in tensors]
    norms = np.array(per_tensor, dtype) if xp is np else xp.stack(per_tensor).astype(dtype)
    total = xp.asarray(_vector_norm(norms, norm_type), dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return Tensor._make(total)


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients by ``max_norm / (total_norm + 1e-6)`` where that is below 1."""
    max_norm = float(max_norm)
    grads = _grads(parameters)
    total = total_norm._data if isinstance(total_norm, Tensor) else np.asarray(total_norm)
    if is_host(total) and total.ndim == 0:
        total = total[()]  # a numpy scalar, which scales gradients on any device
    # A non-finite total norm makes NaN gradients (inf * 0), as PyTorch: no warning.
    with np.errstate(invalid="ignore"):
        coef = np.minimum(max_norm / (total + 1e-6), 1.0)
        for grad in grads:
            grad._data *= coef.astype(grad.dtype)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale the gradients of ``parameters`` (a Tensor or an iterable) in place so that
    their total ``norm_type`` norm (``inf`` for the largest absolute value) is at most
    ``max_norm``; returns the total norm before clipping, a 0-d Tensor.

    A non-finite total norm gives NaN gradients (as PyTorch), or an error with
    ``error_if_nonfinite=True``. ``foreach`` is accepted and ignored.
    """
    max_norm = float(max_norm)
    norm_type = float(norm_type)
    parameters = _tensors(parameters, "parameters")
    grads = [p.grad for p in parameters if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    clip_grads_with_norm_(parameters, max_norm, total)
    return total


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated alias of ``clip_grad_norm_`` (as in PyTorch)."""
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp the gradients of ``parameters`` in place to [-clip_value, clip_value]."""
    clip_value = float(clip_value)
    for grad in _grads(parameters):
        array_module(grad._data).clip(grad._data, -clip_value, clip_value, out=grad._data)
