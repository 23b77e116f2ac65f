"""mg.save / mg.load: round trips, exact paths, atomic writes, and refusing anything pickled."""

import os
import pickle
import zipfile

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim


def _nested():
    return {
        "model": {"fc.weight": mg.randn(3, 2), "fc.bias": np.arange(3, dtype=np.float64)},
        "numbers": [0, -7, 2**130, -(2**100), 1.5, float("inf"), -0.0, 1e-320],
        "flags": (True, False, None),
        "text": ["", "héllo ✓", "__index__.json"],
        "arrays": [
            np.zeros((0, 3), np.float32),
            np.array(5, np.int64),
            np.array([[True, False]]),
            np.arange(12, dtype=np.int8).reshape(3, 4).T,  # not contiguous
            np.asfortranarray(np.ones((2, 3), np.float16)),
            np.array(["a", "bc"]),
        ],
        # np.float64 is also a Python float: it must still come back, as itself.
        "scalars": [np.float32(2.5), np.int64(-3), np.bool_(True), np.float64(0.1)],
        "nested": {"empty_dict": {}, "empty_list": [], "empty_tuple": (), "tuple": ((1, 2), [3])},
        7: "an int key",
        "tensor_int": mg.tensor([1, 2, 3]),
    }


def _assert_same(loaded, original, where="obj"):
    if isinstance(original, mg.Tensor):
        original = original.numpy()
    if isinstance(original, np.ndarray):
        assert isinstance(loaded, np.ndarray), where
        assert loaded.dtype == original.dtype and loaded.shape == original.shape, where
        np.testing.assert_array_equal(loaded, original, err_msg=where)
    elif isinstance(original, dict):
        assert isinstance(loaded, dict) and list(loaded) == list(original), where
        for key in original:
            _assert_same(loaded[key], original[key], f"{where}[{key!r}]")
    elif isinstance(original, list | tuple):
        assert type(loaded) is type(original) and len(loaded) == len(original), where
        for i, (a, b) in enumerate(zip(loaded, original)):
            _assert_same(a, b, f"{where}[{i}]")
    else:
        assert type(loaded) is type(original), where
        assert loaded == original or (loaded != loaded and original != original), where
        if isinstance(original, float):
            assert np.copysign(1, loaded) == np.copysign(1, original), where


def test_round_trip_of_a_nested_structure(tmp_path):
    obj = _nested()
    path = tmp_path / "checkpoint.pt"
    mg.save(obj, path)
    assert os.listdir(tmp_path) == ["checkpoint.pt"]  # exactly that name, no temporary left
    _assert_same(mg.load(path), obj)
    _assert_same(mg.load(str(path)), obj)
    nan = mg.load(_saved(tmp_path, float("nan")))
    assert np.isnan(nan)


def _saved(folder, obj, name="x"):
    path = os.path.join(folder, name)
    mg.save(obj, path)
    return path


def test_file_is_an_npz_with_an_index(tmp_path):
    path = _saved(tmp_path, {"w": np.ones(3)}, name="model")  # no suffix is added
    with np.load(path, allow_pickle=False) as archive:
        assert "__index__.json" in archive.files
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist()[0] == "__index__.json"


def test_rng_state_round_trips(tmp_path):
    mg.manual_seed(123)
    mg.randn(5)
    path = _saved(tmp_path, {"rng": mg.get_rng_state()})
    expected = mg.randn(4).numpy()
    mg.manual_seed(0)
    mg.set_rng_state(mg.load(path)["rng"])
    np.testing.assert_array_equal(mg.randn(4).numpy(), expected)


def test_model_and_optimizer_checkpoint(tmp_path):
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    x, y = mg.randn(16, 4), mg.randint(0, 2, (16,))

    def train(model, optimizer, steps):
        for _ in range(steps):
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()

    train(model, optimizer, 3)
    path = _saved(tmp_path, {"model": model.state_dict(), "optimizer": optimizer.state_dict()})
    train(model, optimizer, 3)

    restored = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))
    restored_optimizer = optim.Adam(restored.parameters(), lr=0.5)
    checkpoint = mg.load(path)
    restored.load_state_dict(checkpoint["model"])
    restored_optimizer.load_state_dict(checkpoint["optimizer"])
    assert restored_optimizer.param_groups[0]["lr"] == 0.01
    assert restored_optimizer.param_groups[0]["betas"] == (0.9, 0.999)
    train(restored, restored_optimizer, 3)
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(restored.state_dict()[key], value, err_msg=key)


@pytest.mark.parametrize(
    "obj, where",
    [
        ({"model": {"fc.weight": print}}, "obj['model']['fc.weight']"),
        ({"a": [1, np.array([None, 1], dtype=object)]}, "obj['a'][1]"),
        ({"a": {1, 2}}, "obj['a']"),
        ([object()], "obj[0]"),
        ({"a": {(1, 2): 3}}, "obj['a']"),
        (1 + 2j, "obj"),
    ],
)
def test_unsavable_objects_name_their_path(tmp_path, obj, where):
    path = tmp_path / "never"
    with pytest.raises(TypeError) as error:
        mg.save(obj, path)
    assert f"cannot save {where}" in str(error.value)
    assert os.listdir(tmp_path) == []


def test_failed_save_leaves_the_old_file_whole(tmp_path, monkeypatch):
    path = _saved(tmp_path, {"w": np.arange(5)}, name="ck")
    before = open(path, "rb").read()
    unsavable = {"w": np.arange(5), "inner": [np.ones(4), {"f": lambda: 0}, 3.0], "z": "end"}
    with pytest.raises(TypeError, match=r"cannot save obj\['inner'\]\[1\]\['f'\]"):
        mg.save(unsavable, path)
    assert open(path, "rb").read() == before
    assert os.listdir(tmp_path) == ["ck"]

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)  # a crash after writing, before the rename
    with pytest.raises(OSError, match="disk full"):
        mg.save({"w": np.zeros(1000)}, path)
    monkeypatch.undo()
    assert open(path, "rb").read() == before
    assert os.listdir(tmp_path) == ["ck"]
    np.testing.assert_array_equal(mg.load(path)["w"], np.arange(5))


def test_refuses_an_npz_with_an_object_array(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, data=np.array([{"a": 1}, None], dtype=object))
    with pytest.raises(ValueError, match="evil.npz.*not a minigrad file"):
        mg.load(path)
    # Even with a minigrad index, an object member is refused, not unpickled.
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("__index__.json", '{"format": "minigrad", "version": 1, '
                                           '"root": {"array": 0}}')  # fmt: skip
        with archive.open("arrays/0.npy", "w") as member:
            np.lib.format.write_array(member, np.array([None], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="evil.npz.*refusing member 'arrays/0.npy'"):
        mg.load(path)


class _Payload:
    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def test_refuses_a_pickle_and_runs_no_code(tmp_path):
    payload = _Payload()
    payload.marker = str(tmp_path / "pwned")
    path = tmp_path / "model.pt"
    path.write_bytes(pickle.dumps(payload))
    with pytest.raises(ValueError, match="model.pt.*not a minigrad file"):
        mg.load(path)
    assert not os.path.exists(payload.marker)


def test_refuses_a_torch_save_file_and_runs_no_code(tmp_path):
    torch = pytest.importorskip("torch")
    payload = _Payload()
    payload.marker = str(tmp_path / "pwned")
    path = tmp_path / "torch.pt"
    torch.save({"w": torch.ones(2), "evil": payload}, path)  # a zip holding a pickle
    with pytest.raises(ValueError, match="torch.pt.*not a minigrad file.*never unpickles"):
        mg.load(path)
    assert not os.path.exists(payload.marker)


def test_saved_file_has_the_usual_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        path = _saved(tmp_path, [1, 2])
    finally:
        os.umask(umask)
    assert os.stat(path).st_mode & 0o777 == 0o644  # not mkstemp's 0o600


def test_refuses_foreign_zip_files(tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("__index__.json", '{"format": "something-else"}')
    with pytest.raises(ValueError, match="other.zip.*not a minigrad file"):
        mg.load(path)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hi")
    with pytest.raises(ValueError, match="not a minigrad file"):
        mg.load(path)
