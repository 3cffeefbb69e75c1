"""Duplicate detection: find earlier complaints about the same problem, with evidence.

>>> from lapor_nlp.duplicates import DuplicateIndex
>>> idx = DuplicateIndex()
>>> idx.add("1", "Lampu PJU mati di gang 3", location={"kelurahan": "Kutisari"})
>>> [m.id for m in idx.query("PJU gang 3 mati", location={"kelurahan": "Kutisari"})]
['1']
"""

from __future__ import annotations

from lapor_nlp.duplicates.index import DuplicateIndex
from lapor_nlp.duplicates.match import Evidence, Match
from lapor_nlp.duplicates.scorer import Scorer
from lapor_nlp.duplicates.storage import IndexStorage

__all__ = ["DuplicateIndex", "Evidence", "IndexStorage", "Match", "Scorer"]
