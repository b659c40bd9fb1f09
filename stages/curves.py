"""Stage `curves`: every model's training curves, kept in git.

train@<model> logs each epoch through dvclive into dvclive/train/<model>/plots/ (a DVC-cached
output, so the training stays in DVC's run-cache). This stage copies those curves to
plots/training/<model>/{train,eval}/{loss,accuracy}.tsv, an output kept in git, which the
top-level charts "Training loss" and "Training accuracy" draw: a clone with an empty DVC cache
shows main's curves in `dvc plots show` and `dvc plots diff main`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from nextgenre.errors import NextgenreError
from nextgenre.outputs import atomic_outputs, out_dir
from nextgenre.params import stage_params
from nextgenre.registry import MODELS
from nextgenre.runner import run_stage

CURVES = Path("plots/training")
SPLITS, METRICS = ("train", "eval"), ("loss", "accuracy")


def logged(model: str, split: str, metric: str) -> Path:
    """Where dvclive's Keras callback writes one curve of `model`'s training."""
    return Path("dvclive/train") / model / "plots/metrics" / split / f"{metric}.tsv"


def main() -> None:
    stage_params("curves")  # params.yaml checked like every stage's; this one reads no setting
    missing = [str(logged(m, s, k)) for m in MODELS for s in SPLITS for k in METRICS if not logged(m, s, k).is_file()]
    if missing:
        raise NextgenreError(f"{missing[0]}: not found (run `dvc repro train` first)")
    with atomic_outputs(out_dir(CURVES)) as (tmp,):
        for model in MODELS:
            for split in SPLITS:
                (tmp / model / split).mkdir(parents=True)
                for metric in METRICS:
                    shutil.copyfile(logged(model, split, metric), tmp / model / split / f"{metric}.tsv")
    print(f"curves: the training curves of {', '.join(MODELS)} -> {CURVES}/")


if __name__ == "__main__":
    run_stage(main, outputs=(CURVES,))
