"""Models S and K in tinygrad, as a tinygrad user writes them: tinygrad.nn layers, TinyJit.

tinygrad is a peer of the benchmark when it imports and its CPU backend can compile (it
calls ``$CC``, clang by default). It is imported only inside the functions, so that a process
measuring minigrad never loads it. The kernels are tinygrad's defaults: no BEAM search.
"""

import importlib.util
import os
import shutil


def available():
    """Whether tinygrad is installed and the C compiler of its CPU device is on the PATH."""
    compiler = os.environ.get("CC", "clang")
    return importlib.util.find_spec("tinygrad") is not None and shutil.which(compiler) is not None


def version():
    from importlib.metadata import version

    return version("tinygrad")


def _tinygrad():
    """The tinygrad module, on its CPU device with the thread count of numpy and PyTorch, and
    compiling in this process."""
    # All three are read once, at import: a GPU must not win the default device; tinygrad
    # would otherwise take the cgroup's CPU quota rather than the cores the others get; and
    # its default compile pool (PARALLEL worker processes, each replaced by a newly spawned
    # one after 16 kernels) can still be starting up while another framework is timed.
    os.environ.setdefault("DEV", "CPU")
    threads = os.environ.get("OPENBLAS_NUM_THREADS") or str(os.cpu_count())
    os.environ.setdefault("NUM_CPU_THREADS", threads)
    os.environ.setdefault("PARALLEL", "0")
    import tinygrad

    return tinygrad


def network(model):
    """Model S or K (as models.network) as a list of callables, for Tensor.sequential."""
    nn, Tensor = _tinygrad().nn, _tinygrad().Tensor
    flatten = lambda x: x.flatten(1)
    if model == "S":
        return [nn.Conv2d(1, 8, 3), Tensor.max_pool2d, flatten, nn.Linear(1352, 10)]
    return [
        nn.Conv2d(1, 32, 3),
        Tensor.relu,
        Tensor.max_pool2d,
        nn.Conv2d(32, 64, 3),
        Tensor.relu,
        Tensor.max_pool2d,
        nn.Conv2d(64, 64, 3),
        Tensor.relu,
        flatten,
        nn.Linear(576, 64),
        Tensor.relu,
        nn.Linear(64, 10),
    ]


def steps(model, images, labels, train, seed=0):
    """``run(n)`` as models.steps: n JIT-ed training steps or inference passes on the batch.

    The JIT captures on the second call and replays from the third, so three calls are made
    here, before any timing. tinygrad is lazy and its CPU device runs kernels on a worker
    thread: each call realizes its output, and ``run`` reads the last one back (a
    synchronisation) so that it returns after the work, not after queueing it.
    """
    tinygrad = _tinygrad()
    Tensor, Context = tinygrad.Tensor, tinygrad.Context
    Tensor.manual_seed(seed)
    layers = network(model)
    optimizer = tinygrad.nn.optim.SGD(
        tinygrad.nn.state.get_parameters(layers), lr=0.01, momentum=0.9
    )
    x, y = Tensor(images).realize(), Tensor(labels).realize()

    @tinygrad.TinyJit
    def train_step(x, y):
        # tinygrad 0.14 has no Tensor.train(): an optimizer step needs TRAINING set.
        with Context(TRAINING=1):
            optimizer.zero_grad()
            loss = x.sequential(layers).cross_entropy(y)
            loss.backward()
            optimizer.step()
        return loss.realize()

    @tinygrad.TinyJit
    def infer(x):
        return x.sequential(layers).realize()

    def call():
        return train_step(x, y) if train else infer(x)

    def run(n):
        out = None
        for _ in range(n):
            out = call()
        if out is not None:
            out.numpy()

    run(3)
    return run
