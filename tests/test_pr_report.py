"""The pull-request report: metrics, params and plot changes between two commits, as markdown."""

import json
import sys

import pytest

from tests.conftest import ROOT, run, set_params

pytestmark = pytest.mark.e2e


def test_report_shows_what_changed_between_two_commits(reproduced_copy):
    repo = reproduced_copy
    lstm = json.loads((repo / "metrics/lstm.json").read_text())
    # A second commit: a changed setting and the metric it moved (the plots stay as they were).
    set_params(repo / "params.yaml", {"train.patience": 7})
    lstm["accuracy"] = round(lstm["accuracy"] / 2, 4)
    (repo / "metrics/lstm.json").write_text(json.dumps(lstm))
    (repo / "plots" / "data" / "genre_mix.png").write_bytes(
        (repo / "plots" / "data" / "sessions_per_group.png").read_bytes())
    run(["git", "commit", "-q", "-am", "change"], repo)

    out = repo / "pr_report"
    run([sys.executable, str(ROOT / "experiments" / "pr_report.py"), "--base", "HEAD~1",
         "--out", str(out)], repo)
    report = (out / "report.md").read_text()
    assert "| metrics/lstm.json | accuracy |" in report.replace("  ", " ")
    assert str(lstm["accuracy"]) in report
    assert "train.patience" in report and "| 7 " in report
    assert "plots/data/genre_mix.png" in report
    assert (out / "images" / "plots__data__genre_mix.head.png").is_file()
    assert "sessions_per_group" not in report  # unchanged plots are not listed
    assert (out / "plots" / "index.html").is_file()
    assert "not the paper's hypothesis" in report
