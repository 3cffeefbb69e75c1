"""The Router facade: train on a complaint table, suggest topic/agency with calibrated confidence."""

from __future__ import annotations

import datetime as dt
import hashlib
import platform
import time
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, overload

import numpy as np
import pandas as pd
import sklearn

from lapor_nlp.errors import DataFormatError, EmptyComplaintError, InputError
from lapor_nlp.routing.classifier import CalibratedLinearClassifier
from lapor_nlp.routing.data import label_changes, normalise_label, require_columns, text_series
from lapor_nlp.routing.explain import Explainer
from lapor_nlp.routing.features import TextFeaturizer, normalise
from lapor_nlp.routing.location import PlaceResolver
from lapor_nlp.routing.metrics import summary_metrics
from lapor_nlp.routing.thresholds import choose_thresholds, decide
from lapor_nlp.tables import parse_timestamps
from lapor_nlp.text import clean, redact
from lapor_nlp.types import Suggestion, TargetSuggestion

FORMAT_VERSION = 1
_DATE_HINTS = ("date", "time", "tanggal", "waktu", "_at", "created", "submitted")


class RareLabelWarning(UserWarning):
    """Some labels had too few training examples and were left out."""


class EmptyTextWarning(UserWarning):
    """Some texts of a batch were empty; they got an empty label and ``review``."""


def _progress(total: int, desc: str, enabled: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, disable=not enabled, leave=False)


def _redact_all(texts: Sequence[str], progress: bool) -> list[str]:
    bar = _progress(len(texts), "redacting", progress and len(texts) > 200)
    out = []
    for i, text in enumerate(texts):
        out.append(redact(text))
        if i % 100 == 99:
            bar.update(100)
    bar.close()
    return out


def _date_range(df: pd.DataFrame) -> dict[str, str | int] | None:
    """First date-like column that mostly parses: its range (WIB) and how many values could not be read."""
    for column in df.columns:
        if not any(h in str(column).lower() for h in _DATE_HINTS):
            continue
        parsed, unparsed = parse_timestamps(df[column])
        if parsed.notna().mean() >= 0.8:
            return {
                "column": str(column),
                "min": str(parsed.min()),
                "max": str(parsed.max()),
                "unparsed": unparsed,
            }
    return None


def _data_hash(df: pd.DataFrame, columns: Sequence[str]) -> str:
    h = hashlib.sha256()
    for column in columns:
        h.update(column.encode())
        h.update("\x1f".join(text_series(df, column)).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


class Router:
    """Suggest a label per target (e.g. topic and agency) for complaint texts.

    Build one with :meth:`train` or :meth:`load`; ask it with :meth:`predict`. Components are passed to
    ``__init__`` (a fitted featurizer, one classifier, place resolver and threshold table per target).
    """

    def __init__(
        self,
        *,
        featurizer: TextFeaturizer,
        classifiers: Mapping[str, CalibratedLinearClassifier],
        resolvers: Mapping[str, PlaceResolver],
        thresholds: Mapping[str, Mapping[str, float | None]],
        text_column: str,
        location_columns: Sequence[str] = (),
        metadata: Mapping[str, Any] | None = None,
        model_card: str = "",
    ) -> None:
        self.featurizer = featurizer
        self.classifiers = dict(classifiers)
        self.resolvers = dict(resolvers)
        self.thresholds = {t: dict(v) for t, v in thresholds.items()}
        self._text_column = text_column
        self._location_columns = tuple(location_columns)
        self._metadata = dict(metadata or {})
        self._model_card = model_card

    # -- properties ----------------------------------------------------------------------------------
    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(self.classifiers)

    @property
    def text_column(self) -> str:
        return self._text_column

    @property
    def location_columns(self) -> tuple[str, ...]:
        return self._location_columns

    @property
    def metadata(self) -> dict[str, Any]:
        return self._metadata

    @property
    def version(self) -> str:
        return str(self._metadata.get("lapor_nlp_version", ""))

    @property
    def model_card(self) -> str:
        return self._model_card

    def labels(self, target: str) -> tuple[str, ...]:
        """Labels of ``target``, sorted: those seen in training, plus the place-specific labels built
        from every place of the location columns (e.g. ``Kelurahan <name>`` for each known kelurahan)."""
        self._check_target(target)
        seen = set(self._metadata["targets"][target]["labels"])
        return tuple(sorted(seen | self.resolvers[target].place_specific_labels()))

    def _check_target(self, target: str) -> None:
        if target not in self.classifiers:
            raise InputError(f"unknown target {target!r}; this model predicts {list(self.targets)}")

    # -- training ------------------------------------------------------------------------------------
    @classmethod
    def train(
        cls,
        df: pd.DataFrame,
        *,
        text: str,
        targets: Sequence[str],
        location: Sequence[str] = (),
        target_precision: float = 0.95,
        min_label_count: int = 2,
        min_auto_count: int = 10,
        drift_margin: float = 0.3,
        progress: bool = True,
        featurizer: TextFeaturizer | None = None,
        classifier: CalibratedLinearClassifier | None = None,
    ) -> Router:
        """Fit a router on ``df``: one calibrated classifier per target, thresholds from held-out folds.

        Parameters
        ----------
        df : one complaint per row, in time order if possible (held-out folds are contiguous).
        text : name of the text column.
        targets : label columns to learn (e.g. ``["topic", "agency"]``).
        location : location columns (e.g. ``["kecamatan", "kelurahan"]``); place-specific labels
            whose place matches these columns are learned as role + place.
        target_precision : precision that ``auto`` decisions must reach on held-out folds.
        min_label_count : labels with fewer training rows are left out (with a warning).
        min_auto_count : labels with fewer training rows are always ``review``.
        drift_margin : share of the allowed error held in reserve for later, drifting data.
        progress : show tqdm progress bars.
        """
        start = time.perf_counter()
        if not isinstance(df, pd.DataFrame):
            raise InputError(f"Router.train expects a pandas DataFrame, got {type(df).__name__}")
        if isinstance(targets, str):
            targets = [targets]
        targets = list(dict.fromkeys(targets))
        location = [location] if isinstance(location, str) else list(dict.fromkeys(location))
        if not targets:
            raise InputError("name at least one target column to learn, e.g. targets=['agency']")
        if not 0.0 < target_precision < 1.0:
            raise InputError(f"target_precision must be between 0 and 1, got {target_precision}")
        require_columns(df, [text], what="text column")
        require_columns(df, targets, what="target column")
        require_columns(df, location, what="location column")
        if overlap := set(targets) & ({text} | set(location)):
            raise InputError(f"column(s) {sorted(overlap)} cannot be both a target and an input")
        texts = text_series(df, text)
        nonempty = np.asarray([bool(t.strip()) for t in texts])
        if not nonempty.any():
            raise EmptyComplaintError(f"every text in column {text!r} is empty; is it the right column?")
        if (~nonempty).any():
            warnings.warn(f"{int((~nonempty).sum())} rows with an empty {text!r} were left out", stacklevel=2)
        df = df.loc[nonempty].reset_index(drop=True)
        texts = [t for t, keep in zip(texts, nonempty, strict=True) if keep]
        redacted = _redact_all(texts, progress)
        cleaned = [clean(t) for t in redacted]
        locations = {c: text_series(df, c) for c in location}
        featurizer = featurizer if featurizer is not None else TextFeaturizer()
        X = featurizer.fit_transform(redacted)
        template = classifier if classifier is not None else CalibratedLinearClassifier()

        classifiers: dict[str, CalibratedLinearClassifier] = {}
        resolvers: dict[str, PlaceResolver] = {}
        thresholds: dict[str, dict[str, float | None]] = {}
        target_meta: dict[str, Any] = {}
        metrics: dict[str, Any] = {}
        for target in targets:
            raw_labels = text_series(df, target)
            labels = [normalise_label(s) for s in raw_labels]
            rows = np.asarray([bool(v) for v in labels])
            if not rows.any():
                raise DataFormatError(f"target column {target!r} is empty in every row")
            idx = np.flatnonzero(rows)
            resolver = PlaceResolver().fit(
                [labels[i] for i in idx], {c: [locations[c][i] for i in idx] for c in location}
            )
            all_roles = resolver.to_roles(labels)
            counts = Counter(r for r, v in zip(all_roles, labels, strict=True) if v)
            rare = sorted(label for label, n in counts.items() if n < min_label_count)
            if rare:
                warnings.warn(
                    f"{target}: {len(rare)} label(s) seen fewer than {min_label_count} times were left out "
                    f"(e.g. {rare[:3]}); merge them into related labels or add examples",
                    RareLabelWarning,
                    stacklevel=2,
                )
                rows &= np.asarray(
                    [bool(v) and counts[r] >= min_label_count for r, v in zip(all_roles, labels, strict=True)]
                )
            idx = np.flatnonzero(rows)
            y = [labels[i] for i in idx]
            roles = [all_roles[i] for i in idx]
            if len(set(roles)) < 2:
                raise InputError(
                    f"target {target!r} has a single usable class ({sorted(set(y))[:3]}); a router needs "
                    "at least two labels with two or more examples each"
                )
            model = sklearn.base.clone(template)
            bar = _progress(model.n_fit_steps(len(idx)), f"training {target}", progress)
            model.fit(X[idx], roles, progress=bar)
            bar.close()
            oof = model.oof_proba_
            del model.oof_proba_
            valid = ~np.isnan(oof[:, 0])
            top = np.argsort(-np.nan_to_num(oof, nan=0.0), axis=1)[:, :3]
            pred_class, pred_label, pred_score, resolved_ok = [], [], [], []
            top3_labels = []
            for r, i in enumerate(idx):
                loc = {c: locations[c][i] for c in location}
                res = [resolver.resolve(str(model.classes_[j]), loc, cleaned[i]) for j in top[r]]
                pred_class.append(str(model.classes_[top[r][0]]))
                pred_label.append(res[0].label)
                pred_score.append(float(oof[r, top[r][0]] * res[0].factor) if valid[r] else np.nan)
                resolved_ok.append(res[0].resolved)
                top3_labels.append([x.label for x in res])
            correct = [p == t and ok for p, t, ok in zip(pred_label, y, resolved_ok, strict=True)]
            role_counts = Counter(roles)
            thresholds[target] = choose_thresholds(
                pred_class,
                pred_score,
                correct,
                target_precision=target_precision,
                class_counts=dict(role_counts),
                min_class_count=min_auto_count,
                drift_margin=drift_margin,
            )
            decisions = [
                decide(c, s, thresholds[target], ok) if not np.isnan(s) else "review"
                for c, s, ok in zip(pred_class, pred_score, resolved_ok, strict=True)
            ]
            v = np.asarray(valid)
            metrics[target] = summary_metrics(
                [y[r] for r in np.flatnonzero(v)],
                [top3_labels[r] for r in np.flatnonzero(v)],
                [pred_score[r] for r in np.flatnonzero(v)],
                [decisions[r] for r in np.flatnonzero(v)],
                target_precision=target_precision,
            )
            classifiers[target], resolvers[target] = model, resolver
            target_meta[target] = {
                "n_rows": len(idx),
                "labels": dict(sorted(Counter(y).items())),
                "classes": [str(c) for c in model.classes_],
                "class_counts": {str(k): int(v) for k, v in sorted(role_counts.items())},
                "left_out_labels": rare,
                "normalised_labels": label_changes(raw_labels),
                "resolver": resolver.to_dict(),
            }
        from lapor_nlp import __version__

        metadata = {
            "format_version": FORMAT_VERSION,
            "lapor_nlp_version": __version__,
            "sklearn_version": sklearn.__version__,
            "numpy_version": np.__version__,
            "python_version": platform.python_version(),
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "text_column": text,
            "location_columns": location,
            "target_precision": target_precision,
            "min_auto_count": min_auto_count,
            "drift_margin": drift_margin,
            "data": {
                "n_rows": int(len(df)),
                "sha256": _data_hash(df, [text, *targets, *location]),
                "date_range": _date_range(df),
            },
            "targets": target_meta,
            "thresholds": thresholds,
            "metrics": {"cross_validated": metrics},
            "featurizer": {
                k: list(v) if isinstance(v, tuple) else v for k, v in featurizer.get_params().items()
            },
            "classifier": template.get_params(),
            "n_features": int(X.shape[1]),
            "training_seconds": round(time.perf_counter() - start, 1),
        }
        return cls(
            featurizer=featurizer,
            classifiers=classifiers,
            resolvers=resolvers,
            thresholds=thresholds,
            text_column=text,
            location_columns=location,
            metadata=metadata,
        )

    # -- prediction ----------------------------------------------------------------------------------
    @overload
    def predict(  # type: ignore[overload-overlap]  # a str is also a Sequence[str]
        self,
        X: str,
        *,
        location: Mapping[str, object] | None = ...,
        top_k: int = ...,
        explain: bool = ...,
        text_column: str | None = ...,
        already_redacted: bool = ...,
    ) -> Suggestion: ...

    @overload
    def predict(
        self,
        X: pd.DataFrame | Sequence[str],
        *,
        location: Mapping[str, object] | None = ...,
        top_k: int = ...,
        explain: bool = ...,
        text_column: str | None = ...,
        already_redacted: bool = ...,
    ) -> list[Suggestion]: ...

    def predict(
        self,
        X: str | pd.DataFrame | Sequence[str],
        *,
        location: Mapping[str, object] | None = None,
        top_k: int = 3,
        explain: bool = True,
        text_column: str | None = None,
        already_redacted: bool = False,
    ) -> Suggestion | list[Suggestion]:
        """Suggest every target for one text (-> :class:`Suggestion`) or a DataFrame (-> list).

        ``location`` (one text) maps location column names to values; for a DataFrame the location
        columns named at training are read from it when present. Place-specific agencies whose place
        cannot be resolved keep their role template as label (e.g. ``Kelurahan {kelurahan}``) and go
        to review. One empty text raises :class:`EmptyComplaintError`; empty texts in a batch get an
        empty label, score 0 and ``review`` (with an :class:`EmptyTextWarning`).
        ``already_redacted=True`` skips redaction for texts that went through
        :func:`lapor_nlp.text.redact` already (the service redacts before it stores anything).
        """
        if not isinstance(top_k, int) or isinstance(top_k, bool) or top_k < 1:
            raise InputError(f"top_k must be a positive integer, got {top_k!r}")
        if isinstance(X, str):
            if not X.strip():
                raise EmptyComplaintError("the complaint text is empty; send the text of the complaint")
            return self._predict([X], [dict(location or {})], top_k, explain, already_redacted)[0]
        if isinstance(X, pd.DataFrame):
            column = text_column or self.text_column
            require_columns(X, [column], what="text column")
            texts = text_series(X, column)
            present = [c for c in self.location_columns if c in X.columns]
            cols = {c: text_series(X, c) for c in present}
            locations: list[dict[str, object]] = [{c: cols[c][i] for c in present} for i in range(len(texts))]
        else:
            texts = ["" if t is None else str(t) for t in X]
            locations = [dict(location or {}) for _ in texts]
        filled = [i for i, t in enumerate(texts) if t.strip()]
        if len(filled) < len(texts):
            empty = [i for i, t in enumerate(texts) if not t.strip()]
            warnings.warn(
                f"{len(empty)} empty text(s) (rows {empty[:5]}{' ...' if len(empty) > 5 else ''}) got an "
                "empty label and 'review'",
                EmptyTextWarning,
                stacklevel=2,
            )
        blank = Suggestion(targets={t: TargetSuggestion("", 0.0, (), "review", ()) for t in self.targets})
        out: list[Suggestion] = [blank] * len(texts)
        for start in range(0, len(filled), 1000):
            rows = filled[start : start + 1000]
            batch = self._predict(
                [texts[i] for i in rows], [locations[i] for i in rows], top_k, explain, already_redacted
            )
            for i, s in zip(rows, batch, strict=True):
                out[i] = s
        return out

    def _predict(
        self,
        texts: list[str],
        locations: list[dict[str, object]],
        top_k: int,
        want_explanation: bool,
        already_redacted: bool = False,
    ) -> list[Suggestion]:
        redacted = list(texts) if already_redacted else [redact(t) for t in texts]
        cleaned = [clean(t) for t in redacted]
        X = self.featurizer.transform_prepared(normalise(redacted), cleaned)
        explainer = Explainer(self.featurizer, redacted) if want_explanation else None
        per_target: dict[str, list[TargetSuggestion]] = {}
        for target, model in self.classifiers.items():
            resolver = self.resolvers[target]
            thresholds = self.thresholds[target]
            proba = model.predict_proba(X)
            k = min(top_k, proba.shape[1])
            order = np.argsort(-proba, axis=1)[:, : k + 2]
            ranked_rows = []
            for r in range(len(texts)):
                ranked = []
                for j in order[r]:
                    cls = str(model.classes_[j])
                    res = resolver.resolve(cls, locations[r], cleaned[r])
                    ranked.append((float(proba[r, j]) * res.factor, res.label, cls, res.resolved, int(j)))
                ranked.sort(key=lambda t: -t[0])
                ranked_rows.append(ranked)
            words = (
                explainer.explain(X, model.coef_, [ranked[0][4] for ranked in ranked_rows])
                if explainer is not None
                else [()] * len(texts)
            )
            results = []
            for r, ranked in enumerate(ranked_rows):
                score, label, cls, resolved, _ = ranked[0]
                results.append(
                    TargetSuggestion(
                        label=label,
                        score=round(score, 6),
                        top_k=tuple((lab, round(s, 6)) for s, lab, *_ in ranked[:k]),
                        decision=decide(cls, score, thresholds, resolved),  # type: ignore[arg-type]
                        explanation=words[r],
                    )
                )
            per_target[target] = results
        return [Suggestion(targets={t: per_target[t][r] for t in self.targets}) for r in range(len(texts))]

    # -- persistence ---------------------------------------------------------------------------------
    def save(self, directory: str | Path, *, model_card: str | None = None) -> Path:
        """Write the model directory atomically (temp dir + rename); returns its path."""
        from lapor_nlp.routing.persistence import save_router

        if model_card is not None:
            self._model_card = model_card
        return save_router(self, Path(directory))

    @classmethod
    def load(cls, directory: str | Path) -> Router:
        """Load a model directory written by :meth:`save`, verifying every file before use."""
        from lapor_nlp.routing.persistence import load_router

        return load_router(Path(directory))

    def __repr__(self) -> str:
        return (
            f"Router(targets={list(self.targets)}, text_column={self.text_column!r}, "
            f"location={list(self.location_columns)})"
        )
