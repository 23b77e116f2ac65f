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
