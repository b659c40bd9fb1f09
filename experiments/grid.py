"""Run the paper's configurations (and the ablations) as DVC experiments and tabulate them.

    python experiments/grid.py paper                      # reports/paper_table.md
    python experiments/grid.py ablations                  # reports/ablations.md
    python experiments/grid.py all --seeds 42 43 44 -j 2  # both, over three seeds, two workers
    python experiments/grid.py paper -S synthetic.scale=0.05 -S train.epochs=5   # smaller

Each configuration x seed is queued with `dvc exp run --queue -n <config>-s<seed>`, run with
`dvc queue start -j N` (each worker gets cores/N threads), and read back from its experiment
ref; `dvc exp show` lists the same experiments.

Spread over machines (docs/experiments.md, "A grid across N machines"; .github/workflows/grid.yml), all on
the same commit with the same arguments:

    python experiments/grid.py all --seeds 42 43 44 --part 2/4 --push origin   # on machine 2 of 4
    python experiments/grid.py all --seeds 42 43 44 --collect origin           # then, anywhere
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from nextgenre import grid, grid_remote
from nextgenre.outputs import atomic_file
from nextgenre.provenance import PIPELINE, record
from nextgenre.runner import run_stage
from nextgenre.sources import is_synthetic

SYNTHETIC_NOTE = (
    "**Synthetic data:** these numbers come from the synthetic stand-in and test "
    "the pipeline, not the paper's hypothesis.\n"
)


def write(path: Path, title: str, body: str, synthetic: bool, provenance: str, command: str) -> None:
    text = f"# {title}\n\n"
    if synthetic:
        text += SYNTHETIC_NOTE + "\n"
    text += f"{provenance}\n\n{body}"
    with atomic_file(path) as tmp:
        tmp.write_text(text)
    record(path, command, ["experiments/grid.py", *PIPELINE])  # reports/provenance.yaml
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
    grid_remote.add_arguments(parser)
    args = parser.parse_args()

    extra = grid.parse_settings(args.set)
    params = yaml.safe_load(Path("params.yaml").read_text())
    synthetic = is_synthetic(extra.get("data.raw", params["data"]["raw"]))
    command = "python experiments/grid.py " + " ".join(sys.argv[1:])
    names = ["paper", "ablations"] if args.grid == "all" else [args.grid]

    configs = grid.select(names, args.only)
    provenance = grid_remote.execute(grid.experiments(configs, args.seeds, extra), args, command)
    if provenance is None:  # this machine ran one part of the grid
        return
    for file, (title, body) in grid.tables(grid.plan(configs, args.seeds), args.seeds).items():
        write(args.out / file, title, body, synthetic, provenance, command)


if __name__ == "__main__":
    run_stage(main)
