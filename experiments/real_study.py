"""The study on real listening tweets (imported by real/dvc.yaml), as DVC experiments.

    python experiments/real_study.py search            # validation users only -> reports/real_lastfm_search.json
    python experiments/real_study.py final --seeds 42 43 44    # test users, once -> reports/real_lastfm.md

`search` runs the 6-class task (seed 42) once per setting of SEARCH, each a change of one knob
from the defaults, and ranks the settings by the validation accuracy of LSTM and GRU (mean of
the two, at each model's best epoch by val_loss). The test metrics those runs also compute are
not read. `final` takes the best setting and runs the 6-, 4- and 3-class tasks (LSTM, GRU and
every baseline) over the seeds, then writes the report with the data's own tables. Every run
is `-j 1` by default (the machine is shared); `-S` adds a setting to every experiment.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from nextgenre import grid
from nextgenre.cli import run_stage
from nextgenre.errors import NextgenreError
from nextgenre.outputs import atomic_file, write_json

RAW = "data/raw/lastfm"
COMMON = {"data.raw": RAW, "train.patience": 5}
SEARCH = {
    "search-default": {},
    "search-history5": {"features.history": 5},
    "search-history50": {"features.history": 50},
    "search-units32": {"model.units": 32},
    "search-dropout0.5": {"model.dropout": 0.5},
    "search-lr0.003": {"train.learning_rate": 0.003},
}
FINAL = {"real-6-class": {"features.classes": 6}, "real-4-class": {"features.classes": 4},
         "real-3-class": {"features.classes": 3}}
SEARCH_FILE = Path("reports/real_lastfm_search.json")


def search(jobs: int, extra: dict) -> dict:
    queued = grid.queue_grid(SEARCH, [42], {**COMMON, **extra})
    started = time.perf_counter()
    grid.run_queue(jobs)
    rows = {}
    for q in queued:
        val = {m: grid.read_best_val(q.name, m) for m in grid.MODELS}
        rows[q.config] = {"settings": SEARCH[q.config], "models": val,
                          "mean_val_accuracy": float(np.mean([v["val_accuracy"] for v in val.values()]))}
    best = max(rows, key=lambda c: rows[c]["mean_val_accuracy"])
    result = {"task": "6 classes, seed 42, validation users only", "common": {**COMMON, **extra},
              "minutes": (time.perf_counter() - started) / 60, "settings": rows, "best": best}
    write_json(SEARCH_FILE, result)
    print(json.dumps(result, indent=1))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("phase", choices=["search", "final"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 43, 44])
    parser.add_argument("-j", "--jobs", type=int, default=1)
    parser.add_argument("-S", "--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    extra = grid.parse_settings(args.set)
    if args.phase == "search":
        search(args.jobs, extra)
    else:
        if not SEARCH_FILE.exists():
            raise NextgenreError(f"{SEARCH_FILE} not found: run `python experiments/real_study.py search` first")
        final(json.loads(SEARCH_FILE.read_text()), args.seeds, args.jobs, extra,
              "python experiments/real_study.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    run_stage(main)
