"""Shared fixtures. The end-to-end tests (marked `e2e`) run the real `dvc` commands on a tiny
copy of this repository (TINY_PARAMS):

    reproduced       the tiny repository after one full `dvc repro`, its results committed. Built
                     ONCE per test run and shared by all pytest-xdist workers (whichever needs it
                     first builds it, the others wait): read its files, never change it, not even
                     with a `dvc` command that only reads (every one writes its locks into
                     .dvc/tmp). A test that wrote into it fails at its teardown (assert_unchanged).
    reproduced_copy  a private copy of `reproduced`: git history, DVC cache and run-cache
                     included, for a test that changes anything. A second one, for a test that
                     needs several (two machines of a grid): copy_reproduced(reproduced, dest).
    tiny_repo        a committed tiny copy where nothing has run yet.
    paper_grid       a copy of `reproduced` after the paper's grid ran in it on one machine
                     (PAPER_GRID), built once per test run: as `reproduced`, read its files and
                     run `dvc` in a copy (paper_grid_copy; copy_reproduced(..., queue=True) keeps
                     the queue's logs), or fail at teardown. The tests
                     that start from it share the xdist_group "paper_grid", so one worker builds
                     it and none waits; a test that needs it only at its end asks for it there
                     (request.getfixturevalue("paper_grid")) and runs in the other worker.
    paper_grid_copy  a private copy of `paper_grid`: its run-cache also holds every stage of the
                     paper's configurations at seed 42, so an experiment with one of their
                     settings costs no training.

A new end-to-end test takes `reproduced_copy` and pays only for what it changes: a stage whose
inputs and params are those of the reproduced run comes from the run-cache, so keep the default
seed (42) and settings where they do not matter to the test:

    pytestmark = pytest.mark.e2e

    def test_something(reproduced_copy):
        run(["dvc", "exp", "run", "-S", "model.attention=true"], reproduced_copy)  # train onward

Several machines sharing remotes: `git clone` `reproduced` (reading it is safe) or make more
copies with copy_reproduced. A test that takes minutes goes into LONGEST_FIRST.

The suite runs in pytest-xdist workers (pyproject's addopts); tests that must run in one worker
(a costly module-scoped fixture) share an `xdist_group` mark. pytest-xdist 3.8 honours the mark
through the test ids, which pytest 9.2 no longer lets it change (pytest-xdist issue 1386), so
requirements.txt pins pytest 9.1 and tests/test_workers.py fails where the marks are ignored.
"""

from __future__ import annotations

import fcntl
import gc
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from nextgenre.backend import lasting_imports
from nextgenre.params import set_params  # noqa: F401  (tests import it from here)

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

# The workers share the cores, so OpenMP code (scikit-learn's t-SNE in the evaluate stage, which
# threads() does not govern) gets one thread in every process the tests start: with two, its
# threads spin at each of t-SNE's 1,000 steps while the other worker holds a core, and a t-SNE of
# 146 points took 9.1 CPU s instead of 0.3 (measured on this 2-core machine while it was busy).
os.environ.setdefault("OMP_NUM_THREADS", "1")
# Likewise the encoder and the models (nextgenre.threads): the two workers keep both cores busy,
# and a tiny `dvc repro` took 46.7 CPU s with one thread a stage against 57.9 with two, with
# the same results (measured side by side on this 2-core machine while it was shared). Tests of
# the thread setting set it themselves; the grids' queue workers get cores / workers.
os.environ.setdefault("NEXTGENRE_THREADS", "1")

# Small enough that the whole pipeline runs in a minute or two on 2 cores. One recurrent layer:
# at this scale a train stage's time is TensorFlow's import and graph tracing, and one layer
# instead of two takes a train stage from about 6.1 to 5.3 CPU s (the suite runs about 30 of them;
# the stacking of layers is tested in tests/test_models.py and runs in every full-scale repro).
TINY_PARAMS = {
    "synthetic.scale": 0.02,
    "embed.max_length": 64,
    "embed.batch_size": 32,
    "features.history": 5,
    "model.units": 16,
    "model.layers": 1,
    "model.dense": [16],
    "train.epochs": 2,
    "train.patience": 1,
    "train.batch_size": 64,
}


# The paper's grid at the reproduced repository's seed (the stages that no configuration changes
# come from the run-cache), two queue workers of one thread each on 2 cores.
PAPER_GRID = ["python", str(ROOT / "experiments" / "grid.py"), "paper", "--seeds", "42", "-j", "2"]

# Minutes each, longest first. One worker starts with the xdist_group "paper_grid" (it builds
# `reproduced`, then the paper grid, then runs the ablations from the grid's run-cache); the other
# runs its own `dvc repro` meanwhile, then the tests that need only `reproduced`, the protocol test
# last of them (it asks for `paper_grid` at its end, built by then). The many short tests fill in
# around and after.
LONGEST_FIRST = [
    "test_grid.py::test_paper_grid_runs_and_tabulates",
    "test_grid.py::test_ablations_reuse_the_paper_grid_and_give_paired_effects",
    "test_reproducibility.py::test_two_runs_from_scratch_agree",
    "test_privacy.py::test_no_id_handle_or_text_leaves_the_cache",
    "test_faults.py::test_killed_stage_leaves_nothing_valid_and_rerun_matches",
    "test_grid_protocol.py::test_two_machines_run_disjoint_halves_and_a_third_collects_the_one_machine_tables",
]


@pytest.hookimpl(wrapper=True)
def pytest_collection(session: pytest.Session):
    """Collection imports what the test modules use (numpy, pandas, scikit-learn, hypothesis, the
    package): with the garbage collector paused and what it made frozen after, as the stages'
    framework imports are (nextgenre.backend.lasting_imports; 13.3 CPU s to 9.5 per worker)."""
    with lasting_imports():
        return (yield)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Start with LONGEST_FIRST, so that no worker is left alone with a long test at the end."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    # By file and function: a parameter may hold a "/" or an "@" (test_faults' "train@lstm-models/lstm").
    items.sort(key=lambda item: rank.get(f"{item.path.name}::{getattr(item, 'originalname', item.name)}", len(rank)))


def run(cmd: list[str], cwd: Path, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a command with this interpreter's environment first on PATH; fail with its output."""
    full_env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "DVC_NO_ANALYTICS": "1",
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    if (cwd / "src" / "nextgenre").is_dir():  # a repository copy runs its own code
        full_env["PYTHONPATH"] = str(cwd / "src")
    proc = subprocess.run(cmd, cwd=cwd, env=full_env, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def experiment_name(output: str) -> str:
    """The name of the experiment that `dvc exp run` printed it ran."""
    ran = re.search(r"^Ran experiment\(s\): (\S+)$", output, re.M)
    assert ran, f"no experiment in the output of `dvc exp run`:\n{output}"
    return ran.group(1)


def collections_during(action) -> list[int]:
    """The generations of the garbage collections that ran while `action()` ran."""
    ran: list[int] = []

    def record(phase, info):
        if phase == "start":
            ran.append(info["generation"])

    gc.callbacks.append(record)
    try:
        action()
    finally:
        gc.callbacks.remove(record)
    return ran


def unprivileged(cmd: list[str]) -> list[str]:
    """`cmd` without the power to ignore file modes, as a normal user runs it: as root (CI), it
    runs with CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH dropped (util-linux setpriv)."""
    if os.geteuid() != 0:
        return cmd
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *cmd]


def copy_repo(dest: Path) -> Path:
    """Copy the repository's source files (tracked and untracked-not-ignored) into a fresh git repo."""
    listed = run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], ROOT).stdout
    for rel in filter(None, listed.split("\0")):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    run(["git", "init", "-q", "-b", "main"], dest)
    run(["git", "config", "user.email", "test@example.invalid"], dest)
    run(["git", "config", "user.name", "test"], dest)
    if not (dest / ".dvc").exists():
        run(["dvc", "init", "-q"], dest)
    run(["git", "add", "-A"], dest)
    run(["git", "commit", "-q", "-m", "copy"], dest)
    return dest


@pytest.fixture
def tiny_repo(tmp_path: Path) -> Path:
    """A committed copy of the repository with TINY_PARAMS applied."""
    repo = copy_repo(tmp_path / "repo")
    set_params(repo / "params.yaml", TINY_PARAMS)
    run(["git", "commit", "-q", "-am", "tiny scale"], repo)
    return repo


def shared_tmp(tmp_path_factory) -> Path:
    """The temporary folder that every pytest-xdist worker of this run shares."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def build_once(path: Path, build: Callable[[Path], None]) -> Path:
    """`build(path)` once per test run, by whichever worker comes first; the others wait for it.
    What it built is recorded (tree_state) for assert_unchanged."""
    path.parent.mkdir(parents=True, exist_ok=True)
    done = path.with_name(path.name + ".done")
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(path, ignore_errors=True)  # what a failed build left
            build(path)
            path.with_name(path.name + ".state.json").write_text(json.dumps(tree_state(path)))
            done.touch()
    return path


def tree_state(root: Path) -> dict[str, list[int]]:
    """Every path under `root` (folders included) with its mode, size and modification time: what
    any write changes (a new file changes its folder's time), and no read does."""
    state = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            info = os.lstat(path)
            state[os.path.relpath(path, root)] = [info.st_mode, info.st_size, info.st_mtime_ns]
    return state


def assert_unchanged(path: Path) -> None:
    """Fail if anything under a shared fixture `path` changed since build_once built it (run after
    each test that had it: as root, as in CI, a read-only mode would stop no write)."""
    built = json.loads(path.with_name(path.name + ".state.json").read_text())
    now = tree_state(path)
    changed = sorted(p for p in built.keys() | now.keys() if built.get(p) != now.get(p))
    assert not changed, (
        f"the shared fixture {path} was written to (by this test or one running beside it; DVC "
        f"commands write .dvc/tmp: run them in a copy, copy_reproduced): {changed[:10]}"
    )


def reproduce(repo: Path) -> None:
    """A committed tiny copy of the repository after one full `dvc repro` (its log beside it)."""
    copy_repo(repo)
    set_params(repo / "params.yaml", TINY_PARAMS)
    repro = run(["dvc", "repro"], repo)
    (repo.parent / "repro.log").write_text(repro.stdout + repro.stderr)  # the console, as a user sees it
    run(["git", "add", "-A"], repo)
    run(["git", "commit", "-q", "-m", "tiny scale, reproduced"], repo)


@pytest.fixture(scope="session")
def reproduced_build(tmp_path_factory) -> Path:
    """`reproduced`, built once per test run (unguarded: for the session fixtures built on it)."""
    return build_once(shared_tmp(tmp_path_factory) / "reproduced" / "repo", reproduce)


@pytest.fixture
def reproduced(reproduced_build: Path) -> Iterator[Path]:
    """A tiny copy of the repository after one full `dvc repro`, with its results committed.

    Shared by the whole run: tests that change anything work on `reproduced_copy` instead. A test
    that wrote into it fails at its teardown."""
    yield reproduced_build
    assert_unchanged(reproduced_build)


def copy_reproduced(reproduced: Path, dest: Path, queue: bool = False) -> Path:
    """A private copy of `reproduced` (git history, DVC cache and run-cache included). DVC's
    scratch folder .dvc/tmp (locks, indexes) stays behind; with `queue`, its experiment queue
    (.dvc/tmp/exps: what `dvc queue logs` reads) comes along."""
    shutil.copytree(
        reproduced, dest, symlinks=True, ignore=lambda folder, names: ["tmp"] if folder.endswith("/.dvc") else []
    )
    if queue and (reproduced / ".dvc/tmp/exps").is_dir():
        shutil.copytree(reproduced / ".dvc/tmp/exps", dest / ".dvc/tmp/exps", symlinks=True)
    return dest


@pytest.fixture
def reproduced_copy(reproduced: Path, tmp_path: Path) -> Path:
    """A private copy of `reproduced` (git history, DVC cache and run-cache included)."""
    return copy_reproduced(reproduced, tmp_path / "repo")


@pytest.fixture(scope="session")
def paper_grid_build(reproduced_build: Path, tmp_path_factory) -> Path:
    """`paper_grid`, built once per test run."""

    def build(repo: Path) -> None:
        copy_reproduced(reproduced_build, repo)
        run(PAPER_GRID, repo)

    return build_once(shared_tmp(tmp_path_factory) / "paper_grid" / "repo", build)


@pytest.fixture
def paper_grid(paper_grid_build: Path) -> Iterator[Path]:
    """A copy of `reproduced` after the paper's grid ran in it (PAPER_GRID: reports/paper_table.md,
    an experiment per configuration), built once per test run. Read it, never change it: a test
    that wrote into it fails at its teardown."""
    yield paper_grid_build
    assert_unchanged(paper_grid_build)


@pytest.fixture
def paper_grid_copy(paper_grid: Path, tmp_path: Path) -> Path:
    """A private copy of `paper_grid` (git history, experiments, DVC cache and run-cache included)."""
    return copy_reproduced(paper_grid, tmp_path / "repo")
