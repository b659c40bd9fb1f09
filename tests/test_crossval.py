"""Pooling the folds of a cross-validation (nextgenre.crossval) on fake predictions: the pooled
numbers are those of one test set of every user, and a user tested twice is refused."""

import numpy as np
import pandas as pd
import pytest

from nextgenre import crossval, stats
from nextgenre.errors import NextgenreError

BASELINES = ["repeat_last", "markov"]


def fake_fold(fold: int, users: range, rng, per_user: int = 6):
    """One fold's prediction files: two models and two baselines, each right with its own odds."""
    user = np.repeat(np.array(users), per_user)
    n = len(user)
    targets = 1000 * fold + np.arange(n)
    y = rng.integers(0, 4, n)

    def right_with(p):
        return np.where(rng.random(n) < p, y, (y + 1) % 4)

    samples = pd.DataFrame({"target": targets, "user_index": user, "split": "test"})
    base = pd.DataFrame({"target": targets, "y_true": y, "repeat_last": right_with(0.5), "markov": right_with(0.6)})
    predictions = {
        m: pd.DataFrame({"target": targets, "y_true": y, "y_pred": right_with(p)})
        for m, p in (("lstm", 0.7), ("gru", 0.55))
    }
    return crossval.fold_table(fold, predictions, base, samples)


@pytest.fixture
def folds():
    rng = np.random.default_rng(0)
    return [fake_fold(k, range(10 * k, 10 * k + 10), rng) for k in range(3)]


def test_pooled_scores_are_those_of_one_test_set_of_every_user(folds):
    pooled = crossval.pool(folds)
    s = crossval.summary(pooled, ["lstm", "gru"], BASELINES, seed=1)
    assert s["n_test"] == 180 and s["n_test_users"] == 30 and s["folds"] == [0, 1, 2]
    every = pd.concat(folds)
    hit = {p: (every[p] == every.y_true).to_numpy() for p in ["lstm", "gru", *BASELINES]}
    for name, h in hit.items():
        a = s["accuracy"][name]
        assert a["accuracy"] == pytest.approx(h.mean())
        # The interval resamples users, not samples: the same as the cluster bootstrap of all samples.
        assert (a["ci_low"], a["ci_high"]) == stats.bootstrap_mean_ci(h, clusters=every.user.to_numpy(), seed=1)
    best = max(BASELINES, key=lambda b: hit[b].mean())
    assert s["best_baseline"] == best
    margin = s["margins"]["lstm"]
    assert margin["margin"] == pytest.approx(hit["lstm"].mean() - hit[best].mean())
    assert margin["ci_low"] < margin["margin"] < margin["ci_high"]
    assert s["mcnemar_vs_best_baseline"]["gru"] == stats.mcnemar(hit["gru"], hit[best])
    assert s["mcnemar_pairs"]["lstm_vs_gru"]["b"] == int((hit["lstm"] & ~hit["gru"]).sum())


def test_a_user_in_two_folds_or_a_sample_twice_is_refused(folds):
    rng = np.random.default_rng(1)
    with pytest.raises(NextgenreError, match="1 users are tested in more than one fold"):
        crossval.pool([*folds, fake_fold(3, range(29, 30), rng)])
    repeated = folds[0].copy()
    repeated["fold"] = 3
    repeated["user"] += 100
    with pytest.raises(NextgenreError, match="more than one fold"):
        crossval.pool([*folds, repeated])


def test_a_fold_with_predictions_on_other_samples_is_refused():
    rng = np.random.default_rng(2)
    table = fake_fold(0, range(3), rng)
    base = table[["target", "y_true", *BASELINES]]
    samples = pd.DataFrame({"target": table.target, "user_index": table.user})
    shifted = pd.DataFrame({"target": table.target + 1, "y_true": table.y_true, "y_pred": table.lstm})
    with pytest.raises(NextgenreError, match="different samples"):
        crossval.fold_table(0, {"lstm": shifted}, base, samples)


def test_two_cross_validations_are_compared_on_the_same_samples(folds):
    off = crossval.pool(folds)
    on = off.sample(frac=1, random_state=0).copy()
    on["lstm"] = on["y_true"]
    a, b = crossval.aligned(off, on)
    effect = crossval.paired_margin(crossval.correct(b, "lstm"), crossval.correct(a, "lstm"), a.user, seed=0)
    assert effect["margin"] == pytest.approx(1 - crossval.correct(off, "lstm").mean())
    with pytest.raises(NextgenreError, match="different samples"):
        crossval.aligned(off, on.iloc[1:])
