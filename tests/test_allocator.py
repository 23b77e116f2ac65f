"""minigrad's glibc malloc settings: large freed arrays are reused, without new page faults."""

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")

# Allocate, touch and free a 40 MB array 20 times (above the 32 MB up to which glibc's own
# threshold adapts); print the page faults of the loop.
PROBE = """
import resource, numpy as np
import minigrad
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
np.ones(10 << 20, np.float32)
before = faults()
for _ in range(20):
    np.ones(10 << 20, np.float32)
print(minigrad.allocator.tuned, faults() - before)
"""


def probe(**env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    environment.pop("MINIGRAD_MALLOC", None)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env={**environment, **env},
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    tuned, faults = result.stdout.split()
    return tuned == "True", int(faults)


def test_freed_large_arrays_are_reused_without_page_faults():
    tuned, faults = probe()
    assert tuned
    assert faults < 20  # 20 fresh 40 MB mappings fault at least 400 times (2 MiB pages)


def test_the_default_allocator_on_request():
    tuned, faults = probe(MINIGRAD_MALLOC="default")
    assert not tuned
    # Each array a new mapping: a fault per page, of 4 KiB or, where numpy's huge-page advice
    # is taken, 2 MiB (20 a 40 MB array: seen 420 in all on one machine, 10,640 on another).
    assert faults >= 20 * 10


def test_glibc_settings_of_the_user_win():
    tuned, _ = probe(MALLOC_MMAP_THRESHOLD_=str(1 << 20))
    assert not tuned
