"""`lapor-nlp` command line: a thin argparse front over the library.

Each subcommand lives in its own module under :mod:`lapor_nlp.cli` exposing ``register(subparsers)``;
heavy imports happen inside the command functions so that ``lapor-nlp --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from lapor_nlp import __version__
from lapor_nlp.errors import LaporError

# Modules that register subcommands, in the order they appear in --help.
_COMMAND_MODULES: tuple[str, ...] = (
    "lapor_nlp.cli.text",
    "lapor_nlp.cli.duplicates",
    "lapor_nlp.cli.report",
    "lapor_nlp.cli.service",
    "lapor_nlp.cli.routing",
)


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="lapor-nlp",
        description="Triage Indonesian citizen complaints: clean, route, find duplicates, serve.",
    )
    parser.add_argument("--version", action="version", version=f"lapor-nlp {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``lapor-nlp`` console script; returns the process exit code."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if getattr(args, "pass_through", False):
        args.service_args = extra  # `serve` and `export-feedback` parse their own arguments
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except LaporError as exc:
        print(f"lapor-nlp {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
