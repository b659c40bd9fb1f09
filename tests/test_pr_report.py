"""The pull-request report: metrics, params and plot changes between two commits, as markdown."""

import json
import re
import shlex
import sys

import pytest
import yaml

from tests.conftest import ROOT, run, set_params

pytestmark = pytest.mark.e2e


def test_report_shows_what_changed_between_two_commits(reproduced_copy):
    repo = reproduced_copy
    headline = json.loads((repo / "metrics/headline.json").read_text())
    lstm = headline["lstm"]
    # A second commit: a changed setting and the metric it moved (the plots stay as they were).
    set_params(repo / "params.yaml", {"train.patience": 7})
    lstm["accuracy"] = round(lstm["accuracy"] / 2, 4)
    (repo / "metrics/headline.json").write_text(json.dumps(headline))
    (repo / "plots" / "data" / "genre_mix.png").write_bytes(
        (repo / "plots" / "data" / "sessions_per_group.png").read_bytes()
    )
    run(["git", "commit", "-q", "-am", "change"], repo)

    out = repo / "pr_report"
    run([sys.executable, str(ROOT / "experiments" / "pr_report.py"), "--base", "HEAD~1", "--out", str(out)], repo)
    report = (out / "report.md").read_text()
    assert "| metrics/headline.json | lstm.accuracy |" in re.sub(" +", " ", report)
    assert str(lstm["accuracy"]) in report
    assert "train.patience" in report and "| 7 " in report
    assert "plots/data/genre_mix.png" in report
    assert (out / "images" / "plots__data__genre_mix.head.png").is_file()
    assert "sessions_per_group" not in report  # unchanged plots are not listed
    assert (out / "plots" / "index.html").is_file()
    assert "not the paper's hypothesis" in report


def workflow_smoke_run() -> list[str]:
    """The smoke run of the pipeline-diff workflow (.github/workflows/pr.yml), as it runs it."""
    steps = yaml.safe_load((ROOT / ".github/workflows/pr.yml").read_text())["jobs"]["pipeline-diff"]["steps"]
    script = next(step["run"] for step in steps if "dvc exp run -n pr-smoke" in step.get("run", ""))
    command = shlex.split(script.replace("\\\n", " "))
    assert command[:3] == ["dvc", "exp", "run"] and ";" not in script and "&&" not in script, script
    return command


def test_report_says_when_nothing_changed_links_images_and_adds_the_smoke_run(reproduced_copy):
    repo = reproduced_copy
    # The workflow's smoke run as it is written (at the tiny scale's settings: every stage is cached).
    run(workflow_smoke_run(), repo)
    comparison = json.loads((repo / "reports/comparison.json").read_text())
    (repo / "plots" / "data" / "genre_mix.png").write_bytes(
        (repo / "plots" / "data" / "sessions_per_group.png").read_bytes()
    )
    out = repo / "pr_report"
    run(
        [
            sys.executable,
            str(ROOT / "experiments" / "pr_report.py"),
            "--base",
            "HEAD",
            "--out",
            str(out),
            "--smoke",
            "pr-smoke",
            "--images-url",
            "https://example.invalid/run/1",
        ],
        repo,
    )
    report = (out / "report.md").read_text()
    assert "No metric changed." in report and "No parameter changed." in report
    assert "### Smoke run `pr-smoke`" in report
    lstm = comparison["models"]["lstm"]
    assert f"| LSTM | {lstm['accuracy']:.3f} | [{lstm['ci_low']:.3f}, {lstm['ci_high']:.3f}] |" in report
    assert f"best baseline ({comparison['best_baseline']['name']})" in report
    # The changed image is linked to the artifact, not embedded.
    assert "[base and head in the workflow's artifact](https://example.invalid/run/1)" in report
    assert "- `plots/data/genre_mix.png`" in report and "![](" not in report
