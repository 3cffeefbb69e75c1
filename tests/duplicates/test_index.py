"""DuplicateIndex behaviour on hand-written complaints: decisions, consistency, time filter, bad input."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from lapor_nlp.duplicates import DuplicateIndex, Match
from lapor_nlp.errors import EmptyComplaintError, IndexStateError, InputError

KUTISARI = {"kecamatan": "Tenggilis Mejoyo", "kelurahan": "Kutisari"}
JAGIR = {"kecamatan": "Wonokromo", "kelurahan": "Jagir"}
T0 = datetime(2023, 1, 10, 8, 0)

# Background corpus: many complaints share boilerplate, as on the real portal.
BACKGROUND = [
    ("b1", "Lampu PJU mati di jalan Rungkut Asri gang 2, mohon segera diperbaiki terima kasih", JAGIR),
    ("b2", "Jalan berlubang di depan pasar Wonokromo, mohon segera diperbaiki terima kasih", JAGIR),
    ("b3", "Sampah menumpuk di sungai Jagir dekat jembatan, mohon segera diangkut terima kasih", JAGIR),
    ("b4", "Saluran air tersumbat di perumahan Rungkut Mapan blok C, banjir tiap hujan", JAGIR),
    ("b5", "Pohon tumbang menutup jalan Ngagel Jaya Selatan, mohon segera dipotong", JAGIR),
    ("b6", "Mohon bantuan pendaftaran MBR untuk keluarga kami yang tidak punya penghasilan", JAGIR),
    ("b7", "Parkir liar di depan minimarket jalan Jagir Wonokromo mengganggu lalu lintas", JAGIR),
    ("b8", "Lampu PJU mati di jalan Kutisari Selatan, gelap rawan kejahatan", KUTISARI),
]
BASE = "Lampu PJU mati di jalan Kutisari Indah Utara gang {g}, sudah seminggu gelap, mohon segera diperbaiki"

# (earlier text, earlier location, later text, later location, expected is_duplicate)
DECISIONS = [
    (BASE.format(g=3), KUTISARI, BASE.format(g=5), KUTISARI, False),  # same template, another gang
    (BASE.format(g=3), KUTISARI, BASE.format(g=3), KUTISARI, True),  # exact re-submission
    (
        BASE.format(g=3),
        KUTISARI,
        "lampu pju kutisari indah utara gang 3 masih mati sudah seminggu gelap tolong segera diperbaiki",
        KUTISARI,
        True,
    ),  # re-worded follow-up
    (
        "Saluran got di RT 4 RW 2 Kutisari buntu, air meluap ke rumah warga setiap hujan deras",
        KUTISARI,
        "Saluran got di RT 7 RW 2 Kutisari buntu, air meluap ke rumah warga setiap hujan deras",
        KUTISARI,
        False,
    ),  # another RT
    (
        "Jalan berlubang, mohon diperbaiki",
        KUTISARI,
        "jalan berlubang mohon diperbaiki",
        JAGIR,
        False,
    ),  # elsewhere
]


def _index(*extra: tuple[str, str, dict[str, str]]) -> DuplicateIndex:
    idx = DuplicateIndex()
    rows = [*BACKGROUND, *extra]
    idx.add_many(
        {"id": i, "text": t, "location": loc, "submitted_at": T0 + timedelta(hours=n)}
        for n, (i, t, loc) in enumerate(rows)
    )
    return idx


@pytest.mark.parametrize(("earlier", "eloc", "later", "lloc", "expected"), DECISIONS)
def test_query_decisions_table(earlier: str, eloc: dict, later: str, lloc: dict, expected: bool) -> None:
    idx = _index(("target", earlier, eloc))
    matches = idx.query(later, k=3, submitted_at=T0 + timedelta(days=2), location=lloc)
    target = next(m for m in matches if m.id == "target")
    assert target.is_duplicate is expected, target
    if expected:
        assert matches[0].id == "target"


def test_match_scores_in_unit_interval_sorted_with_evidence() -> None:
    idx = _index(("target", BASE.format(g=3), KUTISARI))
    matches = idx.query(BASE.format(g=3), k=5, submitted_at=T0 + timedelta(days=3), location=KUTISARI)
    assert all(isinstance(m, Match) and 0.0 <= m.score <= 1.0 for m in matches)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    best = matches[0]
    assert best.evidence.same_kelurahan is True
    assert "gang 3" in best.evidence.shared_places
    assert best.evidence.days_apart == pytest.approx(3 - 8 / 24, abs=0.01)
    assert best.evidence.shared_phrases and "kutisari indah utara gang 3" in best.evidence.shared_phrases[0]
    other = idx.query(BASE.format(g=5), k=5, location=KUTISARI)
    conflict = next(m for m in other if m.id == "target")
    assert any(c.startswith("gang: 5 / 3") for c in conflict.evidence.conflicting_places)
    assert "different place" in conflict.evidence.summary()


def test_boilerplate_counts_less_than_specific_words() -> None:
    idx = _index()
    shared_template = idx.query("mohon segera diperbaiki terima kasih", k=1)[0].evidence.text_similarity
    specific = idx.query("sungai jagir jembatan sampah menumpuk", k=1)[0].evidence.text_similarity
    assert specific > shared_template


def test_time_filter_only_earlier_candidates_and_gap_window() -> None:
    idx = DuplicateIndex()
    idx.add("old", BASE.format(g=3), submitted_at=T0 - timedelta(days=500), location=KUTISARI)
    idx.add("new", BASE.format(g=3), submitted_at=T0 + timedelta(days=1), location=KUTISARI)
    idx.add("undated", BASE.format(g=3), location=KUTISARI)
    ids = {m.id for m in idx.query(BASE.format(g=3), submitted_at=T0, location=KUTISARI)}
    assert ids == {"old", "undated"}  # later complaint excluded, long gaps are not cut by default
    assert {m.id for m in idx.query(BASE.format(g=3))} == {"old", "new", "undated"}
    windowed = DuplicateIndex(max_gap_days=365)
    windowed.add("old", BASE.format(g=3), submitted_at=T0 - timedelta(days=500))
    assert windowed.query(BASE.format(g=3), submitted_at=T0) == []


def test_long_gap_lowers_score_but_keeps_candidate() -> None:
    idx = DuplicateIndex()
    idx.add("recent", BASE.format(g=3), submitted_at=T0 - timedelta(days=2), location=KUTISARI)
    idx.add("year_ago", BASE.format(g=3), submitted_at=T0 - timedelta(days=400), location=KUTISARI)
    scores = {m.id: m.score for m in idx.query(BASE.format(g=3), submitted_at=T0, location=KUTISARI)}
    assert scores["recent"] > scores["year_ago"] > 0


def test_consistency_random_add_remove_query() -> None:
    rng = random.Random(7)
    idx = DuplicateIndex()
    live: dict[str, str] = {}
    words = [
        "lampu",
        "jalan",
        "gang",
        "saluran",
        "sampah",
        "pohon",
        "rusak",
        "mati",
        "banjir",
        "kutisari",
        "jagir",
        "rungkut",
        "ngagel",
    ]
    for step in range(300):
        if live and rng.random() < 0.3:
            victim = rng.choice(sorted(live))
            idx.remove(victim)
            del live[victim]
        else:
            cid = f"c{step}"
            text = " ".join(rng.choices(words, k=rng.randint(2, 9))) + f" nomor {step}"
            idx.add(cid, text)
            live[cid] = text
        assert len(idx) == len(live)
    assert set(idx.ids) == set(live)
    for cid, text in rng.sample(sorted(live.items()), 20):
        found = idx.query(text, k=len(live))
        assert {m.id for m in found} <= set(live)
        assert found[0].evidence.text_similarity == pytest.approx(1.0)
        assert cid in [m.id for m in found if m.evidence.text_similarity == pytest.approx(1.0)]
        assert cid not in [m.id for m in idx.query(text, exclude=[cid])]


def test_remove_then_readd_same_id() -> None:
    idx = _index(("target", BASE.format(g=3), KUTISARI))
    idx.remove("target")
    assert "target" not in idx and all(m.id != "target" for m in idx.query(BASE.format(g=3)))
    idx.add("target", "pohon tumbang di titik A")
    assert idx.query("pohon tumbang titik A", k=1)[0].id == "target"


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda idx: idx.add("x", "   "), EmptyComplaintError),
        (lambda idx: idx.add("x", "!!! ..."), EmptyComplaintError),
        (lambda idx: idx.add("b1", "teks baru"), IndexStateError),
        (lambda idx: idx.add_many([("n1", "teks satu"), ("n1", "teks dua")]), IndexStateError),
        (lambda idx: idx.remove("nope"), IndexStateError),
        (lambda idx: idx.add("tz", "teks", submitted_at=datetime(2023, 1, 1, tzinfo=UTC)), IndexStateError),
        (lambda idx: idx.query("teks", submitted_at=datetime(2023, 1, 1, tzinfo=UTC)), IndexStateError),
        (lambda idx: idx.add("d", "teks", submitted_at="kemarin"), InputError),
        (lambda idx: idx.add("d", "teks", location="Kutisari"), InputError),
        (lambda idx: idx.query(""), EmptyComplaintError),
        (lambda idx: idx.query("teks", k=0), InputError),
        (lambda idx: idx.add_many("satu teks"), InputError),
        (lambda idx: idx.add(None, "teks"), InputError),
    ],
)
def test_bad_input_raises_and_leaves_index_unchanged(call, error) -> None:  # type: ignore[no-untyped-def]
    idx = _index()
    before = (len(idx), idx.ids, [m.id for m in idx.query("lampu pju mati", k=5)])
    with pytest.raises(error):
        call(idx)
    assert (len(idx), idx.ids, [m.id for m in idx.query("lampu pju mati", k=5)]) == before


def test_add_many_is_all_or_nothing() -> None:
    idx = _index()
    with pytest.raises(EmptyComplaintError):
        idx.add_many([("ok1", "lampu mati gang 9"), ("bad", ""), ("ok2", "jalan rusak")])
    assert "ok1" not in idx and len(idx) == len(BACKGROUND)


def test_features_rows_follow_ids() -> None:
    idx = _index(("target", BASE.format(g=3), KUTISARI))
    X = idx.features(BASE.format(g=3), ["target", "b2"], location=KUTISARI)
    assert X.shape == (2, len(idx.scorer.coef)) and np.all(np.isfinite(X))
    assert X[0, 0] == pytest.approx(1.0) and X[1, 0] < 0.5


def test_threshold_parameter_sets_is_duplicate() -> None:
    strict, lenient = DuplicateIndex(threshold=0.999), DuplicateIndex(threshold=0.0)
    for idx in (strict, lenient):
        idx.add("a", BASE.format(g=3), location=KUTISARI)
    assert strict.query(BASE.format(g=3), location=KUTISARI)[0].is_duplicate is False
    assert lenient.query(BASE.format(g=3), location=KUTISARI)[0].is_duplicate is True
    assert DuplicateIndex().threshold == pytest.approx(DuplicateIndex().scorer.threshold)
    with pytest.raises(InputError):
        DuplicateIndex(threshold=1.5)
    with pytest.raises(InputError):
        DuplicateIndex(max_gap_days=0)


def test_add_many_accepts_dataframe_and_tuples() -> None:
    import pandas as pd

    idx = DuplicateIndex()
    frame = pd.DataFrame(
        {"id": [1, 2], "text": ["jalan rusak gang 4", "pohon tumbang titik B"], "kelurahan": ["Jagir", None]}
    )
    assert idx.add_many(frame) == 2
    assert idx.add_many([("3", "lampu mati rt 2", "2023-01-01 10:00", JAGIR)]) == 1
    assert set(idx.ids) == {"1", "2", "3"} and 1 in idx and "3" in idx
    assert idx.query("jalan rusak gang 4", k=1, location={"kelurahan": "Jagir"})[0].evidence.same_kelurahan


def test_submitted_at_text_is_read_day_first() -> None:
    from lapor_nlp.duplicates._timestamps import to_seconds

    iso, aware = to_seconds("2022-02-05 08:15")
    assert to_seconds("05/02/2022 08:15") == (iso, aware) and aware is False  # 5 February, never May 2
    assert to_seconds("44597.34375")[0] == iso  # Excel serial of the same minute
    with pytest.raises(InputError, match="day-first"):
        to_seconds("02/13/2022 08:15")


def test_add_after_query_reuses_the_analysis_and_builds_the_same_index(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The service queries a complaint, then adds it: the text is analysed once, and the index ends up
    exactly as one built by add alone (same storage, same answers)."""
    import lapor_nlp.duplicates.index as index_module

    texts = [(rid, text, loc) for rid, text, loc in BACKGROUND] + [
        (f"g{g}", BASE.format(g=g), KUTISARI) for g in range(1, 6)
    ]
    plain = DuplicateIndex()
    for rid, text, loc in texts:
        plain.add(rid, text, location=loc)

    calls: list[str] = []
    real_analyze = index_module.analyze

    def counting(text: str):  # type: ignore[no-untyped-def]
        calls.append(text)
        return real_analyze(text)

    monkeypatch.setattr(index_module, "analyze", counting)
    served = DuplicateIndex()
    answers = []
    for rid, text, loc in texts:
        if len(served):
            answers.append(served.query(text, k=3, location=loc))
        served.add(rid, text, location=loc)
    assert calls == [t for _, t, _ in texts]  # once per complaint, not once per query and once per add
    assert served.storage.to_arrays().keys() == plain.storage.to_arrays().keys()
    for name, value in plain.storage.to_arrays().items():
        np.testing.assert_array_equal(served.storage.to_arrays()[name], value, err_msg=name)
    probe = BASE.format(g=3) + " lagi"
    assert served.query(probe, location=KUTISARI) == plain.query(probe, location=KUTISARI)
    assert len(answers) == len(texts) - 1 and all(answers)  # every query found candidates
    # a different text is analysed anew, never served from the previous one
    served.add("other", "Pohon tumbang di jalan Ngagel", location=JAGIR)
    assert calls[-1] == "Pohon tumbang di jalan Ngagel"
