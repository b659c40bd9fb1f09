"""Stages stop before any work when an output cannot be written, with one clear line."""

import gc
import os
import subprocess
import sys

import pytest

from nextgenre import runner
from nextgenre.errors import OutputError
from tests.conftest import ROOT, unprivileged


def test_a_folder_that_cannot_be_written_is_named(tmp_path):
    (tmp_path / "data").write_text("a file where a folder should be")
    with pytest.raises(OutputError, match=r"data/embeddings: cannot be written"):
        runner.check_writable([tmp_path / "data" / "embeddings"])


@pytest.mark.parametrize("output, read_only", [("ro/out", "ro"), ("ro", "ro"), ("out", "out/inner")])
def test_a_read_only_folder_is_named(tmp_path, output, read_only):
    """A folder that the output goes in, the output folder itself, or a folder inside it (its
    entries could not be removed): as a normal user (root's override of modes dropped)."""
    (tmp_path / read_only).mkdir(parents=True)
    (tmp_path / read_only).chmod(0o500)
    code = f"from nextgenre import runner; runner.check_writable([{str(tmp_path / output)!r}])"
    proc = subprocess.run(
        unprivileged([sys.executable, "-c", code]),
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    (tmp_path / read_only).chmod(0o700)
    assert proc.returncode == 1 and f"OutputError: {tmp_path / output}: cannot be written" in proc.stderr


def test_a_nearly_full_disk_stops_the_stage(tmp_path, monkeypatch):
    class Usage:
        free = 5 * 2**20

    monkeypatch.setattr(runner.shutil, "disk_usage", lambda path: Usage)
    with pytest.raises(OutputError, match=r"out\.json: only 5 MiB free on its disk, at least 200 MiB"):
        runner.check_writable([tmp_path / "out.json"])


def test_nothing_is_created_by_the_check(tmp_path):
    runner.check_writable([tmp_path / "a" / "b" / "c.json"])
    assert list(tmp_path.iterdir()) == []


def test_run_stage_prints_one_line_and_exits_2(tmp_path, capsys):
    ran = []
    (tmp_path / "blocker").write_text("")
    with pytest.raises(SystemExit) as exit_info:
        runner.run_stage(lambda: ran.append(1), outputs=[tmp_path / "blocker" / "out"])
    assert exit_info.value.code == 2 and not ran
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_what_a_stage_leaves_is_not_walked_by_the_collector_at_exit():
    """After main(), everything left lives until the process exits, so run_stage freezes it
    (gc.freeze): the collection at exit has next to nothing to walk."""
    made = [[i] for i in range(50_000)]  # objects the collector tracks, alive to the end
    runner.run_stage(lambda: None)
    assert gc.get_freeze_count() >= len(made)
    assert len(gc.get_objects()) < 1_000


@pytest.mark.parametrize("verbose", ["", "1"])
def test_library_warnings_reach_the_console_only_when_verbose(tmp_path, verbose):
    """A stage's own line is printed; a library's warning (scikit-learn's, here) and TensorFlow's
    logged warning only with NEXTGENRE_VERBOSE=1."""
    script = tmp_path / "stage.py"
    script.write_text(
        "import logging, warnings\n"
        "from sklearn.exceptions import ConvergenceWarning\n"
        "from nextgenre.runner import run_stage\n"
        "def main():\n"
        "    warnings.warn('lbfgs failed to converge', ConvergenceWarning)\n"
        "    logging.getLogger('tensorflow').warning('retracing')\n"
        "    print('stage: done')\n"
        "run_stage(main)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NEXTGENRE_VERBOSE": verbose}
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout == "stage: done\n"
    if verbose:
        assert "ConvergenceWarning" in done.stderr and "retracing" in done.stderr
    else:
        assert done.stderr == ""
