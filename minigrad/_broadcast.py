"""Summing a broadcast gradient back to an operand's shape (chainer's ``sum_to``)."""


def sum_to(array, shape):
    """Sum ``array`` over the axes that broadcasting added or stretched to reach it from ``shape``.

    Returns None when ``shape`` does not broadcast to ``array.shape``, for the caller to raise.
    """
    shape = tuple(shape)
    if array.shape == shape:
        return array
    lead = array.ndim - len(shape)
    if lead < 0:
        return None
    stretched = []
    for axis, size in enumerate(shape):
        if size == array.shape[lead + axis]:
            continue
        if size != 1:
            return None
        stretched.append(lead + axis)
    summed = array.sum(axis=tuple(range(lead)) + tuple(stretched), keepdims=True)
    return summed.reshape(shape)
