"""Batch prediction on Dask: in-process vs a 2-worker LocalCluster on the same Parquet parts.

N complaints (default 200,000) are made at run time from the real Surabaya texts of January to
November 2022 (greetings, closings, other numbers, dropped words: as bench_duplicates.py does; the
held-out December is not used) and written as Parquet parts to a temporary directory. Then, with the
bundled model:

* **in-process** (the baseline, ``lapor-nlp predict`` without ``--engine``): read the directory,
  :func:`lapor_nlp.batch.predict_frame` on the whole table, write a Parquet directory;
* **dask**: the same through :func:`lapor_nlp.batch.jobs`' path: ``read_dask`` ->
  ``predict_dask`` -> ``write_dask`` on a LocalCluster of ``--workers`` processes, one thread each.

Model loading is timed apart (once in the process, once per worker, in parallel) and left out of
rows/s. On a busy machine wall time says little; ``cpu_ratio_dask_over_local`` (CPU seconds of all
workers over those of the in-process run) shows the overhead of the Dask path. Peak memory per worker
is each worker process's high-water RSS (VmHWM) after the run. Goals:
scaling >= 1.7x with 2 workers on 2 cores, no worker above 2 GB.

Run: ``nice .venv/bin/python benchmarks/bench_dask.py`` (``--rows 20000`` for a quick run).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("LAPOR_NLP_SHARED_DATASETS", ROOT.parent / "shared" / "datasets"))
_NUMBER = re.compile(r"\d+")
_GREETINGS = ("", "", "Selamat pagi, ", "Selamat siang min, ", "Assalamualaikum, ", "Halo admin, ")
_CLOSINGS = ("", "", " Terima kasih.", " Mohon segera ditindaklanjuti.", " Tolong dibantu.")


def _hwm_mb() -> float:
    """High-water resident memory of this process, in MB."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def make_complaints(source: pd.DataFrame, n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` synthetic complaints: real texts with realistic variations and their locations."""
    rng = random.Random(seed)
    texts = source["text"].tolist()
    kec = source["kecamatan"].fillna("").tolist()
    kel = source["kelurahan"].fillna("").tolist()
    rows = []
    for i in range(n):
        b = rng.randrange(len(texts))
        words = _NUMBER.sub(lambda m: str(rng.randint(1, 60)), texts[b]).split()
        if len(words) > 6 and rng.random() < 0.5:
            words = [w for w in words if rng.random() > 0.08] or words
        rows.append(
            {
                "id": f"s{i}",
                "text": rng.choice(_GREETINGS) + " ".join(words) + rng.choice(_CLOSINGS),
                "submitted_at": pd.Timestamp("2023-01-01") + pd.Timedelta(minutes=3 * i),
                "kecamatan": kec[b],
                "kelurahan": kel[b],
            }
        )
    return pd.DataFrame(rows)


def write_parts(df: pd.DataFrame, directory: Path, parts: int) -> None:
    directory.mkdir(parents=True)
    size = -(-len(df) // parts)
    for i in range(parts):
        df.iloc[i * size : (i + 1) * size].to_parquet(directory / f"part-{i:05d}.parquet", index=False)


def bench_local(model: Path, parts: Path, out: Path) -> dict[str, float]:
    from lapor_nlp.batch import predict_frame
    from lapor_nlp.routing import Router
    from lapor_nlp.tables import read_table, write_table

    start = time.perf_counter()
    router = Router.load(model)
    load = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    df = read_table(parts)
    result = predict_frame(router, df)
    write_table(result, out)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "rows": len(result),
        "model_load_s": round(load, 1),
        "seconds": round(wall, 1),
        "rows_per_s": round(len(result) / wall, 1),
        "cpu_s": round(cpu, 1),
        "peak_rss_mb": round(_hwm_mb()),
    }


def bench_dask(model: Path, parts: Path, out: Path, workers: int, partitions: int) -> dict[str, object]:
    from lapor_nlp.batch import dask_client, get_router, predict_dask, read_dask, write_dask

    with dask_client(workers=workers) as client:
        start = time.perf_counter()
        client.run(get_router, str(model))  # every worker loads the model once, in parallel
        load = time.perf_counter() - start
        cpu_before = client.run(time.process_time)
        start = time.perf_counter()
        ddf = read_dask(parts, min_partitions=partitions)
        rows = write_dask(predict_dask(ddf, model), out)
        wall = time.perf_counter() - start
        cpu = sum(client.run(time.process_time)[w] - c for w, c in cpu_before.items())
        peaks = client.run(_hwm_mb)
    return {
        "rows": rows,
        "workers": workers,
        "partitions": max(partitions, ddf.npartitions),
        "model_load_s": round(load, 1),
        "seconds": round(wall, 1),
        "rows_per_s": round(rows / wall, 1),
        "worker_cpu_s": round(cpu, 1),
        "worker_peak_rss_mb": sorted(round(v) for v in peaks.values()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000, help="complaints to predict (200,000)")
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes (2)")
    parser.add_argument("--parts", type=int, default=8, help="Parquet parts written (8)")
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "default")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    csv = DATA / "surabaya" / "complaints_2022.csv"
    if not csv.is_file():
        print(f"shared datasets not found at {DATA} (set LAPOR_NLP_SHARED_DATASETS); nothing to benchmark")
        return 0
    source = pd.read_csv(csv, dtype=str, keep_default_na=False)
    when = pd.to_datetime(source["submitted_at"], errors="coerce", format="mixed")
    source = source[(when < "2022-12-01") & source["text"].str.strip().ne("")]  # December is held out
    with tempfile.TemporaryDirectory(prefix="bench-dask-") as tmp:
        parts = Path(tmp) / "in"
        write_parts(make_complaints(source, args.rows), parts, args.parts)
        print(f"== {args.rows:,} complaints in {args.parts} Parquet parts; load {os.getloadavg()[0]:.1f}")
        sys.stdout.flush()
        local = bench_local(args.model, parts, Path(tmp) / "out-local")
        print(f"in-process: {json.dumps(local)}")
        sys.stdout.flush()
        remote = bench_dask(args.model, parts, Path(tmp) / "out-dask", args.workers, 4 * args.workers)
        print(f"dask: {json.dumps(remote)}")
        same = pd.read_parquet(Path(tmp) / "out-local").equals(pd.read_parquet(Path(tmp) / "out-dask"))
    ratio = round(float(remote["rows_per_s"]) / local["rows_per_s"], 2)  # type: ignore[arg-type]
    cpu_ratio = round(float(remote["worker_cpu_s"]) / max(local["cpu_s"], 1e-9), 2)  # type: ignore[arg-type]
    peak = max(remote["worker_peak_rss_mb"])  # type: ignore[type-var]
    summary = {
        "scaling": ratio,
        "goal_scaling": 1.7,
        "cpu_ratio_dask_over_local": cpu_ratio,
        "max_worker_mb": peak,
        "goal_worker_mb": 2048,
        "identical_output": same,
        "load_after": round(os.getloadavg()[0], 1),
    }
    print(f"summary: {json.dumps(summary)}")
    if args.json:
        args.json.write_text(json.dumps({"in_process": local, "dask": remote, **summary}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
