"""The genre probe of lyrics vectors (nextgenre.probe)."""

import numpy as np

from nextgenre.probe import genre_probe, probe_metrics


def test_probe_finds_genre_signal_and_none_in_noise():
    rng = np.random.default_rng(0)
    genres = np.array(["pop"] * 120 + ["rock"] * 60 + ["jazz"] * 20)
    centres = {"pop": 0.0, "rock": 3.0, "jazz": -3.0}
    signal = rng.normal(size=(200, 8)) + np.array([centres[g] for g in genres])[:, None]
    noise = rng.normal(size=(200, 8))
    found = genre_probe(signal, genres)["all"]
    assert found["majority"] == 0.6 and found["folds"] == 5 and found["accuracy"] > 0.95
    assert genre_probe(noise, genres)["all"]["accuracy"] < 0.68
    assert genre_probe(signal, genres) == genre_probe(signal, genres)  # deterministic


def test_probe_leaves_out_empty_lyrics_and_skips_what_it_cannot_split():
    vectors = np.vstack([np.zeros((10, 4)), np.eye(4)[np.arange(10) % 2]])
    genres = ["jazz"] * 10 + ["pop", "rock"] * 5
    result = genre_probe(vectors, genres)
    assert result["all"]["tracks"] == 20 and result["with_lyrics"]["tracks"] == 10
    assert result["with_lyrics"]["accuracy"] == 1.0
    one = genre_probe(np.ones((5, 3)), ["pop"] * 5)["all"]
    assert one["accuracy"] is None and one["skipped"]


def test_probe_of_tracks_without_any_lyrics_is_skipped_not_a_crash():
    """Real listening archives have no lyrics: every vector is zero, so the lyrics set is empty."""
    result = genre_probe(np.zeros((30, 4)), ["rock", "pop", "jazz"] * 10)
    assert result["with_lyrics"] == {"tracks": 0, "majority": None, "accuracy": None, "skipped": "no tracks"}
    assert result["all"]["tracks"] == 30 and result["all"]["accuracy"] is not None
    assert probe_metrics(result) == {
        "genre_probe": {"all": {"accuracy": result["all"]["accuracy"], "majority": 0.3333}}
    }
