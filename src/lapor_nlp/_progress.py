"""Progress bars (tqdm) for long library calls; tqdm is only imported when a bar is shown."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

T = TypeVar("T")


def progress_bar(
    iterable: Iterable[T],
    *,
    desc: str,
    enabled: bool = True,
    unit: str = "it",
    leave: bool = True,
    total: int | None = None,
) -> Iterable[T]:
    """``iterable`` wrapped in a tqdm bar when ``enabled``, else ``iterable`` itself."""
    if not enabled:
        return iterable
    from tqdm.auto import tqdm  # noqa: PLC0415

    return tqdm(iterable, desc=desc, unit=unit, leave=leave, total=total)  # type: ignore[no-any-return]


def progress_steps(total: int, *, desc: str, enabled: bool = True, leave: bool = False) -> Any:
    """A tqdm bar of ``total`` steps advanced with ``.update()`` (silent when not ``enabled``)."""
    from tqdm.auto import tqdm  # noqa: PLC0415

    return tqdm(total=total, desc=desc, disable=not enabled, leave=leave)
