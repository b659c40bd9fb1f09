"""Benchmark: wall time of an experiment grid with 1 and with 2 parallel queue workers.

    python benchmarks/bench_grid.py --grid paper --jobs 1 2 -S synthetic.scale=0.1

For each worker count the benchmark makes a fresh clone of this repository's HEAD (its own DVC
cache, so no run is restored from another's cache), writes the -S settings into the clone's
params.yaml, runs `dvc repro embed` there so that the stages every configuration shares
(synthesize, ingest, embed) are in the run-cache as they are after a researcher's `dvc repro`
(not timed), and then times `python experiments/grid.py <grid> -j N`. The worker counts run one
after another, never side by side. Run it on a quiet machine. Writes reports/benchmarks/grid.md
(benchmarks/machine.py).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from machine import write_report  # noqa: E402

from nextgenre import grid  # noqa: E402
from nextgenre.params import set_params  # noqa: E402


def sh(cmd: list[str], cwd: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(cwd / "src"), "DVC_NO_ANALYTICS": "1"}
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed in {cwd}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")


def fresh_clone(dest: Path, settings: dict) -> Path:
    sh(["git", "clone", "-q", str(ROOT), str(dest)], ROOT)
    set_params(dest / "params.yaml", settings)
    sh(
        [
            "git",
            "-c",
            "user.name=bench",
            "-c",
            "user.email=bench@example.invalid",
            "commit",
            "-q",
            "-am",
            "benchmark settings",
        ],
        dest,
    )
    sh(["dvc", "repro", "embed"], dest)
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", choices=["paper", "ablations", "all"], default="paper")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seeds", type=int, nargs="+", default=[42])
    parser.add_argument("-S", "--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    settings = grid.parse_settings(args.set)
    n_experiments = len(grid.select(["paper", "ablations"] if args.grid == "all" else [args.grid]))
    n_experiments *= len(args.seeds)

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-grid-") as tmp:
        for jobs in args.jobs:
            clone = fresh_clone(Path(tmp) / f"j{jobs}", settings)
            started = time.perf_counter()
            sh(
                [sys.executable, "experiments/grid.py", args.grid, "-j", str(jobs), "--seeds", *map(str, args.seeds)],
                clone,
            )
            rows.append((jobs, grid.threads_per_worker(jobs), time.perf_counter() - started))

    base = rows[0][2]
    lines = [
        f"Grid `{args.grid}`, {n_experiments} experiments, settings {settings or 'params.yaml'}; each worker "
        "count in a fresh clone of its own (synthesize, ingest and embed run before the clock starts).",
        "",
        "| workers (-j) | threads per worker | wall time (min) | min per experiment | vs -j 1 |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for jobs, threads, seconds in rows:
        lines.append(
            f"| {jobs} | {threads} | {seconds / 60:.1f} | {seconds / 60 / n_experiments:.2f} | {seconds / base:.2f}x |"
        )
    body = "\n".join(lines)
    write_report("grid", "A grid with 1 and with 2 parallel queue workers", body)


if __name__ == "__main__":
    main()
