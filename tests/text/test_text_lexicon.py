"""The curated data files: slang lexicon, stopwords and stem exceptions."""

from __future__ import annotations

import pytest

from lapor_nlp.text import Preprocessor
from lapor_nlp.text.lexicon import known_words, slang, stem_exceptions, stopwords

KEEP = [
    "tidak",
    "tak",
    "belum",
    "bukan",
    "jangan",
    "tanpa",
    "masalah",
    "kurang",
    "lama",
    "baru",
    "mohon",
    "tolong",
    "segera",
    "rusak",
    "sudah",
    "masih",
    "sangat",
]
JAVANESE = ["monggo", "kulo", "nyuwun", "sampun", "mboten", "nggih", "dalane", "suwun", "arek", "wong"]


def test_slang_has_several_hundred_entries() -> None:
    assert len(slang()) >= 500
    assert sum(1 for k, v in slang().items() if k != v) >= 400


@pytest.mark.parametrize(
    ("informal", "standard"),
    [
        ("yg", "yang"),
        ("gak", "tidak"),
        ("udah", "sudah"),
        ("tdk", "tidak"),
        ("sdh", "sudah"),
        ("dgn", "dengan"),
        ("utk", "untuk"),
        ("krn", "karena"),
        ("tlg", "tolong"),
        ("mhn", "mohon"),
        ("jln", "jalan"),
        ("jl", "jalan"),
        ("kel", "kelurahan"),
        ("kec", "kecamatan"),
        ("pju", "pju"),
        ("bpjs", "bpjs"),
        ("blm", "belum"),
        ("antri", "antre"),
    ],
)
def test_slang_entries(informal: str, standard: str) -> None:
    assert slang()[informal] == standard


def test_slang_keys_are_single_lower_case_tokens() -> None:
    for key, value in slang().items():
        assert key == key.lower() and " " not in key and key.isalnum(), key
        assert value == " ".join(value.split()) and value == value.lower(), (key, value)


@pytest.mark.parametrize("word", JAVANESE)
def test_javanese_words_are_left_alone(word: str) -> None:
    assert word not in slang() and word not in stopwords()
    assert Preprocessor().fit_transform([word]) == [word]


@pytest.mark.parametrize("word", KEEP)
def test_negations_and_complaint_words_are_not_stopwords(word: str) -> None:
    assert word not in stopwords()


def test_stopwords_drop_function_words() -> None:
    assert {"yang", "di", "dan", "ke", "dari", "untuk", "dengan", "saya", "ini", "itu"} <= stopwords()
    assert len(stopwords()) >= 100


def test_no_slang_value_is_only_stopwords_by_accident() -> None:
    # Entries that map to a stopword are intended (yg -> yang); complaint words must survive slang.
    for informal in ("gak", "blm", "tdk", "mhn", "tlg", "krg"):
        assert all(w not in stopwords() for w in slang()[informal].split())


def test_stem_exceptions_cover_known_over_stemming() -> None:
    table = stem_exceptions()
    assert table["kerusakan"] == "rusak" and table["pemadaman"] == "padam"
    assert table["lingkungan"] == "lingkungan" and table["relawan"] == "relawan"
    assert table["antrian"] == table["antrean"] == "antre"


def test_known_words_include_roots_and_slang() -> None:
    assert {"jalan", "rusak", "banget", "tolong"} <= known_words()
