"""Wall time of the test suite: `pytest` (the README's command, parallel workers from pyproject's
addopts) and `pytest -m "not e2e"`, and the slowest tests of each run.

    python benchmarks/bench_suite.py                    # both runs
    python benchmarks/bench_suite.py --runs full        # just `pytest`
    python benchmarks/bench_suite.py -- -n 0            # extra pytest arguments (here: no workers)
    python benchmarks/bench_suite.py --save times.json  # also keep every test's times

Per worker, it prints the seconds spent in tests (busy) and the seconds from the run's first test
to the worker's last one that it spent in none (idle, e.g. between work units or waiting for the
scheduler); a worker that waits for a shared fixture inside a test counts as busy.

CPU is user + system seconds of pytest and of every process it started, the detached `dvc queue`
workers of the grid tests included: this script adopts them (Linux's child subreaper) and, after
pytest ends, waits for any still running (a grid stops its own before it returns). Per test, CPU counts
the test's process and what it waited for, not the queue workers. The load average before and after
each run says whether the machine was shared: on a shared machine the wall times are inflated,
and CPU / wall shows how much of the cores the suite got. Writes reports/benchmarks/suite.md
(benchmarks/machine.py).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import write_report

ROOT = Path(__file__).resolve().parents[1]
RUNS = {"full": [], "not-e2e": ["-m", "not e2e"]}


PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h


def adopt_orphans() -> None:
    """Become the parent of this process's orphaned descendants (the detached `dvc queue` workers),
    so that their CPU counts in RUSAGE_CHILDREN once they are waited for."""
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def reap_orphans(timeout: float = 120.0) -> int:
    """Wait up to `timeout` s for the adopted descendants to end; how many were still running."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:  # none left
            return 0
        if pid == 0 and time.monotonic() > deadline:
            return len(Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split())
        if pid == 0:
            time.sleep(0.5)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_suite(args: list[str]) -> dict:
    """Run pytest with the suite_timer plugin; wall and CPU of the run and per-test times."""
    with tempfile.TemporaryDirectory() as tmp:
        times = Path(tmp) / "times.jsonl"
        times.touch()
        env = {
            **os.environ,
            "SUITE_TIMES": str(times),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "benchmarks"), os.environ.get("PYTHONPATH")])),
        }
        load, cpu, wall = os.getloadavg()[0], children_cpu(), time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "suite_timer", *args], cwd=ROOT, env=env, check=False
        )
        wall, load = time.perf_counter() - wall, (load, os.getloadavg()[0])
        left = reap_orphans()
        result = {
            "wall": wall,
            "cpu": children_cpu() - cpu,
            "load": load,
            "returncode": proc.returncode,
            "unreaped": left,
            "tests": [json.loads(line) for line in times.read_text().splitlines()],
        }
    return result


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {seconds % 60:04.1f} s"


def workers(tests: list[dict]) -> dict[str, tuple[int, float, float, float]]:
    """{worker: (tests, busy s, idle s, end s)} with times from the run's first test start."""
    t0 = min(t["start"] for t in tests)
    by_worker: dict[str, list[dict]] = {}
    for t in tests:
        by_worker.setdefault(t["worker"], []).append(t)
    result = {}
    for name, mine in sorted(by_worker.items()):
        busy = sum(t["wall"] for t in mine)
        end = max(t["start"] + t["wall"] for t in mine) - t0
        result[name] = (len(mine), busy, end - busy, end)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", nargs="+", choices=list(RUNS), default=list(RUNS))
    parser.add_argument("--slowest", type=int, default=10, help="how many of the slowest tests to list")
    parser.add_argument("--save", type=Path, help="write every test's times (JSON) to this file")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments, after --")
    args = parser.parse_args()

    adopt_orphans()
    results = {name: run_suite(RUNS[name] + args.pytest_args) for name in args.runs}

    lines = [
        f"Extra pytest arguments: {'`' + ' '.join(args.pytest_args) + '`' if args.pytest_args else 'none'}.",
        "",
        "| run | tests | wall | CPU (user + sys) | CPU / wall | load average before, after | exit |",
        "| --- | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for name, r in results.items():
        command = "pytest " + " ".join(RUNS[name]).replace("not e2e", '"not e2e"')
        lines.append(
            f"| `{command.strip()}` | {len(r['tests'])} | {minutes(r['wall'])} | {minutes(r['cpu'])} | "
            f"{r['cpu'] / r['wall']:.2f} | {r['load'][0]:.1f}, {r['load'][1]:.1f} | {r['returncode']} |"
        )
    for name, r in results.items():
        if r["unreaped"]:
            lines += ["", f"({name}: {r['unreaped']} processes it started still ran; their CPU is not counted)"]
    for name, r in results.items():
        lines += [
            "",
            f"Workers of `{name}` (seconds from the first test's start):",
            "",
            "| worker | tests | busy s | idle s | last test ends at s |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for worker, (count, busy, idle, end) in workers(r["tests"]).items():
            lines.append(f"| {worker} | {count} | {busy:.0f} | {idle:.0f} | {end:.0f} |")
    if args.save:
        args.save.write_text(json.dumps({name: r for name, r in results.items()}, indent=1))
    for name, r in results.items():
        lines += [
            "",
            f"The {args.slowest} slowest tests of `{name}` (wall includes waiting for a shared fixture):",
            "",
            "| test | wall s | CPU s |",
            "| --- | ---: | ---: |",
        ]
        for t in sorted(r["tests"], key=lambda t: -t["wall"])[: args.slowest]:
            lines.append(f"| {t['test']} | {t['wall']:.1f} | {t['cpu']:.1f} |")
    body = "\n".join(lines)
    write_report("suite", "The test suite", body)
    sys.exit(max(r["returncode"] for r in results.values()))


if __name__ == "__main__":
    main()
