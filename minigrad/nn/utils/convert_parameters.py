"""One flat vector from many parameters, and back (for second-order methods and tricks)."""

from minigrad.tensor import Tensor, cat


def _check(parameters):
    parameters = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    for position, param in enumerate(parameters):
        if not isinstance(param, Tensor):
            raise TypeError(
                f"expected Tensor, but got: {type(param).__name__} (parameter {position})"
            )
    return parameters


def parameters_to_vector(parameters):
    """The parameters flattened and concatenated into one 1-D Tensor (differentiable).

    Example: ``nn.utils.parameters_to_vector(nn.Linear(3, 2).parameters()).shape`` is (8,).
    """
    return cat([param.reshape(-1) for param in _check(parameters)])


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of the 1-D Tensor ``vec`` into ``parameters``' data."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected Tensor, but got: {type(vec).__name__}")
    parameters = _check(parameters)
    needed = sum(param.numel() for param in parameters)
    if vec.numel() != needed:
        raise RuntimeError(
            f"vector_to_parameters: vec has {vec.numel()} elements, the parameters {needed}"
        )
    flat = vec.detach().reshape(-1)
    start = 0
    for param in parameters:
        count = param.numel()
        # As PyTorch's ``param.data = ...``: the parameter takes a view of vec, no graph.
        param.data = flat[start : start + count].reshape(param.shape)
        start += count
