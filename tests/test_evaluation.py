import hashlib
import json
import runpy
import shutil
import sys

import numpy as np
import pandas as pd
import pytest

from dvclive import Live
from nextgenre.evaluation import attention_by_lag, confusion_counts
from nextgenre.metrics import detailed_scores
from tests.conftest import ROOT, set_params
from tests.fake_pipeline_data import write_fake_pipeline_data


def test_score_on_a_known_case():
    y_true = [0, 0, 1, 1, 2, 2]
    y_pred = [0, 1, 1, 1, 2, 0]
    m = detailed_scores(y_true, y_pred, ["a", "b", "c", "d"])
    assert m["accuracy"] == pytest.approx(4 / 6)
    pc = m["per_class"]
    assert (pc["a"]["precision"], pc["a"]["recall"], pc["a"]["f1"]) == pytest.approx((0.5, 0.5, 0.5))
    assert (pc["b"]["precision"], pc["b"]["recall"], pc["b"]["f1"]) == pytest.approx((2 / 3, 1, 0.8))
    assert (pc["c"]["precision"], pc["c"]["recall"], pc["c"]["f1"]) == pytest.approx((1, 0.5, 2 / 3))
    assert pc["d"] == {"precision": 0, "recall": 0, "f1": 0, "support": 0}
    assert [pc[c]["support"] for c in "abc"] == [2, 2, 2]
    # Macro over all classes of the scheme (an absent class counts as 0), balanced over present ones.
    assert m["macro_f1"] == pytest.approx((0.5 + 0.8 + 2 / 3 + 0) / 4)
    assert m["balanced_accuracy"] == pytest.approx((0.5 + 1 + 0.5) / 3)
    assert m["n_test"] == 6 and m["classes"] == ["a", "b", "c", "d"]


def test_attention_by_lag_and_confusion_counts():
    attention = np.array([[0, 0.25, 0.75], [0.2, 0.3, 0.5]])
    real = np.array([[False, True, True], [True, True, True]])
    by_lag = attention_by_lag(attention, real)
    assert by_lag.sessions_back.tolist() == [1, 2, 3]
    assert np.allclose(by_lag.mean_weight, [0.625, 0.275, 0.2]) and by_lag.samples.tolist() == [2, 2, 1]
    # Every pair of the scheme, in its order, zero included: "y" has no test sample and is kept.
    frame = pd.DataFrame({"y_true": [0, 2, 2], "y_pred": [1, 2, 2]})
    counts = confusion_counts(frame, ["x", "y", "z"])
    assert counts.actual.tolist() == ["x"] * 3 + ["y"] * 3 + ["z"] * 3
    assert counts.predicted.tolist() == ["x", "y", "z"] * 3
    assert counts.samples.tolist() == [0, 1, 0, 0, 0, 0, 0, 0, 2]


def run_stage_script(name, *args, monkeypatch):
    monkeypatch.setattr(sys, "argv", [name, *args])
    runpy.run_path(str(ROOT / "stages" / f"{name}.py"), run_name="stage")["main"]()


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_stages_features_train_evaluate_on_fake_data(tmp_path, monkeypatch):
    write_fake_pipeline_data(tmp_path, n_users=24, sessions_per_user=10, dim=8)
    shutil.copy(ROOT / "params.yaml", tmp_path / "params.yaml")
    shutil.copy(ROOT / "dvc.yaml", tmp_path / "dvc.yaml")
    set_params(
        tmp_path / "params.yaml",
        {
            "features.history": 4,
            "model.units": 8,
            "model.dense": [8],
            "model.attention": True,
            "train.epochs": 2,
            "train.batch_size": 32,
        },
    )
    monkeypatch.chdir(tmp_path)
    run_stage_script("features", monkeypatch=monkeypatch)
    live_files = []  # what the final dvclive folder holds after each epoch, while training runs

    def next_step(live):
        original_next_step(live)
        live_files.append((live.dir, sorted(p.relative_to(final).as_posix() for p in final.rglob("*") if p.is_file())))

    final, original_next_step = tmp_path / "dvclive/train/lstm", Live.next_step
    monkeypatch.setattr(Live, "next_step", next_step)
    run_stage_script("train", "lstm", monkeypatch=monkeypatch)
    run_stage_script("evaluate", "lstm", monkeypatch=monkeypatch)

    samples = pd.read_parquet("data/processed/samples.parquet")
    test = samples[samples.split == "test"]
    metrics = json.loads((tmp_path / "data/predictions/lstm.json").read_text())
    assert set(metrics) == {"accuracy", "macro_f1", "balanced_accuracy", "per_class", "n_test", "classes"}
    assert metrics["n_test"] == len(test)
    pred = pd.read_parquet("data/predictions/lstm.parquet")
    assert pred.target.tolist() == test.target.tolist() and pred.y_true.tolist() == test.label.tolist()
    p_cols = [f"p_{c}" for c in metrics["classes"]]
    assert list(pred.columns) == ["target", "y_true", "y_pred", *p_cols]
    assert np.allclose(pred[p_cols].sum(axis=1), 1, atol=1e-4)
    assert metrics["accuracy"] == pytest.approx((pred.y_true == pred.y_pred).mean(), abs=1e-6)
    confusion = pd.read_csv("plots/lstm/confusion.csv")
    assert len(confusion) == len(metrics["classes"]) ** 2 and confusion.samples.sum() == len(test)
    for image in ("confusion", "tsne", "attention"):
        assert (tmp_path / f"plots/lstm/images/{image}.png").stat().st_size > 10_000
    assert list(pd.read_csv("plots/lstm/images/attention.csv").columns) == ["sessions_back", "mean_weight", "samples"]

    # dvclive wrote its declared folder while training (live views follow it), through its Keras
    # callback's names, and no temporary folder was used.
    curves = [f"plots/metrics/{split}/{name}.tsv" for split in ("eval", "train") for name in ("accuracy", "loss")]
    assert [d for d, _ in live_files] == ["dvclive/train/lstm"] * 2
    assert set(curves) <= set(live_files[0][1]) and "metrics.json" in live_files[0][1]
    assert not list((tmp_path / "dvclive/train").glob(".*"))
    steps = pd.read_csv("dvclive/train/lstm/plots/metrics/eval/loss.tsv", sep="\t")
    assert steps.step.tolist() == [0, 1]
    # Its summary is the restored (best) epoch, not the last one.
    summary = json.loads((tmp_path / "dvclive/train/lstm/metrics.json").read_text())
    best = int(steps.loss.idxmin())
    accuracy = pd.read_csv("dvclive/train/lstm/plots/metrics/eval/accuracy.tsv", sep="\t").accuracy[best]
    assert (summary["step"], summary["epochs"]) == (best, 2)
    assert summary["eval"] == pytest.approx({"loss": steps.loss[best], "accuracy": accuracy})
    assert sorted(p.name for p in (tmp_path / "models/lstm").iterdir()) == ["config.json", "weights.npz"]

    # Evaluating again gives the same bytes (PNGs included).
    outputs = [
        "data/predictions/lstm.json",
        "data/predictions/lstm.parquet",
        "plots/lstm/confusion.csv",
        "plots/lstm/images/confusion.png",
        "plots/lstm/images/tsne.png",
        "plots/lstm/images/attention.png",
    ]
    before = {o: sha(tmp_path / o) for o in outputs}
    run_stage_script("evaluate", "lstm", monkeypatch=monkeypatch)
    assert {o: sha(tmp_path / o) for o in outputs} == before
