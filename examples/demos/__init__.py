"""Demonstrations: every point the founding documents make, reproducible with one command.

Run each from the repository root as a module (``python -m examples.demos.NAME --help``):

    pooling_invariance   max pooling absorbs one-pixel shifts (document 001's toy pair too)
    maxpool_gradient     where max pooling sends the gradient, tied maxima included
    kernels              document 004's sharpen and edge kernels through F.conv2d
    learned_filters      the first convolution's trained filters and their feature maps
    output_size          output size and receptive field of stride, padding and dilation
    backprop             hand-written backprop (examples/reference) against autograd
    experiments          the documents' training runs, reproduced and modernised
    graph                the seed CNN's loss graph as Graphviz DOT (and PNG with `dot`)
    higher_order         tanh's second derivative and Newton's method, from create_graph=True

``python -m examples.demos`` runs them all. Each writes its pictures to ``--out``
(default docs/images/) when matplotlib is installed (``pip install -e ".[plot]"``) and
prints its numbers either way; each module also has a function that returns the numbers.
"""

NAMES = [
    "pooling_invariance",
    "maxpool_gradient",
    "kernels",
    "learned_filters",
    "output_size",
    "backprop",
    "experiments",
    "graph",
    "higher_order",
]
