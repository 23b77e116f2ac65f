"""Matrix products: BLAS through numpy's matmul, in both directions."""

import numpy as np

from minigrad.autograd.function import Function
from minigrad.backend import array_module
from minigrad.ops import xp


class MatMul(Function):
    """d(a @ b) = grad @ b.T for a, a.T @ grad for b (1-D operands promoted as numpy does)"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        # Promote 1-D operands to matrices as matmul did, so one rule covers every case.
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        grad = grad.reshape(
            np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2]) + (a2.shape[-2], b2.shape[-1])
        )
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_a = xp.sum_to(xp.matmul(grad, xp.swapaxes(b2, -1, -2)), a2.shape).reshape(a.shape)
        if ctx.needs_input_grad[1]:
            grad_b = xp.sum_to(xp.matmul(xp.swapaxes(a2, -1, -2), grad), b2.shape).reshape(b.shape)
        return grad_a, grad_b


class Inv(Function):
    """d inv(a) = -inv(a) da inv(a): the gradient is -inv(a).T grad inv(a).T (batched)"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        out = np.linalg.inv(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        out_t = xp.swapaxes(out, -1, -2)
        return -xp.matmul(xp.matmul(out_t, grad), out_t)


class Det(Function):
    """d det(a) = det(a) tr(inv(a) da): the gradient is grad det(a) inv(a).T (batched)"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        out = np.linalg.det(a)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        inverse_t = xp.swapaxes(xp.apply(Inv, a), -1, -2)
        scale = xp.expand_dims(xp.expand_dims(grad * out, -1), -1)
        return scale * inverse_t


class Solve(Function):
    """x = solve(a, b), a x = b: grad_b = solve(a.T, grad), grad_a = -grad_b x.T (batched;
    b a vector or a stack of matrices, as torch.linalg.solve)"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a, b, vector=False):
        out = np.linalg.solve(a, b[..., None])[..., 0] if vector else np.linalg.solve(a, b)
        ctx.save_for_backward(a, out)
        ctx.vector = vector
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        grad_b = xp.apply(Solve, xp.swapaxes(a, -1, -2), grad, vector=ctx.vector)
        if not ctx.needs_input_grad[0]:
            return None, grad_b
        if ctx.vector:
            grad_b2, out2 = xp.expand_dims(grad_b, -1), xp.expand_dims(out, -1)
        else:
            grad_b2, out2 = grad_b, out
        return -xp.matmul(grad_b2, xp.swapaxes(out2, -1, -2)), grad_b


class Einsum(Function):
    """d einsum(spec, a, b, ...) / d a = einsum of grad with the other operands, written to
    a's subscripts; a subscript that only a has is broadcast back. Repeated subscripts within
    one operand (traces, diagonals) are not supported."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, *operands, inputs, output):
        ctx.save_for_backward(*operands)
        ctx.spec = (inputs, output)
        return np.einsum(",".join(inputs) + "->" + output, *operands, optimize=len(inputs) > 2)

    @staticmethod
    def backward(ctx, grad):
        operands = ctx.saved_tensors
        inputs, output = ctx.spec
        grads = []
        for position, subscripts in enumerate(inputs):
            if not ctx.needs_input_grad[position]:
                grads.append(None)
                continue
            others = [s for i, s in enumerate(inputs) if i != position]
            known = set(output).union(*others)
            target = "".join(c for c in subscripts if c in known)
            rest = [o for i, o in enumerate(operands) if i != position]
            result = xp.apply(Einsum, grad, *rest, inputs=(output, *others), output=target)
            shape = np.shape(xp.constant(operands[position]))
            if target != subscripts:  # broadcast over the subscripts only this operand has
                for axis, c in enumerate(subscripts):
                    if c not in known:
                        result = xp.expand_dims(result, axis)
                result = xp.broadcast_to(result, shape)
            grads.append(result)
        return tuple(grads)


class Svd(Function):
    """A = U diag(S) Vh, reduced (U m x k, S k, Vh k x n, k = min(m, n)), as numpy's svd.

    With only S's gradient: grad_A = U diag(gS) Vh. With U's or Vh's too, PyTorch's formula
    (real case, distinct singular values, E_jk = S_k^2 - S_j^2, skew(X) = X - X^T):
    U [(skew(U^T gU) / E) S + S (skew(V^T gV) / E) + diag(gS)] Vh
    + (I - U U^T) gU S^-1 Vh + U S^-1 gVh (I - V Vh). Written with xp, so differentiable again.
    """

    differentiable_backward = True

    @staticmethod
    def forward(ctx, a):
        finite = np.isfinite(a).all()
        if not finite and np.isnan(a).any():  # LAPACK may never return on a NaN
            raise RuntimeError(
                "linalg.svd: The algorithm failed to converge because the input matrix "
                "contained non-finite values."
            )
        if not finite:  # an infinite entry: NaN factors, as PyTorch gives
            m, n = a.shape[-2:]
            k = min(m, n)
            full = array_module(a).full
            u, s, vh = (
                full((*a.shape[:-2], *shape), np.nan, a.dtype) for shape in ((m, k), (k,), (k, n))
            )
        else:
            u, s, vh = np.linalg.svd(a, full_matrices=False)
        ctx.save_for_backward(u, s, vh)
        return u, s, vh

    @staticmethod
    def backward(ctx, grad_u, grad_s, grad_vh):
        u, s, vh = ctx.saved_tensors
        middle = xp.expand_dims(grad_s, -1) * _eye_like(s)
        if not (xp.constant(grad_u).any() or xp.constant(grad_vh).any()):
            return xp.matmul(u * xp.expand_dims(grad_s, -2), vh)
        v, grad_v = xp.swapaxes(vh, -1, -2), xp.swapaxes(grad_vh, -1, -2)
        squares = s * s
        gaps = xp.expand_dims(squares, -2) - xp.expand_dims(squares, -1)  # E_jk = S_k^2 - S_j^2
        gaps = xp.where(_eye_like(s) == 1, 1, gaps)
        ut_gu = xp.matmul(xp.swapaxes(u, -1, -2), grad_u)
        vt_gv = xp.matmul(xp.swapaxes(v, -1, -2), grad_v)
        skew_u = (ut_gu - xp.swapaxes(ut_gu, -1, -2)) / gaps
        skew_v = (vt_gv - xp.swapaxes(vt_gv, -1, -2)) / gaps
        middle = middle + skew_u * xp.expand_dims(s, -2) + xp.expand_dims(s, -1) * skew_v
        out = xp.matmul(xp.matmul(u, middle), vh)
        inverse = 1 / s
        off_u = grad_u - xp.matmul(u, ut_gu)
        out = out + xp.matmul(off_u * xp.expand_dims(inverse, -2), vh)
        off_vh = grad_vh - xp.matmul(xp.swapaxes(vt_gv, -1, -2), vh)
        return out + xp.matmul(u * xp.expand_dims(inverse, -2), off_vh)


def _eye_like(s):
    """The k x k identity for singular values s (..., k), as an array."""
    values = xp.constant(s)
    return array_module(values).eye(values.shape[-1], dtype=values.dtype)
