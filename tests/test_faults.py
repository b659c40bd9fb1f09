"""Faults: a stage killed midway leaves nothing DVC would take as valid, and the next `dvc repro`
finishes with the same result as an uninterrupted run; wrong settings stop at once, naming
the setting."""

import os
import shutil
import signal
import subprocess
import threading
import time

import pytest
import yaml

from tests.conftest import BIN, run, set_params

pytestmark = pytest.mark.e2e


def out_md5(repo, stage, path):
    lock = yaml.safe_load((repo / "dvc.lock").read_text())
    return next(o["md5"] for o in lock["stages"][stage]["outs"] if o["path"] == path)


def kill_when(repo, stage, started, hang=600):
    """Run `dvc repro <stage>`; SIGKILL its whole process group as soon as `started(repo, output)`
    holds, `output` being what the stage has printed so far (read as it comes). `hang` is only a
    guard against a stage that never gets there."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(repo / "src")}
    proc = subprocess.Popen(
        ["dvc", "repro", stage],
        cwd=repo,
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    deadline = time.monotonic() + hang
    while not started(repo, "".join(lines)):
        assert proc.poll() is None, f"{stage} finished before it could be killed:\n{''.join(lines)}"
        assert time.monotonic() < deadline, f"{stage} never started:\n{''.join(lines)}"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL, f"{stage} finished before it could be killed:\n{''.join(lines)}"
    reader.join()


@pytest.mark.parametrize(
    "stage, out, change, started",
    [
        # killed once its first epoch is logged (dvclive writes in its final folder), 19 to go
        (
            "train@lstm",
            "models/lstm",
            {"train.epochs": 20, "train.patience": 20},
            lambda repo, output: (repo / "dvclive/train/lstm/metrics.json").exists(),
        ),
        # killed as it starts encoding (the encoder loaded; DVC has removed the old output), one
        # text per batch: hundreds of the encoder's calls to go
        (
            "embed",
            "data/embeddings",
            {"embed.max_length": 48, "embed.batch_size": 1},
            lambda repo, output: "embed: cleaning " in output,
        ),
    ],
)
def test_killed_stage_leaves_nothing_valid_and_rerun_matches(reproduced_copy, tmp_path, stage, out, change, started):
    repo = reproduced_copy
    set_params(repo / "params.yaml", change)
    reference = tmp_path / "reference"
    shutil.copytree(repo, reference, symlinks=True)
    run(["dvc", "repro", stage], reference)

    if stage == "train@lstm":  # removed first, as DVC does: `started` then sees this run's log
        shutil.rmtree(repo / "dvclive/train/lstm")
    kill_when(repo, stage, started)
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
