"""Run the paper's configurations (and the ablations) as DVC experiments and tabulate them.

    python experiments/grid.py paper                      # reports/paper_table.md
    python experiments/grid.py ablations                  # reports/ablations.md
    python experiments/grid.py all --seeds 42 43 44 -j 2  # both, over three seeds, two workers
    python experiments/grid.py paper -S synthetic.scale=0.05 -S train.epochs=5   # smaller

Each configuration x seed is queued with `dvc exp run --queue -n <config>-s<seed>`, run with
`dvc queue start -j N` (each worker gets cores/N threads), and read back from its experiment
ref; `dvc exp show` lists the same experiments.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import yaml

from nextgenre import grid
from nextgenre.outputs import atomic_file
from nextgenre.runner import run_stage
from nextgenre.sources import is_synthetic

SYNTHETIC_NOTE = (
    "**Synthetic data:** these numbers come from the synthetic stand-in and test "
    "the pipeline, not the paper's hypothesis.\n"
)


def write(path: Path, title: str, body: str, synthetic: bool, command: str, seconds: float) -> None:
    text = f"# {title}\n\n"
    if synthetic:
        text += SYNTHETIC_NOTE + "\n"
    text += f"Produced by `{command}` in {seconds / 60:.1f} minutes.\n\n{body}"
    with atomic_file(path) as tmp:
        tmp.write_text(text)
    print(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("grid", choices=["paper", "ablations", "all"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[42])
    parser.add_argument("-j", "--jobs", type=int, default=1, help="parallel queue workers")
    parser.add_argument(
        "-S",
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a setting for every experiment (e.g. synthetic.scale=0.05)",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="CONFIG",
        help="run just these configurations of the grid (e.g. 3c-plain 3c-attention)",
    )
    parser.add_argument("--out", type=Path, default=Path("reports"))
    args = parser.parse_args()

    extra = grid.parse_settings(args.set)
    params = yaml.safe_load(Path("params.yaml").read_text())
    synthetic = is_synthetic(extra.get("data.raw", params["data"]["raw"]))
    command = "python experiments/grid.py " + " ".join(sys.argv[1:])
    names = ["paper", "ablations"] if args.grid == "all" else [args.grid]

    configs = grid.select(names, args.only)

    started = time.perf_counter()
    queued = grid.queue_grid(configs, args.seeds, extra)
    grid.run_queue(args.jobs)
    seconds = time.perf_counter() - started
    comparisons = {q.name: grid.read_comparison(q.name) for q in queued}

    rows = [q for q in queued if q.config in grid.PAPER]
    if rows:
        write(
            args.out / "paper_table.md",
            "The paper's table, reproduced",
            grid.paper_table(rows, comparisons),
            synthetic,
            command,
            seconds,
        )
    rows = [q for q in queued if q.config in grid.ABLATIONS]
    if rows:
        body = grid.paper_table(rows, comparisons) + "\n" + grid.ablation_table(args.seeds, {q.config for q in rows})
        write(args.out / "ablations.md", "Ablations on the 3-class task", body, synthetic, command, seconds)


if __name__ == "__main__":
    run_stage(main)
