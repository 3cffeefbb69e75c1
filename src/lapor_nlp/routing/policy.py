"""The disposition table "category x place -> agency": which office a category goes to, and where.

Operators dispose a complaint by its category: once the category is known, the agency nearly follows.
:class:`AgencyPolicy` learns, per category, how often each agency *role* was chosen (a city office such
as ``Dinas Perhubungan``, or a place-specific role such as ``Kelurahan {kelurahan}``, as the router's
:class:`~lapor_nlp.routing.location.PlaceResolver` folds them), with exponentially decayed weights:
older dispositions count less (``half_life_days``) and reviewer decisions added with :meth:`update`
count ``reviewer_weight`` times a training row, so a recent change of practice wins quickly.
:meth:`lookup` answers the strongest role for a category with the place filled from the complaint's
location (``Kelurahan {kelurahan}`` + ``kelurahan="Medokan Ayu"`` -> ``Kelurahan Medokan Ayu``).

The table is plain JSON (:meth:`save` / :meth:`load`; no code is ever run to read it), written beside
the model as ``agency_policy.json`` by ``lapor-nlp policy`` (and by ``lapor-nlp train``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lapor_nlp.errors import DataFormatError, InputError, ModelIntegrityError
from lapor_nlp.routing.location import PlaceResolver

#: File name of the table in a model directory.
POLICY_FILE = "agency_policy.json"
_FORMAT = 1
_DAY_SECONDS = 86_400.0


def _day(when: datetime | float | None) -> float:
    """Days since the epoch (UTC; a naive datetime is taken as UTC)."""
    if when is None:
        return datetime.now(UTC).timestamp() / _DAY_SECONDS
    if isinstance(when, (int, float)):
        return float(when)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp() / _DAY_SECONDS


@dataclass(frozen=True, slots=True)
class PolicyAnswer:
    """What the table proposes for one category (and place).

    Attributes
    ----------
    agency : the proposed agency label, with the place filled in; None when the category is unknown
        or the role needs a place the location does not give.
    role : the proposed role (``agency`` itself for a plain office, else e.g. ``Kelurahan {kelurahan}``).
    share : the role's share of the category's (decayed) weight, 0..1.
    n : dispositions of this category behind the answer (training rows plus reviewer decisions).
    """

    agency: str | None
    role: str | None
    share: float
    n: int


class AgencyPolicy:
    """Learn "category -> agency role" from dispositions; fill the place from the complaint's location.

    Parameters
    ----------
    half_life_days : weight halves for every ``half_life_days`` a disposition is older than the newest.
    reviewer_weight : weight of one reviewer decision added with :meth:`update` (a training row weighs 1).

    Attributes
    ----------
    resolver_ : PlaceResolver folding place-specific agencies into roles.
    weights_ : category -> role -> decayed weight, as of ``updated_[category]``.
    counts_ : category -> number of dispositions seen.
    updated_ : category -> time (days since the epoch, on the table's clock) its weights refer to.
    as_of_ : time of the newest training row (days since the epoch).
    shift_ : days between ``as_of_`` and the first :meth:`update` after it: the table's clock starts
        again when it starts serving, so the time it spent on the shelf does not age the training rows.

    Examples
    --------
    >>> p = AgencyPolicy().fit(["PJU", "PJU", "Sampah"], ["Dinas Perhubungan"] * 2 + ["Dinas LH"])
    >>> p.lookup("PJU")
    PolicyAnswer(agency='Dinas Perhubungan', role='Dinas Perhubungan', share=1.0, n=2)
    """

    def __init__(self, *, half_life_days: float = 60.0, reviewer_weight: float = 4.0) -> None:
        self.half_life_days = half_life_days
        self.reviewer_weight = reviewer_weight

    def _check_params(self) -> None:
        if not (isinstance(self.half_life_days, (int, float)) and self.half_life_days > 0):
            raise InputError(f"half_life_days must be a positive number, got {self.half_life_days!r}")
        if not (isinstance(self.reviewer_weight, (int, float)) and self.reviewer_weight > 0):
            raise InputError(f"reviewer_weight must be a positive number, got {self.reviewer_weight!r}")

    # -- fitting -------------------------------------------------------------------------------------
    def fit(
        self,
        categories: Sequence[object],
        agencies: Sequence[object],
        *,
        locations: Mapping[str, Sequence[object]] | None = None,
        times: Sequence[datetime | float | None] | None = None,
        resolver: PlaceResolver | None = None,
    ) -> AgencyPolicy:
        """Learn the table from parallel ``categories`` and ``agencies`` (empty or missing ones skipped).

        ``resolver`` is the router's agency resolver (``router.resolvers["agency"]``); without one a
        resolver is fitted here on ``agencies`` and ``locations``. ``times`` (optional) weight newer
        dispositions more, relative to the newest.
        """
        self._check_params()
        if isinstance(categories, str) or isinstance(agencies, str):
            raise InputError("categories and agencies must be sequences of labels, not one string")
        cats = ["" if _missing(c) else str(c).strip() for c in categories]
        ags = ["" if _missing(a) else str(a).strip() for a in agencies]
        if len(cats) != len(ags):
            raise InputError(f"categories ({len(cats)}) and agencies ({len(ags)}) must have the same length")
        cols = {k: ["" if _missing(v) else str(v) for v in vals] for k, vals in (locations or {}).items()}
        if resolver is None:
            resolver = PlaceResolver().fit(ags, cols)
        days = [None if times is None or _missing(t) else _day(t) for t in (times or [None] * len(cats))]
        if len(days) != len(cats):
            raise InputError(f"times ({len(days)}) must be as many as the categories ({len(cats)})")
        known = [d for d in days if d is not None]
        as_of = max(known) if known else 0.0
        self.resolver_ = resolver
        self.weights_: dict[str, dict[str, float]] = {}
        self.counts_: dict[str, int] = {}
        self.updated_: dict[str, float] = {}
        roles = resolver.to_roles(ags)
        for cat, role, day in zip(cats, roles, days, strict=True):
            if not cat or not role:
                continue
            age = 0.0 if day is None else max(0.0, as_of - day)
            w = 0.5 ** (age / self.half_life_days)
            table = self.weights_.setdefault(cat, {})
            table[role] = table.get(role, 0.0) + w
            self.counts_[cat] = self.counts_.get(cat, 0) + 1
            self.updated_[cat] = as_of
        if not self.weights_:
            raise DataFormatError("no row has both a category and an agency; nothing to learn a table from")
        self.as_of_ = as_of
        self.shift_: float | None = None
        return self

    def update(
        self,
        category: str,
        agency: str,
        *,
        when: datetime | float | None = None,
        weight: float | None = None,
    ) -> AgencyPolicy:
        """Add one (reviewer) disposition at ``when`` (default now) with ``weight`` (default
        ``reviewer_weight``); the category's older weights decay to ``when`` first."""
        self._check_fitted()
        category, agency = str(category).strip(), str(agency).strip()
        if not category or not agency:
            raise InputError("update needs a category and an agency")
        day = _day(when)
        if self.shift_ is None and day > self.as_of_:
            self.shift_ = day - self.as_of_
        day -= self.shift_ or 0.0
        table = self.weights_.setdefault(category, {})
        last = self.updated_.get(category, day)
        if day > last and table:
            factor = 0.5 ** ((day - last) / self.half_life_days)
            for role in table:
                table[role] *= factor
        role = self.resolver_.to_roles([agency])[0]
        added = float(self.reviewer_weight if weight is None else weight)
        if day < last:  # an older decision arriving late: decayed to the table's time
            added *= 0.5 ** ((last - day) / self.half_life_days)
        table[role] = table.get(role, 0.0) + added
        self.counts_[category] = self.counts_.get(category, 0) + 1
        self.updated_[category] = max(day, last)
        return self

    # -- use -----------------------------------------------------------------------------------------
    def lookup(self, category: str, location: Mapping[str, object] | None = None) -> PolicyAnswer:
        """The strongest agency role of ``category``, with its place taken from ``location``."""
        self._check_fitted()
        table = self.weights_.get(str(category).strip())
        if not table:
            return PolicyAnswer(None, None, 0.0, 0)
        total = sum(table.values())
        role, weight = max(table.items(), key=lambda kv: (kv[1], kv[0]))
        share = round(weight / total, 4) if total > 0 else 0.0
        n = self.counts_.get(str(category).strip(), 0)
        resolution = self.resolver_.resolve(role, location or {}, "")
        return PolicyAnswer(resolution.label if resolution.resolved else None, role, share, n)

    def categories(self) -> tuple[str, ...]:
        """Categories the table knows, sorted."""
        self._check_fitted()
        return tuple(sorted(self.weights_))

    def _check_fitted(self) -> None:
        if not hasattr(self, "weights_"):
            raise InputError("this AgencyPolicy is not fitted yet; call fit(...) or AgencyPolicy.load(path)")

    # -- persistence (plain JSON) --------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        self._check_fitted()
        return {
            "format": _FORMAT,
            "half_life_days": self.half_life_days,
            "reviewer_weight": self.reviewer_weight,
            "as_of": self.as_of_,
            "shift": self.shift_,
            "weights": self.weights_,
            "counts": self.counts_,
            "updated": self.updated_,
            "resolver": self.resolver_.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AgencyPolicy:
        try:
            if data.get("format") != _FORMAT:
                raise ValueError(f"format {data.get('format')!r}, expected {_FORMAT}")
            self = cls(
                half_life_days=float(data["half_life_days"]), reviewer_weight=float(data["reviewer_weight"])
            )
            self.as_of_ = float(data["as_of"])
            self.shift_ = None if data.get("shift") is None else float(data["shift"])
            self.weights_ = {
                str(c): {str(r): float(w) for r, w in roles.items()} for c, roles in data["weights"].items()
            }
            self.counts_ = {str(c): int(n) for c, n in data["counts"].items()}
            self.updated_ = {str(c): float(t) for c, t in data["updated"].items()}
            self.resolver_ = PlaceResolver.from_dict(data["resolver"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ModelIntegrityError(
                f"the agency table is corrupt or foreign ({exc!r}); rebuild it with `lapor-nlp policy`"
            ) from exc
        if any(not math.isfinite(w) or w < 0 for roles in self.weights_.values() for w in roles.values()):
            raise ModelIntegrityError("the agency table has negative or non-finite weights; rebuild it")
        return self

    def save(self, path: str | Path) -> Path:
        """Write the table as JSON to ``path`` (a file, or a model directory: its POLICY_FILE)."""
        target = Path(path)
        if target.is_dir():
            target = target / POLICY_FILE
        tmp = target.with_suffix(target.suffix + ".tmp")
        tmp.write_text(
            json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
        )
        tmp.replace(target)
        return target

    @classmethod
    def load(cls, path: str | Path) -> AgencyPolicy:
        """Read a table written by :meth:`save` (a file, or a model directory holding one)."""
        source = Path(path)
        if source.is_dir():
            source = source / POLICY_FILE
        try:
            data = json.loads(source.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FileNotFoundError(
                f"no agency table at {source}; build one with `lapor-nlp policy <model> <data>`"
            ) from None
        except ValueError as exc:
            raise ModelIntegrityError(f"{source} is not valid JSON ({exc}); rebuild it") from exc
        if not isinstance(data, dict):
            raise ModelIntegrityError(f"{source} does not hold an agency table; rebuild it")
        return cls.from_dict(data)

    def __repr__(self) -> str:
        fitted = f", categories={len(self.weights_)}" if hasattr(self, "weights_") else ""
        params = f"half_life_days={self.half_life_days}, reviewer_weight={self.reviewer_weight}"
        return f"AgencyPolicy({params}{fitted})"


def _missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fit_policy(
    router: Any,
    df: Any,
    *,
    category_column: str | None = None,
    agency_column: str = "agency",
    time_column: str | None = "submitted_at",
    half_life_days: float = 60.0,
    reviewer_weight: float = 4.0,
) -> AgencyPolicy:
    """The table learned from a labelled DataFrame with ``router``'s agency roles and location columns.

    ``category_column`` defaults to the router's category target (``category``, ``topic``, else the
    first target that is not ``agency``); ``time_column`` (if present) weights newer rows more.
    """
    from lapor_nlp.routing.data import require_columns
    from lapor_nlp.tables import parse_timestamps

    if "agency" not in router.targets:
        raise InputError(f"the router has no 'agency' target; its targets are {list(router.targets)}")
    if category_column is None:
        others = [t for t in router.targets if t != "agency"]
        named = [t for t in ("category", "topic") if t in others]
        if not (named or others):
            raise InputError("the router has no category target; pass category_column=")
        category_column = (named or others)[0]
    require_columns(df, [category_column, agency_column], what="column")
    locations = {c: df[c].tolist() for c in router.location_columns if c in df.columns}
    times = None
    if time_column and time_column in df.columns:
        parsed, _ = parse_timestamps(df[time_column])
        times = [None if t is None or t != t else t.to_pydatetime() for t in parsed]
    return AgencyPolicy(half_life_days=half_life_days, reviewer_weight=reviewer_weight).fit(
        df[category_column].tolist(),
        df[agency_column].tolist(),
        locations=locations,
        times=times,
        resolver=router.resolvers["agency"],
    )


#: File name of the agency alias table in a model directory (label<TAB>alias per line, # comments).
ALIASES_FILE = "aliases.tsv"


def read_aliases(path: str | Path, labels: Sequence[str] | None = None) -> dict[str, tuple[str, ...]]:
    """``label -> aliases`` from a tab-separated file (a file, or a model directory holding one).

    Lines are ``label<TAB>alias``; blank lines and lines starting with ``#`` are skipped. A missing
    file gives ``{}``. With ``labels``, a line naming a label outside them raises
    :class:`~lapor_nlp.errors.DataFormatError` (a typo would otherwise hide the alias).
    """
    source = Path(path)
    if source.is_dir():
        source = source / ALIASES_FILE
    if not source.is_file():
        return {}
    known = None if labels is None else set(labels)
    out: dict[str, list[str]] = {}
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        label, sep, alias = line.partition("\t")
        label, alias = label.strip(), alias.strip()
        if not sep or not label or not alias:
            raise DataFormatError(f"{source}:{number}: expected 'label<TAB>alias', got {line!r}")
        if known is not None and label not in known:
            raise DataFormatError(f"{source}:{number}: {label!r} is not a label of the model; fix the line")
        if alias not in out.setdefault(label, []):
            out[label].append(alias)
    return {label: tuple(aliases) for label, aliases in out.items()}
