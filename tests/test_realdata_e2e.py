"""End to end on a slice of the real Last.fm archive in ../shared/data (beside the repository):
import -> ingest -> features -> a tiny training. Skipped when the archive is absent, except
under CI=true, where it must run."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from nextgenre.features import build_features
from nextgenre.ingest import ingest
from nextgenre.params import load_params
from nextgenre.realdata.archive import read_archive
from nextgenre.realdata.importer import import_archives, write_raw
from tests.conftest import ROOT
from tests.realdata_fixtures import write_archive

SHARED = ROOT.parent / "shared" / "data"
ARCHIVE = SHARED / "twitter-ratings" / "all_tweets_lastfm.7z"
GENRES = SHARED / "spotify-artist-genres" / "data_w_genres.csv"
SLICE = 6000  # lines of the archive
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def shared_files():
    if not (ARCHIVE.is_file() and GENRES.is_file()):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{ARCHIVE} or {GENRES} missing: CI must have ../shared/data")
        pytest.skip("the public archives are not in ../shared/data")
    return ARCHIVE, GENRES


def test_import_ingest_features_and_a_tiny_training(tmp_path, shared_files):
    archive, genres = shared_files
    lines = []
    read_archive(archive, 4096, lambda _member, _number, line: lines.append(line.decode("utf-8")))
    lines = lines[:SLICE]
    sliced = write_archive(tmp_path / "slice.7z", lines)  # stays in tmp_path, never in the repo
    imported = import_archives([sliced], genres, b"e2e-key")
    m = imported.metrics
    assert m["lines"] == SLICE and m["parsed_per_service"]["lastfm"] > 0.9 * SLICE
    assert m["sessions"] + sum(m["dropped"].values()) == SLICE
    assert 0 < m["ambiguous_share"] < 1 and m["artist_match"]["tweets_rate"] > 0.3

    raw = tmp_path / "raw"
    raw.mkdir()
    write_raw(imported, raw)
    written = "".join(p.read_text(encoding="utf-8") for p in raw.iterdir())
    assert "@lastfm" not in written and "t.co/" not in written  # no tweet text in the raw folder

    result = ingest(raw, b"e2e-key")
    assert result.metrics["sessions"] == m["sessions"] and result.metrics["ordinary_tweets"] == 0
    assert set(result.sessions["group"]) == {"control"}

    params = load_params(ROOT / "params.yaml")
    params["features"]["history"] = 5
    params["model"].update(units=8, dense=[8])
    params["train"].update(epochs=2, patience=1, batch_size=128)
    emb_tracks = pd.DataFrame({"track": result.tracks["track"]})
    processed = build_features(
        result.sessions, result.tweets, emb_tracks, np.zeros((len(emb_tracks), 384), np.float32), params
    )
    assert all(n > 0 for n in processed.meta["samples_per_split"].values())

    from nextgenre.training import train_model

    model, history = train_model("gru", processed, params)
    assert len(history["val_accuracy"]) >= 1 and 0 < history["val_accuracy"][-1] <= 1
