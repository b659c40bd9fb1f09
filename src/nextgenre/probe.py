"""A genre probe of the lyrics vectors: how well a linear model tells a track's genre from its
vector, against always answering the most common genre.

5-fold cross-validated logistic regression (scikit-learn, stratified folds, seeded), on all
tracks and on the tracks with lyrics (an empty text's vector is all zeros). Deterministic: the
same vectors give the same figures.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score

FOLDS = 5
MAX_ITER = 1000


def _probe(vectors: np.ndarray, genres: np.ndarray, seed: int) -> dict:
    _, counts = np.unique(genres, return_counts=True)
    result = {"tracks": int(len(genres)), "majority": round(float(counts.max() / max(len(genres), 1)), 4)}
    folds = min(FOLDS, int(counts.min())) if len(counts) else 0
    if len(counts) < 2 or folds < 2:
        return {**result, "accuracy": None, "skipped": "fewer than two genres with two tracks each"}
    split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_val_score(LogisticRegression(max_iter=MAX_ITER), vectors, genres, cv=split)
    return {**result, "folds": folds, "accuracy": round(float(scores.mean()), 4)}


def genre_probe(vectors: np.ndarray, genres, seed: int = 0) -> dict:
    """Cross-validated accuracy of a genre probe and the majority-class share, for all tracks
    and for those with lyrics."""
    vectors = np.asarray(vectors, dtype=np.float64)
    genres = np.asarray(genres, dtype=object).astype(str)
    lyrical = np.abs(vectors).sum(axis=1) > 0
    return {"all": _probe(vectors, genres, seed), "with_lyrics": _probe(vectors[lyrical], genres[lyrical], seed)}


def probe_metrics(probe: dict) -> dict:
    """The embed stage's metrics (metrics/embed.json): the probe's accuracy and its majority-class
    reference per track set (all, with_lyrics) where the probe ran; the rest of `probe` is detail
    kept in data/embeddings/summary.json."""
    return {
        "genre_probe": {
            name: {"accuracy": p["accuracy"], "majority": p["majority"]}
            for name, p in probe.items()
            if p.get("accuracy") is not None
        }
    }
