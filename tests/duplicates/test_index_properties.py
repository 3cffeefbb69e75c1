"""Hostile input for DuplicateIndex: any Unicode string is indexed and queried, or EmptyComplaintError."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lapor_nlp import EmptyComplaintError
from lapor_nlp.duplicates import DuplicateIndex

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
        "rusak ",
        " ",
    ]
)
TEXT = st.one_of(
    st.text(alphabet=st.characters(codec=None), max_size=120),
    st.lists(st.one_of(PIECES, st.text(max_size=5)), max_size=15).map("".join),
)


def _index() -> DuplicateIndex:
    index = DuplicateIndex()
    index.add("a", "jalan rusak di depan sekolah berlubang besar")
    index.add("b", "lampu penerangan jalan mati sejak seminggu")
    return index


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(TEXT)
@example("\U0002a196")
@example("\U0002a196 jalan")
@example("\ud800")
@example("e\u0301")
@example("jalan \u00b2")  # a digit int() cannot read after a place cue
def test_add_and_query_take_any_unicode(text: str) -> None:
    index = _index()
    try:
        matches = index.query(text, k=3)
    except EmptyComplaintError:
        matches = None
    if matches is not None:
        assert all(0.0 <= float(m.score) <= 1.0 + 1e-9 for m in matches)
    try:
        index.add("new", text)
    except EmptyComplaintError:
        assert matches is None  # a text that cannot be added cannot be queried either
        return
    assert "new" in index and len(index) == 3
    index.query(text, k=3)


def test_a_megabyte_is_indexed_and_queried() -> None:
    index = _index()
    text = ("jalan rusak \U0002a196 e\u0301 \u202e " * 40_000)[:1_000_000]
    index.add("big", text)
    assert index.query(text, k=1)[0].id == "big"
