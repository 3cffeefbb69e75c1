"""redact(): table-driven cases, false positives on ordinary text, bad input, planted-PII evaluation."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lapor_nlp.errors import DataFormatError, TextTypeError
from lapor_nlp.text import redact
from lapor_nlp.text.evaluation import FORMS, evaluate, lokal_only, plant
from lapor_nlp.text.lexicon import names

CASES = [
    json.loads(line) for line in (Path(__file__).parent / "fixtures" / "redact.jsonl").open(encoding="utf-8")
]

# Hand-written complaint-like sentences with many ordinary numbers and cue-like words, none personal.
ORDINARY = [
    "Bapak Walikota yth, jalan di RT 03 RW 05 No. 27 berlubang sejak 12-01-2022.",
    "Ibu Kota baru katanya, tapi di kampung kami PJU mati 3 bulan, Rp 250.000 per bulan tetap ditarik.",
    "Pak RT dan Bu RW sudah lapor ke kelurahan tanggal 5/3/2022 jam 09.15, belum ada tindak lanjut.",
    "Saya Mohon Bantuan Untuk Perbaikan Saluran Di Gang 4 Nomor 12A Kode Pos 60293.",
    "Atas nama warga RT 007/RW 002 kami mohon pengerukan saluran sepanjang 300 meter.",
    "Bantuan PKH tahun 2021 sebesar Rp 1.500.000 belum cair, antrean nomor 45 dari 120.",
    "Kepada Yth. Kepala Dinas Perhubungan, lampu lalu lintas di simpang 4 mati pukul 18:30.",
]


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:40] for c in CASES])
def test_redact_table(case: dict[str, str]) -> None:
    assert redact(case["text"]) == case["expected"]


@pytest.mark.parametrize("text", ORDINARY)
def test_redact_keeps_ordinary_text(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize("bad", [None, 3.5, b"NIK 3578012345678901", {"text": "x"}])
def test_redact_refuses_non_str(bad: object) -> None:
    with pytest.raises(TextTypeError, match="redact\\(\\) expects a str"):
        redact(bad)  # type: ignore[arg-type]


def test_redact_replaces_lone_surrogates() -> None:
    assert redact("hp 081234567890 \ud83d") == "hp [PHONE] \ufffd"


@pytest.mark.slow
def test_redact_one_megabyte_text() -> None:
    block = "Lampu mati di RT 05 sejak 12-05-2022, mohon dicek Bapak Walikota. " * 40
    text = (block + "NIK 3578012345678901 hp 0812-3456-7890 atas nama Budi Santoso. ") * 380
    assert len(text) > 1_000_000
    out = redact(text)
    assert "3578012345678901" not in out and "0812-3456-7890" not in out and "Budi Santoso" not in out
    assert out.count("[NIK]") == out.count("[PHONE]") == out.count("[NAME]") == 380
    assert out.count("12-05-2022") == text.count("12-05-2022")


def test_redact_never_leaves_16_digit_runs() -> None:
    for text in ["1234567890123456", "x12345678901234567890y", "\\n0000000000000000\\n", "٣٥٧٨٠١٢٣٤٥٦٧٨٩٠١"]:
        assert not re.search(r"\d{16}", redact(text))


def test_evaluation_on_synthetic_hosts() -> None:
    hosts = [t for t in ORDINARY for _ in range(4)]
    report = evaluate(redact, plant(hosts, seed=3, per_text=3))
    assert sum(report.total.values()) == len(hosts) * 3
    assert report.recall >= 0.98, report.table()
    assert report.numbers_kept_share >= 0.98, report.table()


@pytest.mark.slow
def test_redaction_on_real_complaints(surabaya_csv: Path) -> None:
    """Every planted identifier form, in 2,000 real complaints: >= 99% removed, >= 98% numbers kept."""
    import pandas as pd

    texts = pd.read_csv(surabaya_csv, usecols=["text"])["text"].dropna().sample(2000, random_state=7).tolist()
    cases = plant(texts, seed=7, per_text=2)
    ours = evaluate(redact, cases)
    baseline = evaluate(lokal_only, cases[:500])
    print("\nlapor_nlp.redact\n" + ours.table() + "\n\nlokal-id alone (500 texts)\n" + baseline.table())
    assert ours.recall >= 0.99
    assert ours.numbers_kept_share >= 0.98
    for form in FORMS:
        assert ours.found[form] / ours.total[form] >= 0.95, (form, ours.misses[:10])
    assert ours.recall > baseline.recall


@pytest.mark.slow
def test_redaction_false_positives_on_real_complaints(surabaya_csv: Path) -> None:
    """On the (pre-masked) real texts, redact() rarely fires, and never on numbers that are not 16+ digits."""
    import pandas as pd

    texts = pd.read_csv(surabaya_csv, usecols=["text"])["text"].dropna().sample(3000, random_state=1).tolist()
    changed = [t for t in texts if redact(t) != t]
    assert len(changed) / len(texts) < 0.05
    number = re.compile(r"\d+(?:[.,:/\-]\d+)*")
    kept = total = 0
    for text in texts:
        out = redact(text)
        remaining = number.findall(out)
        for n in number.findall(text):
            total += 1
            if n in remaining:
                remaining.remove(n)
                kept += 1
    assert kept / total >= 0.995


def _names_a_stemmer_would_split() -> list[str]:
    """Names from data/names.txt that look like affixed words ("dimas", "toni"): only the list keeps them."""
    from lapor_nlp.text.lexicon import slang, stopwords
    from lapor_nlp.text.stem import stem_word

    return sorted(n for n in names() if n in stopwords() or n in slang() or stem_word(n) != n)


@pytest.mark.parametrize("template", ["nama saya budi {} mohon bantuan", "Ibu Siti {} mengeluh jalan rusak"])
def test_redact_takes_whole_names_from_the_shipped_list(template: str) -> None:
    hard = _names_a_stemmer_would_split()
    assert len(hard) >= 5  # the list is there and holds such names
    for name in hard:
        out = redact(template.format(name)).lower()
        assert name not in out.split(), out


def test_names_list_missing_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    from lapor_nlp.text import lexicon

    def missing(name: str) -> list[tuple[int, str]]:
        raise FileNotFoundError(name)

    lexicon.names.cache_clear()
    monkeypatch.setattr(lexicon, "data_lines", missing)
    try:
        with pytest.raises(DataFormatError, match="names.txt"):
            lexicon.names()
    finally:
        monkeypatch.undo()
        lexicon.names.cache_clear()
    assert "budi" in lexicon.names()


def test_province_codes_match_lokal() -> None:
    from lokal import PROVINCES

    from lapor_nlp.text.redact import PROVINCE_CODES

    assert set(PROVINCES) == PROVINCE_CODES


def test_hint_lookaheads_lose_no_cue() -> None:
    """The first-letter look-aheads that speed up the hint patterns must cover every cue word."""
    import re

    from lapor_nlp.text.redact import (
        _CASED_NAME_HINT,
        _CASED_NAME_HINT_TEXT,
        _NAME_HINT_LOWER,
        _NAME_HINT_TEXT,
    )

    for fast, text in ((_NAME_HINT_LOWER, _NAME_HINT_TEXT), (_CASED_NAME_HINT, _CASED_NAME_HINT_TEXT)):
        words = set(re.findall(r"[A-Za-z]{2,}", text))
        sample = " ".join(f"x {w}. {w} : {w} Budi {w}.Budi" for w in sorted(words))
        assert len(re.findall(text, sample)) >= 20  # the probe does exercise the cues
        for probe in (sample, sample.lower(), sample.upper()):
            assert [m.span() for m in fast.finditer(probe)] == [m.span() for m in re.finditer(text, probe)]


def test_cue_before_a_placeholder_needs_no_lokal_call() -> None:
    from lapor_nlp.text.redact import _DIGIT_HINT, _hints

    def hints(text: str) -> list[tuple[int, int]]:
        return _hints(text, text.lower(), [], [m.span() for m in _DIGIT_HINT.finditer(text)])

    assert hints("anak saya bernama [NAME_1] belum dapat seragam") == []
    assert hints("Nama lengkap : [NAME_2], mohon dibantu") == []
    assert hints("anak saya bernama Budi belum dapat seragam") != []
    # A cue inside a long label still counts, and the name after it is masked.
    text = "Mohon dibantu\\n\\nNama Ibu Retno Susanto Siswa : [NAME_1] kelas 6"
    assert hints(text) != []
    assert "Retno" not in redact(text) and "[NAME_1]" in redact(text)
