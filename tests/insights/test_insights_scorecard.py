"""Agency scorecards, follow-up list, summary and the report's languages (hand-written, fictional data)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from insights_samples import synthetic_export
from test_insights_review import DECISIONS

from lapor_nlp.cli import main
from lapor_nlp.insights import build_report, prepare_complaints, response_times
from lapor_nlp.insights.messages import CATALOGUE, Messages
from lapor_nlp.insights.scorecard import (
    SCORECARD_COLUMNS,
    agency_scorecard,
    follow_up,
    period_summary,
    reviewer_scorecard,
)
from lapor_nlp.insights.volume import partial_periods
from lapor_nlp.tables import write_table

SRC = Path(__file__).resolve().parents[2] / "src" / "lapor_nlp" / "insights"

#: Five complaints for agency A, three for B, one without an agency; as of 2024-01-20 12:00.
SMALL = pd.DataFrame(
    {
        "id": ["a1", "a2", "a3", "a4", "a5", "b1", "b2", "b3", "n1"],
        "submitted_at": [
            "2024-01-01 08:00",  # answered after 10 h
            "2024-01-02 08:00",  # answered after 30 h
            "2024-01-03 08:00",  # answered after 8 days: late
            "2024-01-10 12:00",  # open, 10 days old at as_of: late
            "2024-01-19 12:00",  # open, 1 day old: not yet late
            "2024-01-05 08:00",  # answered after 2 h
            "2024-01-06 08:00",  # responded_at unreadable: completed, time unknown
            "2024-01-15 12:00",  # open, 5 days old
            "2024-01-07 08:00",  # no agency, open
        ],
        "responded_at": [
            "2024-01-01 18:00",
            "2024-01-03 14:00",
            "2024-01-11 08:00",
            "",
            "",
            "2024-01-05 10:00",
            "kemarin",
            "",
            "",
        ],
        "agency": ["A", "A", "A", "A", "A", "B", "B", "B", ""],
        "topic": ["PJU"] * 5 + ["Sampah"] * 4,
        "text": ["lampu mati, hubungi 0812-3456-7890"] * 9,
    }
)
AS_OF = pd.Timestamp("2024-01-20 12:00")


def test_scorecard_matches_hand_counts() -> None:
    card = agency_scorecard(prepare_complaints(SMALL), sla_days=5, as_of=AS_OF)
    assert tuple(card.columns) == SCORECARD_COLUMNS
    assert card["agency"].tolist() == ["A", "B"]  # busiest first; the complaint without agency left out
    a, b = card.set_index("agency").loc["A"], card.set_index("agency").loc["B"]
    assert (a["complaints"], a["completed"], a["open"]) == (5, 3, 2)
    assert a["completed_share"] == pytest.approx(0.6)
    assert a["median_response_hours"] == pytest.approx(30.0)  # 10, 30 and 192 hours
    assert a["over_sla_share"] == pytest.approx(0.5)  # late: a3, a4 of known: a1, a2, a3, a4
    assert a["oldest_open_days"] == pytest.approx(10.0)
    assert (b["complaints"], b["completed"], b["open"]) == (3, 2, 1)  # an unreadable answer still counts
    assert b["completed_share"] == pytest.approx(2 / 3)
    assert b["median_response_hours"] == pytest.approx(2.0)
    assert b["oldest_open_days"] == pytest.approx(5.0)
    times = response_times(prepare_complaints(SMALL), "agency", sla=5, as_of=AS_OF).set_index("agency")
    assert card.set_index("agency")["over_sla_share"].to_dict() == pytest.approx(
        times["over_sla_share"].drop(["(all)", "(none)"]).to_dict(), abs=1e-4
    )


def test_scorecard_counts_overrides_and_returns_per_final_agency() -> None:
    data = prepare_complaints(SMALL.assign(agency=["X"] * 5 + ["Y"] * 4))
    decisions = DECISIONS.assign(outcome=["", "", "accepted", "returned", "overridden", "", "accepted"])
    card = agency_scorecard(data, sla_days=5, as_of=AS_OF, decisions=decisions).set_index("agency")
    assert tuple(card.columns[:7]) == SCORECARD_COLUMNS[1:]
    # X: suggestions 1, 2 (undecided: suggested X), 3 (accepted X); Y: 4 (X -> Y), 5, 6, 7
    assert card.loc["X", ["decided", "overridden", "returned"]].tolist() == [1, 0, 0]
    assert card.loc["Y", ["decided", "overridden", "returned"]].tolist() == [3, 2, 1]
    assert card.loc["Y", "override_share"] == pytest.approx(0.6667, abs=1e-4)
    without = agency_scorecard(data, decisions=DECISIONS)
    assert "returned" not in without.columns and "overridden" in without.columns


def test_reviewer_scorecard() -> None:
    rev = reviewer_scorecard(DECISIONS).set_index("reviewer")
    assert rev.loc["ani", ["decisions", "median_decide_hours", "override_share"]].tolist() == [2, 3.0, 0.5]
    assert rev.loc["budi", "median_decide_hours"] == pytest.approx(24.0)


def test_follow_up_is_oldest_first_per_agency_and_redacted() -> None:
    table = follow_up(prepare_complaints(SMALL), as_of=AS_OF)
    assert table["id"].tolist() == ["n1", "a4", "a5", "b3"]  # the agency with the oldest open first
    assert table.loc[1, "age_days"] == pytest.approx(10.0)
    assert table["text"].str.contains(r"\[PHONE\]").all() and not table["text"].str.contains("0812").any()


def test_period_summary_compares_with_the_previous_period() -> None:
    data = prepare_complaints(SMALL)
    period = period_summary(data, days=7, as_of=AS_OF)
    # up to the last submission (19 Jan): 13-19 Jan: b3, a5; 6-12 Jan: b2, n1, a4
    assert (period.start, period.end) == (pd.Timestamp("2024-01-13"), pd.Timestamp("2024-01-19"))
    assert (period.count, period.previous) == (2, 3)
    assert period.change == pytest.approx(-1 / 3)
    assert period_summary(data, days=28, as_of=AS_OF).change is None  # no data 28 days before


def test_partial_periods() -> None:
    data = prepare_complaints(synthetic_export(200))  # Wednesday 4 Jan 2023 .. Tuesday 6 Jun 2023
    assert partial_periods(data, "W") == [pd.Timestamp("2023-01-02"), pd.Timestamp("2023-06-05")]
    assert partial_periods(data, "M") == [pd.Timestamp("2023-01-01"), pd.Timestamp("2023-06-01")]
    whole = prepare_complaints(pd.DataFrame({"submitted_at": ["2024-01-01 08:00", "2024-01-14 20:00"]}))
    assert partial_periods(whole, "W") == []


def test_messages_format_numbers_and_dates_per_language() -> None:
    msg, en = Messages("id"), Messages("en")
    assert msg.percent(0.153) == "15,3%" and en.percent(0.153) == "15.3%"
    assert msg.date(pd.Timestamp("2023-02-15")) == "15 Feb 2023" and msg.date(pd.Timestamp("2023-08-01")) == (
        "1 Agu 2023"
    )
    assert msg.duration(5.25) == "5,2 jam" and msg.duration(84) == "3,5 hari"
    assert en.duration(84) == "3.5 days" and msg.integer(12345) == "12.345"


def test_catalogue_files_have_the_same_keys_and_every_key_used_exists() -> None:
    files = {p.stem: json.loads(p.read_text("utf-8")) for p in (SRC / "i18n").glob("*.json")}
    assert set(files) == {"id", "en"} and set(files["id"]) == set(files["en"])
    assert files == CATALOGUE
    assert all(v.strip() for lang in files.values() for v in lang.values())
    used = set()
    for path in SRC.glob("*.py"):
        used |= set(re.findall(r'msg\(\s*"([a-z_0-9]+\.[a-z_.0-9]+)"', path.read_text("utf-8")))
    assert len(used) > 40
    assert used <= set(files["id"]), used - set(files["id"])


def _headings(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<(?:h[1-3]|th)[^>]*>(.*?)</(?:h[1-3]|th)>", page)]


@pytest.mark.slow
def test_cli_report_on_an_excel_export_is_indonesian_with_scorecards(tmp_path: Path) -> None:
    frame = synthetic_export(800)
    export = tmp_path / "export.xlsx"
    write_table(frame, export)
    out = tmp_path / "out"
    assert main(["report", str(export), "--out", str(out), "--quiet"]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="id">' in page
    english = {v for k, v in CATALOGUE["en"].items() if k.startswith(("section.", "col.", "heading."))}
    english -= set(CATALOGUE["id"].values())  # the same in both languages (Kecamatan, ...)
    headings = _headings(page)
    assert "Rapor instansi" in headings and "Ringkasan" in headings
    assert not set(headings) & english
    assert re.search(r"\d+,\d%", page)  # Indonesian percentages
    assert "Selesai ditanggapi" in page and "0812-1111" not in page
    card = pd.read_csv(out / "scorecard.csv")
    assert tuple(card.columns[: len(SCORECARD_COLUMNS)]) == SCORECARD_COLUMNS
    assert sorted(card["agency"]) == sorted(frame["agency"].unique())
    expected = frame.groupby("agency")["responded_at"].apply(lambda s: s.notna().mean())
    got = card.set_index("agency")["completed_share"]
    assert got.to_dict() == pytest.approx(expected.to_dict())
    assert card["complaints"].sum() == len(frame)
    todo = pd.read_csv(out / "follow_up.csv")
    assert len(todo) == frame["responded_at"].isna().sum()
    for _, part in todo.groupby("agency"):
        assert pd.to_datetime(part["submitted_at"]).is_monotonic_increasing


@pytest.mark.slow
def test_report_in_english_on_request(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    synthetic_export(300).to_csv(export, index=False)
    decisions = tmp_path / "decisions.csv"
    DECISIONS.to_csv(decisions, index=False)
    out = tmp_path / "en"
    args = ["report", str(export), "--out", str(out), "--decisions", str(decisions), "--quiet"]
    assert main([*args, "--language", "en"]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Agency scorecards" in _headings(page)
    assert "Per reviewer" in _headings(page) and "Routed automatically: 28.6% of 7 suggestions." in page
    assert (out / "scorecard_reviewers.csv").is_file()
    assert main([*args, "--alert-language", "en"]) == 0  # the former name still works
    assert '<html lang="en">' in (out / "report.html").read_text(encoding="utf-8")


def test_report_without_agency_or_responses_says_so() -> None:
    frame = pd.DataFrame({"submitted_at": ["2024-02-01 09:00", "2024-02-02 09:00"], "topic": ["PJU", "PJU"]})
    report = build_report(frame)
    assert "scorecard" not in report.tables and "follow_up" not in report.tables
    page = report.to_html()
    assert "rapor instansi tidak tersedia" in page
    assert "penyelesaian dan waktu tanggapan tidak tersedia" in page


@pytest.mark.slow
def test_scorecard_on_surabaya_export(tmp_path: Path, surabaya_csv: Path) -> None:
    raw = pd.read_csv(surabaya_csv, dtype=str)
    report = build_report(raw, sla_days=5)
    card = report.tables["scorecard"].set_index("agency")
    raw = raw[raw["agency"].fillna("").str.strip() != ""]
    expected = raw.groupby(raw["agency"].str.strip())["responded_at"].apply(
        lambda s: s.fillna("").str.strip().ne("").mean()
    )
    assert card["completed_share"].to_dict() == pytest.approx(expected.to_dict())
    assert (card["open"] == card["complaints"] - card["completed"]).all()


def test_every_data_quality_note_is_translated() -> None:
    from lapor_nlp.insights.review import review_quality

    frame = pd.DataFrame(
        {"submitted_at": ["2024-01-01", "rusak", ""], "responded_at": ["2023-12-01", "x", ""]}
    )
    rq = review_quality(DECISIONS.drop(columns=["reviewer", "suggested_category"]).assign(routing="maybe"))
    english = [*prepare_complaints(frame).notes, *rq.notes, *review_quality(DECISIONS).notes]
    english.append(str(prepare_complaints(pd.DataFrame({"submitted_at": ["2024-01-01"]})).notes[-1]))
    msg = Messages("id")
    assert len(english) >= 8
    for note in english:
        assert msg.note(note) != note, note
        assert Messages("en").note(note) == note


@pytest.mark.slow
def test_summary_lists_the_emerging_issues_of_its_period(spike_frame: pd.DataFrame) -> None:
    def summary(days: int) -> str:
        page = build_report(spike_frame, summary_days=days).to_html()
        return page[page.index('id="s0"') : page.index('id="s1"')]

    recent = summary(28)  # the flood week (25 Mar 2024) is in the last 28 days
    assert "dalam periode ini:" in recent and "Banjir" in recent and "tidak ada dalam" not in recent
    older = summary(7)  # not in the last 7 days: the strongest of the export, said so
    assert "tidak ada dalam periode ini" in older and "Banjir" in older
    with pytest.raises(ValueError, match="summary_days"):
        build_report(spike_frame, summary_days=0)
