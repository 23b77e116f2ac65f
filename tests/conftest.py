"""Fixtures shared by several test files."""

import pytest
import strict_backend


@pytest.fixture(scope="module")
def strict_device():
    """The test-only 'strict' device (tests/strict_backend.py), registered for one module."""
    with strict_backend.registered() as device:
        yield device
