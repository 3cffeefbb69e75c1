"""Hostile input for Router.predict: any Unicode string gives a suggestion or EmptyComplaintError."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lapor_nlp import EmptyComplaintError

PIECES = st.sampled_from(
    [
        "\U0002a196",
        "\U0001f600",
        "e\u0301\u0301",
        "\u0300",
        "\u202e\u200f",
        "\u0627\u0644\u0637\u0631\u064a\u0642",
        "\x00\x1b\x7f",
        "\ufeff\u200b",
        "\ud800",
        "jalan ",
        "lampu mati ",
        "[NAME_1] ",
        " ",
    ]
)
TEXT = st.one_of(
    st.text(alphabet=st.characters(codec=None), max_size=120),
    st.lists(st.one_of(PIECES, st.text(max_size=5)), max_size=15).map("".join),
)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(TEXT)
@example("\U0002a196")  # no feature, no surface word the model knows: the explainer's empty lookup
@example("\U0002a196 jalan")
@example("\ud800")
@example("\x00")
def test_predict_takes_any_unicode(trained_router: Any, text: str) -> None:
    for already_redacted in (False, True):
        try:
            suggestion = trained_router.predict(text, top_k=2, already_redacted=already_redacted)
        except EmptyComplaintError:
            assert not text.strip()
            continue
        assert set(suggestion.targets) == {"topic", "agency"}
        for target in suggestion.targets.values():
            assert 0.0 <= target.score <= 1.0
            assert target.decision in ("auto", "review")


def test_predict_takes_a_megabyte(trained_router: Any) -> None:
    text = ("lampu jalan mati \U0002a196 e\u0301 \u202e " * 40_000)[:1_000_000]
    suggestion = trained_router.predict(text)
    assert suggestion.targets["topic"].label


def test_predict_batch_with_astral_only_texts(trained_router: Any) -> None:
    out = trained_router.predict(["\U0002a196", "lampu jalan mati", "\U0001f600\U0002a196"])
    assert len(out) == 3 and all(s.targets["agency"].decision in ("auto", "review") for s in out)


def test_warm_up_prepares_words_without_changing_predictions(saved_router: Any) -> None:
    from lapor_nlp import Router

    texts = ["lampu jalan mati di gang", "sampah menumpuk dekat pasar", "\U0002a196 jalan"]
    cold = Router.load(saved_router)
    before = [cold.predict(t, top_k=2) for t in texts]
    warm = Router.load(saved_router)
    assert warm.warm_up() > 1000  # the model's words and the lexicons' (Sastrawi roots alone: ~28k)
    assert [warm.predict(t, top_k=2) for t in texts] == before
    assert warm.warm_up(["jalan", "rusak"]) == 2
