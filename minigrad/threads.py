"""``mg.set_num_threads`` / ``mg.get_num_threads``: the BLAS threads numpy's products use.

minigrad's heavy work is numpy's matrix products, run by the BLAS library numpy ships
(OpenBLAS) on its own thread pool. threadpoolctl, the maintained library for such pools,
resizes it at run time. One thread is often faster on a machine shared with another busy
process: two BLAS threads fighting it for two cores lose more than they gain.
"""


def get_num_threads():
    """The number of threads of numpy's BLAS (the largest pool when there are several)."""
    from threadpoolctl import threadpool_info

    counts = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    return max(counts) if counts else 1


def set_num_threads(num_threads):
    """Run numpy's BLAS on ``num_threads`` threads from now on (as ``torch.set_num_threads``)."""
    _check_count("set_num_threads", num_threads)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=num_threads, user_api="blas")


def get_num_interop_threads():
    """1: minigrad runs one op at a time (PyTorch's inter-op pool has no counterpart)."""
    return 1


def set_num_interop_threads(num_threads):
    """Accepted for PyTorch programs; minigrad has no inter-op pool."""
    _check_count("set_num_interop_threads", num_threads)


def _check_count(name, value):
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuntimeError(f"{name} expects an int, but got {type(value).__name__}")
    if value < 1:
        raise RuntimeError(f"{name} expects a positive integer, got {value}")
