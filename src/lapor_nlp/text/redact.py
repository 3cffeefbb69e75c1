"""Replace personal data with typed placeholders (``[NIK]``, ``[PHONE]``, ``[EMAIL]``, ``[NAME]`` ...).

Two detectors are combined and their spans merged:

* lokal-id's ``detect_pii`` restricted to identifiers, contact data and names (never ADDRESS, FINANCIAL,
  BIRTH_DATE and the other kinds that would swallow RT/RW, house numbers, dates and money amounts). It
  only runs on texts that contain a hint of such data (7+ digits, an ``@`` or a name cue), which keeps
  the pipeline fast.
* our own patterns for the forms lokal-id misses in intake text (measured in
  ``benchmarks/bench_text.py --redaction``: lokal-id alone removes ~83% of planted identifiers, this
  module ~99.9%, keeping ~99.9% of ordinary numbers): NIKs written with dots or glued to ``NIK.``,
  ``nik=`` or a literal ``\\n``; mobile numbers and landlines glued to a literal ``\\n``; every run of 16+
  digits; names after ``atas nama``/``nama saya``/``a.n.``/``Nama :`` that lokal-id gives up on.

Our digit analysis wins where both see a number (it knows where a NIK ends and a date begins), and
lokal-id's finds are filtered for what complaint prose produces by accident: number lists read as one
identifier ("2022 2022 2022 2022"), two dates read as a NIK, capitalised ordinary words read as a name
("Saya Merantau Ke Surabaya", "Bapak Walikota. Lampu mati", "Yth. Kabid ...").
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from collections.abc import Iterator
from typing import Any, NamedTuple

from lapor_nlp.text._input import ensure_text

#: lokal-id PII type -> our placeholder. KK numbers look like NIKs and are masked the same way.
LOKAL_TYPES: dict[str, str] = {
    "NIK": "[NIK]",
    "KK": "[NIK]",
    "PHONE": "[PHONE]",
    "EMAIL": "[EMAIL]",
    "NAME": "[NAME]",
    "NPWP": "[NPWP]",
    "BPJS": "[BPJS]",
    "BANK_ACCOUNT": "[BANK_ACCOUNT]",
    "CARD": "[CARD]",
    "NIP": "[NIP]",
    "SIM": "[SIM]",
    "PASSPORT": "[PASSPORT]",
}
# Context given to lokal-id around a hint (characters before, after): a number's label comes before it
# ("NPWP", "no. rek"), a name follows its cue ("Halo Budi," needs the comma after it). Name windows were
# (24, 64): (8, 40) reads ~30% fewer characters with the same planted-PII figures on Jan-Nov 2022 hosts
# (and one "RT/RW : 003/007" no longer taken for a NIK).
_NUMBER_CONTEXT = (40, 24)
_NAME_CONTEXT_CHARS = (8, 40)
_CUT = 20  # how far a stretch may grow to end at a space
_MAX_PIECE = 4_000  # longest stretch handed to lokal-id at once


class Span(NamedTuple):
    start: int
    end: int
    placeholder: str


# ---------------------------------------------------------------------------------------------- helpers
# A literal "\n" (two characters) becomes " \n" in the detection view: same length, so offsets hold, and
# a real line break for the patterns ("...0001\nAlamat" stops a name or a number there).
_LITERAL_ESCAPE = re.compile(r"\\[nrt]")


def _view(text: str) -> str:
    if "\\" not in text:
        return text
    return _LITERAL_ESCAPE.sub(lambda m: " \n" if m.group(0)[1] == "n" else "  ", text)


def _trim(view: str, start: int, end: int) -> tuple[int, int]:
    while start < end and view[start].isspace():
        start += 1
    while end > start and view[end - 1].isspace():
        end -= 1
    return start, end


def _ascii_digits(s: str) -> str:
    return s if s.isascii() else "".join(str(unicodedata.digit(c, 0)) for c in s)


# ------------------------------------------------------------------------------------------------ lokal
# Words that follow "Bapak"/"Ibu" without being a name ("Bapak Walikota", "Ibu Kota", "pak RT", "ibu saya").
_NOT_A_NAME_AFTER_HONORIFIC = (
    "walikota|wali|wakil|camat|lurah|rt|rw|kepala|ketua|kadis|kasi|kabid|kasatpol|sekcam|seklur|gubernur|"
    "bupati|presiden|menteri|direktur|dirut|dokter|dr|guru|polisi|petugas|satpam|pejabat|pimpinan|jukir|"
    "driver|kurir|sopir|supir|bidan|perawat|bos|dewan|anggota|staf|staff|admin|operator|kota|rumah|"
    "dan|atau|saya|sy|kami|kita|anda|yang|yg|di|ke|dari|dr|untuk|utk|tidak|tdk|sudah|sdh|mohon|tolong|"
    "ini|itu|tsb|tersebut|juga|jg|dengan|dgn|bisa|minta|mau|sebagai|selaku|agar|supaya|hamil|menyusui"
)
# Cheap hints that lokal-id could find something of the kinds we want: 7+ digits, an "@", a name cue.
# Three small patterns are ~3x faster than one case-insensitive alternation: the name cues run on the
# lower-cased text, the few case-sensitive cues ("Dr. X", "saya Budi") on the text as written.
_DIGIT_HINT = re.compile(r"\d(?:[\s.\-()/]{0,2}\d){6}")
_AT_HINT = re.compile(r"@|\(\s*at\s*\)|\[\s*at\s*\]", re.IGNORECASE)
# lokal-id names someone after these cues. "nama" alone is mostly "nama jalan" or "atas nama warga": it is
# a cue only as a label ("Nama :", "nama orang tua =") or an introduction ("nama saya", "nama anak kami").
_NAME_HINT_TEXT = (
    r"\b(?:(?<!-)an\.|(?:namanya|namaku|bernama|a\s?\.\s?n|a/n|jeneng|nami|asma|almarhum|almarhumah|"
    r"inisial|berinisial|halo|hai|hallo|dear)\b"
    r"|nama\b(?:[^\n:=]{0,25}[:=]|\s+(?:lengkap\s+)?(?:saya|sy|aku|ku|gue|gw|anak|ibu|bapak|ayah|suami|istri|"
    r"adik|kakak|teman|orang\s+tua|akun|pengguna|pemilik|penerima|pengirim|pelanggan|nasabah|pasien|siswa|"
    r"karyawan|pemesan)\b)"
    # Roles and short forms of address: lokal-id takes only a capitalised name after them (checked later).
    r"|(?<!-)(?:(?P<weak>pelapor|terlapor|korban|pelaku|pasien|pak|bu|sdr|sdri|saudara|saudari|mas|mba|kak|"
    r"bang|tn|ny|nn)|bapak|bpk|bp|ibu|ibuk|mbak)\.?"
    rf"\s+(?!(?:{_NOT_A_NAME_AFTER_HONORIFIC})\b)[a-z])"
)
# The look-ahead on the first letters lets the engine skip most positions (~20% faster, same matches).
_NAME_HINT_LOWER = re.compile("(?=[abdhijkmnpst])" + _NAME_HINT_TEXT)  # on text.lower() when offsets hold
_NAME_HINT_ANY_CASE = re.compile(_NAME_HINT_TEXT, re.IGNORECASE)
_CASED_NAME_HINT_TEXT = (
    r"\b(?:(?:Dr|Drs|Dra|Prof|Ir|H|Hj|Alm|Almh|Mr|Mrs|Ms)\.\s*[A-Z]|(?:"
    + "|".join(f"{w}|{w.title()}|{w.upper()}" for w in ("saya", "aku", "pelanggan", "pemohon", "penerima"))
    + r")\s+[A-Z][a-z])"
)
_CASED_NAME_HINT = re.compile("(?=[ADHIMPSaps])" + _CASED_NAME_HINT_TEXT)

# A name cue followed by a placeholder ("bernama [NAME_1]", "Nama : [NAME]"): the name is already masked.
_MASKED_AFTER_CUE = re.compile(r"[ \t:=.,]*\[")


def _hints(
    view: str, low: str | None, own: list[Span], digit_runs: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Stretches of ``view`` where lokal-id could add something (hint plus context), by start.

    Digit runs and ``@`` that lie inside one of our own spans are settled: lokal-id's numeric and e-mail
    finds only count where ours found nothing, so asking it about them would be wasted work.
    """
    found: list[tuple[int, int]] = []
    numeric = list(digit_runs)  # 7+ digits, from _DIGIT_HINT
    numeric.extend(m.span() for m in _AT_HINT.finditer(view))
    if numeric:
        covered = sorted((s.start, s.end) for s in own)
        starts = [start for start, _ in covered]
        reach = list(itertools.accumulate((end for _, end in covered), max))  # furthest end so far
        for start, end in numeric:
            k = bisect.bisect_right(starts, start)
            if not (k and reach[k - 1] >= end):
                found.append((start - _NUMBER_CONTEXT[0], end + _NUMBER_CONTEXT[1]))
    name_hint = _NAME_HINT_LOWER if low is not None else _NAME_HINT_ANY_CASE
    scanned = low if low is not None else view
    for m in name_hint.finditer(scanned):
        if m.group("weak") is None or view[m.end() - 1].isupper():  # "Pak Budi", not "pak tolong"
            # "atas nama [NAME_1]": already masked, unless another cue hides in a long label
            # ("Nama Ibu Retno Siswa : [NAME_1]").
            if _MASKED_AFTER_CUE.match(view, m.end()) and not name_hint.search(
                scanned, m.start() + 1, m.end()
            ):
                continue
            found.append((m.start() - _NAME_CONTEXT_CHARS[0], m.end() + _NAME_CONTEXT_CHARS[1]))
    found.extend(
        (m.start() - _NAME_CONTEXT_CHARS[0], m.end() + _NAME_CONTEXT_CHARS[1])
        for m in _CASED_NAME_HINT.finditer(view)
    )
    found.sort()
    return found


_WEAK_NAME_CUE = re.compile(
    r"(?:^|[^\w])(?<!nama )(?<!nama  )(?:saya|aku|sy|gue|gw)(?:[ \t]+(?:adalah|ialah|ini))?[ \t]*,?[ \t]*$",
    re.IGNORECASE,
)
_SPAN_WORD = re.compile(r"[A-Za-z]+")
_AFTER_SENTENCE_END = re.compile(
    r"(?<![\w.])(?!(?:prof|sdri|almh|drs|dra)\b)[A-Za-z]{4,}[.!?][ \t]+$", re.IGNORECASE
)


def _known_names() -> frozenset[str]:
    """Indonesian given and family names (``data/names.txt``); a missing list raises, never weakens."""
    from lapor_nlp.text.lexicon import names  # noqa: PLC0415

    return names()


def _is_common_word(word: str) -> bool:
    """An Indonesian word rather than a name: a root, stopword, slang, or an affixed form of a root.

    Known given and family names (``data/names.txt``: "budi", "indah", "lestari") never count as common.
    """
    from lapor_nlp.text.lexicon import root_words, slang, stopwords  # noqa: PLC0415
    from lapor_nlp.text.stem import stem_word  # noqa: PLC0415

    word = word.lower()
    if word in _known_names():
        return False
    return word in root_words() or word in stopwords() or word in slang() or stem_word(word) != word


# Words that start a "name" only when lokal-id mistook a role, greeting or office for one.
_NOT_A_NAME_START_TEXT = (
    "yth walikota bayi kepala ketua kabid kasi kadis kasatpol seorang sdr sdri bpk bp pak bu ibu bapak wr wb "
    "salam wassalam wassalamualaikum assalamualaikum anak warga admin petugas pdam pln dinas pemkot "
    # places named like people: "Griya Benowo Indah", "Musholla Darul Barokah"
    "griya pondok perumahan perum taman graha villa puri bumi komplek kompleks blok pasar masjid musholla "
    "mushola musholah mushollah musala rs rsud toko warung kampung desa jalan jl jln gang gg wisma"
)
_NOT_A_NAME_START = frozenset(_NOT_A_NAME_START_TEXT.split())
# What may stand right before a name when a lower-confidence lokal-id "name" is all ordinary words.
_NAME_CONTEXT = re.compile(
    r"(?:atas\s+nama|a\s?\.?\s?n\s?\.?|a/n|nama\b[^\n]{0,25}?[:=]|nama\s+(?:saya|sy|aku|anak\w*|ibu\w*|"
    r"bapak\w*|suami\w*|istri\w*)|bernama|namanya|bapak|bpk\.?|bp\.|ibu|pak|bu|sdr\.?|sdri\.?|saudara|"
    r"saudari|mas|mbak|h\.|hj\.)[ \t]*$",
    re.IGNORECASE,
)


def _plausible_name(view: str, start: int, end: int, full_end: int | None = None) -> bool:
    """Filter lokal-id's NAME spans that are ordinary words in complaint prose.

    Dropped: "Saya Merantau Ke Surabaya" and "SAYA PEKERJAAN" (capitalised words after a bare "saya"),
    "Bapak Walikota. Lampu" (a sentence start after a title), "Yth. Kabid ...", "Wr Wb", "Salam", one
    short lower-case word, and any run of ordinary words not right after a name cue ("Bapak", "a.n.").
    """
    value = view[start:end]
    words = _SPAN_WORD.findall(value)
    if not words or words[0].lower() in _NOT_A_NAME_START:
        return False
    if len(words) == 1 and len(words[0]) <= 3 and words[0].islower():
        return False
    before = view[max(0, start - 40) : start]
    if _AFTER_SENTENCE_END.search(before[-20:]):
        return False
    if not all(_is_common_word(w) for w in words):
        return True
    # Ordinary words only: a name only right after a cue, and not when lokal-id's span went on into
    # capitalised prose ("Mohon Bapak Tindak Lanjuti"); "Bapak Jaya" stays a name.
    if _WEAK_NAME_CUE.search(before[-16:]) or not _NAME_CONTEXT.search(before):
        return False
    rest = _SPAN_WORD.findall(view[end : full_end if full_end is not None else end])
    return not any(w[0].isupper() and _is_inflected_or_function_word(w.lower()) for w in rest)


def _trim_name(view: str, start: int, end: int) -> int:
    """Cut a name before its first verb, function word or known abbreviation after the first word.

    lokal-id can run on past the name: "ibu siti rahayu mengeluh" -> "siti rahayu", "nama saya bambang
    lestari PJU mati" -> "bambang lestari". Bare roots stay: many names are also words ("rahayu", "indah").
    """
    for k, m in enumerate(_SPAN_WORD.finditer(view, start, end)):
        word = m.group(0).lower()
        if k and word not in _known_names() and _is_inflected_or_function_word(word):
            return _trim(view, start, m.start())[1]
    return end


def _is_inflected_or_function_word(word: str) -> bool:
    from lapor_nlp.text.lexicon import slang, stopwords  # noqa: PLC0415
    from lapor_nlp.text.stem import stem_word  # noqa: PLC0415

    return word in stopwords() or word in slang() or stem_word(word) != word


def _lokal_spans(view: str, hints: list[tuple[int, int]]) -> Iterator[Span]:
    from lokal import detect_pii  # noqa: PLC0415  (heavy import, only when a hint is present)

    types: list[Any] = list(LOKAL_TYPES)
    for start, end in _windows(view, hints):
        for m in detect_pii(view[start:end], types=types):
            s, e = _trim(view, start + m.start, start + m.end)
            if e <= s:
                continue
            # "Saya Merantau Ke Surabaya", "SAYA PEKERJAAN": after a bare "saya", capitalised ordinary
            # words are a writing style, not a name.
            if m.type == "NAME":
                full, e = e, _trim_name(view, s, e)
                if not _plausible_name(view, s, e, full):
                    continue
            yield Span(s, e, LOKAL_TYPES[m.type])


def _windows(view: str, hints: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """The hint stretches clipped to ``view``, merged when they touch, widened to end at spaces.

    lokal-id reads a name or number from its cue onwards, looking only a few words back (a label) and
    ahead, and a call costs about 3 microseconds per character: short stretches lose nothing it would
    find there and keep both complaints and 1 MB inputs cheap.
    """
    spans: list[list[int]] = []
    for start, end in hints:
        lo, hi = max(0, start), min(len(view), end)
        if spans and lo <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], hi)
        else:
            spans.append([lo, hi])
    for lo, hi in spans:
        if lo > 0:
            cut = view.rfind(" ", max(0, lo - _CUT), lo)
            lo = cut + 1 if cut >= 0 else lo
        if hi < len(view):
            cut = view.find(" ", hi, hi + _CUT)
            hi = cut if cut >= 0 else hi
        # lokal-id looks back to the start of the line for some kinds, which is quadratic on a long
        # single-line text: cut long stretches into overlapping pieces.
        while hi - lo > _MAX_PIECE:
            cut = view.rfind(" ", lo + _MAX_PIECE // 2, lo + _MAX_PIECE)
            cut = cut if cut > lo else lo + _MAX_PIECE
            yield lo, cut
            lo = max(lo + 1, cut - 2 * _NAME_CONTEXT_CHARS[1])
            space = view.find(" ", lo, cut)
            lo = space + 1 if 0 <= space < cut else lo
        yield lo, hi


# ----------------------------------------------------------------------------------- our digit patterns
# Digit groups joined by single spaces, dots or dashes: "3578 0123 4567 8901", "0812-3456-7890".
_CHAIN = re.compile(r"\d+(?:[ .\-\u00a0]\d+)*")  # each match starts a digit run (no look-behind: faster)
_GROUP = re.compile(r"\d+")
_BRACKET_LANDLINE = re.compile(r"(?<![\d\w])\(\s?0\d{2,3}\s?\)[ .\-]?\d{3,4}[ .\-]?\d{2,5}(?!\d)")
_BRACKET_COUNTRY = re.compile(r"\(\s?\+?\s?62\s?\)[ .\-]?\(?8\d{1,3}\)?(?:[ .\-]?\d{2,5}){1,3}(?!\d)")
_AREA_CODE = re.compile(r"0[2-79]\d{1,2}")
#: Kemendagri province codes, the first two digits of every NIK/KK (e.g. "35" Jawa Timur); the same as
#: lokal-id's ``lokal.PROVINCES`` (a test checks), kept here so that importing this module does not load
#: lokal-id (0.4 s), which is imported only when a text needs ``detect_pii``.
PROVINCE_CODES = frozenset(
    ("11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35", "36", "51")
    + ("52", "53", "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76", "81", "82", "91", "92")
    + ("93", "94", "95", "96")
)
_PROVINCES = PROVINCE_CODES
_ID_LABEL_BEFORE = re.compile(
    r"\b(?:nik|ktp|kk|e-?ktp|no\.?\s*kk|nomor\s+induk\s+kependudukan)\W{0,4}$", re.I
)
_CURRENCY_BEFORE = re.compile(r"(?:rp|idr|rupiah)\.?\s*$", re.IGNORECASE)


def _digit_spans(view: str, long_digit_run: bool = True) -> Iterator[Span]:
    """Our NIK/phone/long-number spans; ``long_digit_run=False`` (no 7-digit run) skips the digit chains."""
    if "(" in view:
        for m in _BRACKET_LANDLINE.finditer(view):
            yield Span(m.start(), m.end(), "[PHONE]")
    if "62" in view and "(" in view:
        for m in _BRACKET_COUNTRY.finditer(view):  # "(+62) 812 3456 7890"
            yield Span(m.start(), m.end(), "[PHONE]")
    if not long_digit_run:  # a chain worth classifying has 8+ digits, hence a 7-digit _DIGIT_HINT run
        return
    for chain in _CHAIN.finditer(view):
        if chain.end() - chain.start() < 7:
            continue
        groups = [
            (g.start(), g.end(), _ascii_digits(g.group(0))) for g in _GROUP.finditer(view, *chain.span())
        ]
        yield from _classify_chain(view, chain.start(), groups)


def _is_money(view: str, start: int, groups: list[tuple[int, int, str]]) -> bool:
    """``1.500.000`` or ``Rp 2 500 000``: thousands groups, or a currency right before."""
    if _CURRENCY_BEFORE.search(view[max(0, start - 8) : start]):
        return True
    first = groups[0][2]
    return (
        len(groups) > 1
        and not first.startswith("0")
        and len(first) <= 3
        and all(len(d) == 3 for _, _, d in groups[1:])
        and all(view[groups[k][1]] == "." for k in range(len(groups) - 1))
    )


def _looks_like_nik(groups: list[tuple[int, int, str]]) -> bool:
    """16 digits in groups: a province code, then a plausible birth date (day + 40 for women) or 4-4-4-4."""
    digits = "".join(d for _, _, d in groups)
    if digits[:2] not in _PROVINCES:
        return False
    if [len(d) for _, _, d in groups] == [4, 4, 4, 4]:
        return True
    day, month = int(digits[6:8]), int(digits[8:10])
    return (1 <= day <= 31 or 41 <= day <= 71) and 1 <= month <= 12


def _classify_chain(view: str, start: int, groups: list[tuple[int, int, str]]) -> Iterator[Span]:
    n = len(groups)
    total = sum(len(d) for _, _, d in groups)
    if total < 8 or (_is_money(view, start, groups) and all(len(d) < 16 for _, _, d in groups)):
        return
    used = [False] * n
    labelled = _ID_LABEL_BEFORE.search(view[max(0, start - 16) : start]) is not None
    # NIK/KK: 16 digits in one group, or over up to six groups with one kind of separator, right after a
    # NIK/KK label or shaped like a NIK (province code, then a birth date or 4-4-4-4 groups): "2022 2022
    # 2022 2022" and "12 12 2022 2022 2022" are lists of years. Longer runs: an unknown number.
    for i in range(n):
        if used[i]:
            continue
        count = 0
        for j in range(i, min(n, i + 6)):
            if used[j] or (
                j > i
                and (
                    (groups[i][2][:2] not in _PROVINCES and not (i == 0 and labelled))
                    or view[groups[j - 1][1]] != view[groups[i][1]]
                )
            ):
                break
            count += len(groups[j][2])
            if count == 16:
                if j == i or (i == 0 and labelled) or _looks_like_nik(groups[i : j + 1]):
                    yield Span(groups[i][0], groups[j][1], "[NIK]")
                    used[i : j + 1] = [True] * (j + 1 - i)
                break
            if count > 16:
                break
    plus = start > 0 and view[start - 1] == "+"
    i = 0
    while i < n:
        if used[i]:
            i += 1
            continue
        d = groups[i][2]
        nxt = groups[i + 1][2] if i + 1 < n and not used[i + 1] else ""
        is_intl = (
            d.startswith("628") or (i == 0 and plus and d.startswith("62")) or (d == "62" and nxt[:1] == "8")
        )
        is_mobile = d.startswith("08") or (d == "0" and nxt[:1] == "8")
        if is_intl or is_mobile:
            low, high = (11, 14) if is_intl else (10, 13)
            j, count = i, len(d)
            first_sep = view[groups[i][1]] if i + 1 < n else ""
            while j + 1 < n and not used[j + 1] and count + len(groups[j + 1][2]) <= high:
                size, sep = len(groups[j + 1][2]), view[groups[j][1]]
                # "0812 3456 7890" yes; "08123456789 10 meter", "0812.3456.7890 2-3 hari" no.
                if (size < 3 and not (j == i and len(d) <= 3)) or (count >= low and sep != first_sep):
                    break
                j += 1
                count += size
            if low <= count <= high:
                begin = groups[i][0] - (1 if i == 0 and plus else 0)
                yield Span(begin, groups[j][1], "[PHONE]")
                used[i : j + 1] = [True] * (j + 1 - i)
                i = j + 1
                continue
        if _AREA_CODE.fullmatch(d) and i + 1 < n and len(nxt) >= 3:  # landline "031 5678901", "0341-567-890"
            j, count = i + 1, len(nxt)
            while j + 1 < n and not used[j + 1] and 3 <= len(groups[j + 1][2]) <= 8 - count:
                j += 1
                count += len(groups[j][2])
            if 5 <= count <= 8:
                yield Span(groups[i][0], groups[j][1], "[PHONE]")
                used[i : j + 1] = [True] * (j + 1 - i)
                i = j + 1
                continue
        if len(d) in range(9, 13) and _AREA_CODE.match(d) and not d.startswith("08"):  # "0315678901"
            yield Span(groups[i][0], groups[i][1], "[PHONE]")
            used[i] = True
        i += 1
    for i in range(n):
        if not used[i] and len(groups[i][2]) > 16:
            yield Span(groups[i][0], groups[i][1], "[NUMBER]")
            used[i] = True
    # "NIK 357801234567890": a NIK/KK typed with a digit too few or too many, right after its label.
    if not any(used) and total in (15, 17) and labelled:
        yield Span(groups[0][0], groups[-1][1], "[NIK]")


# ------------------------------------------------------------------------------------- e-mail and names
_EMAIL = re.compile(
    r"(?<![\w.+\-])[A-Za-z0-9._%+\-]+\s?(?:@|\(\s?at\s?\)|\[\s?at\s?\])\s?[A-Za-z0-9\-]+"
    r"(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}(?![\w\-])"
)


_BRACKETED_AT = re.compile(r"[(\[]\s?at\s?[)\]]")


def _email_spans(view: str) -> Iterator[Span]:
    if "@" not in view and not _BRACKETED_AT.search(view):
        return
    for m in _EMAIL.finditer(view):
        yield Span(m.start(), m.end(), "[EMAIL]")


# Strong cues: what follows is a name even in lower case ("nama saya siti rahayu", "a.n. BUDI").
_STRONG_NAME_CUE_TEXT = (
    r"\b(?<!-)(?:atas\s+nama|a\s?\.\s?n\s?\.?|a/n|an\.|nama\s+(?:lengkap\s+)?(?:saya|sy|anak\s+saya|ibu\s+saya|"
    r"bapak\s+saya|suami\s+saya|istri\s+saya)|bernama|namanya)(?![A-Za-z])[ \t]*:?[ \t]*"
    r"|\b(?<!-)nama(?:\s+lengkap)?\s*:[ \t]*"  # "Nama :Budi" too
)
_STRONG_NAME_CUE = re.compile(_STRONG_NAME_CUE_TEXT, re.IGNORECASE)
_STRONG_NAME_CUE_LOWER = re.compile(_STRONG_NAME_CUE_TEXT)  # on text.lower() when offsets hold
_TITLES_TEXT = (
    "bapak ibu pak bu bpk bp sdr sdri saudara saudari h hj dr drs dra ir prof mas mbak alm almh ny tn nn"
)
_TITLES = frozenset(_TITLES_TEXT.split())
_NAME_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019]*\.?")
_NOT_NAME_TEXT = (
    "warga pribadi perusahaan instansi dinas pemerintah kelurahan kecamatan masyarakat rt rw ketua "
    "pengurus bapak ibu pak bu anak suami istri orang tua yang yg sendiri lengkap dan tersebut tsb "
    "saya sy kami aku di ke dari untuk utk dengan dgn adalah ialah nik kk no nomor hp wa telp alamat "
    "tinggal tgl tanggal lahir umur usia mau ingin akan sudah belum tidak tdk mohon minta tolong ini "
    "itu juga sebagai selaku atau serta pada dalam jalan jl jln gang gg kota kabupaten desa kampung "
    "sekolah pt cv ud toko yayasan koperasi bank almarhum almarhumah alm sdh blm ada punya bisa "
    "karena krn sejak mulai status terdaftar"
)
_NOT_NAME_WORDS = frozenset(_NOT_NAME_TEXT.split())


def _name_spans(view: str, low: str | None) -> Iterator[Span]:
    """Up to four words after a strong cue (``atas nama``, ``nama saya``, ``a.n.``, ``Nama :``).

    Capitalised words are taken; a lower-case word only when it is not an ordinary Indonesian word (or,
    for the first word, when an unknown word follows it). lokal-id finds most of these names too; this
    covers the cases where it gives up (a title right after the name, a literal ``\\n`` before it).
    """
    lower = low if low is not None else view.lower()
    if "nam" not in lower and "a.n" not in lower and "a/n" not in lower:
        return
    from lapor_nlp.text.lexicon import root_words  # noqa: PLC0415

    roots = root_words()
    cues = _STRONG_NAME_CUE_LOWER.finditer(low) if low is not None else _STRONG_NAME_CUE.finditer(view)
    for cue in cues:
        pos, words = cue.end(), list[re.Match[str]]()
        while len(words) < 4:
            m = _NAME_WORD.match(view, pos)
            if not m:
                break
            bare = m.group(0).rstrip(".").lower()
            if not words and bare in _TITLES:  # "atas nama Sdr. Budi": the name starts after the title
                pos = m.end() + (1 if view[m.end() : m.end() + 1] in (" ", "\t") else 0)
                continue
            if bare in _NOT_NAME_WORDS:
                break
            if not m.group(0)[0].isupper() and (bare in roots if words else _is_common_word(bare)):
                # "nama saya masih ..." is no name; "nama saya siti handayani" is (an unknown word follows).
                after = _NAME_WORD.match(view, m.end() + 1) if view[m.end() : m.end() + 1] == " " else None
                if (
                    words
                    or not after
                    or after.group(0)[0].isupper()
                    or _is_common_word(after.group(0).rstrip("."))
                ):
                    break
            words.append(m)
            if m.group(0).endswith(".") and len(bare) > 1:
                break
            nxt = view[m.end() : m.end() + 1]
            if nxt not in (" ", "\t"):
                break
            pos = m.end() + 1
        if words:
            end = words[-1].end() - (
                1 if words[-1].group(0).endswith(".") and len(words[-1].group(0)) > 2 else 0
            )
            start, full = words[0].start(), end
            end = _trim_name(view, start, end)
            if _plausible_name(view, start, end, full):  # "a.n. Kepala Keluarga" is no name
                yield Span(start, end, "[NAME]")


# ------------------------------------------------------------------------------------------------ merge
_SEPARATORS = re.compile(r"(?<=\d)[^\d]+(?=\d)")


def _plausible_number(span: Span, value: str) -> bool:
    """Filter lokal-id's numeric finds that are ordinary numbers written next to each other.

    Mixed separators ("12-05-2022 12-05-2022") are two dates, not one identifier; more than six groups
    or many short ones are a list of numbers; a "card" must be one run of digits or groups of four
    ("60293 2022 2022" passes the Luhn check by chance).
    """
    if span.placeholder in ("[NPWP]", "[PHONE]"):
        return True
    if len(set(_SEPARATORS.findall(value))) > 1:
        return False
    groups = _GROUP.findall(value)
    if len(groups) == 1:
        return True
    if len(groups) > 6 or sum(len(g) < 3 for g in groups) > 3:  # "12 12 2022 12 12 12 12"
        return False
    return span.placeholder != "[CARD]" or all(len(g) == 4 for g in groups[:-1])


def _overlaps(sorted_spans: list[tuple[int, int]], starts: list[int], span: Span) -> bool:
    """Whether ``span`` overlaps one of the non-overlapping ``sorted_spans`` (``starts`` = their starts)."""
    k = bisect.bisect_left(starts, span.end)
    return k > 0 and sorted_spans[k - 1][1] > span.start


def find_spans(text: str) -> list[Span]:
    """Non-overlapping spans of personal data in ``text`` (validated str), in reading order."""
    view = _view(text)
    lowered = view.lower()
    # A few characters change length in lower case ("İ"): then the offsets would not match, use the view.
    low = lowered if len(lowered) == len(view) else None
    digit_runs = [m.span() for m in _DIGIT_HINT.finditer(view)]
    spans = list(_digit_spans(view, bool(digit_runs)))
    spans.extend(_email_spans(view))
    spans.extend(_name_spans(view, low))
    hints = _hints(view, low, spans, digit_runs)
    if hints:
        # Our digit analysis knows where a NIK ends and a date begins; lokal-id's numeric kinds would
        # swallow "3578 0123 4567 8901 21 juli" whole, so they only count where ours found nothing.
        own = sorted((s.start, s.end) for s in spans if s.placeholder not in ("[NAME]", "[EMAIL]"))
        starts = [start for start, _ in own]
        for found in _lokal_spans(view, hints):
            numeric = found.placeholder not in ("[NAME]", "[EMAIL]")
            if not numeric or (
                not _overlaps(own, starts, found) and _plausible_number(found, view[found.start : found.end])
            ):
                spans.append(found)
    if not spans:
        return []
    spans.sort(key=lambda s: (s.start, -s.end))
    merged: list[Span] = []
    for s in spans:
        if merged and s.start < merged[-1].end:
            last = merged[-1]
            keep = last if last.end - last.start >= s.end - s.start else s
            merged[-1] = Span(last.start, max(last.end, s.end), keep.placeholder)
        else:
            merged.append(s)
    return merged


def redact(text: str) -> str:
    """Return ``text`` with personal data replaced by typed placeholders; nothing else changes.

    Placeholders: ``[NIK]`` (NIK and KK numbers, any 16-digit number), ``[PHONE]`` (mobile and landline),
    ``[EMAIL]``, ``[NAME]`` (names after cues such as ``atas nama``, ``nama saya``, ``Bapak``/``Ibu``), and
    ``[NPWP]``, ``[BPJS]``, ``[BANK_ACCOUNT]``, ``[CARD]``, ``[NIP]``, ``[SIM]``, ``[PASSPORT]``,
    ``[NUMBER]`` (any other run of 17+ digits). Dates, RT/RW, house numbers, money amounts, postal codes
    and other ordinary numbers are kept. The output never contains 16 consecutive digits.

    Bad input: ``None`` and other non-``str`` values raise :class:`~lapor_nlp.errors.TextTypeError`;
    empty and whitespace-only text is returned unchanged; lone surrogates are replaced by U+FFFD; long
    texts (1 MB and more) work in linear time.

    >>> redact("NIK 3578 0123 4567 0001, hp 0812-3456-7890, RT 05 RW 03")
    'NIK [NIK], hp [PHONE], RT 05 RW 03'
    """
    text = ensure_text(text, "redact")
    return _redact_cached(text) if len(text) <= _CACHED_LENGTH else _redact(text)


# Re-submitted complaints repeat their text word for word (~5% of a year's intake); a bounded memo of the
# latest texts answers them at once. Long texts are not kept.
_CACHED_LENGTH = 10_000


def _redact(text: str) -> str:
    spans = find_spans(text)
    if not spans:
        return text
    out: list[str] = []
    pos = 0
    for s in spans:
        out.append(text[pos : s.start])
        out.append(s.placeholder)
        pos = s.end
    out.append(text[pos:])
    return "".join(out)


_redact_cached = functools.lru_cache(maxsize=4096)(_redact)
