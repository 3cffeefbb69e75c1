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


def test_choose_thresholds_latest_period_checks_consistency_not_evidence() -> None:
    # A: 30 right in the earlier half, 10 in the latest (which also holds 20 of B). The pooled 40 are the
    # evidence; the latest half only has to agree (10 of 10), it need not hold a run of ~20 on its own.
    pred = ["A"] * 30 + ["A"] * 10 + ["B"] * 20
    t = choose_thresholds(pred, [0.99] * 60, [True] * 60, drift_margin=0.0, periods=2)
    assert t == {"A": 0.99, "B": 0.99}
    # ... but it must agree: 1 wrong of the latest 10 (0.9) sends A to review.
    late_error = [True] * 30 + [True] * 9 + [False] + [True] * 20
    t = choose_thresholds(pred, [0.99] * 60, late_error, drift_margin=0.0, periods=2)
    assert t == {"A": None, "B": 0.99}


FEATURIZER_TRAIN = [
    "Lampu jalan mati di gang Melati, mohon diperbaiki",
    "sampah menumpuk di  pinggir jalan\tbelum diangkut",
    "jalan berlubang besar sekali, bahaya untuk pengendara motor",
    "lampu PJU mati lagi di jalan Rungkut",
] * 3
FEATURIZER_FRESH = [
    "lampu lampu lampu mati",  # repeated words
    "kata\\nbaru   dengan\n\nbaris  baru 🙏 a b",  # whitespace runs, short words, emoji
    "",
    "ZZZ qqq tidak dikenal",  # no known n-gram
    "jalan rusak",
]


def test_feature_tables_equal_the_sklearn_vectorizers() -> None:
    from lapor_nlp.routing.features import FeatureTables, TextFeaturizer, normalise
    from lapor_nlp.text import clean

    featurizer = TextFeaturizer(min_df=1).fit(FEATURIZER_TRAIN)
    word_vec, char_vec = featurizer.build_vectorizers()
    assert word_vec is not None and char_vec is not None
    n_words = featurizer.n_word_features_
    want_words = word_vec.transform(normalise(FEATURIZER_FRESH)).toarray()
    want_chars = char_vec.transform([clean(t) for t in FEATURIZER_FRESH]).toarray()
    tables = FeatureTables(featurizer)
    for got in (
        tables.transform(FEATURIZER_FRESH).toarray(),
        tables.transform(FEATURIZER_FRESH).toarray(),  # second pass: from the per-word cache
        featurizer.transform(FEATURIZER_FRESH).toarray(),
    ):
        np.testing.assert_allclose(got[:, :n_words], want_words, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(got[:, n_words:], want_chars, rtol=1e-6, atol=1e-7)
    assert got[0].any() and not got[2].any() and got[:, :n_words].any()


def test_feature_tables_owned_features_survive_a_full_cache() -> None:
    from lapor_nlp.routing.features import FeatureTables, TextFeaturizer

    featurizer = TextFeaturizer(min_df=1).fit(FEATURIZER_TRAIN)
    roomy = FeatureTables(featurizer)
    tiny = FeatureTables(featurizer, max_cached=2)
    tiny.owned_features(["lampu", "sampah"])  # fills the cache
    words = ["jalan", "lampu", "mati", "Rungkut"]
    want = roomy.owned_features(words)
    got = tiny.owned_features(words)  # overflows: cleared, then everything recomputed
    assert (got != want).nnz == 0 and want.nnz > 0
    assert want[3, featurizer.n_word_features_ :].nnz > 0  # char n-grams of a word seen in training


def test_predicting_leaves_the_estimators_as_fitted() -> None:
    """Prediction-time state lives in the compiled predictor, not in the estimators' ``__dict__``."""
    import pickle

    from lapor_nlp.routing.classifier import CalibratedLinearClassifier
    from lapor_nlp.routing.features import TextFeaturizer
    from lapor_nlp.routing.predictor import CompiledPredictor

    featurizer = TextFeaturizer(min_df=1)
    X = featurizer.fit_transform(FEATURIZER_TRAIN)
    model = CalibratedLinearClassifier(n_folds=2, n_jobs=1).fit(X, ["a", "b", "c", "a"] * 3)
    before = (set(vars(featurizer)), set(vars(model)))
    predictor = CompiledPredictor(featurizer, {"t": model})
    Xf = predictor.transform(FEATURIZER_FRESH)
    predictor.explain(FEATURIZER_FRESH, Xf, {"t": [0] * len(FEATURIZER_FRESH)})
    featurizer.transform(FEATURIZER_FRESH)
    model.predict_proba(Xf)
    assert (set(vars(featurizer)), set(vars(model))) == before
    np.testing.assert_allclose(predictor.predict_proba(Xf, "t"), model.predict_proba(Xf), rtol=1e-6)
    copy = pickle.loads(pickle.dumps(model))
    np.testing.assert_allclose(copy.decision_function(Xf), model.decision_function(Xf), rtol=1e-6)


def test_predictor_dense_and_sparse_weights_give_the_same_scores() -> None:
    import scipy.sparse as sp

    from lapor_nlp.routing.classifier import CalibratedLinearClassifier
    from lapor_nlp.routing.features import TextFeaturizer
    from lapor_nlp.routing.predictor import CompiledPredictor

    featurizer = TextFeaturizer(min_df=1)
    X = featurizer.fit_transform(FEATURIZER_TRAIN)
    model = CalibratedLinearClassifier(n_folds=3, n_jobs=1).fit(X, ["a", "b", "c", "b"] * 3)
    dense = CompiledPredictor(featurizer, {"t": model})
    sparse = CompiledPredictor(featurizer, {"t": model}, dense_weights_max=0)
    assert isinstance(dense.weights("t"), np.ndarray) and dense.weights("t").flags.c_contiguous
    assert sp.issparse(sparse.weights("t"))
    want = model.decision_function(X)
    np.testing.assert_allclose(dense.decision_function(X, "t"), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(sparse.decision_function(X, "t"), want, rtol=1e-5, atol=1e-6)
    assert np.ptp(want) > 0


def test_predictor_refuses_unknown_targets_and_mismatched_estimators() -> None:
    from lapor_nlp.errors import InputError, ModelIntegrityError
    from lapor_nlp.routing.classifier import CalibratedLinearClassifier
    from lapor_nlp.routing.features import TextFeaturizer
    from lapor_nlp.routing.predictor import CompiledPredictor

    featurizer = TextFeaturizer(min_df=1)
    model = CalibratedLinearClassifier(n_folds=2, n_jobs=1).fit(
        featurizer.fit_transform(FEATURIZER_TRAIN), ["a", "b"] * 6
    )
    predictor = CompiledPredictor(featurizer, {"t": model})
    with pytest.raises(InputError, match="unknown target 'x'.*\\['t'\\]"):
        predictor.classes("x")
    other = TextFeaturizer(min_df=1).fit(["satu dua tiga", "empat lima enam"])
    with pytest.raises(ModelIntegrityError, match="features"):
        CompiledPredictor(other, {"t": model})
