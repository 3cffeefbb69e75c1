"""Load and validate a complaint export for the insights: parse dates, note what is missing.

The export has one row per complaint. Only ``submitted_at`` is required; every other column is optional
and its absence only removes the figures that need it (with a note saying so):

=================  ==============================================================================
column             meaning
=================  ==============================================================================
``submitted_at``   intake time (required; unreadable values are dropped and counted; WIB if naive)
``responded_at``   time of the agency's response; empty = unresolved (response times, backlog)
``id``             complaint id (backlog, examples); the row number when absent
``text``           complaint text (examples; always redacted before it is shown)
``category``       category; ``topic`` is used when there is no ``category`` column
``agency``         the responsible agency
``kecamatan``      district
``kelurahan``      sub-district
=================  ==============================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lapor_nlp.errors import DataFormatError
from lapor_nlp.tables import parse_timestamps, read_table

#: Grouping columns the insights know about, in display order.
DIMENSIONS: tuple[str, ...] = ("category", "agency", "kecamatan", "kelurahan")
#: Placeholder for an empty grouping value.
MISSING_LABEL = "(none)"


@dataclass(frozen=True)
class ComplaintData:
    """A validated complaint export.

    Attributes
    ----------
    frame : DataFrame
        One row per complaint with the columns ``id``, ``submitted_at`` (datetime64), and those of
        ``responded_at`` (datetime64, NaT = unresolved), ``text`` and :data:`DIMENSIONS` that exist.
        Empty grouping values are replaced by :data:`MISSING_LABEL`.
    notes : tuple of str
        Human-readable data-quality notes (missing columns, unparseable or inconsistent dates).
    unparseable_dates : dict
        Column name -> number of non-empty values that could not be read as a date.
    counts : dict
        Optional precomputed complaint counts, ``(by, freq) ->`` :func:`~lapor_nlp.insights.volume.\
period_counts` of :attr:`frame` (e.g. summed over the partitions of a Dask job); :func:`volume` uses
        them instead of counting :attr:`frame` again. Empty by default.
    """

    frame: pd.DataFrame
    notes: tuple[str, ...] = ()
    unparseable_dates: Mapping[str, int] = field(default_factory=dict)
    counts: Mapping[tuple[str | None, str], pd.Series] = field(default_factory=dict)

    @property
    def dimensions(self) -> tuple[str, ...]:
        """Grouping columns present in :attr:`frame`."""
        return tuple(d for d in DIMENSIONS if d in self.frame.columns)

    @property
    def has_responses(self) -> bool:
        """Whether response times and backlog can be computed."""
        return "responded_at" in self.frame.columns

    @property
    def unresolved_unknown(self) -> int:
        """Rows whose ``responded_at`` was present but unparseable (status unknown)."""
        return int(self.unparseable_dates.get("responded_at", 0))


def parse_dates(values: pd.Series, *, tz: str = "Asia/Jakarta") -> tuple[pd.Series, int]:
    """Parse ``values`` as naive wall-clock times in ``tz``; return them and the count of unreadable values.

    Reads what :func:`lapor_nlp.tables.parse_timestamps` reads (ISO, day-first ``dd/mm/yyyy hh:mm``,
    Excel serials, datetime dtypes). Naive values are taken as times in ``tz`` (WIB); values with an
    offset are converted to ``tz``; the time zone is then dropped so that all values compare.
    """
    parsed, bad = parse_timestamps(values, tz=tz)
    return parsed.dt.tz_localize(None), bad


def prepare_complaints(frame: pd.DataFrame) -> ComplaintData:
    """Validate a complaint export held in a DataFrame; see the module docstring for the columns.

    Raises
    ------
    DataFormatError
        When ``frame`` is not a DataFrame, has no ``submitted_at`` column or no parseable date at all.
    """
    if not isinstance(frame, pd.DataFrame):
        raise DataFormatError(f"expected a pandas DataFrame of complaints, got {type(frame).__name__}")
    df = frame.copy()
    notes: list[str] = []
    if "category" not in df.columns and "topic" in df.columns:
        df = df.rename(columns={"topic": "category"})
    if "submitted_at" not in df.columns:
        raise DataFormatError(
            "the complaint export has no 'submitted_at' column (intake time), which every insight needs; "
            f"found columns {sorted(map(str, frame.columns))}. "
            "Rename the intake-time column to 'submitted_at'."
        )
    unparseable: dict[str, int] = {}
    df["submitted_at"], bad = parse_dates(df["submitted_at"])
    unparseable["submitted_at"] = bad
    empty_submitted = int(df["submitted_at"].isna().sum()) - bad
    if bad:
        notes.append(f"{bad} row(s) with an unparseable submitted_at were left out of every figure.")
    if empty_submitted:
        notes.append(f"{empty_submitted} row(s) with an empty submitted_at were left out of every figure.")
    if "id" not in df.columns:
        df["id"] = [str(i) for i in range(len(df))]
        notes.append("No 'id' column: complaints are identified by their row number.")
    df["id"] = df["id"].astype("string")
    if "responded_at" in df.columns:
        responded, bad_resp = parse_dates(df["responded_at"])
        unparseable["responded_at"] = bad_resp
        if bad_resp:
            notes.append(
                f"{bad_resp} row(s) with an unparseable responded_at: their status is unknown, so they are "
                "left out of response times and backlog."
            )
        df["_responded_unknown"] = responded.isna() & df["responded_at"].astype("string").str.strip().fillna(
            ""
        ).ne("")
        before = responded < df["submitted_at"]
        n_before = int(before.sum())
        if n_before:
            notes.append(
                f"{n_before} row(s) were answered before they were submitted; their response time is "
                "treated as unknown."
            )
            df.loc[before, "_responded_unknown"] = True
            responded = responded.mask(before)
        df["responded_at"] = responded
    else:
        notes.append("No 'responded_at' column: response times and backlog are not available.")
    if "text" not in df.columns:
        notes.append("No 'text' column: emerging issues are listed without example complaints.")
    missing = [d for d in DIMENSIONS if d not in df.columns]
    if missing:
        notes.append(f"No {', '.join(repr(m) for m in missing)} column(s): those breakdowns are skipped.")
    for dim in DIMENSIONS:
        if dim in df.columns:
            values = df[dim].astype("string").str.strip()
            df[dim] = values.mask(values.isna() | (values == ""), MISSING_LABEL).astype(str)
    df = df[df["submitted_at"].notna()].reset_index(drop=True)
    if df.empty:
        raise DataFormatError(
            "no complaint has a usable submitted_at date; expected values such as '2022-01-31 08:15:00'"
        )
    keep = ["id", "submitted_at", "responded_at", "_responded_unknown", "text", *DIMENSIONS]
    df = df[[c for c in keep if c in df.columns]]
    return ComplaintData(frame=df, notes=tuple(notes), unparseable_dates=unparseable)


def load_complaints(path: str | Path, *, sheet: str | None = None) -> ComplaintData:
    """Read a complaint export with :func:`lapor_nlp.tables.read_table` (CSV/TSV, XLSX sheet, Parquet,
    JSON Lines, a directory or a glob) and validate it."""
    return prepare_complaints(read_table(path, sheet=sheet))
