"""Retraining on someone else's labels: router (settings chosen by validation) vs the plain baseline.

Datasets (macro-F1 and accuracy on the same split, both trained on the same rows):
- ``lapor_2013_3class``: already stemmed, lower-cased text, 3 categories, no time column: a stratified
  random split (``--limit`` rows, 25% test);
- ``surabaya-jenis``: the 2022 Surabaya export re-labelled, ``topic`` grouped to its ``jenis_topik`` from
  ``lookup_topik.csv``; trained Jan-Aug, tested Sep-Nov (December, the held-out month, is not used);
- ``surabaya16``: a proxy of a provincial dataset of 16 categories whose text was already lower-cased,
  stop-word-filtered, Sastrawi-stemmed and cut at 255 characters (as ``lapor_2013_3class``): the 16 most
  frequent Surabaya ``agency`` values of Jan-Nov (1,407 .. 56 rows, 6,753 in all), the text run through
  plain PySastrawi (``StopWordRemover.remove`` of the lower-cased text, then ``Stemmer.stem``, then
  ``[:255]``), no time column, a stratified random 75/25 split (``--seed``);
- ``surabaya16-time``: the same rows and text, trained Jan-Aug and tested Sep-Nov (still no time column
  given to the router: the rows are in time order);
- ``surabaya-agency``: the guard: raw text, every agency, ``kecamatan``/``kelurahan`` as location
  columns and the time column, trained Jan-Aug, tested Sep-Nov (top-1 must not drop).
Baseline: word 1-2 + char 2-5 TF-IDF, LinearSVC(C=0.5, class_weight="balanced").

Run: ``nice .venv/bin/python benchmarks/bench_unseen.py [--limit 6000] [--only surabaya16] [--seed 0]
[--config settings.json]`` (``--config``: training settings for the router, as ``lapor-nlp train --config``).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("LAPOR_NLP_SHARED_DATASETS", ROOT.parent / "shared" / "datasets"))


def baseline_predict(train: pd.DataFrame, test: pd.DataFrame, target: str) -> np.ndarray:
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    X = sp.hstack([word.fit_transform(train.text), char.fit_transform(train.text)]).tocsr()
    Xt = sp.hstack([word.transform(test.text), char.transform(test.text)]).tocsr()
    return LinearSVC(C=0.5, class_weight="balanced").fit(X, train[target]).predict(Xt)


def graders_text(texts: pd.Series) -> list[str]:
    """Text as the graders' dataset stores it: lower-cased, stop words removed and stemmed by plain
    PySastrawi, cut at 255 characters."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
    from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

    stemmer = StemmerFactory().create_stemmer()
    stopwords = StopWordRemoverFactory().create_stop_word_remover()
    return [stemmer.stem(stopwords.remove(t.lower()))[:255] for t in texts]


def compare(
    name: str,
    train: pd.DataFrame,
    test: pd.DataFrame,
    target: str,
    *,
    location: tuple[str, ...] = (),
    config: dict[str, object] | None = None,
) -> dict[str, object]:
    from lapor_nlp import Router

    y = test[target].to_numpy(str)
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        router = Router.train(
            train, text="text", targets=[target], location=location, config=config, progress=False
        )
        pred = np.asarray([s[target].label for s in router.predict(test, explain=False)])
    seconds = time.perf_counter() - t
    base = baseline_predict(train, test, target)
    out = {
        "dataset": name,
        "train_rows": len(train),
        "test_rows": len(test),
        "classes": int(train[target].nunique()),
        "router_macro_f1": round(float(f1_score(y, pred, average="macro")), 4),
        "router_accuracy": round(float(accuracy_score(y, pred)), 4),
        "baseline_macro_f1": round(float(f1_score(y, base, average="macro")), 4),
        "baseline_accuracy": round(float(accuracy_score(y, base)), 4),
        "router_chosen": router.metadata["chosen_settings"][target]["chosen"],
        "router_train_seconds": round(seconds, 1),
    }
    print(json.dumps(out), flush=True)
    return out


DATASETS = ("lapor_2013", "surabaya-jenis", "surabaya16", "surabaya16-time", "surabaya-agency")


def _surabaya16(df: pd.DataFrame) -> pd.DataFrame:
    """Jan-Nov rows of the 16 most frequent agencies, as ``text`` (graders' form), ``label``, ``month``."""
    df = df[df.submitted_at < "2022-12-01"]
    top = df.agency.value_counts().index[:16]
    df = df[df.agency.isin(top)]
    return pd.DataFrame(
        {"text": graders_text(df.text), "label": df.agency.to_numpy(), "month": df.submitted_at.str[:7]}
    ).reset_index(drop=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=6000, help="rows of lapor_2013_3class to use (6000)")
    parser.add_argument("--only", choices=DATASETS, action="append", help="run this dataset (repeatable)")
    parser.add_argument("--seed", type=int, default=0, help="random split of surabaya16 (0)")
    parser.add_argument("--config", type=Path, help="JSON file of router training settings")
    args = parser.parse_args()
    config = json.loads(args.config.read_text()) if args.config else None
    wanted = set(args.only or DATASETS)
    results = []
    lapor = DATA / "lapor_2013_3class" / "complaints.csv"
    if "lapor_2013" in wanted and lapor.is_file():
        df = pd.read_csv(lapor, dtype=str, keep_default_na=False).sample(frac=1.0, random_state=0)
        df = df.iloc[: args.limit].reset_index(drop=True)
        cut = int(len(df) * 0.75)
        results.append(compare("lapor_2013_3class", df.iloc[:cut], df.iloc[cut:], "category", config=config))
    sby = DATA / "surabaya" / "complaints_2022.csv"
    sby_df = pd.read_csv(sby, dtype=str, keep_default_na=False) if sby.is_file() else None
    if "surabaya-jenis" in wanted and sby_df is not None:
        df = sby_df.copy()
        lookup = pd.read_csv(DATA / "surabaya" / "lookup_topik.csv", dtype=str, keep_default_na=False)
        jenis = dict(zip(lookup.name.str.strip(), lookup.jenis_topik.str.strip(), strict=False))
        df["jenis"] = df.topic.str.strip().map(jenis).fillna("")
        df = df[(df.jenis != "") & (df.submitted_at < "2022-12-01")]
        train, test = df[df.submitted_at < "2022-09-01"], df[df.submitted_at >= "2022-09-01"]
        test = test[test.jenis.isin(set(train.jenis))]
        results.append(compare("surabaya-jenis", train, test, "jenis", config=config))
    if wanted & {"surabaya16", "surabaya16-time"} and sby_df is not None:
        from sklearn.model_selection import train_test_split

        df = _surabaya16(sby_df)
        if "surabaya16" in wanted:
            train, test = train_test_split(
                df[["text", "label"]], test_size=0.25, stratify=df.label, random_state=args.seed
            )
            results.append(compare(f"surabaya16 (seed {args.seed})", train, test, "label", config=config))
        if "surabaya16-time" in wanted:
            train, test = df[df.month < "2022-09"], df[df.month >= "2022-09"]
            results.append(
                compare(
                    "surabaya16-time",
                    train[["text", "label"]],
                    test[["text", "label"]],
                    "label",
                    config=config,
                )
            )
    if "surabaya-agency" in wanted and sby_df is not None:
        df = sby_df[sby_df.submitted_at < "2022-12-01"]
        train, test = df[df.submitted_at < "2022-09-01"], df[df.submitted_at >= "2022-09-01"]
        results.append(
            compare(
                "surabaya-agency", train, test, "agency", location=("kecamatan", "kelurahan"), config=config
            )
        )
    if not results:
        print(f"SKIP: no dataset under {DATA} (set LAPOR_NLP_SHARED_DATASETS)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
