"""Faults: a stage killed midway leaves nothing DVC would take as valid, and the next `dvc repro`
finishes with the same result as an uninterrupted run; wrong settings stop at once, naming
the setting."""

import os
import shutil
import signal
import subprocess
import time

import pytest
import yaml

from tests.conftest import BIN, run, set_params

pytestmark = pytest.mark.e2e


def out_md5(repo, stage, path):
    lock = yaml.safe_load((repo / "dvc.lock").read_text())
    return next(o["md5"] for o in lock["stages"][stage]["outs"] if o["path"] == path)


def kill_when(repo, stage, started, delay, timeout=240):
    """Run `dvc repro <stage>`, SIGKILL its whole process group `delay` s after `started()` holds."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(repo / "src")}
    proc = subprocess.Popen(
        ["dvc", "repro", stage],
        cwd=repo,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout
    while not started():
        assert proc.poll() is None, f"{stage} finished before it could be killed"
        assert time.monotonic() < deadline, f"{stage} never started"
        time.sleep(0.2)
    time.sleep(delay)
    assert proc.poll() is None, f"{stage} finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


@pytest.mark.parametrize(
    "stage, out, change, started, delay",
    [
        # killed after its first epoch was logged (dvclive writes in its final folder)
        (
            "train@lstm",
            "models/lstm",
            {"train.epochs": 20, "train.patience": 20},
            lambda repo: (repo / "dvclive/train/lstm/metrics.json").exists(),
            0,
        ),
        # killed while loading the encoder or encoding (DVC removes the old output first)
        ("embed", "data/embeddings", {"embed.max_length": 48}, lambda repo: not (repo / "data/embeddings").exists(), 4),
    ],
)
def test_killed_stage_leaves_nothing_valid_and_rerun_matches(
    reproduced_copy, tmp_path, stage, out, change, started, delay
):
    repo = reproduced_copy
    set_params(repo / "params.yaml", change)
    reference = tmp_path / "reference"
    shutil.copytree(repo, reference, symlinks=True)
    run(["dvc", "repro", stage], reference)

    if stage == "train@lstm":  # removed first, as DVC does: `started` then sees this run's log
        shutil.rmtree(repo / "dvclive/train/lstm")
    kill_when(repo, stage, lambda: started(repo), delay)
    status = run(["dvc", "status", stage], repo).stdout
    assert "up to date" not in status  # what the killed run left is not taken as valid
    run(["dvc", "repro", stage], repo)
    assert out_md5(repo, stage, out) == out_md5(reference, stage, out)
    assert not list(repo.rglob(".*.tmp")) and not list(repo.rglob(".*.tmp.*"))


@pytest.mark.parametrize(
    "setting, value",
    [("features.classes", 5), ("data.interval", 45), ("train.epochs", "many"), ("model.attention", "yes")],
)
def test_a_wrong_setting_stops_at_once_naming_it(reproduced_copy, setting, value):
    set_params(reproduced_copy / "params.yaml", {setting: value})
    started = time.monotonic()
    proc = run(["dvc", "repro"], reproduced_copy, check=False)
    assert proc.returncode != 0
    assert f"{setting} = {value!r}" in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr
    assert time.monotonic() - started < 120
