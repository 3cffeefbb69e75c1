"""`lapor-nlp train|predict|evaluate`: category/agency routing from the command line."""

from __future__ import annotations

import argparse
import contextlib
import shlex
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

from lapor_nlp.cli._engine import add_engine_arguments

_FORMATS = ".csv .tsv .xlsx .parquet .jsonl, a directory of parts or a glob"


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    t = subparsers.add_parser("train", help="train a router on a labelled table and write a model directory")
    t.add_argument("data", help=f"table of complaints ({_FORMATS}; CSV delimiter and encoding are detected)")
    t.add_argument("--sheet", help="worksheet of an .xlsx file (default: the first)")
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

    pol = subparsers.add_parser(
        "policy",
        help="learn the agency table (category x place -> agency) beside a model: <model>/agency_policy.json",
    )
    pol.add_argument("model", help="model directory (its agency roles and location columns are used)")
    pol.add_argument("data", help=f"labelled table with the category and agency columns; {_FORMATS}")
    pol.add_argument("--sheet", help="worksheet of an .xlsx file (default: the first)")
    pol.add_argument("--category-column", help="category column (default: the model's category target)")
    pol.add_argument("--agency-column", default="agency", help="agency column (agency)")
    pol.add_argument("--time-column", default="submitted_at", help="time column, for recency ('none': off)")
    pol.add_argument("--half-life-days", type=float, default=60.0, help="weight halves every N days (60)")
    pol.add_argument(
        "--reviewer-weight", type=float, default=4.0, help="weight of one reviewer decision vs a row (4)"
    )
    pol.add_argument("--quiet", action="store_true", help="no summary")
    pol.set_defaults(func=_policy)

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
    r.add_argument(
        "--refresh",
        action="store_true",
        help="cheap update: refit the champion's weights on the new rows, keeping its features, "
        "settings and thresholds (run between full retrains, e.g. weekly)",
    )
    r.add_argument("--quiet", action="store_true", help="no progress bars or summary")
    r.set_defaults(func=_retrain)

    p = subparsers.add_parser(
        "predict",
        help="add T_pred, T_score, T_topk, T_decision columns and the complaint's decision to a table",
    )
    p.add_argument("model", help="model directory")
    p.add_argument("input", help=f"table with the text column (and location columns, if any); {_FORMATS}")
    p.add_argument("--sheet", help="worksheet of an .xlsx input (default: the first)")
    p.add_argument(
        "--output",
        required=True,
        help="table to write (format by extension; no suffix = Parquet directory): every input column "
        "plus the suggestions",
    )
    p.add_argument("--top-k", type=int, default=3, help="alternatives in T_topk (3)")
    p.add_argument("--text-column", help="text column (default: the one named at training)")
    p.add_argument(
        "--routing-targets",
        help="comma-separated targets whose decisions make the 'decision' column (auto iff all are auto); "
        "default: agency (category,agency = the older rule)",
    )
    p.add_argument("--quiet", action="store_true", help="no summary")
    add_engine_arguments(p)
    p.set_defaults(func=_predict)

    e = subparsers.add_parser("evaluate", help="score a model on a labelled table; write metrics and plots")
    e.add_argument("model", help="model directory")
    e.add_argument("data", help=f"labelled table with the text and target columns; {_FORMATS}")
    e.add_argument("--sheet", help="worksheet of an .xlsx file (default: the first)")
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

    df = read_table(args.data, sheet=args.sheet)
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
    argv = ["lapor-nlp", "train", args.data, *(["--sheet", args.sheet] if args.sheet else [])]
    argv += ["--text-column", args.text_column]
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
    if "agency" in router.targets and len(router.targets) > 1:
        from lapor_nlp.routing.policy import fit_policy

        fit_policy(router, df, time_column=router.metadata.get("time_column")).save(args.out)
    if not args.quiet:
        for target, m in router.metadata["metrics"]["cross_validated"].items():
            print(
                f"{target}: held-out top-1 {m['top1_accuracy']:.3f}, top-3 {m['top3_accuracy']:.3f}, "
                f"auto {m['auto_share']:.1%} at precision {m['auto_precision']}"
            )
        _print_chosen(router.metadata)
        for target, info in router.metadata["targets"].items():
            if changed := info.get("normalised_labels"):
                rows = sum(c["rows"] for c in changed.values())
                examples = ", ".join(f"{raw!r} -> {c['to']!r}" for raw, c in list(changed.items())[:3])
                print(
                    f"note: {target}: {len(changed)} label(s) with stray spaces normalised in {rows} rows "
                    f"({examples}); predictions use the normalised labels"
                )
        dates = router.metadata["data"].get("date_range") or {}
        if dates.get("unparsed"):
            print(f"note: {dates['unparsed']} value(s) of {dates['column']!r} could not be read as dates")
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
    from sqlalchemy.exc import SQLAlchemyError

    from lapor_nlp.cli.service import service_attribute
    from lapor_nlp.errors import InputError

    export_feedback_frame = service_attribute("feedback", "export_feedback_frame")

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
            feedback,
            args.out,
            window_days=args.window_days,
            progress=not args.quiet,
            config=args.config,
            refresh=args.refresh,
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


def _policy(args: argparse.Namespace) -> int:
    from lapor_nlp.routing import Router, read_table
    from lapor_nlp.routing.policy import fit_policy

    router = Router.load(args.model)
    df = read_table(args.data, sheet=args.sheet)
    policy = fit_policy(
        router,
        df,
        category_column=args.category_column,
        agency_column=args.agency_column,
        time_column=None if args.time_column == "none" else args.time_column,
        half_life_days=args.half_life_days,
        reviewer_weight=args.reviewer_weight,
    )
    path = policy.save(args.model)
    if not args.quiet:
        print(f"agency table of {len(policy.categories())} categories written to {path}", file=sys.stderr)
    return 0


def _predict(args: argparse.Namespace) -> int:
    from lapor_nlp.errors import InputError
    from lapor_nlp.routing import Router
    from lapor_nlp.tables import output_format, read_table, write_table

    if args.top_k < 1:
        raise InputError(f"--top-k must be at least 1, got {args.top_k}")
    output_format(args.output)  # a bad --output fails before the work
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
            sheet=args.sheet,
            routing_targets=args.routing_targets,
        )
        if not args.quiet:
            print(f"{rows} rows written to {args.output}", file=sys.stderr)
        return 0
    from lapor_nlp.batch.predict import predict_frame

    router = Router.load(args.model)
    df = read_table(args.input, sheet=args.sheet)
    with _reported_warnings(args.quiet):
        out = predict_frame(
            router, df, top_k=args.top_k, text_column=args.text_column, routing_targets=args.routing_targets
        )
    write_table(out, args.output)
    if not args.quiet:
        print(f"{len(out)} rows written to {args.output}", file=sys.stderr)
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from lapor_nlp.routing import Router, read_table
    from lapor_nlp.routing.evaluation import evaluate
    from lapor_nlp.routing.report import write_report

    router = Router.load(args.model)
    df = read_table(args.data, sheet=args.sheet)
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
