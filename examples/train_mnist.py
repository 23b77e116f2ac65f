"""Train a CNN of the model zoo on MNIST with minigrad.

    python examples/train_mnist.py                              # the documents' CNN, 3 epochs
    python examples/train_mnist.py --model lenet5 --plot runs/lenet5.png   # 5 epochs, 99%
    python examples/train_mnist.py --model two-class            # digits 0 and 1, sigmoid output
    python examples/train_mnist.py --resume runs/seed.ckpt      # continue an interrupted run
    python examples/train_mnist.py --device cuda                # on the GPU (needs CuPy)

Data: the full MNIST in $MINIGRAD_DATA/mnist/ (or --data-root), downloaded when missing;
offline, the 5,000/1,000-image sample shipped with minigrad. A checkpoint is written after
every epoch; resuming from it gives bitwise the weights of an uninterrupted run. Ctrl-C saves
the last completed epoch (the interrupted one restarts on resume) and says how to resume.

Also importable: ``main(argv)`` returns the final metrics as a dict.
"""

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

import minigrad as mg
import minigrad.nn.functional as F
import models
from minigrad import optim
from minigrad.data import DataLoader, DatasetNotFoundError, TensorDataset, load_mnist

MEAN, STD = 0.1307, 0.3081  # of the MNIST training pixels in [0, 1]
DEFAULTS = {
    "model": "seed", "epochs": None, "batch_size": 64, "optimizer": "sgd", "lr": None,
    "momentum": 0.9, "weight_decay": None, "schedule": "cosine", "subset": None, "seed": 0,
    "data_root": None,
}  # fmt: skip
# Per-model defaults, measured on the full MNIST (the README's table): the documents' small
# CNNs reach 97.5% in 3 epochs and prefer lr 0.03; the deeper LeNet-5 and ConvNet take
# 5 epochs for 99% and prefer 0.02.
DEFAULT_EPOCHS = {"lenet5": 5, "convnet": 5}
DEFAULT_SGD_LR = {"lenet5": 0.02, "convnet": 0.02}
OPTIMIZERS = {"sgd": optim.SGD, "adam": optim.Adam, "adamw": optim.AdamW}


def positive_int(text):
    """argparse type: an integer >= 1 (argparse turns the ValueError into a usage error)."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def positive_float(text):
    """argparse type: a finite number > 0."""
    value = float(text)
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text}")
    return value


def nonnegative_float(text):
    """argparse type: a finite number >= 0."""
    value = float(text)
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text}")
    return value


CHECKPOINT_KEYS = ("args", "model", "optimizer", "rng_state", "history", "epoch", "train_size")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\nAlso")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    add = parser.add_argument
    # Training settings default to None here, so that --resume can tell the ones given on the
    # command line (which win) from those to take from the checkpoint.
    add("--model", choices=list(models.MODELS), help="model to train (default: seed)")
    add(
        "--epochs",
        type=positive_int,
        help="total epochs, counting resumed ones (default: 3; 5 for lenet5 and convnet)",
    )
    add("--batch-size", type=positive_int, help="training batch size (default: 64)")
    add("--optimizer", choices=list(OPTIMIZERS), help="default: sgd")
    add(
        "--lr",
        type=positive_float,
        help="learning rate (default: 0.001 for adam(w); for sgd 0.03, 0.02 for lenet5 and "
        "convnet)",
    )
    add("--momentum", type=nonnegative_float, help="SGD momentum (default: 0.9)")
    add(
        "--weight-decay",
        type=nonnegative_float,
        help="default: the optimizer's (0, or 0.01 for adamw)",
    )
    add(
        "--schedule",
        choices=["cosine", "constant"],
        help="cosine: the lr decays to 0 along half a cosine, batch by batch (default)",
    )
    add("--subset", type=positive_int, help="use only the first N training images (default: all)")
    add("--seed", type=int, help="random seed for initialisation and shuffling (default: 0)")
    add("--device", default="cpu", help="cpu (default) or cuda (CuPy and an NVIDIA GPU)")
    add("--data-root", help="MNIST data root (default: $MINIGRAD_DATA, else ~/.cache/minigrad)")
    add("--no-download", action="store_true", help="never download MNIST")
    add("--checkpoint", help="checkpoint written after every epoch (default: runs/MODEL.ckpt)")
    add("--resume", nargs="?", const=True, metavar="CHECKPOINT",
        help="continue from CHECKPOINT (default: the --checkpoint path)")  # fmt: skip
    add("--metrics", help="JSON lines, one per epoch (default: the checkpoint's path, .jsonl)")
    add(
        "--plot",
        metavar="PNG",
        help="loss and accuracy curves (default: the checkpoint's path, .png; needs matplotlib)",
    )
    add("--quiet", action="store_true", help="no progress bars or per-epoch lines")
    return parser.parse_args(argv)


def resolve_args(args):
    """Fill unset training settings from the checkpoint (when resuming), then the defaults.

    Returns the checkpoint (or None).
    """
    checkpoint = None
    if args.resume:
        path = args.checkpoint if args.resume is True else args.resume
        path = path or f"runs/{args.model or DEFAULTS['model']}.ckpt"
        if not Path(path).is_file():
            raise SystemExit(f"--resume: no checkpoint at {path} (give one: --resume PATH)")
        checkpoint = mg.load(path)
        missing = [key for key in CHECKPOINT_KEYS if not isinstance(checkpoint, dict)
                   or key not in checkpoint]  # fmt: skip
        if missing:
            held = sorted(checkpoint) if isinstance(checkpoint, dict) else type(checkpoint).__name__
            raise SystemExit(
                f"--resume: {path} is not a checkpoint of this script: it holds {held}, "
                f"expected the keys {list(CHECKPOINT_KEYS)} (missing {missing})"
            )
        saved_model = checkpoint["args"].get("model")
        if args.model is not None and saved_model is not None and args.model != saved_model:
            raise SystemExit(
                f"--resume: this checkpoint is {saved_model}, not {args.model}: "
                f"drop --model or pass --model {saved_model}"
            )
        args.checkpoint = args.checkpoint or path
        for key, saved in checkpoint["args"].items():
            if key not in DEFAULTS:
                continue
            given = getattr(args, key)
            if given is None:
                setattr(args, key, saved)
            elif given != saved and key != "epochs":
                print(f"--{key.replace('_', '-')} {given} overrides the checkpoint's {saved}")
    for key, default in DEFAULTS.items():
        if getattr(args, key) is None:
            setattr(args, key, default)
    if args.epochs is None:
        args.epochs = DEFAULT_EPOCHS.get(args.model, 3)
    if args.lr is None:
        args.lr = DEFAULT_SGD_LR.get(args.model, 0.03) if args.optimizer == "sgd" else 1e-3
    args.checkpoint = args.checkpoint or f"runs/{args.model}.ckpt"
    args.metrics = args.metrics or str(Path(args.checkpoint).with_suffix(".jsonl"))
    return checkpoint


def load_split(args, train):
    """(images float32 (N, 1, 28, 28) normalised, labels int64 (N,)) of one MNIST split."""
    # The sample stands in for the default root only: an explicit --data-root that lacks the
    # data is a mistake to report, not to paper over.
    try:
        dataset = load_mnist(
            args.data_root,
            train=train,
            download=not args.no_download,
            fallback_to_sample=args.data_root is None,
        )
    except DatasetNotFoundError as error:
        raise SystemExit(f"--data-root {args.data_root}: {error}") from None
    images, labels = dataset.data, dataset.targets
    if args.model == "two-class":  # document 001: the digits 0 and 1 only
        keep = labels <= 1
        images, labels = images[keep], labels[keep]
    if train and args.subset:
        images, labels = images[: args.subset], labels[: args.subset]
    # On the whole array at once: one vectorised pass, not a Python call per image, and in
    # place: one float32 copy of the split (188 MB for the training images), not four.
    images = images.astype(np.float32)
    images /= 255
    images -= MEAN
    images /= STD
    return images[:, None], labels


def loss_function(logits, labels, reduction="mean"):
    """Cross-entropy of the logits; binary (sigmoid) cross-entropy for a single output."""
    if logits.shape[1] == 1:
        targets = labels.float().reshape(-1, 1)
        return F.binary_cross_entropy_with_logits(logits, targets, reduction=reduction)
    return F.cross_entropy(logits, labels, reduction=reduction)


def predictions(logits):
    """Predicted labels: the argmax, or for a single output whether the logit is positive
    (Tensors on the logits' device: only the count of correct ones comes to the host)."""
    return (logits[:, 0] > 0).long() if logits.shape[1] == 1 else logits.argmax(1)


def learning_rate(args, step, total_steps):
    """The lr of batch ``step`` (counted from 0 over the whole run) of ``total_steps``.

    cosine: from --lr down to 0 along half a cosine, as ``CosineAnnealingLR(T_max=total_steps)``
    stepped per batch would give, but in closed form: a resumed run computes it from the step
    alone, and a run extended with more --epochs decays over its new length.
    """
    if args.schedule == "constant":
        return args.lr
    return args.lr * (1 + math.cos(math.pi * step / total_steps)) / 2


def train_epoch(model, loader, optimizer, lr_at, first_step, progress, device="cpu"):
    """One pass over the loader, batch ``first_step`` of the run first, the lr of each batch
    from ``lr_at(step)``: (mean loss, accuracy, seconds)."""
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    start = time.perf_counter()
    for step, (images, labels) in enumerate(progress(loader), first_step):
        images, labels = images.to(device), labels.to(device)
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step)
        logits = model(images)
        loss = loss_function(logits, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(labels)
        correct += int((predictions(logits) == labels).sum())
        seen += len(labels)
        progress.set_postfix(loss=total_loss / seen, acc=correct / seen)
    return total_loss / seen, correct / seen, time.perf_counter() - start


@mg.no_grad()
def evaluate(model, images, labels, batch_size=1000, device="cpu"):
    """(mean loss, accuracy) over arrays of images and labels, in eval mode and large batches."""
    model.eval()
    total_loss, correct = 0.0, 0
    for start in range(0, len(labels), batch_size):
        x = mg.from_numpy(images[start : start + batch_size]).to(device)
        y = mg.from_numpy(labels[start : start + batch_size]).to(device)
        logits = model(x)
        total_loss += loss_function(logits, y, reduction="sum").item()
        correct += int((predictions(logits) == y).sum())
    model.train()
    return total_loss / len(labels), correct / len(labels)


class Progress:
    """A tqdm bar per epoch (or nothing when quiet), with running loss and accuracy."""

    def __init__(self, quiet, description):
        self.quiet, self.description, self.bar = quiet, description, None

    def __call__(self, iterable):
        self.bar = tqdm(iterable, desc=self.description, unit="batch", disable=self.quiet)
        return self.bar

    def set_postfix(self, loss, acc):
        # refresh=False: tqdm redraws at its own pace instead of on every batch.
        self.bar.set_postfix(loss=f"{loss:.4f}", acc=f"{acc:.2%}", refresh=False)


def write_metrics(path, history):
    """The whole history as JSON lines, so a resumed run's file lists every epoch."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as file:
        file.writelines(json.dumps(record) + "\n" for record in history)


def plot(path, history, title):
    """Loss and accuracy curves (train and test) per epoch, as a PNG."""
    import matplotlib
    import matplotlib.ticker

    matplotlib.use("Agg")  # files only: no display needed
    import matplotlib.pyplot as plt

    epochs = [record["epoch"] for record in history]
    figure, (loss_axes, acc_axes) = plt.subplots(1, 2, figsize=(10, 4))
    for split in ("train", "test"):
        loss_axes.plot(epochs, [r[f"{split}_loss"] for r in history], "o-", label=split)
        acc_axes.plot(epochs, [100 * r[f"{split}_acc"] for r in history], "o-", label=split)
    for axes, label in ((loss_axes, "loss"), (acc_axes, "accuracy (%)")):
        axes.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        axes.set_xlabel("epoch")
        axes.set_ylabel(label)
        axes.grid(alpha=0.3)
        axes.legend()
    figure.suptitle(title)
    figure.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)


def have_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def check_writable(option, path):
    """Fail before training, not after the first epoch, when ``path`` cannot be written."""
    folder = Path(path).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
    except OSError as error:
        raise SystemExit(f"{option} {path}: cannot write there ({error})") from None


def main(argv=None):
    """Train as the command line says; returns the final metrics (a dict)."""
    args = parse_args(argv)
    checkpoint = resolve_args(args)
    check_writable("--checkpoint", args.checkpoint)
    if args.plot is None:  # by default, a PNG beside the checkpoint when matplotlib is there
        args.plot = str(Path(args.checkpoint).with_suffix(".png")) if have_matplotlib() else None
    elif not have_matplotlib():
        print(f'--plot {args.plot}: needs matplotlib: pip install -e ".[plot]"; not plotting')
        args.plot = None
    try:
        device = mg.device(args.device)
        mg.zeros(1, device=device)  # a device that is not present raises here, before training
    except RuntimeError as error:
        raise SystemExit(f"--device {args.device}: {error}") from None
    mg.manual_seed(args.seed)
    train_x, train_y = load_split(args, train=True)
    test_x, test_y = load_split(args, train=False)
    model = models.create(args.model).to(device)
    options = {"lr": args.lr}
    if args.optimizer == "sgd":
        options["momentum"] = args.momentum
    if args.weight_decay is not None:
        options["weight_decay"] = args.weight_decay
    optimizer = OPTIMIZERS[args.optimizer](model.parameters(), **options)
    loader = DataLoader(TensorDataset(train_x, train_y), batch_size=args.batch_size, shuffle=True)
    total_steps = args.epochs * len(loader)
    lr_at = lambda step: learning_rate(args, step, total_steps)

    history, done = [], 0
    if checkpoint is not None:
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        # The generator draws the next epochs' shuffles: restoring it repeats them exactly.
        mg.set_rng_state(checkpoint["rng_state"])
        history, done = list(checkpoint["history"]), checkpoint["epoch"]
        if checkpoint["train_size"] != len(train_y):
            print(
                f"warning: the checkpoint was trained on {checkpoint['train_size']} images, "
                f"this run has {len(train_y)}: check --data-root/MINIGRAD_DATA and --subset"
            )
    if not args.quiet:
        count = sum(p.numel() for p in model.parameters())
        print(
            f"{args.model}: {count:,} parameters; {len(train_y):,} training and "
            f"{len(test_y):,} test images; {args.optimizer} lr {args.lr} ({args.schedule}), "
            f"batch {args.batch_size}"
            + (f"; resuming after epoch {done}" if checkpoint is not None else "")
        )

    def snapshot(epoch):
        # A copy of everything the next epochs depend on: state_dict() copies the arrays.
        return {
            "model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch,
            "rng_state": mg.get_rng_state(), "args": dict(vars(args)), "history": list(history),
            "train_size": len(train_y),
        }  # fmt: skip

    last = snapshot(done)  # what Ctrl-C saves: the state after the last completed epoch
    Path(args.checkpoint).parent.mkdir(parents=True, exist_ok=True)
    epoch = done
    try:
        for epoch in range(done + 1, args.epochs + 1):
            start, first_step = time.perf_counter(), (epoch - 1) * len(loader)
            progress = Progress(args.quiet, f"epoch {epoch}/{args.epochs}")
            train_loss, train_acc, train_seconds = train_epoch(
                model, loader, optimizer, lr_at, first_step, progress, device
            )
            test_loss, test_acc = evaluate(model, test_x, test_y, device=device)
            record = {
                "epoch": epoch, "train_loss": train_loss, "train_acc": train_acc,
                "test_loss": test_loss, "test_acc": test_acc,
                "seconds": time.perf_counter() - start, "train_seconds": train_seconds,
                "images_per_second": len(train_y) / train_seconds, "lr": lr_at(first_step),
            }  # fmt: skip
            history.append(record)
            last = snapshot(epoch)
            mg.save(last, args.checkpoint)
            write_metrics(args.metrics, history)
            if args.plot:
                plot(args.plot, history, f"{args.model} on MNIST")
            if not args.quiet:
                print(
                    f"epoch {epoch}: train loss {train_loss:.4f} acc {train_acc:.2%} | test "
                    f"loss {test_loss:.4f} acc {test_acc:.2%} | {record['seconds']:.1f} s, "
                    f"{record['images_per_second']:,.0f} images/s"
                )
    except KeyboardInterrupt:
        mg.save(last, args.checkpoint)  # atomic: an interrupted save keeps the old file whole
        print(
            f"\nInterrupted during epoch {epoch}: saved the state after epoch {last['epoch']} "
            f"to {args.checkpoint}.\nResume with: "
            f"python examples/train_mnist.py --resume {args.checkpoint}",
            file=sys.stderr,
        )
        raise SystemExit(130) from None  # 128 + SIGINT, as a shell reports Ctrl-C

    if not history:
        raise SystemExit(f"nothing to train: --epochs is {args.epochs}")
    seconds = sum(r["train_seconds"] for r in history)
    summary = {
        **history[-1], "model": args.model, "epochs": len(history),
        "seconds": sum(r["seconds"] for r in history), "train_seconds": seconds,
        "images_per_second": len(train_y) * len(history) / seconds,
        "train_size": len(train_y), "test_size": len(test_y), "base_lr": args.lr,
        "checkpoint": args.checkpoint, "metrics": args.metrics, "history": history,
    }  # fmt: skip
    print(
        f"{args.model}: test accuracy {summary['test_acc']:.2%} after {len(history)} "
        f"epoch{'s' * (len(history) != 1)}; "
        f"{summary['seconds']:.1f} s ({seconds:.1f} s training, "
        f"{summary['images_per_second']:,.0f} images/s); checkpoint {args.checkpoint}"
    )
    return summary


if __name__ == "__main__":
    main()
