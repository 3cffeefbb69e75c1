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
# # 01 · Explore a complaint export
#
# A tour of a complaint export: volumes over time, category / agency / region distributions, text
# lengths, and label noise (identical texts disposed differently).
#
# **Data.** `../shared/datasets/surabaya/complaints_2022.csv` when it is present (third-party data
# without a licence: never commit outputs of this notebook — `git` only keeps the paired `.py`), the
# hand-written fictional sample `datasets/samples/complaints_sample.csv` otherwise. Set
# `LAPOR_NLP_NOTEBOOK_DATA` to read another export and `LAPOR_NLP_NOTEBOOK_SAMPLE=N` to work on N rows.

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from lapor_nlp.insights import detect_emerging, prepare_complaints, response_times, totals, volume
from lapor_nlp.text import clean, redact

ROOT = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "pyproject.toml").is_file())
SHARED = Path(os.environ.get("LAPOR_NLP_SHARED_DATASETS", ROOT.parent / "shared" / "datasets"))
candidates = [os.environ.get("LAPOR_NLP_NOTEBOOK_DATA"), SHARED / "surabaya" / "complaints_2022.csv",
              ROOT / "datasets" / "samples" / "complaints_sample.csv"]
DATA = next(Path(p) for p in candidates if p and Path(p).is_file())
SAMPLE = int(os.environ.get("LAPOR_NLP_NOTEBOOK_SAMPLE", "0"))

raw = pd.read_csv(DATA, dtype=str, keep_default_na=False)
if SAMPLE and len(raw) > SAMPLE:
    raw = raw.sample(SAMPLE, random_state=0).sort_values("submitted_at")
print(f"{DATA.name}: {len(raw):,} rows, columns {list(raw.columns)}")

# %% [markdown]
# `prepare_complaints` parses the dates, maps `topic` to `category`, and notes anything missing or
# unparseable instead of failing.

# %%
data = prepare_complaints(raw)
df = data.frame
for note in data.notes:
    print("note:", note)
print("unparseable dates:", dict(data.unparseable_dates))
first, last = df["submitted_at"].min(), df["submitted_at"].max()
print(f"{first:%Y-%m-%d} .. {last:%Y-%m-%d}; breakdowns: {data.dimensions}")

# %% [markdown]
# ## Volume over time

# %%
weekly = volume(data, freq="W")
monthly_by_cat = volume(data, "category", freq="M")
fig, axes = plt.subplots(1, 2, figsize=(13, 3.8), layout="constrained")
weekly["complaints"].plot(ax=axes[0], marker=".", title="Complaints per week")
monthly_by_cat.iloc[:, :6].plot(ax=axes[1], marker=".", title="Per month, six largest categories")
axes[1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1, 1))
plt.show()

# %% [markdown]
# ## Distributions: category, agency, region
# Long tails are the norm: a handful of agencies receive most complaints.

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 4.5), layout="constrained")
for ax, dim in zip(axes, ("category", "agency", "kecamatan"), strict=False):
    if dim in data.dimensions:
        t = totals(data, dim).head(12).iloc[::-1]
        ax.barh([s[:32] for s in t[dim]], t["complaints"])
        ax.set_title(f"{dim}: {df[dim].nunique()} distinct")
        ax.tick_params(axis="y", labelsize=7)
plt.show()
for dim in data.dimensions:
    t = totals(data, dim)
    top5, small = t["share"].head(5).sum(), int((t["complaints"] < 10).sum())
    print(f"{dim:10s} {len(t):4d} values; top 5 hold {top5:.0%}; {small} have < 10 complaints")

# %% [markdown]
# ## Text lengths

# %%
chars = df["text"].fillna("").str.len()
words = df["text"].fillna("").map(lambda t: len(clean(t).split()))
fig, axes = plt.subplots(1, 2, figsize=(12, 3.2), layout="constrained")
axes[0].hist(chars.clip(upper=chars.quantile(0.99)), bins=40)
axes[0].set_title("characters (clipped at p99)")
axes[1].hist(words.clip(upper=words.quantile(0.99)), bins=40, color="tab:green")
axes[1].set_title("words after clean()")
plt.show()
print(chars.describe(percentiles=[0.5, 0.9, 0.99]).round(1).to_dict())

# %% [markdown]
# ## Label noise: identical texts disposed differently
# Texts that are identical after `clean()` but were given different agencies (or categories) put a
# ceiling on any classifier's accuracy. Examples are redacted and cut short.

# %%
df["_clean"] = df["text"].fillna("").map(clean)
repeated = df[df["_clean"].ne("") & df.duplicated("_clean", keep=False)]
for target in ("agency", "category"):
    if target not in df.columns:
        continue
    groups = repeated.groupby("_clean")[target].nunique()
    conflicted = groups[groups > 1]
    rows = repeated["_clean"].isin(conflicted.index).sum()
    print(f"{target}: {repeated['_clean'].nunique()} repeated texts ({len(repeated)} rows); "
          f"{len(conflicted)} disposed to more than one {target} ({rows} rows, {rows / len(df):.1%} of all)")
conflicts = (repeated.groupby("_clean")
             .agg(rows=("id", "size"), agencies=("agency", lambda s: sorted(set(s))))
             .query("agencies.str.len() > 1", engine="python")
             .sort_values("rows", ascending=False).head(5))
conflicts.index = [redact(t)[:70] for t in conflicts.index]
display(conflicts)  # noqa: F821 (IPython display)

# %% [markdown]
# ## Emerging issues and response times
# The same functions drive `lapor-nlp report`; see `lapor_nlp.insights` for the definitions.

# %%
watch = [dim for dim in ("category", "kecamatan") if dim in data.dimensions]
alerts = pd.concat([detect_emerging(data, dim) for dim in watch], ignore_index=True)
print(f"{len(alerts)} emerging-issue alert(s)")
alerts[["dimension", "group", "period", "complaints", "baseline_median", "robust_z"]].head(10)

# %%
if data.has_responses and "agency" in data.dimensions:
    display(response_times(data, "agency", sla=5).head(8))  # noqa: F821 (IPython display)
