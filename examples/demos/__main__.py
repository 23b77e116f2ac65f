"""Run the demonstrations: ``python -m examples.demos [NAME ...] [--out DIR]`` (all by default;
``experiments`` takes about 8 minutes, the others seconds).

One demo with its own options: ``python -m examples.demos NAME [OPTION ...]``, e.g.
``python -m examples.demos experiments --help`` (the same as ``python -m
examples.demos.NAME``).
"""

import argparse
import importlib
import time

from examples.demos import NAMES
from examples.demos._common import DEFAULT_OUT

WITHOUT_PICTURES = {"output_size", "backprop"}  # tables only: no --out


def main(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter, add_help=False
    )
    p.add_argument("-h", "--help", action="store_true", help="show this help message and exit")
    p.add_argument("names", nargs="*", metavar="NAME", help=f"demos to run: {', '.join(NAMES)}")
    p.add_argument("--out", default=str(DEFAULT_OUT), help=f"folder for the PNGs ({DEFAULT_OUT})")
    args, options = p.parse_known_args(argv)
    if len(args.names) == 1 and args.names[0] in NAMES and (args.help or options):
        # One demo with its own options (--help among them): its own parser reads them.
        name = args.names[0]
        if args.help:
            options = ["--help", *options]
        elif name not in WITHOUT_PICTURES:
            options = ["--out", args.out, *options]
        return importlib.import_module(f"examples.demos.{name}").main(options)
    if args.help:
        p.print_help()
        return None
    if options:
        p.error(f"unrecognized arguments: {' '.join(options)} (options of one demo: NAME OPTION)")
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
