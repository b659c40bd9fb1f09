"""Stage `features`: per-session input vectors, samples (history windows by index), user split.

Reads data/interim/{sessions,tweets}.parquet and data/embeddings/; writes data/processed/.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nextgenre.features import build_features
from nextgenre.outputs import atomic_dir
from nextgenre.params import stage_params
from nextgenre.processed import write_processed
from nextgenre.runner import run_stage


def main() -> None:
    params = stage_params("features")
    processed = build_features(
        pd.read_parquet("data/interim/sessions.parquet"),
        pd.read_parquet("data/interim/tweets.parquet"),
        pd.read_parquet("data/embeddings/tracks.parquet"),
        np.load("data/embeddings/vectors.npy"),
        params,
    )
    with atomic_dir("data/processed") as tmp:
        write_processed(tmp, processed)
    meta = processed.meta
    print(
        f"features: {meta['n_samples']} samples of {meta['n_sessions']} sessions, input_dim "
        f"{meta['input_dim']}, classes {meta['classes']}, per split {meta['samples_per_split']}"
    )


if __name__ == "__main__":
    run_stage(main, outputs=("data/processed",))
