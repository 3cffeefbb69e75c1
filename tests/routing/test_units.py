"""Table-driven tests of the routing building blocks: CSV sniffing, places, thresholds, metrics."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lapor_nlp.errors import DataFormatError
from lapor_nlp.routing.data import read_table, require_columns
from lapor_nlp.routing.location import PlaceResolver, place_key
from lapor_nlp.routing.metrics import coverage_at_precision, label_noise
from lapor_nlp.routing.thresholds import choose_thresholds, decide

SAMPLE = pd.DataFrame({"text": ["jalan rusak", "lampu mati, tolong"], "agency": ["Dinas A", "Dinas B"]})


@pytest.mark.parametrize(
    ("sep", "encoding"),
    [(",", "utf-8"), (";", "utf-8"), ("\t", "cp1252"), ("|", "utf-8-sig"), (";", "utf-16")],
)
def test_read_table_sniffs_delimiter_and_encoding(tmp_path: Path, sep: str, encoding: str) -> None:
    path = tmp_path / "d.csv"
    SAMPLE.assign(text=SAMPLE.text + " é").to_csv(path, sep=sep, index=False, encoding=encoding)
    df = read_table(path)
    assert list(df.columns) == ["text", "agency"]
    assert df.text.tolist() == ["jalan rusak é", "lampu mati, tolong é"]


def test_read_table_errors(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match="no such file"):
        read_table(tmp_path / "x.csv")
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(DataFormatError, match="empty"):
        read_table(tmp_path / "e.csv")


def test_require_columns_suggests_close_names() -> None:
    with pytest.raises(DataFormatError, match="did you mean 'agency'.*Available columns"):
        require_columns(SAMPLE, ["Agency"])
    require_columns(SAMPLE, ["text", "agency"])


@pytest.mark.parametrize(
    ("value", "key"), [("Jemur Wonosari", "jemurwonosari"), ("Dr. Soetomo", "drsoetomo"), (None, "")]
)
def test_place_key(value: object, key: str) -> None:
    assert place_key(value) == key


def test_place_resolver_national_template() -> None:
    labels = [
        "Dinas Pendidikan Kabupaten Sleman",
        "Dinas Pendidikan Kabupaten Bantul",
        "Dinas Pendidikan Kabupaten Sleman",
        "Dinas Kesehatan Provinsi",
        "Dinas Pendidikan Kabupaten Kulon Progo",
    ]
    kab = ["Sleman", "Bantul", "Sleman", "Bantul", "Kulon Progo"]
    r = PlaceResolver().fit(labels, {"kabupaten": kab})
    assert r.roles_ == {
        "Dinas Pendidikan Kabupaten {kabupaten}": {
            "column": "kabupaten",
            "prefix": "Dinas Pendidikan Kabupaten",
            "suffix": "",
        }
    }
    assert r.to_roles(labels)[3] == "Dinas Kesehatan Provinsi"
    role = "Dinas Pendidikan Kabupaten {kabupaten}"
    assert r.resolve(role, {"kabupaten": "Bantul"}, "").label == "Dinas Pendidikan Kabupaten Bantul"
    assert (
        r.resolve(role, {}, "sekolah di kulon progo rusak").label == "Dinas Pendidikan Kabupaten Kulon Progo"
    )
    unresolved = r.resolve(role, {}, "sekolah di sleman dan bantul")  # two places named: ambiguous
    assert not unresolved.resolved and unresolved.label == role


def test_place_resolver_ignores_labels_that_do_not_follow_the_column() -> None:
    labels = ["Kantor Jaya", "Kantor Makmur", "Kantor Jaya", "Kantor Makmur"]
    r = PlaceResolver().fit(labels, {"desa": ["Makmur", "Jaya", "Makmur", "Jaya"]})  # never agrees
    assert r.roles_ == {}
    assert PlaceResolver().fit(labels, None).roles_ == {}


def test_place_resolver_round_trips_as_plain_data() -> None:
    r = PlaceResolver().fit(["Kelurahan A Satu", "Kelurahan B Dua"], {"kel": ["A Satu", "B Dua"]})
    again = PlaceResolver.from_dict(r.to_dict())
    assert again.to_dict() == r.to_dict()
    assert again.resolve("Kelurahan {kel}", {"kel": "B Dua"}, "").label == "Kelurahan B Dua"


@pytest.mark.parametrize(
    ("scores", "correct", "expected"),
    [
        (
            [0.99] * 30 + [0.5] * 10,
            [True] * 30 + [False] * 10,
            0.99,
        ),  # confident ones right, unsure ones wrong
        ([0.9] * 5, [True] * 5, None),  # too few to trust 0.95
        ([0.9] * 40, [True, False] * 20, None),  # never precise enough
    ],
)
def test_choose_thresholds(scores: list[float], correct: list[bool], expected: float | None) -> None:
    t = choose_thresholds(
        ["A"] * len(scores), scores, correct, target_precision=0.95, drift_margin=0.0, periods=1
    )
    assert t == {"A": expected}


def test_choose_thresholds_rare_class_always_review() -> None:
    t = choose_thresholds(["A"] * 40, [0.99] * 40, [True] * 40, class_counts={"A": 3}, min_class_count=10)
    assert t == {"A": None}
    assert decide("A", 0.999, t) == "review"
    assert (
        decide("A", 0.999, {"A": 0.9}) == "auto"
        and decide("A", 0.999, {"A": 0.9}, resolved=False) == "review"
    )


def test_coverage_at_precision() -> None:
    assert coverage_at_precision([0.9, 0.8, 0.7, 0.6], [True, True, False, False], 0.95) == 0.5
    assert coverage_at_precision([0.9], [False], 0.95) == 0.0


def test_label_noise_counts_conflicting_identical_texts() -> None:
    out = label_noise(["a", "a", "a", "b"], ["X", "X", "Y", "Z"], [True, True, False, True])
    assert out["conflicting_rows_share"] == 0.75
    assert out["errors_on_conflicting_rows_share"] == 1.0 and out["unavoidable_errors"] == 1
    assert np.isclose(out["unavoidable_error_share_of_errors"], 1.0)


def test_choose_thresholds_drift_margin_and_pooled_floor() -> None:
    # 0.95 on held-out folds is not enough with a drift margin (0.96 needed) ...
    scores = [0.99] * 40 + [0.98] * 20 + [0.5] * 5
    correct = [True] * 40 + [True] * 18 + [False] * 2 + [False] * 5
    assert choose_thresholds(["A"] * 65, scores, correct, drift_margin=0.0, periods=1) == {"A": 0.98}
    assert choose_thresholds(["A"] * 65, scores, correct, drift_margin=0.2, periods=1) == {"A": 0.99}
    # ... and a class may not undercut the threshold all classes pooled need
    pred = ["A"] * 30 + ["B"] * 30
    s = [0.9] * 30 + [0.95] * 20 + [0.9] * 10
    ok = [True] * 30 + [True] * 20 + [False] * 10
    t = choose_thresholds(pred, s, ok, drift_margin=0.0, periods=1)
    assert t == {"A": 0.95, "B": 0.95}


def test_choose_thresholds_must_hold_in_the_latest_period() -> None:
    # Pooled, 96 right of 100 at 0.99 pass 0.95; but every error is in the later half.
    scores = [0.99] * 100
    correct = [True] * 50 + [True] * 46 + [False] * 4
    assert choose_thresholds(["A"] * 100, scores, correct, drift_margin=0.0, periods=1) == {"A": 0.99}
    assert choose_thresholds(["A"] * 100, scores, correct, drift_margin=0.0, periods=2) == {"A": None}
    # Errors early only: the later period reaches the target, the threshold is the strictest one needed.
    scores = [0.99] * 30 + [0.9] * 10 + [0.99] * 30 + [0.9] * 10
    correct = [True] * 30 + [False] * 3 + [True] * 7 + [True] * 40
    assert choose_thresholds(["A"] * 80, scores, correct, drift_margin=0.0, periods=1) == {"A": 0.9}
    assert choose_thresholds(["A"] * 80, scores, correct, drift_margin=0.0, periods=2) == {"A": 0.99}
    # A class absent from the early period is judged on the pooled and latest ones.
    pred = ["B"] * 40 + ["A"] * 40
    t = choose_thresholds(pred, [0.99] * 80, [True] * 80, drift_margin=0.0, periods=2)
    assert t == {"A": 0.99, "B": None}
    with pytest.raises(ValueError, match="periods"):
        choose_thresholds(["A"], [0.9], [True], periods=0)


def test_featurizer_blocks_equal_the_sklearn_vectorizers() -> None:
    from lapor_nlp.routing.features import TextFeaturizer, normalise
    from lapor_nlp.text import clean

    train = [
        "Lampu jalan mati di gang Melati, mohon diperbaiki",
        "sampah menumpuk di  pinggir jalan\tbelum diangkut",
        "jalan berlubang besar sekali, bahaya untuk pengendara motor",
        "lampu PJU mati lagi di jalan Rungkut",
    ] * 3
    fresh = [
        "lampu lampu lampu mati",  # repeated words
        "kata\\nbaru   dengan\n\nbaris  baru 🙏 a b",  # whitespace runs, short words, emoji
        "",
        "ZZZ qqq tidak dikenal",  # no known n-gram
        "jalan rusak",
    ]
    featurizer = TextFeaturizer(min_df=1).fit(train)
    word_vec, char_vec = featurizer._get_vectorizers()
    assert word_vec is not None and char_vec is not None
    n_words = featurizer.n_word_features_
    for _ in range(2):  # second pass: from the per-word cache
        got = featurizer.transform(fresh).toarray()
        want_words = word_vec.transform(normalise(fresh)).toarray()
        want_chars = char_vec.transform([clean(t) for t in fresh]).toarray()
        np.testing.assert_allclose(got[:, :n_words], want_words, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(got[:, n_words:], want_chars, rtol=1e-6, atol=1e-7)
    assert got[0].any() and not got[2].any() and got[:, :n_words].any()


def test_classifier_dense_and_sparse_weights_give_the_same_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    import scipy.sparse as sp

    from lapor_nlp.routing import classifier as classifier_module
    from lapor_nlp.routing.classifier import CalibratedLinearClassifier

    rng = np.random.default_rng(0)
    X = sp.random(60, 40, density=0.2, format="csr", random_state=rng, dtype=np.float32)
    y = np.asarray(["a", "b", "c"])[rng.integers(0, 3, 60)]
    model = CalibratedLinearClassifier(n_folds=3, n_jobs=1).fit(X, y)
    dense = model.decision_function(X)
    assert isinstance(model.__dict__["_coef_t"], np.ndarray) and model.__dict__["_coef_t"].flags.c_contiguous
    model.__dict__.pop("_coef_t")
    monkeypatch.setattr(classifier_module, "_DENSE_WEIGHTS_MAX", 0)
    sparse = model.decision_function(X)
    assert sp.issparse(model.__dict__["_coef_t"])
    np.testing.assert_allclose(dense, sparse, rtol=1e-5, atol=1e-6)
    assert np.ptp(dense) > 0
