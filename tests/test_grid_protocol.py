"""A grid spread over machines, with stand-ins for the shared remotes.

A bare git repository plays the shared git remote and a local folder the shared DVC remote. The
researcher's machine (the tiny reproduced repository) pushes its commit and results to them. Two
clones each run one disjoint half of a grid (`--part 1/2`, `--part 2/2`, at the same time, as two
runners would) and push their experiments; a third clone pulls every experiment (`--collect`)
and writes the tables. Those must equal, byte for byte below the line that says how they were
made, the table that the one-machine command writes for the same configurations (its header and
their rows).

Why the comparison is honest, and what keeps it cheap: the one-machine run is the real command,
the paper grid's (conftest.PAPER_GRID, which holds this grid's configurations), run in another
copy of the researcher's repository that never sees the runners or the remotes; it trains every
model itself. Training is deterministic at equal settings and threads (both commands use `-j 2`,
so cores / 2 threads per experiment), so equal tables show that the runners ran the very
experiments one machine runs and that pushing, pulling and reading them back loses or mixes up
nothing. (The runners cannot restore a model from another machine either: DVC pushes a stage's
run-cache entry but not the objects of its `cache: false` outputs, the dvclive logs and metrics
of train and evaluate, so on another machine the run-cache restores the data stages but no
model.) The grid is the smallest that has two parts which both train: two configurations that
share the reproduced repository's seed 42, so synthesize, ingest and embed (and, for
oversampling, the features) come from the DVC remote on every machine, and each runner trains
only its own cell.
"""

from __future__ import annotations

import argparse
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from nextgenre import grid, grid_remote
from nextgenre.errors import NextgenreError
from tests.conftest import ROOT, copy_reproduced, run

CONFIGS = ["6-class-oversampled", "4-class"]
GRID = ["python", str(ROOT / "experiments" / "grid.py"), "paper", "--only", *CONFIGS, "--seeds", "42", "-j", "2"]


def machine(origin: Path, dvc_remote: Path, dest: Path) -> Path:
    """A clone of the shared git remote that uses the shared DVC remote, as a runner sets it up."""
    run(["git", "clone", "-q", str(origin), str(dest)], dest.parent)
    run(["git", "config", "user.email", "test@example.invalid"], dest)
    run(["git", "config", "user.name", "test"], dest)
    run(["dvc", "remote", "add", "--local", "-d", "-f", "shared", str(dvc_remote)], dest)
    return dest


def below_provenance(report: str) -> str:
    """A report without its title block (which says which command made it, and when)."""
    return report.split("\n\n| ", 1)[1]


def rows_of(table: str, configs: list[str]) -> str:
    """A grid table (below its title block) with its two header lines and only the rows of `configs`."""
    header, rule, *rows = table.splitlines(keepends=True)
    return header + rule + "".join(row for row in rows if row.split(" | ", 1)[0].removeprefix("| ") in configs)


@pytest.mark.e2e
def test_two_machines_run_disjoint_halves_and_a_third_collects_the_one_machine_tables(reproduced, request, tmp_path):
    researcher = tmp_path / "researcher"
    copy_reproduced(reproduced, researcher)
    origin, dvc_remote = tmp_path / "origin.git", tmp_path / "dvc-remote"
    run(["git", "clone", "-q", "--bare", str(researcher), str(origin)], tmp_path)
    run(["dvc", "remote", "add", "--local", "-d", "-f", "shared", str(dvc_remote)], researcher)
    run(["dvc", "push"], researcher)

    runners = [machine(origin, dvc_remote, tmp_path / f"runner{k}") for k in (1, 2)]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda k: run([*GRID, "--part", f"{k}/2", "--push", "origin"], runners[k - 1]), (1, 2)))

    names = list(grid.experiments(grid.select(["paper"], CONFIGS), [42], {}))
    for k, runner in enumerate(runners, 1):  # each runner ran its half, and nothing else
        ran = run(["git", "for-each-ref", "--format=%(refname:lstrip=-1)", "refs/exps"], runner).stdout.split()
        assert sorted(ran) == sorted(grid_remote.part(dict.fromkeys(names), k, 2))
        assert run(["git", "status", "--porcelain"], runner).stdout == "", "a runner changed its workspace"

    collector = machine(origin, dvc_remote, tmp_path / "collector")
    run([*GRID, "--collect", "origin"], collector)
    collected = (collector / "reports" / "paper_table.md").read_text()
    assert "Collected by" in collected and "not the paper's hypothesis" in collected
    for config in CONFIGS:
        assert f"| {config} | 1 |" in collected, config
    assert "| 0.57 | 0.56 |" in collected  # the paper's 4-class row beside ours
    shown = run(["dvc", "exp", "show", "--json"], collector).stdout
    assert all(name in shown for name in names)

    # Asked for only now: another worker builds it while this one runs the machines above.
    paper_grid = request.getfixturevalue("paper_grid")
    one_machine = (paper_grid / "reports" / "paper_table.md").read_text()
    assert "Produced by" in one_machine
    assert below_provenance(collected) == rows_of(below_provenance(one_machine), CONFIGS)
    logs = copy_reproduced(paper_grid, tmp_path / "paper_grid", queue=True)  # dvc writes .dvc/tmp
    for name in names:  # the one machine trained the models, it restored none
        assert "Running stage 'train@lstm'" in run(["dvc", "queue", "logs", name], logs).stdout
    # The workspace's committed results are left as they were.
    assert json.loads((collector / "reports/comparison.json").read_text())["config"]["classes"] == 6


def test_parts_are_disjoint_cover_the_list_and_mix_configurations():
    named = grid.experiments(grid.PAPER, [42, 43, 44], {"train.patience": 3})
    parts = [grid_remote.part(named, k, 4) for k in range(1, 5)]
    assert [len(p) for p in parts] == [3, 3, 3, 3]
    assert sorted(n for p in parts for n in p) == sorted(named)
    assert list(parts[1]) == ["6-class-s43", "6-class-oversampled-s44", "3-class-attention-stress-s42"]
    assert parts[1]["6-class-s43"] == {**grid.BASE, "train.patience": 3, "seed": 43}
    assert grid_remote.part(named, 16, 16) == {}  # more machines than experiments: some idle


@pytest.mark.parametrize("text", ["0/4", "5/4", "2", "a/b", "2/4/1"])
def test_a_part_is_k_of_n(text):
    with pytest.raises(argparse.ArgumentTypeError, match="K/N"):
        grid_remote.parse_part(text)
    assert grid_remote.parse_part("4/4") == (4, 4)


@pytest.fixture
def two_commits(tmp_path, monkeypatch) -> Path:
    """A git repository with two commits, as the working directory."""
    repo = tmp_path / "repo"
    repo.mkdir()
    run(["git", "init", "-q", "-b", "main"], repo)
    run(["git", "config", "user.email", "test@example.invalid"], repo)
    run(["git", "config", "user.name", "test"], repo)
    for message in ("older", "newer"):
        run(["git", "commit", "-q", "--allow-empty", "-m", message], repo)
    monkeypatch.chdir(repo)
    return repo


def test_the_experiment_of_this_commit_wins_over_others_of_the_same_name(two_commits):
    older = run(["git", "rev-parse", "HEAD~1"], two_commits).stdout.strip()
    for baseline in ("00" + "0" * 38, "ff" + "f" * 38):  # sorted before and after any real one
        run(["git", "update-ref", f"refs/exps/{baseline[:2]}/{baseline[2:]}/4-class-s42", older], two_commits)
    run(["git", "update-ref", grid.baseline_ref("4-class-s42"), "HEAD"], two_commits)
    head = run(["git", "rev-parse", "HEAD"], two_commits).stdout.strip()
    assert grid.baseline_ref("4-class-s42") == f"refs/exps/{head[:2]}/{head[2:]}/4-class-s42"
    assert grid._exp_ref("4-class-s42") == grid.baseline_ref("4-class-s42")


def test_experiments_of_one_name_from_two_other_commits_are_refused(two_commits):
    older = run(["git", "rev-parse", "HEAD~1"], two_commits).stdout.strip()
    for baseline in ("00" + "0" * 38, "ff" + "f" * 38):
        run(["git", "update-ref", f"refs/exps/{baseline[:2]}/{baseline[2:]}/4-class-s42", older], two_commits)
    with pytest.raises(NextgenreError, match=r"2 experiments named 4-class-s42, from commits 0000000, fffffff"):
        grid._exp_ref("4-class-s42")
    run(["git", "update-ref", "-d", "refs/exps/ff/" + "f" * 38 + "/4-class-s42"], two_commits)
    assert grid._exp_ref("4-class-s42") == "refs/exps/00/" + "0" * 38 + "/4-class-s42"  # one: it is meant


def test_collecting_names_every_experiment_the_remote_lacks(two_commits, tmp_path):
    remote = tmp_path / "remote.git"
    run(["git", "clone", "-q", "--bare", str(two_commits), str(remote)], tmp_path)
    run(["git", "update-ref", grid.baseline_ref("4-class-s42"), "HEAD"], two_commits)
    run(["git", "push", "-q", str(remote), "refs/exps/*:refs/exps/*"], two_commits)
    with pytest.raises(NextgenreError, match=r"holds no experiment 6-class-s42, 3-class-attention-stress-s42 of"):
        grid_remote.collect(["4-class-s42", "6-class-s42", "3-class-attention-stress-s42"], str(remote))
