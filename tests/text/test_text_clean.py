"""clean(): table-driven cases from fixtures/clean.jsonl plus edge cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lapor_nlp.errors import InputError, TextTypeError
from lapor_nlp.text import clean
from lapor_nlp.text.clean import fix_mojibake, normalise_word

CASES = [
    json.loads(line) for line in (Path(__file__).parent / "fixtures" / "clean.jsonl").open(encoding="utf-8")
]


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:40] for c in CASES])
def test_clean_table(case: dict[str, str]) -> None:
    assert clean(case["text"]) == case["expected"]


@pytest.mark.parametrize(
    ("garbled", "fixed"),
    [
        ("ðŸ™\x8f", "🙏"),
        ("ðŸ™", " "),  # as the exports store it: the emoji's last byte (0x8F) is lost
        ("tolong ðŸ™ðŸ»", "tolong   "),
        ("ðŸ˜\xad", "😭"),
        ("Ã©", "é"),
        ("â€™", "\u2019"),
        ("Â²", "²"),
        ("café", "café"),
        ("biasa saja", "biasa saja"),
    ],
)
def test_fix_mojibake(garbled: str, fixed: str) -> None:
    assert fix_mojibake(garbled) == fixed


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("tolonggg", "tolong"),
        ("maaaaf", "maaf"),
        ("bangett", "banget"),
        ("saat", "saat"),
        ("mengganggu", "mengganggu"),
    ],
)
def test_normalise_word_squeezes_elongation(word: str, expected: str) -> None:
    assert normalise_word(word) == expected


@pytest.mark.parametrize("bad", [None, 12, b"bytes", ["list"]])
def test_clean_refuses_non_str(bad: object) -> None:
    with pytest.raises(TextTypeError, match="expects a str"):
        clean(bad)  # type: ignore[arg-type]
    with pytest.raises(InputError):
        clean(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        clean(bad)  # type: ignore[arg-type]


def test_clean_drops_lone_surrogates() -> None:
    assert clean("jalan \ud800rusak") == "jalan rusak"


def test_clean_one_megabyte() -> None:
    text = "Jalan rusak parahhh di RT 05, mohon segera diperbaiki!!! " * 18_000
    out = clean(text)
    assert len(text) > 1_000_000
    assert out.startswith("jalan rusak parah di rt 05 mohon")
    assert out.count("diperbaiki") == 18_000
