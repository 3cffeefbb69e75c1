"""The error statuses each route documents in the OpenAPI schema (every one the service really sends).

Clients generated from ``/openapi.json`` only handle what it lists, and the Schemathesis run in the
test suite fails on any status a route answers that its entry leaves out.
"""

from __future__ import annotations

from service.app import schemas

_WHY: dict[int, str] = {
    400: "the body could not be read (not UTF-8, or not parseable): MalformedBody / InvalidEncoding",
    401: "no API key, or an unknown one, in X-API-Key",
    403: "the key's role may not use this endpoint (an admin key is needed)",
    404: "no suggestion with that id",
    409: "a conflict: an id reused with another text, a retrain already running, or the suggestion is "
    "claimed by another reviewer (ClaimedByOther)",
    413: "the body or the text is over its size limit",
    422: "the body or a parameter is not valid (ValidationError, MalformedJSON, an empty complaint ...)",
    503: "the database is unavailable or the model cannot serve; nothing was stored, retry later",
}


def errors(*codes: int) -> dict[int | str, dict[str, object]]:
    """``responses=`` for a route: each status in ``codes`` with the error body and why it is sent."""
    return {code: {"model": schemas.ErrorOut, "description": _WHY[code]} for code in codes}


# Every /v1 route: keys (401/403), an unreadable or over-large body (400/413), a bad body or
# parameter (422), the database away (503).
COMMON = (400, 401, 403, 413, 422, 503)
