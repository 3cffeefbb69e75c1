"""GET /admin: the review page (server-rendered shell; data comes from /v1 with the admin key)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from service.app.deps import ModelDep, SettingsDep

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parents[1] / "templates")

_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, model: ModelDep, settings: SettingsDep) -> HTMLResponse:
    response = templates.TemplateResponse(
        request, "admin.html", {"model_version": model.version, "max_text_chars": settings.max_text_chars}
    )
    response.headers["Content-Security-Policy"] = _CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse("/admin")
