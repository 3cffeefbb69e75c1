"""Property-based tests: never raise on any Unicode, deterministic, no 16-digit runs survive redact()."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, example, given, settings
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


# -- hostile input: any Unicode string, from every plane -----------------------------------------------
# Astral planes (CJK extension B, emoji, private use), combining marks, control characters, RTL marks
# and scripts, lone surrogates: the pipeline and redact() take any str and never raise.
HOSTILE_PIECES = st.sampled_from(
    [
        "\U0002a196",  # CJK extension B: crashed the explainer on its own (issue 21)
        "\U0001f600",
        "\U000f0000",  # supplementary private use
        "e\u0301\u0301\u0301",  # stacked combining marks
        "\u0300",  # a combining mark with nothing to combine with
        "\u202e\u200f",  # right-to-left override and mark
        "\u0627\u0644\u0637\u0631\u064a\u0642",  # Arabic
        "\x00\x01\x1b\x7f\x85",
        "\ufeff\u200b\u200d",
        "\ud800",  # a lone surrogate
        "jalan ",
        "\\n",
        " ",
    ]
)
HOSTILE = st.one_of(
    st.text(alphabet=st.characters(codec=None), max_size=200),
    st.lists(st.one_of(HOSTILE_PIECES, st.text(max_size=5)), max_size=20).map("".join),
)


@PROFILE
@given(HOSTILE)
@example("\U0002a196")
@example("\U0002a196 jalan")
@example("\ud800")
@example("\u0300")
def test_pipeline_and_redact_take_any_unicode(text: str) -> None:
    assert isinstance(Preprocessor().fit_transform([text])[0], str)
    assert isinstance(redact(text), str)
    assert isinstance(clean(text), str)


def test_pipeline_and_redact_take_a_megabyte() -> None:
    text = ("jalan rusak \U0002a196 e\u0301 \u202e 08123456789 " * 30_000)[:1_000_000]
    assert Preprocessor().fit_transform([text])[0]
    assert "08123456789" not in redact(text)
