"""`lapor-nlp duplicates DATA --output GROUPS`: batch de-duplication of a complaint export."""

from __future__ import annotations

import argparse

from lapor_nlp.cli._engine import add_engine_arguments


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "duplicates",
        help="group the complaints of an export (CSV, XLSX, Parquet, JSONL) that report the same problem",
        description="Replay a complaint export in submission order (query, then add) and write the "
        "duplicate groups with scores and evidence.",
    )
    p.add_argument(
        "data",
        help="export with one complaint per row: .csv .tsv .xlsx .parquet .jsonl, a directory or a glob",
    )
    p.add_argument("--sheet", help="worksheet of an .xlsx export (default: the first)")
    p.add_argument(
        "--output",
        "-o",
        required=True,
        help="where to write the groups (format by extension; no suffix = Parquet)",
    )
    p.add_argument("--id-column", default="id")
    p.add_argument("--text-column", default="text")
    p.add_argument("--time-column", default="submitted_at", help="submission time column ('' for none)")
    p.add_argument(
        "--location-columns",
        default="kecamatan,kelurahan",
        help="comma-separated location columns used when present ('' for none)",
    )
    p.add_argument(
        "--threshold", type=float, default=None, help="duplicate score threshold (default: calibrated)"
    )
    p.add_argument("--index", default=None, help="also save the built index to this .npz file")
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    add_engine_arguments(p)
    p.set_defaults(func=_duplicates)


def _duplicates(args: argparse.Namespace) -> int:
    import sys

    from lapor_nlp.duplicates.batch import find_groups, read_export
    from lapor_nlp.tables import output_format, parse_timestamps, write_table

    output_format(args.output)  # a bad --output fails before the work
    loc_cols = [c for c in args.location_columns.split(",") if c.strip()] if args.location_columns else []
    if args.engine == "dask":
        return _duplicates_dask(args, loc_cols)
    df = read_export(args.data, id_column=args.id_column, text_column=args.text_column, sheet=args.sheet)
    unparsed = 0
    if args.time_column and args.time_column in df.columns:
        unparsed = parse_timestamps(df[args.time_column])[1]
    groups, index = find_groups(
        df,
        id_column=args.id_column,
        text_column=args.text_column,
        time_column=args.time_column or None,
        location_columns=loc_cols,
        threshold=args.threshold,
        progress=not args.quiet,
    )
    write_table(groups, args.output)
    if args.index:
        index.save(args.index)
    if not args.quiet:
        n_groups = groups["group"].nunique() if len(groups) else 0
        print(
            f"{len(df)} complaints, {n_groups} duplicate groups covering {len(groups)} complaints "
            f"-> {args.output}",
            file=sys.stderr,
        )
        if unparsed:
            print(
                f"note: {unparsed} {args.time_column!r} value(s) could not be read as dates; "
                "those complaints were compared without a time",
                file=sys.stderr,
            )
    return 0


def _duplicates_dask(args: argparse.Namespace, loc_cols: list[str]) -> int:
    import sys

    from lapor_nlp.batch.jobs import duplicates_job
    from lapor_nlp.errors import InputError

    if args.index:
        raise InputError("--index needs --engine local: the Dask engine builds one index per region")
    n, rows = duplicates_job(
        args.data,
        args.output,
        id_column=args.id_column,
        text_column=args.text_column,
        time_column=args.time_column or None,
        location_columns=loc_cols,
        threshold=args.threshold,
        scheduler=args.scheduler,
        workers=args.workers,
        sheet=args.sheet,
    )
    if not args.quiet:
        print(
            f"{n} complaints, duplicate groups covering {rows} complaints -> {args.output}", file=sys.stderr
        )
    return 0
