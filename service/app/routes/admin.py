"""GET /admin: the review page (server-rendered shell; data comes from /v1 with the admin key).

The page is in Bahasa Indonesia unless ``?lang=en`` (remembered in the ``lapor_lang`` cookie) asks
otherwise; every text comes from the catalogues in :mod:`service.app.i18n`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Cookie, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from service.app.deps import ModelDep, SettingsDep
from service.app.i18n import LANGUAGES, catalogue, pick_language

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parents[1] / "templates")

_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


_LANG_COOKIE = "lapor_lang"
_YEAR = 365 * 24 * 3600


@router.get("/admin", response_class=HTMLResponse)
def admin_page(
    request: Request,
    model: ModelDep,
    settings: SettingsDep,
    lang: Annotated[str | None, Query()] = None,
    lapor_lang: Annotated[str | None, Cookie()] = None,
) -> HTMLResponse:
    language = pick_language(lang, lapor_lang)
    messages = catalogue(language)

    def t(key: str) -> str:
        return messages[key]  # a missing key fails the render (and the catalogue tests)

    response = templates.TemplateResponse(
        request,
        "admin.html",
        {
            "model_version": model.version,
            "max_text_chars": settings.max_text_chars,
            "lang": language,
            "languages": LANGUAGES,
            "messages": messages,
            "t": t,
        },
    )
    if lang in LANGUAGES:  # an explicit choice is remembered
        response.set_cookie(_LANG_COOKIE, language, max_age=_YEAR, path="/admin", samesite="strict")
    response.headers["Content-Security-Policy"] = _CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse("/admin")
