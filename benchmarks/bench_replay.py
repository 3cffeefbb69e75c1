"""Replay benchmark: train on Jan-Jun 2022, then replay Jul-Dec month by month (Surabaya, agency).

Each month is predicted by
- **monthly**: the router as the product runs it: after each month its dispositions are fed back as
  reviewed feedback and :func:`lapor_nlp.routing.retrain` trains a candidate and promotes it only if it
  is not worse on the latest 28 days (else the champion stays);
- **refresh** (with ``--refresh-days N``): as monthly, and in between, every N days of the month, the
  cheap update path (``retrain(..., refresh=True)``: the champion's features, settings and thresholds
  kept, only its weights refit on the decisions so far, judged on the latest N days);
- **static**: the router trained once on Jan-Jun;
- **baseline**: plain word 1-2 + char 2-5 TF-IDF + LinearSVC(C=0.5, class_weight="balanced") on the raw
  agency labels, retrained on everything seen so far each month (top-1/top-3 only, no ``auto``);
- **baseline_places**: the strongest simple baseline, as issue 10 measured it: the same model on agency
  *roles* (``Kelurahan <name>`` -> one ``Kelurahan`` class, ``Kecamatan <name>`` likewise), the place
  filled back from the ``kelurahan``/``kecamatan`` column (spelt as a label seen in training, else
  wrong); retrained monthly like the baseline.
All in the same run. December 2022 is the held-out month: it is reported (marked ``held_out``)
but never used to choose anything; the means are given for Jul-Nov and for December separately.

Run: ``nice .venv/bin/python benchmarks/bench_replay.py [--months 2022-07,2022-08] [--refresh-days 7]
[--json OUT]``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("LAPOR_NLP_SHARED_DATASETS", ROOT.parent / "shared" / "datasets"))
MONTHS = ("2022-07", "2022-08", "2022-09", "2022-10", "2022-11", "2022-12")
HELD_OUT = "2022-12"
ARGS = {"text": "text", "targets": ["agency"], "location": ["kecamatan", "kelurahan"]}
KEEP = ("n", "top1_accuracy", "top3_accuracy", "auto_share", "auto_precision")


ROLES = {"Kelurahan": "kelurahan", "Kecamatan": "kecamatan"}  # label prefix -> location column


def _role(label: str) -> str:
    head = label.split(" ", 1)[0]
    return head if head in ROLES and " " in label else label


def _key(label: str) -> str:
    return "".join(label.lower().split())


def baseline(train: pd.DataFrame, test: pd.DataFrame, *, places: bool = False) -> dict[str, float]:
    """Plain TF-IDF + balanced LinearSVC; top-1/top-3 from the decision values.

    ``places``: trained on roles, the place filled from the test row's location column."""
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    tr = train[train.agency.str.strip() != ""]
    labels = tr.agency.str.strip()
    y_train = labels.map(_role) if places else labels
    word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    X = sp.hstack([word.fit_transform(tr.text), char.fit_transform(tr.text)]).tocsr()
    Xt = sp.hstack([word.transform(test.text), char.transform(test.text)]).tocsr()
    model = LinearSVC(C=0.5, class_weight="balanced").fit(X, y_train.to_numpy(str))
    top = model.classes_[np.argsort(-model.decision_function(Xt), axis=1)[:, :3]].astype(object)
    if places:
        spelt = {_key(v): v for v in labels.unique()}
        for r, row in enumerate(test.itertuples()):
            for j, role in enumerate(top[r]):
                if role in ROLES:
                    top[r, j] = spelt.get(_key(f"{role} {getattr(row, ROLES[role])}"), role)
    y = test.agency.str.strip().to_numpy(str)
    return {
        "n": len(y),
        "top1_accuracy": round(float((top[:, 0] == y).mean()), 4),
        "top3_accuracy": round(float((top == y[:, None]).any(axis=1).mean()), 4),
    }


def scores(router: object, month: pd.DataFrame) -> dict[str, object]:
    from lapor_nlp.routing.evaluation import evaluate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        metrics = evaluate(router, month)["agency"].metrics  # type: ignore[arg-type]
    return {k: metrics[k] for k in KEEP} | {"auto_n": metrics["auto_n"]}


def as_feedback(month: pd.DataFrame) -> pd.DataFrame:
    """A month's dispositions as `lapor-nlp export-feedback` would write them (all reviewed)."""
    return month.assign(outcome="accepted", flagged="", reviewer="replay", decided_at=month.submitted_at)


def pooled(parts: list[dict[str, object]]) -> dict[str, object]:
    """Figures of several consecutive parts of a month as one (n- and auto_n-weighted)."""
    out: dict[str, object] = {"n": sum(int(p["n"]) for p in parts)}  # type: ignore[call-overload]
    for key in KEEP[1:]:
        out[key] = mean(parts, key)
    out["auto_n"] = sum(int(p["auto_n"] or 0) for p in parts)  # type: ignore[call-overload]
    return out


def refreshed_month(
    champion_dir: Path, seen: pd.DataFrame, month: pd.DataFrame, days: int, tmp: Path, tag: str
) -> tuple[dict[str, object], Path, list[float]]:
    """Predict ``month`` in parts of ``days`` days, refreshing the champion after each part.

    Returns the month's pooled figures, the champion after the last refresh, and the refresh seconds.
    """
    from lapor_nlp import Router
    from lapor_nlp.routing import retrain

    day = pd.to_datetime(month.submitted_at).dt.day.to_numpy()
    parts, seconds = [], []
    for start in range(1, 32, days):
        part = month[(day >= start) & (day < start + days)]
        if len(part):
            parts.append(scores(Router.load(champion_dir), part))
        if not len(part) or not (day >= start + days).any():  # nothing to predict after this part
            continue
        t = time.perf_counter()
        out = tmp / f"refresh-{tag}-{start}"
        so_far = month[day < start + days]
        verdict = retrain(champion_dir, seen, as_feedback(so_far), out, window_days=days, refresh=True)
        seconds.append(round(time.perf_counter() - t, 1))
        if verdict.promote:
            champion_dir = out
    return pooled(parts), champion_dir, seconds


def mean(rows: list[dict[str, object]], key: str) -> float | None:
    """n-weighted mean (auto precision weighted by auto decisions)."""
    weight = "auto_n" if key == "auto_precision" else "n"
    pairs = [(r[key], r[weight]) for r in rows if r.get(key) is not None and r.get(weight)]
    total = sum(w for _, w in pairs)  # type: ignore[misc]
    return round(sum(v * w for v, w in pairs) / total, 4) if total else None  # type: ignore[operator]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--months", default=",".join(MONTHS), help="months to replay (YYYY-MM, comma-separated)"
    )
    parser.add_argument("--config", help="training settings for the initial model (JSON/TOML)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the plain baseline")
    parser.add_argument(
        "--refresh-days",
        type=int,
        default=0,
        help="also replay monthly retrains with a refresh every N days in between (e.g. 7)",
    )
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args()
    csv = DATA / "surabaya" / "complaints_2022.csv"
    if not csv.is_file():
        print(f"SKIP: {csv} not found (set LAPOR_NLP_SHARED_DATASETS)")
        return 0
    from lapor_nlp import Router
    from lapor_nlp.routing import retrain

    df = pd.read_csv(csv, dtype=str, keep_default_na=False)
    df = df[df.agency.str.strip() != ""].reset_index(drop=True)
    months = [m.strip() for m in args.months.split(",") if m.strip()]
    seen = df[df.submitted_at < f"{months[0]}-01"].reset_index(drop=True)
    rows: dict[str, list[dict[str, object]]] = {
        "monthly": [],
        "refresh": [],
        "static": [],
        "baseline": [],
        "baseline_places": [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        champion_dir = Path(tmp) / "champion-0"
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            static = Router.train(seen, progress=False, config=args.config, **ARGS)  # type: ignore[arg-type]
        print(
            f"initial model on {len(seen)} rows before {months[0]}: {time.perf_counter() - t:.0f} s",
            flush=True,
        )
        chosen = static.metadata.get("chosen_settings", {}).get("agency", {}).get("chosen")
        print(f"chosen: {json.dumps(chosen)}")
        static.save(champion_dir)
        refresh_dir = champion_dir
        for i, m in enumerate(months):
            month = df[df.submitted_at.str.startswith(m)].reset_index(drop=True)
            tag = {"month": m, "held_out": m == HELD_OUT}
            monthly = Router.load(champion_dir)
            rows["monthly"].append(tag | scores(monthly, month))
            if args.refresh_days:
                figures, refresh_dir, seconds = refreshed_month(
                    refresh_dir, seen, month, args.refresh_days, Path(tmp), m
                )
                rows["refresh"].append(tag | figures | {"refresh_seconds": seconds})
            rows["static"].append(tag | scores(static, month))
            if not args.no_baseline:
                rows["baseline"].append(tag | baseline(seen, month))
                rows["baseline_places"].append(tag | baseline(seen, month, places=True))
            for name, r in rows.items():
                if r:
                    print(
                        f"{m}{' (held out)' if tag['held_out'] else ''} {name}: {json.dumps(r[-1])}",
                        flush=True,
                    )
            if i + 1 < len(months):  # feed the month back, retrain as the product does
                t = time.perf_counter()
                out = Path(tmp) / f"candidate-{i + 1}"
                verdict = retrain(champion_dir, seen, as_feedback(month), out)
                seconds = round(time.perf_counter() - t, 1)
                rows["monthly"][-1]["retrain_after"] = {"promote": verdict.promote, "seconds": seconds}
                print(
                    f"  retrain after {m}: promote={verdict.promote} ({verdict.reason}; {seconds} s)",
                    flush=True,
                )
                if verdict.promote:
                    champion_dir = out
                if args.refresh_days:  # the month's full retrain, from the refreshed champion
                    t = time.perf_counter()
                    out = Path(tmp) / f"refresh-full-{i + 1}"
                    verdict = retrain(refresh_dir, seen, as_feedback(month), out)
                    rows["refresh"][-1]["retrain_after"] = {
                        "promote": verdict.promote,
                        "seconds": round(time.perf_counter() - t, 1),
                    }
                    if verdict.promote:
                        refresh_dir = out
                seen = pd.concat([seen, month], ignore_index=True)
    summary = {
        name: {
            period: {k: mean([r for r in rs if (r["month"] == HELD_OUT) == (period == "dec_held_out")], k)
                     for k in KEEP[1:]}
            for period in ("jul_nov", "dec_held_out")
        }
        for name, rs in rows.items() if rs
    }  # fmt: skip
    print(json.dumps(summary, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps({"months": rows, "summary": summary}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
