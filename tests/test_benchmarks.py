"""The benchmark: its quick mode runs and writes the expected JSON; its loop baseline is right."""

import json
import statistics
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
from benchmarks import models, reference_loops, run, tinygrad_models  # noqa: E402
from benchmarks.dataloader import has_mnist  # noqa: E402


def test_quick_run_writes_every_row(tmp_path):
    out = tmp_path / "results.json"
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--runs", "2", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    assert report["meta"]["quick"] and report["meta"]["matmul_gflops_numpy"] > 0
    torch_present = report["meta"]["torch"] is not None
    # tinygrad is a peer wherever it can run: the run must not leave it out silently.
    tinygrad_present = report["meta"]["tinygrad"] is not None
    assert tinygrad_present == tinygrad_models.available()
    peers = ["torch"] * torch_present + ["tinygrad"] * tinygrad_present
    rows = {(r["model"], r["mode"], r["framework"]): r for r in report["models"]}
    expected = {(m, mode, lib) for m in "SK" for mode in ("train", "infer")
                for lib in ["minigrad"] + peers}  # fmt: skip
    expected.add(("S", "train", "loops"))
    assert set(rows) == expected
    for key, row in rows.items():
        assert row["images_per_s"] > 0 and row["gflops"] > 0, key
        if key[2] not in ("torch", "tinygrad"):  # quick runs start fresh processes for these
            assert row["peak_rss_mb"] > 0 and row["fresh_images_per_s"] > 0, key
            assert row["torch_imported"] is False and row["tinygrad_imported"] is False, key
        if key[2] != "loops":  # measured once per run, and the row is the median
            assert len(row["images_per_s_runs"]) == 2, key
            assert min(row["images_per_s_runs"]) <= row["images_per_s"], key
        if torch_present:
            assert row["vs_torch"] > 0, key
            if key[2] != "loops":
                assert row["vs_torch_min"] <= row["vs_torch_max"], key
        if tinygrad_present and key[2] == "minigrad":
            assert row["vs_tinygrad"] > 0, key
    cases = {(r["case"], r["direction"]) for r in report["ops"]}
    assert len(cases) == 10 and all(r["minigrad_ms"] > 0 for r in report["ops"])
    assert [t["target"] for t in report["targets"]] == [t[0] for t in run.TARGETS]
    assert len(report["targets"]) == 9
    data = report["data_pipeline"]
    if has_mnist():
        assert [r["workers"] for r in data["rows"]] == [0, 1, 2]
        assert all(r["minigrad_images_per_s"] > 0 for r in data["rows"])
        assert all(r["vs_torch"] > 0 for r in data["rows"]) or not torch_present
    else:
        assert data is None and "no MNIST" in result.stdout
    assert "images/s" in result.stdout  # the table


def test_ratios_and_targets_from_rows():
    """vs_torch: the ratio of the medians, with the per-run ratios' extremes; the tinygrad and
    data-pipeline targets are 'not measured' without their rows."""

    def row(model, mode, framework, runs):
        return dict(model=model, mode=mode, framework=framework, peak_rss_mb=None,
                    images_per_s=statistics.median(runs), images_per_s_runs=runs)  # fmt: skip

    modes = [(m, mode) for m in "SK" for mode in ("train", "infer")]
    rows = [row(m, mode, "minigrad", [10, 30, 20]) for m, mode in modes]
    rows += [row(m, mode, "torch", [10, 40, 10]) for m, mode in modes]
    loops = row("S", "train", "loops", [1])
    del loops["images_per_s_runs"]  # measured once
    rows.append(loops)
    run.add_ratios(rows)
    ours = rows[1]  # S inference
    assert ours["vs_torch"] == 2.0  # medians 20 / 10; per run 1, 0.75, 2
    assert (ours["vs_torch_min"], ours["vs_torch_max"]) == (0.75, 2.0)
    assert "vs_tinygrad" not in ours
    met = {t["target"]: t["met"] for t in run.check_targets(rows)}
    assert met["Model S inference >= 1.2x PyTorch"] is True
    assert met["Model S inference >= 1.2x tinygrad (TinyJit)"] is None
    assert met["DataLoader 2 workers >= 1.5x 0 workers"] is None

    rows.append(row("S", "infer", "tinygrad", [40, 40, 40]))
    run.add_ratios(rows)
    assert ours["vs_tinygrad"] == 0.5 and ours["vs_tinygrad_max"] == 0.75
    data = {"rows": [{"workers": 2, "minigrad_vs_0_workers": 1.6, "vs_torch": 0.9}]}
    met = {t["target"]: t["met"] for t in run.check_targets(rows, data)}
    assert met["Model S inference >= 1.2x tinygrad (TinyJit)"] is False
    assert met["DataLoader 2 workers >= 1.5x 0 workers"] is True
    assert met["DataLoader 2 workers >= PyTorch's 2 workers"] is False


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
    if not has_mnist():
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
