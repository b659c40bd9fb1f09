"""Benchmark: the whole `dvc repro` from a fresh clone, stage by stage.

    python benchmarks/bench_repro.py                       # fresh venv (README's install line), scale 1.0
    python benchmarks/bench_repro.py --venv current -S synthetic.scale=0.02   # a quick check

Clones the repository (default: this one, at HEAD) into a temporary folder, with `shared`
beside the clone linked to the `../shared` beside the repository where there is one (the
real-data copies; the default pipeline does not read them). `--venv fresh` (the default) times
the README's quick-start install line in the clone; `--venv current` runs the clone's code with
this interpreter's packages instead (saves the install). -S settings are written into the
clone's params.yaml. Then it runs `dvc repro` and prints the wall time of every stage, taken
from the moment DVC announces it ("Running stage ...") to the next announcement or the end, so a
stage's time includes DVC hashing and caching its outputs, and the total. NEXTGENRE_THREADS
passes through. Run the full one on a quiet machine. Writes reports/benchmarks/repro.md
(benchmarks/machine.py), which says which machine it ran on.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
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

STAGE = re.compile(r"^Running stage '([^']+)'")


def install_line(readme: Path) -> str:
    """The README's quick-start command up to the first `dvc repro`: the install alone."""
    for line in readme.read_text().splitlines():
        if line.startswith("python3.11 -m venv"):
            return re.split(r"\s*&&\s*dvc repro", line)[0]
    sys.exit(f"{readme}: no quick-start line starting with 'python3.11 -m venv'")


def sh(cmd, cwd: Path, env: dict, shell: bool = False) -> float:
    """Run cmd; return its wall time in seconds; stop with its output if it fails."""
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, shell=shell, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{cmd if shell else ' '.join(cmd)} failed in {cwd}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return time.perf_counter() - started


def timed_repro(clone: Path, env: dict) -> list[tuple[str, float]]:
    """Run `dvc repro`, echoing its output; (stage, wall s) in the order DVC ran them."""
    proc = subprocess.Popen(
        ["dvc", "repro"], cwd=clone, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    marks, started = [], time.perf_counter()
    for line in proc.stdout:
        sys.stdout.write(line)
        found = STAGE.match(line)
        if found:
            marks.append((found.group(1), time.perf_counter()))
    if proc.wait() != 0:
        sys.exit(f"dvc repro failed in {clone} (exit {proc.returncode})")
    ends = [t for _, t in marks[1:]] + [time.perf_counter()]
    stages = [(name, end - t) for (name, t), end in zip(marks, ends)]
    return [("(dvc before the first stage)", (marks[0][1] if marks else ends[-1]) - started), *stages]


def table(stages, install, commit, args, settings) -> str:
    """The per-stage wall times as a markdown table, the total, and the install where timed."""
    total = sum(seconds for _, seconds in stages)
    lines = [
        f"`dvc repro` in a fresh clone at commit `{commit}`, settings {settings or 'params.yaml'}, "
        f"venv {args.venv}, NEXTGENRE_THREADS={os.environ.get('NEXTGENRE_THREADS', 'unset')}.",
        "",
        "| stage | wall time (s) | share |",
        "| --- | ---: | ---: |",
        *(f"| {name} | {seconds:.1f} | {seconds / total:.0%} |" for name, seconds in stages),
        f"| **dvc repro** | **{total:.1f}** ({total / 60:.1f} min) | 100% |",
    ]
    if install is not None:
        lines.append(f"| install (README line) | {install:.1f} | |")
        lines.append(f"| **install + dvc repro** | **{install + total:.1f}** ({(install + total) / 60:.1f} min) | |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=ROOT, help="the repository to clone (default: this one)")
    parser.add_argument("--rev", default="HEAD", help="the commit to check out (default: HEAD)")
    parser.add_argument("--venv", choices=["fresh", "current"], default="fresh")
    parser.add_argument("-S", "--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    args = parser.parse_args()
    settings = grid.parse_settings(args.set)

    tmp = Path(tempfile.mkdtemp(prefix="bench-repro-"))
    try:
        clone = tmp / "nextgenre"
        env = {**os.environ, "DVC_NO_ANALYTICS": "1", "PYTHONUNBUFFERED": "1"}
        sh(["git", "clone", "-q", str(args.repo.resolve()), str(clone)], tmp, env)
        sh(["git", "checkout", "-q", args.rev], clone, env)
        shared = args.repo.resolve().parent / "shared"
        if shared.is_dir():
            (tmp / "shared").symlink_to(shared)
        if settings:
            set_params(clone / "params.yaml", settings)
        install = None
        if args.venv == "fresh":  # this interpreter's venv off PATH: the clone makes its own
            ours = str(Path(sys.executable).parent)
            path = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != ours)
            install = sh(install_line(clone / "README.md"), clone, {**env, "PATH": path}, shell=True)
            bin_dir = clone / ".venv" / "bin"
        else:
            bin_dir = Path(sys.executable).parent
            env["PYTHONPATH"] = str(clone / "src")  # the clone's code, not this checkout's
        env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
        env.pop("VIRTUAL_ENV", None)
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=clone, capture_output=True, text=True, check=True
        ).stdout.strip()
        body = table(timed_repro(clone, env), install, commit, args, settings)  # before the slow clean-up
        print(body)
        write_report("repro", "The whole study from a fresh clone", body)
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
