"""A complaint whose whole text is a link is about the words in the link's path (fictional URLs)."""

from __future__ import annotations

from lapor_nlp.duplicates import DuplicateIndex
from lapor_nlp.text import Preprocessor, clean, redact

URL_ONLY = "https://berita.contoh.id/kota/banjir-di-rungkut-warga-mengungsi-2024-0117.html?utm_source=wa"
PLAIN = "banjir di rungkut sudah tiga hari warga mengungsi"


def test_url_only_complaint_keeps_its_path_words() -> None:
    words = clean(redact(URL_ONLY)).split()
    assert words == ["kota", "banjir", "di", "rungkut", "warga", "mengungsi"]
    assert {"banjir", "rungkut", "mengungsi"} <= set(words) & set(clean(PLAIN).split())
    assert Preprocessor().fit_transform([URL_ONLY])[0].strip()


def test_url_only_complaint_is_indexed_and_matches_the_plain_one() -> None:
    index = DuplicateIndex()
    index.add("plain", PLAIN)
    index.add("link", URL_ONLY)  # was EmptyComplaintError: nothing left after cleaning
    assert len(index) == 2
    index.remove("link")
    best = index.query(URL_ONLY, k=1)
    assert best and best[0].id == "plain" and best[0].score > 0


def test_url_only_complaint_is_routed_by_its_words(trained_router) -> None:  # type: ignore[no-untyped-def]
    link = "https://www.contoh.id/read/2024/01/17/sampah-menumpuk-belum-diangkut-petugas-bau-busuk/"
    topic = trained_router.predict(link, explain=False)["topic"]
    assert topic.label == "Sampah"
    assert topic.score > 0.5


def test_redaction_keeps_personal_data_out_of_links() -> None:
    text = "https://contoh.id/profil/081234567890/lapor?email=warga.satu@contoh.id&nik=3578012345670001"
    redacted = redact(text)
    assert "081234567890" not in redacted and "warga.satu@contoh.id" not in redacted
    assert "3578012345670001" not in redacted
    assert clean(redacted) == "profil __phone__ lapor"
