"""`lapor-nlp train|predict|evaluate`: category/agency routing from the command line."""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import sys
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

from lapor_nlp.cli._engine import add_engine_arguments


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    t = subparsers.add_parser("train", help="train a router on a labelled CSV and write a model directory")
    t.add_argument("data", help="CSV of complaints (delimiter and encoding are detected)")
    t.add_argument("--text-column", required=True, help="column holding the complaint text")
    t.add_argument("--target", action="append", required=True, help="label column to learn (repeatable)")
    t.add_argument("--location-column", action="append", default=[], help="location column (repeatable)")
    t.add_argument("--out", required=True, help="model directory to write (replaced atomically)")
    t.add_argument("--target-precision", type=float, default=0.95, help="precision of auto decisions (0.95)")
    t.add_argument("--data-source", help="where the data came from, for the model card")
    t.add_argument("--quiet", action="store_true", help="no progress bars or summary")
    t.set_defaults(func=_train)

    p = subparsers.add_parser("predict", help="add T_pred, T_score, T_topk, T_decision columns to a CSV")
    p.add_argument("model", help="model directory")
    p.add_argument("input", help="CSV with the text column (and location columns, if any)")
    p.add_argument("--output", required=True, help="CSV to write: every input column plus the suggestions")
    p.add_argument("--top-k", type=int, default=3, help="alternatives in T_topk (3)")
    p.add_argument("--text-column", help="text column (default: the one named at training)")
    p.add_argument("--quiet", action="store_true", help="no summary")
    add_engine_arguments(p)
    p.set_defaults(func=_predict)

    e = subparsers.add_parser("evaluate", help="score a model on a labelled CSV; write metrics and plots")
    e.add_argument("model", help="model directory")
    e.add_argument("data", help="labelled CSV with the text and target columns")
    e.add_argument("--report", required=True, help="directory for metrics.json, report.md and PNGs")
    e.add_argument("--text-column", help="text column (default: the one named at training)")
    e.add_argument("--quiet", action="store_true", help="no summary")
    e.set_defaults(func=_evaluate)


@contextlib.contextmanager
def _reported_warnings(quiet: bool) -> Iterator[None]:
    """Collect library warnings and print them as one-line messages on stderr (none with --quiet)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    if not quiet:
        for w in caught:
            if not issubclass(w.category, DeprecationWarning):
                print(f"warning: {w.message}", file=sys.stderr)


def _train(args: argparse.Namespace) -> int:
    from lapor_nlp.routing import Router, read_table
    from lapor_nlp.routing.model_card import render_model_card

    df = read_table(args.data)
    with _reported_warnings(args.quiet):
        router = Router.train(
            df,
            text=args.text_column,
            targets=args.target,
            location=args.location_column,
            target_precision=args.target_precision,
            progress=not args.quiet,
        )
    argv = ["lapor-nlp", "train", args.data, "--text-column", args.text_column]
    for t in args.target:
        argv += ["--target", t]
    for c in args.location_column:
        argv += ["--location-column", c]
    argv += ["--out", args.out]
    router.metadata["command"] = shlex.join(argv)
    router.metadata["data_source"] = args.data_source or f"{Path(args.data).name} ({len(df)} rows)"
    router.save(args.out, model_card=render_model_card(router.metadata))
    if not args.quiet:
        for target, m in router.metadata["metrics"]["cross_validated"].items():
            print(
                f"{target}: held-out top-1 {m['top1_accuracy']:.3f}, top-3 {m['top3_accuracy']:.3f}, "
                f"auto {m['auto_share']:.1%} at precision {m['auto_precision']}"
            )
        print(f"model written to {args.out} ({router.metadata['training_seconds']} s)")
    return 0


def _predict(args: argparse.Namespace) -> int:
    import pandas as pd

    from lapor_nlp.errors import InputError
    from lapor_nlp.routing import Router, read_table

    if args.top_k < 1:
        raise InputError(f"--top-k must be at least 1, got {args.top_k}")
    if args.engine == "dask":
        from lapor_nlp.batch.jobs import predict_job

        rows = predict_job(
            args.model,
            args.input,
            args.output,
            top_k=args.top_k,
            text_column=args.text_column,
            scheduler=args.scheduler,
            workers=args.workers,
        )
        if not args.quiet:
            print(f"{rows} rows written to {args.output}", file=sys.stderr)
        return 0
    from lapor_nlp.batch.predict import predict_frame

    router = Router.load(args.model)
    df = read_table(args.input)
    with _reported_warnings(args.quiet):
        out = predict_frame(router, df, top_k=args.top_k, text_column=args.text_column)
    _write_csv_atomically(out, Path(args.output), pd)
    if not args.quiet:
        print(f"{len(out)} rows written to {args.output}", file=sys.stderr)
    return 0


def _write_csv_atomically(df: object, path: Path, pd: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        df.to_csv(tmp, index=False)  # type: ignore[attr-defined]
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _evaluate(args: argparse.Namespace) -> int:
    from lapor_nlp.routing import Router, read_table
    from lapor_nlp.routing.evaluation import evaluate
    from lapor_nlp.routing.report import write_report

    router = Router.load(args.model)
    df = read_table(args.data)
    with _reported_warnings(args.quiet):
        results = evaluate(router, df, text_column=args.text_column)
    context = {"model": args.model, "data": args.data, "rows": len(df)}
    write_report(
        results, args.report, context=context, target_precision=float(router.metadata["target_precision"])
    )
    if not args.quiet:
        for target, ev in results.items():
            m = ev.metrics
            print(
                f"{target}: top-1 {m['top1_accuracy']:.3f}, top-3 {m['top3_accuracy']:.3f}, "
                f"auto {m['auto_share']:.1%} at precision {m['auto_precision']}"
            )
        print(f"report written to {args.report}")
    return 0
