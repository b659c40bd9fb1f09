"""Stage `embed`: one lyrics vector per track. Reads data/interim/tracks.parquet; writes
data/embeddings/{vectors.npy,tracks.parquet}, metrics/embed.json (what was encoded, by which
encoder, and a genre probe of the vectors (nextgenre.probe): the same bytes on every run) and
metrics/embed_speed.json (wall-clock figures, which vary from run to run and so are kept out of
the stage's outputs and dvc.lock). See README "Lyrics embeddings"."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from nextgenre.encoder import load_encoder
from nextgenre.errors import NextgenreError
from nextgenre.outputs import atomic_outputs, out_dir, out_file, write_json
from nextgenre.params import stage_params
from nextgenre.probe import genre_probe
from nextgenre.runner import run_stage
from nextgenre.text import clean_all
from nextgenre.threads import threads

TRACKS = Path("data/interim/tracks.parquet")
OUT = Path("data/embeddings")
METRICS = Path("metrics/embed.json")
SPEED = Path("metrics/embed_speed.json")


def encoder_label(name: str, folder: Path) -> str:
    """The encoder's name for the metrics: a hub id or alias as given, a local folder by its name
    (no absolute machine paths in outputs)."""
    return folder.name if Path(name).expanduser().is_dir() else name


def main() -> None:
    params = stage_params("embed")["embed"]
    if not TRACKS.is_file():
        raise NextgenreError(f"{TRACKS}: not found (run `dvc repro ingest` first)")
    tracks = pd.read_parquet(TRACKS, columns=["track", "genre", "lyrics"])
    tracks = tracks.drop_duplicates("track").sort_values("track", kind="stable").reset_index(drop=True)

    encoder = load_encoder(params["model"])
    start = time.perf_counter()
    # Each word is at least one token, so max_length words are enough for max_length tokens.
    texts = clean_all(tracks["lyrics"].tolist(), params["clean"], max_words=params["max_length"])
    vectors, tokens = encoder.encode_counted(texts, params["max_length"], params["batch_size"], progress=True)
    seconds = time.perf_counter() - start

    with atomic_outputs(out_dir(OUT), out_file(METRICS), out_file(SPEED)) as (tmp, metrics, speed):
        np.save(tmp / "vectors.npy", vectors)
        tracks[["track"]].to_parquet(tmp / "tracks.parquet", index=False)
        write_json(
            metrics,
            {
                "tracks": len(tracks),
                "dim": encoder.dim,
                "encoder": encoder_label(params["model"], encoder.folder),
                "weights_sha256": encoder.weights_sha256,
                "empty_lyrics": sum(1 for t in texts if not t.strip()),
                "tokens": tokens,
                "genre_probe": genre_probe(vectors, tracks["genre"].to_numpy()),
            },
        )
        write_json(
            speed,
            {
                "threads": threads(),
                "seconds": seconds,
                "texts_per_second": len(tracks) / seconds if seconds else 0.0,
                "tokens_per_second": tokens / seconds if seconds else 0.0,
            },
        )


if __name__ == "__main__":
    run_stage(main, outputs=(OUT, METRICS, SPEED))
