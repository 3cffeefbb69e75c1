"""De-noising of raw complaint text: escapes, mojibake, URLs, emoji, case, elongation, punctuation.

:func:`clean` knows no slang, stopwords or stems; it only makes the surface words comparable. Javanese and
other regional words are kept as written.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata

from lapor_nlp.text import placeholders
from lapor_nlp.text._input import ensure_text
from lapor_nlp.text.lexicon import known_words

# "\n" typed as two characters (how the source exports stored line breaks), also doubled: "\\n".
_LITERAL_ESCAPE = re.compile(r"\\+[nrt]")
# Control characters as Excel's XML stores them ("_x000D_" for a carriage return, "_x000A_", "_x0009_").
_EXCEL_ESCAPE = re.compile(r"_x00[01][0-9a-f]_", re.IGNORECASE)
# Applied to lower-cased text (case-insensitive matching costs ~50% more); ``_URL_HINT`` finds every text
# where ``_URL`` can match (a scheme, "www." or a dot before a letter or digit) with one quick scan.
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[a-z0-9][a-z0-9-]*+(?:\.[a-z0-9-]++)++(?:/\S*)?")
_URL_HINT = re.compile(r"\.[a-z0-9-]|https?://|www\.")
_TLDS = frozenset(("com", "net", "org", "id", "ly", "me", "io", "gl", "co", "info", "app", "go", "ac", "sch"))


# Path words that only say how a site is built, not what the complaint is about.
_URL_NOISE = frozenset(("amp", "asp", "aspx", "htm", "html", "index", "php", "read", "www"))
_URL_PIECE = re.compile(r"\[[A-Za-z_0-9]+\]|[^\W_]+")


def _is_path_word(piece: str) -> bool:
    if piece.startswith("["):  # a redaction placeholder stays one
        return True
    return piece.isalpha() and len(piece) > 1 and piece not in _URL_NOISE  # the text is lower-cased


def _url_words(url: str) -> str:
    """The words of a URL's path (``/berita/banjir-di-rungkut-123.html`` -> ``berita banjir di rungkut``).

    Host, query string and fragment are dropped; so are numbers, ids mixing letters and digits
    (``cabcd12``), single letters and file extensions. Placeholders (``[phone]``) stay one token.
    """
    rest = url.split("://", 1)[-1]
    path = rest.split("?", 1)[0].split("#", 1)[0].partition("/")[2]
    words = [piece for piece in _URL_PIECE.findall(path) if _is_path_word(piece)]
    return f" {' '.join(words)} "


def _drop_url(match: re.Match[str]) -> str:
    found = match.group(0)
    if found[:4].lower() in ("http", "www."):
        return _url_words(found)
    host = found.split("/", 1)[0]
    tld = host.rsplit(".", 1)[-1].lower()
    return _url_words(found) if tld in _TLDS and not host.replace(".", "").isdigit() else found


_PLACEHOLDER_TOKEN = "|".join(sorted(placeholders.TOKENS, key=len, reverse=True))
# Placeholder tokens, runs of letters, runs of digits: "rt05" -> "rt", "05"; emoji and punctuation vanish.
_TOKEN = re.compile(rf"[^\W\d_]+|\d+|(?:{_PLACEHOLDER_TOKEN})")  # letters first: most tokens are words
_APOSTROPHE = re.compile("(?<=[^\\W\\d_])['\u2019`\u00b4](?=[^\\W\\d_])")
_NON_ASCII_APOSTROPHE = re.compile("[\u2019`\u00b4]")
_TRIPLE = re.compile(r"([a-z])\1{2,}")
_DOUBLE = re.compile(r"([a-z])\1")
_DOUBLES = re.compile(r"([a-z])\1+")

# Mojibake: UTF-8 bytes decoded as Windows-1252 (undefined bytes kept as C1 controls), e.g. "ðŸ™\x8f".
_CP1252_BYTE: dict[str, int] = {}
for _b in range(256):
    try:
        _CP1252_BYTE[bytes([_b]).decode("cp1252")] = _b
    except UnicodeDecodeError:
        _CP1252_BYTE[chr(_b)] = _b
_MOJIBAKE_RUN = re.compile("[" + "".join(re.escape(c) for c in _CP1252_BYTE if ord(c) >= 0x80) + "]{2,}")
_MOJIBAKE_HINT = re.compile("[\u00c2-\u00f4][\u0080-\u00bf\u0152-\u0178\u02c6-\u2122]")


def _decode_run(match: re.Match[str]) -> str:
    run = match.group(0)
    raw = bytes(_CP1252_BYTE[c] for c in run)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Exports often lost a byte the code page lacks ("ðŸ™" is U+1F64F without its last byte 0x8F): a run
    # that is mostly UTF-8 is decoded and its broken sequences become a word break.
    decoded = raw.decode("utf-8", errors="replace")
    if decoded.count("\ufffd") * 2 < len(run):
        return decoded.replace("\ufffd", " ")
    return run


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 text that was decoded as Windows-1252: ``"ðŸ™\\x8f"`` -> ``"🙏"``, ``"Ã©"`` -> ``"é"``.

    A run that lost a byte on the way (``"ðŸ™"``) keeps its decodable part; the broken sequence becomes
    a space.

    Runs that do not decode to valid UTF-8 (genuine accented text such as ``"café"``) are left as they are.
    """
    if text.isascii() or not _MOJIBAKE_HINT.search(text):
        return text
    return _MOJIBAKE_RUN.sub(_decode_run, text)


# NFKD never reorders across an ASCII character (a starter that does not decompose), so decomposing only
# the non-ASCII runs gives the same text as decomposing it all, at a fraction of the cost.
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


def _strip_accents(match: re.Match[str]) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", match.group(0)) if not unicodedata.combining(c))


def raw_tokens(text: str) -> list[str]:
    """Lower-cased surface tokens of an already validated ``text``, before elongation repair."""
    text = fix_mojibake(text)
    if "_x00" in text or "_X00" in text:
        text = _EXCEL_ESCAPE.sub(" ", text)
    if "\\" in text:
        text = _LITERAL_ESCAPE.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    text = text.lower()
    if "." in text and _URL_HINT.search(text):
        text = _URL.sub(_drop_url, text)
    if "'" in text or (not text.isascii() and _NON_ASCII_APOSTROPHE.search(text)):
        text = _APOSTROPHE.sub("", text)
    text = placeholders.to_tokens(text)
    if not text.isascii():
        text = _NON_ASCII_RUN.sub(_strip_accents, text)
    return _TOKEN.findall(text)


@functools.lru_cache(maxsize=1 << 17)
def normalise_word(word: str) -> str:
    """Squeeze elongated letters: ``tolonggg`` -> ``tolong``, ``maaaf`` -> ``maaf``,
    ``bangett`` -> ``banget``.

    Three or more repeats always go (to one letter, or two when only that is a known word); a doubled
    letter is dropped only when the word is unknown and the single-letter form is known.
    """
    if not _DOUBLE.search(word):
        return word
    known = known_words()
    if _TRIPLE.search(word):
        single = _TRIPLE.sub(r"\1", word)
        if single in known:
            return single
        double = _TRIPLE.sub(r"\1\1", word)
        if double in known:
            return double
        word = single
    if word not in known:
        single = _DOUBLES.sub(r"\1", word)
        if single in known:
            return single
    return word


def clean(text: str) -> str:
    """Lower-cased, de-noised surface words of ``text``, single-spaced.

    Literal ``\\n`` sequences, Excel's ``_x000D_`` escapes, real newlines, emoji and punctuation become
    word breaks; a URL becomes the words of its path (host, query string and ids are dropped: a
    complaint that is only a link is about what the link's words say). Mojibake is repaired, accents
    are dropped, elongations are squeezed (``tolonggg`` -> ``tolong``) and letters are split from
    digits (``rt05`` -> ``rt 05``). Placeholders such as ``[NAME_1]`` or ``[NIK]`` become one token
    (``__name__``, ``__nik__``). No slang, stopword or stemming step is applied.

    Bad input: ``None`` and other non-``str`` values raise :class:`~lapor_nlp.errors.TextTypeError`;
    empty, whitespace-only or punctuation-only text gives ``""``; lone surrogates are dropped; any
    length is accepted (time is linear in the length).

    >>> clean("Jln RUSAK parahhh!!!\\\\nTolong dicek https://x.id/a [NAME_1]")
    'jln rusak parah tolong dicek __name__'
    """
    text = ensure_text(text, "clean")
    return " ".join(w if w in placeholders.TOKENS else normalise_word(w) for w in raw_tokens(text))
