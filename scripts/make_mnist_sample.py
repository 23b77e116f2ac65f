"""Build minigrad/data/mnist_sample/: the first 5,000 training and 1,000 test MNIST images.

    python scripts/make_mnist_sample.py [SOURCE_DIR] [--out OUT_DIR]

SOURCE_DIR holds the four full MNIST files, gzipped or not (default: $MINIGRAD_DATA/mnist). The
output is deterministic (gzip with mtime 0 and no file name), so rebuilding gives identical bytes.
The script prints the md5 of each decompressed file; they go in ``MNISTSample.md5s``.
"""

import argparse
import gzip
import hashlib
import os
import sys
from pathlib import Path

from minigrad.data.mnist import MNIST, read_idx

SIZES = {"train": 5000, "t10k": 1000}
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "minigrad" / "data" / "mnist_sample"


def idx_bytes(array):
    """A uint8 array as an IDX file: magic 0x08 (uint8) and ndim, big-endian dims, then data."""
    header = bytes([0, 0, 0x08, array.ndim])
    header += b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.tobytes()


def build(source, out=DEFAULT_OUT):
    """Write the sample's four .gz files into ``out``; return {file name: md5 of its content}."""
    source, out = Path(source), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    md5s = {}
    for prefix, size in SIZES.items():
        for kind, ndim in (("images-idx3", 3), ("labels-idx1", 1)):
            name = f"{prefix}-{kind}-ubyte"
            path = source / name if (source / name).is_file() else source / f"{name}.gz"
            content = idx_bytes(read_idx(path, ndim, MNIST.md5s[name])[:size])
            # mtime=0 and no file name in the header: the bytes depend on the content only.
            (out / f"{name}.gz").write_bytes(gzip.compress(content, compresslevel=9, mtime=0))
            md5s[name] = hashlib.md5(content).hexdigest()
    return md5s


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(os.environ["MINIGRAD_DATA"]) / "mnist" if "MINIGRAD_DATA" in os.environ else None
    parser.add_argument("source", nargs="?", type=Path, default=default)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    if args.source is None:
        sys.exit("give the folder of the full MNIST files, or set MINIGRAD_DATA")
    for name, md5 in build(args.source, args.out).items():
        size = (args.out / f"{name}.gz").stat().st_size
        print(f"{name}.gz  {size:>9,} bytes  md5 of content {md5}")


if __name__ == "__main__":
    main()
