"""Experiments spread over several machines, through DVC's own sharing of experiments.

A list of named experiments ({name: settings}: a grid's configurations x seeds, or the power
study's cells) is cut into N disjoint parts. Each machine runs its part as `dvc exp run` (queued,
`dvc queue start -j J`), then `dvc exp push` sends the experiments' git refs to a shared git
remote and their DVC-cached outputs and the run-cache to the DVC remote. A last machine pulls
every experiment back (`dvc exp pull`, with the run-cache) and writes the tables from the
experiment refs with the same functions as a run on one machine.

Every machine must run the same commit, with the same experiment list: the parts follow from the
list alone, and each experiment is pushed and pulled by its full ref under that commit, so an
experiment of the same name from another commit is never mixed in.
"""

from __future__ import annotations

import argparse
import time

from nextgenre import grid
from nextgenre.errors import NextgenreError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command-line options of a study that can run spread over machines."""
    spread = parser.add_mutually_exclusive_group()
    spread.add_argument(
        "--part",
        type=parse_part,
        metavar="K/N",
        help="run only part K of N of the experiments (every N-th, from the K-th), as one of N "
        "machines; writes no tables",
    )
    spread.add_argument(
        "--collect",
        metavar="GIT_REMOTE",
        help="run nothing: pull every experiment from GIT_REMOTE (dvc exp pull, outputs and "
        "run-cache from the DVC remote) and write the tables",
    )
    parser.add_argument(
        "--push",
        metavar="GIT_REMOTE",
        help="after running, push the experiments to GIT_REMOTE (dvc exp push), their outputs and "
        "the run-cache to the default DVC remote",
    )


def parse_part(text: str) -> tuple[int, int]:
    """'K/N' as (K, N), with 1 <= K <= N."""
    index, _, count = text.partition("/")
    if not (index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise argparse.ArgumentTypeError(f"a part is K/N with 1 <= K <= N (e.g. 2/4), not {text!r}")
    return int(index), int(count)


def part(named: dict[str, dict], index: int, count: int) -> dict[str, dict]:
    """Part `index` of `count` (from 1): every `count`-th experiment from the `index`-th, in the
    list's order. The parts are disjoint, together hold every experiment, differ in size by one
    at most, and mix the configurations (a grid lists each configuration's seeds together)."""
    return dict(list(named.items())[index - 1 :: count])


def execute(named: dict[str, dict], args: argparse.Namespace, command: str) -> str | None:
    """Run the experiments as the options say (`add_arguments`, and the command's `-j` as
    `args.jobs`): all of them on this machine, one part of them, or none (`--collect`: pull
    them). Returns the sentence that says where the tables' numbers come from, or None when this
    machine ran only a part (no tables then)."""
    started = time.perf_counter()
    if args.collect:
        if args.push:
            raise NextgenreError("--push goes with running experiments, not with --collect")
        collect(list(named), args.collect)
        return f"Collected by `{command}` from {len(named)} experiments run as parts on separate machines."
    here = part(named, *args.part) if args.part else named
    if not here:
        print(f"part {args.part[0]}/{args.part[1]} has no experiment: the list holds {len(named)}")
        return None
    if args.part:
        fetch_run_cache()
    grid.queue_experiments(here, pull=bool(args.part))
    grid.run_queue(args.jobs)
    if args.push:
        push(list(here), args.push)
    if args.part:
        print(f"part {args.part[0]}/{args.part[1]} ran {', '.join(here)}")
        return None
    return f"Produced by `{command}` in {(time.perf_counter() - started) / 60:.1f} minutes."


def fetch_run_cache() -> None:
    """The DVC remote's run history, and whatever of this commit's outputs it holds, into the
    local cache (nothing is checked out): a part then takes the stages that its experiments do
    not change from there, and restores a stage whose outputs are all DVC-cached when any machine
    already ran it with the same inputs. (DVC pushes no `cache: false` output with a run-cache
    entry, so stages with such metrics or logs run again on another machine.)"""
    grid._run("dvc", "fetch", "--run-cache")


def push(names: list[str], git_remote: str) -> None:
    """Push the experiments (their refs under this commit) to `git_remote`, their DVC-cached
    outputs and this machine's run-cache to the default DVC remote; an experiment of the same
    name that the remote already holds for this commit is replaced."""
    refs = [grid.baseline_ref(name) for name in names]
    grid._run("dvc", "exp", "push", "--force", "--run-cache", git_remote, *refs)


def collect(names: list[str], git_remote: str) -> None:
    """Pull the named experiments of this commit from `git_remote`, with their DVC-cached outputs
    and the run-cache; fail naming every experiment that the remote lacks."""
    refs = [grid.baseline_ref(name) for name in names]
    held = set(grid._run("git", "ls-remote", git_remote, "refs/exps/*").split())
    missing = [name for name, ref in zip(names, refs) if ref not in held]
    if missing:
        raise NextgenreError(
            f"{git_remote} holds no experiment {', '.join(missing)} of this commit: did every part "
            "run to the end and push?"
        )
    grid._run("dvc", "exp", "pull", "--force", "--run-cache", git_remote, *refs)
