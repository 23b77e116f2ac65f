"""Hand-written backprop against autograd: founding document 000's layer-by-layer gradients
(re-implemented in examples/reference/handwritten.py, float64, loops per region) and
minigrad's autograd give the same gradients on the same weights, and autograd is faster.

    python -m examples.demos.backprop [--count 32]

The network is document 000's (``models.create("seed-hidden")``): conv 8@3x3 -> sigmoid ->
max pool -> dense 20 sigmoid -> dense 10 softmax, cross-entropy, pixels / 255. The
reference follows the documents' max-pool rule (the gradient to every tied maximum), which
is not autograd's (to the first one), so the digits are compared twice: with the documents'
rule, where their tied windows (blank background, saturated strokes) change the filter
gradient, and with the first-maximum rule, where every gradient agrees to float64
rounding; uniform noise has no ties, so both rules agree with autograd on it.
"""

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
import models
from examples.demos._common import digits, images_per_second, markdown_table, parser
from examples.reference.handwritten import PARAMETERS, HandwrittenCNN


def autograd_gradients(model, images, labels):
    """Summed cross-entropy and its gradients by minigrad's autograd: (loss, {name: array})."""
    model.zero_grad()
    x = mg.tensor(images[:, None].astype(model.features[0].weight.dtype))
    loss = F.cross_entropy(model(x), mg.tensor(labels), reduction="sum")
    loss.backward()
    return loss.item(), {name: p.grad.numpy() for name, p in model.named_parameters()}


def tied_windows(model, images):
    """The number of 2x2 pooling windows with tied maxima, over all images and channels."""
    with mg.no_grad():
        conv = model.features[1](model.features[0](mg.tensor(images[:, None]))).numpy()
    n, c, h, w = conv.shape
    windows = conv.reshape(n, c, h // 2, 2, w // 2, 2)
    return int(((windows == windows.max(axis=(3, 5), keepdims=True)).sum(axis=(3, 5)) > 1).sum())


def compare(count=32, seed=0):
    """Per case (input and the reference's max-pool rule): tied windows, the loss of both,
    and per parameter the largest difference relative to the gradient's largest magnitude;
    and how much document 000's sigmoid slip changes the filter gradient."""
    mg.manual_seed(seed)
    model = models.create("seed-hidden").double()
    reference = HandwrittenCNN({name: p.numpy() for name, p in model.named_parameters()})
    first = HandwrittenCNN(reference.params, first_maximum_only=True)
    images, labels = digits(True, count)
    images = images.astype(np.float64)
    noise = np.random.default_rng(seed).random((count, 28, 28))
    cases = {
        "digits, documents' rule": (images, reference),
        "digits, first-maximum rule": (images, first),
        "noise, documents' rule": (noise, reference),
    }
    result = {"cases": {}}
    for case, (x, net) in cases.items():
        auto_loss, auto = autograd_gradients(model, x, labels)
        hand_loss, hand = net.loss_and_grads(x, labels)
        result["cases"][case] = {
            "tied windows": tied_windows(model, x),
            "loss": (hand_loss, auto_loss),
            "relative": {
                name: float(np.abs(hand[name] - auto[name]).max() / np.abs(auto[name]).max())
                for name in PARAMETERS
            },
        }
    # Document 000's slip, the sigmoid's derivative taken at sigmoid(s): how wrong it is.
    slipped = HandwrittenCNN(reference.params, first_maximum_only=True, document_sigmoid_slip=True)
    _, wrong = slipped.loss_and_grads(images, labels)
    _, right = first.loss_and_grads(images, labels)
    name = "features.0.weight"
    result["slip"] = float(np.linalg.norm(wrong[name] - right[name]) / np.linalg.norm(right[name]))
    return result, model, reference, images, labels


def speeds(model, reference, images, labels):
    """Images per second of a training step's forward and backward: the hand-written
    reference (float64, one image at a time), minigrad float64 one image at a time (the
    same work) and minigrad float32 in batches of 64 (as training runs)."""

    def hand():
        reference.forward(images[0], int(labels[0]))
        reference.backward()

    def auto(m, x, y):
        return lambda: autograd_gradients(m, x, y)

    model32 = models.create("seed-hidden")
    model32.load_state_dict(model.state_dict())
    model32.float()
    batch = np.resize(images, (64, 28, 28)).astype(np.float32)
    return {
        "hand-written reference (float64, batch 1)": images_per_second(hand, 1, repeat=2),
        "minigrad autograd (float64, batch 1)": images_per_second(
            auto(model, images[:1], labels[:1]), 1
        ),
        "minigrad autograd (float32, batch 64)": images_per_second(
            auto(model32, batch, np.resize(labels, 64)), 64
        ),
    }


def run(count=32, seed=0, speed=True):
    result, model, reference, images, labels = compare(count, seed)
    result["count"] = count
    if speed:
        result["speed"] = speeds(model, reference, images, labels)
    return result


def report(result):
    cases = result["cases"]
    headers = ["parameter", "shape"] + list(cases)
    rows = [
        [name, "x".join(map(str, shape))]
        + [f"{case['relative'][name]:.1e}" for case in cases.values()]
        for name, shape in PARAMETERS.items()
    ]
    lines = [
        f"{result['count']} images; gradients of the summed cross-entropy, hand-written vs "
        "autograd, in float64; max |difference| / max |gradient|:",
        "",
        markdown_table(headers, rows),
        "",
    ]
    for name, case in cases.items():
        hand, auto = case["loss"]
        lines.append(
            f"{name}: loss {hand:.12f} (hand-written) vs {auto:.12f} (autograd); "
            f"{case['tied windows']:,} tied pooling windows"
        )
    lines.append(
        "document 000's sigmoid slip (derivative taken at sigmoid(s)) changes the filter "
        f"gradient by {result['slip']:.0%}"
    )
    if "speed" in result:
        speed = result["speed"]
        base = next(iter(speed.values()))
        rows = [[name, f"{value:,.0f}", f"{value / base:,.0f}x"] for name, value in speed.items()]
        lines += ["", markdown_table(["forward + backward", "images/s", "speed-up"], rows)]
    return "\n".join(lines)


def main(argv=None):
    p = parser(__doc__, out=False)
    p.add_argument("--count", type=int, default=32, help="images to compare (32)")
    args = p.parse_args(argv)
    result = run(args.count)
    print(report(result))
    return result


if __name__ == "__main__":
    main()
