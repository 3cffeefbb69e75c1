"""`lapor-nlp preprocess` and `lapor-nlp redact`: run the text pipeline on stdin or arguments."""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("preprocess", help="print the normalised tokens of each text (one per line)")
    p.add_argument("texts", nargs="*", help="texts to process; read lines from stdin when none is given")
    p.add_argument("--no-stem", action="store_true", help="skip Sastrawi stemming")
    p.set_defaults(func=_preprocess)
    r = subparsers.add_parser("redact", help="print each text with personal data replaced by placeholders")
    r.add_argument("texts", nargs="*", help="texts to redact; read lines from stdin when none is given")
    r.set_defaults(func=_redact)


def _inputs(args: argparse.Namespace) -> list[str]:
    return list(args.texts) if args.texts else [line.rstrip("\n") for line in sys.stdin]


def _preprocess(args: argparse.Namespace) -> int:
    from lapor_nlp.text import Preprocessor

    for line in Preprocessor(stem=not args.no_stem).fit_transform(_inputs(args)):
        print(line)
    return 0


def _redact(args: argparse.Namespace) -> int:
    from lapor_nlp.text import redact

    for text in _inputs(args):
        print(redact(text))
    return 0
