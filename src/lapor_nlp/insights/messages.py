"""Plain-language alert sentences, one message catalogue per language (Indonesian first).

Each alert of :func:`lapor_nlp.insights.detect_emerging` becomes one sentence an official can read, e.g.
``"Banjir di Kecamatan Rungkut: 14 laporan pada minggu 7 Mar 2022, biasanya 2"``.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from lapor_nlp.errors import InputError

#: Month abbreviations per language (index 0 is January).
MONTHS: dict[str, tuple[str, ...]] = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}

#: Message catalogue: language -> key -> template. Both languages have the same keys (tested).
CATALOGUE: dict[str, dict[str, str]] = {
    "id": {
        "place.kecamatan": "Kecamatan {name}",
        "place.kelurahan": "Kelurahan {name}",
        "subject.in_place": "{what} di {where}",
        "period.W": "pada minggu {date}",
        "period.M": "pada bulan {date}",
        "alert": "{subject}: {count} laporan {period}, biasanya {usual}",
    },
    "en": {
        "place.kecamatan": "Kecamatan {name}",
        "place.kelurahan": "Kelurahan {name}",
        "subject.in_place": "{what} in {where}",
        "period.W": "in the week of {date}",
        "period.M": "in {date}",
        "alert": "{subject}: {count} complaints {period}, usually {usual}",
    },
}

_PLACES = ("kecamatan", "kelurahan")


def _catalogue(language: str) -> dict[str, str]:
    if language not in CATALOGUE:
        raise InputError(f"unknown language {language!r}; expected one of {sorted(CATALOGUE)}")
    return CATALOGUE[language]


def format_date(day: pd.Timestamp, language: str = "id", *, with_day: bool = True) -> str:
    """``15 Feb 2023`` (or ``Feb 2023`` without the day) with the language's month abbreviation."""
    month = MONTHS[language if language in MONTHS else "id"][day.month - 1]
    return f"{day.day} {month} {day.year}" if with_day else f"{month} {day.year}"


def _number(value: float, language: str) -> str:
    text = f"{value:.1f}".removesuffix(".0")
    return text.replace(".", ",") if language == "id" else text


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
