"""Table formats benchmark: the same export as CSV (the baseline), XLSX and Parquet.

The Surabaya 2022 export is rewritten into a temporary directory as ``.csv``, ``.xlsx`` (dates as date
cells) and ``.parquet`` (dates as timestamps). Per format it prints the file size, the time of
``lapor_nlp.tables.read_table`` (in this process, best of ``--repeats``) and the wall time of
``lapor-nlp report`` and ``lapor-nlp duplicates`` (each in a fresh process, one run), with the ratio to
CSV measured in the same run. Every command must exit 0.

Run: ``.venv/bin/python benchmarks/bench_formats.py [--limit N] [--commands report duplicates]``
(reads ../shared/datasets, or LAPOR_NLP_SHARED_DATASETS; skips with a message when the data is missing).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("LAPOR_NLP_SHARED_DATASETS", ROOT.parent / "shared" / "datasets"))
CSV = DATA / "surabaya" / "complaints_2022.csv"
FORMATS = (".csv", ".xlsx", ".parquet")


def _write_formats(limit: int | None, directory: Path) -> dict[str, Path]:
    import pandas as pd

    from lapor_nlp.tables import read_table, write_table

    df = read_table(CSV)
    if limit:
        df = df.head(limit)
    typed = df.copy()
    for column in ("submitted_at", "responded_at"):
        typed[column] = pd.to_datetime(typed[column].replace("", None), format="ISO8601")
    paths = {}
    for suffix in FORMATS:
        path = directory / f"export{suffix}"
        write_table(df if suffix == ".csv" else typed, path)
        paths[suffix] = path
    return paths


def _run(command: list[str]) -> tuple[float, int]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "lapor_nlp.cli", *command],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if done.returncode:
        print(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "(no stderr)", file=sys.stderr)
    return seconds, done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="first N complaints only")
    parser.add_argument("--repeats", type=int, default=3, help="read_table repeats (best is kept)")
    parser.add_argument(
        "--commands", nargs="*", default=["report", "duplicates"], choices=["report", "duplicates"]
    )
    args = parser.parse_args()
    if not CSV.is_file():
        print(f"skipped: {CSV} not found (set LAPOR_NLP_SHARED_DATASETS)")
        return 0
    sys.path.insert(0, str(ROOT / "src"))
    from lapor_nlp.tables import read_table

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        paths = _write_formats(args.limit, directory)
        rows: dict[str, dict[str, float | int]] = {}
        for suffix, path in paths.items():
            best = float("inf")
            for _ in range(args.repeats):
                start = time.perf_counter()
                n = len(read_table(path))
                best = min(best, time.perf_counter() - start)
            row: dict[str, float | int] = {"rows": n, "MB": path.stat().st_size / 1e6, "read_table s": best}
            for command in args.commands:
                out = directory / f"out-{command}{suffix}"
                argv = (
                    ["report", str(path), "--out", str(out), "--quiet"]
                    if command == "report"
                    else ["duplicates", str(path), "--output", str(out.with_suffix(".csv")), "--quiet"]
                )
                seconds, code = _run(argv)
                row[f"{command} s"], row[f"{command} exit"] = seconds, code
            rows[suffix] = row
    base = rows[".csv"]
    keys = list(base)
    print(
        "| format | "
        + " | ".join(keys)
        + " | "
        + " | ".join(f"{k} / csv" for k in keys if k.endswith(" s"))
        + " |"
    )
    print("|---" * (1 + len(keys) + sum(k.endswith(" s") for k in keys)) + "|")
    for suffix, row in rows.items():
        cells = [f"{row[k]:.2f}" if isinstance(row[k], float) else str(row[k]) for k in keys]
        ratios = [f"{row[k] / base[k]:.2f}x" for k in keys if k.endswith(" s")]
        print(f"| {suffix} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
    failed = [s for s, r in rows.items() for k, v in r.items() if k.endswith("exit") and v]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
