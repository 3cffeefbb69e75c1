from __future__ import annotations

import pandas as pd
import pytest

from lapor_nlp.errors import DataFormatError
from lapor_nlp.insights import review_quality

COLUMNS = [
    "suggestion_id",
    "routing",
    "suggested_category",
    "suggested_agency",
    "final_category",
    "final_agency",
    "reviewer",
    "received_at",
    "decided_at",
]
DECISIONS = pd.DataFrame(
    [
        ["1", "auto", "P", "X", "", "", "", "2024-01-01 08:00", ""],
        ["2", "auto", "P", "X", "", "", "", "2024-01-01 08:00", ""],
        ["3", "review", "P", "X", "P", "X", "ani", "2024-01-01 08:00", "2024-01-01 10:00"],  # accepted, 2 h
        [
            "4",
            "review",
            "P",
            "X",
            "P",
            "Y",
            "ani",
            "2024-01-01 08:00",
            "2024-01-01 12:00",
        ],  # agency changed, 4 h
        [
            "5",
            "review",
            "Q",
            "Y",
            "R",
            "Y",
            "budi",
            "2024-01-01 08:00",
            "2024-01-02 08:00",
        ],  # category changed, 24 h
        ["6", "review", "Q", "Y", "", "", "", "2024-01-01 08:00", ""],  # awaiting review
        ["7", "review", "Q", "Y", "Q", "Y", "budi", "2024-01-01 08:00", "besok"],  # accepted, bad date
    ],
    columns=COLUMNS,
)


def test_review_quality_summary_matches_hand_counts() -> None:
    rq = review_quality(DECISIONS)
    s = rq.summary.iloc[0]
    assert (s["suggestions"], s["auto"], s["review"], s["decided"], s["awaiting_review"]) == (7, 2, 5, 4, 1)
    assert s["auto_share"] == pytest.approx(0.2857)
    assert s["overridden"] == 2 and s["override_rate"] == pytest.approx(0.5)
    assert s["agency_override_rate"] == pytest.approx(0.25)
    assert s["category_override_rate"] == pytest.approx(0.25)
    assert rq.unparseable_dates["decided_at"] == 1
    assert any("unparseable decided_at" in n for n in rq.notes)


def test_review_quality_override_rate_per_suggested_label() -> None:
    rq = review_quality(DECISIONS)
    assert rq.by_agency is not None and rq.by_category is not None
    agency = rq.by_agency.set_index("suggested_agency")
    assert agency.loc["X", ["suggestions", "decided", "overridden"]].tolist() == [4, 2, 1]
    assert agency.loc["X", "override_rate"] == 0.5 and agency.loc["X", "auto_share"] == 0.5
    assert agency.loc["Y", "override_rate"] == 0.0
    category = rq.by_category.set_index("suggested_category")
    assert category.loc["P", "override_rate"] == 0.0
    assert category.loc["Q", "override_rate"] == 0.5


def test_review_quality_per_reviewer_times() -> None:
    rq = review_quality(DECISIONS)
    assert rq.by_reviewer is not None
    rev = rq.by_reviewer.set_index("reviewer")
    assert rev.loc["ani", ["decisions", "overridden", "timed"]].tolist() == [2, 1, 2]
    assert rev.loc["ani", "median_hours"] == pytest.approx(3.0)
    assert rev.loc["ani", "p90_hours"] == pytest.approx(3.8)
    assert rev.loc["budi", "timed"] == 1 and rev.loc["budi", "median_hours"] == pytest.approx(24.0)


def test_review_quality_derives_routing_and_degrades_without_optional_columns() -> None:
    frame = pd.DataFrame(
        {
            "agency_decision": ["auto", "review", "review"],
            "category_decision": ["auto", "auto", "review"],
            "suggested_agency": ["X", "X", "Y"],
            "final_agency": ["", "Z", "Y"],
        }
    )
    rq = review_quality(frame)
    s = rq.summary.iloc[0]
    assert (s["auto"], s["review"], s["decided"], s["overridden"]) == (1, 2, 2, 1)
    assert rq.by_category is None and rq.by_reviewer is None
    notes = " ".join(rq.notes)
    assert "suggested_category" in notes and "reviewer" in notes


def test_review_quality_requires_routing() -> None:
    with pytest.raises(DataFormatError, match="routing"):
        review_quality(pd.DataFrame({"suggested_agency": ["X"]}))


def test_review_quality_ignores_unknown_routing_values() -> None:
    frame = DECISIONS.assign(routing=["auto", "maybe", *DECISIONS["routing"][2:]])
    rq = review_quality(frame)
    assert rq.summary.iloc[0]["suggestions"] == 6
    assert any("routing other than" in n for n in rq.notes)
