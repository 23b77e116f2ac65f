"""Matrix products: BLAS through numpy's matmul, in both directions."""

import numpy as np

from minigrad.autograd.function import Function
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


class SingularValues(Function):
    """d sigma_k = u_k^T dA v_k: grad_A = U diag(grad) V^T, for distinct singular values (as
    PyTorch's svdvals). Its backward works on arrays: a second derivative raises."""

    @staticmethod
    def forward(ctx, a):
        u, sigma, vh = np.linalg.svd(a, full_matrices=False)
        ctx.save_for_backward(u, vh)
        return sigma

    @staticmethod
    def backward(ctx, grad):
        u, vh = ctx.saved_tensors
        return (u * grad[..., None, :]) @ vh
