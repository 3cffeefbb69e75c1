"""Table-driven tests of place-mention extraction (hand-written complaints)."""

from __future__ import annotations

import pytest

from lapor_nlp.duplicates.analysis import analyze, place_mentions, tokenize

PLACE_CASES = [
    ("lampu mati di gang 5", {"gang:5"}),
    ("Gg. Manggis Buntu RT 06 RW 6", {"gang:manggis", "gang:buntu", "rt:6", "rw:6"}),
    ("jalan rusak parah", set()),
    ("di Jl. Krukah Timur no. 33", {"street:krukah", "street:timur", "number:33"}),
    ("pohon tumbang di titik A dekat masjid", {"point:a", "landmark:masjid"}),
    ("depan toko sinar jaya", {"landmark:toko", "landmark:sinar", "landmark:jaya"}),
]


@pytest.mark.parametrize(("text", "expected"), PLACE_CASES)
def test_place_mentions_table(text: str, expected: set[str]) -> None:
    assert set(place_mentions(tokenize(text))) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Atas nama [NAME_1] hp [PHONE_2]", ["atas", "nama", "[name]", "hp", "[phone]"]),
        ("TOLONGGG!!! jalan\\nrusak", ["tolong", "jalan", "rusak"]),
        ("   ", []),
    ],
)
def test_tokenize_normalises_placeholders_and_noise(text: str, expected: list[str]) -> None:
    assert tokenize(text) == expected


def test_analyze_deduplicates_places_keeping_order() -> None:
    a = analyze("gang 5 dan gang 5 lagi, rt 2")
    assert a.places == ("gang:5", "rt:2")
