"""Pooling the test predictions of a user-level k-fold cross-validation (nextgenre.split): each
fold's experiment tests its own users, so together the folds test every user exactly once, and
the pooled predictions are scored as one test set of all users.

A fold's table (`fold_table`) has one row per test sample: fold, target, user, y_true and one
column per predictor (each model, each baseline) holding its predicted class. `pool` stacks the
folds, refusing a user tested in two of them. `summary` scores the pooled table: accuracy of
every predictor with a cluster-bootstrap 95% interval over users, the best baseline by pooled
accuracy, each model's margin over it with a paired interval (the same resampled users for both),
and McNemar's test of each model against the best baseline and of every pair of models.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from nextgenre import stats
from nextgenre.errors import NextgenreError

KEYS = ("fold", "target", "user", "y_true")


def fold_table(fold: int, predictions: dict[str, pd.DataFrame], baselines: pd.DataFrame, samples: pd.DataFrame):
    """One fold's test samples with every predictor's class: `predictions` (model -> its
    data/predictions/<model>.parquet), the baselines' parquet and the fold's samples.parquet
    (for the users)."""
    table = baselines.copy()
    user_of = samples.set_index("target")["user_index"]
    if not table["target"].isin(user_of.index).all():
        raise NextgenreError(f"fold {fold}: baselines' targets not in samples.parquet")
    table.insert(0, "user", user_of.loc[table["target"]].to_numpy())
    table.insert(0, "fold", fold)
    for model, frame in predictions.items():
        if not (
            np.array_equal(frame["target"].to_numpy(), table["target"].to_numpy())
            and np.array_equal(frame["y_true"].to_numpy(), table["y_true"].to_numpy())
        ):
            raise NextgenreError(f"fold {fold}: {model}'s predictions and the baselines' are on different samples")
        table[model] = frame["y_pred"].to_numpy()
    return table


def pool(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """The folds' tables stacked: every user in one fold only, every sample once."""
    pooled = pd.concat(tables, ignore_index=True)
    folds_of_user = pooled.groupby("user")["fold"].nunique()
    if (folds_of_user > 1).any():
        raise NextgenreError(f"{int((folds_of_user > 1).sum())} users are tested in more than one fold")
    if pooled["target"].duplicated().any():
        raise NextgenreError("a test sample appears in more than one fold")
    return pooled


def correct(pooled: pd.DataFrame, predictor: str) -> np.ndarray:
    return (pooled[predictor] == pooled["y_true"]).to_numpy()


def paired_margin(correct_a, correct_b, users, seed: int) -> dict:
    """Accuracy of a minus accuracy of b on the same samples, with its cluster-bootstrap interval."""
    diff = np.asarray(correct_a, dtype=float) - np.asarray(correct_b, dtype=float)
    low, high = stats.bootstrap_mean_ci(diff, clusters=users, seed=seed)
    return {"margin": float(diff.mean()), "ci_low": low, "ci_high": high}


def summary(pooled: pd.DataFrame, models: list[str], baselines: list[str], seed: int) -> dict:
    """The pooled scores (see the module docstring), JSON-ready."""
    users = pooled["user"].to_numpy()
    hits = {name: correct(pooled, name) for name in [*models, *baselines]}
    accuracy = {}
    for name, hit in hits.items():
        low, high = stats.bootstrap_mean_ci(hit, clusters=users, seed=seed)
        accuracy[name] = {"accuracy": float(hit.mean()), "ci_low": low, "ci_high": high}
    best = max(baselines, key=lambda b: accuracy[b]["accuracy"])  # the first in `baselines` on ties
    return {
        "n_test": int(len(pooled)),
        "n_test_users": int(pooled["user"].nunique()),
        "folds": sorted(int(f) for f in pooled["fold"].unique()),
        "accuracy": accuracy,
        "best_baseline": best,
        "margins": {m: paired_margin(hits[m], hits[best], users, seed) for m in models},
        "mcnemar_vs_best_baseline": {m: stats.mcnemar(hits[m], hits[best]) for m in models},
        "mcnemar_pairs": {f"{a}_vs_{b}": stats.mcnemar(hits[a], hits[b]) for a, b in combinations(models, 2)},
    }


def aligned(a: pd.DataFrame, b: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two pooled tables (e.g. artist off and on) on the same samples, in the same order."""
    a, b = a.sort_values("target", kind="stable"), b.sort_values("target", kind="stable")
    if not (np.array_equal(a["target"], b["target"]) and np.array_equal(a["y_true"], b["y_true"])):
        raise NextgenreError("the two cross-validations were tested on different samples")
    return a.reset_index(drop=True), b.reset_index(drop=True)
