"""Reviewer-effort benchmark: replay a labelled month through the service as a reviewer who knows the answers.

The service runs in-process (``create_app`` + TestClient, SQLite in a temporary directory, the model of
``--model``), as ``make run`` starts it apart from the HTTP socket. The month's complaints are sent to
``POST /v1/route/batch`` in submission order, ``--batch`` at a time; after each batch the reviewer works
through the review queue (``status=review``, and the audit samples, ``status=audit``), oldest first,
and saves the true category and agency. Two set-ups are replayed side by side:

- **old**: ``LAPOR_NLP_ROUTING_TARGETS=category,agency``, no agency table; the page as it was (no
  suggestion keys, no aliases: a change is ``c``/``g``, the whole label typed, Enter);
- **new**: ``LAPOR_NLP_ROUTING_TARGETS=agency``, the agency table beside the model (``agency_policy.json``,
  kept current from the reviewer's decisions), the page's keys (``1``-``3`` / ``Shift+1``-``3`` for the
  suggestions, search by name, short name or initials, Enter to save).

Reported per set-up:

- ``dispatched``: share of complaints routed ``auto``, and ``dispatched_precision``: the share of those
  whose agency is right;
- ``edits_per_reviewed``: fields (category, agency) the reviewer had to change after the page's proposal,
  per reviewed complaint. The proposal is the model's suggestion; in **new**, once the reviewer has set
  the true category (when it differs from the suggestion) the agency proposal is what
  ``GET /v1/policy/agency`` answers for it, when it answers, else the suggestion;
- ``keys_per_reviewed``: keystrokes per reviewed complaint with that page's keys (a search costs its
  opening key, the shortest prefix that puts the label first in the pick-list, and Enter);
- ``agency_top1``: the model's agency top-1 over the month, beside ``baseline_top1``, the strongest simple
  baseline (``bench_replay.baseline(..., places=True)``, trained on the same earlier rows).

Use a model trained without the replayed month: ``models/default`` was trained on all of 2022, so for
December train one on Jan-Nov first, e.g.::

    python -c "..."  # write the Jan-Nov rows of complaints_2022.csv to /tmp/jan-nov.csv
    lapor-nlp train /tmp/jan-nov.csv --text-column text --target topic --target agency \\
        --location-column kecamatan --location-column kelurahan --config models/default.toml --out /tmp/m

``lapor-nlp train`` writes the agency table beside it. Then:
``nice .venv/bin/python benchmarks/bench_review.py --model /tmp/m --month 2022-12 [--json OUT]``.
December 2022 is the held-out month: report it, never tune on it.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
DATA = Path(os.environ.get("LAPOR_NLP_SHARED_DATASETS", ROOT.parent / "shared" / "datasets"))
CSV = DATA / "surabaya" / "complaints_2022.csv"
ADMIN = {"X-API-Key": "bench-admin"}
LOCATION = ("kecamatan", "kelurahan")


# -- the page's pick-list ranking (service/app/static/admin.js searchLabels), for keystroke counts ------
def _initials(label: str) -> str:
    words = [w for w in re.split(r"[^\w]+", label) if w]
    return "".join(w[0] for w in words if w[0] == w[0].upper()).lower()


def _ranked(labels: list[str], aliases: dict[str, list[str]], query: str) -> list[str]:
    q = query.strip().lower()
    found = []
    for label in labels:
        low = label.lower()
        al = [a.lower() for a in aliases.get(label, [])]
        if low == q or q in al:
            rank = 0
        elif any(a.startswith(q) for a in al) or _initials(label) == q.replace(" ", ""):
            rank = 1
        elif low.startswith(q):
            rank = 2
        elif any(w.startswith(q) for w in low.split()):
            rank = 3
        elif q in low or any(q in a for a in al):
            rank = 4
        else:
            continue
        found.append((rank, len(label), label))
    return [label for *_, label in sorted(found)]


def search_keys(labels: list[str], aliases: dict[str, list[str]], label: str) -> int:
    """Keys to take ``label`` with a search: open (1) + the shortest query that ranks it first + Enter."""
    queries = [label.lower(), *(a.lower() for a in aliases.get(label, [])), _initials(label)]
    best = len(label)
    for query in queries:
        for k in range(1, min(len(query), best) + 1):
            ranked = _ranked(labels, aliases, query[:k])
            if ranked and ranked[0] == label:
                best = min(best, k)
                break
    return 1 + best + 1


# -- the replay -----------------------------------------------------------------------------------------
def _label(value: object) -> str:
    """A label as the model spells it (stray spaces normalised)."""
    return " ".join(str(value).split())


def _requests(month: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in month.itertuples(index=False):
        location = {c: str(getattr(row, c)) for c in LOCATION if isinstance(getattr(row, c), str)}
        out.append(
            {
                "id": str(row.id),
                "text": str(row.text),
                "location": location or None,
                "submitted_at": str(row.submitted_at) if isinstance(row.submitted_at, str) else None,
            }
        )
    return out


def replay(model_dir: Path, month: pd.DataFrame, *, new: bool, batch: int) -> dict[str, Any]:
    from fastapi.testclient import TestClient
    from service.app.config import Settings
    from service.app.main import create_app
    from service.app.policy import load_policy

    truth = {str(r.id): (_label(r.topic), _label(r.agency)) for r in month.itertuples(index=False)}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            api_keys="intake:bench-intake,admin:bench-admin",
            database_url=f"sqlite:///{tmp}/bench.db",
            model_dir=model_dir,
            routing_targets="agency" if new else "category,agency",
        )
        app = create_app(settings, policy_loader=load_policy if new else (lambda model: None))
        stats = {"routed": 0, "dispatched": 0, "dispatched_right": 0, "reviewed": 0, "edits": 0, "keys": 0}
        stats |= {"agency_top1_right": 0, "categorise": 0, "unlabelled_skipped": 0}
        with TestClient(app) as client:
            info = client.get("/v1/model", headers=ADMIN).json()
            labels = {t: list(info["labels"][t]) for t in ("category", "agency")}
            aliases = info.get("aliases", {}) if new else {}
            reqs = _requests(month)
            started = time.perf_counter()
            for start in range(0, len(reqs), batch):
                body = {"complaints": reqs[start : start + batch]}
                routed = client.post("/v1/route/batch", json=body, headers=ADMIN)
                routed.raise_for_status()
                for r in routed.json()["results"]:
                    true_agency = truth[r["id"]][1]
                    stats["routed"] += 1
                    stats["agency_top1_right"] += r["agency"]["label"] == true_agency
                    if r["status"] == "auto":
                        stats["dispatched"] += 1
                        stats["dispatched_right"] += r["agency"]["label"] == true_agency
                        stats["categorise"] += r["category"]["decision"] == "review"
                _review_queue(client, truth, labels, aliases, new, stats)
            stats["seconds"] = round(time.perf_counter() - started, 1)
    n, reviewed = stats["routed"], max(1, stats["reviewed"])
    return {
        "routing_targets": "agency" if new else "category,agency",
        "agency_table": new,
        "complaints": n,
        "dispatched": round(stats["dispatched"] / n, 4),
        "dispatched_precision": round(stats["dispatched_right"] / max(1, stats["dispatched"]), 4),
        "dispatched_category_to_confirm": stats["categorise"],
        "reviewed": stats["reviewed"],
        "edits_per_reviewed": round(stats["edits"] / reviewed, 3),
        "keys_per_reviewed": round(stats["keys"] / reviewed, 2),
        "agency_top1": round(stats["agency_top1_right"] / n, 4),
        "seconds": stats["seconds"],
    }


def _review_queue(
    client: Any,
    truth: dict[str, tuple[str, str]],
    labels: dict[str, list[str]],
    aliases: dict[str, list[str]],
    new: bool,
    stats: dict[str, Any],
) -> None:
    for status in ("review", "audit"):
        while True:
            page = client.get(f"/v1/suggestions?status={status}&limit=200", headers=ADMIN).json()
            if not page["items"]:
                break
            for item in page["items"]:
                category, agency = truth[item["id"]]
                edits, keys = _effort(client, item, category, agency, labels, aliases, new)
                stats["reviewed"] += 1
                stats["edits"] += edits
                stats["keys"] += keys
                decision = {"category": category, "agency": agency, "reviewer": "bench"}
                url = f"/v1/suggestions/{item['suggestion_id']}/decision"
                client.post(url, json=decision, headers=ADMIN).raise_for_status()


def _effort(
    client: Any,
    item: dict[str, Any],
    category: str,
    agency: str,
    labels: dict[str, list[str]],
    aliases: dict[str, list[str]],
    new: bool,
) -> tuple[int, int]:
    """(fields changed after the page's proposal, keystrokes) to save the true labels."""
    suggested = {t: [c["label"] for c in item[t]["top_k"]] for t in ("category", "agency")}
    edits = keys = 0
    proposal = item["agency"]["label"]
    if category != item["category"]["label"]:
        edits += 1
        if new and category in suggested["category"][:3]:
            keys += 1  # Shift+1..3
        elif new:
            keys += search_keys(labels["category"], {}, category)
        else:
            keys += 1 + len(category) + 1  # c, the whole label, Esc/Enter
        if new:
            params = {"category": category, **{k: v for k, v in item["location"].items() if k in LOCATION}}
            answer = client.get("/v1/policy/agency", params=params, headers=ADMIN)
            if answer.status_code == 200 and answer.json()["agency"]:
                proposal = answer.json()["agency"]
    if agency != proposal:
        edits += 1
        if new and agency in suggested["agency"][:3]:
            keys += 1  # 1..3
        elif new:
            keys += search_keys(labels["agency"], aliases, agency)
        else:
            keys += 1 + len(agency)  # g, the whole label (Enter is the save)
    keys += 1  # save: a / Enter
    return edits, keys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, required=True, help="model trained without --month")
    parser.add_argument("--data", type=Path, default=CSV)
    parser.add_argument("--month", default="2022-12", help="month to replay, YYYY-MM (2022-12, held out)")
    parser.add_argument("--batch", type=int, default=20, help="complaints per /v1/route/batch (20)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--no-baseline", action="store_true", help="skip the baseline's top-1")
    parser.add_argument("--limit", type=int, help="replay only the first N complaints (a smoke run)")
    args = parser.parse_args()
    if not args.data.is_file():
        print(f"skipped: {args.data} not found (the shared datasets are not here)", file=sys.stderr)
        return 0
    from lapor_nlp.routing import read_table
    from lapor_nlp.tables import parse_timestamps

    df = read_table(args.data)
    times, _ = parse_timestamps(df["submitted_at"])
    df = df.assign(_month=times.dt.strftime("%Y-%m")).sort_values("submitted_at", kind="stable")
    labelled = df["topic"].fillna("").str.strip().ne("") & df["agency"].fillna("").str.strip().ne("")
    month = df[(df["_month"] == args.month) & labelled]
    if args.limit:
        month = month.head(args.limit)
    earlier = df[df["_month"] < args.month]
    print(f"replaying {len(month)} labelled complaints of {args.month} through the service", file=sys.stderr)
    out: dict[str, Any] = {"month": args.month, "model": str(args.model), "batch": args.batch}
    warnings.simplefilter("ignore")
    for name, new in (("old", False), ("new", True)):
        out[name] = replay(args.model, month, new=new, batch=args.batch)
        print(name, json.dumps(out[name]), file=sys.stderr)
    if not args.no_baseline:
        from bench_replay import baseline

        out["baseline_top1"] = round(float(baseline(earlier, month, places=True)["top1_accuracy"]), 4)
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
