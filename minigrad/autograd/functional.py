"""``torch.autograd.functional``: Jacobians, Hessians and their products with vectors.

Everything is built on ``autograd.grad``, reverse mode: a vector-Jacobian product is one
backward; a Jacobian-vector product is the "double vjp" (differentiate ``u -> J^T u`` again,
with respect to ``u``); a Hessian-vector product differentiates the gradient, so it needs
``create_graph=True`` from every op on the way (all of minigrad's ops provide it).

``inputs`` is a Tensor or a tuple of Tensors, passed to ``func`` as positional arguments;
results come back in the same form. The inputs are used as detached copies that require
grad (kept on the caller's graph with ``create_graph=True``, as PyTorch does), and results
are detached unless ``create_graph=True``. ``vectorize`` is accepted and changes nothing
(the Jacobian is built one row at a time); ``strict=True`` raises where an output does not
depend on an input, where ``strict=False`` gives zeros.

Example::

    def f(x):
        return (x**3).sum()

    x = mg.tensor([1.0, 2.0])
    mg.autograd.functional.hessian(f, x)  # diag(6 x) = [[6, 0], [0, 12]]
"""

import numpy as np

from minigrad.autograd import grad as autograd_grad

OUTPUTS = "outputs of the user-provided function"


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), v^T J)``: v has the output's shape (may be omitted for a scalar)."""
    is_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
    inputs = _prepare(inputs, create_graph)
    outputs_tuple, outputs = _as_tuple(func(*inputs), OUTPUTS, "vjp")
    _check_outputs(outputs, "vjp")
    if v is not None:
        _, v = _as_tuple(v, "v", "vjp")
        _check_v(v, outputs, "vjp", "outputs")
    else:
        _scalar_only(outputs, "vjp")
        v = None
    grads = _grad(outputs, inputs, v, create_graph, strict, "vjp")
    return _out(outputs, outputs_tuple, create_graph), _out(grads, is_tuple, create_graph)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), J v)``: v has the inputs' shapes (may be omitted for one element)."""
    from minigrad.tensor import Tensor

    is_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
    inputs = _prepare(inputs, create_graph)
    if v is not None:
        _, v = _as_tuple(v, "v", "jvp")
        _check_v(v, inputs, "jvp", "inputs")
    else:
        _scalar_only(inputs, "jvp", "inputs")
        v = tuple(Tensor._make(np.ones(x.shape, x.dtype)) for x in inputs)
    outputs_tuple, outputs = _as_tuple(func(*inputs), OUTPUTS, "jvp")
    _check_outputs(outputs, "jvp")
    # J v by the double vjp: g(u) = J^T u is linear in u, and its vjp with v is J v.
    dummies = tuple(
        Tensor._make(np.zeros(out.shape, out.dtype)).requires_grad_() for out in outputs
    )
    grads = _grad(outputs, inputs, dummies, True, strict, "jvp")
    products = _grad(grads, dummies, v, create_graph, strict, "jvp", zeros_ok=True)
    return _out(outputs, outputs_tuple, create_graph), _out(products, outputs_tuple, create_graph)


def jacobian(
    func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"
):
    """d func(*inputs) / d inputs: for one output and one input a Tensor of shape
    ``output.shape + input.shape``; tuples of them for tuples (outputs first, then inputs)."""
    from minigrad.tensor import Tensor, stack

    if strategy != "reverse-mode":
        raise NotImplementedError(
            f"jacobian: strategy={strategy!r} is not supported; minigrad computes Jacobians "
            "in reverse mode only (strategy='reverse-mode')"
        )
    is_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    inputs = _prepare(inputs, create_graph)
    outputs_tuple, outputs = _as_tuple(
        func(*inputs), "outputs of the user-provided function", "jacobian"
    )
    _check_outputs(outputs, "jacobian")
    result = []
    for i, out in enumerate(outputs):
        rows = [[] for _ in inputs]
        for k in range(out.numel()):
            one_hot = np.zeros(out.numel(), out.dtype)
            one_hot[k] = 1
            grads = autograd_grad(
                out,
                inputs,
                Tensor._make(one_hot.reshape(out.shape)),
                retain_graph=True,
                create_graph=create_graph,
                allow_unused=True,
            )
            for j, (x, g) in enumerate(zip(inputs, grads)):
                if g is None:
                    if strict:
                        raise RuntimeError(
                            f"Output {i} of the user-provided function is independent of "
                            f"input {j}. This is not allowed in strict mode."
                        )
                    g = Tensor._make(np.zeros(x.shape, x.dtype))
                rows[j].append(g)
        per_input = []
        for x, row in zip(inputs, rows):
            if row:
                block = stack(row).reshape(out.shape + x.shape)
            else:  # an output with no elements
                block = Tensor._make(np.zeros(out.shape + x.shape, x.dtype))
            per_input.append(block if create_graph else block.detach())
        result.append(tuple(per_input) if is_tuple else per_input[0])
    return tuple(result) if outputs_tuple else result[0]


def hessian(
    func,
    inputs,
    create_graph=False,
    strict=False,
    vectorize=False,
    outer_jacobian_strategy="reverse-mode",
):
    """The Hessian of a scalar ``func``: shape ``input.shape + input.shape`` for one input;
    for a tuple of inputs, a tuple of tuples (block ``[i][j]`` = d^2 f / dx_i dx_j)."""
    is_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")

    def gradient(*xs):
        _, outputs = _as_tuple(func(*xs), "outputs of the user-provided function", "hessian")
        if len(outputs) != 1 or outputs[0].numel() != 1:
            raise RuntimeError(
                "The function given to hessian should return a single Tensor with one element"
            )
        return _grad(outputs, xs, None, True, strict, "hessian")

    result = jacobian(
        gradient, inputs, create_graph, strict, vectorize, strategy=outer_jacobian_strategy
    )
    return result if is_tuple else result[0][0]


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), v^T H)`` for a scalar ``func``: one backward of the gradient."""
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp", transposed=True)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(*inputs), H v)`` for a scalar ``func``, by the double vjp of the gradient (as
    PyTorch; equal to ``vhp`` whenever the Hessian is symmetric)."""
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp", transposed=False)


def _hessian_product(func, inputs, v, create_graph, strict, name, transposed):
    from minigrad.tensor import Tensor

    is_tuple, inputs = _as_tuple(inputs, "inputs", name)
    inputs = _prepare(inputs, create_graph)
    outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", name)
    _check_outputs(outputs, name)
    if len(outputs) != 1 or outputs[0].numel() != 1:
        raise RuntimeError(
            f"The function given to {name} should return a single Tensor with one element"
        )
    if v is not None:
        _, v = _as_tuple(v, "v", name)
        _check_v(v, inputs, name, "inputs")
    else:
        _scalar_only(inputs, name, "inputs")
        v = tuple(Tensor._make(np.ones(x.shape, x.dtype)) for x in inputs)
    grads = _grad(outputs, inputs, None, True, strict, name)
    if transposed:
        products = _grad(grads, inputs, v, create_graph, strict, name, zeros_ok=True)
    else:
        dummies = tuple(Tensor._make(np.zeros(x.shape, x.dtype)).requires_grad_() for x in inputs)
        back = _grad(grads, inputs, dummies, True, strict, name, zeros_ok=True)
        products = _grad(back, dummies, v, create_graph, strict, name, zeros_ok=True)
    return _out(outputs, False, create_graph), _out(products, is_tuple, create_graph)


# ---- helpers ----------------------------------------------------------------------------


def _as_tuple(x, what, name):
    from minigrad.tensor import Tensor

    if isinstance(x, Tensor):
        return False, (x,)
    if isinstance(x, tuple | list) and all(isinstance(t, Tensor) for t in x):
        return True, tuple(x)
    raise TypeError(
        f"The {what} given to {name} must be either a Tensor or a tuple of Tensors, "
        f"got {type(x).__name__}"
    )


def _prepare(inputs, create_graph):
    """Inputs that require grad: on the caller's graph under create_graph, else detached."""
    prepared = []
    for x in inputs:
        if create_graph and x.requires_grad:
            prepared.append(x.reshape(x.shape))  # a new node, still connected to x
        else:
            prepared.append(x.detach().requires_grad_())
    return tuple(prepared)


def _check_outputs(outputs, name):
    import numpy as np

    for i, out in enumerate(outputs):
        if not np.issubdtype(out.dtype, np.floating):
            raise TypeError(f"{name}: output {i} of the function has dtype {out.dtype}; "
                            "a floating point Tensor is needed")  # fmt: skip


def _check_v(v, like, name, what):
    if len(v) != len(like):
        raise RuntimeError(f"{name}: v has {len(v)} Tensors, but there are {len(like)} {what}")
    for i, (a, b) in enumerate(zip(v, like)):
        if a.shape != b.shape:
            raise RuntimeError(
                f"{name}: entry {i} of v has shape {a.shape}, but the {what[:-1]} it goes "
                f"with has shape {b.shape}"
            )


def _scalar_only(tensors, name, what="outputs"):
    if len(tensors) != 1 or tensors[0].numel() != 1:
        raise RuntimeError(
            f"The vector v can only be None if the {what} of {name} are a single Tensor "
            "with a single element"
        )


def _grad(outputs, inputs, grad_outputs, create_graph, strict, name, zeros_ok=False):
    """``autograd.grad`` that gives zeros (or raises with ``strict``) for unused inputs."""
    from minigrad.tensor import Tensor

    pairs = [(o, g) for o, g in zip(outputs, grad_outputs or (None,) * len(outputs))]
    pairs = [(o, g) for o, g in pairs if o.requires_grad]
    grads = (None,) * len(inputs)
    if pairs:
        grads = autograd_grad(
            [o for o, _ in pairs],
            list(inputs),
            [g for _, g in pairs] if grad_outputs is not None else None,
            retain_graph=True,
            create_graph=create_graph,
            allow_unused=True,
        )
    result = []
    for i, (x, g) in enumerate(zip(inputs, grads)):
        if g is None:
            if strict and not zeros_ok:
                raise RuntimeError(
                    f"The output of the user-provided function is independent of input {i}. "
                    f"This is not allowed in strict mode ({name})."
                )
            g = Tensor._make(np.zeros(x.shape, x.dtype))
        result.append(g)
    return tuple(result)


def _out(tensors, as_tuple, create_graph):
    tensors = tuple(t if create_graph else t.detach() for t in tensors)
    return tensors if as_tuple else tensors[0]


__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]
