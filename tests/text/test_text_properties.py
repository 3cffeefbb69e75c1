"""Property-based tests: never raise on any Unicode, deterministic, no 16-digit runs survive redact()."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lapor_nlp.text import Preprocessor, clean, redact

PIECES = st.sampled_from(
    [
        "NIK ",
        "nik=",
        "\\n",
        "hp ",
        "+62 ",
        "08",
        "-",
        ".",
        " ",
        "atas nama ",
        "Bapak ",
        "@",
        "[NAME_1]",
        "ðŸ™\x8f",
        "tolonggg ",
        "yg ",
        "RT 05 ",
        "Rp 1.500.000 ",
        "kerusakan ",
        "Pemalang ",
    ]
)
TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(
        st.one_of(PIECES, st.text(alphabet="0123456789 .-", max_size=25), st.text(max_size=8)), max_size=30
    ).map("".join),
)
PROFILE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROFILE
@given(TEXT)
def test_pipeline_never_raises_and_is_deterministic(text: str) -> None:
    out = Preprocessor().fit_transform([text, text])
    assert out[0] == out[1] == Preprocessor().transform([text])[0]
    assert out[0] == " ".join(out[0].split())
    assert clean(text) == clean(text)


@PROFILE
@given(TEXT)
def test_redact_output_never_has_16_digit_run(text: str) -> None:
    out = redact(text)
    assert not re.search(r"\d{16}", out)
    assert redact(text) == out


ORDINARY_WORDS = st.sampled_from(
    [
        "jalan",
        "rusak",
        "lampu",
        "mati",
        "mohon",
        "segera",
        "diperbaiki",
        "saluran",
        "banjir",
        "sampah",
        "warga",
        "RT",
        "RW",
        "No.",
        "12",
        "05",
        "2022",
        "12-05-2022",
        "Rp",
        "1.500.000",
        "60293",
        "pukul",
        "10.30",
        ",",
        ".",
    ]
)


@PROFILE
@given(
    st.text(
        alphabet=st.characters(exclude_categories=("Nd", "Lu", "Ll", "Lt", "Lm", "Lo", "Cs")), max_size=200
    )
)
def test_redact_leaves_letterless_text_unchanged(text: str) -> None:
    assert redact(text) == text


@PROFILE
@given(st.lists(ORDINARY_WORDS, max_size=40).map(" ".join))
def test_redact_leaves_ordinary_words_and_numbers_unchanged(text: str) -> None:
    assert redact(text) == text
