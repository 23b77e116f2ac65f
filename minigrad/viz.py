"""The computational graph behind a tensor, as Graphviz DOT text (standard library only).

    dot = mg.viz.to_dot(loss)
    open("graph.dot", "w").write(dot)      # then: dot -Tpng graph.dot -o graph.png

Ops are boxes named after their backward node (``MulBackward``) with their output shapes;
leaf tensors are ellipses with their shape, filled when they require grad (parameters).
"""

from minigrad.autograd.function import Node


def to_dot(tensor, name="loss", params=None):
    """DOT text of the graph that produced ``tensor``.

    ``params`` optionally maps names to leaf tensors (``dict(model.named_parameters())``) so
    leaves are labelled by name. The walk is iterative, so deep graphs are fine; a graph already
    freed by backward still shows its structure up to the freed nodes' inputs.
    """
    names = {id(t): n for n, t in (params or {}).items()}
    lines = [
        "digraph minigrad {",
        "  rankdir=BT;",
        '  node [fontname="Helvetica", fontsize=10];',
    ]
    ids = {}

    def node_id(obj):
        return ids.setdefault(id(obj), f"n{len(ids)}")

    def leaf(t):
        label = names.get(id(t), "tensor") + f"\\n{_shape(t.shape)}"
        style = ', style=filled, fillcolor="lightblue"' if t.requires_grad else ""
        lines.append(f'  {node_id(t)} [label="{label}", shape=ellipse{style}];')

    out_id = "output"
    grad = "requires_grad" if tensor.requires_grad else "no grad"
    lines.append(
        f'  {out_id} [label="{name}\\n{_shape(tensor.shape)} {tensor.dtype}\\n{grad}", '
        'shape=ellipse, style=filled, fillcolor="darkolivegreen1"];'
    )
    if tensor.grad_fn is None:
        leaf(tensor)
        lines.append(f"  {node_id(tensor)} -> {out_id};")
        return "\n".join(lines + ["}"])
    lines.append(f"  {node_id(tensor.grad_fn)} -> {out_id};")
    stack, seen = [tensor.grad_fn], {id(tensor.grad_fn)}
    while stack:
        node = stack.pop()
        outputs = ", ".join(_shape(shape) for shape, _ in node.output_meta)
        label = f"{node.function.__name__}Backward\\n{outputs}"  # minigrad's own op names
        lines.append(f'  {node_id(node)} [label="{label}", shape=box];')
        for edge in node.edges:
            if edge is None:
                continue
            source = edge[0] if isinstance(edge, tuple) else edge
            if id(source) not in seen:
                seen.add(id(source))
                if isinstance(source, Node):
                    stack.append(source)
                else:
                    leaf(source)
            lines.append(f"  {node_id(source)} -> {node_id(node)};")
    return "\n".join(lines + ["}"])


def _shape(shape):
    return str(tuple(shape))
