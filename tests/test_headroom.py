"""The report's known answers: the headroom share's formula and interval, and, on a tiny synthetic
run with the truth beside it, oracle >= ceiling >= repeat-last on the report's own test samples
(and the report stage writing them); real data has no truth."""

from __future__ import annotations

import json
import runpy
import shutil

import numpy as np
import pandas as pd
import pytest
import yaml

from nextgenre import baselines, headroom, report, stats
from nextgenre.metrics import detailed_scores
from nextgenre.processed import write_processed
from nextgenre.pseudonym import PUBLIC_KEY
from nextgenre.synthetic import write_raw, write_truth
from nextgenre.synthetic.truth import known_correct, read_truth, truth_rows
from tests.conftest import ROOT, set_params
from tests.test_planted_effects import _features, frames


def test_headroom_share_is_the_gain_over_the_best_baseline_per_learnable_point():
    users = np.repeat(np.arange(40), 10)
    best = np.tile(np.r_[np.ones(5), np.zeros(5)], 40).astype(bool)  # 0.5
    ceiling = best | np.tile(np.r_[np.zeros(5), np.ones(2), np.zeros(3)], 40).astype(bool)  # 0.7
    model = best | np.tile(np.r_[np.zeros(5), np.ones(1), np.zeros(4)], 40).astype(bool)  # 0.6
    got = headroom.headroom_share(model, best, ceiling, users, seed=0)
    assert got["headroom_share"] == pytest.approx(0.5)
    assert got["ci_low"] <= 0.5 <= got["ci_high"]
    assert headroom.headroom_share(ceiling, best, ceiling, users, 0)["headroom_share"] == pytest.approx(1)
    assert headroom.headroom_share(best, best, ceiling, users, 0)["headroom_share"] == pytest.approx(0)
    assert headroom.headroom_share(model, ceiling, best, users, 0)["headroom_share"] is None  # no headroom


def test_ratio_interval_with_unit_denominators_is_the_mean_interval():
    rng = np.random.default_rng(3)
    values, users = rng.random(300), rng.integers(0, 30, 300)
    assert stats.bootstrap_ratio_ci(values, np.ones(300), users, seed=5) == stats.bootstrap_mean_ci(
        values, users, seed=5
    )
    low, high = stats.bootstrap_ratio_ci(values, 2 * np.ones(300), users, seed=5)
    assert (low, high) == pytest.approx(tuple(x / 2 for x in stats.bootstrap_mean_ci(values, users, seed=5)))


def tiny_run(root, raw_name="synthetic", **effects):
    """A repository root with a tiny synthetic run: raw data and truth, interim sessions,
    processed data (random text vectors), baselines, and the models' predictions (LSTM: the
    Markov baseline's, GRU: repeat-last's), plus every other input of the report stage."""
    f = frames(0.02, **effects)
    raw = root / "data/raw" / raw_name
    write_raw(f, raw)
    write_truth(f, root / "data/truth")
    got, processed = _features(raw)
    (root / "data/interim").mkdir(parents=True)
    got.sessions.to_parquet(root / "data/interim/sessions.parquet", index=False)
    write_processed(root / "data/processed", processed)
    shutil.copytree(ROOT / "paper", root / "paper", ignore=shutil.ignore_patterns("*.txt", "*.pdf"))
    shutil.copy(ROOT / "params.yaml", root / "params.yaml")
    shutil.copy(ROOT / "dvc.yaml", root / "dvc.yaml")
    set_params(root / "params.yaml", {"features.stress": True, "data.raw": f"data/raw/{raw_name}"})
    base = baselines.predict_all(processed, seed=42)
    names = processed.classes
    (root / "data/predictions").mkdir(parents=True)
    base.to_parquet(root / "data/predictions/baselines.parquet", index=False)
    (root / report.BASELINE_SCORES).write_text(json.dumps(baselines.metrics(base, names)))
    for model, source in (("lstm", "markov"), ("gru", "repeat_last"), ("sasrec", "user_top")):
        pred = pd.DataFrame({"target": base["target"], "y_true": base["y_true"], "y_pred": base[source]})
        for i, c in enumerate(names):
            pred[f"p_{c}"] = (pred["y_pred"] == i).astype(np.float32)
        pred.to_parquet(root / f"data/predictions/{model}.parquet", index=False)
        m = detailed_scores(base["y_true"].to_numpy(), base[source].to_numpy(), names)
        (root / report.MODEL_SCORES.format(model)).write_text(json.dumps(m))
    (root / "data/embeddings").mkdir(parents=True)
    (root / report.EMBED_SUMMARY).write_text(json.dumps({"encoder": "random", "dim": 8}))
    return root, base


def test_oracle_at_least_ceiling_at_least_repeat_last_on_the_report_test_samples(tmp_path):
    root, base = tiny_run(tmp_path, memory_effect=0.6)
    params = yaml.safe_load((root / "params.yaml").read_text())
    truth = headroom.truth_correct(root, params, base["target"].to_numpy(), base["y_true"].to_numpy())
    repeat_last = (base["repeat_last"] == base["y_true"]).mean()
    assert len(truth["oracle"]) == len(base) > 100
    assert truth["oracle"].mean() >= truth["ceiling"].mean() - 0.01
    assert truth["ceiling"].mean() >= repeat_last + 0.02  # the planted memory is learnable
    # The truth's own repeat-last is the baseline's on the same samples (up to unmapped history).
    assert truth["repeat_last"].mean() == pytest.approx(repeat_last, abs=0.02)


def test_the_ceiling_sees_the_mood_only_where_the_stress_input_shows_it(tmp_path):
    root, base = tiny_run(tmp_path, mood_effect=0.8)
    params = yaml.safe_load((root / "params.yaml").read_text())
    truth = read_truth(root / "data/truth")
    sessions = pd.read_parquet(root / "data/interim/sessions.parquet")
    key = PUBLIC_KEY.encode()
    every = truth_rows(truth, sessions, np.arange(len(sessions)), key)
    visible = headroom.stress_visible(truth, sessions, every, 30, "zero")
    has_tweet = truth.sessions["bucket"].to_numpy() < 1
    mood = truth.sessions["mood"].to_numpy() > 0
    # Shown: a tweet in the window that scores above "no stress"; mostly mood sessions, and not
    # every mood session (some of their tweets score as unstressed).
    assert visible.sum() > 20 and not (visible & ~has_tweet).any()
    assert mood[visible].mean() > 0.8 and visible[mood].mean() < has_tweet[mood].mean()
    assert (headroom.stress_visible(truth, sessions, every, 30, "drop") == has_tweet).all()
    # The report's ceiling (stress on) lies between the one blind to stress and the looser one
    # that reads the mood behind every tweet.
    targets = base["target"].to_numpy()
    shown = headroom.truth_correct(root, params, targets, base["y_true"].to_numpy())["ceiling"].mean()
    rows = truth_rows(truth, sessions, targets, key)
    window = params["features"]["history"]  # the report's ceiling sees the models' window
    every_tweet = known_correct(truth, rows, window=window)["ceiling"].mean()
    blind = known_correct(truth, rows, stress=False, window=window)["ceiling"].mean()
    assert blind < shown < every_tweet, (blind, shown, every_tweet)


def test_the_report_ceiling_sees_the_models_window_only(tmp_path):
    root, base = tiny_run(tmp_path, memory_effect=0.6)
    params = yaml.safe_load((root / "params.yaml").read_text())
    targets, y_true = base["target"].to_numpy(), base["y_true"].to_numpy()
    whole = headroom.truth_correct(root, params, targets, y_true, whole_history=True)
    assert whole["window"] is None
    params["features"]["history"] = 1  # one session back: the planted memory (two back) is out of sight
    seen = headroom.truth_correct(root, params, targets, y_true)
    assert seen["window"] == 1
    assert np.array_equal(seen["oracle"], whole["oracle"])
    assert seen["ceiling"].mean() < whole["ceiling"].mean() - 0.05
    # One session back is what repeat-last and a first-order chain see: no more than that chain.
    assert seen["ceiling"].mean() <= whole["repeat_last"].mean() + 0.02


def test_report_stage_writes_the_known_answers(tmp_path, monkeypatch):
    root, base = tiny_run(tmp_path, memory_effect=0.6)
    monkeypatch.chdir(root)
    runpy.run_path(str(ROOT / "stages" / "report.py"), run_name="stage")["main"]()
    c = json.loads((root / "reports/comparison.json").read_text())
    k = c["known_answers"]
    assert k["truth"] is True and k["best_baseline"] == c["best_baseline"]["name"]
    assert k["ceiling_window"] == yaml.safe_load((root / "params.yaml").read_text())["features"]["history"]
    assert k["oracle"]["accuracy"] >= k["ceiling"]["accuracy"] - 0.01
    assert k["headroom"]["accuracy"] == pytest.approx(
        k["ceiling"]["accuracy"] - c["best_baseline"]["accuracy"], abs=1e-5
    )
    for model in ("lstm", "gru", "sasrec"):
        m = k["models"][model]
        expected = (c["models"][model]["accuracy"] - c["best_baseline"]["accuracy"]) / k["headroom"]["accuracy"]
        assert m["headroom_share"] == pytest.approx(expected, abs=1e-5)  # JSON keeps 6 digits
        assert m["ci_low"] <= m["headroom_share"] <= m["ci_high"]
    assert "## Known answers" in (root / "reports/comparison.md").read_text()


def test_real_data_has_no_truth(tmp_path, monkeypatch):
    root, base = tiny_run(tmp_path, raw_name="mine")
    monkeypatch.chdir(root)
    monkeypatch.setenv("NEXTGENRE_PSEUDONYM_KEY", PUBLIC_KEY)
    runpy.run_path(str(ROOT / "stages" / "report.py"), run_name="stage")["main"]()
    c = json.loads((root / "reports/comparison.json").read_text())
    assert c["known_answers"] == {"truth": False, "note": headroom.NO_TRUTH}
    assert "No truth: real data has no known answers" in (root / "reports/comparison.md").read_text()


def test_truth_of_another_run_is_refused(tmp_path):
    root, base = tiny_run(tmp_path, memory_effect=0.6)
    params = yaml.safe_load((root / "params.yaml").read_text())
    write_truth(frames(0.02, memory_effect=0.3), root / "data/truth")
    with pytest.raises(Exception, match="data/truth/sessions.csv"):
        headroom.truth_correct(root, params, base["target"].to_numpy(), base["y_true"].to_numpy())
