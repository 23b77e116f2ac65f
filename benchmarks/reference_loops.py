"""Model S trained the founding documents' way: a baseline for the benchmark.

Founding documents 000 and 002 train their CNN one image at a time with Python loops: the
convolution visits every 3x3 region of the image, max-pooling every 2x2 window, and the
backward pass is written by hand, region by region (their code is not reused here; this is
a re-implementation of the method for Model S). Model S: Conv2d(1->8, 3x3, with bias) ->
MaxPool2d(2) -> Flatten -> Linear(1352->10) -> softmax cross-entropy, plain SGD after each
image, float64 as the documents' numpy arrays are. Among tied maxima the gradient goes to
the first in row-major order, as minigrad and PyTorch do, so that ``gradients`` can be
checked against autograd.
"""

import time

import numpy as np


class LoopCNN:
    """Model S with per-image, per-region loops. Feature maps are (H, W, filters), as in the
    documents; the dense layer reads the pooled map flattened in that (h, w, f) order."""

    def __init__(self, seed=0, filters=8, classes=10):
        rng = np.random.default_rng(seed)
        self.filters = rng.standard_normal((filters, 3, 3)) / 9
        self.filter_bias = np.zeros(filters)
        self.weights = rng.standard_normal((13 * 13 * filters, classes)) / np.sqrt(1352)
        self.bias = np.zeros(classes)

    def gradients(self, image, label):
        """(loss, dict of gradients) for one (28, 28) image and an int label."""
        rows, cols = image.shape[0] - 2, image.shape[1] - 2
        count = len(self.filters)

        # Forward: every 3x3 region meets every filter.
        conv = np.zeros((rows, cols, count))
        for i in range(rows):
            for j in range(cols):
                region = image[i : i + 3, j : j + 3]
                conv[i, j] = np.sum(region * self.filters, axis=(1, 2)) + self.filter_bias

        # Max-pooling: the largest value of each 2x2 window, per filter.
        pooled = np.zeros((rows // 2, cols // 2, count))
        for i in range(rows // 2):
            for j in range(cols // 2):
                pooled[i, j] = np.amax(conv[2 * i : 2 * i + 2, 2 * j : 2 * j + 2], axis=(0, 1))

        flat = pooled.reshape(-1)
        logits = flat @ self.weights + self.bias
        shifted = np.exp(logits - logits.max())
        probs = shifted / shifted.sum()
        loss = -np.log(probs[label])

        # Backward, by hand: softmax cross-entropy, dense layer ...
        d_logits = probs.copy()
        d_logits[label] -= 1
        d_weights = np.outer(flat, d_logits)
        d_pooled = (self.weights @ d_logits).reshape(pooled.shape)

        # ... the pooling: each window's gradient goes to its (first) maximum ...
        d_conv = np.zeros(conv.shape)
        for i in range(rows // 2):
            for j in range(cols // 2):
                for f in range(count):
                    done = False
                    for di in range(2):
                        for dj in range(2):
                            if not done and conv[2 * i + di, 2 * j + dj, f] == pooled[i, j, f]:
                                d_conv[2 * i + di, 2 * j + dj, f] = d_pooled[i, j, f]
                                done = True

        # ... and the filters: each region adds its share to every filter's gradient.
        d_filters = np.zeros(self.filters.shape)
        for i in range(rows):
            for j in range(cols):
                region = image[i : i + 3, j : j + 3]
                for f in range(count):
                    d_filters[f] += d_conv[i, j, f] * region
        grads = {
            "filters": d_filters,
            "filter_bias": d_conv.sum(axis=(0, 1)),
            "weights": d_weights,
            "bias": d_logits,
        }
        return loss, grads

    def train_step(self, image, label, lr=0.01):
        """One SGD step on one image; returns its loss."""
        loss, grads = self.gradients(image, label)
        for name, grad in grads.items():
            getattr(self, name)[...] -= lr * grad
        return loss


def images_per_second(images, labels, seed=0):
    """Train a fresh LoopCNN on ``images`` (N, 28, 28), one at a time; images per second."""
    model = LoopCNN(seed)
    model.train_step(images[0], labels[0])  # warm-up
    start = time.perf_counter()
    for image, label in zip(images, labels):
        model.train_step(image, label)
    return len(images) / (time.perf_counter() - start)
