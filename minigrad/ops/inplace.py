"""The op that in-place changes record: replacing some elements of a tensor."""

from minigrad.autograd.function import Function


class SetItem(Function):
    """d (a with a[index] = v): a's gradient except at index (zero there); v gets grad[index]

    ``a[index] = v`` and (with ``index=Ellipsis``) ``copy_``, ``fill_`` and ``zero_`` record
    it, as PyTorch records CopySlices and CopyBackwards.
    """

    @staticmethod
    def forward(ctx, a, value, index):
        ctx.index = index
        out = a.copy()
        out[index] = value
        return out

    @staticmethod
    def backward(ctx, grad):
        grad_a = grad_value = None
        if ctx.needs_input_grad[0]:
            grad_a = grad.copy()
            grad_a[ctx.index] = 0
        if ctx.needs_input_grad[1]:
            grad_value = grad[ctx.index]
        return grad_a, grad_value
