"""Request and response bodies (pydantic). Converters from the library's dataclasses live here."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

Status = Literal["auto", "review", "decided"]
QueueStatus = Literal["auto", "review", "decided", "audit", "categorise"]
TargetDecision = Literal["auto", "review", "decided"]

#: The zone of timestamps sent without an offset (as in every table command: WIB).
INTAKE_ZONE = ZoneInfo("Asia/Jakarta")
RetrainMode = Literal["full", "refresh"]


MAX_ID = 2**31 - 1  # suggestion ids are 32-bit integers on every database


def storable(value: str) -> str:
    """The string with what no database can store (NUL, lone surrogates) replaced."""
    return value.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")


SafeStr = Annotated[str, AfterValidator(storable)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


class RouteRequest(_Strict):
    text: SafeStr = Field(description="The complaint as written; personal data is redacted before storage.")
    id: SafeStr | None = Field(
        default=None, max_length=200, description="The intake system's own id (idempotent)."
    )
    location: dict[SafeStr, SafeStr] | None = Field(
        default=None, description="e.g. {'kecamatan': ..., 'kelurahan': ...}"
    )
    submitted_at: datetime | None = Field(
        default=None, description="intake time; without an offset it is read as WIB (Asia/Jakarta, UTC+7)"
    )

    @field_validator("id", mode="before")
    @classmethod
    def _numeric_id(cls, value: object) -> object:
        # Intake systems often use numeric ids; keep them as text.
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("id")
    @classmethod
    def _id_not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("id must not be blank; leave it out instead")
        return value

    @field_validator("submitted_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        # Timestamps without an offset are WIB wall-clock times (as in the table commands); stored as UTC.
        if value is None:
            return None
        try:
            value = (value.replace(tzinfo=INTAKE_ZONE) if value.tzinfo is None else value).astimezone(UTC)
        except OverflowError:
            raise ValueError("submitted_at is out of range") from None
        if not 1900 <= value.year <= 9000:
            raise ValueError("submitted_at must be between the years 1900 and 9000")
        return value

    @field_validator("location")
    @classmethod
    def _location_small(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        if value is not None and (
            len(value) > 20 or any(len(k) > 100 or len(v) > 200 for k, v in value.items())
        ):
            raise ValueError("location takes at most 20 entries, keys <= 100 and values <= 200 characters")
        return value


class BatchRouteRequest(_Strict):
    complaints: list[RouteRequest] = Field(min_length=1)


class LabelScore(BaseModel):
    label: str
    score: float


class TargetOut(BaseModel):
    label: str = Field(description="the model's label; once a reviewer decided, the decided label")
    score: float = Field(description="the model's calibrated probability for its own label")
    top_k: list[LabelScore]
    decision: TargetDecision = Field(
        description="auto (confident), review (to confirm), or decided (a reviewer set the label)"
    )
    explanation: list[str]
    threshold: float | None = Field(
        default=None,
        description="the score the model's label needs for auto (null: that label never goes auto)",
    )
    suggested_label: str | None = Field(
        default=None, description="the model's own label, when a reviewer decided another one"
    )


class DispositionOut(BaseModel):
    """Where the complaint goes now: dispatch on ``agency``; null while it waits for review."""

    agency: str
    category: str
    by: Literal["model", "reviewer"]
    decided_at: datetime
    category_confirmed: bool = Field(
        description="false while a dispatched complaint's category still waits to be confirmed"
    )


class DuplicateOut(BaseModel):
    suggestion_id: int
    id: str | None = Field(default=None, description="the intake id of the earlier complaint, if it had one")
    score: float
    is_duplicate: bool
    evidence: list[str] = Field(description="the evidence in English words (for logs and exports)")
    facts: dict[str, Any] | None = Field(
        default=None,
        description="the evidence as data: text_similarity, same_kelurahan, same_kecamatan, shared_places, "
        "conflicting_places, days_apart, shared_phrases (null for complaints stored before 0003)",
    )


class DecisionOut(BaseModel):
    agency: str
    category: str
    reviewer: str
    duplicate_of: int | None
    outcome: Literal["accepted", "overridden", "duplicate"]
    unknown_agency: bool
    unknown_category: bool
    decided_at: datetime


class RouteResponse(BaseModel):
    suggestion_id: int
    id: str | None
    status: Status
    category: TargetOut
    agency: TargetOut
    duplicates: list[DuplicateOut]
    explanation: list[str]
    model_version: str
    audit: bool = Field(
        default=False, description="an auto decision sampled for audit: routed, and also in the review queue"
    )
    guard_held: list[str] = Field(
        default_factory=list,
        description="targets the model would have routed auto but the live precision guard sent to review",
    )
    disposition: DispositionOut | None = Field(
        default=None,
        description="the agency (and category) the complaint is dispatched to, by the model (status auto) "
        "or a reviewer (status decided); null while it waits for review. Dispatch on disposition.agency",
    )


class BatchRouteResponse(BaseModel):
    results: list[RouteResponse]


class ReturnedOut(BaseModel):
    agency: str = Field(description="the office that sent it back (latest return)")
    reason: str
    by: str
    returned_at: datetime
    agencies: list[str] = Field(description="every office that returned it; none is offered first again")


class SuggestionOut(RouteResponse):
    text: SafeStr = Field(description="the complaint, redacted")
    location: dict[str, str]
    submitted_at: datetime | None
    created_at: datetime
    decision: DecisionOut | None
    history: list[DecisionOut]
    claimed_by: str | None = Field(default=None, description="the reviewer whose claim holds it, if any")
    claimed_until: datetime | None = Field(default=None, description="when that claim runs out")
    returned: ReturnedOut | None = Field(
        default=None, description="set when a receiving office sent the complaint back (Bukan Wewenang)"
    )


class SuggestionPage(BaseModel):
    items: list[SuggestionOut]
    total: int
    limit: int
    offset: int


class DecisionRequest(_Strict):
    agency: SafeStr = Field(min_length=1, max_length=300)
    category: SafeStr = Field(min_length=1, max_length=300)
    reviewer: SafeStr = Field(min_length=1, max_length=200)
    duplicate_of: int | None = Field(default=None, ge=1, le=MAX_ID)
    force: bool = Field(
        default=False,
        description="decide even though another reviewer's claim holds the suggestion (a supervisor)",
    )

    @field_validator("agency", "category", "reviewer")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be blank")
        return value


def _reviewer(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("reviewer must not be blank")
    return value


Reviewer = Annotated[
    SafeStr,
    Field(min_length=1, max_length=200, description="who reviews: the name shown on the claim"),
    AfterValidator(_reviewer),
]


class ClaimRequest(_Strict):
    """Take the oldest unclaimed suggestions of a queue for one reviewer."""

    reviewer: Reviewer
    limit: int = Field(default=1, ge=1, le=50, description="how many suggestions to claim")
    status: Literal["review", "audit"] = Field(
        default="review", description="the review queue, or audited auto decisions not yet reviewed"
    )
    agency: SafeStr | None = Field(default=None, max_length=300, description="only this suggested agency")
    category: SafeStr | None = Field(default=None, max_length=300, description="only this suggested category")


class RenewRequest(_Strict):
    reviewer: Reviewer


class ClaimOut(BaseModel):
    items: list[SuggestionOut] = Field(description="the claimed suggestions, oldest first (may be empty)")
    claimed_until: datetime = Field(description="when the claims run out unless renewed or decided")


class ReleaseRequest(_Strict):
    reviewer: Reviewer
    ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(
        default=None, max_length=200, description="release only these suggestions (default: all held)"
    )


class ReleaseOut(BaseModel):
    released: int = Field(description="how many claims of this reviewer were given up")


def _not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


class ReturnRequest(_Strict):
    agency: Annotated[SafeStr, AfterValidator(_not_blank)] = Field(
        min_length=1, max_length=300, description="the office sending the complaint back"
    )
    reason: Annotated[SafeStr, AfterValidator(_not_blank)] = Field(min_length=1, max_length=2000)
    by: Annotated[SafeStr, AfterValidator(_not_blank)] = Field(min_length=1, max_length=200)


class AcceptRequest(_Strict):
    agency: Annotated[SafeStr, AfterValidator(_not_blank)] = Field(
        min_length=1, max_length=300, description="the office accepting the complaint"
    )
    by: Annotated[SafeStr, AfterValidator(_not_blank)] = Field(min_length=1, max_length=200)


class AgencyResponseOut(BaseModel):
    suggestion_id: int
    kind: Literal["return", "accept"]
    agency: str
    reason: str
    by: str
    created_at: datetime
    suggested_agency: str = Field(description="the agency the model had suggested")
    agency_decision: Literal["auto", "review"] = Field(description="whether that suggestion was auto")


class EventOut(BaseModel):
    cursor: int = Field(description="pass it as ?after= to read the events after this one")
    webhook_id: str = Field(description="the webhook-id header this event is (or was) delivered with")
    type: Literal["complaint.routed", "complaint.decided", "complaint.returned"]
    timestamp: str
    data: dict[str, Any]


class EventPage(BaseModel):
    events: list[EventOut]
    next_cursor: int = Field(description="the cursor to send as ?after= next (unchanged when no events)")


class WebhookMessageOut(BaseModel):
    cursor: int
    webhook_id: str
    type: str
    suggestion_id: int
    state: Literal["pending", "delivered", "failed"]
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    delivered_at: datetime | None
    last_status: int | None
    last_error: str | None


class WebhookMessagePage(BaseModel):
    items: list[WebhookMessageOut]
    total: int
    limit: int
    offset: int


class WebhookEndpointOut(BaseModel):
    url: str = Field(description="LAPOR_NLP_WEBHOOK_URL ('' when webhooks are off)")
    enabled: bool = Field(description="false when off, or while a 410 Gone has disabled the endpoint")
    disabled_at: datetime | None
    reason: str | None
    retry_seconds: list[float]
    messages: dict[str, int] = Field(description="events per state: pending, delivered, failed")


class PolicyOut(BaseModel):
    """What the agency table proposes for a category at a place."""

    agency: str | None = Field(description="the proposed agency, place filled in; null when none fits")
    share: float = Field(description="share of the category's recent dispositions that went to this role")
    n: int = Field(description="dispositions of this category behind the answer (training + reviewers)")
    role: str | None = Field(description="the agency role, e.g. 'Kelurahan {kelurahan}' or the office")
    category: str
    model_version: str
    table: bool = Field(
        default=True,
        description="false when the served model has no agency table (then every answer is null): build "
        "it with `lapor-nlp policy <model dir> <data>` and reload the model",
    )


class ModelInfo(BaseModel):
    version: str
    source: str
    loaded_at: datetime
    targets: dict[str, str] = Field(description="service name -> model target name")
    labels: dict[str, list[str]]
    location_columns: list[str]
    metrics: dict[str, Any]
    metadata: dict[str, Any]
    card: str
    guard: dict[str, Any] | None = Field(
        default=None,
        description="live precision per class: target_precision, rule, and per target/label the reviewed "
        "and correct counts, Wilson bounds, whether it is routed auto, since when and why not",
    )
    aliases: dict[str, list[str]] = Field(
        default_factory=dict,
        description="agency label -> short names (the model directory's aliases.tsv), for search",
    )
    routing_targets: list[str] = Field(
        default_factory=lambda: ["agency"],
        description="LAPOR_NLP_ROUTING_TARGETS: a complaint is auto iff every one of these targets is auto",
    )
    promotion: dict[str, Any] | None = Field(
        default=None,
        description="the last retrain verdict (promoted or not): reason, window, both sets of figures",
    )
    agency_responses: dict[str, dict[str, int]] = Field(
        default_factory=dict,
        description="per receiving office: complaints it returned (Bukan Wewenang) and accepted",
    )


class RetrainStatusOut(BaseModel):
    state: Literal["idle", "running", "succeeded", "failed"]
    started_at: datetime | None
    finished_at: datetime | None
    candidate: str | None = Field(description="directory name under <models>/candidates")
    mode: RetrainMode = Field(
        default="full", description="full retrain, or refresh (the champion's weights refit only)"
    )
    feedback_rows: int | None
    promoted: bool | None
    verdict: dict[str, Any] | None
    error: str | None


class RetrainRequest(_Strict):
    mode: RetrainMode = Field(
        default="full",
        description="full: features, settings and thresholds learned anew; refresh: the cheap update, "
        "only the champion's weights are refit on the new rows (run between full retrains)",
    )


class ReloadRequest(_Strict):
    model_dir: SafeStr | None = Field(
        default=None, max_length=200, description="defaults to LAPOR_NLP_MODEL_DIR"
    )


class Health(BaseModel):
    status: str
    model_version: str | None = None
    database: str | None = None
    indexed: int | None = None


class ErrorOut(BaseModel):
    type: str
    detail: Any
    claimed_by: str | None = Field(default=None, description="ClaimedByOther only: the reviewer holding it")
    claimed_until: datetime | None = Field(default=None, description="ClaimedByOther only: until when")
