"""2-D convolution: im2col on strided views and one BLAS product per gradient.

Layout. Arrays keep PyTorch's logical NCHW shape, but the patch matrix and the output live
channels-last in memory (N, H, W, C), as PyTorch's ``channels_last`` format. With channels
innermost, each kernel offset copies runs of W * C contiguous floats into the patch matrix
(from NCHW memory the runs would be C times shorter), and the product's (N*Ho*Wo, O) result
already is the output: no transpose before or after. Elementwise ops keep the layout, so
the next layer's input arrives channels-last too.

Bias. The patch matrix gets one more column of ones and the weight matrix the bias as one
more row, so the forward product adds the bias and the weight-gradient product yields the
bias gradient as its last row: no separate pass over the output or its gradient (which
runs along rows of only O floats, 8 in Model S, and measured up to 8x slower).

Copies. Channels-last, the kw*C inputs that one kernel row meets are contiguous, so
``_im2col`` fills the patch matrix with one copy out of an ``as_strided`` view whose innermost
runs are kw*C long (1.1x-10x faster than a copy per kernel offset, up to 3.7x on Model K's
32->64 layer). It loops over the kh*kw offsets, one (N, C, Ho, Wo) strided view each, only
where those runs would be too short (one input channel and kw = 3, the first layer of both
benchmark models: 2x faster there) or absent (groups, dilated columns). ``_col2im`` loops
over the offsets: their patches overlap, so each is one product and add. Groups are the
batch axis of ``np.matmul``: no Python loop over groups.
"""

import numpy as np

from minigrad.autograd.function import Function
from minigrad.backend import array_module, as_strided

CHUNK_BYTES = 4 << 20  # patch-matrix bytes per chunk when the matrix is not kept (inference)


def output_size(size, kernel_size, stride, padding, dilation):
    """(Ho, Wo) of a convolution or pooling over (H, W), PyTorch's formula per dimension:
    (size + pads - dilation (kernel - 1) - 1) // stride + 1; padding ((top, bottom), (left, right)).

    The one place the formula lives: the ops, ``F.conv_output_size`` and the error messages
    of ``F.conv2d`` and the pools all call it.
    """
    return tuple(
        (n + sum(pads) - d * (k - 1) - 1) // s + 1
        for n, k, s, pads, d in zip(size, kernel_size, stride, padding, dilation)
    )


def window(x, i, j, out_size, stride, dilation):
    """The elements of x (..., H, W) that kernel offset (i, j) meets: a (..., Ho, Wo) view."""
    (oh, ow), (sh, sw), (dh, dw) = out_size, stride, dilation
    top, left = i * dh, j * dw
    return x[..., top : top + sh * (oh - 1) + 1 : sh, left : left + sw * (ow - 1) + 1 : sw]


def padded(x, padding, value=0.0, channels_last=False):
    """x (N, C, H, W) inside a border of ``value``; padding is ((top, bottom), (left, right)).

    A new array, channels-last in memory when asked, else laid out as x is.
    """
    (top, bottom), (left, right) = padding
    n, c, h, w = x.shape
    shape = (n, c, h + top + bottom, w + left + right)
    if channels_last:
        full = array_module(x).full
        out = full((n, shape[2], shape[3], c), value, x.dtype).transpose(0, 3, 1, 2)
    else:
        out = np.full_like(x, value, shape=shape)
    out[:, :, top : top + h, left : left + w] = x
    return out


def zeros(shape, dtype, channels_last, like, fill="zeros"):
    """Zeros of shape (N, C, H, W) on ``like``'s device, stored channels-last when asked."""
    n, c, h, w = shape
    make = getattr(array_module(like), fill)
    if channels_last:
        return make((n, h, w, c), dtype).transpose(0, 3, 1, 2)
    return make(shape, dtype)


def empty(shape, dtype, channels_last, like):
    """As ``zeros``, uninitialised: for arrays whose every element is written next."""
    return zeros(shape, dtype, channels_last, like, fill="empty")


def is_channels_last(x):
    """Whether x (N, C, H, W) is stored as a contiguous (N, H, W, C) array."""
    return x.transpose(0, 2, 3, 1).flags.c_contiguous


class Conv2d(Function):
    """d conv(x, w, b): dx = col2im(grad @ w^T), [dw; db] = [patches, 1]^T @ grad

    Shapes: x (N, C, H, W), weight (O, C/g, kh, kw), bias (O,) or None; output (N, O, Ho, Wo)
    stored channels-last. ``padding`` is ((top, bottom), (left, right)); ``stride`` and
    ``dilation`` are pairs; g = ``groups``.

    Peak extra memory of one call (beside the output, weight-sized arrays and numpy's
    fixed-size ufunc buffers), with P = N*Ho*Wo * (C*kh*kw + g) elements, the patch matrix
    (the g columns of ones only with a bias), and Hp, Wp the padded input size:
    - forward: P, kept for backward only when the weight or bias needs a gradient (without
      such a gradient and with g = 1 only a chunk of about CHUNK_BYTES at a time); plus a
      channels-last copy of x (N*C*Hp*Wp) when x is padded or laid out otherwise; plus an
      output-sized product when 1 < g < O, regrouped into the output by a copy.
      With one input channel the patch matrix is stored transposed (see below), same size.
    - backward: the padded input gradient (N*C*Hp*Wp) plus one buffer for each offset's share
      of it in turn (N*Ho*Wo*C); plus a channels-last copy of the output gradient when it
      arrives laid out otherwise. The full gradient of the patch matrix is never formed.
    """

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, weight, bias, stride, padding, dilation, groups):
        # For create_graph (ops/conv_grad.py): references, no copies; x is the size of a
        # (kh*kw)-th of the patch matrix kept for the weight gradient.
        ctx.inputs = (x, weight)
        ctx.arguments = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
        kh, kw = weight.shape[2:]
        (top, bottom), (left, right) = padding
        out_size = output_size(x.shape[2:], (kh, kw), stride, padding, dilation)
        ctx.shape, ctx.weight_shape, ctx.groups = x.shape, weight.shape, groups
        ctx.has_bias = bias is not None
        ctx.geometry = (padding, out_size, stride, dilation)
        # A channels-last source makes each offset's copy read long contiguous runs.
        if top or bottom or left or right or not is_channels_last(x):
            x = padded(x, padding, channels_last=True)
        needs_x, needs_weight, needs_bias = ctx.needs_input_grad
        weights = _grouped(weight, bias, groups)  # (g, kh*kw*C/g [+ 1], O/g)
        geometry = ((kh, kw), out_size, stride, dilation)
        if needs_weight or needs_bias or groups > 1:
            cols = _im2col(x, *geometry, groups, ones=bias is not None)
            out = np.matmul(cols, weights)  # (g, N*Ho*Wo, O/g)
        else:  # no gradient needs the patch matrix: it need not exist whole
            cols, out = None, _product_in_chunks(x, weights, geometry, ones=bias is not None)
        ctx.save_for_backward(cols, weights if needs_x else None)
        return _from_groups(out, x.shape[0], out_size).transpose(0, 3, 1, 2)

    @staticmethod
    def backward(ctx, grad):
        if ctx.create_graph:  # each gradient an op of the graph: see conv_grad.py
            from minigrad.ops.conv_grad import conv2d_backward

            return conv2d_backward(ctx, grad)
        cols, weights = ctx.saved_tensors
        # (N, O, Ho, Wo) -> (g, N*Ho*Wo, O/g): a free view when grad is channels-last.
        n, o, oh, ow = grad.shape
        grad = grad.transpose(0, 2, 3, 1).reshape(n * oh * ow, ctx.groups, o // ctx.groups)
        grad = grad.transpose(1, 0, 2)
        grad_x = grad_w = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_x = _col2im(grad, weights, ctx.shape, ctx.weight_shape, *ctx.geometry)
        if ctx.needs_input_grad[1] or ctx.needs_input_grad[2]:
            both = _weight_product(cols, grad)  # (g, kh*kw*C/g [+ 1], O/g)
            if ctx.has_bias:
                both, grad_b = both[:, :-1], both[:, -1].reshape(-1)
            grad_w = _ungrouped(both, ctx.weight_shape)
        return grad_x, grad_w, grad_b


def _im2col(x, kernel_size, out_size, stride, dilation, groups, ones):
    """Patches of x (N, C, Hp, Wp) as (g, N*Ho*Wo, kh*kw*C/g [+ 1]), columns in (ki, kj, c)
    order, then a column of ones when ``ones``."""
    n, c = x.shape[:2]
    (kh, kw), (oh, ow) = kernel_size, out_size
    width = kh * kw * (c // groups)
    if c == 1:
        return _im2col_one_channel(x, kernel_size, out_size, stride, dilation, ones)
    cols = array_module(x).empty((n, oh, ow, groups, width + ones), x.dtype)
    cols[..., width:] = 1
    # The patch columns seen as (N, g, C/g, kh, kw, Ho, Wo), to fill one offset at a time.
    runs = x.strides[1] == x.itemsize and x.strides[3] == c * x.itemsize  # channels-last
    if runs and groups == 1 and dilation[1] == 1 and kw * c >= 4:
        # The kw*C values of one kernel row are contiguous in x: one copy out of a
        # (N, Ho, Wo, kh, kw*C) view, with runs of kw*C. Measured 3.7x faster than the loop
        # below for Model K's 32->64 layer; the loop wins for 1 channel and kw = 3.
        (sh, sw), (dh, _) = stride, dilation
        item, row, column = x.itemsize, x.strides[2], x.strides[3]
        rows = as_strided(
            x, (n, oh, ow, kh, kw * c), (x.strides[0], sh * row, sw * column, dh * row, item)
        )
        cols[..., 0, :width].reshape(n, oh, ow, kh, kw * c)[...] = rows
    else:
        target = cols[..., :width].reshape(n, oh, ow, groups, kh, kw, c // groups)
        target = target.transpose(0, 3, 6, 4, 5, 1, 2)
        x = x.reshape(n, groups, c // groups, *x.shape[2:])
        for i in range(kh):
            for j in range(kw):
                target[:, :, :, i, j] = window(x, i, j, out_size, stride, dilation)
    return cols.reshape(n * oh * ow, groups, width + ones).transpose(1, 0, 2)


# ---- one input channel: the patch matrix stored column by column --------------------------
#
# With one input channel a patch-matrix row holds only kh*kw (+ 1) values, so a copy into it
# row by row writes runs of one float. Stored transposed, (kh*kw [+ 1], N*Ho*Wo), each kernel
# offset fills one contiguous row from an (N, Ho, Wo) view, and numpy's matmul reads the
# transpose as BLAS's transposed operand at no cost. Measured A/B on the 1->8 and 1->32 layers
# of Models S and K against the former paths (image rows times a Toeplitz matrix for <= 8
# filters, a patch matrix filled row by row above that): forward 1.2x faster and forward plus
# backward 1.7x-1.8x at batch 64 (with the pieces of ``_weight_product``), inference 1.3x-1.5x
# at batch 1000.


def _im2col_one_channel(x, kernel_size, out_size, stride, dilation, ones):
    """``_im2col`` for x (N, 1, Hp, Wp): a (1, N*Ho*Wo, kh*kw [+ 1]) view of a
    (kh*kw [+ 1], N*Ho*Wo) array."""
    (kh, kw), (oh, ow) = kernel_size, out_size
    n = x.shape[0]
    cols = array_module(x).empty((kh * kw + ones, n, oh, ow), x.dtype)
    cols[kh * kw :] = 1
    for i in range(kh):
        for j in range(kw):
            cols[i * kw + j] = window(x[:, 0], i, j, out_size, stride, dilation)
    return cols.reshape(kh * kw + ones, -1).T[None]


WEIGHT_PRODUCT_SPLIT = 16  # pieces of the N*Ho*Wo sum when the weight gradient is tiny


def _weight_product(cols, grad):
    """cols^T @ grad, (g, K, O/g), for cols (g, M, K) and grad (g, M, O/g).

    When K * O/g is tiny beside M (one input channel: K = 10, M = N*Ho*Wo), OpenBLAS runs the
    long sum at under 20 GFLOP/s (1.6 ms for the 1->32 layer at batch 64). As 16 products of
    M/16 rows, summed, it measured 3x-6x faster (1->8 and 1->32 layers, batch 64). Larger
    layers (Model K's 32->64 and 64->64) measured slower split.
    """
    (groups, m, k), o = cols.shape, grad.shape[-1]
    pieces = WEIGHT_PRODUCT_SPLIT
    if groups > 1 or k * o * pieces > m:
        return np.matmul(cols.transpose(0, 2, 1), grad)
    split = m - m % pieces
    parts = cols[0, :split].reshape(pieces, split // pieces, k).transpose(0, 2, 1)
    both = np.matmul(parts, grad[0, :split].reshape(pieces, split // pieces, o)).sum(0)
    if split < m:
        both += cols[0, split:].T @ grad[0, split:]
    return both[None]


# ---- chunks ---------------------------------------------------------------------------------


def _product_in_chunks(x, weights, geometry, ones):
    """patches(x) @ weights, (1, N*Ho*Wo, O), made a few images at a time (one group).

    Each chunk's patches (about CHUNK_BYTES) are still in the cache when the product reads
    them, and the whole patch matrix (140 MB for Model K's 32->64 layer at batch 1000) is
    never held: inference ran 1.3x-1.6x faster per layer than with one big product.
    """
    n, (oh, ow) = x.shape[0], geometry[1]
    cells = oh * ow
    step = max(1, CHUNK_BYTES // (cells * weights.shape[1] * x.itemsize))
    dtype = np.result_type(x.dtype, weights.dtype)
    out = array_module(x).empty((1, n * cells, weights.shape[-1]), dtype)
    for start in range(0, n, step):
        cols = _im2col(x[start : start + step], *geometry, 1, ones)
        np.matmul(cols[0], weights[0], out=out[0, start * cells : (start + step) * cells])
    return out


def _col2im(grad, weights, shape, weight_shape, padding, out_size, stride, dilation):
    """The input gradient (N, C, H, W) from grad (g, N*Ho*Wo, O/g) and the weight matrix.

    One product and one add per kernel offset: the gradient of the patches that offset
    copied, (g, N*Ho*Wo, C/g), goes back where they came from. One offset at a time never
    holds the whole patch-matrix gradient (kh*kw times the input) and measured as fast as
    one big product followed by kh*kw strided adds.
    """
    n, c, h, w = shape
    kh, kw = weight_shape[2:]
    groups = grad.shape[0]
    (top, bottom), (left, right) = padding
    result = zeros((n, c, h + top + bottom, w + left + right), grad.dtype, True, grad)
    split = result.reshape(n, groups, c // groups, *result.shape[2:])
    rows = weights[:, : kh * kw * (c // groups)]  # without the bias row
    per_offset = rows.reshape(
        groups, kh * kw, c // groups, weights.shape[-1]
    )  # (g, kh*kw, C/g, O/g)
    # One buffer for every offset (no second share alive while the next is computed), stored
    # as the result is, channels-last: the add walks both operands in the same memory order.
    buffer = array_module(grad).empty((n, *out_size, groups, c // groups), grad.dtype)
    part = buffer.reshape(grad.shape[1], groups, c // groups).transpose(
        1, 0, 2
    )  # (g, N*Ho*Wo, C/g)
    patches = buffer.transpose(0, 3, 4, 1, 2)  # (N, g, C/g, Ho, Wo)
    for i in range(kh):
        for j in range(kw):
            np.matmul(grad, per_offset[:, i * kw + j].transpose(0, 2, 1), out=part)
            window(split, i, j, out_size, stride, dilation)[...] += patches
    return result[:, :, top : top + h, left : left + w]


def _grouped(weight, bias, groups):
    """(O, C/g, kh, kw) and (O,) -> (g, kh*kw*C/g [+ 1], O/g): rows in the patch matrix's
    column order, then the bias."""
    out_channels, cg, kh, kw = weight.shape
    weight = weight.reshape(groups, out_channels // groups, cg, kh, kw)
    matrix = weight.transpose(0, 3, 4, 2, 1).reshape(groups, kh * kw * cg, out_channels // groups)
    if bias is None:
        return matrix
    return np.concatenate([matrix, bias.reshape(groups, 1, -1)], axis=1)


def _ungrouped(grad, weight_shape):
    """(g, kh*kw*C/g, O/g) -> (O, C/g, kh, kw): the inverse of ``_grouped`` for the weight."""
    _, cg, kh, kw = weight_shape
    grad = grad.reshape(len(grad), kh, kw, cg, grad.shape[-1])
    return grad.transpose(0, 4, 3, 1, 2).reshape(weight_shape)


def _from_groups(out, n, out_size):
    """(g, N*Ho*Wo, O/g) -> (N, Ho, Wo, O); a view for one group or one channel per group."""
    groups, _, per_group = out.shape
    out = out.reshape(groups, n, *out_size, per_group).transpose(1, 2, 3, 0, 4)
    return out.reshape(n, *out_size, groups * per_group)
