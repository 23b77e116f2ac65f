"""DataLoader worker processes: each reads tasks from its own pipe and sends the batches back
through another; the main process hands them out in order (as ``torch.utils.data``).

Pipes, not ``multiprocessing.Queue``: a Queue sends from a feeder thread, which takes the GIL
from the thread that loads the data. In a worker that made each image 50% slower (36 against
23.5 us for MNIST with three transforms); a send from the loading thread costs only its own
few microseconds, and the batches themselves travel through shared memory.
"""

import dataclasses
import itertools
import multiprocessing
import multiprocessing.connection
import os
import random as py_random
import time
import traceback

import numpy as np

from minigrad import threads
from minigrad.data import shared_memory

_worker_info = None  # set inside a worker process only


@dataclasses.dataclass(frozen=True)
class WorkerInfo:
    """What ``get_worker_info()`` returns inside a worker: id, num_workers, seed, dataset."""

    id: int
    num_workers: int
    seed: int
    dataset: object


def get_worker_info():
    """Information about the current DataLoader worker; ``None`` in the main process."""
    return _worker_info


class _Failure:
    """An exception raised in a worker, carried as text (a traceback does not pickle)."""

    def __init__(self, worker_id, error):
        self.worker_id = worker_id
        self.type = type(error)
        self.text = "".join(traceback.format_exception(type(error), error, error.__traceback__))

    def reraise(self):
        message = (
            f"Caught {self.type.__name__} in DataLoader worker process {self.worker_id}.\n"
            f"Original {self.text}"
        )
        try:
            error = self.type(message)
        except Exception:  # an exception type that needs other arguments
            error = RuntimeError(message)
        raise error


class _StreamEnd:
    """A worker's IterableDataset replica is exhausted."""


def _seed_everything(seed):
    import minigrad

    minigrad.manual_seed(seed)
    np.random.seed(seed % 2**32)
    py_random.seed(seed)


def _worker_loop(fetcher, tasks, results, worker_id, num_workers, seed, init_fn, shared):
    try:
        _serve(fetcher, tasks, results, worker_id, num_workers, seed, init_fn, shared)
    except KeyboardInterrupt:  # Ctrl-C reaches the workers too; the main process reports it
        pass
    except (BrokenPipeError, EOFError):  # the main process is gone
        pass


def _serve(fetcher, tasks, results, worker_id, num_workers, seed, init_fn, shared):
    """``shared``: (prefix, consumed, slots) of the shared-memory slots, or None (the pipe)."""
    global _worker_info
    packer = shared_memory.Packer(shared[0], worker_id, *shared[1:]) if shared else None
    try:
        threads.one_thread_in_worker()  # as PyTorch's: the main process keeps the cores' BLAS
        _seed_everything(seed)
        _worker_info = WorkerInfo(worker_id, num_workers, seed, fetcher.dataset)
        if init_fn is not None:
            init_fn(worker_id)
    except Exception as error:  # reported with the first task
        init_failure = _Failure(worker_id, error)
    else:
        init_failure = None
    epoch, stream = None, None
    while True:
        try:
            if not tasks.poll(5.0):
                if os.getppid() == 1:  # the main process died without telling us
                    return
                continue
            task = tasks.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        task_epoch, task_id, indices = task
        try:
            if init_failure is not None:
                batch = init_failure
            elif fetcher.iterable:
                if task_epoch != epoch:  # a new epoch: a fresh iterator over the replica
                    epoch, stream = task_epoch, fetcher.stream()
                batch = next(stream, _StreamEnd)
            else:
                batch = fetcher.fetch(indices)
        except Exception as error:
            batch = _Failure(worker_id, error)
        if packer is not None:  # every message, failures too: their count numbers the slots
            try:
                batch = packer.pack(batch)
            except Exception as error:
                batch = _Failure(worker_id, error)
        results.send((task_epoch, task_id, batch))


def _ready(readers, timeout):
    """The readers with a message waiting, after at most ``timeout`` seconds."""
    if len(readers) == 1:
        return readers if readers[0].poll(timeout) else []
    return multiprocessing.connection.wait(readers, timeout=timeout)


class MultiProcessIter:
    """An iterator over a DataLoader's batches read by ``num_workers`` processes.

    Each worker has a pipe for its tasks and one for its results and keeps ``prefetch_factor``
    tasks in flight; results arrive possibly out of order and are handed out in task order.
    """

    def __init__(self, loader, fetcher):
        self._loader = loader
        self._fetcher = fetcher
        self._num_workers = loader.num_workers
        self._timeout = loader.timeout
        self._prefetch = loader.prefetch_factor
        ctx = loader.multiprocessing_context
        if ctx is None or isinstance(ctx, str):
            ctx = multiprocessing.get_context(ctx)
        self._task_pipes = [ctx.Pipe(duplex=False) for _ in range(self._num_workers)]
        self._result_pipes = [ctx.Pipe(duplex=False) for _ in range(self._num_workers)]
        self._workers = []
        self._epoch = -1
        self._base_seed = None
        self._ctx = ctx
        # Large arrays come back through /dev/shm where there is one (see shared_memory.py).
        self._prefix = shared_memory.new_prefix() if shared_memory.available() else None
        self._shared = None
        if self._prefix is not None:
            consumed = ctx.RawArray("q", self._num_workers)  # messages read, per worker
            self._shared = (self._prefix, consumed, self._prefetch + 2)
        self._unpacker = shared_memory.Unpacker()
        self._start_epoch()

    def _start_workers(self):
        threads.before_fork()
        for worker_id in range(self._num_workers):
            process = self._ctx.Process(
                target=_worker_loop,
                args=(
                    self._fetcher,
                    self._task_pipes[worker_id][0],
                    self._result_pipes[worker_id][1],
                    worker_id,
                    self._num_workers,
                    self._base_seed + worker_id,
                    self._loader.worker_init_fn,
                    self._shared,
                ),
                daemon=True,  # workers die with the main process: no orphans after Ctrl-C
            )
            process.start()
            self._workers.append(process)

    def _start_epoch(self):
        """Reset for a new pass over the data (also reused by persistent workers)."""
        if not self._workers:
            # One base seed per iterator, from the loader's generator or the global one.
            self._base_seed = int(self._loader._rng().integers(2**62))
            self._start_workers()
        self._epoch += 1
        self._batches = self._loader._index_batches()
        self._next_task = 0  # id of the next task to send
        self._next_out = 0  # id of the next batch to hand out
        self._task_worker = {}  # task id -> worker id, for the tasks in flight
        self._waiting = {}  # results that came back early
        self._active = [True] * self._num_workers  # an IterableDataset replica can run out
        self._worker_cycle = itertools.cycle(range(self._num_workers))
        for _ in range(self._prefetch * self._num_workers):
            self._send_task()

    def _send_task(self):
        if not any(self._active):
            return
        worker_id = next(self._worker_cycle)
        while not self._active[worker_id]:
            worker_id = next(self._worker_cycle)
        indices = None
        if not self._fetcher.iterable:
            indices = next(self._batches, None)
            if indices is None:
                return
        self._task_pipes[worker_id][1].send((self._epoch, self._next_task, indices))
        self._task_worker[self._next_task] = worker_id
        self._next_task += 1

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return self._next_batch()
        except KeyboardInterrupt:
            self.shutdown()
            raise

    def _next_batch(self):
        while True:
            if not self._task_worker:  # every task is done
                if not self._loader.persistent_workers:
                    self.shutdown(wait=False)
                raise StopIteration
            # in_order=False hands out whichever batch is ready first (a slow one waits).
            task_id, batch = self._result(self._next_out if self._loader.in_order else None)
            worker_id = self._task_worker.pop(task_id)
            self._next_out += 1
            if batch is _StreamEnd:
                self._active[worker_id] = False
                continue
            self._send_task()
            if isinstance(batch, _Failure):
                self.shutdown()
                batch.reraise()
            return batch

    def _result(self, task_id):
        """(task id, batch) for ``task_id``, or for any finished task when it is None."""
        while task_id not in self._waiting and not (task_id is None and self._waiting):
            deadline = time.monotonic() + self._timeout if self._timeout > 0 else None
            readers = [reader for reader, _ in self._result_pipes]
            # In order, only the worker with the next task can help: one poll() on its pipe
            # costs a third of a wait() on all of them, 157 times an MNIST pass.
            waiting_on = readers if task_id is None else [readers[self._task_worker[task_id]]]
            # Wake up now and then to notice a dead worker instead of hanging.
            while not (ready := _ready(waiting_on, timeout=0.1)):
                self._check_workers()
                if deadline is not None and time.monotonic() > deadline:
                    self.shutdown()
                    raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
            for reader in ready:
                try:
                    epoch, got_id, batch = reader.recv()
                except EOFError:  # its worker died mid-send
                    self._check_workers()
                    raise
                batch = self._unpacker.unpack(batch)  # a copy: the slot can be reused now
                if self._shared is not None:
                    self._shared[1][readers.index(reader)] += 1
                if epoch == self._epoch:  # drop what a broken-off epoch left behind
                    self._waiting[got_id] = batch
        if task_id is None:
            task_id = next(iter(self._waiting))
        return task_id, self._waiting.pop(task_id)

    def _check_workers(self):
        dead = [str(p.pid) for p in self._workers if not p.is_alive()]
        if dead:
            self.shutdown()
            raise RuntimeError(f"DataLoader worker (pid(s) {', '.join(dead)}) exited unexpectedly")

    def shutdown(self, wait=True):
        """Stop the workers and wait for them; safe to call twice.

        ``wait=False``, at the end of a pass, when the workers have no task left: they exit
        on their own while the main process goes on. Waiting cost 5 ms a pass of 160 ms (a
        forked process takes that long to exit); multiprocessing reaps them at its next
        start of a process, or at exit.
        """
        workers, self._workers = self._workers, []
        for (_, tasks), process in zip(self._task_pipes, workers, strict=False):
            if process.is_alive():
                try:
                    tasks.send(None)
                except (OSError, ValueError):
                    pass
        for process in workers if wait else ():
            process.join(timeout=0.5)
            if process.is_alive():
                process.terminate()
                process.join(timeout=1.0)
        for pipe in [*self._task_pipes, *self._result_pipes]:
            for end in pipe:
                end.close()
        self._task_pipes, self._result_pipes = [], []
        self._unpacker.close()
        if self._prefix is not None:
            shared_memory.remove_leftovers(self._prefix)

    def __del__(self):
        if getattr(self, "_workers", None):
            self.shutdown()
