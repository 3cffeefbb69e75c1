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
# lines (train, save, evaluate); the rest of the notebook reads the report and looks closer.
#
# **Data.** `../shared/datasets/surabaya/complaints_2022.csv` when present, the hand-written fictional
# sample `datasets/samples/complaints_sample.csv` otherwise; `LAPOR_NLP_NOTEBOOK_DATA` points
# elsewhere and `LAPOR_NLP_NOTEBOOK_SAMPLE=N` keeps N rows. Outputs are never committed.

# %%
import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd
from IPython.display import Image, Markdown, display

from lapor_nlp import Router
from lapor_nlp.cli import main as lapor_nlp_cli

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
WORK = Path(tempfile.mkdtemp(prefix="lapor-nlp-02-"))
test.to_csv(WORK / "test.csv", index=False)
for name, part in (("train", train), ("test", test)):
    first, last = part["submitted_at"].min()[:10], part["submitted_at"].max()[:10]
    print(f"{name}: {len(part):,} complaints, {first} .. {last}")

# %% [markdown]
# ## The three lines
# Train (progress bar off here), save the model directory, and evaluate it on the later complaints
# with the same command analysts run in a shell: `lapor-nlp evaluate MODEL test.csv --report DIR`.

# %%
router = Router.train(train, text="text", targets=TARGETS, location=LOCATION, progress=False)
router.save(WORK / "model")
status = lapor_nlp_cli(["evaluate", f"{WORK}/model", f"{WORK}/test.csv", "--report", f"{WORK}/report"])
assert status == 0, "lapor-nlp evaluate failed; see the message above"

# %% [markdown]
# ## Read the report
# Per target: top-1 / top-3 accuracy, coverage at 95% precision, the share of `auto` decisions and
# their precision, then the plots (confusions, reliability, precision–coverage, per-class figures).

# %%
report = WORK / "report"
metrics = json.loads((report / "metrics.json").read_text())["targets"]
figures = pd.DataFrame({t: {k: v for k, v in m.items() if not isinstance(v, dict)}
                        for t, m in metrics.items()})
display(figures)
for png in sorted(report.glob("*.png")):
    print(png.name)
    display(Image(filename=str(png), width=700))

# %% [markdown]
# ## A closer look at single suggestions
# Each suggestion carries the calibrated score, the top 3, the `auto`/`review` decision and the words
# of the complaint that drove it (texts are redacted before they reach the model).

# %%
suggestions = router.predict(test.head(200), top_k=3)
rows = []
for s, (_, row) in zip(suggestions, test.head(200).iterrows(), strict=True):
    for t in router.targets:
        rows.append({"target": t, "true": row[t], "label": s[t].label, "score": round(s[t].score, 3),
                     "decision": s[t].decision, "because of": ", ".join(s[t].explanation[:4])})
closer = pd.DataFrame(rows)
closer["correct"] = closer["true"] == closer["label"]
by_decision = closer.groupby(["target", "decision"])["correct"].agg(["size", "mean"])
display(by_decision.rename(columns={"mean": "precision"}))
display(closer.sort_values("score").head(6))

# %% [markdown]
# ## Reload and read the model card
# `Router.load` verifies the artefact before anything is unpickled; the card records data, versions
# and metrics.

# %%
reloaded = Router.load(WORK / "model")
assert [s[t].label for s in reloaded.predict(test.head(20)) for t in reloaded.targets] == [
    s[t].label for s in suggestions[:20] for t in router.targets
]
print("version", reloaded.version, "targets", reloaded.targets)
display(Markdown(reloaded.model_card[:3000]))
shutil.rmtree(WORK)
