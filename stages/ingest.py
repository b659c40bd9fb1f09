"""Stage `ingest`: check the raw folder (data.raw), find music sessions, score stress, pseudonymise.

Writes data/interim/{sessions,tweets,tracks}.parquet, metrics/data.json and plots/data/*.png.
Everything is read and checked before anything is written: a broken raw folder stops the stage
with one message naming file, row and column, and nothing half written is left. Run directly
(`python stages/ingest.py`), a failure leaves the earlier outputs as they were; under `dvc repro`
DVC removes a stage's outputs before it runs the stage, so there a failure leaves none.
"""

from __future__ import annotations

from pathlib import Path

from nextgenre.runner import run_stage
from nextgenre.ingest import ingest
from nextgenre.outputs import atomic_dir, atomic_file, write_json
from nextgenre.params import stage_params
from nextgenre.plots.data import write_data_plots
from nextgenre.sources import is_synthetic
from nextgenre.pseudonym import pseudonym_key


def main() -> None:
    params = stage_params("ingest")
    raw = params["data"]["raw"]
    result = ingest(raw, pseudonym_key(raw))

    # All three outputs are written to temporary paths first and put in place only when all
    # are written: a failure part way leaves no output half written (see the docstring).
    with (atomic_dir("plots/data") as plots, atomic_dir("data/interim") as interim,
          atomic_file("metrics/data.json") as metrics):
        write_data_plots(result.metrics, plots, source=raw, synthetic=is_synthetic(raw))
        for name in ("sessions", "tweets", "tracks"):
            getattr(result, name).to_parquet(Path(interim) / f"{name}.parquet", index=False)
        write_json(metrics, result.metrics)
    print(f"ingest: {result.metrics['sessions']} sessions, {result.metrics['ordinary_tweets']} "
          f"ordinary tweets, {result.metrics['tracks']} tracks from {raw}")


if __name__ == "__main__":
    run_stage(main, outputs=("data/interim", "metrics/data.json", "plots/data"))
