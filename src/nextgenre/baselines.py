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
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from nextgenre.constants import CLASS_SCHEMES, GENRES
from nextgenre.errors import NextgenreError

BASELINES = ("majority", "repeat_last", "user_top", "markov", "linear")

DESCRIPTIONS = {
    "majority": "majority class of the training split",
    "repeat_last": "class of the last history session",
    "user_top": "user's most frequent class so far (ties: most recent)",
    "markov": "first-order Markov chain on the last genre, fitted on train",
    "linear": "logistic regression on last + mean history vector",
}


class ProcessedData:
    """What the features stage wrote to data/processed/: per-session arrays and the samples."""

    def __init__(self, samples: pd.DataFrame, genres: np.ndarray, vectors: np.ndarray, classes: list[str]):
        self.samples = samples.reset_index(drop=True)
        self.genres = np.asarray(genres, dtype=np.int64)
        self.vectors = vectors
        self.classes = list(classes)
        if len(self.classes) not in CLASS_SCHEMES:
            raise NextgenreError(f"meta.json: {len(self.classes)} classes; expected 6, 4 or 3")
        if len(self.genres) != len(self.vectors):
            raise NextgenreError("data/processed: genres.npy and vectors.npy differ in length")

    @property
    def class_of_genre(self) -> np.ndarray:
        """Class index of each genre index in this scheme, -1 where the genre maps to no class."""
        scheme = CLASS_SCHEMES[len(self.classes)]
        return np.array([self.classes.index(scheme[g]) if scheme[g] is not None else -1 for g in GENRES])


def load_processed(folder: str | Path) -> ProcessedData:
    """Read data/processed/ (the vectors are memory-mapped, not loaded whole)."""
    folder = Path(folder)
    for name in ("samples.parquet", "genres.npy", "vectors.npy", "meta.json"):
        if not (folder / name).exists():
            raise NextgenreError(f"{folder / name}: not found (run the features stage first)")
    meta = json.loads((folder / "meta.json").read_text())
    samples = pd.read_parquet(folder / "samples.parquet")
    return ProcessedData(samples, np.load(folder / "genres.npy"),
                         np.load(folder / "vectors.npy", mmap_mode="r"), meta["classes"])


# --- the five baselines: each takes the data and the train/test sample tables --------------

def majority(data: ProcessedData, train: pd.DataFrame, test: pd.DataFrame) -> np.ndarray:
    return np.full(len(test), _majority_class(train, len(data.classes)), dtype=np.int64)


def repeat_last(data: ProcessedData, train: pd.DataFrame, test: pd.DataFrame) -> np.ndarray:
    session_class = data.class_of_genre[data.genres]
    rows = np.arange(len(session_class))
    # For each session row: the latest row at or before it whose genre maps to a class.
    latest_mapped = np.maximum.accumulate(np.where(session_class >= 0, rows, -1))
    target, start = test["target"].to_numpy(), test["start"].to_numpy()
    last = latest_mapped[np.maximum(target - 1, 0)]
    found = (target > start) & (last >= start)
    fallback = _majority_class(train, len(data.classes))
    return np.where(found, session_class[np.maximum(last, 0)], fallback).astype(np.int64)


def user_top(data: ProcessedData, train: pd.DataFrame, test: pd.DataFrame) -> np.ndarray:
    n_classes = len(data.classes)
    session_class = data.class_of_genre[data.genres]
    n = len(session_class)
    rows = np.arange(n)
    one_hot = (session_class[:, None] == np.arange(n_classes)[None, :])
    # counts[i] = class counts of rows 0..i-1; latest[i] = latest row < i of each class (-1: none).
    counts = np.vstack([np.zeros((1, n_classes), np.int64), np.cumsum(one_hot, axis=0)])
    latest = np.vstack([np.full((1, n_classes), -1),
                        np.maximum.accumulate(np.where(one_hot, rows[:, None], -1), axis=0)])
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

    def fit(self, data: ProcessedData, train: pd.DataFrame) -> "MarkovBaseline":
        state = self._state(data, train)
        labels = train["label"].to_numpy()
        self.counts = np.zeros((len(GENRES) + 1, self.n_classes), np.int64)
        np.add.at(self.counts, (state, labels), 1)
        prior = np.bincount(labels, minlength=self.n_classes) / max(len(labels), 1)
        # Counts are integers and prior < 1, so the prior only breaks ties and fills unseen states.
        self.scores = self.counts + prior[None, :] * 0.5
        return self

    def predict(self, data: ProcessedData, samples: pd.DataFrame) -> np.ndarray:
        return np.argmax(self.scores[self._state(data, samples)], axis=1).astype(np.int64)

    @staticmethod
    def _state(data: ProcessedData, samples: pd.DataFrame) -> np.ndarray:
        """Genre index of the last history session; len(GENRES) when the history is empty."""
        target, start = samples["target"].to_numpy(), samples["start"].to_numpy()
        last_genre = data.genres[np.maximum(target - 1, 0)]
        return np.where(target > start, last_genre, len(GENRES))


def markov(data: ProcessedData, train: pd.DataFrame, test: pd.DataFrame) -> np.ndarray:
    return MarkovBaseline(len(data.classes)).fit(data, train).predict(data, test)


def history_features(data: ProcessedData, samples: pd.DataFrame) -> np.ndarray:
    """Per sample: [vector of the last history session, mean vector of the history window]."""
    target, start = samples["target"].to_numpy(), samples["start"].to_numpy()
    lengths = target - start
    if (lengths < 1).any():
        raise NextgenreError("samples.parquet: a sample has an empty history (start >= target)")
    # A sparse averaging matrix: row i holds 1/len at columns start_i..target_i-1.
    rows = np.repeat(np.arange(len(samples)), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    cols = np.repeat(start, lengths) + offsets
    weights = np.repeat(1.0 / lengths, lengths).astype(np.float32)
    averaging = sp.csr_matrix((weights, (rows, cols)), shape=(len(samples), len(data.vectors)))
    mean = np.asarray(averaging @ data.vectors, dtype=np.float32)
    last = np.asarray(data.vectors[target - 1], dtype=np.float32)
    return np.hstack([last, mean])


def linear(data: ProcessedData, train: pd.DataFrame, test: pd.DataFrame, seed: int = 0) -> np.ndarray:
    labels = train["label"].to_numpy()
    if len(np.unique(labels)) < 2:
        return majority(data, train, test)
    model = make_pipeline(StandardScaler(),
                          LogisticRegression(max_iter=300, random_state=seed))
    model.fit(history_features(data, train), labels)
    return model.predict(history_features(data, test)).astype(np.int64)


# --- running them all ----------------------------------------------------------------------

def predict_all(data: ProcessedData, seed: int) -> pd.DataFrame:
    """Every baseline's prediction for every test sample, in samples.parquet's test-row order."""
    samples = data.samples
    train = samples[samples["split"] == "train"]
    test = samples[samples["split"] == "test"]
    if train.empty or test.empty:
        raise NextgenreError("samples.parquet: the train or test split is empty")
    out = pd.DataFrame({"target": test["target"].to_numpy(np.int64),
                        "y_true": test["label"].to_numpy(np.int64)})
    predictors = {"majority": majority, "repeat_last": repeat_last, "user_top": user_top,
                  "markov": markov, "linear": lambda d, tr, te: linear(d, tr, te, seed=seed)}
    for name in BASELINES:
        out[name] = predictors[name](data, train, test)
    return out


def _majority_class(train: pd.DataFrame, n_classes: int) -> int:
    """Most frequent training label; ties go to the lower class index."""
    return int(np.argmax(np.bincount(train["label"].to_numpy(), minlength=n_classes)))


def scores(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> dict:
    """Accuracy, macro-F1 (over all classes of the scheme) and balanced accuracy."""
    labels = list(range(n_classes))
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
        "balanced_accuracy": float(balanced_accuracy_score(y_true, y_pred)),
    }


def metrics(predictions: pd.DataFrame, classes: list[str]) -> dict:
    """metrics/baselines.json: {baseline: scores} plus n_test and the class names."""
    out = {name: scores(predictions["y_true"].to_numpy(), predictions[name].to_numpy(), len(classes))
           for name in BASELINES}
    out["n_test"] = int(len(predictions))
    out["classes"] = list(classes)
    return out
