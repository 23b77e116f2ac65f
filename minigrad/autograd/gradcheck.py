"""Numerical gradient checking: central differences in float64 against backward."""

import numpy as np

from minigrad.autograd import grad_mode

# Inputs up to this many elements are checked element by element; larger ones along a few
# random directions (PyTorch's fast mode makes the same trade).
ELEMENTWISE_LIMIT = 2000
RANDOM_DIRECTIONS = 4


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` when an analytic gradient disagrees with the numerical one."""


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3):
    """Check the gradients of ``fn(*inputs)`` for every input that requires grad.

    Floating inputs are copied to float64. Each output is weighted by a random array ``u``
    (fixed seed), so the check compares ``d(sum(u * fn(x))) / dx`` computed by central
    differences with the one from backward: an op whose backward ignores or mis-shapes its
    upstream gradient fails. Returns True, or raises ``GradcheckError`` naming the input, the
    worst element and both values. ``|analytic - numerical| <= atol + rtol * |numerical|``
    must hold everywhere.
    """
    from minigrad.autograd import grad as autograd_grad
    from minigrad.tensor import Tensor

    single = isinstance(inputs, Tensor)
    inputs = (inputs,) if single else tuple(inputs)
    copies = [_float64_copy(x) for x in inputs]
    checked = [i for i, x in enumerate(copies) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad, so there is nothing to check")
    rng = np.random.default_rng(0)
    outputs = _float_outputs(fn(*copies))
    if not outputs:
        raise ValueError("gradcheck: fn returned no floating-point Tensor")
    weights = [rng.standard_normal(out.shape) for out in outputs]

    def projected():  # the scalar sum(u * fn(x)), evaluated without recording
        with grad_mode.no_grad():
            outs = _float_outputs(fn(*copies))
        return sum(float(np.sum(w * out._data)) for w, out in zip(weights, outs))

    differentiable = [(out, w) for out, w in zip(outputs, weights) if out.requires_grad]
    analytic = [np.zeros(copies[i].shape) for i in checked]
    if differentiable:
        grads = autograd_grad(
            [out for out, _ in differentiable],
            [copies[i] for i in checked],
            grad_outputs=[Tensor._make(w) for _, w in differentiable],
            allow_unused=True,
        )
        analytic = [a if g is None else g._data for a, g in zip(analytic, grads)]
    for i, grad in zip(checked, analytic):
        _compare(i, copies[i], grad, projected, rng, eps, atol, rtol)
    return True


def _float64_copy(x):
    from minigrad.tensor import Tensor

    if isinstance(x, Tensor) and np.issubdtype(x.dtype, np.floating):
        copy = Tensor._make(x._data.astype(np.float64))
        copy.requires_grad = x.requires_grad
        return copy
    return x


def _float_outputs(result):
    from minigrad.tensor import Tensor

    results = result if isinstance(result, (tuple, list)) else (result,)
    return [r for r in results if isinstance(r, Tensor) and np.issubdtype(r.dtype, np.floating)]


def _compare(position, x, analytic, projected, rng, eps, atol, rtol):
    data = x._data
    if data.size <= ELEMENTWISE_LIMIT:
        numerical = np.zeros(data.shape)
        for index in np.ndindex(data.shape):
            original = data[index]
            data[index] = original + eps
            plus = projected()
            data[index] = original - eps
            minus = projected()
            data[index] = original
            numerical[index] = (plus - minus) / (2 * eps)
        error = np.abs(analytic - numerical) - (atol + rtol * np.abs(numerical))
        if error.size and error.max() > 0:
            worst = np.unravel_index(np.argmax(error), data.shape)
            _fail(
                position,
                x,
                f"element {tuple(int(i) for i in worst)}",
                numerical[worst],
                analytic[worst],
                atol,
                rtol,
            )
        return
    original = data.copy()
    for _ in range(RANDOM_DIRECTIONS):
        direction = rng.standard_normal(data.shape)
        data[...] = original + eps * direction
        plus = projected()
        data[...] = original - eps * direction
        minus = projected()
        data[...] = original
        numerical = (plus - minus) / (2 * eps)
        along = float(np.sum(analytic * direction))
        if abs(along - numerical) > atol + rtol * abs(numerical):
            _fail(position, x, "a random direction", numerical, along, atol, rtol)


def _fail(position, x, where, numerical, analytic, atol, rtol):
    raise GradcheckError(
        f"gradcheck failed for input {position} (shape {x.shape}) at {where}: "
        f"numerical gradient {float(numerical):.8g}, analytic gradient {float(analytic):.8g} "
        f"(atol={atol}, rtol={rtol})"
    )


def gradgradcheck(fn, inputs, grad_outputs=None, eps=1e-6, atol=1e-5, rtol=1e-3):
    """Check second derivatives: ``gradcheck`` of the first gradient, as PyTorch's.

    The first gradient ``g(x, v) = d(sum(v * fn(x)))/dx``, computed with
    ``create_graph=True``, is checked by central differences against its own backward, with
    respect to every input that requires grad and to the upstream gradients ``v`` (random,
    fixed seed, unless ``grad_outputs`` gives them). Returns True or raises
    ``GradcheckError``; inputs are numbered as in ``inputs``, then the upstream gradients.
    """
    from minigrad.autograd import grad as autograd_grad
    from minigrad.tensor import Tensor

    single = isinstance(inputs, Tensor)
    inputs = (inputs,) if single else tuple(inputs)
    copies = [_float64_copy(x) for x in inputs]
    checked = [i for i, x in enumerate(copies) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradgradcheck: no input requires grad, so there is nothing to check")
    outputs = [out for out in _float_outputs(fn(*copies)) if out.requires_grad]
    if grad_outputs is None:
        rng = np.random.default_rng(1)
        grad_outputs = [Tensor._make(rng.standard_normal(out.shape)) for out in outputs]
    else:
        grad_outputs = [grad_outputs] if isinstance(grad_outputs, Tensor) else grad_outputs
        grad_outputs = [Tensor._make(np.array(g, dtype=np.float64)) for g in grad_outputs]
    for v in grad_outputs:
        v.requires_grad = True
    count = len(copies)

    def first_gradient(*args):
        xs, vs = args[:count], args[count:]
        with grad_mode.enable_grad():  # gradcheck evaluates this under no_grad
            outs = [out for out in _float_outputs(fn(*xs)) if out.requires_grad]
            return autograd_grad(
                outs,
                [xs[i] for i in checked],
                grad_outputs=list(vs),
                create_graph=True,
                allow_unused=True,
                materialize_grads=True,
            )

    return gradcheck(first_gradient, (*copies, *grad_outputs), eps=eps, atol=atol, rtol=rtol)
