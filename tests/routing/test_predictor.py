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
