"""Service settings, read from ``LAPOR_NLP_*`` environment variables (pydantic-settings)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROLES = ("intake", "admin", "agency")

#: The Standard Webhooks spec's example schedule (seconds after each failed attempt; ~3 days in all).
SPEC_RETRY_SECONDS = "5,300,1800,7200,18000,36000,50400,72000,86400"


class Settings(BaseSettings):
    """Everything the service can be configured with.

    ``api_keys`` is a comma-separated list of ``role:key`` entries, e.g.
    ``intake:abc123,admin:s3cret``; a key may also be given pre-hashed as ``role:sha256:<hex>``.
    Keys are hashed as soon as they are read; the plain text is never kept.
    """

    model_config = SettingsConfigDict(env_prefix="LAPOR_NLP_", extra="ignore")

    api_keys: str = Field(default="", repr=False)
    database_url: str = "sqlite:///./.lapor-nlp/lapor-nlp.db"
    model_dir: Path = Path("models/default")
    run_migrations: bool = True
    max_text_chars: int = Field(default=20_000, gt=0)
    max_body_bytes: int = Field(default=4 * 1024 * 1024, gt=0)
    max_batch: int = Field(default=100, gt=0, le=1000)
    top_k: int = Field(default=3, ge=1, le=20)
    duplicates_k: int = Field(default=3, ge=0, le=50)
    batch_predictions: bool = True
    max_predict_batch: int = Field(default=16, ge=1, le=256)
    predict_threads: int = Field(default=1, ge=1, le=16)
    duplicates_min_score: float = Field(default=0.1, ge=0.0, le=1.0)
    cors_origins: list[str] = Field(default_factory=list)
    db_timeout_seconds: float = Field(default=3.0, gt=0)
    log_level: str = "INFO"
    # Audit sampling and the live precision guard (service/app/guard.py).
    audit_share: float = Field(default=0.05, ge=0.0, le=1.0)
    guard_enabled: bool = True
    guard_min_evidence: int = Field(default=20, ge=1)
    guard_z: float = Field(default=1.96, gt=0.0, le=5.0)
    guard_rule: Literal["upper", "lower"] = "upper"
    guard_ttl_seconds: float = Field(default=5.0, ge=0.0)
    # Background retrain (POST /v1/model/retrain): the original training data to append feedback to.
    retrain_base: Path | None = None
    retrain_window_days: int = Field(default=28, ge=1)
    # Events out (service/app/outbox.py, service/app/webhooks.py). Events are stored either way (the
    # pull API GET /v1/events reads them); they are POSTed only when a URL and a secret are set.
    webhook_url: str = ""
    webhook_secret: str = Field(default="", repr=False)
    webhook_retry_seconds: str = SPEC_RETRY_SECONDS
    webhook_timeout_seconds: float = Field(default=15.0, gt=0.0, le=120.0)
    webhook_poll_seconds: float = Field(default=1.0, gt=0.0, le=60.0)
    webhook_batch: int = Field(default=20, ge=1, le=500)
    # Returns from the receiving offices: no return within this many days counts as accepted (0 = off).
    accept_after_days: float = Field(default=0.0, ge=0.0)

    @model_validator(mode="after")
    def _check_webhook_pair(self) -> Settings:
        if self.webhook_url and not self.webhook_secret:
            raise ValueError(
                "LAPOR_NLP_WEBHOOK_URL is set but LAPOR_NLP_WEBHOOK_SECRET is not: set the 'whsec_...' "
                "secret the receiver verifies signatures with"
            )
        return self

    @field_validator("webhook_retry_seconds")
    @classmethod
    def _check_retries(cls, value: str) -> str:
        retry_delays(value)  # raises ValueError with a clear message
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _check_secret(cls, value: str) -> str:
        if value and not value.startswith("whsec_"):
            raise ValueError(
                "LAPOR_NLP_WEBHOOK_SECRET must be a Standard Webhooks secret 'whsec_<base64>'; "
                'make one with: python -c "import base64,os; '
                "print('whsec_'+base64.b64encode(os.urandom(24)).decode())\""
            )
        return value

    @field_validator("webhook_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(f"LAPOR_NLP_WEBHOOK_URL must be an http(s) URL, got {value!r}")
        return value

    @field_validator("api_keys")
    @classmethod
    def _check_keys(cls, value: str) -> str:
        parse_api_keys(value)  # raises ValueError with a clear message
        return value


def retry_delays(value: str) -> list[float]:
    """``"5,300,1800"`` -> ``[5.0, 300.0, 1800.0]``; ValueError naming the bad entry."""
    delays: list[float] = []
    for raw in value.split(","):
        entry = raw.strip()
        if not entry:
            continue
        try:
            delay = float(entry)
        except ValueError:
            raise ValueError(
                f"LAPOR_NLP_WEBHOOK_RETRY_SECONDS must be comma-separated seconds, e.g. '5,300,1800'; "
                f"found {entry!r}"
            ) from None
        if not delay >= 0.0 or delay == float("inf"):
            raise ValueError(f"LAPOR_NLP_WEBHOOK_RETRY_SECONDS: delays must be >= 0 seconds, found {entry!r}")
        delays.append(delay)
    return delays


def parse_api_keys(value: str) -> list[tuple[str, str]]:
    """Split ``role:key,role:key`` into ``(role, key)`` pairs; ValueError on a malformed entry."""
    pairs: list[tuple[str, str]] = []
    for raw in value.split(","):
        entry = raw.strip()
        if not entry:
            continue
        role, sep, key = entry.partition(":")
        role, key = role.strip(), key.strip()
        if not sep or not key:
            raise ValueError(
                "LAPOR_NLP_API_KEYS entries must look like 'role:key' (comma-separated); "
                f"found an entry without a key for role {role!r}"
            )
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r} in LAPOR_NLP_API_KEYS; valid roles are {list(ROLES)}")
        pairs.append((role, key))
    return pairs
