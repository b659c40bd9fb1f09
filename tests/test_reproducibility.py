"""Same inputs, same results: two runs from scratch agree hash for hash, a finished pipeline has
nothing left to run, a change re-runs only what depends on it, and outputs carry no clock or
machine path."""

import json
import re
import time

import pytest
import yaml

from nextgenre.registry import MODELS
from tests.conftest import TINY_PARAMS, reproduce, run, set_params

pytestmark = pytest.mark.e2e

# The results kept in git (the DVC-cached ones are compared by their hashes in dvc.lock).
STAGE_METRICS = [
    "metrics/embed.json",
    "metrics/headline.json",
    "reports/comparison.json",
]


def lock_hashes(repo) -> dict:
    """stage -> {path: md5} of every dependency and output in dvc.lock."""
    lock = yaml.safe_load((repo / "dvc.lock").read_text())
    return {
        stage: {entry["path"]: entry.get("md5") for entry in body.get("deps", []) + body.get("outs", [])}
        for stage, body in lock["stages"].items()
    }


def test_two_runs_from_scratch_agree(request, tmp_path):
    second = tmp_path / "second"
    reproduce(second)
    # Asked for only now, so that another worker can build it while this one runs the second.
    reproduced = request.getfixturevalue("reproduced")
    first_hashes, second_hashes = lock_hashes(reproduced), lock_hashes(second)
    assert len(first_hashes) == 8 + 2 * len(MODELS)  # 8 single stages; train and evaluate per model
    for stage in first_hashes:
        assert first_hashes[stage] == second_hashes[stage], stage
    for path in STAGE_METRICS:
        assert (reproduced / path).read_bytes() == (second / path).read_bytes(), path


def test_a_finished_pipeline_has_nothing_to_run(reproduced_copy):
    assert "Running stage" not in run(["dvc", "repro"], reproduced_copy).stdout
    assert "up to date" in run(["dvc", "status", "dvc.yaml"], reproduced_copy).stdout


def test_a_change_reruns_only_what_it_feeds_and_undoing_it_restores_from_the_run_cache(reproduced_copy):
    repo = reproduced_copy
    before = lock_hashes(repo)
    set_params(repo / "params.yaml", {"train.patience": TINY_PARAMS["train.patience"] + 1})
    stale = json.loads(run(["dvc", "status", "--json", "dvc.yaml"], repo).stdout)
    trains = {f"train@{m}" for m in MODELS}
    assert set(stale) == {"settings"} | trains  # settings checks every change
    ran = re.findall(r"Running stage '([^']+)'", run(["dvc", "repro"], repo).stdout)
    assert trains <= set(ran)
    # Only training and the stages downstream of a model may run; the data stages never do.
    assert set(ran) <= {"settings", "curves", "report"} | trains | {f"evaluate@{m}" for m in MODELS}

    # Back to the committed setting: training comes from DVC's run-cache and evaluation does not
    # run again, so an experiment that repeats earlier settings costs no training time.
    set_params(repo / "params.yaml", {"train.patience": TINY_PARAMS["train.patience"]})
    out = run(["dvc", "repro"], repo).stdout
    for stage in trains:
        assert f"Stage '{stage}' is cached - skipping run" in out, stage
    assert not re.findall(r"Running stage '(train|evaluate)@", out)
    assert lock_hashes(repo) == before


def test_outputs_hold_no_clock_or_machine_path(reproduced):
    today = [time.strftime("%Y-%m-%d"), time.strftime("%Y%m%d")]
    machine = [str(reproduced), str(reproduced.parent), "/home/", "/root/", "pytest-of-"]
    checked = 0
    for folder in (
        "metrics",
        "plots",
        "reports",
        "dvclive",
        "models",
        "data/processed",
        "data/predictions",
        "data/embeddings",
        "data/interim",
    ):
        for path in (reproduced / folder).rglob("*"):
            if not path.is_file():
                continue
            data = path.read_bytes()
            for marker in today + machine:
                assert marker.encode() not in data, (path, marker)
            if path.suffix == ".png":
                assert b"tIME" not in data, path  # no PNG modification-time chunk
            checked += 1
    lock = (reproduced / "dvc.lock").read_text()
    assert not any(marker in lock for marker in machine)
    assert checked > 20
