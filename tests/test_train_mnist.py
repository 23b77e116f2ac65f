"""examples/train_mnist.py end to end, on the MNIST sample shipped with minigrad."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
import models
from minigrad.data import MNISTSample

SCRIPT = Path(__file__).resolve().parents[1] / "examples" / "train_mnist.py"
_spec = importlib.util.spec_from_file_location("train_mnist", SCRIPT)
train_mnist = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(train_mnist)

HAVE_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
KEYS = {"epoch", "train_loss", "train_acc", "test_loss", "test_acc", "seconds", "images_per_second"}


@pytest.fixture
def run(tmp_path, monkeypatch):
    """``run(*argv)``: main() quietly on the shipped sample (an empty data root, no download),
    in tmp_path, so the default runs/ folder lands there."""
    empty = tmp_path / "no-data"
    empty.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MINIGRAD_DATA", str(empty))  # the default root: falls back to the sample

    def run(*argv):
        argv = [str(a) for a in argv]
        return train_mnist.main([*argv, "--no-download", "--quiet"])

    return run


def weights(path):
    return mg.load(path)["model"]


def assert_same_weights(path_a, path_b):
    a, b = weights(path_a), weights(path_b)
    assert list(a) == list(b)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def test_lenet5_beats_90_percent_in_one_epoch_on_the_sample(run):
    metrics = run("--model", "lenet5", "--epochs", 1, "--batch-size", 16)
    assert (metrics["train_size"], metrics["test_size"]) == (5000, 1000)
    assert metrics["test_acc"] > 0.90, metrics


def test_resume_gives_the_weights_of_an_uninterrupted_run(run):
    common = ["--subset", 300, "--batch-size", 32, "--schedule", "constant"]
    straight = run(*common, "--epochs", 2, "--checkpoint", "straight.ckpt")
    run(*common, "--epochs", 1, "--checkpoint", "resumed.ckpt")
    assert mg.load("resumed.ckpt")["epoch"] == 1
    # Everything but --epochs comes back from the checkpoint.
    resumed = run("--resume", "resumed.ckpt", "--epochs", 2)
    assert_same_weights("straight.ckpt", "resumed.ckpt")
    for ours, theirs in zip(resumed["history"], straight["history"], strict=True):
        for key in ("epoch", "train_loss", "train_acc", "test_loss", "test_acc", "lr"):
            assert ours[key] == theirs[key], key


def test_resume_with_different_weights_would_be_caught(run):
    # The equality above can fail: another seed gives other weights.
    common = ["--subset", 300, "--batch-size", 32, "--epochs", 1]
    run(*common, "--checkpoint", "a.ckpt")
    run(*common, "--checkpoint", "b.ckpt", "--seed", 1)
    with pytest.raises(AssertionError):
        assert_same_weights("a.ckpt", "b.ckpt")


@pytest.mark.parametrize("stop_epoch", [1, 2])
def test_keyboard_interrupt_saves_and_resume_is_exact(run, monkeypatch, capsys, stop_epoch):
    common = ["--subset", 256, "--batch-size", 32, "--epochs", 3]  # 8 batches per epoch
    run(*common, "--checkpoint", "straight.ckpt")

    calls = 0
    real_loss = train_mnist.loss_function

    def interrupting_loss(*args, **kwargs):  # Ctrl-C at the 4th batch of epoch stop_epoch
        nonlocal calls
        calls += kwargs.get("reduction", "mean") == "mean"  # training batches, not evaluation
        if calls == 8 * (stop_epoch - 1) + 4:
            raise KeyboardInterrupt
        return real_loss(*args, **kwargs)

    monkeypatch.setattr(train_mnist, "loss_function", interrupting_loss)
    with pytest.raises(SystemExit) as exit_info:
        run(*common, "--checkpoint", "stopped.ckpt")
    assert exit_info.value.code == 130
    message = capsys.readouterr().err
    assert f"Interrupted during epoch {stop_epoch}" in message
    assert "--resume stopped.ckpt" in message
    checkpoint = mg.load("stopped.ckpt")
    assert checkpoint["epoch"] == stop_epoch - 1 and len(checkpoint["history"]) == stop_epoch - 1

    monkeypatch.setattr(train_mnist, "loss_function", real_loss)
    run("--resume", "stopped.ckpt")
    assert_same_weights("straight.ckpt", "stopped.ckpt")
    assert mg.load("stopped.ckpt")["epoch"] == 3


def test_cli_end_to_end(tmp_path):
    empty = tmp_path / "no-data"
    empty.mkdir()
    argv = [
        sys.executable, str(SCRIPT), "--subset", "200", "--epochs", "2", "--batch-size", "50",
        "--no-download", "--metrics", "m.jsonl", "--plot", "p.png",
    ]  # fmt: skip
    env = {**os.environ, "MINIGRAD_DATA": str(empty)}
    done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert "seed: test accuracy" in done.stdout
    assert done.stderr.count("using the 5,000/1,000-image sample") == 1  # one notice, not two

    lines = (tmp_path / "m.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["epoch"] for r in records] == [1, 2]
    for record in records:
        assert KEYS <= set(record)
        assert 0 <= record["test_acc"] <= 1 and record["images_per_second"] > 0

    checkpoint = mg.load(tmp_path / "runs" / "seed.ckpt")  # the default path
    assert checkpoint["epoch"] == 2 and checkpoint["args"]["model"] == "seed"
    assert {"model", "optimizer", "rng_state", "args", "history"} <= set(checkpoint)
    model = models.create("seed")
    model.load_state_dict(checkpoint["model"])

    plot = tmp_path / "p.png"
    if not HAVE_MATPLOTLIB:
        assert not plot.exists() and 'pip install -e ".[plot]"' in done.stdout
    else:
        assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_without_matplotlib_says_how_to_get_it(run, monkeypatch, capsys):
    monkeypatch.setattr(train_mnist, "have_matplotlib", lambda: False)
    run("--subset", 64, "--epochs", 1, "--plot", "curves.png")
    assert 'pip install -e ".[plot]"' in capsys.readouterr().out
    assert not Path("curves.png").exists()


def test_two_class_uses_digits_0_and_1_with_a_sigmoid_output(run):
    metrics = run("--model", "two-class", "--epochs", 1, "--subset", 1000)
    test_labels = MNISTSample(train=False).targets
    assert metrics["test_size"] == np.sum(test_labels <= 1)
    assert metrics["test_acc"] > 0.98
    checkpoint = mg.load("runs/two-class.ckpt")
    assert checkpoint["model"]["classifier.1.weight"].shape == (1, 1352)
    # Without --plot, the curves go beside the checkpoint when matplotlib is installed.
    assert Path("runs/two-class.png").exists() == HAVE_MATPLOTLIB


def test_two_class_loss_is_binary_cross_entropy():
    logits = mg.tensor([[2.0], [-1.0], [0.5]])
    labels = mg.tensor([1, 0, 0])
    p = 1 / (1 + np.exp(-np.array([2.0, -1.0, 0.5])))
    want = -np.mean([np.log(p[0]), np.log(1 - p[1]), np.log(1 - p[2])])
    np.testing.assert_allclose(train_mnist.loss_function(logits, labels).item(), want, rtol=1e-6)
    np.testing.assert_array_equal(train_mnist.predictions(logits), [1, 0, 1])


def test_resume_without_a_checkpoint_says_so(run):
    with pytest.raises(SystemExit, match="no checkpoint at runs/seed.ckpt"):
        run("--resume")


def test_unknown_model_is_a_usage_error(run, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run("--model", "resnet")
    assert exit_info.value.code == 2
    assert "invalid choice: 'resnet'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["--subset", "-5"], ["--subset", "0"], ["--lr", "nan"], ["--lr", "-1"],
        ["--batch-size", "0"], ["--epochs", "0"], ["--momentum", "inf"],
    ],
)  # fmt: skip
def test_bad_numbers_are_one_line_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as info:
        train_mnist.parse_args(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert argv[0] in err and argv[1] in err and "Traceback" not in err


def test_resume_of_a_foreign_minigrad_file_says_what_it_holds(run, tmp_path):
    mg.save({"weights": mg.zeros(2)}, tmp_path / "other.mg")
    with pytest.raises(SystemExit, match=r"holds \['weights'\], expected the keys .*'model'"):
        run("--resume", tmp_path / "other.mg")


def test_resume_with_another_model_says_which_model_the_checkpoint_is(run):
    run("--model", "lenet5", "--subset", 64, "--epochs", 1, "--checkpoint", "l.ckpt")
    with pytest.raises(SystemExit, match="this checkpoint is lenet5"):
        run("--resume", "l.ckpt", "--model", "seed")


def test_an_unwritable_checkpoint_fails_before_training(run, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")  # a file where the checkpoint's folder should be
    monkeypatch.setattr(train_mnist, "train_epoch", lambda *a, **k: pytest.fail("trained"))
    with pytest.raises(SystemExit, match=r"--checkpoint .*a-file.*cannot write"):
        run("--subset", 64, "--epochs", 1, "--checkpoint", blocker / "x.ckpt")


def test_an_explicit_data_root_without_the_data_is_an_error_naming_it(run, tmp_path, capsys):
    wrong = tmp_path / "wrong-root"
    wrong.mkdir()
    with pytest.raises(SystemExit, match=r"--data-root .*wrong-root.*not found in .*mnist"):
        run("--data-root", wrong, "--epochs", 1)
    assert "sample" not in capsys.readouterr().err


def test_training_on_another_device_gives_the_cpu_run(run, tmp_path):
    """--device runs the same training on the device (here the test-only 'strict' one, which
    fails on any numpy array made on the way); the checkpoint holds host arrays."""
    import strict_backend

    common = ["--subset", 200, "--batch-size", 50, "--epochs", 1, "--model", "seed"]
    on_cpu = run(*common, "--checkpoint", tmp_path / "cpu.ckpt")
    with strict_backend.registered():
        on_device = run(*common, "--checkpoint", tmp_path / "strict.ckpt", "--device", "strict")
    assert on_device["test_acc"] == pytest.approx(on_cpu["test_acc"], abs=0.002)
    assert on_device["train_loss"] == pytest.approx(on_cpu["train_loss"], rel=1e-4)
    saved = weights(tmp_path / "strict.ckpt")
    assert all(type(array) is np.ndarray for array in saved.values())  # host copies
    for key, expected in weights(tmp_path / "cpu.ckpt").items():
        np.testing.assert_allclose(saved[key], expected, rtol=1e-3, atol=1e-5)


def test_a_device_that_is_not_there_is_an_error_naming_it(run):
    if mg.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(SystemExit, match="--device cuda: .*no GPU"):
        run("--device", "cuda")
