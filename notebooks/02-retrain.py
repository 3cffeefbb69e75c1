# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 02 · Retrain and evaluate on a new export
#
# Train the router on the earlier part of an export and evaluate it on the later part — never on a
# random split of the same period, because the model will meet later data. The library part is three
# lines (load, train, predict); the rest of the notebook reads the result.
#
# **Data.** `../shared/datasets/surabaya/complaints_2022.csv` when present, the hand-written fictional
# sample `datasets/samples/complaints_sample.csv` otherwise; `LAPOR_NLP_NOTEBOOK_DATA` points
# elsewhere and `LAPOR_NLP_NOTEBOOK_SAMPLE=N` keeps N rows. Outputs are never committed.

# %%
import os
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display
from sklearn.metrics import ConfusionMatrixDisplay

from lapor_nlp import Router

ROOT = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "pyproject.toml").is_file())
SHARED = Path(os.environ.get("LAPOR_NLP_SHARED_DATASETS", ROOT.parent / "shared" / "datasets"))
candidates = [os.environ.get("LAPOR_NLP_NOTEBOOK_DATA"), SHARED / "surabaya" / "complaints_2022.csv",
              ROOT / "datasets" / "samples" / "complaints_sample.csv"]
DATA = next(Path(p) for p in candidates if p and Path(p).is_file())
SAMPLE = int(os.environ.get("LAPOR_NLP_NOTEBOOK_SAMPLE", "0"))
TARGETS = ["topic", "agency"]
LOCATION = ["kecamatan", "kelurahan"]

# %% [markdown]
# ## Load and split by time
# The first 75% of the complaints (by submission time) train, the last 25% test. Rows without a
# label for a target cannot teach it and are dropped.

# %%
df = pd.read_csv(DATA, dtype=str, keep_default_na=False)
if SAMPLE and len(df) > SAMPLE:
    df = df.sample(SAMPLE, random_state=0)
df = df[(df[TARGETS] != "").all(axis=1) & (df["text"].str.strip() != "")]
df = df.sort_values("submitted_at").reset_index(drop=True)
cut = int(len(df) * 0.75)
train, test = df.iloc[:cut], df.iloc[cut:]
for name, part in (("train", train), ("test", test)):
    first, last = part["submitted_at"].min()[:10], part["submitted_at"].max()[:10]
    print(f"{name}: {len(part):,} complaints, {first} .. {last}")

# %% [markdown]
# ## The three lines

# %%
router = Router.train(train, text="text", targets=TARGETS, location=LOCATION, progress=False)
suggestions = router.predict(test, top_k=3)

# %% [markdown]
# ## Read the result
# Per target: top-1 and top-3 accuracy, the share of `auto` decisions and their precision, and how
# many test labels the model has never seen (they can only be wrong).

# %%
def frame_for(target: str) -> pd.DataFrame:
    truth = test[target].to_numpy()
    rows = []
    for s, y in zip(suggestions, truth, strict=True):
        t = s[target]
        rows.append({
            "true": y, "pred": t.label, "score": t.score, "decision": t.decision,
            "correct": t.label == y, "in_top3": y in [label for label, _ in t.top_k],
        })
    return pd.DataFrame(rows)


results = {t: frame_for(t) for t in router.targets}
summary = pd.DataFrame({
    t: {
        "top-1": r["correct"].mean(),
        "top-3": r["in_top3"].mean(),
        "auto share": (r["decision"] == "auto").mean(),
        "auto precision": r.loc[r["decision"] == "auto", "correct"].mean(),
        "unseen labels": (~r["true"].isin(router.labels(t))).mean(),
    }
    for t, r in results.items()
}).round(3)
display(summary)

# %% [markdown]
# ### Calibration and precision–coverage
# Left: within each score bin, how often the suggestion was right (a calibrated model follows the
# diagonal). Right: precision of the most confident X% of suggestions; the red line is the 95% target.

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
bins = np.linspace(0, 1, 11)
for t, r in results.items():
    idx = np.clip(np.digitize(r["score"], bins) - 1, 0, 9)
    acc = r.groupby(idx)["correct"].mean()
    conf = r.groupby(idx)["score"].mean()
    axes[0].plot(conf, acc, marker="o", label=t)
    ordered = r.sort_values("score", ascending=False)["correct"].to_numpy()
    coverage = np.arange(1, len(ordered) + 1) / len(ordered)
    axes[1].plot(coverage, np.cumsum(ordered) / np.arange(1, len(ordered) + 1), label=t)
axes[0].plot([0, 1], [0, 1], color="0.6", linestyle="--")
axes[0].set(xlabel="mean score in bin", ylabel="accuracy", title="Reliability")
axes[1].axhline(0.95, color="tab:red", linestyle="--")
axes[1].set(xlabel="coverage (most confident first)", ylabel="precision", ylim=(0, 1.02))
axes[1].set_title("Precision vs coverage")
for ax in axes:
    ax.grid(alpha=0.3)
    ax.legend()
plt.show()

# %% [markdown]
# ### Confusions among the largest agencies

# %%
r = results["agency"] if "agency" in results else next(iter(results.values()))
largest = r["true"].value_counts().index[:8]
subset = r[r["true"].isin(largest) & r["pred"].isin(largest)]
if len(subset):
    fig, ax = plt.subplots(figsize=(8, 7), layout="constrained")
    short = [lab[:25] for lab in largest]
    ConfusionMatrixDisplay.from_predictions(
        subset["true"].map(dict(zip(largest, short, strict=True))),
        subset["pred"].map(dict(zip(largest, short, strict=True))),
        labels=short, ax=ax, xticks_rotation=60, colorbar=False,
    )
    plt.show()

# %% [markdown]
# ## Save, reload, and read the model card
# `router.save(directory)` writes the artefact atomically; `Router.load` verifies it before use.

# %%
with tempfile.TemporaryDirectory() as tmp:
    router.save(Path(tmp) / "model")
    reloaded = Router.load(Path(tmp) / "model")
    same = [s[t].label for s in reloaded.predict(test.head(20)) for t in reloaded.targets]
    assert same == [s[t].label for s in suggestions[:20] for t in router.targets]
print("version", reloaded.version, "targets", reloaded.targets)
display(Markdown(reloaded.model_card[:3000]))
