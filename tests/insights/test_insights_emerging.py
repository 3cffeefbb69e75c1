from __future__ import annotations

import pandas as pd
import pytest
from insights_samples import START, steady_weeks

from lapor_nlp.errors import InputError
from lapor_nlp.insights import detect_emerging, prepare_complaints, volume

FLOOD_WEEK = START.normalize() + pd.Timedelta(weeks=12)


def test_volume_weekly_counts_are_zero_filled(spike_frame: pd.DataFrame) -> None:
    data = prepare_complaints(spike_frame)
    counts = volume(data, "category", freq="W")
    assert counts.shape == (16, 3)
    assert counts.loc[FLOOD_WEEK, "Banjir"] == 12
    assert counts.loc[START.normalize(), "Banjir"] == 0
    assert (counts["PJU"] == 2).all()
    assert volume(data, freq="M")["complaints"].sum() == len(spike_frame)


def test_volume_unknown_column_or_frequency(spike_frame: pd.DataFrame) -> None:
    data = prepare_complaints(spike_frame)
    with pytest.raises(InputError, match="no such column"):
        volume(data, "province")
    with pytest.raises(InputError, match="frequency"):
        volume(data, "category", freq="D")


@pytest.mark.parametrize(
    ("by", "group"), [("category", "Banjir"), ("kecamatan", "Gubeng"), ("kelurahan", "Airlangga")]
)
def test_detect_emerging_finds_planted_spike(spike_frame: pd.DataFrame, by: str, group: str) -> None:
    alerts = detect_emerging(prepare_complaints(spike_frame), by)
    assert alerts[["group", "period", "complaints"]].values.tolist() == [[group, FLOOD_WEEK, 12]]
    alert = alerts.iloc[0]
    assert alert["baseline_median"] == 0.0
    assert alert["p_value"] < 1e-6
    assert alert["robust_z"] >= 3.5


def test_detect_emerging_examples_are_redacted(spike_frame: pd.DataFrame) -> None:
    alert = detect_emerging(prepare_complaints(spike_frame), "category", examples=2).iloc[0]
    assert len(alert["examples"]) == 2 and len(alert["example_ids"]) == 2
    assert all("[PHONE]" in t and "0812" not in t for t in alert["examples"])


def test_detect_emerging_steady_data_has_no_alert() -> None:
    frame = pd.DataFrame(steady_weeks(20))
    frame["submitted_at"] = frame["submitted_at"].astype(str)
    for by in ("category", "agency", "kecamatan"):
        assert detect_emerging(prepare_complaints(frame), by).empty


def test_detect_emerging_ignores_small_and_unlabelled_jumps(spike_frame: pd.DataFrame) -> None:
    data = prepare_complaints(spike_frame)
    assert detect_emerging(data, "category", min_count=13).empty
    unlabelled = spike_frame.assign(topic=spike_frame["topic"].replace("Banjir", ""))
    assert detect_emerging(prepare_complaints(unlabelled), "category").empty


def test_detect_emerging_needs_history(spike_frame: pd.DataFrame) -> None:
    # with 13 required baseline weeks the week-12 spike has too little history to be judged
    assert detect_emerging(prepare_complaints(spike_frame), "category", window=13, min_history=13).empty


def test_detect_emerging_monthly(spike_frame: pd.DataFrame) -> None:
    alerts = detect_emerging(prepare_complaints(spike_frame), "category", freq="M", min_history=2)
    assert alerts["group"].tolist() == ["Banjir"]
    assert alerts["period"].tolist() == [pd.Timestamp("2024-03-01")]


def test_detect_emerging_bad_parameters(spike_frame: pd.DataFrame) -> None:
    data = prepare_complaints(spike_frame)
    with pytest.raises(InputError):
        detect_emerging(data, window=3, min_history=4)
    with pytest.raises(InputError):
        detect_emerging(data, min_count=0)


def test_detect_emerging_lists_repeated_template_once(spike_frame: pd.DataFrame) -> None:
    same = spike_frame.assign(
        text=spike_frame["text"].where(spike_frame["topic"] != "Banjir", "Banjir lagi di sini")
    )
    alert = detect_emerging(prepare_complaints(same), "category", examples=3).iloc[0]
    assert alert["examples"] == ["Banjir lagi di sini"]
    assert len(alert["example_ids"]) == 1
