"""How much does a model's window limit the ceiling? For each experiment named (synthetic data),
on the report's own test samples: the from-history ceiling that sees each user's whole history, the
report's ceiling, which sees only what a model's window holds (the last features.history sessions),
and each model's headroom share against both. (Experiments whose report predates the window
ceiling gave the whole-history one.)

    python experiments/window_ceiling.py scale1-lyrics-strong-plain-s1 [more experiments]

Prints a Markdown table of point estimates (the report gives the window share's interval).
"""

from __future__ import annotations

import argparse
import tempfile

import numpy as np
import yaml

from nextgenre import grid
from nextgenre.headroom import TRUTH_INPUTS, truth_correct
from nextgenre.registry import label
from nextgenre.runner import run_stage


def share(model: np.ndarray, best: np.ndarray, ceiling: np.ndarray) -> float:
    return float((model.astype(float) - best).sum() / (ceiling.astype(float) - best).sum())


def experiment_row(name: str) -> str:
    params = yaml.safe_load(grid.read_git_file(name, "params.yaml"))
    best_name = grid.read_comparison(name)["best_baseline"]["name"]
    predictions = {m: grid.read_table(name, f"data/predictions/{m}.parquet") for m in grid.MODELS}
    first = next(iter(predictions.values()))
    targets, y_true = first["target"].to_numpy(), first["y_true"].to_numpy()
    best = grid.read_baseline_correct(name, best_name, targets).astype(float)
    with tempfile.TemporaryDirectory() as root:
        grid.copy_outputs(name, TRUTH_INPUTS, root)
        whole = truth_correct(root, params, targets, y_true, whole_history=True)["ceiling"]
        seen = truth_correct(root, params, targets, y_true)["ceiling"]
    cells = [name, f"{len(targets):,}", f"{best_name} {best.mean():.3f}", f"{whole.mean():.3f}", f"{seen.mean():.3f}"]
    for p in predictions.values():
        assert np.array_equal(p["target"].to_numpy(), targets)
        right = (p["y_pred"] == p["y_true"]).to_numpy()
        cells.append(f"{right.mean():.3f}: {share(right, best, whole):.2f} / {share(right, best, seen):.2f}")
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiments", nargs="+")
    args = parser.parse_args()
    models = " | ".join(f"{label(m)}: accuracy, share whole / window" for m in grid.MODELS)
    print(f"| experiment | test samples | best baseline | ceiling, whole history | ceiling, window | {models} |")
    print("| --- | ---: | --- | ---: | ---: |" + " --- |" * len(grid.MODELS))
    for name in args.experiments:
        print(experiment_row(name))


if __name__ == "__main__":
    run_stage(main)
