"""Founding document 000's network with its gradients written by hand, one image at a time.

    conv 8@3x3 (no bias) -> sigmoid -> max pool 2x2 -> dense 20 + sigmoid -> dense 10
    -> softmax -> cross-entropy

This is the approach minigrad replaces, kept as a reference to check autograd against
(examples/demos/backprop.py): plain float64 numpy, loops over image regions and pooling
windows as the documents write them, every layer's backward derived on paper. Two places
where the documents' choice is not autograd's, each with a switch:

- Max pooling sends a window's gradient to every element equal to its maximum (the
  documents' rule, the default here); autograd sends it to the first of them only, as
  PyTorch does. They differ on tied windows, and MNIST digits have many: on the blank
  background and inside saturated strokes, where neighbouring regions are equal.
  ``first_maximum_only=True`` follows autograd. examples/demos/maxpool_gradient.py shows
  why the documents' rule is the wrong one.
- The sigmoid after the convolution uses its derivative s (1 - s) at s = sigmoid(z).
  Document 000 evaluates it at sigmoid(s) instead (its ``Sigmoid.backprop`` applies the
  sigmoid to the saved output a second time); ``document_sigmoid_slip=True`` does so too.

Parameters use the names and shapes of ``models.create("seed-hidden")`` (PyTorch's layout:
weights (out, in), maps (channels, height, width) flattened in that order), so the same
arrays go into both.
"""

import numpy as np

PARAMETERS = {
    "features.0.weight": (8, 1, 3, 3),
    "classifier.1.weight": (20, 8 * 13 * 13),
    "classifier.1.bias": (20,),
    "classifier.3.weight": (10, 20),
    "classifier.3.bias": (10,),
}


def sigmoid(z):
    # The tanh form never overflows, where 1 / (1 + exp(-z)) does for z < -709.
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def conv_forward(image, filters):
    """'Valid' 3x3 cross-correlation of one (H, W) image with filters (C, 3, 3), region by
    region: (C, H - 2, W - 2)."""
    channels, k, _ = filters.shape
    h, w = image.shape[0] - k + 1, image.shape[1] - k + 1
    out = np.zeros((channels, h, w))
    for i in range(h):
        for j in range(w):
            region = image[i : i + k, j : j + k]
            out[:, i, j] = (filters * region).sum(axis=(1, 2))
    return out


def conv_filter_gradient(image, grad, k=3):
    """dLoss/dfilters: each output position adds its region of the image, weighted by that
    position's gradient (C, H - 2, W - 2), to every filter: (C, 3, 3)."""
    channels, h, w = grad.shape
    result = np.zeros((channels, k, k))
    for i in range(h):
        for j in range(w):
            region = image[i : i + k, j : j + k]
            result += grad[:, i, j, None, None] * region
    return result


def pool_forward(maps, size=2):
    """Max over each non-overlapping size x size window of (C, H, W) maps."""
    channels, h, w = maps.shape
    out = np.zeros((channels, h // size, w // size))
    for i in range(h // size):
        for j in range(w // size):
            window = maps[:, i * size : (i + 1) * size, j * size : (j + 1) * size]
            out[:, i, j] = window.max(axis=(1, 2))
    return out


def pool_backward(maps, grad, size=2, first_maximum_only=False):
    """The documents' rule: each window's gradient goes to every element of the window
    equal to the window's maximum, zeros elsewhere; ``first_maximum_only``: to the first of
    them in row-major order (PyTorch's rule). ``grad`` (C, H / size, W / size)."""
    result = np.zeros_like(maps)
    channels, h, w = grad.shape
    for i in range(h):
        for j in range(w):
            for c in range(channels):
                window = maps[c, i * size : (i + 1) * size, j * size : (j + 1) * size]
                largest, found = window.max(), False
                for a in range(size):
                    for b in range(size):
                        if window[a, b] == largest and not (found and first_maximum_only):
                            result[c, i * size + a, j * size + b] = grad[c, i, j]
                            found = True
    return result


def softmax(z):
    e = np.exp(z - z.max())  # shifted: the largest exponent is 0, so nothing overflows
    return e / e.sum()


class HandwrittenCNN:
    """Document 000's network on float64 copies of ``params`` (a name -> array mapping, as
    ``PARAMETERS`` lists). ``forward(image, label)`` keeps what ``backward()`` needs.

    Example::

        net = HandwrittenCNN({name: p.numpy() for name, p in model.named_parameters()})
        loss = net.forward(image, label)  # image (28, 28) in [0, 1], label an int
        grads = net.backward()            # name -> array, shaped as the parameters
    """

    def __init__(self, params, first_maximum_only=False, document_sigmoid_slip=False):
        self.params = {name: np.array(params[name], dtype=np.float64) for name in PARAMETERS}
        for name, shape in PARAMETERS.items():
            if self.params[name].shape != shape:
                raise ValueError(f"{name}: expected shape {shape}, got {self.params[name].shape}")
        self.first_maximum_only = first_maximum_only
        self.document_sigmoid_slip = document_sigmoid_slip

    def forward(self, image, label):
        """The cross-entropy loss of one image (28, 28) for its label."""
        p = self.params
        self.image, self.label = np.asarray(image, dtype=np.float64), label
        self.conv = sigmoid(conv_forward(self.image, p["features.0.weight"][:, 0]))
        self.pooled = pool_forward(self.conv)
        self.flat = self.pooled.reshape(-1)  # (C, H, W) order, as nn.Flatten
        self.hidden = sigmoid(p["classifier.1.weight"] @ self.flat + p["classifier.1.bias"])
        logits = p["classifier.3.weight"] @ self.hidden + p["classifier.3.bias"]
        self.probs = softmax(logits)
        return -np.log(self.probs[label])

    def backward(self):
        """Gradients of the last forward's loss: {name: array shaped as the parameter}."""
        p, probs = self.params, self.probs
        # Loss -log(probs[label]): its derivative is -1 / probs[label] at the label, 0 elsewhere.
        # Through the softmax's Jacobian, d probs_i / d logits_j = probs_i (delta_ij - probs_j).
        d_prob = -1.0 / probs[self.label]
        d_logits = d_prob * probs[self.label] * ((np.arange(len(probs)) == self.label) - probs)
        grads = {
            "classifier.3.weight": np.outer(d_logits, self.hidden),
            "classifier.3.bias": d_logits,
        }
        d_hidden = p["classifier.3.weight"].T @ d_logits
        d_hidden_in = d_hidden * self.hidden * (1 - self.hidden)
        grads["classifier.1.weight"] = np.outer(d_hidden_in, self.flat)
        grads["classifier.1.bias"] = d_hidden_in
        d_pooled = (p["classifier.1.weight"].T @ d_hidden_in).reshape(self.pooled.shape)
        d_conv = pool_backward(self.conv, d_pooled, first_maximum_only=self.first_maximum_only)
        s = sigmoid(self.conv) if self.document_sigmoid_slip else self.conv
        d_conv_in = d_conv * s * (1 - s)
        grads["features.0.weight"] = conv_filter_gradient(self.image, d_conv_in)[:, None]
        return grads

    def loss_and_grads(self, images, labels):
        """Summed loss and summed gradients over images (N, 28, 28), one image at a time."""
        total, grads = 0.0, {name: np.zeros(shape) for name, shape in PARAMETERS.items()}
        for image, label in zip(images, labels):
            total += self.forward(image, int(label))
            for name, grad in self.backward().items():
                grads[name] += grad
        return total, grads
