"""The duplicate scorer matches its features by name, never by position."""

from __future__ import annotations

import numpy as np
import pytest

from lapor_nlp.duplicates.scorer import FEATURE_NAMES, Scorer, default_scorer, feature_matrix
from lapor_nlp.errors import ModelIntegrityError

RNG = np.random.default_rng(0)
COLUMNS = {name: RNG.normal(size=6) for name in FEATURE_NAMES}


def test_scorer_stored_in_another_feature_order_is_read_by_name() -> None:
    scorer = default_scorer()
    data = scorer.to_dict()
    order = list(reversed(range(len(FEATURE_NAMES))))
    shuffled = dict(data, **{k: [data[k][i] for i in order] for k in ("features", "mean", "scale", "coef")})
    assert shuffled["features"] != data["features"]
    again = Scorer.from_dict(shuffled)
    assert again == scorer
    assert again.weights["log_gap_days"] == scorer.weights["log_gap_days"]
    np.testing.assert_array_equal(again.predict_proba(COLUMNS), scorer.predict_proba(COLUMNS))


@pytest.mark.parametrize(
    ("features", "message"),
    [
        ([*FEATURE_NAMES[:-1], "days_apart"], r"missing \['shared_content'\], unknown \['days_apart'\]"),
        ([*FEATURE_NAMES[:-1], FEATURE_NAMES[0]], "once"),
    ],
    ids=["renamed", "repeated"],
)
def test_scorer_with_other_features_is_refused(features: list[str], message: str) -> None:
    data = dict(default_scorer().to_dict(), features=features)
    with pytest.raises(ModelIntegrityError, match=message):
        Scorer.from_dict(data)


def test_feature_matrix_follows_feature_names_whatever_the_dict_order() -> None:
    backwards = dict(reversed(list(COLUMNS.items())))
    X = feature_matrix(backwards)
    assert X.shape == (6, len(FEATURE_NAMES))
    for j, name in enumerate(FEATURE_NAMES):
        np.testing.assert_array_equal(X[:, j], COLUMNS[name])
    scorer = default_scorer()
    np.testing.assert_array_equal(scorer.predict_proba(backwards), scorer.predict_proba(X))
    with pytest.raises(ModelIntegrityError, match=r"missing \['similarity'\]"):
        feature_matrix({k: v for k, v in COLUMNS.items() if k != "similarity"})
