"""`lapor-nlp preprocess` and `lapor-nlp redact`: run the text pipeline on arguments or stdin lines."""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "preprocess",
        help="print the normalised tokens of each text (one per line)",
        description="Redact, clean, normalise slang, drop stopwords and stem each text; one line per text.",
    )
    p.add_argument("texts", nargs="*", help="texts to process; read lines from stdin when none is given")
    p.add_argument("--no-redact", action="store_true", help="keep personal data (no placeholders)")
    p.add_argument("--no-slang", action="store_true", help="keep slang and abbreviations as written")
    p.add_argument("--no-stopwords", action="store_true", help="keep function words")
    p.add_argument("--no-stem", action="store_true", help="skip Sastrawi stemming")
    p.set_defaults(func=_preprocess)
    r = subparsers.add_parser(
        "redact",
        help="print each text with personal data replaced by placeholders",
        description="Replace NIK/KK, phone numbers, e-mails and names by placeholders ([NIK], [NAME] ...).",
    )
    r.add_argument("texts", nargs="*", help="texts to redact; read lines from stdin when none is given")
    r.set_defaults(func=_redact)


def _inputs(args: argparse.Namespace) -> list[str]:
    return list(args.texts) if args.texts else [line.rstrip("\r\n") for line in sys.stdin]


def _preprocess(args: argparse.Namespace) -> int:
    from lapor_nlp.text import Preprocessor

    prep = Preprocessor(
        redact=not args.no_redact,
        slang=not args.no_slang,
        stopwords=not args.no_stopwords,
        stem=not args.no_stem,
    )
    for line in prep.fit_transform(_inputs(args)):
        print(line)
    return 0


def _redact(args: argparse.Namespace) -> int:
    from lapor_nlp.text import redact

    for text in _inputs(args):
        print(redact(text))
    return 0
