"""``save`` and ``load``: checkpoints without pickle.

A file is a zip archive (an .npz that ``np.load`` can open) holding ``__index__.json``, which
describes the structure, and one ``arrays/<n>.npy`` member per array. Loading reads JSON and
plain .npy data only (``allow_pickle=False``), so a file can never run code.
"""

import json
import os
import secrets
import zipfile

import numpy as np

from minigrad.tensor import Tensor

FORMAT = "minigrad"
VERSION = 1
INDEX = "__index__.json"


def save(obj, path):
    """Write ``obj`` to ``path`` (exactly that name), atomically.

    ``obj`` is a nested structure of dicts (str or int keys), lists, tuples, Tensors,
    ndarrays, numpy scalars, ints (of any size), floats, bools, None and strings. Anything
    else raises TypeError naming where it is (``obj['model']['fc.weight']``) before the file
    is touched. The data goes to a temporary file in the same folder, is flushed to disk,
    then renamed over ``path``: a crash leaves either the old file or the new one, whole.

    Example::

        mg.save({"model": model.state_dict(), "epoch": 3}, "checkpoint.mg")
    """
    arrays = []
    index = {"format": FORMAT, "version": VERSION, "root": _encode(obj, "obj", arrays)}
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = _create_temporary(folder, os.path.basename(path))
    try:
        with os.fdopen(handle, "wb") as file:
            with zipfile.ZipFile(file, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
                archive.writestr(INDEX, json.dumps(index))
                for number, array in enumerate(arrays):
                    with archive.open(f"arrays/{number}.npy", "w", force_zip64=True) as member:
                        np.lib.format.write_array(member, array, allow_pickle=False)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
    _fsync_folder(folder)


def _check_map_location(map_location):
    from minigrad.device import as_device

    if map_location is None or callable(map_location):
        return  # a callable gets (storage, location) in torch; every storage here is a CPU one
    if isinstance(map_location, dict):
        for target in map_location.values():
            as_device(target, "map_location")
        return
    as_device(map_location, "map_location")


def load(path, map_location=None, weights_only=True):
    """Read what ``save`` wrote: the same structure, with ndarrays for Tensors and arrays
    (as ``torch.load(...).numpy()`` would give), tuples as tuples.

    Refuses (ValueError naming the file) anything that is not a minigrad file or that would
    need pickle. ``map_location`` (a string, device, dict or callable, as torch's) must place
    everything on the CPU, the only device today; ``weights_only`` is accepted: nothing but
    data is ever loaded.

    Example::

        checkpoint = mg.load("checkpoint.mg")
        model.load_state_dict(checkpoint["model"])
    """
    _check_map_location(map_location)
    path = os.fspath(path)
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ValueError(
            f"{path!r} is not a minigrad file (it is not a zip archive; mg.load never "
            "unpickles, so files written by torch.save or pickle cannot be read)"
        ) from None
    with archive:
        try:
            index = json.loads(archive.read(INDEX))
        except (KeyError, ValueError):
            raise ValueError(
                f"{path!r} is not a minigrad file (no readable {INDEX}; mg.load never "
                "unpickles, so files written by torch.save or pickle cannot be read)"
            ) from None
        if not isinstance(index, dict) or index.get("format") != FORMAT:
            raise ValueError(f"{path!r} is not a minigrad file (its {INDEX} is foreign)")
        if index.get("version") != VERSION:
            raise ValueError(f"{path!r} has format version {index.get('version')}, not {VERSION}")
        return _decode(index["root"], lambda name: _read_array(archive, name, path))


def _read_array(archive, name, path):
    try:
        with archive.open(name) as member:
            return np.lib.format.read_array(member, allow_pickle=False)
    except KeyError:
        raise ValueError(f"{path!r} is damaged: its member {name!r} is missing") from None
    except ValueError as error:  # an object array, which only pickle could restore
        raise ValueError(f"{path!r}: refusing member {name!r}: {error}") from None


def _encode(obj, where, arrays):
    """The JSON description of ``obj``; arrays are appended to ``arrays``."""
    if isinstance(obj, Tensor):
        obj = obj._data
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
        return {kind: [_encode(x, f"{where}[{i}]", arrays) for i, x in enumerate(obj)]}
    if isinstance(obj, dict):
        items = []
        for key, value in obj.items():
            if isinstance(key, bool) or not isinstance(key, str | int):
                raise TypeError(
                    f"cannot save {where}: dict key {key!r} is a {type(key).__name__} "
                    "(keys must be str or int)"
                )
            items.append([key, _encode(value, f"{where}[{key!r}]", arrays)])
        return {"dict": items}
    raise TypeError(
        f"cannot save {where}: a {type(obj).__name__} is not one of dict, list, tuple, Tensor, "
        "ndarray, int, float, bool, None, str"
    )


def _decode(node, read):
    if node is None or isinstance(node, bool | int | str):
        return node
    if not isinstance(node, dict) or len(node) != 1:
        raise ValueError(f"malformed minigrad index entry: {node!r:.80}")
    ((kind, value),) = node.items()
    if kind == "float":
        return float(value)
    if kind == "array":
        return read(f"arrays/{int(value)}.npy")
    if kind == "scalar":
        return read(f"arrays/{int(value)}.npy")[()]
    if kind == "list":
        return [_decode(x, read) for x in value]
    if kind == "tuple":
        return tuple(_decode(x, read) for x in value)
    if kind == "dict":
        if not all(isinstance(key, str | int) for key, _ in value):
            raise ValueError("malformed minigrad index entry: a dict key is not str or int")
        return {key: _decode(x, read) for key, x in value}
    raise ValueError(f"malformed minigrad index entry: unknown kind {kind!r}")


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
