"""The benchmark models, built with minigrad's public API or with PyTorch, and their FLOPs.

Model S is the founding documents' CNN; Model K is the TensorFlow-tutorial CNN of the
lecture notebook (founding document 003). Both take (N, 1, 28, 28) MNIST-sized images.
PyTorch is imported only inside the functions that need it, so that a process measuring
minigrad's memory never loads it; tinygrad's versions, written with its own API, are in
benchmarks/tinygrad_models.py.
"""

import importlib

import numpy as np

# Each layer: ("conv", in, out, kernel, out_hw) or ("linear", in, out); out_hw is (Ho, Wo).
LAYERS = {
    "S": [("conv", 1, 8, 3, (26, 26)), ("linear", 1352, 10)],
    "K": [
        ("conv", 1, 32, 3, (26, 26)),
        ("conv", 32, 64, 3, (11, 11)),
        ("conv", 64, 64, 3, (3, 3)),
        ("linear", 576, 64),
        ("linear", 64, 10),
    ],
}
DESCRIPTIONS = {
    "S": "Conv2d(1->8, 3x3) - MaxPool2d(2) - Flatten - Linear(1352->10)",
    "K": "Conv(1->32)-ReLU-MaxPool-Conv(32->64)-ReLU-MaxPool-Conv(64->64)-ReLU-Flatten-"
    "Linear(576->64)-ReLU-Linear(64->10)",
}


def flops_per_image(model, train):
    """Floating-point operations of the products (2 per multiply-add), per image.

    Inference: the forward products. Training adds the weight-gradient products (as many as
    the forward ones) and the input-gradient products of every layer but the first (the
    images need no gradient). Elementwise work, pooling and the loss are not counted.
    """
    macs = []
    for layer in LAYERS[model]:
        if layer[0] == "conv":
            _, cin, cout, k, (oh, ow) = layer
            macs.append(cin * k * k * cout * oh * ow)
        else:
            macs.append(layer[1] * layer[2])
    total = sum(macs)
    if train:
        total += sum(macs) + sum(macs[1:])
    return 2 * total


def network(library, model):
    """Model S or K built with ``library`` ("minigrad" or "torch"): the same code for both."""
    nn = importlib.import_module(f"{library}.nn")
    if model == "S":
        return nn.Sequential(nn.Conv2d(1, 8, 3), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1352, 10))
    return nn.Sequential(
        nn.Conv2d(1, 32, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(64, 64, 3),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(576, 64),
        nn.ReLU(),
        nn.Linear(64, 10),
    )


def batch(size, seed=0):
    """Random float32 images in [0, 1) (N, 1, 28, 28) and int64 labels (N,), as arrays."""
    rng = np.random.default_rng(seed)
    images = rng.random((size, 1, 28, 28), dtype=np.float32)
    return images, rng.integers(0, 10, size).astype(np.int64)


def steps(library, model, batch_size, train, seed=0):
    """``run(n)``: n training steps (SGD, momentum 0.9, cross-entropy) or n inference passes
    of ``model`` on one fixed batch, written once against the API minigrad shares with
    PyTorch; ``library`` is "minigrad" or "torch" (or "tinygrad": its own code, TinyJit)."""
    if library == "tinygrad":
        from benchmarks import tinygrad_models

        return tinygrad_models.steps(model, *batch(batch_size, seed), train, seed)
    lib = importlib.import_module(library)
    F = importlib.import_module(f"{library}.nn.functional")
    optim = importlib.import_module(f"{library}.optim")
    lib.manual_seed(seed)
    net = network(library, model)
    # TODO(issue 4): drop the fallback once minigrad/optim/__init__.py exports SGD.
    sgd = getattr(optim, "SGD", None) or importlib.import_module(f"{library}.optim.sgd").SGD
    optimizer = sgd(net.parameters(), lr=0.01, momentum=0.9)
    images, labels = batch(batch_size, seed)
    x, y = lib.from_numpy(images), lib.from_numpy(labels)
    if not train:
        net.eval()

    def run(n):
        for _ in range(n):
            if train:
                optimizer.zero_grad()
                loss = F.cross_entropy(net(x), y)
                loss.backward()
                optimizer.step()
            else:
                with lib.no_grad():
                    net(x)

    return run
