"""The review page's message catalogues: same keys in every language, no text left outside them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app.i18n import DEFAULT_LANGUAGE, LANGUAGES, catalogue, pick_language

APP = Path(__file__).resolve().parents[1] / "app"
TEMPLATE = (APP / "templates" / "admin.html").read_text(encoding="utf-8")
SCRIPT = (APP / "static" / "admin.js").read_text(encoding="utf-8")
KBD_KEYS = {
    "a",
    "c",
    "d",
    "g",
    "j",
    "k",
    "p",
    "r",
    "u",
    "1",
    "2",
    "3",
    "Shift",
    "Enter",
    "Esc",
}  # key caps, the same in every language


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def test_i18n_catalogues_have_the_same_keys_and_placeholders() -> None:
    assert LANGUAGES[0] == DEFAULT_LANGUAGE == "id"
    indonesian, english = catalogue("id"), catalogue("en")
    assert set(indonesian) == set(english)
    for key, text in indonesian.items():
        assert text.strip() and english[key].strip(), key
        assert _placeholders(text) == _placeholders(english[key]), key
    assert indonesian["button.accept"] == "Terima" and indonesian["target.confidence"] == "Keyakinan"
    months = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
    assert indonesian["date.months"].split() == months
    assert english["date.months"].split()[4:8] == ["May", "Jun", "Jul", "Aug"]
    for path in (APP / "i18n").glob("*.json"):  # every file on disk is a declared language
        assert path.stem in LANGUAGES and json.loads(path.read_text(encoding="utf-8"))


def test_i18n_every_key_used_exists() -> None:
    used = set(re.findall(r"""\bt\(\s*["']([\w.]+\w)["']""", TEMPLATE + SCRIPT))
    assert len(used) > 40
    assert used <= set(catalogue("id")), used - set(catalogue("id"))
    prefixes = set(re.findall(r"""\bt\(\s*["']([\w]+\.)["']\s*\+""", TEMPLATE + SCRIPT))
    prefixes |= set(re.findall(r"""["']((?:decision|error|outcome)\.)["']\s*\+""", SCRIPT))
    assert {"target.", "lang.", "decision.", "error.", "outcome."} <= prefixes
    for prefix in prefixes:
        assert any(k.startswith(prefix) for k in catalogue("id")), prefix
    for outcome in ("accepted", "overridden", "duplicate"):
        assert f"outcome.{outcome}" in catalogue("en")
    for decision in ("auto", "review"):
        assert f"decision.{decision}" in catalogue("en")


def test_i18n_template_has_no_hard_coded_text() -> None:
    html = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", TEMPLATE, flags=re.S)
    for attr in re.findall(r'\s(?:title|aria-label|placeholder|alt)="([^"]*)"', html):
        assert not re.search(r"[A-Za-z]", attr), attr
    html = re.sub(r"<kbd>([^<]*)</kbd>", lambda m: "" if m.group(1) in KBD_KEYS else m.group(0), html)
    text = re.sub(r"<[^>]+>", " ", html).replace("lapor-nlp", "")
    assert re.findall(r"[A-Za-z]{2,}", text) == []


def test_i18n_script_has_no_hard_coded_text() -> None:
    code = re.sub(r"^\s*//.*$", "", SCRIPT, flags=re.M)
    literals = re.findall(r'"((?:[^"\\\n]|\\.)*)"', code) + re.findall(r"'((?:[^'\\\n]|\\.)*)'", code)
    prose = [
        s
        for s in literals
        if re.search(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}", s) and not s.startswith(("#", ".")) and s != "use strict"
    ]
    assert prose == []
    shown = r"(?:textContent\s*\+?=|toast\(|showLogin\(|new Error\()\s*[\"'][^\"']*[A-Za-z]"
    assert re.findall(shown, code) == []


def test_i18n_pick_language() -> None:
    assert pick_language(None, None) == "id"
    assert pick_language("en", "id") == "en"
    assert pick_language("fr", "en") == "en"
    assert pick_language("", None) == "id"
    with pytest.raises(KeyError, match="expected one of"):
        catalogue("fr")


def test_admin_page_is_indonesian_unless_asked(sqlite_client: TestClient) -> None:
    page = sqlite_client.get("/admin")
    assert page.status_code == 200 and '<html lang="id">' in page.text
    assert (
        "Menunggu tinjauan" in page.text and "Terima" in page.text and "Waiting for review" not in page.text
    )
    assert "lapor_lang" not in page.headers.get("set-cookie", "")
    english = sqlite_client.get("/admin?lang=en")
    assert '<html lang="en">' in english.text and "Waiting for review" in english.text
    assert "lapor_lang=en" in english.headers["set-cookie"]
    again = sqlite_client.get("/admin")  # the cookie remembers the choice
    assert '<html lang="en">' in again.text
    back = sqlite_client.get("/admin?lang=id")
    assert "Menunggu tinjauan" in back.text
    assert '<html lang="id">' in sqlite_client.get("/admin?lang=xx").text  # unknown: the cookie's
    embedded = re.search(r'<script id="i18n" type="application/json">(.*?)</script>', page.text, re.S)
    assert embedded is not None and json.loads(embedded.group(1)) == catalogue("id")


def test_admin_page_ignores_unknown_languages(sqlite_client: TestClient) -> None:
    for query in ("?lang=fr", "?lang=" + "x" * 300, "?lang="):
        page = sqlite_client.get("/admin" + query)
        assert page.status_code == 200 and '<html lang="id">' in page.text, query
        assert "lapor_lang" not in page.headers.get("set-cookie", "")
