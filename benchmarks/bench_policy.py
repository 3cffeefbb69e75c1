"""Does the agency table help inside the suggestion itself? Offline, on later months.

With a model trained on earlier months and its agency table (``agency_policy.json``, learned from the
same rows), each complaint of the test months gets the model's category and agency suggestions, and
the table's agency for the suggested category (place from the location columns). Rules tried:

- **model**: the model alone (agency ``auto`` as the model decides);
- **agree_auto(c, s, min_agency)**: also ``auto`` when the category top-1 has score >= ``c``, the
  table's agency for it (share >= ``s``) equals the agency top-1 (score >= ``min_agency``), and the agency
  top-1 is a class that can go ``auto``;
- **table_top1(c, a)**: the table's agency replaces the agency top-1 when the category score is >= ``c``
  and the agency score is < ``a`` (top-1 only, no ``auto``).

Reported: agency top-1, ``auto`` share and its precision, per rule. Tune on Sep-Nov with a Jan-Aug model;
confirm on December (held out) with a Jan-Nov model, once, with the chosen values.

Run: ``nice .venv/bin/python benchmarks/bench_policy.py --model /tmp/m-jan-aug \
--months 2022-09,2022-10,2022-11``
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("LAPOR_NLP_SHARED_DATASETS", ROOT.parent / "shared" / "datasets"))
CSV = DATA / "surabaya" / "complaints_2022.csv"
GRID_C = (0.5, 0.7, 0.9)
GRID_S = (0.8, 0.95)
GRID_MIN_AGENCY = (0.0, 0.6, 0.8)
GRID_A = (0.3, 0.5)


def evaluate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    n = len(rows)

    def figures(top1: list[str], auto: list[bool]) -> dict[str, float]:
        right = [t == r["truth"] for t, r in zip(top1, rows, strict=True)]
        n_auto = sum(auto)
        ok = sum(a and x for a, x in zip(auto, right, strict=True))
        return {
            "top1": round(sum(right) / n, 4),
            "auto_share": round(n_auto / n, 4),
            "auto_precision": round(ok / n_auto, 4) if n_auto else 0.0,
        }

    base_top1 = [r["agency"] for r in rows]
    base_auto = [r["agency_auto"] for r in rows]
    out["model"] = figures(base_top1, base_auto)
    for c in GRID_C:
        for s in GRID_S:
            for m in GRID_MIN_AGENCY:
                auto = [
                    r["agency_auto"]
                    or (
                        r["category_score"] >= c
                        and r["agency_score"] >= m
                        and r["table"] == r["agency"]
                        and r["table_share"] >= s
                        and r["agency_threshold"] is not None
                    )
                    for r in rows
                ]
                out[f"agree_auto(c={c},s={s},min_agency={m})"] = figures(base_top1, auto)
        for a in GRID_A:
            top1 = [
                r["table"]
                if r["table"] and r["category_score"] >= c and r["agency_score"] < a
                else r["agency"]
                for r in rows
            ]
            out[f"table_top1(c={c},a={a})"] = figures(top1, base_auto)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, required=True, help="model (with agency_policy.json)")
    parser.add_argument("--months", required=True, help="comma-separated YYYY-MM months to score")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not CSV.is_file():
        print(f"skipped: {CSV} not found", file=sys.stderr)
        return 0
    from lapor_nlp.routing import AgencyPolicy, Router, read_table
    from lapor_nlp.tables import parse_timestamps

    warnings.simplefilter("ignore")
    router = Router.load(args.model)
    table = AgencyPolicy.load(args.model)
    df = read_table(CSV)
    times, _ = parse_timestamps(df["submitted_at"])
    df = df[times.dt.strftime("%Y-%m").isin(args.months.split(",")) & df["agency"].notna()]
    suggestions = router.predict(df, explain=False)
    rows = []
    for s, rec in zip(suggestions, df.to_dict("records"), strict=True):
        cat, ag = s["topic"], s["agency"]
        location = {k: rec[k] for k in ("kecamatan", "kelurahan") if isinstance(rec.get(k), str)}
        answer = table.lookup(cat.label, location)
        rows.append(
            {
                "truth": str(rec["agency"]).strip(),
                "agency": ag.label,
                "agency_score": ag.score,
                "agency_auto": ag.decision == "auto",
                "agency_threshold": ag.threshold,
                "category_score": cat.score,
                "table": answer.agency,
                "table_share": answer.share,
            }
        )
    out = {"model": str(args.model), "months": args.months, "n": len(rows), "rules": evaluate(rows)}
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
