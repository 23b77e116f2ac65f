"""minigrad against PyTorch, tinygrad and the founding documents' per-image loops.

    python -m benchmarks.run               # full run: table, benchmarks/results.json, targets
    python -m benchmarks.run --quick       # a few steps (CI); no targets asserted
    python -m benchmarks.run --runs 5      # the model rows' measurement 5 times: medians, spread
    python -m benchmarks.run --out r.json  # write the JSON elsewhere

Protocol. One process, one fixed batch of random images, float32, the same thread count for
numpy's BLAS and PyTorch (``OPENBLAS_NUM_THREADS``, else every core). The frameworks are
timed in turn, A B A B ..., and the median of the repeats is reported. Between two blocks
the process sleeps ``PAUSE`` seconds: OpenBLAS's threads spin for about 0.1 s after a
product, and a PyTorch block started meanwhile ran at half speed or less.

Peers. PyTorch, and tinygrad where it imports and its CPU backend finds its C compiler
(benchmarks/tinygrad_models.py: tinygrad.nn layers, TinyJit, no BEAM search), are timed in
the same blocks, A B C A B C. With ``--runs N`` all the model blocks are run N times over:
a row reports the median of its N rates, and the range of its ratio to PyTorch across them.

Data pipeline. benchmarks/dataloader.py's MNIST pipeline (ToTensor, Normalize, RandomCrop,
batch 64, shuffled) with 0, 1 and 2 workers, minigrad's DataLoader against PyTorch's; it
needs the full MNIST under $MINIGRAD_DATA/mnist, and is left out, with a note, without it.

Fresh processes. A process's peak RSS is a high-water mark, so each row's memory comes from
a new process that runs only that row (minigrad's never imports torch). Those processes
also time their row ("fresh" images/s): in a new process glibc's malloc has not yet raised
its thresholds after large frees, so large arrays come back as new pages each step
(see the report of issue 4); the in-process numbers run after warm-up.

GFLOP/s counts the products of the convolutions and linear layers
(``models.flops_per_image``), against the float32 matmul peak measured here. The OPENBLAS_*
variables are recorded in the JSON: runs with and without them are comparable only as such.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks import dataloader, models, reference_loops, tinygrad_models

ROOT = Path(__file__).resolve().parents[1]
TRAIN_BATCH, INFER_BATCH = 64, 1000
PAUSE = 0.25  # seconds between timed blocks (full runs)
TARGETS = [  # (name, kind, model, mode, threshold); the data-pipeline kinds have no model
    ("Model K training >= 1.1x PyTorch", "ratio", "K", "train", 1.1),
    ("Model S training >= 1.2x PyTorch", "ratio", "S", "train", 1.2),
    ("Model K inference >= 1.2x PyTorch", "ratio", "K", "infer", 1.2),
    ("Model S inference >= 1.2x PyTorch", "ratio", "S", "infer", 1.2),
    ("Model S inference >= 1.2x tinygrad (TinyJit)", "tinygrad", "S", "infer", 1.2),
    ("Model S training >= 200x the per-image loops", "loops", "S", "train", 200),
    ("Model K training, 200 steps: peak RSS <= 150 MB without torch", "rss", "K", "train", 150),
    ("DataLoader 2 workers >= 1.5x 0 workers", "workers", None, None, 1.5),
    ("DataLoader 2 workers >= PyTorch's 2 workers", "loader", None, None, 1.0),
]


def threads():
    return int(os.environ.get("OPENBLAS_NUM_THREADS") or os.cpu_count())


def peak_rss_mb():
    """This process's peak resident memory (VmHWM), in MB (10^6 bytes)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    import resource  # ru_maxrss: kB on Linux, bytes on macOS

    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e6


def matmul_gflops(library, size, repeats):
    """Best float32 (size x size) @ (size x size) rate of numpy's BLAS or of PyTorch."""
    rng = np.random.default_rng(0)
    a, b = (rng.random((size, size), dtype=np.float32) for _ in range(2))
    if library == "torch":
        import torch

        a, b = torch.from_numpy(a), torch.from_numpy(b)
    a @ b
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best / 1e9


def interleaved(runners, steps, repeats, pause, warmup=2):
    """{name: [seconds per step, one per repeat]}, timing the runners in turn (A B A B ...).

    ``run(n)`` does n steps; it may return the seconds it timed itself (a backward pass
    without its forward), else the whole call is timed.
    """
    for run in runners.values():
        run(warmup)
    times = {name: [] for name in runners}
    for _ in range(repeats):
        for name, run in runners.items():
            time.sleep(pause)
            start = time.perf_counter()
            elapsed = run(steps)
            elapsed = time.perf_counter() - start if elapsed is None else elapsed
            times[name].append(elapsed / steps)
    return times


# ---- model rows ---------------------------------------------------------------------------


def model_rows(libraries, quick, peak, runs=1):
    """One row per (model, mode, framework), plus the per-image loops on Model S training.

    The four blocks (S and K, training and inference) are measured ``runs`` times over; the
    networks are built once, so tinygrad's JIT compiles once.
    """
    configs = [(model, train) for model in ("S", "K") for train in (True, False)]
    runners, rates = {}, {(c, lib): [] for c in configs for lib in libraries}
    for _ in range(runs):
        for model, train in configs:
            batch = TRAIN_BATCH if train else INFER_BATCH
            if (model, train) not in runners:
                runners[model, train] = {
                    lib: models.steps(lib, model, batch, train) for lib in libraries
                }
            steps = (2 if quick else {"S": 20, "K": 8}[model]) if train else (1 if quick else 2)
            times = interleaved(
                runners[model, train], steps, 1 if quick else 7, 0.0 if quick else PAUSE
            )
            for lib in libraries:
                rates[(model, train), lib].append(batch / statistics.median(times[lib]))
    rows = []
    for (model, train), lib in rates:
        row = _row(model, train, lib, statistics.median(rates[(model, train), lib]), peak)
        rows.append(dict(row, images_per_s_runs=rates[(model, train), lib]))
    images, labels = models.batch(3 if quick else 32, seed=1)
    loops = reference_loops.images_per_second(images[:, 0].astype(np.float64), labels)
    rows.append(_row("S", True, "loops", loops, peak, batch=1))
    return rows


def _row(model, train, library, images_per_s, peak, batch=None):
    flops = models.flops_per_image(model, train)
    return {
        "model": model,
        "mode": "train" if train else "infer",
        "framework": library,
        "batch": batch or (TRAIN_BATCH if train else INFER_BATCH),
        "images_per_s": images_per_s,
        "gflops": images_per_s * flops / 1e9,
        "fraction_of_peak": images_per_s * flops / 1e9 / peak,
    }


def add_ratios(rows):
    """vs_torch (and its range over the runs) for every row; vs_tinygrad for minigrad's rows
    when tinygrad was measured."""
    by_key = {(r["model"], r["mode"], r["framework"]): r for r in rows}
    tinygrad = any(r["framework"] == "tinygrad" for r in rows)
    for row in rows:
        _ratio(row, by_key.get((row["model"], row["mode"], "torch")), "vs_torch")
        if tinygrad and row["framework"] == "minigrad":
            _ratio(row, by_key.get((row["model"], row["mode"], "tinygrad")), "vs_tinygrad")


def _ratio(row, reference, name):
    """row[name]: the ratio of the medians; name_min and name_max: its extremes over the runs
    (None for the loops, measured once)."""
    row[name] = row[f"{name}_min"] = row[f"{name}_max"] = None
    if reference is None:
        return
    row[name] = row["images_per_s"] / reference["images_per_s"]
    runs = zip(row.get("images_per_s_runs", []), reference["images_per_s_runs"])
    ratios = [ours / theirs for ours, theirs in runs]
    if ratios:
        row[f"{name}_min"], row[f"{name}_max"] = min(ratios), max(ratios)


def add_fresh_runs(rows, quick):
    """A fresh process per row for its memory (and speed)."""
    by_key = {(r["model"], r["mode"], r["framework"]): r for r in rows}
    for row in rows:
        row["peak_rss_mb"] = row["fresh_images_per_s"] = None
        if row["framework"] in ("torch", "tinygrad") and quick:
            continue  # seconds to start (torch) or to compile (tinygrad): full runs only
        train = row["mode"] == "train"
        steps = 5 if row["framework"] == "loops" else (3 if quick else (200 if train else 5))
        spec = dict(
            library=row["framework"],
            model=row["model"],
            batch=row["batch"],
            train=train,
            steps=steps,
        )
        child = fresh_run(spec)
        if child:
            row.update(child, fresh_steps=steps)
    for row in rows:
        reference = by_key.get((row["model"], row["mode"], "torch"))
        if reference and reference["fresh_images_per_s"] and row["fresh_images_per_s"]:
            row["fresh_vs_torch"] = row["fresh_images_per_s"] / reference["fresh_images_per_s"]


def fresh_run(spec):
    """Run ``spec`` in a new process: {peak_rss_mb, fresh_images_per_s, torch_imported,
    tinygrad_imported}."""
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    )
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--child", json.dumps(spec)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if result.returncode != 0:
        print(f"fresh run {spec} failed:\n{result.stderr[-2000:]}", file=sys.stderr)
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


def child(spec):
    """``--child``: one row alone; prints its peak RSS and speed as JSON."""
    steps = spec["steps"]
    if spec["library"] == "loops":
        images, labels = models.batch(steps, seed=0)
        speed = reference_loops.images_per_second(images[:, 0].astype(np.float64), labels)
    else:
        run = models.steps(spec["library"], spec["model"], spec["batch"], spec["train"])
        warmup = max(1, steps // 10)
        run(warmup)
        start = time.perf_counter()
        run(steps - warmup)
        speed = spec["batch"] * max(steps - warmup, 1) / (time.perf_counter() - start)
    print(
        json.dumps(
            {
                "peak_rss_mb": peak_rss_mb(),
                "fresh_images_per_s": speed,
                "torch_imported": "torch" in sys.modules,
                "tinygrad_imported": "tinygrad" in sys.modules,
            }
        )
    )


# ---- per-op rows --------------------------------------------------------------------------


def op_rows(torch, quick):
    """conv2d and max_pool2d of Model K at batch 64, forward and backward, vs PyTorch.

    Each framework gets its inputs and upstream gradients in the memory layout its own
    previous layer produces in the model: NCHW for PyTorch, channels-last for minigrad.
    """
    import minigrad as mg
    import minigrad.nn.functional as F

    rng = np.random.default_rng(0)
    cases = [
        ("conv2d", "K conv1 1->32", (64, 1, 28, 28), (32, 1, 3, 3)),
        ("conv2d", "K conv2 32->64", (64, 32, 13, 13), (64, 32, 3, 3)),
        ("conv2d", "K conv3 64->64", (64, 64, 5, 5), (64, 64, 3, 3)),
        ("max_pool2d", "K pool1 2x2", (64, 32, 26, 26), None),
        ("max_pool2d", "K pool2 2x2", (64, 64, 11, 11), None),
    ]
    rows = []
    for op, case, shape, weight_shape in cases:
        x = rng.random(shape, dtype=np.float32)
        w = rng.standard_normal(weight_shape, dtype=np.float32) if weight_shape else None
        needs_input_grad = not case.startswith("K conv1")  # the images need no gradient
        calls = {"minigrad": _op_call(mg, F, x, w, needs_input_grad, channels_last=True)}
        if torch:
            import torch.nn.functional as TF

            calls["torch"] = _op_call(torch, TF, x, w, needs_input_grad, channels_last=False)
        for direction in ("forward", "backward"):
            runners = {lib: (lambda n, c=c, d=direction: c(n, d)) for lib, c in calls.items()}
            times = interleaved(
                runners, 2 if quick else 10, 1 if quick else 5, 0.0 if quick else PAUSE
            )
            ms = {lib: 1e3 * statistics.median(t) for lib, t in times.items()}
            reference = ms.get("torch")
            rows.append(
                {
                    "op": op,
                    "case": case,
                    "input_shape": list(shape),
                    "direction": direction,
                    "minigrad_ms": ms["minigrad"],
                    "torch_ms": reference,
                    "vs_torch": reference / ms["minigrad"] if reference else None,
                }
            )
    return rows


def _op_call(lib, F, x, w, needs_input_grad, channels_last):
    """``call(n, direction)``: n forward passes, or n backward passes (forward untimed)."""

    def layout(array):
        if not channels_last:
            return array
        return np.ascontiguousarray(array.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)

    input = lib.from_numpy(layout(x)).requires_grad_(needs_input_grad)
    weight = None if w is None else lib.from_numpy(w).requires_grad_(True)

    def forward():
        return F.max_pool2d(input, 2) if weight is None else F.conv2d(input, weight)

    grad = np.random.default_rng(1).random(tuple(forward().shape), dtype=np.float32)
    grad = lib.from_numpy(layout(grad))

    def call(n, direction):
        if direction == "forward":
            for _ in range(n):
                forward()
            return None
        elapsed = 0.0
        for _ in range(n):
            out = forward()
            start = time.perf_counter()
            out.backward(grad)
            elapsed += time.perf_counter() - start
            input.grad = None
            if weight is not None:
                weight.grad = None
        return elapsed

    return call


# ---- data pipeline ------------------------------------------------------------------------


def data_pipeline(torch, quick):
    """benchmarks/dataloader.py's pipeline with 0, 1 and 2 workers, minigrad against PyTorch:
    {images, rounds, batch, rows: one per worker count}; None without the MNIST files."""
    if not dataloader.has_mnist():
        print("data pipeline: no MNIST under $MINIGRAD_DATA/mnist, its rows are left out")
        return None
    images, rounds = (1024, 1) if quick else (60_000, 5)
    frameworks = ("minigrad", "torch") if torch else ("minigrad",)
    rates = dataloader.measure(images, rounds, frameworks)
    rows = []
    for w in dataloader.WORKERS:
        row = {"workers": w}
        for f in frameworks:
            row[f"{f}_images_per_s"] = rates[f, w]
            row[f"{f}_vs_0_workers"] = rates[f, w] / rates[f, 0]
        row["vs_torch"] = rates["minigrad", w] / rates["torch", w] if torch else None
        rows.append(row)
    return {"images": images, "rounds": rounds, "batch": dataloader.BATCH, "rows": rows}


# ---- report -------------------------------------------------------------------------------


def check_targets(rows, data=None):
    """Each target with its measured value and whether it is met (None: not measured)."""
    by_key = {(r["model"], r["mode"], r["framework"]): r for r in rows}
    loaders = {r["workers"]: r for r in data["rows"]} if data else None
    results = []
    for name, kind, model, mode, threshold in TARGETS:
        ours = by_key.get((model, mode, "minigrad"))
        if kind == "workers":
            value = None if loaders is None else loaders[2]["minigrad_vs_0_workers"]
        elif kind == "loader":
            value = None if loaders is None else loaders[2]["vs_torch"]
        elif kind == "ratio":
            value = ours["vs_torch"]
        elif kind == "tinygrad":
            value = ours.get("vs_tinygrad")
        elif kind == "loops":
            value = ours["images_per_s"] / by_key[(model, mode, "loops")]["images_per_s"]
        else:
            measured = ours.get("torch_imported") is False and ours.get("fresh_steps") == 200
            value = ours["peak_rss_mb"] if measured else None
        met = (
            None if value is None else (value <= threshold if kind == "rss" else value >= threshold)
        )
        results.append({"target": name, "value": value, "threshold": threshold, "met": met})
    return results


def print_report(meta, rows, ops, data, targets):
    print(
        f"minigrad benchmark ({'quick' if meta['quick'] else 'full'}): {meta['threads']} "
        f"threads, float32, OPENBLAS_CORETYPE={meta['OPENBLAS_CORETYPE']}, "
        f"OPENBLAS_L2_SIZE={meta['OPENBLAS_L2_SIZE']} (None: unset)"
    )
    print(
        f"float32 matmul peak, GFLOP/s: numpy {meta['matmul_gflops_numpy']:.0f}, torch "
        f"{_fmt(meta['matmul_gflops_torch'], '.0f')}; % peak below is of "
        f"{meta['peak_gflops']:.0f}"
    )
    if meta["tinygrad"]:
        print(f"tinygrad {meta['tinygrad']}, TinyJit on its CPU device")
    print_model_table(rows, meta["runs"])
    print("\nper op, batch 64, ms (median)")
    print(f"{'case':>16}{'direction':>11}{'minigrad':>10}{'torch':>10}{'vs torch':>10}")
    for r in ops:
        print(
            f"{r['case']:>16}{r['direction']:>11}{r['minigrad_ms']:>10.3f}"
            f"{_fmt(r['torch_ms'], '.3f'):>10}{_fmt(r['vs_torch'], '.2f'):>10}"
        )
    if data:
        print_data_table(data)
    print("\ntargets")
    for t in targets:
        status = {True: "met", False: "MISSED", None: "not measured"}[t["met"]]
        print(f"  {status:>12}  {t['target']}: {_fmt(t['value'], '.2f')}")


def print_model_table(rows, runs):
    columns = [  # (header, cell); vs tinygrad only where tinygrad was measured
        ("model", lambda r: r["model"]),
        ("mode", lambda r: r["mode"]),
        ("framework", lambda r: r["framework"]),
        ("batch", lambda r: r["batch"]),
        ("images/s", lambda r: _fmt(r["images_per_s"], ".0f")),
        ("vs torch", lambda r: _fmt(r["vs_torch"], ".2f")),
        ("torch range", lambda r: _range(r["vs_torch_min"], r["vs_torch_max"])),
        ("vs tinygrad", lambda r: _fmt(r.get("vs_tinygrad"), ".2f")),
        ("GFLOP/s", lambda r: _fmt(r["gflops"], ".2f")),
        ("% peak", lambda r: _fmt(100 * r["fraction_of_peak"], ".1f")),
        ("peak RSS MB", lambda r: _fmt(r["peak_rss_mb"], ".0f")),
        ("fresh img/s", lambda r: _fmt(r["fresh_images_per_s"], ".0f")),
        ("fresh vs", lambda r: _fmt(r.get("fresh_vs_torch"), ".2f")),
    ]
    if not any("vs_tinygrad" in r for r in rows):
        columns = [c for c in columns if c[0] != "vs tinygrad"]
    print(f"\nmodels: median of {runs} run(s); torch range: vs torch's extremes over the runs")
    print("".join(f"{header:>12}" for header, _ in columns))
    for r in rows:
        print("".join(f"{cell(r):>12}" for _, cell in columns))


def print_data_table(data):
    print(
        f"\ndata pipeline: {data['images']} MNIST images a pass, batch {data['batch']}, "
        f"ToTensor+Normalize+RandomCrop, median of {data['rounds']} round(s), images/s"
    )
    print(f"{'workers':>8}{'minigrad':>10}{'torch':>10}{'vs torch':>10}{'vs 0 workers':>14}")
    for r in data["rows"]:
        print(
            f"{r['workers']:>8}{r['minigrad_images_per_s']:>10.0f}"
            f"{_fmt(r.get('torch_images_per_s'), '.0f'):>10}{_fmt(r['vs_torch'], '.2f'):>10}"
            f"{r['minigrad_vs_0_workers']:>13.2f}x"
        )


def _range(low, high):
    return "-" if low is None else f"{low:.2f}-{high:.2f}"


def _fmt(value, spec):
    return "-" if value is None else format(value, spec)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few steps; no targets")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results.json"))
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    parser.add_argument("--no-tinygrad", action="store_true", help="leave tinygrad out")
    parser.add_argument("--runs", type=int, default=1, help="measure the model rows N times")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # internal: one row, fresh process
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.child:
        return child(json.loads(args.child))
    torch = None
    if not args.no_torch:
        try:
            import torch

            torch.set_num_threads(threads())
        except ImportError:
            pass
    tinygrad = not args.no_tinygrad and tinygrad_models.available()
    size, repeats = (512, 3) if args.quick else (2048, 5)
    numpy_peak = matmul_gflops("numpy", size, repeats)
    time.sleep(0.0 if args.quick else PAUSE)
    torch_peak = matmul_gflops("torch", size, repeats) if torch else None
    meta = {
        "quick": args.quick,
        "threads": threads(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__ if torch else None,
        "tinygrad": tinygrad_models.version() if tinygrad else None,
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
        "matmul_gflops_numpy": numpy_peak,
        "matmul_gflops_torch": torch_peak,
        "peak_gflops": max(numpy_peak, torch_peak or 0.0),
        "pause_s": 0.0 if args.quick else PAUSE,
        "runs": args.runs,
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    libraries = ["minigrad"] + (["torch"] if torch else []) + (["tinygrad"] if tinygrad else [])
    # The loaders first: their workers fork a process not yet grown by the models, nor
    # running tinygrad's device thread.
    data = data_pipeline(torch, args.quick)
    rows = model_rows(libraries, args.quick, meta["peak_gflops"], args.runs)
    ops = op_rows(torch, args.quick)
    add_ratios(rows)
    add_fresh_runs(rows, args.quick)
    targets = check_targets(rows, data)
    print_report(meta, rows, ops, data, targets)
    report = {"meta": meta, "models": rows, "ops": ops, "data_pipeline": data, "targets": targets}
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {args.out}")
    missed = [t["target"] for t in targets if t["met"] is False]
    return 1 if missed and not args.quick else 0


if __name__ == "__main__":
    sys.exit(main())
