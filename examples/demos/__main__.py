"""Run the demonstrations: ``python -m examples.demos [NAME ...] [--out DIR]`` (all by default;
``experiments`` takes a few minutes, the others seconds)."""

import argparse
import importlib
import time

from examples.demos import NAMES
from examples.demos._common import DEFAULT_OUT

WITHOUT_PICTURES = {"output_size", "backprop"}  # tables only: no --out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("names", nargs="*", metavar="NAME", help=f"demos to run: {', '.join(NAMES)}")
    p.add_argument("--out", default=str(DEFAULT_OUT), help=f"folder for the PNGs ({DEFAULT_OUT})")
    args = p.parse_args(argv)
    unknown = sorted(set(args.names) - set(NAMES))
    if unknown:
        p.error(f"unknown demo {', '.join(unknown)}; known: {', '.join(NAMES)}")
    for name in args.names or NAMES:
        print(f"\n=== {name} " + "=" * (70 - len(name)))
        start = time.perf_counter()
        module = importlib.import_module(f"examples.demos.{name}")
        module.main([] if name in WITHOUT_PICTURES else ["--out", args.out])
        print(f"({name}: {time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
