"""Time `lapor-nlp report` on the Surabaya export (and a 10x longer synthetic history of it).

Run: ``.venv/bin/python benchmarks/bench_insights.py [--data CSV] [--scale 10] [--quiet]``

Prints the time of each stage and of the whole report, next to a named baseline measured in the same
run: ``baseline: read_csv + weekly counts`` (pandas reading the CSV and counting complaints per week and
category, the floor any report pays). Review quality is timed on a synthetic decisions table built
from the export's own labels (1 in 5 suggestions reviewed, 1 in 10 reviewed ones overridden).
Outputs go to a temporary directory that is deleted afterwards (they contain excerpts of the data).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = Path(os.environ.get("LAPOR_NLP_SHARED_DATASETS", ROOT.parent / "shared" / "datasets"))
DEFAULT = DEFAULT / "surabaya" / "complaints_2022.csv"


def _timed(label: str, fn, results: dict[str, float]):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn()
    results[label] = time.perf_counter() - start
    return out


def _decisions(frame: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = len(frame)
    review = rng.random(n) < 0.2
    decided = review & (rng.random(n) < 0.9)
    override = decided & (rng.random(n) < 0.1)
    agencies = frame["agency"].to_numpy()
    received = pd.to_datetime(frame["submitted_at"], format="mixed")
    return pd.DataFrame(
        {
            "suggestion_id": np.arange(n).astype(str),
            "routing": np.where(review, "review", "auto"),
            "suggested_category": frame.get("topic", frame.get("category")),
            "suggested_agency": agencies,
            "final_category": np.where(decided, frame.get("topic", frame.get("category")), ""),
            "final_agency": np.where(decided, np.where(override, np.roll(agencies, 1), agencies), ""),
            "reviewer": np.where(decided, rng.choice(["ani", "budi", "citra", "dewi"], n), ""),
            "received_at": received.dt.strftime("%Y-%m-%d %H:%M:%S"),
            "decided_at": (received + pd.to_timedelta(rng.exponential(6, n), unit="h")).dt.strftime(
                "%Y-%m-%d %H:%M:%S"
            ),
        }
    )


def _scaled(path: Path, scale: int, out: Path) -> Path:
    """Write ``scale`` copies of the export, each shifted by one more year, as one long history."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    parts = []
    for k in range(scale):
        part = frame.copy()
        part["id"] = part["id"] + f"-{k}"
        for col in ("submitted_at", "responded_at"):
            when = pd.to_datetime(part[col], format="mixed", errors="coerce") - pd.DateOffset(
                years=scale - 1 - k
            )
            part[col] = when.dt.strftime("%Y-%m-%d %H:%M:%S").fillna("")
        parts.append(part)
    target = out / f"scaled_{scale}x.csv"
    pd.concat(parts, ignore_index=True).to_csv(target, index=False)
    return target


def run(path: Path, quiet: bool) -> dict[str, float]:
    from lapor_nlp.insights import (
        backlog,
        build_report,
        detect_emerging,
        load_complaints,
        response_times,
        review_quality,
        volume,
    )

    t: dict[str, float] = {}
    raw = _timed("baseline: read_csv + weekly counts", lambda: pd.read_csv(path, dtype=str), t)
    start = time.perf_counter()
    weeks = pd.to_datetime(raw["submitted_at"], format="mixed").dt.to_period("W")
    raw.groupby([weeks, raw["topic"]]).size()
    t["baseline: read_csv + weekly counts"] += time.perf_counter() - start

    data = _timed("load + validate", lambda: load_complaints(path), t)
    _timed(
        "volume (weekly+monthly x 4 dims)",
        lambda: [volume(data, d, freq=f) for d in data.dimensions for f in ("W", "M")],
        t,
    )
    alerts = _timed(
        "emerging (4 dims, with examples)", lambda: [detect_emerging(data, d) for d in data.dimensions], t
    )
    _timed("response times + backlog", lambda: (response_times(data, "agency"), backlog(data)), t)
    decisions = _decisions(pd.read_csv(path, dtype=str, keep_default_na=False))
    _timed("review quality", lambda: review_quality(decisions), t)
    with tempfile.TemporaryDirectory() as tmp:

        def full() -> object:
            report = build_report(load_complaints(path), decisions=decisions, progress=not quiet)
            return report.write(tmp)

        page = _timed("TOTAL: load + full report + write", full, t)
        size = Path(page).stat().st_size  # type: ignore[arg-type]
    print(
        f"\n{path.name}: {len(data.frame):,} complaints, {sum(len(a) for a in alerts)} emerging alerts, "
        f"report.html {size / 1e6:.2f} MB"
    )
    width = max(map(len, t))
    for label, seconds in t.items():
        print(f"  {label:<{width}}  {seconds:7.2f} s")
    return t


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT, help="complaint export CSV")
    parser.add_argument("--scale", type=int, default=10, help="also time an N-times-longer history (0: skip)")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"SKIP: {args.data} not found (set LAPOR_NLP_SHARED_DATASETS or pass --data)", file=sys.stderr)
        return 0
    one = run(args.data, args.quiet)
    if args.scale > 1:
        with tempfile.TemporaryDirectory() as tmp:
            many = run(_scaled(args.data, args.scale, Path(tmp)), args.quiet)
        key = "TOTAL: load + full report + write"
        print(f"\nscaling x{args.scale} rows: report time x{many[key] / one[key]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
