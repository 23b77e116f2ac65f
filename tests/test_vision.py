"""minigrad.vision: torchvision's datasets, transforms and utils."""

import gzip
import os
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
import minigrad.vision as torchvision
from minigrad.data import mnist as _mnist
from minigrad.vision import datasets, transforms

DATA = os.environ.get("MINIGRAD_DATA")
NAMES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
         "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")  # fmt: skip


def _idx(array):
    header = bytes([0, 0, 8, array.ndim]) + b"".join(n.to_bytes(4, "big") for n in array.shape)
    return header + np.ascontiguousarray(array, np.uint8).tobytes()


@pytest.fixture
def tiny_root(tmp_path, monkeypatch):
    """A torchvision layout with 3 training and 2 test crafted images, half of it gzipped."""
    rng = np.random.default_rng(0)
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    arrays = {
        NAMES[0]: rng.integers(0, 256, (3, 28, 28), dtype=np.uint8),
        NAMES[1]: np.array([7, 0, 9], np.uint8),
        NAMES[2]: rng.integers(0, 256, (2, 28, 28), dtype=np.uint8),
        NAMES[3]: np.array([1, 2], np.uint8),
    }
    md5s = {}
    for k, (name, array) in enumerate(arrays.items()):
        content = _idx(array)
        md5s[name] = __import__("hashlib").md5(content).hexdigest()
        if k % 2:
            (raw / f"{name}.gz").write_bytes(gzip.compress(content))
        else:
            (raw / name).write_bytes(content)
    monkeypatch.setattr(_mnist.MNIST, "md5s", md5s)
    return tmp_path, arrays


def test_tiny_idx_files_items_and_attributes(tiny_root):
    root, arrays = tiny_root
    train = datasets.MNIST(root)
    test = datasets.MNIST(str(root), train=False)
    assert len(train) == 3 and len(test) == 2
    image, target = train[0]
    assert isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.shape == (28, 28)
    assert type(target) is int and target == 7
    np.testing.assert_array_equal(image, arrays[NAMES[0]][0])
    np.testing.assert_array_equal(test[1][0], arrays[NAMES[2]][1])
    assert isinstance(train.data, mg.Tensor) and train.data.dtype == np.uint8
    assert train.data.shape == (3, 28, 28) and train.targets.dtype == np.int64
    assert train.targets.tolist() == [7, 0, 9]
    assert train.classes[0] == "0 - zero" and train.class_to_idx["9 - nine"] == 9
    assert datasets.FashionMNIST.classes[0] == "T-shirt/top"
    assert "Number of datapoints: 3" in repr(train) and "Split: Test" in repr(test)


def test_transforms_applied_and_positional_order(tiny_root):
    root, arrays = tiny_root
    ds = datasets.MNIST(root, True, lambda im: im.sum(), lambda t: t + 100)
    image, target = ds[2]
    assert image == arrays[NAMES[0]][2].sum() and target == 109
    assert "StandardTransform" in repr(ds) and "Target transform: " in repr(ds)


def test_second_construction_reuses_arrays_but_not_storage(tiny_root, monkeypatch):
    root, _ = tiny_root
    a = datasets.MNIST(root)

    def no_second_read(*args, **kwargs):
        raise AssertionError("the files were read again")

    monkeypatch.setattr(_mnist, "read_idx", no_second_read)
    b = datasets.MNIST(root)
    a.data.numpy()[0, 0, 0] = 1
    b.data.numpy()[0, 0, 0] = 2
    assert a.data.numpy()[0, 0, 0] == 1


def test_md5_mismatch_raises_naming_the_file(tiny_root, monkeypatch):
    root, _ = tiny_root
    monkeypatch.setattr(_mnist.MNIST, "md5s", dict.fromkeys(NAMES, "0" * 32))
    datasets._loaded.clear()
    with pytest.raises(_mnist.CorruptDatasetError, match="train-images-idx3-ubyte"):
        datasets.MNIST(root)


@pytest.mark.parametrize("download", [False, True])
def test_missing_files_raise_runtime_error(tmp_path, download):
    with pytest.raises(RuntimeError, match=r"MNIST/raw.*train-images-idx3-ubyte.*not download"):
        datasets.MNIST(tmp_path, download=download)
    with pytest.raises(RuntimeError, match=r"FashionMNIST/raw.*t10k-labels-idx1-ubyte"):
        datasets.FashionMNIST(tmp_path, train=False, download=download)


def test_bad_transform_names_argument(tiny_root):
    with pytest.raises(TypeError, match="target_transform"):
        datasets.MNIST(tiny_root[0], target_transform=3)


def test_import_as_torchvision():
    assert torchvision.datasets is datasets and torchvision.transforms is transforms
    assert callable(torchvision.utils.make_grid) and callable(torchvision.utils.save_image)


@pytest.mark.skipif(not DATA, reason="MINIGRAD_DATA is not set")
@pytest.mark.parametrize(
    "cls, folder, mean",
    [(datasets.MNIST, "mnist", 0.1307), (datasets.FashionMNIST, "fashion-mnist", 0.2860)],
)
def test_real_files_in_torchvision_layout(tmp_path, cls, folder, mean):
    raw = tmp_path / cls.folder_name / "raw"
    raw.mkdir(parents=True)
    for name in NAMES:
        (raw / f"{name}.gz").symlink_to(Path(DATA) / folder / f"{name}.gz")
    train, test = cls(tmp_path), cls(tmp_path, train=False)
    assert len(train) == 60000 and len(test) == 10000
    assert abs(train.data.numpy().mean() / 255 - mean) < 1e-4
    if folder == "fashion-mnist":
        assert np.bincount(train.targets.numpy()).tolist() == [6000] * 10
    else:
        assert np.bincount(train.targets.numpy())[:3].tolist() == [5923, 6742, 5958]
    image, target = train[59999]
    assert image.base is not None  # a view into .data's array: no copy per item
    np.testing.assert_array_equal(image, train.data.numpy()[59999])
    assert target == int(train.targets.numpy()[59999])


@pytest.mark.skipif(not DATA, reason="MINIGRAD_DATA is not set")
def test_root_none_uses_minigrad_lookup():
    ds = datasets.MNIST(None, train=False)
    assert len(ds) == 10000 and ds[0][1] == 7


# --- transforms ---


def _torch():
    return pytest.importorskip("torch")


def _img(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).random(shape).astype(dtype)


def test_compose_totensor_normalize_repr_and_values():
    pipeline = transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))]
    )
    assert repr(pipeline) == (
        "Compose(\n    ToTensor()\n    Normalize(mean=(0.1307,), std=(0.3081,))\n)"
    )
    image = np.arange(28 * 28, dtype=np.int64).reshape(28, 28).astype(np.uint8)
    out = pipeline(image)
    assert isinstance(out, mg.Tensor) and out.shape == (1, 28, 28) and out.dtype == np.float32
    expected = (image.astype(np.float32) / 255 - np.float32(0.1307)) / np.float32(0.3081)
    np.testing.assert_allclose(out.numpy()[0], expected, rtol=1e-6, atol=1e-6)


def test_totensor_layouts_and_dtypes():
    hwc = np.random.default_rng(0).integers(0, 256, (4, 5, 3), dtype=np.uint8)
    out = transforms.ToTensor()(hwc).numpy()
    assert out.shape == (3, 4, 5) and out.dtype == np.float32
    np.testing.assert_allclose(out[2, 1, 3], hwc[1, 3, 2] / 255, rtol=1e-6)
    assert out.max() <= 1 and out.min() >= 0
    floats = np.full((2, 2), 7.0)
    assert transforms.ToTensor()(floats).numpy().tolist() == [[[7.0, 7.0], [7.0, 7.0]]]
    with pytest.raises(TypeError, match="pic"):
        transforms.ToTensor()([[1, 2]])


def test_normalize_against_torch_and_inplace():
    torch = _torch()
    x = _img((3, 4, 5))
    mean, std = (0.5, 0.4, 0.3), (0.2, 0.25, 0.5)
    ours = transforms.Normalize(mean, std)(mg.tensor(x)).numpy()
    ref = (torch.tensor(x) - torch.tensor(mean).view(-1, 1, 1)) / torch.tensor(std).view(-1, 1, 1)
    np.testing.assert_allclose(ours, ref.numpy(), rtol=1e-6, atol=1e-6)
    t = mg.tensor(x.copy())
    assert transforms.Normalize(mean, std, inplace=True)(t) is t
    np.testing.assert_allclose(t.numpy(), ref.numpy(), rtol=1e-6, atol=1e-6)


def test_normalize_bad_inputs():
    with pytest.raises(ValueError, match="std evaluated to zero"):
        transforms.Normalize((0.5,), (0.0,))(mg.ones(1, 2, 2))
    with pytest.raises(TypeError, match="float tensor"):
        transforms.Normalize((0.5,), (1.0,))(mg.tensor(np.ones((1, 2, 2), np.int64)))
    with pytest.raises(ValueError, match=r"\(\.\.\., C, H, W\)"):
        transforms.Normalize((0.5,), (1.0,))(mg.ones(2, 2))
    with pytest.raises(ValueError, match="mean has 2 values"):
        transforms.Normalize((0.5, 0.5), (1.0,))(mg.ones(3, 2, 2))
    with pytest.raises(TypeError, match="minigrad Tensor"):
        transforms.Normalize((0.5,), (1.0,))(np.ones((1, 2, 2), np.float32))


def test_lambda_and_compose_errors():
    assert transforms.Lambda(lambda x: x + 1)(1) == 2
    assert repr(transforms.Lambda(abs)) == "Lambda()"
    with pytest.raises(TypeError, match="callable"):
        transforms.Lambda(3)
    with pytest.raises(TypeError, match="callable"):
        transforms.Compose([transforms.ToTensor(), 5])


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect"])
@pytest.mark.parametrize("padding", [2, (1, 3), (1, 2, 3, 0)])
def test_pad_against_torch(mode, padding):
    torch = _torch()
    x = _img((2, 5, 6))
    ours = transforms.Pad(padding, fill=0.5, padding_mode=mode)(mg.tensor(x)).numpy()
    left, top, right, bottom = transforms._padding4(padding, "test")
    torch_mode = {"edge": "replicate"}.get(mode, mode)
    kwargs = {"value": 0.5} if mode == "constant" else {}
    ref = torch.nn.functional.pad(
        torch.tensor(x)[None], (left, right, top, bottom), mode=torch_mode, **kwargs
    )
    np.testing.assert_array_equal(ours, ref[0].numpy())


def test_pad_symmetric_and_negative_by_hand():
    row = np.array([[1, 2, 3]])
    out = transforms.Pad((2, 0), padding_mode="symmetric")(row)
    assert out.tolist() == [[2, 1, 1, 2, 3, 3, 2]]
    assert transforms.Pad((2, 0), padding_mode="reflect")(row).tolist() == [[3, 2, 1, 2, 3, 2, 1]]
    assert transforms.Pad((-1, 0, 1, 0))(row).tolist() == [[2, 3, 0]]  # negative crops


def test_pad_numpy_hwc_and_per_channel_fill_and_errors():
    hwc = np.zeros((2, 2, 3), np.uint8)
    out = transforms.Pad(1, fill=(1, 2, 3))(hwc)
    assert (
        out.shape == (4, 4, 3) and out[0, 0].tolist() == [1, 2, 3] and out[1, 1].tolist() == [0] * 3
    )
    assert repr(transforms.Pad(4)) == "Pad(padding=4, fill=0, padding_mode=constant)"
    with pytest.raises(ValueError, match="padding_mode"):
        transforms.Pad(1, padding_mode="wrap")
    with pytest.raises(ValueError, match="3 element tuple"):
        transforms.Pad((1, 2, 3))
    with pytest.raises(TypeError, match="padding"):
        transforms.Pad(1.5)


def test_center_crop_offsets_and_padding():
    x = np.arange(5 * 6).reshape(5, 6)
    out = transforms.CenterCrop((2, 3))(x)
    # torchvision: top = int(round((5 - 2) / 2.0)) = 2, left = int(round(3 / 2.0)) = 2
    np.testing.assert_array_equal(out, x[2:4, 2:5])
    big = transforms.CenterCrop(8)(mg.tensor(np.ones((1, 4, 4), np.float32))).numpy()
    assert big.shape == (1, 8, 8) and big.sum() == 16 and big[0, 2:6, 2:6].min() == 1
    assert repr(transforms.CenterCrop(3)) == "CenterCrop(size=(3, 3))"
    with pytest.raises(ValueError, match="size"):
        transforms.CenterCrop(0)


def test_random_crop_is_a_window_and_seeded():
    x = np.arange(28 * 28, dtype=np.float32).reshape(1, 28, 28)
    crop = transforms.RandomCrop(28, padding=4)
    mg.manual_seed(0)
    first = [crop(mg.tensor(x)).numpy() for _ in range(5)]
    mg.manual_seed(0)
    again = [crop(mg.tensor(x)).numpy() for _ in range(5)]
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    padded = np.pad(x, ((0, 0), (4, 4), (4, 4)))
    offsets = set()
    for out in first:
        found = [(i, j) for i in range(9) for j in range(9)
                 if np.array_equal(padded[:, i : i + 28, j : j + 28], out)]  # fmt: skip
        assert len(found) == 1
        offsets |= set(found)
    assert len(offsets) > 1
    assert repr(crop) == "RandomCrop(size=(28, 28), padding=4)"


def test_random_crop_pad_if_needed_and_errors():
    out = transforms.RandomCrop((6, 7), pad_if_needed=True)(np.ones((4, 5), np.uint8))
    assert out.shape == (6, 7)
    with pytest.raises(ValueError, match="larger than input image size"):
        transforms.RandomCrop(6)(np.ones((4, 5), np.uint8))


def test_flips_probability_and_values():
    x = _img((2, 3, 4))
    t = mg.tensor(x)
    np.testing.assert_array_equal(transforms.RandomHorizontalFlip(1.0)(t).numpy(), x[..., ::-1])
    np.testing.assert_array_equal(transforms.RandomVerticalFlip(p=1)(t).numpy(), x[:, ::-1])
    assert transforms.RandomHorizontalFlip(0.0)(t) is t
    hw = np.arange(6).reshape(2, 3)
    np.testing.assert_array_equal(transforms.RandomHorizontalFlip(1)(hw), hw[:, ::-1])
    mg.manual_seed(1)
    flips = sum(transforms.RandomHorizontalFlip()(hw)[0, 0] == 2 for _ in range(400))
    assert 140 < flips < 260
    assert repr(transforms.RandomVerticalFlip()) == "RandomVerticalFlip(p=0.5)"
    with pytest.raises(ValueError, match="p should be"):
        transforms.RandomHorizontalFlip(1.5)


def test_grayscale_tensor_and_numpy():
    rgb = _img((3, 2, 2))
    grey = transforms.Grayscale()(mg.tensor(rgb)).numpy()
    np.testing.assert_allclose(
        grey[0], 0.2989 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2], rtol=1e-6
    )
    three = transforms.Grayscale(num_output_channels=3)(mg.tensor(rgb)).numpy()
    assert three.shape == (3, 2, 2) and (three == three[:1]).all()
    pixel = np.array([[[255, 0, 0], [0, 255, 0]]], np.uint8)
    # PIL's L = round(0.299 R + 0.587 G + 0.114 B): 76 and 150
    assert transforms.Grayscale()(pixel).tolist() == [[76, 150]]
    with pytest.raises(TypeError, match="channel"):
        transforms.Grayscale()(mg.ones(2, 3, 3))
    with pytest.raises(ValueError, match="num_output_channels"):
        transforms.Grayscale(2)


def test_geometric_transform_bad_image_type():
    with pytest.raises(TypeError, match="img should be"):
        transforms.CenterCrop(2)([[1, 2], [3, 4]])


@pytest.mark.parametrize("antialias", [True, False])
@pytest.mark.parametrize("shape, size", [((9, 13), (4, 5)), ((5, 6), (11, 14)), ((8, 8), (3, 17))])
def test_resize_bilinear_against_torch(shape, size, antialias):
    torch = _torch()
    x = _img((2, *shape))
    ours = transforms.Resize(size, antialias=antialias)(mg.tensor(x)).numpy()
    ref = torch.nn.functional.interpolate(
        torch.tensor(x)[None], size=size, mode="bilinear", align_corners=False, antialias=antialias
    )[0]
    assert ours.shape == (2, *size)
    np.testing.assert_allclose(ours, ref.numpy(), rtol=1e-5, atol=1e-6)


def test_resize_nearest_against_torch_and_uint8_rounding():
    torch = _torch()
    x = _img((1, 7, 10))
    ours = transforms.Resize((4, 13), interpolation="nearest")(mg.tensor(x)).numpy()
    ref = torch.nn.functional.interpolate(torch.tensor(x)[None], size=(4, 13), mode="nearest")[0]
    np.testing.assert_array_equal(ours, ref.numpy())
    image = np.array([[0, 255], [255, 0]], np.uint8)
    half = transforms.Resize((1, 1))(image)  # antialiased: the mean, 127.5, rounds to 128
    assert half.dtype == np.uint8 and half.tolist() == [[128]]


def test_resize_int_is_the_smaller_edge():
    resize = transforms.Resize(10)
    assert resize(np.zeros((28, 35), np.float32)).shape == (10, 12)  # int(10 * 35 / 28) = 12
    assert resize(mg.zeros(3, 40, 20)).shape == (3, 20, 10)
    assert transforms.Resize(10, max_size=11)(np.zeros((10, 30))).shape == (3, 11)
    assert repr(resize) == "Resize(size=10, interpolation=bilinear, max_size=None, antialias=True)"
    with pytest.raises(ValueError, match="size"):
        transforms.Resize(-3)
    with pytest.raises(ValueError, match="interpolation"):
        transforms.Resize(3, interpolation="bicubic")


def _torch_affine(torch, x, matrix, mode):
    """torchvision's tensor affine written with torch: its grid for this matrix, then
    grid_sample(align_corners=False) with the mask of ones that carries ``fill`` = 0."""
    h, w = x.shape[-2:]
    a, b, c, d, e, f = matrix
    # theta in affine_grid's normalised coordinates for the pixel-space matrix (same size out)
    theta = torch.tensor(
        [[[a, b * h / w, 2 * c / w], [d * w / h, e, 2 * f / h]]], dtype=torch.float64
    )
    img = torch.tensor(x, dtype=torch.float64)[None]
    grid = torch.nn.functional.affine_grid(theta, img.shape, align_corners=False)
    with_mask = torch.cat([img, torch.ones_like(img[:, :1])], dim=1)
    out = torch.nn.functional.grid_sample(with_mask, grid, mode=mode, align_corners=False)
    values, mask = out[0, :-1], out[0, -1:]
    if mode == "nearest":
        return torch.where(mask < 0.5, 0.0, values).numpy()
    return (values * mask).numpy()


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
@pytest.mark.parametrize(
    "angle, translate, scale, shear",
    [
        (30.0, (0, 0), 1.0, (0.0, 0.0)),
        (-75.0, (2, -1), 0.8, (10.0, -5.0)),
        (0.0, (1, 3), 1.3, (0.0, 20.0)),
    ],
)
def test_affine_sampling_against_torch_grid_sample(mode, angle, translate, scale, shear):
    torch = _torch()
    x = _img((2, 9, 12)).astype(np.float64)
    affine = transforms.RandomAffine(0, interpolation=mode)
    ours = affine._affine(x, angle, translate, scale, shear)
    matrix = transforms._inverse_affine_matrix((0.0, 0.0), angle, translate, scale, shear)
    np.testing.assert_allclose(ours, _torch_affine(torch, x, matrix, mode), rtol=1e-9, atol=1e-9)


def test_inverse_affine_matrix_by_hand():
    # rotation by 90 degrees clockwise: the output pixel (x, y) reads the input at (y, -x)
    np.testing.assert_allclose(
        transforms._inverse_affine_matrix((0, 0), 90, (0, 0), 1.0, (0, 0)),
        [0, 1, 0, -1, 0, 0],
        atol=1e-12,
    )
    # scale 2 and translation (3, -4): input = (output - t) / 2
    np.testing.assert_allclose(
        transforms._inverse_affine_matrix((0, 0), 0, (3, -4), 2.0, (0, 0)),
        [0.5, 0, -1.5, 0, 0.5, 2],
    )
    # x shear of 45 degrees: x_in = x_out + y_out (torchvision's sign), y unchanged
    np.testing.assert_allclose(
        transforms._inverse_affine_matrix((0, 0), 0, (0, 0), 1.0, (45, 0)),
        [1, 1, 0, 0, 1, 0],
        atol=1e-12,
    )


def test_rotation_by_right_angles_and_integer_shifts():
    x = _img((1, 6, 6))
    rotate = transforms.RandomRotation((90, 90))
    np.testing.assert_array_equal(rotate(mg.tensor(x)).numpy(), np.rot90(x, 1, axes=(1, 2)))
    hw = np.arange(24, dtype=np.uint8).reshape(4, 6)
    tall = transforms.RandomRotation((-90, -90), expand=True)(hw)
    np.testing.assert_array_equal(tall, np.rot90(hw, -1))  # 6 x 4: expand holds it all
    # torchvision PR 5677: 7 x 33 (h x w) turned by 67 degrees is 35 x 21, as PIL gives
    assert transforms.RandomRotation((67, 67), expand=True)(mg.ones(3, 7, 33)).shape == (3, 35, 21)
    shifted = transforms.RandomAffine(0)._affine(x, 0.0, (2, 1), 1.0, (0.0, 0.0))
    np.testing.assert_array_equal(shifted[:, 1:, 2:], x[:, :-1, :-2])
    assert (shifted[:, :1] == 0).all() and (shifted[:, :, :2] == 0).all()
    filled = transforms.RandomAffine(0, fill=(7.0,))._affine(x, 0.0, (2, 1), 1.0, (0.0, 0.0))
    assert (filled[:, 0] == 7).all()


def test_random_affine_params_and_seeding():
    affine = transforms.RandomAffine(10, translate=(0.1, 0.2), scale=(0.9, 1.1), shear=(1, 2, 3, 4))
    mg.manual_seed(3)
    draws = [affine.get_params(28, 28) for _ in range(50)]
    mg.manual_seed(3)
    assert draws == [affine.get_params(28, 28) for _ in range(50)]
    for angle, (tx, ty), scale, (sx, sy) in draws:
        assert -10 <= angle <= 10 and abs(tx) <= 3 and abs(ty) <= 6 and 0.9 <= scale <= 1.1
        assert 1 <= sx <= 2 and 3 <= sy <= 4 and isinstance(tx, int)
    out = affine(mg.tensor(_img((1, 28, 28))))
    assert out.shape == (1, 28, 28) and out.dtype == np.float32
    assert repr(transforms.RandomAffine(15, translate=(0.1, 0.1))) == (
        "RandomAffine(degrees=[-15.0, 15.0], translate=(0.1, 0.1))"
    )
    assert repr(transforms.RandomRotation(10)) == (
        "RandomRotation(degrees=[-10.0, 10.0], interpolation=nearest, expand=False)"
    )


def test_rotation_affine_bad_arguments():
    with pytest.raises(ValueError, match="degrees"):
        transforms.RandomRotation(-5)
    with pytest.raises(ValueError, match="translate"):
        transforms.RandomAffine(0, translate=(0.5, 2))
    with pytest.raises(ValueError, match="scale"):
        transforms.RandomAffine(0, scale=(0, 1))
    with pytest.raises(ValueError, match="center"):
        transforms.RandomRotation(5, center=3)
    with pytest.raises(ValueError, match="interpolation"):
        transforms.RandomRotation(5, interpolation="cubic")


# --- utils ---


def test_make_grid_layout_by_hand():
    from minigrad.vision.utils import make_grid

    images = np.arange(3 * 1 * 2 * 2, dtype=np.float32).reshape(3, 1, 2, 2) + 1
    grid = make_grid(mg.tensor(images), nrow=2, padding=1, pad_value=-1).numpy()
    # 2 columns, 2 rows: width 2 * (2 + 1) + 1 = 7, height 7; one channel expanded to three
    assert grid.shape == (3, 7, 7) and (grid[0] == grid[2]).all()
    np.testing.assert_array_equal(grid[0, 1:3, 1:3], images[0, 0])
    np.testing.assert_array_equal(grid[0, 1:3, 4:6], images[1, 0])
    np.testing.assert_array_equal(grid[0, 4:6, 1:3], images[2, 0])
    assert (
        (grid[0, 4:6, 4:6] == -1).all() and (grid[:, 0] == -1).all() and (grid[:, :, 6] == -1).all()
    )
    listed = make_grid([mg.tensor(im) for im in images], nrow=2, padding=1, pad_value=-1).numpy()
    np.testing.assert_array_equal(listed, grid)


def test_make_grid_normalize_and_single_image():
    from minigrad.vision.utils import make_grid

    x = np.array([[[[0.0, 2.0]]], [[[4.0, 8.0]]]], np.float32)
    all_at_once = make_grid(mg.tensor(x), padding=0, normalize=True).numpy()
    np.testing.assert_allclose(all_at_once[0], [[0, 0.25, 0.5, 1.0]])
    each = make_grid(mg.tensor(x), padding=0, normalize=True, scale_each=True).numpy()
    np.testing.assert_allclose(each[0], [[0, 1, 0, 1]])
    ranged = make_grid(mg.tensor(x), padding=0, normalize=True, value_range=(0, 4)).numpy()
    np.testing.assert_allclose(ranged[0], [[0, 0.5, 1, 1]])
    assert x.max() == 8  # the input is left alone
    single = make_grid(mg.ones(1, 5, 6)).numpy()
    assert single.shape == (3, 5, 6)
    with pytest.raises(ValueError, match="nrow"):
        make_grid(mg.ones(2, 1, 3, 3), nrow=-1)
    with pytest.raises(TypeError, match="value_range"):
        make_grid(mg.ones(2, 1, 3, 3), normalize=True, value_range=5)


def test_save_image_png_reads_back(tmp_path):
    pil = pytest.importorskip("PIL.Image")
    from minigrad.vision.utils import save_image

    x = np.random.default_rng(0).random((4, 3, 5, 7)).astype(np.float32)
    path = tmp_path / "grid.png"
    save_image(mg.tensor(x), path, nrow=2)
    back = np.asarray(pil.open(path))
    from minigrad.vision.utils import make_grid

    expected = np.clip(make_grid(mg.tensor(x), nrow=2).numpy() * 255 + 0.5, 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(back, expected.transpose(1, 2, 0))
    with pytest.raises(ValueError, match="PNG only"):
        save_image(mg.tensor(x), tmp_path / "grid.jpg")
