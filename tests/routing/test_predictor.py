"""The compiled predictor gives what the plain fitted estimators give, on the trained and shipped models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lapor_nlp import Router
from lapor_nlp.routing.explain import explain
from lapor_nlp.text import redact

DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "models" / "default"
# fictional complaints, not from any dataset
TEXTS = [
    "Lampu PJU di gang Kenanga 4 mati sejak minggu lalu, gelap sekali kalau malam",
    "sampah di TPS dekat pasar tidak diangkut tiga hari, baunya sampai ke rumah warga",
    "mohon info kapan bantuan sosial untuk lansia cair, nama ibu saya tidak ada di daftar",
    "jalan berlubang di depan sekolah sudah memakan korban pengendara motor",
    "pelayanan surat domisili di kelurahan lambat, sudah dua minggu belum jadi",
    "saluran air tersumbat, kalau hujan banjir masuk rumah",
    "terima kasih",
]


@pytest.fixture(params=["trained", "default"])
def router(request: pytest.FixtureRequest, trained_router: Router) -> Router:
    if request.param == "trained":
        return trained_router
    if not (DEFAULT_MODEL / "metadata.json").is_file():
        pytest.skip("models/default has not been trained")
    return Router.load(DEFAULT_MODEL)


def test_predictor_equals_the_plain_estimators(router: Router) -> None:
    redacted = [redact(t) for t in TEXTS]
    predictor = router.predictor
    X = predictor.transform(redacted)
    X_plain = router.featurizer.transform(redacted)
    assert X.shape == X_plain.shape and abs(X - X_plain).max() < 1e-6 and X.nnz > 0
    best: dict[str, list[int]] = {}
    for target in router.targets:
        model = router.classifiers[target]
        proba = predictor.predict_proba(X, target)
        np.testing.assert_allclose(proba, model.predict_proba(X_plain), rtol=1e-5, atol=1e-7)
        assert list(predictor.classes(target)) == list(model.classes_)
        best[target] = [int(j) for j in np.argmax(proba, axis=1)]
    words = predictor.explain(redacted, X, best)
    for target in router.targets:
        coef = router.classifiers[target].coef_
        want = [explain(router.featurizer, t, coef, j) for t, j in zip(redacted, best[target], strict=True)]
        assert words[target] == want
    assert any(words[t][0] for t in router.targets)  # the PJU complaint has an explanation


def test_router_predictions_repeat_exactly(router: Router) -> None:
    """Per-word caches fill on the first call; the second call must give the same suggestions."""
    first = router.predict(TEXTS)
    assert router.predict(TEXTS) == first
    assert [router.predict(t) for t in TEXTS] == first


# fictional fragments, combined into a few hundred complaints with repeated and mixed-case words
_OPENINGS = ["Lampu PJU", "sampah", "Jalan berlubang", "bantuan sosial", "surat domisili", "Saluran air"]
_MIDDLES = ["di gang Melati 7", "dekat pasar Kembang", "depan SD negeri", "di RT 03 RW 05", "Jl. Anggrek"]
_ENDINGS = [
    "mati sejak minggu lalu, mohon segera diperbaiki",
    "tidak diangkut tiga hari, BAU sekali bau",
    "belum cair padahal sudah terdaftar",
    "membuat banjir kalau hujan; tolong ditindaklanjuti",
    "pelayanan lambat, petugas tidak ada di tempat",
    "sudah dilaporkan berkali-kali tapi belum ada tindak lanjut",
    "terima kasih",
]
MANY_TEXTS = [f"{a} {m} {e}" for a in _OPENINGS for m in _MIDDLES for e in _ENDINGS]


def _reference_explanation(tables, redacted: str, x_row, coef_row: np.ndarray, n: int = 5) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    """The definition, word by word: sum over the features a word owns of tf-idf value x class weight."""
    from lapor_nlp.routing.explain import surface_words

    display: dict[str, str] = {}
    for w in surface_words(redacted):
        display.setdefault(w.lower(), w)
    x = dict(zip(x_row.indices.tolist(), x_row.data.tolist(), strict=True))
    scores = []
    for w in display:
        owned = tables.owned_features([w]).indices
        scores.append(sum(x[f] * float(coef_row[f]) for f in owned.tolist() if f in x))
    order = np.argsort(-np.asarray(scores), kind="stable")[:n] if scores else []
    words = list(display)
    return tuple(display[words[i]] for i in order if scores[i] > 0)


def _texts_with_real(surabaya: Path | None) -> list[str]:
    texts = list(MANY_TEXTS)
    if surabaya is not None:  # 200 real complaints as well (never printed)
        import pandas as pd

        df = pd.read_csv(surabaya, usecols=["text"]).dropna()
        texts += [str(t) for t in df["text"].sample(n=200, random_state=0) if str(t).strip()]
    return texts


@pytest.fixture
def surabaya_or_none(request: pytest.FixtureRequest) -> Path | None:
    try:
        return request.getfixturevalue("surabaya_csv")  # type: ignore[no-any-return]
    except pytest.skip.Exception:
        return None


def test_explanations_equal_the_word_by_word_definition(
    router: Router, surabaya_or_none: Path | None
) -> None:
    texts = [redact(t) for t in _texts_with_real(surabaya_or_none)]
    predictor = router.predictor
    X = predictor.transform(texts)
    for target in router.targets:
        proba = predictor.predict_proba(X, target)
        best = [int(j) for j in np.argmax(proba, axis=1)]
        got = predictor.explain(texts, X, {target: best})[target]
        coef = router.classifiers[target].coef_
        coef = coef.toarray() if hasattr(coef, "toarray") else np.asarray(coef)
        want = [
            _reference_explanation(predictor.features, t, X[r], coef[best[r]]) for r, t in enumerate(texts)
        ]
        assert got == want
        assert sum(bool(w) for w in got) > len(texts) // 2  # most complaints get an explanation


def test_one_text_at_a_time_equals_the_batch(router: Router, surabaya_or_none: Path | None) -> None:
    texts = _texts_with_real(surabaya_or_none)
    location = {"kelurahan": "Kutisari", "kecamatan": "Tenggilis Mejoyo"}
    batch = router.predict(texts, location=location)
    assert [router.predict(t, location=location) for t in texts] == batch
    assert any(s.targets[t].explanation for s in batch for t in router.targets)
