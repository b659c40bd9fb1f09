"""Shared fixtures. `tiny_repo` is a temporary git+DVC copy of this repository at a tiny scale,
for end-to-end tests that run the real `dvc` commands."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nextgenre.params import set_params  # noqa: F401  (tests import it from here)

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

# Small enough that the whole pipeline runs in a minute or two on 2 cores.
TINY_PARAMS = {
    "synthetic.scale": 0.02,
    "embed.max_length": 64,
    "embed.batch_size": 32,
    "features.history": 5,
    "model.units": 16,
    "model.dense": [16],
    "train.epochs": 2,
    "train.patience": 1,
    "train.batch_size": 64,
}


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


@pytest.fixture(scope="session")
def reproduced(tmp_path_factory) -> Path:
    """A tiny copy of the repository after one full `dvc repro`, with its results committed.

    Shared by the session: tests that change anything work on `reproduced_copy` instead."""
    repo = copy_repo(tmp_path_factory.mktemp("reproduced") / "repo")
    set_params(repo / "params.yaml", TINY_PARAMS)
    repro = run(["dvc", "repro"], repo)
    (repo.parent / "repro.log").write_text(repro.stdout + repro.stderr)  # the console, as a user sees it
    run(["git", "add", "-A"], repo)
    run(["git", "commit", "-q", "-m", "tiny scale, reproduced"], repo)
    return repo


@pytest.fixture
def reproduced_copy(reproduced: Path, tmp_path: Path) -> Path:
    """A private copy of `reproduced` (git history and DVC cache included)."""
    dest = tmp_path / "repo"
    shutil.copytree(reproduced, dest, symlinks=True)
    return dest
