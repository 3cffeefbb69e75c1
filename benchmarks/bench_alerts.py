"""Count emerging-issue alerts per level on the Surabaya export: the old defaults against today's.

Run: ``.venv/bin/python benchmarks/bench_alerts.py [--data CSV]``

``before`` is the rule of the first release (every level: at least 5 complaints, z >= 3.5, p <= 1e-4,
no cap per week); ``after`` is :func:`lapor_nlp.insights.detect_emerging` with its defaults (per-level
thresholds, at most 2 alerts per week and level). Counted on the whole of 2022 and on January to
November (the defaults were chosen on those 11 months only; December 2022 is held out). Only counts are
printed, no complaint text.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = Path(os.environ.get("LAPOR_NLP_SHARED_DATASETS", ROOT.parent / "shared" / "datasets"))
DEFAULT = DEFAULT / "surabaya" / "complaints_2022.csv"
LEVELS = ("category", "agency", "kecamatan", "kelurahan")
BEFORE = {"min_count": 5, "z_threshold": 3.5, "alpha": 1e-4, "max_per_period": None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT, help="complaint export CSV")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"skipped: {args.data} not found (set LAPOR_NLP_SHARED_DATASETS)")
        return 0
    from lapor_nlp.insights import detect_emerging, load_complaints, prepare_complaints

    data = load_complaints(args.data)
    frame = data.frame
    spans = {
        "2022 (52 weeks)": data,
        "Jan-Nov (48 weeks)": prepare_complaints(frame[frame["submitted_at"] < "2022-12-01"]),
    }
    print(f"{'span':<20} {'rule':<7} " + " ".join(f"{lv:>10}" for lv in LEVELS) + f" {'total':>7}")
    for name, span in spans.items():
        for rule, params in (("before", BEFORE), ("after", {})):
            counts = [len(detect_emerging(span, lv, examples=0, **params)) for lv in LEVELS]  # type: ignore[arg-type]
            cells = " ".join(f"{c:>10}" for c in counts)
            print(f"{name:<20} {rule:<7} {cells} {sum(counts):>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
