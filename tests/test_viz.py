import re

import minigrad as mg


def test_to_dot_shows_ops_shapes_and_leaves_that_require_grad():
    w = mg.randn(3, 2, requires_grad=True)
    b = mg.zeros(2, requires_grad=True)
    x = mg.randn(4, 3)
    loss = ((x @ w + b).relu()).sum()
    dot = mg.viz.to_dot(loss, params={"weight": w, "bias": b})
    assert dot.startswith("digraph minigrad {") and dot.rstrip().endswith("}")
    labels = re.findall(r'label="([^"]*)"', dot)
    assert "SumBackward\\n()" in labels and "ReLUBackward\\n(4, 2)" in labels
    assert "MatMulBackward\\n(4, 2)" in labels and "AddBackward\\n(4, 2)" in labels
    assert "weight\\n(3, 2)" in labels and "bias\\n(2,)" in labels
    assert len(re.findall(r"->", dot)) == 6  # w, b, matmul, add, relu, sum
    assert dot.count('fillcolor="lightblue"') == 2  # the two leaves that require grad


def test_to_dot_of_a_leaf_and_of_a_shared_subgraph():
    x = mg.randn(2, requires_grad=True)
    assert "tensor\\n(2,)" in mg.viz.to_dot(x)
    h = x.exp()
    dot = mg.viz.to_dot(h * h)
    assert dot.count("ExpBackward") == 1  # a node used twice is drawn once, with two edges
    assert len(re.findall(r"n\d+ -> n\d+", dot)) == 3
