"""Returns from the receiving office as guard evidence: a replay of the held-out month (December 2022).

A router is trained on January-November 2022 of the Surabaya export (agency target only, the settings
models/default chose for it: C=0.3, no class weighting, no recency weighting) and predicts December in
time order. The live precision guard (``service/app/guard.py``: a class with at least 20 pieces of
evidence is paused when the upper Wilson bound of its precision, z=1.96, is below the model's target
precision) is replayed under four evidence regimes:

- **no guard**: every ``auto`` suggestion is dispatched;
- **audits**: 5% of the ``auto`` dispatches (hash sample, as the service) are reviewed 0-2 days later;
- **audits+returns**: and every wrong dispatch is returned by the receiving office 1-3 days later
  (``POST /v1/suggestions/{id}/return``), nothing else comes back;
- **audits+returns+accept 3d**: and a dispatch not returned within 3 days counts as accepted
  (``LAPOR_NLP_ACCEPT_AFTER_DAYS=3``).

A paused class goes to review; those reviews (0-2 days later) are evidence too. Two scenarios:
**as is** (December as it happened) and **drift**: from 1 December a share (``--drift-share``) of the
complaints of the class with most ``auto`` dispatches belongs to another office (a change of
disposition the model has not seen). Figures are medians (days) and means (shares) over ``--seeds``
random draws of delays and audit samples.

Run: ``nice .venv/bin/python benchmarks/bench_returns.py [--seeds 50] [--drift-share 0.3] [--model DIR]``
(``--model`` reuses a router saved by a previous run with ``--save DIR``).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import hashlib  # noqa: E402
import heapq  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from lapor_nlp.routing.monitoring import wilson_upper_bound  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("LAPOR_NLP_SHARED_DATASETS", ROOT.parent / "shared" / "datasets"))
CSV = DATA / "surabaya" / "complaints_2022.csv"
HELD_OUT = "2022-12"
CONFIG = {"C": [0.3], "class_weight": ["none"], "half_life_days": ["none"]}
REGIMES = ("no guard", "audits", "audits+returns", "audits+returns+accept 3d")
DAY = 86400.0


@dataclass(frozen=True)
class Outcome:
    dispatched: int
    correct: int
    eligible: int
    paused: dict[str, float]  # label -> seconds since the month began when paused


def _sampled(key: str, share: float) -> bool:
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def replay(
    times: np.ndarray,
    ids: list[str],
    predicted: list[str],
    auto: np.ndarray,
    truth: list[str],
    regime: str,
    *,
    seed: int,
    target: float,
    min_evidence: int = 20,
    z: float = 1.96,
    audit_share: float = 0.05,
    accept_days: float = 3.0,
) -> Outcome:
    """Replay one month under ``regime``; evidence arrives as timed events, checked before each complaint."""
    rng = np.random.default_rng(seed)
    events: list[tuple[float, int, str, bool]] = []  # (time, tiebreak, label, correct)
    evidence: dict[str, list[int]] = {}
    paused: dict[str, float] = {}
    dispatched = correct = eligible = 0
    tick = 0

    def later(when: float, label: str, ok: bool) -> None:
        nonlocal tick
        tick += 1
        heapq.heappush(events, (when, tick, label, ok))

    for t, key, label, is_auto, true in zip(times, ids, predicted, auto, truth, strict=True):
        while events and events[0][0] <= t:
            when, _, lbl, ok = heapq.heappop(events)
            n_ok = evidence.setdefault(lbl, [0, 0])
            n_ok[0] += 1
            n_ok[1] += int(ok)
            n, c = n_ok
            if lbl not in paused and n >= min_evidence and wilson_upper_bound(c, n, z) < target:
                paused[lbl] = when
        if not is_auto:
            continue
        eligible += 1
        right = label == true
        if regime != "no guard" and label in paused:  # held for review; the review is evidence
            later(t + rng.uniform(0, 2) * DAY, label, right)
            continue
        dispatched += 1
        correct += int(right)
        if regime == "no guard":
            continue
        if _sampled(f"{seed}:{key}", audit_share):
            later(t + rng.uniform(0, 2) * DAY, label, right)  # the audit's decision counts, not the office
            continue
        if regime == "audits":
            continue
        if not right:
            later(t + rng.uniform(1, 3) * DAY, label, False)
        elif regime == "audits+returns+accept 3d":
            later(t + accept_days * DAY, label, True)
    return Outcome(dispatched, correct, eligible, paused)


def _train_and_predict(args: argparse.Namespace) -> tuple[pd.DataFrame, float, str]:
    from lapor_nlp import Router

    df = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    df = df[df.agency.str.strip() != ""].copy()
    df["when"] = pd.to_datetime(df.submitted_at, errors="coerce")
    df = df.dropna(subset=["when"]).sort_values("when")
    month = df.when.dt.strftime("%Y-%m")
    train, test = df[month < HELD_OUT], df[month == HELD_OUT].copy()
    started = time.perf_counter()
    if args.model:
        router = Router.load(args.model)
        source = f"loaded from {args.model}"
    else:
        router = Router.train(
            train.drop(columns=["when"]),
            text="text",
            targets=["agency"],
            location=["kecamatan", "kelurahan"],
            config=CONFIG,
            progress=False,
        )
        source = f"trained on {len(train)} rows (Jan-Nov 2022) in {time.perf_counter() - started:.0f} s"
        if args.save:
            router.save(args.save)
    suggestions = router.predict(test.drop(columns=["when"]), top_k=1, explain=False)
    test["predicted"] = [s["agency"].label for s in suggestions]
    test["auto"] = [s["agency"].decision == "auto" for s in suggestions]
    target = float(router.metadata.get("target_precision", 0.95))
    return test, target, source


def _summary(outcomes: list[Outcome]) -> tuple[float, float, float]:
    share = float(np.mean([o.dispatched / max(1, o.eligible) for o in outcomes]))
    precision = float(np.mean([o.correct / max(1, o.dispatched) for o in outcomes]))
    paused = float(np.mean([len(o.paused) for o in outcomes]))
    return share, precision, paused


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=50)
    ap.add_argument("--drift-share", type=float, default=0.3)
    ap.add_argument("--model", type=Path, help="a router saved by --save (skips training)")
    ap.add_argument("--save", type=Path, help="save the trained router here")
    args = ap.parse_args()
    if not CSV.is_file():
        sys.exit(f"skipped: {CSV} not found (set LAPOR_NLP_SHARED_DATASETS)")
    test, target, source = _train_and_predict(args)
    start = pd.Timestamp("2022-12-01")
    times = ((test.when - start).dt.total_seconds()).to_numpy(float)
    ids = test.id.astype(str).tolist()
    predicted = test.predicted.tolist()
    auto = test.auto.to_numpy(bool)
    truth = test.agency.str.strip().tolist()
    print(f"router: {source}; December: {len(test)} complaints, {int(auto.sum())} auto; target {target}")
    base = [predicted[i] == truth[i] for i in range(len(truth)) if auto[i]]
    print(f"auto precision in December, no guard: {np.mean(base):.3f} ({sum(base)}/{len(base)})")

    print("\n## as is (December 2022)\n")
    print("| evidence | share of auto suggestions dispatched | precision of dispatched | classes paused |")
    print("|---|---|---|---|")
    for regime in REGIMES:
        runs = [
            replay(times, ids, predicted, auto, truth, regime, seed=s, target=target)
            for s in range(args.seeds)
        ]
        share, precision, paused = _summary(runs)
        print(f"| {regime} | {share:.3f} | {precision:.3f} | {paused:.1f} |")

    counts = pd.Series([p for p, a in zip(predicted, auto, strict=True) if a]).value_counts()
    drifting = str(counts.index[0])
    rng = np.random.default_rng(12345)
    others = sorted(set(truth) - {drifting})
    drifted = [
        (str(rng.choice(others)) if p == drifting and rng.random() < args.drift_share else tr)
        for p, tr in zip(predicted, truth, strict=True)
    ]
    n_class = int(counts.iloc[0])
    print(
        f"\n## drift: from 1 Dec, {args.drift_share:.0%} of the complaints of the class with most auto "
        f"dispatches ({n_class} in December) belong to another office\n"
    )
    print(
        "| evidence | paused (runs) | days to pause (median) | wrong dispatches of the class before "
        "the pause (median) | share dispatched (all) | precision of dispatched (all) |"
    )
    print("|---|---|---|---|---|---|")
    for regime in REGIMES:
        runs = [
            replay(times, ids, predicted, auto, drifted, regime, seed=s, target=target)
            for s in range(args.seeds)
        ]
        hit = [o.paused[drifting] for o in runs if drifting in o.paused]
        days = f"{np.median(hit) / DAY:.1f}" if hit else "never"
        wrong = []
        for o in runs:
            until = o.paused.get(drifting, np.inf)
            wrong.append(
                sum(
                    1
                    for t, p, a, tr in zip(times, predicted, auto, drifted, strict=True)
                    if a and p == drifting and p != tr and t < until
                )
            )
        share, precision, _ = _summary(runs)
        print(
            f"| {regime} | {len(hit)}/{len(runs)} | {days} | {int(np.median(wrong))} | {share:.3f} | "
            f"{precision:.3f} |"
        )


if __name__ == "__main__":
    main()
