"""The gradients of conv2d and the pools as ops of their own, for ``create_graph=True``.

Their backwards are strided array code that cannot run on Tensors, so (as chainer's
``Convolution2DGradW`` and ``Deconvolution2DFunction``) each gradient is a ``Function`` whose
forward is the first-order array code and whose backward is again a convolution or a
scatter/gather. The pairs close: the gradient of conv2d's input gradient is conv2d and a
weight gradient; a max-pool gradient (a scatter to the argmax cells) and its gather are each
other's transposes; an avg-pool gradient's transpose is avg_pool2d itself.

The forwards call ``Conv2d`` and the pools through their own forward and backward, with a
fresh ctx, so they follow any change to those kernels.
"""

import numpy as np

from minigrad.autograd.function import Context, Function
from minigrad.backend import array_module
from minigrad.ops import xp
from minigrad.ops.conv import Conv2d, padded, window
from minigrad.ops.pooling import AvgPool2d, MaxPool2d


def conv2d_backward(ctx, grad):
    """Conv2d's backward under create_graph: each gradient an op of the graph."""
    x, weight = ctx.inputs
    arguments = ctx.arguments
    needs_x, needs_weight, needs_bias = ctx.needs_input_grad
    grad_x = grad_w = grad_b = None
    if needs_x:
        grad_x = Conv2dGradInput.apply(
            grad, ctx.input_tensor(1, weight), x_shape=x.shape, **arguments
        )
    if needs_weight:
        grad_w = Conv2dGradWeight.apply(
            ctx.input_tensor(0, x), grad, weight_shape=weight.shape, **arguments
        )
    if needs_bias:
        grad_b = grad.sum((0, 2, 3))
    return grad_x, grad_w, grad_b


class Conv2dGradInput(Function):
    """conv2d's input gradient (a transposed convolution) of grad (N, O, Ho, Wo) and weight

    d: conv2d(gg, weight) for grad; the weight gradient of conv2d(gg, .) against grad for weight
    """

    differentiable_backward = True

    @staticmethod
    def forward(ctx, grad, weight, x_shape, **arguments):
        ctx.save_for_backward(grad, weight)
        ctx.arguments = arguments
        inner = Context((True, False, False))
        x = array_module(grad).zeros(x_shape, grad.dtype)
        Conv2d.forward(inner, x, weight, None, **arguments)
        return Conv2d.backward(inner, grad)[0]

    @staticmethod
    def backward(ctx, gg):
        grad, weight = ctx.saved_tensors
        d_grad = d_weight = None
        if ctx.needs_input_grad[0]:
            d_grad = xp.apply(Conv2d, gg, weight, None, **ctx.arguments)
        if ctx.needs_input_grad[1]:
            d_weight = xp.apply(
                Conv2dGradWeight, gg, grad, weight_shape=weight.shape, **ctx.arguments
            )
        return d_grad, d_weight


class Conv2dGradWeight(Function):
    """conv2d's weight gradient (a correlation of x with grad)

    d: conv2d's input gradient of grad and gg for x; conv2d(x, gg) for grad
    """

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, grad, weight_shape, **arguments):
        ctx.save_for_backward(x, grad)
        ctx.arguments = arguments
        inner = Context((False, True, False))
        weight = array_module(x).zeros(weight_shape, x.dtype)
        Conv2d.forward(inner, x, weight, None, **arguments)
        return Conv2d.backward(inner, grad)[1]

    @staticmethod
    def backward(ctx, gg):
        x, grad = ctx.saved_tensors
        d_x = d_grad = None
        if ctx.needs_input_grad[0]:
            d_x = xp.apply(Conv2dGradInput, grad, gg, x_shape=x.shape, **ctx.arguments)
        if ctx.needs_input_grad[1]:
            d_grad = xp.apply(Conv2d, x, gg, None, **ctx.arguments)
        return d_x, d_grad


class MaxPool2dGrad(Function):
    """max_pool2d's input gradient: grad scattered to each window's argmax; d: the gather"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, grad, pool):
        ctx.pool = pool  # the pool's first-order ctx: geometry and argmax offsets
        return MaxPool2d.backward(pool, grad)

    @staticmethod
    def backward(ctx, gg):
        return xp.apply(MaxPool2dGather, gg, ctx.pool), None


class MaxPool2dGather(Function):
    """v (N, C, H, W) read at each window's argmax: (N, C, Ho, Wo); d: the scatter"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, v, pool):
        ctx.pool = pool
        (index,) = pool.saved_tensors
        if any(map(any, pool.pads)):
            v = padded(v, pool.pads)
        out = array_module(v).zeros(index.shape, v.dtype)
        for k, (i, j) in enumerate(pool.offsets):
            part = window(v, i, j, pool.out_size, pool.stride, pool.dilation)
            out += np.where(index == k, part, 0)
        return out

    @staticmethod
    def backward(ctx, grad):
        return xp.apply(MaxPool2dGrad, grad, ctx.pool), None


class AvgPool2dGrad(Function):
    """avg_pool2d's input gradient: grad / divisor over each window; d: avg_pool2d itself"""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, grad, pool):
        ctx.pool = pool
        return AvgPool2d.backward(pool, grad)

    @staticmethod
    def backward(ctx, gg):
        return xp.apply(AvgPool2d, gg, **ctx.pool.arguments), None
