"""Service settings, read from ``LAPOR_NLP_*`` environment variables (pydantic-settings)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROLES = ("intake", "admin", "agency")

#: The Standard Webhooks spec's example schedule (seconds after each failed attempt; ~3 days in all).
SPEC_RETRY_SECONDS = "5,300,1800,7200,18000,36000,50400,72000,86400"
#: Service target names that can decide a dispatch (LAPOR_NLP_ROUTING_TARGETS).
ROUTING_TARGETS = ("category", "agency")


class Settings(BaseSettings):
    """Everything the service can be configured with.

    ``api_keys`` is a comma-separated list of ``role:key`` entries, e.g.
    ``intake:abc123,admin:s3cret``; a key may also be given pre-hashed as ``role:sha256:<hex>``.
    Keys are hashed as soon as they are read; the plain text is never kept.
    """

    model_config = SettingsConfigDict(env_prefix="LAPOR_NLP_", extra="ignore")

    api_keys: str = Field(
        default="",
        repr=False,
        description="API keys as `role:key,role:key` with roles `intake` (route), `admin` (review, "
        "reload, retrain) and `agency` (returns and acceptances from the receiving offices); "
        "`role:sha256:<hex>` gives a key pre-hashed. Kept only as SHA-256 hashes.",
    )
    database_url: str = Field(
        default="sqlite:///./.lapor-nlp/lapor-nlp.db",
        description="SQLAlchemy URL: SQLite or PostgreSQL (`postgresql+psycopg://user@host/db`).",
    )
    model_dir: Path = Field(default=Path("models/default"), description="The model directory to serve.")
    run_migrations: bool = Field(
        default=True, description="Run the Alembic migrations on start-up (under an advisory lock)."
    )
    max_text_chars: int = Field(
        default=20_000, gt=0, description="Longest complaint text accepted, in characters (413 beyond)."
    )
    max_body_bytes: int = Field(
        default=4 * 1024 * 1024, gt=0, description="Largest request body accepted, in bytes (413 beyond)."
    )
    max_batch: int = Field(
        default=100, gt=0, le=1000, description="Most complaints in one `POST /v1/route/batch`."
    )
    top_k: int = Field(default=3, ge=1, le=20, description="Labels listed per target in `top_k`.")
    duplicates_k: int = Field(
        default=3, ge=0, le=50, description="Earlier complaints returned as possible duplicates (0: none)."
    )
    batch_predictions: bool = Field(
        default=True, description="Gather concurrent requests into one model call (micro-batching)."
    )
    max_predict_batch: int = Field(
        default=16, ge=1, le=256, description="Most texts in one micro-batched model call."
    )
    predict_threads: int = Field(
        default=1, ge=1, le=16, description="Threads that run micro-batched model calls per process."
    )
    duplicates_min_score: float = Field(
        default=0.1, ge=0.0, le=1.0, description="Lowest duplicate score listed in a route response."
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins allowed by CORS, as a JSON list (closed when empty).",
    )
    db_timeout_seconds: float = Field(
        default=3.0, gt=0, description="Database connect/lock timeout; 503 when the database is away."
    )
    log_level: str = Field(default="INFO", description="Python log level of the service.")
    routing_targets: str = Field(
        default="agency",
        description="Comma-separated targets whose decisions dispatch a complaint (`status: auto` iff every "
        "one is auto): `agency` (the category keeps its own decision) or `category,agency` (the older rule).",
    )
    # Audit sampling and the live precision guard (service/app/guard.py).
    audit_share: float = Field(
        default=0.05,
        ge=0.0,
        le=1.0,
        description="Share of `auto` decisions also put in the review queue as audits.",
    )
    guard_enabled: bool = Field(
        default=True, description="Pause `auto` routing of a class whose live precision falls short."
    )
    guard_min_evidence: int = Field(
        default=20, ge=1, description="Reviews of a class before the guard judges it."
    )
    guard_z: float = Field(
        default=1.96, gt=0.0, le=5.0, description="z of the Wilson bound the guard compares with the target."
    )
    guard_rule: Literal["upper", "lower"] = Field(
        default="upper",
        description="`upper`: pause when even the upper bound is below the target; `lower`: when the "
        "lower bound is.",
    )
    guard_ttl_seconds: float = Field(
        default=5.0, ge=0.0, description="Longest time the guard's state is reused before it is recomputed."
    )
    # Background retrain (POST /v1/model/retrain): the original training data to append feedback to.
    retrain_base: Path | None = Field(
        default=None, description="Training table a background retrain appends the reviewed decisions to."
    )
    retrain_window_days: int = Field(
        default=28, ge=1, description="Days of recent reviewed decisions both models are judged on."
    )
    # Fill the per-word caches at model load, in each worker, before /readyz says ready.
    warm_up: bool = Field(
        default=True,
        description="Prepare the per-word caches (model vocabulary, lexicon words, redaction) in each "
        "worker before `/readyz` says ready; `false` starts faster but the first requests are slower.",
    )
    # Reviewer claims (POST /v1/suggestions/claim): how long a claim holds unless renewed.
    claim_seconds: float = Field(
        default=600.0,
        gt=0.0,
        le=7 * 24 * 3600,
        description="How long a reviewer's claim on a suggestion holds unless renewed (seconds).",
    )
    # Events out (service/app/outbox.py, service/app/webhooks.py). Events are stored either way (the
    # pull API GET /v1/events reads them); they are POSTed only when a URL and a secret are set.
    webhook_url: str = Field(
        default="", description="Where events are POSTed as Standard Webhooks (off when empty)."
    )
    webhook_secret: str = Field(
        default="",
        repr=False,
        description="The `whsec_...` secret webhook signatures are made with (required with a URL).",
    )
    webhook_retry_seconds: str = Field(
        default=SPEC_RETRY_SECONDS,
        description="Comma-separated delays (seconds) between delivery attempts; default the Standard "
        "Webhooks schedule (about 3 days).",
    )
    webhook_timeout_seconds: float = Field(
        default=15.0, gt=0.0, le=120.0, description="Timeout of one webhook delivery attempt."
    )
    webhook_poll_seconds: float = Field(
        default=1.0, gt=0.0, le=60.0, description="How often the delivery loop looks for due messages."
    )
    webhook_batch: int = Field(
        default=20, ge=1, le=500, description="Most messages one delivery round leases."
    )
    # Returns from the receiving offices: no return within this many days counts as accepted (0 = off).
    accept_after_days: float = Field(
        default=0.0,
        ge=0.0,
        description="An `auto` dispatch no office returned within this many days counts as accepted "
        "by the guard (0: off).",
    )

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

    @field_validator("routing_targets")
    @classmethod
    def _check_routing_targets(cls, value: str) -> str:
        parse_routing_targets(value)  # raises ValueError with a clear message
        return value

    @property
    def routing(self) -> tuple[str, ...]:
        """The routing targets as a tuple, e.g. ``("agency",)``."""
        return parse_routing_targets(self.routing_targets)

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


def parse_routing_targets(value: str) -> tuple[str, ...]:
    """``"category,agency"`` -> ``("category", "agency")``; ValueError naming the valid targets."""
    names = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    unknown = [n for n in names if n not in ROUTING_TARGETS]
    if unknown or not names:
        raise ValueError(
            f"LAPOR_NLP_ROUTING_TARGETS must be a comma-separated subset of {list(ROUTING_TARGETS)} "
            f"(e.g. 'agency' or 'category,agency'); got {value!r}"
        )
    return names
