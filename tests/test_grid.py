"""The paper's grid through the real DVC experiment queue, at a tiny scale."""

import json

import pytest

from nextgenre import grid
from tests.conftest import ROOT, run

pytestmark = pytest.mark.e2e


def test_paper_grid_runs_and_tabulates(reproduced_copy):
    repo = reproduced_copy
    run(["python", str(ROOT / "experiments" / "grid.py"), "paper", "--seeds", "7", "-j", "2"], repo)
    table = (repo / "reports" / "paper_table.md").read_text()
    assert "not the paper's hypothesis" in table
    for config in grid.PAPER:
        assert f"| {config} | 1 |" in table, config
    assert "| 0.53 | 0.52 |" in table      # the paper's 6-class row beside ours
    assert "| 0.66 | 0.60 |" in table      # and its 3-class row

    shown = run(["dvc", "exp", "show", "--json"], repo).stdout
    for config in grid.PAPER:
        assert grid.experiment_name(config, 7) in shown
    # The workspace's committed results are left as they were.
    assert "up to date" in run(["dvc", "status"], repo).stdout
    assert json.loads((repo / "metrics/comparison.json").read_text())["config"]["classes"] == 6


def test_threads_are_shared_out_among_workers(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert grid.threads_per_worker(1) == 2
    assert grid.threads_per_worker(2) == 1
    assert grid.threads_per_worker(4) == 1
