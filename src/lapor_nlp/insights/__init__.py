"""Complaint insights: volumes, emerging issues, response times, backlog, agency scorecards, the
open complaints to follow up and review quality.

Start from :func:`load_complaints` (a CSV export) or :func:`prepare_complaints` (a DataFrame), then
call the functions below or :func:`build_report` for everything at once::

    from lapor_nlp.insights import build_report, load_complaints
    report = build_report(load_complaints("export.csv"), sla_days=5)
    report.write("report/")   # report.html (self-contained) + CSV tables + figures/*.png

The same is available as ``lapor-nlp report export.csv --out report/``.
"""

from __future__ import annotations

from lapor_nlp.insights.data import DIMENSIONS, ComplaintData, load_complaints, prepare_complaints
from lapor_nlp.insights.database import read_decisions_sql
from lapor_nlp.insights.emerging import detect_emerging
from lapor_nlp.insights.report import InsightsReport, build_report
from lapor_nlp.insights.response import backlog, response_times
from lapor_nlp.insights.review import ReviewQuality, load_decisions, review_quality
from lapor_nlp.insights.scorecard import SCORECARD_COLUMNS, agency_scorecard, follow_up, reviewer_scorecard
from lapor_nlp.insights.volume import totals, volume, volume_long

__all__ = [
    "DIMENSIONS",
    "SCORECARD_COLUMNS",
    "ComplaintData",
    "InsightsReport",
    "ReviewQuality",
    "agency_scorecard",
    "backlog",
    "build_report",
    "detect_emerging",
    "follow_up",
    "load_complaints",
    "load_decisions",
    "prepare_complaints",
    "read_decisions_sql",
    "response_times",
    "review_quality",
    "reviewer_scorecard",
    "totals",
    "volume",
    "volume_long",
]
