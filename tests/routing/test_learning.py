"""Time-aware training, settings chosen by validation, config files, retrain with a promotion verdict."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from lapor_nlp.cli import main
from lapor_nlp.errors import DataFormatError, InputError
from lapor_nlp.routing import PromotionVerdict, Router, TrainingConfig, load_config, retrain
from lapor_nlp.routing.recency import recency_weights
from lapor_nlp.routing.retrain import judge, merge_feedback
from lapor_nlp.routing.selection import select_setting

from .conftest import make_complaints

# -- recency weights -----------------------------------------------------------------------------------


def test_recency_weights_halve_per_half_life() -> None:
    t = np.array(["2022-01-01", "2022-03-02", "2022-05-01"], dtype="datetime64[s]")  # 0, 60, 120 days
    w = recency_weights(t, 60.0)
    assert w is not None
    assert w[1] / w[2] == pytest.approx(0.5, rel=1e-3)  # 59 days: about one half-life
    assert w[0] / w[2] == pytest.approx(0.5 ** (120 / 60), rel=1e-2)
    assert w.mean() == pytest.approx(1.0)


def test_recency_weights_none_and_reference() -> None:
    t = np.array(["2022-01-01", "2022-01-11"], dtype="datetime64[s]")
    assert recency_weights(t, None) is None
    w = recency_weights(t, 10.0, reference=np.datetime64("2022-01-21"))
    assert w is not None and w[1] / w[0] == pytest.approx(2.0)
    with pytest.raises(ValueError, match="positive"):
        recency_weights(t, 0.0)


# -- config --------------------------------------------------------------------------------------------


def test_config_unknown_key_lists_valid_keys() -> None:
    with pytest.raises(InputError, match="unknown training setting.*'Cee'.*valid keys.*class_weight"):
        TrainingConfig.from_mapping({"Cee": 1.0})


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ({"C": -1}, "'C' must be positive"),
        ({"C": "lots"}, "'C': cannot use"),
        ({"class_weight": "heavy"}, "'class_weight': cannot use"),
        ({"half_life_days": [0, "none"]}, "'half_life_days' must be"),
        ({"target_precision": 1.5}, "'target_precision' must be"),
        ({"folds": 2.5}, "'folds': cannot use"),
        ({"selection_folds": 5}, "'selection_folds' must be 1 .. 4"),
        ({"selection_metric": "auc"}, "'selection_metric' must be"),
        ({"coverage_floor": 1.5}, "'coverage_floor' must be a number in \\[0, 1\\]"),
        ({"n_jobs": 0}, "'n_jobs' must be an integer >= 1"),
    ],
)
def test_config_bad_values_are_refused(values: dict[str, object], match: str) -> None:
    with pytest.raises(InputError, match=match):
        TrainingConfig.from_mapping(values)


def test_config_files_json_and_toml(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('C = [0.5, 2]\nclass_weight = "balanced"\nhalf_life_days = "none"\n')
    cfg = load_config(tmp_path / "a.toml")
    assert (cfg.C, cfg.class_weight, cfg.half_life_days) == ((0.5, 2.0), ("balanced",), (None,))
    (tmp_path / "b.json").write_text(json.dumps(cfg.to_dict()))
    assert load_config(tmp_path / "b.json") == cfg  # to_dict round-trips
    (tmp_path / "c.json").write_text("{not json")
    with pytest.raises(DataFormatError, match="not valid JSON"):
        load_config(tmp_path / "c.json")
    (tmp_path / "d.yaml").write_text("C: 1")
    with pytest.raises(InputError, match="expected a .json or .toml"):
        load_config(tmp_path / "d.yaml")


# -- selection -----------------------------------------------------------------------------------------


def _blobs(n: int, seed: int = 0) -> tuple[sp.csr_matrix, np.ndarray]:
    """Three well separated classes, one feature block each, plus noise features."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    X = rng.random((n, 30)) * 0.2
    for c in range(3):
        X[y == c, c * 5 : c * 5 + 5] += 1.0
    return sp.csr_matrix(X), y


def test_selection_picks_regularisation_that_fits() -> None:
    # 60/20/20 classes, a weak class signal and a feature every row has: a tiny C only learns the majority
    rng = np.random.default_rng(0)
    y = np.where(np.arange(200) % 10 < 6, 0, np.where(np.arange(200) % 10 < 8, 1, 2))
    dense = rng.random((200, 30)) * 0.2
    dense[:, 29] = 1.0
    for c in range(3):
        dense[y == c, c * 5 : c * 5 + 5] += 0.3
    X = sp.csr_matrix(dense)
    cfg = TrainingConfig(C=(1e-4, 1.0), class_weight=(None,), half_life_days=(None,))
    sel = select_setting(X, y, cfg, times=None)
    assert sel.setting.C == 1.0
    assert len(sel.scores) == 2 and sel.scores[1]["mean"] > sel.scores[0]["mean"]


def test_selection_picks_short_half_life_when_labels_change() -> None:
    X, y = _blobs(200)
    later = np.arange(200) >= 80  # from fold 3 of 5 on, class 0 and 1 swap: the old rows mislead
    y = np.where(later & (y < 2), 1 - y, y)
    times = np.datetime64("2022-01-01", "s") + np.arange(200) * np.timedelta64(1, "D")
    cfg = TrainingConfig(C=(1.0,), class_weight=(None,), half_life_days=(None, 5.0))
    sel = select_setting(X, y, cfg, times=times)
    assert sel.setting.half_life_days == 5.0
    assert set(sel.fold_scores) == {3, 4}  # the latest two forward-chained folds, kept for reuse


def test_router_train_records_time_column_and_choices(complaints: pd.DataFrame) -> None:
    router = Router.train(
        complaints,
        text="text",
        targets=["topic"],
        progress=False,
        config={"C": [0.3, 1.0], "class_weight": "none", "half_life_days": ["none", 90]},
    )
    meta = router.metadata
    assert meta["time_column"] == "submitted_at"
    assert meta["training_config"]["C"] == [0.3, 1.0]
    chosen = meta["chosen_settings"]["topic"]["chosen"]
    assert chosen["C"] in (0.3, 1.0) and chosen["class_weight"] == "none"
    assert meta["data"]["date_range"]["column"] == "submitted_at"
    plain = Router.train(complaints, text="text", targets=["topic"], progress=False, time_column=None)
    assert plain.metadata["time_column"] is None
    assert {t["half_life_days"] for t in plain.metadata["chosen_settings"]["topic"]["tried"]} == {"none"}


def test_router_train_settings_of_reuses_each_targets_choice(complaints: pd.DataFrame) -> None:
    grid = {"C": [0.3, 1.0], "class_weight": ["none", "balanced"], "half_life_days": "none"}
    args = {"text": "text", "targets": ["topic", "agency"], "progress": False}
    champion = Router.train(complaints, config=grid, **args)
    again = Router.train(complaints, config=grid, settings_of=champion, **args)
    for target in ("topic", "agency"):
        chosen = champion.metadata["chosen_settings"][target]["chosen"]
        reused = again.metadata["chosen_settings"][target]
        assert reused["chosen"] == chosen
        assert len(reused["tried"]) == 1  # no search: only the chosen point was scored
        fixed = {**grid, "C": chosen["C"], "class_weight": chosen["class_weight"]}
        alone = Router.train(complaints, config=fixed, **{**args, "targets": [target]})
        # liblinear's solvers share one random state across threads: equal up to the solver's tolerance
        a, b = again.classifiers[target], alone.classifiers[target]
        assert np.allclose(a.coef_.toarray(), b.coef_.toarray(), atol=1e-4)
        assert a.temperature_ == pytest.approx(b.temperature_, rel=1e-3)


def test_threads_give_the_serial_results(complaints: pd.DataFrame) -> None:
    grid = {"C": [0.3, 1.0], "class_weight": ["none", "balanced"], "half_life_days": ["none", 30]}
    args = {"text": "text", "targets": ["topic", "agency"], "progress": False}
    serial = Router.train(complaints, config={**grid, "n_jobs": 1}, **args)
    threaded = Router.train(complaints, config={**grid, "n_jobs": 2}, **args)
    assert TrainingConfig().threads >= 1 and serial.metadata["training_config"]["n_jobs"] == 1
    for target in ("topic", "agency"):
        s, t = serial.metadata["chosen_settings"][target], threaded.metadata["chosen_settings"][target]
        assert s["chosen"] == t["chosen"]
        assert [p["mean"] for p in s["tried"]] == pytest.approx([p["mean"] for p in t["tried"]], abs=0.01)
        a, b = serial.classifiers[target], threaded.classifiers[target]
        assert a.n_jobs == 1 and b.n_jobs == 2
        assert np.allclose(a.coef_.toarray(), b.coef_.toarray(), atol=1e-4)
    texts = complaints.text.head(40).tolist()
    same = [
        x["agency"].label == y["agency"].label
        for x, y in zip(serial.predict(texts), threaded.predict(texts), strict=True)
    ]
    assert all(same)


def test_router_train_explicit_time_column_must_parse(complaints: pd.DataFrame) -> None:
    with pytest.raises(DataFormatError, match="time column 'topic'"):
        Router.train(complaints, text="text", targets=["agency"], time_column="topic", progress=False)


# -- retrain -------------------------------------------------------------------------------------------

FIGS = {"n": 100, "top1_accuracy": 0.80, "top3_accuracy": 0.9, "auto_n": 40, "auto_share": 0.4}


def test_judge_rule() -> None:
    champ = {"agency": {**FIGS, "auto_precision": 0.96}}
    better = {"agency": {**FIGS, "top1_accuracy": 0.85, "auto_precision": 0.97}}
    worse = {"agency": {**FIGS, "top1_accuracy": 0.75, "auto_precision": 0.97}}
    sloppy = {"agency": {**FIGS, "top1_accuracy": 0.85, "auto_precision": 0.90}}
    assert judge(champ, better, target_precision=0.95, n_window=100)[0]
    assert not judge(champ, worse, target_precision=0.95, n_window=100)[0]
    assert "auto precision" in judge(champ, sloppy, target_precision=0.95, n_window=100)[1]
    assert not judge(champ, better, target_precision=0.95, n_window=10)[0]


def test_merge_feedback_dedupes_by_id_feedback_wins() -> None:
    base = pd.DataFrame(
        {"id": ["1", "2"], "text": ["a", "b"], "submitted_at": ["2022-01-01"] * 2, "agency": ["X", "Y"]}
    )
    fb = pd.DataFrame(
        {"id": ["2", "3"], "text": ["b", "c"], "submitted_at": ["2022-02-01"] * 2, "agency": ["Z", "W"],
         "flagged": ["", "unknown_agency"], "outcome": ["overridden", "accepted"]}
    )  # fmt: skip
    merged = merge_feedback(base, fb, text="text", targets=["agency"], location=[], time="submitted_at")
    assert merged.set_index("id").agency.to_dict() == {"1": "X", "2": "Z", "3": ""}
    assert "outcome" not in merged.columns


def _feedback(good: pd.DataFrame, start: str = "2023-01-01", days: int = 56) -> pd.DataFrame:
    """The corpus again as reviewed feedback: new ids, spread over ``days`` days after ``start``."""
    n = len(good)
    stamps = pd.Timestamp(start) + pd.to_timedelta(np.linspace(0, days, n), unit="D")
    return good.assign(
        id=[f"fb-{i}" for i in range(n)], submitted_at=stamps.astype(str), outcome="accepted", flagged=""
    )


def _shuffled_labels(df: pd.DataFrame, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return df.assign(agency=rng.permutation(df.agency.to_numpy()), topic=rng.permutation(df.topic.to_numpy()))


FAST = {"C": [0.3], "class_weight": "none", "half_life_days": "none", "min_auto_count": 5}


@pytest.mark.slow
@pytest.mark.parametrize("candidate_is_better", [True, False])
def test_retrain_verdict_promotes_better_and_rejects_worse(tmp_path: Path, candidate_is_better: bool) -> None:
    good = make_complaints()
    bad = _shuffled_labels(good, 1)
    args = {"text": "text", "targets": ["topic", "agency"], "location": ["kecamatan", "kelurahan"]}
    champion = Router.train(bad if candidate_is_better else good, progress=False, config=FAST, **args)
    champion.save(tmp_path / "champion")
    base = good if candidate_is_better else pd.concat([_shuffled_labels(good, s) for s in (2, 3, 4)])
    feedback = _feedback(good)
    verdict = retrain(tmp_path / "champion", base, feedback, tmp_path / "candidate", config=FAST)
    assert isinstance(verdict, PromotionVerdict)
    assert verdict.promote is candidate_is_better, verdict.reason
    assert verdict.window["n"] >= 30
    written = json.loads((tmp_path / "candidate" / "promotion.json").read_text())
    assert set(written) >= {"promote", "reason", "window", "champion", "candidate", "rule"}
    assert set(written["window"]) >= {"start", "end", "n"}
    assert written["promote"] is candidate_is_better
    loaded = Router.load(tmp_path / "candidate")
    assert loaded.metadata["promotion"]["promote"] is candidate_is_better
    if candidate_is_better:  # promoted: refit with the window, so it has more rows than the judged one
        assert loaded.metadata["data"]["n_rows"] == len(good) + len(feedback)


@pytest.mark.slow
def test_cli_retrain_end_to_end(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    good = make_complaints()
    good.to_csv(tmp_path / "base.csv", index=False)
    (tmp_path / "fast.json").write_text(json.dumps(FAST))
    common = ["--text-column", "text", "--target", "topic", "--target", "agency"]
    assert main(["train", str(tmp_path / "base.csv"), *common, "--config", str(tmp_path / "fast.json"),
                 "--out", str(tmp_path / "champion"), "--quiet"]) == 0  # fmt: skip
    _feedback(good).to_csv(tmp_path / "feedback.csv", index=False)
    base, feedback = str(tmp_path / "base.csv"), str(tmp_path / "feedback.csv")
    code = main(["retrain", "--base", base, "--feedback", feedback,
                 "--out", str(tmp_path / "candidate"), "--model", str(tmp_path / "champion")])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "PROMOTE" in out or "KEEP CHAMPION" in out
    verdict = json.loads((tmp_path / "candidate" / "promotion.json").read_text())
    assert verdict["window"]["n"] > 0 and set(verdict["champion"]) == {"topic", "agency"}
    code = main(["retrain", "--base", str(tmp_path / "base.csv"), "--out", str(tmp_path / "x"),
                 "--model", str(tmp_path / "champion")])  # fmt: skip
    assert code == 2 and "--feedback" in capsys.readouterr().err


def test_model_card_shows_chosen_settings(complaints: pd.DataFrame) -> None:
    from lapor_nlp.routing.model_card import render_model_card

    router = Router.train(complaints, text="text", targets=["topic"], progress=False, config=FAST)
    card = render_model_card(router.metadata)
    assert "## Settings chosen by validation" in card
    assert "`submitted_at`" in card and "- `topic`: C=0.3, class_weight=none, half_life_days=none" in card
    assert "keeping at least 0.5 of the coverage at the target precision" in card
    tried = router.metadata["chosen_settings"]["topic"]["tried"][0]
    assert 0.0 <= tried["coverage"] <= 1.0 and f"(coverage {tried['coverage']})" in card


def test_retrain_reuses_the_champions_choice_per_target(tmp_path: Path) -> None:
    good = make_complaints()
    feedback = _feedback(good)
    feedback["submitted_at"] = pd.to_datetime(feedback.submitted_at).dt.floor("s").astype(str)
    grid = {**FAST, "C": [0.3, 1.0], "class_weight": ["none", "balanced"]}
    args = {"text": "text", "targets": ["topic", "agency"], "location": ["kecamatan", "kelurahan"]}
    champion = Router.train(good, progress=False, config=grid, **args)
    champion.save(tmp_path / "champion")
    verdict = retrain(tmp_path / "champion", good, feedback, tmp_path / "candidate")
    candidate = Router.load(tmp_path / "candidate").metadata["chosen_settings"]
    for target in ("topic", "agency"):
        assert candidate[target]["chosen"] == champion.metadata["chosen_settings"][target]["chosen"]
        assert len(candidate[target]["tried"]) == 1  # no grid search in the retrain
        assert verdict.settings["chosen"][target] == candidate[target]["chosen"]
    retrain(tmp_path / "champion", good, feedback, tmp_path / "reopened", config=grid)
    reopened = Router.load(tmp_path / "reopened").metadata["chosen_settings"]
    assert all(len(reopened[t]["tried"]) > 1 for t in ("topic", "agency"))  # config re-opens the search


@pytest.mark.slow
def test_retrain_refresh_keeps_features_settings_and_thresholds(tmp_path: Path) -> None:
    good = make_complaints()
    args = {"text": "text", "targets": ["topic", "agency"], "location": ["kecamatan", "kelurahan"]}
    champion = Router.train(good, progress=False, config=FAST, **args)
    champion.save(tmp_path / "champion")
    feedback = _feedback(good)
    feedback["text"] = feedback["text"] + " jembatan ambrol"  # words the champion never saw
    verdict = retrain(tmp_path / "champion", good, feedback, tmp_path / "fresh", refresh=True)
    assert verdict.settings["mode"] == "refresh" and verdict.promote, verdict.reason
    fresh = Router.load(tmp_path / "fresh")
    assert fresh.metadata["data"]["n_rows"] == len(good) + len(feedback)  # the weights saw the new rows
    assert list(fresh.featurizer.word_vocabulary_) == list(champion.featurizer.word_vocabulary_)
    assert "ambrol" not in set(fresh.featurizer.word_vocabulary_)  # new words wait for a full retrain
    for target in ("topic", "agency"):
        assert fresh.thresholds[target] == champion.thresholds[target]
        assert fresh.classifiers[target].temperature_ == champion.classifiers[target].temperature_
        assert (
            fresh.metadata["chosen_settings"][target]["chosen"]
            == (champion.metadata["chosen_settings"][target]["chosen"])
        )
        changed = fresh.classifiers[target].coef_ != champion.classifiers[target].coef_
        assert changed.nnz > 0  # refit, not copied
    full = retrain(tmp_path / "champion", good, feedback, tmp_path / "full")
    assert full.settings["mode"] == "full"
    assert "ambrol" in set(Router.load(tmp_path / "full").featurizer.word_vocabulary_)
    with pytest.raises(InputError, match="refresh"):
        retrain(tmp_path / "champion", good, feedback, tmp_path / "x", refresh=True, config=FAST)


@pytest.mark.slow
def test_retrain_window_leaves_out_what_the_champion_trained_on(tmp_path: Path) -> None:
    good = make_complaints()
    feedback = _feedback(good)
    times = pd.to_datetime(feedback.submitted_at)
    learned = feedback[times < times.max() - pd.Timedelta(days=10)]  # e.g. by last week's refresh
    args = {"text": "text", "targets": ["agency"], "location": ["kecamatan", "kelurahan"]}
    Router.train(pd.concat([good, learned]), progress=False, config=FAST, **args).save(tmp_path / "champion")
    verdict = retrain(tmp_path / "champion", good, feedback, tmp_path / "candidate", window_days=28)
    unseen = len(feedback) - len(learned)
    assert verdict.window["n"] == unseen  # not the 28 days: the champion knows all but the last 10
    newest = pd.to_datetime(learned.submitted_at).max().floor("s")  # times are read to the second
    assert pd.Timestamp(verdict.window["champion_trained_until"]) == newest


def _designed_fold_scores(monkeypatch: pytest.MonkeyPatch) -> np.ndarray:
    """Fold models whose decision values depend only on C: C=1.0 is right more often but never sure,
    C=0.3 is right less often but very sure of the rows it gets right. Returns the labels (2 classes)."""
    from lapor_nlp.routing.classifier import CalibratedLinearClassifier

    y = np.arange(200) % 2

    def fold_scores(self, X, y_index, train, test, sample_weight=None):  # type: ignore[no-untyped-def]
        truth = y_index[test]
        n = len(test)
        if self.C == 1.0:  # 80% right, margins all alike: no confident subset
            right = np.arange(n) % 5 != 0
            margin = np.full(n, 0.2)
        else:  # 70% right; the right ones with large margins, the wrong ones with small
            right = np.arange(n) % 10 < 7
            margin = np.where(right, 5.0, 0.1)
        pred = np.where(right, truth, 1 - truth)
        scores = np.zeros((n, 2))
        scores[np.arange(n), pred] = margin
        return np.array([0, 1]), scores

    monkeypatch.setattr(CalibratedLinearClassifier, "fold_scores", fold_scores)
    return y


@pytest.mark.parametrize(("floor", "expected"), [(0.5, 0.3), (0.0, 1.0)])
def test_selection_keeps_coverage_at_the_target_precision(
    monkeypatch: pytest.MonkeyPatch, floor: float, expected: float
) -> None:
    y = _designed_fold_scores(monkeypatch)
    X = sp.csr_matrix(np.ones((200, 1)))
    cfg = TrainingConfig(C=(0.3, 1.0), class_weight=(None,), half_life_days=(None,), coverage_floor=floor)
    sel = select_setting(X, y, cfg, times=np.datetime64("2022-01-01", "s") + np.arange(200))
    by_c = {t["C"]: t for t in sel.scores}
    assert by_c[1.0]["mean"] > by_c[0.3]["mean"] + 0.05  # C=1.0 scores better ...
    assert by_c[0.3]["coverage"] > 0.5 and by_c[1.0]["coverage"] == 0.0  # ... but routes nothing auto
    chosen = sel.setting.C
    assert chosen == expected


def test_fold_confidence_counts_unknown_classes_as_wrong() -> None:
    from lapor_nlp.routing.selection import fold_confidence

    present = np.array([0, 2])  # class 1 absent from the fold's training rows
    scores = np.array([[3.0, -3.0], [-3.0, 3.0], [3.0, -3.0]])
    top, right = fold_confidence(present, scores, np.array([0, 2, 1]))
    assert right.tolist() == [True, True, False]
    assert np.all((top > 0.5) & (top <= 1.0))
    assert top[0] == pytest.approx(top[1])


def test_train_warns_when_a_target_can_never_be_auto(complaints: pd.DataFrame) -> None:
    from lapor_nlp.routing import NoAutoWarning

    with pytest.warns(
        NoAutoWarning,
        match=r"topic: no class reached the target precision 0.999 \(with a drift margin of 0.3\).*"
        r"Try class_weight = balanced, a lower drift_margin",
    ):
        router = Router.train(
            complaints,
            text="text",
            targets=["topic"],
            progress=False,
            config={**FAST, "target_precision": 0.999},
        )
    assert all(t is None for t in router.thresholds["topic"].values())
    # both weightings were tried by the selection: no point suggesting the other one
    with pytest.warns(NoAutoWarning, match=r"review \(.*\)\. Try a lower drift_margin") as caught:
        Router.train(
            complaints,
            text="text",
            targets=["topic"],
            progress=False,
            config={**FAST, "class_weight": ["none", "balanced"], "target_precision": 0.999},
        )
    assert not any("class_weight =" in str(w.message) for w in caught)
