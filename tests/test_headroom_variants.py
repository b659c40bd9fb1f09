"""The diagnostic inputs of experiments/headroom_variants.py: the planted theme in place of the
text part (an oracle input, matched to each session through the truth), standardised text and
its principal components."""

from __future__ import annotations

import runpy

import numpy as np
import pandas as pd

from nextgenre.constants import GENRES
from nextgenre.features import layout
from nextgenre.processed import Processed
from nextgenre.pseudonym import PUBLIC_KEY, pseudonymize
from nextgenre.sources import SYNTHETIC_TRUTH
from nextgenre.synthetic import write_truth
from tests.conftest import ROOT
from tests.test_planted_effects import frames

VARIANTS = runpy.run_path(str(ROOT / "experiments" / "headroom_variants.py"), run_name="variants")
TEXT_DIM = 5


def processed_of(n: int, samples: pd.DataFrame, seed: int = 0) -> Processed:
    parts = layout(TEXT_DIM, stress=True, text=True)
    width = max(end for _, end in parts.values())
    vectors = np.random.default_rng(seed).normal(3.0, 2.0, (n, width)).astype(np.float32)
    meta = {"classes": list(GENRES), "layout": parts, "input_dim": width, "history": 4}
    return Processed(vectors, np.zeros(n, np.int8), np.ones(n, bool), samples, pd.DataFrame(), meta)


def test_theme_replaces_the_text_part_with_each_sessions_planted_theme(tmp_path):
    f = frames(0.02, lyrics_effect=0.8)
    write_truth(f, tmp_path / SYNTHETIC_TRUTH)
    truth = f["session_truth"]
    # The interim sessions in another order, by pseudonym and time, as ingest writes them.
    order = np.random.default_rng(3).permutation(len(truth))
    sessions = pd.DataFrame(
        {
            "user": pseudonymize(truth["user_id"].astype(str), PUBLIC_KEY.encode()).to_numpy()[order],
            "created_at": pd.to_datetime(truth["created_at"].to_numpy()[order], utc=True),
        }
    )
    (tmp_path / "data/interim").mkdir(parents=True)
    sessions.to_parquet(tmp_path / "data/interim/sessions.parquet")
    processed = processed_of(len(sessions), pd.DataFrame())
    before = processed.vectors.copy()

    got = VARIANTS["with_theme"](processed, tmp_path)

    k = len(GENRES) + 1
    theme = truth["theme"].map({g: i + 1 for i, g in enumerate(GENRES)}).fillna(0).to_numpy(dtype=int)[order]
    assert got.meta["layout"]["text"] == [0, k]
    assert np.array_equal(got.vectors[:, :k], np.eye(k, dtype=np.float32)[theme])
    assert (theme > 0).any() and (theme == 0).any()
    assert np.array_equal(got.vectors[:, k:], before[:, TEXT_DIM:])  # every other part as it was
    assert got.meta["input_dim"] == got.vectors.shape[1] == before.shape[1] - TEXT_DIM + k
    for name, (start, end) in layout(TEXT_DIM, stress=True, text=True).items():
        if name != "text":
            assert got.meta["layout"][name] == [start - TEXT_DIM + k, end - TEXT_DIM + k], name


# Training windows hold sessions 0-5 and 8-9 (IN_TRAINING); sessions 6, 7 and 10-11 are in none.
TRAINING_SAMPLES = pd.DataFrame(
    {"target": [4, 6, 10, 11], "start": [0, 2, 8, 7], "split": ["train", "train", "train", "test"]}
)
IN_TRAINING = np.r_[0:6, 8:10]


def test_textstd_scales_the_text_part_by_the_training_windows_sessions():
    processed = processed_of(12, TRAINING_SAMPLES)
    before = processed.vectors.copy()
    got = VARIANTS["standardized_text"](processed)
    seen = IN_TRAINING
    text = got.vectors[:, :TEXT_DIM]
    assert np.allclose(text[seen].mean(axis=0), 0, atol=1e-5)
    assert np.allclose(text[seen].std(axis=0), 1, atol=1e-5)
    mean, std = before[seen, :TEXT_DIM].mean(axis=0), before[seen, :TEXT_DIM].std(axis=0)
    assert np.allclose(text[6], (before[6, :TEXT_DIM] - mean) / std, atol=1e-5)  # the same map for the rest
    assert np.array_equal(got.vectors[:, TEXT_DIM:], before[:, TEXT_DIM:])


def test_notext_leaves_the_text_part_out_and_moves_the_other_parts():
    processed = processed_of(6, pd.DataFrame())
    before = processed.vectors.copy()
    got = VARIANTS["without_text"](processed)
    assert "text" not in got.meta["layout"]
    assert np.array_equal(got.vectors, before[:, TEXT_DIM:])
    assert got.meta["input_dim"] == before.shape[1] - TEXT_DIM
    for name, (start, end) in layout(TEXT_DIM, stress=True, text=True).items():
        if name != "text":
            assert got.meta["layout"][name] == [start - TEXT_DIM, end - TEXT_DIM], name


def test_textpca_replaces_the_text_part_by_whitened_components_of_the_training_windows_sessions():
    processed = processed_of(12, TRAINING_SAMPLES)
    before = processed.vectors.copy()
    got = VARIANTS["principal_text"](processed, 2)
    seen = IN_TRAINING
    text = got.vectors[:, :2]
    assert got.meta["layout"]["text"] == [0, 2] and got.meta["input_dim"] == before.shape[1] - TEXT_DIM + 2
    assert np.allclose(text[seen].mean(axis=0), 0, atol=1e-5)
    assert np.allclose(np.cov(text[seen].T), np.eye(2), atol=1e-4)  # whitened: uncorrelated, unit variance
    assert np.array_equal(got.vectors[:, 2:], before[:, TEXT_DIM:])
