"""Scoring a trained classifier on the test users only: metrics, predictions, plot data."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.manifold import TSNE
from threadpoolctl import threadpool_limits

from nextgenre.processed import Processed
from nextgenre.sequences import WindowDataset, windows_for
from nextgenre.threads import threads

TSNE_MAX_POINTS = 2000


def predict_test(model, processed: Processed, batch_size: int = 512) -> dict:
    """Probabilities, last hidden layer and attention weights (None without attention) of the
    test samples, in samples.parquet order, with their positions, targets and true labels."""
    import keras

    from nextgenre.models import probe_model

    positions = processed.positions("test")
    if len(positions) == 0:
        from nextgenre.errors import NextgenreError

        raise NextgenreError("data/processed: the test split has no samples")
    probe = probe_model(model)
    windows = windows_for(processed)
    data = WindowDataset(windows, positions, None, batch_size)
    parts = {"probabilities": [], "hidden": [], "attention": []}
    for i in range(len(data)):
        out = probe(data[i][0], training=False)
        for key in parts:
            if key in out:
                parts[key].append(keras.ops.convert_to_numpy(out[key]))
    if parts["attention"]:  # each batch's weights cover its windows' steps: the earlier (padded) steps get 0
        parts["attention"] = [np.pad(a, ((0, 0), (windows.history - a.shape[1], 0))) for a in parts["attention"]]
    result = {key: data.restore_order(np.concatenate(v)) if v else None for key, v in parts.items()}
    result["positions"] = positions
    result["target"] = processed.samples["target"].to_numpy(dtype=np.int64)[positions]
    result["y_true"] = processed.samples["label"].to_numpy(dtype=np.int64)[positions]
    result["real_steps"] = windows.indexes(positions, windows.history)[1]
    return result


def predictions_frame(result: dict, classes: list[str]) -> pd.DataFrame:
    probs = result["probabilities"].astype(np.float32)
    frame = pd.DataFrame(
        {"target": result["target"], "y_true": result["y_true"], "y_pred": probs.argmax(axis=1).astype(np.int64)}
    )
    for i, c in enumerate(classes):
        frame[f"p_{c}"] = probs[:, i]
    return frame


def confusion_counts(frame: pd.DataFrame, classes: list[str]) -> pd.DataFrame:
    """Test samples per (actual, predicted) pair of class names, every pair of the scheme in its
    order, zero included: a class with no test sample keeps its row and column. The data of the
    genre_confusion template (plots/<model>/confusion.csv) and of confusion.png."""
    k = len(classes)
    pairs = frame.y_true.to_numpy().astype(np.int64) * k + frame.y_pred.to_numpy().astype(np.int64)
    counts = np.bincount(pairs, minlength=k * k)
    names = np.asarray(classes)
    return pd.DataFrame(
        {"actual": np.repeat(names, k), "predicted": np.tile(names, k), "samples": counts.astype(np.int64)}
    )


def tsne_points(hidden: np.ndarray, labels: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """2-D t-SNE of a seeded subsample of at most TSNE_MAX_POINTS hidden vectors (the picture's
    title says how many of how many)."""
    rng = np.random.RandomState(seed)
    pick = np.sort(rng.choice(len(hidden), size=min(len(hidden), TSNE_MAX_POINTS), replace=False))
    perplexity = float(min(30.0, max(1.0, (len(pick) - 1) / 3)))  # sklearn needs < n
    # t-SNE's OpenMP threads spin on busy cores (30x the CPU under load): NEXTGENRE_THREADS caps them too
    with threadpool_limits(limits=threads()):
        points = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(
            hidden[pick].astype(np.float64)
        )
    return points, labels[pick]


def attention_by_lag(attention: np.ndarray, real_steps: np.ndarray) -> pd.DataFrame:
    """Mean attention weight at each position back in time (1 = the latest history session),
    over the samples whose history reaches that far."""
    history = attention.shape[1]
    rows = []
    for lag in range(1, history + 1):
        step = history - lag
        has = real_steps[:, step]
        if has.any():
            rows.append(
                {"sessions_back": lag, "mean_weight": float(attention[has, step].mean()), "samples": int(has.sum())}
            )
    return pd.DataFrame(rows)
