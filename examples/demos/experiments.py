"""The founding documents' experiments, reproduced: each document's configuration and reported
result, next to what minigrad gives with the same configuration and with a modern one.

    python -m examples.demos.experiments [--budget 150] [--skip-full] [--quick]
    MINIGRAD_DATA=../shared/data python -m examples.demos.experiments     # with full MNIST

Run time on an idle 2-core machine, full MNIST: about 8 minutes. Document 000's 150 epochs
(about 1 s each) stop after the epoch that passes --budget seconds (give 300 to be sure all
150 run); the train_mnist.py rows (3 epochs of 60,000 images for each of 3 models) take
about 2-3 minutes and --skip-full leaves them out; documents 002 (37 + 100 + 30 epochs of
1,000 images) about 2, 001 and 004 under half a minute. A loaded machine takes several
times longer. --quick: about 30 s.

"Same configuration": the document's network, data, initialisation, input scaling, loss,
learning rate, batch size (1: one image per step, plain SGD) and epochs. minigrad computes
exact gradients, where the documents' hand-written ones send the max-pool gradient to every
tied maximum, and document 000's takes the conv sigmoid's derivative at the wrong point
(see the maxpool_gradient and backprop demos). "Modern": the same network with ReLU instead
of sigmoid activations, PyTorch's default initialisation, normalised inputs, shuffled
mini-batches of 32 and SGD with momentum 0.9, on the same data. Training accuracy is
counted as the documents count it: on each image while training, over the last epoch.
The last rows are examples/train_mnist.py on the full data (or the shipped sample without
it).
"""

import contextlib
import io
import tempfile
import time
from dataclasses import dataclass

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
import models
from examples.demos._common import MEAN, STD, digits, markdown_table, parser, pyplot, save
from minigrad import nn, optim

# The documents' own logs, for the plots: (epoch, running train accuracy) of document 000,
# (images seen, accuracy over the last 500) of document 001.
# fmt: off
LOG_000 = list(zip(
    [*range(1, 13), *range(36, 51)],
    [0.161, 0.164, 0.168, 0.173, 0.177, 0.187, 0.197, 0.207, 0.223, 0.236, 0.244, 0.252,
     0.536, 0.551, 0.554, 0.565, 0.57, 0.583, 0.592, 0.604, 0.613, 0.619, 0.627, 0.633, 0.639,
     0.642, 0.643],
))
LOG_001 = list(zip(
    range(500, 7001, 500),
    [0.708, 0.880, 0.910, 0.936, 0.948, 0.954, 0.968, 0.986, 0.986, 0.992, 0.988, 0.992, 0.996,
     0.988],
))
# fmt: on


@dataclass
class Setup:
    """How to train: everything but the network and the data."""

    epochs: int
    lr: float
    batch_size: int = 1
    momentum: float = 0.0
    loss: str = "cross_entropy"  # or "binary" (one logit), "squared" (sigmoid outputs)
    shuffle: bool = False
    inputs: str = "unit"  # pixels / 255; "centred": - 0.5; "normalised": (- mean) / std


def modern(epochs, loss="cross_entropy"):
    """The modern setup: shuffled mini-batches of 32, SGD with momentum, normalised inputs."""
    return Setup(
        epochs, lr=0.01, batch_size=32, momentum=0.9, loss=loss, shuffle=True, inputs="normalised"
    )


def prepare(images, inputs):
    """(N, 28, 28) pixels in [0, 1] -> (N, 1, 28, 28) float32 scaled as ``inputs`` says."""
    scaled = {"unit": images, "centred": images - 0.5, "normalised": (images - MEAN) / STD}
    return scaled[inputs].astype(np.float32)[:, None]


def loss_and_predictions(logits, labels, kind):
    """The loss of a batch (mean over it) and its predicted labels."""
    y = mg.from_numpy(labels)
    if kind == "binary":  # one logit: sigmoid output, binary cross-entropy
        loss = F.binary_cross_entropy_with_logits(logits[:, 0], y.float())
        return loss, (logits.numpy()[:, 0] > 0).astype(np.int64)
    if kind == "squared":  # document 002: sigmoid outputs, half the squared error to one-hot
        onehot = np.eye(logits.shape[1], dtype=logits.dtype)[labels]
        loss = 0.5 * ((logits.sigmoid() - mg.from_numpy(onehot)) ** 2).sum() / len(labels)
        return loss, logits.numpy().argmax(1)
    return F.cross_entropy(logits, y), logits.numpy().argmax(1)


@mg.no_grad()
def accuracy(model, images, labels, kind, batch_size=1000):
    """Accuracy of ``model`` on prepared images (N, 1, 28, 28)."""
    correct = 0
    for start in range(0, len(labels), batch_size):
        logits = model(mg.from_numpy(images[start : start + batch_size]))
        _, predicted = loss_and_predictions(logits, labels[start : start + batch_size], kind)
        correct += int((predicted == labels[start : start + batch_size]).sum())
    return correct / len(labels)


def fit(model, setup, train, test, budget=None, log_every=None, seed=0):
    """Train ``model`` as ``setup`` says on ``train`` = (images (N, 28, 28) in [0, 1],
    labels); after every epoch, measure ``test``. Stops after the epoch that passes
    ``budget`` seconds. Returns {"history": per epoch {epoch, train_acc (counted while
    training, as the documents do), train_loss, test_acc, seconds}, "log": (images seen,
    accuracy over the last ``log_every`` images), "epochs": as set up, "stopped_early": bool}."""
    x, y = prepare(train[0], setup.inputs), train[1]
    x_test, y_test = prepare(test[0], setup.inputs), test[1]
    optimizer = optim.SGD(model.parameters(), lr=setup.lr, momentum=setup.momentum)
    rng = np.random.default_rng(seed)
    history, log, recent, seen = [], [], [], 0
    start = time.perf_counter()
    for epoch in range(1, setup.epochs + 1):
        order = rng.permutation(len(y)) if setup.shuffle else np.arange(len(y))
        correct, total_loss = 0, 0.0
        for first in range(0, len(y), setup.batch_size):
            batch = order[first : first + setup.batch_size]
            logits = model(mg.from_numpy(x[batch]))
            loss, predicted = loss_and_predictions(logits, y[batch], setup.loss)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            hits = predicted == y[batch]
            correct += int(hits.sum())
            total_loss += loss.item() * len(batch)
            if log_every:
                recent += hits.tolist()
                seen += len(batch)
                if len(recent) >= log_every:
                    log.append((seen, float(np.mean(recent))))
                    recent = []
        history.append(
            {
                "epoch": epoch,
                "train_acc": correct / len(y),
                "train_loss": total_loss / len(y),
                "test_acc": accuracy(model, x_test, y_test, setup.loss),
                "seconds": time.perf_counter() - start,
            }
        )
        if budget is not None and time.perf_counter() - start > budget:
            break
    return {
        "history": history, "log": log, "epochs": setup.epochs,
        "stopped_early": len(history) < setup.epochs,
    }  # fmt: skip


def init_documents(model, conv_std=None, dense="randn/in", seed=0):
    """The documents' initialisation, in place: conv filters ~ N(0, conv_std^2); dense
    weights ~ N(0, 1) / fan_in ('randn/in', documents 000 and 001) or N(0, 1) / sqrt(fan_in)
    ('randn/sqrt', document 004); biases 0. 'uniform': everything ~ U(-1, 1) (document 002)."""
    mg.manual_seed(seed)
    for name, p in model.named_parameters():
        if dense == "uniform":
            nn.init.uniform_(p, -1.0, 1.0)
        elif name.endswith("bias"):
            nn.init.zeros_(p)
        elif p.ndim == 4:
            nn.init.normal_(p, std=conv_std)
        else:
            fan_in = p.shape[1]
            nn.init.normal_(p, std=1 / (fan_in if dense == "randn/in" else np.sqrt(fan_in)))
    return model


def two_class(train, test):
    """Only the zeros and ones (document 001's task)."""
    return [(x[y <= 1], y[y <= 1]) for x, y in (train, test)]


def document_000(epochs=150, budget=150.0, train_size=1000, test_size=1000, modern_epochs=30):
    """Document 000: conv 8@3x3 -> sigmoid -> max pool -> dense 20 sigmoid -> dense 10
    softmax on the first 1,000 training and test images, one image per step, lr 0.01 (its
    ``train(im, label, lr=0.01)``), 3x50 epochs; filters randn / 9, dense layers (not shown
    in the report) as in the code it builds on: randn / fan_in, zero biases."""
    train, test = digits(True, train_size), digits(False, test_size)
    same = fit(
        init_documents(models.create("seed-hidden"), conv_std=1 / 9),
        Setup(epochs, lr=0.01),
        train,
        test,
        budget=budget,
    )
    mg.manual_seed(0)
    relu = models.create("seed-hidden", conv_activation="relu", hidden_activation="relu")
    return {"same": same, "modern": fit(relu, modern(modern_epochs), train, test)}


def mlp_002():
    """Document 002's network without the conv layer: 784 -> 25 sigmoid -> 10."""
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 25), nn.Sigmoid(), nn.Linear(25, 10))


def document_002(
    epochs=37, mlp_epochs=100, lr=1.0, train_size=1000, test_size=100, modern_epochs=30
):
    """Document 002: conv 5@3x3 (with bias) -> sigmoid -> max pool -> dense 25 sigmoid ->
    dense 10 sigmoid, squared error, everything initialised ~ U(-1, 1), one image per step,
    on the first 1,000 training and 100 test images, 37 epochs; and the same without the
    conv layer (784 -> 25 -> 10), "more than 100 epochs". The post does not give its
    learning rate: ``lr`` 1 had the lowest final training loss of 0.01, 0.1 and 1."""
    train, test = digits(True, train_size), digits(False, test_size)
    setup = Setup(epochs, lr=lr, loss="squared")
    result = {
        "same": fit(init_documents(models.create("seed-5"), dense="uniform"), setup, train, test),
        "mlp": fit(
            init_documents(mlp_002(), dense="uniform"),
            Setup(mlp_epochs, lr=lr, loss="squared"),
            train,
            test,
        ),
    }
    mg.manual_seed(0)
    relu = models.create("seed-5", conv_activation="relu", hidden_activation="relu")
    result["modern"] = fit(relu, modern(modern_epochs), train, test)
    result["test_size"] = len(test[1])
    return result


def document_001(train_size=None, test_size=None, log_every=500):
    """Document 001: digits 0 and 1, conv 8@3x3 (randn / 10, no bias) -> max pool -> dense 1
    (randn / fan_in) -> sigmoid, binary cross-entropy, pixels / 255 - 0.5, lr 0.0001, one
    image per step, one shuffled epoch over all the zeros and ones of the training set
    (12,665 in the full data; those among the sample's 5,000 without it)."""
    train, test = two_class(digits(True, train_size), digits(False, test_size))
    same = fit(
        init_documents(models.create("two-class"), conv_std=0.1),
        Setup(1, lr=1e-4, loss="binary", shuffle=True, inputs="centred"),
        train,
        test,
        log_every=log_every,
    )
    mg.manual_seed(0)
    fast = fit(
        models.create("two-class"), modern(1, loss="binary"), train, test, log_every=log_every
    )
    return {"same": same, "modern": fast, "train_size": len(train[1]), "test_size": len(test[1])}


def document_004(iterations=25, batch_size=10, test_batch=5, seed=0):
    """Document 004: conv 6@3x3 (randn / 9, no bias) -> max pool -> dense 10 (randn /
    sqrt(fan_in), no bias) -> softmax; 25 iterations, each one SGD step (lr 0.1) on the mean
    gradient of 10 random training images, then the accuracy on 5 random test images (its
    curve) and, steadier, on the first 1,000 test images."""
    train, test = digits(True, 5000), digits(False, 1000)
    model = init_documents(models.create("seed-6"), conv_std=1 / 9, dense="randn/sqrt")
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    rng = np.random.default_rng(seed)
    x, x_test = prepare(train[0], "unit"), prepare(test[0], "unit")
    kind = "cross_entropy"
    curve, steady = [], [accuracy(model, x_test, test[1], kind)]
    for _ in range(iterations):
        batch = rng.choice(len(x), batch_size)
        loss, _ = loss_and_predictions(model(mg.from_numpy(x[batch])), train[1][batch], kind)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        sample = rng.choice(len(x_test), test_batch)
        curve.append(accuracy(model, x_test[sample], test[1][sample], kind))
        steady.append(accuracy(model, x_test, test[1], kind))
    return {"curve": curve, "steady": steady, "test_acc": steady[-1]}


def train_mnist_rows(models_to_run=("seed", "lenet5", "convnet"), epochs=3, subset=None):
    """The last rows: examples/train_mnist.py with its defaults (batch 64, SGD momentum 0.9, the
    model's learning rate with a cosine schedule, normalised inputs) on the full MNIST
    ($MINIGRAD_DATA), else on the sample.
    Returns {model: (test accuracy, training images, epochs, seconds, learning rate)}."""
    from examples import train_mnist

    rows = {}
    with tempfile.TemporaryDirectory() as folder:
        for name in models_to_run:
            argv = f"--model {name} --epochs {epochs} --quiet --no-download".split()
            argv += ["--checkpoint", f"{folder}/{name}.ckpt"]
            if subset:
                argv += ["--subset", str(subset)]
            with contextlib.redirect_stdout(io.StringIO()):
                summary = train_mnist.main(argv)
            rows[name] = (
                summary["test_acc"], summary["train_size"], epochs, summary["seconds"],
                summary["base_lr"],
            )  # fmt: skip
    return rows


def run(budget=150.0, full_models=("seed", "lenet5", "convnet"), full_epochs=3, quick=False):
    """All the experiments; ``quick`` shrinks each to seconds (a smoke test, not the numbers).
    ``budget``: seconds for document 000's 150 epochs, which stop early past it."""
    if quick:
        return {
            "000": document_000(epochs=3, budget=budget, modern_epochs=2),
            "002": document_002(epochs=2, mlp_epochs=2, modern_epochs=2),
            "001": document_001(train_size=2000, test_size=300),
            "004": document_004(),
            "full": train_mnist_rows(full_models[:1], epochs=1, subset=2000) if full_models else {},
        }
    return {
        "000": document_000(budget=budget),
        "002": document_002(),
        "001": document_001(),
        "004": document_004(),
        "full": train_mnist_rows(full_models, epochs=full_epochs) if full_models else {},
    }


def _at(history, epoch):
    """The record of ``epoch`` (or the last one, if training stopped before it)."""
    return history[min(epoch, len(history)) - 1]


def _pct(value):
    return f"{100 * value:.1f}%"


def table(result):
    """The results table (markdown): each document's configuration, its reported result, and
    minigrad's with the same and with the modern configuration."""
    rows = []
    r = result["000"]
    same, history = r["same"], r["same"]["history"]
    last, fifty = history[-1], _at(history, 50)
    per_epoch = last["seconds"] / len(history)
    ran = f"{len(history)} epochs" + (
        f" of {same['epochs']} (stopped by the time budget; {per_epoch:.2f} s per epoch)"
        if same["stopped_early"]
        else f" ({last['seconds']:.0f} s)"
    )
    modern_000 = r["modern"]["history"][-1]
    rows.append(
        [
            "000",
            "conv 8@3x3 -> sigmoid -> max pool -> dense 20 sigmoid -> dense 10 softmax; "
            "first 1,000 train / 1,000 test; batch 1, SGD lr 0.01, 3x50 epochs",
            "64.3% train, 59.1% test after 3x50 epochs (its log: 64.3% at epoch 50)",
            f"epoch {fifty['epoch']}: {_pct(fifty['train_acc'])} train, {_pct(fifty['test_acc'])} "
            f"test; after {ran}: {_pct(last['train_acc'])} train, {_pct(last['test_acc'])} test",
            f"{_pct(modern_000['train_acc'])} train, {_pct(modern_000['test_acc'])} test "
            f"({modern_000['epoch']} epochs, {modern_000['seconds']:.0f} s)",
        ]
    )
    r = result["002"]
    conv, mlp, modern_002 = (r[k]["history"][-1] for k in ("same", "mlp", "modern"))
    count = lambda acc: f"{round(acc * r['test_size'])} of {r['test_size']}"
    rows.append(
        [
            "002",
            "conv 5@3x3 + bias -> sigmoid -> max pool -> dense 25 sigmoid -> dense 10 "
            "sigmoid, squared error, U(-1, 1) init; first 1,000 train / 100 test; batch 1, SGD "
            "(lr not given: 1, the lowest training loss of 0.01 / 0.1 / 1), 37 epochs",
            "91 of 100 after 37 epochs; 86 without the conv layer (> 100 epochs)",
            f"{count(conv['test_acc'])} after {conv['epoch']} epochs; {count(mlp['test_acc'])} "
            f"without the conv layer ({mlp['epoch']} epochs)",
            f"{count(modern_002['test_acc'])} ({modern_002['epoch']} epochs)",
        ]
    )
    r = result["001"]
    log = r["same"]["log"]
    late = [acc for _, acc in log[len(log) // 2 :]]
    one, fast = r["same"]["history"][-1], r["modern"]["history"][-1]
    steps = "-"
    if log:
        steps = (
            f"{_pct(log[0][1])} over the first 500 steps, {_pct(min(late))}-{_pct(max(late))} "
            "over each 500 in the second half"
        )
    rows.append(
        [
            "001",
            "digits 0 and 1: conv 8@3x3 -> max pool -> dense 1 sigmoid; pixels / 255 - "
            f"0.5; batch 1, SGD lr 0.0001, 1 epoch over {r['train_size']:,} images",
            "~99%: 70.8% over the first 500 steps, 98.6-99.6% over each 500 after 4,000",
            f"{steps}; {_pct(one['test_acc'])} on the {r['test_size']:,} test zeros and ones",
            f"{_pct(fast['train_acc'])} train, {_pct(fast['test_acc'])} test (1 epoch)",
        ]
    )
    r = result["004"]
    curve = r["curve"]
    rows.append(
        [
            "004",
            "conv 6@3x3 -> max pool -> dense 10 softmax, no biases; 25 iterations of one "
            "SGD step (lr 0.1) on 10 random images, tested on 5 random images",
            "a rising accuracy curve over the 25 iterations",
            f"on 5 test images: {_pct(np.mean(curve[:5]))} over the first 5 iterations, "
            f"{_pct(np.mean(curve[-5:]))} over the last 5; on the first 1,000: "
            f"{_pct(r['steady'][0])} before, {_pct(r['test_acc'])} after the {len(curve)}",
            "-",
        ]
    )
    for name, (acc, size, epochs, seconds, lr) in result["full"].items():
        rows.append(
            [
                "003" if name == "convnet" else "-",
                f"examples/train_mnist.py --model {name}: {size:,} training images, {epochs} "
                f"epoch{'s' * (epochs != 1)}, batch 64, "
                f"SGD momentum 0.9, lr {lr:g} cosine",
                # Document 003 trains it (Keras, Adam, batch 100, 10 epochs) but prints no result.
                "not reported (Keras, Adam, batch 100, 10 epochs)" if name == "convnet" else "-",
                "-",
                f"{_pct(acc)} test ({seconds:.0f} s)",
            ]
        )
    headers = [
        "document",
        "configuration",
        "reported",
        "minigrad, same configuration",
        "minigrad, modern configuration",
    ]
    return markdown_table(headers, rows)


def plot(result, out):
    plt = pyplot()
    if plt is None:
        return []
    figure, axes = plt.subplots(2, 2, figsize=(12, 8.5))
    a, b, c, d = axes.flat
    r = result["000"]
    a.plot(*zip(*LOG_000), "ko", markersize=4, label="document 000's log (train)")
    for key, style, label in (
        ("same", "-", "minigrad, same"),
        ("modern", "--", "minigrad, modern"),
    ):
        history = r[key]["history"]
        epochs = [h["epoch"] for h in history]
        a.plot(
            epochs,
            [h["train_acc"] for h in history],
            style,
            color="tab:blue",
            label=f"{label} (train)",
        )
        a.plot(
            epochs,
            [h["test_acc"] for h in history],
            style,
            color="tab:orange",
            label=f"{label} (test)",
        )
    a.set_title("000: sigmoid CNN, 1,000 images, batch 1")
    a.set_xlabel("epoch")
    r = result["002"]
    for key, colour, label in (
        ("same", "tab:blue", "conv, same"),
        ("mlp", "tab:green", "no conv, same"),
        ("modern", "tab:orange", "conv, modern"),
    ):
        history = r[key]["history"]
        b.plot(
            [h["epoch"] for h in history],
            [h["test_acc"] for h in history],
            color=colour,
            label=label,
        )
    b.axhline(0.91, color="tab:blue", linestyle=":", label="reported: 91 of 100 (conv)")
    b.axhline(0.86, color="tab:green", linestyle=":", label="reported: 86 of 100 (no conv)")
    b.set_title("002: test accuracy on the first 100 test images")
    b.set_xlabel("epoch")
    r = result["001"]
    c.plot(*zip(*LOG_001), "ko", markersize=4, label="document 001's log")
    for key, style in (("same", "-"), ("modern", "--")):
        if r[key]["log"]:
            c.plot(*zip(*r[key]["log"]), style, label=f"minigrad, {key}")
    c.set_title("001: zeros and ones, accuracy over the last 500 images")
    c.set_xlabel("training images seen")
    curve = result["004"]["curve"]
    d.plot(range(1, len(curve) + 1), curve, "o-", alpha=0.5, label="on 5 random test images")
    mean = np.convolve(curve, np.ones(5) / 5, mode="valid")
    d.plot(range(5, len(curve) + 1), mean, "-", linewidth=2, label="its mean over 5 iterations")
    steady = result["004"]["steady"]
    d.plot(range(len(steady)), steady, "-", linewidth=2, label="on the first 1,000 test images")
    d.set_title("004: 25 iterations of 10 images")
    d.set_xlabel("iteration")
    for axis in axes.flat:
        axis.set_ylabel("accuracy")
        axis.set_ylim(0, 1.02)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8, loc="upper left" if axis is d else "lower right")
    figure.suptitle("The founding documents' experiments, reproduced with minigrad")
    figure.tight_layout()
    return [save(figure, out, "experiments.png")]


def main(argv=None):
    p = parser(__doc__)
    p.add_argument(
        "--budget", type=float, default=150.0, help="seconds for document 000's 150 epochs (150)"
    )
    p.add_argument(
        "--skip-full",
        action="store_true",
        help="skip the rows of examples/train_mnist.py on the full data",
    )
    p.add_argument(
        "--full-models",
        nargs="+",
        default=["seed", "lenet5", "convnet"],
        help="models for the train_mnist.py rows (seed lenet5 convnet)",
    )
    p.add_argument(
        "--full-epochs", type=int, default=3, help="epochs for the train_mnist.py rows (3)"
    )
    p.add_argument("--quick", action="store_true", help="a seconds-long smoke run")
    args = p.parse_args(argv)
    start = time.perf_counter()
    result = run(
        args.budget, () if args.skip_full else args.full_models, args.full_epochs, args.quick
    )
    print(table(result))
    print(f"\n({time.perf_counter() - start:.0f} s in all)")
    plot(result, args.out)
    return result


if __name__ == "__main__":
    main()
