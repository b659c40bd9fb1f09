"""End to end: the real `dvc repro`, `dvc exp run`, `dvc metrics diff` and `dvc plots show`
on a tiny synthetic dataset, in a temporary copy of the repository."""

import json

import pytest

from tests.conftest import run

pytestmark = pytest.mark.e2e

STAGES = [
    "synthesize",
    "ingest",
    "embed",
    "features",
    "train@lstm",
    "train@gru",
    "evaluate@lstm",
    "evaluate@gru",
    "baselines",
    "report",
]


def test_repro_runs_every_stage_once(reproduced):
    first = (reproduced.parent / "repro.log").read_text()
    for stage in STAGES:
        assert f"Running stage '{stage}'" in first, stage
    for path in [
        "metrics/data.json",
        "metrics/embed.json",
        "metrics/lstm.json",
        "metrics/gru.json",
        "metrics/baselines.json",
        "metrics/comparison.json",
        "reports/comparison.md",
    ]:
        assert (reproduced / path).is_file(), path
    lstm = json.loads((reproduced / "metrics/lstm.json").read_text())
    assert 0.0 <= lstm["accuracy"] <= 1.0 and lstm["n_test"] > 0
    assert "up to date" in run(["dvc", "status", "dvc.yaml"], reproduced).stdout


def test_experiment_shows_in_metrics_diff_and_plots(reproduced_copy):
    repo = reproduced_copy
    run(
        ["dvc", "exp", "run", "-S", "features.classes=3", "-S", "model.attention=true", "-S", "features.stress=true"],
        repo,
    )
    diff = json.loads(run(["dvc", "metrics", "diff", "main", "--json"], repo).stdout)
    for model in ("lstm", "gru"):
        assert "accuracy" in diff[f"metrics/{model}.json"], diff.keys()
    assert json.loads((repo / "metrics/lstm.json").read_text())["classes"] == ["hiphop", "pop", "rock"]
    md = run(["dvc", "metrics", "diff", "main", "--md"], repo).stdout
    assert "metrics/lstm.json" in md and "metrics/gru.json" in md
    assert (
        "exp-" in run(["dvc", "exp", "show", "--md"], repo).stdout
        or len(json.loads(run(["dvc", "exp", "show", "--json"], repo).stdout)) >= 1
    )

    plots = run(["dvc", "plots", "show", "--json"], repo).stdout
    for name in ("confusion", "tsne", "attention", "loss"):
        assert name in plots, name
