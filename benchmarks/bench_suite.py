"""Wall time of the test suite: `pytest` (the README's command, parallel workers from pyproject's
addopts) and `pytest -m "not e2e"`, and the slowest tests of each run.

    python benchmarks/bench_suite.py                    # both runs
    python benchmarks/bench_suite.py --runs full        # just `pytest`
    python benchmarks/bench_suite.py -- -n 0            # extra pytest arguments (here: no workers)

CPU is user + system seconds of pytest and every process it waited for (the `dvc queue` workers
of the grid tests detach, so their training is not counted). The load average before and after
each run says whether the machine was shared: on a shared machine the wall times are inflated,
and CPU / wall shows how much of the cores the suite got.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = {"full": [], "not-e2e": ["-m", "not e2e"]}


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
        result = {
            "wall": time.perf_counter() - wall,
            "cpu": children_cpu() - cpu,
            "load": (load, os.getloadavg()[0]),
            "returncode": proc.returncode,
            "tests": [json.loads(line) for line in times.read_text().splitlines()],
        }
    return result


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {seconds % 60:04.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", nargs="+", choices=list(RUNS), default=list(RUNS))
    parser.add_argument("--slowest", type=int, default=10, help="how many of the slowest tests to list")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments, after --")
    args = parser.parse_args()

    results = {name: run_suite(RUNS[name] + args.pytest_args) for name in args.runs}

    print(f"\nTest suite on {os.cpu_count()} cores; extra pytest arguments: {args.pytest_args or 'none'}")
    print("| run | tests | wall | CPU (user + sys) | CPU / wall | load average before, after | exit |")
    print("| --- | ---: | ---: | ---: | ---: | --- | ---: |")
    for name, r in results.items():
        command = "pytest " + " ".join(RUNS[name]).replace("not e2e", '"not e2e"')
        print(
            f"| `{command.strip()}` | {len(r['tests'])} | {minutes(r['wall'])} | {minutes(r['cpu'])} | "
            f"{r['cpu'] / r['wall']:.2f} | {r['load'][0]:.1f}, {r['load'][1]:.1f} | {r['returncode']} |"
        )
    for name, r in results.items():
        print(f"\nThe {args.slowest} slowest tests of `{name}` (wall includes waiting for a shared fixture):")
        print("| test | wall s | CPU s |")
        print("| --- | ---: | ---: |")
        for t in sorted(r["tests"], key=lambda t: -t["wall"])[: args.slowest]:
            print(f"| {t['test']} | {t['wall']:.1f} | {t['cpu']:.1f} |")
    sys.exit(max(r["returncode"] for r in results.values()))


if __name__ == "__main__":
    main()
