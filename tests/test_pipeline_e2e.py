"""End to end: the real `dvc repro`, `dvc exp run`, `dvc metrics diff` and `dvc plots show`
on a tiny synthetic dataset, in a temporary copy of the repository."""

import json
import re
import shlex

import pytest

from nextgenre.constants import GENRES
from nextgenre.registry import MODELS
from tests.conftest import ROOT, experiment_name, run
from tests.test_plots_and_artifacts import assert_offline, every_plot_renders

pytestmark = pytest.mark.e2e

STAGES = [
    "synthesize",
    "ingest",
    "embed",
    "features",
    *(f"train@{m}" for m in MODELS),
    *(f"evaluate@{m}" for m in MODELS),
    "baselines",
    "report",
]


def test_repro_runs_every_stage_once(reproduced, reproduced_copy):
    first = (reproduced.parent / "repro.log").read_text()
    for stage in STAGES:
        assert f"Running stage '{stage}'" in first, stage
    for path in [
        "data/ingest.json",
        "data/embeddings/summary.json",
        "metrics/embed.json",
        *(f"data/predictions/{m}.json" for m in MODELS),
        "data/predictions/baselines.json",
        "metrics/headline.json",
        "reports/comparison.json",
        "reports/comparison.md",
    ]:
        assert (reproduced / path).is_file(), path
    lstm = json.loads((reproduced / "data/predictions/lstm.json").read_text())
    assert 0.0 <= lstm["accuracy"] <= 1.0 and lstm["n_test"] > 0
    # The console: a summary line from every stage, and no TensorFlow C++ log.
    for stage in ("synthesize", "ingest", "embed", "features", "train@sasrec", "evaluate@gru", "baselines", "report"):
        assert re.search(rf"^{stage}: ", first, re.M), stage
    for noise in ("E0000", "I0000", "oneDNN", "absl::InitializeLog"):
        assert noise not in first, noise
    assert "up to date" in run(["dvc", "status", "dvc.yaml"], reproduced_copy).stdout  # writes .dvc/tmp


def test_every_declared_plot_renders_offline(reproduced_copy):
    rendered = every_plot_renders(reproduced_copy)  # writes dvc_plots/ and .dvc/tmp
    for model in MODELS:
        for image in ("confusion", "tsne"):
            assert f"plots/{model}/images/{image}.png" in rendered
        assert {row["actual"] for row in rendered[f"plots/{model}/confusion.csv"]} <= set(GENRES)
    for image in ("reports/accuracy.png", "plots/data/genre_mix.png", "plots/data/sessions_per_group.png"):
        assert image in rendered
    for chart, metric in (("Training loss", "loss"), ("Training accuracy", "accuracy")):
        curves = {row["filename"] for row in rendered[chart]}  # the template names them "lstm train", ...
        assert curves == {f"{m}/plots/metrics/{split}/{metric}.tsv" for m in MODELS for split in ("train", "eval")}
    # no single-curve chart per dvclive file besides the combined ones
    assert not [plot for plot in rendered if plot.startswith("dvclive/")]


def test_readme_compare_commands_run_as_written(reproduced_copy):
    """README's `dvc exp show --md ; dvc metrics diff main --md ; dvc plots diff main`, as written,
    after an experiment (one that changes nothing: every stage is up to date)."""
    repo = reproduced_copy
    name = experiment_name(run(["dvc", "exp", "run"], repo).stdout)
    shown = run(["dvc", "exp", "show", "--md"], repo).stdout
    assert name in shown and "lstm.accuracy" in shown, shown
    assert "| Path " in run(["dvc", "metrics", "diff", "main", "--md", "--all"], repo).stdout
    run(["dvc", "metrics", "diff", "main", "--md"], repo)
    printed = run(["dvc", "plots", "diff", "main"], repo).stdout
    page = (repo / "dvc_plots" / "index.html").read_text(encoding="utf-8")
    assert "dvc_plots" in printed and "plots/lstm/confusion.csv" in page
    assert_offline(page)


@pytest.mark.xdist_group("paper_grid")
def test_experiment_shows_in_metrics_diff_and_plots(paper_grid_copy):
    repo = paper_grid_copy  # the paper grid's 3-class-attention-stress: its stages come from the run-cache
    ran = run(
        ["dvc", "exp", "run", "-S", "features.classes=3", "-S", "model.attention=true", "-S", "features.stress=true"],
        repo,
    )
    diff = json.loads(run(["dvc", "metrics", "diff", "main", "--json"], repo).stdout)
    for model in MODELS:
        assert f"{model}.accuracy" in diff["metrics/headline.json"], diff
    assert json.loads((repo / "reports/comparison.json").read_text())["class_names"] == ["hiphop", "pop", "rock"]
    md = run(["dvc", "metrics", "diff", "main", "--md"], repo).stdout
    assert "| metrics/headline.json | lstm.accuracy " in re.sub(" +", " ", md)
    assert len(md.splitlines()) < 40, md  # the headline and a few more numbers, not hundreds of rows

    # README's one command: accuracy per model per configuration with its params, under 20 columns.
    command = re.search(r"^(dvc exp show --md --drop .*)$", (ROOT / "README.md").read_text(), re.M).group(1)
    table = run(shlex.split(command), repo).stdout.splitlines()
    columns = [c.strip() for c in table[0].strip("|").split("|")]
    assert len(columns) < 20, columns
    expected = {f"{m}.{k}" for m in MODELS for k in ("accuracy", "ci_low", "ci_high")}
    assert expected | {"best_baseline.accuracy", "features.classes", "model.attention", "seed"} <= set(columns)
    assert any(re.match(r"\| (workspace|main) ", line) for line in table) and len(table) >= 5  # runs as rows
    assert experiment_name(ran.stdout) in run(["dvc", "exp", "show", "--md"], repo).stdout  # plain, as README

    rendered = every_plot_renders(repo)  # attention.csv included: its own x and y
    for model in MODELS:
        assert rendered[f"plots/{model}/images/attention.csv"][0]["sessions_back"] == "1"
        assert f"plots/{model}/images/attention.png" in rendered

    # README's one-experiment command as written: the paper grid's 4-class configuration (cached).
    four = experiment_name(run(["dvc", "exp", "run", "-S", "features.classes=4"], repo).stdout)
    assert four in run(["dvc", "exp", "show", "--md"], repo).stdout
