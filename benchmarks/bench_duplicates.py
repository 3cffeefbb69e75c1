"""Duplicate detection benchmark: quality on the Surabaya dev pairs and cost at 10k -> 200k -> 1M complaints.

Quality (issue 4): replay ``complaints_2022.csv`` in submission order (query, then add), score the 250
labelled pairs of ``duplicate_pairs_dev.csv``; report out-of-fold (5-fold grouped CV, 3 repeats) pair
precision / recall / F1 / ROC AUC and recall@5 of our scorer, the shipped default scorer in-sample, and
the baselines "char 3-5-gram TF-IDF cosine" and "the same cosine halved across kelurahan", each with a
threshold tuned on the same pairs.

Scale: build a :class:`~lapor_nlp.duplicates.DuplicateIndex` over N synthetic complaints made at run
time from the real Surabaya texts with realistic variations (other gang / house / RT numbers, another
kelurahan, dropped words, typos, greetings), then time 1,000 queries (half re-submissions of indexed
complaints, half new variants). Goals: query p99 <= 50 ms, build >= 2,000 complaints/s, index memory
<= 4 GB. The named baseline "brute-force word TF-IDF cosine" (sklearn TfidfVectorizer + one sparse
matrix product per query over the whole corpus) is timed on the same corpora up to --baseline-max.

Run: ``nice .venv/bin/python benchmarks/bench_duplicates.py --sizes 10000,200000,1000000``
(``--sizes 10000 --no-quality`` for a quick run). Reads ../shared/datasets or LAPOR_NLP_SHARED_DATASETS.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("LAPOR_NLP_SHARED_DATASETS", ROOT.parent / "shared" / "datasets"))
_NUMBER = re.compile(r"\d+")
_GREETINGS = (
    "",
    "",
    "Selamat pagi, ",
    "Selamat siang min, ",
    "Assalamualaikum, ",
    "Mohon maaf, ",
    "Halo admin, ",
)
_CLOSINGS = ("", "", " Terima kasih.", " Mohon segera ditindaklanjuti.", " Tolong dibantu.")
START = datetime(2021, 1, 1)


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _hwm_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Corpus:
    """Synthetic complaints from real texts: every variation keeps the template, changes details."""

    def __init__(self, complaints: pd.DataFrame, kelurahan: list[tuple[str, str]], seed: int) -> None:
        self.base = complaints.reset_index(drop=True)
        self.texts = self.base["text"].tolist()
        self.kel = self.base["kelurahan"].fillna("").tolist()
        self.kec = self.base["kecamatan"].fillna("").tolist()
        self.places = kelurahan
        self.seed = seed

    def vary(self, rng: random.Random, b: int) -> tuple[str, dict[str, str]]:
        text = self.texts[b]
        loc = {"kecamatan": self.kec[b], "kelurahan": self.kel[b]}
        r = rng.random()
        if r < 0.4:  # same template, other gang / house / RT numbers
            text = _NUMBER.sub(lambda m: str(rng.randint(1, 60)), text)
        elif r < 0.6:  # same template, another kelurahan
            kec, kel = rng.choice(self.places)
            loc = {"kecamatan": kec, "kelurahan": kel}
            text = f"{text} di {kel}"
        words = text.split()
        if len(words) > 6 and rng.random() < 0.5:  # re-typed: drop a few words, a typo
            words = [w for w in words if rng.random() > 0.08] or words
            i = rng.randrange(len(words))
            w = words[i]
            if len(w) > 3:
                j = rng.randrange(len(w) - 1)
                words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
        return rng.choice(_GREETINGS) + " ".join(words) + rng.choice(_CLOSINGS), loc

    def records(self, n: int) -> Iterator[dict[str, object]]:
        rng = random.Random(self.seed)
        span = 3 * 365 * 86400 / max(n, 1)
        for i in range(n):
            b = rng.randrange(len(self.texts))
            text, loc = self.vary(rng, b)
            yield {
                "id": f"s{i}",
                "text": text,
                "location": loc,
                "submitted_at": START + timedelta(seconds=i * span),
                "base": b,
            }


def _batches(it: Iterator[dict[str, object]], size: int) -> Iterator[list[dict[str, object]]]:
    batch: list[dict[str, object]] = []
    for rec in it:
        batch.append(rec)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def bench_index(corpus: Corpus, n: int, n_queries: int, quiet: bool) -> dict[str, float]:
    from lapor_nlp.duplicates import DuplicateIndex

    gc.collect()
    rss0 = _rss_mb()
    idx = DuplicateIndex()
    kept: list[tuple[str, int, dict[str, str]]] = []
    rng = random.Random(1)
    keep_every = max(n // n_queries, 1)
    bar = None
    if not quiet:
        from tqdm.auto import tqdm

        bar = tqdm(total=n, desc=f"build {n:,}", unit="complaint", file=sys.stderr)
    build = 0.0
    for batch in _batches(corpus.records(n), 10_000):
        for j, rec in enumerate(batch):
            if j % keep_every == 0:
                kept.append((str(rec["id"]), int(rec["base"]), rec["location"]))  # type: ignore[arg-type]
        start = time.perf_counter()
        idx.add_many(batch)
        build += time.perf_counter() - start
        if bar:
            bar.update(len(batch))
    if bar:
        bar.close()
    gc.collect()
    index_mb = _rss_mb() - rss0
    qrng = random.Random(2)
    after = START + timedelta(days=3 * 365 + 1)
    times, hits, resub = [], 0, 0
    for qi in range(n_queries):
        if qi % 2 == 0 and kept:  # re-submission of an indexed complaint: small edits only
            _, b, loc = qrng.choice(kept)
            text = corpus.texts[b] + rng.choice(_CLOSINGS)
            resub += 1
        else:
            b = qrng.randrange(len(corpus.texts))
            text, loc = corpus.vary(qrng, b)
        if not text.strip() or not any(ch.isalnum() for ch in text):
            continue
        start = time.perf_counter()
        try:
            matches = idx.query(text, k=10, submitted_at=after, location=loc)
        except ValueError:
            continue
        times.append(time.perf_counter() - start)
        if qi % 2 == 0 and matches and matches[0].is_duplicate:
            hits += 1
    t = np.asarray(times) * 1000
    return {
        "n": n,
        "build_seconds": round(build, 1),
        "build_per_second": round(n / build),
        "index_mb": round(index_mb),
        "peak_rss_mb": round(_hwm_mb()),
        "query_p50_ms": round(float(np.percentile(t, 50)), 2),
        "query_p95_ms": round(float(np.percentile(t, 95)), 2),
        "query_p99_ms": round(float(np.percentile(t, 99)), 2),
        "query_mean_ms": round(float(t.mean()), 2),
        "queries": len(times),
        "load_average": round(os.getloadavg()[0], 1),
        "resubmission_top1_flagged": round(hits / max(resub, 1), 3),
    }


def bench_baseline(corpus: Corpus, n: int, n_queries: int) -> dict[str, float]:
    """Brute force: word TF-IDF of every complaint, one sparse product per query over all of them."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [str(r["text"]) for r in corpus.records(n)]
    gc.collect()
    rss0 = _rss_mb()
    start = time.perf_counter()
    vec = TfidfVectorizer(sublinear_tf=True, dtype=np.float32)
    X = vec.fit_transform(texts).tocsr()
    build = time.perf_counter() - start
    index_mb = _rss_mb() - rss0
    rng = random.Random(2)
    times = []
    for _ in range(n_queries):
        text, _loc = corpus.vary(rng, rng.randrange(len(corpus.texts)))
        start = time.perf_counter()
        q = vec.transform([text])
        sims = (X @ q.T).toarray().ravel()
        np.argpartition(-sims, 10)[:10]
        times.append(time.perf_counter() - start)
    t = np.asarray(times) * 1000
    del X, texts
    return {
        "n": n,
        "build_per_second": round(n / build),
        "index_mb": round(index_mb),
        "query_p50_ms": round(float(np.percentile(t, 50)), 2),
        "query_p99_ms": round(float(np.percentile(t, 99)), 2),
    }


def quality(complaints: pd.DataFrame, pairs: pd.DataFrame, quiet: bool) -> dict[str, object]:
    from lapor_nlp.duplicates.calibration import (
        char_baseline,
        cross_validate,
        pair_metrics,
        recall_at_k,
        replay,
    )
    from lapor_nlp.duplicates.scorer import default_scorer

    rep = replay(complaints, pairs, progress=not quiet)
    cv = cross_validate(rep, repeats=3)
    cv.pop("oof_scores")
    scorer = default_scorer()
    shipped = pair_metrics(scorer.predict_proba(rep.X), rep.y, scorer.threshold)
    shipped["recall_at_5"] = recall_at_k(rep, scorer, np.arange(len(rep.y)))
    return {
        "ours_cross_validated": cv,
        "ours_shipped_scorer_in_sample": shipped,
        "baseline_char_tfidf_tuned_in_sample": char_baseline(complaints, rep),
        "baseline_char_tfidf_halved_across_kelurahan_tuned_in_sample": char_baseline(
            complaints, rep, halve_across_kelurahan=True
        ),
    }


def _fmt(d: dict[str, object]) -> str:
    return ", ".join(f"{k}={round(v, 3) if isinstance(v, float) else v}" for k, v in d.items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,200000,1000000", help="comma-separated index sizes")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--baseline-max", type=int, default=200_000, help="largest size the baseline runs on")
    parser.add_argument("--baseline-queries", type=int, default=200)
    parser.add_argument("--no-quality", action="store_true", help="skip the dev-pair quality section")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    base = DATA / "surabaya"
    if not (base / "complaints_2022.csv").is_file():
        print(f"shared datasets not found at {DATA} (set LAPOR_NLP_SHARED_DATASETS); nothing to benchmark")
        return 0
    complaints = pd.read_csv(base / "complaints_2022.csv")
    out: dict[str, object] = {}
    if not args.no_quality and (base / "duplicate_pairs_dev.csv").is_file():
        out["quality"] = quality(complaints, pd.read_csv(base / "duplicate_pairs_dev.csv"), args.quiet)
        print("== quality on duplicate_pairs_dev.csv (250 pairs)")
        for name, figures in out["quality"].items():  # type: ignore[union-attr]
            print(f"{name}: {_fmt(figures)}")
        sys.stdout.flush()
    texts = complaints.dropna(subset=["text"])
    from lapor_nlp.duplicates.analysis import tokenize

    texts = texts[[bool(tokenize(t)) for t in texts["text"]]]
    lookup = pd.read_csv(base / "lookup_kelurahan.csv")
    kec = pd.read_csv(base / "lookup_kecamatan.csv")
    kec_names = dict(zip(kec["id"], kec["name"], strict=False)) if "name" in kec.columns else {}
    places = [
        (str(kec_names.get(k, "")), str(n))
        for n, k in zip(lookup["name"], lookup["kecamatan_id"], strict=False)
    ]
    corpus = Corpus(texts, places, seed=0)
    scale, baseline = [], []
    print("== scale (DuplicateIndex, 1 process)")
    for n in (int(s) for s in args.sizes.split(",") if s.strip()):
        r = bench_index(corpus, n, args.queries, args.quiet)
        scale.append(r)
        print(_fmt(r))
        sys.stdout.flush()
        gc.collect()
        if n <= args.baseline_max:
            b = bench_baseline(corpus, n, args.baseline_queries)
            baseline.append(b)
            print("baseline brute-force word TF-IDF cosine: " + _fmt(b))
            sys.stdout.flush()
    out["scale"] = scale
    out["baseline_bruteforce_tfidf"] = baseline
    if len(scale) > 1:
        first, last = scale[0], scale[-1]
        growth = {
            "size_ratio": last["n"] / first["n"],
            "query_p99_ratio": round(last["query_p99_ms"] / max(first["query_p99_ms"], 1e-9), 2),
            "index_mb_per_1k": round(last["index_mb"] / (last["n"] / 1000), 2),
        }
        out["growth"] = growth
        print("growth " + _fmt(growth))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, default=float) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
