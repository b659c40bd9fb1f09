"""Stage `embed`: one lyrics vector per track. Reads data/interim/tracks.parquet; writes
data/embeddings/{vectors.npy,tracks.parquet,summary.json} (summary: what was encoded, by which
encoder, and the genre probe of the vectors, nextgenre.probe) and metrics/embed.json (the probe's
accuracies only: the same bytes on every run). The speed is printed, not stored: wall-clock
figures vary from run to run (benchmarks/bench_embed.py measures it). See README "Lyrics
embeddings"."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from nextgenre.errors import NextgenreError
from nextgenre.outputs import atomic_outputs, out_dir, out_file, write_json
from nextgenre.params import stage_params
from nextgenre.probe import genre_probe, probe_metrics
from nextgenre.runner import run_stage
from nextgenre.text import clean_all
from nextgenre.threads import threads

TRACKS = Path("data/interim/tracks.parquet")
OUT = Path("data/embeddings")
METRICS = Path("metrics/embed.json")


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

    print(f"embed: loading the encoder {params['model']} ...", flush=True)
    from nextgenre.encoder import load_encoder

    encoder = load_encoder(params["model"])
    clean = ", ".join(k for k, on in params["clean"].items() if on) or "nothing"
    print(f"embed: cleaning {len(tracks)} lyrics ({clean}) and tokenising ...", flush=True)
    start = time.perf_counter()
    # Each word is at least one token, so max_length words are enough for max_length tokens.
    texts = clean_all(tracks["lyrics"].tolist(), params["clean"], max_words=params["max_length"])
    vectors, tokens = encoder.encode_counted(texts, params["max_length"], params["batch_size"], progress=True)
    seconds = time.perf_counter() - start

    probe = genre_probe(vectors, tracks["genre"].to_numpy())
    probed = probe_metrics(probe)
    summary = {
        "tracks": len(tracks),
        "dim": encoder.dim,
        "encoder": encoder_label(params["model"], encoder.folder),
        "weights_sha256": encoder.weights_sha256,
        "empty_lyrics": sum(1 for t in texts if not t.strip()),
        "tokens": tokens,
        "genre_probe": probe,
    }
    with atomic_outputs(out_dir(OUT), out_file(METRICS)) as (tmp, metrics):
        np.save(tmp / "vectors.npy", vectors)
        tracks[["track"]].to_parquet(tmp / "tracks.parquet", index=False)
        write_json(tmp / "summary.json", summary)
        write_json(metrics, probed)
    probes = [f"{k} {v['accuracy']:.3f} (majority {v['majority']:.3f})" for k, v in probed["genre_probe"].items()]
    print(
        f"embed: {len(tracks)} tracks, {tokens} tokens in {seconds:.0f} s ({len(tracks) / max(seconds, 1e-9):.0f} "
        f"texts/s, {threads()} threads) -> {OUT}/ ({encoder.dim} dimensions); genre probe "
        + (", ".join(probes) or "skipped")
    )


if __name__ == "__main__":
    run_stage(main, outputs=(OUT, METRICS))
