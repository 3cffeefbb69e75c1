"""The insights report from a Dask DataFrame equals the in-process report on the same rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from tests.insights.insights_samples import spike_rows

from lapor_nlp.batch.report import merge_notes, prepare_dask
from lapor_nlp.cli import main
from lapor_nlp.insights import build_report, prepare_complaints
from lapor_nlp.insights.volume import period_counts


def _export() -> pd.DataFrame:
    df = spike_rows().reset_index(drop=True)
    df["submitted_at"] = df["submitted_at"].astype(str)
    df["responded_at"] = [
        "" if i % 5 == 0 else str(pd.Timestamp(t) + pd.Timedelta(days=1 + i % 9))
        for i, t in enumerate(df["submitted_at"])
    ]
    df.loc[3, "submitted_at"] = "not a date"
    df.loc[7, "responded_at"] = "kemarin"
    return df.drop(columns=[c for c in ("id",) if c in df.columns])


def test_merge_notes_sums_counted_notes() -> None:
    merged = merge_notes([("2 row(s) were late.", "No 'text' column."), ("3 row(s) were late.",), ()])
    assert merged == ("5 row(s) were late.", "No 'text' column.")


def test_report_from_dask_equals_in_process(local_cluster) -> None:
    import dask.dataframe as dd

    df = _export()
    local = prepare_complaints(df)
    remote = prepare_dask(dd.from_pandas(df, npartitions=4))
    pd.testing.assert_frame_equal(remote.frame, local.frame)
    assert remote.notes == local.notes
    assert (
        dict(remote.unparseable_dates)
        == dict(local.unparseable_dates)
        == {"submitted_at": 1, "responded_at": 1}
    )
    assert set(remote.counts) >= {(None, "W"), ("category", "M"), ("kecamatan", "W")}
    for (by, freq), counts in remote.counts.items():
        pd.testing.assert_series_equal(counts, period_counts(local.frame, by, freq), check_names=False)
    a, b = build_report(remote, sla_days=3), build_report(local, sla_days=3)
    assert sorted(a.tables) == sorted(b.tables)
    for name in b.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], obj=name)
    assert not b.tables["emerging"].empty  # the planted spike is found both ways


def test_volume_uses_precomputed_counts() -> None:
    local = prepare_complaints(_export())
    doubled = {
        (by, freq): period_counts(local.frame, by, freq) * 2
        for by in (None, "category")
        for freq in ("W", "M")
    }
    from dataclasses import replace

    from lapor_nlp.insights import volume

    data = replace(local, counts=doubled)
    assert (volume(data, "category", freq="M") == 2 * volume(local, "category", freq="M")).all().all()
    assert volume(data, "kecamatan", freq="M").equals(volume(local, "kecamatan", freq="M"))


@pytest.mark.slow
def test_cli_report_engine_dask_writes_the_report(tmp_path: Path) -> None:
    parts = tmp_path / "export"
    parts.mkdir()
    df = _export()
    for i in range(3):
        df.iloc[i::3].to_csv(parts / f"part-{i}.csv", index=False)
    out = tmp_path / "report"
    argv = ["report", str(parts), "--out", str(out), "--quiet", "--engine", "dask", "--workers", "2"]
    assert main(argv) == 0
    assert (out / "report.html").is_file()
    assert main(["report", str(parts), "--out", str(tmp_path / "local"), "--quiet"]) == 0
    for name in ("volume_weekly.csv", "volume_monthly_category.csv", "response_times_agency.csv"):
        assert (out / name).read_text() == (tmp_path / "local" / name).read_text(), name
