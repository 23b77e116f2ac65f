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
