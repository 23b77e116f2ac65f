"""Hostile and damaged files: mg.load and read_idx say no with one exception type, naming the
file, and spend no more memory than the file's size before saying it. Every file is crafted
here, in a temporary folder."""

import gzip
import io
import json
import os
import subprocess
import sys
import textwrap
import tracemalloc
import zipfile

import numpy as np
import pytest

import minigrad as mg
from minigrad.data.mnist import CorruptDatasetError, read_idx

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _npy_header(shape, dtype="<f8"):
    buffer = io.BytesIO()
    header = {"descr": dtype, "fortran_order": False, "shape": tuple(shape)}
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue()


def _npy(array):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _index(root):
    return json.dumps({"format": "minigrad", "version": 1, "root": root})


def _craft(path, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return str(path)


def _run_capped(code, cap_bytes=1 << 30, timeout=60):
    """Runs ``code`` in a fresh Python whose address space is capped at ``cap_bytes``."""
    script = (
        f"import resource\nresource.setrlimit(resource.RLIMIT_AS, ({cap_bytes}, {cap_bytes}))\n"
        + textwrap.dedent(code)
    )
    env = {**os.environ, "PYTHONPATH": ROOT}
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout, env=env
    )


def _assert_refused_capped(path, match):
    """mg.load(path) in a subprocess capped at 1 GiB raises ValueError naming path and why."""
    result = _run_capped(
        f"""
        import re
        import minigrad as mg
        try:
            mg.load({str(path)!r})
        except ValueError as error:
            message = str(error)
            assert {str(path)!r} in message, message
            assert re.search({match!r}, message), message
            print("refused:", message)
        else:
            raise SystemExit("loaded")
        """
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "refused" in result.stdout


# ---- mg.load: memory bounded by the file -------------------------------------------------------


def test_a_declared_shape_bigger_than_the_member_is_refused_before_allocating(tmp_path):
    # 2e9 float64 (14.9 GiB) declared in a file of a few hundred bytes.
    path = _craft(
        tmp_path / "huge.mg",
        {"__index__.json": _index({"array": 0}), "arrays/0.npy": _npy_header((2_000_000_000,))},
    )
    assert os.path.getsize(path) < 1000
    _assert_refused_capped(path, r"declares shape \(2000000000,\).*holds 0 bytes")


def test_compressed_members_are_refused(tmp_path):
    zeros = _npy(np.zeros(8_000_000, np.uint8))  # deflates ~1000:1
    path = _craft(
        tmp_path / "bomb.mg",
        {"__index__.json": _index({"array": 0}), "arrays/0.npy": zeros},
        zipfile.ZIP_DEFLATED,
    )
    assert os.path.getsize(path) < 100_000
    _assert_refused_capped(path, "compressed")


def test_repeated_references_to_one_member_are_refused(tmp_path):
    # One 8 MB array referred to 100,000 times would be 800 GB.
    root = {"list": [{"array": 0}] * 100_000}
    path = _craft(
        tmp_path / "repeat.mg",
        {"__index__.json": _index(root), "arrays/0.npy": _npy(np.zeros(1_000_000))},
    )
    _assert_refused_capped(path, "more than once")


def test_members_declaring_more_than_the_file_holds_are_refused(tmp_path):
    path = tmp_path / "lying.mg"
    mg.save({"w": np.arange(1000.0)}, path)
    data = bytearray(path.read_bytes())
    # The central directory's uncompressed and compressed sizes of the array member: ~1 GiB.
    directory = data.rindex(b"PK\x01\x02")
    data[directory + 20 : directory + 28] = (1 << 30).to_bytes(4, "little") * 2
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"lying\.mg.*(cannot hold|damaged)"):
        mg.load(path)


def test_deep_indexes_are_refused(tmp_path):
    deep = '{"format": "minigrad", "version": 1, "root": ' + '{"list": [' * 200 + "]}" * 200 + "}"
    path = _craft(tmp_path / "deep.mg", {"__index__.json": deep})
    with pytest.raises(ValueError, match=r"deep\.mg.*nested more than 100 levels"):
        mg.load(path)
    # So deep that the JSON parser itself gives up.
    text = '{"format": "minigrad", "version": 1, "root": ' + "[" * 200_000 + "]" * 200_000 + "}"
    path = _craft(tmp_path / "deeper.mg", {"__index__.json": text})
    with pytest.raises(ValueError, match=r"deeper\.mg.*nested too deeply"):
        mg.load(path)


def test_a_fifo_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "pipe.mg"
    os.mkfifo(fifo)
    _assert_refused_capped(fifo, "not a regular file")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_devices_and_folders_are_refused():
    _assert_refused_capped("/dev/zero", "not a regular file")


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(ValueError, match="not a regular file.*folder"):
        mg.load(tmp_path)


def test_missing_files_stay_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        mg.load(tmp_path / "absent.mg")


def test_an_object_member_is_refused_even_when_small(tmp_path):
    path = _craft(
        tmp_path / "object.mg",
        {"__index__.json": _index({"array": 0}), "arrays/0.npy": _npy_header((1,), "|O")},
    )
    with pytest.raises(ValueError, match=r"object\.mg.*dtype object"):
        mg.load(path)


# ---- corruption: one exception type, naming the file and the cause ----------------------------


def _checkpoint(tmp_path):
    path = tmp_path / "victim.mg"
    model = mg.nn.Sequential(mg.nn.Linear(4, 3), mg.nn.ReLU(), mg.nn.Linear(3, 2))
    mg.save({"model": model.state_dict(), "epoch": 3, "args": {"lr": 0.1}}, path)
    return path


def test_a_truncated_checkpoint_says_truncated_or_damaged(tmp_path):
    path = _checkpoint(tmp_path)
    data = path.read_bytes()
    for cut in (len(data) - 1, len(data) // 2, 30):
        path.write_bytes(data[:cut])
        with pytest.raises(ValueError, match=r"victim\.mg.*truncated or damaged") as caught:
            mg.load(path)
        assert "torch.save" not in str(caught.value)


def test_every_single_byte_change_is_a_value_error(tmp_path):
    path = _checkpoint(tmp_path)
    original = path.read_bytes()
    for position in range(0, len(original), 7):
        data = bytearray(original)
        data[position] ^= 0x5A
        path.write_bytes(bytes(data))
        try:
            mg.load(path)
        except ValueError as error:
            assert str(path) in str(error)


def test_fuzz_truncation_bit_flips_and_overwrites(tmp_path):
    """Random damage: the only exception is ValueError naming the file, and load allocates no
    more than a small multiple of the file's size (tracemalloc sees numpy's allocations)."""
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies
    path = _checkpoint(tmp_path)
    original = path.read_bytes()
    size = len(original)

    damage = st.one_of(
        st.tuples(st.just("truncate"), st.integers(0, size - 1), st.just(0)),
        st.tuples(st.just("flip"), st.integers(0, size - 1), st.integers(0, 7)),
        st.tuples(st.just("overwrite"), st.integers(0, size - 1), st.integers(0, 255)),
    )

    @hypothesis.settings(max_examples=150, deadline=None, database=None)
    @hypothesis.given(st.lists(damage, min_size=1, max_size=4))
    def check(damages):
        data = bytearray(original)
        for kind, position, value in damages:
            if kind == "truncate":
                del data[position:]
            elif position < len(data):
                data[position] = data[position] ^ (1 << value) if kind == "flip" else value
        path.write_bytes(bytes(data))
        tracemalloc.start()
        try:
            mg.load(path)
        except ValueError as error:
            assert str(path) in str(error)
        finally:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        assert peak < 64 * size + (1 << 20), peak

    check()


# ---- read_idx: streamed, exactly the declared size ---------------------------------------------


def _idx(shape, data=None):
    header = bytes([0, 0, 8, len(shape)]) + b"".join(n.to_bytes(4, "big") for n in shape)
    if data is None:
        data = bytes(int(np.prod(shape)))
    return header + data


def _gzip_of_zeros(path, head, count):
    with gzip.open(path, "wb", compresslevel=1) as file:
        file.write(head)
        block = bytes(1 << 22)
        for _ in range(count // len(block)):
            file.write(block)


def _peak_of(function):
    tracemalloc.start()
    try:
        function()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_read_idx_streams_gzip_with_bounded_memory(tmp_path):
    # A header declaring 3 GB, then 64 MB of zeros: the expected shape refuses it at the header.
    path = tmp_path / "bomb-idx3-ubyte.gz"
    _gzip_of_zeros(path, _idx((3000, 1000, 1000), b""), 64 << 20)
    assert path.stat().st_size < 1 << 20

    def expected():
        with pytest.raises(CorruptDatasetError, match=r"bomb.*\(3000, 1000, 1000\).*\(60000, 28"):
            read_idx(path, 3, expected_shape=(60000, 28, 28))

    assert _peak_of(expected) < 1 << 20
    # Without an expected shape, memory follows the data actually there, not the claim.

    def truncated():
        with pytest.raises(CorruptDatasetError, match="bomb.*truncated"):
            read_idx(path, 3)

    assert _peak_of(truncated) < 100 << 20
    # A small header followed by 64 MB of trailing zeros: refused after reading one byte more.
    trailing = tmp_path / "trailing-idx3-ubyte.gz"
    _gzip_of_zeros(trailing, _idx((1, 2, 2)), 64 << 20)

    def too_long():
        with pytest.raises(CorruptDatasetError, match="trailing.*too long"):
            read_idx(trailing, 3)

    assert _peak_of(too_long) < 1 << 20


def test_read_idx_refuses_trailing_data_and_short_data(tmp_path):
    good = _idx((2, 3, 3), bytes(range(18)))
    for name, compress in (("plain-idx3-ubyte", False), ("zipped-idx3-ubyte.gz", True)):
        path = tmp_path / name

        def write(data, path=path, compress=compress):
            path.write_bytes(gzip.compress(data) if compress else data)

        write(good)
        np.testing.assert_array_equal(read_idx(path, 3), np.arange(18).reshape(2, 3, 3))
        write(good + b"\x00")
        with pytest.raises(CorruptDatasetError, match=f"{name}.*too long"):
            read_idx(path, 3)
        write(good[:-1])
        with pytest.raises(CorruptDatasetError, match=f"{name}.*truncated"):
            read_idx(path, 3)
        write(good[:10])
        with pytest.raises(CorruptDatasetError, match=f"{name}.*truncated"):
            read_idx(path, 3)
        write(good)
        with pytest.raises(CorruptDatasetError, match=rf"{name}.*\(2, 3, 3\).*\(5, 3, 3\)"):
            read_idx(path, 3, expected_shape=(5, 3, 3))


def test_read_idx_refuses_a_plain_file_declaring_more_than_it_holds(tmp_path):
    path = tmp_path / "liar-idx3-ubyte"
    path.write_bytes(_idx((1 << 30, 1 << 30, 255), b""))

    def liar():
        with pytest.raises(CorruptDatasetError, match="liar-idx3-ubyte.*truncated"):
            read_idx(path, 3)

    assert _peak_of(liar) < 1 << 20


# ---- saving: nothing stray, the file's mode and links kept -------------------------------------


def test_the_next_save_removes_its_own_stale_temporaries_only(tmp_path):
    path = tmp_path / "ck.mg"
    stale = tmp_path / ".ck.mg.0123456789abcdef.tmp"  # what a save killed mid-write leaves
    others = [
        tmp_path / ".other.mg.0123456789abcdef.tmp",  # another file's
        tmp_path / ".ck.mg.notatemporary.tmp",
        tmp_path / "ck.mg.0123456789abcdef.tmp",
    ]
    fresh = tmp_path / ".ck.mg.fedcba9876543210.tmp"  # a save that has only just begun
    for file in [stale, *others, fresh]:
        file.write_bytes(b"partial")
    os.utime(stale, (1, 1))
    for file in others:
        os.utime(file, (1, 1))
    mg.save([1], path)
    assert not stale.exists()
    assert all(file.exists() for file in others) and fresh.exists()
    assert mg.load(path) == [1]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX locks")
def test_a_save_in_progress_keeps_its_temporary_and_a_killed_one_is_cleaned(tmp_path):
    path = tmp_path / "ck.mg"
    # A save that blocks mid-write (after its temporary is created and locked).
    code = f"""
        import time, numpy as np, minigrad as mg, minigrad.serialization as s
        def slow(*args, **kwargs):
            print("writing", flush=True)
            time.sleep(60)
        np.lib.format.write_array = slow
        mg.save({{"w": np.zeros(3)}}, {str(path)!r})
    """
    env = {**os.environ, "PYTHONPATH": ROOT}
    writer = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE, env=env, text=True
    )
    try:
        assert writer.stdout.readline().strip() == "writing"
        (temporary,) = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        os.utime(temporary, (1, 1))  # old, but locked: still in use
        mg.save([2], path)
        assert temporary.exists()
        writer.kill()
        writer.wait()
        mg.save([3], path)  # the killed save's lock is gone: its temporary is stale
        assert sorted(p.name for p in tmp_path.iterdir()) == ["ck.mg"]
    finally:
        writer.kill()
        writer.wait()
        writer.stdout.close()


def test_a_re_save_keeps_the_files_mode(tmp_path):
    path = tmp_path / "private.mg"
    mg.save([1], path)
    os.chmod(path, 0o600)
    mg.save([2], path)
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert mg.load(path) == [2]


def test_a_save_writes_through_a_symlink(tmp_path):
    target = tmp_path / "real" / "ck.mg"
    target.parent.mkdir()
    mg.save([1], target)
    link = tmp_path / "latest.mg"
    link.symlink_to(target)
    mg.save([2], link)
    assert link.is_symlink() and mg.load(target) == [2]
    dangling = tmp_path / "new.mg"
    dangling.symlink_to(tmp_path / "real" / "new-target.mg")
    mg.save([3], dangling)
    assert dangling.is_symlink() and mg.load(tmp_path / "real" / "new-target.mg") == [3]
    loop = tmp_path / "loop.mg"
    loop.symlink_to(loop)
    with pytest.raises(OSError, match="loop"):
        mg.save([4], loop)
