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


# ---- DataLoader workers -------------------------------------------------------------------

_pools = None  # the BLAS pools as the main process saw them before forking its workers


def before_fork():
    """In the main process, just before it forks DataLoader workers: find the BLAS pools once
    here (1.5 ms) rather than in each worker (1-6 ms, and threadpoolctl's import 8 ms)."""
    global _pools
    from threadpoolctl import ThreadpoolController

    _pools = ThreadpoolController()


def one_thread_in_worker():
    """One BLAS thread in a new DataLoader worker, as PyTorch's workers run one thread.

    OpenBLAS's fork handler leaves the worker without its thread pool, and setting a thread
    count starts the pool again: one thread that spins about 0.1 s waiting for work, on a core
    the workers need (2 workers loaded MNIST at 1.13x the speed of none with it, 1.37x
    without). OpenBLAS's own ``blas_thread_shutdown_``, which its fork handler calls, stops
    that thread again; the count stays 1 and products run in the calling thread.
    """
    import ctypes

    from threadpoolctl import ThreadpoolController

    pools = _pools or ThreadpoolController()
    pools.limit(limits=1, user_api="blas")
    for pool in pools.lib_controllers:
        if pool.internal_api == "openblas":
            shutdown = getattr(ctypes.CDLL(pool.filepath), "blas_thread_shutdown_", None)
            if shutdown is not None:
                shutdown()
