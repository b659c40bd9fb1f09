"""The paper's grid and the ablations through the real DVC experiment queue, at a tiny scale."""

import json
import re
import threading
from contextlib import contextmanager

import pytest

from nextgenre import grid
from nextgenre.errors import NextgenreError
from nextgenre.registry import label
from tests.conftest import ROOT, run


@pytest.mark.e2e
@pytest.mark.xdist_group("paper_grid")
def test_paper_grid_runs_and_tabulates(paper_grid, paper_grid_copy):
    repo = paper_grid  # the paper grid ran in it (conftest.PAPER_GRID); dvc commands run in the copy
    table = (repo / "reports" / "paper_table.md").read_text()
    assert "not the paper's hypothesis" in table
    for config in grid.PAPER:
        assert f"| {config} | 1 |" in table, config
    assert "| 0.53 | 0.52 |" in table  # the paper's 6-class row beside ours
    assert "| 0.66 | 0.60 |" in table  # and its 3-class row

    shown = run(["dvc", "exp", "show", "--json"], paper_grid_copy).stdout
    for config in grid.PAPER:
        assert grid.experiment_name(config, 42) in shown
    # The workspace's committed results are left as they were.
    assert "up to date" in run(["dvc", "status", "dvc.yaml"], paper_grid_copy).stdout
    assert json.loads((repo / "reports/comparison.json").read_text())["config"]["classes"] == 6
    # The grid returned once its queue workers had exited (DVC records each one's exit code).
    workers = list((repo / ".dvc/tmp/exps/celery").glob("dvc-exp-worker-*.json"))
    assert len(workers) == 2 and all(json.loads(w.read_text())["returncode"] == 0 for w in workers)


@pytest.mark.e2e
@pytest.mark.xdist_group("paper_grid")
def test_ablations_reuse_the_paper_grid_and_give_paired_effects(paper_grid_copy, monkeypatch):
    # 3c-attention-stress30 has the settings of the paper grid's 3-class-attention-stress, so at
    # the grid's seed it comes whole from the run-cache, and 3c-stress30 reuses its features and
    # baselines (it trains). One seed: averaging over seeds is the tables' arithmetic, tested on
    # fake results below (a second seed here ran every stage of two more experiments,
    # about 65 of the suite's CPU seconds).
    repo = paper_grid_copy
    configs = ("3c-stress30", "3c-attention-stress30")
    run(
        ["python", str(ROOT / "experiments" / "grid.py"), "ablations", "--only", *configs, "--seeds", "42", "-j", "2"],
        repo,
    )
    table = (repo / "reports" / "ablations.md").read_text()
    assert "not the paper's hypothesis" in table
    for config in configs:
        assert re.search(rf"\| {config} \| 1 \| \d\.\d{{3}} \(\[", table), config
    assert "stress window 90" not in table  # its configurations were not run
    # A configuration that the paper grid ran, at its seed, trains and evaluates nothing again.
    log = run(["dvc", "queue", "logs", "3c-attention-stress30-s42"], repo).stdout
    assert "Stage 'train@lstm' is cached" in log and not re.findall(r"Running stage '(train|evaluate)@", log)

    # The paired effect is the difference of the two configurations' test accuracies, read from
    # the experiments' predictions on the same test users, with its interval.
    monkeypatch.chdir(repo)
    for model in grid.MODELS:
        row = re.search(
            rf"\| attention, stress on \(30 min\) \| {label(model)} \| ([+-]\d\.\d{{3}}) \| (.*?) \| "
            r"(yes|hurts|no clear effect) \|",
            table,
        )
        assert row, model
        accuracy = {c: grid.read_comparison(grid.experiment_name(c, 42))["models"][model]["accuracy"] for c in configs}
        assert abs(float(row.group(1)) - (accuracy["3c-attention-stress30"] - accuracy["3c-stress30"])) <= 0.0006
        intervals = re.findall(r"\[([+-]\d\.\d{3}), ([+-]\d\.\d{3})\]", row.group(2))
        assert len(intervals) == 1 and float(intervals[0][0]) <= float(row.group(1)) <= float(intervals[0][1])


def fake_comparison(lstm: float, gru: float, p_value: float, sasrec: float = 0.55) -> dict:
    accuracies = {"lstm": lstm, "gru": gru, "sasrec": sasrec}
    models = {m: {"accuracy": a, "ci_low": a - 0.01, "ci_high": a + 0.01} for m, a in accuracies.items()}
    paper = [{"lstm": 0.53, "gru": 0.52}, {"lstm": 0.48}]  # the paper has no self-attention model
    return {
        "models": models,
        "best_baseline": {"name": "repeat_last", "accuracy": 0.6},
        "mcnemar_lstm_vs_gru": {"p_value": p_value},
        "mcnemar_lstm_vs_sasrec": {"p_value": 0.5},
        "mcnemar_gru_vs_sasrec": {"p_value": 0.04},
        "paper": {"row": paper[0], "table": paper},
    }


def test_paper_table_gives_mean_sd_per_seed_intervals_and_small_p_values_as_bounds():
    queued = [grid.Queued("6-class", s, grid.experiment_name("6-class", s)) for s in (1, 2)]
    comparisons = {"6-class-s1": fake_comparison(0.50, 0.60, 1e-9), "6-class-s2": fake_comparison(0.70, 0.60, 0.25)}
    header, _, row = grid.paper_table(queued, comparisons).splitlines()
    assert header.endswith("| GRU vs SASRec (McNemar p) | paper LSTM | paper GRU |")
    assert row == (
        "| 6-class | 2 | 0.600 ± 0.141 ([0.490, 0.510], [0.690, 0.710]) | "
        "0.600 ± 0.000 ([0.590, 0.610], [0.590, 0.610]) | 0.550 ± 0.000 ([0.540, 0.560], [0.540, 0.560]) | "
        "repeat_last 0.600 ± 0.000 | < 0.001, 0.25 | 0.5, 0.5 | 0.04, 0.04 | 0.53 | 0.52 |"
    )


def test_ablation_table_averages_each_effect_over_seeds_with_one_interval_per_seed(monkeypatch):
    # (accuracy with minus without, CI low, CI high) per effect's "with" configuration and seed.
    fake = {
        "3c-attention-s1": (0.02, 0.01, 0.03),
        "3c-attention-s2": (0.04, 0.02, 0.06),  # both intervals above 0: helps
        "3c-attention-stress30-s1": (-0.02, -0.03, -0.01),
        "3c-attention-stress30-s2": (-0.04, -0.05, -0.03),  # both below 0: hurts
        "3c-stress30-s1": (0.01, -0.01, 0.03),
        "3c-stress30-s2": (0.02, 0.01, 0.03),  # one interval holds 0: no clear effect
    }
    asked = []

    def effect(with_name, without_name, model, seed):
        asked.append((with_name, without_name, model, seed))
        return fake[with_name]

    monkeypatch.setattr(grid, "effect", effect)
    table = grid.ablation_table([1, 2], {"3c-plain", "3c-attention", "3c-stress30", "3c-attention-stress30"})
    rows = table.splitlines()[2:]
    assert len(rows) == 4 * len(grid.MODELS)  # the four effects whose two configurations ran
    assert rows[0] == "| attention, stress off | LSTM | +0.030 | [+0.010, +0.030], [+0.020, +0.060] | yes |"
    n = len(grid.MODELS)  # one row per model and effect
    assert rows[n + 1] == (
        "| attention, stress on (30 min) | GRU | -0.030 | [-0.030, -0.010], [-0.050, -0.030] | hurts |"
    )
    assert rows[2 * n] == (
        "| stress (30 min), attention off | LSTM | +0.015 | [-0.010, +0.030], [+0.010, +0.030] | no clear effect |"
    )
    # Both configurations of a pair at the same seed, each seed its own bootstrap seed.
    assert ("3c-attention-stress30-s2", "3c-stress30-s2", "gru", 2) in asked
    assert "No effect can be computed" in grid.ablation_table([1], {"3c-plain"})


def test_only_names_configurations_of_the_grid():
    assert list(grid.select(["ablations"], ["3c-plain"])) == ["3c-plain"]
    assert len(grid.select(["paper", "ablations"])) == len(grid.PAPER) + len(grid.ABLATIONS)
    with pytest.raises(NextgenreError, match="no configuration 6-class in the ablations grid"):
        grid.select(["ablations"], ["6-class"])


def test_threads_are_shared_out_among_workers(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert grid.threads_per_worker(1) == 2
    assert grid.threads_per_worker(2) == 1
    assert grid.threads_per_worker(4) == 1


def test_workers_that_left_early_are_started_again(monkeypatch):
    """A worker can exit while experiments are still queued (a `dvc queue stop` kept by the broker
    from an earlier run stops the next run's first worker after one experiment): run_queue starts
    workers again instead of waiting for ever, and sends no stop to workers that are gone."""
    started, stops = [], []
    queued = ["b", "c"]

    class Queue:
        def iter_queued(self):
            return iter(queued)

        def iter_active(self):
            return iter([])

        def iter_failed(self):
            return iter([])

    def start_workers(jobs, env):
        exited = threading.Event()
        exited.set()  # each start runs one queued experiment, then its worker is gone
        if queued and started:
            queued.pop(0)
        started.append(jobs)
        return exited

    @contextmanager
    def queue():
        yield Queue()

    monkeypatch.setattr(grid, "_start_workers", start_workers)
    monkeypatch.setattr(grid, "_dvc_queue", queue)
    monkeypatch.setattr(grid, "_run", lambda *command: stops.append(command))
    grid.run_queue(2, poll_seconds=0)
    assert started == [2, 2, 2] and not queued and stops == []
