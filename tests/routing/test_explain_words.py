"""Explanation words are content words: no stopwords, fillers, placeholders or Excel escapes."""

from __future__ import annotations

import pytest

from lapor_nlp.routing.explain import surface_words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Saya mau tanya kenapa jalan di depan rusak", ["mau", "tanya", "jalan", "depan", "rusak"]),
        ("sy lapor lampu mati_x000D_\\nsdh 3 hari", ["lapor", "lampu", "mati", "sdh", "hari"]),
        ("Tolong [NAME_1] dan [PHONE] segera", ["Tolong", "segera"]),
        ("Kenapa? Di mana? Yang itu.", []),
    ],
)
def test_surface_words_are_content_words(text: str, expected: list[str]) -> None:
    assert surface_words(text) == expected
