"""Simple baselines that the recurrent models must beat, on exactly the models' test samples.

Every baseline sees what a model sees for a sample: the sessions of its user strictly before
the target session. Genre-based baselines work in the class space of the run's scheme (6, 4 or
3 classes): a history genre is mapped to its class with `CLASS_SCHEMES`, and in the 3-class
scheme a genre that maps to no class (jazz, electronic, others) is skipped when the baseline
looks for "the last" or "the most frequent" class. When a sample's history has no genre that
maps to a class, the baseline falls back to the majority class of the training split.

- majority:    the most frequent class among the training samples' labels.
- repeat_last: the class of the most recent history session (skipping unmapped genres).
- user_top:    the most frequent class among *all* earlier sessions of the user that the
               features stage kept (from the start of the user's earliest history window up to
               the session before the target, not only the history window); ties go to the
               class seen most recently.
- markov:      a first-order Markov chain P(next class | genre of the last history session),
               counted on the training samples only; the last genre is one of the six raw
               genres (so in the 3-class scheme "last was jazz" is still a state). Ties, and a
               last genre never seen in training, go to the more frequent class in training.
- linear:      a standardised multinomial logistic regression on the same session vectors as
               the models: the last history session's vector concatenated with the mean vector
               of the history window; fitted on the training split only.

The baselines see the sessions the models see. When the features stage leaves sessions out
(`kept.npy` False, under `features.missing_stress: drop`) no baseline uses them. The linear
model also applies `stress_overrides.parquet` exactly as the models' windows do: a history
session whose stress window reaches past the target's time gets the stress recomputed up to
that time (a NaN there leaves the step out for that target), so no tweet at or after the
target leaks in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from nextgenre.constants import GENRES
from nextgenre.errors import NextgenreError
from nextgenre.metrics import scores
from nextgenre.processed import Processed
from nextgenre.stress_windows import Overrides

BASELINES = ("majority", "repeat_last", "user_top", "markov", "linear")

DESCRIPTIONS = {
    "majority": "majority class of the training split",
    "repeat_last": "class of the last history session",
    "user_top": "user's most frequent class so far (ties: most recent)",
    "markov": "first-order Markov chain on the last genre, fitted on train",
    "linear": "logistic regression on last + mean history vector",
}


# --- the five baselines: each takes the data and the train/test sample tables --------------


def majority(data: Processed, train: pd.DataFrame, test: pd.DataFrame) -> np.ndarray:
    return np.full(len(test), _majority_class(train, len(data.classes)), dtype=np.int64)


def repeat_last(data: Processed, train: pd.DataFrame, test: pd.DataFrame) -> np.ndarray:
    session_class = data.session_class
    rows = np.arange(len(session_class))
    # For each session row: the latest row at or before it whose genre maps to a class.
    latest_mapped = np.maximum.accumulate(np.where(session_class >= 0, rows, -1))
    target, start = test["target"].to_numpy(), test["start"].to_numpy()
    last = latest_mapped[np.maximum(target - 1, 0)]
    found = (target > start) & (last >= start)
    fallback = _majority_class(train, len(data.classes))
    return np.where(found, session_class[np.maximum(last, 0)], fallback).astype(np.int64)


def user_top(data: Processed, train: pd.DataFrame, test: pd.DataFrame) -> np.ndarray:
    n_classes = len(data.classes)
    session_class = data.session_class
    n = len(session_class)
    rows = np.arange(n)
    one_hot = session_class[:, None] == np.arange(n_classes)[None, :]
    # counts[i] = class counts of rows 0..i-1; latest[i] = latest row < i of each class (-1: none).
    counts = np.vstack([np.zeros((1, n_classes), np.int64), np.cumsum(one_hot, axis=0)])
    latest = np.vstack(
        [np.full((1, n_classes), -1), np.maximum.accumulate(np.where(one_hot, rows[:, None], -1), axis=0)]
    )
    user_first = data.samples.groupby("user_index")["start"].min()
    first = user_first.loc[test["user_index"]].to_numpy()
    target = test["target"].to_numpy()
    in_range = counts[target] - counts[first]
    # Most frequent class; ties go to the class whose latest session is the most recent.
    key = in_range * (n + 2) + (latest[target] + 1)
    top = np.argmax(key, axis=1)
    fallback = _majority_class(train, n_classes)
    return np.where(in_range.sum(axis=1) > 0, top, fallback).astype(np.int64)


class MarkovBaseline:
    """P(next class | genre of the last history session), counted on training samples."""

    def __init__(self, n_classes: int):
        self.n_classes = n_classes

    def fit(self, data: Processed, train: pd.DataFrame) -> MarkovBaseline:
        state = self._state(data, train)
        labels = train["label"].to_numpy()
        self.counts = np.zeros((len(GENRES) + 1, self.n_classes), np.int64)
        np.add.at(self.counts, (state, labels), 1)
        prior = np.bincount(labels, minlength=self.n_classes) / max(len(labels), 1)
        # Counts are integers and prior < 1, so the prior only breaks ties and fills unseen states.
        self.scores = self.counts + prior[None, :] * 0.5
        return self

    def predict(self, data: Processed, samples: pd.DataFrame) -> np.ndarray:
        return np.argmax(self.scores[self._state(data, samples)], axis=1).astype(np.int64)

    @staticmethod
    def _state(data: Processed, samples: pd.DataFrame) -> np.ndarray:
        """Genre index of the last kept history session; len(GENRES) when there is none."""
        target, start = samples["target"].to_numpy(), samples["start"].to_numpy()
        rows = np.arange(len(data.genres))
        latest_kept = np.maximum.accumulate(np.where(data.kept, rows, -1))
        last = latest_kept[np.maximum(target - 1, 0)]
        found = (target > start) & (last >= start)
        return np.where(found, data.genres[np.maximum(last, 0)], len(GENRES))


def markov(data: Processed, train: pd.DataFrame, test: pd.DataFrame) -> np.ndarray:
    return MarkovBaseline(len(data.classes)).fit(data, train).predict(data, test)


def history_steps(data: Processed, samples: pd.DataFrame):
    """The history steps a model sees, one per (sample, session row), in row order per sample.

    Returns sample positions, session rows, and the stress override of each step (NaN: none).
    Left-out sessions and steps whose override is NaN (masked for that target) are skipped.
    """
    target, start = samples["target"].to_numpy(np.int64), samples["start"].to_numpy(np.int64)
    lengths = np.maximum(target - start, 0)
    pos = np.repeat(np.arange(len(samples)), lengths)
    row = np.repeat(start, lengths) + np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    visible = data.kept[row].copy()
    override = np.full(len(row), np.nan, np.float32)
    if data.stress_column is not None and len(data.overrides):
        found, values = Overrides(data.overrides, len(data.genres)).lookup(target[pos], row)
        override[found] = values[found]
        visible &= ~(found & np.isnan(override))
    return pos[visible], row[visible], override[visible]


def history_features(data: Processed, samples: pd.DataFrame) -> np.ndarray:
    """Per sample: [vector of the last history step, mean vector of the history steps].

    The vectors are the models' session vectors with the stress overrides applied; a sample
    with no visible step gets zeros (the models see an all-masked window then). The artist index
    (features.artist) is left out: the baselines are the same with and without it.
    """
    pos, row, override = history_steps(data, samples)
    m = len(samples)
    count = np.bincount(pos, minlength=m)
    weights = (1.0 / count[pos]).astype(np.float32)
    # A sparse averaging matrix: row i holds 1/count_i at the session rows of sample i's steps.
    averaging = sp.csr_matrix((weights, (pos, row)), shape=(m, len(data.vectors)))
    mean = np.asarray(averaging @ data.vectors, dtype=np.float32)
    last = np.zeros_like(mean)
    is_last = np.r_[pos[1:] != pos[:-1], True] if len(pos) else np.zeros(0, bool)
    last[pos[is_last]] = data.vectors[row[is_last]]
    has = ~np.isnan(override)
    if data.stress_column is not None and has.any():
        c = data.stress_column
        original = np.asarray(data.vectors[row[has], c], dtype=np.float32)
        np.add.at(mean[:, c], pos[has], (override[has] - original) * weights[has])
        last_has = is_last & has
        last[pos[last_has], c] = override[last_has]
    columns = data.numeric_columns()  # not the artist index: the baselines stay those of the paper's inputs
    return np.hstack([last[:, columns], mean[:, columns]])


def linear(data: Processed, train: pd.DataFrame, test: pd.DataFrame, seed: int = 0) -> np.ndarray:
    labels = train["label"].to_numpy()
    if len(np.unique(labels)) < 2:
        return majority(data, train, test)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=300, random_state=seed))
    model.fit(history_features(data, train), labels)
    return model.predict(history_features(data, test)).astype(np.int64)


# --- running them all ----------------------------------------------------------------------


def predict_all(data: Processed, seed: int) -> pd.DataFrame:
    """Every baseline's prediction for every test sample, in samples.parquet's test-row order."""
    samples = data.samples
    train = samples[samples["split"] == "train"]
    test = samples[samples["split"] == "test"]
    if train.empty or test.empty:
        raise NextgenreError("samples.parquet: the train or test split is empty")
    out = pd.DataFrame({"target": test["target"].to_numpy(np.int64), "y_true": test["label"].to_numpy(np.int64)})
    predictors = {
        "majority": majority,
        "repeat_last": repeat_last,
        "user_top": user_top,
        "markov": markov,
        "linear": lambda d, tr, te: linear(d, tr, te, seed=seed),
    }
    for name in BASELINES:
        out[name] = predictors[name](data, train, test)
    return out


def _majority_class(train: pd.DataFrame, n_classes: int) -> int:
    """Most frequent training label; ties go to the lower class index."""
    return int(np.argmax(np.bincount(train["label"].to_numpy(), minlength=n_classes)))


def metrics(predictions: pd.DataFrame, classes: list[str]) -> dict:
    """data/predictions/baselines.json: {baseline: scores} plus n_test and the class names."""
    out = {
        name: scores(predictions["y_true"].to_numpy(), predictions[name].to_numpy(), len(classes)) for name in BASELINES
    }
    out["n_test"] = int(len(predictions))
    out["classes"] = list(classes)
    return out
