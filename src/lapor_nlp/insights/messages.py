"""The report's words, numbers and dates, one message catalogue per language (Indonesian first).

The catalogues are ``i18n/id.json`` and ``i18n/en.json`` beside this module, with the same keys (tested):
headings, plot titles and axes, table headers, notes and the alert sentences. Numbers, percentages and
dates are formatted by Babel for the language's locale (``15,3%`` and ``15 Feb 2023`` in Indonesian).

Each alert of :func:`lapor_nlp.insights.detect_emerging` becomes one sentence an official can read, e.g.
``"Banjir di Kecamatan Rungkut: 14 laporan pada minggu 7 Mar 2022, biasanya 2"``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from importlib import resources

import pandas as pd
from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal, format_percent

from lapor_nlp.errors import InputError

LANGUAGES: tuple[str, ...] = ("id", "en")
#: Babel locale per language.
LOCALES: dict[str, str] = {"id": "id_ID", "en": "en"}


def _load(language: str) -> dict[str, str]:
    text = resources.files("lapor_nlp.insights").joinpath("i18n", f"{language}.json").read_text("utf-8")
    messages: dict[str, str] = json.loads(text)
    return messages


#: Message catalogue: language -> key -> template. Both languages have the same keys (tested).
CATALOGUE: dict[str, dict[str, str]] = {language: _load(language) for language in LANGUAGES}

#: Month abbreviations per language (index 0 is January), as Babel writes them.
MONTHS: dict[str, tuple[str, ...]] = {
    language: tuple(
        babel_format_date(pd.Timestamp(2024, m, 1).date(), "MMM", locale=LOCALES[language])
        for m in range(1, 13)
    )
    for language in LANGUAGES
}

_PLACES = ("kecamatan", "kelurahan")
_HOURS_UP_TO = 48.0  # durations up to two days read as hours, longer ones as days


def _catalogue(language: str) -> dict[str, str]:
    if language not in CATALOGUE:
        raise InputError(f"unknown language {language!r}; expected one of {sorted(CATALOGUE)}")
    return CATALOGUE[language]


def format_date(day: pd.Timestamp, language: str = "id", *, with_day: bool = True) -> str:
    """``15 Feb 2023`` (or ``Feb 2023`` without the day) in the language's locale (Babel)."""
    locale = LOCALES[language if language in LOCALES else "id"]
    return babel_format_date(pd.Timestamp(day).date(), "d MMM y" if with_day else "MMM y", locale=locale)


class Messages:
    """The catalogue and number/date formats of one language: ``msg("key", name=value)``."""

    def __init__(self, language: str = "id") -> None:
        self.language = language
        self.catalogue = _catalogue(language)
        self.locale = LOCALES[language]

    def __call__(self, key: str, **values: object) -> str:
        """The message ``key`` with ``values`` filled in (a missing key is a ``KeyError``)."""
        return self.catalogue[key].format(**values)

    def has(self, key: str) -> bool:
        """Whether the catalogue has ``key``."""
        return key in self.catalogue

    def number(self, value: float, digits: int = 1) -> str:
        """``1.234,5`` in Indonesian, ``1,234.5`` in English; at most ``digits`` decimals."""
        return str(format_decimal(value, format=f"#,##0.{'#' * digits}", locale=self.locale))

    def integer(self, value: float) -> str:
        """A whole number with the locale's grouping (``12.345``)."""
        return str(format_decimal(round(float(value)), format="#,##0", locale=self.locale))

    def percent(self, share: float, digits: int = 1) -> str:
        """A fraction as a percentage: ``0.153`` -> ``15,3%`` (Indonesian)."""
        return str(format_percent(share, format=f"#,##0.{'#' * digits}%", locale=self.locale))

    def date(self, day: pd.Timestamp, *, with_day: bool = True) -> str:
        """``15 Feb 2023`` (``Feb 2023`` without the day)."""
        return format_date(day, self.language, with_day=with_day)

    def duration(self, hours: float) -> str:
        """Hours up to two days (``5,2 jam``), days beyond (``3,5 hari``)."""
        if hours <= _HOURS_UP_TO:
            return self("unit.hours", value=self.number(hours))
        return self("unit.days", value=self.number(hours / 24.0))

    def days(self, days: float) -> str:
        """A duration given in days, in hours or days as fits."""
        return self.duration(days * 24.0)

    def dimension(self, name: str) -> str:
        """The word for a grouping column (``agency`` -> ``instansi``)."""
        key = f"dim.{name}"
        return self(key) if key in self.catalogue else name

    def column(self, name: str) -> str:
        """The table header of column ``name``."""
        key = f"col.{name}"
        return self(key) if key in self.catalogue else name

    def note(self, text: str) -> str:
        """A data-quality note of :mod:`lapor_nlp.insights.data` (English) in this language."""
        for pattern, key in _NOTES:
            match = pattern.fullmatch(text)
            if match:
                return self(key, **match.groupdict())
        return text


#: English data-quality notes (as :func:`~lapor_nlp.insights.data.prepare_complaints` and the report
#: write them) -> catalogue key; named groups are the message's values.
_NOTES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (
            r"(?P<n>\d+) row\(s\) with an unparseable submitted_at were left out of every figure\.",
            "note.unparseable_submitted",
        ),
        (
            r"(?P<n>\d+) row\(s\) with an empty submitted_at were left out of every figure\.",
            "note.empty_submitted",
        ),
        (r"No 'id' column: complaints are identified by their row number\.", "note.no_id"),
        (r"(?P<n>\d+) row\(s\) with an unparseable responded_at: .*", "note.unparseable_responded"),
        (r"(?P<n>\d+) row\(s\) were answered before they were submitted; .*", "note.answered_before"),
        (r"No 'responded_at' column: response times and backlog are not available\.", "note.no_responded"),
        (r"No 'text' column: .*", "note.no_text"),
        (r"No (?P<columns>'.*') column\(s\): those breakdowns are skipped\.", "note.missing_dims"),
        (r"Cannot watch (?P<columns>.*) for emerging issues: no such column\(s\)\.", "note.unknown_watch"),
        (
            r"(?P<n>\d+) decision row\(s\) with a routing other than 'auto'/'review' were ignored\.",
            "note.bad_routing",
        ),
        (
            r"(?P<n>\d+) decision row\(s\) with an unparseable (?P<column>\w+) "
            r"were left out of decision times\.",
            "note.unparseable_decision_date",
        ),
        (r"No 'final_category'/'final_agency' columns: .*", "note.no_finals"),
        (
            r"No '(?P<column>suggested_\w+)' column: no override rate per (?P<target>\w+)\.",
            "note.no_suggested",
        ),
        (r"No 'reviewer' column: no figures per reviewer\.", "note.no_reviewer"),
        (r"No 'received_at'/'decided_at' columns: .*", "note.no_decision_times"),
        (
            r"(?P<n>\d+) decision\(s\) dated before intake were left out of decision times\.",
            "note.decided_before",
        ),
    )
)


def _number(value: float, language: str) -> str:
    return Messages(language).number(value)


def alert_sentence(alert: Mapping[str, object], language: str = "id", *, freq: str = "W") -> str:
    """One sentence for an alert row (``dimension``, ``group``, ``period``, ``complaints``,
    ``baseline_median`` and, when present, ``focus``: the place or category most of its complaints share).
    """
    msg = _catalogue(language)
    dimension, group = str(alert["dimension"]), str(alert["group"])
    focus = alert.get("focus")
    focus = str(focus) if isinstance(focus, str) and focus else None
    if dimension in _PLACES:
        subject = msg[f"place.{dimension}"].format(name=group)
        if focus:
            subject = msg["subject.in_place"].format(what=focus, where=subject)
    else:
        subject = group
        if focus:
            where = msg["place.kecamatan"].format(name=focus)
            subject = msg["subject.in_place"].format(what=group, where=where)
    period = pd.Timestamp(alert["period"])
    when = msg[f"period.{'M' if freq == 'M' else 'W'}"].format(
        date=format_date(period, language, with_day=freq != "M")
    )
    return msg["alert"].format(
        subject=subject,
        count=int(alert["complaints"]),  # type: ignore[call-overload]
        period=when,
        usual=_number(float(alert["baseline_median"]), language),  # type: ignore[arg-type]
    )
