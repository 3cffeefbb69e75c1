"""`lapor-nlp serve` and `lapor-nlp export-feedback`: handed on to the service's own entry point.

The routing service is a separate, optional package (``pip install lapor-nlp[service]``, command
``lapor-nlp-service``). The library does not import it: these two commands look it up by module name
when they run and pass their arguments on unchanged, or say in one line how to install it.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any

SERVICE_ENTRY_POINT = "service.app.cli"  # module with main(argv, *, prog) -> int
COMMANDS = {
    "serve": "start the routing service (FastAPI + admin review page); needs lapor-nlp[service]",
    "export-feedback": "write reviewed complaints as a training CSV; needs lapor-nlp[service]",
}


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    for name, summary in COMMANDS.items():
        # No arguments of its own: main() hands whatever follows the command to the service unparsed.
        p = subparsers.add_parser(name, help=summary, add_help=False)
        p.set_defaults(func=_dispatch, service_command=name, pass_through=True, service_args=[])


def load_service_main() -> Any | None:
    """The service's ``main`` function, or None when the service extra is not installed."""
    try:
        module = importlib.import_module(SERVICE_ENTRY_POINT)
    except ModuleNotFoundError as exc:
        print(
            f"lapor-nlp: error: the routing service is not installed ({exc.name} is missing); "
            "run `pip install lapor-nlp[service]`",
            file=sys.stderr,
        )
        return None
    return module.main


def service_attribute(module: str, name: str) -> Any:
    """``service.app.<module>.<name>``, looked up by module name as the commands above do.

    Raises :class:`~lapor_nlp.errors.InputError` saying how to install the service when it is missing.
    """
    from lapor_nlp.errors import InputError

    try:
        return getattr(importlib.import_module(f"service.app.{module}"), name)
    except ModuleNotFoundError as exc:
        raise InputError(
            f"this needs the routing service package ({exc.name} is missing): "
            "run `pip install lapor-nlp[service]`"
        ) from None


def _dispatch(args: argparse.Namespace) -> int:
    main = load_service_main()
    if main is None:
        return 2
    return int(main([args.service_command, *args.service_args], prog="lapor-nlp"))
