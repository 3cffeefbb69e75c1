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
# # 03 · Duplicate groups and threshold tuning
#
# Replay an export in submission order through `lapor_nlp.duplicates.DuplicateIndex` (query, then
# add), inspect the duplicate groups it finds, then tune the decision threshold on labelled pairs.
#
# **Data.** `../shared/datasets/surabaya/` (complaints + `duplicate_pairs_dev.csv`) when present, the
# hand-written fictional sample in `datasets/samples/` otherwise. `LAPOR_NLP_NOTEBOOK_DATA` /
# `LAPOR_NLP_NOTEBOOK_PAIRS` point elsewhere; `LAPOR_NLP_NOTEBOOK_SAMPLE=N` keeps about N complaints
# (always including the labelled ones). Outputs are never committed.

# %%
import os
from collections import Counter
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.metrics import precision_recall_fscore_support, roc_auc_score

from lapor_nlp.duplicates import DuplicateIndex
from lapor_nlp.text import redact

ROOT = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "pyproject.toml").is_file())
SHARED = Path(os.environ.get("LAPOR_NLP_SHARED_DATASETS", ROOT.parent / "shared" / "datasets")) / "surabaya"
SAMPLES = ROOT / "datasets" / "samples"
if os.environ.get("LAPOR_NLP_NOTEBOOK_DATA"):
    DATA, PAIRS = Path(os.environ["LAPOR_NLP_NOTEBOOK_DATA"]), Path(os.environ["LAPOR_NLP_NOTEBOOK_PAIRS"])
elif (SHARED / "duplicate_pairs_dev.csv").is_file():
    DATA, PAIRS = SHARED / "complaints_2022.csv", SHARED / "duplicate_pairs_dev.csv"
else:
    DATA, PAIRS = SAMPLES / "complaints_sample.csv", SAMPLES / "duplicate_pairs_sample.csv"
SAMPLE = int(os.environ.get("LAPOR_NLP_NOTEBOOK_SAMPLE", "0"))

complaints = pd.read_csv(DATA, dtype=str, keep_default_na=False)
pairs = pd.read_csv(PAIRS, dtype=str, keep_default_na=False)
if SAMPLE and len(complaints) > SAMPLE:
    pairs = pairs.head(max(10, SAMPLE // 10))
    labelled = set(pairs["query_id"]) | set(pairs["cand_id"])
    others = complaints[~complaints["id"].isin(labelled)]
    extra = others.sample(max(0, SAMPLE - len(labelled)), random_state=0)
    complaints = pd.concat([complaints[complaints["id"].isin(labelled)], extra])
complaints["submitted_at"] = pd.to_datetime(complaints["submitted_at"], format="mixed")
complaints = complaints.sort_values("submitted_at").reset_index(drop=True)
print(f"{len(complaints):,} complaints from {DATA.name}; {len(pairs)} labelled pairs "
      f"({(pairs['label'] == 'DUP').sum()} DUP) from {PAIRS.name}")


# %% [markdown]
# ## Replay: query each complaint against everything before it, then add it
# Each complaint is linked to its best earlier match when that match `is_duplicate`; linked complaints
# form duplicate groups (connected components).

# %%
def location(row: pd.Series) -> dict[str, str]:
    return {k: row[k] for k in ("kecamatan", "kelurahan") if k in row and row[k]}


index = DuplicateIndex()
parent: dict[str, str] = {}
best_scores = []


def root(i: str) -> str:
    while parent.get(i, i) != i:
        i = parent[i]
    return i


for row in complaints.itertuples(index=False):
    r = pd.Series(row._asdict())
    if not r["text"].strip():
        continue
    matches = index.query(r["text"], k=5, submitted_at=r["submitted_at"], location=location(r))
    if matches:
        best_scores.append(matches[0].score)
        if matches[0].is_duplicate:
            parent[r["id"]] = root(matches[0].id)
    index.add(r["id"], r["text"], submitted_at=r["submitted_at"], location=location(r))

groups = Counter(root(i) for i in parent)
print(f"threshold {index.threshold:.3f}: {len(parent)} complaints joined {len(groups)} earlier ones "
      f"({len(parent) / len(complaints):.1%} of the export flagged as repeats)")
sizes = pd.Series({g: n + 1 for g, n in groups.items()}).sort_values(ascending=False)

fig, axes = plt.subplots(1, 2, figsize=(12, 3.2), layout="constrained")
axes[0].hist(best_scores, bins=30)
axes[0].axvline(index.threshold, color="tab:red", linestyle="--", label="threshold")
axes[0].set_title("best earlier-match score per complaint")
axes[0].legend()
sizes.value_counts().sort_index().plot.bar(ax=axes[1], title="duplicate group sizes")
plt.show()

# %% [markdown]
# ### The largest groups (redacted, cut short)

# %%
by_id = complaints.set_index("id")
members: dict[str, list[str]] = {}
for i in parent:
    members.setdefault(root(i), [root(i)]).append(i)
for g in sizes.index[:3]:
    print(f"--- group of {sizes[g]} ---")
    for i in members[g][:4]:
        print(f"{by_id.loc[i, 'submitted_at']:%Y-%m-%d}  {redact(by_id.loc[i, 'text'])[:90]}")

# %% [markdown]
# ## Tune the threshold on labelled pairs
# For each labelled pair, the later complaint is queried against an index of everything submitted
# before it; the pair's score is the earlier complaint's score among the top 50 (0 when absent).

# %%
full = DuplicateIndex()
full.add_many(
    {"id": r["id"], "text": r["text"], "submitted_at": r["submitted_at"], "location": location(r)}
    for _, r in complaints.iterrows() if r["text"].strip()
)
scores = []
for p in pairs.itertuples(index=False):
    q = by_id.loc[p.query_id]
    found = full.query(
        q["text"], k=50, submitted_at=q["submitted_at"], location=location(q), exclude=[p.query_id]
    )
    scores.append(next((m.score for m in found if m.id == p.cand_id), 0.0))
pairs["score"] = scores
y = (pairs["label"] == "DUP").to_numpy()

grid = np.round(np.arange(0.05, 0.96, 0.05), 2)
rows = []
for t in grid:
    prec, rec, f1, _ = precision_recall_fscore_support(
        y, pairs["score"] >= t, average="binary", zero_division=0
    )
    rows.append({"threshold": t, "precision": prec, "recall": rec, "f1": f1})
curve = pd.DataFrame(rows)
best = curve.loc[curve["f1"].idxmax()]
auc = roc_auc_score(y, pairs["score"]) if 0 < y.sum() < len(y) else float("nan")
print(f"ROC AUC {auc:.3f}; default threshold {full.threshold:.3f}; best F1 {best['f1']:.3f} at "
      f"{best['threshold']:.2f} (P {best['precision']:.3f}, R {best['recall']:.3f})")

ax = curve.plot(x="threshold", y=["precision", "recall", "f1"], marker=".", figsize=(8, 3.5), grid=True)
ax.axvline(full.threshold, color="tab:red", linestyle="--", label="default")
ax.legend()
plt.show()

# %% [markdown]
# Few labelled pairs make the best-F1 threshold noisy: prefer the calibrated default unless the new
# pairs are numerous and representative, then pass it explicitly: `DuplicateIndex(threshold=...)`.

# %%
tuned = DuplicateIndex(threshold=float(best["threshold"]))
print(tuned)
