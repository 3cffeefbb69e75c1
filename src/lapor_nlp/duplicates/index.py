"""`DuplicateIndex`: find earlier complaints about the same problem, fast enough for a million.

Two stages. Candidate generation walks an inverted index from the query's rarest words (idf weights
learned from the indexed corpus, so boilerplate shared by many complaints counts little) and keeps the
best few hundred by approximate template-aware similarity. Re-ranking computes the readable pair
features of :mod:`lapor_nlp.duplicates.scorer` for those candidates and scores them with the calibrated
logistic model; the top ``k`` get their evidence.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from lapor_nlp._progress import progress_bar
from lapor_nlp.duplicates._timestamps import check_kind, to_seconds
from lapor_nlp.duplicates.analysis import Analysis, analyze
from lapor_nlp.duplicates.match import Evidence, Match
from lapor_nlp.duplicates.scorer import Scorer, default_scorer, feature_matrix, gap_feature
from lapor_nlp.duplicates.storage import IndexStorage
from lapor_nlp.errors import EmptyComplaintError, IndexStateError, InputError

PLACE_KINDS: tuple[str, ...] = ("street", "gang", "number", "rt", "rw", "point", "estate", "area", "landmark")
_KIND_ID = {k: i for i, k in enumerate(PLACE_KINDS)}
# Kinds whose disagreement reliably means another place: street and landmark names are extracted
# loosely, and house numbers differ in genuine re-submissions ("no 75" / "no 39-45") as often as not.
_STRONG_KINDS = frozenset({"gang", "rt", "rw", "point"})
_STRONG = np.array([k in _STRONG_KINDS for k in PLACE_KINDS])
_LOCATION_KEYS = ("kecamatan", "kelurahan")
_DAY = 86400.0
_PHRASE_WORDS = 12  # longest shared phrase shown in evidence


def _norm_place_name(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = " ".join(str(value).lower().split())
    return text or None


class DuplicateIndex:
    """Index of complaints that answers "which earlier complaints report the same problem?".

    Parameters
    ----------
    threshold : float, optional
        Score at or above which a match counts as a duplicate; defaults to the calibrated value.
    max_gap_days : float, optional
        Hard time window for candidates when timestamps are given. Off by default: the same unresolved
        problem is often reported again months later; the gap is evidence in the score instead.
    candidates : int
        How many candidates the first stage hands to the re-ranker.
    posting_budget : int
        Cap on the postings read per query (most recent first for very common words).
    scorer : Scorer, optional
        Pair scorer; defaults to the calibrated one shipped with the package.
    storage : IndexStorage, optional
        Indexed contents to start from (what :meth:`load` reads); empty by default.

    Examples
    --------
    >>> idx = DuplicateIndex()
    >>> idx.add("1", "Lampu PJU mati di Jl. Kutisari Indah gang 3", location={"kelurahan": "Kutisari"})
    >>> idx.query("lampu pju gang 3 kutisari indah mati", location={"kelurahan": "Kutisari"})[0].id
    '1'
    """

    FORMAT_VERSION = 1

    def __init__(
        self,
        *,
        threshold: float | None = None,
        max_gap_days: float | None = None,
        candidates: int = 150,
        posting_budget: int = 40_000,
        scorer: Scorer | None = None,
        storage: IndexStorage | None = None,
    ) -> None:
        self.scorer = scorer if scorer is not None else default_scorer()
        self.threshold = float(self.scorer.threshold if threshold is None else threshold)
        if not 0.0 <= self.threshold <= 1.0:
            raise InputError(f"threshold must be within 0..1, got {threshold}")
        if max_gap_days is not None and not max_gap_days > 0:
            raise InputError(f"max_gap_days must be positive or None (no window), got {max_gap_days}")
        if candidates < 1 or posting_budget < 1:
            raise InputError("candidates and posting_budget must be positive integers")
        self.max_gap_days = max_gap_days
        self.candidates = int(candidates)
        self.posting_budget = int(posting_budget)
        self._storage = storage if storage is not None else IndexStorage()
        # the last text analysed and its analysis: ``add`` right after ``query`` of the same text (the
        # service's order) reuses it instead of analysing the text again
        self._last_analysis: tuple[str, Analysis] | None = None

    # ------------------------------------------------------------------ public API
    def __len__(self) -> int:
        return self._storage.n_alive

    def __contains__(self, id: object) -> bool:
        return str(id) in self._storage.pos if id is not None else False

    def __repr__(self) -> str:
        return f"DuplicateIndex(n={len(self)}, threshold={self.threshold:.3f})"

    @property
    def storage(self) -> IndexStorage:
        """Vocabulary, documents and locations of the index (what :meth:`save` writes)."""
        return self._storage

    @property
    def ids(self) -> list[str]:
        """Ids of the indexed complaints, in insertion order."""
        return [i for i, p in self._storage.pos.items()]

    def add(
        self,
        id: str | int,
        text: str,
        submitted_at: Any = None,
        location: Mapping[str, Any] | None = None,
    ) -> None:
        """Index one complaint.

        Raises
        ------
        EmptyComplaintError
            ``text`` has no words.
        IndexStateError
            ``id`` is already indexed, or ``submitted_at`` mixes naive and aware timestamps.
        """
        self.add_many([(id, text, submitted_at, location)])

    def add_many(self, records: Iterable[Any], *, progress: bool = False) -> int:
        """Index many complaints at once; all-or-nothing on validation errors. Returns the count added.

        ``records`` yields mappings with keys ``id``, ``text`` and optionally ``submitted_at`` and
        ``location`` (or ``kecamatan``/``kelurahan``), or tuples ``(id, text[, submitted_at[, location]])``.
        Validation happens first, so a bad record leaves the index unchanged (for millions of rows,
        call it once per batch of ~10,000 to bound the memory held for validation).
        """
        prepared = self._prepare(records, progress=progress)
        first = len(self._storage.ids)
        for rec in prepared:
            self._insert(*rec)
        self._refresh_norms(first)
        return len(prepared)

    def remove(self, id: str | int) -> None:
        """Remove a complaint; raises :class:`IndexStateError` for an unknown id."""
        key = str(id)
        st = self._storage
        pos = st.pos.get(key)
        if pos is None:
            raise IndexStateError(f"cannot remove {key!r}: no complaint with that id is indexed")
        del st.pos[key]
        st.alive[pos] = 0
        for t in st.set[st.set_ptr[pos] : st.set_ptr[pos + 1]]:
            st.df[t] -= 1
        st.n_alive -= 1

    def query(
        self,
        text: str,
        k: int = 10,
        submitted_at: Any = None,
        location: Mapping[str, Any] | None = None,
        *,
        exclude: Iterable[str | int] = (),
    ) -> list[Match]:
        """Return up to ``k`` indexed complaints most likely about the same problem, best first.

        With ``submitted_at`` only complaints submitted earlier (or without a timestamp) are candidates.
        ``exclude`` drops ids (e.g. the complaint itself when it is already indexed).
        """
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise InputError(f"k must be a positive integer, got {k!r}")
        q = self._analyse_query(text, submitted_at, location)
        excluded = {self._storage.pos[str(e)] for e in exclude if str(e) in self._storage.pos}
        cand = self._candidates(q, excluded)
        if cand.size == 0:
            return []
        feats, aux = self._features(q, cand)
        scores = self.scorer.predict_proba(feats)
        order = np.lexsort((-aux["similarity"], -scores))[:k]
        return [self._match(q, int(cand[i]), float(scores[i]), aux, i) for i in order]

    def features(
        self,
        text: str,
        ids: Iterable[str | int],
        submitted_at: Any = None,
        location: Mapping[str, Any] | None = None,
    ) -> np.ndarray:
        """Pair feature matrix (rows follow ``ids``) of ``text`` against indexed complaints (calibration)."""
        q = self._analyse_query(text, submitted_at, location)
        pos = []
        for i in ids:
            if str(i) not in self._storage.pos:
                raise IndexStateError(f"no complaint with id {str(i)!r} is indexed")
            pos.append(self._storage.pos[str(i)])
        return self._features(q, np.asarray(pos, dtype=np.int64))[0]

    def save(self, path: str | Path) -> None:
        """Write the index to one file atomically (see :mod:`lapor_nlp.duplicates.persistence`)."""
        from lapor_nlp.duplicates.persistence import save_index

        save_index(self, path)

    @classmethod
    def load(cls, path: str | Path, *, scorer: Scorer | None = None) -> DuplicateIndex:
        """Read an index written by :meth:`save`; refuses corrupt, tampered or foreign files."""
        from lapor_nlp.duplicates.persistence import load_index

        return load_index(cls, path, scorer=scorer)

    # ------------------------------------------------------------------ input handling
    def _location_ids(self, location: Mapping[str, Any] | None, *, create: bool) -> tuple[int, int]:
        if location is None:
            return -1, -1
        if not isinstance(location, Mapping):
            raise InputError(
                f"location must be a dict such as {{'kecamatan': ..., 'kelurahan': ...}}, "
                f"got {type(location).__name__}"
            )
        out = []
        for key in ("kelurahan", "kecamatan"):
            name = _norm_place_name(location.get(key))
            if name is None:
                out.append(-1)
                continue
            lid = self._storage.loc_vocab.get(name)
            if lid is None and create:
                lid = self._storage.loc_vocab[name] = len(self._storage.loc_names)
                self._storage.loc_names.append(name)
            out.append(-2 if lid is None else lid)  # -2: known value, unseen in the index
        return out[0], out[1]

    @staticmethod
    def _unpack(rec: Any) -> tuple[Any, Any, Any, Any]:
        if isinstance(rec, Mapping):
            if "id" not in rec or "text" not in rec:
                raise InputError(f"a record needs 'id' and 'text' keys, got keys {sorted(rec)}")
            loc = rec.get("location")
            if loc is None and any(key in rec for key in _LOCATION_KEYS):
                loc = {key: rec.get(key) for key in _LOCATION_KEYS}
            return rec["id"], rec["text"], rec.get("submitted_at"), loc
        if isinstance(rec, tuple | list) and 2 <= len(rec) <= 4:
            padded = (*rec, None, None)
            return padded[0], padded[1], padded[2], padded[3]
        raise InputError(
            "records must be mappings with 'id' and 'text' or tuples (id, text[, submitted_at[, location]]), "
            f"got {type(rec).__name__}"
        )

    def _prepare(self, records: Iterable[Any], *, progress: bool) -> list[tuple[Any, ...]]:
        if isinstance(records, str | bytes):
            raise InputError("add_many expects an iterable of records, got a single string")
        if hasattr(records, "to_dict") and hasattr(records, "columns"):  # a DataFrame
            records = records.to_dict("records")
        records = progress_bar(records, desc="indexing", enabled=progress, unit="complaint")
        prepared: list[tuple[Any, ...]] = []
        seen: set[str] = set()
        kind = self._storage.aware
        for rec in records:
            rid, text, ts, loc = self._unpack(rec)
            if rid is None or (isinstance(rid, float) and math.isnan(rid)) or str(rid) == "":
                raise InputError("complaint id must not be empty")
            key = str(rid)
            if key in self._storage.pos or key in seen:
                raise IndexStateError(
                    f"complaint id {key!r} is already indexed; ids must be unique "
                    "(remove() it first to replace it)"
                )
            if not isinstance(text, str):
                raise InputError(f"complaint {key!r}: text must be a str, got {type(text).__name__}")
            analysis = self._analysis(text)
            if not analysis.words:
                raise EmptyComplaintError(
                    f"complaint {key!r} has no words after cleaning; it cannot be indexed"
                )
            seconds, aware = to_seconds(ts)
            check_kind(kind, aware)
            if aware is not None:
                kind = aware
            if loc is not None and not isinstance(loc, Mapping):
                raise InputError(f"complaint {key!r}: location must be a dict, got {type(loc).__name__}")
            seen.add(key)
            prepared.append((key, analysis, seconds, aware, loc))
        return prepared

    def _analysis(self, text: str) -> Analysis:
        """:func:`analyze` of ``text``, reusing the previous call's result for the same text (a pure
        function of the text, so reuse cannot change what is indexed or found)."""
        last = self._last_analysis
        if last is not None and last[0] == text:
            return last[1]
        analysis = analyze(text)
        self._last_analysis = (text, analysis)
        return analysis

    def _term_id(self, term: str, kind: int) -> int:
        st = self._storage
        tid = st.vocab.get(term)
        if tid is None:
            tid = st.vocab[term] = len(st.terms)
            st.terms.append(term)
            st.df.append(0)
            st.kind.append(kind)
            st.postings.append(array("i"))
        return tid

    def _insert(self, key: str, analysis: Any, seconds: float, aware: bool | None, loc: Any) -> None:
        st = self._storage
        pos = len(st.ids)
        found: list[int | None] = list(map(st.vocab.get, analysis.words))
        words = analysis.words
        seq = [t if t is not None else self._term_id(w, -1) for t, w in zip(found, words, strict=True)]
        uniq = sorted(set(seq))
        places = sorted({self._term_id(p, _KIND_ID[p.split(":", 1)[0]]) for p in analysis.places})
        df, postings = st.df, st.postings
        for t in uniq:
            df[t] += 1
            postings[t].append(pos)
        for t in places:
            df[t] += 1
        kel, kec = self._location_ids(loc, create=True)
        st.ids.append(key)
        st.pos[key] = pos
        st.alive.append(1)
        st.seq.extend(seq)
        st.seq_ptr.append(len(st.seq))
        st.set.extend(uniq)
        st.set_ptr.append(len(st.set))
        st.plc.extend(places)
        st.plc_ptr.append(len(st.plc))
        st.norm.append(0.0)  # set by _refresh_norms once the batch is in
        st.time.append(seconds)
        st.kel.append(kel)
        st.kec.append(kec)
        if aware is not None:
            st.aware = aware
        st.n_alive += 1

    def _refresh_norms(self, first: int) -> None:
        """Squared idf norms of documents ``first..`` with the document frequencies after their batch."""
        cand = np.arange(first, len(self._storage.ids), dtype=np.int64)
        if cand.size == 0:
            return
        toks, owner = self._gather(self._storage.set_ptr, self._storage.set, cand)
        norms = np.bincount(owner, weights=self._idf(toks) ** 2, minlength=cand.size)
        view = np.frombuffer(self._storage.norm, dtype=np.float64)
        view[first:] = norms
        del view

    def _analyse_query(
        self, text: str, submitted_at: Any, location: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        if not isinstance(text, str):
            raise InputError(f"query text must be a str, got {type(text).__name__}")
        analysis = self._analysis(text)
        if not analysis.words:
            raise EmptyComplaintError("query text has no words after cleaning; nothing to compare")
        seconds, aware = to_seconds(submitted_at)
        check_kind(self._storage.aware, aware)
        kel, kec = self._location_ids(location, create=False)
        words = set(analysis.words)
        known = np.fromiter(
            (self._storage.vocab[w] for w in words if w in self._storage.vocab), dtype=np.int64
        )
        places = np.fromiter(
            (self._storage.vocab[p] for p in analysis.places if p in self._storage.vocab), dtype=np.int64
        )
        places_by_kind: dict[str, list[str]] = {}
        for p in dict.fromkeys(analysis.places):
            kind, _, value = p.partition(":")
            places_by_kind.setdefault(kind, []).append(value)
        qids = np.fromiter((self._storage.vocab.get(w, -1) for w in analysis.words), dtype=np.int64)
        return {
            "analysis": analysis,
            "known": np.sort(known),
            "n_unknown": len(words) - known.size,
            "places": places,
            "place_kinds": set(places_by_kind),
            "places_by_kind": {k: sorted(v) for k, v in places_by_kind.items()},
            "qids": qids,  # vocabulary id of each query word in order (-1: unknown)
            "time": seconds,
            "kel": kel,
            "kec": kec,
            "n_words": len(analysis.words),
        }

    # ------------------------------------------------------------------ scoring internals
    def _idf(self, terms: np.ndarray) -> np.ndarray:
        """Smoothed idf of ``terms`` over the live documents (words shared by many weigh little)."""
        if terms.size == 0:
            return np.zeros(0)
        df = np.frombuffer(self._storage.df, dtype=np.int32)[terms]
        idf: np.ndarray = np.log((max(self._storage.n_alive, 1) + 1) / (np.maximum(df, 0) + 1.0)) + 1.0
        return idf

    def _idf_max(self) -> float:
        return math.log(max(self._storage.n_alive, 1) + 1) + 1.0

    def _query_norm(self, q: dict[str, Any]) -> float:
        return float(np.sum(self._idf(q["known"]) ** 2)) + float(q["n_unknown"]) * self._idf_max() ** 2

    def _eligible(self, pos: np.ndarray, qtime: float) -> np.ndarray:
        alive: np.ndarray = np.frombuffer(self._storage.alive, dtype=np.uint8)[pos].astype(bool)
        if not math.isnan(qtime):
            t = np.frombuffer(self._storage.time, dtype=np.float64)[pos]
            known = ~np.isnan(t)
            ok = ~known | (t < qtime)
            if self.max_gap_days is not None:
                ok &= ~known | (qtime - t <= self.max_gap_days * _DAY)
            alive &= ok
        return alive

    def _candidates(self, q: dict[str, Any], excluded: set[int]) -> np.ndarray:
        known = q["known"]
        if known.size == 0 or self._storage.n_alive == 0:
            return np.zeros(0, dtype=np.int64)
        df = np.frombuffer(self._storage.df, dtype=np.int32)[known]
        order = np.argsort(df, kind="stable")
        known_idf = self._idf(known)
        chunks, sizes, weights = [], [], []
        used = 0
        floor = max(self.posting_budget // 8, 1)
        postings = self._storage.postings
        for j in order.tolist():
            plist = postings[known[j]]
            if not len(plist):
                continue
            if used >= self.posting_budget:
                break
            take = min(len(plist), max(self.posting_budget - used, floor))
            chunks.append(np.frombuffer(plist, dtype=np.int32)[-take:])
            sizes.append(take)
            weights.append(j)
            used += take
        if not chunks:
            return np.zeros(0, dtype=np.int64)
        posts = np.concatenate(chunks).astype(np.int64)
        w = np.repeat(known_idf[weights] ** 2, sizes)
        keep = self._eligible(posts, q["time"])
        if excluded:
            keep &= ~np.isin(posts, np.fromiter(excluded, dtype=np.int64), kind="table")
        posts, w = posts[keep], w[keep]
        if posts.size == 0:
            return np.zeros(0, dtype=np.int64)
        if posts.size * 8 > len(self._storage.ids):  # dense accumulation beats sorting
            dense = np.bincount(posts, weights=w, minlength=len(self._storage.ids))
            uniq = np.flatnonzero(dense)
            shared = dense[uniq]
        else:
            uniq, inv = np.unique(posts, return_inverse=True)
            shared = np.bincount(inv, weights=w)
        qnorm = self._query_norm(q)
        cnorm = np.frombuffer(self._storage.norm, dtype=np.float64)[uniq]
        cos = shared / np.sqrt(cnorm * qnorm + 1e-12)
        contain = shared / (np.minimum(cnorm, qnorm) + 1e-12)
        c = self.candidates
        if uniq.size <= c:
            return uniq
        top_cos = np.argpartition(-cos, c - 1)[:c]
        m = max(c // 4, 1)
        top_con = np.argpartition(-contain, m - 1)[:m]
        return uniq[np.union1d(top_cos, top_con)]

    def _gather(self, ptr: array[int], data: array[int], cand: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p = np.frombuffer(ptr, dtype=np.int64)
        starts, ends = p[cand], p[cand + 1]
        lens = ends - starts
        total = int(lens.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        owner = np.repeat(np.arange(cand.size), lens)
        offs = np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens)
        values = np.frombuffer(data, dtype=np.int32)[np.repeat(starts, lens) + offs].astype(np.int64)
        return values, owner

    def _features(self, q: dict[str, Any], cand: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        n = cand.size
        known = q["known"]
        qnorm = self._query_norm(q)
        toks, owner = self._gather(self._storage.set_ptr, self._storage.set, cand)
        w2 = self._idf(toks) ** 2
        cnorm = np.bincount(owner, weights=w2, minlength=n) if toks.size else np.zeros(n)
        hit = np.isin(toks, known, kind="table")  # integer ids: a lookup table, not a sort
        shared = np.bincount(owner, weights=w2 * hit, minlength=n) if toks.size else np.zeros(n)
        # how much specific content the two share: long shared specific text vs a short generic phrase
        shared_info = (
            np.log1p(np.bincount(owner, weights=np.sqrt(w2) * hit, minlength=n)) if toks.size else np.zeros(n)
        )
        similarity = shared / np.sqrt(cnorm * qnorm + 1e-12)
        containment = shared / (np.minimum(cnorm, qnorm) + 1e-12)

        kinds_q = np.zeros(len(PLACE_KINDS), dtype=bool)
        for kname in q["place_kinds"] & _STRONG_KINDS:
            kinds_q[_KIND_ID[kname]] = True
        ptoks, powner = self._gather(self._storage.plc_ptr, self._storage.plc, cand)
        nk = len(PLACE_KINDS)
        if ptoks.size:
            pkind = np.frombuffer(self._storage.kind, dtype=np.int8)[ptoks].astype(np.int64)
            phit = np.isin(ptoks, q["places"], kind="table")
            has = np.bincount(powner * nk + pkind, minlength=n * nk).reshape(n, nk) > 0
            agree = np.bincount(powner * nk + pkind, weights=phit, minlength=n * nk).reshape(n, nk) > 0
            shared_places = np.minimum(np.bincount(powner, weights=phit, minlength=n), 3.0)
            conflict = has & kinds_q[None, :] & ~agree
            conflicts = conflict[:, _STRONG].sum(axis=1).astype(float)
        else:
            shared_places = np.zeros(n)
            conflicts = np.zeros(n)

        def agreement(qv: int, arr: array[int]) -> np.ndarray:
            c = np.frombuffer(arr, dtype=np.int32)[cand]
            if qv == -1:
                return np.zeros(n)
            return np.where(c < 0, 0.0, np.where(c == qv, 1.0, -1.0))

        same_kel = agreement(q["kel"], self._storage.kel)
        same_kec = agreement(q["kec"], self._storage.kec)
        t = np.frombuffer(self._storage.time, dtype=np.float64)[cand]
        days = (q["time"] - t) / _DAY if not math.isnan(q["time"]) else np.full(n, np.nan)
        X = feature_matrix(
            {
                "similarity": similarity,
                "containment": containment,
                "same_kelurahan": same_kel,
                "same_kecamatan": same_kec,
                "shared_places": shared_places,
                "place_conflicts": conflicts,
                "log_gap_days": gap_feature(days),
                "shared_content": shared_info,
            }
        )
        return X, {"similarity": similarity, "days": days, "same_kel": same_kel, "same_kec": same_kec}

    # ------------------------------------------------------------------ evidence
    def _match(self, q: dict[str, Any], pos: int, score: float, aux: dict[str, np.ndarray], i: int) -> Match:
        phrases = self._shared_phrases(q, pos)
        qplaces = set(q["analysis"].places)
        st = self._storage
        cplaces = [st.terms[t] for t in st.plc[st.plc_ptr[pos] : st.plc_ptr[pos + 1]]]
        shared = [p for p in cplaces if p in qplaces]
        theirs_by_kind: dict[str, list[str]] = {}
        for p in cplaces:
            kind, _, value = p.partition(":")
            theirs_by_kind.setdefault(kind, []).append(value)
        conflicts = []
        for kind in PLACE_KINDS:
            mine = q["places_by_kind"].get(kind)
            theirs = theirs_by_kind.get(kind)
            if mine and theirs and not set(mine) & set(theirs):
                conflicts.append(f"{kind}: {' '.join(mine)} / {' '.join(sorted(theirs))}")
        days = float(aux["days"][i])

        def flag(v: float) -> bool | None:
            return None if v == 0 else bool(v > 0)

        evidence = Evidence(
            text_similarity=round(float(aux["similarity"][i]), 4),
            shared_phrases=phrases,
            same_kelurahan=flag(float(aux["same_kel"][i])),
            same_kecamatan=flag(float(aux["same_kec"][i])),
            shared_places=tuple(p.replace(":", " ") for p in shared),
            conflicting_places=tuple(conflicts),
            days_apart=None if math.isnan(days) else round(days, 3),
        )
        return Match(
            id=self._storage.ids[pos], score=score, is_duplicate=score >= self.threshold, evidence=evidence
        )

    def _shared_phrases(self, q: dict[str, Any], pos: int, limit: int = 3) -> tuple[str, ...]:
        """Maximal runs of query words whose consecutive pairs also occur in the indexed complaint,
        most specific (highest summed idf) first."""
        st = self._storage
        cseq = st.seq[st.seq_ptr[pos] : st.seq_ptr[pos + 1]]
        terms = self._storage.terms
        cbigrams = set(zip(cseq, cseq[1:], strict=False))
        qids: list[int] = q["qids"].tolist()
        runs: list[tuple[int, int]] = []
        start = None
        for j, pair in enumerate(zip(qids, qids[1:], strict=False)):
            if pair in cbigrams:
                if start is None:
                    start = j
            elif start is not None:
                runs.append((start, j + 1))
                start = None
        if start is not None:
            runs.append((start, len(qids)))
        if not runs:
            return ()
        qidf = q.get("qidf")
        if qidf is None:  # idf of the query's known words, computed once per query
            known = q["qids"] >= 0
            qidf = q["qidf"] = np.zeros(len(qids))
            qidf[known] = self._idf(q["qids"][known])
        seen: set[str] = set()
        scored = []
        for a, b in runs:
            phrase = " ".join(terms[t] for t in qids[a:b][:_PHRASE_WORDS])
            if phrase not in seen:
                seen.add(phrase)
                scored.append((float(qidf[a:b].sum()), phrase))
        scored.sort(key=lambda p: -p[0])
        return tuple(p for _, p in scored[:limit])

    # ------------------------------------------------------------------ calibration
    def candidate_features(
        self, text: str, submitted_at: Any = None, location: Mapping[str, Any] | None = None
    ) -> tuple[list[str], np.ndarray]:
        """Every candidate :meth:`query` would score for ``text`` (ids) and their pair features (rows).

        Used by :mod:`lapor_nlp.duplicates.calibration` to rank candidates with a scorer being fitted.
        """
        from lapor_nlp.duplicates.scorer import FEATURE_NAMES  # here: keeps this addition in one place

        q = self._analyse_query(text, submitted_at, location)
        cand = self._candidates(q, set())
        if cand.size == 0:
            return [], np.zeros((0, len(FEATURE_NAMES)))
        return [self._storage.ids[i] for i in cand], self._features(q, cand)[0]
