"""One row of the op table (tests/op_db.py and the op_db_*.py files beside it)."""

from dataclasses import dataclass, field

import numpy as np


@dataclass
class OpCase:
    name: str
    fn: callable  # fn(lib, *tensors) -> tensor
    shapes: list  # one shape per input, or a list of such lists (several samples)
    # "real", "positive" (log, sqrt, pow bases), "away_from_zero" (kinks), "unit" (|x| < 1),
    # "above_one" (acosh) or "off_integers" (jumps of floor, fmod, ...)
    domain: str = "real"
    grad_inputs: tuple = None  # positions that require grad (default: all float inputs)
    int_inputs: dict = field(default_factory=dict)  # position -> (low, high): int64 inputs
    atol: float = 1e-5
    rtol: float = 1e-4

    def samples(self):
        return self.shapes if isinstance(self.shapes[0], list) else [self.shapes]

    def make_inputs(self, shapes, rng, dtype=np.float64):
        arrays = []
        for position, shape in enumerate(shapes):
            if position in self.int_inputs:
                low, high = self.int_inputs[position]
                arrays.append(rng.integers(low, high, shape).astype(np.int64))
                continue
            x = rng.standard_normal(shape)
            if self.domain == "positive":
                x = np.abs(x) + 0.5
            elif self.domain == "away_from_zero":
                x = np.sign(x) * (np.abs(x) + 0.1)  # keeps numerical differences off kinks
            elif self.domain == "unit":  # asin, acos, atanh: inside (-1, 1)
                x = 0.9 * np.tanh(x)
            elif self.domain == "above_one":  # acosh
                x = np.abs(x) + 1.5
            elif self.domain == "off_integers":  # remainders, rounding: away from the jumps
                x = np.round(x * 2) / 2 + 0.2
            arrays.append(x.astype(dtype))
        return arrays

    def differentiable(self, shapes):
        floats = [i for i in range(len(shapes)) if i not in self.int_inputs]
        return floats if self.grad_inputs is None else list(self.grad_inputs)


def _F(lib):
    """``torch.nn.functional`` or ``minigrad.nn.functional``, for rows of F functions."""
    return lib.nn.functional
