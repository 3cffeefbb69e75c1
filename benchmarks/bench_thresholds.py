"""How much coverage the `auto` threshold rule gives away, month by month (Surabaya, agency, Jul-Nov 2022).

For each month M (Jul..Nov; December is held out and not used here), the router is trained on every
complaint before M (as with monthly retraining) and its thresholds are recomputed from the same
held-out predictions under each rule variant: drift margin (share of the allowed error held in
reserve) x periods (1: pooled held-out folds only; 2: pooled and latest half must both reach the
target). Each variant's `auto` share and precision on month M are reported; the variant to ship is the
one with the largest share whose pooled Jul-Nov precision stays >= the target.

Run: ``nice .venv/bin/python benchmarks/bench_thresholds.py [--months 2022-07,...] [--json OUT]``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("LAPOR_NLP_SHARED_DATASETS", ROOT.parent / "shared" / "datasets"))
MONTHS = ("2022-07", "2022-08", "2022-09", "2022-10", "2022-11")
MARGINS = (0.0, 0.1, 0.2, 0.3)
PERIODS = (1, 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", default=",".join(MONTHS))
    parser.add_argument("--config", help="training settings (JSON/TOML), e.g. fixed ones to save time")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args()
    csv = DATA / "surabaya" / "complaints_2022.csv"
    if not csv.is_file():
        print(f"SKIP: {csv} not found (set LAPOR_NLP_SHARED_DATASETS)")
        return 0
    import lapor_nlp.routing.router as router_module
    from lapor_nlp import Router
    from lapor_nlp.routing.evaluation import evaluate
    from lapor_nlp.routing.thresholds import choose_thresholds

    captured: list[tuple[tuple, dict]] = []

    def capture(*a, **kw):  # type: ignore[no-untyped-def]
        captured.append((a, kw))
        return choose_thresholds(*a, **kw)

    router_module.choose_thresholds = capture  # type: ignore[attr-defined]
    df = pd.read_csv(csv, dtype=str, keep_default_na=False)
    months = [m for m in args.months.split(",") if m and m < "2022-12"]  # December is held out
    results: dict[str, list[dict[str, object]]] = {}
    for m in months:
        captured.clear()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            router = Router.train(
                df[df.submitted_at < f"{m}-01"],
                text="text",
                targets=["agency"],
                location=["kecamatan", "kelurahan"],
                progress=False,
                config=args.config,
            )
        (a, kw) = captured[-1]
        month = df[df.submitted_at.str.startswith(m)]
        for margin, periods in itertools.product(MARGINS, PERIODS):
            router.thresholds["agency"] = choose_thresholds(
                *a, **{**kw, "drift_margin": margin, "periods": periods}
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                metrics = evaluate(router, month)["agency"].metrics
            row = {
                "month": m,
                "n": metrics["n"],
                "auto_n": metrics["auto_n"],
                "auto_share": metrics["auto_share"],
            }
            row["auto_precision"] = metrics["auto_precision"]
            results.setdefault(f"margin={margin} periods={periods}", []).append(row)
            print(f"{m} margin={margin} periods={periods}: {json.dumps(row)}", flush=True)
    summary = {}
    for key, rows in results.items():
        n = sum(r["n"] for r in rows)  # type: ignore[misc]
        auto = sum(r["auto_n"] for r in rows)  # type: ignore[misc]
        right = sum(r["auto_n"] * (r["auto_precision"] or 0) for r in rows)  # type: ignore[operator]
        summary[key] = {
            "auto_share": round(auto / n, 4),
            "auto_precision": round(right / auto, 4) if auto else None,
        }
    print(json.dumps(summary, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps({"months": results, "summary": summary}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
