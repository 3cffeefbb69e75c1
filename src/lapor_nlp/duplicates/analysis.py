"""Turn one complaint into what duplicate detection compares: words, place mentions, placeholders.

Everything here is a pure function of the text (no corpus statistics), so an analysed complaint can be
stored in the index and compared later with corpus-wide word weights. Tokenisation is deliberately
simple and self-contained (lower-case letter/digit runs, placeholders kept): it runs once per complaint
at a million-complaint scale, and saved indexes must not change meaning when the richer
:mod:`lapor_nlp.text` pipeline evolves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words that introduce a place, mapped to the kind of place they introduce.
_PLACE_CUES: dict[str, str] = {
    "jl": "street",
    "jln": "street",
    "jalan": "street",
    "jalanan": "street",
    "raya": "street",
    "gg": "gang",
    "gang": "gang",
    "gng": "gang",
    "lorong": "gang",
    "no": "number",
    "nomor": "number",
    "nmr": "number",
    "nomer": "number",
    "blok": "number",
    "rt": "rt",
    "rw": "rw",
    "titik": "point",
    "perum": "estate",
    "perumahan": "estate",
    "kampung": "estate",
    "kp": "estate",
    "rusun": "estate",
    "kel": "area",
    "kelurahan": "area",
    "kec": "area",
    "kecamatan": "area",
    "desa": "area",
    "depan": "landmark",
    "dpn": "landmark",
    "seberang": "landmark",
    "sebelah": "landmark",
    "samping": "landmark",
    "belakang": "landmark",
    "dekat": "landmark",
    "sekitar": "landmark",
}
# Words that end a place name (generic complaint vocabulary, function words).
_NAME_STOP: frozenset[str] = frozenset(
    [
        "yang",
        "yg",
        "di",
        "ke",
        "dari",
        "dan",
        "atau",
        "dengan",
        "dgn",
        "untuk",
        "utk",
        "pada",
        "pd",
        "ini",
        "itu",
        "tsb",
        "tersebut",
        "sudah",
        "sdh",
        "telah",
        "belum",
        "blm",
        "tidak",
        "tdk",
        "gak",
        "ga",
        "nggak",
        "ada",
        "mohon",
        "tolong",
        "minta",
        "segera",
        "karena",
        "krn",
        "sehingga",
        "agar",
        "supaya",
        "tapi",
        "namun",
        "rusak",
        "mati",
        "padam",
        "berlubang",
        "bolong",
        "macet",
        "banjir",
        "tergenang",
        "genangan",
        "kotor",
        "bau",
        "gelap",
        "sampah",
        "lampu",
        "pju",
        "depan",
        "belakang",
        "samping",
        "sebelah",
        "dekat",
        "sekitar",
        "sepanjang",
        "tepatnya",
        "tepat",
        "arah",
        "menuju",
        "masuk",
        "ujung",
        "pojok",
        "kanan",
        "kiri",
        "utara",
        "selatan",
        "timur",
        "barat",
        "tengah",
        "saya",
        "kami",
        "kita",
        "warga",
        "bapak",
        "ibu",
        "pak",
        "bu",
        "mas",
        "mbak",
        "min",
        "admin",
        "akibat",
        "nya",
        "memperbaiki",
        "perbaikan",
        "diperbaiki",
        "paving",
        "aspal",
        "saluran",
        "got",
        "selokan",
        "sungai",
        "air",
        "pohon",
        "kabel",
        "juga",
        "lagi",
        "masih",
        "sering",
        "setiap",
        "hari",
        "malam",
        "pagi",
        "siang",
        "sore",
        "bulan",
        "tahun",
        "minggu",
        "sejak",
        "mulai",
        "sampai",
        "hingga",
        "sangat",
        "banyak",
        "sekali",
        "cukup",
        "agak",
        "para",
        "semua",
        "rumah",
        "jadi",
        "bisa",
        "akan",
        "harus",
        "perlu",
        "terima",
        "kasih",
        "terimakasih",
        "kota",
        "surabaya",
        "sby",
        "kelurahan",
        "kecamatan",
        "kel",
        "kec",
        "rt",
        "rw",
        "no",
        "gang",
        "gg",
        "jalan",
        "jl",
        "jln",
    ]
)
_NAME_STOP |= frozenset(
    [
        "yng",
        "ingin",
        "tlng",
        "serta",
        "bila",
        "jika",
        "kalau",
        "ketika",
        "saat",
        "sebelum",
        "setelah",
        "sesudah",
        "didepan",
        "dibelakang",
        "disamping",
    ]
)
# Directions are part of a street name only right after it ("krukah timur"), never its first word.
_DIRECTIONS: frozenset[str] = frozenset(["utara", "selatan", "timur", "barat", "tengah"])
# Placeholders as written by the data masker (``[NAME_1]``) or by lapor_nlp.text.clean (``__name__``).
_PLACEHOLDER = re.compile(r"^(?:\[([a-z]+)(?:_\d+)?\]|__([a-z]+)__)$")
_TOKEN_MAX_LEN = 40
_LITERAL_ESCAPE = re.compile(r"\\[nrt]")
_URL = re.compile(r"(?:https?://|www\.)\S+")
_URL_PIECE = re.compile(r"\[[a-z]+(?:_\d+)?\]|[^\W_]+")
_URL_NOISE = frozenset(("amp", "asp", "aspx", "htm", "html", "index", "php", "read", "www"))
_WORD = re.compile(r"\[[a-z]+(?:_\d+)?\]|__[a-z]+__|[^\W\d_]+|\d+")
_ELONGATED = re.compile(r"([a-z])\1{2,}")


@dataclass(frozen=True, slots=True)
class Analysis:
    """A complaint reduced to comparable parts.

    Attributes
    ----------
    words : tuple of str
        Normalised word tokens in order (placeholders such as ``[NAME_1]`` become ``[name]``).
    places : tuple of str
        Place mentions as ``kind:token`` strings (``gang:manggis``, ``rt:6``, ``street:krukah``).
    """

    words: tuple[str, ...]
    places: tuple[str, ...]


def _url_path_words(match: re.Match[str]) -> str:
    """A URL's path words (``/kota/banjir-di-rungkut-12.html?x=1`` -> ``kota banjir di rungkut``): a
    complaint that is only a link is about them. Host, query, fragment, numbers and ids are dropped."""
    path = match.group(0).split("://", 1)[-1].split("?", 1)[0].split("#", 1)[0].partition("/")[2]
    pieces = _URL_PIECE.findall(path)
    kept = [p for p in pieces if p[0] == "[" or (p.isalpha() and len(p) > 1 and p not in _URL_NOISE)]
    return f" {' '.join(kept)} "


def tokenize(text: str) -> list[str]:
    """Return the normalised word tokens of ``text`` (empty list for empty or noise-only text)."""
    text = _ELONGATED.sub(r"\1", _LITERAL_ESCAPE.sub(" ", text.lower()))
    if "http" in text or "www." in text:
        text = _URL.sub(_url_path_words, text)
    found = _WORD.findall(text)
    if "[" not in text and "__" not in text:  # fast path: no placeholders
        return (
            found
            if max(map(len, found), default=0) <= _TOKEN_MAX_LEN
            else [t[:_TOKEN_MAX_LEN] for t in found]
        )
    out = []
    for tok in found:
        if tok[0] in "[_":
            m = _PLACEHOLDER.match(tok)
            tok = f"[{m.group(1) or m.group(2)}]" if m else tok.strip("[]_")
            if not tok:
                continue
        out.append(tok if len(tok) <= _TOKEN_MAX_LEN else tok[:_TOKEN_MAX_LEN])
    return out


def place_mentions(words: list[str] | tuple[str, ...]) -> list[str]:
    """Extract ``kind:token`` place mentions that follow a cue word (``jl``, ``gang``, ``rt`` ...).

    A name runs for up to three tokens after the cue and stops at generic complaint words; numbers are
    kept (``gang 5``, ``rt 06`` -> ``rt:6``), so two reports that differ only in the gang, street, house
    number or RT/RW carry conflicting mentions.
    """
    out: list[str] = []
    n = len(words)
    cues = _PLACE_CUES.keys() & set(words)
    if not cues:
        return out
    for i, w in enumerate(words):
        if w not in cues:
            continue
        kind = _PLACE_CUES[w]
        taken = 0
        j = i + 1
        while j < n and taken < 3:
            tok = words[j]
            if tok in _PLACE_CUES and taken > 0:
                break
            if tok in _NAME_STOP and not (taken > 0 and tok in _DIRECTIONS):
                break
            if tok.startswith("["):
                break
            if tok.isdecimal():  # "²" is a digit int() cannot read
                tok = str(int(tok)) if len(tok) < 12 else tok
            out.append(f"{kind}:{tok}")
            taken += 1
            j += 1
            if tok.isdigit() or (kind in ("number", "rt", "rw") and taken == 1):
                break
    return out


def analyze(text: str) -> Analysis:
    """Analyse one complaint text (see :class:`Analysis`)."""
    words = tokenize(text)
    return Analysis(words=tuple(words), places=tuple(dict.fromkeys(place_mentions(words))))
