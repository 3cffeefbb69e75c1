"""Errors the service raises itself; :func:`service.app.main.create_app` maps each to one HTTP status."""

from __future__ import annotations


class ServiceError(Exception):
    """An error with an HTTP status and a message that says what to do."""

    status_code = 400

    def __init__(self, detail: str, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra  # more fields of the JSON error body, next to "type" and "detail"


class SuggestionNotFoundError(ServiceError):
    status_code = 404


class MessageNotFoundError(ServiceError):
    status_code = 404


class PayloadTooLargeError(ServiceError):
    status_code = 413


class IdConflictError(ServiceError):
    status_code = 409


class InvalidReferenceError(ServiceError):
    status_code = 422


class ModelDirError(ServiceError):
    status_code = 422


class ServiceUnavailableError(ServiceError):
    status_code = 503


class ClaimedByOther(ServiceError):
    """Another reviewer holds the suggestion (body: ``claimed_by``, ``claimed_until``)."""

    status_code = 409


class AlreadyDecided(ServiceError):
    """A claim on a suggestion that has been decided: there is nothing left to review."""

    status_code = 409
