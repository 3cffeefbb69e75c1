"""`lapor-nlp train|predict|evaluate`: category/agency routing from the command line."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import sys
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    t = subparsers.add_parser("train", help="train a router on a labelled CSV and write a model directory")
    t.add_argument("data", help="CSV of complaints (delimiter and encoding are detected)")
    t.add_argument("--text-column", required=True, help="column holding the complaint text")
    t.add_argument("--target", action="append", required=True, help="label column to learn (repeatable)")
    t.add_argument("--location-column", action="append", default=[], help="location column (repeatable)")
    t.add_argument("--out", required=True, help="model directory to write (replaced atomically)")
    t.add_argument("--target-precision", type=float, help="precision of auto decisions (0.95)")
    t.add_argument(
        "--time-column",
        default="auto",
        help="submission-time column: time-ordered folds, recency weighting (default: submitted_at "
        "when present; 'none' turns it off)",
    )
    t.add_argument("--config", help="JSON or TOML file of training settings (keys: see TrainingConfig)")
    t.add_argument("--data-source", help="where the data came from, for the model card")
    t.add_argument("--quiet", action="store_true", help="no progress bars or summary")
    t.set_defaults(func=_train)

    r = subparsers.add_parser(
        "retrain",
        help="train a candidate on base data + reviewed feedback; judge it against the current model",
    )
    r.add_argument("--base", required=True, help="CSV the current model was trained on (or a newer base)")
    r.add_argument("--feedback", help="CSV of reviewed decisions (columns of `lapor-nlp export-feedback`)")
    r.add_argument(
        "--database-url",
        help="read the reviewed decisions from the service's database instead of --feedback "
        "(SQLAlchemy URL, e.g. sqlite:///.lapor-nlp/lapor-nlp.db; needs the [service] extra)",
    )
    r.add_argument("--out", required=True, help="directory for the candidate model and promotion.json")
    r.add_argument("--model", default="models/default", help="current (champion) model directory")
    r.add_argument("--window-days", type=int, default=28, help="judge on the latest N days of feedback (28)")
    r.add_argument("--config", help="JSON or TOML training settings (default: the champion's)")
    r.add_argument("--quiet", action="store_true", help="no progress bars or summary")
    r.set_defaults(func=_retrain)

    p = subparsers.add_parser("predict", help="add T_pred, T_score, T_topk, T_decision columns to a CSV")
    p.add_argument("model", help="model directory")
    p.add_argument("input", help="CSV with the text column (and location columns, if any)")
    p.add_argument("--output", required=True, help="CSV to write: every input column plus the suggestions")
    p.add_argument("--top-k", type=int, default=3, help="alternatives in T_topk (3)")
    p.add_argument("--text-column", help="text column (default: the one named at training)")
    p.add_argument("--quiet", action="store_true", help="no summary")
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
            time_column=_time_column(args.time_column),
            config=args.config,
            progress=not args.quiet,
        )
    argv = ["lapor-nlp", "train", args.data, "--text-column", args.text_column]
    for t in args.target:
        argv += ["--target", t]
    for c in args.location_column:
        argv += ["--location-column", c]
    if args.time_column != "auto":
        argv += ["--time-column", args.time_column]
    if args.config:
        argv += ["--config", args.config]
    if args.target_precision is not None:
        argv += ["--target-precision", str(args.target_precision)]
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
        _print_chosen(router.metadata)
        print(f"model written to {args.out} ({router.metadata['training_seconds']} s)")
    return 0


def _time_column(value: str) -> str | None:
    return None if value.strip().lower() in ("none", "") else value


def _print_chosen(metadata: dict[str, object]) -> None:
    chosen = metadata.get("chosen_settings") or {}
    time_column = metadata.get("time_column") or "none"
    for target, sel in chosen.items():  # type: ignore[attr-defined]
        c = sel["chosen"]
        print(
            f"{target}: chosen by validation ({sel['metric']}, time column {time_column}): C={c['C']}, "
            f"class_weight={c['class_weight']}, half_life_days={c['half_life_days']}"
        )


def _read_feedback(args: argparse.Namespace) -> object:
    """The reviewed decisions to learn from: ``--feedback`` CSV, or ``--database-url`` (service package)."""
    from lapor_nlp.errors import InputError
    from lapor_nlp.routing import read_table

    database_url = getattr(args, "database_url", None)
    if database_url and args.feedback:
        raise InputError("give the reviewed decisions with --feedback or --database-url, not both")
    if database_url:
        return _feedback_from_database(database_url)
    if not args.feedback:
        raise InputError(
            "give the reviewed decisions with --feedback FEEDBACK.csv (lapor-nlp export-feedback) "
            "or --database-url URL (the service's database)"
        )
    return read_table(args.feedback)


def _feedback_from_database(database_url: str) -> object:
    """Reviewed decisions straight from the service database (the service package does the reading)."""
    from lapor_nlp.errors import InputError

    try:
        from service.app.feedback import export_feedback_frame
    except ImportError as exc:
        raise InputError(
            f"--database-url needs the routing service package ({exc.name} is missing): "
            "install lapor-nlp[service], or export a CSV with `lapor-nlp export-feedback` and use --feedback"
        ) from None
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return export_feedback_frame(database_url)
    except FileNotFoundError as exc:
        raise InputError(str(exc)) from None
    except SQLAlchemyError as exc:
        raise InputError(
            f"could not read the reviewed decisions from --database-url ({type(exc).__name__}); "
            "check the URL and that the database is reachable"
        ) from None


def _retrain(args: argparse.Namespace) -> int:
    from lapor_nlp.routing import read_table, retrain

    base = read_table(args.base)
    feedback = _read_feedback(args)
    with _reported_warnings(args.quiet):
        verdict = retrain(
            args.model,
            base,
            feedback,  # type: ignore[arg-type]
            args.out,
            window_days=args.window_days,
            progress=not args.quiet,
            config=args.config,
        )
    if not args.quiet:
        w = verdict.window
        print(f"window {w['start']} .. {w['end']}: {w['n']} reviewed complaints")
        for target in verdict.champion:
            ch, ca = verdict.champion[target], verdict.candidate[target]
            print(
                f"{target}: champion top-1 {ch['top1_accuracy']:.3f} auto {ch['auto_share']:.1%}, "
                f"candidate top-1 {ca['top1_accuracy']:.3f} auto {ca['auto_share']:.1%}"
            )
        print(f"{'PROMOTE' if verdict.promote else 'KEEP CHAMPION'}: {verdict.reason}")
        print(f"candidate and promotion.json written to {args.out}")
    return 0


def _predict(args: argparse.Namespace) -> int:
    import pandas as pd

    from lapor_nlp.errors import InputError
    from lapor_nlp.routing import Router, read_table

    if args.top_k < 1:
        raise InputError(f"--top-k must be at least 1, got {args.top_k}")
    router = Router.load(args.model)
    df = read_table(args.input)
    with _reported_warnings(args.quiet):
        suggestions = router.predict(df, top_k=args.top_k, text_column=args.text_column, explain=False)
    out = df.copy()
    for target in router.targets:
        ts = [s[target] for s in suggestions]
        out[f"{target}_pred"] = [t.label for t in ts]
        out[f"{target}_score"] = [round(t.score, 4) for t in ts]
        out[f"{target}_topk"] = [
            json.dumps([[lab, round(p, 4)] for lab, p in t.top_k], ensure_ascii=False) for t in ts
        ]
        out[f"{target}_decision"] = [t.decision for t in ts]
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
