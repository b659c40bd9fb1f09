"""End to end: the real `dvc repro`, `dvc exp run`, `dvc metrics diff` and `dvc plots show`
on a tiny synthetic dataset, in a temporary copy of the repository."""

import json
import re
import shlex

import pytest

from nextgenre.constants import GENRES
from nextgenre.registry import MODELS
from tests.conftest import ROOT, TINY_PARAMS, experiment_name, run
from tests.test_plots_and_artifacts import assert_offline, every_plot_renders

pytestmark = pytest.mark.e2e

STAGES = [
    "synthesize",
    "ingest",
    "embed",
    "features",
    *(f"train@{m}" for m in MODELS),
    "curves",
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
    for noise in ("E0000", "I0000", "oneDNN", "absl::InitializeLog", "Warning", "warnings.warn"):
        assert noise not in first, noise
    # A training: at most one line per epoch and one summary line (and DVC's own lines around).
    epochs = TINY_PARAMS["train.epochs"]
    for model in MODELS:
        block = first.split(f"Running stage 'train@{model}':\n")[1].split("Updating lock file")[0]
        printed = [line for line in block.splitlines() if line.strip() and not line.startswith("> ")]
        ran = [line for line in printed if line.startswith(f"train@{model}: epoch ")]
        assert 1 <= len(ran) <= epochs and printed == [*ran, printed[-1]], block
        assert printed[-1].startswith(f"train@{model}: ") and "restored the best epoch" in printed[-1], block
    assert "up to date" in run(["dvc", "status", "dvc.yaml"], reproduced_copy).stdout  # writes .dvc/tmp


def test_a_misspelt_setting_or_a_missing_raw_folder_stops_the_first_stage(reproduced_copy):
    """A new top-level name (`-S +sead=43`, a typo of seed) changes no stage's params but those of
    `settings`, which tracks the whole file; a data.raw that no folder and no stage provides
    stops there too, with the project's message instead of DVC's bare "[Errno 2]" at ingest."""
    for setting, message in (
        ("+sead=43", "error: params.yaml: unknown setting 'sead'"),
        ("data.raw=data/raw/nowhere", "error: params.yaml: data.raw = 'data/raw/nowhere': no such folder. Point"),
    ):
        failed = run(["dvc", "exp", "run", "-S", setting], reproduced_copy, check=False)
        console = failed.stdout + failed.stderr
        assert failed.returncode != 0 and message in console, console
        assert "Errno 2" not in console and "Running stage 'synthesize'" not in console, console
        run(["git", "checkout", "params.yaml"], reproduced_copy)  # a failed run leaves its change


def test_every_declared_plot_renders_offline(reproduced_copy):
    rendered = every_plot_renders(reproduced_copy)  # writes dvc_plots/ and .dvc/tmp
    for model in MODELS:
        for image in ("confusion", "tsne"):
            assert f"plots/{model}/images/{image}.png" in rendered
    for image in ("reports/accuracy.png", "plots/data/genre_mix.png", "plots/data/sessions_per_group.png"):
        assert image in rendered
    for chart, metric in (("Training loss", "loss"), ("Training accuracy", "accuracy")):
        curves = {row["filename"] for row in rendered[chart]}  # the template: model, split from the name
        assert curves == {f"{m}/{split}/{metric}.tsv" for m in MODELS for split in ("train", "eval")} | {
            f"{m}/eval/loss.tsv" for m in MODELS
        }
        # The template's rule: each model's epoch of lowest validation loss, dvclive's restored epoch.
        for model in MODELS:
            validation = [r for r in rendered[chart] if r["filename"] == f"{model}/eval/loss.tsv"]
            lowest = min(validation, key=lambda row: float(row["loss"]))
            restored = json.loads((reproduced_copy / f"dvclive/train/{model}/metrics.json").read_text())["step"]
            assert int(lowest["step"]) == restored, (chart, model)
    for model in MODELS:
        counts = rendered[f"plots/{model}/confusion.csv"]  # every pair of the scheme, zero included
        assert {row["actual"] for row in counts} == {row["predicted"] for row in counts} == set(GENRES)
    # no single-curve chart per curve file besides the combined ones
    assert not [plot for plot in rendered if plot.startswith(("dvclive/", "plots/training/"))]


def test_a_clone_with_an_empty_cache_draws_mains_training_curves(reproduced, tmp_path):
    """The curves are in git (stage `curves`): `dvc plots show` and `dvc plots diff main` in a
    fresh clone, with no DVC cache and no remote, draw both models' train and validation curves."""
    clone = tmp_path / "clone"
    run(["git", "clone", "-q", str(reproduced), str(clone)], tmp_path)
    assert not (clone / ".dvc" / "cache").exists() and not (clone / "models").exists()
    rendered = every_plot_renders(clone)
    for chart in ("Training loss", "Training accuracy"):
        assert {row["filename"].split("/")[0] for row in rendered[chart]} == set(MODELS), chart
    diff = json.loads(run(["dvc", "plots", "diff", "main", "--json"], clone).stdout)
    for chart in ("Training loss", "Training accuracy"):
        (render,) = diff["data"][chart]
        rows = render["content"]["data"]["values"]
        assert {row["rev"] for row in rows} >= {"main"} and {row["filename"].split("/")[0] for row in rows} == set(
            MODELS
        ), chart


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
