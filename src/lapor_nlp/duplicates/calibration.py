"""Calibrate and evaluate duplicate scoring on hand-labelled pairs by replaying submissions in order.

The replay indexes complaints in submission order and, just before a labelled later complaint is added,
queries it against everything before it: this yields the pair features (with the corpus statistics of
that moment) and the candidate lists for recall@5. Scorers are fitted with cross-validation grouped by
the later complaint, so the reported figures are out-of-fold.

Run ``python -m lapor_nlp.duplicates.calibration COMPLAINTS.csv PAIRS.csv --output default_scorer.json``
(any table format :func:`lapor_nlp.tables.read_table` reads: CSV, TSV, XLSX, Parquet, JSONL).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lapor_nlp._progress import progress_bar
from lapor_nlp.duplicates.index import DuplicateIndex
from lapor_nlp.duplicates.scorer import FEATURE_NAMES, Scorer
from lapor_nlp.errors import DataFormatError
from lapor_nlp.tables import read_table

_PAIR_COLUMNS = ("query_id", "cand_id", "label")
_COMPLAINT_COLUMNS = ("id", "text", "submitted_at")


@dataclass
class Replay:
    """What a submission-order replay collected.

    ``X``/``y``/``groups`` hold one row per labelled pair; ``ranking[q]`` holds the candidate ids and
    feature matrix the index produced for later complaint ``q``.
    """

    pairs: pd.DataFrame
    X: np.ndarray
    y: np.ndarray
    groups: np.ndarray
    ranking: dict[str, tuple[list[str], np.ndarray]] = field(default_factory=dict)


def _check_columns(df: pd.DataFrame, needed: tuple[str, ...], what: str) -> None:
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise DataFormatError(f"{what} misses columns {missing}; expected at least {list(needed)}")


def replay(complaints: pd.DataFrame, pairs: pd.DataFrame, *, progress: bool = False) -> Replay:
    """Index ``complaints`` in submission order, querying each labelled later complaint first."""
    _check_columns(complaints, _COMPLAINT_COLUMNS, "complaints")
    _check_columns(pairs, _PAIR_COLUMNS, "pairs")
    df = complaints.assign(id=complaints["id"].astype(str))
    df = df.assign(_t=pd.to_datetime(df["submitted_at"])).sort_values("_t", kind="stable")
    pairs = pairs.assign(query_id=pairs["query_id"].astype(str), cand_id=pairs["cand_id"].astype(str))
    by_query = {q: g for q, g in pairs.groupby("query_id", sort=False)}
    index = DuplicateIndex()
    X = np.zeros((len(pairs), len(FEATURE_NAMES)))
    ranking: dict[str, tuple[list[str], np.ndarray]] = {}
    loc_cols = [c for c in ("kecamatan", "kelurahan") if c in df.columns]
    rows = df[["id", "text", "submitted_at", *loc_cols]].to_dict("records")
    rows = progress_bar(rows, desc="replay", enabled=progress, unit="complaint")
    for row in rows:
        text = row["text"] if isinstance(row["text"], str) else ""
        loc = {c: row[c] for c in loc_cols if isinstance(row[c], str)} or None
        if row["id"] in by_query and text.strip():
            g = by_query[row["id"]]
            known = [c for c in g["cand_id"] if c in index]
            if known:
                feats = index.features(text, known, submitted_at=row["submitted_at"], location=loc)
                for c, f in zip(known, feats, strict=True):
                    X[g.index[g["cand_id"] == c]] = f
            ranking[row["id"]] = index.candidate_features(text, row["submitted_at"], loc)
        try:
            index.add(row["id"], text, submitted_at=row["submitted_at"], location=loc)
        except ValueError:
            continue  # empty texts cannot be indexed; they are never anybody's duplicate
    y = (pairs["label"].astype(str).str.upper() == "DUP").to_numpy().astype(int)
    return Replay(
        pairs=pairs.reset_index(drop=True), X=X, y=y, groups=pairs["query_id"].to_numpy(), ranking=ranking
    )


def fit_scorer(X: np.ndarray, y: np.ndarray, *, C: float = 1.0, threshold: float = 0.5) -> Scorer:
    """Fit the standardised logistic scorer on pair features."""
    from sklearn.linear_model import LogisticRegression

    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale < 1e-9] = 1.0
    model = LogisticRegression(C=C, max_iter=1000).fit((X - mean) / scale, y)
    return Scorer(
        mean=tuple(float(v) for v in mean),
        scale=tuple(float(v) for v in scale),
        coef=tuple(float(v) for v in model.coef_[0]),
        intercept=float(model.intercept_[0]),
        threshold=float(threshold),
    )


def best_f1_threshold(scores: np.ndarray, y: np.ndarray) -> float:
    """Threshold maximising F1 (midpoint between adjacent scores, for robustness)."""
    s = np.unique(scores)
    cands = (s[:-1] + s[1:]) / 2 if s.size > 1 else s
    best, best_t = -1.0, 0.5
    for t in cands:
        f = pair_metrics(scores, y, float(t))["f1"]
        if f > best:
            best, best_t = f, float(t)
    return min(max(best_t, 1e-3), 1 - 1e-3)


def pair_metrics(scores: np.ndarray, y: np.ndarray, threshold: float) -> dict[str, float]:
    """Precision, recall, F1 at ``threshold`` and ROC AUC of ``scores`` against labels ``y``."""
    from sklearn.metrics import roc_auc_score

    pred = scores >= threshold
    tp = float(np.sum(pred & (y == 1)))
    p = tp / max(float(pred.sum()), 1.0)
    r = tp / max(float((y == 1).sum()), 1.0)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    auc = float(roc_auc_score(y, scores)) if 0 < y.sum() < y.size else float("nan")
    return {"precision": p, "recall": r, "f1": f1, "roc_auc": auc, "threshold": threshold}


def recall_at_k(rep: Replay, scorer: Scorer, rows: np.ndarray, k: int = 5) -> float:
    """Share of DUP pairs (among ``rows``) whose earlier complaint is in the top ``k`` of its query."""
    hits, total = 0, 0
    for i in rows:
        if rep.y[i] != 1:
            continue
        total += 1
        qid, cid = rep.pairs.at[i, "query_id"], rep.pairs.at[i, "cand_id"]
        ids, feats = rep.ranking.get(qid, ([], np.zeros((0, len(FEATURE_NAMES)))))
        if cid not in ids:
            continue
        s = scorer.predict_proba(feats)
        top = [ids[j] for j in np.argsort(-s, kind="stable")[:k]]
        hits += cid in top
    return hits / max(total, 1)


def cross_validate(
    rep: Replay, *, n_splits: int = 5, repeats: int = 3, C: float = 1.0, seed: int = 0
) -> dict[str, Any]:
    """Out-of-fold pair metrics and recall@5, folds grouped by later complaint, thresholds fitted in-fold."""
    from sklearn.model_selection import StratifiedGroupKFold

    results = []
    oof_all = []
    for r in range(repeats):
        cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed + r)
        oof = np.zeros(len(rep.y))
        pred = np.zeros(len(rep.y), dtype=bool)
        hits = []
        for train, test in cv.split(rep.X, rep.y, rep.groups):
            s = fit_scorer(rep.X[train], rep.y[train], C=C)
            t = best_f1_threshold(s.predict_proba(rep.X[train]), rep.y[train])
            oof[test] = s.predict_proba(rep.X[test])
            pred[test] = oof[test] >= t
            hits.append((recall_at_k(rep, s, test), int(rep.y[test].sum())))
        m = pair_metrics(pred.astype(float), rep.y, 0.5)
        m["roc_auc"] = pair_metrics(oof, rep.y, 0.5)["roc_auc"]
        m["recall_at_5"] = sum(h * n for h, n in hits) / max(sum(n for _, n in hits), 1)
        del m["threshold"]
        results.append(m)
        oof_all.append(oof)
    out = {key: float(np.mean([m[key] for m in results])) for key in results[0]}
    out["oof_scores"] = np.mean(oof_all, axis=0)
    return out


def char_baseline(
    complaints: pd.DataFrame, rep: Replay, *, halve_across_kelurahan: bool = False
) -> dict[str, float]:
    """Char 3-5-gram TF-IDF cosine baseline, threshold tuned on the same pairs; also its recall@5."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    df = complaints.assign(id=complaints["id"].astype(str))
    df = (
        df.assign(_t=pd.to_datetime(df["submitted_at"]))
        .sort_values("_t", kind="stable")
        .reset_index(drop=True)
    )
    texts = df["text"].fillna("").astype(str).str.lower()
    M = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2).fit_transform(
        texts
    )
    pos = {i: n for n, i in enumerate(df["id"])}
    kel = df["kelurahan"].fillna("").to_numpy() if "kelurahan" in df.columns else np.full(len(df), "")

    def adjust(qi: int, sims: np.ndarray, cand: np.ndarray) -> np.ndarray:
        if halve_across_kelurahan:
            return np.where(kel[cand] == kel[qi], sims, sims / 2)
        return sims

    scores = np.zeros(len(rep.y))
    for i, (q, c) in enumerate(zip(rep.pairs["query_id"], rep.pairs["cand_id"], strict=True)):
        qi, ci = pos[q], pos[c]
        scores[i] = adjust(qi, np.asarray((M[qi] @ M[ci].T).todense()).ravel(), np.array([ci]))[0]
    t = best_f1_threshold(scores, rep.y)
    m = pair_metrics(scores, rep.y, t)
    hits, total = 0, 0
    for i in np.flatnonzero(rep.y == 1).tolist():
        qi, ci = pos[rep.pairs.at[i, "query_id"]], pos[rep.pairs.at[i, "cand_id"]]
        if qi == 0:
            continue
        sims = adjust(qi, np.asarray((M[:qi] @ M[qi].T).todense()).ravel(), np.arange(qi))
        total += 1
        hits += int(ci in np.argsort(-sims, kind="stable")[:5])
    m["recall_at_5"] = hits / max(total, 1)
    return m


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("complaints", type=Path)
    parser.add_argument("pairs", type=Path)
    parser.add_argument("--output", type=Path, help="write the calibrated scorer JSON here")
    parser.add_argument("--C", type=float, default=1.0, help="inverse L2 strength of the logistic scorer")
    parser.add_argument("--baselines", action="store_true", help="also evaluate the char TF-IDF baselines")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    complaints = read_table(args.complaints)
    pairs = read_table(args.pairs)
    rep = replay(complaints, pairs, progress=not args.quiet)
    cv = cross_validate(rep, C=args.C)
    oof = cv.pop("oof_scores")
    final = fit_scorer(rep.X, rep.y, C=args.C)
    threshold = best_f1_threshold(oof, rep.y)
    insample = pair_metrics(final.predict_proba(rep.X), rep.y, threshold)
    insample["recall_at_5"] = recall_at_k(rep, final, np.arange(len(rep.y)))
    report: dict[str, Any] = {
        "pairs": int(len(rep.y)),
        "duplicates": int(rep.y.sum()),
        "cross_validated": cv,
        "in_sample": insample,
    }
    if args.baselines:
        report["baseline_char_tfidf"] = char_baseline(complaints, rep)
        report["baseline_char_tfidf_kelurahan"] = char_baseline(complaints, rep, halve_across_kelurahan=True)
    scorer = Scorer(final.mean, final.scale, final.coef, final.intercept, threshold, report=report)
    print(json.dumps({"coef": dict(zip(FEATURE_NAMES, scorer.coef, strict=True)), **report}, indent=2))
    if args.output:
        scorer.save(args.output)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
