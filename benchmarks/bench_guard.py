"""Cost of recomputing the live precision guard from the database (SQLite, fictional rows).

The guard recomputes after every review decision and when its cached verdict is older than
LAPOR_NLP_GUARD_TTL_SECONDS. This fills a fresh database with ``--rows`` reviewed suggestions of one
model version (200 labels) and times a forced recomputation, next to a plain read of the same rows
(``SELECT`` of the joined suggestion/decision columns, no counting) as the baseline.

    python benchmarks/bench_guard.py --rows 2000 20000
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from service.app.db.engine import build_engine, build_sessionmaker
from service.app.db.migrate import upgrade
from service.app.db.models import DecisionRow, SuggestionRow, utcnow
from service.app.guard import Guard
from service.app.state import LoadedModel
from sqlalchemy import select


class _Router:
    version = "bench"
    metadata: dict[str, Any] = {"target_precision": 0.95}
    targets = ("topic", "agency")


def _fill(sessionmaker: Any, rows: int) -> None:
    with sessionmaker() as s:
        for i in range(rows):
            label = f"agency-{i % 200}"
            row = SuggestionRow(
                text="x", location={}, created_at=utcnow(), model_version="bench", category_target="topic",
                category_label=f"topic-{i % 50}", category_score=0.9, category_decision="auto",
                category_top_k=[], category_explanation=[], agency_label=label, agency_score=0.9,
                agency_decision="auto", agency_top_k=[], agency_explanation=[], duplicates=[],
                status="decided", audit=True,
            )  # fmt: skip
            s.add(row)
            s.flush()
            wrong = i % 7 == 0
            s.add(
                DecisionRow(
                    suggestion_id=row.id,
                    agency="other" if wrong else label,
                    category=row.category_label,
                    reviewer="r",
                    outcome="overridden" if wrong else "accepted",
                    decided_at=utcnow(),
                )  # fmt: skip
            )
        s.commit()


def _median_ms(fn: Any, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, nargs="+", default=[2000, 20000])
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    model = LoadedModel(_Router(), "bench", 0.0, "topic", "bench")  # type: ignore[arg-type]
    print("reviewed rows | plain read (ms) | guard recompute (ms) | ratio")
    for rows in args.rows:
        with tempfile.TemporaryDirectory() as tmp:
            engine = build_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
            upgrade(engine)
            sessionmaker = build_sessionmaker(engine)
            _fill(sessionmaker, rows)
            guard = Guard(sessionmaker, min_evidence=20)

            def plain(sessionmaker: Any = sessionmaker) -> None:
                with sessionmaker() as s:
                    s.execute(
                        select(SuggestionRow.id, SuggestionRow.agency_label, DecisionRow.agency).join(
                            DecisionRow, DecisionRow.suggestion_id == SuggestionRow.id
                        )
                    ).all()

            base = _median_ms(plain, args.repeats)
            cost = _median_ms(lambda guard=guard: guard.verdict(model, force=True), args.repeats)
            print(f"{rows} | {base:.1f} | {cost:.1f} | {cost / base:.2f}")
            engine.dispose()


if __name__ == "__main__":
    main()
