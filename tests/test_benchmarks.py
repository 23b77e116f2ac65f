"""The benchmark: its quick mode runs and writes the expected JSON; its loop baseline is right."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
# benchmarks/ is a package of the repository, not of the installed distribution.
sys.path.insert(0, str(ROOT))
from benchmarks import models, reference_loops  # noqa: E402


def test_quick_run_writes_every_row(tmp_path):
    out = tmp_path / "results.json"
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    assert report["meta"]["quick"] and report["meta"]["matmul_gflops_numpy"] > 0
    torch_present = report["meta"]["torch"] is not None
    rows = {(r["model"], r["mode"], r["framework"]): r for r in report["models"]}
    expected = {(m, mode, "minigrad") for m in "SK" for mode in ("train", "infer")}
    expected.add(("S", "train", "loops"))
    if torch_present:
        expected |= {(m, mode, "torch") for m in "SK" for mode in ("train", "infer")}
    assert set(rows) == expected
    for key, row in rows.items():
        assert row["images_per_s"] > 0 and row["gflops"] > 0, key
        if key[2] != "torch":  # quick runs measure memory in fresh processes for these
            assert row["peak_rss_mb"] > 0 and row["fresh_images_per_s"] > 0, key
            assert row["torch_imported"] is False, key
        if torch_present:
            assert row["vs_torch"] > 0, key
    cases = {(r["case"], r["direction"]) for r in report["ops"]}
    assert len(cases) == 10 and all(r["minigrad_ms"] > 0 for r in report["ops"])
    assert len(report["targets"]) == 6
    assert "images/s" in result.stdout  # the table


def test_flops_per_image():
    # Model S forward: conv 8*9*26*26 + linear 1352*10 multiply-adds, 2 FLOPs each.
    assert models.flops_per_image("S", train=False) == 2 * (8 * 9 * 676 + 13520)
    assert models.flops_per_image("S", train=True) == 2 * (2 * (8 * 9 * 676 + 13520) + 13520)
    assert models.flops_per_image("K", train=True) > 2.9 * models.flops_per_image("K", False)


def test_loop_baseline_computes_the_gradients_autograd_does():
    """The documents' method, re-implemented, against minigrad's autograd on one image."""
    loops = reference_loops.LoopCNN(seed=3)
    loops.filter_bias[:] = np.random.default_rng(4).standard_normal(8)
    image = np.round(np.random.default_rng(5).random((28, 28)), 1)  # ties in the pooling
    loss, grads = loops.gradients(image, 7)

    conv_w = mg.tensor(loops.filters[:, None], requires_grad=True)
    conv_b = mg.tensor(loops.filter_bias, requires_grad=True)
    # The loops flatten pooled maps as (h, w, f); nn.Flatten as (f, h, w).
    dense = loops.weights.reshape(13, 13, 8, 10).transpose(3, 2, 0, 1).reshape(10, 1352)
    dense_w = mg.tensor(dense, requires_grad=True)
    dense_b = mg.tensor(loops.bias, requires_grad=True)
    x = mg.tensor(image[None, None])
    hidden = F.max_pool2d(F.conv2d(x, conv_w, conv_b), 2).flatten(1)
    ours = F.cross_entropy(hidden @ dense_w.T + dense_b, mg.tensor([7]))
    ours.backward()

    np.testing.assert_allclose(ours.item(), loss, rtol=1e-10)
    np.testing.assert_allclose(conv_w.grad.numpy()[:, 0], grads["filters"], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(conv_b.grad.numpy(), grads["filter_bias"], rtol=1e-8, atol=1e-12)
    expected_dense = grads["weights"].reshape(13, 13, 8, 10).transpose(3, 2, 0, 1)
    np.testing.assert_allclose(dense_w.grad.numpy(), expected_dense.reshape(10, 1352), atol=1e-12)
    np.testing.assert_allclose(dense_b.grad.numpy(), grads["bias"], atol=1e-12)


def test_loop_baseline_learns():
    images, labels = models.batch(1, seed=6)
    model = reference_loops.LoopCNN(seed=0)
    losses = [model.train_step(images[0, 0], labels[0], lr=0.01) for _ in range(3)]
    assert losses[2] < losses[1] < losses[0]


def test_dataloader_benchmark_quick_run(tmp_path):
    data = os.environ.get("MINIGRAD_DATA")
    if not data or not (Path(data) / "mnist" / "train-images-idx3-ubyte.gz").exists():
        pytest.skip("the DataLoader benchmark reads the full MNIST training set ($MINIGRAD_DATA)")
    out = tmp_path / "loader.json"
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.dataloader", "--quick", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rates = json.loads(out.read_text())["images_per_s"]
    assert {"minigrad/0", "minigrad/1", "minigrad/2"} <= set(rates)
    assert all(rate > 0 for rate in rates.values())
