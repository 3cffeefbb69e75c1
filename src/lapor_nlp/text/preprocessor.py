"""sklearn-compatible transformer turning raw complaints into normalised token strings."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from lapor_nlp.text import placeholders
from lapor_nlp.text._input import as_texts
from lapor_nlp.text.clean import normalise_word, raw_tokens
from lapor_nlp.text.lexicon import slang as _slang_map
from lapor_nlp.text.lexicon import stopwords as _stopword_set
from lapor_nlp.text.redact import redact as _redact
from lapor_nlp.text.stem import stem_word

if TYPE_CHECKING:
    import numpy as np

# Memo of token -> output words, one per combination of switches; cleared when it grows too large.
_TOKEN_CACHES: dict[tuple[bool, bool, bool, bool], dict[str, str]] = {}
_TOKEN_CACHE_MAX = 500_000


def _token_mapper(
    slang: bool, stopwords: bool, stem: bool, numbers: bool
) -> tuple[dict[str, str], Callable[[str], str]]:
    """The memo of token -> output words for these switches, and the function that fills it."""
    cache = _TOKEN_CACHES.setdefault((slang, stopwords, stem, numbers), {})
    slang_map = _slang_map()
    stop = _stopword_set()

    def compute(token: str) -> str:
        if token in placeholders.TOKENS:
            return token
        if token.isdigit():
            return token if numbers else ""
        token = normalise_word(token)
        words = slang_map.get(token, token).split() if slang else [token]
        if stopwords:
            words = [w for w in words if w not in stop]
        if stem:
            words = [stem_word(w) for w in words]
        return " ".join(words)

    def lookup(token: str) -> str:
        out = cache.get(token)
        if out is None:
            if len(cache) >= _TOKEN_CACHE_MAX:
                cache.clear()
            out = cache[token] = compute(token)
        return out

    return cache, lookup


_PARAMS = ("redact", "slang", "stopwords", "stem", "numbers")


class Preprocessor:
    """Redact, clean, normalise slang, drop stopwords and stem Indonesian complaint texts.

    Stateless: ``fit`` only validates. Each output is the normalised tokens of one text joined by single
    spaces; personal data and pre-masked placeholders (``[NAME_1]``, ``[NIK]`` ...) become stable tokens
    such as ``__name__`` and ``__nik__`` that are never stemmed.

    Parameters
    ----------
    redact : bool, default=True
        Replace personal data with placeholders first (:func:`lapor_nlp.text.redact`).
    slang : bool, default=True
        Map slang and abbreviations to standard words (``yg`` -> ``yang``, ``jl`` -> ``jalan``).
    stopwords : bool, default=True
        Drop curated function words; negations and complaint words (``tidak``, ``belum``) are kept.
    stem : bool, default=True
        Sastrawi stemming with the exception table and place-name protection.
    numbers : bool, default=True
        Keep digit tokens (house numbers, RT/RW, dates); ``False`` drops them.

    Notes
    -----
    A scikit-learn estimator by its interface (``get_params``/``set_params``, ``fit``/``transform``,
    ``get_feature_names_out``, ``__sklearn_tags__``), so ``clone``, ``Pipeline`` and grid searches take
    it, without inheriting ``BaseEstimator``: importing :mod:`lapor_nlp.text` then loads neither
    scikit-learn nor numpy, scipy or pandas (about 1.5 s of CPU in a fresh process).

    Input: a list/array/Series of str. A bare ``str`` or a 2-D table raises
    :class:`~lapor_nlp.errors.InputError` (a ``ValueError``); ``None`` and NaN items give ``""``; other
    item types raise :class:`~lapor_nlp.errors.TextTypeError`. Empty or noise-only texts give ``""``.

    Examples
    --------
    >>> Preprocessor().fit_transform(["Lampu PJU di jln. Sukomanunggal matiii, tolonggg diperbaiki"])
    ['lampu pju jalan sukomanunggal mati tolong perbaiki']
    """

    def __init__(
        self,
        *,
        redact: bool = True,
        slang: bool = True,
        stopwords: bool = True,
        stem: bool = True,
        numbers: bool = True,
    ) -> None:
        self.redact = redact
        self.slang = slang
        self.stopwords = stopwords
        self.stem = stem
        self.numbers = numbers

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The switches, by name (``deep`` is accepted for scikit-learn; there are no sub-estimators)."""
        return {name: getattr(self, name) for name in _PARAMS}

    def set_params(self, **params: Any) -> Preprocessor:
        """Set switches by name; an unknown name raises ``ValueError`` listing the valid ones."""
        for name, value in params.items():
            if name not in _PARAMS:
                raise ValueError(
                    f"Invalid parameter {name!r} for Preprocessor; valid parameters: {sorted(_PARAMS)}"
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {name: True for name in _PARAMS}
        changed = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items() if v is not defaults[k])
        return f"Preprocessor({changed})"

    def fit(self, X: Iterable[str], y: object = None) -> Preprocessor:
        """Validate ``X`` and return self (nothing is learned)."""
        as_texts(X)
        return self

    def transform(self, X: Iterable[str]) -> list[str]:
        """Normalised token string of each text in ``X``."""
        texts = as_texts(X)
        cache, lookup = _token_mapper(
            bool(self.slang), bool(self.stopwords), bool(self.stem), bool(self.numbers)
        )
        known = cache.get
        out: list[str] = []
        for text in texts:
            if self.redact:
                text = _redact(text)
            words = list(map(known, tokens := raw_tokens(text)))  # one C-level pass for known tokens
            if None in words:
                words = [lookup(t) if w is None else w for t, w in zip(tokens, words, strict=True)]
            out.append(" ".join(filter(None, words)))
        return out

    def fit_transform(self, X: Iterable[str], y: object = None) -> list[str]:
        """Same as ``fit(X).transform(X)``."""
        return self.fit(X, y).transform(X)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """One text column in, one out (for ``Pipeline.get_feature_names_out``)."""
        import numpy as np  # noqa: PLC0415  (only scikit-learn calls this; keeps the import light)

        return np.asarray(["text"] if input_features is None else input_features, dtype=object)

    def __sklearn_tags__(self):  # type: ignore[no-untyped-def]
        """What ``BaseEstimator`` + ``TransformerMixin`` declare, plus: str input, 1-D, no fit needed."""
        from sklearn.utils import InputTags, Tags, TargetTags, TransformerTags  # noqa: PLC0415

        return Tags(
            estimator_type=None,
            target_tags=TargetTags(required=False),
            transformer_tags=TransformerTags(),
            input_tags=InputTags(string=True, two_d_array=False),
            requires_fit=False,
        )
