"""DataLoader throughput: minigrad against PyTorch, with 0, 1 and 2 worker processes.

    python -m benchmarks.dataloader            # epochs of the 60,000 MNIST images, 5 rounds
    python -m benchmarks.dataloader --quick    # 1,024 images, 1 round (CI)

The pipeline is the one of the PyTorch examples plus augmentation: ToTensor, Normalize,
RandomCrop(28, padding=2), batches of 64, shuffled. PyTorch's side is its own DataLoader
with the same transforms written in torch ops (tests/pytorch_programs/torch_side, since
torchvision does not import beside this torch build). One pass over the images, an epoch of
the training set, is timed per configuration, worker start-up included (about 15 ms: 10% of a
10,000-image pass, 1.5% of an epoch), and the frameworks alternate, round after
round; the median pass is reported as images/s. Each framework runs in a fresh process of its
own, one per round: with torch imported beside it (300 MB more mapped memory for every fork
to copy the page tables of), minigrad's 2-worker passes ran 10% slower. The data are MNIST in
torchvision's layout under a temporary root, linked to $MINIGRAD_DATA/mnist (the full data
set: the shipped 5,000-image sample does not pass datasets.MNIST's size check).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKERS = (0, 1, 2)
BATCH = 64


def has_mnist():
    """Whether $MINIGRAD_DATA holds the full MNIST (mnist/*-ubyte.gz)."""
    data = os.environ.get("MINIGRAD_DATA")
    return bool(data) and (Path(data) / "mnist" / "train-images-idx3-ubyte.gz").exists()


def mnist_root(tmp):
    """<tmp>/MNIST/raw/ holding links to the gzipped IDX files."""
    data = os.environ.get("MINIGRAD_DATA")
    if not data:
        raise SystemExit(
            "benchmarks.dataloader reads the full MNIST (datasets.MNIST checks the 60,000 "
            "training images): set MINIGRAD_DATA to the folder holding mnist/"
        )
    source = Path(data) / "mnist"
    raw = Path(tmp) / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for f in source.glob("*-ubyte.gz"):
        (raw / f.name).symlink_to(f.resolve())
    return str(tmp)


def dataset_and_loader(framework, root, images):
    """The framework's transformed MNIST subset, and its DataLoader class."""
    if framework == "torch":
        sys.path.insert(0, str(ROOT / "tests" / "pytorch_programs" / "torch_side"))
        import torch
        from torchvision import datasets, transforms  # the stand-in, in torch ops

        data = torch.utils.data
    else:
        import minigrad as torch
        from minigrad.vision import datasets, transforms

        data = torch.utils.data
    transform = transforms.Compose(
        [
            transforms.ToTensor(),
            transforms.Normalize((0.1307,), (0.3081,)),
            transforms.RandomCrop(28, padding=2),
        ]
    )
    dataset = data.Subset(datasets.MNIST(root, train=True, transform=transform), range(images))
    return dataset, data.DataLoader


def one_pass(dataset, DataLoader, workers):
    """Images/s of one shuffled pass, the workers' start-up included."""
    start = time.perf_counter()
    loader = DataLoader(dataset, batch_size=BATCH, shuffle=True, num_workers=workers)
    seen = sum(len(x) for x, _ in loader)
    return seen / (time.perf_counter() - start)


def measure(images, rounds, frameworks):
    """{(framework, workers): median images/s of ``rounds`` passes over ``images`` images}."""
    rates = {(f, w): [] for f in frameworks for w in WORKERS}
    for _ in range(rounds):
        for f in frameworks:
            for w, rate in _in_own_process(f, images).items():
                rates[f, w].append(rate)
    return {key: statistics.median(r) for key, r in rates.items()}


def _in_own_process(framework, images):
    """{workers: images/s} of one pass per worker count, in a new Python process."""
    command = [sys.executable, "-m", "benchmarks.dataloader", "--child", framework]
    result = subprocess.run(
        [*command, "--images", str(images)], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    if result.returncode != 0:
        raise RuntimeError(f"benchmarks.dataloader --child {framework} failed:\n{result.stderr}")
    return {int(w): rate for w, rate in json.loads(result.stdout.splitlines()[-1]).items()}


def child(framework, images):
    """Prints {workers: images/s} for ``framework``, as JSON on the last line."""
    with tempfile.TemporaryDirectory() as tmp:
        # Reading and checking the files is not the loader's work: done once, before timing.
        dataset, loader = dataset_and_loader(framework, mnist_root(tmp), images)
        warm = type(dataset)(dataset.dataset, range(min(images, 2048)))
        for w in WORKERS:  # warms the page cache, the allocator, the imports, the first forks
            one_pass(warm, loader, w)
        print(json.dumps({w: one_pass(dataset, loader, w) for w in WORKERS}))


def print_table(rates, images):
    print(
        f"DataLoader, {images} MNIST images a pass, batch {BATCH}, "
        f"ToTensor+Normalize+RandomCrop, {os.cpu_count()} cores"
    )
    print(
        f"{'workers':>8} {'minigrad img/s':>15} {'torch img/s':>12} {'ratio':>6} "
        f"{'vs 0 workers':>13}"
    )
    for w in WORKERS:
        mine = rates["minigrad", w]
        theirs = rates.get(("torch", w))
        ratio = f"{mine / theirs:6.2f}" if theirs else "     -"
        speedup = mine / rates["minigrad", 0]
        print(f"{w:>8} {mine:>15.0f} {theirs or 0:>12.0f} {ratio} {speedup:>12.2f}x")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=None, help="write the results as JSON here")
    parser.add_argument("--child", choices=("minigrad", "torch"), help=argparse.SUPPRESS)
    parser.add_argument("--images", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.images)
    images, rounds = (1024, 1) if args.quick else (60_000, 5)
    try:
        import torch  # noqa: F401

        frameworks = ("minigrad", "torch")
    except ImportError:
        frameworks = ("minigrad",)
    rates = measure(images, rounds, frameworks)
    print_table(rates, images)
    result = {f"{f}/{w}": rate for (f, w), rate in rates.items()}
    if args.out:
        report = {"images": images, "rounds": rounds, "images_per_s": result}
        Path(args.out).write_text(json.dumps(report, indent=2))
    return result


if __name__ == "__main__":
    main()
