"""Routing benchmark on later data: train Jan-Sep 2022, test Oct-Dec 2022 (Surabaya), against the baseline.

Baseline (issue 3): word 1-2 + char 2-5 TF-IDF on the raw text, LinearSVC(C=0.5, class_weight=balanced)
calibrated by 3-fold CalibratedClassifierCV, one class per agency label (labels with fewer than 3
training rows dropped so that 3-fold calibration can run). Both are scored on the same test rows.

Run: ``.venv/bin/python benchmarks/bench_routing.py [--quick]`` (reads ../shared/datasets, or
LAPOR_NLP_SHARED_DATASETS). Prints quality per target, speed (one core), training time, size and load time.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("LAPOR_NLP_SHARED_DATASETS", ROOT.parent / "shared" / "datasets"))


def baseline(train: pd.DataFrame, test: pd.DataFrame, target: str) -> dict[str, float]:
    import scipy.sparse as sp
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    from lapor_nlp.routing.metrics import coverage_at_precision

    start = time.perf_counter()
    tr = train[train[target].str.strip() != ""]
    counts = tr[target].value_counts()
    tr = tr[tr[target].isin(counts[counts >= 3].index)]
    te = test[test[target].str.strip() != ""]
    word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    X = sp.hstack([word.fit_transform(tr.text), char.fit_transform(tr.text)]).tocsr()
    Xt = sp.hstack([word.transform(te.text), char.transform(te.text)]).tocsr()
    model = CalibratedClassifierCV(LinearSVC(C=0.5, class_weight="balanced"), cv=3).fit(
        X, tr[target].to_numpy(str)
    )
    seconds = time.perf_counter() - start
    proba = model.predict_proba(Xt)
    top = model.classes_[np.argsort(-proba, axis=1)[:, :3]]
    y = te[target].to_numpy(str)
    right = top[:, 0] == y
    return {
        "top1_accuracy": round(float(right.mean()), 4),
        "top3_accuracy": round(float((top == y[:, None]).any(axis=1).mean()), 4),
        "coverage_at_0.95_precision": round(coverage_at_precision(proba.max(axis=1), right, 0.95), 4),
        "training_seconds": round(seconds, 1),
    }


# Earlier periods, for how `auto` decisions hold up when the dispositions drift (agency only).
EARLIER_SPLITS = (("2022-05-01", "2022-07-01"), ("2022-07-01", "2022-10-01"))


def earlier_split(df: pd.DataFrame, cut: str, end: str, config: str | None = None) -> dict[str, object]:
    """Agency router trained before ``cut`` and scored on ``cut`` <= submitted_at < ``end``."""
    from lapor_nlp import Router
    from lapor_nlp.routing.evaluation import evaluate

    train = df[df.submitted_at < cut].reset_index(drop=True)
    test = df[(df.submitted_at >= cut) & (df.submitted_at < end)].reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        router = Router.train(
            train,
            text="text",
            targets=["agency"],
            location=["kecamatan", "kelurahan"],
            progress=False,
            config=config,
        )
        metrics = evaluate(router, test)["agency"].metrics
    keep = ("n", "top1_accuracy", "top3_accuracy", "coverage_at_0.95_precision")
    keep += ("auto_share", "auto_precision")
    return {"train_rows": len(train), "test": f"{cut} .. {end}", **{k: metrics[k] for k in keep}}


def load_time(model_dir: Path) -> float:
    code = (
        "import time; t=time.perf_counter(); from lapor_nlp import Router; "
        f"Router.load({str(model_dir)!r}); print(time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def write_card(model_dir: Path, figures: dict[str, object], config: str | None = None) -> None:
    """Re-render ``model_dir``/MODEL_CARD.md with the later-data figures of this run."""
    from lapor_nlp.routing.model_card import render_model_card

    metadata = json.loads((model_dir / "metadata.json").read_text())
    later: dict[str, object] = {
        "_note": "Same recipe trained on Jan-Sep 2022 and scored on Oct-Dec 2022 "
        f"(`benchmarks/bench_routing.py{f' --config {config}' if config else ''}`); "
        "baseline = word+char TF-IDF, LinearSVC C=0.5 balanced, "
        "CalibratedClassifierCV cv=3. Speed: "
        f"{figures['batch_1000_per_second']} complaints/s in batches of 1,000 (first batch after "
        f"loading: {figures['batch_1000_per_second_first_after_load']}/s), single median "
        f"{figures['single_median_ms']} ms, training {figures['training_seconds']} s "
        "(shared 2-core machine).",
    }
    for key in ("router_topic", "router_agency", "baseline_topic", "baseline_agency"):
        if key in figures:
            later[key] = {k: v for k, v in figures[key].items() if k != "label_noise"}  # type: ignore[union-attr]
            noise = figures[key].get("label_noise")  # type: ignore[union-attr]
            if noise:
                later[key]["label_noise_conflicting_rows"] = noise["conflicting_rows_share"]  # type: ignore[index]
    for split in figures.get("router_agency_earlier_periods", []):  # type: ignore[attr-defined]
        later[f"router_agency, test {split['test']}"] = {k: v for k, v in split.items() if k != "test"}
    source = (
        "Surabaya city complaint portal ('Media Center') 2022 export, "
        "`../shared/datasets/surabaya/complaints_2022.csv` (third-party data without a licence: used for "
        "training only, not redistributed; personal data was masked at the source)"
    )
    card = render_model_card(metadata, later_data=later, data_source=source)
    (model_dir / "MODEL_CARD.md").write_text(card)


def speed(model_dir: Path, test: pd.DataFrame) -> dict[str, float]:
    """Prediction speed of a freshly loaded model (run in its own process: caches start empty).

    Per-word caches (stems, n-grams) fill as words are met, so the first batch after loading pays for
    every new word; a running service is past that (the next batch: other complaints).
    """
    from lapor_nlp import Router

    router = Router.load(model_dir)
    out = {}
    for key, rows, explain in (
        ("batch_1000_per_second_first_after_load", slice(0, 1000), True),
        ("batch_1000_per_second", slice(1000, 2000), True),
        ("batch_1000_per_second_no_explanations", slice(1000, 2000), False),
    ):
        t = time.perf_counter()
        router.predict(test.iloc[rows], explain=explain)
        out[key] = round(1000 / (time.perf_counter() - t), 1)
    lat = []
    for i in range(200):
        row = test.iloc[2000 + i % 300]
        location = {"kecamatan": row.kecamatan, "kelurahan": row.kelurahan}
        t = time.perf_counter()
        router.predict(row.text, location=location)
        lat.append(time.perf_counter() - t)
    out["single_median_ms"] = round(statistics.median(lat) * 1000, 2)
    return out


#: The setting the 6-point search chose for Surabaya agency (benchmarks/README.md), for a quick champion.
CHAMPION_SETTING = {"C": 0.3, "class_weight": "balanced", "half_life_days": "none"}


def retrain_speed(df: pd.DataFrame, rows: int, search: bool = False) -> dict[str, object]:
    """Seconds of ``Router.train``, of a full ``retrain`` and of a refresh on ``rows`` complaints.

    The rows repeat the Jan-Nov 2022 complaints (the copy shifted by one year, new ids) in time order;
    the champion is trained on all but the last 1,000, which are then fed back as reviewed feedback.
    The champion is trained with :data:`CHAMPION_SETTING` fixed (``search``: with the default grids);
    ``retrain`` reuses the champion's setting per target either way, so its time does not depend on it.
    """
    from lapor_nlp import Router
    from lapor_nlp.routing import retrain

    pool = df[df.submitted_at < "2022-12-01"]
    copies = []
    for k in range(rows // len(pool) + 1):
        shifted = pd.to_datetime(pool.submitted_at) + pd.DateOffset(years=k)
        copies.append(pool.assign(id=pool.id + f"-{k}", submitted_at=shifted.astype(str)))
    data = pd.concat(copies, ignore_index=True).iloc[:rows]
    base, feedback = data.iloc[:-1000], data.iloc[-1000:].assign(outcome="accepted", flagged="")
    args = {"text": "text", "targets": ["topic", "agency"], "location": ["kecamatan", "kelurahan"]}
    config = None if search else CHAMPION_SETTING
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = time.perf_counter()
        Router.train(base, progress=False, config=config, **args).save(Path(tmp) / "champion")
        train_seconds = time.perf_counter() - t
        print(f"champion trained in {train_seconds:.1f} s", file=sys.stderr, flush=True)
        load_mid = os.getloadavg()[0]
        t = time.perf_counter()
        verdict = retrain(Path(tmp) / "champion", base, feedback, Path(tmp) / "candidate")
        retrain_seconds = time.perf_counter() - t
        print(f"full retrain in {retrain_seconds:.1f} s", file=sys.stderr, flush=True)
        candidate = Router.load(Path(tmp) / "candidate")
        t = time.perf_counter()
        refreshed = retrain(Path(tmp) / "champion", base, feedback, Path(tmp) / "refresh", refresh=True)
        refresh_seconds = time.perf_counter() - t
    return {
        "rows": rows,
        "champion": "settings chosen by the 6-point search" if search else f"fixed {CHAMPION_SETTING}",
        "train_seconds": round(train_seconds, 1),
        "retrain_seconds": round(retrain_seconds, 1),
        "refresh_seconds": round(refresh_seconds, 1),
        "promote": verdict.promote,
        "refresh_promote": refreshed.promote,
        "retrain_chosen": verdict.settings.get("chosen"),
        "candidate_tried_points": {
            t: len(v["tried"]) for t, v in candidate.metadata["chosen_settings"].items()
        },
        "load_average_1min": [load_before, load_mid, os.getloadavg()[0]],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the baseline and the earlier periods")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--card", help="model directory whose MODEL_CARD.md gets these later-data figures")
    parser.add_argument(
        "--retrain-rows", type=int, help="only time train + retrain on this many complaints (e.g. 12000)"
    )
    parser.add_argument(
        "--search", action="store_true", help="with --retrain-rows: train the champion with the grid search"
    )
    parser.add_argument("--config", help="training settings (JSON/TOML), e.g. models/default.toml")
    parser.add_argument("--speed", metavar="MODEL_DIR", help=argparse.SUPPRESS)  # internal: fresh process
    args = parser.parse_args()
    csv = DATA / "surabaya" / "complaints_2022.csv"
    if not csv.is_file():
        print(f"SKIP: {csv} not found (set LAPOR_NLP_SHARED_DATASETS)")
        return 0
    from lapor_nlp import Router
    from lapor_nlp.routing.evaluation import evaluate

    df = pd.read_csv(csv, dtype=str, keep_default_na=False)
    train = df[df.submitted_at < "2022-10-01"].reset_index(drop=True)
    test = df[df.submitted_at >= "2022-10-01"].reset_index(drop=True)
    if args.retrain_rows:
        print(json.dumps(retrain_speed(df, args.retrain_rows, args.search), indent=2))
        return 0
    if args.speed:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            print(json.dumps(speed(Path(args.speed), test)))
        return 0
    print(f"train {len(train)} rows (Jan-Sep 2022), test {len(test)} rows (Oct-Dec 2022)")
    figures: dict[str, object] = {}

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        router = Router.train(
            train,
            text="text",
            targets=["topic", "agency"],
            location=["kecamatan", "kelurahan"],
            progress=False,
            config=args.config,
        )
    figures["training_seconds"] = round(time.perf_counter() - start, 1)
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = Path(tmp) / "model"
        router.save(model_dir)
        figures["model_mb"] = round(sum(f.stat().st_size for f in model_dir.iterdir()) / 1e6, 2)
        figures["load_seconds_fresh_process_incl_import"] = round(load_time(model_dir), 3)
        t = time.perf_counter()
        Router.load(model_dir)
        figures["load_seconds_warm"] = round(time.perf_counter() - t, 3)
        runs = []  # medians of three fresh processes: the shared machine is noisy
        for _ in range(3):
            command = [sys.executable, __file__, "--speed", str(model_dir)]
            out = subprocess.run(command, capture_output=True, text=True, check=True)
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        figures.update({k: statistics.median(r[k] for r in runs) for k in runs[0]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = evaluate(router, test)
    for target, ev in results.items():
        figures[f"router_{target}"] = ev.metrics
    if not args.quick:
        for target in ("agency", "topic"):
            figures[f"baseline_{target}"] = baseline(train, test, target)
        earlier = [earlier_split(df, cut, end, args.config) for cut, end in EARLIER_SPLITS]
        figures["router_agency_earlier_periods"] = earlier

    print(json.dumps(figures, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    if args.card:
        write_card(Path(args.card), figures, args.config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
