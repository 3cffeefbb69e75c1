from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lapor_nlp.errors import InputError
from lapor_nlp.insights import backlog, prepare_complaints, response_times

AS_OF = pd.Timestamp("2024-01-20 00:00")
DAY0 = pd.Timestamp("2024-01-01 00:00")


def _frame() -> pd.DataFrame:
    rows = []
    for i, days in enumerate([1, 2, 3, 4, 10]):  # agency A answered after 1, 2, 3, 4 and 10 days
        rows.append(("A", DAY0, str(DAY0 + pd.Timedelta(days=days)), f"a{i}"))
    rows.append(("A", pd.Timestamp("2024-01-12"), "", "a-open-old"))  # 8 days old at AS_OF: late
    rows.append(("A", pd.Timestamp("2024-01-18"), "", "a-open-new"))  # 2 days old: may still be in time
    rows.append(("B", DAY0, str(DAY0 + pd.Timedelta(hours=12)), "b0"))  # 0.5 days
    rows.append(("B", DAY0, str(DAY0 + pd.Timedelta(days=6)), "b1"))  # 6 days: late
    rows.append(("B", DAY0, "pas lebaran", "b-unknown"))  # unparseable response date
    return pd.DataFrame(
        [
            {"agency": a, "submitted_at": str(s), "responded_at": r, "id": i, "text": f"keluhan {i}"}
            for a, s, r, i in rows
        ]
    )


def test_response_times_match_hand_computed_figures() -> None:
    table = response_times(prepare_complaints(_frame()), "agency", sla=5, as_of=AS_OF).set_index("agency")
    a, b, total = table.loc["A"], table.loc["B"], table.loc["(all)"]
    assert (a["complaints"], a["responded"], a["unresolved"], a["unknown"]) == (7, 5, 2, 0)
    assert a["median_days"] == pytest.approx(3.0)
    assert a["p90_days"] == pytest.approx(7.6)  # 4 + 0.6 * (10 - 4)
    assert a["over_sla"] == 2  # the 10-day answer and the 8-day-old open complaint
    assert a["over_sla_share"] == pytest.approx(round(2 / 6, 4))  # 5 answered + 1 open past the target
    assert (b["complaints"], b["responded"], b["unresolved"], b["unknown"]) == (3, 2, 0, 1)
    assert b["median_days"] == pytest.approx(3.25)
    assert b["p90_days"] == pytest.approx(5.45)  # 0.5 + 0.9 * 5.5
    assert b["over_sla_share"] == pytest.approx(0.5)
    assert total["complaints"] == 10
    assert total["median_days"] == pytest.approx(3.0)  # of [0.5, 1, 2, 3, 4, 6, 10]
    assert total["p90_days"] == pytest.approx(7.6)  # 6 + 0.4 * (10 - 6)
    assert total["over_sla_share"] == pytest.approx(0.375)  # 3 late of 8 known
    assert list(table.index) == ["(all)", "A", "B"]


def test_response_times_sla_as_timedelta_and_default_as_of() -> None:
    data = prepare_complaints(_frame())
    by_days = response_times(data, None, sla=pd.Timedelta(hours=36), as_of=AS_OF)
    assert by_days.loc[0, "over_sla"] == 7  # answers after 2, 3, 4, 10, 6 days + both open ones (8 d, 2 d)
    # default as_of = latest date in the data (2024-01-18): the 2024-01-12 complaint is 6 days old
    assert response_times(data, None, sla=5).loc[0, "over_sla"] == 3


def test_response_times_bad_input() -> None:
    data = prepare_complaints(_frame())
    with pytest.raises(InputError, match="positive"):
        response_times(data, sla=0)
    with pytest.raises(InputError, match="no such column"):
        response_times(data, "kelurahan")
    no_response = prepare_complaints(pd.DataFrame({"submitted_at": ["2024-01-01"]}))
    with pytest.raises(InputError, match="responded_at"):
        response_times(no_response)


def test_response_times_group_without_answers_is_nan() -> None:
    frame = pd.DataFrame(
        {
            "agency": ["A", "B"],
            "submitted_at": ["2024-01-01", "2024-01-01"],
            "responded_at": ["2024-01-02", ""],
        }
    )
    table = response_times(prepare_complaints(frame), sla=5, as_of=pd.Timestamp("2024-01-03")).set_index(
        "agency"
    )
    assert np.isnan(table.loc["B", "median_days"]) and np.isnan(table.loc["B", "over_sla_share"])


def test_backlog_is_oldest_first_and_skips_unknown() -> None:
    open_ = backlog(prepare_complaints(_frame()), as_of=AS_OF)
    assert open_["id"].tolist() == ["a-open-old", "a-open-new"]
    assert open_["age_days"].tolist() == [8.0, 2.0]
    assert open_["text"].tolist() == ["keluhan a-open-old", "keluhan a-open-new"]
