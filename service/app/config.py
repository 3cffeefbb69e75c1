"""Service settings, read from ``LAPOR_NLP_*`` environment variables (pydantic-settings)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROLES = ("intake", "admin")


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
    # Reviewer claims (POST /v1/suggestions/claim): how long a claim holds unless renewed.
    # Fill the per-word caches at model load, in each worker, before /readyz says ready (issue 21).
    warm_up: bool = True
    claim_seconds: float = Field(default=600.0, gt=0.0, le=7 * 24 * 3600)

    @field_validator("api_keys")
    @classmethod
    def _check_keys(cls, value: str) -> str:
        parse_api_keys(value)  # raises ValueError with a clear message
        return value


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
