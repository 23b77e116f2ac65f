"""``save`` and ``load``: checkpoints without pickle.

A file is a zip archive (an .npz that ``np.load`` can open) holding ``__index__.json``, which
describes the structure, and one ``arrays/<n>.npy`` member per array. Loading reads JSON and
plain .npy data only (``allow_pickle=False``), so a file can never run code. Arrays are
stored as host data; the index's optional ``devices`` entry ({"<n>": "cuda:0", ...}) names
the device of each array that was not on the CPU (files without it, as older versions
wrote, hold CPU arrays only), for ``map_location``.

Loading trusts nothing the file says: it reads only regular files, only uncompressed members,
checks every declared size against the bytes that are there before allocating, reads each
array member at most once, and bounds the index's nesting. Memory stays bounded by the file's
size; any damage is a ValueError naming the file.
"""

import io
import json
import os
import re
import secrets
import stat
import time
import zipfile

try:
    import fcntl  # POSIX: a lock tells a later save that a temporary file is still in use
except ImportError:  # Windows
    fcntl = None

import numpy as np

from minigrad import backend
from minigrad.tensor import Tensor

FORMAT = "minigrad"
VERSION = 1
INDEX = "__index__.json"
MAX_DEPTH = 100  # nesting of the index; a checkpoint needs a handful of levels
MAX_DEVICE_NAME = 64  # characters of a device name in the index ('cuda:0', ...)
CHUNK = 1 << 24  # bytes read at a time into an array


class _Refusal(Exception):
    """Why a file is refused; ``load`` turns it into a ValueError naming the file."""


class _Placing(Exception):
    """An error of ``map_location`` while loading: ``load`` raises ``error`` itself."""

    def __init__(self, error):
        super().__init__(error)
        self.error = error


def save(obj, path):
    """Write ``obj`` to ``path`` (exactly that name), atomically, or to a binary file object
    (anything with ``write``, such as ``io.BytesIO``).

    ``obj`` is a nested structure of dicts (str or int keys), lists, tuples, Tensors,
    ndarrays, numpy scalars, ints (of any size), floats, bools, None and strings. Anything
    else raises TypeError naming where it is (``obj['model']['fc.weight']``) before the file
    is touched. Tensors and arrays on a device (a GPU) are stored as host copies, with the
    name of their device (see ``load``'s ``map_location``). The data goes to a temporary file
    in the same folder, is flushed to disk, then renamed over ``path``: a crash leaves either
    the old file or the new one, whole.

    Example::

        mg.save({"model": model.state_dict(), "epoch": 3}, "checkpoint.mg")
    """
    arrays, devices = [], {}
    index = {"format": FORMAT, "version": VERSION, "root": _encode(obj, "obj", arrays, devices)}
    if devices:
        index["devices"] = devices
    if hasattr(path, "write"):
        _write_archive(path, index, arrays)
        return
    path = _through_symlinks(os.fspath(path))
    folder, name = os.path.split(os.path.abspath(path))
    _remove_stale_temporaries(folder, name)
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)  # a re-save keeps the file's mode
    except FileNotFoundError:
        mode = None
    handle, temporary = _create_temporary(folder, name)
    try:
        with os.fdopen(handle, "wb") as file:
            if fcntl is not None:  # held until the rename: this temporary is not stale
                fcntl.flock(file.fileno(), fcntl.LOCK_EX)
            if mode is not None:
                os.chmod(temporary, mode)
            _write_archive(file, index, arrays)
            file.flush()
            os.fsync(file.fileno())
            os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
    _fsync_folder(folder)


def _write_archive(file, index, arrays):
    with zipfile.ZipFile(file, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        archive.writestr(INDEX, json.dumps(index))
        for number, array in enumerate(arrays):
            with archive.open(f"arrays/{number}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def _placement(map_location):
    """``map_location`` as a function (host array, saved device name) -> what ``load``
    gives: the array itself on the CPU, else a Tensor on the device; None when everything
    stays on the CPU. Devices named are checked here, before the file is opened: one that is
    not present is the RuntimeError of ``mg.device``'s checks."""
    from minigrad.device import CPU, as_device, device

    if map_location is None:
        return None
    if callable(map_location):

        def call(array, location):
            return _placed_result(map_location(Tensor._make(array), location), array)

        return call
    if isinstance(map_location, dict):
        targets = {}
        for source, target in map_location.items():
            source = str(source) if isinstance(source, device) else source
            targets[source] = as_device(target, "map_location")
        if all(target is CPU for target in targets.values()):
            return None

        def remap(array, location):
            return _on(array, targets.get(location, CPU))

        return remap
    target = as_device(map_location, "map_location")
    if target is CPU:
        return None
    return lambda array, location: _on(array, target)


def _on(array, target):
    """A host array on ``target``: itself on the CPU, else a Tensor there."""
    from minigrad.device import CPU

    return array if target is CPU else Tensor._make(backend.to_device(array, target))


def _placed_result(result, array):
    """What a ``map_location`` callable returned, as ``load`` gives it (None: the CPU)."""
    if result is None:
        return array
    if isinstance(result, Tensor):
        return result._data if backend.is_host(result._data) else result
    if backend.backend_of(result) is not backend.NUMPY:  # a device array
        return Tensor._make(result)
    if isinstance(result, np.ndarray):
        return result
    raise TypeError(
        f"map_location returned a {type(result).__name__}; expected a Tensor, an array or None"
    )


def load(path, map_location=None, weights_only=True):
    """Read what ``save`` wrote (from ``path`` or a binary file object open for reading):
    the same structure, with ndarrays for Tensors and arrays (as ``torch.load(...).numpy()``
    would give), tuples as tuples. Everything is loaded to the CPU unless ``map_location``
    says otherwise, whatever device it was saved from.

    ``map_location`` places each array, as torch's does: a device or device string (all
    arrays go there), a dict from the device an array was saved on to the device it goes to
    (``{"cuda:0": "cpu"}``; arrays from devices it does not name go to the CPU), or a
    callable ``f(tensor, location)`` given each array as a CPU Tensor and the name of the
    device it was saved on ("cpu", "cuda:0", ...), returning a Tensor (``tensor.cuda()``,
    ``tensor`` itself) or None (the CPU). An array placed on a device other than the CPU
    comes back as a Tensor there (an ndarray lives on the CPU only). A device that is not
    present ('cuda' without CuPy and a GPU) raises RuntimeError before anything is read.

    Refuses (ValueError naming the file) anything that is not a minigrad file or that would
    need pickle. ``weights_only`` is accepted: nothing but data is ever loaded.

    Example::

        checkpoint = mg.load("checkpoint.mg", map_location="cpu")
        model.load_state_dict(checkpoint["model"])
    """
    place = _placement(map_location)
    if hasattr(path, "read"):
        return _load_from(path, repr(getattr(path, "name", path)), place)
    path = os.fspath(path)
    with _open_regular_file(path) as file:
        return _load_from(file, repr(path), place)


def _load_from(file, name, place):
    """``_load``, its refusals and damage as ValueErrors naming the file ``name``."""
    try:
        return _load(file, place)
    except _Placing as placing:
        raise placing.error from None
    except _Refusal as refusal:
        raise ValueError(f"{name} {refusal}") from None
    except RecursionError:
        raise ValueError(f"{name} is damaged: its index is nested too deeply") from None
    except Exception as error:  # zipfile, zlib, numpy and json say it in many ways
        raise ValueError(
            f"{name} is truncated or damaged ({type(error).__name__}: {error})"
        ) from error


def _open_regular_file(path):
    # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        kind = "a folder" if stat.S_ISDIR(mode) else "a device, FIFO or socket"
        raise ValueError(f"{path!r} is not a regular file ({kind}); mg.load reads files only")
    if hasattr(os, "set_blocking"):
        os.set_blocking(descriptor, True)
    return os.fdopen(descriptor, "rb")


def _size(file):
    """The size of an open file, or the end offset of a seekable file object."""
    try:
        return os.fstat(file.fileno()).st_size
    except (AttributeError, OSError, io.UnsupportedOperation):
        here = file.tell()
        end = file.seek(0, os.SEEK_END)
        file.seek(here)
        return end


def _load(file, place=None):
    if not getattr(file, "seekable", lambda: True)():
        raise _Refusal("is not seekable: mg.load reads files and seekable file objects")
    size = _size(file)
    origin = file.tell()
    start = file.read(4)
    file.seek(origin)
    if start not in (b"PK\x03\x04", b"PK\x05\x06"):
        kind = "a pickle" if start[:1] == b"\x80" else "not a zip archive"
        raise _Refusal(
            f"is not a minigrad file ({kind}; mg.load never unpickles, so files written by "
            "torch.save or pickle cannot be read)"
        )
    try:
        archive = zipfile.ZipFile(file)
    except zipfile.BadZipFile as error:
        raise _Refusal(
            f"is truncated or damaged (a zip archive without its directory: {error})"
        ) from None
    with archive:
        members = {info.filename: info for info in archive.infolist()}
        _check_members(members.values(), size)
        if INDEX not in members:
            torch = any(name.endswith("data.pkl") for name in members)
            raise _Refusal(
                f"is not a minigrad file (no {INDEX}"
                + ("; it holds data.pkl, as torch.save writes" if torch else "")
                + "; mg.load never unpickles, so files written by torch.save or pickle cannot "
                "be read)"
            )
        try:
            index = json.loads(archive.read(INDEX))
        except ValueError as error:
            raise _Refusal(
                f"is damaged or not a minigrad file (unreadable {INDEX}: {error})"
            ) from None
        if not isinstance(index, dict) or index.get("format") != FORMAT:
            raise _Refusal(f"is not a minigrad file (its {INDEX} is foreign)")
        if index.get("version") != VERSION:
            raise _Refusal(f"has format version {index.get('version')!r:.40}, not {VERSION}")
        if "root" not in index:
            raise _Refusal(f"is damaged: its {INDEX} has no root")
        devices = _devices(index.get("devices", {}))
        return _Decoder(archive, members, devices, place).decode(index["root"], 0)


def _devices(devices):
    """The index's {"<array number>": "device name"} (absent: every array is a CPU one)."""
    if not isinstance(devices, dict):
        raise _Refusal(f"is damaged: its {INDEX} has a malformed devices entry")
    for number, name in devices.items():
        valid = number.isdigit() and isinstance(name, str) and 0 < len(name) <= MAX_DEVICE_NAME
        if not valid:
            raise _Refusal(f"is damaged: malformed device entry {number!r:.40}: {name!r:.80}")
    return devices


def _check_members(members, size):
    """Sizes the directory declares, against the file: members are stored, each within the
    file, and together no bigger than it (so no member is read twice over)."""
    total = 0
    for info in members:
        if info.compress_type != zipfile.ZIP_STORED:
            raise _Refusal(
                f"is refused: member {info.filename!r:.80} is compressed (zip method "
                f"{info.compress_type}); mg.save never compresses, and expanding it could "
                "take any amount of memory"
            )
        if info.file_size != info.compress_size or info.header_offset + info.file_size > size:
            raise _Refusal(
                f"is truncated or damaged: member {info.filename!r:.80} declares "
                f"{info.file_size} bytes that the file of {size} bytes cannot hold"
            )
        total += info.file_size
    if total > size:
        raise _Refusal(
            f"is damaged: its members declare {total} bytes in all, more than the file's {size}"
        )


class _Decoder:
    """Rebuilds the saved structure from the index, reading each array member once."""

    def __init__(self, archive, members, devices=None, place=None):
        self.archive, self.members, self.read = archive, members, set()
        self.devices, self.place = devices or {}, place

    def decode(self, node, depth):
        if node is None or isinstance(node, bool | int | str):
            return node
        if depth > MAX_DEPTH:
            raise _Refusal(f"is refused: its index is nested more than {MAX_DEPTH} levels deep")
        if not isinstance(node, dict) or len(node) != 1:
            raise _Refusal(f"is damaged: malformed index entry {node!r:.80}")
        ((kind, value),) = node.items()
        if kind == "float" and isinstance(value, str):
            return float(value)
        if kind in ("array", "scalar"):
            array = self.array(value)
            if kind == "scalar":
                return array[()]
            if self.place is None:
                return array
            try:
                return self.place(array, self.devices.get(str(value), "cpu"))
            except Exception as error:  # map_location's own errors, not the file's
                raise _Placing(error) from error
        if kind in ("list", "tuple") and isinstance(value, list):
            items = [self.decode(x, depth + 1) for x in value]
            return items if kind == "list" else tuple(items)
        if kind == "dict" and isinstance(value, list):
            out = {}
            for pair in value:
                if not (isinstance(pair, list) and len(pair) == 2):
                    raise _Refusal(f"is damaged: malformed dict item {pair!r:.80}")
                key, x = pair
                if isinstance(key, bool) or not isinstance(key, str | int):
                    raise _Refusal(f"is damaged: a dict key is a {type(key).__name__}")
                out[key] = self.decode(x, depth + 1)
            return out
        raise _Refusal(f"is damaged: malformed index entry {node!r:.80}")

    def array(self, number):
        if isinstance(number, bool) or not isinstance(number, int):
            raise _Refusal(f"is damaged: an array reference is {number!r:.40}")
        name = f"arrays/{number}.npy"
        if name not in self.members:
            raise _Refusal(f"is damaged: its member {name!r} is missing")
        if name in self.read:  # save writes each array once: a repeat could multiply memory
            raise _Refusal(f"is refused: its index refers to member {name!r} more than once")
        self.read.add(name)
        info = self.members[name]
        with self.archive.open(info) as member:
            version = np.lib.format.read_magic(member)
            if version not in ((1, 0), (2, 0)):
                raise _Refusal(f"is refused: member {name!r} has .npy version {version}")
            header = getattr(np.lib.format, f"read_array_header_{version[0]}_0")
            shape, fortran, dtype = header(member)
            if dtype.hasobject:
                raise _Refusal(
                    f"is refused: refusing member {name!r}: it holds an array of dtype object, "
                    "which only pickle could restore"
                )
            count = 1
            for n in shape:
                count *= n  # Python ints: no overflow for absurd shapes
            nbytes = count * dtype.itemsize
            held = info.file_size - member.tell()
            if nbytes != held:
                raise _Refusal(
                    f"is truncated or damaged: member {name!r} declares shape {shape} of "
                    f"{dtype} ({nbytes} bytes) but holds {held} bytes of data"
                )
            data = np.empty(nbytes, np.uint8)
            view, done = memoryview(data), 0
            while done < nbytes:
                chunk = member.read(min(CHUNK, nbytes - done))
                if not chunk:
                    raise _Refusal(f"is truncated: member {name!r} ends early")
                view[done : done + len(chunk)] = chunk
                done += len(chunk)
            member.read(1)  # at the end: zipfile checks the CRC
        order = "F" if fortran and len(shape) > 1 else "C"
        return data.view(dtype).reshape(shape, order=order)


def _encode(obj, where, arrays, devices):
    """The JSON description of ``obj``; arrays are appended to ``arrays`` (as host copies),
    the devices of those not on the CPU recorded in ``devices`` by number."""
    if isinstance(obj, Tensor):
        obj = obj._data
    source = backend.backend_of(obj)
    if source is not backend.NUMPY:  # a device array: its host copy, and where it was
        devices[str(len(arrays))] = str(source.device_of(obj))
        obj = np.asarray(source.to_host(obj))
    # numpy first: np.float64 is also a Python float, whose repr ('np.float64(1.5)') the
    # float branch could not read back.
    if isinstance(obj, np.ndarray | np.generic):
        if obj.dtype.hasobject:
            raise TypeError(f"cannot save {where}: an array of dtype object needs pickle")
        arrays.append(np.asarray(obj))
        kind = "array" if isinstance(obj, np.ndarray) else "scalar"
        return {kind: len(arrays) - 1}
    if obj is None or isinstance(obj, bool | str):
        return obj
    if isinstance(obj, int):
        return obj  # Python's json keeps ints of any size exactly
    if isinstance(obj, float):
        return {"float": repr(obj)}  # repr round-trips exactly, including nan and inf
    if isinstance(obj, list | tuple):
        kind = "list" if isinstance(obj, list) else "tuple"
        return {kind: [_encode(x, f"{where}[{i}]", arrays, devices) for i, x in enumerate(obj)]}
    if isinstance(obj, dict):
        items = []
        for key, value in obj.items():
            if isinstance(key, bool) or not isinstance(key, str | int):
                raise TypeError(
                    f"cannot save {where}: dict key {key!r} is a {type(key).__name__} "
                    "(keys must be str or int)"
                )
            items.append([key, _encode(value, f"{where}[{key!r}]", arrays, devices)])
        return {"dict": items}
    raise TypeError(
        f"cannot save {where}: a {type(obj).__name__} is not one of dict, list, tuple, Tensor, "
        "ndarray, int, float, bool, None, str"
    )


def _create_temporary(folder, name):
    """A new file in ``folder``: (descriptor, path). Created with mode 0o666 less the umask,
    as open() would (mkstemp's 0o600 would survive the rename; reading the umask with
    os.umask would briefly change it for every thread)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temporary = os.path.join(folder, f".{name}.{secrets.token_hex(8)}.tmp")
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue


def _through_symlinks(path):
    """The file a save of ``path`` writes: a symlink's target (as ``open(path, "w")`` would)."""
    if not os.path.islink(path):
        return path
    target = os.path.realpath(path)
    if os.path.islink(target):
        raise OSError(40, f"cannot save to {path!r}: a loop of symbolic links", path)
    return target


def _remove_stale_temporaries(folder, name):
    """Removes the temporary files earlier saves of ``name`` left (killed mid-write): those of
    exactly this name's pattern, that no save holds locked, and at least a second old (a save
    locks its file a moment after creating it). Others' files are never touched."""
    pattern = re.compile(rf"\.{re.escape(name)}\.[0-9a-f]{{16}}\.tmp")
    try:
        candidates = [entry for entry in os.scandir(folder) if pattern.fullmatch(entry.name)]
    except OSError:
        return
    for entry in candidates:
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            age = time.time() - entry.stat(follow_symlinks=False).st_mtime
            if fcntl is None:
                if age > 24 * 3600:  # no locks to ask: only what is surely abandoned
                    os.remove(entry.path)
                continue
            if age < 1.0:
                continue
            with open(entry.path, "rb") as file:
                try:
                    fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    continue  # a save in progress holds it
                os.remove(entry.path)
        except OSError:
            continue


def _fsync_folder(folder):
    # Makes the rename itself durable; not possible on every platform (e.g. Windows).
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
