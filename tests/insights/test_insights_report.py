from __future__ import annotations

import base64
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from test_insights_review import DECISIONS

from lapor_nlp.cli import main
from lapor_nlp.insights import build_report, load_complaints
from lapor_nlp.tables import write_table

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _with_responses(frame: pd.DataFrame) -> pd.DataFrame:
    submitted = pd.to_datetime(frame["submitted_at"])
    answered = submitted + pd.to_timedelta([(i % 9) for i in range(len(frame))], unit="D")
    responded = answered.dt.strftime("%Y-%m-%d %H:%M:%S").where(frame.index % 7 != 0, "")
    return frame.assign(responded_at=responded)


def test_build_report_is_self_contained(tmp_path: Path, spike_frame: pd.DataFrame) -> None:
    report = build_report(_with_responses(spike_frame), decisions=DECISIONS, sla_days=3)
    page = report.write(tmp_path)
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and not re.search(r'src="(?!data:)', html)
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(images) >= 6 and all(base64.b64decode(i).startswith(PNG_MAGIC) for i in images)
    assert "Banjir" in html and "[PHONE]" in html and "0812-3456" not in html
    for name in (
        "emerging",
        "response_times_agency",
        "backlog",
        "totals_kecamatan",
        "volume_weekly_category",
        "volume_monthly_agency",
        "review_summary",
        "review_by_agency",
        "review_by_reviewer",
        "notes",
    ):
        assert (tmp_path / f"{name}.csv").is_file(), name
    emerging = pd.read_csv(tmp_path / "emerging.csv")
    assert set(emerging["group"]) == {"Banjir", "Gubeng", "Airlangga", "Dinas Sumber Daya Air dan Bina Marga"}
    backlog = pd.read_csv(tmp_path / "backlog.csv")
    assert len(backlog) == (spike_frame.index % 7 == 0).sum()
    assert pd.to_datetime(backlog["submitted_at"]).is_monotonic_increasing
    assert all(p.read_bytes().startswith(PNG_MAGIC) for p in (tmp_path / "figures").glob("*.png"))


def test_build_report_degrades_without_optional_columns(tmp_path: Path, spike_frame: pd.DataFrame) -> None:
    frame = spike_frame[["submitted_at", "text"]].copy()
    frame.loc[3, "submitted_at"] = "tanggal rusak"
    report = build_report(frame, language="en")
    report.write(tmp_path)
    notes = " ".join(report.notes)
    assert (
        "responded_at" in notes
        and "'kecamatan'" in notes
        and "1 row(s) with an unparseable submitted_at" in notes
    )
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "response times and backlog are not available" in html
    assert "review quality skipped" in html
    quality = pd.read_csv(tmp_path / "data_quality.csv").set_index("column")
    assert quality.loc["submitted_at", "unparseable_dates"] == 1


def test_build_report_rejects_bad_sla(spike_frame: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="sla_days"):
        build_report(spike_frame, sla_days=0)


@pytest.mark.slow
def test_cli_report_with_decisions_csv(tmp_path: Path, spike_frame: pd.DataFrame, capsys) -> None:  # type: ignore[no-untyped-def]
    data, decisions = tmp_path / "export.csv", tmp_path / "decisions.csv"
    _with_responses(spike_frame).to_csv(data, index=False)
    DECISIONS.to_csv(decisions, index=False)
    assert (
        main(
            [
                "report",
                str(data),
                "--out",
                str(tmp_path / "out"),
                "--decisions",
                str(decisions),
                "--sla-days",
                "2",
                "--watch",
                "category",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "1 emerging-issue alert(s)" in out and "report.html" in out
    summary = pd.read_csv(tmp_path / "out" / "review_summary.csv")
    assert summary.loc[0, "override_rate"] == 0.5


@pytest.mark.slow
def test_cli_report_reads_decisions_from_database(tmp_path: Path, spike_frame: pd.DataFrame) -> None:
    pytest.importorskip("sqlalchemy")
    data, db = tmp_path / "export.csv", tmp_path / "service.db"
    spike_frame.to_csv(data, index=False)
    with sqlite3.connect(db) as conn:
        DECISIONS.to_sql("decisions", conn, index=False)
    assert (
        main(
            [
                "report",
                str(data),
                "--out",
                str(tmp_path / "out"),
                "--database-url",
                f"sqlite:///{db}",
                "--quiet",
            ]
        )
        == 0
    )
    rev = pd.read_csv(tmp_path / "out" / "review_by_reviewer.csv").set_index("reviewer")
    assert rev.loc["ani", "median_hours"] == 3.0


def test_cli_report_errors_are_clear(tmp_path: Path, spike_frame: pd.DataFrame, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["report", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "out")]) == 2
    assert "not found" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("tanggal,teks\n2024-01-01,halo\n", encoding="utf-8")
    assert main(["report", str(bad), "--out", str(tmp_path / "out")]) == 2
    assert "submitted_at" in capsys.readouterr().err
    good, empty_db = tmp_path / "good.csv", tmp_path / "empty.db"
    spike_frame.to_csv(good, index=False)
    sqlite3.connect(empty_db).close()
    assert (
        main(["report", str(good), "--out", str(tmp_path / "o"), "--database-url", f"sqlite:///{empty_db}"])
        == 2
    )
    assert "no routing-service decisions" in capsys.readouterr().err


@pytest.mark.slow
def test_report_on_surabaya_export(tmp_path: Path, surabaya_csv: Path) -> None:
    data = load_complaints(surabaya_csv)
    report = build_report(data, sla_days=5)
    report.write(tmp_path)
    table = report.tables["response_times_agency"].set_index("agency")
    assert table.loc["(all)", "complaints"] == len(data.frame)
    assert 0 < table.loc["(all)", "median_days"] < table.loc["(all)", "p90_days"]
    assert len(report.tables["backlog"]) == table.loc["(all)", "unresolved"]
    assert not report.tables["emerging"].empty


@pytest.mark.slow
def test_cli_report_as_of_sets_backlog_age(tmp_path: Path, spike_frame: pd.DataFrame) -> None:
    data = tmp_path / "export.csv"
    frame = _with_responses(spike_frame)
    frame.to_csv(data, index=False)
    out = tmp_path / "out"
    assert main(["report", str(data), "--out", str(out), "--as-of", "2024-12-31", "--quiet"]) == 0
    backlog = pd.read_csv(out / "backlog.csv")
    oldest = pd.Timestamp(backlog.loc[0, "submitted_at"])
    assert backlog.loc[0, "age_days"] == pytest.approx(  # rounded to 2 decimals
        (pd.Timestamp("2024-12-31") - oldest) / pd.Timedelta(days=1), abs=0.01
    )
    assert main(["report", str(data), "--out", str(out), "--as-of", "kemarin"]) == 2


def test_build_report_on_a_single_complaint(tmp_path: Path) -> None:
    frame = pd.DataFrame({"submitted_at": ["2024-02-01 09:00"], "responded_at": [""], "topic": ["PJU"]})
    report = build_report(frame)
    report.write(tmp_path)
    assert report.tables["emerging"].empty
    assert report.tables["backlog"]["age_days"].tolist() == [0.0]
    assert "Tidak ada isu yang sedang naik" in (tmp_path / "report.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_cli_report_unwritable_out(tmp_path: Path, spike_frame: pd.DataFrame, capsys) -> None:  # type: ignore[no-untyped-def]
    data, blocker = tmp_path / "export.csv", tmp_path / "a-file"
    spike_frame.to_csv(data, index=False)
    blocker.write_text("not a directory", encoding="utf-8")
    assert main(["report", str(data), "--out", str(blocker), "--quiet"]) == 2
    assert "cannot write the report" in capsys.readouterr().err


@pytest.mark.slow
def test_build_report_says_each_alert_in_words(tmp_path: Path, spike_frame: pd.DataFrame) -> None:
    report = build_report(spike_frame)
    report.write(tmp_path)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Banjir di Kelurahan Airlangga: 12 laporan pada minggu 25 Mar 2024, biasanya 0" in html
    assert "kelurahan: minimal 10 pengaduan, z &gt;= 8" in html
    table = pd.read_csv(tmp_path / "emerging.csv")
    assert table["alert"].str.contains("12 laporan").all()
    assert table["robust_z"].is_monotonic_decreasing  # strongest first
    english = build_report(spike_frame, alert_language="en").tables["emerging"]
    assert "Banjir in Kecamatan Gubeng: 12 complaints in the week of 25 Mar 2024, usually 0" in set(
        english["alert"]
    )
    with pytest.raises(ValueError, match="language"):
        build_report(spike_frame, alert_language="fr")


@pytest.mark.slow
@pytest.mark.parametrize(
    "convert",
    [
        lambda f: f.astype("string"),
        lambda f: f.convert_dtypes(dtype_backend="pyarrow"),
        lambda f: f.astype("string[pyarrow]"),
    ],
    ids=["string", "pyarrow-backend", "arrow-string"],
)
def test_build_report_on_pandas_string_and_arrow_dtypes(
    tmp_path: Path, spike_frame: pd.DataFrame, convert: Callable[[pd.DataFrame], pd.DataFrame]
) -> None:
    # every complaint answered: the backlog table is empty, which broke _csv_ready on string dtypes
    frame = convert(_with_responses(spike_frame).assign(responded_at=lambda f: f["submitted_at"]))
    report = build_report(frame, sla_days=3)
    report.write(tmp_path / "out")
    assert len(report.tables["backlog"]) == 0
    assert (tmp_path / "out" / "backlog.csv").read_text(encoding="utf-8").startswith("id")
    assert len(pd.read_csv(tmp_path / "out" / "emerging.csv")) >= 1


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".parquet", ".xlsx", ".jsonl"])
def test_cli_report_reads_any_format(tmp_path: Path, spike_frame: pd.DataFrame, suffix: str) -> None:
    path = tmp_path / f"export{suffix}"
    write_table(_with_responses(spike_frame).convert_dtypes(dtype_backend="pyarrow"), path)
    assert main(["report", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    assert (tmp_path / "out" / "report.html").is_file()
