"""PyTorch programs run on minigrad with only their imports changed.

tests/pytorch_programs/ holds programs written for PyTorch, in the shape of the ones
people start from (pytorch/examples' mnist/main.py today and in 2018, the beginner
tutorials), trimmed by their arguments. Each test applies the import rule of
../shared/API.md to a program's import lines, checks that nothing else changed, and runs
the result with minigrad on the real data laid out as torchvision lays it out.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

PROGRAMS = Path(__file__).parent / "pytorch_programs"
ROOT = Path(__file__).parent.parent
DATA = os.environ.get("MINIGRAD_DATA")

IMPORT_LINE = re.compile(r"^(import|from)\s+(torch|torchvision)\b")


def to_minigrad(source):
    """The import rule: torch -> minigrad, torchvision -> minigrad.vision, on import lines only."""
    lines = []
    for line in source.splitlines(keepends=True):
        if IMPORT_LINE.match(line):
            bare = line.split()
            if bare in (["import", "torch"], ["import", "torchvision"]):
                module = "minigrad" if bare[1] == "torch" else "minigrad.vision"
                line = f"import {module} as {bare[1]}\n"
            else:
                line = re.sub(r"\btorchvision\b", "minigrad.vision", line, count=1)
                line = re.sub(r"\btorch\b", "minigrad", line, count=1)
        lines.append(line)
    return "".join(lines)


def test_the_import_rule_changes_import_lines_only():
    source = (PROGRAMS / "mnist_main.py").read_text()
    converted = to_minigrad(source)
    pairs = zip(source.splitlines(), converted.splitlines())
    changed = [(a, b) for a, b in pairs if a != b]
    assert changed == [  # fmt: skip
        ("import torch", "import minigrad as torch"),
        ("import torch.nn as nn", "import minigrad.nn as nn"),
        ("import torch.nn.functional as F", "import minigrad.nn.functional as F"),
        ("import torch.optim as optim", "import minigrad.optim as optim"),
        (
            "from torchvision import datasets, transforms",
            "from minigrad.vision import datasets, transforms",
        ),
        (
            "from torch.optim.lr_scheduler import StepLR",
            "from minigrad.optim.lr_scheduler import StepLR",
        ),
    ]
    line = to_minigrad("from torch.utils.data import DataLoader\n")
    assert line == "from minigrad.utils.data import DataLoader\n"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """<tmp>/data/{MNIST,FashionMNIST}/raw/ as torchvision lays them out; programs run in
    <tmp>/run."""
    if not DATA:
        pytest.skip("MINIGRAD_DATA is not set: these programs read the full data sets")
    root = tmp_path_factory.mktemp("programs")
    for name, folder in (("MNIST", "mnist"), ("FashionMNIST", "fashion-mnist")):
        raw = root / "data" / name / "raw"
        raw.mkdir(parents=True)
        for f in (Path(DATA) / folder).glob("*-ubyte.gz"):
            (raw / f.name).symlink_to(f)
    (root / "run").mkdir()
    (root / "run" / "data").symlink_to(root / "data")
    return root / "run"


def run_program(name, workdir, *args, timeout=240):
    converted = workdir / f"{name}.py"
    converted.write_text(to_minigrad((PROGRAMS / f"{name}.py").read_text()))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, str(converted), *map(str, args)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def final(output, key):
    return float(re.search(rf"final {key} ([-\d.]+)", output).group(1))


@pytest.mark.parametrize("name", ["tensors_tutorial", "autograd_tutorial"])
def test_tensor_tutorials_run(name, tmp_path):
    out = run_program(name, tmp_path)
    assert "tensor(" in out


def test_polynomial_fits_sin(tmp_path):
    out = run_program("polynomial", tmp_path)
    # The nn/RMSprop fit ends near the hand-written one's loss (about 9 on 2,000 points).
    assert final(out, "loss") < 20
    assert "Result: y = " in out


def test_data_tutorial_runs(workdir):
    out = run_program("data_tutorial", workdir)
    assert "Feature batch shape: minigrad.Size([64, 1, 28, 28])" in out
    assert "Layer: linear_relu_stack.0.weight | Size: minigrad.Size([512, 784])" in out


def test_quickstart_runs_to_its_end(workdir):
    out = run_program("quickstart", workdir, 1, 2000)
    assert "Shape of X [N, C, H, W]: minigrad.Size([64, 1, 28, 28])" in out
    assert "Shape of y: minigrad.Size([64]) int64" in out  # PyTorch: torch.int64
    assert "Saved PyTorch Model State to model.pth" in out and 'Predicted: "' in out


def test_mnist_example_learns(workdir):
    out = run_program("mnist_main", workdir, "--epochs", 1, "--subset", 2000, "--log-interval", 100)
    assert "Using device: cpu" in out
    assert final(out, "accuracy") > 0.75  # PyTorch: 0.83 for the same run


def test_mnist_example_with_a_worker_process(workdir):
    out = run_program(
        "mnist_main",
        workdir,
        "--epochs",
        1,
        "--subset",
        512,
        "--num-workers",
        2,
        "--batch-size",
        128,
        "--dry-run",
    )
    assert "Test set: Average loss:" in out


def test_mnist_2018_example_learns(workdir):
    out = run_program(
        "mnist_main_2018",
        workdir,
        "--epochs",
        2,
        "--subset",
        2000,
        "--lr",
        0.05,
        "--log-interval",
        100,
    )
    assert final(out, "accuracy") > 0.6  # PyTorch: 0.78 for the same run


def test_pytorch_style_example_runs_on_the_shipped_sample(tmp_path):
    """examples/pytorch_style_mnist.py on a fresh clone: no data set, the sample stands in."""
    env = {k: v for k, v in os.environ.items() if k != "MINIGRAD_DATA"}
    env.update(PYTHONPATH=str(ROOT), HOME=str(tmp_path))  # no cached MNIST either
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "pytorch_style_mnist.py"), "--dry-run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Using device: cpu" in result.stdout
    assert "Accuracy: " in result.stdout and "/1000 (" in result.stdout
