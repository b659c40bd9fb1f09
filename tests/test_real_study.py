"""The cross-validation plan and tables of experiments/real_study.py, on fake pooled predictions
(the experiments themselves need the imported data; docs/real-data.md gives the commands)."""

import runpy

import numpy as np
import pandas as pd
import pytest

from nextgenre import crossval
from nextgenre.registry import MODELS
from tests.conftest import ROOT

STUDY = runpy.run_path(str(ROOT / "experiments" / "real_study.py"), run_name="real_study")


def test_each_task_runs_once_per_fold_with_one_model_seed_and_one_partition():
    tasks = {t: STUDY["TASKS"][t] for t in ("real-6-class", "real-6-class-artist")}
    named = STUDY["fold_experiments"](tasks, 5, 42, {"data.raw": "data/raw/lastfm"})
    assert list(named) == [f"{t}-f{k}" for t in tasks for k in range(5)]
    for name, settings in named.items():
        task, fold = name.rsplit("-f", 1)
        assert settings["split.fold"] == int(fold) and settings["split.folds"] == 5
        assert settings["seed"] == 42 and settings["split.fold_seed"] == STUDY["FOLD_SEED"]
        assert settings["features.artist"] == task.endswith("-artist") and settings["features.classes"] == 6
    # the committed report's four tasks: 6 classes with the artists off and on, 4 and 3 without
    assert set(STUDY["TASKS"]) == {"real-6-class", "real-6-class-artist", "real-4-class", "real-3-class"}
    assert all(s["features.artist"] == t.endswith("-artist") for t, s in STUDY["TASKS"].items())


def fake_pooled(rng, hit_rates: dict) -> pd.DataFrame:
    n = 240
    y = rng.integers(0, 6, n)
    table = pd.DataFrame(
        {"fold": np.repeat(np.arange(4), 60), "target": np.arange(n), "user": np.repeat(np.arange(40), 6), "y_true": y}
    )
    for name in [*MODELS, "majority", "repeat_last", "user_top", "markov", "linear"]:
        table[name] = np.where(rng.random(n) < hit_rates.get(name, 0.3), y, (y + 1) % 6)
    return table


def test_tables_and_the_artist_effect_from_pooled_predictions():
    rng = np.random.default_rng(0)
    off = fake_pooled(rng, {"markov": 0.5})
    on = off.copy()  # the same samples; the self-attention model right far more often with artists
    on["sasrec"] = np.where(rng.random(len(on)) < 0.9, on.y_true, (on.y_true + 1) % 6)
    pooled = {"real-6-class": off, "real-6-class-artist": on.sample(frac=1, random_state=1)}
    summaries = {t: crossval.summary(p, list(MODELS), STUDY["BASELINES"], seed=0) for t, p in pooled.items()}
    accuracy = STUDY["_accuracy_table"](summaries)
    assert "| LSTM | GRU | SASRec | best baseline |" in accuracy.splitlines()[0]
    assert "| real-6-class | 240 (40) |" in accuracy
    margins = STUDY["_margin_table"](summaries)
    assert len(margins.splitlines()) == 2 + 2 * len(MODELS)
    effects = STUDY["artist_effects"](pooled, seed=0)
    assert list(effects) == ["real-6-class"]
    sasrec = effects["real-6-class"]["sasrec"]
    gain = crossval.correct(on, "sasrec").mean() - crossval.correct(off, "sasrec").mean()
    assert sasrec["margin"] == pytest.approx(gain) and sasrec["ci_low"] > 0
    assert "| real-6-class | SASRec | +" in STUDY["_artist_table"](effects)
    switches = STUDY["switches"](pooled)
    switch = off.y_true != off.repeat_last
    assert switches["real-6-class"]["switch_share"] == switch.mean()
    assert len(STUDY["_switch_table"](switches).splitlines()) == 4
