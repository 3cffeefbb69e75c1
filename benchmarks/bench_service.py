"""Throughput and latency of ``POST /v1/route`` on the default model, at concurrency 1 and 8.

Run: ``.venv/bin/python benchmarks/bench_service.py [--model models/default] [--requests 1000]
[--workers default 1 2] [--repeats 3] [--data CSV]``

Starts ``lapor-nlp serve`` on 127.0.0.1 (fresh SQLite file in a temporary directory, so every request
also writes a row and queries the duplicate index), sends real complaint texts from
``../shared/datasets`` (hand-written ones when that is missing) from 1 and 8 client threads, and prints
requests/s, p50 and p99 for each worker count. ``default`` starts it as ``make run`` does (no
``--workers``, no ``--quiet``: the worker count the service picks from the cores). The named
baseline, measured in the same run, is
``baseline: Router.predict in-process`` (one text at a time, no HTTP, no database, no duplicates): the
floor the service pays per request. Goal: p99 <= 100 ms at concurrency 8 on a 2-core machine.
Nothing of the data is printed or kept.

``--cold``: the first minutes after a start. Starts the service as ``make run`` does (default
workers), waits until ``/readyz`` answers 200, then at once sends the first ``--requests`` complaints
(texts it has never seen) at concurrency 8 and reports p50/p99 over them and the start-up time
(process start to ready), ``--repeats`` times. The named baseline is the same run with the warm-up
switched off (``LAPOR_NLP_WARM_UP=false``: one prediction at load, as before issue 21). Goal: p99
<= 100 ms over the first 1,000 complaints at c=8.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("LAPOR_NLP_SHARED_DATASETS", ROOT.parent / "shared" / "datasets"))
DATA = DATA / "surabaya" / "complaints_2022.csv"
KEY = "bench-intake-key-0123456789"
FALLBACK = [  # hand-written, used only when the shared data is missing
    "Lampu PJU di jalan depan balai RW mati sudah seminggu, mohon segera diperbaiki",
    "Sampah menumpuk di pinggir sungai dekat jembatan, baunya menyengat",
    "Jalan berlubang besar di dekat pasar, sudah ada pengendara yang jatuh",
    "Saluran air tersumbat, tiap hujan rumah warga kebanjiran",
    "Mohon info pendaftaran bantuan sosial untuk lansia di kelurahan kami",
    "Parkir liar di trotoar depan sekolah membuat macet tiap pagi",
]


def _texts(data: Path, n: int, seed: int = 0) -> list[tuple[str, dict[str, str]]]:
    if not data.is_file():
        print(f"(no shared data at {data}: using {len(FALLBACK)} hand-written texts)")
        return [(FALLBACK[i % len(FALLBACK)] + f" ({i})", {}) for i in range(n)]
    import pandas as pd

    df = pd.read_csv(data, usecols=["text", "kecamatan", "kelurahan"]).dropna(subset=["text"])
    df = df[df["text"].str.strip().str.len() > 0].sample(n=min(n, len(df)), random_state=seed)
    return [
        (str(t), {k: str(v) for k, v in (("kecamatan", kc), ("kelurahan", kl)) if isinstance(v, str)})
        for t, kc, kl in zip(df["text"], df["kecamatan"], df["kelurahan"], strict=True)
    ]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _baseline(model: Path, texts: list[tuple[str, dict[str, str]]]) -> list[float]:
    from lapor_nlp import Router  # type: ignore[attr-defined]

    router = Router.load(model)
    router.predict(texts[0][0], top_k=3)
    times = []
    for text, loc in texts:
        start = time.perf_counter()
        router.predict(text, location=loc or None, top_k=3)
        times.append(time.perf_counter() - start)
    return times


def _serve(
    model: Path, workers: str, port: int, tmp: Path, extra_env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    env = dict(os.environ, LAPOR_NLP_API_KEYS=f"intake:{KEY}", **(extra_env or {}))
    cmd = [
        sys.executable,
        "-m",
        "lapor_nlp.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--model",
        str(model),
        "--database-url",
        f"sqlite:///{tmp / 'bench.db'}",
    ]
    if workers != "default":  # "default": as `make run` starts it
        cmd += ["--workers", workers, "--quiet"]
    log = open(tmp / "serve.log", "wb")  # noqa: SIM115 - closed with the temporary directory
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the service did not start: " + (tmp / "serve.log").read_text()[-2000:])
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    proc.kill()
    raise RuntimeError("the service did not get ready within 180 s")


def _server_cpu(pid: int) -> float | None:
    """CPU seconds used so far by the server and its worker processes (None without psutil).

    Unlike latency this hardly depends on what else runs on the machine, so it is comparable
    between a busy and a quiet machine.
    """
    try:
        import psutil
    except ImportError:
        return None
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
        return sum(sum(p.cpu_times()[:2]) for p in procs)
    except psutil.Error:
        return None


def _load(
    base: str, texts: list[tuple[str, dict[str, str]]], concurrency: int
) -> tuple[list[float], float, list[str]]:
    """Send every text once, from ``concurrency`` threads; returns latencies, wall time, errors.

    ``errors`` lists the non-200 answers as ``status:type`` (e.g. ``422:EmptyComplaintError`` for a
    complaint with no words in it, which is the service doing its job).
    """
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    queue = list(enumerate(texts))

    def worker() -> None:
        with httpx.Client(base_url=base, headers={"X-API-Key": KEY}, timeout=30) as http:
            while True:
                with lock:
                    if not queue:
                        return
                    i, (text, loc) = queue.pop()
                body = {"text": text, "location": loc or None}
                start = time.perf_counter()
                r = http.post("/v1/route", json=body)
                elapsed = time.perf_counter() - start
                with lock:
                    latencies.append(elapsed)
                    if r.status_code != 200:
                        errors.append(f"{r.status_code}:{r.json().get('type', '?')}")

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, time.perf_counter() - start, errors


def _cold(args: argparse.Namespace, texts: list[tuple[str, dict[str, str]]]) -> int:
    """Start, wait for ready, send the first ``args.requests`` new complaints at c=8; per warm-up mode."""
    runs = max(1, args.repeats)
    modes = [("baseline: no warm-up", {"LAPOR_NLP_WARM_UP": "false"}), ("warm-up at load", {})]
    print(f"machine: {os.cpu_count()} cores; first {args.requests} new complaints at c=8 after ready")
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name, _ in modes}
    n = 0
    for _ in range(runs):
        for name, env in modes:  # interleaved, so that both see the same machine load
            chunk = texts[n * args.requests : (n + 1) * args.requests]
            n += 1
            with tempfile.TemporaryDirectory() as tmp:
                port = _free_port()
                started = time.perf_counter()
                proc = _serve(args.model, "default", port, Path(tmp), env)
                ready = time.perf_counter() - started
                try:
                    cpu_before = _server_cpu(proc.pid)
                    lat, wall, errors = _load(f"http://127.0.0.1:{port}", chunk, 8)
                    cpu_after = _server_cpu(proc.pid)
                    # the same number of new texts again: the steady state under the same machine load
                    steady, _, _ = _load(
                        f"http://127.0.0.1:{port}", texts[-(n * args.requests) - 1 :][: args.requests], 8
                    )
                finally:
                    proc.terminate()
                    try:
                        proc.wait(timeout=20)
                    except subprocess.TimeoutExpired:
                        proc.kill()
            results[name].append((ready, _pct(lat, 0.5), _pct(lat, 0.99), _pct(steady, 0.99)))
            cpu = (
                f"  cpu/request {(cpu_after - cpu_before) / len(lat) * 1000:5.1f} ms"
                if cpu_before is not None and cpu_after is not None
                else ""
            )
            print(
                f"{name:<22} start-up {ready:5.1f} s  p50 {_pct(lat, 0.5) * 1000:6.1f} ms  "
                f"p99 {_pct(lat, 0.99) * 1000:6.1f} ms  {len(lat) / wall:6.1f} req/s{cpu}  "
                f"errors {len(errors)}"
                f"  (next {len(steady)}: p99 {_pct(steady, 0.99) * 1000:6.1f} ms)"
            )
    for name, rows in results.items():
        ready, p50, p99, later = (statistics.median(r[i] for r in rows) for i in range(4))
        verdict = "met" if p99 <= 0.1 else "MISSED"
        print(
            f"median of {runs}: {name:<22} start-up {ready:5.1f} s  p50 {p50 * 1000:6.1f} ms  "
            f"p99 {p99 * 1000:6.1f} ms (next {args.requests}: {later * 1000:6.1f} ms)  "
            f"goal p99 <= 100 ms: {verdict}"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "default")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--requests", type=int, default=1000, help="requests per concurrency level")
    parser.add_argument(
        "--workers", nargs="+", default=["default", "1"], help="worker counts; 'default' = as `make run`"
    )
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument(
        "--repeats", type=int, default=1, help="runs per level (fresh texts each); medians are reported"
    )
    parser.add_argument("--cold", action="store_true", help="the first requests after a start (see above)")
    args = parser.parse_args(argv)
    if not (args.model / "metadata.json").is_file():
        print(f"no model at {args.model}; train one first (see README)", file=sys.stderr)
        return 2
    random.seed(0)
    runs = max(1, args.repeats)
    if args.cold:
        return _cold(args, _texts(args.data, args.requests * 4 * runs))
    texts = _texts(args.data, args.requests * (len(args.concurrency) * runs + 1))
    print(f"machine: {os.cpu_count()} cores; {args.requests} requests per level; model {args.model.name}")
    base_times = _baseline(args.model, texts[: args.requests])
    base_p50, base_p99 = _pct(base_times, 0.5), _pct(base_times, 0.99)
    print(
        f"baseline: Router.predict in-process   p50 {base_p50 * 1000:6.1f} ms  "
        f"p99 {base_p99 * 1000:6.1f} ms  "
        f"({1 / statistics.mean(base_times):6.1f} texts/s, 1 thread)"
    )
    for workers in args.workers:
        with tempfile.TemporaryDirectory() as tmp:
            port = _free_port()
            proc = _serve(args.model, workers, port, Path(tmp))
            try:
                base = f"http://127.0.0.1:{port}"
                _load(base, texts[-20:], 2)  # warm-up: imports, caches, first index queries
                chunks = iter(range(len(args.concurrency) * runs))
                for concurrency in args.concurrency:
                    p50s, p99s, rates = [], [], []
                    for _ in range(runs):
                        n = next(chunks)
                        chunk = texts[n * args.requests : (n + 1) * args.requests]
                        cpu_before = _server_cpu(proc.pid)
                        lat, wall, errors = _load(base, chunk, concurrency)
                        cpu_after = _server_cpu(proc.pid)
                        cpu = (
                            f"  cpu/request {(cpu_after - cpu_before) / len(lat) * 1000:5.1f} ms"
                            if cpu_before is not None and cpu_after is not None
                            else ""
                        )
                        p50s.append(_pct(lat, 0.5))
                        p99s.append(_pct(lat, 0.99))
                        rates.append(len(lat) / wall)
                        tag = f"run {len(p50s)}/{runs}" if runs > 1 else "      "
                        print(
                            f"service: workers={workers} c={concurrency} {tag}  "
                            f"p50 {p50s[-1] * 1000:6.1f} ms  p99 {p99s[-1] * 1000:6.1f} ms  "
                            f"{rates[-1]:6.1f} req/s{cpu}  errors {len(errors)} {' '.join(sorted(errors))}"
                        )
                    p50, p99 = statistics.median(p50s), statistics.median(p99s)
                    verdict = "met" if p99 <= 0.1 else "MISSED"
                    goal = f"  goal p99 <= 100 ms: {verdict}" if concurrency == 8 else ""
                    print(
                        f"  median of {runs}: p50 {p50 * 1000:6.1f} ms  p99 {p99 * 1000:6.1f} ms  "
                        f"{statistics.median(rates):6.1f} req/s;  vs baseline: "
                        f"p50 +{(p50 - base_p50) * 1000:.1f} ms ({p50 / base_p50:.1f}x), "
                        f"p99 {p99 / base_p99:.1f}x{goal}"
                    )
            finally:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
