"""The `embed` stage script end to end on a small tracks.parquet fixture: outputs, metrics,
byte-identical reruns, bad lyrics, the dimension following the encoder, a missing encoder."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from tests.conftest import ROOT, set_params
from tests.tiny_roberta import HIDDEN, make_tiny_roberta

LYRICS = {
    "spotify.com/track/c": "I walk my dog down by the river, the puppy runs and barks all day",
    "spotify.com/track/a": "Money on my mind, the market's up, stocks and shares and gold",
    "spotify.com/track/e": "",
    "spotify.com/track/b": "the and of it",  # empty once stop words go
    "spotify.com/track/d": "love " * 50_000,  # huge
    "spotify.com/track/f": "cafÃ© naÃ¯ve \x00\x07 \u200b\u202e \U0001f3b6 la la la",  # mojibake etc.
}


def make_workdir(tmp_path: Path, **changes) -> Path:
    work = tmp_path / "work"
    (work / "data" / "interim").mkdir(parents=True)
    shutil.copy(ROOT / "params.yaml", work / "params.yaml")
    shutil.copy(ROOT / "dvc.yaml", work / "dvc.yaml")
    set_params(work / "params.yaml", {"embed.max_length": 64, "embed.batch_size": 4, **changes})
    tracks = pd.DataFrame({"track": list(LYRICS), "genre": "pop", "lyrics": list(LYRICS.values())})
    tracks.sort_values("track").to_parquet(work / "data/interim/tracks.parquet", index=False)
    return work


def run_stage(work: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "stages" / "embed.py")],
        cwd=work,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src"), "NEXTGENRE_THREADS": "2"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def outputs(work: Path) -> dict[str, bytes]:
    return {
        name: (work / name).read_bytes()
        for name in (
            "data/embeddings/vectors.npy",
            "data/embeddings/tracks.parquet",
            "data/embeddings/summary.json",
            "metrics/embed.json",
        )
    }


def test_stage_writes_vectors_index_and_metrics_reproducibly(tmp_path):
    work = make_workdir(tmp_path)
    first = run_stage(work)
    assert first.returncode == 0, first.stderr
    vectors = np.load(work / "data/embeddings/vectors.npy")
    index = pd.read_parquet(work / "data/embeddings/tracks.parquet")
    assert list(index.columns) == ["track"] and index["track"].tolist() == sorted(LYRICS)
    assert vectors.dtype == np.float32 and vectors.shape == (len(LYRICS), 384)
    assert np.isfinite(vectors).all()
    empty = {t for t in LYRICS if t.endswith(("/b", "/e"))}
    for row, track in enumerate(index["track"]):
        assert (not vectors[row].any()) == (track in empty), track

    summary = json.loads((work / "data/embeddings/summary.json").read_text())
    assert summary["tracks"] == len(LYRICS) and summary["dim"] == 384
    assert summary["encoder"] == "all-MiniLM-L6-v2" and len(summary["weights_sha256"]) == 64
    assert summary["empty_lyrics"] == 2
    assert summary["genre_probe"]["all"]["skipped"]  # one genre: nothing to tell apart
    # The metrics hold the probe's numbers only, and none where it was skipped.
    assert json.loads((work / "metrics/embed.json").read_text()) == {"genre_probe": {}}
    # The console says what it does before the progress bar, and the speed at the end.
    assert "embed: loading the encoder all-MiniLM-L6-v2" in first.stdout
    assert re.search(r"embed: 6 tracks, \d+ tokens in \d+ s \(\d+ texts/s, 2 threads\)", first.stdout), first.stdout
    assert not (work / "metrics/embed_speed.json").exists()

    before = outputs(work)
    second = run_stage(work)
    assert second.returncode == 0, second.stderr
    assert outputs(work) == before  # same input and params: same bytes


def test_dimension_follows_a_roberta_folder(tmp_path):
    folder = make_tiny_roberta(tmp_path / "tiny-roberta")
    work = make_workdir(tmp_path, **{"embed.model": str(folder)})
    proc = run_stage(work)
    assert proc.returncode == 0, proc.stderr
    assert np.load(work / "data/embeddings/vectors.npy").shape == (len(LYRICS), HIDDEN)
    summary = json.loads((work / "data/embeddings/summary.json").read_text())
    assert summary["dim"] == HIDDEN
    assert summary["encoder"] == "tiny-roberta"  # the folder's name, not a machine path
    assert str(tmp_path) not in (work / "data/embeddings/summary.json").read_text()


def test_missing_encoder_stops_at_once_and_writes_nothing(tmp_path):
    work = make_workdir(tmp_path, **{"embed.model": "nextgenre-test/missing-encoder"})
    start = time.perf_counter()
    proc = run_stage(work)
    assert proc.returncode == 2
    assert time.perf_counter() - start < 60  # interpreter start + imports; no network wait
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("error: encoder 'nextgenre-test/missing-encoder'") and "offline" in last
    assert not (work / "data/embeddings").exists() and not (work / "metrics").exists()
