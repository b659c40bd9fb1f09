"""The machine a benchmark ran on, and the one way a benchmark writes its report.

Every benchmark writes `reports/benchmarks/<name>.md` through `write_report`: the table it
measured, the command that made it, and the machine (CPU model, cores, memory, and this
machine's plain float32 matmul rate measured in the same run), so that a figure is never read
without the machine that gave it; and records the commit and command in reports/provenance.yaml
(nextgenre.provenance). The docs include these files; hand-written prose carries no
timings.
"""

from __future__ import annotations

import os
import platform
import shlex
import sys
import time
from pathlib import Path

import numpy as np

REPORTS = Path(__file__).resolve().parents[1] / "reports" / "benchmarks"


def cpu_model() -> str:
    """The CPU's model name as the kernel reports it (platform's guess elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gib() -> float | None:
    """Total memory in GiB (None where /proc/meminfo is absent)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return None


def matmul_gflops(size: int = 1024, repeats: int = 5) -> float:
    """Best plain float32 matmul rate (numpy, all cores) on square matrices, in GFLOP/s."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    a @ b  # warm-up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best / 1e9


def machine_lines() -> list[str]:
    """Markdown bullet lines that describe this machine, the matmul rate measured now."""
    mem = memory_gib()
    return [
        f"- CPU: {cpu_model()}, {os.cpu_count()} cores" + (f", {mem:.0f} GiB memory" if mem else ""),
        f"- plain float32 matmul (numpy, 1024 x 1024, best of 5): {matmul_gflops():.1f} GFLOP/s",
        f"- Python {platform.python_version()} on {platform.system()} {platform.machine()}",
    ]


def write_report(name: str, title: str, body: str, argv: list[str] | None = None) -> Path:
    """Write reports/benchmarks/<name>.md (title, the command, the machine, then `body`, markdown) and
    print the body."""
    argv = sys.argv if argv is None else argv
    script = os.path.relpath(argv[0], REPORTS.parents[1])
    command = "python " + shlex.join([script, *argv[1:]])
    text = "\n".join(
        [
            f"# {title}",
            "",
            "Written by a benchmark script; re-make it with the command below.",
            "",
            f"Command: `{command}`",
            "",
            "Machine:",
            "",
            *machine_lines(),
            "",
            body.rstrip(),
            "",
        ]
    )
    REPORTS.mkdir(parents=True, exist_ok=True)
    path = REPORTS / f"{name}.md"
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    tmp.replace(path)
    from nextgenre.provenance import PIPELINE, record  # every benchmark has src/ on sys.path

    record(path, command, [script, "benchmarks/machine.py", *PIPELINE], root=REPORTS.parents[1])
    print(body.rstrip())
    print(f"wrote {path.relative_to(REPORTS.parents[1])}")
    return path
