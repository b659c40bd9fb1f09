"""Stage `ingest`: check the raw folder (data.raw), find music sessions, score stress, pseudonymise.

Writes data/interim/{sessions,tweets,tracks}.parquet, data/ingest.json and plots/data/*.png.
Everything is read and checked before anything is written: a broken raw folder stops the stage
with one message naming file, row and column, and nothing half written is left. Run directly
(`python stages/ingest.py`), a failure leaves the earlier outputs as they were; under `dvc repro`
DVC removes a stage's outputs before it runs the stage, so there a failure leaves none.
"""

from __future__ import annotations

from pathlib import Path

from nextgenre.errors import printable
from nextgenre.ingest import build
from nextgenre.outputs import atomic_outputs, out_dir, out_file, write_json
from nextgenre.params import stage_params
from nextgenre.plots.data import write_data_plots
from nextgenre.pseudonym import pseudonym_key
from nextgenre.rawfile import Limits
from nextgenre.runner import run_stage
from nextgenre.schema import read_raw
from nextgenre.sources import is_synthetic

OUTPUTS = (out_dir("plots/data"), out_dir("data/interim"), out_file("data/ingest.json"))


def main() -> None:
    params = stage_params("ingest")
    raw = params["data"]["raw"]
    checked = read_raw(raw, Limits.from_params(params["data"]))  # the data first: its errors first
    result = build(checked, pseudonym_key(raw, fingerprint=params["data"]["key_fingerprint"]))

    # All three outputs are written to temporary paths, then put in place as one unit.
    with atomic_outputs(*OUTPUTS) as (plots, interim, summary):
        write_data_plots(result.metrics, plots, source=raw, synthetic=is_synthetic(raw))
        for name in ("sessions", "tweets", "tracks"):
            getattr(result, name).to_parquet(Path(interim) / f"{name}.parquet", index=False)
        write_json(summary, result.metrics)
    print(
        f"ingest: {result.metrics['sessions']} sessions, {result.metrics['ordinary_tweets']} "
        f"ordinary tweets, {result.metrics['tracks']} tracks from {printable(raw)}"
    )


if __name__ == "__main__":
    run_stage(main, outputs=[o.path for o in OUTPUTS])
