"""Text pipeline benchmark: ``Preprocessor().fit_transform`` against PySastrawi with the stemmer built once.

Each side runs in its own fresh Python process on ``surabaya/complaints_2022.csv`` (8,690 complaints), so
neither profits from the other's caches, and every distinct word is met for the first time:

* ``ours``: ``Preprocessor().fit_transform(texts)`` with default settings (redaction included);
* ``naive-once`` (the baseline): ``StemmerFactory().create_stemmer()`` and the stopword remover built
  once, then ``stemmer.stem(remover.remove(text.lower()))`` per text (no redaction, no slang);
* ``naive`` (context only, ``--per-text``): the same, building both per text, as many LAPOR! projects do.

Each of ``ours`` and ``naive-once`` runs ``--repeats`` times (default 3) and the median is reported:
docs/s and words/s (wall clock and CPU), time spent in ``redact`` (ours), set-up time (imports, building)
and a cold-process figure (set-up + run, what one short-lived process pays), peak resident memory.
Goal: ours >= 1.5x the throughput of naive-once.

``--redaction`` also plants synthetic NIKs, phones, e-mails and names in real Jan-Nov 2022 complaints
(December is held out) and reports, per form, how many ``redact`` removes and how many ordinary numbers
it keeps, next to lokal-id alone.

Run: ``.venv/bin/python benchmarks/bench_text.py [--limit N] [--repeats 3] [--per-text] [--redaction]``
(reads ../shared/datasets, or LAPOR_NLP_SHARED_DATASETS; skips with a message when the data is missing).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("LAPOR_NLP_SHARED_DATASETS", ROOT.parent / "shared" / "datasets"))
CSV = DATA / "surabaya" / "complaints_2022.csv"
GOAL = 1.5  # ours / naive-once


def _texts(limit: int | None, *, held_out: bool = True) -> list[str]:
    """The complaint texts in file order; ``held_out=False`` leaves out December 2022 (the held-out month)."""
    import csv

    with CSV.open(encoding="utf-8", newline="") as f:
        texts = [
            row["text"] or ""
            for row in csv.DictReader(f)
            if held_out or not (row.get("submitted_at") or "").startswith("2022-12")
        ]
    return texts[:limit] if limit else texts


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _side(name: str, limit: int | None) -> dict[str, float]:
    """Run one side in this (fresh) process and return its figures."""
    texts = _texts(limit)
    words = sum(len(t.split()) for t in texts)
    rss_before = _peak_rss_mb()
    setup_start, setup_cpu_start = time.perf_counter(), time.process_time()
    redact_seconds = 0.0
    if name == "ours":
        import lapor_nlp.text.preprocessor as prep
        from lapor_nlp.text import Preprocessor

        inner = prep._redact

        def timed_redact(text: str) -> str:
            nonlocal redact_seconds
            start = time.perf_counter()
            try:
                return inner(text)
            finally:
                redact_seconds += time.perf_counter() - start

        prep._redact = timed_redact
        setup = time.perf_counter() - setup_start
        wall, cpu = time.perf_counter(), time.process_time()
        out = Preprocessor().fit_transform(texts)
    else:
        from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
        from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

        if name == "naive":
            setup = time.perf_counter() - setup_start
            wall, cpu = time.perf_counter(), time.process_time()
            out = [
                StemmerFactory()
                .create_stemmer()
                .stem(StopWordRemoverFactory().create_stop_word_remover().remove(text.lower()))
                for text in texts
            ]
        else:
            stemmer = StemmerFactory().create_stemmer()
            remover = StopWordRemoverFactory().create_stop_word_remover()
            setup = time.perf_counter() - setup_start
            wall, cpu = time.perf_counter(), time.process_time()
            out = [stemmer.stem(remover.remove(text.lower())) for text in texts]
    setup_cpu = cpu - setup_cpu_start
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if len(out) != len(texts):
        raise SystemExit(f"{name}: {len(out)} outputs for {len(texts)} texts")
    return {
        "docs": len(texts),
        "words": words,
        "seconds": wall,
        "cpu_seconds": cpu,
        "setup_seconds": setup,
        "setup_cpu_seconds": setup_cpu,
        "redact_seconds": redact_seconds,
        "peak_rss_mb": _peak_rss_mb(),
        "rss_before_mb": rss_before,
    }


def _run_fresh(name: str, limit: int | None) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--side", name] + (["--limit", str(limit)] if limit else [])
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"side {name!r} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    """The run with the median wall-clock time, plus the median CPU and cold figures of all runs."""
    ordered = sorted(runs, key=lambda r: r["seconds"])
    out = dict(ordered[len(ordered) // 2])
    for key in ("cpu_seconds", "setup_seconds", "setup_cpu_seconds"):
        out[key] = statistics.median(r[key] for r in runs)
    out["cold_seconds"] = statistics.median(r["setup_seconds"] + r["seconds"] for r in runs)
    out["cold_cpu_seconds"] = statistics.median(r["setup_cpu_seconds"] + r["cpu_seconds"] for r in runs)
    out["runs"] = len(runs)
    return out


def _report(results: dict[str, dict[str, float]]) -> None:
    print(
        f"\n{'side':12s} {'runs':>4s} {'docs/s':>9s} {'words/s':>10s} {'cpu docs/s':>11s} {'setup s':>8s} "
        f"{'cold s':>7s} {'redact share':>12s} {'peak RSS MB':>11s}"
    )
    for name, r in results.items():
        share = f"{r['redact_seconds'] / r['seconds']:.0%}" if r["redact_seconds"] else "-"
        print(
            f"{name:12s} {r.get('runs', 1):4.0f} {r['docs'] / r['seconds']:9.1f} "
            f"{r['words'] / r['seconds']:10.0f} {r['docs'] / r['cpu_seconds']:11.1f} "
            f"{r['setup_seconds']:8.2f} {r.get('cold_seconds', r['setup_seconds'] + r['seconds']):7.2f} "
            f"{share:>12s} {r['peak_rss_mb']:11.0f}"
        )
    ours, once = results["ours"], results["naive-once"]
    ratio = once["seconds"] / ours["seconds"]
    cpu_ratio = once["cpu_seconds"] / ours["cpu_seconds"]
    print(
        f"\nthroughput ratio ours/naive-once (medians of fresh processes): {ratio:.2f}x wall clock, "
        f"{cpu_ratio:.2f}x CPU (goal >= {GOAL}x: {'met' if min(ratio, cpu_ratio) >= GOAL else 'NOT met'})"
    )
    print(
        f"cold process (imports + building + run): ours {ours['cold_seconds']:.2f} s, naive-once "
        f"{once['cold_seconds']:.2f} s -> {once['cold_seconds'] / ours['cold_seconds']:.2f}x wall, "
        f"{once['cold_cpu_seconds'] / ours['cold_cpu_seconds']:.2f}x CPU"
    )
    if "naive" in results:
        naive = results["naive"]
        print(
            f"for context, ours/naive (Sastrawi built per text, one run): "
            f"{naive['seconds'] / ours['seconds']:.1f}x wall clock"
        )
    print(
        f"redaction: {ours['redact_seconds']:.2f} s of {ours['seconds']:.2f} s "
        f"({ours['redact_seconds'] / ours['seconds']:.0%}); peak RSS ours {ours['peak_rss_mb']:.0f} MB "
        f"(+{ours['peak_rss_mb'] - ours['rss_before_mb']:.0f} MB over bare Python with the texts loaded), "
        f"naive-once {once['peak_rss_mb']:.0f} MB"
    )


def _redaction(sample: int, seed: int) -> None:
    import random

    from lapor_nlp.text import redact
    from lapor_nlp.text.evaluation import evaluate, lokal_only, plant

    texts = _texts(None, held_out=False)  # December 2022 is held out: hosts come from Jan-Nov only
    hosts = random.Random(seed).sample(texts, min(sample, len(texts)))
    cases = plant(hosts, seed=seed, per_text=2)
    for label, fn in (("lokal-id detect_pii alone", lokal_only), ("lapor_nlp.text.redact", redact)):
        start = time.process_time()
        report = evaluate(fn, cases)
        print(
            f"\n== {label} ({len(cases)} real complaints, {sum(report.total.values())} planted identifiers, "
            f"{time.process_time() - start:.1f} s CPU)"
        )
        print(report.table())
        if report.misses:
            kinds: dict[str, int] = {}
            for form, _ in report.misses:
                kinds[form] = kinds.get(form, 0) + 1
            print("misses by form:", dict(sorted(kinds.items(), key=lambda kv: -kv[1])))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="use only the first N complaints")
    parser.add_argument("--side", choices=["ours", "naive", "naive-once"], help=argparse.SUPPRESS)
    parser.add_argument(
        "--redaction", action="store_true", help="also run the planted-PII redaction evaluation"
    )
    parser.add_argument("--redaction-sample", type=int, default=2000, help="complaints used as hosts")
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per side (median)")
    parser.add_argument(
        "--per-text", action="store_true", help="also run the per-text naive pipeline once (slow, context)"
    )
    args = parser.parse_args()
    if not CSV.is_file():
        print(
            f"SKIP: {CSV} not found (put ../shared/datasets beside the checkout "
            "or set LAPOR_NLP_SHARED_DATASETS)"
        )
        return 0
    if args.side:
        print(json.dumps(_side(args.side, args.limit)))
        return 0
    runs: dict[str, list[dict[str, float]]] = {"ours": [], "naive-once": []}
    for k in range(args.repeats):  # interleaved, so both sides see the same machine load
        for name in runs:
            print(f"running {name} in a fresh process ({k + 1}/{args.repeats}) ...", flush=True)
            runs[name].append(_run_fresh(name, args.limit))
    results = {name: _median_run(r) for name, r in runs.items()}
    if args.per_text:
        print("running naive (per text) in a fresh process ...", flush=True)
        results["naive"] = _run_fresh("naive", args.limit)
    _report(results)
    if args.redaction:
        _redaction(args.redaction_sample, seed=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
