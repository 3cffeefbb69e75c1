from __future__ import annotations

import pandas as pd
import pytest
from insights_samples import START, steady_weeks

from lapor_nlp.errors import InputError
from lapor_nlp.insights import detect_emerging, prepare_complaints, volume
from lapor_nlp.insights.emerging import get_thresholds
from lapor_nlp.insights.messages import CATALOGUE, MONTHS, alert_sentence

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


def test_detect_emerging_kelurahan_needs_more_evidence(spike_frame: pd.DataFrame) -> None:
    # 9 flood complaints in one week: enough for a category alert, not for a kelurahan one
    smaller = spike_frame.drop(spike_frame.index[spike_frame["topic"].eq("Banjir")][:3])
    data = prepare_complaints(smaller)
    assert detect_emerging(data, "category")["complaints"].tolist() == [9]
    assert detect_emerging(data, "kelurahan").empty
    assert get_thresholds("kelurahan").min_count > get_thresholds("category").min_count
    assert get_thresholds("kelurahan").alpha < get_thresholds("kecamatan").alpha


def test_detect_emerging_keeps_strongest_per_period(spike_frame: pd.DataFrame) -> None:
    # a second, smaller outbreak in the same week in another kelurahan
    extra = (
        spike_frame[spike_frame["topic"].eq("Banjir")]
        .iloc[1:11]
        .assign(kelurahan="Mojo", id=[f"X{i}" for i in range(10)])
    )
    data = prepare_complaints(pd.concat([spike_frame, extra], ignore_index=True))
    both = detect_emerging(data, "kecamatan", min_count=5, z_threshold=3.5, max_per_period=None)
    assert len(both) == 1  # both in Gubeng
    every = detect_emerging(data, "kelurahan", max_per_period=None)
    assert every["group"].tolist() == ["Airlangga", "Mojo"]
    assert detect_emerging(data, "kelurahan", max_per_period=1)["group"].tolist() == ["Airlangga"]
    with pytest.raises(InputError, match="max_per_period"):
        detect_emerging(data, "kelurahan", max_per_period=0)


def test_detect_emerging_names_the_focus(spike_frame: pd.DataFrame) -> None:
    data = prepare_complaints(spike_frame)
    assert detect_emerging(data, "category").loc[0, "focus"] == "Gubeng"
    assert detect_emerging(data, "kelurahan").loc[0, "focus"] == "Banjir"


@pytest.mark.parametrize(
    ("by", "language", "sentence"),
    [
        ("category", "id", "Banjir di Kecamatan Gubeng: 12 laporan pada minggu 25 Mar 2024, biasanya 0"),
        ("kecamatan", "id", "Banjir di Kecamatan Gubeng: 12 laporan pada minggu 25 Mar 2024, biasanya 0"),
        ("kelurahan", "id", "Banjir di Kelurahan Airlangga: 12 laporan pada minggu 25 Mar 2024, biasanya 0"),
        ("category", "en", "Banjir in Kecamatan Gubeng: 12 complaints in the week of 25 Mar 2024, usually 0"),
    ],
)
def test_alert_sentence(spike_frame: pd.DataFrame, by: str, language: str, sentence: str) -> None:
    alert = detect_emerging(prepare_complaints(spike_frame), by).iloc[0].to_dict()
    assert alert_sentence(alert, language) == sentence


def test_alert_sentence_without_focus_and_monthly() -> None:
    alert = {
        "dimension": "kecamatan",
        "group": "Rungkut",
        "period": pd.Timestamp("2023-05-01"),
        "complaints": 14,
        "baseline_median": 2.5,
        "focus": "",
    }
    indonesian = "Kecamatan Rungkut: 14 laporan pada bulan Mei 2023, biasanya 2,5"
    assert alert_sentence(alert, "id", freq="M") == indonesian
    assert (
        alert_sentence(alert, "en", freq="M") == "Kecamatan Rungkut: 14 complaints in May 2023, usually 2.5"
    )
    with pytest.raises(InputError, match="language"):
        alert_sentence(alert, "jv")


def test_alert_catalogues_have_the_same_keys() -> None:
    assert set(CATALOGUE) == {"id", "en"}
    assert set(CATALOGUE["id"]) == set(CATALOGUE["en"])
    assert MONTHS["id"][4] == "Mei" and MONTHS["id"][7] == "Agu" and MONTHS["en"][7] == "Aug"
