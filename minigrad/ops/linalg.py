"""Matrix products: BLAS through numpy's matmul, in both directions."""

import numpy as np

from minigrad._broadcast import sum_to
from minigrad.autograd.function import Function


class MatMul(Function):
    """d(a @ b) = grad @ b.T for a, a.T @ grad for b (1-D operands promoted as numpy does)"""

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
            grad_a = sum_to(np.matmul(grad, np.swapaxes(b2, -1, -2)), a2.shape).reshape(a.shape)
        if ctx.needs_input_grad[1]:
            grad_b = sum_to(np.matmul(np.swapaxes(a2, -1, -2), grad), b2.shape).reshape(b.shape)
        return grad_a, grad_b
