"""Text pipeline benchmark: ``Preprocessor().fit_transform`` against the naive Sastrawi pipeline.

Each side runs in its own fresh Python process on ``surabaya/complaints_2022.csv`` (8,690 complaints), so
neither profits from the other's caches:

* ``ours``: ``Preprocessor().fit_transform(texts)`` with default settings (redaction included);
* ``naive``: what most LAPOR! projects do, per text:
  ``StemmerFactory().create_stemmer().stem(StopWordRemoverFactory().create_stop_word_remover().remove(text.lower()))``;
* ``naive-once`` (for context only): the same with the stemmer and stopword remover built once.

Printed per side: docs/s and words/s (wall clock and CPU), time spent in ``redact`` (ours), set-up
time (imports, building), peak resident memory. Goal: ours >= 8x the naive pipeline's throughput.

``--redaction`` also plants synthetic NIKs, phones, e-mails and names in real complaints and reports, per
form, how many ``redact`` removes and how many ordinary numbers it keeps, next to lokal-id alone.

Run: ``.venv/bin/python benchmarks/bench_text.py [--limit N] [--redaction]`` (reads ../shared/datasets,
or LAPOR_NLP_SHARED_DATASETS; skips with a message when the data is missing).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("LAPOR_NLP_SHARED_DATASETS", ROOT.parent / "shared" / "datasets"))
CSV = DATA / "surabaya" / "complaints_2022.csv"
GOAL = 8.0


def _texts(limit: int | None) -> list[str]:
    import csv

    with CSV.open(encoding="utf-8", newline="") as f:
        texts = [row["text"] or "" for row in csv.DictReader(f)]
    return texts[:limit] if limit else texts


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _side(name: str, limit: int | None) -> dict[str, float]:
    """Run one side in this (fresh) process and return its figures."""
    texts = _texts(limit)
    words = sum(len(t.split()) for t in texts)
    rss_before = _peak_rss_mb()
    setup_start = time.perf_counter()
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
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert len(out) == len(texts)
    return {
        "docs": len(texts),
        "words": words,
        "seconds": wall,
        "cpu_seconds": cpu,
        "setup_seconds": setup,
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


def _report(results: dict[str, dict[str, float]]) -> None:
    print(
        f"\n{'side':12s} {'docs/s':>9s} {'words/s':>10s} {'cpu docs/s':>11s} {'setup s':>8s} "
        f"{'redact share':>12s} {'peak RSS MB':>11s}"
    )
    for name, r in results.items():
        share = f"{r['redact_seconds'] / r['seconds']:.0%}" if r["redact_seconds"] else "-"
        print(
            f"{name:12s} {r['docs'] / r['seconds']:9.1f} {r['words'] / r['seconds']:10.0f} "
            f"{r['docs'] / r['cpu_seconds']:11.1f} {r['setup_seconds']:8.2f} {share:>12s} "
            f"{r['peak_rss_mb']:11.0f}"
        )
    ours, naive = results["ours"], results["naive"]
    ratio = (ours["docs"] / ours["seconds"]) / (naive["docs"] / naive["seconds"])
    cpu_ratio = (ours["docs"] / ours["cpu_seconds"]) / (naive["docs"] / naive["cpu_seconds"])
    print(
        f"\nthroughput ratio ours/naive: {ratio:.1f}x wall clock, {cpu_ratio:.1f}x CPU "
        f"(goal >= {GOAL:.0f}x: {'met' if min(ratio, cpu_ratio) >= GOAL else 'NOT met'})"
    )
    if "naive-once" in results:
        once = results["naive-once"]
        print(
            f"for context, ours/naive-once (stemmer built once, no redaction): "
            f"{(ours['docs'] / ours['seconds']) / (once['docs'] / once['seconds']):.2f}x"
        )
    print(
        f"redaction: {ours['redact_seconds']:.2f} s of {ours['seconds']:.2f} s "
        f"({ours['redact_seconds'] / ours['seconds']:.0%}); peak RSS ours {ours['peak_rss_mb']:.0f} MB "
        f"(+{ours['peak_rss_mb'] - ours['rss_before_mb']:.0f} MB over bare Python with the texts loaded), "
        f"naive {naive['peak_rss_mb']:.0f} MB"
    )


def _redaction(sample: int, seed: int) -> None:
    import random

    from lapor_nlp.text import redact
    from lapor_nlp.text.evaluation import evaluate, lokal_only, plant

    texts = _texts(None)
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
    parser.add_argument("--no-context", action="store_true", help="skip the naive-once context run")
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
    sides = ["ours", "naive"] + ([] if args.no_context else ["naive-once"])
    results = {}
    for name in sides:
        print(f"running {name} in a fresh process ...", flush=True)
        results[name] = _run_fresh(name, args.limit)
    _report(results)
    if args.redaction:
        _redaction(args.redaction_sample, seed=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
