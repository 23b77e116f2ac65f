"""A two-layer network trained on synthetic spirals with nothing but Tensors and autograd.

python examples/train_synthetic.py
"""

import numpy as np

import minigrad as mg


def spirals(n_per_class=200, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    radius = np.tile(np.linspace(0.05, 1, n_per_class), classes)
    label = np.repeat(np.arange(classes), n_per_class)
    angle = label * 2 * np.pi / classes + radius * 4 + rng.normal(0, 0.15, radius.size)
    points = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)
    return points.astype(np.float32), label


def main(steps=300, lr=1.0):
    mg.manual_seed(0)
    points, labels = spirals()
    x, y = mg.tensor(points), mg.tensor(labels)
    w1 = (mg.randn(2, 64) * 0.5).requires_grad_()
    b1 = mg.zeros(64, requires_grad=True)
    w2 = (mg.randn(64, 3) * 0.1).requires_grad_()
    b2 = mg.zeros(3, requires_grad=True)
    params = [w1, b1, w2, b2]
    for step in range(steps + 1):
        logits = (x @ w1 + b1).relu() @ w2 + b2
        log_probs = logits.log_softmax(dim=1)
        loss = -log_probs[mg.arange(len(labels)), y].mean()
        for p in params:
            p.grad = None
        loss.backward()
        with mg.no_grad():
            for p in params:
                p -= lr * p.grad
        if step % 100 == 0:
            accuracy = (logits.argmax(dim=1) == y).float().mean().item()
            print(f"step {step:4d}  loss {loss.item():.4f}  accuracy {accuracy:.1%}")
    return accuracy


if __name__ == "__main__":
    main()
