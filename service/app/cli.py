"""``lapor-nlp-service serve|export-feedback``: the service's own entry point.

Also reached as ``python -m service`` and, when this package is installed (``pip install
lapor-nlp[service]``), as ``lapor-nlp serve`` / ``lapor-nlp export-feedback``. Flags become a
:class:`Settings` object (anything not given comes from ``LAPOR_NLP_*`` variables) that is handed to
:func:`create_app`; nothing is written to the environment.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from service.app.auth import new_key

DEFAULT_DB = "sqlite:///./.lapor-nlp/lapor-nlp.db"
DEFAULT_PORT = 8000


def build_parser(prog: str = "lapor-nlp-service") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="The lapor-nlp routing service.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    s = sub.add_parser("serve", help="start the routing service (FastAPI + admin review page)")
    s.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    s.add_argument(
        "--model",
        type=Path,
        default=None,
        help="model directory (default $LAPOR_NLP_MODEL_DIR or models/default)",
    )
    s.add_argument(
        "--database-url",
        default=None,
        help=f"SQLAlchemy URL (default $LAPOR_NLP_DATABASE_URL or {DEFAULT_DB})",
    )
    s.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes (default: one per core, at most 8; 1 runs in this process)",
    )
    s.add_argument(
        "--local-keys",
        type=Path,
        default=None,
        metavar="FILE",
        help="when LAPOR_NLP_API_KEYS is unset, read keys from FILE or create it with fresh keys",
    )
    s.add_argument("--quiet", action="store_true", help="only log warnings and errors")
    s.add_argument("--access-log", action="store_true", help="log one line per request")
    s.set_defaults(func=_serve)

    e = sub.add_parser(
        "export-feedback",
        help="write reviewed complaints (final labels) as a CSV that `lapor-nlp train` reads",
    )
    e.add_argument(
        "--database-url",
        default=None,
        help="the service's database (default $LAPOR_NLP_DATABASE_URL or the local SQLite file)",
    )
    e.add_argument("--output", "-o", type=Path, required=True, help="CSV file to write")
    e.set_defaults(func=_export)
    return parser


def main(argv: Sequence[str] | None = None, *, prog: str = "lapor-nlp-service") -> int:
    """Entry point of ``lapor-nlp-service`` (and of ``lapor-nlp serve|export-feedback``)."""
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except (ValueError, OSError) as exc:
        print(f"{prog} {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _one_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors())
    return " ".join(str(exc).split())


def local_keys(path: Path) -> str:
    """Keys from ``path`` (``LAPOR_NLP_API_KEYS=...``), creating it with new random keys if absent."""
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("LAPOR_NLP_API_KEYS="):
                return line.split("=", 1)[1].strip().strip("'\"")
        raise ValueError(f"{path} has no LAPOR_NLP_API_KEYS= line; delete it to get fresh keys")
    spec = f"intake:{new_key()},admin:{new_key()}"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("# Local API keys for `make run` (not committed). Roles: intake, admin.\n")
        fh.write(f"LAPOR_NLP_API_KEYS={spec}\n")
    return spec


def settings_from_args(args: argparse.Namespace) -> Any:
    """The :class:`Settings` for ``serve``: flags first, then ``LAPOR_NLP_*`` variables, then defaults."""
    from service.app.config import Settings

    overrides: dict[str, Any] = {}
    if args.model is not None:
        overrides["model_dir"] = args.model
    if args.database_url:
        overrides["database_url"] = args.database_url
    if args.quiet:
        overrides["log_level"] = "WARNING"
    settings = Settings(**overrides)
    if not settings.api_keys and args.local_keys is not None:
        spec = local_keys(args.local_keys)
        settings = Settings(**overrides, api_keys=spec)
        print(f"local API keys (from {args.local_keys}):")
        for role, key in (entry.split(":", 1) for entry in spec.split(",")):
            print(f"  {role:<7} {key}")
    return settings


def _serve(args: argparse.Namespace) -> int:
    from service.app.db.engine import build_engine
    from service.app.db.migrate import upgrade
    from service.app.main import create_app
    from service.app.server import default_workers, run_single, run_workers

    settings = settings_from_args(args)
    if not Path(settings.model_dir).is_dir():
        raise ValueError(
            f"no model at {settings.model_dir}; train one with `lapor-nlp train` or pass --model DIR"
        )
    # Migrate once here so that several workers do not race on it.
    engine = build_engine(settings.database_url, timeout=settings.db_timeout_seconds)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    settings = settings.model_copy(update={"run_migrations": False})
    workers = default_workers() if args.workers is None else max(1, args.workers)
    host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(f"review page: http://{host}:{args.port}/admin  (sign in with the admin key)")
    print(f"API docs:    http://{host}:{args.port}/docs")
    print(f"workers:     {workers}")
    sys.stdout.flush()
    log_level = settings.log_level

    def build() -> Any:
        return create_app(settings)

    if workers == 1:
        run_single(build, host=args.host, port=args.port, log_level=log_level, access_log=args.access_log)
    else:
        run_workers(
            build,
            host=args.host,
            port=args.port,
            workers=workers,
            log_level=log_level,
            access_log=args.access_log,
        )
    return 0


def _export(args: argparse.Namespace) -> int:
    from service.app.feedback import export_feedback

    url = args.database_url or os.environ.get("LAPOR_NLP_DATABASE_URL", DEFAULT_DB)
    try:
        count = export_feedback(url, args.output)
    except FileNotFoundError as exc:
        raise ValueError(str(exc)) from None
    print(f"wrote {count} reviewed complaints to {args.output}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
