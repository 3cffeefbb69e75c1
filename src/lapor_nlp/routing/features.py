"""Text features for routing: word n-grams of normalised tokens plus character n-grams of clean words.

Input texts must already be redacted (:func:`lapor_nlp.text.redact`); the router redacts once and
shares the result between features and explanations. Learned vocabularies are stored as plain arrays,
so a saved featurizer holds no code and no personal data (long digit runs are dropped from it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from lapor_nlp.text import Preprocessor, clean
from lapor_nlp.text._input import as_texts

_PERSONAL = re.compile(r"\d{6,}|@")
_TOKEN_PATTERN = r"(?u)\b\w\w+\b"


def normalise(texts: Sequence[str]) -> list[str]:
    """Normalised tokens (slang, stopwords, stemming) of already-redacted texts."""
    return Preprocessor(redact=False).fit_transform(list(texts))


# scikit-learn ships no type stubs, so its base classes are Any to mypy.
class TextFeaturizer(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """TF-IDF of word n-grams (normalised tokens) and char n-grams (clean surface words), stacked.

    Parameters
    ----------
    word_ngram_range, char_ngram_range : n-gram ranges of the two vectorizers.
    min_df : minimum document frequency of a feature.
    max_word_features, max_char_features : vocabulary caps (most frequent kept).

    Attributes
    ----------
    word_vocabulary_, char_vocabulary_ : feature strings (numpy arrays of ``str``).
    word_idf_, char_idf_ : their inverse document frequencies.
    """

    def __init__(
        self,
        *,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (3, 5),
        min_df: int = 2,
        max_word_features: int = 40_000,
        max_char_features: int = 60_000,
    ) -> None:
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features

    def _word_vectorizer(self, **kw: Any) -> TfidfVectorizer:
        return TfidfVectorizer(
            ngram_range=tuple(self.word_ngram_range),
            sublinear_tf=True,
            token_pattern=_TOKEN_PATTERN,
            lowercase=False,
            dtype=np.float32,
            **kw,
        )

    def _char_vectorizer(self, **kw: Any) -> TfidfVectorizer:
        return TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=tuple(self.char_ngram_range),
            sublinear_tf=True,
            lowercase=False,
            dtype=np.float32,
            **kw,
        )

    def build_vectorizers(self) -> tuple[TfidfVectorizer | None, TfidfVectorizer | None]:
        """Fitted-equivalent scikit-learn vectorizers (word, char) of the learned vocabularies; ``None``
        for an empty block. Built anew on each call: :class:`FeatureTables` keeps them for prediction."""
        check_is_fitted(self, "word_vocabulary_")
        out: list[TfidfVectorizer | None] = []
        for make, vocab, idf in (
            (self._word_vectorizer, self.word_vocabulary_, self.word_idf_),
            (self._char_vectorizer, self.char_vocabulary_, self.char_idf_),
        ):
            if not len(vocab):
                out.append(None)
                continue
            vec = make(vocabulary={str(f): i for i, f in enumerate(vocab)})
            vec.idf_ = np.asarray(idf, dtype=np.float64)
            out.append(vec)
        return out[0], out[1]

    def fit(self, X: Iterable[str], y: object = None) -> TextFeaturizer:
        self.fit_transform(X)
        return self

    def fit_transform(self, X: Iterable[str], y: object = None, **fit_params: Any) -> sp.csr_matrix:
        texts = as_texts(X, "TextFeaturizer")
        words, chars = normalise(texts), [clean(t) for t in texts]
        min_df = self.min_df if len(texts) >= 4 * self.min_df else 1
        for name, vec, docs, cap in (
            ("word", self._word_vectorizer, words, self.max_word_features),
            ("char", self._char_vectorizer, chars, self.max_char_features),
        ):
            fitted = vec(min_df=min_df, max_features=cap)
            try:
                fitted.fit(docs)
            except ValueError:  # empty vocabulary (e.g. only placeholders): keep an empty block
                setattr(self, f"{name}_vocabulary_", np.asarray([], dtype=str))
                setattr(self, f"{name}_idf_", np.asarray([], dtype=np.float32))
                continue
            names = fitted.get_feature_names_out()
            keep = np.asarray([not _PERSONAL.search(f) for f in names])
            setattr(self, f"{name}_vocabulary_", np.asarray(names[keep], dtype=str))
            setattr(self, f"{name}_idf_", np.asarray(fitted.idf_[keep], dtype=np.float32))
        if not len(self.word_vocabulary_) and not len(self.char_vocabulary_):
            raise ValueError("no usable words in the training texts; are they all empty?")
        return FeatureTables(self).transform_prepared(words, chars)

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        """Features of already-redacted texts. Builds the lookup tables on each call; for repeated
        prediction keep a :class:`FeatureTables` (the router's compiled predictor does)."""
        texts = as_texts(X, "TextFeaturizer")
        return self.transform_prepared(normalise(texts), [clean(t) for t in texts])

    def transform_prepared(self, normalised: Sequence[str], cleaned: Sequence[str]) -> sp.csr_matrix:
        """:meth:`transform` from texts already normalised (:func:`normalise`) and cleaned
        (:func:`lapor_nlp.text.clean`), for callers that need the cleaned text themselves."""
        check_is_fitted(self, "word_vocabulary_")
        return FeatureTables(self).transform_prepared(normalised, cleaned)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        check_is_fitted(self, "word_vocabulary_")
        return np.asarray(
            [f"w:{f}" for f in self.word_vocabulary_] + [f"c:{f}" for f in self.char_vocabulary_],
            dtype=object,
        )

    @property
    def n_word_features_(self) -> int:
        return len(self.word_vocabulary_)

    def __sklearn_tags__(self):  # type: ignore[no-untyped-def]
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags


class FeatureTables:
    """Prediction-time lookup tables of a fitted :class:`TextFeaturizer`, and their per-word caches.

    Holds the vocabularies as dicts, the idf weights and the analyzers, so that :meth:`transform`
    skips scikit-learn's per-call validation (most of the cost for one complaint; tests check the
    result equals the scikit-learn vectorizers). ``char_wb`` n-grams never cross a word boundary, so each
    distinct word's character features are computed once and cached; :meth:`owned_features` caches the
    features each word produces on its own (for explanations). Caches hold at most ``max_cached``
    words each and are cleared when full. The featurizer itself is not modified.
    """

    def __init__(self, featurizer: TextFeaturizer, *, max_cached: int = 200_000) -> None:
        word_vec, char_vec = featurizer.build_vectorizers()
        self.n_word_features = len(featurizer.word_vocabulary_)
        self.n_features = self.n_word_features + len(featurizer.char_vocabulary_)
        self.max_cached = max_cached
        self._word = _Block(word_vec) if word_vec is not None else None
        self._char = _Block(char_vec) if char_vec is not None else None
        self._char_cache: dict[str, np.ndarray] = {}
        self._owned_cache: dict[str, np.ndarray] = {}
        self._idf = np.concatenate(
            [b.idf if b is not None else np.zeros(0, dtype=np.float32) for b in (self._word, self._char)]
        )

    def transform(self, redacted: Sequence[str]) -> sp.csr_matrix:
        """Features of already-redacted texts (as :meth:`TextFeaturizer.transform`)."""
        texts = list(redacted)
        return self.transform_prepared(normalise(texts), [clean(t) for t in texts])

    def transform_prepared(self, normalised: Sequence[str], cleaned: Sequence[str]) -> sp.csr_matrix:
        """Features from normalised (:func:`normalise`) and cleaned (:func:`lapor_nlp.text.clean`) texts."""
        rows: list[np.ndarray] = []
        word, char = self._word, self._char
        for doc, chars in zip(normalised, cleaned, strict=True):
            pieces = [word.indices(doc)] if word is not None else []
            if char is not None:
                pieces.extend(self._char_indices(char, chars))
            rows.append(np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64))
        return self._tfidf(rows)

    def _char_indices(self, block: _Block, doc: str) -> list[np.ndarray]:
        """Char-block feature indices (offset past the word block) of each word of ``doc``, cached."""
        cache = self._char_cache
        if len(cache) > self.max_cached:
            cache.clear()
        pieces = []
        for w in doc.split():
            idx = cache.get(w)
            if idx is None:
                idx = cache[w] = block.indices(w) + self.n_word_features
            pieces.append(idx)
        return pieces

    def _tfidf(self, rows: Sequence[np.ndarray]) -> sp.csr_matrix:
        """Both blocks at once from each row's feature indices (with repeats): sublinear tf x idf, each
        block's part of a row L2-normalised on its own (as the two scikit-learn vectorizers do)."""
        n_rows, n_features = len(rows), self.n_features
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=n_rows)
        cols = np.concatenate(rows) if n_rows else np.zeros(0, dtype=np.int64)
        keys, counts = np.unique(
            np.repeat(np.arange(n_rows, dtype=np.int64), lengths) * n_features + cols, return_counts=True
        )
        row_of, indices = np.divmod(keys, n_features)
        data = (np.log(counts.astype(np.float32)) + np.float32(1.0)) * self._idf[indices]
        block = row_of * 2 + (indices >= self.n_word_features)
        norms = np.sqrt(np.bincount(block, weights=np.square(data, dtype=np.float64), minlength=2 * n_rows))
        norms[norms == 0.0] = 1.0
        data = (data / norms[block]).astype(np.float32)
        indptr = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(row_of, minlength=n_rows), out=indptr[1:])
        return sp.csr_matrix((data, indices, indptr), shape=(n_rows, n_features))

    def owned_features(self, words: Sequence[str]) -> sp.csr_matrix:
        """Binary matrix: surface word x the features (word n-grams of its normalised form, its char
        n-grams) it produces on its own."""
        rows = self.owned_feature_lists(words)
        indptr = np.r_[0, np.cumsum([len(r) for r in rows])].astype(np.int64)
        indices = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        return sp.csr_matrix(
            (np.ones(len(indices), dtype=np.float32), indices, indptr), shape=(len(rows), self.n_features)
        )

    def owned_feature_lists(self, words: Sequence[str]) -> list[np.ndarray]:
        """The sorted feature indices each of ``words`` owns (the rows of :meth:`owned_features`), as
        cached arrays: do not modify them."""
        cache = self._owned_cache
        missing = list(dict.fromkeys(w for w in words if w not in cache))
        if missing:
            if len(cache) + len(missing) > self.max_cached:
                cache.clear()
                missing = list(dict.fromkeys(words))
            for w, norm in zip(missing, normalise(missing), strict=True):
                idx: set[int] = set()
                if self._word is not None:
                    idx.update(self._word.indices(norm).tolist())
                if self._char is not None:  # char_wb n-grams stay within a word: reuse the word cache
                    for piece in self._char_indices(self._char, clean(w)):
                        idx.update(piece.tolist())
                cache[w] = np.asarray(sorted(idx), dtype=np.int64)
        return [cache[w] for w in words]


class _Block:
    """One fitted vectorizer's analyzer, vocabulary and idf, for :class:`FeatureTables`."""

    def __init__(self, vec: TfidfVectorizer) -> None:
        self.analyze = vec.build_analyzer()
        self.vocabulary: dict[str, int] = vec.vocabulary_
        self.idf = np.asarray(vec.idf_, dtype=np.float32)

    def indices(self, doc: str) -> np.ndarray:
        """Feature index of every known n-gram of ``doc``, with repeats."""
        vocabulary = self.vocabulary
        return np.asarray([vocabulary[g] for g in self.analyze(doc) if g in vocabulary], dtype=np.int64)
