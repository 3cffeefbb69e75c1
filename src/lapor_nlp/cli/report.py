"""`lapor-nlp report DATA --out DIR`: the complaint-insights report (HTML + CSV) of any table format."""

from __future__ import annotations

import argparse

from lapor_nlp.cli._engine import add_engine_arguments


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "report",
        help="write the monitoring report (summary, agency scorecards, follow-up list, volumes, "
        "emerging issues, response times, review quality)",
        description="Write DIR/report.html (self-contained, readable offline; Bahasa Indonesia by default) "
        "and the same figures as CSV: scorecard.csv (per agency), follow_up.csv (open complaints), "
        "summary.csv, ...",
    )
    p.add_argument(
        "data",
        help="complaint export: .csv .tsv .xlsx .parquet .jsonl, a directory or a glob (submitted_at "
        "required; responded_at, topic/category, agency, kecamatan, kelurahan, text, id optional)",
    )
    p.add_argument("--sheet", help="worksheet of an .xlsx export (default: the first)")
    p.add_argument("--out", required=True, help="output directory (created if needed)")
    source = p.add_mutually_exclusive_group()
    source.add_argument(
        "--decisions", help="decisions table exported from the routing service, any format (review quality)"
    )
    source.add_argument(
        "--database-url", help="SQLAlchemy URL of the routing service database (review quality)"
    )
    p.add_argument(
        "--sla-days", type=float, default=5.0, help="service-level target for a response (default 5)"
    )
    p.add_argument("--freq", choices=["W", "M"], default="W", help="emerging-issue period: week or month")
    p.add_argument("--window", type=int, default=8, help="baseline periods for emerging issues (default 8)")
    p.add_argument(
        "--min-count",
        type=int,
        help="smallest count that can be an emerging issue (default per level: 8 category/agency, "
        "10 kecamatan/kelurahan)",
    )
    p.add_argument("--z", type=float, help="robust z-score threshold (default per level: 5, kelurahan 8)")
    p.add_argument(
        "--alpha", type=float, help="Poisson p-value threshold (default per level: 1e-5, kelurahan 1e-7)"
    )
    p.add_argument(
        "--max-alerts",
        type=int,
        default=2,
        help="strongest alerts kept per period and watched column (default 2; 0 keeps all)",
    )
    p.add_argument(
        "--language",
        "--alert-language",
        dest="language",
        choices=["id", "en"],
        default="id",
        help="language of the report (default id: Bahasa Indonesia; en: English); "
        "--alert-language is the former name",
    )
    p.add_argument(
        "--period-days",
        type=int,
        default=28,
        help="length of the period the summary compares with the one before (default 28 days)",
    )
    p.add_argument(
        "--watch",
        action="append",
        choices=["category", "agency", "kecamatan", "kelurahan"],
        help="column to watch for emerging issues (repeatable; default all available)",
    )
    p.add_argument("--as-of", help="reference date for backlog ages (default: the latest date in the data)")
    p.add_argument("--title", help="report title (default: the catalogue's, in the report's language)")
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    add_engine_arguments(p)
    p.set_defaults(func=_report)


def _report(args: argparse.Namespace) -> int:
    from lapor_nlp.insights import build_report, load_complaints, load_decisions, read_decisions_sql

    if args.engine == "dask":
        from lapor_nlp.batch.jobs import report_data_job

        data = report_data_job(args.data, scheduler=args.scheduler, workers=args.workers, sheet=args.sheet)
    else:
        data = load_complaints(args.data, sheet=args.sheet)
    decisions = None
    if args.decisions:
        decisions = load_decisions(args.decisions)
    elif args.database_url:
        decisions = read_decisions_sql(args.database_url)
    report = build_report(
        data,
        decisions=decisions,
        sla_days=args.sla_days,
        emerging_by=args.watch,
        emerging_freq=args.freq,
        window=args.window,
        min_count=args.min_count,
        z_threshold=args.z,
        alpha=args.alpha,
        max_alerts_per_period=args.max_alerts or None,
        language=args.language,
        summary_days=args.period_days,
        as_of=args.as_of,
        title=args.title,
        progress=not args.quiet,
    )
    page = report.write(args.out)
    if not args.quiet:
        alerts = len(report.tables.get("emerging", ()))
        backlog = len(report.tables["backlog"]) if "backlog" in report.tables else "n/a"
        print(f"{len(data.frame)} complaints, {alerts} emerging-issue alert(s), backlog {backlog}")
        for note in report.notes:
            print(f"note: {note}")
        print(f"report: {page}")
    return 0
