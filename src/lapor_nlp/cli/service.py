"""`lapor-nlp serve` (the routing service) and `lapor-nlp export-feedback` (reviewed complaints as CSV).

The service lives in the ``service`` package next to ``src/``; it is imported only inside the commands.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DEFAULT_DB = "sqlite:///./.lapor-nlp/lapor-nlp.db"


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    s = subparsers.add_parser("serve", help="start the routing service (FastAPI + admin review page)")
    s.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port (default 8000)")
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
        default=1,
        help="worker processes (default 1; see README 'Service' for the choice)",
    )
    s.add_argument(
        "--local-keys",
        type=Path,
        default=None,
        metavar="FILE",
        help="when LAPOR_NLP_API_KEYS is unset, read keys from FILE or create it with fresh keys",
    )
    s.add_argument("--quiet", action="store_true", help="only log warnings and errors")
    s.set_defaults(func=_serve)

    e = subparsers.add_parser(
        "export-feedback",
        help="write reviewed complaints (final labels) as a CSV that `lapor-nlp train` reads",
    )
    e.add_argument(
        "--database-url",
        default=os.environ.get("LAPOR_NLP_DATABASE_URL", DEFAULT_DB),
        help="the service's database (default $LAPOR_NLP_DATABASE_URL or the local SQLite file)",
    )
    e.add_argument("--output", "-o", type=Path, required=True, help="CSV file to write")
    e.set_defaults(func=_export)


def _local_keys(path: Path) -> str:
    """Keys from ``path`` (``LAPOR_NLP_API_KEYS=...``), creating it with new random keys if absent."""
    from service.app.auth import new_key

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


def _serve(args: argparse.Namespace) -> int:
    import uvicorn
    from service.app.config import Settings
    from service.app.db.engine import build_engine
    from service.app.db.migrate import upgrade

    if args.model is not None:
        os.environ["LAPOR_NLP_MODEL_DIR"] = str(args.model)
    if args.database_url:
        os.environ["LAPOR_NLP_DATABASE_URL"] = args.database_url
    if args.quiet:
        os.environ["LAPOR_NLP_LOG_LEVEL"] = "WARNING"
    if not os.environ.get("LAPOR_NLP_API_KEYS") and args.local_keys is not None:
        os.environ["LAPOR_NLP_API_KEYS"] = _local_keys(args.local_keys)
        keys = dict(entry.split(":", 1) for entry in os.environ["LAPOR_NLP_API_KEYS"].split(","))
        print(f"local API keys (from {args.local_keys}):")
        for role, key in keys.items():
            print(f"  {role:<7} {key}")
    settings = Settings()
    if not Path(settings.model_dir).is_dir():
        print(
            f"lapor-nlp serve: error: no model at {settings.model_dir}; train one with `lapor-nlp train` "
            "or pass --model DIR",
            file=sys.stderr,
        )
        return 2
    # Migrate once here so that several workers do not race on it.
    engine = build_engine(settings.database_url, timeout=settings.db_timeout_seconds)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    os.environ["LAPOR_NLP_RUN_MIGRATIONS"] = "false"
    host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(f"review page: http://{host}:{args.port}/admin  (sign in with the admin key)")
    print(f"API docs:    http://{host}:{args.port}/docs")
    sys.stdout.flush()
    workers = max(1, args.workers)
    if workers > 1:
        _run_workers(args, workers)
        return 0
    uvicorn.run(
        "service.app.main:app_factory",
        factory=True,
        host=args.host,
        port=args.port,
        workers=1,
        log_level="warning" if args.quiet else "info",
        proxy_headers=False,
        server_header=False,
    )
    return 0


def _run_workers(args: argparse.Namespace, workers: int) -> None:
    """Several worker processes on one listening socket.

    uvicorn binds that socket without ``IPPROTO_TCP``, so asyncio leaves Nagle's algorithm on for the
    accepted connections and every response waits ~40 ms for a delayed ACK (measured: /healthz
    1.3 ms vs 48 ms). Binding the socket here with the protocol set keeps TCP_NODELAY on.
    """
    import socket

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.set_inheritable(True)
    config = uvicorn.Config(
        "service.app.main:app_factory",
        factory=True,
        host=args.host,
        port=args.port,
        workers=workers,
        log_level="warning" if args.quiet else "info",
        proxy_headers=False,
        server_header=False,
    )
    Multiprocess(config, sockets=[sock]).run()


def _export(args: argparse.Namespace) -> int:
    from service.app.feedback import export_feedback

    try:
        count = export_feedback(args.database_url, args.output)
    except FileNotFoundError as exc:
        print(f"lapor-nlp export-feedback: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {count} reviewed complaints to {args.output}")
    return 0
