"""Duplicate groups region by region, in one process or on Dask.

Complaints about the same problem come from the same place, so a big export is split by region (the
coarsest location column present, e.g. ``kecamatan``) and each region is grouped independently by the
in-process code, :func:`lapor_nlp.duplicates.batch.find_groups` (replay in submission order, query
then add). Regions are independent, so Dask can group them on different workers.

**Complaints without a location** (empty or missing region value) form one region of their own: they
are compared only among themselves, never with located complaints. Comparing them with every region
would make every region depend on them and undo the partitioning; a located duplicate of an unlocated
complaint is therefore not found by this path (the in-process ``lapor-nlp duplicates`` with
``--engine local`` compares everything with everything).

Group numbers are global and follow the in-process rule: groups in order of their first duplicate in
submission order, each group's first complaint (empty ``duplicate_of``) first. Word weights (idf) are
learned per region, so scores can differ slightly from one index over the whole export.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from lapor_nlp.duplicates.batch import GROUP_COLUMNS, find_groups
from lapor_nlp.errors import DataFormatError
from lapor_nlp.tables import parse_timestamps

if TYPE_CHECKING:
    import dask.dataframe as dd

#: Region value of complaints without a location; they form their own region.
NO_REGION = ""
_REGION, _ROW, _TIME = "_region", "_row", "_time"


def region_column(columns: Sequence[str], location_columns: Sequence[str]) -> str | None:
    """The first of ``location_columns`` (listed coarsest first) present in ``columns``, if any."""
    return next((c for c in location_columns if c in columns), None)


def region_values(values: pd.Series) -> pd.Series:
    """Region keys: the stripped text of ``values``; empty or missing -> :data:`NO_REGION`."""
    text = values.astype("string").str.strip()
    return text.fillna(NO_REGION).astype(str)


def _group_meta() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": pd.Series(dtype="int64"),
            "id": pd.Series(dtype="str"),
            "duplicate_of": pd.Series(dtype="str"),
            "score": pd.Series(dtype="float64"),
            "evidence": pd.Series(dtype="str"),
            _REGION: pd.Series(dtype="str"),
            _ROW: pd.Series(dtype="int64"),
            _TIME: pd.Series(dtype="datetime64[ns]"),
        }
    )


def group_regions(
    df: pd.DataFrame,
    *,
    id_column: str = "id",
    text_column: str = "text",
    time_column: str | None = "submitted_at",
    location_columns: Sequence[str] = ("kecamatan", "kelurahan"),
    threshold: float | None = None,
) -> pd.DataFrame:
    """Per-region :func:`find_groups` on a frame holding whole regions (the per-partition function).

    ``df`` needs the helper columns ``_region`` (see :func:`region_values`) and ``_row`` (global row
    number). Returns the groups with region-local numbers plus ``_region``, ``_row`` and ``_time``
    (each complaint's row number and submission time, to order groups globally).
    """
    out = [_group_meta()]
    df = df.sort_values(_ROW, kind="stable")
    for region, part in df.groupby(_REGION, sort=False):
        groups, _ = find_groups(
            part.drop(columns=[_REGION, _ROW]),
            id_column=id_column,
            text_column=text_column,
            time_column=time_column,
            location_columns=location_columns,
            threshold=threshold,
        )
        if groups.empty:
            continue
        ids = part[id_column].astype(str)
        rows = pd.Series(part[_ROW].to_numpy(), index=ids.to_numpy())
        groups[_REGION] = str(region)
        groups[_ROW] = rows.reindex(groups["id"].astype(str)).to_numpy()
        if time_column and time_column in part.columns:
            times = parse_timestamps(part[time_column])[0].dt.tz_convert("UTC").dt.tz_localize(None)
            groups[_TIME] = pd.Series(times.to_numpy(), index=ids.to_numpy()).reindex(groups["id"]).to_numpy()
        else:
            groups[_TIME] = pd.NaT
        out.append(groups)
    return pd.concat(out, ignore_index=True).astype(_group_meta().dtypes.to_dict())


def number_groups(groups: pd.DataFrame) -> pd.DataFrame:
    """Merge region-local groups into one table with global numbers (see the module docstring)."""
    if groups.empty:
        return pd.DataFrame({c: groups[c] for c in GROUP_COLUMNS}).reset_index(drop=True)
    groups = groups.reset_index(drop=True)
    groups["_root"] = groups["duplicate_of"].eq("")
    children = groups[~groups["_root"]].sort_values([_TIME, _ROW], na_position="last", kind="stable")
    first = children.drop_duplicates([_REGION, "group"])[[_REGION, "group"]].reset_index(drop=True)
    first["_number"] = range(1, len(first) + 1)
    ordered = pd.concat([groups[groups["_root"]], children]).merge(first, on=[_REGION, "group"])
    ordered = ordered.sort_values(["_number", "_root"], ascending=[True, False], kind="stable")
    ordered["group"] = ordered["_number"].astype("int64")
    return ordered[list(GROUP_COLUMNS)].reset_index(drop=True)


def _check(columns: Sequence[str], id_column: str, text_column: str) -> None:
    missing = [c for c in (id_column, text_column) if c not in columns]
    if missing:
        raise DataFormatError(
            f"the data misses columns {missing}; it has {list(columns)} (use --id-column/--text-column)"
        )


def find_groups_by_region(
    df: pd.DataFrame,
    *,
    id_column: str = "id",
    text_column: str = "text",
    time_column: str | None = "submitted_at",
    location_columns: Sequence[str] = ("kecamatan", "kelurahan"),
    threshold: float | None = None,
) -> pd.DataFrame:
    """In-process reference of :func:`find_groups_dask`: the same per-region grouping on a pandas frame."""
    _check(list(df.columns), id_column, text_column)
    region = region_column(list(df.columns), location_columns)
    keys = region_values(df[region]) if region else pd.Series(NO_REGION, index=df.index)
    work = df.assign(**{_REGION: keys.to_numpy(), _ROW: range(len(df))})
    groups = group_regions(
        work,
        id_column=id_column,
        text_column=text_column,
        time_column=time_column if time_column in df.columns else None,
        location_columns=location_columns,
        threshold=threshold,
    )
    return number_groups(groups)


def find_groups_dask(
    ddf: dd.DataFrame,
    *,
    id_column: str = "id",
    text_column: str = "text",
    time_column: str | None = "submitted_at",
    location_columns: Sequence[str] = ("kecamatan", "kelurahan"),
    threshold: float | None = None,
) -> pd.DataFrame:
    """Duplicate groups of ``ddf`` (columns ``GROUP_COLUMNS``), each region grouped on some worker.

    The frame is shuffled so that every region lies whole in one partition, each partition is grouped
    by :func:`group_regions`, and the (small) result is numbered here. Equal to
    :func:`find_groups_by_region` on the same rows.
    """
    columns = list(ddf.columns)
    _check(columns, id_column, text_column)
    region = region_column(columns, location_columns)
    if region:
        ddf = ddf.assign(**{_REGION: ddf[region].map_partitions(region_values, meta=(region, "str"))})
    else:
        ddf = ddf.assign(**{_REGION: NO_REGION})
    ddf = ddf.assign(_one=1)
    ddf = ddf.assign(**{_ROW: ddf["_one"].cumsum() - 1}).drop(columns=["_one"])
    shuffled = ddf.shuffle(on=_REGION, npartitions=ddf.npartitions)
    groups = shuffled.map_partitions(
        group_regions,
        id_column=id_column,
        text_column=text_column,
        time_column=time_column if time_column in columns else None,
        location_columns=location_columns,
        threshold=threshold,
        meta=_group_meta(),
    )
    return number_groups(groups.compute())
