"""The library's one source of randomness: factories, init, dropout and DataLoader shuffling.

Every random draw goes through ``default_generator()``, so ``manual_seed`` makes a whole run
repeatable. Ask for the generator at each draw; never keep it, since ``manual_seed`` replaces it.
"""

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed):
    """Seed every random draw of minigrad (factories, init, dropout, shuffling)."""
    global _generator
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"manual_seed expects an int seed, got {type(seed).__name__}")
    _generator = np.random.default_rng(int(seed))
    return _generator


def default_generator():
    """The ``numpy.random.Generator`` behind every random draw of minigrad."""
    return _generator


def get_rng_state():
    """The generator's state as a plain dict (ints and strings), fit for ``mg.save``."""
    return _generator.bit_generator.state


def set_rng_state(state):
    """Restore a state from ``get_rng_state``: the draws that follow repeat exactly."""
    _generator.bit_generator.state = state


class Generator:
    """A random number generator of its own, as ``torch.Generator``: pass it as
    ``generator=`` to samplers, ``random_split`` and ``DataLoader``.

    >>> g = minigrad.Generator().manual_seed(0)
    """

    def __init__(self, device="cpu"):
        self.device = device
        self.seed()

    def manual_seed(self, seed):
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise TypeError(f"manual_seed expects an int seed, got {type(seed).__name__}")
        self._initial_seed = int(seed)
        self._rng = np.random.default_rng(self._initial_seed)
        return self

    def seed(self):
        """Seed from fresh entropy and return the seed."""
        self.manual_seed(int(np.random.SeedSequence().entropy % 2**63))
        return self._initial_seed

    def initial_seed(self):
        return self._initial_seed

    def get_state(self):
        return self._rng.bit_generator.state

    def set_state(self, state):
        self._rng.bit_generator.state = state
        return self
