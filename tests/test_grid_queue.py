"""How a grid runs DVC's queue: it waits for the last experiment, then stops the workers at once
and returns when they have exited. A stand-in `dvc` on PATH plays `dvc queue start` (which returns
at once and leaves a process that holds its output open until its worker exits) and `dvc queue
stop`; a stand-in queue reports an experiment running for a few reads."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest

from nextgenre import grid
from nextgenre.errors import NextgenreError

FAKE_DVC = """#!{python}
import os, sys, time
from pathlib import Path

state = Path(os.environ["FAKE_DVC_STATE"])
if sys.argv[1:3] == ["queue", "start"]:
    if (state / "fail").exists():
        sys.exit("ERROR: the queue could not start")
    print("Started '1' new experiments task queue worker.", flush=True)
    if os.fork() == 0:  # the worker's watcher, with this command's output still open
        deadline = time.monotonic() + 30  # as DVC's idle timeout would, in the end
        while not (state / "stop").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        (state / "worker").write_text("stopped on request" if (state / "stop").exists() else "stopped idle")
        os._exit(0)
elif sys.argv[1:3] == ["queue", "stop"]:
    (state / "stop").touch()
"""


class RunningFor:
    """A queue with one experiment that runs for `reads` reads of the running tasks; `failed`:
    the entries that had failed before; `fails`: one that fails when the experiment ends."""

    def __init__(self, state: Path, reads: int, failed=(), fails=None):
        self.state, self.reads, self.failed, self.fails = state, reads, list(failed), fails

    def iter_queued(self):
        return iter(())

    def iter_active(self):
        assert not (self.state / "stop").exists(), "the workers were stopped while an experiment ran"
        self.reads -= 1
        if self.reads == -1 and self.fails:
            self.failed.append(self.fails)
        return iter(["4-class-s42"] if self.reads >= 0 else ())

    def iter_failed(self):
        return iter([(entry, None) for entry in self.failed])


@pytest.fixture
def fake_dvc(tmp_path, monkeypatch) -> Path:
    """The stand-in `dvc` first on PATH; returns the folder where it keeps its state."""
    bin_dir, state = tmp_path / "bin", tmp_path / "state"
    bin_dir.mkdir()
    state.mkdir()
    dvc = bin_dir / "dvc"
    dvc.write_text(FAKE_DVC.format(python=sys.executable))
    dvc.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_DVC_STATE", str(state))
    return state


def test_the_workers_are_stopped_after_the_last_experiment_and_have_exited_on_return(fake_dvc, monkeypatch):
    queue = RunningFor(fake_dvc, reads=3)
    monkeypatch.setattr(grid, "_dvc_queue", contextmanager(lambda: (yield queue)))
    grid.run_queue(2, poll_seconds=0.01)
    assert queue.reads < 0, "returned before the experiment was done"
    assert (fake_dvc / "worker").read_text() == "stopped on request"


def test_a_queue_that_cannot_start_says_so(fake_dvc, monkeypatch):
    (fake_dvc / "fail").touch()
    monkeypatch.setattr(grid, "_dvc_queue", contextmanager(lambda: (yield RunningFor(fake_dvc, reads=0))))
    with pytest.raises(NextgenreError, match=r"`dvc queue start -j 2` failed:\nERROR: the queue could not start"):
        grid.run_queue(2)


def test_only_the_experiments_that_failed_in_this_run_are_reported(fake_dvc, monkeypatch):
    """An entry that had failed before (a task killed when its worker died) stays in DVC's
    list of failures; a later run, which queued it again and ran it, must not report it."""
    old = SimpleNamespace(name="4-class-f4", stash_rev="a" * 40)
    queue = RunningFor(fake_dvc, reads=2, failed=[old])
    monkeypatch.setattr(grid, "_dvc_queue", contextmanager(lambda: (yield queue)))
    grid.run_queue(1, poll_seconds=0.01)  # the old failure alone: no error

    (fake_dvc / "stop").unlink()
    queue.reads, queue.fails = 2, SimpleNamespace(name="3-class-f0", stash_rev="b" * 40)
    with pytest.raises(NextgenreError, match=r"experiments failed: 3-class-f0 \("):
        grid.run_queue(1, poll_seconds=0.01)
