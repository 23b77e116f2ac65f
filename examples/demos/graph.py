"""The computational graph behind the seed CNN's loss, as Graphviz DOT (and a PNG with `dot`).

    python -m examples.demos.graph [--out docs/images]

Writes OUT/graph.dot from ``mg.viz.to_dot(loss, params=dict(model.named_parameters()))``:
boxes are the backward nodes autograd will run (Conv2dBackward, MaxPool2dBackward, ...),
blue ellipses the parameters that receive gradients. If Graphviz's ``dot`` program is
installed (``apt-get install graphviz`` or ``brew install graphviz``), it also renders
OUT/graph.png; without it, it says how.
"""

import shutil
import subprocess
from pathlib import Path

import minigrad as mg
import minigrad.nn.functional as F
import models
from examples.demos._common import digits, normalise, parser


def seed_loss_dot(batch=4, seed=0):
    """DOT text of the cross-entropy of the seed CNN on the first ``batch`` training digits."""
    mg.manual_seed(seed)
    model = models.create("seed")
    images, labels = digits(True, batch)
    loss = F.cross_entropy(model(normalise(images)), mg.from_numpy(labels))
    return mg.viz.to_dot(loss, params=dict(model.named_parameters()))


def render(dot_path, png_path):
    """Render DOT to PNG with Graphviz; returns the PNG path, or None without ``dot``."""
    if shutil.which("dot") is None:
        return None
    subprocess.run(["dot", "-Tpng", "-Gdpi=100", str(dot_path), "-o", str(png_path)], check=True)
    return png_path


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    dot = seed_loss_dot()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    dot_path = out / "graph.dot"
    dot_path.write_text(dot + "\n")
    print(dot)
    print(f"wrote {dot_path}")
    png = render(dot_path, out / "graph.png")
    if png:
        print(f"wrote {png}")
    else:
        print(
            "Graphviz's dot is not installed: apt-get install graphviz (or brew install "
            f"graphviz), then: dot -Tpng {dot_path} -o {out / 'graph.png'}"
        )
    return dot


if __name__ == "__main__":
    main()
